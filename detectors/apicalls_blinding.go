package detectors

import "secalerts/severity"

// Quieting a sensor without turning it off. Every service secalerts
// forwards findings from lets an admin hide findings while the service
// still looks healthy: the console shows GuardDuty enabled and Security Hub
// running, and no detector of the *-changes kind fires. Each of these calls
// is CRITICAL: it decides, ahead of time, what secalerts will never see.

// sensorBlindingDetector reports findings hidden by rule, per service
// (each service's "Logging ... API calls with AWS CloudTrail" page lists the
// calls; the request fields are from its API Reference, recorded by
// CloudTrail as sent):
//
//   - GuardDuty: a filter with action ARCHIVE is a suppression rule, whose
//     findings "are automatically archived" and "are not sent to any of the
//     AWS services with which you may integrate" (GuardDuty User Guide,
//     suppression rules), EventBridge included. CreateFilter and UpdateFilter
//     with requestParameters.action ARCHIVE count; so does an UpdateFilter
//     without action, because it can widen an existing suppression rule's
//     findingCriteria and the request alone cannot say which kind of filter
//     it edits. A trusted IP list (CreateIPSet, UpdateIPSet) stops findings
//     for traffic with the listed addresses, and a threat list deleted or
//     deactivated (DeleteThreatIntelSet, UpdateThreatIntelSet activate
//     false) ends the findings it raised (GuardDuty User Guide, trusted IP
//     lists and threat lists).
//   - Security Hub (request fields in PascalCase, as its API takes them and
//     as the CloudTrail examples of the Security Hub User Guide show them):
//     automation rules update findings as they arrive and can
//     set the workflow status to SUPPRESSED or RESOLVED or lower the
//     severity of every matching finding, each of which keeps findings from
//     reaching an alert. Every CreateAutomationRule and
//     BatchUpdateAutomationRules counts, not only those whose Actions set
//     Workflow.Status SUPPRESSED: BatchUpdateAutomationRules can widen a
//     suppressing rule's Criteria or enable it (RuleStatus) without naming
//     any action, and a rule that resolves or downgrades blinds as well as
//     one that suppresses. (The V2 rules of Security Hub's OCSF findings,
//     CreateAutomationRuleV2, do not touch the ASFF findings secalerts
//     reads.) BatchUpdateFindings with requestParameters.Workflow.Status
//     SUPPRESSED hides findings for good: Security Hub resets the workflow
//     status to NEW only from NOTIFIED or RESOLVED, when the record becomes
//     ACTIVE again or the compliance check fails again (Security Hub API
//     Reference, WorkflowUpdate Status), never from SUPPRESSED, and the
//     securityhub detector drops SUPPRESSED findings. The deprecated
//     UpdateFindings with RecordState ARCHIVED hides them until the product
//     updates them again. UpdateStandardsControl with
//     ControlStatus DISABLED and BatchUpdateStandardsControlAssociations
//     with an AssociationStatus DISABLED stop a control's checks;
//     UpdateSecurityHubConfiguration with AutoEnableControls false leaves new
//     controls off.
//   - IAM Access Analyzer: an archive rule (CreateArchiveRule,
//     UpdateArchiveRule) archives every new finding matching its filter.
//   - AWS Config: rules, conformance packs and their evaluations deleted
//     (DeleteConfigRule, DeleteEvaluationResults, DeleteConformancePack,
//     DeleteOrganizationConfigRule, DeleteOrganizationConformancePack) end
//     the compliance findings the config-compliance detector reports.
//     Security Hub deletes the Config rules of a control it disables, and
//     conformance packs and organization rules delete theirs, through their
//     service-linked roles; CloudTrail shows an AWS service's calls with the
//     service's DNS name as sourceIPAddress (CloudTrail User Guide,
//     "CloudTrail record contents"), which no caller can set. Those calls
//     are left out: the call that caused them (a control disabled, a pack or
//     organization rule deleted) alerts once already, instead of once per
//     rule.
var sensorBlindingDetector = Detector{
	ID:          "sensor-blinding",
	Title:       "Security findings quieted",
	Description: "Findings hidden while the service stays on: GuardDuty suppression rules and trusted IP lists, Security Hub automation rules, suppressed findings and disabled controls, Access Analyzer archive rules, deleted Config rules.",
	DefaultOn:   true,
	Tamper:      true,
	Build: func(Options) []Variant {
		rp := func(events []string, path []string, leaf any) map[string]any {
			return map[string]any{"eventName": anyStrings(events), "requestParameters": under(path, leaf)}
		}
		guardDuty := apiCallPattern("aws.guardduty", "guardduty.amazonaws.com", nil, map[string]any{
			"$or": []any{
				rp([]string{"CreateFilter", "UpdateFilter"}, []string{"action"}, []any{map[string]any{"equals-ignore-case": "ARCHIVE"}}),
				rp([]string{"UpdateFilter"}, []string{"action"}, []any{map[string]any{"exists": false}}),
				map[string]any{"eventName": []any{"CreateIPSet", "UpdateIPSet", "DeleteThreatIntelSet"}},
				rp([]string{"UpdateThreatIntelSet"}, []string{"activate"}, []any{false}),
			},
		})
		securityHub := apiCallPattern("aws.securityhub", "securityhub.amazonaws.com", nil, map[string]any{
			"$or": []any{
				map[string]any{"eventName": []any{"CreateAutomationRule", "BatchUpdateAutomationRules"}},
				rp([]string{"BatchUpdateFindings"}, []string{"Workflow", "Status"}, []any{"SUPPRESSED"}),
				rp([]string{"UpdateFindings"}, []string{"RecordState"}, []any{"ARCHIVED"}),
				rp([]string{"UpdateStandardsControl"}, []string{"ControlStatus"}, []any{"DISABLED"}),
				rp([]string{"BatchUpdateStandardsControlAssociations"}, []string{"StandardsControlAssociationUpdates", "AssociationStatus"}, []any{"DISABLED"}),
				rp([]string{"UpdateSecurityHubConfiguration"}, []string{"AutoEnableControls"}, []any{false}),
			},
		})
		accessAnalyzer := apiCallPattern("aws.access-analyzer", "access-analyzer.amazonaws.com",
			[]string{"CreateArchiveRule", "UpdateArchiveRule"}, nil)
		config := apiCallPattern("aws.config", "config.amazonaws.com", []string{
			"DeleteConfigRule", "DeleteEvaluationResults", "DeleteConformancePack",
			"DeleteOrganizationConfigRule", "DeleteOrganizationConformancePack",
		}, map[string]any{
			"sourceIPAddress": anythingBut(configRuleOwners...),
		})
		return []Variant{
			{Name: "guardduty", Severity: severity.Critical, Pattern: guardDuty, Message: &blindingGuardDutyMessage},
			{Name: "securityhub", Severity: severity.Critical, Pattern: securityHub, Message: &blindingSecurityHubMessage},
			{Name: "access-analyzer", Severity: severity.Critical, Pattern: accessAnalyzer, Message: &blindingAccessAnalyzerMessage},
			{Name: "config", Severity: severity.Critical, Pattern: config},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"ruleName":    "$.detail.requestParameters.configRuleName",
			"packName":    "$.detail.requestParameters.conformancePackName",
			"orgRuleName": "$.detail.requestParameters.organizationConfigRuleName",
			"orgPackName": "$.detail.requestParameters.organizationConformancePackName",
		}),
		Title:   "AWS Config findings quieted: <eventName> <ruleName><packName><orgRuleName><orgPackName> in account <account> (<region>)",
		Summary: "A Config rule, conformance pack or their evaluation results were deleted in account <account> (<region>) while Config keeps recording. The compliance changes those rules would report (GuardDuty or CloudTrail turned off, public buckets, open ports) no longer reach secalerts.",
		Fields: apiCallFields(
			Field{Label: "Rule / conformance pack", Value: "<ruleName><packName><orgRuleName><orgPackName>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/config/home?region=<region>#/rules",
		NextSteps: []string{
			"Recreate the rule or conformance pack (the secalerts baseline recreates its own Config rules with pulumi up); deleted evaluation results come back at the rule's next evaluation.",
			confirmCaller,
		},
	},
}

// configRuleOwners are the AWS services that delete Config rules of their
// own as a consequence of a call alerted already: Security Hub (a control
// or standard disabled), conformance packs, and organization rules and
// packs in member accounts.
var configRuleOwners = []string{
	"securityhub.amazonaws.com", "config-conforms.amazonaws.com", "config-multiaccountsetup.amazonaws.com",
}

// blindingGuardDutyMessage describes a GuardDuty suppression rule or list.
var blindingGuardDutyMessage = Message{
	Paths: apiCallPaths(map[string]string{
		"detectorId":       "$.detail.requestParameters.detectorId",
		"name":             "$.detail.requestParameters.name",
		"filterName":       "$.detail.requestParameters.filterName",
		"ipSetId":          "$.detail.requestParameters.ipSetId",
		"threatIntelSetId": "$.detail.requestParameters.threatIntelSetId",
		"action":           "$.detail.requestParameters.action",
		"criteria":         "$.detail.requestParameters.findingCriteria",
		"location":         "$.detail.requestParameters.location",
		"activate":         "$.detail.requestParameters.activate",
	}),
	Title:   "GuardDuty findings quieted: <eventName> <name><filterName><ipSetId><threatIntelSetId> in account <account> (<region>)",
	Summary: "A GuardDuty suppression rule, trusted IP list or threat list changed on detector <detectorId>. Findings a suppression rule matches are archived as they are created and sent nowhere; traffic with trusted IP addresses raises no finding at all. GuardDuty still looks enabled, but secalerts stops seeing those threats.",
	Fields: apiCallFields(
		Field{Label: "Detector", Value: "<detectorId>"},
		Field{Label: "Filter / list", Value: "<name><filterName><ipSetId><threatIntelSetId>"},
		Field{Label: "Action (ARCHIVE: suppression rule)", Value: "<action>"},
		Field{Label: "Finding criteria", Value: "<criteria>"},
		Field{Label: "List location / active", Value: "<location> <activate>"},
	),
	ConsoleURL: "https://<region>.console.aws.amazon.com/guardduty/home?region=<region>#/findings",
	NextSteps: []string{
		"Read the criteria: a suppression rule that matches broad finding types, every resource or high severities hides real attacks, and a trusted IP list hides everything its addresses do.",
		"If it was not agreed, delete the filter (DeleteFilter) or set its action back to NOOP, deactivate or delete the trusted IP list, and recreate a deleted threat list. Then list the findings archived since <time>: suppressed findings are kept, archived, in GuardDuty.",
		confirmCaller,
	},
}

// blindingSecurityHubMessage describes Security Hub findings being hidden.
var blindingSecurityHubMessage = Message{
	Paths: apiCallPaths(map[string]string{
		"ruleName":     "$.detail.requestParameters.RuleName",
		"ruleStatus":   "$.detail.requestParameters.RuleStatus",
		"actions":      "$.detail.requestParameters.Actions",
		"criteria":     "$.detail.requestParameters.Criteria",
		"ruleUpdates":  "$.detail.requestParameters.UpdateAutomationRulesRequestItems",
		"workflow":     "$.detail.requestParameters.Workflow.Status",
		"findings":     "$.detail.requestParameters.FindingIdentifiers",
		"recordState":  "$.detail.requestParameters.RecordState",
		"control":      "$.detail.requestParameters.StandardsControlArn",
		"associations": "$.detail.requestParameters.StandardsControlAssociationUpdates",
		"autoEnable":   "$.detail.requestParameters.AutoEnableControls",
	}),
	Title:   "Security Hub findings quieted: <eventName> <ruleName><control> in account <account> (<region>)",
	Summary: "Security Hub in account <account> (<region>) was told to hide findings while it stays on: an automation rule (which can suppress, resolve or downgrade every matching finding as it arrives), findings suppressed or archived, a control disabled, or new controls left off. Suppressed findings stay suppressed through later updates, and secalerts never alerts on them.",
	Fields: apiCallFields(
		Field{Label: "Automation rule", Value: "<ruleName> <ruleStatus>"},
		Field{Label: "Rule criteria", Value: "<criteria>"},
		Field{Label: "Rule actions", Value: "<actions>"},
		Field{Label: "Rules updated", Value: "<ruleUpdates>"},
		Field{Label: "Findings set to", Value: "<workflow><recordState>"},
		Field{Label: "Findings", Value: "<findings>"},
		Field{Label: "Control(s) disabled", Value: "<control><associations>"},
		Field{Label: "Auto-enable new controls", Value: "<autoEnable>"},
	),
	ConsoleURL: "https://<region>.console.aws.amazon.com/securityhub/home?region=<region>#/automations",
	NextSteps: []string{
		"Read the rule's criteria and actions, or the findings and controls named: a rule that suppresses or downgrades whole products, accounts or severities hides real attacks.",
		"If it was not agreed, disable or delete the automation rule, set the findings' workflow status back to NEW (BatchUpdateFindings), enable the control again and turn AutoEnableControls back on. Then review the findings suppressed since <time>.",
		confirmCaller,
	},
}

// blindingAccessAnalyzerMessage describes an archive rule.
var blindingAccessAnalyzerMessage = Message{
	Paths: apiCallPaths(map[string]string{
		"analyzer": "$.detail.requestParameters.analyzerName",
		"rule":     "$.detail.requestParameters.ruleName",
		"filter":   "$.detail.requestParameters.filter",
	}),
	Title:   "IAM Access Analyzer findings quieted: archive rule <rule> on <analyzer> in account <account> (<region>)",
	Summary: "An archive rule archives every new IAM Access Analyzer finding that matches its filter, so resources shared outside the account or organization that it matches are never reported to secalerts.",
	Fields: apiCallFields(
		Field{Label: "Analyzer", Value: "<analyzer>"},
		Field{Label: "Archive rule", Value: "<rule>"},
		Field{Label: "Filter", Value: "<filter>"},
	),
	ConsoleURL: "https://<region>.console.aws.amazon.com/access-analyzer/home?region=<region>#/archive-rules",
	NextSteps: []string{
		"Read the filter: a rule matching whole resource types or every external principal hides public or cross-account access.",
		"If it was not agreed, delete the archive rule (DeleteArchiveRule) and review the findings archived since <time>.",
		confirmCaller,
	},
}
