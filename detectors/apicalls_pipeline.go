package detectors

import (
	"secalerts/names"
	"secalerts/severity"
)

// Tampering with secalerts itself. Every resource secalerts creates is
// named with names.Prefix: the member's forwarding and heartbeat rules on
// the default bus, its forwarding role, its dead-letter queue and the alarm
// on that queue, and the hub's buses, topics, queues and alarms. A member
// admin who wants to go dark only has to disable, re-pattern or retarget a
// forwarding rule, break the role the rules put events with, or empty the
// queue that would show the failures; every such call is CRITICAL.
//
// secalerts' own deploys make the same calls (pulumi up replaces a rule's
// pattern, pulumi destroy deletes everything). What tells them apart is the
// role: a deploy is a session of one of the member's deployerPrincipals,
// named in CloudTrail's sessionIssuer (byOthers), and a role's trust policy
// decides who may act as it, which the protection SCP keeps out of the
// account administrators' hands. The session name proves nothing (a
// caller picks its own), so without deployerPrincipals every deploy
// alerts, and the messages say how to check.

// deployCheck is the first step of every pipeline message.
const deployCheck = "Check whether a secalerts deploy (pulumi up or destroy) ran in account <account> at <time>: the deploying roles listed in the member's deployerPrincipals never reach this alert, so this call came from another identity (shown below). " +
	"A deploy by a role left out of deployerPrincipals would explain it; a session named " + names.Prefix + " followed by the stack name proves nothing, since a caller chooses its own session name."

