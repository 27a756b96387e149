package detectors

import (
	"secalerts/names"
	"secalerts/severity"
)

// Tampering with the services that see attacks, and with secalerts itself.
// An attacker's first calls after getting in often blind detection: stop
// CloudTrail, delete the GuardDuty detector, turn off Config and Security
// Hub, or delete the rules that forward alerts. Those calls are CRITICAL or
// HIGH; the ordinary configuration calls of the same services (CIS 4.5 and
// 4.9) are MEDIUM, so the default member minimum lets them through.

// cloudTrailChangesDetector is CIS 4.5 (CloudTrail configuration changes)
// merged with trail tampering. StopLogging and DeleteTrail are CRITICAL: with
// no trail logging, EventBridge stops receiving API-call events, so every
// detector in this file goes quiet after this alert. PutEventSelectors is
// added to the CIS list: it can drop management events from a trail while
// the trail still looks healthy.
var cloudTrailChangesDetector = Detector{
	ID:          "cloudtrail-changes",
	Title:       "CloudTrail configuration change",
	Description: "Trails created, updated, started, stopped or deleted (CIS 4.5); StopLogging and DeleteTrail are CRITICAL.",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		p := func(names ...string) Pattern {
			return apiCallPattern("aws.cloudtrail", "cloudtrail.amazonaws.com", names, nil)
		}
		return []Variant{
			{Name: "changed", Severity: severity.Medium, Pattern: p("CreateTrail", "StartLogging")},
			{Name: "modified", Severity: severity.High, Pattern: p("UpdateTrail", "PutEventSelectors")},
			{Name: "stopped", Severity: severity.Critical, Pattern: p("StopLogging", "DeleteTrail")},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"trail":         "$.detail.requestParameters.name",
			"selectorTrail": "$.detail.requestParameters.trailName",
		}),
		Title:   "CloudTrail <eventName> on trail <trail><selectorTrail> in account <account> (<region>)",
		Summary: "The audit log of account <account> changed. Stopping, deleting or narrowing a trail hides what happens next, and secalerts stops seeing API calls from this account when no trail is logging.",
		Fields: apiCallFields(
			Field{Label: "Trail", Value: "<trail><selectorTrail>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/cloudtrail/home?region=<region>#/trails",
		NextSteps: []string{
			"If logging was stopped or the trail deleted, restart logging (or recreate the trail) now.",
			confirmCaller,
			"Review what the same caller did around <time> in the CloudTrail event history, which keeps 90 days even without a trail.",
		},
	},
}

// configChangesDetector is CIS 4.9 (AWS Config configuration changes) with
// DeleteConfigurationRecorder added: stopping or deleting the recorder or the
// delivery channel ends configuration history and Config rule evaluation, so
// those calls are HIGH.
var configChangesDetector = Detector{
	ID:          "config-changes",
	Title:       "AWS Config change",
	Description: "Config recorders and delivery channels changed (CIS 4.9); stopping or deleting them is HIGH.",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		p := func(names ...string) Pattern {
			return apiCallPattern("aws.config", "config.amazonaws.com", names, nil)
		}
		return []Variant{
			{Name: "changed", Severity: severity.Medium, Pattern: p("PutConfigurationRecorder", "PutDeliveryChannel")},
			{Name: "stopped", Severity: severity.High, Pattern: p("StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel")},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"recorder":        "$.detail.requestParameters.configurationRecorderName",
			"deliveryChannel": "$.detail.requestParameters.deliveryChannelName",
		}),
		Title:   "AWS Config <eventName> <recorder><deliveryChannel> in account <account> (<region>)",
		Summary: "AWS Config recording in account <account> (<region>) changed. Without a running recorder and delivery channel, configuration history and Config rules (and the Security Hub controls built on them) stop.",
		Fields: apiCallFields(
			Field{Label: "Recorder / delivery channel", Value: "<recorder><deliveryChannel>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/config/home?region=<region>#/settings",
		NextSteps: []string{
			"If the recorder was stopped or deleted, turn recording back on in the Config settings page.",
			confirmCaller,
		},
	},
}

