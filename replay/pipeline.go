// Package replay sends events through a pipeline as the Pulumi program
// would deploy it: it reads the resources of a member and a hub stack (from
// an offline preview) and applies EventBridge's matching, bus policies and
// input transformers to each event, so a filter change is proven before it
// ships.
package replay

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"secalerts/config"
	"secalerts/eventbridge"
	"secalerts/policy"
	"secalerts/preview"
	"secalerts/routing"
)

// Pipeline is the deployed graph of one member and its hub, reduced to what
// an event meets.
type Pipeline struct {
	// account is the member account: events on its default buses carry it.
	account string
	// hubAccount owns the buses; events it puts on them itself (heartbeat
	// reports) skip the member and the bus policy.
	hubAccount string
	member     []forwardRule
	buses      map[string]*bus // by bus ARN
}

type forwardRule struct {
	name, region, target string
	pattern              []byte
}

type bus struct {
	name, customer string
	policy         policy.Document
	rules          []hubRule
}

type hubRule struct {
	name, detector, severity string
	pattern                  []byte
	targets                  []hubTarget
}

type hubTarget struct {
	id          string
	transformer eventbridge.InputTransformer
	// destinations are the people or systems behind the target's ARN.
	destinations []string
}

// New builds the pipeline from the resources of a member and a hub preview.
func New(member, hub []preview.Resource) (*Pipeline, error) {
	p := &Pipeline{buses: map[string]*bus{}}
	targets := byType(member, "aws:cloudwatch/eventTarget:EventTarget")
	for _, r := range byType(member, "aws:cloudwatch/eventRule:EventRule") {
		// A schedule rule (the heartbeat) matches no event: it makes its own.
		if str(r.Inputs["eventPattern"]) == "" {
			continue
		}
		name := str(r.Inputs["name"])
		for _, t := range targets {
			if str(t.Inputs["rule"]) == name && t.Region == r.Region {
				p.account = r.Account
				p.member = append(p.member, forwardRule{name: name, region: r.Region, target: str(t.Inputs["arn"]),
					pattern: []byte(str(r.Inputs["eventPattern"]))})
			}
		}
	}
	// Registration order changes from run to run; EventBridge has no rule
	// order either, but a stable one keeps ForwardRule the same.
	sort.Slice(p.member, func(i, j int) bool {
		a, b := p.member[i], p.member[j]
		if a.region != b.region {
			return a.region < b.region
		}
		return a.name < b.name
	})
	if err := p.addHub(hub); err != nil {
		return nil, err
	}
	return p, nil
}

// busState is the part of a bus's Cloud Control desired state replay reads.
type busState struct {
	Name   string
	Policy policy.Document
}

// buses reads the event buses of a hub preview, by ARN.
func buses(hub []preview.Resource) (map[string]busState, error) {
	out := map[string]busState{}
	for _, r := range byType(hub, "aws:cloudcontrol/resource:Resource") {
		if str(r.Inputs["typeName"]) != "AWS::Events::EventBus" {
			continue
		}
		var state busState
		if err := json.Unmarshal([]byte(str(r.Inputs["desiredState"])), &state); err != nil {
			return nil, fmt.Errorf("reading the desired state of bus %s: %w", r.Name, err)
		}
		out[fmt.Sprintf("arn:%s:events:%s:%s:event-bus/%s", config.Partition(r.Region), r.Region, r.Account, state.Name)] = state
	}
	return out, nil
}

// BusARNs maps each customer of a hub preview to its bus ARN, as the hub
// stack's busArns output does.
func BusARNs(hub []preview.Resource) map[string]string {
	all, _ := buses(hub)
	out := map[string]string{}
	for arn, b := range all {
		out[strings.TrimPrefix(b.Name, routing.BusName(""))] = arn
	}
	return out
}

func (p *Pipeline) addHub(hub []preview.Resource) error {
	dests := destinations(hub)
	all, err := buses(hub)
	if err != nil {
		return err
	}
	for _, r := range byType(hub, "aws:cloudcontrol/resource:Resource") {
		p.hubAccount = r.Account
	}
	for arn, b := range all {
		p.buses[arn] = &bus{name: b.Name, customer: strings.TrimPrefix(b.Name, routing.BusName("")), policy: b.Policy}
	}
	targets := byType(hub, "aws:cloudwatch/eventTarget:EventTarget")
	for _, r := range byType(hub, "aws:cloudwatch/eventRule:EventRule") {
		busName := str(r.Inputs["eventBusName"])
		var b *bus
		for _, candidate := range p.buses {
			if candidate.name == busName {
				b = candidate
			}
		}
		if b == nil {
			continue
		}
		tags, _ := r.Inputs["tags"].(map[string]any)
		rule := hubRule{name: str(r.Inputs["name"]), detector: str(tags[routing.TagDetector]),
			severity: str(tags[routing.TagSeverity]), pattern: []byte(str(r.Inputs["eventPattern"]))}
		for _, t := range targets {
			if str(t.Inputs["rule"]) != rule.name || str(t.Inputs["eventBusName"]) != busName {
				continue
			}
			it, _ := t.Inputs["inputTransformer"].(map[string]any)
			paths := map[string]string{}
			if m, ok := it["inputPaths"].(map[string]any); ok {
				for k, v := range m {
					paths[k] = str(v)
				}
			}
			rule.targets = append(rule.targets, hubTarget{id: str(t.Inputs["targetId"]),
				transformer:  eventbridge.InputTransformer{Paths: paths, Template: str(it["inputTemplate"])},
				destinations: dests[str(t.Inputs["arn"])]})
		}
		b.rules = append(b.rules, rule)
	}
	// Stable order, so a tie between two detectors' severities goes to the
	// same one every run.
	for _, b := range p.buses {
		sort.Slice(b.rules, func(i, j int) bool { return b.rules[i].name < b.rules[j].name })
	}
	return nil
}

// destinations maps topic and API-destination ARNs to what they deliver to.
func destinations(hub []preview.Resource) map[string][]string {
	out := map[string][]string{}
	for _, r := range hub {
		switch r.Type {
		case "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration":
			for _, t := range list(r.Inputs["snsTopicArns"]) {
				out[t] = append(out[t], "slack:"+str(r.Inputs["slackTeamId"])+"/"+str(r.Inputs["slackChannelId"]))
			}
		case "aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration":
			for _, t := range list(r.Inputs["snsTopicArns"]) {
				out[t] = append(out[t], "teams:"+str(r.Inputs["teamId"])+"/"+str(r.Inputs["channelId"]))
			}
		case "aws:sns/topicSubscription:TopicSubscription":
			t := str(r.Inputs["topic"])
			out[t] = append(out[t], str(r.Inputs["protocol"])+":"+str(r.Inputs["endpoint"]))
		case "aws:cloudwatch/eventApiDestination:EventApiDestination":
			a := str(r.Outputs["arn"])
			out[a] = append(out[a], "webhook:"+str(r.Inputs["name"]))
		}
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

func byType(rs []preview.Resource, typ string) []preview.Resource {
	var out []preview.Resource
	for _, r := range rs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func list(v any) []string {
	items, _ := v.([]any)
	var out []string
	for _, it := range items {
		out = append(out, str(it))
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
