package stack_test

import (
	"fmt"
	"strings"
	"testing"

	"secalerts/config"
	"secalerts/internal/stacktest"
	"secalerts/names"
	"secalerts/policy"
	"secalerts/preview"
)

// forwardRules are the member's forwarding rules by region.
func forwardRules(rs []preview.Resource) map[string][]preview.Resource {
	out := map[string][]preview.Resource{}
	for _, r := range stacktest.OfType(rs, "aws:cloudwatch/eventRule:EventRule") {
		if strings.HasPrefix(stacktest.Str(r.Inputs["name"]), names.Prefix+"forward-") {
			out[r.Region] = append(out[r.Region], r)
		}
	}
	return out
}

// TestEveryForwardRuleSendsItsHeartbeat: each forwarding rule of every
// region runs on the heartbeat schedule besides its pattern, so a rule
// disabled, re-patterned or re-targeted, or a broken role, falls silent
// rule by rule; its one target takes the heartbeat to the hub bus as
// EventBridge made it, with the forwarding role, retries and the region's
// dead-letter queue.
func TestEveryForwardRuleSendsItsHeartbeat(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.MemberFile)
	role := stacktest.Str(stacktest.OfType(rs, "aws:iam/role:Role")[0].Outputs["arn"])
	rules := forwardRules(rs)
	targets := map[string]preview.Resource{}
	for _, tg := range stacktest.OfType(rs, "aws:cloudwatch/eventTarget:EventTarget") {
		targets[tg.Region+"/"+stacktest.Str(tg.Inputs["rule"])] = tg
	}
	regions := config.DefaultRegions()
	if len(rules) != len(regions) {
		t.Errorf("forwarding rules in %d regions, want %d", len(rules), len(regions))
	}
	if n := len(stacktest.OfType(rs, "aws:cloudwatch/eventRule:EventRule")); n != len(targets) {
		t.Errorf("%d rules and %d targets: a rule of its own for the heartbeat is back", n, len(targets))
	}
	trust := doc(t, stacktest.OfType(rs, "aws:iam/role:Role")[0].Inputs["assumeRolePolicy"])
	for _, region := range regions {
		if len(rules[region]) == 0 {
			t.Errorf("%s: no forwarding rule", region)
		}
		for _, r := range rules[region] {
			name := stacktest.Str(r.Inputs["name"])
			if stacktest.Str(r.Inputs["scheduleExpression"]) != config.DefaultHeartbeatSchedule || stacktest.Str(r.Inputs["eventPattern"]) == "" || stacktest.Str(r.Inputs["eventBusName"]) != "" {
				t.Errorf("%s %s: schedule %v, pattern %v, bus %v: want the heartbeat schedule and a pattern on the default bus",
					region, name, r.Inputs["scheduleExpression"], r.Inputs["eventPattern"] != nil, r.Inputs["eventBusName"])
			}
			tg, ok := targets[region+"/"+name]
			if !ok {
				t.Errorf("%s %s: no target", region, name)
				continue
			}
			if stacktest.Str(tg.Inputs["arn"]) != hubBusAcme || stacktest.Str(tg.Inputs["roleArn"]) != role {
				t.Errorf("%s %s: goes to %v with role %v", region, name, tg.Inputs["arn"], tg.Inputs["roleArn"])
			}
			// Event-bus targets take no input transformation: the
			// heartbeat must arrive as EventBridge made it.
			if tg.Inputs["input"] != nil || tg.Inputs["inputTransformer"] != nil || tg.Inputs["inputPath"] != nil {
				t.Errorf("%s %s: the target changes the event: %v", region, name, tg.Inputs)
			}
			dlqARN := fmt.Sprintf("arn:aws:sqs:%s:%s:secalerts-forward-dlq", region, memberAccount)
			if dlq, _ := tg.Inputs["deadLetterConfig"].(map[string]any); stacktest.Str(dlq["arn"]) != dlqARN {
				t.Errorf("%s %s: dead-letter queue %v", region, name, dlq)
			}
			if retry, _ := tg.Inputs["retryPolicy"].(map[string]any); retry["maximumRetryAttempts"] != float64(185) || retry["maximumEventAgeInSeconds"] != float64(86400) {
				t.Errorf("%s %s: retry %v", region, name, retry)
			}
			ruleARN := stacktest.Str(r.Outputs["arn"])
			ctx := map[string]string{"aws:SourceArn": ruleARN, "aws:SourceAccount": memberAccount, "aws:SecureTransport": "true"}
			if !policy.Allowed(trust, policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"}, Action: "sts:AssumeRole", Context: ctx}) {
				t.Errorf("%s: rule %s cannot assume the forwarding role", region, ruleARN)
			}
		}
	}
}

func TestMemberHeartbeatSettings(t *testing.T) {
	head := "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: member\n  secalerts:member:\n    accountId: \"111111111111\"\n    hubEventBusArn: " + hubBusAcme + "\n    regions: [us-east-1, eu-west-1]\n"
	for _, tc := range []struct {
		name, body string
		want       string // the schedule of every forwarding rule
	}{
		{"default", head, config.DefaultHeartbeatSchedule},
		{"every 15 minutes", head + "    heartbeat:\n      schedule: rate(15 minutes)\n", "rate(15 minutes)"},
		{"off", head + "    heartbeat:\n      enabled: false\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := stacktest.RunStack(t, (tc.body))
			if err != nil {
				t.Fatal(err)
			}
			rules := forwardRules(rs)
			if len(rules) != 2 {
				t.Fatalf("forwarding rules in %d regions, want 2", len(rules))
			}
			for region, rr := range rules {
				for _, r := range rr {
					if got := stacktest.Str(r.Inputs["scheduleExpression"]); got != tc.want {
						t.Errorf("%s %s: schedule %q, want %q", region, stacktest.Str(r.Inputs["name"]), got, tc.want)
					}
				}
			}
		})
	}
}

// heartbeatResources counts the hub's heartbeat resources by kind.
