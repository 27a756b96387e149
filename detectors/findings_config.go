package detectors

import (
	"strings"

	"secalerts/severity"
)

// securityServiceRules are the AWS Config managed rules that report a
// security service being off (a security account's baseline watches the
// first two): such a
// finding means secalerts itself may be going blind, so it is HIGH.
//
// AWS Config renames rules that others deploy: a conformance pack appends
// "-conformance-pack-<random>", and Security Hub's service-linked rules are
// "securityhub-<rule>-<random>" (for example
// "securityhub-iam-inline-policy-blocked-kms-actions-baa2cf8c"). Security
// Hub also spells CloudTrail as "cloud-trail" in some of its rule names. So
// each rule is matched by the part every variant of its name contains, with
// EventBridge wildcard matching ("wildcard", EventBridge User Guide,
// Comparison operators); "*cloudtrail-enabled*" covers
// multi-region-cloudtrail-enabled too.
var securityServiceRules = []string{
	"guardduty-enabled-centralized",
	"cloudtrail-enabled",
	"cloud-trail-enabled",
	"securityhub-enabled",
}

// configComplianceDetector alerts when a resource becomes NON_COMPLIANT
// with an AWS Config rule.
//
// Event: "Config Rules Compliance Change" from aws.config (AWS Config
// Developer Guide, "Example Compliance Change Notification" / EventBridge
// events for AWS Config): detail.configRuleName, detail.resourceType,
// detail.resourceId, detail.newEvaluationResult.complianceType and, except
// for a resource's first evaluation, detail.oldEvaluationResult.
//
// Only transitions into NON_COMPLIANT alert: a resource that stays
// NON_COMPLIANT is re-evaluated often and would alert again each time.
var configComplianceDetector = Detector{
	ID:          "config-compliance",
	Title:       "Config rule non-compliance",
	Description: "Resources that become NON_COMPLIANT with an AWS Config rule; HIGH when the rule says GuardDuty, CloudTrail or Security Hub is off.",
	DefaultOn:   true,
	// AWS Config sends a compliance change when a resource becomes
	// COMPLIANT again, or the rule stops applying to it (AWS Config
	// Developer Guide, compliance types).
	Closes: awsEvent("aws.config", "Config Rules Compliance Change", map[string]any{
		"newEvaluationResult": map[string]any{"complianceType": []any{"COMPLIANT", "NOT_APPLICABLE"}},
	}),
	Build: buildConfigCompliance,
	Message: Message{
		Paths: map[string]string{
			"ruleName":      "$.detail.configRuleName",
			"resourceType":  "$.detail.resourceType",
			"resourceId":    "$.detail.resourceId",
			"annotation":    "$.detail.newEvaluationResult.annotation",
			"newCompliance": "$.detail.newEvaluationResult.complianceType",
			"oldCompliance": "$.detail.oldEvaluationResult.complianceType",
		},
		Title:   "AWS Config: <resourceType> <resourceId> is now <newCompliance> with rule <ruleName>",
		Summary: "AWS Config found that a resource in account <account> (<region>) breaks rule <ruleName>. <annotation>",
		Fields: []Field{
			{Label: "Rule", Value: "<ruleName>"},
			{Label: "Resource", Value: "<resourceType> <resourceId>"},
			{Label: "Compliance", Value: "<oldCompliance> -> <newCompliance>"},
			{Label: "Account", Value: "<account>"},
			{Label: "Region", Value: "<region>"},
			{Label: "Evaluated", Value: "<time>"},
		},
		ConsoleURL: "https://<region>.console.aws.amazon.com/config/home?region=<region>#/rules/details?configRuleName=<ruleName>",
		NextSteps: []string{
			"Open rule <ruleName> in AWS Config and read why <resourceId> fails it.",
			"If the rule reports GuardDuty, CloudTrail or Security Hub as disabled, re-enable it first: security events from this account and region may not be arriving.",
			"Fix the resource or, if the exception is accepted, scope the rule so it stops evaluating it.",
		},
	},
}

// buildConfigCompliance splits the rules into the security-service ones
// (HIGH) and the rest (MEDIUM). With Options.ConfigRuleNames the names are
// split here and each variant lists its names exactly; without, the
// variants split all rules with a wildcard list and its anything-but.
func buildConfigCompliance(o Options) []Variant {
	var high, medium []any
	if len(o.ConfigRuleNames) == 0 {
		var wildcards []string
		for _, r := range securityServiceRules {
			wildcards = append(wildcards, "*"+r+"*")
		}
		for _, w := range wildcards {
			high = append(high, map[string]any{"wildcard": w})
		}
		medium = []any{map[string]any{"anything-but": map[string]any{"wildcard": wildcards}}}
	} else {
		for _, name := range o.ConfigRuleNames {
			if isSecurityServiceRule(name) {
				high = append(high, name)
			} else {
				medium = append(medium, name)
			}
		}
	}
	var out []Variant
	if len(medium) > 0 {
		out = append(out, Variant{Name: "non-compliant", Severity: severity.Medium, Pattern: configCompliancePattern(medium)})
	}
	if len(high) > 0 {
		out = append(out, Variant{Name: "security-service-off", Severity: severity.High, Pattern: configCompliancePattern(high)})
	}
	return out
}

// isSecurityServiceRule reports whether a Config rule name is one of
// securityServiceRules under any of the names AWS Config gives it.
func isSecurityServiceRule(name string) bool {
	for _, r := range securityServiceRules {
		if strings.Contains(name, r) {
			return true
		}
	}
	return false
}

// configCompliancePattern matches a transition into NON_COMPLIANT of the
// rules that ruleNames (EventBridge match values) select. The old result
// is anything but NON_COMPLIANT or absent: a resource's first evaluation has
// no oldEvaluationResult, and anything-but alone would drop it.
func configCompliancePattern(ruleNames []any) Pattern {
	return awsEvent("aws.config", "Config Rules Compliance Change", map[string]any{
		"configRuleName":      ruleNames,
		"newEvaluationResult": map[string]any{"complianceType": []any{"NON_COMPLIANT"}},
		"$or":                 absentOrNot([]string{"oldEvaluationResult", "complianceType"}, "NON_COMPLIANT"),
	})
}
