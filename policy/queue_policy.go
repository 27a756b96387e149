package policy

import "secalerts/names"

// Statement ids of the queue policy.
const (
	sidQueueEvents = "EventBridgeOfThisAccountSendsFailedEvents"
	sidQueueTLS    = "DenyAccessWithoutTLS"
)

// QueuePolicy lets EventBridge put failed deliveries into the dead-letter
// queue queueARN, only on behalf of sourceARNs of this account: rule ARNs or
// patterns (arn:...:rule/<bus>/*) for rule targets, and event-bus ARNs for a
// bus's own dead-letter queue. With no sourceARNs nothing may send.
func QueuePolicy(a names.Account, queueARN string, sourceARNs []string) Document {
	var st []Statement
	if src := sortedUnique(sourceARNs); len(src) > 0 {
		// EventBridge User Guide, "Using dead-letter queues to process
		// undelivered events" -> granting permissions to the dead-letter
		// queue: sqs:SendMessage for events.amazonaws.com with aws:SourceArn
		// of the rule; aws:SourceAccount pins the account even where a
		// pattern is given.
		st = append(st, Statement{
			Sid:       sidQueueEvents,
			Effect:    Allow,
			Principal: Principal{Service: []string{"events.amazonaws.com"}},
			Action:    []string{"sqs:SendMessage"},
			Resource:  []string{queueARN},
			Condition: sourceAccount(a).add(opArnLike, keySourceArn, src...),
		})
	}
	st = append(st, denyInsecureTransport(sidQueueTLS, "sqs:*", queueARN))
	return Document{Version: Version, Statement: st}
}
