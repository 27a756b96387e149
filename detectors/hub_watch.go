package detectors

import (
	"slices"

	"secalerts/names"
)

// The hub's watch over itself. The member detectors report a member's
// pipeline being changed; nothing reported the hub's own: its two keys and
// their policies, the customers' buses and their policies, its rules and
// targets, topics and subscriptions, the delivery function and its role,
// the state table, the alarms and queues, the webhook parameters. Each
// Watch here is one EventBridge rule on the hub account's default bus,
// whose target is the operator's topic, encrypted with the operator key
// alone: the watch keeps reporting when the hub key is disabled or its
// function broken. Its events never go through a customer bus, the
// delivery function or the detectors above.
//
// Every pattern is a CloudTrail "AWS API Call via CloudTrail" pattern
// (apiCallPattern: successful calls, source and eventSource pinned, so no
// account can forge one) of the hub account, and leaves the calls of the
// hub's deployerPrincipals alone (byOthers), so a pulumi up of the hub is
// silent and anyone else's change is not. Patterns never overlap: one
// change is one message.
//
// AWS Chatbot's channel configurations are not watched: "your AWS
// CloudTrail events are logged in whatever Region you call from" (AWS
// Chatbot API Reference), and the API is served in four regions, so a rule
// in the configured Chatbot region would miss a change made from the
// others.

// Watch is one rule of the hub's watch over itself.
type Watch struct {
	// What names the rule (names.WatchRule) and says what it watches.
	What string
	// Description is the rule's description.
	Description string
	// Global is true when its events are only recorded in HomeRegion
	// (IAM), wherever the hub is.
	Global  bool
	Pattern Pattern
}

// HubWatchInput is what the watch patterns name that only the hub's plan
// knows.
type HubWatchInput struct {
	// Account is the hub account ID; Partition its partition.
	Account, Partition string
	// HubKey and OperatorKey are the two keys' ARNs.
	HubKey, OperatorKey string
	// Rules are the names of every secalerts rule of the hub, on its
	// default bus and on the customers' buses, the watch rules included.
	Rules []string
	// Table and TableARN are the delivery function's state table.
	Table, TableARN string
	// Deployers are the hub's deployerPrincipals, with its account written
	// in (names.RolePattern.In).
	Deployers []string
	// RelayAlarm is the alarm on the dead-letter queue of the rules
	// relayed from HomeRegion; "" when the hub is in HomeRegion and nothing
	// is relayed. The relayed rule carries the alarm's state changes: the
	// alarm cannot notify a topic of another region.
	RelayAlarm string
}

// The watches by What.
const (
	WatchKeys     = "kms"
	WatchEvents   = "events"
	WatchTopics   = "sns"
	WatchFunction = "lambda"
	WatchRoles    = "iam"
	WatchTable    = "dynamodb"
	WatchAlarms   = "cloudwatch"
	WatchQueues   = "sqs"
	WatchParams   = "ssm"
)

