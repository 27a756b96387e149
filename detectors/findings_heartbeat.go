package detectors

import (
	"secalerts/names"
	"secalerts/severity"
)

// Every member region runs the scheduled rule names.HeartbeatRule on its
// default bus and forwards its "Scheduled Event" (source aws.events, which
// no account can forge) to its customer's bus in the hub; the hub's
// heartbeat function records when it last heard from each account and
// region, and reports the ones that fell silent with an event of
// HeartbeatSource on the customer's bus.
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
			"silentAccount":     "$.detail.account",
			"silentRegion":      "$.detail.region",
			"lastSeen":          "$.detail.lastSeen",
			"silentHours":       "$.detail.silentHours",
			"missingAfterHours": "$.detail.missingAfterHours",
			"report":            "$.detail.report",
		},
		AboutAccount: "silentAccount",
		AboutRegion:  "silentRegion",
		Title:        "No secalerts heartbeat from account <silentAccount> in <silentRegion> for <silentHours> hours",
		Summary: "The hub last heard from account <silentAccount> in region <silentRegion> at <lastSeen>, over <missingAfterHours> hours ago. " +
			"Security events from there may not be reaching you: the forwarding rules, their role or the hub bus policy may have been changed or removed.",
		Fields: []Field{
			{Label: "Silent account", Value: "<silentAccount>"},
			{Label: "Silent region", Value: "<silentRegion>"},
			{Label: "Last heartbeat", Value: "<lastSeen>"},
			{Label: "Silent for", Value: "<silentHours> hours (limit <missingAfterHours>)"},
			{Label: "Report", Value: "<report>"},
			{Label: "Checked", Value: "<time>"},
		},
		ConsoleURL: "https://<silentRegion>.console.aws.amazon.com/events/home?region=<silentRegion>#/eventbus/default/rules/" + names.HeartbeatRule,
		NextSteps: []string{
			"In account <silentAccount> (<silentRegion>), check that rule " + names.HeartbeatRule + " and the " + names.Prefix + "forward-* rules exist and are enabled, and look for messages in " + names.Prefix + "forward-dlq.",
			"Check CloudTrail in that account for DeleteRule, DisableRule, RemoveTargets or changes to role " + names.Prefix + "forward: tampering with the pipeline is itself a security event.",
			"If the account or region was retired on purpose, remove it from the member stack; the hub stops reporting it about a week after it fell silent.",
		},
	},
}
