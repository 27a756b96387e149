package plan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"

	"secalerts/config"
	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/names"
	"secalerts/policy"
	"secalerts/severity"
)

// ForwardRule is one rule on a member's default bus: the union of the
// patterns of the detectors it carries, forwarded to the hub bus.
type ForwardRule struct {
	Name      string
	Pattern   string
	Detectors []string
	// Schedule also fires the rule on its own, every so often, with a
	// "Scheduled Event" that it forwards like any other: its heartbeat,
	// proof that this rule, its target, the forwarding role and the hub
	// bus policy all still work. "" when the member sends no heartbeat.
	// A rule may have both a pattern and a schedule, and then "triggers on
	// matching events as well as on a schedule" (EventBridge API
	// Reference, PutRule). Schedules exist on the default bus only, where
	// the forwarding rules are.
	Schedule string
}

// Member is the plan of a member stack.
type Member struct {
	// Account is the member account in its home region, where the
	// account-wide forwarding role is made.
	Account names.Account
	// Role lets the forwarding rules put events to the hub bus.
	Role ForwardRole
	// Regions are the covered regions, sorted as configured or discovered.
	Regions []MemberRegion
}

// ForwardRole is the member's forwarding role.
type ForwardRole struct {
	Name  string
	Trust policy.Document
}

// Policy is the forwarding role's permission: events:PutEvents on the hub
// bus and nothing else. The bus ARN may come from the hub stack's outputs,
// so it is built when the ARN is known.
func (ForwardRole) Policy(busARN string) policy.Document { return policy.PutEventsPolicy(busARN) }

// MemberRegion is what a member has in one region.
type MemberRegion struct {
	// Account is the member account in this region.
	Account names.Account
	Rules   []ForwardRule
	// DLQ holds what could not be forwarded to the hub.
	DLQ Queue
}

// Region returns the plan of region, if the member covers it.
func (m *Member) Region(region string) (*MemberRegion, bool) {
	for i := range m.Regions {
		if m.Regions[i].Account.Region == region {
			return &m.Regions[i], true
		}
	}
	return nil, false
}

// NewMember plans member m in regions: in each, the forwarding rules of
// every enabled detector that applies there, at or above its minimum
// severity, merged and packed into as few rules as EventBridge's pattern
// limits allow (every rule costs a resource and a target in every account
// and region), the dead-letter queue and the heartbeat.
func NewMember(m *config.Member, regions []string) (*Member, error) {
	home := m.Account()
	if global := globalDetectors(m); len(global) > 0 && !slices.Contains(regions, detectors.HomeRegion) {
		return nil, fmt.Errorf("secalerts:member.regions: %v leaves out %s, the only region where AWS delivers the events of %v: "+
			"add %s, or switch those detectors off in secalerts:member.detectors", regions, detectors.HomeRegion, global, detectors.HomeRegion)
	}
	if err := checkMemberDeployers(m); err != nil {
		return nil, err
	}
	p := &Member{Account: home, Role: ForwardRole{Name: names.ForwardRole, Trust: policy.EventsTrustPolicy(home)}}
	for _, region := range regions {
		var parts []part
		for _, d := range detectors.All() {
			on, opts, min := detectorSettings(m, d)
			if !on || d.HubOnly || !d.AppliesTo(region) {
				continue
			}
			for _, v := range d.VariantsAtLeast(opts, min) {
				parts = append(parts, part{detectors: []string{d.ID}, pattern: v.Pattern})
			}
			// Closing events say nothing new but that a finding is no
			// longer open: whatever the minimum, the hub needs them to
			// tell a reopened finding from a repeat.
			if d.Closes != nil {
				parts = append(parts, part{detectors: []string{d.ID}, pattern: d.Closes})
			}
		}
		rules, err := pack(mergeParts(parts))
		if err != nil {
			return nil, fmt.Errorf("planning the rules of %s: %w", region, err)
		}
		acct := home.In(region)
		dlq := acct.QueueARN(names.ForwardDLQ)
		r := MemberRegion{Account: acct, Rules: rules,
			DLQ: Queue{Name: names.ForwardDLQ, ARN: dlq, DepthAlarm: names.QueueDepthAlarm(names.ForwardDLQ),
				Policy: policy.QueuePolicy(acct, dlq, []string{acct.OwnRules()})}}
		if m.Heartbeat.Enabled {
			for i := range r.Rules {
				r.Rules[i].Schedule = m.Heartbeat.Schedule
			}
		}
		p.Regions = append(p.Regions, r)
	}
	return p, nil
}

