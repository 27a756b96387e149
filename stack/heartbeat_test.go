package stack_test

import (
	"fmt"
	"slices"
	"testing"

	"secalerts/config"
	"secalerts/internal/stacktest"
	"secalerts/names"
	"secalerts/policy"
	"secalerts/preview"
)

func TestMemberHeartbeatFromEveryRegion(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.MemberFile)
	role := stacktest.Str(stacktest.OfType(rs, "aws:iam/role:Role")[0].Outputs["arn"])
	rules := map[string][]preview.Resource{}
	for _, r := range stacktest.Named(rs, "aws:cloudwatch/eventRule:EventRule", names.HeartbeatRule) {
		rules[r.Region] = append(rules[r.Region], r)
	}
	targets := map[string][]preview.Resource{}
	for _, tg := range stacktest.OfType(rs, "aws:cloudwatch/eventTarget:EventTarget") {
		if stacktest.Str(tg.Inputs["rule"]) == names.HeartbeatRule {
			targets[tg.Region] = append(targets[tg.Region], tg)
		}
	}
	regions := config.DefaultRegions()
	if len(rules) != len(regions) || len(targets) != len(regions) {
		t.Errorf("heartbeat rules in %d regions, targets in %d, want %d", len(rules), len(targets), len(regions))
	}
	for _, region := range regions {
		if len(rules[region]) != 1 || len(targets[region]) != 1 {
			t.Errorf("%s: %d heartbeat rules and %d targets, want one each", region, len(rules[region]), len(targets[region]))
			continue
		}
		r, tg := rules[region][0], targets[region][0]
		if stacktest.Str(r.Inputs["scheduleExpression"]) != "rate(1 hour)" || stacktest.Str(r.Inputs["eventPattern"]) != "" || stacktest.Str(r.Inputs["eventBusName"]) != "" {
			t.Errorf("%s: heartbeat rule %v, want rate(1 hour) on the default bus", region, r.Inputs)
		}
		if stacktest.Str(tg.Inputs["arn"]) != hubBusAcme || stacktest.Str(tg.Inputs["roleArn"]) != role {
			t.Errorf("%s: heartbeat goes to %v with role %v", region, tg.Inputs["arn"], tg.Inputs["roleArn"])
		}
		// Event-bus targets take no input transformation: the event must
		// arrive as EventBridge made it.
		if tg.Inputs["input"] != nil || tg.Inputs["inputTransformer"] != nil || tg.Inputs["inputPath"] != nil {
			t.Errorf("%s: heartbeat target changes the event: %v", region, tg.Inputs)
		}
		dlqARN := fmt.Sprintf("arn:aws:sqs:%s:%s:secalerts-forward-dlq", region, memberAccount)
		if dlq, _ := tg.Inputs["deadLetterConfig"].(map[string]any); stacktest.Str(dlq["arn"]) != dlqARN {
			t.Errorf("%s: dead-letter queue %v", region, dlq)
		}
		if retry, _ := tg.Inputs["retryPolicy"].(map[string]any); retry["maximumRetryAttempts"] != float64(185) || retry["maximumEventAgeInSeconds"] != float64(86400) {
			t.Errorf("%s: retry %v", region, retry)
		}
		// The rule may use the forwarding role and its dead-letter queue.
		ruleARN := stacktest.Str(r.Outputs["arn"])
		ctx := map[string]string{"aws:SourceArn": ruleARN, "aws:SourceAccount": memberAccount, "aws:SecureTransport": "true"}
		trust := doc(t, stacktest.OfType(rs, "aws:iam/role:Role")[0].Inputs["assumeRolePolicy"])
		if !policy.Allowed(trust, policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"}, Action: "sts:AssumeRole", Context: ctx}) {
			t.Errorf("%s: the heartbeat rule %s cannot assume the forwarding role", region, ruleARN)
		}
		for _, q := range stacktest.OfType(rs, "aws:sqs/queue:Queue") {
			if q.Region == region && !policy.Allowed(doc(t, q.Inputs["policy"]), policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"},
				Action: "sqs:SendMessage", Resource: dlqARN, Context: ctx}) {
				t.Errorf("%s: the heartbeat rule cannot dead-letter into %s", region, dlqARN)
			}
		}
	}
}

func TestMemberHeartbeatSettings(t *testing.T) {
	head := "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: member\n  secalerts:member:\n    accountId: \"111111111111\"\n    hubEventBusArn: " + hubBusAcme + "\n    regions: [us-east-1, eu-west-1]\n"
	for _, tc := range []struct {
		name, body string
		want       []string // schedule of each heartbeat rule
	}{
		{"default", head, []string{"rate(1 hour)", "rate(1 hour)"}},
		{"every 15 minutes", head + "    heartbeat:\n      schedule: rate(15 minutes)\n", []string{"rate(15 minutes)", "rate(15 minutes)"}},
		{"off", head + "    heartbeat:\n      enabled: false\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := stacktest.RunStack(t, (tc.body))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range stacktest.Named(rs, "aws:cloudwatch/eventRule:EventRule", names.HeartbeatRule) {
				got = append(got, stacktest.Str(r.Inputs["scheduleExpression"]))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("heartbeat schedules %v, want %v", got, tc.want)
			}
		})
	}
}

// heartbeatResources counts the hub's heartbeat resources by kind.
