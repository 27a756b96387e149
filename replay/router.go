// Package replay sends events through the pipeline of a member and its hub
// as their plans deploy it: the member's forwarding rules of the event's
// region, the hub bus's policy and the hub's rules, with EventBridge's
// matching (package eventbridge) and the project's policy evaluator, so a
// filter change is proven before it ships. Router is the one routing
// decision; Replay renders every delivery on top of it, and forecast counts
// on top of it.
package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"secalerts/eventbridge"
	"secalerts/names"
	"secalerts/plan"
	"secalerts/policy"
	"secalerts/severity"
)

// Router decides what the pipeline does with events. It indexes the member
// rules of each region and the rules of the member's hub bus in one Matcher
// apiece and caches bus-policy decisions. It is safe for concurrent use.
type Router struct {
	// account is the member account: events on its default buses carry it.
	account string
	// hubAccount owns the buses; events it puts on them itself (heartbeat
	// reports) skip the member and the bus policy.
	hubAccount string
	// target is the hub bus the member forwards to.
	target  string
	regions map[string]*regionRouter
	bus     *busRouter

	mu       sync.Mutex
	admitted map[string]bool // by account
}

type regionRouter struct {
	m     *eventbridge.Matcher
	rules []plan.ForwardRule
}

type busRouter struct {
	customer *plan.Customer
	// rules are sorted by name: EventBridge has no rule order, but a stable
	// one sends a tie between two detectors' severities to the same one
	// every run.
	rules []plan.Rule
	m     *eventbridge.Matcher
	// destinations are who each target delivers to, by target.
	destinations map[*plan.Target][]string
}

// NewRouter prepares the pipeline of member, which forwards to the bus
// memberBus, and hub.
func NewRouter(hub *plan.Hub, member *plan.Member, memberBus string) (*Router, error) {
	r := &Router{account: member.Account.ID, hubAccount: hub.Account.ID, target: memberBus,
		regions: map[string]*regionRouter{}, admitted: map[string]bool{}}
	for _, mr := range member.Regions {
		rr := &regionRouter{m: eventbridge.NewMatcher(), rules: mr.Rules}
		for i, fr := range mr.Rules {
			// IDs sort in rule order, so the first ID Match returns is the
			// first rule that matches.
			if err := rr.m.Add(ruleID(i), []byte(fr.Pattern)); err != nil {
				return nil, fmt.Errorf("indexing member rule %s in %s: %w", fr.Name, mr.Account.Region, err)
			}
		}
		r.regions[mr.Account.Region] = rr
	}
	for i := range hub.Customers {
		c := &hub.Customers[i]
		if c.Bus.ARN != memberBus {
			continue
		}
		br := &busRouter{customer: c, rules: append([]plan.Rule(nil), c.Rules...), m: eventbridge.NewMatcher(),
			destinations: map[*plan.Target][]string{}}
		sort.Slice(br.rules, func(i, j int) bool { return br.rules[i].Name < br.rules[j].Name })
		for i := range br.rules {
			hr := &br.rules[i]
			if err := br.m.Add(ruleID(i), []byte(hr.Pattern)); err != nil {
				return nil, fmt.Errorf("indexing hub rule %s of bus %s: %w", hr.Name, c.Bus.Name, err)
			}
			for j := range hr.Targets {
				br.destinations[&hr.Targets[j]] = destinations(hub, c, hr.Targets[j])
			}
		}
		r.bus = br
	}
	return r, nil
}

// destinations are the people or systems behind a target, sorted.
func destinations(hub *plan.Hub, c *plan.Customer, t plan.Target) []string {
	var out []string
	switch t.Kind {
	case plan.ChatTopic:
		for _, s := range c.Slack {
			if s.Topic == t.Topic {
				out = append(out, "slack:"+s.WorkspaceID+"/"+s.ChannelID)
			}
		}
		for _, tc := range c.Teams {
			if tc.Topic == t.Topic {
				out = append(out, "teams:"+tc.TeamID+"/"+tc.ChannelID)
			}
		}
	case plan.EmailTopic:
		for _, e := range c.Emails {
			if e.Topic == t.Topic {
				out = append(out, "email:"+e.Address)
			}
		}
	case plan.OperatorTopic:
		for _, a := range hub.AlarmEmails {
			out = append(out, "email:"+a)
		}
	case plan.WebhookTarget:
		for _, w := range c.Webhooks {
			if w.Name == t.Webhook {
				out = append(out, "webhook:"+w.DestinationName)
			}
		}
	}
	sort.Strings(out)
	return out
}

