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
	if failed.code != 1 || !strings.Contains(failed.stderr, bad) || strings.Contains(failed.stdout, bad) || !strings.Contains(failed.stdout, "cloudtrail-changes") {
		t.Errorf("a corrupt file: exit %d, want 1 with the file named on stderr and the rest counted:\n%s\n%s", failed.code, failed.stdout, failed.stderr)
	}
	// Nothing readable: no empty forecast, only the error.
	if none := invoke("forecast", "--hub", hubFile, "--member", memberFile, filepath.Join(dir, "AWSLogs")); none.code != 1 || none.stdout != "" ||
		!strings.Contains(none.stderr, "AWSLogs") {
		t.Errorf("a path that does not exist: exit %d, stdout %q, stderr %q", none.code, none.stdout, none.stderr)
	}
	if usage := invoke("forecast", "--hub", hubFile); usage.code != 2 {
		t.Errorf("forecast without files: exit %d, want 2", usage.code)
	}
}

// TestForecastFindingsExports: Security Hub and GuardDuty exports are read
// as the events their services send, and the JSON has the numbers before
// and after the quiet rules. The two GuardDuty exports hold the same
// updates: after, the second copy of each is the same event, not sent.
func TestForecastFindingsExports(t *testing.T) {
	out := invoke("forecast", "--json", "--hub", hubFile, "--member", memberFile, "../../testdata/findings")
	if out.code != 0 {
		t.Fatalf("exit %d: %s", out.code, out.stderr)
	}
	var r struct {
		FindingsRead int64 `json:"findingsRead"`
		Total        struct {
			Alerts           int64            `json:"alerts"`
			AlertsByDetector map[string]int64 `json:"alertsByDetector"`
		} `json:"total"`
		Quiet struct {
			Events int64 `json:"eventsReplayed"`
			Total  struct {
				Before    int64            `json:"before"`
				After     int64            `json:"after"`
				KeptQuiet map[string]int64 `json:"keptQuiet"`
			} `json:"total"`
			Notes []string `json:"notes"`
		} `json:"quiet"`
	}
	if err := json.Unmarshal([]byte(out.stdout), &r); err != nil {
		t.Fatal(err)
	}
	gd := r.Total.AlertsByDetector["guardduty"]
	if r.FindingsRead != 28 || gd == 0 || gd%2 != 0 || r.Total.AlertsByDetector["securityhub"] == 0 {
		t.Fatalf("%d findings read, alerts %v", r.FindingsRead, r.Total.AlertsByDetector)
	}
	q := r.Quiet
	if q.Total.Before != r.Total.Alerts || q.Total.After != r.Total.Alerts-gd/2 || q.Total.KeptQuiet["same-event-id"] != gd/2 || len(q.Notes) == 0 {
		t.Errorf("quiet %+v, want the %d alerts but the second copy of the %d GuardDuty ones, and a note on snapshots", q, r.Total.Alerts, gd)
	}
}
