package plan

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"secalerts/config"
	"secalerts/detectors"
	"secalerts/engine"
	"secalerts/eventbridge"
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
	// Rule hands the bus's events to the delivery function.
	Rule DeliverRule
	// Chat are the Chatbot channels, each reading its own topic.
	Chat []ChatChannel
	// EmailTopic carries the e-mails (nil without addresses); each address's
	// subscription filters on the severities it takes.
	EmailTopic *Topic
	Emails     []EmailSubscription
	// Webhooks are called by the function with the URL their parameter
	// holds.
	Webhooks []Webhook
	// Quiet are the function's quiet rules for the customer, as configured.
	engine.Quiet
}

// Bus is the customer's event bus and its archive (of the same name).
type Bus struct {
	Name, ARN   string
	Description string
	// Policy admits events:PutEvents from the customer's accounts only.
	Policy               policy.Document
	ArchiveRetentionDays int
}

// DeliverRule is the one rule of a customer bus. It lets through the
// catalogue's genuine aws.* sources and the canary, which the function
// decides on, and none of what a member could send under a source of its
// own making; it does not grow with accounts, detectors or destinations.
type DeliverRule struct {
	Name, ARN string
	Pattern   string
	// Input is the target's input template: the customer's name written
	// in literally beside the whole event (aws.events.event.json, which
	// "can only be used as a value for a JSON field": EventBridge User
	// Guide, input transformation, predefined variables).
	Input string
}

// ChatChannel is a Chatbot Slack or Teams channel configuration and the
// topic it reads.
type ChatChannel struct {
	// Kind is engine.Slack or engine.Teams.
	Kind  string
	Slack config.SlackChannel
	Teams config.TeamsChannel
	// ConfigurationName is unique in the account.
	ConfigurationName string
	Topic             Topic
	MinSeverity       severity.Severity
	// Destination is the channel's ID in messages and replay.
	Destination string
}

// EmailSubscription subscribes Address to the customer's e-mail topic,
// taking alerts of MinSeverity and above.
type EmailSubscription struct {
	Address     string
	MinSeverity severity.Severity
	// FilterPolicy is the subscription's filter on the severity attribute
	// the function sets.
	FilterPolicy string
}

// Webhook is one webhook and the encrypted parameter holding its URL.
type Webhook struct {
	config.Webhook
	Parameter string
}

