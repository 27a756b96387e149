package detectors

import (
	"secalerts/names"
	"secalerts/severity"
)

// cisIAMPolicyEvents are the IAM calls of CIS AWS Foundations 4.4 (Security
// Hub CloudWatch.4, "IAM policy changes").
var cisIAMPolicyEvents = []string{
	"DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy",
	"PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
	"CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "SetDefaultPolicyVersion",
	"AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
	"AttachGroupPolicy", "DetachGroupPolicy",
}

// iamAttachEvents attach a managed policy named by requestParameters.policyArn.
var iamAttachEvents = []string{"AttachRolePolicy", "AttachUserPolicy", "AttachGroupPolicy"}

// administratorAccess is the AWS managed policy that grants everything.
var administratorAccess = names.AWSManagedPolicyARN("aws", "AdministratorAccess")

// iamPolicyChangesDetector is CIS 4.4 as a real-time alert. Attaching
// AdministratorAccess is HIGH: it is the quickest privilege escalation and
// persistence step after credentials are stolen. IAM is a global service, so
// its events are delivered in HomeRegion only. Role policy calls on
// secalerts' own roles are left to pipeline-role-changes, which reports
// them as tampering: a call alerts from one detector only.
var iamPolicyChangesDetector = Detector{
	ID:          "iam-policy-changes",
	Title:       "IAM policy change",
	Description: "IAM inline and managed policy changes and attachments (CIS 4.4); attaching AdministratorAccess is HIGH.",
	DefaultOn:   true,
	GlobalOnly:  true,
	Build: func(Options) []Variant {
		var others, roleOthers []string
		for _, n := range cisIAMPolicyEvents {
			switch {
			case contains(iamAttachEvents, n):
			case contains(pipelineRoleEvents, n):
				roleOthers = append(roleOthers, n)
			default:
				others = append(others, n)
			}
		}
		notOurRole := map[string]any{"roleName": notPipelineRole}
		attach := func(policyArn []any, events ...string) map[string]any {
			rp := map[string]any{"policyArn": policyArn}
			if contains(events, "AttachRolePolicy") {
				rp["roleName"] = notPipelineRole
			}
			return map[string]any{"eventName": anyStrings(events), "requestParameters": rp}
		}
		changed := apiCallPattern("aws.iam", "iam.amazonaws.com", nil, map[string]any{
			"$or": []any{
				map[string]any{"eventName": anyStrings(others)},
				map[string]any{"eventName": anyStrings(roleOthers), "requestParameters": notOurRole},
				attach(notEqual(administratorAccess), "AttachUserPolicy", "AttachGroupPolicy"),
				attach(notEqual(administratorAccess), "AttachRolePolicy"),
			},
		})
		admin := apiCallPattern("aws.iam", "iam.amazonaws.com", nil, map[string]any{
			"$or": []any{
				attach([]any{administratorAccess}, "AttachUserPolicy", "AttachGroupPolicy"),
				attach([]any{administratorAccess}, "AttachRolePolicy"),
			},
		})
		return []Variant{
			{Name: "changed", Severity: severity.Medium, Pattern: changed},
			{Name: "admin-attached", Severity: severity.High, Pattern: admin},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"policyArn":  "$.detail.requestParameters.policyArn",
			"policyName": "$.detail.requestParameters.policyName",
			"roleName":   "$.detail.requestParameters.roleName",
			"userName":   "$.detail.requestParameters.userName",
			"groupName":  "$.detail.requestParameters.groupName",
		}),
		Title:   "IAM policy change <eventName> <policyArn><policyName> in account <account>",
		Summary: "Permissions in account <account> changed. Policy changes are how stolen credentials are turned into lasting, wider access.",
		Fields: apiCallFields(
			Field{Label: "Policy", Value: "<policyArn><policyName>"},
			Field{Label: "Attached to / on", Value: "<roleName><userName><groupName>"},
		),
		ConsoleURL: eventHistoryURL,
		NextSteps: []string{
			confirmCaller,
			"Read the policy that was added or changed; revert it if it grants more than the role, user or group needs (especially Action \"*\" or AdministratorAccess).",
			"Use IAM Access Analyzer's unused-access and policy-validation checks on the principal.",
		},
	},
}

