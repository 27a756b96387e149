package detectors

import "secalerts/names"

// CloudTrail API-call events, as EventBridge delivers them.
//
// What a user must know (EventBridge User Guide, "AWS service events
// delivered via AWS CloudTrail" and "Receiving read-only management events
// from AWS services"):
//   - The account needs a CloudTrail trail with logging on: "to record events
//     with one of the CloudTrail detail-type values, you must enable a
//     CloudTrail trail with logging". Stopping or deleting the last trail
//     therefore silences every detector here; cloudtrail-changes reports that
//     call, which is the last one seen.
//   - Delivery is best effort, in the Region where the call was recorded.
//     Global services (IAM, Organizations, Account Management, STS global
//     endpoint) record in us-east-1 only, hence GlobalOnly on their
//     detectors.
//   - Rules in the ordinary ENABLED state do not receive read-only management
//     events whose names start with Describe, Get or List; only
//     ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS rules do. Other read-only
//     calls (LookupEvents, BatchGet..., Search...) are delivered. The patterns
//     here never select read-only calls anyway, so they behave the same in
//     either state.
//   - S3 object-level calls are data events and need data-event logging; the
//     bucket-level calls used here are management events.

// apiCallDetailType is the detail-type of every CloudTrail-recorded request
// to a public AWS API.
const apiCallDetailType = "AWS API Call via CloudTrail"

// serviceEventDetailType is the detail-type of CloudTrail records of events
// an AWS service creates itself, such as Organizations' CreateAccountResult
// (CloudTrail eventType AwsServiceEvent).
const serviceEventDetailType = "AWS Service Event via CloudTrail"

// succeeded selects calls that CloudTrail recorded without an error: a
// failed call changed nothing, and denied calls belong to
// unauthorized-api-calls, so the same attempt never alerts twice. CloudTrail
// writes errorCode only when the call failed ("CloudTrail record contents",
// CloudTrail User Guide).
var succeeded = []any{map[string]any{"exists": false}}

// apiCallPattern matches successful calls to the named APIs of one service.
// extra adds conditions inside detail (requestParameters, $or, ...).
// Every pattern pins source and eventSource, which an account cannot forge
// for aws.* sources, and detail-type.
func apiCallPattern(source, eventSource string, names []string, extra map[string]any) Pattern {
	detail := map[string]any{
		"eventSource": []any{eventSource},
		"errorCode":   succeeded,
	}
	if len(names) > 0 {
		detail["eventName"] = anyStrings(names)
	}
	for k, v := range extra {
		detail[k] = v
	}
	return Pattern{
		"source":      []any{source},
		"detail-type": []any{apiCallDetailType},
		"detail":      detail,
	}
}

// anyStrings converts names to the []any a pattern value array holds.
func anyStrings(names []string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

// namePrefixed matches a string starting with names.Prefix: the names of
// secalerts' own rules, buses and topics.
var namePrefixed = []any{map[string]any{"prefix": names.Prefix}}

// apiCallPaths are the placeholders every API-call message uses, plus extra
// ones for the resource the call acted on.
func apiCallPaths(extra map[string]string) map[string]string {
	out := map[string]string{
		"eventName": "$.detail.eventName",
		"userArn":   "$.detail.userIdentity.arn",
		"userType":  "$.detail.userIdentity.type",
		"sourceIp":  "$.detail.sourceIPAddress",
		"userAgent": "$.detail.userAgent",
		"eventId":   "$.detail.eventID",
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// apiCallFields are the label/value lines every API-call message shows, after
// the detector's own resource lines.
func apiCallFields(resource ...Field) []Field {
	return append(resource,
		Field{Label: "API call", Value: "<eventName>"},
		Field{Label: "Called by", Value: "<userArn> (<userType>)"},
		Field{Label: "Source IP", Value: "<sourceIp>"},
		Field{Label: "User agent", Value: "<userAgent>"},
		Field{Label: "Account", Value: "<account>"},
		Field{Label: "Region", Value: "<region>"},
		Field{Label: "Time", Value: "<time>"},
		Field{Label: "CloudTrail event ID", Value: "<eventId>"},
	)
}

// eventHistoryURL opens the CloudTrail record in the console's event
// history, for calls whose resource has no stable console page.
const eventHistoryURL = "https://<region>.console.aws.amazon.com/cloudtrail/home?region=<region>#/events/<eventId>"

// confirmCaller is the first step for every unexpected change: only the
// caller's team can tell a planned change from an attack.
const confirmCaller = "Confirm with the owner of <userArn> that they made this call from <sourceIp> and meant to; if nobody did, treat the credentials as compromised: disable them and follow your incident response runbook."

// notEqual matches a present string that is not v. EventBridge requires the
// field to exist for anything-but to match ("Content filtering",
// EventBridge User Guide).
func notEqual(v string) []any {
	return []any{map[string]any{"anything-but": v}}
}

// under wraps leaf in one object per element of path, outermost first.
func under(path []string, leaf any) map[string]any {
	out := map[string]any{path[len(path)-1]: leaf}
	for i := len(path) - 2; i >= 0; i-- {
		out = map[string]any{path[i]: out}
	}
	return out
}
