package replay

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"secalerts/eventbridge"
	"secalerts/names"
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

// Envelope is the part of an event the pipeline routes on.
type Envelope struct {
	ID         string `json:"id"`
	Account    string `json:"account"`
	Region     string `json:"region"`
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
}

// ReadEnvelope decodes the routing fields of an event and checks that it
// is an EventBridge event.
func ReadEnvelope(event []byte) (Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(event, &env); err != nil {
		return env, fmt.Errorf("not an EventBridge event: %w", err)
	}
	if env.Source == "" || env.DetailType == "" || env.Account == "" || env.Region == "" {
		return env, fmt.Errorf("not an EventBridge event: source, detail-type, account and region are required")
	}
	return env, nil
}

// Prepare puts an event of another account in the member account (see
// InMember) and returns it, its envelope, and a note saying what changed
// ("" when nothing did). Events of the hub account stay as they are.
func (r *Router) Prepare(event []byte) ([]byte, Envelope, string, error) {
	env, err := ReadEnvelope(event)
	if err != nil {
		return nil, env, "", err
	}
	if env.Account == r.hubAccount || env.Account == r.account {
		return event, env, "", nil
	}
	event, err = InMember(event, r.account)
	if err != nil {
		return nil, env, "", err
	}
	note := fmt.Sprintf("account %s replaced by the member's account %s", env.Account, r.account)
	env.Account = r.account
	return event, env, note, nil
}

// Replay routes one event (the index-th of file, counted from 0) and
// renders every delivery's message as its target would.
func (r *Router) Replay(file string, index int, event []byte) Result {
	res := Result{File: file, Index: index, Deliveries: []Delivery{}}
	// Errors name the event as ReadEvents does: a file may hold several.
	where := fmt.Sprintf("%s: event %d", file, index+1)
	event, env, note, err := r.Prepare(event)
	if err != nil {
		res.Error = fmt.Sprintf("%s is %v", where, err)
		return res
	}
	res.EventID, res.Account, res.Region, res.Note = env.ID, env.Account, env.Region, note
	out, err := r.Route(event, env.Region, env.Account)
	if err != nil {
		res.Error = fmt.Sprintf("%s: %v", where, err)
		return res
	}
	res.Forwarded, res.ForwardRule, res.Customer, res.Dropped = out.Forwarded, out.ForwardRule, out.Customer, out.Dropped
	res.Detector, res.Severity = out.Detector, out.Severity
	if out.FromHub && out.Forwarded {
		res.Note = fmt.Sprintf("event of the hub account %s, put directly on bus %s", env.Account, r.bus.customer.Bus.Name)
	}
	acct, bus, _ := names.ParseEventBusARN(out.Target)
	rendered := map[string]string{}
	for _, d := range out.Deliveries {
		msg, ok := rendered[d.Rule+"/"+d.Target.ID]
		if !ok {
			msg, err = d.Target.Transformer.Render(event, eventbridge.RuleInfo{Name: d.Rule,
				ARN: acct.RuleARN(bus, d.Rule), IngestionTime: time.Now().UTC()})
			if err != nil {
				res.Error = fmt.Sprintf("%s: rendering target %s of rule %s: %v", where, d.Target.ID, d.Rule, err)
				return res
			}
			rendered[d.Rule+"/"+d.Target.ID] = msg
		}
		res.Deliveries = append(res.Deliveries, Delivery{Customer: out.Customer, Destination: d.Destination, Rule: d.Rule, Message: msg})
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