// HubWatches returns the watch rules of a hub, in a stable order.
func HubWatches(in HubWatchInput) []Watch {
	own := func(p Pattern) Pattern {
		p["account"] = []any{in.Account}
		return byOthers(p, in.Deployers)
	}
	eventsRule := names.WatchRule(WatchEvents)
	var others []string
	for _, r := range in.Rules {
		if r != eventsRule && !slices.Contains(others, r) {
			others = append(others, r)
		}
	}
	roles := pipelineRolePattern()
	if in.RelayAlarm != "" {
		roles = Pattern{"$or": []any{own(roles), relayAlarm(in)}}
	} else {
		roles = own(roles)
	}
	return []Watch{
		{
			What: WatchKeys, Description: "secalerts watch: the hub and operator keys disabled, scheduled for deletion or given a new policy; the events watch rule changed",
			// KMS Developer Guide, CloudTrail examples of DisableKey,
			// ScheduleKeyDeletion and PutKeyPolicy: resources[].ARN is the
			// key's ARN, whatever the caller gave as keyId (an ID, an ARN
			// or, for some calls, an alias). Disabling or deleting the hub
			// key stops every bus, topic and the function's state; a new
			// policy can shut EventBridge or the function out. Grants are
			// left alone: "the service creates a grant on behalf of a user
			// in the account, uses its permissions, and retires the grant"
			// (KMS Developer Guide, "Grants in AWS KMS"), as DynamoDB does
			// for the state table, so CreateGrant would page on routine,
			// and a grant only ever adds a use of the key; a revoked grant
			// breaks the function, which its error alarm reports.
			//
			// It also watches the rule that watches EventBridge, which
			// cannot report a change to itself: a deleted or disabled rule
			// matches nothing, not even the call that deleted it.
			Pattern: own(Pattern{
				"source":      []any{"aws.kms", "aws.events"},
				"detail-type": []any{apiCallDetailType},
				"detail": map[string]any{
					"errorCode": succeeded,
					"$or": []any{
						map[string]any{"eventSource": []any{"kms.amazonaws.com"}, "eventName": []any{"DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"},
							"resources": map[string]any{"ARN": []any{in.HubKey, in.OperatorKey}}},
						map[string]any{"eventSource": []any{"events.amazonaws.com"}, "$or": ruleCallAlternatives([]string{eventsRule})},
					},
				},
			}),
		},
		{
			What: WatchEvents, Description: "secalerts watch: secalerts rules and targets changed, disabled or deleted; customer buses' permissions changed or buses deleted",
			Pattern: own(apiCallPattern("aws.events", "events.amazonaws.com", nil, map[string]any{
				"$or": append(ruleCallAlternatives(others),
					// EventBridge API Reference: PutPermission and
					// RemovePermission name the bus in EventBusName,
					// UpdateEventBus and DeleteEventBus in Name. A new
					// permission lets other accounts put events on a
					// customer's bus; a removed one shuts its accounts out;
					// UpdateEventBus can take away its dead-letter queue or
					// key.
					map[string]any{"eventName": []any{"PutPermission", "RemovePermission"}, "requestParameters": map[string]any{"eventBusName": namePrefixed}},
					map[string]any{"eventName": []any{"UpdateEventBus", "DeleteEventBus"}, "requestParameters": map[string]any{"name": namePrefixed}},
				),
			})),
		},
		{
			What: WatchTopics, Description: "secalerts watch: secalerts topics changed or deleted, subscribed to, unsubscribed from or filtered",
			// SNS API Reference: TopicArn of SetTopicAttributes, DeleteTopic,
			// Subscribe, AddPermission and RemovePermission;
			// SubscriptionArn (the topic ARN and ":<id>") of Unsubscribe and
			// SetSubscriptionAttributes, which can give the operator's
			// e-mail subscription a filter policy nothing passes. Topic
			// names hold no ':', so the wildcard only reaches secalerts
			// topics.
			Pattern: own(apiCallPattern("aws.sns", "sns.amazonaws.com", nil, map[string]any{
				"$or": []any{
					map[string]any{"eventName": []any{"SetTopicAttributes", "DeleteTopic", "Subscribe", "AddPermission", "RemovePermission"},
						"requestParameters": map[string]any{"topicArn": ownTopics(in.Partition)}},
					map[string]any{"eventName": []any{"Unsubscribe", "SetSubscriptionAttributes"},
						"requestParameters": map[string]any{"subscriptionArn": ownTopics(in.Partition)}},
				},
			})),
		},
		{
			What: WatchFunction, Description: "secalerts watch: the delivery function's code, configuration, concurrency, retries or permissions changed, or the function deleted",
			// Lambda Developer Guide, "Logging Lambda API calls with
			// CloudTrail": an eventName may carry the API's version
			// (UpdateFunctionCode20150331v2), hence prefixes, which cover
			// every Update*, Put* and Delete* call on a function
			// (concurrency 0 stops it; an invoke configuration without the
			// dead-letter queue loses failures). FunctionName may be the
			// name, an ARN or a partial ARN, with a qualifier (Lambda API
			// Reference, FunctionName).
			Pattern: own(apiCallPattern("aws.lambda", "lambda.amazonaws.com", nil, map[string]any{
				"eventName": []any{
					map[string]any{"prefix": "UpdateFunction"}, map[string]any{"prefix": "PutFunction"}, map[string]any{"prefix": "DeleteFunction"},
					map[string]any{"prefix": "AddPermission"}, map[string]any{"prefix": "RemovePermission"},
				},
				"requestParameters": map[string]any{"functionName": []any{
					names.DeliveryFunction,
					map[string]any{"wildcard": "*:function:" + names.DeliveryFunction},
					map[string]any{"wildcard": "*:function:" + names.DeliveryFunction + ":*"},
				}},
			})),
		},
		{
			What: WatchRoles, Global: true, Description: "secalerts watch: the trust, permissions, boundary or existence of a secalerts role of the hub changed",
			// The member detector's calls on secalerts-* roles
			// (pipelineRoleEvents): the delivery function's role, the
			// Chatbot role, the relay role. IAM records in HomeRegion only.
			Pattern: roles,
		},
		{
			What: WatchTable, Description: "secalerts watch: the delivery state table deleted, changed or its expiry changed",
			// DynamoDB API Reference: TableName (a name or the table's ARN)
			// of DeleteTable, UpdateTable and UpdateTimeToLive. Losing the
			// table loses what was sent (repeats) and what was heard.
			Pattern: own(apiCallPattern("aws.dynamodb", "dynamodb.amazonaws.com", []string{"DeleteTable", "UpdateTable", "UpdateTimeToLive"}, map[string]any{
				"requestParameters": map[string]any{"tableName": []any{in.Table, in.TableARN}},
			})),
		},
		{
			What: WatchAlarms, Description: "secalerts watch: secalerts alarms deleted, disabled or rewritten",
			Pattern: own(pipelineAlarmsPattern()),
		},
		{
			What: WatchQueues, Description: "secalerts watch: secalerts dead-letter queues purged, deleted or reconfigured",
			Pattern: own(pipelineQueuesPattern()),
		},
		{
			What: WatchParams, Description: "secalerts watch: secalerts parameters (webhook URLs) rewritten or deleted",
			// Systems Manager API Reference: Name of PutParameter and
			// DeleteParameter, Names of DeleteParameters. A rewritten URL
			// sends a customer's alerts elsewhere.
			Pattern: own(apiCallPattern("aws.ssm", "ssm.amazonaws.com", []string{"PutParameter", "DeleteParameter", "DeleteParameters"}, map[string]any{
				"requestParameters": map[string]any{"$or": []any{
					map[string]any{"name": []any{map[string]any{"prefix": names.ParameterPrefix}}},
					map[string]any{"names": []any{map[string]any{"prefix": names.ParameterPrefix}}},
				}},
			})),
		},
	}
}

