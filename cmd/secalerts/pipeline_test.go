package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secalerts/internal/stacktest"
)

// editedStack writes a copy of an example stack file with edits applied.
func editedStack(t *testing.T, from, name string, edits ...[2]string) string {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	content := string(data)
	for _, e := range edits {
		if !strings.Contains(content, e[0]) {
			t.Fatalf("%s has no %q; update this test", from, e[0])
		}
		content = strings.Replace(content, e[0], e[1], 1)
	}
	return stacktest.StackFile(t, name, content)
}

// TestStacksThatDoNotPair: replay, forecast and diff check first that the
// member's bus is in the hub and admits the member's account, and fail once
// naming both files and the fix, instead of dropping every event.
func TestStacksThatDoNotPair(t *testing.T) {
	event := filepath.Join(eventsDir, "canary", "HIGH--test-high.json")
	stranger := editedStack(t, hubFile, "stranger", [2]string{`- id: "111111111111"`, `- id: "444444444444"`})
	elsewhere := editedStack(t, memberFile, "elsewhere", [2]string{"event-bus/secalerts-acme", "event-bus/secalerts-initech"})
	absMember, err := filepath.Abs(memberFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, hub, member string
		want              []string
	}{
		{"a bus that does not admit the member", stranger, memberFile,
			[]string{"the stacks do not pair: bus secalerts-acme of hub stack " + stranger, "does not admit account 111111111111 of member stack " + memberFile,
				"add the account to secalerts:hub.customers[0].accounts (customer acme)"}},
		{"a bus the hub does not create", hubFile, elsewhere,
			[]string{"the stacks do not pair: member stack " + elsewhere + " forwards to arn:aws:events:us-east-1:999999999999:event-bus/secalerts-initech",
				"which hub stack " + hubFile + " does not create", "secalerts-acme (customer acme)", "set secalerts:member.hubEventBusArn in " + elsewhere}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, args := range [][]string{
				{"replay", "--hub", tc.hub, "--member", tc.member, event},
				{"forecast", "--hub", tc.hub, "--member", tc.member, event},
				{"diff", "--base-dir", t.TempDir(), "--hub", abs(t, tc.hub), "--member", abs(t, tc.member), event},
			} {
				out := runCLI(args...)
				if out.code != exitFailed || out.stdout != "" || strings.Count(out.stderr, "\n") != 1 {
					t.Errorf("%s: exit %d, want 1 and one line on stderr\nstdout:\n%s\nstderr:\n%s", args[0], out.code, out.stdout, out.stderr)
				}
				for _, w := range tc.want {
					if args[0] == "diff" {
						w = strings.NewReplacer(tc.hub, abs(t, tc.hub), memberFile, absMember).Replace(w)
					}
					if !strings.Contains(out.stderr, w) {
						t.Errorf("%s: stderr lacks %q:\n%s", args[0], w, out.stderr)
					}
				}
			}
		})
	}
}

func abs(t *testing.T, path string) string {
	t.Helper()
	a, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestAdmissionByOrganizationIsAWarning: organization membership cannot be
// known offline; replay says so once and goes on.
func TestAdmissionByOrganizationIsAWarning(t *testing.T) {
	org := editedStack(t, hubFile, "org",
		[2]string{"      - name: acme\n", "      - name: acme\n        organizationId: o-acmeorg123\n"},
		[2]string{`- id: "111111111111"`, `- id: "444444444444"`})
	out := runCLI("replay", "--hub", org, "--member", memberFile, filepath.Join(eventsDir, "canary", "HIGH--test-high.json"))
	if out.code != exitOK {
		t.Fatalf("exit %d: %s", out.code, out.stderr)
	}
	for _, w := range []string{"warning: account 111111111111 of member stack " + memberFile, "organization o-acmeorg123", "cannot be checked offline"} {
		if !strings.Contains(out.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, out.stderr)
		}
	}
	if strings.Count(out.stderr, "\n") != 1 || strings.Contains(out.stderr, "error") {
		t.Errorf("want one warning, no error:\n%s", out.stderr)
	}
	if !strings.Contains(out.stdout, "does not admit account 111111111111") {
		t.Errorf("the event is not shown as refused by the bus policy:\n%s", out.stdout)
	}
}
