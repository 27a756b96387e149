package replay_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"secalerts/engine"
	"secalerts/internal/stacktest"
	"secalerts/replay"
)

// sampleAt is a sample event with its ID and time replaced.
func sampleAt(t *testing.T, name, id string, at time.Time) []byte {
	t.Helper()
	data, err := os.ReadFile(stacktest.Path(t, "testdata/events/"+name))
	if err != nil {
		t.Fatal(err)
	}
	var e map[string]any
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	e["id"], e["time"] = id, at.UTC().Format(time.RFC3339)
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newSession(t *testing.T) *replay.Session {
	t.Helper()
	s, err := stacktest.ExamplePipeline(t).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// TestSessionCollapsesAFlood: a burst of 500 security-group changes in
// five minutes sends the example's flood limit (10) alerts and, once the
// window ends, one summary per destination that covers every collapsed
// event; nothing is kept quiet without being counted.
func TestSessionCollapsesAFlood(t *testing.T) {
	s := newSession(t)
	var results []replay.Result
	for i := range 500 {
		ev := sampleAt(t, "security-groups/HIGH--authorize-ingress-ssh-from-anywhere.json", fmt.Sprintf("burst-%03d", i), t0.Add(time.Duration(i)*600*time.Millisecond))
		results = append(results, s.Replay("burst.json", i+1, ev)...)
	}
	results = append(results, s.Finish()...)
	sent, flood, summaries := 0, 0, 0
	covered := map[int]bool{}
	perDestination := map[string]int{}
	for _, r := range results {
		switch {
		case r.Summary:
			summaries++
			for _, c := range r.Covers {
				covered[c.Index] = true
			}
		case r.Quiet == engine.QuietFlood:
			flood++
		case r.Time == "" && len(r.Deliveries) > 0:
			sent++
		}
		for _, d := range r.Deliveries {
			perDestination[d.Destination]++
		}
	}
	if sent != 10 || flood != 490 || summaries != 1 || len(covered) != 490 {
		t.Errorf("%d sent, %d collapsed, %d summaries covering %d events; want 10, 490, 1 and 490", sent, flood, summaries, len(covered))
	}
	for dest, n := range perDestination {
		if n > 11 {
			t.Errorf("%s got %d messages, over the limit of 10 and a summary", dest, n)
		}
	}
}

// TestSessionTicksAsTimePasses: a finding stays quiet on its updates, and
// the tick reminds of it a week after it alerted, as the function would.
func TestSessionTicksAsTimePasses(t *testing.T) {
	s := newSession(t)
	first := s.Replay("gd.json", 1, sampleAt(t, "guardduty/HIGH--crypto-mining.json", "gd-1", t0))
	if r := first[len(first)-1]; r.Quiet != "" || len(r.Deliveries) == 0 {
		t.Fatalf("the first finding: %+v", r)
	}
	again := s.Replay("gd.json", 2, sampleAt(t, "guardduty/HIGH--crypto-mining.json", "gd-2", t0.Add(6*time.Hour)))
	if r := again[len(again)-1]; r.Quiet != engine.QuietDuplicate || len(r.Deliveries) != 0 {
		t.Fatalf("its update six hours later: %+v", r)
	}
	later := s.Replay("gd.json", 3, sampleAt(t, "guardduty/HIGH--crypto-mining.json", "gd-3", t0.Add(8*24*time.Hour)))
	reminders := 0
	for _, r := range later[:len(later)-1] {
		if r.Reminder {
			reminders++
			if r.Time == "" || r.File != "" || len(r.Deliveries) == 0 {
				t.Errorf("a reminder: %+v", r)
			}
		}
	}
	if reminders != 1 {
		t.Errorf("%d reminders in the week after the alert, want 1", reminders)
	}
}

// TestSessionStateCarriesOver: the state saved after one replay makes the
// next one remember the finding; a state that is not one is refused.
func TestSessionStateCarriesOver(t *testing.T) {
	s := newSession(t)
	s.Replay("gd.json", 1, sampleAt(t, "guardduty/HIGH--crypto-mining.json", "gd-1", t0))
	var saved bytes.Buffer
	if err := s.Save(&saved); err != nil {
		t.Fatal(err)
	}
	next := newSession(t)
	if err := next.Load(bytes.NewReader(saved.Bytes())); err != nil {
		t.Fatal(err)
	}
	rs := next.Replay("gd.json", 1, sampleAt(t, "guardduty/HIGH--crypto-mining.json", "gd-2", t0.Add(time.Hour)))
	if r := rs[len(rs)-1]; r.Quiet != engine.QuietDuplicate {
		t.Errorf("the finding was forgotten between replays: %+v", r)
	}
	fresh := newSession(t)
	rs = fresh.Replay("gd.json", 1, sampleAt(t, "guardduty/HIGH--crypto-mining.json", "gd-2", t0.Add(time.Hour)))
	if r := rs[len(rs)-1]; r.Quiet != "" {
		t.Errorf("a fresh replay remembers the finding: %+v", r)
	}
	for _, bad := range []string{`{}`, `{"version": 9, "items": []}`, `{"version": 1, "items": [{"pk": "x"}]}`, `not json`} {
		if err := newSession(t).Load(strings.NewReader(bad)); err == nil {
			t.Errorf("state %s was accepted", bad)
		}
	}
}

// TestOrdered: events come out in time order within the window; one
// later than the window is handed on at once, and replay says so.
func TestOrdered(t *testing.T) {
	var got []string
	o := &replay.Ordered{Window: time.Hour, Emit: func(file string, i int, _ []byte) { got = append(got, fmt.Sprintf("%s#%d", file, i)) }}
	at := func(d time.Duration) []byte {
		return []byte(fmt.Sprintf(`{"id":"x","source":"s","detail-type":"d","account":"111111111111","region":"eu-west-1","time":%q}`, t0.Add(d).Format(time.RFC3339)))
	}
	o.Add("a", 1, at(10*time.Minute))
	o.Add("a", 2, at(0))
	o.Add("b", 1, at(5*time.Minute))
	o.Add("b", 2, at(3*time.Hour)) // releases a#2, b#1, a#1
	o.Add("b", 3, at(time.Minute)) // older than the window: at once
	o.Add("c", 1, []byte(`{"no":"time"}`))
	o.Flush()
	if want := "a#2 b#1 a#1 b#3 c#1 b#2"; strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
	s := newSession(t)
	s.Replay("late.json", 1, sampleAt(t, "guardduty/HIGH--crypto-mining.json", "x1", t0.Add(3*time.Hour)))
	rs := s.Replay("late.json", 2, sampleAt(t, "security-groups/HIGH--authorize-ingress-ssh-from-anywhere.json", "x2", t0))
	if r := rs[len(rs)-1]; !strings.Contains(r.Note, "earlier than events already replayed") {
		t.Errorf("a late event's note: %q", r.Note)
	}
}
