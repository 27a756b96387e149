package stack_test

import (
	"testing"

	"secalerts/internal/stacktest"
	"secalerts/preview"
)

// TestHubPreviewIsItsPlan: the offline tool routes events through the
// plan, so the resources the program registers must be the plan: each
// customer's bus, policy, rule and input, topics, channels, subscriptions
// and parameters.
func TestHubPreviewIsItsPlan(t *testing.T) {
	p := stacktest.HubPlan(t, stacktest.Path(t, stacktest.HubFile))
	rs := stacktest.Preview(t, stacktest.HubFile)
	for _, c := range p.Customers {
		if len(stacktest.Named(rs, "aws:cloudwatch/eventBus:EventBus", c.Bus.Name)) != 1 {
			t.Errorf("bus %s is not registered once", c.Bus.Name)
		}
		want, _ := c.Bus.Policy.JSON()
		found := false
		for _, bp := range stacktest.OfType(rs, "aws:cloudwatch/eventBusPolicy:EventBusPolicy") {
			found = found || (stacktest.Str(bp.Inputs["eventBusName"]) == c.Bus.Name && stacktest.Str(bp.Inputs["policy"]) == want)
		}
		if !found {
			t.Errorf("bus %s: no policy that is the plan's", c.Bus.Name)
		}
		rules := onBus(stacktest.Named(rs, "aws:cloudwatch/eventRule:EventRule", c.Rule.Name), c.Bus.Name)
		if len(rules) != 1 || stacktest.Str(rules[0].Inputs["eventPattern"]) != c.Rule.Pattern {
			t.Errorf("bus %s: rule %s is not the plan's", c.Bus.Name, c.Rule.Name)
		}
		targets := onBus(stacktest.OfType(rs, "aws:cloudwatch/eventTarget:EventTarget"), c.Bus.Name)
		if len(targets) != 1 {
			t.Fatalf("bus %s: %d targets", c.Bus.Name, len(targets))
		}
		if it, _ := targets[0].Inputs["inputTransformer"].(map[string]any); stacktest.Str(it["inputTemplate"]) != c.Rule.Input {
			t.Errorf("bus %s: input %v, plan %s", c.Bus.Name, it, c.Rule.Input)
		}
		for _, ch := range c.Chat {
			if len(stacktest.Named(rs, "aws:sns/topic:Topic", ch.Topic.Name)) != 1 {
				t.Errorf("chat topic %s is not registered once", ch.Topic.Name)
			}
			n := 0
			for _, typ := range []string{"aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration", "aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration"} {
				for _, r := range stacktest.OfType(rs, typ) {
					if stacktest.Str(r.Inputs["configurationName"]) == ch.ConfigurationName {
						n++
					}
				}
			}
			if n != 1 {
				t.Errorf("configuration %s registered %d times", ch.ConfigurationName, n)
			}
		}
		for _, e := range c.Emails {
			n := 0
			for _, sub := range stacktest.OfType(rs, "aws:sns/topicSubscription:TopicSubscription") {
				if sub.Inputs["endpoint"] == e.Address && sub.Inputs["filterPolicy"] == e.FilterPolicy {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s: %d subscriptions with the plan's filter", e.Address, n)
			}
		}
		for _, w := range c.Webhooks {
			if len(stacktest.Named(rs, "aws:ssm/parameter:Parameter", w.Parameter)) != 1 {
				t.Errorf("webhook parameter %s is not registered once", w.Parameter)
			}
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
