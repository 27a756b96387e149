package policy

import (
	"errors"
	"fmt"
	"slices"

	"secalerts/names"
)

// ServiceControlPolicyMaxChars is the size this package holds a service
// control policy to: 5,120 characters. The AWS Organizations quota page
// counts every character, whitespace included, of a policy saved through the
// API, CLI or an SDK (only the console strips whitespace outside quotes), and
// earlier editions gave the same 5,120 as bytes ("Quotas and service limits
// for AWS Organizations" -> maximum size of a policy document; "Troubleshooting
// AWS Organizations policies" -> policy document exceeds maximum size).
// Document.JSON is compact and the size is counted in bytes, so the count is
// never below AWS's. AWS raised the SCP quota to 10,240 characters in May
// 2026; holding to the old one keeps the policy attachable in any
// organization and partition, whatever its quota history.
const ServiceControlPolicyMaxChars = 5120

// ErrSCPTooLarge is wrapped by ProtectionSCP when the policy would exceed
// ServiceControlPolicyMaxChars.
var ErrSCPTooLarge = errors.New("service control policy exceeds the AWS Organizations size quota")

// Statement ids of the protection SCP.
const (
	sidSCPResources   = "ProtectSecalertsResources"
	sidSCPSensors     = "ProtectSecurityServices"
	sidSCPSuppression = "ProtectFindingsFromSuppression"
)

// Condition operators and keys of the protection SCP.
const (
	opArnNotLike = "ArnNotLike"
	// keyFindingWorkflowStatus is the ASFF field a BatchUpdateFindings
	// request sets (Security Hub User Guide, "BatchUpdateFindings for
	// customers" -> context keys: securityhub:ASFFSyntaxPath/<fieldName>).
	keyFindingWorkflowStatus = "securityhub:ASFFSyntaxPath/Workflow.Status"
	workflowSuppressed       = "SUPPRESSED"
)

// ProtectionInput configures the protection SCP.
type ProtectionInput struct {
	// Deployers are ARN patterns of the IAM roles that deploy secalerts into
	// member accounts (names.RolePattern, * its only wildcard: the same
	// patterns as the members' deployerPrincipals, which EventBridge reads
	// too): the only principals the SCP leaves free to change what it
	// protects. They are matched against
	// aws:PrincipalArn, which for a role session is the role's ARN with its
	// path, never the sts assumed-role ARN: an IAM Identity Center role needs
	// a pattern such as
	// arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Deploy_*.
	Deployers []string
	// DenyFindingSuppression also denies securityhub:BatchUpdateFindings that
	// set a finding's workflow status to SUPPRESSED. Off by default: setting
	// workflow status is the customer's own analysts' triage, and secalerts'
	// own Security Hub alert tells them to suppress a finding whose risk they
	// accept.
	// Only SUPPRESSED is denied when it is on (the condition key AWS's own
	// AWSSystemsManagerOpsDataSyncServiceRolePolicy uses for the same
	// purpose), so analysts can still mark findings NOTIFIED or RESOLVED.
	// A suppression only stops later updates of a finding whose first
	// import has already alerted; the suppressing automation rules that act
	// before any alert are denied regardless.
	DenyFindingSuppression bool
}

// ProtectionSCP is the service control policy that stops anyone in a member
// account but the deployer roles from silencing secalerts: changing or
// deleting its rules, targets, forwarding role, dead-letter queues, alarms,
// trail, recorder and analyzer, or quieting the security services it reads.
// It is ProtectionSCPWith with finding suppression left to the customer.
//
// Attach it to the organizational units of member accounts, never to the
// hub account unless the hub's deployer is among deployers: the hub's own
// bus policy is managed with events:PutPermission, which the SCP denies.
func ProtectionSCP(deployers []string) (Document, error) {
	return ProtectionSCPWith(ProtectionInput{Deployers: deployers})
}

