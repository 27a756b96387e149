package detectors

import "secalerts/severity"

// guardDutySeverityRanges map GuardDuty's numeric detail.severity onto our
// scale. GuardDuty documents (GuardDuty User Guide, "Severity levels of
// GuardDuty findings"): Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9,
// Critical 9.0-10.0 (Critical is used for attack sequences). The ranges
// below are half-open and contiguous so that a value between two documented
// bands (say 3.95) still lands in exactly one variant, and a value below 1
// (0 is "reserved") still alerts as LOW rather than vanishing. GuardDuty
// findings never map to INFORMATIONAL.
var guardDutySeverityRanges = []struct {
	name     string
	severity severity.Severity
	numeric  []any
}{
	{"low", severity.Low, []any{"<", 4}},
	{"medium", severity.Medium, []any{">=", 4, "<", 7}},
	{"high", severity.High, []any{">=", 7, "<", 9}},
	{"critical", severity.Critical, []any{">=", 9}},
}

// guardDutyDetector alerts on GuardDuty findings.
//
// Event: "GuardDuty Finding" from aws.guardduty with the finding as detail
// (EventBridge events reference, Amazon GuardDuty events; GuardDuty User
// Guide, "EventBridge event format for GuardDuty"). GuardDuty publishes new
// findings and new occurrences of existing ones; detail.service.count says
// how often it has been seen.
var guardDutyDetector = Detector{
	ID:          "guardduty",
	Title:       "GuardDuty finding",
	Description: "Unarchived GuardDuty findings, with GuardDuty's Low/Medium/High/Critical bands as severity.",
	DefaultOn:   true,
	// An archived finding is closed (service.archived; GuardDuty API
	// Reference, Service). Findings archived by a suppression rule are
	// never sent (GuardDuty User Guide, suppression rules), so this only
	// sees findings archived by hand.
	Closes: awsEvent("aws.guardduty", "GuardDuty Finding", map[string]any{
		"service": map[string]any{"archived": []any{true}},
	}),
	Build: func(Options) []Variant {
		var out []Variant
		for _, r := range guardDutySeverityRanges {
			out = append(out, Variant{
				Name:     r.name,
				Severity: r.severity,
				// service.archived is true for findings archived by hand or
				// by a suppression rule; those are known and accepted.
				Pattern: awsEvent("aws.guardduty", "GuardDuty Finding", map[string]any{
					"severity": []any{map[string]any{"numeric": r.numeric}},
					"service":  map[string]any{"archived": []any{false}},
				}),
			})
		}
		return out
	},
	Message: Message{
		Paths: map[string]string{
			"findingType":   "$.detail.type",
			"title":         "$.detail.title",
			"description":   "$.detail.description",
			"gdSeverity":    "$.detail.severity",
			"findingId":     "$.detail.id",
			"resourceType":  "$.detail.resource.resourceType",
			"instanceId":    "$.detail.resource.instanceDetails.instanceId",
			"accessKeyUser": "$.detail.resource.accessKeyDetails.userName",
			"count":         "$.detail.service.count",
			"firstSeen":     "$.detail.service.eventFirstSeen",
			"lastSeen":      "$.detail.service.eventLastSeen",
		},
		Title:   "GuardDuty: <title>",
		Summary: "GuardDuty detected <findingType> (severity <gdSeverity>) in account <account> (<region>). <description>",
		Fields: []Field{
			{Label: "Finding type", Value: "<findingType>"},
			{Label: "Account", Value: "<account>"},
			{Label: "Region", Value: "<region>"},
			{Label: "Resource", Value: "<resourceType>"},
			{Label: "EC2 instance", Value: "<instanceId>"},
			{Label: "IAM user", Value: "<accessKeyUser>"},
			{Label: "Seen", Value: "<count> times, <firstSeen> to <lastSeen>"},
		},
		ConsoleURL: "https://<region>.console.aws.amazon.com/guardduty/home?region=<region>#/findings?macros=current&fId=<findingId>",
		NextSteps: []string{
			"Open the finding in GuardDuty and read the remediation for <findingType> in the GuardDuty finding types guide.",
			"If the resource is compromised, isolate it (restrictive security group, stop the instance) and rotate any credentials it holds.",
			"If the activity is expected, archive the finding or add a suppression rule so it stops alerting.",
		},
	},
}
