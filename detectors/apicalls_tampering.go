package detectors

import "secalerts/severity"

// Turning off the services that see attacks. An attacker's first calls
// after getting in often blind detection: stop CloudTrail, delete the
// GuardDuty detector, turn off Config and Security Hub. Turning a sensor
// off, cutting it down or detaching it from the account that watches it is
// CRITICAL, and every detector here is a Tamper one; the ordinary
// configuration calls of the same services (CIS 4.5 and 4.9) stay MEDIUM or
// HIGH, so the default member minimum lets them through. Quieting a sensor
// that stays on (suppression rules, archive rules, disabled controls) is
// sensor-blinding's (apicalls_blinding.go), and secalerts' own resources
// are pipeline-changes' (apicalls_pipeline.go).

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
	Tamper:      true,
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
// DeleteConfigurationRecorder added (AWS Config Developer Guide, "Logging
// AWS Config API calls with AWS CloudTrail"; AWS Config API Reference:
// configurationRecorderName, deliveryChannelName, configurationRecorder):
// stopping or deleting the recorder or the delivery channel ends
// configuration history and Config rule evaluation (and the Security Hub
// controls built on it), so those calls are CRITICAL.
//
// PutConfigurationRecorder is CRITICAL too when it narrows recording:
// requestParameters.configurationRecorder.recordingGroup.allSupported is the
// one switch that says every supported resource type is recorded (AWS
// Config API Reference, RecordingGroup: allSupported true requires the
// ALL_SUPPORTED_RESOURCE_TYPES strategy; a list of types or an exclusion
// list needs it false). Only an explicit true is the ordinary MEDIUM change;
// false or absent (a recorder put without a recording group, or a new role
// only: the role decides what Config can read) is "narrowed". The two
// branches cover every PutConfigurationRecorder between them.
var configChangesDetector = Detector{
	ID:          "config-changes",
	Title:       "AWS Config change",
	Description: "Config recorders and delivery channels changed (CIS 4.9); recording stopped, narrowed or deleted is CRITICAL.",
	DefaultOn:   true,
	Tamper:      true,
	Build: func(Options) []Variant {
		const src, es = "aws.config", "config.amazonaws.com"
		allSupported := func(v any) map[string]any {
			return map[string]any{"eventName": []any{"PutConfigurationRecorder"}, "requestParameters": map[string]any{
				"configurationRecorder": map[string]any{"recordingGroup": map[string]any{"allSupported": []any{v}}},
			}}
		}
		return []Variant{
			{Name: "changed", Severity: severity.Medium, Pattern: apiCallPattern(src, es, nil, map[string]any{
				"$or": []any{
					map[string]any{"eventName": []any{"PutDeliveryChannel"}},
					allSupported(true),
				},
			})},
			{Name: "stopped", Severity: severity.Critical, Pattern: apiCallPattern(src, es,
				[]string{"StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel"}, nil)},
			{Name: "narrowed", Severity: severity.Critical, Pattern: apiCallPattern(src, es, nil, map[string]any{
				"$or": []any{
					allSupported(false),
					allSupported(map[string]any{"exists": false}),
				},
			})},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"recorder":        "$.detail.requestParameters.configurationRecorderName",
			"deliveryChannel": "$.detail.requestParameters.deliveryChannelName",
			"newRecorder":     "$.detail.requestParameters.configurationRecorder.name",
			"recordingGroup":  "$.detail.requestParameters.configurationRecorder.recordingGroup",
			"roleArn":         "$.detail.requestParameters.configurationRecorder.roleARN",
		}),
		Title:   "AWS Config <eventName> <recorder><deliveryChannel><newRecorder> in account <account> (<region>)",
		Summary: "AWS Config recording in account <account> (<region>) changed. Without a running recorder that records every resource type and a delivery channel, configuration history and Config rules (and the Security Hub controls built on them) stop or go blind to what is no longer recorded.",
		Fields: apiCallFields(
			Field{Label: "Recorder / delivery channel", Value: "<recorder><deliveryChannel><newRecorder>"},
			Field{Label: "Recording group", Value: "<recordingGroup>"},
			Field{Label: "Recorder role", Value: "<roleArn>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/config/home?region=<region>#/settings",
		NextSteps: []string{
			"If the recorder was stopped, deleted or narrowed, turn recording of all resource types back on in the Config settings page (StartConfigurationRecorder; PutConfigurationRecorder with allSupported true), or run the secalerts baseline (pulumi up) where it manages the recorder.",
			confirmCaller,
		},
	},
}

// guardDutyChangesDetector reports GuardDuty being turned off, cut down or
// detached from the account that watches it (GuardDuty User Guide,
// "Logging Amazon GuardDuty API calls with AWS CloudTrail"; GuardDuty API
// Reference for the request fields, which CloudTrail records as sent):
//
//   - detached: a member leaving its administrator
//     (DisassociateFromAdministratorAccount, or the older
//     DisassociateFromMasterAccount), the administrator dropping or no
//     longer monitoring members (DisassociateMembers, DeleteMembers,
//     StopMonitoringMembers, which suspends GuardDuty in the members), or
//     the management account removing the delegated administrator
//     (DisableOrganizationAdminAccount). Findings then stay in the member,
//     out of sight of the administrator's account.
//   - disabled: DeleteDetector, UpdateDetector with
//     requestParameters.enable false ("Specifies whether the detector is
//     enabled or not"), and DeletePublishingDestination, which ends the
//     export of findings to the archive bucket.
//   - features-off: UpdateDetector or UpdateMemberDetectors turning a
//     protection plan off, either in requestParameters.features (a list of
//     {name, status}: any element with status DISABLED matches) or in the
//     older dataSources (s3Logs.enable, kubernetes.auditLogs.enable,
//     malwareProtection.scanEc2InstanceWithFindings.ebsVolumes false).
//     Only a plan's own status counts: additionalConfiguration entries such
//     as EKS_ADDON_MANAGEMENT DISABLED are the usual way to run Runtime
//     Monitoring with a self-managed agent, not an attack.
//   - org-auto-enable-off: UpdateOrganizationConfiguration in the
//     delegated administrator no longer turning GuardDuty or a plan on for
//     the organization's accounts: autoEnableOrganizationMembers NONE (or
//     the older autoEnable false), a feature with autoEnable NONE, or a
//     dataSources autoEnable false. A console save that lists every plan
//     with its current setting alerts when any plan is NONE: the message
//     shows the request to tell the two apart.
//
// Other UpdateDetector calls (publishing frequency, plans turned on) are
// left alone.
var guardDutyChangesDetector = Detector{
	ID:          "guardduty-changes",
	Title:       "GuardDuty disabled, cut down or detached",
	Description: "GuardDuty detector deleted or suspended, protection plans or organization auto-enable turned off, findings export deleted, or accounts detached from the GuardDuty administrator.",
	DefaultOn:   true,
	Tamper:      true,
	Build: func(Options) []Variant {
		const src, es = "aws.guardduty", "guardduty.amazonaws.com"
		rp := func(path []string, leaf any) map[string]any {
			return map[string]any{"requestParameters": under(path, leaf)}
		}
		with := func(events []string, cond map[string]any) map[string]any {
			cond["eventName"] = anyStrings(events)
			return cond
		}
		detectorUpdates := []string{"UpdateDetector", "UpdateMemberDetectors"}
		orgConfig := []string{"UpdateOrganizationConfiguration"}
		off := []any{false}
		return []Variant{
			{Name: "detached", Severity: severity.Critical, Pattern: apiCallPattern(src, es, []string{
				"DisassociateFromAdministratorAccount", "DisassociateFromMasterAccount",
				"DisassociateMembers", "DeleteMembers", "StopMonitoringMembers", "DisableOrganizationAdminAccount",
			}, nil)},
			{Name: "disabled", Severity: severity.Critical, Pattern: apiCallPattern(src, es, nil, map[string]any{
				"$or": []any{
					map[string]any{"eventName": []any{"DeleteDetector", "DeletePublishingDestination"}},
					with([]string{"UpdateDetector"}, rp([]string{"enable"}, off)),
				},
			})},
			{Name: "features-off", Severity: severity.Critical, Pattern: apiCallPattern(src, es, nil, map[string]any{
				"$or": []any{
					with(detectorUpdates, rp([]string{"features", "status"}, []any{"DISABLED"})),
					with(detectorUpdates, rp([]string{"dataSources", "s3Logs", "enable"}, off)),
					with(detectorUpdates, rp([]string{"dataSources", "kubernetes", "auditLogs", "enable"}, off)),
					with(detectorUpdates, rp([]string{"dataSources", "malwareProtection", "scanEc2InstanceWithFindings", "ebsVolumes"}, off)),
				},
			})},
			{Name: "org-auto-enable-off", Severity: severity.Critical, Pattern: apiCallPattern(src, es, nil, map[string]any{
				"$or": []any{
					with(orgConfig, rp([]string{"autoEnableOrganizationMembers"}, []any{"NONE"})),
					with(orgConfig, rp([]string{"autoEnable"}, off)),
					with(orgConfig, rp([]string{"features", "autoEnable"}, []any{"NONE"})),
					with(orgConfig, rp([]string{"dataSources", "s3Logs", "autoEnable"}, off)),
					with(orgConfig, rp([]string{"dataSources", "kubernetes", "auditLogs", "autoEnable"}, off)),
					with(orgConfig, rp([]string{"dataSources", "malwareProtection", "scanEc2InstanceWithFindings", "ebsVolumes", "autoEnable"}, off)),
				},
			})},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"detectorId":    "$.detail.requestParameters.detectorId",
			"accountIds":    "$.detail.requestParameters.accountIds",
			"adminAccount":  "$.detail.requestParameters.adminAccountId",
			"enable":        "$.detail.requestParameters.enable",
			"features":      "$.detail.requestParameters.features",
			"dataSources":   "$.detail.requestParameters.dataSources",
			"autoEnable":    "$.detail.requestParameters.autoEnableOrganizationMembers",
			"destinationId": "$.detail.requestParameters.destinationId",
		}),
		Title:   "GuardDuty <eventName> in account <account> (<region>)",
		Summary: "GuardDuty threat detection in account <account> (<region>) was turned off, had protection plans switched off, or was detached from the account that watches its findings, so threats there may no longer be reported.",
		Fields: apiCallFields(
			Field{Label: "Detector", Value: "<detectorId>"},
			Field{Label: "Accounts acted on", Value: "<accountIds><adminAccount>"},
			Field{Label: "Detector enabled", Value: "<enable>"},
			Field{Label: "Protection plans", Value: "<features><dataSources>"},
			Field{Label: "Organization auto-enable", Value: "<autoEnable>"},
			Field{Label: "Publishing destination", Value: "<destinationId>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/guardduty/home?region=<region>#/settings",
		NextSteps: []string{
			"Undo it from the GuardDuty administrator account: enable the detector again (or create it), turn the protection plans back on (status ENABLED; ALL in the organization's auto-enable settings), associate and monitor the detached accounts again, and recreate a deleted publishing destination (the secalerts baseline recreates its own with pulumi up).",
			confirmCaller,
		},
	},
}

// securityHubChangesDetector reports Security Hub being turned off or cut
// down (Security Hub User Guide, "Logging Security Hub API calls with
// CloudTrail"; Security Hub API Reference: its request fields are
// PascalCase and CloudTrail records them as sent, as in the guide's
// example). Security Hub's DisassociateFromAdministratorAccount shares its
// name with GuardDuty's; the eventSource keeps them apart.
//
//   - weakened: standards disabled (BatchDisableStandards), a product's
//     findings no longer imported (DisableImportFindingsForProduct), or
//     accounts detached from the administrator (the member's
//     DisassociateFromAdministratorAccount and DisassociateFromMasterAccount,
//     the administrator's DisassociateMembers and DeleteMembers, the
//     management account's DisableOrganizationAdminAccount).
//   - disabled: DisableSecurityHub, or a central configuration policy
//     (CreateConfigurationPolicy, UpdateConfigurationPolicy) whose
//     ConfigurationPolicy.SecurityHub.ServiceEnabled is false, which turns
//     Security Hub off in every account it is associated with.
//
// Quieting Security Hub while it stays on (automation rules, suppressed
// findings, disabled controls) is sensor-blinding's.
var securityHubChangesDetector = Detector{
	ID:          "securityhub-changes",
	Title:       "Security Hub disabled or weakened",
	Description: "Security Hub disabled (directly or by a central configuration policy), standards or product integrations disabled, or accounts detached from the Security Hub administrator.",
	DefaultOn:   true,
	Tamper:      true,
	Build: func(Options) []Variant {
		const src, es = "aws.securityhub", "securityhub.amazonaws.com"
		return []Variant{
			{Name: "weakened", Severity: severity.Critical, Pattern: apiCallPattern(src, es, []string{
				"BatchDisableStandards", "DisableImportFindingsForProduct",
				"DisassociateFromAdministratorAccount", "DisassociateFromMasterAccount",
				"DisassociateMembers", "DeleteMembers", "DisableOrganizationAdminAccount",
			}, nil)},
			{Name: "disabled", Severity: severity.Critical, Pattern: apiCallPattern(src, es, nil, map[string]any{
				"$or": []any{
					map[string]any{"eventName": []any{"DisableSecurityHub"}},
					map[string]any{
						"eventName":         []any{"CreateConfigurationPolicy", "UpdateConfigurationPolicy"},
						"requestParameters": under([]string{"ConfigurationPolicy", "SecurityHub", "ServiceEnabled"}, []any{false}),
					},
				},
			})},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"standards":  "$.detail.requestParameters.StandardsSubscriptionArns",
			"product":    "$.detail.requestParameters.ProductSubscriptionArn",
			"accountIds": "$.detail.requestParameters.AccountIds",
			"admin":      "$.detail.requestParameters.AdminAccountId",
			"policy":     "$.detail.requestParameters.Name",
		}),
		Title:   "Security Hub <eventName> in account <account> (<region>)",
		Summary: "Security Hub in account <account> (<region>) was turned off or cut down, so findings from there may stop reaching secalerts.",
		Fields: apiCallFields(
			Field{Label: "Standards", Value: "<standards>"},
			Field{Label: "Product integration", Value: "<product>"},
			Field{Label: "Accounts acted on", Value: "<accountIds><admin>"},
			Field{Label: "Configuration policy", Value: "<policy>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/securityhub/home?region=<region>#/settings",
		NextSteps: []string{
			"Re-enable Security Hub, its standards and integrations, re-associate detached accounts from the administrator account, or set ServiceEnabled back to true in the configuration policy.",
			confirmCaller,
		},
	},
}

// accessAnalyzerChangesDetector reports an IAM Access Analyzer analyzer
// deleted (IAM User Guide, "Logging IAM Access Analyzer API calls with AWS
// CloudTrail"; Access Analyzer API Reference, DeleteAnalyzer:
// requestParameters.analyzerName): the access-analyzer detector relies on
// its findings, so it is CRITICAL. Archive rules, which quiet the analyzer
// without deleting it, are sensor-blinding's.
var accessAnalyzerChangesDetector = Detector{
	ID:          "access-analyzer-changes",
	Title:       "IAM Access Analyzer deleted",
	Description: "An IAM Access Analyzer analyzer was deleted, ending external-access findings for its zone of trust.",
	DefaultOn:   true,
	Tamper:      true,
	Build: func(Options) []Variant {
		return []Variant{{
			Name:     "deleted",
			Severity: severity.Critical,
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
			"Recreate the analyzer (account or organization zone of trust) in this Region; the secalerts baseline recreates its own with pulumi up.",
			confirmCaller,
		},
	},
}
