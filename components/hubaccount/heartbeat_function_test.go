package hubaccount

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestHeartbeatFunction runs the function's own unit tests
// (heartbeat_function_test.py: the alarm math, pagination, batching,
// failures) with the python3 on the PATH, standard library only.
func TestHeartbeatFunction(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the heartbeat function's tests (heartbeat_function_test.py) need it")
	}
	cmd := exec.Command(python, "-m", "unittest", "-v", "heartbeat_function_test")
	// No __pycache__ in the source tree.
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3 -m unittest heartbeat_function_test: %v\n%s", err, out)
	}
	// unittest exits 0 having run nothing if the module were empty.
	if !strings.Contains(string(out), "\nOK") || strings.Contains(string(out), "Ran 0 tests") {
		t.Fatalf("the heartbeat function's tests did not run:\n%s", out)
	}
	t.Logf("%s", out)
}
