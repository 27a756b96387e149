package policy

import "testing"

var deliveryInput = DeliveryFunctionInput{
	TableARN:       "arn:aws:dynamodb:us-east-1:111111111111:table/secalerts-state",
	QueueARN:       "arn:aws:sqs:us-east-1:111111111111:secalerts-delivery-dlq",
	LogGroupARN:    "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/secalerts-delivery",
	HubKeyARN:      "arn:aws:kms:us-east-1:111111111111:key/hub",
	OperatorKeyARN: "arn:aws:kms:us-east-1:111111111111:key/operator",
}

func TestDeliveryFunctionPolicy(t *testing.T) {
	fn := Caller{AWS: "arn:aws:iam::111111111111:role/secalerts-delivery", Account: hub.ID}
	d := DeliveryFunctionPolicy(hub, deliveryInput)
	// The role's own policy is all it has: evaluate it as the identity
	// policy of a request on resources that have no policy of their own.
	req := func(action, resource string, ctx map[string]string) Request {
		return Request{Principal: fn, Action: action, Resource: resource, Context: ctx, IdentityPolicies: []Document{d}}
	}
	allowedByIdentity := func(r Request) bool { return identityAllows(r) }
	via := func(service string) map[string]string {
		return ctxOf(keyViaService, service+".us-east-1.amazonaws.com")
	}
	for _, tc := range []struct {
		name string
		req  Request
		want bool
	}{
		{"claims a delivery", req("dynamodb:PutItem", deliveryInput.TableARN, nil), true},
		{"queries heartbeats", req("dynamodb:Query", deliveryInput.TableARN, nil), true},
		{"another table", req("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:111111111111:table/other", nil), false},
		{"scans the table", req("dynamodb:Scan", deliveryInput.TableARN, nil), false},
		{"deletes the table", req("dynamodb:DeleteTable", deliveryInput.TableARN, nil), false},
		{"publishes to a customer topic", req("sns:Publish", "arn:aws:sns:us-east-1:111111111111:secalerts-acme-email", nil), true},
		{"publishes to the operator topic", req("sns:Publish", "arn:aws:sns:us-east-1:111111111111:secalerts-alarms", nil), true},
		{"publishes to another topic", req("sns:Publish", "arn:aws:sns:us-east-1:111111111111:billing", nil), false},
		{"publishes in another region", req("sns:Publish", "arn:aws:sns:eu-west-1:111111111111:secalerts-acme-email", nil), false},
		{"subscribes to a topic", req("sns:Subscribe", "arn:aws:sns:us-east-1:111111111111:secalerts-acme-email", nil), false},
		{"reads a webhook URL", req("ssm:GetParameter", "arn:aws:ssm:us-east-1:111111111111:parameter/secalerts/acme/webhooks/pager", nil), true},
		{"reads another parameter", req("ssm:GetParameter", "arn:aws:ssm:us-east-1:111111111111:parameter/prod/db-password", nil), false},
		{"writes a webhook URL", req("ssm:PutParameter", "arn:aws:ssm:us-east-1:111111111111:parameter/secalerts/acme/webhooks/pager", nil), false},
		{"decrypts through DynamoDB", req("kms:Decrypt", deliveryInput.HubKeyARN, via("dynamodb")), true},
		{"decrypts a parameter through SSM", req("kms:Decrypt", deliveryInput.HubKeyARN, via("ssm")), true},
		{"encrypts for the operator topic through SNS", req("kms:GenerateDataKey", deliveryInput.OperatorKeyARN, via("sns")), true},
		{"decrypts directly", req("kms:Decrypt", deliveryInput.HubKeyARN, nil), false},
		{"decrypts through S3", req("kms:Decrypt", deliveryInput.HubKeyARN, via("s3")), false},
		{"uses another key", req("kms:Decrypt", "arn:aws:kms:us-east-1:111111111111:key/other", via("dynamodb")), false},
		{"disables a key", req("kms:DisableKey", deliveryInput.HubKeyARN, nil), false},
		{"sends to its dead-letter queue", req("sqs:SendMessage", deliveryInput.QueueARN, nil), true},
		{"sends to another queue", req("sqs:SendMessage", "arn:aws:sqs:us-east-1:111111111111:other", nil), false},
		{"writes its logs", req("logs:PutLogEvents", deliveryInput.LogGroupARN+":log-stream:x", nil), true},
		{"puts events anywhere", req("events:PutEvents", "arn:aws:events:us-east-1:111111111111:event-bus/secalerts-acme", nil), false},
	} {
		if got := allowedByIdentity(tc.req); got != tc.want {
			t.Errorf("%s: allowed %v, want %v", tc.name, got, tc.want)
		}
	}
	s, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if len(s) > 10240/4 {
		t.Errorf("the role policy is %d characters: it must not grow with customers, and is far from IAM's 10,240 only if it names none", len(s))
	}
}