// guardDutyChangesDetector reports GuardDuty being turned off or detached
// from its administrator account. UpdateDetector only counts when
// requestParameters.enable is false (GuardDuty API Reference, UpdateDetector:
// "enable: Specifies whether the detector is enabled or not"); other updates
// (publishing frequency, features) are left alone.
var guardDutyChangesDetector = Detector{
	ID:          "guardduty-changes",
	Title:       "GuardDuty disabled or detached",
	Description: "GuardDuty detector deleted or suspended (CRITICAL) or the account detached from its GuardDuty administrator (HIGH).",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		const src, es = "aws.guardduty", "guardduty.amazonaws.com"
		return []Variant{
			{Name: "detached", Severity: severity.High, Pattern: apiCallPattern(src, es,
				[]string{"DisassociateFromAdministratorAccount", "DisassociateFromMasterAccount"}, nil)},
			{Name: "disabled", Severity: severity.Critical, Pattern: apiCallPattern(src, es, nil, map[string]any{
				"$or": []any{
					map[string]any{"eventName": []any{"DeleteDetector"}},
					map[string]any{"eventName": []any{"UpdateDetector"}, "requestParameters": map[string]any{"enable": []any{false}}},
				},
			})},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"detectorId": "$.detail.requestParameters.detectorId",
		}),
		Title:   "GuardDuty <eventName> on detector <detectorId> in account <account> (<region>)",
		Summary: "GuardDuty threat detection in account <account> (<region>) was turned off or detached from the administrator account, so threats there are no longer reported centrally.",
		Fields: apiCallFields(
			Field{Label: "Detector", Value: "<detectorId>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/guardduty/home?region=<region>#/settings",
		NextSteps: []string{
			"Re-enable GuardDuty (or re-associate the account) from the GuardDuty administrator account now.",
			confirmCaller,
		},
	},
}

// securityHubChangesDetector reports Security Hub being turned off,
// standards disabled, product integrations cut or the account detached.
// Security Hub's DisassociateFromAdministratorAccount shares its name with
// GuardDuty's; the eventSource keeps them apart.
var securityHubChangesDetector = Detector{
	ID:          "securityhub-changes",
	Title:       "Security Hub disabled or weakened",
	Description: "Security Hub disabled (CRITICAL); standards or product integrations disabled, or the account detached from its administrator (HIGH).",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		const src, es = "aws.securityhub", "securityhub.amazonaws.com"
		return []Variant{
			{Name: "weakened", Severity: severity.High, Pattern: apiCallPattern(src, es, []string{
				"BatchDisableStandards", "DisableImportFindingsForProduct",
				"DisassociateFromAdministratorAccount", "DisassociateFromMasterAccount",
			}, nil)},
			{Name: "disabled", Severity: severity.Critical, Pattern: apiCallPattern(src, es, []string{"DisableSecurityHub"}, nil)},
		}
	},
	Message: Message{
		Paths:      apiCallPaths(nil),
		Title:      "Security Hub <eventName> in account <account> (<region>)",
		Summary:    "Security Hub in account <account> (<region>) was turned off or weakened, so findings from there may stop reaching secalerts.",
		Fields:     apiCallFields(),
		ConsoleURL: "https://<region>.console.aws.amazon.com/securityhub/home?region=<region>#/settings",
		NextSteps: []string{
			"Re-enable Security Hub, its standards and integrations (or re-associate the account) from the administrator account.",
			confirmCaller,
		},
	},
}