// ProtectionSCPWith builds the protection SCP from in, checking the
// deployer patterns and the size quota: building it is its validation.
func ProtectionSCPWith(in ProtectionInput) (Document, error) {
	deployers := sortedUnique(in.Deployers)
	if len(deployers) == 0 {
		return Document{}, errors.New("building the protection SCP: no deployer role patterns, so the SCP would deny the deployer too; give the ARN pattern of the role that runs pulumi up for member stacks")
	}
	for _, p := range deployers {
		if err := validateDeployer(p); err != nil {
			return Document{}, fmt.Errorf("building the protection SCP: %w", err)
		}
	}
	d := protectionSCP(deployers, in.DenyFindingSuppression)
	js, err := d.JSON()
	if err != nil {
		return Document{}, err
	}
	if n := len(js); n > ServiceControlPolicyMaxChars {
		base, _ := protectionSCP(nil, in.DenyFindingSuppression).JSON()
		return Document{}, fmt.Errorf("%w: %d characters for %d deployer patterns (%d characters of them), over the limit of %d; without deployer patterns the policy is %d characters, so they must fit in %d, each counted once per statement: use fewer or shorter patterns, one wildcard for roles that share a name",
			ErrSCPTooLarge, n, len(deployers), patternChars(deployers), ServiceControlPolicyMaxChars, len(base), ServiceControlPolicyMaxChars-len(base))
	}
	return d, nil
}

func patternChars(ps []string) int {
	n := 0
	for _, p := range ps {
		n += len(p)
	}
	return n
}

// validateDeployer accepts an ARN pattern of IAM roles, the only principal
// the exemption can safely name; names.ParseRolePattern is the one check,
// shared with the stack configuration's deployerPrincipals.
func validateDeployer(p string) error {
	_, err := names.ParseRolePattern(p)
	return err
}

// Actions that change a resource secalerts names. They are denied only on
// scpNamedResources, so the same actions on the customer's own resources
// stay allowed. Each has a resource type in the Service Authorization
// Reference (SAR) whose ARN carries the name secalerts gives; the comment
// of each group cites it.
var scpNamedActions = []string{
	// SAR, Amazon EventBridge: rule-on-default-event-bus,
	// arn:${Partition}:events:${Region}:${Account}:rule/${RuleName}, for
	// PutRule, DeleteRule, DisableRule, EnableRule, PutTargets, RemoveTargets,
	// TagResource and UntagResource. EnableRule is included: every change to
	// the rules goes through the deployer, so the deployed state stays the
	// one the stack describes.
	"events:DeleteRule",
	"events:DisableRule",
	"events:EnableRule",
	"events:PutRule",
	"events:PutTargets",
	"events:RemoveTargets",
	"events:TagResource",
	"events:UntagResource",
	// SAR, IAM: role, arn:${Partition}:iam::${Account}:role/${RoleNameWithPath};
	// the same action list as the AWS Organizations User Guide's "SCP syntax"
	// example that protects a common administrative role, plus CreateRole, so
	// that no one recreates a protected role or creates one a deployer
	// pattern would exempt.
	"iam:AttachRolePolicy",
	"iam:CreateRole",
	"iam:DeleteRole",
	"iam:DeleteRolePermissionsBoundary",
	"iam:DeleteRolePolicy",
	"iam:DetachRolePolicy",
	"iam:PutRolePermissionsBoundary",
	"iam:PutRolePolicy",
	"iam:UpdateAssumeRolePolicy",
	"iam:UpdateRole",
	"iam:UpdateRoleDescription",
	// SAR, Amazon SQS: queue*, arn:${Partition}:sqs:${Region}:${Account}:${QueueName}.
	"sqs:DeleteQueue",
	"sqs:PurgeQueue",
	"sqs:RemovePermission",
	"sqs:SetQueueAttributes",
	// SAR, Amazon CloudWatch: alarm*,
	// arn:${Partition}:cloudwatch:${Region}:${Account}:alarm:${AlarmName};
	// PutAlarmMuteRule takes the alarms it mutes as the optional alarm
	// resource.
	"cloudwatch:DeleteAlarms",
	"cloudwatch:DisableAlarmActions",
	"cloudwatch:PutAlarmMuteRule",
	"cloudwatch:PutMetricAlarm",
	"cloudwatch:SetAlarmState",
	// SAR, AWS CloudTrail: trail*,
	// arn:${Partition}:cloudtrail:${Region}:${Account}:trail/${TrailName}
	// (the optional trail resource for PutInsightSelectors).
	"cloudtrail:DeleteTrail",
	"cloudtrail:PutEventSelectors",
	"cloudtrail:PutInsightSelectors",
	"cloudtrail:StopLogging",
	"cloudtrail:UpdateTrail",
	// SAR, AWS Config: ConfigurationRecorder*,
	// arn:${Partition}:config:${Region}:${Account}:configuration-recorder/${RecorderName}/${RecorderId};
	// DisassociateResourceTypes narrows what the recorder records as
	// PutConfigurationRecorder can.
	"config:DeleteConfigurationRecorder",
	"config:DisassociateResourceTypes",
	"config:PutConfigurationRecorder",
	"config:StopConfigurationRecorder",
	// SAR, IAM Access Analyzer: Analyzer*,
	// arn:${Partition}:access-analyzer:${Region}:${Account}:analyzer/${AnalyzerName},
	// and ArchiveRule*, .../analyzer/${AnalyzerName}/archive-rule/${RuleName},
	// which the analyzer pattern covers. ApplyArchiveRule archives existing
	// findings with a rule.
	"access-analyzer:ApplyArchiveRule",
	"access-analyzer:CreateArchiveRule",
	"access-analyzer:DeleteAnalyzer",
	"access-analyzer:UpdateArchiveRule",
}

