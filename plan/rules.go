package plan

import (
	"encoding/json"
	"fmt"

	"secalerts/config"
	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/messages"
	"secalerts/names"
	"secalerts/severity"
)

// Tags on every hub rule: what it alerts on, for the console.
const (
	TagDetector = "secalerts:detector"
	TagSeverity = "secalerts:severity"
)

// MaxTargetsPerRule is EventBridge's fixed limit of targets per rule.
const MaxTargetsPerRule = 5

// maxRuleNameLength is EventBridge's limit on rule names.
const maxRuleNameLength = 64

// Target is one delivery of a rule.
type Target struct {
	// ID is the EventBridge target ID, unique within the rule.
	ID   string
	Kind TargetKind
	// Topic is the topic name (chat, e-mail and operator targets).
	Topic string
	// Webhook is the webhook name (webhook targets).
	Webhook     string
	Transformer eventbridge.InputTransformer
}

// Rule is one alerting rule on the customer's bus: one detector variant
// for one group of accounts, delivered to every destination the variant's
// severity reaches.
type Rule struct {
	Name     string
	Detector string
	Variant  string
	Severity severity.Severity
	// Pattern is the marshalled event pattern.
	Pattern string
	Targets []Target
}

// planRules plans a rule per detector variant and account group, plus the
// hub-only detectors when secalerts:hub.heartbeat is on.
func (cp *Customer) planRules(h *config.Hub, c config.Customer) error {
	lowest, any := lowestSeverity(c)
	if !any {
		return fmt.Errorf("customer %s has no destination", c.Name)
	}
	groups := accountGroups(c)
	for _, d := range detectors.All() {
		if d.HubOnly {
			if !h.Heartbeat.Enabled {
				continue
			}
			rules, err := cp.hubOnlyRules(c, d, h.AccountID)
			if err != nil {
				return err
			}
			cp.Rules = append(cp.Rules, rules...)
			continue
		}
		for _, v := range d.VariantsAtLeast(detectors.Options{}, lowest) {
			targets := cp.targetsFor(c, v)
			for gi, g := range groups {
				ts, err := withContext(targets, c, d, v, g)
				if err != nil {
					return err
				}
				rules, err := chunkRules(d, v, g, gi, len(groups), ts)
				if err != nil {
					return err
				}
				cp.Rules = append(cp.Rules, rules...)
			}
		}
	}
	return nil
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

// targetsFor lists the deliveries of variant v: every topic and webhook
// whose minSeverity v reaches.
func (cp *Customer) targetsFor(c config.Customer, v detectors.Variant) []target {
	var out []target
	for _, t := range cp.Topics {
		if t.MinSeverity > v.Severity {
			continue
		}
		format := messages.Chatbot
		if t.Kind == EmailTopic {
			format = messages.Email
		}
		out = append(out, target{Target: Target{ID: names.TopicTarget(string(t.Kind), t.MinSeverity), Kind: t.Kind, Topic: t.Name}, format: format})
	}
	for _, w := range c.Webhooks {
		if w.MinSeverity > v.Severity {
			continue
		}
		format := messages.JSONWebhook
		if w.Format == config.FormatSlack {
			format = messages.SlackWebhook
		}
		out = append(out, target{Target: Target{ID: names.WebhookTarget(w.Name), Kind: WebhookTarget, Webhook: w.Name}, format: format})
	}
	return out
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

// withContext renders each target's message for account group g.
func withContext(ts []target, c config.Customer, d detectors.Detector, v detectors.Variant, g accountGroup) ([]Target, error) {
	var out []Target
	for _, t := range ts {
		tr, err := messages.Transformer(t.format, d, v, messages.Context{Customer: c.Name, AccountName: g.name})
		if err != nil {
			return nil, fmt.Errorf("rendering %s/%s for %s: %w", d.ID, v.Name, t.format, err)
		}
		t.Transformer = tr
		out = append(out, t.Target)
	}
	return out, nil
}

// chunkRules makes one rule per five targets, EventBridge's limit.
func chunkRules(d detectors.Detector, v detectors.Variant, g accountGroup, gi, groups int, ts []Target) ([]Rule, error) {
	var out []Rule
	for chunk := 0; chunk*MaxTargetsPerRule < len(ts); chunk++ {
		end := min(len(ts), (chunk+1)*MaxTargetsPerRule)
		r, err := rule(d, v, g, names.HubRule(d.ID, v.Name, gi+1, groups, chunk), ts[chunk*MaxTargetsPerRule:end])
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func rule(d detectors.Detector, v detectors.Variant, g accountGroup, name string, ts []Target) (Rule, error) {
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
