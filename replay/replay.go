package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"secalerts/eventbridge"
	"secalerts/severity"
)

// Delivery is one message the event would produce.
type Delivery struct {
	Customer    string `json:"customer"`
	Destination string `json:"destination"`
	Rule        string `json:"rule"`
	Message     string `json:"message"`
}

// Result is what happened to one event.
type Result struct {
	File      string `json:"file"`
	Index     int    `json:"index"`
	EventID   string `json:"eventId,omitempty"`
	Account   string `json:"account,omitempty"`
	Region    string `json:"region,omitempty"`
	Forwarded bool   `json:"forwarded"`
	// ForwardRule is the member rule that let the event through.
	ForwardRule string `json:"forwardRule,omitempty"`
	Customer    string `json:"customer,omitempty"`
	// Dropped says why a forwarded event produced no delivery.
	Dropped string `json:"dropped,omitempty"`
	// Detector, Severity and Message are always present, empty when
	// nothing is delivered, so every result has the same keys.
	Detector   string     `json:"detector"`
	Severity   string     `json:"severity"`
	Deliveries []Delivery `json:"deliveries"`
	// Message is the chat rendering when there is one, else the first.
	Message string `json:"message"`
	Error   string `json:"error,omitempty"`
	// Note says how the event was adapted to the member.
	Note string `json:"note,omitempty"`
}

// IsChat reports whether a delivery's destination is a chat channel reached
// through AWS Chatbot, whose message is a Chatbot custom notification.
func IsChat(destination string) bool {
	return strings.HasPrefix(destination, "slack:") || strings.HasPrefix(destination, "teams:")
}

// withAccount returns event with its account field set, numbers kept as
// written.
func withAccount(event []byte, account string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not an EventBridge event: %w", err)
	}
	m["account"] = account
	return json.Marshal(m)
}

// envelope is the part of an event the pipeline routes on.
type envelope struct {
	ID         string `json:"id"`
	Account    string `json:"account"`
	Region     string `json:"region"`
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
}

// Replay sends one event through the member's rules of its region, the hub
// bus's policy and the hub's rules.
func (p *Pipeline) Replay(file string, index int, event []byte) Result {
	res := Result{File: file, Index: index, Deliveries: []Delivery{}}
	// Errors name the event as ReadEvents does: a file may hold several.
	where := fmt.Sprintf("%s: event %d", file, index+1)
	var env envelope
	var err error
	if err = json.Unmarshal(event, &env); err != nil {
		res.Error = fmt.Sprintf("%s is not an EventBridge event: %v", where, err)
		return res
	}
	if env.Source == "" || env.DetailType == "" || env.Account == "" || env.Region == "" {
		res.Error = fmt.Sprintf("%s is not an EventBridge event: source, detail-type, account and region are required", where)
		return res
	}
	if p.hubAccount != "" && env.Account == p.hubAccount {
		return p.fromHub(res, env, event, where)
	}
	if p.account != "" && env.Account != p.account {
		// An event replayed through a member happens in that member: its
		// default bus only ever carries the member's own account ID.
		if event, err = withAccount(event, p.account); err != nil {
			res.Error = fmt.Sprintf("%s: %v", where, err)
			return res
		}
		res.Note = fmt.Sprintf("account %s replaced by the member's account %s", env.Account, p.account)
		env.Account = p.account
	}
	res.EventID, res.Account, res.Region = env.ID, env.Account, env.Region

	var target string
	for _, r := range p.member {
		if r.region != env.Region {
			continue
		}
		ok, err := eventbridge.MatchPattern(r.pattern, event)
		if err != nil {
			res.Error = fmt.Sprintf("%s: matching member rule %s: %v", where, r.name, err)
			return res
		}
		if ok {
			res.Forwarded, res.ForwardRule, target = true, r.name, r.target
			break
		}
	}
	if !res.Forwarded {
		return res
	}
	b := p.buses[target]
	if b == nil {
		res.Dropped = "the member forwards to " + target + ", which the hub stack does not create"
		return res
	}
	res.Customer = b.customer
	if !admits(b.policy, env.Account, target) {
		res.Dropped = fmt.Sprintf("the policy of bus %s does not admit account %s", b.name, env.Account)
		return res
	}
	return p.deliver(res, b, target, event, where)
}

// fromHub replays an event the hub account puts on the member's customer
// bus itself, as its heartbeat check does: no member rule, no bus policy.
func (p *Pipeline) fromHub(res Result, env envelope, event []byte, where string) Result {
	res.EventID, res.Account, res.Region = env.ID, env.Account, env.Region
	var target string
	for _, r := range p.member {
		target = r.target
	}
	b := p.buses[target]
	if b == nil {
		res.Dropped = "the event comes from the hub account, and the member forwards to no bus of the hub stack"
		return res
	}
	res.Forwarded, res.Customer = true, b.customer
	res.Note = fmt.Sprintf("event of the hub account %s, put directly on bus %s", env.Account, b.name)
	return p.deliver(res, b, target, event, where)
}

// deliver applies the rules of bus b to an event that reached it.
func (p *Pipeline) deliver(res Result, b *bus, target string, event []byte, where string) Result {
	best := severity.Severity(-1)
	for _, r := range b.rules {
		ok, err := eventbridge.MatchPattern(r.pattern, event)
		if err != nil {
			res.Error = fmt.Sprintf("%s: matching hub rule %s: %v", where, r.name, err)
			return res
		}
		if !ok {
			continue
		}
		if s, err := severity.Parse(r.severity); err == nil && s > best {
			best, res.Detector, res.Severity = s, r.detector, r.severity
		}
		for _, t := range r.targets {
			msg, err := t.transformer.Render(event, eventbridge.RuleInfo{Name: r.name,
				ARN: fmt.Sprintf("%s/%s", target, r.name), IngestionTime: time.Now().UTC()})
			if err != nil {
				res.Error = fmt.Sprintf("%s: rendering target %s of rule %s: %v", where, t.id, r.name, err)
				return res
			}
			for _, d := range t.destinations {
				res.Deliveries = append(res.Deliveries, Delivery{Customer: b.customer, Destination: d, Rule: r.name, Message: msg})
			}
		}
	}
	sort.SliceStable(res.Deliveries, func(i, j int) bool {
		a, b := res.Deliveries[i], res.Deliveries[j]
		if a.Destination != b.Destination {
			return a.Destination < b.Destination
		}
		return a.Rule < b.Rule
	})
	for _, d := range res.Deliveries {
		if IsChat(d.Destination) {
			res.Message = d.Message
			break
		}
	}
	if res.Message == "" && len(res.Deliveries) > 0 {
		res.Message = res.Deliveries[0].Message
	}
	if len(res.Deliveries) == 0 {
		res.Dropped = "no hub rule of customer " + b.customer + " matches it at its destinations' minimum severities"
	}
	return res
}
