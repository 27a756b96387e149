package policy

import "testing"

func TestQueuePolicy(t *testing.T) {
	queue := "arn:aws:sqs:us-east-1:111111111111:secalerts-acme-dlq"
	events := Caller{Service: "events.amazonaws.com"}
	rules := "arn:aws:events:us-east-1:111111111111:rule/secalerts-acme/*"
	d := QueuePolicy(hub, queue, []string{hubBus, rules})
	send := func(account, source, transport string) Request {
		return rq(events, "sqs:SendMessage", queue, ctxOf(keySourceAccount, account, keySourceArn, source, keySecureTransport, transport))
	}
	runAllowCases(t, d, []allowCase{
		{"rule of the customer bus", send(hub.ID, "arn:aws:events:us-east-1:111111111111:rule/secalerts-acme/r1", "true"), true},
		{"the bus itself", send(hub.ID, hubBus, "true"), true},
		{"rule of another bus", send(hub.ID, "arn:aws:events:us-east-1:111111111111:rule/other/r1", "true"), false},
		{"another bus", send(hub.ID, "arn:aws:events:us-east-1:111111111111:event-bus/other", "true"), false},
		{"listed source claimed by another account", send(stranger.ID, hubBus, "true"), false},
		{"without TLS", send(hub.ID, hubBus, "false"), false},
		{"events may not read", rq(events, "sqs:ReceiveMessage", queue, ctxOf(keySourceAccount, hub.ID, keySourceArn, hubBus)), false},
		{"another queue", rq(events, "sqs:SendMessage", queue+"-x", ctxOf(keySourceAccount, hub.ID, keySourceArn, hubBus)), false},
	})
	t.Run("no sources admits nobody", func(t *testing.T) {
		if Allowed(QueuePolicy(hub, queue, nil), send(hub.ID, hubBus, "true")) {
			t.Error("a queue policy without sources admitted EventBridge")
		}
	})
}
