package policy

import "testing"

func TestTopicPolicy(t *testing.T) {
	topic := "arn:aws:sns:us-east-1:111111111111:secalerts-acme-slack"
	events := Caller{Service: "events.amazonaws.com"}
	alarms := Caller{Service: "cloudwatch.amazonaws.com"}
	ourRule := "arn:aws:events:us-east-1:111111111111:rule/secalerts-acme/guardduty"
	ourAlarm := "arn:aws:cloudwatch:us-east-1:111111111111:alarm:secalerts-dlq"
	tls := func(kv ...string) map[string]string { return ctxOf(append(kv, keySecureTransport, "true")...) }

	cases := []allowCase{
		{"rule of this account", rq(events, "sns:Publish", topic, tls(keySourceAccount, hub.ID, keySourceArn, ourRule)), true},
		{"rule of another account", rq(events, "sns:Publish", topic,
			tls(keySourceAccount, stranger.ID, keySourceArn, "arn:aws:events:us-east-1:999999999999:rule/r")), false},
		{"rule ARN of this account claimed by another", rq(events, "sns:Publish", topic, tls(keySourceAccount, stranger.ID, keySourceArn, ourRule)), false},
		{"rule in another region", rq(events, "sns:Publish", topic,
			tls(keySourceAccount, hub.ID, keySourceArn, "arn:aws:events:eu-west-1:111111111111:rule/secalerts-acme/guardduty")), false},
		{"events without source keys", rq(events, "sns:Publish", topic, tls()), false},
		{"events may only publish", rq(events, "sns:Subscribe", topic, tls(keySourceAccount, hub.ID, keySourceArn, ourRule)), false},
		{"another topic", rq(events, "sns:Publish", topic+"-other", tls(keySourceAccount, hub.ID, keySourceArn, ourRule)), false},
		{"publish without TLS is denied", rq(events, "sns:Publish", topic,
			ctxOf(keySourceAccount, hub.ID, keySourceArn, ourRule, keySecureTransport, "false")), false},
		{"service call carrying no transport key is not denied", rq(events, "sns:Publish", topic,
			ctxOf(keySourceAccount, hub.ID, keySourceArn, ourRule)), true},
		{"alarms not admitted unless asked", rq(alarms, "sns:Publish", topic, tls(keySourceAccount, hub.ID, keySourceArn, ourAlarm)), false},
		{"owner subscribes through IAM", rq(Caller{AWS: "arn:aws:iam::111111111111:role/deployer"}, "sns:Subscribe", topic, tls(),
			Document{Version: Version, Statement: []Statement{{Effect: Allow, Action: []string{"sns:*"}, Resource: []string{"*"}}}}), true},
		{"stranger cannot subscribe", rq(Caller{AWS: "arn:aws:iam::999999999999:role/x"}, "sns:Subscribe", topic, tls(),
			Document{Version: Version, Statement: []Statement{{Effect: Allow, Action: []string{"sns:*"}, Resource: []string{"*"}}}}), false},
		{"budgets not admitted", rq(Caller{Service: "budgets.amazonaws.com"}, "sns:Publish", topic,
			tls(keySourceAccount, hub.ID, keySourceArn, "arn:aws:budgets::111111111111:budget/b")), false},
	}
	cases = append(cases,
		allowCase{"another rule of this account", rq(events, "sns:Publish", topic,
			tls(keySourceAccount, hub.ID, keySourceArn, "arn:aws:events:us-east-1:111111111111:rule/anything")), false},
		allowCase{"a rule named like the admitted one", rq(events, "sns:Publish", topic,
			tls(keySourceAccount, hub.ID, keySourceArn, ourRule+"-2")), false},
	)
	runAllowCases(t, TopicPolicy(hub, topic, TopicPublishers{EventRules: []string{ourRule}}), cases)

	t.Run("the function's topics admit no service", func(t *testing.T) {
		runAllowCases(t, TopicPolicy(hub, topic, TopicPublishers{}), []allowCase{
			// The delivery function publishes with its role's own policy
			// (TestDeliveryFunctionPolicy), which within one account needs
			// no grant here.
			{"rule of this account", rq(events, "sns:Publish", topic, tls(keySourceAccount, hub.ID, keySourceArn, ourRule)), false},
			{"alarm of this account", rq(alarms, "sns:Publish", topic, tls(keySourceAccount, hub.ID, keySourceArn, ourAlarm)), false},
		})
	})

	t.Run("with alarms", func(t *testing.T) {
		runAllowCases(t, TopicPolicy(hub, topic, TopicPublishers{Alarms: true}), []allowCase{
			{"alarm of this account", rq(alarms, "sns:Publish", topic, tls(keySourceAccount, hub.ID, keySourceArn, ourAlarm)), true},
			{"alarm of another account", rq(alarms, "sns:Publish", topic,
				tls(keySourceAccount, stranger.ID, keySourceArn, "arn:aws:cloudwatch:us-east-1:999999999999:alarm:x")), false},
			{"alarm without TLS", rq(alarms, "sns:Publish", topic,
				ctxOf(keySourceAccount, hub.ID, keySourceArn, ourAlarm, keySecureTransport, "false")), false},
		})
	})

	t.Run("with budgets and cost anomaly", func(t *testing.T) {
		d := TopicPolicy(hub, topic, TopicPublishers{Budgets: true, CostAnomaly: true})
		runAllowCases(t, d, []allowCase{
			{"budget of this account", rq(Caller{Service: "budgets.amazonaws.com"}, "sns:Publish", topic,
				tls(keySourceAccount, hub.ID, keySourceArn, "arn:aws:budgets::111111111111:budget/b")), true},
			{"budget of another account", rq(Caller{Service: "budgets.amazonaws.com"}, "sns:Publish", topic,
				tls(keySourceAccount, stranger.ID, keySourceArn, "arn:aws:budgets::999999999999:budget/b")), false},
			{"anomaly subscription of this account", rq(Caller{Service: "costalerts.amazonaws.com"}, "sns:Publish", topic,
				tls(keySourceAccount, hub.ID)), true},
			{"anomaly subscription of another account", rq(Caller{Service: "costalerts.amazonaws.com"}, "sns:Publish", topic,
				tls(keySourceAccount, stranger.ID)), false},
			{"alarms still not admitted", rq(alarms, "sns:Publish", topic, tls(keySourceAccount, hub.ID, keySourceArn, ourAlarm)), false},
		})
	})
}