// Organizations. Its calls are recorded in us-east-1 and, except
// for the ones a member account makes itself, in the management account
// only. CreateAccountResult is a service event (eventType AwsServiceEvent,
// detail-type "AWS Service Event via CloudTrail": Organizations User Guide,
// "Logging and monitoring", CreateAccountResult examples); rules written
// for it in practice pin it under "AWS API Call via CloudTrail", so both detail-types are matched for
// every Organizations name — the names alone decide.
//
// CreateAccount and CreateGovCloudAccount are left out on purpose: every one
// is followed by a CreateAccountResult (SUCCEEDED or FAILED) that carries the
// new account's ID and the outcome, and two alerts for one account would be
// noise. A denied CreateAccount goes to unauthorized-api-calls.
//
// The rest of the event list is CIS AWS Foundations 4.15 ("AWS Organizations
// changes").
var (
	orgStructureEvents = []string{
		"CreateOrganizationalUnit", "UpdateOrganizationalUnit", "DeleteOrganizationalUnit",
		"MoveAccount", "InviteAccountToOrganization", "AcceptHandshake", "DeclineHandshake",
		"CreatePolicy", "AttachPolicy", "EnablePolicyType",
	}
	orgPolicyWeakeningEvents = []string{"UpdatePolicy", "DetachPolicy", "DeletePolicy"}
	orgAccountLossEvents     = []string{"RemoveAccountFromOrganization", "DeleteOrganization", "DisablePolicyType"}
)

// orgPattern matches Organizations records of both CloudTrail detail-types.
func orgPattern(names []string, extra map[string]any) Pattern {
	p := apiCallPattern("aws.organizations", "organizations.amazonaws.com", names, extra)
	p["detail-type"] = []any{apiCallDetailType, serviceEventDetailType}
	return p
}

// createAccountState matches CreateAccountResult records in one state.
func createAccountState(state string) Pattern {
	return orgPattern([]string{"CreateAccountResult"}, map[string]any{
		"serviceEventDetails": map[string]any{"createAccountStatus": map[string]any{"state": []any{state}}},
	})
}

// organizationsDetector reports changes to the organization: new accounts
// and OUs are MEDIUM, so the default member minimum lets them through (a
// management account's team wants every one of them); a failed account
// creation, a closed account and SCP changes that can weaken guardrails are
// MEDIUM; an account removed, the organization deleted or SCPs switched off
// are HIGH, because the account leaves every SCP and organization trail.
var organizationsDetector = Detector{
	ID:             "organizations",
	Title:          "AWS Organizations change",
	Description:    "Accounts created, invited, moved, closed or removed, OUs and SCPs changed (CIS 4.15); management account only.",
	DefaultOn:      true,
	GlobalOnly:     true,
	ManagementOnly: true,
	Build: func(Options) []Variant {
		return []Variant{
			{Name: "account-created", Severity: severity.Medium, Pattern: createAccountState("SUCCEEDED"), Message: &accountCreatedMessage},
			{Name: "structure-changed", Severity: severity.Medium, Pattern: orgPattern(orgStructureEvents, nil)},
			{Name: "account-creation-failed", Severity: severity.Medium, Pattern: createAccountState("FAILED"), Message: &accountCreationFailedMessage},
			{Name: "account-closed", Severity: severity.Medium, Pattern: orgPattern([]string{"CloseAccount"}, nil)},
			{Name: "policy-weakened", Severity: severity.Medium, Pattern: orgPattern(orgPolicyWeakeningEvents, nil)},
			{Name: "account-removed", Severity: severity.High, Pattern: orgPattern(orgAccountLossEvents, nil)},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"state":         "$.detail.serviceEventDetails.createAccountStatus.state",
			"newAccountId":  "$.detail.serviceEventDetails.createAccountStatus.accountId",
			"newAccount":    "$.detail.serviceEventDetails.createAccountStatus.accountName",
			"failureReason": "$.detail.serviceEventDetails.createAccountStatus.failureReason",
			"targetAccount": "$.detail.requestParameters.accountId",
			"ouName":        "$.detail.requestParameters.name",
			"policyId":      "$.detail.requestParameters.policyId",
			"targetId":      "$.detail.requestParameters.targetId",
		}),
		Title:   "AWS Organizations <eventName> <state> in management account <account>",
		Summary: "The organization's accounts, organizational units or service control policies changed. For CreateAccountResult, New account shows SUCCEEDED with the new account's ID, or FAILED with the reason.",
		Fields: apiCallFields(
			Field{Label: "New account", Value: "<newAccount> <newAccountId> <state> <failureReason>"},
			Field{Label: "Account acted on", Value: "<targetAccount>"},
			Field{Label: "OU / policy / target", Value: "<ouName> <policyId> <targetId>"},
		),
		ConsoleURL: "https://us-east-1.console.aws.amazon.com/organizations/v2/home/accounts",
		NextSteps: []string{
			"New account: move it to its OU and start its onboarding (secalerts member stack, SSO access); FAILED: read the failure reason (EMAIL_ALREADY_EXISTS, ACCOUNT_LIMIT_EXCEEDED, ...) and retry.",
			"Account removed, closed or SCP detached/disabled: confirm it was planned; a removed account is no longer under your SCPs or organization trail.",
			confirmCaller,
		},
	},
}

