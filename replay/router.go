package replay

import (
	"fmt"
	"sort"
	"sync"

	"secalerts/eventbridge"
	"secalerts/severity"
)

// Router is a Pipeline prepared for many events. Replay matches each rule
// with its own throw-away matcher and renders every message, which is right
// for a handful of sample events and far too slow for months of CloudTrail
// logs. Router indexes the member rules of each region and the rules of each
// hub bus in one Matcher apiece, caches bus-policy decisions and renders
// nothing, and decides exactly as Replay does (TestRouterAgreesWithReplay).
// It is safe for concurrent use.
type Router struct {
	account string
	regions map[string]*regionRouter
	buses   map[string]*busRouter

	mu       sync.Mutex
	admitted map[[2]string]bool // by bus ARN and account
}

type regionRouter struct {
	m     *eventbridge.Matcher
	rules []forwardRule
}

type busRouter struct {
	arn string
	b   *bus
	m   *eventbridge.Matcher
}

// Outcome is what the pipeline does with one event: Replay's Result without
// the rendered messages.
type Outcome struct {
	Forwarded   bool
	ForwardRule string
	// Target is the ARN of the hub bus the member forwards to.
	Target   string
	Customer string
	Dropped  string
	Detector string
	Severity string
	// Deliveries are sorted as Replay sorts them.
	Deliveries []Routed
}

// Routed is one delivery of an Outcome.
type Routed struct {
	Destination string
	Rule        string
}

// Router prepares p for routing many events.
func (p *Pipeline) Router() (*Router, error) {
	r := &Router{account: p.account, regions: map[string]*regionRouter{}, buses: map[string]*busRouter{},
		admitted: map[[2]string]bool{}}
	for _, fr := range p.member {
		if len(fr.pattern) == 0 {
			// A scheduled rule (the heartbeat) matches no event.
			continue
		}
		rr := r.regions[fr.region]
		if rr == nil {
			rr = &regionRouter{m: eventbridge.NewMatcher()}
			r.regions[fr.region] = rr
		}
		// IDs sort in rule order, so the first ID Match returns is the rule
		// Replay's loop stops at.
		if err := rr.m.Add(ruleID(len(rr.rules)), fr.pattern); err != nil {
			return nil, fmt.Errorf("indexing member rule %s in %s: %w", fr.name, fr.region, err)
		}
		rr.rules = append(rr.rules, fr)
	}
	for arn, b := range p.buses {
		br := &busRouter{arn: arn, b: b, m: eventbridge.NewMatcher()}
		for i, hr := range b.rules {
			if err := br.m.Add(ruleID(i), hr.pattern); err != nil {
				return nil, fmt.Errorf("indexing hub rule %s of bus %s: %w", hr.name, b.name, err)
			}
		}
		r.buses[arn] = br
	}
	return r, nil
}

func ruleID(i int) string { return fmt.Sprintf("%08d", i) }

// Account is the member account events are replayed in ("" when the member
// stack has no forwarding rule).
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
		out[i] = fr.pattern
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
	arns := make([]string, 0, len(r.buses))
	for arn := range r.buses {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	for _, arn := range arns {
		for _, hr := range r.buses[arn].b.rules {
			out = append(out, hr.pattern)
		}
	}
	return out
}

// Route sends one event, already in the member account, through the
// member's rules of region, the hub bus's policy and the hub's rules. The
// caller gives region and account as the event holds them, so the event is
// not decoded twice.
func (r *Router) Route(event []byte, region, account string) (Outcome, error) {
	var out Outcome
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
	fr := rr.rules[index(ids[0])]
	out.Forwarded, out.ForwardRule, out.Target = true, fr.name, fr.target
	br := r.buses[fr.target]
	if br == nil {
		out.Dropped = "the member forwards to " + fr.target + ", which the hub stack does not create"
		return out, nil
	}
	b := br.b
	out.Customer = b.customer
	if !r.admits(br, account) {
		out.Dropped = fmt.Sprintf("the policy of bus %s does not admit account %s", b.name, account)
		return out, nil
	}
	ids, err = br.m.Match(event)
	if err != nil {
		return out, fmt.Errorf("matching hub rules of bus %s: %w", b.name, err)
	}
	best := severity.Severity(-1)
	for _, id := range ids {
		hr := b.rules[index(id)]
		if s, err := severity.Parse(hr.severity); err == nil && s > best {
			best, out.Detector, out.Severity = s, hr.detector, hr.severity
		}
		for _, t := range hr.targets {
			for _, d := range t.destinations {
				out.Deliveries = append(out.Deliveries, Routed{Destination: d, Rule: hr.name})
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
		out.Dropped = "no hub rule of customer " + b.customer + " matches it at its destinations' minimum severities"
	}
	return out, nil
}

// admits caches the bus policy's answer: it depends only on the bus and
// the account.
func (r *Router) admits(br *busRouter, account string) bool {
	key := [2]string{br.arn, account}
	r.mu.Lock()
	ok, known := r.admitted[key]
	r.mu.Unlock()
	if known {
		return ok
	}
	ok = admits(br.b.policy, account, br.arn)
	r.mu.Lock()
	r.admitted[key] = ok
	r.mu.Unlock()
	return ok
}

func index(id string) int {
	n := 0
	for _, c := range id {
		n = n*10 + int(c-'0')
	}
	return n
}
