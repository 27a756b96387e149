package messages

import (
	"strings"
	"testing"

	"secalerts/detectors"
)

// TestHeartbeatReminderIsShown checks that every format tells a reminder of
// a silence from its first report: the heartbeat function writes which it
// is into detail.report.
func TestHeartbeatReminderIsShown(t *testing.T) {
	var d detectors.Detector
	for _, c := range detectors.All() {
		if c.ID == "heartbeat-missing" {
			d = c
		}
	}
	if d.ID == "" {
		t.Fatal("no heartbeat-missing detector")
	}
	event := sampleEvents(t, d.ID)["HIGH--reminder.json"]
	if event == nil {
		t.Fatal("no sample HIGH--reminder.json")
	}
	const want = "reminder, every 24 hours while silent; first reported 2026-03-04T06:00:12Z"
	for _, v := range d.Build(detectors.Options{}) {
		for _, f := range Formats {
			if out := render(t, f, d, v, testContext, event); !strings.Contains(out, want) {
				t.Errorf("%s/%s: %q missing from:\n%s", v.Name, f, want, out)
			}
		}
	}
}
