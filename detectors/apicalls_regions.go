package detectors

import "secalerts/severity"

// regionChangesDetector reports an opt-in Region enabled or disabled
// (AWS Account Management Reference Guide, "Logging AWS Account Management
// API calls using AWS CloudTrail": eventSource account.amazonaws.com,
// source aws.account in EventBridge; API Reference, EnableRegion and
// DisableRegion: RegionName, and AccountId when the management account
// acts on a member, recorded in camel case as
// requestParameters.regionName and accountId like every Account Management
// request).
//
// Account Management is a global service: its records carry awsRegion
// us-east-1 (every example of that guide) and its "Region Opt-In Status
// Change" events are sent in us-east-1 too (Account Management Reference
// Guide, "Monitoring Account Management events with EventBridge"), so the
// detector is GlobalOnly.
//
// A freshly enabled Region has no secalerts forwarding rules until the
// member stack is deployed again (regions: enabled then picks it up):
// whatever is done there is not reported, which makes it a known place to
// hide resources. A disabled Region stops reporting altogether. Both are
// CRITICAL; the denied attempts go to unauthorized-api-calls.
var regionChangesDetector = Detector{
	ID:          "region-changes",
	Title:       "AWS Region enabled or disabled",
	Description: "An opt-in Region enabled (it has no secalerts forwarder until the member stack is deployed again) or disabled.",
	DefaultOn:   true,
	GlobalOnly:  true,
	Tamper:      true,
	Build: func(Options) []Variant {
		return []Variant{{
			Name:     "opt-in",
			Severity: severity.Critical,
			Pattern:  apiCallPattern("aws.account", "account.amazonaws.com", []string{"EnableRegion", "DisableRegion"}, nil),
		}}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"regionName":    "$.detail.requestParameters.regionName",
			"targetAccount": "$.detail.requestParameters.accountId",
		}),
		Title:   "AWS Region <regionName>: <eventName> called in account <account>",
		Summary: "Region <regionName> was enabled or disabled. A newly enabled Region has no secalerts forwarding rules until the member stack is deployed again, so nothing done there is reported; a disabled Region stops reporting.",
		Fields: apiCallFields(
			Field{Label: "Region enabled / disabled", Value: "<regionName>"},
			Field{Label: "Account acted on (empty: this one)", Value: "<targetAccount>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/billing/home?region=<region>#/account",
		NextSteps: []string{
			"EnableRegion: deploy the member stack again now (pulumi up; with regions set to enabled it adds the new Region), then review what was created in <regionName> since <time>. If nobody needs the Region, disable it again.",
			"DisableRegion: if it was not planned, enable the Region again and deploy the member stack so it reports again.",
			confirmCaller,
		},
	},
}
