package detectors

import "secalerts/severity"

// accessAnalyzerDetector alerts on IAM Access Analyzer external-access
// findings, collected from every member account without AWS Organizations.
//
// Event: "Access Analyzer Finding" from aws.access-analyzer (IAM User Guide,
// "Monitoring IAM Access Analyzer with Amazon EventBridge"). Access Analyzer
// sends one for a new finding, for a status change and for a deletion; a
// deleted finding keeps its status and gets isDeleted true, so both status
// ACTIVE and isDeleted false are needed. isPublic is true when the policy
// grants public access, otherwise the access is cross-account.
//
// Error findings (Access Analyzer could not read the resource) have no
// isPublic and so match neither variant: they say nothing about exposure.
// "Unused Access Finding for IAM entities" and "Internal Access Finding"
// are different event types with a different detail shape; they report
// hygiene rather than exposure and are left to a detector of their own.
var accessAnalyzerDetector = Detector{
	ID:          "access-analyzer",
	Title:       "Access Analyzer finding",
	Description: "Active IAM Access Analyzer findings of resources shared outside the account: public HIGH, cross-account MEDIUM.",
	DefaultOn:   true,
	// Access Analyzer sends an event for every status change and for a
	// deletion (IAM User Guide, "Monitoring IAM Access Analyzer with
	// Amazon EventBridge"): ARCHIVED or RESOLVED, or isDeleted, closes.
	Closes: awsEvent("aws.access-analyzer", "Access Analyzer Finding", map[string]any{
		"$or": []any{
			map[string]any{"status": []any{"ARCHIVED", "RESOLVED"}},
			map[string]any{"isDeleted": []any{true}},
		},
	}),
	Build: func(Options) []Variant {
		pattern := func(public bool) Pattern {
			return awsEvent("aws.access-analyzer", "Access Analyzer Finding", map[string]any{
				"status":    []any{"ACTIVE"},
				"isDeleted": []any{false},
				"isPublic":  []any{public},
			})
		}
		return []Variant{
			{Name: "cross-account", Severity: severity.Medium, Pattern: pattern(false)},
			{Name: "public", Severity: severity.High, Pattern: pattern(true)},
		}
	},
	Message: Message{
		Paths: map[string]string{
			"resource":     "$.detail.resource",
			"resourceType": "$.detail.resourceType",
			"isPublic":     "$.detail.isPublic",
			"principal":    "$.detail.principal",
			"actions":      "$.detail.action",
			"findingId":    "$.detail.id",
			"analyzer":     "$.resources[0]",
		},
		Title:   "Access Analyzer: <resourceType> <resource> is shared outside the account",
		Summary: "A resource policy in account <account> (<region>) grants access to a principal outside the zone of trust. Public access: <isPublic>.",
		Fields: []Field{
			{Label: "Resource", Value: "<resourceType> <resource>"},
			{Label: "Public", Value: "<isPublic>"},
			{Label: "External principal", Value: "<principal>"},
			{Label: "Actions", Value: "<actions>"},
			{Label: "Account", Value: "<account>"},
			{Label: "Region", Value: "<region>"},
			{Label: "Analyzer", Value: "<analyzer>"},
			{Label: "Finding ID", Value: "<findingId>"},
		},
		ConsoleURL: "https://<region>.console.aws.amazon.com/access-analyzer/home?region=<region>#/findings",
		NextSteps: []string{
			"Check with the resource owner whether <resource> is meant to be shared with <principal>.",
			"If not, remove the statement from the resource policy (or the ACL / access point) that grants it, then rescan.",
			"If it is intended, archive the finding or add an archive rule so it stops alerting.",
		},
	},
}
