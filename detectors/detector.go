// Package detectors is the catalogue of security events secalerts forwards and
// alerts on: for each kind of event, the EventBridge patterns that select it
// (one per severity it can have) and the message that describes it.
//
// It is the single source of truth for both sides of the pipeline: member
// stacks build their forwarding rules from it and the hub builds its routing
// rules and input transformers from it. It never imports the Pulumi SDK, so the
// offline tool and plain tests use it as is.
package detectors

import (
	"strings"

	"secalerts/severity"
)

// Pattern is an EventBridge event pattern as it is marshalled into a rule.
type Pattern = map[string]any

// HomeRegion is where AWS delivers the events of global services
// (IAM, Organizations, STS global endpoint, ...).
const HomeRegion = "us-east-1"

// Detector is one kind of security-relevant event.
type Detector struct {
	// ID is stable: it names rules, config keys (secalerts:member.detectors.<ID>)
	// and messages. Never rename a released ID.
	ID string
	// Title is the short human name used in message titles ("GuardDuty finding").
	Title string
	// Description says in one sentence what it catches (README, CLI listings).
	Description string
	// DefaultOn is false for detectors that are noisy and must be asked for.
	DefaultOn bool
	// GlobalOnly is true when the events are only delivered in HomeRegion.
	GlobalOnly bool
	// ManagementOnly is true when the events only exist in an AWS
	// Organizations management account.
	ManagementOnly bool
	// HubOnly is true when the events are born in the hub account (the hub
	// reports on its members). Members never forward them, and the hub's
	// rules for them match only events of the hub account itself, because
	// their source is not an aws.* one and any admitted account could send
	// it.
	HubOnly bool
	// Tamper is true when the detector reports an attempt to blind or
	// disable the pipeline or the sensors it forwards: CloudTrail, Config,
	// GuardDuty, Security Hub, IAM Access Analyzer, or secalerts' own
	// rules, role, queues and alarms. The first thing an intruder with
	// admin rights does is quiet whatever would report them, and the
	// member's own people may be the intruder, so the hub always tells the
	// operator too and sends it to the customer's highest destination.
	Tamper bool
	// Closes, when set, matches the events that show one of the
	// detector's findings resolved, archived or passed. Members forward
	// them whatever their minimum severity, and they never alert: the hub
	// remembers the finding closed, so a later alert about it is news.
	Closes Pattern
	// Build returns the detector's variants for the given options, lowest
	// severity first. Every variant's pattern pins "source" to the genuine
	// AWS sources (or the canary source), which an account cannot forge.
	Build func(Options) []Variant
	// Message describes an event of this kind to a person.
	Message Message
}

// CanaryID is the detector of the test events secalerts ping sends.
const CanaryID = "canary"

// pipelinePrefix starts the IDs of the detectors that watch secalerts' own
// pipeline (its rules, role, queues and alarms).
const pipelinePrefix = "pipeline-"

// Suppressible reports whether a customer's suppression may hide the
// detector's alerts. Never the hub's heartbeat reports, the canary that
// proves the path, or changes to the pipeline itself: a suppression is
// the first thing an intruder who can edit the stack would add.
func (d Detector) Suppressible() bool {
	return !d.HubOnly && d.ID != CanaryID && !strings.HasPrefix(d.ID, pipelinePrefix)
}

// FromCloudTrail reports whether the detector's events are CloudTrail
// records ("AWS API Call via CloudTrail", "AWS Console Sign In via
// CloudTrail", ...), which name who acted; findings do not.
func (d Detector) FromCloudTrail() bool {
	for _, v := range d.Build(Options{}) {
		types, _ := v.Pattern["detail-type"].([]any)
		for _, t := range types {
			if s, ok := t.(string); ok && strings.HasSuffix(s, " via CloudTrail") {
				return true
			}
		}
	}
	return false
}

// Options are the per-stack settings that shape a detector's patterns.
type Options struct {
	// ConfigRuleNames restricts the Config compliance detector to these
	// rules; empty means every rule.
	ConfigRuleNames []string
	// Deployers are ARN patterns of the roles that deploy secalerts, with
	// the account they run in written in (names.RolePattern.In): the
	// pipeline detectors leave their sessions' calls alone. Empty: every
	// change to the pipeline alerts.
	Deployers []string
}

// Variant is the part of a detector's events that has one severity.
// Patterns of one detector's variants should not match the same event; where
// EventBridge cannot express that (an array field matches when any element
// does, so one call that opens a security group both to the world and to a
// scoped range matches both variants), the detector says so and a test pins
// the overlap.
type Variant struct {
	// Name is short and DNS-safe ("critical", "open-to-world"); with the
	// detector ID it names rules.
	Name     string
	Severity severity.Severity
	Pattern  Pattern
	// Message, when set, replaces the detector's message for this variant's
	// events (a CreateAccountResult reads better on its own than in the
	// message shared by every Organizations call).
	Message *Message
}

// Message is the readable description of an event. Text fields may hold
// EventBridge input-transformer placeholders (<name>) for the names in Paths
// and for the common ones every message has: <account>, <region>, <time>,
// <id>, <source>, <detailType>.
type Message struct {
	// Paths maps placeholder names to JSONPaths into the event
	// ("$.detail.findings[0].Title").
	Paths map[string]string
	// Title is one line: what happened.
	Title string
	// Summary is one or two sentences saying why it matters.
	Summary string
	// Fields are label/value lines shown under the summary.
	Fields []Field
	// ConsoleURL opens the finding or the resource in the AWS console.
	ConsoleURL string
	// NextSteps tell the reader what to do, most important first.
	NextSteps []string
	// AboutAccount and AboutRegion name the Paths placeholders holding the
	// account and region an event is about when they are not the event's
	// own: events the hub sends about a member carry the hub's account.
	AboutAccount, AboutRegion string
}

// Field is one labelled line of a message.
type Field struct {
	Label string
	Value string
}

// CommonPaths are the placeholders every message may use.
var CommonPaths = map[string]string{
	"account":    "$.account",
	"region":     "$.region",
	"time":       "$.time",
	"id":         "$.id",
	"source":     "$.source",
	"detailType": "$.detail-type",
}

// VariantsAtLeast returns the variants of d whose severity is min or higher.
func (d Detector) VariantsAtLeast(o Options, min severity.Severity) []Variant {
	var out []Variant
	for _, v := range d.Build(o) {
		if v.Severity >= min {
			out = append(out, v)
		}
	}
	return out
}

// MessageFor returns the message of v's events.
func (d Detector) MessageFor(v Variant) Message {
	if v.Message != nil {
		return *v.Message
	}
	return d.Message
}

// AppliesTo reports whether d's events can appear in region.
func (d Detector) AppliesTo(region string) bool {
	return !d.GlobalOnly || region == HomeRegion
}
