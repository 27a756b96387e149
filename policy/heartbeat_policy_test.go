package policy

import (
	"testing"

	"secalerts/names"
)

var heartbeatInput = HeartbeatFunctionInput{
	TableARN:    "arn:aws:dynamodb:us-east-1:111111111111:table/secalerts-heartbeats",
	BusARNs:     []string{hubBus, "arn:aws:events:us-east-1:111111111111:event-bus/secalerts-globex"},
	QueueARN:    "arn:aws:sqs:us-east-1:111111111111:secalerts-heartbeat-dlq",
	KeyARN:      "arn:aws:kms:us-east-1:111111111111:key/0000",
	LogGroupARN: "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/secalerts-heartbeat",
}

func TestHeartbeatFunctionPolicyIsLeastPrivilege(t *testing.T) {
	fn := Caller{AWS: "arn:aws:sts::111111111111:assumed-role/secalerts-heartbeat/secalerts-heartbeat"}
	d := HeartbeatFunctionPolicy(hub, heartbeatInput)
	dynamo := ctxOf("kms:ViaService", "dynamodb.us-east-1.amazonaws.com")
	runAllowCases(t, d, []allowCase{
		{"record a heartbeat", rq(fn, "dynamodb:UpdateItem", heartbeatInput.TableARN, nil), true},
		{"scan for silence", rq(fn, "dynamodb:Scan", heartbeatInput.TableARN, nil), true},
		{"delete a heartbeat", rq(fn, "dynamodb:DeleteItem", heartbeatInput.TableARN, nil), false},
		{"drop the table", rq(fn, "dynamodb:DeleteTable", heartbeatInput.TableARN, nil), false},
		{"another table", rq(fn, "dynamodb:Scan", "arn:aws:dynamodb:us-east-1:111111111111:table/other", nil), false},
		{"report on acme's bus", rq(fn, "events:PutEvents", hubBus, nil), true},
		{"report on globex's bus", rq(fn, "events:PutEvents", heartbeatInput.BusARNs[1], nil), true},
		{"put on the default bus", rq(fn, "events:PutEvents", "arn:aws:events:us-east-1:111111111111:event-bus/default", nil), false},
		{"put on a stranger's bus", rq(fn, "events:PutEvents", "arn:aws:events:us-east-1:999999999999:event-bus/secalerts-acme", nil), false},
		{"change a rule", rq(fn, "events:PutRule", hubBus, nil), false},
		{"send to its queue", rq(fn, "sqs:SendMessage", heartbeatInput.QueueARN, nil), true},
		{"read its queue", rq(fn, "sqs:ReceiveMessage", heartbeatInput.QueueARN, nil), false},
		{"send to a customer's queue", rq(fn, "sqs:SendMessage", "arn:aws:sqs:us-east-1:111111111111:secalerts-acme-dlq", nil), false},
		{"key through DynamoDB", rq(fn, "kms:Decrypt", heartbeatInput.KeyARN, dynamo), true},
		{"key through SQS", rq(fn, "kms:GenerateDataKey", heartbeatInput.KeyARN, ctxOf("kms:ViaService", "sqs.us-east-1.amazonaws.com")), true},
		{"key directly", rq(fn, "kms:Decrypt", heartbeatInput.KeyARN, nil), false},
		{"key through SNS", rq(fn, "kms:Decrypt", heartbeatInput.KeyARN, ctxOf("kms:ViaService", "sns.us-east-1.amazonaws.com")), false},
		{"key through DynamoDB elsewhere", rq(fn, "kms:Decrypt", heartbeatInput.KeyARN, ctxOf("kms:ViaService", "dynamodb.eu-west-1.amazonaws.com")), false},
		{"manage the key", rq(fn, "kms:ScheduleKeyDeletion", heartbeatInput.KeyARN, dynamo), false},
		{"write its logs", rq(fn, "logs:PutLogEvents", heartbeatInput.LogGroupARN+":log-stream:x", nil), true},
		{"write other logs", rq(fn, "logs:PutLogEvents", "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/other:log-stream:x", nil), false},
		{"publish to the alarm topic", rq(fn, "sns:Publish", "arn:aws:sns:us-east-1:111111111111:secalerts-alarms", nil), false},
	})
}

func TestLambdaTrustPolicy(t *testing.T) {
	d := LambdaTrustPolicy()
	runAllowCases(t, d, []allowCase{
		{"lambda", rq(Caller{Service: "lambda.amazonaws.com"}, "sts:AssumeRole", "", nil), true},
		{"events", rq(Caller{Service: "events.amazonaws.com"}, "sts:AssumeRole", "", nil), false},
		{"an identity", rq(Caller{AWS: admin}, "sts:AssumeRole", "", nil), false},
	})
}

func TestServiceEndpoint(t *testing.T) {
	for _, tc := range []struct {
		a    names.Account
		want string
	}{
		{hub, "dynamodb.us-east-1.amazonaws.com"},
		{names.Account{Partition: "aws-cn", Region: "cn-north-1", ID: "111111111111"}, "dynamodb.cn-north-1.amazonaws.com.cn"},
		{names.Account{Partition: "aws-us-gov", Region: "us-gov-west-1", ID: "111111111111"}, "dynamodb.us-gov-west-1.amazonaws.com"},
	} {
		if got := serviceEndpoint(tc.a, "dynamodb"); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.a, got, tc.want)
		}
	}
}
