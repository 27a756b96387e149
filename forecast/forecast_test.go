package forecast_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"secalerts/forecast"
	"secalerts/internal/stacktest"
)

func engine(t testing.TB, opts forecast.Options) *forecast.Engine {
	t.Helper()
	e, err := forecast.New(stacktest.ExamplePipeline(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var (
	corpusOnce  sync.Once
	corpusDir   string
	corpusTruth *truth
)

// corpus is a small generated trail shared by the tests.
func corpus(t *testing.T) (string, *truth) {
	corpusOnce.Do(func() {
		dir, err := os.MkdirTemp("", "forecast-corpus")
		if err != nil {
			t.Fatal(err)
		}
		corpusDir = dir
		corpusTruth = generate(t, dir, genConfig{seed: 42, bytes: 6 << 20, days: 5, recordsPerFile: 300, securityShare: 0.05})
	})
	return corpusDir, corpusTruth
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range []string{corpusDir, benchDir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

// TestForecastMatchesGroundTruth: every count equals the one the generator
// computed from the sample names and the example stacks.
func TestForecastMatchesGroundTruth(t *testing.T) {
	dir, tr := corpus(t)
	r := engine(t, forecast.Options{}).Run([]string{dir}, nil)
	if r.ErrorCount != 0 {
		t.Fatalf("errors on a clean corpus: %v", r.Errors)
	}
	if r.Files != tr.files {
		t.Errorf("files %d, want %d", r.Files, tr.files)
	}
	if r.NotDelivered != tr.notDelivered || r.ReadOnlySkipped != tr.readOnlySkipped {
		t.Errorf("not delivered %d read-only %d, want %d and %d", r.NotDelivered, r.ReadOnlySkipped, tr.notDelivered, tr.readOnlySkipped)
	}
	days := tr.sortedDays()
	if len(r.Days) != len(days) {
		t.Fatalf("%d days, want %d", len(r.Days), len(days))
	}
	var alerts int64
	for i, d := range r.Days {
		want := tr.days[days[i]]
		alerts += want.alerts
		if d.Date != days[i] || d.Events != want.events || d.Forwarded != want.forwarded || d.Alerts != want.alerts || d.Messages != want.messages {
			t.Errorf("%s: events %d forwarded %d alerts %d messages %d, want %s %d %d %d %d", d.Date, d.Events, d.Forwarded, d.Alerts, d.Messages,
				days[i], want.events, want.forwarded, want.alerts, want.messages)
		}
		for name, pair := range map[string][2]map[string]int64{
			"detector": {d.ByDetector, want.detector}, "severity": {d.BySeverity, want.severity}, "destination": {d.ByDestination, want.destination},
		} {
			if !reflect.DeepEqual(pair[0], pair[1]) {
				t.Errorf("%s by %s: %v, want %v", d.Date, name, pair[0], pair[1])
			}
		}
	}
	if alerts == 0 || r.Total.Alerts != alerts {
		t.Errorf("total alerts %d, want %d (and more than none)", r.Total.Alerts, alerts)
	}
	if r.Cost.DaysCovered != len(days) || r.Cost.BilledEvents != r.Total.Forwarded || r.Cost.MonthlyUSD <= 0 {
		t.Errorf("cost %+v: want %d days and one billed event per forwarded event", r.Cost, len(days))
	}
}

// TestScreenChangesNothing: screening records before the full match gives
// the same forecast as matching every record.
func TestScreenChangesNothing(t *testing.T) {
	dir, _ := corpus(t)
	fast := engine(t, forecast.Options{}).Run([]string{dir}, nil)
	full := engine(t, forecast.Options{Exhaustive: true, Workers: 1}).Run([]string{dir}, nil)
	if !reflect.DeepEqual(fast, full) {
		a, _ := json.Marshal(fast)
		b, _ := json.Marshal(full)
		t.Errorf("screened and exhaustive forecasts differ:\n%s\n%s", a, b)
	}
}

// TestSampleEvents: EventBridge event files go through the pipeline too,
// and the CloudTrail samples give the same alerts as their records would.
func TestSampleEvents(t *testing.T) {
	e := engine(t, forecast.Options{})
	r := e.Run([]string{"../testdata/events/cloudtrail-changes"}, nil)
	if r.ErrorCount != 0 {
		t.Fatal(r.Errors)
	}
	// 6 MEDIUM+ samples, 2 read-only ones that alert nobody.
	if r.Total.Events != 8 || r.Total.Alerts != 6 || r.Total.ByDetector["cloudtrail-changes"] != 6 || r.Total.BySeverity["CRITICAL"] != 2 {
		t.Errorf("events %d alerts %d by detector %v by severity %v", r.Total.Events, r.Total.Alerts, r.Total.ByDetector, r.Total.BySeverity)
	}
	if r.OtherAccounts != 8 {
		t.Errorf("%d events counted from other accounts, want the 8 samples (account 111122223333)", r.OtherAccounts)
	}
}

// corruptCase writes one bad file next to a good one.
func TestCorruptInputs(t *testing.T) {
	good := `{"Records":[` + rootSignIn("e-good") + `]}`
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	full := gz(`{"Records":[` + rootSignIn("a") + "," + rootSignIn("b") + `]}`)
	for _, tc := range []struct {
		name     string
		content  []byte
		alerts   int64 // from the bad file
		mentions string
	}{
		{"truncated gzip", full[:len(full)-12], 0, "file skipped"},
		{"corrupt gzip", append([]byte{0x1f, 0x8b}, bytes.Repeat([]byte{0x42}, 40)...), 0, "gzip"},
		{"gzip with garbage inside", append(full[:20:20], bytes.Repeat([]byte{0}, 30)...), 0, "file skipped"},
		{"record not JSON", []byte(`{"Records":[` + rootSignIn("a") + `,{"eventName": tru},` + rootSignIn("c") + `]}`), 2, "record 2"},
		{"truncated plain file", []byte(`{"Records":[` + rootSignIn("a") + `,{"eventName": "x`), 0, "truncated"},
		{"not JSON at all", []byte("hello, world\n"), 0, "unexpected"},
		{"Records not an array", []byte(`{"Records": {"a": 1}}`), 0, "Records"},
		{"event line not JSON", []byte(canary() + "\n{not json}\n" + canary() + "\n"), 2, "record 2"},
		{"event without source", []byte(`{"detail-type": "x", "account": "1", "region": "us-east-1"}`), 0, "source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bad := filepath.Join(dir, "bad.json.gz")
			if err := os.WriteFile(bad, tc.content, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "good.json"), []byte(good), 0o644); err != nil {
				t.Fatal(err)
			}
			r := engine(t, forecast.Options{}).Run([]string{dir}, nil)
			if r.ErrorCount == 0 {
				t.Fatalf("no error reported; report %+v", r.Total)
			}
			msg := strings.Join(r.Errors, "\n")
			if !strings.Contains(msg, bad) || !strings.Contains(msg, tc.mentions) {
				t.Errorf("errors %q do not name %s and %q", msg, bad, tc.mentions)
			}
			if strings.Contains(msg, "good.json") {
				t.Errorf("the good file was reported: %s", msg)
			}
			if want := 1 + tc.alerts; r.Total.Alerts != want {
				t.Errorf("%d alerts, want %d (the good file's and what the bad one still holds)", r.Total.Alerts, want)
			}
		})
	}
	r := engine(t, forecast.Options{}).Run([]string{filepath.Join(t.TempDir(), "absent")}, nil)
	if r.ErrorCount != 1 || !strings.Contains(r.Errors[0], "absent") {
		t.Errorf("a missing path: errors %v", r.Errors)
	}
}

func rootSignIn(id string) string {
	return `{"eventVersion":"1.09","userIdentity":{"type":"Root","arn":"arn:aws:iam::111111111111:root","accountId":"111111111111"},` +
		`"eventTime":"2026-03-04T05:06:07Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1",` +
		`"sourceIPAddress":"198.51.100.23","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},` +
		`"additionalEventData":{"MFAUsed":"Yes"},"eventID":"` + id + `","readOnly":false,"eventType":"AwsConsoleSignIn",` +
		`"managementEvent":true,"recipientAccountId":"111111111111","eventCategory":"Management"}`
}

func canary() string {
	return `{"version":"0","id":"c1","detail-type":"secalerts canary","source":"secalerts.canary","account":"111111111111",` +
		`"time":"2026-03-04T00:00:00Z","region":"us-east-1","resources":[],"detail":{"severity":"HIGH"}}`
}

// TestOutputs: the text names every section, the JSON is one document, the
// HTML is self-contained.
func TestOutputs(t *testing.T) {
	dir, _ := corpus(t)
	r := engine(t, forecast.Options{}).Run([]string{dir}, nil)
	var text, js, page bytes.Buffer
	if err := forecast.WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"events read", "Alerts per detector", "Alerts per severity", "Messages per destination",
		"Noisiest principals", "Noisiest API calls", "USD 1.00 per million", forecast.PriceDate, "2026-03-01", "total"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %q", want)
		}
	}
	if err := forecast.WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var back forecast.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Total.Alerts != r.Total.Alerts || len(back.TopPrincipals) == 0 {
		t.Errorf("JSON does not read back (%v): %d alerts", err, back.Total.Alerts)
	}
	if err := forecast.WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	if strings.Count(html, "<svg") != 2 || !strings.Contains(html, "<rect") {
		t.Errorf("HTML has %d charts, want 2 with bars", strings.Count(html, "<svg"))
	}
	for _, banned := range []string{"<script", "<link", "src=", "@import", "url("} {
		if strings.Contains(html, banned) {
			t.Errorf("HTML is not self-contained: it has %q", banned)
		}
	}
}
