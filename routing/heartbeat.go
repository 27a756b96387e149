package routing

import (
	"encoding/json"
	"fmt"

	"secalerts/config"
	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/messages"
	"secalerts/severity"
)

// HeartbeatRule is the rule on a customer's bus that hands every member
// heartbeat to the hub's heartbeat function.
type HeartbeatRule struct {
	Name    string
	Pattern string
	// Input is the function's input: the heartbeat's account, region and
	// time, and the customer's bus written in literally, so the function
	// learns where to report a silence without a list of accounts (an
	// organization's accounts are not even listed).
	Input eventbridge.InputTransformer
}

// HeartbeatInput is what the heartbeat rule hands the function.
type HeartbeatInput struct {
	Bus     string `json:"bus"`
	Account string `json:"account"`
	Region  string `json:"region"`
	Time    string `json:"time"`
}

// heartbeatRule matches the "Scheduled Event" of the members' heartbeat
// rules. Its source, aws.events, is one no account can put, and EventBridge
// keeps the member's account and region on an event forwarded to another
// account's bus, so a heartbeat proves that account and region can reach
// the hub (EventBridge User Guide, "Sending and receiving events between
// AWS accounts"; schedule events: source aws.events, detail-type
// "Scheduled Event", resources the rule ARN).
func heartbeatRule(c config.Customer) (HeartbeatRule, error) {
	pattern, err := json.Marshal(map[string]any{
		"source":      []any{"aws.events"},
		"detail-type": []any{"Scheduled Event"},
		"resources":   []any{map[string]any{"suffix": ":rule/" + detectors.HeartbeatRuleName}},
	})
	if err != nil {
		return HeartbeatRule{}, fmt.Errorf("marshalling the heartbeat pattern of %s: %w", c.Name, err)
	}
	if err := eventbridge.ValidatePattern(pattern); err != nil {
		return HeartbeatRule{}, fmt.Errorf("heartbeat pattern of %s: %w", c.Name, err)
	}
	// Customer names are lowercase letters, digits and dashes, so the bus
	// name is safe inside the JSON string.
	tmpl := `{"bus":"` + BusName(c.Name) + `","account":"<account>","region":"<region>","time":"<time>"}`
	return HeartbeatRule{
		Name:    detectors.HeartbeatRuleName,
		Pattern: string(pattern),
		Input: eventbridge.InputTransformer{
			Paths:    map[string]string{"account": "$.account", "region": "$.region", "time": "$.time"},
			Template: tmpl,
		},
	}, nil
}

// hubOnlyRules routes a hub-only detector: one rule per variant for the
// whole customer (its events carry the hub's account, not a member's, so
// there are no account groups), pinned to the hub's account so no member
// can send one, delivered to every destination the severity reaches and to
// the operator's alarm topic, whatever the customer's minimum severities.
func hubOnlyRules(c config.Customer, d detectors.Detector, ts []Topic, hubAccount string) ([]Rule, error) {
	hub := accountGroup{match: []any{hubAccount}}
	var out []Rule
	for _, v := range d.VariantsAtLeast(detectors.Options{}, severity.Informational) {
		targets, err := targetsFor(c, d, v, ts)
		if err != nil {
			return nil, err
		}
		targets = append(targets, target{
			Target: Target{ID: string(OperatorTopic), Kind: OperatorTopic, Topic: AlarmTopicName},
			format: messages.Email,
		})
		all := withContext(targets, c, d, v, accountGroup{})
		for chunk := 0; chunk*MaxTargetsPerRule < len(all); chunk++ {
			end := min(len(all), (chunk+1)*MaxTargetsPerRule)
			r, err := rule(d, v, hub, 0, chunk, 1, all[chunk*MaxTargetsPerRule:end])
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// RuleCount is the number of rules the plan puts on the bus, the number
// EventBridge's rules-per-bus quota counts.
func (p Plan) RuleCount() int {
	n := len(p.Rules)
	if p.Heartbeat != nil {
		n++
	}
	return n
}
