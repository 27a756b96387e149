package policy

import "secalerts/names"

// Statement ids of the heartbeat function's roles.
const (
	sidLambdaAssume    = "LambdaRunsTheFunction"
	sidHeartbeatTable  = "RecordAndScanHeartbeats"
	sidHeartbeatReport = "ReportSilenceToCustomerBuses"
	sidHeartbeatDLQ    = "SendFailedInvocationsToItsQueue"
	sidHeartbeatKey    = "UseTheHubKeyThroughDynamoDBAndSQSOnly"
	sidHeartbeatLogs   = "WriteItsOwnLogs"
)

// HeartbeatFunctionInput names everything the hub's heartbeat function
// touches. Every name in secalerts is deterministic, so these are exact
// ARNs computed by the caller.
type HeartbeatFunctionInput struct {
	// TableARN is the last-seen table.
	TableARN string
	// BusARNs are the customers' buses the function reports silences on.
	BusARNs []string
	// QueueARN is the function's own dead-letter queue (asynchronous
	// invocations that failed every retry).
	QueueARN string
	// KeyARN is the hub key, which encrypts the table and the queue.
	KeyARN string
	// LogGroupARN is the function's log group.
	LogGroupARN string
}

// LambdaTrustPolicy lets Lambda run a function with the role. Lambda
// documents no confused-deputy condition for execution roles (its
// aws:SourceArn guidance is for resource policies), and a role can only be
// passed to a function of its own account (iam:PassRole), so the account
// boundary is the guard.
func LambdaTrustPolicy() Document {
	return Document{Version: Version, Statement: []Statement{{
		Sid:       sidLambdaAssume,
		Effect:    Allow,
		Principal: Principal{Service: []string{"lambda.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
	}}}
}

// HeartbeatFunctionPolicy is the heartbeat function's whole permission: read
// and update its table, put events on the customers' buses, send to its own
// dead-letter queue, use the hub key only through DynamoDB and SQS, and
// write its logs. It cannot delete items, read any other table or publish
// to any topic: silences reach the operator through the buses' rules.
func HeartbeatFunctionPolicy(a names.Account, in HeartbeatFunctionInput) Document {
	return Document{Version: Version, Statement: []Statement{
		{
			Sid:    sidHeartbeatTable,
			Effect: Allow,
			// UpdateItem records a heartbeat (conditionally, so a late one
			// never moves the time back) and when a silence was reported
			// (so it is reminded of, not repeated every hour); Scan is the
			// hourly check.
			Action:   []string{"dynamodb:Scan", "dynamodb:UpdateItem"},
			Resource: []string{in.TableARN},
		},
		{
			Sid:      sidHeartbeatReport,
			Effect:   Allow,
			Action:   []string{"events:PutEvents"},
			Resource: sortedUnique(in.BusARNs),
		},
		{
			// Lambda sends failed asynchronous invocations to the queue
			// with the function's execution role (Lambda Developer Guide,
			// "Adding a dead-letter queue": sqs:SendMessage).
			Sid:      sidHeartbeatDLQ,
			Effect:   Allow,
			Action:   []string{"sqs:SendMessage"},
			Resource: []string{in.QueueARN},
		},
		{
			// A table and a queue encrypted with a customer managed key are
			// used with the caller's own KMS permissions; kms:ViaService
			// (KMS Developer Guide, supported by DynamoDB and SQS) keeps the
			// function from using the key directly.
			Sid:       sidHeartbeatKey,
			Effect:    Allow,
			Action:    []string{"kms:Decrypt", "kms:GenerateDataKey"},
			Resource:  []string{in.KeyARN},
			Condition: Conditions{}.add(opStringEquals, heartbeatViaService, serviceEndpoint(a, "dynamodb"), serviceEndpoint(a, "sqs")),
		},
		{
			// The log group is created by the stack with a retention, so
			// the function needs no logs:CreateLogGroup.
			Sid:      sidHeartbeatLogs,
			Effect:   Allow,
			Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: []string{in.LogGroupARN + ":*"},
		},
	}}
}

// heartbeatViaService is kms:ViaService, the KMS condition key naming the
// AWS service that made a request on the caller's behalf.
const heartbeatViaService = "kms:ViaService"

// serviceEndpoint is how kms:ViaService names a service of a's region
// (dynamodb.us-east-1.amazonaws.com; .amazonaws.com.cn in China).
func serviceEndpoint(a names.Account, service string) string {
	suffix := ".amazonaws.com"
	if a.Partition == "aws-cn" {
		suffix += ".cn"
	}
	return service + "." + a.Region + suffix
}
