package replay_test

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"secalerts/replay"
)

// TestRouterAgreesWithReplay: for every sample event, Router decides what
// Replay decides: forwarding rule, customer, detector, severity, drop
// reason and deliveries.
func TestRouterAgreesWithReplay(t *testing.T) {
	p := pipeline(t, memberFile, hubFile)
	r, err := p.Router()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../testdata/events/*/*.json")
	compared := 0
	for _, f := range files {
		events, err := replay.ReadEvents(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, ev := range events {
			want := p.Replay(f, i, ev)
			// The router routes what member accounts log (forecast's
			// input); events the hub makes itself are not among them.
			if want.Error != "" || want.Account == hubAccount {
				continue
			}
			// Replay puts the event in the member account first.
			ev2 := ev
			if want.Note != "" {
				ev2 = withMemberAccount(t, ev)
			}
			got, err := r.Route(ev2, want.Region, want.Account)
			if err != nil {
				t.Errorf("%s[%d]: %v", f, i, err)
				continue
			}
			var dels []replay.Routed
			for _, d := range want.Deliveries {
				dels = append(dels, replay.Routed{Destination: d.Destination, Rule: d.Rule})
			}
			if got.Forwarded != want.Forwarded || got.ForwardRule != want.ForwardRule || got.Customer != want.Customer ||
				got.Detector != want.Detector || got.Severity != want.Severity || got.Dropped != want.Dropped ||
				!reflect.DeepEqual(got.Deliveries, dels) {
				t.Errorf("%s[%d]: router %+v\nreplay %+v", f, i, got, want)
			}
			compared++
		}
	}
	if compared < 100 {
		t.Errorf("only %d sample events compared", compared)
	}
}

func withMemberAccount(t *testing.T, event []byte) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(event, &m); err != nil {
		t.Fatal(err)
	}
	m["account"] = json.RawMessage(`"` + memberAccount + `"`)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
