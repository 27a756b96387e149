package forecast_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"secalerts/forecast"
	"secalerts/internal/stacktest"
)

// quietHub is the example hub with quiet rules of the test's own: reminders
// after a day, the default flood bound written out, a suppression of the
// deploy pipeline's role and one of a role nothing in the input uses.
const quietRules = `      - name: acme
        remindAfterDays: 1
        flood:
          maxPerWindow: 10
          windowMinutes: 15
        suppressions:
          - name: deploy-pipeline
            reason: the deploy pipeline opens ports while it rolls out
            principals:
              - arn:aws:iam::*:role/deploy-pipeline
          - name: retired-scanner
            reason: the old scanner runs no more
            principals:
              - arn:aws:iam::*:role/retired-scanner
`

func quietEngine(t *testing.T, opts forecast.Options) *forecast.Engine {
	t.Helper()
	hub, err := os.ReadFile(stacktest.Path(t, stacktest.HubFile))
	if err != nil {
		t.Fatal(err)
	}
	// acme's own quiet settings give way to the test's.
	body := string(hub)
	from, to := strings.Index(body, "        # Quiet by default"), strings.Index(body, "      - name: globex\n")
	if from < 0 || to < from {
		t.Fatal("the example hub's acme has no quiet settings before globex; update this test")
	}
	body = body[:from] + body[to:]
	body = strings.Replace(body, "      - name: acme\n", quietRules, 1)
	if !strings.Contains(body, quietRules) {
		t.Fatal("the example hub has no customer acme to add quiet rules to")
	}
	p := stacktest.Pipeline(t, stacktest.StackFile(t, "hub", body), stacktest.Path(t, stacktest.MemberFile))
	e, err := forecast.New(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// sampleDetail is the detail of a sample event, to vary.
func sampleDetail(t *testing.T, file string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(eventsDir, file))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Detail map[string]any `json:"detail"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	return ev.Detail
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestQuietCorpus: the numbers after the quiet rules, on a corpus whose
// answer the test works out from how it was made, not from the engine:
//   - a GuardDuty finding exported updates times (one export file each, an
//     hour apart): one alert, the other updates duplicates; open for the
//     rest of the input, it is reminded every remindAfterDays (one day);
//   - a burst of security-group changes in one flood window: maxPerWindow
//     sent, the rest in one summary;
//   - the same changes by the deploy pipeline's role, another day: each
//     kept quiet by the suppression that names the role;
//   - a last GuardDuty finding, later: sent, and it ends the input.
func TestQuietCorpus(t *testing.T) {
	const (
		updates      = 5
		burst        = 14
		maxPerWindow = 10 // quietRules
		suppressed   = 3
	)
	start := time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC) // a Tuesday: no week ends in the input
	last := start.Add(60 * time.Hour)
	dir := t.TempDir()
	finding := func(id string, at time.Time) map[string]any {
		f := sampleDetail(t, "guardduty/HIGH--crypto-mining.json")
		f["id"], f["accountId"], f["updatedAt"] = id, memberAccount, at.Format("2006-01-02T15:04:05.000Z")
		return f
	}
	for i := range updates {
		writeJSON(t, filepath.Join(dir, fmt.Sprintf("guardduty-%d.json", i)),
			map[string]any{"Findings": []any{finding("5ab0c0ffee", start.Add(time.Duration(i)*time.Hour))}})
	}
	writeJSON(t, filepath.Join(dir, "guardduty-last.json"), map[string]any{"Findings": []any{finding("6cafe", last)}})
	change := func(n int, at time.Time, issuer string) map[string]any {
		r := sampleDetail(t, "security-groups/HIGH--authorize-ingress-ssh-from-anywhere.json")
		r["eventTime"], r["eventID"], r["recipientAccountId"] = at.Format(time.RFC3339), fmt.Sprintf("e-%d", n), memberAccount
		if issuer != "" {
			r["userIdentity"] = map[string]any{"type": "AssumedRole", "arn": "arn:aws:sts::111111111111:assumed-role/deploy-pipeline/run-7",
				"accountId": memberAccount, "sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": issuer}}}
		}
		return r
	}
	var records []any
	for i := range burst {
		records = append(records, change(i, start.Add(time.Hour+time.Duration(i)*30*time.Second), ""))
	}
	for i := range suppressed {
		records = append(records, change(100+i, start.Add(33*time.Hour+time.Duration(i)*time.Minute), "arn:aws:iam::111111111111:role/deploy-pipeline"))
	}
	writeJSON(t, filepath.Join(dir, "trail.json"), map[string]any{"Records": records})

	r := quietEngine(t, forecast.Options{}).Run([]string{dir}, nil)
	if r.ErrorCount != 0 {
		t.Fatal(r.Errors)
	}
	q := r.Quiet
	high := destinationsBySeverity["HIGH"]
	// Reminders go out on the hourly tick a day after the last message:
	// day 2 and day 3 at 01:00 for the finding of day 1.
	const reminders = 2
	want := map[string]forecast.QuietCounts{
		"guardduty": {Before: updates + 1, Sent: 2, Reminders: reminders, After: 2 + reminders,
			KeptQuiet: map[string]int64{"duplicate": updates - 1}},
		"security-groups": {Before: burst + suppressed, Sent: maxPerWindow, FloodSummaries: 1, After: maxPerWindow + 1,
			KeptQuiet: map[string]int64{"flood": burst - maxPerWindow, "suppressed:deploy-pipeline": suppressed}},
	}
	if !reflect.DeepEqual(q.ByDetector, want) {
		t.Errorf("by detector:\n%+v\nwant\n%+v", q.ByDetector, want)
	}
	perDestination := forecast.QuietCounts{Before: updates + 1 + burst + suppressed, Sent: 2 + maxPerWindow, FloodSummaries: 1,
		Reminders: reminders, After: 2 + maxPerWindow + 1 + reminders,
		KeptQuiet: map[string]int64{"duplicate": updates - 1, "flood": burst - maxPerWindow, "suppressed:deploy-pipeline": suppressed}}
	for _, d := range high {
		if got := q.ByDestination[d]; !reflect.DeepEqual(got, perDestination) {
			t.Errorf("%s: %+v, want %+v", d, got, perDestination)
		}
	}
	if len(q.ByDestination) != len(high) {
		t.Errorf("destinations %v, want %v", q.ByDestination, high)
	}
	days := []forecast.QuietDay{
		{Date: "2026-03-03", QuietCounts: forecast.QuietCounts{Before: updates + burst, Sent: 1 + maxPerWindow, FloodSummaries: 1, After: 1 + maxPerWindow + 1,
			KeptQuiet: map[string]int64{"duplicate": updates - 1, "flood": burst - maxPerWindow}}},
		{Date: "2026-03-04", QuietCounts: forecast.QuietCounts{Before: suppressed, Reminders: 1, After: 1,
			KeptQuiet: map[string]int64{"suppressed:deploy-pipeline": suppressed}}},
		{Date: "2026-03-05", QuietCounts: forecast.QuietCounts{Before: 1, Sent: 1, Reminders: 1, After: 2, KeptQuiet: map[string]int64{}}},
	}
	if !reflect.DeepEqual(q.Days, days) {
		t.Errorf("days:\n%+v\nwant\n%+v", q.Days, days)
	}
	if q.Total.Before != r.Total.Alerts || q.Total.Before != updates+1+burst+suppressed || q.Total.After != 2+maxPerWindow+1+reminders {
		t.Errorf("total %+v, %d alerts before", q.Total, r.Total.Alerts)
	}
	uses := []forecast.SuppressionUse{
		{Name: "deploy-pipeline", Reason: "the deploy pipeline opens ports while it rolls out", Matched: suppressed},
		{Name: "retired-scanner", Reason: "the old scanner runs no more"},
	}
	if !reflect.DeepEqual(q.Suppressions, uses) || !reflect.DeepEqual(q.Unused, []string{"retired-scanner"}) {
		t.Errorf("suppressions %+v, unused %v", q.Suppressions, q.Unused)
	}
	if q.Events != updates+1+burst+suppressed || q.Spilled != 0 || q.RemindAfterDays != 1 || q.Flood.MaxPerWindow != maxPerWindow {
		t.Errorf("%d events replayed, %d spilled, settings %d %+v", q.Events, q.Spilled, q.RemindAfterDays, q.Flood)
	}
	if r.FindingsRead != updates+1 || len(q.Notes) != 1 || !strings.Contains(q.Notes[0], "latest state") {
		t.Errorf("%d findings read, notes %q: want the snapshot note", r.FindingsRead, q.Notes)
	}

	// Past the memory budget the events wait on disk, in a file that is
	// gone after the run; the answer is the same, on one worker or many,
	// screened or not.
	spillDir := t.TempDir()
	spilled := quietEngine(t, forecast.Options{QuietMemory: 1, TempDir: spillDir, Workers: 1, Exhaustive: true}).Run([]string{dir}, nil)
	if spilled.Quiet.Spilled != spilled.Quiet.Events || spilled.Quiet.Events == 0 {
		t.Errorf("%d of %d events spilled with a budget of 1 byte", spilled.Quiet.Spilled, spilled.Quiet.Events)
	}
	if left, _ := os.ReadDir(spillDir); len(left) != 0 {
		t.Errorf("the spill file is left behind: %v", left)
	}
	spilled.Quiet.Spilled = 0
	if !reflect.DeepEqual(spilled, r) {
		a, _ := json.Marshal(r.Quiet)
		b, _ := json.Marshal(spilled.Quiet)
		t.Errorf("spilled and in-memory forecasts differ:\n%s\n%s", a, b)
	}

	// The text names each suppression and what it did.
	var text strings.Builder
	if err := forecast.WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"Before and after the quiet rules", "deploy-pipeline  3 alerts kept quiet", "retired-scanner  matched nothing in this input"} {
		if !strings.Contains(text.String(), line) {
			t.Errorf("text lacks %q:\n%s", line, text.String())
		}
	}
}

// TestQuietAddsUp: on the generated trail, every alert counted before the
// quiet rules is, after them, either sent or kept quiet for a reason.
func TestQuietAddsUp(t *testing.T) {
	dir, _ := corpus(t)
	r := engine(t, forecast.Options{}).Run([]string{dir}, nil)
	q := r.Quiet
	check := func(what string, c forecast.QuietCounts) {
		var quiet int64
		for _, n := range c.KeptQuiet {
			quiet += n
		}
		if c.Before != c.Sent+quiet+c.NotReplayed || c.After != c.Sent+c.FloodSummaries+c.Reminders {
			t.Errorf("%s: %+v does not add up", what, c)
		}
	}
	for k, c := range q.ByDetector {
		check(k, c)
	}
	for k, c := range q.ByDestination {
		check(k, c)
	}
	check("total", q.Total)
	// Its records alert and never close a finding: the pass replays the
	// alerts alone.
	if q.Total.Before == 0 || q.Events != q.Total.Before {
		t.Errorf("total %+v over %d events replayed", q.Total, q.Events)
	}
}

// TestQuietSkipsSkippedFiles: the alerts of a file found truncated after
// them are not counted before the quiet rules, nor replayed after.
func TestQuietSkipsSkippedFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"good.json":      `{"Records":[` + rootSignIn("e-good") + `]}`,
		"truncated.json": `{"Records":[` + rootSignIn("a") + `,` + rootSignIn("b") + `,{"eventName": "x`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := engine(t, forecast.Options{}).Run([]string{dir}, nil)
	if r.FilesFailed != 1 || r.Total.Alerts != 1 || r.Quiet.Events != 1 || r.Quiet.Total.Before != 1 || r.Quiet.Total.Sent != 1 {
		t.Errorf("%d files failed, %d alerts before; quiet pass %d events, %+v", r.FilesFailed, r.Total.Alerts, r.Quiet.Events, r.Quiet.Total)
	}
}