// createAccountPaths picks fields of a CreateAccountResult service event
// (AWS
// Organizations User Guide, "CreateAccountResult" CloudTrail example).
func createAccountPaths(names ...string) map[string]string {
	all := map[string]string{
		"state":         "$.detail.serviceEventDetails.createAccountStatus.state",
		"newAccountId":  "$.detail.serviceEventDetails.createAccountStatus.accountId",
		"newAccount":    "$.detail.serviceEventDetails.createAccountStatus.accountName",
		"failureReason": "$.detail.serviceEventDetails.createAccountStatus.failureReason",
		"requestId":     "$.detail.serviceEventDetails.createAccountStatus.id",
		"requestedAt":   "$.detail.serviceEventDetails.createAccountStatus.requestedTimestamp",
		"completedAt":   "$.detail.serviceEventDetails.createAccountStatus.completedTimestamp",
		"eventId":       "$.detail.eventID",
	}
	out := map[string]string{}
	for _, n := range names {
		out[n] = all[n]
	}
	return out
}

// accountCreatedMessage: CreateAccountResult is what
// Chatbot cannot show on its own, so it gets a message of its own.
var accountCreatedMessage = Message{
	Paths:   createAccountPaths("state", "newAccountId", "newAccount", "requestId", "requestedAt", "completedAt", "eventId"),
	Title:   "New AWS account <newAccountId> created in the organization",
	Summary: "AWS Organizations finished creating account <newAccountId> for management account <account>. New accounts start under the organization root, outside the OU that gives them their guardrails.",
	Fields: []Field{
		{Label: "New account", Value: "<newAccountId>"},
		{Label: "Account name", Value: "<newAccount>"},
		{Label: "State", Value: "<state>"},
		{Label: "Requested", Value: "<requestedAt>"},
		{Label: "Completed", Value: "<completedAt>"},
		{Label: "Request", Value: "<requestId>"},
		{Label: "CloudTrail event", Value: "<eventId>"},
	},
	ConsoleURL: "https://us-east-1.console.aws.amazon.com/organizations/v2/home/accounts/<newAccountId>",
	NextSteps: []string{
		"Move account <newAccountId> from the root to its OU so the OU's SCPs apply.",
		"Onboard it: deploy a secalerts member stack to it and grant access through IAM Identity Center.",
	},
}

// accountCreationFailedMessage says why an account could not be created.
var accountCreationFailedMessage = Message{
	Paths:   createAccountPaths("state", "failureReason", "requestId", "requestedAt", "eventId"),
	Title:   "AWS account creation failed: <failureReason>",
	Summary: "AWS Organizations could not create the account requested from management account <account> (reason <failureReason>).",
	Fields: []Field{
		{Label: "Reason", Value: "<failureReason>"},
		{Label: "State", Value: "<state>"},
		{Label: "Requested", Value: "<requestedAt>"},
		{Label: "Request", Value: "<requestId>"},
		{Label: "CloudTrail event", Value: "<eventId>"},
	},
	ConsoleURL: "https://us-east-1.console.aws.amazon.com/organizations/v2/home/accounts",
	NextSteps: []string{
		"EMAIL_ALREADY_EXISTS: choose another root e-mail address; ACCOUNT_LIMIT_EXCEEDED: request a higher account quota; then create the account again.",
	},
}

// organizationLeaveDetector catches a member account leaving on its own.
// LeaveOrganization is called, and recorded, by the member account (AWS
// Organizations API Reference, LeaveOrganization: "You can only call this
// operation from a member account"), so it cannot live in the
// management-only organizations detector. It is HIGH: the account escapes
// the organization's SCPs and trails, a known step to hide activity.
var organizationLeaveDetector = Detector{
	ID:          "organization-leave",
	Title:       "Account left the organization",
	Description: "A member account called LeaveOrganization and is no longer governed by the organization's SCPs and trails.",
	DefaultOn:   true,
	GlobalOnly:  true,
	Build: func(Options) []Variant {
		return []Variant{{
			Name:     "left",
			Severity: severity.High,
			Pattern:  apiCallPattern("aws.organizations", "organizations.amazonaws.com", []string{"LeaveOrganization"}, nil),
		}}
	},
	Message: Message{
		Paths:      apiCallPaths(nil),
		Title:      "Account <account> left the AWS organization (<eventName>)",
		Summary:    "Account <account> is now standalone: organization SCPs, the organization trail and delegated security services no longer cover it.",
		Fields:     apiCallFields(),
		ConsoleURL: eventHistoryURL,
		NextSteps: []string{
			confirmCaller,
			"If unplanned, invite the account back at once from the management account and review what the caller did after leaving, using the account's own CloudTrail event history.",
		},
	},
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
