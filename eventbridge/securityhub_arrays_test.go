package eventbridge_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"secalerts/detectors"
	"secalerts/eventbridge"
)

// TestSecurityHubFindingsMatchOneAtATime: Security Hub may put several
// findings in one event's detail.findings, and EventBridge matches the
// securityhub detector's fields within one finding at a time. A resolved
// HIGH finding next to a new LOW one is a LOW alert, not a HIGH one made of
// the first finding's severity and the second's workflow status.
func TestSecurityHubFindingsMatchOneAtATime(t *testing.T) {
	m := eventbridge.NewMatcher()
	for _, d := range detectors.All() {
		if d.ID != "securityhub" {
			continue
		}
		for _, v := range d.Build(detectors.Options{}) {
			p, err := json.Marshal(v.Pattern)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Add(d.ID+"/"+v.Name, p); err != nil {
				t.Fatal(err)
			}
		}
	}

	raw, err := os.ReadFile(filepath.Join("..", "testdata", "events", "securityhub", "HIGH--s3-block-public-access-control-failed.json"))
	if err != nil {
		t.Fatal(err)
	}
	var event map[string]any
	if err := json.Unmarshal(raw, &event); err != nil {
		t.Fatal(err)
	}
	detail := event["detail"].(map[string]any)
	finding := func(label, workflow, compliance string) map[string]any {
		// A copy of the sample's only finding, with three fields changed.
		var f map[string]any
		b, _ := json.Marshal(detail["findings"].([]any)[0])
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		f["Severity"].(map[string]any)["Label"] = label
		f["Workflow"].(map[string]any)["Status"] = workflow
		f["Compliance"].(map[string]any)["Status"] = compliance
		return f
	}
	for _, tt := range []struct {
		name     string
		findings []any
		want     []string
	}{
		{
			name:     "resolved HIGH beside new LOW",
			findings: []any{finding("HIGH", "RESOLVED", "FAILED"), finding("LOW", "NEW", "FAILED")},
			want:     []string{"securityhub/low"},
		},
		{
			name:     "HIGH that passed beside LOW that failed",
			findings: []any{finding("HIGH", "NEW", "PASSED"), finding("LOW", "NEW", "FAILED")},
			want:     []string{"securityhub/low"},
		},
		{
			name:     "both alert",
			findings: []any{finding("HIGH", "NEW", "FAILED"), finding("LOW", "NOTIFIED", "WARNING")},
			want:     []string{"securityhub/high", "securityhub/low"},
		},
	} {
		detail["findings"] = tt.findings
		b, err := json.Marshal(event)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Match(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: matches %v, want %v", tt.name, got, tt.want)
		}
	}
}
