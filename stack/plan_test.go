package stack_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"secalerts/internal/stacktest"
	"secalerts/preview"
)

// TestHubPreviewIsItsPlan: the offline tool routes events through the
// plan, so the resources the program registers must be the plan, rule for
// rule and target for target: same names, patterns, inputs, policies.
func TestHubPreviewIsItsPlan(t *testing.T) {
	p := stacktest.HubPlan(t, stacktest.Path(t, stacktest.HubFile))
	rs := stacktest.Preview(t, stacktest.HubFile)
	const ruleType, targetType = "aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/eventTarget:EventTarget"
	for _, c := range p.Customers {
		var bus []preview.Resource
		for _, r := range stacktest.OfType(rs, "aws:cloudcontrol/resource:Resource") {
			var state struct{ Name string }
			if json.Unmarshal([]byte(stacktest.Str(r.Inputs["desiredState"])), &state) == nil && state.Name == c.Bus.Name {
				bus = append(bus, r)
			}
		}
		if len(bus) != 1 {
			t.Fatalf("customer %s: %d buses named %s", c.Name, len(bus), c.Bus.Name)
		}
		var state struct{ Policy any }
		if err := json.Unmarshal([]byte(stacktest.Str(bus[0].Inputs["desiredState"])), &state); err != nil {
			t.Fatal(err)
		}
		want, _ := c.Bus.Policy.JSON()
		var wantPolicy any
		json.Unmarshal([]byte(want), &wantPolicy)
		if !reflect.DeepEqual(state.Policy, wantPolicy) {
			t.Errorf("bus %s: policy %v, plan %s", c.Bus.Name, state.Policy, want)
		}
		for _, rule := range c.Rules {
			got := onBus(stacktest.Named(rs, ruleType, rule.Name), c.Bus.Name)
			if len(got) != 1 || stacktest.Str(got[0].Inputs["eventPattern"]) != rule.Pattern {
				t.Errorf("rule %s of %s: registered %d, want 1 with the plan's pattern", rule.Name, c.Bus.Name, len(got))
				continue
			}
			for _, target := range rule.Targets {
				n := 0
				for _, tg := range onBus(stacktest.OfType(rs, targetType), c.Bus.Name) {
					if stacktest.Str(tg.Inputs["rule"]) != rule.Name || stacktest.Str(tg.Inputs["targetId"]) != target.ID {
						continue
					}
					n++
					it, _ := tg.Inputs["inputTransformer"].(map[string]any)
					if stacktest.Str(it["inputTemplate"]) != target.Transformer.Template {
						t.Errorf("target %s of rule %s: template differs from the plan's", target.ID, rule.Name)
					}
				}
				if n != 1 {
					t.Errorf("target %s of rule %s: registered %d times", target.ID, rule.Name, n)
				}
			}
		}
		if got := len(onBus(stacktest.OfType(rs, ruleType), c.Bus.Name)); got != c.RuleCount() {
			t.Errorf("bus %s: %d rules registered, %d planned", c.Bus.Name, got, c.RuleCount())
		}
	}
}

// TestMemberPreviewIsItsPlan: the member's forwarding rules in every region
// are the plan's.
func TestMemberPreviewIsItsPlan(t *testing.T) {
	hub := stacktest.HubPlan(t, stacktest.Path(t, stacktest.HubFile))
	p, _ := stacktest.MemberPlan(t, stacktest.Path(t, stacktest.MemberFile), hub)
	rs := stacktest.Preview(t, stacktest.MemberFile)
	registered := 0
	for _, r := range stacktest.OfType(rs, "aws:cloudwatch/eventRule:EventRule") {
		if stacktest.Str(r.Inputs["eventPattern"]) != "" {
			registered++
		}
	}
	planned := 0
	for _, region := range p.Regions {
		for _, rule := range region.Rules {
			planned++
			found := false
			for _, r := range stacktest.Named(rs, "aws:cloudwatch/eventRule:EventRule", rule.Name) {
				found = found || (r.Region == region.Account.Region && stacktest.Str(r.Inputs["eventPattern"]) == rule.Pattern)
			}
			if !found {
				t.Errorf("%s %s: not registered with the plan's pattern", region.Account.Region, rule.Name)
			}
		}
	}
	if registered != planned {
		t.Errorf("%d forwarding rules registered, %d planned", registered, planned)
	}
}

func onBus(rs []preview.Resource, bus string) []preview.Resource {
	var out []preview.Resource
	for _, r := range rs {
		if stacktest.Str(r.Inputs["eventBusName"]) == bus {
			out = append(out, r)
		}
	}
	return out
}
