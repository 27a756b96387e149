package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"secalerts/config"
	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/names"
)

func hubWith(heartbeat bool, customers ...config.Customer) *config.Hub {
	return &config.Hub{AccountID: "999999999999", Region: "us-east-1", Customers: customers, MaxRulesPerBus: 300,
		Heartbeat: config.HubHeartbeat{Enabled: heartbeat, MissingAfterHours: 3, RemindEveryHours: 24}}
}

func heartbeatSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "events", "heartbeat-missing", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func matches(t *testing.T, pattern string, event []byte) bool {
	t.Helper()
	ok, err := eventbridge.MatchPattern([]byte(pattern), event)
	if err != nil {
		t.Fatalf("matching %s: %v", pattern, err)
	}
	return ok
}

func TestPlanHubCustomerHeartbeatRule(t *testing.T) {
	p, err := planCustomer(hubWith(true, acme()), acme())
	if err != nil {
		t.Fatal(err)
	}
	if p.Heartbeat == nil {
		t.Fatal("no heartbeat rule")
	}
	if !matches(t, p.Heartbeat.Pattern, heartbeatSample(t, "none--heartbeat-itself.json")) {
		t.Error("the heartbeat rule does not match a member's heartbeat")
	}
	if matches(t, p.Heartbeat.Pattern, heartbeatSample(t, "none--customer-scheduled-rule.json")) {
		t.Error("the heartbeat rule matches another scheduled rule of the member")
	}
	in, err := p.Heartbeat.Input.Render(heartbeatSample(t, "none--heartbeat-itself.json"), eventbridge.RuleInfo{Name: p.Heartbeat.Name})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"bus":"secalerts-acme","account":"111111111111","region":"eu-west-1","time":"2026-03-04T06:00:12Z"}`
	if in != want {
		t.Errorf("function input %s, want %s", in, want)
	}
	if p.RuleCount() != len(p.Rules)+1 {
		t.Errorf("RuleCount %d does not count the heartbeat rule (%d routing rules)", p.RuleCount(), len(p.Rules))
	}
}

func TestPlanHubCustomerRoutesMissingHeartbeats(t *testing.T) {
	p, err := planCustomer(hubWith(true, acme()), acme())
	if err != nil {
		t.Fatal(err)
	}
	var rules []Rule
	for _, r := range p.Rules {
		if r.Detector == "heartbeat-missing" {
			rules = append(rules, r)
		}
	}
	// acme names one account, which gives every other detector a rule per
	// account group; the hub's own events need one rule only.
	if len(rules) != 1 {
		t.Fatalf("want one heartbeat-missing rule, got %d", len(rules))
	}
	r := rules[0]
	var ids []string
	for _, tg := range r.Targets {
		ids = append(ids, tg.ID)
	}
	slices.Sort(ids)
	// HIGH reaches both Slack topics, not the CRITICAL e-mail and webhook;
	// the operator hears of it too.
	if want := []string{"chat-high", "chat-medium", "operator"}; !slices.Equal(ids, want) {
		t.Errorf("targets %v, want %v", ids, want)
	}
	for _, tg := range r.Targets {
		if tg.Kind == OperatorTopic && tg.Topic != names.AlarmTopic {
			t.Errorf("operator target delivers to %s, want %s", tg.Topic, names.AlarmTopic)
		}
	}
	event := heartbeatSample(t, "HIGH--one-region-silent.json")
	if !matches(t, r.Pattern, event) {
		t.Error("the rule does not match the hub's report")
	}
	forged := []byte(strings.Replace(string(event), `"account": "999999999999"`, `"account": "111111111111"`, 1))
	if string(forged) == string(event) {
		t.Fatal("the sample's envelope account is not the hub's")
	}
	if matches(t, r.Pattern, forged) {
		t.Error("a member can send its own heartbeat-missing report")
	}
}

func TestPlanHubCustomerOperatorHearsEvenWhenTheCustomerDoesNot(t *testing.T) {
	c := acme()
	c.Slack, c.Webhooks = nil, nil // only a CRITICAL e-mail remains
	p, err := planCustomer(hubWith(true, c), c)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range p.Rules {
		if r.Detector != "heartbeat-missing" {
			continue
		}
		found = true
		if len(r.Targets) != 1 || r.Targets[0].Kind != OperatorTopic {
			t.Errorf("targets %+v, want the operator's only", r.Targets)
		}
	}
	if !found {
		t.Error("no heartbeat-missing rule")
	}
}

func TestPlanHubCustomerHeartbeatOff(t *testing.T) {
	p, err := planCustomer(hubWith(false, acme()), acme())
	if err != nil {
		t.Fatal(err)
	}
	if p.Heartbeat != nil {
		t.Error("heartbeat rule planned although secalerts:hub.heartbeat.enabled is false")
	}
	for _, r := range p.Rules {
		if d, _ := detectors.ByID(r.Detector); d.HubOnly {
			t.Errorf("rule %s planned although the heartbeat is off", r.Name)
		}
	}
}

func TestPlanHubCustomerQuotaCountsTheHeartbeat(t *testing.T) {
	h := hubWith(true, acme())
	p, err := planCustomer(h, acme())
	if err != nil {
		t.Fatal(err)
	}
	h.MaxRulesPerBus = p.RuleCount() - 1
	_, err = planCustomer(h, acme())
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("needs %d rules", p.RuleCount())) {
		t.Errorf("quota one short: error %v", err)
	}
}

func TestForgetAfterDays(t *testing.T) {
	for _, tc := range []struct{ hours, want int }{{2, 8}, {3, 8}, {24, 8}, {25, 9}, {168, 14}} {
		if got := ForgetAfterDays(tc.hours); got != tc.want {
			t.Errorf("ForgetAfterDays(%d) = %d, want %d", tc.hours, got, tc.want)
		}
	}
}