// newCustomer plans customer c (the i-th) of hub h.
func newCustomer(acct names.Account, h *config.Hub, i int, c config.Customer) (Customer, error) {
	bus := names.Bus(c.Name)
	cp := Customer{
		Name: c.Name, Accounts: c.Accounts, OrganizationID: c.OrganizationID,
		Quiet: c.Quiet,
		Bus: Bus{Name: bus, ARN: acct.EventBusARN(bus), Description: "secalerts: security events of customer " + c.Name,
			ArchiveRetentionDays: h.ArchiveRetentionDays},
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
	rule, err := deliverRule(acct, bus, c.Name)
	if err != nil {
		return Customer{}, err
	}
	cp.Rule = rule

	for _, s := range c.Slack {
		cp.Chat = append(cp.Chat, chatChannel(acct, c.Name, engine.Slack, s.ChannelID, s.MinSeverity,
			"slack:"+s.WorkspaceID+"/"+s.ChannelID, func(ch *ChatChannel) { ch.Slack = s }))
	}
	for _, t := range c.Teams {
		cp.Chat = append(cp.Chat, chatChannel(acct, c.Name, engine.Teams, t.ChannelID, t.MinSeverity,
			"teams:"+t.TeamID+"/"+t.DecodedChannelID(), func(ch *ChatChannel) { ch.Teams = t }))
	}
	if len(c.Emails) > 0 {
		name := names.EmailTopic(c.Name)
		cp.EmailTopic = &Topic{Name: name, ARN: acct.TopicARN(name), Policy: policy.TopicPolicy(acct, acct.TopicARN(name), policy.TopicPublishers{})}
	}
	for _, e := range c.Emails {
		cp.Emails = append(cp.Emails, EmailSubscription{Address: e.Address, MinSeverity: e.MinSeverity, FilterPolicy: severityFilter(e.MinSeverity)})
	}
	for _, w := range c.Webhooks {
		cp.Webhooks = append(cp.Webhooks, Webhook{Webhook: w, Parameter: names.WebhookParameter(c.Name, w.Name)})
	}
	return cp, nil
}

func chatChannel(acct names.Account, customer, kind, channel string, min severity.Severity, dest string, set func(*ChatChannel)) ChatChannel {
	topic := names.ChatTopic(customer, kind, channel)
	ch := ChatChannel{
		Kind: kind, ConfigurationName: names.ChatConfiguration(acct.Region, customer, kind, channel), MinSeverity: min, Destination: dest,
		Topic: Topic{Name: topic, ARN: acct.TopicARN(topic), Policy: policy.TopicPolicy(acct, acct.TopicARN(topic), policy.TopicPublishers{})},
	}
	set(&ch)
	return ch
}

// severityFilter is an e-mail subscription's filter policy: only messages
// whose severity attribute is min or higher (SNS Developer Guide, "Numeric
// value matching", with FilterPolicyScope MessageAttributes, the default).
func severityFilter(min severity.Severity) string {
	b, _ := json.Marshal(map[string]any{engine.SeverityAttribute: []any{map[string]any{"numeric": []any{">=", int(min)}}}})
	return string(b)
}

// deliverRule plans the rule of bus: every source the catalogue's member
// detectors pin (each an aws.* source no account can put, or the
// canary's), and aws.events for the members' scheduled heartbeats.
func deliverRule(acct names.Account, bus, customer string) (DeliverRule, error) {
	sources := map[string]bool{"aws.events": true}
	for _, d := range detectors.All() {
		if d.HubOnly {
			continue
		}
		for _, v := range d.VariantsAtLeast(detectors.Options{}, severity.Informational) {
			for _, s := range patternSources(v.Pattern) {
				sources[s] = true
			}
		}
	}
	var list []string
	for s := range sources {
		list = append(list, s)
	}
	sort.Strings(list)
	pattern, err := json.Marshal(map[string]any{"source": list})
	if err != nil {
		return DeliverRule{}, fmt.Errorf("marshalling the rule of bus %s: %w", bus, err)
	}
	if err := eventbridge.ValidatePattern(pattern); err != nil {
		return DeliverRule{}, fmt.Errorf("the rule of bus %s: %w", bus, err)
	}
	customerJSON, _ := json.Marshal(customer)
	return DeliverRule{
		Name: names.DeliverRule, ARN: acct.RuleARN(bus, names.DeliverRule), Pattern: string(pattern),
		Input: `{"customer":` + string(customerJSON) + `,"event":<aws.events.event.json>}`,
	}, nil
}

// patternSources lists the literal sources a pattern pins, through $or.
func patternSources(p map[string]any) []string {
	var out []string
	if vals, ok := p["source"].([]any); ok {
		for _, v := range vals {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
	}
	if ors, ok := p["$or"].([]any); ok {
		for _, o := range ors {
			if m, ok := o.(map[string]any); ok {
				out = append(out, patternSources(m)...)
			}
		}
	}
	return out
}

// Destinations lists the customer's destinations as the function reads
// them.
func (c *Customer) Destinations() []engine.Destination {
	var out []engine.Destination
	for _, ch := range c.Chat {
		out = append(out, engine.Destination{ID: ch.Destination, Kind: ch.Kind, MinSeverity: ch.MinSeverity, Topic: ch.Topic.ARN})
	}
	for _, e := range c.Emails {
		out = append(out, engine.Destination{ID: "email:" + e.Address, Kind: engine.Email, MinSeverity: e.MinSeverity, Topic: c.EmailTopic.ARN})
	}
	for _, w := range c.Webhooks {
		out = append(out, engine.Destination{ID: "webhook:" + w.Name, Kind: engine.Webhook, MinSeverity: w.MinSeverity,
			Parameter: w.Parameter, Format: string(w.Format)})
	}
	return out
}

// QuietWarnings are what a preview says of the customer's suppressions
// that cannot match any alert it would send at now: expired ones, and ones
// whose accounts the customer does not admit, whose severity bound lies at
// or under every destination's minimum, or whose principals no detector
// it names reports. They are not errors: an expired suppression is
// harmless, and saying so is the point.
func (c *Customer) QuietWarnings(now time.Time) []string {
	lowest := severity.Critical
	for _, d := range c.Destinations() {
		lowest = min(lowest, d.MinSeverity)
	}
	var out []string
	for _, s := range c.Suppressions {
		what := fmt.Sprintf("suppression %q of customer %s", s.Name, c.Name)
		if s.Expired(now) {
			out = append(out, fmt.Sprintf("%s expired on %s and no longer applies: remove it from the stack", what, s.Until))
			continue
		}
		if c.OrganizationID == "" && len(s.Accounts) > 0 && !slices.ContainsFunc(s.Accounts, c.lists) {
			out = append(out, fmt.Sprintf("%s matches nothing: none of its accounts (%s) is one of the customer's", what, strings.Join(s.Accounts, ", ")))
		}
		if s.Below != nil && *s.Below <= lowest {
			out = append(out, fmt.Sprintf("%s matches nothing: every destination takes %s or higher, and it applies only below %s", what, lowest, *s.Below))
		}
		if len(s.Principals) > 0 && len(s.Detectors) > 0 && !slices.ContainsFunc(s.Detectors, namesPrincipal) {
			out = append(out, fmt.Sprintf("%s matches nothing: none of its detectors (%s) reports who acted (only CloudTrail records do)", what, strings.Join(s.Detectors, ", ")))
		}
	}
	return out
}

// lists reports whether the customer lists account.
func (c *Customer) lists(account string) bool {
	return slices.ContainsFunc(c.Accounts, func(a config.Account) bool { return a.ID == account })
}

// namesPrincipal reports whether the detector's events name who acted.
func namesPrincipal(id string) bool {
	d, err := detectors.ByID(id)
	return err == nil && d.FromCloudTrail()
}
