package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secalerts/fleet"
)

type scriptedRunner struct{ fail string }

func (s scriptedRunner) Preview(ctx context.Context, spec fleet.StackSpec, progress func(string)) (fleet.Changes, error) {
	progress("previewing")
	if spec.AccountID == s.fail {
		return nil, errors.New("AccessDenied")
	}
	return fleet.Changes{"create": 17}, nil
}

func (s scriptedRunner) Up(ctx context.Context, spec fleet.StackSpec, progress func(string)) (fleet.Changes, error) {
	return s.Preview(ctx, spec, progress)
}

func fleetCLI(t *testing.T, r fleet.Runner, inventory string, args ...string) output {
	t.Helper()
	saved := newFleetRunner
	newFleetRunner = func(string) fleet.Runner { return r }
	t.Cleanup(func() { newFleetRunner = saved })
	path := filepath.Join(t.TempDir(), "fleet.yaml")
	if err := os.WriteFile(path, []byte(inventory), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"fleet", "--inventory", path}, args...), &stdout, &stderr)
	return output{code, stdout.String(), stderr.String()}
}

const twoAccounts = `org: o
hubStack: o/secalerts/hub
accounts:
  - {accountId: "111111111111", customer: acme, roleArn: "arn:aws:iam::111111111111:role/d"}
  - {accountId: "222222222222", customer: acme, roleArn: "arn:aws:iam::222222222222:role/d"}
`

func TestFleetExitCodes(t *testing.T) {
	ok := fleetCLI(t, scriptedRunner{}, twoAccounts, "preview")
	if ok.code != 0 || !strings.Contains(ok.stdout, "preview: 2 succeeded, 0 failed, 0 cancelled, of 2 stacks") {
		t.Errorf("all succeed: code %d\n%s%s", ok.code, ok.stdout, ok.stderr)
	}
	// Not a terminal: a line log, one prefix per stack.
	if !strings.Contains(ok.stdout, "[o/secalerts/acme-111111111111] previewing\n") {
		t.Errorf("line log missing:\n%s", ok.stdout)
	}

	bad := fleetCLI(t, scriptedRunner{fail: "111111111111"}, twoAccounts, "up", "--yes", "--parallel", "1")
	if bad.code != 1 || !strings.Contains(bad.stdout, "up: 1 succeeded, 1 failed") || !strings.Contains(bad.stderr, "AccessDenied") {
		t.Errorf("one fails: code %d\n%s%s", bad.code, bad.stdout, bad.stderr)
	}

	if o := fleetCLI(t, scriptedRunner{}, twoAccounts, "up"); o.code != 2 || !strings.Contains(o.stderr, "--yes") {
		t.Errorf("up without --yes: code %d, stderr %q", o.code, o.stderr)
	}
	if o := fleetCLI(t, scriptedRunner{}, twoAccounts, "destroy"); o.code != 2 {
		t.Errorf("unknown operation: code %d", o.code)
	}
	if o := fleetCLI(t, scriptedRunner{}, "org: o\naccounts: []\n", "preview"); o.code != 1 || !strings.Contains(o.stderr, "fleet.yaml: accounts: no accounts") {
		t.Errorf("invalid inventory: code %d, stderr %q", o.code, o.stderr)
	}
}
