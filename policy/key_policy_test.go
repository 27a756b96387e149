package policy

import "testing"

func TestKeyPolicy(t *testing.T) {
	topic := "arn:aws:sns:us-east-1:111111111111:secalerts-acme-slack"
	queue := "arn:aws:sqs:us-east-1:111111111111:secalerts-acme-dlq"
	otherBus := "arn:aws:events:us-east-1:111111111111:event-bus/other"
	events := Caller{Service: "events.amazonaws.com"}
	key := "arn:aws:kms:us-east-1:111111111111:key/k"
	in := KeyPolicyInput{Administrators: []string{admin}, EventBusARNs: []string{hubBus}}
	d := KeyPolicy(hub, in)
	decryptAnything := Document{Version: Version, Statement: []Statement{{Effect: Allow, Action: []string{"kms:Decrypt"}, Resource: []string{"*"}}}}

	runAllowCases(t, d, []allowCase{
		{"events publishes to an encrypted topic of this account", rq(events, "kms:GenerateDataKey", key,
			ctxOf(ctxSNSTopic, topic)), true},
		{"events publishes to a topic of another account", rq(events, "kms:GenerateDataKey", key,
			ctxOf(ctxSNSTopic, "arn:aws:sns:us-east-1:999999999999:t")), false},
		{"events sends to an encrypted queue for this account", rq(events, "kms:GenerateDataKey", key,
			ctxOf(ctxSQSQueue, queue, keySourceAccount, hub.ID, keySourceArn, "arn:aws:events:us-east-1:111111111111:rule/secalerts-acme/r1")), true},
		{"events sends to a queue for another account", rq(events, "kms:GenerateDataKey", key,
			ctxOf(ctxSQSQueue, queue, keySourceAccount, stranger.ID, keySourceArn, "arn:aws:events:us-east-1:999999999999:rule/r1")), false},
		{"events encrypts the bus for this account", rq(events, "kms:GenerateDataKey", key,
			ctxOf(ctxEventBus, hubBus, keySourceAccount, hub.ID, keySourceArn, hubBus)), true},
		{"events encrypts the bus with another account as source", rq(events, "kms:Decrypt", key,
			ctxOf(ctxEventBus, hubBus, keySourceAccount, stranger.ID, keySourceArn, hubBus)), false},
		{"events encrypts a bus not listed", rq(events, "kms:GenerateDataKey", key,
			ctxOf(ctxEventBus, otherBus, keySourceAccount, hub.ID, keySourceArn, otherBus)), false},
		{"events may not re-encrypt without archives", rq(events, "kms:ReEncryptFrom", key,
			ctxOf(ctxEventBus, hubBus, keySourceAccount, hub.ID, keySourceArn, hubBus)), false},
		{"events describes the key for this account", rq(events, "kms:DescribeKey", key, ctxOf(keySourceAccount, hub.ID)), true},
		{"events describes the key for another account", rq(events, "kms:DescribeKey", key, ctxOf(keySourceAccount, stranger.ID)), false},
		{"events may never encrypt directly", rq(events, "kms:Encrypt", key, ctxOf(ctxSNSTopic, topic, keySourceAccount, hub.ID)), false},
		{"administrator schedules deletion", rq(Caller{AWS: admin}, "kms:ScheduleKeyDeletion", key, nil), true},
		{"administrator may not decrypt", rq(Caller{AWS: admin}, "kms:Decrypt", key, nil), false},
		{"administrator may not generate data keys", rq(Caller{AWS: admin}, "kms:GenerateDataKey", key, nil), false},
		{"administrator may not grant itself use", rq(Caller{AWS: admin}, "kms:CreateGrant", key, nil), false},
		{"account root keeps full access", rq(Caller{AWS: hub.RootARN()}, "kms:PutKeyPolicy", key, nil), true},
		{"a role of the account reaches the key through its IAM policy", rq(Caller{AWS: "arn:aws:iam::111111111111:role/any"}, "kms:Decrypt", key, nil, decryptAnything), true},
		{"a role of the account without an IAM grant", rq(Caller{AWS: "arn:aws:iam::111111111111:role/any"}, "kms:Decrypt", key, nil), false},
		{"another account even with an IAM grant", rq(Caller{AWS: "arn:aws:iam::999999999999:role/any"}, "kms:Decrypt", key, nil, decryptAnything), false},
		{"another account has nothing", rq(Caller{AWS: "arn:aws:iam::999999999999:role/any"}, "kms:Decrypt", key, nil), false},
		{"alarms of this account publish to the operator topic", rq(Caller{Service: "cloudwatch.amazonaws.com"}, "kms:GenerateDataKey", key,
			ctxOf(ctxSNSTopic, topic, keySourceAccount, hub.ID, keySourceArn, "arn:aws:cloudwatch:us-east-1:111111111111:alarm:secalerts-dlq")), true},
		{"alarms of another account", rq(Caller{Service: "cloudwatch.amazonaws.com"}, "kms:GenerateDataKey", key,
			ctxOf(ctxSNSTopic, topic, keySourceAccount, stranger.ID, keySourceArn, "arn:aws:cloudwatch:us-east-1:999999999999:alarm:x")), false},
		{"budgets not allowed unless asked", rq(Caller{Service: "budgets.amazonaws.com"}, "kms:GenerateDataKey", key,
			ctxOf(ctxSNSTopic, topic, keySourceAccount, hub.ID, keySourceArn, "arn:aws:budgets::111111111111:budget/b")), false},
		{"cost anomaly not allowed unless asked", rq(Caller{Service: "costalerts.amazonaws.com"}, "kms:GenerateDataKey", key,
			ctxOf(ctxSNSTopic, topic, keySourceAccount, hub.ID)), false},
	})

	t.Run("budgets and cost anomaly when asked", func(t *testing.T) {
		in := in
		in.AllowBudgets, in.AllowCostAnomaly = true, true
		runAllowCases(t, KeyPolicy(hub, in), []allowCase{
			{"budgets of this account", rq(Caller{Service: "budgets.amazonaws.com"}, "kms:GenerateDataKey", key,
				ctxOf(ctxSNSTopic, topic, keySourceAccount, hub.ID, keySourceArn, "arn:aws:budgets::111111111111:budget/b")), true},
			{"budgets of another account", rq(Caller{Service: "budgets.amazonaws.com"}, "kms:GenerateDataKey", key,
				ctxOf(ctxSNSTopic, topic, keySourceAccount, stranger.ID, keySourceArn, "arn:aws:budgets::999999999999:budget/b")), false},
			{"cost anomaly of this account", rq(Caller{Service: "costalerts.amazonaws.com"}, "kms:Decrypt", key,
				ctxOf(ctxSNSTopic, topic, keySourceAccount, hub.ID)), true},
			{"cost anomaly of another account", rq(Caller{Service: "costalerts.amazonaws.com"}, "kms:Decrypt", key,
				ctxOf(ctxSNSTopic, topic, keySourceAccount, stranger.ID)), false},
		})
	})

	t.Run("archives when asked", func(t *testing.T) {
		in := in
		in.AllowArchives = true
		runAllowCases(t, KeyPolicy(hub, in), []allowCase{
			{"re-encrypt for the listed bus", rq(events, "kms:ReEncryptTo", key, ctxOf(ctxEventBus, hubBus)), true},
			{"re-encrypt for another bus", rq(events, "kms:ReEncryptTo", key, ctxOf(ctxEventBus, otherBus)), false},
		})
	})

	t.Run("explicit topics and queues narrow the context", func(t *testing.T) {
		in := in
		in.TopicARNs, in.QueueARNs = []string{topic}, []string{queue}
		runAllowCases(t, KeyPolicy(hub, in), []allowCase{
			{"listed topic", rq(events, "kms:GenerateDataKey", key, ctxOf(ctxSNSTopic, topic)), true},
			{"unlisted topic of the account", rq(events, "kms:GenerateDataKey", key,
				ctxOf(ctxSNSTopic, "arn:aws:sns:us-east-1:111111111111:unrelated")), false},
			{"unlisted queue of the account", rq(events, "kms:GenerateDataKey", key,
				ctxOf(ctxSQSQueue, "arn:aws:sqs:us-east-1:111111111111:unrelated", keySourceAccount, hub.ID,
					keySourceArn, "arn:aws:events:us-east-1:111111111111:rule/r")), false},
		})
	})

	t.Run("no bus statements without buses", func(t *testing.T) {
		for _, s := range KeyPolicy(hub, KeyPolicyInput{}).Statement {
			if s.Sid == sidEventsBuses || s.Sid == sidEventsDescribe || s.Sid == sidKeyAdmins {
				t.Errorf("statement %s present without input", s.Sid)
			}
		}
	})
}

// The SNS docs forbid source keys for EventBridge-to-encrypted topics: a
// request that carries none must still be allowed, or every alert is dropped.
func TestKeyPolicyTopicStatementNeedsNoSourceKeys(t *testing.T) {
	d := KeyPolicy(hub, KeyPolicyInput{})
	req := rq(Caller{Service: "events.amazonaws.com"}, "kms:Decrypt", "*",
		ctxOf(ctxSNSTopic, "arn:aws:sns:us-east-1:111111111111:t"))
	if !Allowed(d, req) {
		t.Error("EventBridge publishing to an encrypted topic without source keys is denied")
	}
}
