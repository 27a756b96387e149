// Package replay sends events through the pipeline of a member and its hub
// as their plans deploy it: the member's forwarding rules of the event's
// region and the hub bus's policy and rule, with EventBridge's matching
// (package eventbridge) and the project's policy evaluator, then the hub's
// delivery engine itself, the code the delivery function runs, with its
// state in memory. Route is the one routing decision; Replay delivers on top
// of it, with the messages the function would send byte for byte, and
// forecast counts on top of it.
package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"secalerts/engine"
	"secalerts/eventbridge"
	"secalerts/names"
	"secalerts/plan"
	"secalerts/policy"
)

// Router decides what the pipeline does with events. It indexes the member
// rules of each region and caches bus-policy decisions. Route is safe for
// concurrent use; a Session replays events in order, with state.
type Router struct {
	// account is the member account: events on its default buses carry it.
	account string
	// hubAccount owns the buses; events it makes itself (heartbeat
	// reports) skip the member and the bus policy.
	hubAccount string
	// target is the hub bus the member forwards to.
	target  string
	regions map[string]*regionRouter
	// customer is the customer whose bus target is; nil when the member
	// forwards to a bus the hub does not have.
	customer *plan.Customer
	rule     *eventbridge.Matcher
	// delivery is the function's plan; engine decides with it, reading
	// no state.
	delivery *engine.Config
	engine   *engine.Engine

	mu       sync.Mutex
	admitted map[string]bool // by account
}

type regionRouter struct {
	m     *eventbridge.Matcher
	rules []plan.ForwardRule
	// scheduled are the member rules whose schedule sends events straight
	// to the hub bus.
	scheduled map[string]bool
}

// NewRouter prepares the pipeline of member, which forwards to the bus
// memberBus, and hub.
func NewRouter(hub *plan.Hub, member *plan.Member, memberBus string) (*Router, error) {
	eng, err := engine.New(hub.Delivery(), engine.Options{Store: engine.NewMemoryStore(), Sender: discard{}})
	if err != nil {
		return nil, err
	}
	r := &Router{account: member.Account.ID, hubAccount: hub.Account.ID, target: memberBus,
		regions: map[string]*regionRouter{}, delivery: hub.Delivery(), engine: eng, admitted: map[string]bool{}}
	for _, mr := range member.Regions {
		rr := &regionRouter{m: eventbridge.NewMatcher(), rules: mr.Rules, scheduled: map[string]bool{}}
		for i, fr := range mr.Rules {
			// IDs sort in rule order, so the first ID Match returns is the
			// first rule that matches.
			if err := rr.m.Add(ruleID(i), []byte(fr.Pattern)); err != nil {
				return nil, fmt.Errorf("indexing member rule %s in %s: %w", fr.Name, mr.Account.Region, err)
			}
		}
		for _, fr := range mr.Rules {
			if fr.Schedule != "" {
				rr.scheduled[mr.Account.RuleARN("", fr.Name)] = true
			}
		}
		r.regions[mr.Account.Region] = rr
	}
	for i := range hub.Customers {
		if c := &hub.Customers[i]; c.Bus.ARN == memberBus {
			r.customer = c
			r.rule = eventbridge.NewMatcher()
			if err := r.rule.Add(c.Rule.Name, []byte(c.Rule.Pattern)); err != nil {
				return nil, fmt.Errorf("indexing rule %s of bus %s: %w", c.Rule.Name, c.Bus.Name, err)
			}
		}
	}
	return r, nil
}

func ruleID(i int) string { return fmt.Sprintf("%08d", i) }

func index(id string) int {
	n, _ := strconv.Atoi(id)
	return n
}

// RuleNames lists the member's forwarding rules in region, in order.
func (r *Router) RuleNames(region string) []string {
	var out []string
	if rr := r.regions[region]; rr != nil {
		for _, fr := range rr.rules {
			out = append(out, fr.Name)
		}
	}
	return out
}

