package detectors

import "secalerts/severity"

// unauthorizedAPICallsDetector is CIS AWS Foundations 4.1 (Security Hub
// CloudWatch.1): calls refused for lack of permission, whose errorCode is
// "*UnauthorizedOperation" (EC2 style, e.g. Client.UnauthorizedOperation) or
// "AccessDenied*" (most other services) — the benchmark's metric filter.
//
// Read-only calls are left out, unlike the CIS metric filter: browsing the
// console with a narrow role produces a steady stream of denied Describe,
// Get and List calls that say nothing about an attack, and EventBridge does
// not even deliver Describe/Get/List calls to rules in the ordinary ENABLED
// state (EventBridge User Guide, "Receiving read-only management events from
// AWS services"). Pinning readOnly false keeps the detector the same in
// either rule state. A denied write (a role probing what it may change) is
// what matters, and it is still LOW and DefaultOn false: the CIS control
// alarms on a count over time, a single denied call is often a
// misconfigured tool.
//
// The source is any aws.* source: only AWS can send those, and the denied
// call may be to any service, so eventSource is not pinned either. Change
// detectors only match successful calls, so a denied call alerts here and
// nowhere else.
var unauthorizedAPICallsDetector = Detector{
	ID:          "unauthorized-api-calls",
	Title:       "Unauthorized API call",
	Description: "Write API calls refused with AccessDenied* or *UnauthorizedOperation (CIS 4.1); noisy, so off by default.",
	DefaultOn:   false,
	Build: func(Options) []Variant {
		return []Variant{{
			Name:     "denied",
			Severity: severity.Low,
			Pattern: Pattern{
				"source":      []any{map[string]any{"prefix": "aws."}},
				"detail-type": []any{apiCallDetailType},
				"detail": map[string]any{
					"errorCode": []any{
						map[string]any{"wildcard": "*UnauthorizedOperation"},
						map[string]any{"prefix": "AccessDenied"},
					},
					"readOnly": []any{false},
				},
			},
		}}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"eventSource":  "$.detail.eventSource",
			"errorCode":    "$.detail.errorCode",
			"errorMessage": "$.detail.errorMessage",
		}),
		Title:   "Denied API call <eventName> (<eventSource>) by <userArn> in account <account>",
		Summary: "A caller tried to change something it has no permission for: <errorCode>. Repeated denials can mean stolen credentials being tried out, or a tool whose permissions are wrong.",
		Fields: apiCallFields(
			Field{Label: "Service", Value: "<eventSource>"},
			Field{Label: "Error", Value: "<errorCode>: <errorMessage>"},
		),
		ConsoleURL: eventHistoryURL,
		NextSteps: []string{
			"Look in the CloudTrail event history for more denied calls by <userArn>: many different services in a short time is typical of stolen credentials.",
			confirmCaller,
			"If it is a tool, fix its role's permissions rather than ignoring the alert.",
		},
	},
}
