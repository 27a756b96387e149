package names

import (
	"crypto/sha256"
	"encoding/hex"
)

// Names of the hub's resources that exist once per hub.
const (
	// AlarmTopic is the operator's topic: the pipeline's own alarms and
	// the hub's reports about its members.
	AlarmTopic = Prefix + "alarms"
	// HubKeyAlias names the key of the customers' buses, topics and
	// parameters and of the delivery function's state; OperatorKeyAlias
	// the operator topic's own key, which keeps working when the hub key
	// does not.
	HubKeyAlias      = "alias/" + Prefix + "hub"
	OperatorKeyAlias = "alias/" + Prefix + "operator"
	// ChatbotRole is the role every Chatbot channel uses; ChatbotGuardrail
	// caps what channel members may do with it.
	ChatbotRole      = Prefix + "chatbot"
	ChatbotGuardrail = Prefix + "chatbot-guardrail"
	// DeliveryFunction routes, renders and delivers every alert; its role
	// has the same name.
	DeliveryFunction = Prefix + "delivery"
	// DeliveryLogGroup is where Lambda writes the function's logs.
	DeliveryLogGroup = "/aws/lambda/" + DeliveryFunction
	// DeliveryDLQ takes the function's invocations that failed every retry.
	DeliveryDLQ = Prefix + "delivery-dlq"
	// StateTable is the function's memory: deliveries made, heartbeats
	// heard.
	StateTable = Prefix + "state"
	// BusDLQ takes what a customer bus or its rule could not deliver.
	BusDLQ = Prefix + "bus-dlq"
	// DeliverRule is the one rule of every customer bus: it hands the
	// bus's events to the delivery function.
	DeliverRule = Prefix + "deliver"
	// TickRule runs the function's periodic work (the heartbeat check) on
	// the hub's default bus.
	TickRule = Prefix + "tick"
	// ParameterPrefix starts the name of every Systems Manager parameter
	// secalerts keeps (the webhook URLs).
	ParameterPrefix = "/" + "secalerts" + "/"
)

// OwnTopicsWildcard matches the ARN of every secalerts SNS topic of
// partition, in any region and account, as an EventBridge wildcard: topic
// names cannot contain ':', so the wildcard after the region cannot reach
// into another name.
func OwnTopicsWildcard(partition string) string { return "arn:" + partition + ":sns:*:" + Prefix + "*" }

// DeliveryAlarm names an alarm on the delivery function about what.
func DeliveryAlarm(what string) string { return DeliveryFunction + "-" + what }

// QueueDepthAlarm is the alarm on a dead-letter queue's depth.
func QueueDepthAlarm(queue string) string { return queue + "-depth" }

// Bus is the customer's event bus, to which its member accounts forward;
// its archive has the same name.
func Bus(customer string) string { return Prefix + customer }

// ChatTopic is the SNS topic one Chatbot channel of a customer reads; kind
// is "slack" or "teams" and channel the channel's ID. Teams channel IDs
// hold characters topic names cannot, so they are named by a digest.
func ChatTopic(customer, kind, channel string) string {
	return Bus(customer) + "-" + kind + "-" + channelKey(kind, channel)
}

// ChatConfiguration names the Chatbot channel configuration of that
// channel. Configuration names are unique in the whole account, across
// regions, so the hub region is part of it: two hubs of one account never
// collide.
func ChatConfiguration(hubRegion, customer, kind, channel string) string {
	return Prefix + hubRegion + "-" + customer + "-" + kind + "-" + channelKey(kind, channel)
}

// channelKey is the part of a name that stands for a channel: a Slack
// channel ID as it is (upper-case letters and digits), a Teams channel ID
// as the first 16 hex digits of its SHA-256.
func channelKey(kind, channel string) string {
	if kind == "slack" {
		return channel
	}
	sum := sha256.Sum256([]byte(channel))
	return hex.EncodeToString(sum[:8])
}

// EmailTopic is the customer's e-mail topic: every address is subscribed
// to it, each filtering on the severity it takes.
func EmailTopic(customer string) string { return Bus(customer) + "-email" }

// WebhookParameter is the encrypted parameter holding a webhook's URL.
func WebhookParameter(customer, webhook string) string {
	return ParameterPrefix + customer + "/webhooks/" + webhook
}

// The hub's watch over itself: rules on the default bus of the hub region
// (and of the regions whose CloudTrail events it needs but cannot see
// there) that tell the operator when someone but a deployer changes the
// hub.
const (
	// RelayRole lets the watch rules outside the hub region put what they
	// match on the hub region's default bus.
	RelayRole = Prefix + "watch-relay"
	// RelayDLQ takes, in each region with relay rules, what could not be
	// relayed.
	RelayDLQ = Prefix + "watch-dlq"
)

// WatchRule names the watch rule of what (kms, events, sns, ...). A rule
// relayed from another region has the same name there and in the hub
// region.
func WatchRule(what string) string { return Prefix + "watch-" + what }
