// Package plan turns a validated stack configuration into a typed plan of
// everything the stack deploys: every name, ARN, policy document, rule
// (pattern and name), target and destination of the hub (per customer) and
// of a member (per region). Building the plan is the validation of every
// AWS limit the configuration can reach (policy sizes, rules per bus,
// pattern sizes), so it fails before any resource exists, and each policy
// document is built exactly once: the components translate the plan into
// resources, and the offline tool routes events through the same plan.
//
// The package is pure: it never imports the Pulumi SDK.
package plan

import (
	"errors"

	"secalerts/config"
	"secalerts/names"
	"secalerts/policy"
)

// Hub is the plan of a hub stack.
type Hub struct {
	// Account is the hub account in the hub region.
	Account names.Account
	// Key is the customer managed key of the buses, topics and queues.
	Key Key
	// AlarmTopic is the operator's topic; AlarmEmails are subscribed to it.
	AlarmTopic  Topic
	AlarmEmails []string
	// Chatbot is the role and guardrail of every chat channel; nil when no
	// customer has one.
	Chatbot *Chatbot
	// Heartbeat watches the members' heartbeats; nil when it is off.
	Heartbeat *Heartbeat
	Customers []Customer
	// Archive is the central log archive; nil when the hub keeps none.
	Archive *Archive
}

// Key is a customer managed KMS key and its alias.
type Key struct {
	Alias              string
	Policy             policy.Document
	DeletionWindowDays int
}

// Topic is an SNS topic encrypted with the hub key.
type Topic struct {
	Name, ARN string
	Policy    policy.Document
}

// Queue is an SQS dead-letter queue.
type Queue struct {
	Name, ARN string
	Policy    policy.Document
	// DepthAlarm goes off as soon as one message waits in the queue.
	DepthAlarm string
}

// Chatbot is what every AWS Chatbot channel configuration of the hub shares.
type Chatbot struct {
	RoleName      string
	Trust         policy.Document
	Permissions   policy.Document
	GuardrailName string
	Guardrail     policy.Document
}

// hubKey is the config key of the hub; every hub error path starts with it.
const hubKey = "secalerts:hub"

// NewHub plans the hub h. Every AWS limit the design meets is checked
// here, before the first resource: rules per bus and pattern sizes by the
// customers' rules, the bus policies, the key policy and the archive's
// policies by building them. The error joins every problem found.
func NewHub(h *config.Hub) (*Hub, error) {
	acct := h.Account()
	p := &Hub{
		Account:     acct,
		AlarmEmails: h.AlarmEmails,
		AlarmTopic: Topic{Name: names.AlarmTopic, ARN: acct.TopicARN(names.AlarmTopic),
			// Budgets and Cost Anomaly Detection may publish to the
			// operator's topic when asked, next to the alarms.
			Policy: policy.TopicPolicy(acct, acct.TopicARN(names.AlarmTopic), policy.TopicPublishers{
				Alarms: true, Budgets: h.AllowBudgets, CostAnomaly: h.AllowCostAnomaly,
			})},
	}
	var errs []error
	if h.Heartbeat.Enabled {
		p.Heartbeat = newHeartbeat(acct, h)
	}
	for i, c := range h.Customers {
		cp, err := newCustomer(acct, h, i, c)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.Customers = append(p.Customers, cp)
		if p.Chatbot == nil && len(cp.Slack)+len(cp.Teams) > 0 {
			p.Chatbot = newChatbot(acct)
		}
	}
	if p.Heartbeat != nil {
		p.Heartbeat.finish(acct, p.Customers)
	}
	p.Key = Key{Alias: names.HubKeyAlias, DeletionWindowDays: h.KeyDeletionWindowDays, Policy: p.keyPolicy(h)}
	if h.LogArchive != nil {
		a, err := newArchive(acct, h)
		if err != nil {
			errs = append(errs, err)
		}
		p.Archive = a
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

// keyPolicy lets the hub key serve exactly the planned buses, topics and
// queues.
func (p *Hub) keyPolicy(h *config.Hub) policy.Document {
	var buses, queues []string
	topics := []string{p.AlarmTopic.ARN}
	if p.Heartbeat != nil {
		queues = append(queues, p.Heartbeat.DLQ.ARN)
	}
	for _, c := range p.Customers {
		buses = append(buses, c.Bus.ARN)
		queues = append(queues, c.DLQ.ARN)
		for _, t := range c.Topics {
			topics = append(topics, t.ARN)
		}
	}
	return policy.KeyPolicy(p.Account, policy.KeyPolicyInput{
		Administrators: h.KeyAdministrators, EventBusARNs: buses, TopicARNs: topics, QueueARNs: queues,
		AllowBudgets: h.AllowBudgets, AllowCostAnomaly: h.AllowCostAnomaly,
	})
}

// newChatbot plans the role every Chatbot channel uses and the guardrail
// that caps what channel members can do with it: read-only notification
// permissions, never the console's AdministratorAccess default.
func newChatbot(acct names.Account) *Chatbot {
	return &Chatbot{
		RoleName: names.ChatbotRole, Trust: policy.ChatbotTrustPolicy(acct), Permissions: policy.ChatbotNotificationsPolicy(),
		GuardrailName: names.ChatbotGuardrail, Guardrail: policy.ChatbotGuardrailPolicy(),
	}
}

// Customer returns the plan of the customer called name.
func (p *Hub) Customer(name string) (*Customer, bool) {
	for i := range p.Customers {
		if p.Customers[i].Name == name {
			return &p.Customers[i], true
		}
	}
	return nil, false
}

// BusARNs maps each customer to its bus ARN: the hub stack's busArns
// output, which member stacks read.
func (p *Hub) BusARNs() map[string]string {
	out := map[string]string{}
	for _, c := range p.Customers {
		out[c.Name] = c.Bus.ARN
	}
	return out
}