// scpNamedResources are the ARN patterns of what secalerts names in a
// member account, in any partition, region and account. Every action of
// scpNamedActions is denied on all of them; an action only ever carries ARNs
// of its own service, so pairing an action with another service's pattern
// denies nothing more.
func scpNamedResources() []string {
	anyAccount := names.Account{Partition: "*", Region: "*", ID: "*"}
	own := names.Prefix + "*"
	return []string{
		anyAccount.RuleARN(names.DefaultBus, own),
		anyAccount.RoleARN(own),
		anyAccount.QueueARN(own),
		anyAccount.AlarmARN(own),
		anyAccount.ARN("cloudtrail", "trail/"+own),
		anyAccount.ARN("config", "configuration-recorder/"+own),
		anyAccount.ARN("access-analyzer", "analyzer/"+own),
	}
}

// Actions that quiet the security services secalerts reads, denied on every
// resource: the resources they act on carry no name secalerts gives (random
// detector, rule and product ids, the account's single Security Hub
// hub/default, or no resource type at all), so an ARN pattern would match
// every one of them anyway. The consequence is that the customer's own use
// of these actions also goes through a deployer.
var scpUnnamedActions = []string{
	// SAR, Amazon GuardDuty: CreateFilter (filter*), UpdateFilter (filter*),
	// UpdateIPSet (ipset*), UpdateTrustedEntitySet (trustedentityset*),
	// DeleteDetector and UpdateDetector (detector*),
	// Delete/UpdatePublishingDestination (publishingDestination*), all under
	// detector/${DetectorId}; CreateIPSet, CreateTrustedEntitySet and both
	// Disassociate actions have no resource type. Filters with the ARCHIVE
	// action, trusted IP and entity sets, disabled features and a removed
	// publishing destination all stop findings reaching secalerts. The AWS
	// Organizations example SCP "Prevent users from disabling GuardDuty or
	// modifying its configuration" denies these on "*" too.
	"guardduty:CreateFilter",
	"guardduty:CreateIPSet",
	"guardduty:CreateTrustedEntitySet",
	"guardduty:DeleteDetector",
	"guardduty:DeletePublishingDestination",
	"guardduty:DisassociateFromAdministratorAccount",
	"guardduty:DisassociateFromMasterAccount",
	"guardduty:UpdateDetector",
	"guardduty:UpdateFilter",
	"guardduty:UpdateIPSet",
	"guardduty:UpdatePublishingDestination",
	"guardduty:UpdateTrustedEntitySet",
	// SAR, AWS Security Hub: DisableSecurityHub, BatchDisableStandards,
	// UpdateStandardsControl and DisableImportFindingsForProduct on hub
	// (arn:${Partition}:securityhub:${Region}:${Account}:hub/default);
	// BatchUpdateAutomationRules on automation-rule*
	// (automation-rule/${AutomationRuleId}); CreateAutomationRule and
	// BatchUpdateStandardsControlAssociations have no resource type.
	"securityhub:BatchDisableStandards",
	"securityhub:BatchUpdateAutomationRules",
	"securityhub:BatchUpdateStandardsControlAssociations",
	"securityhub:CreateAutomationRule",
	"securityhub:DisableImportFindingsForProduct",
	"securityhub:DisableSecurityHub",
	"securityhub:UpdateStandardsControl",
	// SAR, AWS Config: DeleteConfigRule and DeleteEvaluationResults on
	// ConfigRule*, arn:${Partition}:config:${Region}:${Account}:config-rule/${ConfigRuleId}
	// (an id Config assigns, not the rule's name); DeleteDeliveryChannel has
	// no resource type. The AWS Organizations example SCP "Prevent users from
	// disabling AWS Config or changing its rules" denies them on "*" too.
	"config:DeleteConfigRule",
	"config:DeleteDeliveryChannel",
	"config:DeleteEvaluationResults",
	// SAR, Amazon EventBridge: PutPermission and RemovePermission have no
	// resource type, so they cannot be limited to the default bus: the deny
	// covers every bus's policy as changed through these actions.
	"events:PutPermission",
	"events:RemovePermission",
	// SAR, AWS Account Management: EnableRegion and DisableRegion take only
	// the optional account / accountInOrganization resources. A region
	// enabled behind the deployer's back has no forwarding rules.
	"account:DisableRegion",
	"account:EnableRegion",
	// AWS Organizations User Guide, example SCP "Prevent member accounts
	// from leaving the organization": an account that leaves is no longer
	// bound by this or any other SCP.
	"organizations:LeaveOrganization",
}