func ruleID(i int) string { return fmt.Sprintf("%08d", i) }

func index(id string) int {
	n, _ := strconv.Atoi(id)
	return n
}

// Account is the member account events are replayed in.
func (r *Router) Account() string { return r.account }

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

// Patterns returns the event patterns of every member rule and hub rule
// Route matches, for callers that prune events before routing them.
func (r *Router) Patterns() [][]byte {
	var out [][]byte
	for _, region := range r.Regions() {
		out = append(out, r.MemberPatterns(region)...)
	}
	if r.bus != nil {
		for _, hr := range r.bus.rules {
			out = append(out, []byte(hr.Pattern))
		}
	}
	return out
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
	// Deliveries are sorted by destination, then rule.
	Deliveries []Routed
	// FromHub is true for an event of the hub account itself, put on the
	// member's customer bus directly.
	FromHub bool
}

// Routed is one delivery of an Outcome.
type Routed struct {
	Destination string
	Rule        string
	// Target is the rule's target that delivers it.
	Target *plan.Target
}

// Route sends one event through the pipeline. account and region are the
// event's, as the caller already decoded them; an event of a member account
// must already be in the member's account (see InMember). An event of the
// hub account itself skips the member rules and the bus policy, as the hub
// puts its reports on the customer bus directly.
func (r *Router) Route(event []byte, region, account string) (Outcome, error) {
	var out Outcome
	if account == r.hubAccount {
		out.FromHub = true
		if r.bus == nil {
			out.Dropped = "the event comes from the hub account, and the member forwards to no bus of the hub stack"
			return out, nil
		}
		out.Forwarded, out.Target = true, r.target
		return r.deliver(out, event)
	}
	rr := r.regions[region]
	if rr == nil {
		return out, nil
	}
	ids, err := rr.m.Match(event)
	if err != nil {
		return out, fmt.Errorf("matching member rules in %s: %w", region, err)
	}
	if len(ids) == 0 {
		return out, nil
	}
	out.Forwarded, out.ForwardRule, out.Target = true, rr.rules[index(ids[0])].Name, r.target
	if r.bus == nil {
		out.Dropped = "the member forwards to " + r.target + ", which the hub stack does not create"
		return out, nil
	}
	if !r.admits(account) {
		out.Customer = r.bus.customer.Name
		out.Dropped = fmt.Sprintf("the policy of bus %s does not admit account %s", r.bus.customer.Bus.Name, account)
		return out, nil
	}
	return r.deliver(out, event)
}

// deliver applies the rules of the hub bus to an event that reached it:
// the highest severity that matches names the alert, and every matching
// rule's targets deliver.
func (r *Router) deliver(out Outcome, event []byte) (Outcome, error) {
	b := r.bus
	out.Customer = b.customer.Name
	ids, err := b.m.Match(event)
	if err != nil {
		return out, fmt.Errorf("matching hub rules of bus %s: %w", b.customer.Bus.Name, err)
	}
	best := severity.Severity(-1)
	for _, id := range ids {
		hr := &b.rules[index(id)]
		if hr.Severity > best {
			best, out.Detector, out.Severity = hr.Severity, hr.Detector, hr.Severity.String()
		}
		for i := range hr.Targets {
			t := &hr.Targets[i]
			for _, d := range b.destinations[t] {
				out.Deliveries = append(out.Deliveries, Routed{Destination: d, Rule: hr.Name, Target: t})
			}
		}
	}
	sort.SliceStable(out.Deliveries, func(i, j int) bool {
		a, b := out.Deliveries[i], out.Deliveries[j]
		if a.Destination != b.Destination {
			return a.Destination < b.Destination
		}
		return a.Rule < b.Rule
	})
	if len(out.Deliveries) == 0 {
		out.Dropped = "no hub rule of customer " + b.customer.Name + " matches it at its destinations' minimum severities"
	}
	return out, nil
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
	bus := r.bus.customer.Bus
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

// InMember puts an event in the member account: a member's default bus
// only ever carries its own account ID, so an event replayed through a
// member happens there. Only the top-level account changes: every other
// value keeps its bytes as written (numbers, escapes), because patterns and
// messages read values, not spelling.
func InMember(event []byte, account string) ([]byte, error) {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(event))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not an EventBridge event: %w", err)
	}
	a, err := json.Marshal(account)
	if err != nil {
		return nil, fmt.Errorf("encoding account %q: %w", account, err)
	}
	m["account"] = a
	return json.Marshal(m)
}
