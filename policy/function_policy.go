package policy

import "secalerts/names"

// Statement ids of the delivery function's role.
const (
	sidLambdaAssume     = "LambdaRunsTheFunction"
	sidFunctionState    = "ReadAndWriteItsState"
	sidFunctionPublish  = "PublishToSecalertsTopics"
	sidFunctionWebhooks = "ReadWebhookURLs"
	sidFunctionKeys     = "UseTheKeysThroughItsServicesOnly"
	sidFunctionDLQ      = "SendFailedInvocationsToItsQueue"
	sidFunctionLogs     = "WriteItsOwnLogs"
)

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

// DeliveryFunctionInput names what the delivery function touches. Every
// name is deterministic, so these are exact ARNs computed by the caller;
// the keys' ARNs are known once the keys exist.
type DeliveryFunctionInput struct {
	// TableARN is the function's state (deliveries, heartbeats).
	TableARN string
	// QueueARN is the function's own dead-letter queue.
	QueueARN string
	// LogGroupARN is the function's log group.
	LogGroupARN string
	// HubKeyARN encrypts the table, the customers' topics and the webhook
	// parameters; OperatorKeyARN the operator's topic.
	HubKeyARN, OperatorKeyARN string
}

// DeliveryFunctionPolicy is the delivery function's whole permission: its
// state table, publishing to secalerts topics, reading secalerts webhook
// parameters, the keys only through those services, its dead-letter queue
// and its logs. Topics and parameters are named by the secalerts prefix,
// not one by one, so the policy is the same size for any number of
// customers (IAM's inline role policy quota is 10,240 characters).
func DeliveryFunctionPolicy(a names.Account, in DeliveryFunctionInput) Document {
	return Document{Version: Version, Statement: []Statement{
		{
			Sid:    sidFunctionState,
			Effect: Allow,
			// Every write is conditional (PutItem and DeleteItem with a
			// ConditionExpression); Query reads a group of items.
			Action:   []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
			Resource: []string{in.TableARN},
		},
		{
			Sid:      sidFunctionPublish,
			Effect:   Allow,
			Action:   []string{"sns:Publish"},
			Resource: []string{a.TopicARN(names.Prefix + "*")},
		},
		{
			Sid:      sidFunctionWebhooks,
			Effect:   Allow,
			Action:   []string{"ssm:GetParameter"},
			Resource: []string{a.ParameterARN(names.ParameterPrefix + "*")},
		},
		{
			// A table, topic or parameter encrypted with a customer managed
			// key is used with the caller's own KMS permissions;
			// kms:ViaService (KMS Developer Guide, supported by DynamoDB,
			// SNS and Systems Manager) keeps the function from using the
			// keys directly.
			Sid:      sidFunctionKeys,
			Effect:   Allow,
			Action:   []string{"kms:Decrypt", "kms:GenerateDataKey"},
			Resource: sortedUnique([]string{in.HubKeyARN, in.OperatorKeyARN}),
			Condition: Conditions{}.add(opStringEquals, keyViaService,
				serviceEndpoint(a, "dynamodb"), serviceEndpoint(a, "sns"), serviceEndpoint(a, "ssm")),
		},
		{
			// Lambda sends failed asynchronous invocations to the on-failure
			// destination with the function's execution role (Lambda
			// Developer Guide, "Adding a destination": sqs:SendMessage).
			Sid:      sidFunctionDLQ,
			Effect:   Allow,
			Action:   []string{"sqs:SendMessage"},
			Resource: []string{in.QueueARN},
		},
		{
			// The log group is created by the stack with a retention, so
			// the function needs no logs:CreateLogGroup.
			Sid:      sidFunctionLogs,
			Effect:   Allow,
			Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: []string{in.LogGroupARN + ":*"},
		},
	}}
}

// serviceEndpoint is how kms:ViaService names a service of a's region
// (dynamodb.us-east-1.amazonaws.com; .amazonaws.com.cn in China).
func serviceEndpoint(a names.Account, service string) string {
	return service + "." + a.Region + "." + dnsSuffix(a.Partition)
}
