package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyTree copies the repository (without .git) to a new directory: a
// second version to diff against.
func copyTree(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// TestDiffEndToEnd builds and runs both trees' own secalerts: the base is
// the repository with acme's second Slack channel raised to HIGH, so a
// MEDIUM security-group event reaches nobody there and starts alerting in
// the head (this repository), while a HIGH GuardDuty finding is unchanged.
func TestDiffEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds secalerts twice")
	}
	base := copyTree(t, "../..")
	hubPath := filepath.Join(base, "Pulumi.hub.yaml")
	hub, err := os.ReadFile(hubPath)
	if err != nil {
		t.Fatal(err)
	}
	const from = "channelId: C0000000002\n            minSeverity: MEDIUM"
	if !bytes.Contains(hub, []byte(from)) {
		t.Fatalf("Pulumi.hub.yaml no longer has %q: update this test's edit", from)
	}
	hub = bytes.Replace(hub, []byte(from), []byte("channelId: C0000000002\n            minSeverity: HIGH"), 1)
	if err := os.WriteFile(hubPath, hub, 0o644); err != nil {
		t.Fatal(err)
	}

	medium := filepath.Join(eventsDir, "security-groups", "MEDIUM--create-security-group.json")
	high := filepath.Join(eventsDir, "guardduty", "HIGH--crypto-mining.json")
	var stdout, stderr bytes.Buffer
	code := run([]string{"diff", "--base-dir", base, "--head-dir", "../..", "--fail-on-change", medium, high}, &stdout, &stderr)
	if code != exitChanged {
		t.Fatalf("exit code %d, want %d (changes with --fail-on-change)\nstdout:\n%s\nstderr:\n%s", code, exitChanged, stdout.String(), stderr.String())
	}
	out := stdout.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one change and the summary:\n%s", out)
	}
	if !strings.HasPrefix(lines[0], "+ ") || !strings.HasSuffix(lines[0], "security-groups/MEDIUM--create-security-group.json: starts alerting: MEDIUM security-groups -> slack:T0000000001/C0000000002 (acme)") {
		t.Errorf("change line %q", lines[0])
	}
	if lines[1] != "1 of 2 events change: 1 starts alerting, 0 stop alerting, 0 severity changes, 0 recipient changes, 0 message changes; 1 unchanged" {
		t.Errorf("summary %q", lines[1])
	}
}

func TestDiffUsage(t *testing.T) {
	for _, args := range [][]string{
		{"diff"},
		{"diff", "--base", "main", "--base-dir", "x"},
		{"diff", "--base-dir"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("%q: exit code %d, want 2 (usage)", args, code)
		}
	}
}

// TestDiffShowsWhatASuppressionDoes: the head adds a suppression of acme's
// security-group changes in its production account; the diff names the
// events it silences and the suppression that does, and nothing else.
func TestDiffShowsWhatASuppressionDoes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds secalerts twice")
	}
	head := copyTree(t, "../..")
	hubPath := filepath.Join(head, "Pulumi.hub.yaml")
	hub, err := os.ReadFile(hubPath)
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "        suppressions:\n"
	if !bytes.Contains(hub, []byte(anchor)) {
		t.Fatalf("Pulumi.hub.yaml has no suppressions for acme: update this test's edit")
	}
	hub = bytes.Replace(hub, []byte(anchor), []byte(anchor+
		"          - {name: prod-sg-migration, reason: the network migration this week, detectors: [security-groups], accounts: [\"111111111111\"]}\n"), 1)
	if err := os.WriteFile(hubPath, hub, 0o644); err != nil {
		t.Fatal(err)
	}
	sg := filepath.Join(eventsDir, "security-groups", "HIGH--authorize-ingress-ssh-from-anywhere.json")
	gd := filepath.Join(eventsDir, "guardduty", "HIGH--crypto-mining.json")
	var stdout, stderr bytes.Buffer
	code := run([]string{"diff", "--base-dir", "../..", "--head-dir", head, sg, gd}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	// The suppressed event stops alerting, and the week's quiet report
	// that says so starts.
	out := stdout.String()
	for _, want := range []string{
		"HIGH--authorize-ingress-ssh-from-anywhere.json: stops alerting (kept quiet: suppressed:prod-sg-migration): was HIGH security-groups",
		"+ weekly quiet report at ",
		"2 of 3 events change: 1 starts alerting, 1 stops alerting",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the diff lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "crypto-mining") {
		t.Errorf("an event the suppression does not match changed:\n%s", out)
	}
}
