// Package names is the one home of every name and ARN secalerts gives an AWS
// resource, and of the length rules those names must keep. Nothing else
// formats a secalerts name or an ARN: renaming the prefix, or the
// dead-letter queue scheme, is a change to this package alone
// (TestNoNameFormattingOutsideNames holds the rest of the tree to it).
//
// It is pure Go and imports nothing of secalerts, so every other package
// (config, the detector catalogue, policies, plans, components, the offline
// tool) can spell names without pulling in anything else.
package names

import (
	"regexp"
	"strings"
)

// Prefix starts the name of every rule, queue, topic, role, alarm and key
// alias secalerts creates, so the tampering detectors can recognise the
// pipeline's own resources and policies can be scoped to them.
const Prefix = "secalerts-"

// Account locates ARNs: an AWS account in one region of one partition.
type Account struct {
	Partition, Region, ID string
}

// ARN is an ARN of a regional service resource of a.
func (a Account) ARN(service, resource string) string {
	return "arn:" + a.Partition + ":" + service + ":" + a.Region + ":" + a.ID + ":" + resource
}

// GlobalARN is an ARN of a global service (IAM, Chatbot) resource of a: its
// region part is empty.
func (a Account) GlobalARN(service, resource string) string {
	return "arn:" + a.Partition + ":" + service + "::" + a.ID + ":" + resource
}

// RootARN is the account principal: naming it in a resource policy
// delegates to the account's own IAM policies rather than to any single
// identity.
func (a Account) RootARN() string { return a.GlobalARN("iam", "root") }

// In is the same account in another region of the same partition.
func (a Account) In(region string) Account {
	a.Region = region
	return a
}

// RoleARN is the ARN of IAM role name in a.
func (a Account) RoleARN(name string) string { return a.GlobalARN("iam", "role/"+name) }

// AWSManagedPolicyARN is the ARN of an AWS managed IAM policy in partition.
func AWSManagedPolicyARN(partition, path string) string {
	return "arn:" + partition + ":iam::aws:policy/" + path
}

// Logical names of the stacks' components: part of every child's URN, so
// never changed once released.
const (
	HubComponent      = "secalerts"
	MemberComponent   = "secalerts"
	ArchiveComponent  = Prefix + "archive"
	BaselineComponent = Prefix + "baseline"
)

// S3BucketARN is the ARN of a bucket: S3 bucket ARNs carry neither region
// nor account.
func S3BucketARN(partition, bucket string) string { return "arn:" + partition + ":s3:::" + bucket }

// EventBusARN is the ARN of event bus name in a.
func (a Account) EventBusARN(name string) string { return a.ARN("events", "event-bus/"+name) }

// RuleARN is the ARN of rule name on bus ("" or "default" for the default
// bus, whose rules carry no bus in their ARN).
func (a Account) RuleARN(bus, name string) string {
	if bus == "" || bus == DefaultBus {
		return a.ARN("events", "rule/"+name)
	}
	return a.ARN("events", "rule/"+bus+"/"+name)
}

// QueueARN, TopicARN, AlarmARN and TableARN are the ARNs of an SQS queue,
// SNS topic, CloudWatch alarm and DynamoDB table of a.
func (a Account) QueueARN(name string) string { return a.ARN("sqs", name) }

// TopicARN is the ARN of SNS topic name in a.
func (a Account) TopicARN(name string) string { return a.ARN("sns", name) }

// AlarmARN is the ARN of CloudWatch alarm name in a.
func (a Account) AlarmARN(name string) string { return a.ARN("cloudwatch", "alarm:"+name) }

// TableARN is the ARN of DynamoDB table name in a.
func (a Account) TableARN(name string) string { return a.ARN("dynamodb", "table/"+name) }

// ParameterARN is the ARN of Systems Manager parameter name (a path
// starting with "/"; the ARN leaves out that slash).
func (a Account) ParameterARN(name string) string {
	return a.ARN("ssm", "parameter/"+strings.TrimPrefix(name, "/"))
}

// LogGroupARN is the ARN of CloudWatch Logs log group name in a.
func (a Account) LogGroupARN(name string) string { return a.ARN("logs", "log-group:"+name) }

// DefaultBus is the name of every account's default event bus.
const DefaultBus = "default"

// busARNShape is a custom or default event bus ARN (EventBridge API
// Reference, EventBus.Arn; CreateEventBus: Name is [/\.\-_A-Za-z0-9]+,
// 1-256 characters, and a custom bus's name has no "/").
var busARNShape = regexp.MustCompile(`^arn:(aws|aws-us-gov|aws-cn):events:([a-z0-9-]+):([0-9]{12}):event-bus/([A-Za-z0-9._-]{1,256})$`)

// ParseEventBusARN splits an event bus ARN into its account and bus name;
// ok is false when arn is not one.
func ParseEventBusARN(arn string) (acct Account, bus string, ok bool) {
	m := busARNShape.FindStringSubmatch(arn)
	if m == nil {
		return Account{}, "", false
	}
	return Account{Partition: m[1], Region: m[2], ID: m[3]}, m[4], true
}

// SessionName is the role session name of a stack's providers, as it shows
// in the account's CloudTrail: STS allows 64 characters, and stack names
// are made of characters it accepts.
func SessionName(stack string) string {
	name := Prefix + stack
	if len(name) > maxSessionName {
		name = name[:maxSessionName]
	}
	return name
}

// maxSessionName is STS AssumeRole's RoleSessionName limit.
const maxSessionName = 64