// Account is the member account events are replayed in.
func (r *Router) Account() string { return r.account }

// Customer is the member's customer as the delivery function sees it (its
// destinations, remindAfterDays, flood and suppressions); nil when the
// member forwards to a bus the hub does not have.
func (r *Router) Customer() *engine.Customer {
	if r.customer == nil {
		return nil
	}
	for i := range r.delivery.Customers {
		if c := &r.delivery.Customers[i]; c.Name == r.customer.Name {
			return c
		}
	}
	return nil
}

// Regions lists the regions that have member rules, sorted.
func (r *Router) Regions() []string {
	out := make([]string, 0, len(r.regions))
	for region := range r.regions {
		out = append(out, region)
	}
	sort.Strings(out)
	return out
}

// MemberPatterns returns the event patterns of the member rules of region,
// for callers that screen events before routing them.
func (r *Router) MemberPatterns(region string) [][]byte {
	rr := r.regions[region]
	if rr == nil {
		return nil
	}
	out := make([][]byte, len(rr.rules))
	for i, fr := range rr.rules {
		out[i] = []byte(fr.Pattern)
	}
	return out
}

// Patterns returns every event pattern Route matches and the fields the
// engine reads, for callers that prune events before routing them.
func (r *Router) Patterns() [][]byte {
	var out [][]byte
	for _, region := range r.Regions() {
		out = append(out, r.MemberPatterns(region)...)
	}
	if r.customer != nil {
		out = append(out, []byte(r.customer.Rule.Pattern))
	}
	return append(out, r.engine.Patterns()...)
}

// Outcome is what the pipeline does with one event.
type Outcome struct {
	Forwarded bool
	// ForwardRule is the member rule that let the event through; "" for an
	// event of the hub account, which no member rule carries.
	ForwardRule string
	// Target is the ARN of the hub bus the event reaches.
	Target   string
	Customer string
	// Dropped says why a forwarded event produced no delivery.
	Dropped  string
	Detector string
	Severity string
	// Destinations are the IDs of the destinations that get it, sorted.
	Destinations []string
	// FromHub is true for an event of the hub account itself; Heartbeat
	// for a member rule's scheduled event, which is recorded, not
	// delivered.
	FromHub, Heartbeat bool
	// Closes is the detector one of whose findings the event closes
	// (resolved, archived, passed): it alerts nobody, but the function
	// remembers it, so a later update of the finding alerts again.
	Closes string
}

// Route sends one event through the pipeline. account and region are the
// event's, as the caller already decoded them; an event of a member account
// must already be in the member's account (see InMember). An event of the
// hub account itself skips the member rules and the bus policy, as the hub
// makes its reports itself.
func (r *Router) Route(event []byte, region, account string) (Outcome, error) {
	out, reached, err := r.reach(event, region, account)
	if err != nil || !reached {
		return out, err
	}
	var d engine.Decision
	if out.FromHub {
		d, err = r.engine.DecideReport(r.customer.Name, event)
	} else {
		d, err = r.engine.Decide(r.customer.Name, event)
	}
	if err != nil {
		return out, err
	}
	return withDecision(out, d), nil
}