func protectionSCP(deployers []string, denySuppression bool) Document {
	exempt := func() Conditions { return Conditions{}.add(opArnNotLike, keyPrincipalArn, deployers...) }
	// The deployer roles are protected like secalerts' own: an administrator
	// who could rewrite a deployer's trust policy could assume it and be
	// exempt. Patterns that the secalerts role pattern already covers are
	// not repeated.
	resources := scpNamedResources()
	for _, p := range deployers {
		if !coveredBy(resources, p) {
			resources = append(resources, p)
		}
	}
	// AWS Organizations User Guide, "SCP syntax": Deny statements may name
	// resources and conditions; Principal is not supported, so who is
	// exempt is said with ArnNotLike on aws:PrincipalArn, as in the guide's
	// example SCP "Prevent IAM users and roles from making specified
	// changes, with an exception for a specified admin role".
	st := []Statement{
		{
			Sid:       sidSCPResources,
			Effect:    Deny,
			Action:    slices.Clone(scpNamedActions),
			Resource:  resources,
			Condition: exempt(),
		},
		{
			Sid:       sidSCPSensors,
			Effect:    Deny,
			Action:    slices.Clone(scpUnnamedActions),
			Resource:  []string{"*"},
			Condition: exempt(),
		},
	}
	if denySuppression {
		// SAR, AWS Security Hub: BatchUpdateFindings acts on hub / hubv2 and
		// takes securityhub:ASFFSyntaxPath/${ASFFSyntaxPath}; AWS's managed
		// AWSSystemsManagerOpsDataSyncServiceRolePolicy denies exactly this
		// StringEquals on Workflow.Status SUPPRESSED.
		st = append(st, Statement{
			Sid:       sidSCPSuppression,
			Effect:    Deny,
			Action:    []string{"securityhub:BatchUpdateFindings"},
			Resource:  []string{"*"},
			Condition: exempt().add(opStringEquals, keyFindingWorkflowStatus, workflowSuppressed),
		})
	}
	return Document{Version: Version, Statement: st}
}

// coveredBy reports a deployer pattern every match of which one of the
// resource patterns matches too. The resource patterns use only the *
// wildcard, so if one matches the deployer pattern's text, each wildcard of
// the deployer pattern lands inside one of its stars, and so does whatever
// that wildcard stands for.
func coveredBy(patterns []string, deployer string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return glob(p, deployer) })
}
