// Package plan turns a validated stack configuration into a typed plan of
// everything the stack deploys: every name, ARN, policy document, rule
// (pattern and name), target and destination of the hub (per customer) and
// of a member (per region). Building the plan is the validation of every
// AWS limit the configuration can reach (policy sizes, quotas, name
// lengths and uniqueness), so it fails before any resource exists, and
// each policy document is built exactly once: the components translate the
// plan into resources, the delivery function reads the document the plan
// makes for it, and the offline tool routes events through the same plan.
//
// The package is pure: it never imports the Pulumi SDK.
package plan

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"secalerts/config"
	"secalerts/engine"
	"secalerts/names"
	"secalerts/policy"
)

// Hub is the plan of a hub stack.
type Hub struct {
	// Account is the hub account in the hub region.
	Account names.Account
	// Key encrypts the customers' buses, archives, topics and webhook
	// parameters and the function's state.
	Key Key
	// OperatorKey encrypts the operator's topic alone, so the operator
	// hears of failures when the hub key fails.
	OperatorKey Key
	// AlarmTopic is the operator's topic; AlarmEmails are subscribed to it.
	AlarmTopic  Topic
	AlarmEmails []string
	// Chatbot is the role and guardrail of every chat channel and the
	// region where channel configurations are made; nil when no customer
	// has one.
	Chatbot *Chatbot
	// Function is the delivery function.
	Function Function
	// BusDLQ takes what any customer bus, or its rule, could not deliver,
	// and what the watch rules of the hub region could not publish.
	BusDLQ    Queue
	Customers []Customer
	// SelfWatch is the hub's watch over itself.
	SelfWatch *SelfWatch
	// Archive is the central log archive; nil when the hub keeps none.
	Archive *Archive
}

// Key is a customer managed KMS key and its alias.
type Key struct {
	Alias              string
	Policy             policy.Document
	DeletionWindowDays int
}

// Topic is an SNS topic.
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

// Depth is the alarm that goes off as soon as one message waits in q, and
// back to OK once it is empty.
func (q Queue) Depth(description string) Alarm {
	return Alarm{Name: q.DepthAlarm, Description: description, Namespace: "AWS/SQS", Metric: "ApproximateNumberOfMessagesVisible",
		Statistic: "Maximum", Comparison: "GreaterThanThreshold", Missing: "notBreaching",
		Dimensions: map[string]string{"QueueName": q.Name}, Period: 300, Periods: 1}
}

// Chatbot is what every AWS Chatbot channel configuration of the hub shares.
type Chatbot struct {
	// Region serves the Chatbot API; the hub's topics stay in the hub
	// region, which a configuration may read from.
	Region        string
	RoleName      string
	Trust         policy.Document
	Permissions   policy.Document
	GuardrailName string
	Guardrail     policy.Document
}

// hubKey is the config key of the hub; every hub error path starts with it.
const hubKey = "secalerts:hub"

