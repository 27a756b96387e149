package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"secalerts/engine"
	"secalerts/eventbridge"
)

// Delivery is one message the event produces.
type Delivery struct {
	Customer    string `json:"customer"`
	Destination string `json:"destination"`
	// Subject is an e-mail's subject; Message is exactly what is published
	// or posted (a Chatbot delivery's is the notification JSON).
	Subject string `json:"subject,omitempty"`
	Message string `json:"message"`
	// Duplicate is true when an earlier event of the same ID already went
	// there: nothing is sent again.
	Duplicate bool `json:"duplicate,omitempty"`
}

// Result is what happened to one event.
type Result struct {
	File string `json:"file"`
	// Index is the event's number in its file, from 1.
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
	// Heartbeat is true for a member rule's scheduled event, which the hub
	// records and never delivers.
	Heartbeat bool `json:"heartbeat,omitempty"`
	// Detector, Severity and Message are always present, empty when
	// nothing is delivered, so every result has the same keys.
	Detector   string     `json:"detector"`
	Severity   string     `json:"severity"`
	Deliveries []Delivery `json:"deliveries"`
	// Message is the chat rendering when there is one, else the first.
	Message string `json:"message"`
	Error   string `json:"error,omitempty"`
	// Undeliverable says why EventBridge would not carry the event (its
	// size); such an event is not replayed.
	Undeliverable string `json:"undeliverable,omitempty"`
	// Note says how the event was adapted to the member.
	Note string `json:"note,omitempty"`
}

// IsChat reports whether a delivery's destination is a chat channel reached
// through AWS Chatbot, whose message is a Chatbot custom notification.
func IsChat(destination string) bool {
	return strings.HasPrefix(destination, "slack:") || strings.HasPrefix(destination, "teams:")
}

// Envelope is the part of an event the pipeline routes on.
type Envelope struct {
	ID         string `json:"id"`
	Account    string `json:"account"`
	Region     string `json:"region"`
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Time       string `json:"time"`
}

// ReadEnvelope decodes the routing fields of an event and checks that it
// is an EventBridge event.
func ReadEnvelope(event []byte) (Envelope, error) {
	env, _, err := readEnvelope(event)
	return env, err
}

// readEnvelope is ReadEnvelope, also returning the event's top-level
// members when it could read them without encoding/json (nil otherwise).
func readEnvelope(event []byte) (Envelope, object, error) {
	var env Envelope
	var o object
	ok := json.Valid(event)
	if ok {
		if o, ok = splitObject(event); ok {
			env, ok = o.envelope()
		}
	}
	if !ok {
		// encoding/json decides, and says what is wrong.
		o, env = nil, Envelope{}
		if err := json.Unmarshal(event, &env); err != nil {
			return env, nil, fmt.Errorf("not an EventBridge event: %w", err)
		}
	}
	if env.Source == "" || env.DetailType == "" || env.Account == "" || env.Region == "" {
		return env, nil, fmt.Errorf("not an EventBridge event: source, detail-type, account and region are required")
	}
	return env, o, nil
}

// Prepare puts an event of another account in the member account (see
// InMember) and returns it, its envelope, and a note saying what changed
// ("" when nothing did). Events of the hub account stay as they are.
func (r *Router) Prepare(event []byte) ([]byte, Envelope, string, error) {
	env, o, err := readEnvelope(event)
	if err != nil {
		return nil, env, "", err
	}
	if env.Account == r.hubAccount || env.Account == r.account {
		return event, env, "", nil
	}
	if o != nil {
		event = o.withAccount(r.account)
	} else if event, err = inMemberMap(event, r.account); err != nil {
		return nil, env, "", err
	}
	note := fmt.Sprintf("account %s replaced by the member's account %s", env.Account, r.account)
	env.Account = r.account
	return event, env, note, nil
}

// Replay routes one event (the index-th of file, from 1) and delivers it
// through the engine, with the engine's state carried from the events
// replayed before.
func (r *Router) Replay(file string, index int, event []byte) Result {
	res := Result{File: file, Index: index, Deliveries: []Delivery{}}
	if why := Undeliverable(event); why != "" {
		res.Undeliverable = why
		return res
	}
	// Errors name the event as Stream does: a file may hold several.
	where := fmt.Sprintf("%s: event %d", file, index)
	event, env, note, err := r.Prepare(event)
	if err != nil {
		res.Error = fmt.Sprintf("%s is %v", where, err)
		return res
	}
	res.EventID, res.Account, res.Region, res.Note = env.ID, env.Account, env.Region, note
	out, reached, err := r.reach(event, env.Region, env.Account)
	if err != nil {
		res.Error = fmt.Sprintf("%s: %v", where, err)
		return res
	}
	res.Forwarded, res.ForwardRule, res.Customer, res.Dropped = out.Forwarded, out.ForwardRule, out.Customer, out.Dropped
	if !reached {
		return res
	}
	if out.FromHub {
		res.Note = fmt.Sprintf("event of the hub account %s, made by the hub itself for bus %s", env.Account, r.customer.Bus.Name)
	}
	if t, err := time.Parse(time.RFC3339, env.Time); err == nil {
		r.clock.advance(t)
	}
	var o engine.Outcome
	if out.FromHub {
		o, err = r.engine.Report(context.Background(), r.customer.Name, event)
	} else {
		var in engine.Input
		if in, err = r.input(event); err == nil {
			o, err = r.engine.Handle(context.Background(), in)
		}
	}
	if err != nil {
		res.Error = fmt.Sprintf("%s: %v", where, err)
		return res
	}
	decided := withDecision(Outcome{}, o.Decision)
	res.Dropped, res.Heartbeat, res.Detector, res.Severity = decided.Dropped, decided.Heartbeat, decided.Detector, decided.Severity
	for _, d := range o.Deliveries {
		res.Deliveries = append(res.Deliveries, Delivery{Customer: r.customer.Name, Destination: d.Destination,
			Subject: d.Subject, Message: string(d.Body), Duplicate: d.Duplicate})
	}
	for _, d := range res.Deliveries {
		if IsChat(d.Destination) {
			res.Message = d.Message
			break
		}
	}
	if res.Message == "" && len(res.Deliveries) > 0 {
		res.Message = res.Deliveries[0].Message
	}
	return res
}

// input is what the bus's rule hands the delivery function: its input
// transformer applied to the event as EventBridge applies it.
func (r *Router) input(event []byte) (engine.Input, error) {
	c := r.customer
	t := eventbridge.InputTransformer{Paths: map[string]string{}, Template: c.Rule.Input}
	text, err := t.Render(event, eventbridge.RuleInfo{Name: c.Rule.Name, ARN: c.Rule.ARN, IngestionTime: r.clock.now()})
	if err != nil {
		return engine.Input{}, fmt.Errorf("applying the input transformer of rule %s: %w", c.Rule.Name, err)
	}
	var in engine.Input
	if err := json.Unmarshal([]byte(text), &in); err != nil {
		return engine.Input{}, fmt.Errorf("the input transformer of rule %s made no delivery input: %w", c.Rule.Name, err)
	}
	return in, nil
}
