package cloudtrail

import (
	"strings"
)

// Detail-types of the events CloudTrail puts on the default bus.
const (
	APICall       = "AWS API Call via CloudTrail"
	ServiceEvent  = "AWS Service Event via CloudTrail"
	ConsoleSignIn = "AWS Console Sign In via CloudTrail"
	ConsoleAction = "AWS Console Action via CloudTrail"
	Insight       = "AWS Insight via CloudTrail"
)

// detailTypes maps CloudTrail eventType to the EventBridge detail-type.
var detailTypes = map[string]string{
	"AwsApiCall":           APICall,
	"AwsServiceEvent":      ServiceEvent,
	"AwsConsoleSignIn":     ConsoleSignIn,
	"AwsConsoleAction":     ConsoleAction,
	"AwsCloudTrailInsight": Insight,
}

// DetailType returns the detail-type of the event EventBridge makes of a
// record of this eventType, and false for event types it does not deliver.
func DetailType(eventType string) (string, bool) {
	dt, ok := detailTypes[eventType]
	return dt, ok
}

// Source returns the EventBridge source of a record's eventSource:
// "aws." and the service prefix (ec2.amazonaws.com is aws.ec2).
func Source(eventSource string) string {
	svc, ok := strings.CutSuffix(eventSource, ".amazonaws.com")
	if !ok {
		svc, _, _ = strings.Cut(eventSource, ".")
	}
	return "aws." + svc
}

// Delivery says whether EventBridge puts a record on the default bus.
type Delivery int

const (
	// Delivered records reach every enabled rule.
	Delivered Delivery = iota
	// ReadOnlyManagement records (Describe*, Get*, List* read-only
	// management calls) reach only rules in the
	// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state.
	ReadOnlyManagement
	// NotDelivered records have no EventBridge form, or miss the fields one
	// needs (eventSource, eventType, awsRegion).
	NotDelivered
)

// Classify says how EventBridge treats r.
func Classify(r *Record) Delivery {
	if r.EventSource.Kind != String || r.EventType.Kind != String || r.AWSRegion.Kind != String {
		return NotDelivered
	}
	if _, ok := detailTypes[r.EventType.Str]; !ok {
		return NotDelivered
	}
	if r.ReadOnly.Kind == Bool && r.ReadOnly.Bool && isManagement(r) && r.EventName.Kind == String {
		n := r.EventName.Str
		if strings.HasPrefix(n, "Describe") || strings.HasPrefix(n, "Get") || strings.HasPrefix(n, "List") {
			return ReadOnlyManagement
		}
	}
	return Delivered
}

// isManagement: eventCategory exists since eventVersion 1.07; older records
// only say managementEvent.
func isManagement(r *Record) bool {
	if r.EventCategory.Kind == String {
		return r.EventCategory.Str == "Management"
	}
	return !(r.ManagementEvent.Kind == Bool && !r.ManagementEvent.Bool)
}

// AppendEvent appends to dst the EventBridge event for r, whose detail is
// the record as written, with account as its account (the caller passes
// recipientAccountId, or the account the event is replayed in).
func AppendEvent(dst []byte, r *Record, account string) []byte {
	dt := detailTypes[r.EventType.Str]
	dst = append(dst, `{"version":"0","id":"`...)
	dst = append(dst, r.EventID.Raw...)
	dst = append(dst, `","detail-type":"`...)
	dst = append(dst, dt...)
	dst = append(dst, `","source":"`...)
	dst = appendEscaped(dst, Source(r.EventSource.Str))
	dst = append(dst, `","account":"`...)
	dst = appendEscaped(dst, account)
	dst = append(dst, `","time":"`...)
	dst = append(dst, r.EventTime.Raw...)
	dst = append(dst, `","region":"`...)
	dst = append(dst, r.AWSRegion.Raw...)
	dst = append(dst, `","resources":[],"detail":`...)
	dst = append(dst, r.Raw...)
	return append(dst, '}')
}

// appendEscaped appends s as the content of a JSON string. Account IDs
// need no escaping; anything else is escaped so the event stays JSON.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			const hex = "0123456789abcdef"
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
