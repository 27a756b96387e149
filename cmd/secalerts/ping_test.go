package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"secalerts/config"
	"secalerts/internal/stacktest"
	"secalerts/preview"
	"secalerts/severity"
)

// motoServer starts moto_server on a free local port, answering as
// account, and returns its URL. The test is skipped, saying why, when
// moto_server is not installed.
func motoServer(t *testing.T, account string) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server is not installed (pip install 'moto[server]'): the ping integration test needs a local AWS API")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	// Recent moto versions take a 12-digit access key ID as the account
	// (useMoto sets one); MOTO_ACCOUNT_ID makes older ones agree.
	cmd.Env = append(os.Environ(), "MOTO_ACCOUNT_ID="+account)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting moto_server: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	// Readiness, not timing: poll until moto answers or gives up.
	for i := 0; ; i++ {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return url
		}
		if i == 300 {
			t.Fatalf("moto_server did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// useMoto points the default credential chain at moto, as account.
func useMoto(t *testing.T, url, account string) {
	t.Setenv("AWS_ENDPOINT_URL", url)
	// moto takes a 12-digit access key ID as the caller's account.
	t.Setenv("AWS_ACCESS_KEY_ID", account)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "moto")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func runPingCmd(args ...string) output {
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"ping"}, args...), &stdout, &stderr)
	return output{code, stdout.String(), stderr.String()}
}

func exampleMember(t *testing.T) *config.Member {
	t.Helper()
	st, err := preview.LoadStackFile(memberFile)
	if err != nil {
		t.Fatal(err)
	}
	m, err := config.ParseMember([]byte(st.Config["secalerts:member"]))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPingSendsACanaryWithTheMembersCredentials(t *testing.T) {
	m := exampleMember(t)
	url := motoServer(t, m.AccountID)
	useMoto(t, url, m.AccountID)

	out := runPingCmd("--member", memberFile)
	if out.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", out.code, out.stdout, out.stderr)
	}
	id := regexp.MustCompile(`(?m)^event id: (\S+)$`).FindStringSubmatch(out.stdout)
	if id == nil || id[1] == "" {
		t.Fatalf("no event id in:\n%s", out.stdout)
	}
	for _, want := range []string{
		"sent canary " + id[1] + " (HIGH) to the default bus of account " + m.AccountID + " in " + m.HomeRegion,
		m.HubEventBusARN,
		`"[TEST] secalerts canary (HIGH) from account ` + m.AccountID + `"`,
		"secalerts-forward-dlq",
	} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, out.stdout)
		}
	}

	out = runPingCmd("--member", memberFile, "--severity", "CRITICAL", "--region", "eu-west-1")
	if out.code != 0 || !strings.Contains(out.stdout, "(CRITICAL) to the default bus of account "+m.AccountID+" in eu-west-1") {
		t.Errorf("CRITICAL from eu-west-1: exit %d\n%s%s", out.code, out.stdout, out.stderr)
	}
}

func TestPingRefusesAnotherAccountsCredentials(t *testing.T) {
	url := motoServer(t, "222222222222")
	useMoto(t, url, "222222222222")
	out := runPingCmd("--member", memberFile)
	if out.code != 1 || !strings.Contains(out.stderr, "the AWS credentials are for account 222222222222") ||
		!strings.Contains(out.stderr, "the member stack is account 111111111111") {
		t.Errorf("exit %d, stderr:\n%s", out.code, out.stderr)
	}
	if strings.Contains(out.stdout, "event id") {
		t.Errorf("a canary was sent:\n%s", out.stdout)
	}
}

// TestPingChecksBeforeCallingAWS needs no AWS: each case fails before the
// first call, so no credentials are looked up.
func TestPingChecksBeforeCallingAWS(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing listens: a call would fail differently
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no member", nil, 2, "secalerts ping: --member MEMBER_STACK_FILE is required\nRun 'secalerts ping -h' for help.\n"},
		{"unknown region", []string{"--member", memberFile, "--region", "eu-west-9"}, 1, "--region eu-west-9: not a known AWS region"},
		{"hub file", []string{"--member", hubFile}, 1, `the stack's secalerts:role is "hub", want "member"`},
		{"bad severity", []string{"--member", memberFile, "--severity", "URGENT"}, 1, "--severity"},
		{"below the member's minimum", []string{"--member", memberFile, "--severity", "LOW"}, 1, "forwards canaries of MEDIUM or higher only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := runPingCmd(tc.args...)
			if out.code != tc.code || !strings.Contains(out.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", out.code, out.stderr, tc.code, tc.want)
			}
		})
	}
	// A member listing its regions refuses a region it does not cover.
	f := stacktest.StackFile(t, "m", "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: member\n  secalerts:member:\n    accountId: \"111111111111\"\n"+
		"    hubEventBusArn: arn:aws:events:us-east-1:999999999999:event-bus/secalerts-acme\n    regions: [us-east-1]\n"+
		"    detectors:\n      canary:\n        enabled: false\n")
	if out := runPingCmd("--member", f, "--region", "eu-west-1"); out.code != 1 || !strings.Contains(out.stderr, "covers [us-east-1]") {
		t.Errorf("uncovered region: exit %d, stderr %q", out.code, out.stderr)
	}
	if out := runPingCmd("--member", f); out.code != 1 || !strings.Contains(out.stderr, "canary detector is switched off") {
		t.Errorf("canary off: exit %d, stderr %q", out.code, out.stderr)
	}
}

// TestReplayShowsACanarysDeliveries is ping's offline twin: a canary like
// the one ping sends, replayed through the example stacks, reaches every
// destination its severity reaches, labelled as a test.
func TestReplayShowsACanarysDeliveries(t *testing.T) {
	out := invoke("replay", "--hub", hubFile, "--member", memberFile, filepath.Join(eventsDir, "canary", "HIGH--test-high.json"))
	if out.code != 0 || out.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", out.code, out.stderr)
	}
	exp := loadExpectations(t)
	for _, want := range append([]string{"HIGH canary, forwarded by secalerts-forward-", "[TEST] secalerts canary (HIGH)"},
		exp.destinations(severity.High)...) {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("replay output lacks %q:\n%s", want, out.stdout)
		}
	}
	if n := strings.Count(out.stdout, "  -> "); n == 0 {
		t.Errorf("no delivery shown:\n%s", out.stdout)
	}
}