// reach applies the member's rules and the hub bus's policy and rule:
// reached is true when the event gets to the delivery function.
func (r *Router) reach(event []byte, region, account string) (Outcome, bool, error) {
	out := Outcome{Target: r.target}
	if account == r.hubAccount {
		out.FromHub = true
		if r.customer == nil {
			out.Dropped = "the event comes from the hub account, and the member forwards to no bus of the hub stack"
			return out, false, nil
		}
		out.Forwarded, out.Customer = true, r.customer.Name
		return out, true, nil
	}
	rr := r.regions[region]
	if rr == nil {
		return out, false, nil
	}
	if rule, ok := rr.scheduledBy(event); ok {
		out.Forwarded, out.ForwardRule = true, rule
	} else {
		ids, err := rr.m.Match(event)
		if err != nil {
			return out, false, fmt.Errorf("matching member rules in %s: %w", region, err)
		}
		if len(ids) == 0 {
			return out, false, nil
		}
		out.Forwarded, out.ForwardRule = true, rr.rules[index(ids[0])].Name
	}
	if r.customer == nil {
		out.Dropped = "the member forwards to " + r.target + ", which the hub stack does not create"
		return out, false, nil
	}
	out.Customer = r.customer.Name
	if !r.admits(account) {
		out.Dropped = fmt.Sprintf("the policy of bus %s does not admit account %s", r.customer.Bus.Name, account)
		return out, false, nil
	}
	ids, err := r.rule.Match(event)
	if err != nil {
		return out, false, fmt.Errorf("matching rule %s of bus %s: %w", r.customer.Rule.Name, r.customer.Bus.Name, err)
	}
	if len(ids) == 0 {
		out.Dropped = fmt.Sprintf("rule %s of bus %s does not take its source", r.customer.Rule.Name, r.customer.Bus.Name)
		return out, false, nil
	}
	return out, true, nil
}

// scheduledBy reports whether event is the scheduled event of one of the
// region's scheduled member rules, which EventBridge sends to the rule's
// target, the hub bus, without matching it against any pattern.
func (rr *regionRouter) scheduledBy(event []byte) (string, bool) {
	if len(rr.scheduled) == 0 || !bytes.Contains(event, []byte("Scheduled Event")) {
		return "", false
	}
	var e struct {
		Source     string   `json:"source"`
		DetailType string   `json:"detail-type"`
		Resources  []string `json:"resources"`
	}
	if json.Unmarshal(event, &e) != nil || e.Source != "aws.events" || e.DetailType != "Scheduled Event" || len(e.Resources) != 1 {
		return "", false
	}
	if !rr.scheduled[e.Resources[0]] {
		return "", false
	}
	return e.Resources[0][strings.LastIndex(e.Resources[0], "/")+1:], true
}

func withDecision(out Outcome, d engine.Decision) Outcome {
	out.Dropped = d.Dropped
	out.Heartbeat = d.Heartbeat != nil
	out.Closes = d.Closes
	if d.Detector.ID != "" && d.Alerting() {
		out.Detector, out.Severity = d.Detector.ID, d.Variant.Severity.String()
	}
	for _, dest := range d.Destinations {
		out.Destinations = append(out.Destinations, dest.ID)
	}
	if d.Operator {
		out.Destinations = append(out.Destinations, engine.OperatorID)
	}
	sort.Strings(out.Destinations)
	return out
}

// admits reports whether the bus policy lets the member's forwarding role
// put events to the bus; the answer depends only on the account, so it is
// cached. The role's own policy is the one the member plan gives it.
// Organization membership cannot be known offline, so an account admitted
// only through organizationId is reported as not admitted.
func (r *Router) admits(account string) bool {
	r.mu.Lock()
	ok, known := r.admitted[account]
	r.mu.Unlock()
	if known {
		return ok
	}
	bus := r.customer.Bus
	acct, _, _ := names.ParseEventBusARN(bus.ARN)
	ok = policy.Allowed(bus.Policy, policy.Request{
		Principal:        policy.Caller{AWS: names.ForwardRoleARN(acct.Partition, account), Account: account},
		Action:           "events:PutEvents",
		Resource:         bus.ARN,
		IdentityPolicies: []policy.Document{plan.ForwardRole{}.Policy(bus.ARN)},
	})
	r.mu.Lock()
	r.admitted[account] = ok
	r.mu.Unlock()
	return ok
}

// discard is the offline sender: the engine's outcome already holds every
// message, as it would have been sent.
type discard struct{}

func (discard) Publish(context.Context, string, string, []byte, map[string]int) error { return nil }
func (discard) Post(context.Context, string, []byte) error                            { return nil }
