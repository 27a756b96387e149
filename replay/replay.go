package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
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
	Dropped    string     `json:"dropped,omitempty"`
	Detector   string     `json:"detector,omitempty"`
	Severity   string     `json:"severity,omitempty"`
	Deliveries []Delivery `json:"deliveries"`
	// Message is the chat rendering when there is one, else the first.
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
	// Note says how the event was adapted to the member.
	Note string `json:"note,omitempty"`
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
	var env envelope
	var err error
	if err = json.Unmarshal(event, &env); err != nil {
		res.Error = fmt.Sprintf("%s: not an EventBridge event: %v", file, err)
		return res
	}
	if env.Source == "" || env.DetailType == "" || env.Account == "" || env.Region == "" {
		res.Error = fmt.Sprintf("%s: not an EventBridge event: source, detail-type, account and region are required", file)
		return res
	}
	if p.account != "" && env.Account != p.account {
		// An event replayed through a member happens in that member: its
		// default bus only ever carries the member's own account ID.
		if event, err = withAccount(event, p.account); err != nil {
			res.Error = fmt.Sprintf("%s: %v", file, err)
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
			res.Error = fmt.Sprintf("%s: matching member rule %s: %v", file, r.name, err)
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
	best := severity.Severity(-1)
	for _, r := range b.rules {
		ok, err := eventbridge.MatchPattern(r.pattern, event)
		if err != nil {
			res.Error = fmt.Sprintf("%s: matching hub rule %s: %v", file, r.name, err)
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
				res.Error = fmt.Sprintf("%s: rendering target %s of rule %s: %v", file, t.id, r.name, err)
				return res
			}
			for _, d := range t.destinations {
				res.Deliveries = append(res.Deliveries, Delivery{Customer: b.customer, Destination: d, Rule: r.name, Message: msg})
			}
		}
	}
	sort.SliceStable(res.Deliveries, func(i, j int) bool { return res.Deliveries[i].Destination < res.Deliveries[j].Destination })
	for _, d := range res.Deliveries {
		if res.Message == "" || bytes.HasPrefix([]byte(d.Destination), []byte("slack:")) {
			res.Message = d.Message
		}
	}
	if len(res.Deliveries) == 0 {
		res.Dropped = "no hub rule of customer " + b.customer + " matches it at its destinations' minimum severities"
	}
	return res
}