// NewHub plans the hub h. Every AWS limit the design meets is checked
// here, before the first resource: names unique and within their lengths,
// quotas, and every policy document within its size. The error joins every
// problem found.
func NewHub(h *config.Hub) (*Hub, error) {
	acct := h.Account()
	admins := policy.KeyPolicyInput{Administrators: h.KeyAdministrators, AdministratorsMayDisable: h.KeyAdministratorsMayDisable}
	p := &Hub{
		Account:     acct,
		Key:         Key{Alias: names.HubKeyAlias, DeletionWindowDays: h.KeyDeletionWindowDays, Policy: policy.KeyPolicy(acct, admins)},
		AlarmEmails: h.AlarmEmails,
		OperatorKey: Key{Alias: names.OperatorKeyAlias, DeletionWindowDays: h.KeyDeletionWindowDays,
			Policy: policy.OperatorKeyPolicy(acct, policy.OperatorKeyInput{KeyPolicyInput: admins, Events: true,
				AllowBudgets: h.AllowBudgets, AllowCostAnomaly: h.AllowCostAnomaly})},
		AlarmTopic: Topic{Name: names.AlarmTopic, ARN: acct.TopicARN(names.AlarmTopic)},
		BusDLQ:     Queue{Name: names.BusDLQ, ARN: acct.QueueARN(names.BusDLQ), DepthAlarm: names.QueueDepthAlarm(names.BusDLQ)},
	}
	var errs []error
	watch, err := newSelfWatch(acct, h, p)
	if err != nil {
		errs = append(errs, err)
		watch = &SelfWatch{}
	}
	p.SelfWatch = watch
	// The hub's watch over itself (exactly its rules of the hub region),
	// its alarms, and Budgets and Cost Anomaly Detection when asked publish
	// to the operator's topic; the delivery function through its role.
	p.AlarmTopic.Policy = policy.TopicPolicy(acct, p.AlarmTopic.ARN, policy.TopicPublishers{
		EventRules: watch.TopicRules(), Alarms: true, Budgets: h.AllowBudgets, CostAnomaly: h.AllowCostAnomaly,
	})
	// A bus's own dead-letter queue is sent to with the bus as source, a
	// rule target's with the rule (EventBridge User Guide, "Using
	// dead-letter queues"): the buses and deliver rules by the prefix, the
	// tick and the watch rules by name.
	p.BusDLQ.Policy = policy.QueuePolicy(acct, p.BusDLQ.ARN, append([]string{
		acct.EventBusARN(names.Bus("*")), acct.RuleARN(names.Bus("*"), names.DeliverRule), acct.RuleARN("", names.TickRule)},
		watch.TopicRules()...))
	for i, c := range h.Customers {
		cp, err := newCustomer(acct, h, i, c)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.Customers = append(p.Customers, cp)
		if p.Chatbot == nil && len(cp.Chat) > 0 {
			p.Chatbot = &Chatbot{
				Region: h.ChatbotRegion, RoleName: names.ChatbotRole, Trust: policy.ChatbotTrustPolicy(acct),
				Permissions: policy.ChatbotNotificationsPolicy(), GuardrailName: names.ChatbotGuardrail, Guardrail: policy.ChatbotGuardrailPolicy(),
			}
		}
	}
	errs = append(errs, uniqueNames(p.Customers)...)
	fn, err := newFunction(acct, h, p)
	if err != nil {
		errs = append(errs, err)
	}
	p.Function = fn
	errs = append(errs, p.checkSizes()...)
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

// uniqueNames refuses two customers whose resources of one kind would have
// one name: customer names are unique, but a name built from a customer
// and a channel could still be another customer's.
func uniqueNames(customers []Customer) []error {
	var errs []error
	owner := map[string]string{}
	claim := func(kind, name, who string) {
		key := kind + "\x00" + name
		if first, ok := owner[key]; ok && first != who {
			errs = append(errs, fmt.Errorf("%s.customers: %s and %s would both need the %s %q: rename one of them", hubKey, first, who, kind, name))
			return
		}
		owner[key] = who
	}
	for _, c := range customers {
		claim("event bus", c.Bus.Name, c.Name)
		for _, ch := range c.Chat {
			claim("SNS topic", ch.Topic.Name, c.Name)
			claim("Chatbot configuration", ch.ConfigurationName, c.Name)
		}
		if c.EmailTopic != nil {
			claim("SNS topic", c.EmailTopic.Name, c.Name)
		}
		for _, w := range c.Webhooks {
			claim("parameter", w.Parameter, c.Name)
		}
	}
	return errs
}

// Size limits of the hub's documents (KMS, IAM, Lambda quotas pages).
const (
	// maxKeyPolicy is KMS's key policy limit, 32 KB.
	maxKeyPolicy = 32 * 1024
	// maxRolePolicy is IAM's limit on a role's inline policies together,
	// 10,240 characters.
	maxRolePolicy = 10240
)

// checkSizes holds every hub-wide document to its AWS limit. They are
// written so that their size does not grow with customers; this proves it
// for the configuration at hand.
func (p *Hub) checkSizes() []error {
	var errs []error
	check := func(what string, d policy.Document, limit int) {
		s, err := d.JSON()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
			return
		}
		if len(s) > limit {
			errs = append(errs, fmt.Errorf("%s: the %s would be %d characters, over AWS's limit of %d", hubKey, what, len(s), limit))
		}
	}
	check("hub key policy", p.Key.Policy, maxKeyPolicy)
	check("operator key policy", p.OperatorKey.Policy, maxKeyPolicy)
	check("delivery function's role policy", p.Function.Permissions(exampleKeyARN(p.Account), exampleKeyARN(p.Account)), maxRolePolicy)
	return errs
}

// exampleKeyARN has the length of every KMS key ARN of the account: key
// IDs are UUIDs.
func exampleKeyARN(a names.Account) string {
	return a.ARN("kms", "key/00000000-0000-0000-0000-000000000000")
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

// CustomerNames lists the customers, sorted.
func (p *Hub) CustomerNames() []string {
	var out []string
	for _, c := range p.Customers {
		out = append(out, c.Name)
	}
	sort.Strings(out)
	return out
}

// Delivery is the document the delivery function reads: the hub's
// customers, their accounts and destinations, and the heartbeat settings.
func (p *Hub) Delivery() *engine.Config { return p.Function.Config }

// Warnings are what the hub's preview should say without failing: the
// suppressions that no longer apply or cannot match, at now.
func (p *Hub) Warnings(now time.Time) []string {
	var out []string
	for i := range p.Customers {
		out = append(out, p.Customers[i].QuietWarnings(now)...)
	}
	return out
}
