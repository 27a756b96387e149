package detectors

import (
	"strings"

	"secalerts/severity"
)

// securityHubOwnDetectorProducts are the ASFF ProductName values of
// findings that Security Hub imports from services secalerts already
// watches directly, so alerting on the imported copy would alert twice:
// GuardDuty (guardduty detector), IAM Access Analyzer (access-analyzer) and
// AWS Config rule evaluations (config-compliance).
var securityHubOwnDetectorProducts = []string{"GuardDuty", "IAM Access Analyzer", "Config"}

// securityHubDetector alerts on Security Hub CSPM findings, the ones an
// operator watching many customers' accounts forwards from each of them.
//
// Event: "Security Hub Findings - Imported" from aws.securityhub, one ASFF
// finding in detail.findings[0] (Security Hub User Guide, "EventBridge event
// formats for Security Hub CSPM"; fields from "AWS Security Finding Format").
// Severity.Label takes exactly our five labels (Security Hub API Reference,
// Severity), so each label is one variant.
var securityHubDetector = Detector{
	ID:          "securityhub",
	Title:       "Security Hub finding",
	Description: "Active, unsuppressed Security Hub findings that are not passed controls, one severity per Severity.Label.",
	DefaultOn:   true,
	// Security Hub sends every update of a finding, its closing included
	// (ASFF: RecordState ARCHIVED when the product withdrew it, Workflow
	// RESOLVED or SUPPRESSED when people dealt with it, and Compliance
	// PASSED for a control that passes, which Security Hub also marks
	// RESOLVED: "Setting the workflow status of Security Hub findings").
	Closes: awsEvent("aws.securityhub", "Security Hub Findings - Imported", map[string]any{
		"findings": map[string]any{
			"ProductName": anythingBut(securityHubOwnDetectorProducts...),
			"$or": []any{
				map[string]any{"RecordState": []any{"ARCHIVED"}},
				map[string]any{"Workflow": map[string]any{"Status": []any{"RESOLVED", "SUPPRESSED"}}},
				map[string]any{"Compliance": map[string]any{"Status": []any{"PASSED"}}},
			},
		},
	}),
	Build: func(Options) []Variant {
		var out []Variant
		for _, s := range severity.All {
			out = append(out, Variant{
				Name:     strings.ToLower(s.String()),
				Severity: s,
				Pattern:  securityHubPattern(s.String()),
			})
		}
		return out
	},
	Message: Message{
		Paths: map[string]string{
			"title":            "$.detail.findings[0].Title",
			"description":      "$.detail.findings[0].Description",
			"severityLabel":    "$.detail.findings[0].Severity.Label",
			"product":          "$.detail.findings[0].ProductName",
			"resourceType":     "$.detail.findings[0].Resources[0].Type",
			"resourceId":       "$.detail.findings[0].Resources[0].Id",
			"complianceStatus": "$.detail.findings[0].Compliance.Status",
			"workflowStatus":   "$.detail.findings[0].Workflow.Status",
			"generatorId":      "$.detail.findings[0].GeneratorId",
			"remediationUrl":   "$.detail.findings[0].Remediation.Recommendation.Url",
			// A Security Hub administrator account receives its members'
			// findings: the event's account is the administrator's, the
			// finding's AwsAccountId the one it is about (ASFF
			// AwsAccountId).
			"awsAccountId": "$.detail.findings[0].AwsAccountId",
		},
		AboutAccount: "awsAccountId",
		Title:        "Security Hub <severityLabel>: <title>",
		Summary:      "<product> reported a finding in account <awsAccountId> (<region>): <description>",
		Fields: []Field{
			{Label: "Account", Value: "<awsAccountId>"},
			{Label: "Region", Value: "<region>"},
			{Label: "Resource", Value: "<resourceType> <resourceId>"},
			{Label: "Product", Value: "<product>"},
			{Label: "Control / generator", Value: "<generatorId>"},
			{Label: "Compliance status", Value: "<complianceStatus>"},
			{Label: "Workflow status", Value: "<workflowStatus>"},
			{Label: "Observed", Value: "<time>"},
		},
		ConsoleURL: "https://<region>.console.aws.amazon.com/securityhub/home?region=<region>#/findings",
		NextSteps: []string{
			"Open the finding in Security Hub (account <awsAccountId>, <region>) and confirm whether the resource is really exposed.",
			"Follow the remediation guidance: <remediationUrl>",
			"If the risk is accepted, set the finding's workflow status to SUPPRESSED so it stops alerting; once fixed, Security Hub archives or resolves it.",
		},
	},
}

// securityHubPattern selects findings of one Severity.Label that still need
// attention:
//   - RecordState ACTIVE: ARCHIVED records are findings the product
//     withdrew (ASFF RecordState).
//   - Workflow.Status not SUPPRESSED or RESOLVED: people have dealt with
//     them. Security Hub sets Workflow.Status (NEW at first import) on every
//     finding it stores (ASFF Workflow), so requiring it drops nothing.
//   - ProductName not one of securityHubOwnDetectorProducts. Security Hub
//     populates ProductName on every finding (ASFF ProductName).
//   - Compliance.Status not PASSED, or no Compliance at all: only control
//     checks carry Compliance, and anything-but alone would silently drop
//     every finding without it (Inspector, Macie, partner products), so the
//     absent case is an explicit $or branch.
func securityHubPattern(label string) Pattern {
	return awsEvent("aws.securityhub", "Security Hub Findings - Imported", map[string]any{
		"findings": map[string]any{
			"Severity":    map[string]any{"Label": []any{label}},
			"RecordState": []any{"ACTIVE"},
			"Workflow":    map[string]any{"Status": anythingBut("SUPPRESSED", "RESOLVED")},
			"ProductName": anythingBut(securityHubOwnDetectorProducts...),
			"$or":         absentOrNot([]string{"Compliance", "Status"}, "PASSED"),
		},
	})
}
