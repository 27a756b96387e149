package names

import (
	"fmt"
	"strconv"
)

// Names of the hub's resources that exist once per hub.
const (
	// AlarmTopic is the operator's topic for the pipeline's own alarms.
	AlarmTopic = Prefix + "alarms"
	// HubKeyAlias names the key of the hub's buses, topics and queues.
	HubKeyAlias = "alias/" + Prefix + "hub"
	// ChatbotRole is the role every Chatbot channel uses; ChatbotGuardrail
	// caps what channel members may do with it.
	ChatbotRole      = Prefix + "chatbot"
	ChatbotGuardrail = Prefix + "chatbot-guardrail"
)

// Names of the hub's heartbeat watch: one set per hub.
const (
	HeartbeatFunction = Prefix + "heartbeat"
	HeartbeatTable    = Prefix + "heartbeats"
	HeartbeatDLQ      = Prefix + "heartbeat-dlq"
	// HeartbeatCheckRule runs the hourly check on the hub's default bus.
	HeartbeatCheckRule = Prefix + "heartbeat-check"
	// HeartbeatLogGroup is where Lambda writes the function's logs.
	HeartbeatLogGroup = "/aws/lambda/" + HeartbeatFunction
)

// OwnTopicsWildcard matches the ARN of every secalerts SNS topic of
// partition, in any region and account, as an EventBridge wildcard: topic
// names cannot contain ':', so the wildcard after the region cannot reach
// into another name.
func OwnTopicsWildcard(partition string) string { return "arn:" + partition + ":sns:*:" + Prefix + "*" }

// HeartbeatAlarm names the heartbeat watch's alarm about what.
func HeartbeatAlarm(what string) string { return HeartbeatFunction + "-" + what }

// Bus is the customer's event bus, to which its member accounts forward;
// its archive has the same name.
func Bus(customer string) string { return Prefix + customer }

// BusDLQ is the customer's dead-letter queue.
func BusDLQ(customer string) string { return Bus(customer) + "-dlq" }

// QueueDepthAlarm is the alarm on a dead-letter queue's depth.
func QueueDepthAlarm(queue string) string { return queue + "-depth" }

// FailedInvocationsAlarm is the alarm on the failed invocations of the
// rules of a customer's bus.
func FailedInvocationsAlarm(customer string) string { return Bus(customer) + "-failed-invocations" }

// Topic is the customer's SNS topic of one kind of destination ("chat",
// "email") and one minimum severity.
func Topic(customer, kind string, min fmt.Stringer) string {
	return Bus(customer) + "-" + TopicTarget(kind, min)
}

// TopicTarget is the ID of a rule's target that delivers to a customer's
// topic of kind and min; WebhookTarget to a webhook.
func TopicTarget(kind string, min fmt.Stringer) string { return kind + "-" + lower(min) }

// WebhookTarget is the ID of a rule's target that calls webhook.
func WebhookTarget(webhook string) string { return "webhook-" + webhook }

// SlackConfiguration and TeamsConfiguration name the i-th Chatbot channel
// configuration of a customer.
func SlackConfiguration(customer string, i int) string {
	return Bus(customer) + "-slack-" + strconv.Itoa(i)
}

// TeamsConfiguration names the i-th Teams channel configuration.
func TeamsConfiguration(customer string, i int) string {
	return Bus(customer) + "-teams-" + strconv.Itoa(i)
}

// WebhookDestination names the EventBridge connection and API destination
// of a customer's webhook.
func WebhookDestination(customer, webhook string) string { return Bus(customer) + "-" + webhook }

// WebhooksRole lets the rules of a customer's bus call its webhooks.
func WebhooksRole(customer string) string { return Bus(customer) + "-webhooks" }

// HubRule names a rule of a customer bus: one detector variant, for account
// group group (1-based, when there are several) and the chunk-th set of
// five targets (0-based; the first has no suffix).
func HubRule(detector, variant string, group, groups, chunk int) string {
	name := Prefix + detector + "-" + variant
	if groups > 1 {
		name += "-a" + strconv.Itoa(group)
	}
	if chunk > 0 {
		name += "-" + strconv.Itoa(chunk+1)
	}
	return name
}
