package policy

import (
	"testing"
)

func TestEventsTrustPolicy(t *testing.T) {
	d := EventsTrustPolicy(hub)
	assume := func(c Caller, ctx map[string]string) Request { return rq(c, "sts:AssumeRole", "", ctx) }
	events := Caller{Service: "events.amazonaws.com"}
	runAllowCases(t, d, []allowCase{
		{"rule of this account", assume(events, ctxOf(keySourceAccount, hub.ID, keySourceArn, "arn:aws:events:us-east-1:111111111111:rule/fwd")), true},
		{"rule of this account in another region", assume(events, ctxOf(keySourceAccount, hub.ID, keySourceArn, "arn:aws:events:eu-west-1:111111111111:rule/fwd")), true},
		{"rule of another account", assume(events, ctxOf(keySourceAccount, stranger.ID, keySourceArn, "arn:aws:events:us-east-1:999999999999:rule/fwd")), false},
		{"no source keys", assume(events, nil), false},
		{"a scheduler, not a rule", assume(events, ctxOf(keySourceAccount, hub.ID, keySourceArn, "arn:aws:events:us-east-1:111111111111:event-bus/x")), false},
		{"another service", assume(Caller{Service: "lambda.amazonaws.com"}, ctxOf(keySourceAccount, hub.ID, keySourceArn, "arn:aws:events:us-east-1:111111111111:rule/fwd")), false},
		{"a user", assume(Caller{AWS: "arn:aws:iam::111111111111:user/u"}, nil), false},
	})
}

func TestPutEventsPolicy(t *testing.T) {
	d := PutEventsPolicy(hubBus)
	runAllowCases(t, d, []allowCase{
		{"the bus", rq(Caller{AWS: "arn:aws:iam::222222222222:role/r"}, "events:PutEvents", hubBus, nil), true},
		{"another bus", rq(Caller{AWS: "arn:aws:iam::222222222222:role/r"}, "events:PutEvents", hubBus+"-x", nil), false},
		{"another action", rq(Caller{AWS: "arn:aws:iam::222222222222:role/r"}, "events:PutRule", hubBus, nil), false},
	})
}

func TestChatbotPolicies(t *testing.T) {
	trust := ChatbotTrustPolicy(hub)
	if !Allowed(trust, rq(Caller{Service: "chatbot.amazonaws.com"}, "sts:AssumeRole", "", nil)) ||
		Allowed(trust, rq(Caller{Service: "events.amazonaws.com"}, "sts:AssumeRole", "", nil)) {
		t.Error("trust policy admits the wrong principal")
	}
	role := Caller{AWS: "arn:aws:iam::111111111111:role/chatbot"}
	for name, d := range map[string]Document{"permissions": ChatbotNotificationsPolicy(), "guardrail": ChatbotGuardrailPolicy()} {
		runAllowCases(t, d, []allowCase{
			{name + " describe alarms", rq(role, "cloudwatch:DescribeAlarms", "*", nil), true},
			{name + " metric graph", rq(role, "cloudwatch:GetMetricWidgetImage", "*", nil), true},
			{name + " delete alarms", rq(role, "cloudwatch:DeleteAlarms", "*", nil), false},
			{name + " put metric data", rq(role, "cloudwatch:PutMetricData", "*", nil), false},
			{name + " anything else", rq(role, "iam:CreateUser", "*", nil), false},
			{name + " lambda invoke", rq(role, "lambda:InvokeFunction", "*", nil), false},
		})
	}
}
