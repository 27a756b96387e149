package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/render"
	"secalerts/severity"
)

// Sender delivers rendered messages.
type Sender interface {
	// Publish puts a message on an SNS topic. subject is the e-mail
	// subject ("" for chat); attrs become Number message attributes, which
	// e-mail subscriptions filter on.
	Publish(ctx context.Context, topic, subject string, body []byte, attrs map[string]int) error
	// Post sends a webhook's body to the URL its parameter holds.
	Post(ctx context.Context, parameter string, body []byte) error
}

// Metrics counts what the engine does, per customer.
type Metrics interface {
	Count(customer, metric string, n int)
}

// Names of the metrics the engine counts.
const (
	MetricDelivered = "Delivered"
	MetricFailed    = "DeliveryFailed"
	MetricDuplicate = "Duplicate"
	MetricDropped   = "Dropped"
)

type noMetrics struct{}

func (noMetrics) Count(string, string, int) {}

// Options are the engine's stores and senders.
type Options struct {
	Store   Store
	Sender  Sender
	Metrics Metrics
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Engine decides and delivers. It is safe for concurrent use.
type Engine struct {
	cfg     *Config
	store   Store
	out     Sender
	metrics Metrics
	now     func() time.Time
	// catalogue matches what members forward; reports matches what the hub
	// itself reports (hub-only detectors). refs maps a matcher ID to its
	// detector and variant.
	catalogue, reports *eventbridge.Matcher
	refs               map[string]variantRef
	// closing matches the events that close a finding, by detector ID.
	closing *eventbridge.Matcher
	// renderer is render.Render; tests make it fail.
	renderer func(render.Format, render.Message) (render.Output, error)
	// settled are the flood windows no tick needs to read again.
	settled settledWindows
}

type variantRef struct {
	detector detectors.Detector
	variant  detectors.Variant
}

// New prepares an engine for cfg.
func New(cfg *Config, o Options) (*Engine, error) {
	if cfg == nil || o.Store == nil || o.Sender == nil {
		return nil, errors.New("creating the delivery engine: a config, a store and a sender are required")
	}
	e := &Engine{cfg: cfg, store: o.Store, out: o.Sender, metrics: o.Metrics, now: o.Now,
		catalogue: eventbridge.NewMatcher(), reports: eventbridge.NewMatcher(), refs: map[string]variantRef{},
		closing: eventbridge.NewMatcher(), renderer: render.Render}
	if e.metrics == nil {
		e.metrics = noMetrics{}
	}
	if e.now == nil {
		e.now = time.Now
	}
	// The hub matches with the catalogue's default options: a member's
	// options (Config rule names) only narrow what it forwards.
	for _, d := range detectors.All() {
		m := e.catalogue
		if d.HubOnly {
			m = e.reports
		}
		if d.Closes != nil {
			pattern, err := json.Marshal(d.Closes)
			if err != nil {
				return nil, fmt.Errorf("creating the delivery engine: closing pattern of %s: %w", d.ID, err)
			}
			if err := e.closing.Add(d.ID, pattern); err != nil {
				return nil, fmt.Errorf("creating the delivery engine: %w", err)
			}
		}
		for i, v := range d.VariantsAtLeast(detectors.Options{}, severity.Informational) {
			id := d.ID + "/" + strconv.Itoa(i)
			pattern, err := json.Marshal(v.Pattern)
			if err != nil {
				return nil, fmt.Errorf("creating the delivery engine: pattern of %s/%s: %w", d.ID, v.Name, err)
			}
			if err := m.Add(id, pattern); err != nil {
				return nil, fmt.Errorf("creating the delivery engine: %w", err)
			}
			e.refs[id] = variantRef{detector: d, variant: v}
		}
	}
	return e, nil
}

// Patterns are every event pattern the engine matches, and one naming the
// envelope fields it reads: what an event may be cut down to (forecast's
// pruning) without changing a decision.
func (e *Engine) Patterns() [][]byte {
	out := [][]byte{[]byte(`{"id":[{"exists":true}],"account":[{"exists":true}],"region":[{"exists":true}],"time":[{"exists":true}],"resources":[{"exists":true}],"source":[{"exists":true}],"detail-type":[{"exists":true}]}`)}
	for _, d := range detectors.All() {
		for _, v := range d.VariantsAtLeast(detectors.Options{}, severity.Informational) {
			if b, err := json.Marshal(v.Pattern); err == nil {
				out = append(out, b)
			}
		}
	}
	return out
}

// Input is what the function receives from a customer bus: the rule's input
// transformer writes the customer's name beside the untouched event.
type Input struct {
	Customer string          `json:"customer"`
	Event    json.RawMessage `json:"event"`
}

// envelope is the part of an event the engine decides on.
type envelope struct {
	ID         string   `json:"id"`
	Account    string   `json:"account"`
	Region     string   `json:"region"`
	Source     string   `json:"source"`
	DetailType string   `json:"detail-type"`
	Time       string   `json:"time"`
	Resources  []string `json:"resources"`
}

func readEnvelope(event []byte) (envelope, error) {
	var env envelope
	if err := json.Unmarshal(event, &env); err != nil {
		return env, fmt.Errorf("not an EventBridge event: %w", err)
	}
	return env, env.check()
}

func (env envelope) check() error {
	if env.Source == "" || env.DetailType == "" || env.Account == "" || env.Region == "" {
		return errors.New("not an EventBridge event: source, detail-type, account and region are required")
	}
	return nil
}

// Decision is who gets an event, and as what.
type Decision struct {
	Customer *Customer
	// Detector and Variant name the alert: the highest severity that
	// matches. Zero when nothing matched.
	Detector detectors.Detector
	Variant  detectors.Variant
	// Routing is the severity the alert is routed at: the variant's,
	// raised for tampering to the minimum of the customer's highest
	// destination, so a pager that takes only CRITICAL hears of every
	// attempt to blind the pipeline.
	Routing severity.Severity
	// Destinations are the customer's destinations whose minimum severity
	// Routing reaches; Operator is true for the hub's own reports and for
	// tampering, which the operator hears of too.
	Destinations []*Destination
	Operator     bool
	// Dropped says why nothing is delivered.
	Dropped string
	// Heartbeat is the member rule whose scheduled event this is: it is
	// recorded, never delivered.
	Heartbeat *Heartbeat
	// Closes is the detector one of whose findings the event closes: it is
	// remembered, never delivered.
	Closes string
}

// Alerting reports whether the decision delivers anything.
func (d Decision) Alerting() bool { return len(d.Destinations) > 0 || d.Operator }

// Decide decides what happens to an event a member forwarded to customer's
// bus. It reads no state and sends nothing: replay and forecast call it as
// the function does.
func (e *Engine) Decide(customer string, event []byte) (Decision, error) {
	return e.decide(customer, readDecision(event), false)
}

// DecideReport decides what happens to an event the hub itself makes
// about a member of customer (see Report).
func (e *Engine) DecideReport(customer string, event []byte) (Decision, error) {
	return e.decide(customer, readDecision(event), true)
}

func (e *Engine) decide(customer string, r *reading, fromHub bool) (Decision, error) {
	var d Decision
	c := e.cfg.customer(customer)
	if c == nil {
		return d, fmt.Errorf("no customer %q in the delivery plan", customer)
	}
	d.Customer = c
	env, err := r.env, r.envErr
	if err != nil {
		return d, err
	}
	if !fromHub {
		if hb, ok := heartbeatOf(env); ok {
			if !c.admits(env.Account) {
				d.Dropped = fmt.Sprintf("a heartbeat of account %s, which is not one of customer %s's accounts", env.Account, c.Name)
				return d, nil
			}
			d.Heartbeat = &hb
			return d, nil
		}
		// Every account a customer lists is pinned here, as AWS advises
		// for rules that receive other accounts' events; the bus policy
		// checked an organization's membership.
		if !c.admits(env.Account) {
			d.Dropped = fmt.Sprintf("account %s is not one of customer %s's accounts", env.Account, c.Name)
			return d, nil
		}
	}
	m := e.catalogue
	if fromHub {
		m = e.reports
	}
	doc, err := r.doc()
	if err != nil {
		return d, err
	}
	ids, err := m.MatchEvent(doc)
	if err != nil {
		return d, err
	}
	found := false
	for _, id := range ids {
		ref := e.refs[id]
		if !found || ref.variant.Severity > d.Variant.Severity ||
			(ref.variant.Severity == d.Variant.Severity && ref.detector.ID < d.Detector.ID) {
			d.Detector, d.Variant, found = ref.detector, ref.variant, true
		}
	}
	if !found {
		if !fromHub {
			closing, err := e.closing.MatchEvent(doc)
			if err != nil {
				return d, err
			}
			if len(closing) > 0 {
				d.Closes = closing[0]
				return d, nil
			}
		}
		d.Dropped = "no detector of the catalogue matches it"
		return d, nil
	}
	if d.Detector.ID == detectors.CanaryID && d.Variant.Severity > c.CanaryMaxSeverity {
		d.Dropped = fmt.Sprintf("customer %s takes canaries up to %s (canaryMaxSeverity)", c.Name, c.CanaryMaxSeverity)
		return d, nil
	}
	d.Routing = d.Variant.Severity
	for i := range c.Destinations {
		if d.Detector.Tamper {
			d.Routing = max(d.Routing, c.Destinations[i].MinSeverity)
		}
	}
	for i := range c.Destinations {
		if c.Destinations[i].MinSeverity <= d.Routing {
			d.Destinations = append(d.Destinations, &c.Destinations[i])
		}
	}
	// The operator hears of the hub's own reports and of every attempt to
	// blind the pipeline.
	d.Operator = (fromHub || d.Detector.Tamper) && e.cfg.Hub.OperatorTopic != ""
	if !d.Alerting() {
		d.Dropped = fmt.Sprintf("no destination of customer %s takes %s", c.Name, d.Variant.Severity)
	}
	return d, nil
}

// Delivery is one message sent, or that would have been.
type Delivery struct {
	// Destination is the destination's ID, or "operator" for the
	// operator's topic.
	Destination string
	Subject     string
	Body        []byte
	// Duplicate is true when an earlier delivery of the same event to the
	// same destination had already sent it: nothing was sent again.
	Duplicate bool
}

// Outcome is what the engine did with one event.
type Outcome struct {
	Decision
	// Quiet says why an alert was not sent: QuietDuplicate, QuietFlood, or
	// QuietSuppressed and the suppression's name; "" when it was.
	Quiet string
	// Notes are what the alert said besides the event (a reopened
	// finding, a raised severity).
	Notes      []string
	Deliveries []Delivery
}

// Handle decides and delivers one event of a customer bus. Deliveries that
// fail are returned as an error after every other destination was tried;
// the ones that succeeded are remembered, so the retry sends only what is
// missing.
func (e *Engine) Handle(ctx context.Context, in Input) (Outcome, error) {
	r := readAlert(in.Event)
	d, err := e.decide(in.Customer, r, false)
	out := Outcome{Decision: d}
	if err != nil {
		return out, err
	}
	switch {
	case d.Heartbeat != nil:
		return out, e.recordHeartbeat(ctx, d.Customer, *d.Heartbeat)
	case d.Closes != "":
		if id := r.identity(d.Closes); id != "" {
			return out, e.close(ctx, d.Customer, id)
		}
		return out, nil
	case !d.Alerting():
		e.metrics.Count(d.Customer.Name, MetricDropped, 1)
		return out, nil
	}
	env := r.env
	if env.ID == "" {
		// Deliveries are remembered by event ID; EventBridge gives every
		// event one.
		return out, errors.New("not an EventBridge event: it has no id")
	}
	msg, err := e.message(d, r)
	if err != nil {
		return out, err
	}
	f := r.eventFacts()
	c := d.Customer
	// Suppressions are the customer's own words; tampering, the canary and
	// the hub's reports are never theirs to silence.
	if d.Detector.Suppressible() {
		for _, sup := range c.Suppressions {
			if sup.matches(d.Detector.ID, d.Variant.Severity, msg.AccountID, msg.Region, f, e.now()) {
				out.Quiet = QuietSuppressed + sup.Name
				e.metrics.Count(c.Name, MetricSuppressed, 1)
				return out, e.tally(ctx, c, out.Quiet, d.Detector.ID)
			}
		}
	}
	if id := r.identity(d.Detector.ID); id != "" {
		notes, repeat, err := e.repeat(ctx, d, id, env.ID, msg)
		if err != nil {
			return out, err
		}
		if repeat {
			out.Quiet = QuietDuplicate
			e.metrics.Count(c.Name, MetricRepeat, 1)
			return out, e.tally(ctx, c, out.Quiet, d.Detector.ID)
		}
		out.Notes = notes
		msg.Notes = append(msg.Notes, notes...)
	}
	collapsed, err := e.flooded(ctx, d, f, msg.AccountID, msg.Title, env.ID)
	if err != nil {
		return out, err
	}
	if collapsed {
		out.Quiet = QuietFlood
		e.metrics.Count(c.Name, MetricCollapsed, 1)
		return out, e.tally(ctx, c, out.Quiet, d.Detector.ID)
	}
	out.Deliveries, err = e.dispatch(ctx, c, env.ID, d.Destinations, d.Operator, d.Routing, msg)
	return out, err
}

// Report delivers an event the hub itself makes about a member of
// customer (a silence): its customer's destinations and the operator hear
// of it. Replay calls it for the hub's own events.
func (e *Engine) Report(ctx context.Context, customer string, event []byte) (Outcome, error) {
	r := readDecision(event)
	d, err := e.decide(customer, r, true)
	out := Outcome{Decision: d}
	if err != nil || !d.Alerting() {
		return out, err
	}
	msg, err := e.message(d, r)
	if err != nil {
		return out, err
	}
	out.Deliveries, err = e.dispatch(ctx, d.Customer, r.env.ID, d.Destinations, d.Operator, d.Routing, msg)
	return out, err
}

// OperatorID names the operator's topic among deliveries.
const OperatorID = "operator"

// sendUnit is one send: a topic publish or a webhook call, standing for
// one or more destinations (every address of an e-mail topic).
type sendUnit struct {
	id           string
	destinations []string
	format       render.Format
	topic        string
	parameter    string
	attrs        map[string]int
}

// dispatch renders msg for each of dests (and the operator) and sends it
// once per send: id names what is sent (an event, a reminder, a summary),
// so that sending it again sends nothing. A send that fails, in rendering
// or in sending, is returned as an error after every other send was
// tried.
func (e *Engine) dispatch(ctx context.Context, c *Customer, id string, dests []*Destination, operator bool, sev severity.Severity, msg render.Message) ([]Delivery, error) {
	var out []Delivery
	var errs []error
	// Sends of one format share its rendering (an e-mail topic and the
	// operator's, two chat channels): each format used is rendered once.
	type rendering struct {
		out render.Output
		err error
	}
	formats := map[render.Format]rendering{}
	for _, u := range units(dests, operator, sev, e.cfg.Hub.OperatorTopic) {
		r, ok := formats[u.format]
		if !ok {
			r.out, r.err = e.renderer(u.format, msg)
			formats[u.format] = r
		}
		if r.err != nil {
			errs = append(errs, fmt.Errorf("rendering %s for %s: %w", msg.DetectorID, u.id, r.err))
			e.metrics.Count(c.Name, MetricFailed, 1)
			continue
		}
		rendered := r.out
		dup, err := e.sendOnce(ctx, c.Name, id, u, rendered)
		if err != nil {
			errs = append(errs, err)
			e.metrics.Count(c.Name, MetricFailed, 1)
			continue
		}
		metric := MetricDelivered
		if dup {
			metric = MetricDuplicate
		}
		e.metrics.Count(c.Name, metric, 1)
		for _, dest := range u.destinations {
			out = append(out, Delivery{Destination: dest, Subject: rendered.Subject, Body: rendered.Body, Duplicate: dup})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Destination < out[j].Destination })
	return out, errors.Join(errs...)
}

// units groups the destinations of a decision into sends: one publish per
// topic (every e-mail address of a customer shares its topic, and each
// subscription filters on the severity attribute), one call per webhook.
func units(dests []*Destination, operator bool, severity severity.Severity, operatorTopic string) []sendUnit {
	var out []sendUnit
	byTopic := map[string]int{}
	sev := int(severity)
	for _, dest := range dests {
		switch dest.Kind {
		case Webhook:
			f := render.FormatJSON
			if dest.Format == "slack" {
				f = render.FormatSlack
			}
			out = append(out, sendUnit{id: dest.ID, destinations: []string{dest.ID}, format: f, parameter: dest.Parameter})
		default:
			if i, ok := byTopic[dest.Topic]; ok {
				out[i].destinations = append(out[i].destinations, dest.ID)
				continue
			}
			f := render.FormatChatbot
			var attrs map[string]int
			if dest.Kind == Email {
				f, attrs = render.FormatEmail, map[string]int{SeverityAttribute: sev}
			}
			byTopic[dest.Topic] = len(out)
			out = append(out, sendUnit{id: dest.Topic, destinations: []string{dest.ID}, format: f, topic: dest.Topic, attrs: attrs})
		}
	}
	if operator {
		out = append(out, sendUnit{id: OperatorID, destinations: []string{OperatorID}, format: render.FormatEmail, topic: operatorTopic})
	}
	return out
}

// SeverityAttribute is the message attribute e-mail subscriptions filter
// on: the alert's severity as a number, INFORMATIONAL 0 to CRITICAL 4.
const SeverityAttribute = "severity"

// message renders the decision's alert as a format-independent message,
// from the document decide matched.
func (e *Engine) message(d Decision, r *reading) (render.Message, error) {
	doc, err := r.doc()
	if err != nil {
		return render.Message{}, err
	}
	x, err := render.ExtractDoc(d.Detector, d.Variant, r.raw, doc.Doc())
	if err != nil {
		return render.Message{}, err
	}
	return render.FromEvent(x, render.Context{
		Customer: d.Customer.Name, AccountName: d.Customer.accountName(x.Account), ThreadID: threadID(d.Detector.ID, r.identity(d.Detector.ID)),
	}), nil
}
