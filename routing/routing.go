// Package routing plans a customer's bus in the hub: which rules it has (one
// per detector variant and account group), which destinations each rule
// delivers to (every destination whose minSeverity the variant reaches) and
// the message each destination gets. It is pure: the HubAccount component
// creates what the plan says, and validation runs the plan before any
// resource exists, so an AWS limit fails the preview, not the deployment.
package routing

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"secalerts/config"
	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/messages"
	"secalerts/severity"
)

// Tags on every hub rule: what it alerts on, for the console and for the
// offline replay, which reads the deployed resource graph.
const (
	TagDetector = "secalerts:detector"
	TagSeverity = "secalerts:severity"
)

// MaxTargetsPerRule is EventBridge's fixed limit of targets per rule.
const MaxTargetsPerRule = 5

// maxRuleNameLength is EventBridge's limit on rule names.
const maxRuleNameLength = 64

// TargetKind says what a target delivers to.
type TargetKind string

// The kinds of target a hub rule has.
const (
	ChatTopic  TargetKind = "chat"  // SNS topic read by AWS Chatbot
	EmailTopic TargetKind = "email" // SNS topic with e-mail subscriptions
	Webhook    TargetKind = "webhook"
	// OperatorTopic is the operator's alarm topic (AlarmTopicName), read by
	// secalerts:hub.alarmEmails: hub-only detectors tell the operator too.
	OperatorTopic TargetKind = "operator"
)

// Topic is an SNS topic of a customer: every destination of one kind with
// one minSeverity shares it.
type Topic struct {
	Name        string
	Kind        TargetKind
	MinSeverity severity.Severity
}

// Target is one delivery of a rule.
type Target struct {
	// ID is the EventBridge target ID, unique within the rule.
	ID   string
	Kind TargetKind
	// Topic is the topic name (chat and e-mail targets).
	Topic string
	// Webhook is the webhook name (webhook targets).
	Webhook     string
	Transformer eventbridge.InputTransformer
}

// Rule is one rule on the customer's bus.
type Rule struct {
	Name     string
	Detector string
	Variant  string
	Severity severity.Severity
	// Pattern is the marshalled event pattern.
	Pattern string
	Targets []Target
}

// Plan is everything on one customer's bus.
type Plan struct {
	Customer string
	BusName  string
	DLQName  string
	Topics   []Topic
	Rules    []Rule
	// Heartbeat is the rule that hands the members' heartbeats to the hub's
	// heartbeat function; nil when secalerts:hub.heartbeat is off.
	Heartbeat *HeartbeatRule
}

// BusName is the customer's event bus; member stacks put events to it.
func BusName(customer string) string { return detectors.ResourcePrefix + customer }

// AlarmTopicName is the operator's topic for delivery-failure alarms.
const AlarmTopicName = detectors.ResourcePrefix + "alarms"

// PlanHubCustomer plans c's bus in hub h, within h's rules-per-bus quota:
// a rule per detector variant and account group, plus the heartbeat rule
// and the hub-only detectors when secalerts:hub.heartbeat is on.
func PlanHubCustomer(h *config.Hub, c config.Customer) (Plan, error) {
	p := Plan{Customer: c.Name, BusName: BusName(c.Name), DLQName: BusName(c.Name) + "-dlq"}
	p.Topics = topics(c)
	lowest, any := lowestSeverity(c)
	if !any {
		return Plan{}, fmt.Errorf("customer %s has no destination", c.Name)
	}
	groups := accountGroups(c)
	for _, d := range detectors.All() {
		if d.HubOnly {
			if !h.Heartbeat.Enabled {
				continue
			}
			rules, err := hubOnlyRules(c, d, p.Topics, h.AccountID)
			if err != nil {
				return Plan{}, err
			}
			p.Rules = append(p.Rules, rules...)
			continue
		}
		for _, v := range d.VariantsAtLeast(detectors.Options{}, lowest) {
			targets, err := targetsFor(c, d, v, p.Topics)
			if err != nil {
				return Plan{}, err
			}
			for gi, g := range groups {
				ts := withContext(targets, c, d, v, g)
				for chunk := 0; chunk*MaxTargetsPerRule < len(ts); chunk++ {
					end := min(len(ts), (chunk+1)*MaxTargetsPerRule)
					r, err := rule(d, v, g, gi, chunk, len(groups), ts[chunk*MaxTargetsPerRule:end])
					if err != nil {
						return Plan{}, err
					}
					p.Rules = append(p.Rules, r)
				}
			}
		}
	}
	if h.Heartbeat.Enabled {
		h, err := heartbeatRule(c)
		if err != nil {
			return Plan{}, err
		}
		p.Heartbeat = &h
	}
	if n := p.RuleCount(); n > h.MaxRulesPerBus {
		return Plan{}, fmt.Errorf("customer %s needs %d rules on its bus, over the %d allowed by secalerts:hub.maxRulesPerBus "+
			"(EventBridge's rules-per-bus quota): raise the quota in Service Quotas and maxRulesPerBus with it, "+
			"raise the lowest minSeverity of its destinations, or name fewer accounts (each named account gets its own rules "+
			"so messages can show its name)", c.Name, n, h.MaxRulesPerBus)
	}
	return p, nil
}

