package alertdiff

import (
	"reflect"
	"strings"
	"testing"
)

func ev(file string, sev, det string, to ...string) Outcome {
	o := Outcome{File: file, Severity: sev, Detector: det, Forwarded: sev != ""}
	for _, t := range to {
		cust, dest, _ := strings.Cut(t, " ")
		o.Deliveries = append(o.Deliveries, Delivery{Customer: cust, Destination: dest, Rule: "r", Message: "m"})
	}
	return o
}

func TestCompare(t *testing.T) {
	reworded := ev("a.json", "HIGH", "guardduty", "acme slack:T1/C1")
	reworded.Deliveries[0].Message = "new text"
	renamedRule := ev("a.json", "HIGH", "guardduty", "acme slack:T1/C1")
	renamedRule.Deliveries[0].Rule = "other-rule"

	for _, tc := range []struct {
		name       string
		base, head Outcome
		want       Change // Base and Head are filled in from the case
		unchanged  bool
	}{
		{name: "same alert", base: ev("a.json", "HIGH", "guardduty", "acme slack:T1/C1"), head: ev("a.json", "HIGH", "guardduty", "acme slack:T1/C1"), unchanged: true},
		{name: "neither alerts", base: ev("a.json", "", ""), head: Outcome{File: "a.json", Forwarded: true}, unchanged: true},
		{name: "only the rule name differs", base: ev("a.json", "HIGH", "guardduty", "acme slack:T1/C1"), head: renamedRule, unchanged: true},
		{name: "starts", base: ev("a.json", "", ""), head: ev("a.json", "MEDIUM", "security-groups", "acme email:a@example.com"),
			want: Change{Event: "a.json", Kind: Started}},
		{name: "stops", base: ev("a.json", "MEDIUM", "security-groups", "acme email:a@example.com"), head: ev("a.json", "", ""),
			want: Change{Event: "a.json", Kind: Stopped}},
		{name: "severity", base: ev("a.json", "MEDIUM", "guardduty", "acme slack:T1/C1"), head: ev("a.json", "HIGH", "guardduty", "acme slack:T1/C1"),
			want: Change{Event: "a.json", Kind: Changed, SeverityChanged: true}},
		{name: "recipients", base: ev("a.json", "HIGH", "guardduty", "acme slack:T1/C1", "acme email:a@example.com"),
			head: ev("a.json", "HIGH", "guardduty", "acme slack:T1/C1", "acme slack:T1/C2"),
			want: Change{Event: "a.json", Kind: Changed, Added: []string{"slack:T1/C2 (acme)"}, Removed: []string{"email:a@example.com (acme)"}}},
		{name: "message", base: ev("a.json", "HIGH", "guardduty", "acme slack:T1/C1"), head: reworded,
			want: Change{Event: "a.json", Kind: Changed, Reworded: []string{"slack:T1/C1 (acme)"}}},
		{name: "head rejects it", base: ev("a.json", "HIGH", "guardduty", "acme slack:T1/C1"), head: Outcome{File: "a.json", Error: "bad"},
			want: Change{Event: "a.json", Kind: Missing, Detail: "head: bad"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Compare([]Outcome{tc.base}, []Outcome{tc.head})
			if r.Events != 1 {
				t.Fatalf("Events = %d, want 1", r.Events)
			}
			if tc.unchanged {
				if len(r.Changes) != 0 || r.Unchanged != 1 {
					t.Fatalf("want unchanged, got %+v", r.Changes)
				}
				return
			}
			if len(r.Changes) != 1 {
				t.Fatalf("want one change, got %+v", r.Changes)
			}
			tc.want.Base, tc.want.Head = tc.base, tc.head
			if got := r.Changes[0]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("change\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestCompareOnlyInOneVersionAndOrder(t *testing.T) {
	multi0, multi1 := ev("m.json", "", ""), ev("m.json", "HIGH", "canary", "acme slack:T1/C1")
	multi1.Index = 1
	multi1Before := ev("m.json", "", "")
	multi1Before.Index = 1
	base := []Outcome{ev("z.json", "HIGH", "guardduty", "acme slack:T1/C1"), multi0, multi1Before}
	head := []Outcome{multi1, multi0}
	r := Compare(base, head)
	var got []string
	for _, c := range r.Changes {
		got = append(got, string(c.Kind)+" "+c.Event)
	}
	// m.json holds two events, so its events carry their index; z.json's
	// head result is missing.
	want := []string{"starts alerting m.json[1]", "no result z.json"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changes %q, want %q", got, want)
	}
	if r.Events != 3 || r.Unchanged != 1 {
		t.Errorf("Events %d, Unchanged %d; want 3, 1", r.Events, r.Unchanged)
	}
}

func TestWriteText(t *testing.T) {
	base := []Outcome{
		ev("a.json", "", ""),
		ev("b.json", "MEDIUM", "security-groups", "acme slack:T1/C2"),
		ev("c.json", "MEDIUM", "guardduty", "acme slack:T1/C1"),
		ev("d.json", "LOW", "network-changes"),
	}
	head := []Outcome{
		ev("a.json", "HIGH", "root-signin", "acme slack:T1/C1", "acme email:sec@example.com"),
		ev("b.json", "", ""),
		ev("c.json", "HIGH", "guardduty", "acme slack:T1/C1", "globex email:soc@globex.example"),
		ev("d.json", "LOW", "network-changes"),
	}
	var b strings.Builder
	if err := WriteText(&b, Compare(base, head)); err != nil {
		t.Fatal(err)
	}
	want := `+ a.json: starts alerting: HIGH root-signin -> email:sec@example.com (acme), slack:T1/C1 (acme)
- b.json: stops alerting: was MEDIUM security-groups -> slack:T1/C2 (acme)
~ c.json: HIGH guardduty, was MEDIUM guardduty
    now also to email:soc@globex.example (globex)
3 of 4 events change: 1 starts alerting, 1 stops alerting, 1 severity change, 1 recipient change, 0 message changes; 1 unchanged
`
	if b.String() != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	if err := WriteText(&b, Compare(base, base)); err != nil {
		t.Fatal(err)
	}
	if b.String() != "no alerting changes in 4 events\n" {
		t.Errorf("no changes: %q", b.String())
	}
}

func TestWriteMarkdown(t *testing.T) {
	head := ev("a|b.json", "HIGH", "guardduty", "acme slack:T1/C1")
	var b strings.Builder
	if err := WriteMarkdown(&b, Compare([]Outcome{ev("a|b.json", "", "")}, []Outcome{head}), "Alert diff"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"### Alert diff\n",
		"| + | `a\\|b.json` | starts alerting: HIGH guardduty -> slack:T1/C1 (acme) |\n",
		"**1 of 1 events change: 1 starts alerting",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, b.String())
		}
	}
}

func TestReadOutcomesIgnoresFieldsItDoesNotKnow(t *testing.T) {
	in := `{"file":"a.json","index":0,"forwarded":true,"detector":"guardduty","severity":"HIGH","deliveries":[{"customer":"acme","destination":"slack:T1/C1","rule":"r","message":"m"}],"someNewField":1}

{"file":"b.json","index":2,"forwarded":false,"detector":"","severity":"","deliveries":[]}
`
	got, err := ReadOutcomes(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Alerting() || got[1].Alerting() || got[1].Index != 2 {
		t.Errorf("ReadOutcomes = %+v", got)
	}
	if _, err := ReadOutcomes(strings.NewReader("{\"file\":\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("malformed output: err = %v, want one naming line 1", err)
	}
}

// TestQuietChanges: a suppression added in the head stops an alert and the
// report says which; a flood summary the tick sends is compared by its
// time and detector like an event.
func TestQuietChanges(t *testing.T) {
	suppressed := ev("a.json", "HIGH", "security-groups")
	suppressed.Quiet = "suppressed:deploy-pipeline"
	summary := func(to ...string) Outcome {
		o := ev("", "HIGH", "security-groups", to...)
		o.Time, o.Summary, o.Customer = "2026-03-04T05:20:00Z", true, "acme"
		return o
	}
	r := Compare([]Outcome{ev("a.json", "HIGH", "security-groups", "acme slack:T1/C1"), summary("acme slack:T1/C1")},
		[]Outcome{suppressed, summary()})
	if len(r.Changes) != 2 || r.Changes[0].Kind != Stopped || r.Changes[1].Kind != Stopped {
		t.Fatalf("changes %+v", r.Changes)
	}
	var b strings.Builder
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"- a.json: stops alerting (kept quiet: suppressed:deploy-pipeline)",
		"- flood summary at 2026-03-04T05:20:00Z: HIGH of security-groups for acme: stops alerting"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, b.String())
		}
	}
}
