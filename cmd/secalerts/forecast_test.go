package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestForecastCommand(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	out := invoke("forecast", "--hub", hubFile, "--member", memberFile, "--html", page, eventsDir+"/cloudtrail-changes")
	if out.code != 0 {
		t.Fatalf("exit %d: %s", out.code, out.stderr)
	}
	for _, want := range []string{"events read", "cloudtrail-changes", "CRITICAL", "Noisiest principals", "USD 1.00 per million"} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, out.stdout)
		}
	}
	html, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(html), "<svg") {
		t.Errorf("no HTML report with charts at %s (%v)", page, err)
	}
	// Output is not a terminal: no progress line.
	if strings.Contains(out.stderr, "files,") {
		t.Errorf("progress printed off a terminal: %q", out.stderr)
	}

	js := invoke("forecast", "--json", "--hub", hubFile, "--member", memberFile, eventsDir+"/cloudtrail-changes")
	var r struct {
		Total struct {
			Alerts int `json:"alerts"`
		} `json:"total"`
	}
	if js.code != 0 || json.Unmarshal([]byte(js.stdout), &r) != nil || r.Total.Alerts != 6 {
		t.Errorf("--json: exit %d, %d alerts, want 6:\n%s", js.code, r.Total.Alerts, js.stdout)
	}

	bad := filepath.Join(dir, "bad.json.gz")
	if err := os.WriteFile(bad, []byte{0x1f, 0x8b, 8, 0, 0, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	failed := invoke("forecast", "--hub", hubFile, "--member", memberFile, bad, eventsDir+"/cloudtrail-changes")
	if failed.code != 1 || !strings.Contains(failed.stdout, bad) || !strings.Contains(failed.stdout, "cloudtrail-changes") {
		t.Errorf("a corrupt file: exit %d, want 1 with the file named and the rest counted:\n%s\n%s", failed.code, failed.stdout, failed.stderr)
	}
	if usage := invoke("forecast", "--hub", hubFile); usage.code != 2 {
		t.Errorf("forecast without files: exit %d, want 2", usage.code)
	}
}