// topics groups the chat and e-mail destinations by minSeverity.
func topics(c config.Customer) []Topic {
	seen := map[string]bool{}
	var out []Topic
	add := func(kind TargetKind, s severity.Severity) {
		name := fmt.Sprintf("%s-%s-%s", BusName(c.Name), kind, strings.ToLower(s.String()))
		if !seen[name] {
			seen[name] = true
			out = append(out, Topic{Name: name, Kind: kind, MinSeverity: s})
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

// ChatTopicName is the topic a chat channel with that minSeverity reads.
func ChatTopicName(customer string, s severity.Severity) string {
	return fmt.Sprintf("%s-%s-%s", BusName(customer), ChatTopic, strings.ToLower(s.String()))
}

// EmailTopicName is the topic an address with that minSeverity is subscribed to.
func EmailTopicName(customer string, s severity.Severity) string {
	return fmt.Sprintf("%s-%s-%s", BusName(customer), EmailTopic, strings.ToLower(s.String()))
}

func lowestSeverity(c config.Customer) (severity.Severity, bool) {
	lowest, any := severity.Critical, false
	note := func(s severity.Severity) {
		any = true
		lowest = min(lowest, s)
	}
	for _, s := range c.Slack {
		note(s.MinSeverity)
	}
	for _, t := range c.Teams {
		note(t.MinSeverity)
	}
	for _, e := range c.Emails {
		note(e.MinSeverity)
	}
	for _, w := range c.Webhooks {
		note(w.MinSeverity)
	}
	return lowest, any
}

// target is a delivery before its message is rendered for an account group.
type target struct {
	Target
	format messages.Format
}

func targetsFor(c config.Customer, d detectors.Detector, v detectors.Variant, ts []Topic) ([]target, error) {
	var out []target
	for _, t := range ts {
		if t.MinSeverity > v.Severity {
			continue
		}
		format := messages.Chatbot
		if t.Kind == EmailTopic {
			format = messages.Email
		}
		out = append(out, target{Target: Target{ID: strings.TrimPrefix(t.Name, BusName(c.Name)+"-"), Kind: t.Kind, Topic: t.Name}, format: format})
	}
	for _, w := range c.Webhooks {
		if w.MinSeverity > v.Severity {
			continue
		}
		format := messages.JSONWebhook
		if w.Format == config.FormatSlack {
			format = messages.SlackWebhook
		}
		out = append(out, target{Target: Target{ID: "webhook-" + w.Name, Kind: Webhook, Webhook: w.Name}, format: format})
	}
	return out, nil
}

// accountGroup is a set of accounts whose rules share a message; named
// accounts are alone in theirs so the message can carry the name.
type accountGroup struct {
	name string
	// match is the "account" pattern field; nil matches every account.
	match []any
}

func accountGroups(c config.Customer) []accountGroup {
	var named []config.Account
	for _, a := range c.Accounts {
		if a.Name != "" {
			named = append(named, a)
		}
	}
	if len(named) == 0 {
		return []accountGroup{{}}
	}
	var groups []accountGroup
	var ids []string
	for _, a := range named {
		groups = append(groups, accountGroup{name: a.Name, match: []any{a.ID}})
		ids = append(ids, a.ID)
	}
	if len(named) < len(c.Accounts) || c.OrganizationID != "" {
		groups = append(groups, accountGroup{match: []any{map[string]any{"anything-but": ids}}})
	}
	return groups
}

func withContext(ts []target, c config.Customer, d detectors.Detector, v detectors.Variant, g accountGroup) []Target {
	var out []Target
	for _, t := range ts {
		tr, err := messages.Transformer(t.format, d, v, messages.Context{Customer: c.Name, AccountName: g.name})
		if err != nil {
			// The catalogue's tests render every detector in every format;
			// reaching this is a programming error in the catalogue.
			panic(fmt.Sprintf("rendering %s/%s for %s: %v", d.ID, v.Name, t.format, err))
		}
		t.Transformer = tr
		out = append(out, t.Target)
	}
	return out
}

func rule(d detectors.Detector, v detectors.Variant, g accountGroup, gi, chunk, groups int, ts []Target) (Rule, error) {
	name := fmt.Sprintf("%s%s-%s", detectors.ResourcePrefix, d.ID, v.Name)
	if groups > 1 {
		name += fmt.Sprintf("-a%d", gi+1)
	}
	if chunk > 0 {
		name += fmt.Sprintf("-%d", chunk+1)
	}
	if len(name) > maxRuleNameLength {
		return Rule{}, fmt.Errorf("rule name %s is longer than EventBridge's %d characters", name, maxRuleNameLength)
	}
	pattern := map[string]any{}
	for k, val := range v.Pattern {
		pattern[k] = val
	}
	if g.match != nil {
		pattern["account"] = g.match
	}
	b, err := json.Marshal(pattern)
	if err != nil {
		return Rule{}, fmt.Errorf("marshalling the pattern of rule %s: %w", name, err)
	}
	if err := eventbridge.ValidatePattern(b); err != nil {
		return Rule{}, fmt.Errorf("pattern of rule %s: %w", name, err)
	}
	return Rule{Name: name, Detector: d.ID, Variant: v.Name, Severity: v.Severity, Pattern: string(b), Targets: ts}, nil
}