// accessAnalyzerChangesDetector reports an IAM Access Analyzer analyzer
// deleted: the access-analyzer detector relies on its findings.
var accessAnalyzerChangesDetector = Detector{
	ID:          "access-analyzer-changes",
	Title:       "IAM Access Analyzer deleted",
	Description: "An IAM Access Analyzer analyzer was deleted, ending external-access findings for its zone of trust.",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		return []Variant{{
			Name:     "deleted",
			Severity: severity.High,
			Pattern:  apiCallPattern("aws.access-analyzer", "access-analyzer.amazonaws.com", []string{"DeleteAnalyzer"}, nil),
		}}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"analyzer": "$.detail.requestParameters.analyzerName",
		}),
		Title:   "IAM Access Analyzer <analyzer> deleted in account <account> (<region>)",
		Summary: "Without the analyzer, resources shared outside the account or organization (public buckets, cross-account roles) are no longer reported.",
		Fields: apiCallFields(
			Field{Label: "Analyzer", Value: "<analyzer>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/access-analyzer/home?region=<region>#/analyzers",
		NextSteps: []string{
			"Recreate the analyzer (account or organization zone of trust) in this Region.",
			confirmCaller,
		},
	},
}

// pipelineChangesDetector reports secalerts' own resources being disabled
// or deleted: EventBridge rules and buses (names start with names.Prefix;
// DisableRule, DeleteRule and DeleteEventBus carry it in
// requestParameters.name, RemoveTargets in requestParameters.rule: EventBridge
// API Reference) and SNS topics (requestParameters.topicArn of DeleteTopic,
// requestParameters.subscriptionArn of Unsubscribe, which is the topic ARN
// plus ":<id>"; SNS API Reference). Topic names cannot contain ':', so the
// wildcard names.OwnTopicsWildcard only matches secalerts topics. A
// secalerts deploy that replaces a rule or a `pulumi destroy` also alerts:
// the message says so.
var pipelineChangesDetector = Detector{
	ID:          "pipeline-changes",
	Title:       "secalerts pipeline tampered with",
	Description: "secalerts' own EventBridge rules, buses or SNS topics disabled, emptied, unsubscribed or deleted.",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		const es = "events.amazonaws.com"
		events := apiCallPattern("aws.events", es, nil, map[string]any{
			"$or": []any{
				map[string]any{"eventName": []any{"DisableRule", "DeleteRule", "DeleteEventBus"}, "requestParameters": map[string]any{"name": namePrefixed}},
				map[string]any{"eventName": []any{"RemoveTargets"}, "requestParameters": map[string]any{"rule": namePrefixed}},
			},
		})
		ourTopic := []any{map[string]any{"wildcard": names.OwnTopicsWildcard("aws")}}
		sns := apiCallPattern("aws.sns", "sns.amazonaws.com", nil, map[string]any{
			"$or": []any{
				map[string]any{"eventName": []any{"DeleteTopic"}, "requestParameters": map[string]any{"topicArn": ourTopic}},
				map[string]any{"eventName": []any{"Unsubscribe"}, "requestParameters": map[string]any{"subscriptionArn": ourTopic}},
			},
		})
		return []Variant{
			{Name: "events", Severity: severity.High, Pattern: events},
			{Name: "sns", Severity: severity.High, Pattern: sns},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"name":            "$.detail.requestParameters.name",
			"rule":            "$.detail.requestParameters.rule",
			"topicArn":        "$.detail.requestParameters.topicArn",
			"subscriptionArn": "$.detail.requestParameters.subscriptionArn",
		}),
		Title:   "secalerts pipeline <eventName> on <name><rule><topicArn><subscriptionArn> in account <account> (<region>)",
		Summary: "Part of the security alert pipeline was disabled or deleted, so alerts from account <account> (<region>) may stop arriving. If this was a secalerts deploy or destroy, no action is needed.",
		Fields: apiCallFields(
			Field{Label: "Resource", Value: "<name><rule><topicArn><subscriptionArn>"},
		),
		ConsoleURL: eventHistoryURL,
		NextSteps: []string{
			"Check whether a secalerts deploy (pulumi up/destroy) ran at <time>; if not, run it now to restore the rules and topics.",
			confirmCaller,
		},
	},
}
