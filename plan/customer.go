package plan

import (
	"fmt"
	"sort"

	"secalerts/config"
	"secalerts/names"
	"secalerts/policy"
	"secalerts/severity"
)

// Customer is everything on and behind one customer's bus.
type Customer struct {
	Name     string
	Accounts []config.Account
	// OrganizationID admits every account of an organization; "" when the
	// customer lists its accounts only.
	OrganizationID string
	Bus            Bus
	// DLQ takes what the bus and its rules could not deliver.
	DLQ Queue
	// FailedInvocationsAlarm watches every rule of the bus at once.
	FailedInvocationsAlarm string
	// Topics are the chat and e-mail topics, one per kind and minimum
	// severity, sorted by name.
	Topics []ChannelTopic
	Slack  []SlackChannel
	Teams  []TeamsChannel
	Emails []EmailSubscription
	// Webhooks are called through EventBridge API destinations with
	// WebhookRole; WebhookRole is "" without webhooks.
	Webhooks    []Webhook
	WebhookRole string
	// Rules are the bus's alerting rules; Heartbeat hands the members'
	// heartbeats to the hub's heartbeat function (nil when it is off).
	Rules     []Rule
	Heartbeat *HeartbeatRule
}

// Bus is the customer's event bus and its archive (of the same name).
type Bus struct {
	Name, ARN   string
	Description string
	// Policy admits events:PutEvents from the customer's accounts only.
	Policy               policy.Document
	ArchiveRetentionDays int
}

// TargetKind says what a target delivers to.
type TargetKind string

// The kinds of target a hub rule has.
const (
	ChatTopic     TargetKind = "chat"  // SNS topic read by AWS Chatbot
	EmailTopic    TargetKind = "email" // SNS topic with e-mail subscriptions
	WebhookTarget TargetKind = "webhook"
	// OperatorTopic is the operator's alarm topic, read by
	// secalerts:hub.alarmEmails: hub-only detectors tell the operator too.
	OperatorTopic TargetKind = "operator"
)

// ChannelTopic is an SNS topic of a customer: every destination of one kind
// with one minSeverity shares it.
type ChannelTopic struct {
	Topic
	Kind        TargetKind
	MinSeverity severity.Severity
}

// SlackChannel is a Chatbot Slack channel configuration reading Topic.
type SlackChannel struct {
	config.SlackChannel
	ConfigurationName string
	Topic             string
}

// TeamsChannel is a Chatbot Teams channel configuration reading Topic.
type TeamsChannel struct {
	config.TeamsChannel
	ConfigurationName string
	Topic             string
}

// EmailSubscription subscribes Address to Topic.
type EmailSubscription struct {
	Address string
	Topic   string
}

// Webhook is one webhook: its connection and API destination share
// DestinationName.
type Webhook struct {
	config.Webhook
	DestinationName string
}

// newCustomer plans customer c (the i-th) of hub h.
func newCustomer(acct names.Account, h *config.Hub, i int, c config.Customer) (Customer, error) {
	bus := names.Bus(c.Name)
	cp := Customer{
		Name: c.Name, Accounts: c.Accounts, OrganizationID: c.OrganizationID,
		Bus: Bus{Name: bus, ARN: acct.EventBusARN(bus), Description: "secalerts: security events of customer " + c.Name,
			ArchiveRetentionDays: h.ArchiveRetentionDays},
		FailedInvocationsAlarm: names.FailedInvocationsAlarm(c.Name),
	}
	var ids []string
	for _, a := range c.Accounts {
		ids = append(ids, a.ID)
	}
	busPolicy, err := policy.EventBusPolicy(cp.Bus.ARN, ids, c.OrganizationID)
	if err != nil {
		return Customer{}, fmt.Errorf("%s.customers[%d].accounts: %w", hubKey, i, err)
	}
	cp.Bus.Policy = busPolicy
	dlq := names.BusDLQ(c.Name)
	cp.DLQ = Queue{Name: dlq, ARN: acct.QueueARN(dlq), DepthAlarm: names.QueueDepthAlarm(dlq),
		Policy: policy.QueuePolicy(acct, acct.QueueARN(dlq), []string{cp.Bus.ARN, acct.RuleARN(bus, "*")})}

	cp.Topics = topics(acct, c)
	for i, s := range c.Slack {
		cp.Slack = append(cp.Slack, SlackChannel{SlackChannel: s, ConfigurationName: names.SlackConfiguration(c.Name, i),
			Topic: names.Topic(c.Name, string(ChatTopic), s.MinSeverity)})
	}
	for i, t := range c.Teams {
		cp.Teams = append(cp.Teams, TeamsChannel{TeamsChannel: t, ConfigurationName: names.TeamsConfiguration(c.Name, i),
			Topic: names.Topic(c.Name, string(ChatTopic), t.MinSeverity)})
	}
	for _, e := range c.Emails {
		cp.Emails = append(cp.Emails, EmailSubscription{Address: e.Address, Topic: names.Topic(c.Name, string(EmailTopic), e.MinSeverity)})
	}
	for _, w := range c.Webhooks {
		cp.Webhooks = append(cp.Webhooks, Webhook{Webhook: w, DestinationName: names.WebhookDestination(c.Name, w.Name)})
	}
	if len(c.Webhooks) > 0 {
		cp.WebhookRole = names.WebhooksRole(c.Name)
	}

	if err := cp.planRules(h, c); err != nil {
		return Customer{}, err
	}
	if h.Heartbeat.Enabled {
		hb, err := heartbeatRule(c)
		if err != nil {
			return Customer{}, err
		}
		cp.Heartbeat = &hb
	}
	if n := cp.RuleCount(); n > h.MaxRulesPerBus {
		return Customer{}, fmt.Errorf("customer %s needs %d rules on its bus, over the %d allowed by %s.maxRulesPerBus "+
			"(EventBridge's rules-per-bus quota): raise the quota in Service Quotas and maxRulesPerBus with it, "+
			"raise the lowest minSeverity of its destinations, or name fewer accounts (each named account gets its own rules "+
			"so messages can show its name)", c.Name, n, h.MaxRulesPerBus, hubKey)
	}
	return cp, nil
}

// topics groups the chat and e-mail destinations by minSeverity.
func topics(acct names.Account, c config.Customer) []ChannelTopic {
	seen := map[string]bool{}
	var out []ChannelTopic
	add := func(kind TargetKind, s severity.Severity) {
		name := names.Topic(c.Name, string(kind), s)
		if !seen[name] {
			seen[name] = true
			arn := acct.TopicARN(name)
			out = append(out, ChannelTopic{Topic: Topic{Name: name, ARN: arn, Policy: policy.TopicPolicy(acct, arn, policy.TopicPublishers{})},
				Kind: kind, MinSeverity: s})
		}
	}
	for _, s := range c.Slack {
		add(ChatTopic, s.MinSeverity)
	}
	for _, t := range c.Teams {
		add(ChatTopic, t.MinSeverity)
	}
	for _, e := range c.Emails {
		add(EmailTopic, e.MinSeverity)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RuleCount is the number of rules the plan puts on the bus, the number
// EventBridge's rules-per-bus quota counts.
func (c *Customer) RuleCount() int {
	n := len(c.Rules)
	if c.Heartbeat != nil {
		n++
	}
	return n
}

// AccountName is the display name of account in the customer's list, ""
// when it has none.
func (c *Customer) AccountName(account string) string {
	for _, a := range c.Accounts {
		if a.ID == account {
			return a.Name
		}
	}
	return ""
}
