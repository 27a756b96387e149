package policy

import (
	"strings"
	"testing"
)

func TestKeyPolicy(t *testing.T) {
	otherBus := "arn:aws:events:us-east-1:111111111111:event-bus/other"
	events := Caller{Service: "events.amazonaws.com"}
	key := "arn:aws:kms:us-east-1:111111111111:key/k"
	in := KeyPolicyInput{Administrators: []string{admin}}
	d := KeyPolicy(hub, in)
	decryptAnything := Document{Version: Version, Statement: []Statement{{Effect: Allow, Action: []string{"kms:Decrypt"}, Resource: []string{"*"}}}}

	runAllowCases(t, d, []allowCase{
		{"events encrypts a secalerts bus of this account", rq(events, "kms:GenerateDataKey", key,
			ctxOf(ctxEventBus, hubBus, keySourceAccount, hub.ID, keySourceArn, hubBus)), true},
		{"events encrypts the bus with another account as source", rq(events, "kms:Decrypt", key,
			ctxOf(ctxEventBus, hubBus, keySourceAccount, stranger.ID, keySourceArn, hubBus)), false},
		{"events encrypts a bus that is not secalerts'", rq(events, "kms:GenerateDataKey", key,
			ctxOf(ctxEventBus, otherBus, keySourceAccount, hub.ID, keySourceArn, otherBus)), false},
		{"events encrypts a secalerts bus of another account", rq(events, "kms:GenerateDataKey", key,
			ctxOf(ctxEventBus, "arn:aws:events:us-east-1:999999999999:event-bus/secalerts-x", keySourceAccount, hub.ID,
				keySourceArn, "arn:aws:events:us-east-1:999999999999:event-bus/secalerts-x")), false},
		{"events re-encrypts for a bus's archive", rq(events, "kms:ReEncryptTo", key, ctxOf(ctxEventBus, hubBus, keySourceAccount, hub.ID)), true},
		{"events re-encrypts for another bus", rq(events, "kms:ReEncryptTo", key, ctxOf(ctxEventBus, otherBus, keySourceAccount, hub.ID)), false},
		{"events describes the key for this account", rq(events, "kms:DescribeKey", key, ctxOf(keySourceAccount, hub.ID)), true},
		{"events describes the key for another account", rq(events, "kms:DescribeKey", key, ctxOf(keySourceAccount, stranger.ID)), false},
		{"events may never encrypt directly", rq(events, "kms:Encrypt", key, ctxOf(ctxEventBus, hubBus, keySourceAccount, hub.ID)), false},
		{"events may not publish to a topic with the hub key", rq(events, "kms:GenerateDataKey", key,
			ctxOf(ctxSNSTopic, "arn:aws:sns:us-east-1:111111111111:secalerts-acme-email")), false},
		{"administrator rotates the key", rq(Caller{AWS: admin}, "kms:EnableKeyRotation", key, nil), true},
		{"administrator may not disable it unless allowed", rq(Caller{AWS: admin}, "kms:DisableKey", key, nil), false},
		{"administrator may not schedule its deletion unless allowed", rq(Caller{AWS: admin}, "kms:ScheduleKeyDeletion", key, nil), false},
		{"administrator may not decrypt", rq(Caller{AWS: admin}, "kms:Decrypt", key, nil), false},
		{"administrator may not generate data keys", rq(Caller{AWS: admin}, "kms:GenerateDataKey", key, nil), false},
		{"administrator may not grant itself use", rq(Caller{AWS: admin}, "kms:CreateGrant", key, nil), false},
		{"account root keeps full access", rq(Caller{AWS: hub.RootARN()}, "kms:PutKeyPolicy", key, nil), true},
		{"a role of the account reaches the key through its IAM policy", rq(Caller{AWS: "arn:aws:iam::111111111111:role/any"}, "kms:Decrypt", key, nil, decryptAnything), true},
		{"a role of the account without an IAM grant", rq(Caller{AWS: "arn:aws:iam::111111111111:role/any"}, "kms:Decrypt", key, nil), false},
		{"another account even with an IAM grant", rq(Caller{AWS: "arn:aws:iam::999999999999:role/any"}, "kms:Decrypt", key, nil, decryptAnything), false},
	})

	t.Run("administrators may disable when the config says so", func(t *testing.T) {
		in := in
		in.AdministratorsMayDisable = true
		runAllowCases(t, KeyPolicy(hub, in), []allowCase{
			{"disable", rq(Caller{AWS: admin}, "kms:DisableKey", key, nil), true},
			{"schedule deletion", rq(Caller{AWS: admin}, "kms:ScheduleKeyDeletion", key, nil), true},
			{"still no decrypt", rq(Caller{AWS: admin}, "kms:Decrypt", key, nil), false},
		})
	})

	t.Run("its size does not grow with customers", func(t *testing.T) {
		s, err := d.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(s, "secalerts-acme") || len(s) > 4096 {
			t.Errorf("the key policy names customers or is large (%d characters): %s", len(s), s)
		}
	})
}

