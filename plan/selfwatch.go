package plan

import (
	"encoding/json"
	"fmt"
	"slices"

	"secalerts/config"
	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/names"
	"secalerts/policy"
)

// SelfWatch is the hub's watch over itself: rules on the hub account's
// default bus that send the operator, through the operator's own topic and
// key, every change to the hub's keys, buses, rules, topics, function,
// roles, table, alarms, queues and parameters by anyone but the hub's
// deployerPrincipals (detectors.HubWatches). It does not go through the
// hub key, a customer bus or the delivery function, so it keeps working
// when they do not.
type SelfWatch struct {
	Rules []WatchRule
	// Relay carries the rules outside the hub region to the hub region's
	// default bus; nil when every rule is in the hub region.
	Relay *Relay
}

// WatchRule is one rule of the watch.
type WatchRule struct {
	Name, ARN, Description string
	// Region is the rule's region: the hub region, or the home region of
	// a rule whose events are only recorded there (IAM).
	Region string
	// Target is the operator's topic, or, for a rule of another region,
	// the hub region's default bus, where a rule of the same name and
	// pattern sends the event on to the topic (EventBridge User Guide,
	// "Sending and receiving events between AWS Regions": a rule's target
	// may be an event bus of another Region, with an execution role).
	Target string
	// Relays is true when Target is the hub region's default bus, put to
	// with Relay.Role.
	Relays bool
	// DLQ takes what could not be given to the target: a queue of the
	// rule's region ("The Amazon SQS queue you use must be in the same
	// Region in which you create the rule", EventBridge User Guide, "Event
	// retry policy and using dead-letter queues"), with SQS-managed
	// encryption, so that it does not depend on the hub key.
	DLQ string
	// Pattern is the rule's event pattern. It names the hub and operator
	// keys, whose ARNs are known once they exist.
	Pattern func(hubKeyARN, operatorKeyARN string) (string, error)
}

// Relay is what the rules outside the hub region need: a role that may put
// events on the hub region's default bus and nothing else, and a
// dead-letter queue with its alarm in their region.
type Relay struct {
	Region      string
	RoleName    string
	Trust       policy.Document
	Permissions policy.Document
	DLQ         Queue
	// Alarm watches DLQ. It has no action: CloudWatch alarm actions
	// notify topics of their own region, and the operator's topic is in
	// the hub region. Its state change is an event on the default bus
	// (CloudWatch User Guide, "Alarm events and EventBridge") that the
	// relayed rule carries to the hub region with everything else.
	Alarm Alarm
}

// newSelfWatch plans the watch of hub p, whose topic and bus dead-letter
// queue are already planned.
func newSelfWatch(acct names.Account, h *config.Hub, p *Hub) (*SelfWatch, error) {
	in := detectors.HubWatchInput{
		Account: acct.ID, Partition: acct.Partition,
		Table: names.StateTable, TableARN: acct.TableARN(names.StateTable),
		Deployers: pinnedDeployers(h.DeployerPrincipals, acct.ID),
	}
	// IAM records in HomeRegion, which is in the commercial partition: a hub
	// of another partition cannot relay from it, and keeps its IAM rule
	// in its own region (README, GovCloud and China).
	relayed := acct.Region != detectors.HomeRegion && config.Partition(detectors.HomeRegion) == acct.Partition
	w := &SelfWatch{}
	if relayed {
		home := acct.In(detectors.HomeRegion)
		dlq := Queue{Name: names.RelayDLQ, ARN: home.QueueARN(names.RelayDLQ), DepthAlarm: names.QueueDepthAlarm(names.RelayDLQ)}
		w.Relay = &Relay{Region: home.Region, RoleName: names.RelayRole, DLQ: dlq,
			Permissions: policy.PutEventsPolicy(acct.EventBusARN(names.DefaultBus)),
			Alarm: dlq.Depth("watch events of " + home.Region + " could not be relayed to " + acct.Region + " and wait in " + names.RelayDLQ +
				" there: changes to the hub's roles may have gone unreported")}
		in.RelayAlarm = dlq.DepthAlarm
	}

	// The catalogue's watches; their patterns are built below, once the
	// events watch knows every rule the hub has: the customers' deliver
	// rules, the tick, and the watch's own.
	watches := detectors.HubWatches(in)
	in.Rules = []string{names.DeliverRule, names.TickRule}
	for _, wt := range watches {
		in.Rules = append(in.Rules, names.WatchRule(wt.What))
	}

	pattern := func(what string, deployers bool) func(hubKey, operatorKey string) (string, error) {
		return func(hubKey, operatorKey string) (string, error) {
			in := in
			in.HubKey, in.OperatorKey = hubKey, operatorKey
			if !deployers {
				in.Deployers = nil
			}
			for _, wt := range detectors.HubWatches(in) {
				if wt.What == what {
					b, err := json.Marshal(wt.Pattern)
					return string(b), err
				}
			}
			return "", fmt.Errorf("no watch %q in the catalogue", what)
		}
	}

	var relayRules []string
	with, without := map[string][]byte{}, map[string][]byte{}
	for _, wt := range watches {
		name := names.WatchRule(wt.What)
		rule := WatchRule{Name: name, ARN: acct.RuleARN("", name), Description: wt.Description, Region: acct.Region,
			Target: p.AlarmTopic.ARN, DLQ: p.BusDLQ.ARN, Pattern: pattern(wt.What, true)}
		// Check the pattern as PutRule would, with key ARNs of the length
		// every key ARN has.
		for _, deployers := range []bool{true, false} {
			s, err := pattern(wt.What, deployers)(exampleKeyARN(acct), exampleKeyARN(acct))
			if err == nil {
				err = eventbridge.ValidatePattern([]byte(s))
			}
			if err != nil && (!deployers || len(in.Deployers) == 0) {
				return nil, fmt.Errorf("planning the watch rule %s: %w", name, err)
			}
			if deployers {
				with[name] = []byte(s)
			} else {
				without[name] = []byte(s)
			}
		}
		w.Rules = append(w.Rules, rule)
		if wt.Global && relayed {
			// The rule of the home region, where IAM records, hands its
			// events to the hub region's default bus, where the rule
			// above, of the same name and pattern, publishes them.
			home := acct.In(detectors.HomeRegion)
			relay := rule
			relay.ARN, relay.Region, relay.Relays = home.RuleARN("", name), home.Region, true
			relay.Target, relay.DLQ = acct.EventBusARN(names.DefaultBus), w.Relay.DLQ.ARN
			w.Rules = append(w.Rules, relay)
			relayRules = append(relayRules, relay.ARN)
		}
	}
	if err := checkDeployerRoom(hubKey, with, without, in.Deployers); err != nil {
		return nil, err
	}
	if w.Relay != nil {
		home := acct.In(detectors.HomeRegion)
		w.Relay.Trust = policy.EventRulesTrustPolicy(home, relayRules)
		w.Relay.DLQ.Policy = policy.QueuePolicy(home, w.Relay.DLQ.ARN, relayRules)
	}
	return w, nil
}

// TopicRules are the ARNs of the watch rules that publish to the operator's
// topic: the ones of the hub region.
func (w *SelfWatch) TopicRules() []string {
	var out []string
	for _, r := range w.Rules {
		if !r.Relays {
			out = append(out, r.ARN)
		}
	}
	return out
}

// Regions lists the regions with watch rules, the hub's first.
func (w *SelfWatch) Regions() []string {
	var out []string
	for _, r := range w.Rules {
		if !slices.Contains(out, r.Region) {
			out = append(out, r.Region)
		}
	}
	return out
}
