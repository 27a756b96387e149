package replay

import (
	"encoding/json"
	"fmt"
	"strings"
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
	// Quiet says why an alert was not sent: "duplicate" (its finding was
	// already reported and is unchanged), "flood" (collapsed into its
	// window's summary) or "suppressed:<name>"; absent when it was sent.
	Quiet string `json:"quiet,omitempty"`
	// Notes are what the alert says besides the event: a finding that
	// came back, a severity that rose.
	Notes []string `json:"notes,omitempty"`
	// Note says how the event was adapted to the member, or when it was
	// replayed out of its time order.
	Note string `json:"note,omitempty"`

	// A message the function's tick sends on its own is a result of its
	// own, with no file: Time is the tick's, and one of Summary (a flood
	// window's summary, Covers the events it counts), Reminder (a finding
	// still open), Report (a silent member rule) or Weekly (what was kept
	// quiet in a week) is true.
	Time     string `json:"time,omitempty"`
	Summary  bool   `json:"summary,omitempty"`
	Reminder bool   `json:"reminder,omitempty"`
	Report   bool   `json:"report,omitempty"`
	Weekly   bool   `json:"weekly,omitempty"`
	Covers   []Ref  `json:"covers,omitempty"`
}

// Ref names an event of the input.
type Ref struct {
	File string `json:"file"`
	// Index is the event's number in its file, from 1.
	Index int `json:"index"`
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
