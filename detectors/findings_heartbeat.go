package detectors

import (
	"secalerts/names"
	"secalerts/severity"
)

// Every forwarding rule of a member also runs on a schedule and forwards its
// own "Scheduled Event" (source aws.events, which no account can forge) to
// its customer's bus in the hub; the delivery function records when it
// last heard from each account, region and rule, and reports the ones that
// fell silent with an event of HeartbeatSource on the customer's bus.
const (
	// HeartbeatSource is the source of the events the hub sends about its
	// members. Any account may use a non-aws source, so the hub's rules
	// for it also pin the hub's own account (Detector.HubOnly).
	HeartbeatSource            = "secalerts.heartbeat"
	HeartbeatMissingDetailType = "secalerts heartbeat missing"
)

// heartbeatMissingDetector tells a customer, and the operator, that a member
// account and region stopped sending heartbeats: the pipeline from there is
// broken (rules deleted or disabled, the forwarding role or the bus policy
// changed, the region switched off), so its security events would go
// unseen. The heartbeat itself alerts nobody. A silence is reported when
// it is found and then reminded of every secalerts:hub.heartbeat.remindEveryHours;
// the function writes whether a report is the first or a reminder as text
// (detail.report), because an input transformer cannot choose between two
// texts. Reports of a function from before reminders lack it, and show an
// empty Report line.
var heartbeatMissingDetector = Detector{
	ID:          "heartbeat-missing",
	Title:       "secalerts heartbeat missing",
	Description: "A member account and region whose scheduled heartbeat stopped reaching the hub: its security events may be lost.",
	DefaultOn:   true,
	HubOnly:     true,
	Build: func(Options) []Variant {
		return []Variant{{
			Name:     "silent",
			Severity: severity.High,
			Pattern: Pattern{
				"source":      []any{HeartbeatSource},
				"detail-type": []any{HeartbeatMissingDetailType},
				// Only reports the function wrote: the account and region
				// it names are present.
				"detail": map[string]any{
					"account": []any{map[string]any{"exists": true}},
					"region":  []any{map[string]any{"exists": true}},
				},
			},
		}}
	},
	Message: Message{
		Paths: map[string]string{
			"silentAccount": "$.detail.account",
			"silentRegion":  "$.detail.region",
			"lastSeen":      "$.detail.lastSeen",
			"silentRule":    "$.detail.rule",
			"silentFor":     "$.detail.silentFor",
			"missingAfter":  "$.detail.missingAfter",
			"report":        "$.detail.report",
		},
		AboutAccount: "silentAccount",
		AboutRegion:  "silentRegion",
		Title:        "No secalerts heartbeat from rule <silentRule> of account <silentAccount> in <silentRegion> for <silentFor>",
		Summary: "The hub last heard from rule <silentRule> of account <silentAccount> in region <silentRegion> at <lastSeen>, over <missingAfter> ago. " +
			"The security events that rule forwards may not be reaching you: the rule, its target, the forwarding role or the hub bus policy may have been changed or removed.",
		Fields: []Field{
			{Label: "Silent account", Value: "<silentAccount>"},
			{Label: "Silent region", Value: "<silentRegion>"},
			{Label: "Silent rule", Value: "<silentRule>"},
			{Label: "Last heartbeat", Value: "<lastSeen>"},
			{Label: "Silent for", Value: "<silentFor> (limit <missingAfter>)"},
			{Label: "Report", Value: "<report>"},
			{Label: "Checked", Value: "<time>"},
		},
		ConsoleURL: "https://<silentRegion>.console.aws.amazon.com/events/home?region=<silentRegion>#/eventbus/default/rules/<silentRule>",
		NextSteps: []string{
			"In account <silentAccount> (<silentRegion>), check that rule <silentRule> exists, is enabled, keeps its pattern and schedule and targets the hub bus with role " + names.ForwardRole + ", and look for messages in " + names.ForwardDLQ + ".",
			"Check CloudTrail in that account for PutRule, DeleteRule, DisableRule, PutTargets, RemoveTargets or changes to role " + names.ForwardRole + ": tampering with the pipeline is itself a security event.",
			"If the account or region was retired on purpose, remove it from the member stack; the hub stops reporting it about a week after it fell silent.",
		},
	},
}
