package detectors

import (
	"strings"

	"secalerts/names"
	"secalerts/severity"
)

// pipelineAlarmDetector reports trouble in secalerts itself. Member stacks
// create CloudWatch alarms named names.Prefix+... (dead-letter queue depth
// of the forwarding rules) without alarm actions; CloudWatch still sends
// every alarm state change to EventBridge as "CloudWatch Alarm State Change"
// from aws.cloudwatch (CloudWatch User Guide, "Alarm events and
// EventBridge"), so the change travels to the hub like any finding.
// Only changes into ALARM alert: OK and INSUFFICIENT_DATA are recoveries or
// noise. Alarms of other names are the customer's business.
var pipelineAlarmDetector = Detector{
	ID:          "pipeline-alarm",
	Title:       "secalerts pipeline alarm",
	Description: "secalerts' own CloudWatch alarms (names starting " + names.Prefix + ") going to ALARM, e.g. events piling up in a dead-letter queue.",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		return []Variant{{
			Name:     "alarm",
			Severity: severity.High,
			Pattern: awsEvent("aws.cloudwatch", "CloudWatch Alarm State Change", map[string]any{
				"alarmName": []any{map[string]any{"prefix": names.Prefix}},
				"state":     map[string]any{"value": []any{"ALARM"}},
			}),
		}}
	},
	Message: Message{
		Paths: map[string]string{
			"alarmName":     "$.detail.alarmName",
			"state":         "$.detail.state.value",
			"previousState": "$.detail.previousState.value",
			"reason":        "$.detail.state.reason",
			"description":   "$.detail.configuration.description",
		},
		Title:   "secalerts pipeline alarm <alarmName> is <state> in account <account>",
		Summary: "Part of the security alert pipeline in account <account> (<region>) is failing, so security alerts from there may be delayed or lost. <description>",
		Fields: []Field{
			{Label: "Alarm", Value: "<alarmName>"},
			{Label: "State", Value: "<previousState> -> <state>"},
			{Label: "Reason", Value: "<reason>"},
			{Label: "Account", Value: "<account>"},
			{Label: "Region", Value: "<region>"},
			{Label: "Time", Value: "<time>"},
		},
		ConsoleURL: "https://<region>.console.aws.amazon.com/cloudwatch/home?region=<region>#alarmsV2:alarm/<alarmName>",
		NextSteps: []string{
			"Open the alarm's dead-letter queue in account <account> (<region>) and read the error attributes of the messages in it.",
			"Fix the cause (usually the hub bus policy or the forwarding role), then redrive the queued events so no alert is lost.",
		},
	},
}

// canaryDetector carries test events through the whole pipeline. The
// canary (sent by secalerts ping with source CanarySource, detail-type
// "secalerts canary" on a member's default bus) puts the severity label it
// wants to test in detail.severity; each severity is one variant so that
// every destination's minSeverity can be checked end to end. Any principal
// of a member account can put such an event on its default bus, so the
// message quotes nothing of it but the severity its pattern pins to one
// of five labels, and the hub delivers canaries only up to each customer's
// canaryMaxSeverity.
var canaryDetector = Detector{
	ID:          CanaryID,
	Title:       "secalerts canary (test)",
	Description: "Test events sent on purpose to check that alerts of each severity reach their destinations.",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		var out []Variant
		for _, s := range severity.All {
			out = append(out, Variant{
				Name:     strings.ToLower(s.String()),
				Severity: s,
				Pattern: Pattern{
					"source":      []any{CanarySource},
					"detail-type": []any{"secalerts canary"},
					"detail":      map[string]any{"severity": []any{s.String()}},
				},
			})
		}
		return out
	},
	Message: Message{
		Paths: map[string]string{
			"canarySeverity": "$.detail.severity",
		},
		Title:   "[TEST] secalerts canary (<canarySeverity>) from account <account> - no action needed",
		Summary: "THIS IS A TEST sent on purpose through the secalerts pipeline from account <account> (<region>). Nothing happened; it shows that <canarySeverity> alerts reach this destination.",
		Fields: []Field{
			{Label: "Test severity", Value: "<canarySeverity>"},
			{Label: "Account", Value: "<account>"},
			{Label: "Region", Value: "<region>"},
			{Label: "Sent", Value: "<time>"},
			{Label: "Event ID", Value: "<id>"},
		},
		ConsoleURL: "https://<region>.console.aws.amazon.com/events/home?region=<region>#/rules",
		NextSteps: []string{
			"No action needed: this is a test.",
			"If you expected a <canarySeverity> test and it did not arrive somewhere, check that destination's minimum severity.",
		},
	},
}