// ownTopics matches the ARNs of secalerts' topics and their subscriptions.
func ownTopics(partition string) []any {
	return []any{map[string]any{"wildcard": names.OwnTopicsWildcard(partition)}}
}

// ruleCallAlternatives match, inside the detail of an EventBridge call, the
// calls that change, disable, delete or retarget the rules named rules, on
// any bus. The
// EventBridge API Reference names the rule in Name for PutRule,
// DisableRule and DeleteRule, in Rule for PutTargets and RemoveTargets.
// Rules are named one by one, not by prefix, so that the events watch can
// leave itself out and another watch can cover it.
func ruleCallAlternatives(rules []string) []any {
	list := anyStrings(rules)
	return []any{
		map[string]any{"eventName": []any{"PutRule", "DisableRule", "DeleteRule"}, "requestParameters": map[string]any{"name": list}},
		map[string]any{"eventName": []any{"PutTargets", "RemoveTargets"}, "requestParameters": map[string]any{"rule": list}},
	}
}

// relayAlarm matches the relay queue's alarm going to ALARM (CloudWatch
// User Guide, "Alarm events and EventBridge").
func relayAlarm(in HubWatchInput) Pattern {
	p := awsEvent("aws.cloudwatch", "CloudWatch Alarm State Change", map[string]any{
		"alarmName": []any{in.RelayAlarm},
		"state":     map[string]any{"value": []any{"ALARM"}},
	})
	p["account"] = []any{in.Account}
	return p
}