// pipelineChangesDetector reports secalerts' own resources being changed,
// disabled or deleted, per service:
//
//   - EventBridge (EventBridge User Guide, "Logging Amazon EventBridge API
//     calls using AWS CloudTrail"; EventBridge API Reference for the
//     request fields): PutRule, DisableRule, DeleteRule and DeleteEventBus
//     name the rule or bus in requestParameters.name, PutTargets and
//     RemoveTargets in requestParameters.rule. Every PutRule of a secalerts
//     rule counts, whatever it sets: State DISABLED silences the rule, a new
//     EventPattern or ScheduleExpression makes it forward nothing or beat
//     never, and each is one PutRule. PutPermission and RemovePermission
//     change who may put events to a bus; on the default bus (PutPermission
//     EventBusName: "If you omit this, the default event bus is used"; only
//     a name, never an ARN) they let other accounts inject events that the
//     forwarding rules pass on to the hub, or remove what the member needs.
//   - SNS: requestParameters.topicArn of DeleteTopic,
//     requestParameters.subscriptionArn of Unsubscribe, which is the topic
//     ARN plus ":<id>" (SNS API Reference). Topic names cannot contain ':',
//     so the wildcard names.OwnTopicsWildcard only matches secalerts topics.
//   - CloudWatch (eventSource monitoring.amazonaws.com: CloudWatch User
//     Guide, "Logging Amazon CloudWatch API calls with AWS CloudTrail"; in
//     EventBridge their source is aws.monitoring, not the aws.cloudwatch of
//     alarm state changes: EventBridge events reference, "Amazon CloudWatch
//     Monitoring events"): DeleteAlarms and DisableAlarmActions take a
//     list, requestParameters.alarmNames, which matches when any element
//     does; PutMetricAlarm rewrites one alarm, requestParameters.alarmName
//     (a new threshold or period is enough to keep a full dead-letter queue
//     quiet).
//   - SQS: PurgeQueue, DeleteQueue and SetQueueAttributes are management
//     events carrying requestParameters.queueUrl (SQS Developer Guide,
//     "Logging Amazon SQS API calls using AWS CloudTrail", with examples).
//     The URL ends in "/<queue name>" and queue names cannot contain '/'
//     (SQS API Reference, CreateQueue: alphanumerics, '-' and '_'), so
//     "*/" + names.Prefix + "*" only matches secalerts queues, whatever the
//     URL's host (sqs.<region>.amazonaws.com or the legacy ones).
//
// IAM calls on secalerts' roles are pipelineRoleChangesDetector's: IAM
// events only arrive in us-east-1.
var pipelineChangesDetector = Detector{
	ID:          "pipeline-changes",
	Title:       "secalerts pipeline tampered with",
	Description: "secalerts' own EventBridge rules changed, retargeted, disabled or deleted, the default bus's permissions changed, its SNS topics, dead-letter queues or alarms deleted, purged or rewritten, by anyone but the member's deployerPrincipals.",
	DefaultOn:   true,
	Tamper:      true,
	Build: func(o Options) []Variant {
		permission := []any{"PutPermission", "RemovePermission"}
		events := apiCallPattern("aws.events", "events.amazonaws.com", nil, map[string]any{
			"$or": []any{
				map[string]any{"eventName": []any{"PutRule", "DisableRule", "DeleteRule", "DeleteEventBus"}, "requestParameters": map[string]any{"name": namePrefixed}},
				map[string]any{"eventName": []any{"PutTargets", "RemoveTargets"}, "requestParameters": map[string]any{"rule": namePrefixed}},
				map[string]any{"eventName": permission, "requestParameters": map[string]any{"eventBusName": []any{map[string]any{"exists": false}}}},
				map[string]any{"eventName": permission, "requestParameters": map[string]any{"eventBusName": []any{names.DefaultBus}}},
			},
		})
		ourTopic := []any{map[string]any{"wildcard": names.OwnTopicsWildcard("aws")}}
		sns := apiCallPattern("aws.sns", "sns.amazonaws.com", nil, map[string]any{
			"$or": []any{
				map[string]any{"eventName": []any{"DeleteTopic"}, "requestParameters": map[string]any{"topicArn": ourTopic}},
				map[string]any{"eventName": []any{"Unsubscribe"}, "requestParameters": map[string]any{"subscriptionArn": ourTopic}},
			},
		})
		alarms := pipelineAlarmsPattern()
		queues := pipelineQueuesPattern()
		return []Variant{
			{Name: "events", Severity: severity.Critical, Pattern: byOthers(events, o.Deployers), Message: &pipelineEventsMessage},
			{Name: "sns", Severity: severity.Critical, Pattern: byOthers(sns, o.Deployers)},
			{Name: "alarms", Severity: severity.Critical, Pattern: byOthers(alarms, o.Deployers), Message: &pipelineAlarmsMessage},
			{Name: "queues", Severity: severity.Critical, Pattern: byOthers(queues, o.Deployers), Message: &pipelineQueuesMessage},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"topicArn":        "$.detail.requestParameters.topicArn",
			"subscriptionArn": "$.detail.requestParameters.subscriptionArn",
		}),
		Title:   "secalerts pipeline: SNS <eventName> on <topicArn><subscriptionArn> in account <account> (<region>)",
		Summary: "A secalerts SNS topic or one of its subscriptions was removed, so alerts published to it stop reaching their destination.",
		Fields: apiCallFields(
			Field{Label: "Topic / subscription", Value: "<topicArn><subscriptionArn>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/sns/v3/home?region=<region>#/topics",
		NextSteps: []string{
			deployCheck,
			"If no deploy explains it, run the hub stack (pulumi up) now: it recreates the topic and its subscriptions; e-mail subscribers must confirm again.",
			confirmCaller,
		},
	},
}

// pipelineAlarmsPattern matches secalerts' alarms deleted, disabled or
// rewritten (see pipelineChangesDetector).
func pipelineAlarmsPattern() Pattern {
	return apiCallPattern("aws.monitoring", "monitoring.amazonaws.com", nil, map[string]any{
		"$or": []any{
			map[string]any{"eventName": []any{"DeleteAlarms", "DisableAlarmActions"}, "requestParameters": map[string]any{"alarmNames": namePrefixed}},
			map[string]any{"eventName": []any{"PutMetricAlarm"}, "requestParameters": map[string]any{"alarmName": namePrefixed}},
		},
	})
}

// pipelineQueuesPattern matches secalerts' queues purged, deleted or
// reconfigured (see pipelineChangesDetector).
func pipelineQueuesPattern() Pattern {
	return apiCallPattern("aws.sqs", "sqs.amazonaws.com", []string{"PurgeQueue", "DeleteQueue", "SetQueueAttributes"}, map[string]any{
		"requestParameters": map[string]any{"queueUrl": []any{map[string]any{"wildcard": "*/" + names.Prefix + "*"}}},
	})
}

// pipelineEventsMessage describes a change to a secalerts rule or to the
// default bus's permissions.
var pipelineEventsMessage = Message{
	Paths: apiCallPaths(map[string]string{
		"name":        "$.detail.requestParameters.name",
		"rule":        "$.detail.requestParameters.rule",
		"bus":         "$.detail.requestParameters.eventBusName",
		"state":       "$.detail.requestParameters.state",
		"schedule":    "$.detail.requestParameters.scheduleExpression",
		"pattern":     "$.detail.requestParameters.eventPattern",
		"targets":     "$.detail.requestParameters.targets",
		"targetIds":   "$.detail.requestParameters.ids",
		"statementId": "$.detail.requestParameters.statementId",
		"principal":   "$.detail.requestParameters.principal",
		"policy":      "$.detail.requestParameters.policy",
	}),
	Title:   "secalerts pipeline: EventBridge <eventName> <name><rule><statementId> in account <account> (<region>)",
	Summary: "A secalerts forwarding or heartbeat rule, or the permissions of the default event bus, changed in account <account> (<region>). A disabled, deleted, re-patterned or retargeted rule stops security events from reaching the hub, and nothing else will say so; a bus permission lets other accounts put events that the rules forward.",
	Fields: apiCallFields(
		Field{Label: "Rule / bus", Value: "<name><rule>"},
		Field{Label: "Event bus (empty: default)", Value: "<bus>"},
		Field{Label: "Rule state", Value: "<state>"},
		Field{Label: "Schedule", Value: "<schedule>"},
		Field{Label: "Event pattern", Value: "<pattern>"},
		Field{Label: "Targets put / removed", Value: "<targets><targetIds>"},
		Field{Label: "Bus permission", Value: "<statementId> <principal> <policy>"},
	),
	ConsoleURL: eventHistoryURL,
	NextSteps: []string{
		deployCheck,
		"If no deploy explains it, run the member stack (pulumi up) for account <account> now: it puts back every secalerts rule's pattern, state, schedule and target. For PutPermission or RemovePermission, open the default bus in the EventBridge console and remove any policy statement you did not add.",
		confirmCaller,
	},
}

// pipelineAlarmsMessage describes a change to a secalerts alarm.
var pipelineAlarmsMessage = Message{
	Paths: apiCallPaths(map[string]string{
		"alarmName":  "$.detail.requestParameters.alarmName",
		"alarmNames": "$.detail.requestParameters.alarmNames",
		"threshold":  "$.detail.requestParameters.threshold",
		"metric":     "$.detail.requestParameters.metricName",
	}),
	Title:   "secalerts pipeline: CloudWatch <eventName> on <alarmName><alarmNames> in account <account> (<region>)",
	Summary: "A secalerts alarm was deleted, had its actions disabled or was rewritten in account <account> (<region>). The alarm is what reports events piling up in a dead-letter queue, so forwarding could now fail without anyone hearing of it.",
	Fields: apiCallFields(
		Field{Label: "Alarm(s)", Value: "<alarmName><alarmNames>"},
		Field{Label: "Metric / threshold (PutMetricAlarm)", Value: "<metric> <threshold>"},
	),
	ConsoleURL: "https://<region>.console.aws.amazon.com/cloudwatch/home?region=<region>#alarmsV2:",
	NextSteps: []string{
		deployCheck,
		"If no deploy explains it, run the member stack (or, for a hub alarm, the hub stack) with pulumi up: it recreates the alarm with its threshold; after DisableAlarmActions, call EnableAlarmActions on it.",
		"Look at the dead-letter queue the alarm watches: messages in it are events that never reached the hub.",
		confirmCaller,
	},
}

// pipelineQueuesMessage describes a change to a secalerts queue.
var pipelineQueuesMessage = Message{
	Paths: apiCallPaths(map[string]string{
		"queueUrl":   "$.detail.requestParameters.queueUrl",
		"attributes": "$.detail.requestParameters.attributes",
	}),
	Title:   "secalerts pipeline: SQS <eventName> on <queueUrl> in account <account>",
	Summary: "A secalerts dead-letter queue was purged, deleted or reconfigured in account <account> (<region>). It holds the security events the rules could not deliver: purging or deleting it destroys them, and a new policy or retention can make the next failures vanish.",
	Fields: apiCallFields(
		Field{Label: "Queue", Value: "<queueUrl>"},
		Field{Label: "Attributes set", Value: "<attributes>"},
	),
	ConsoleURL: "https://<region>.console.aws.amazon.com/sqs/v3/home?region=<region>#/queues",
	NextSteps: []string{
		deployCheck,
		"PurgeQueue and DeleteQueue cannot be undone: the events that were waiting are gone. Read the account's CloudTrail event history for the period they covered instead.",
		"If no deploy explains it, run the member stack (pulumi up) to recreate the queue and put back its policy and retention.",
		confirmCaller,
	},
}

// pipelineRoles matches the IAM roles secalerts creates (the member's
// forwarding role names.ForwardRole, the baseline's Config role, the hub's
// delivery and Chatbot roles). IAM names "are not distinguished by case"
// (IAM API Reference, CreateRole RoleName), so the prefix is compared
// ignoring case: a call naming the role in other letters still counts.
var pipelineRoles = []any{map[string]any{"prefix": map[string]any{"equals-ignore-case": names.Prefix}}}

// notPipelineRole is what iam-policy-changes keeps: every role but
// pipelineRoles. anything-but cannot ignore case together with a prefix
// (EventBridge User Guide, comparison operators), so a role name such as
// "SecAlerts-x" matches both detectors; TestPipelineRoleCaseOverlap pins
// that overlap. secalerts' own names are lower case.
var notPipelineRole = []any{map[string]any{"anything-but": map[string]any{"prefix": names.Prefix}}}

// pipelineRoleEvents are the IAM calls that change what a role may do or
// who may assume it, or delete it (IAM API Reference: each takes
// requestParameters.roleName). Breaking the forwarding role's trust policy
// (UpdateAssumeRolePolicy), adding a deny (PutRolePolicy, AttachRolePolicy,
// PutRolePermissionsBoundary) or removing its permission (DeleteRolePolicy,
// DetachRolePolicy, DeleteRole) makes every forward fail into the
// dead-letter queue; UpdateRole changes its session duration or
// description.
var pipelineRoleEvents = []string{
	"UpdateAssumeRolePolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary", "DeleteRole",
	"PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy", "UpdateRole",
}

// pipelineRolePattern matches the calls of pipelineRoleEvents on secalerts'
// roles: a member's, and the hub's in its watch over itself.
func pipelineRolePattern() Pattern {
	return apiCallPattern("aws.iam", "iam.amazonaws.com", pipelineRoleEvents, map[string]any{
		"requestParameters": map[string]any{"roleName": pipelineRoles},
	})
}

// pipelineRoleChangesDetector reports IAM changes to secalerts' roles. IAM
// is a global service whose CloudTrail events are recorded in us-east-1
// (IAM User Guide, "Logging IAM and AWS STS API calls with AWS
// CloudTrail"), hence GlobalOnly and a detector of its own: the regional
// pipeline-changes patterns are deployed in every region.
var pipelineRoleChangesDetector = Detector{
	ID:          "pipeline-role-changes",
	Title:       "secalerts role tampered with",
	Description: "Trust policy, permissions, boundary or existence of a secalerts IAM role (above all the forwarding role " + names.ForwardRole + ") changed by anyone but the member's deployerPrincipals.",
	DefaultOn:   true,
	GlobalOnly:  true,
	Tamper:      true,
	Build: func(o Options) []Variant {
		return []Variant{{
			Name:     "role",
			Severity: severity.Critical,
			Pattern:  byOthers(pipelineRolePattern(), o.Deployers),
		}}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"roleName":   "$.detail.requestParameters.roleName",
			"policyArn":  "$.detail.requestParameters.policyArn",
			"policyName": "$.detail.requestParameters.policyName",
			"boundary":   "$.detail.requestParameters.permissionsBoundary",
		}),
		Title:   "secalerts role <roleName>: IAM <eventName> in account <account>",
		Summary: "A role secalerts depends on was changed in account <account>. The forwarding rules put every security event to the hub with the role " + names.ForwardRole + ": a changed trust policy, an added deny or boundary, a removed policy or a deleted role makes every forward fail, and the failures only land in the dead-letter queue.",
		Fields: apiCallFields(
			Field{Label: "Role", Value: "<roleName>"},
			Field{Label: "Policy", Value: "<policyArn><policyName>"},
			Field{Label: "Permissions boundary", Value: "<boundary>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/iam/home#/roles/details/<roleName>",
		NextSteps: []string{
			deployCheck,
			"If no deploy explains it, detach any managed policy, delete any inline policy or permissions boundary you did not add, then run the member stack (pulumi up) to put back the role's trust and permission policies.",
			"Look at the dead-letter queue " + names.ForwardDLQ + " in every region of account <account>: events in it never reached the hub.",
			confirmCaller,
		},
	},
}
