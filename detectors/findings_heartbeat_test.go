package detectors

import (
	"testing"
)

// TestAboutPlaceholdersAreDefined checks that a message naming the account
// and region it is about names placeholders of its own Paths: the hub's
// own reports, and findings an administrator account aggregates.
func TestAboutPlaceholdersAreDefined(t *testing.T) {
	for _, d := range All() {
		for _, name := range []string{d.Message.AboutAccount, d.Message.AboutRegion} {
			if name == "" {
				continue
			}
			if _, ok := d.Message.Paths[name]; !ok {
				t.Errorf("%s: About placeholder %q is not in Paths", d.ID, name)
			}
		}
		if d.HubOnly && (d.Message.AboutAccount == "" || d.Message.AboutRegion == "") {
			t.Errorf("%s: a hub-only detector must say which account and region its events are about", d.ID)
		}
		if d.HubOnly && (d.GlobalOnly || d.ManagementOnly) {
			t.Errorf("%s: hub-only events are not forwarded by members, so GlobalOnly and ManagementOnly mean nothing", d.ID)
		}
	}
}

// TestHeartbeatDoesNotAlert checks that no detector, hub-only or not,
// matches the heartbeat a member forwards: it is bookkeeping, not news.
func TestHeartbeatDoesNotAlert(t *testing.T) {
	event := sampleEvents(t, "heartbeat-missing")["none--heartbeat-itself.json"]
	if event == nil {
		t.Fatal("no sample none--heartbeat-itself.json")
	}
	if got := matchAll(t, Options{}, event); len(got) != 0 {
		t.Errorf("the heartbeat matches %v", got)
	}
}