func TestOperatorKeyPolicy(t *testing.T) {
	topic := "arn:aws:sns:us-east-1:111111111111:secalerts-alarms"
	key := "arn:aws:kms:us-east-1:111111111111:key/k"
	alarms := Caller{Service: "cloudwatch.amazonaws.com"}
	ourAlarm := "arn:aws:cloudwatch:us-east-1:111111111111:alarm:secalerts-delivery-errors"
	in := OperatorKeyInput{KeyPolicyInput: KeyPolicyInput{Administrators: []string{admin}}, Events: true}
	runAllowCases(t, OperatorKeyPolicy(hub, in), []allowCase{
		{"alarms of this account publish", rq(alarms, "kms:GenerateDataKey", key,
			ctxOf(ctxSNSTopic, topic, keySourceAccount, hub.ID, keySourceArn, ourAlarm)), true},
		{"alarms of another account", rq(alarms, "kms:GenerateDataKey", key,
			ctxOf(ctxSNSTopic, topic, keySourceAccount, stranger.ID, keySourceArn, "arn:aws:cloudwatch:us-east-1:999999999999:alarm:x")), false},
		{"alarms publishing to another topic", rq(alarms, "kms:GenerateDataKey", key,
			ctxOf(ctxSNSTopic, topic+"-x", keySourceAccount, hub.ID, keySourceArn, ourAlarm)), false},
		// The SNS docs forbid source keys for EventBridge-to-encrypted
		// topics: a request that carries none must still be allowed, or
		// the hub's watch over itself reports nothing.
		{"events publishes without source keys", rq(Caller{Service: "events.amazonaws.com"}, "kms:Decrypt", key, ctxOf(ctxSNSTopic, topic)), true},
		{"events on another topic", rq(Caller{Service: "events.amazonaws.com"}, "kms:Decrypt", key, ctxOf(ctxSNSTopic, topic+"-x")), false},
		{"budgets not allowed unless asked", rq(Caller{Service: "budgets.amazonaws.com"}, "kms:GenerateDataKey", key,
			ctxOf(ctxSNSTopic, topic, keySourceAccount, hub.ID, keySourceArn, "arn:aws:budgets::111111111111:budget/b")), false},
		{"cost anomaly not allowed unless asked", rq(Caller{Service: "costalerts.amazonaws.com"}, "kms:GenerateDataKey", key,
			ctxOf(ctxSNSTopic, topic, keySourceAccount, hub.ID)), false},
		{"administrator may not decrypt", rq(Caller{AWS: admin}, "kms:Decrypt", key, nil), false},
	})

	t.Run("budgets and cost anomaly when asked", func(t *testing.T) {
		in := in
		in.AllowBudgets, in.AllowCostAnomaly = true, true
		runAllowCases(t, OperatorKeyPolicy(hub, in), []allowCase{
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
}