// globalDetectors are the enabled detectors whose events only arrive in
// HomeRegion.
func globalDetectors(m *config.Member) []string {
	var ids []string
	for _, d := range detectors.All() {
		if on, _, _ := detectorSettings(m, d); on && d.GlobalOnly {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

// detectorSettings applies the member's defaults and overrides to d.
func detectorSettings(m *config.Member, d detectors.Detector) (bool, detectors.Options, severity.Severity) {
	if d.ManagementOnly && !m.ManagementAccount {
		return false, detectors.Options{}, 0
	}
	on := d.DefaultOn
	min := m.MinSeverity
	var opts detectors.Options
	if s, ok := m.Detectors[d.ID]; ok {
		if s.Enabled != nil {
			on = *s.Enabled
		}
		if s.MinSeverity != nil {
			min = *s.MinSeverity
		}
		opts.ConfigRuleNames = s.ConfigRuleNames
	}
	opts.Deployers = pinnedDeployers(m.DeployerPrincipals, m.AccountID)
	return on, opts, min
}

// checkMemberDeployers makes sure the member's deployer patterns leave every
// pattern it deploys within EventBridge's size: they are written into each
// pipeline pattern whole.
func checkMemberDeployers(m *config.Member) error {
	with, without := map[string][]byte{}, map[string][]byte{}
	for _, d := range detectors.All() {
		on, opts, min := detectorSettings(m, d)
		if !on || d.HubOnly {
			continue
		}
		bare := opts
		bare.Deployers = nil
		plain := d.VariantsAtLeast(bare, min)
		for i, v := range d.VariantsAtLeast(opts, min) {
			name := d.ID + "/" + v.Name
			var err error
			if with[name], err = json.Marshal(v.Pattern); err != nil {
				return fmt.Errorf("marshalling the %s pattern: %w", name, err)
			}
			if without[name], err = json.Marshal(plain[i].Pattern); err != nil {
				return fmt.Errorf("marshalling the %s pattern: %w", name, err)
			}
		}
	}
	return checkDeployerRoom("secalerts:member", with, without, pinnedDeployers(m.DeployerPrincipals, m.AccountID))
}

// part is one or more variants' pattern on its way into a rule.
type part struct {
	detectors []string
	pattern   map[string]any
}

// mergeParts folds together patterns that differ in a single leaf list of
// plain values: Security Hub's severity labels ({"Label": ["HIGH"]} and
// {"Label": ["CRITICAL"]}), or the event names of two detectors that watch
// the same service's API calls. The union matches exactly what the two
// patterns matched.
func mergeParts(parts []part) []part {
	var out []part
	for _, p := range parts {
		merged := false
		for i := range out {
			if m, ok := mergeLeaf(out[i].pattern, p.pattern); ok {
				out[i].pattern, merged = m, true
				out[i].detectors = append(out[i].detectors, p.detectors...)
				break
			}
		}
		if !merged {
			out = append(out, p)
		}
	}
	return out
}

// mergeLeaf returns the union of a and b when they are equal but for one
// leaf list whose elements are all strings.
func mergeLeaf(a, b map[string]any) (map[string]any, bool) {
	if len(a) != len(b) {
		return nil, false
	}
	out := map[string]any{}
	diffs := 0
	for k, av := range a {
		bv, ok := b[k]
		if !ok {
			return nil, false
		}
		if reflect.DeepEqual(av, bv) {
			out[k] = av
			continue
		}
		diffs++
		if diffs > 1 {
			return nil, false
		}
		am, aIsMap := av.(map[string]any)
		bm, bIsMap := bv.(map[string]any)
		if aIsMap && bIsMap {
			m, ok := mergeLeaf(am, bm)
			if !ok {
				return nil, false
			}
			out[k] = m
			continue
		}
		u, ok := unionStrings(av, bv)
		if !ok {
			return nil, false
		}
		out[k] = u
	}
	return out, true
}

func unionStrings(a, b any) ([]any, bool) {
	seen := map[string]bool{}
	var out []any
	for _, list := range []any{a, b} {
		items, ok := list.([]any)
		if !ok {
			ss, isStrings := list.([]string)
			if !isStrings {
				return nil, false
			}
			for _, s := range ss {
				items = append(items, s)
			}
		}
		for _, it := range items {
			s, ok := it.(string)
			if !ok {
				return nil, false
			}
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out, true
}

// pack puts parts into rules, each {"$or": [...]} as large as EventBridge
// accepts (pattern size and $or limits, checked by ValidatePattern).
func pack(parts []part) ([]ForwardRule, error) {
	var rules []ForwardRule
	var cur []part
	flush := func() error {
		if len(cur) == 0 {
			return nil
		}
		b, err := marshalOr(cur)
		if err != nil {
			return err
		}
		rules = append(rules, ForwardRule{Name: names.ForwardRule(len(rules) + 1), Pattern: string(b), Detectors: detectorIDs(cur)})
		cur = nil
		return nil
	}
	for _, p := range parts {
		next := append(append([]part{}, cur...), p)
		b, err := marshalOr(next)
		if err != nil {
			return nil, err
		}
		if eventbridge.ValidatePattern(b) == nil {
			cur = next
			continue
		}
		if err := flush(); err != nil {
			return nil, err
		}
		b, err = marshalOr([]part{p})
		if err != nil {
			return nil, err
		}
		if err := eventbridge.ValidatePattern(b); err != nil {
			return nil, fmt.Errorf("the %v pattern alone is not a valid EventBridge pattern: %w", p.detectors, err)
		}
		cur = []part{p}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return rules, nil
}

// marshalOr writes one pattern as is and several as {"$or": [...]}.
func marshalOr(parts []part) ([]byte, error) {
	if len(parts) == 1 {
		return json.Marshal(parts[0].pattern)
	}
	var or []any
	for _, p := range parts {
		or = append(or, p.pattern)
	}
	return json.Marshal(map[string]any{"$or": or})
}

func detectorIDs(parts []part) []string {
	seen := map[string]bool{}
	var ids []string
	for _, p := range parts {
		for _, id := range p.detectors {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	return ids
}
