package eventbridge

import (
	"fmt"
	"testing"
)

// cloudTrailEvent is a CloudTrail management event as EventBridge delivers it
// ("AWS API Call via CloudTrail").
const cloudTrailEvent = `{
  "version": "0",
  "id": "6f87d04b-9f74-4f04-a780-7acf4b0a9b38",
  "detail-type": "AWS API Call via CloudTrail",
  "source": "aws.iam",
  "account": "111122223333",
  "time": "2024-05-01T10:00:00Z",
  "region": "us-east-1",
  "resources": [],
  "detail": {
    "eventVersion": "1.09",
    "userIdentity": {
      "type": "AssumedRole",
      "principalId": "AROAEXAMPLE:alice",
      "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
      "accountId": "111122223333",
      "accessKeyId": "ASIAEXAMPLE",
      "sessionContext": {
        "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE", "arn": "arn:aws:iam::111122223333:role/Admin", "accountId": "111122223333", "userName": "Admin"},
        "attributes": {"creationDate": "2024-05-01T09:55:00Z", "mfaAuthenticated": "true"}
      }
    },
    "eventTime": "2024-05-01T10:00:00Z",
    "eventSource": "iam.amazonaws.com",
    "eventName": "CreateAccessKey",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "203.0.113.10",
    "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
    "requestParameters": {"userName": "deploy-bot"},
    "responseElements": {"accessKey": {"userName": "deploy-bot", "accessKeyId": "AKIAEXAMPLE", "status": "Active", "createDate": "May 1, 2024 10:00:00 AM"}},
    "requestID": "0f5c1d7e-1111-2222-3333-444455556666",
    "eventID": "9a8b7c6d-1111-2222-3333-444455556666",
    "readOnly": false,
    "eventType": "AwsApiCall",
    "managementEvent": true,
    "recipientAccountId": "111122223333",
    "eventCategory": "Management",
    "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "iam.amazonaws.com"}
  }
}`

// benchmarkPatterns is about forty patterns of the shapes the detectors use.
func benchmarkPatterns() map[string]string {
	ps := map[string]string{}
	apiCalls := []string{
		"CreateAccessKey", "DeleteTrail", "StopLogging", "PutBucketPolicy", "DeleteFlowLogs",
		"CreateUser", "AttachUserPolicy", "PutRolePolicy", "UpdateAssumeRolePolicy", "DisableKey",
		"ScheduleKeyDeletion", "DeleteDetector", "DisableSecurityHub", "AuthorizeSecurityGroupIngress",
		"ModifyInstanceAttribute", "CreateLoginProfile", "DeactivateMFADevice", "LeaveOrganization",
		"PutEventSelectors", "DeleteConfigRule",
	}
	for i, name := range apiCalls {
		ps[fmt.Sprintf("api-%02d", i)] = fmt.Sprintf(
			`{"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":[%q],"errorCode":[{"exists":false}]}}`, name)
	}
	for i := 0; i < 8; i++ {
		ps[fmt.Sprintf("guardduty-%d", i)] = fmt.Sprintf(
			`{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",%d]}]}}`, i)
	}
	for i, label := range []string{"CRITICAL", "HIGH", "MEDIUM", "LOW"} {
		ps[fmt.Sprintf("securityhub-%d", i)] = fmt.Sprintf(
			`{"source":["aws.securityhub"],"detail":{"findings":{"Severity":{"Label":[%q]},"Workflow":{"Status":["NEW"]}}}}`, label)
	}
	ps["root-login"] = `{"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}`
	ps["no-mfa"] = `{"detail-type":["AWS API Call via CloudTrail"],"detail":{"userIdentity":{"sessionContext":{"attributes":{"mfaAuthenticated":["false"]}}}}}`
	ps["iam-any"] = `{"source":["aws.iam"],"detail":{"eventName":[{"prefix":"Create"},{"prefix":"Delete"}],"readOnly":[false]}}`
	ps["outside-corp"] = `{"detail":{"sourceIPAddress":[{"anything-but":{"suffix":".amazonaws.com"}}],"eventSource":["iam.amazonaws.com"]}}`
	ps["not-cli"] = `{"detail":{"userAgent":[{"anything-but":{"prefix":"aws-cli/"}}]}}`
	ps["or-kms-iam"] = `{"$or":[{"source":["aws.kms"]},{"source":["aws.iam"],"detail":{"userIdentity":{"type":["IAMUser","AssumedRole"]}}}]}`
	ps["tls-old"] = `{"detail":{"tlsDetails":{"tlsVersion":[{"anything-but":["TLSv1.2","TLSv1.3"]}]}}}`
	ps["private-ip"] = `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/8"},{"cidr":"192.168.0.0/16"}]}}`
	return ps
}

func BenchmarkMatcher(b *testing.B) {
	m := NewMatcher()
	patterns := benchmarkPatterns()
	for id, p := range patterns {
		if err := m.Add(id, []byte(p)); err != nil {
			b.Fatalf("adding %s: %v", id, err)
		}
	}
	event := []byte(cloudTrailEvent)
	// The event must hit a realistic mix: native fields, post-checked ones and
	// an expanded $or.
	ids, err := m.Match(event)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d patterns, %d match: %v", len(patterns), len(ids), ids)

	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Match(event); err != nil {
			b.Fatal(err)
		}
	}
}
