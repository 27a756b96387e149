package policy

import (
	"strings"
	"testing"

	"secalerts/names"
)

var (
	hub      = names.Account{Partition: "aws", Region: "us-east-1", ID: "111111111111"}
	stranger = names.Account{Partition: "aws", Region: "us-east-1", ID: "999999999999"}
	hubBus   = "arn:aws:events:us-east-1:111111111111:event-bus/secalerts-acme"
	admin    = "arn:aws:iam::111111111111:role/key-admin"
	// archiveBucket is the log archive of the hub account.
	archiveBucket = "secalerts-archive-111111111111-us-east-1"
)

func ctxOf(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

type allowCase struct {
	name string
	req  Request
	want bool
}

func runAllowCases(t *testing.T, d Document, cases []allowCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Allowed(d, c.req); got != c.want {
				js, _ := d.JSON()
				t.Errorf("Allowed(%+v) = %v, want %v\npolicy: %s", c.req, got, c.want, js)
			}
		})
	}
}

// allDocuments is every document the package produces, in every shape, for
// the properties that must hold for all of them.
func allDocuments(t *testing.T) map[string]Document {
	t.Helper()
	bus, err := EventBusPolicy(hubBus, []string{"222222222222", "333333333333"}, "o-abcdefghij")
	if err != nil {
		t.Fatal(err)
	}
	archive := ArchiveInput{BucketName: archiveBucket, Accounts: []string{"222222222222", "333333333333"},
		Readers: []string{admin}, Administrators: []string{admin}}
	archiveBucketDoc, err := ArchiveBucketPolicy(hub, archive)
	if err != nil {
		t.Fatal(err)
	}
	archiveKeyDoc, err := ArchiveKeyPolicy(hub, archive)
	if err != nil {
		t.Fatal(err)
	}
	scp, err := ProtectionSCPWith(ProtectionInput{Deployers: []string{"arn:aws:iam::*:role/deploy"}, DenyFindingSuppression: true})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Document{
		"protection scp": scp,
		"archive bucket": archiveBucketDoc,
		"archive key":    archiveKeyDoc,
		"key minimal":    KeyPolicy(hub, KeyPolicyInput{}),
		"key full":       KeyPolicy(hub, KeyPolicyInput{Administrators: []string{admin}, AdministratorsMayDisable: true}),
		"operator key": OperatorKeyPolicy(hub, OperatorKeyInput{KeyPolicyInput: KeyPolicyInput{Administrators: []string{admin}},
			Events: true, AllowBudgets: true, AllowCostAnomaly: true}),
		"bus":           bus,
		"topic":         TopicPolicy(hub, "arn:aws:sns:us-east-1:111111111111:t", TopicPublishers{Alarms: false}),
		"topic all":     TopicPolicy(hub, "arn:aws:sns:us-east-1:111111111111:t", TopicPublishers{EventRules: []string{"arn:aws:events:us-east-1:111111111111:rule/secalerts-watch-kms"}, Alarms: true, Budgets: true, CostAnomaly: true}),
		"queue":         QueuePolicy(hub, "arn:aws:sqs:us-east-1:111111111111:q", []string{hubBus}),
		"events trust":  EventsTrustPolicy(hub),
		"put events":    PutEventsPolicy(hubBus),
		"chatbot trust": ChatbotTrustPolicy(hub),
		"chatbot perms": ChatbotNotificationsPolicy(),
		"chatbot guard": ChatbotGuardrailPolicy(),
		"lambda trust":  LambdaTrustPolicy(),
		"delivery":      DeliveryFunctionPolicy(hub, deliveryInput),
	}
}

func hasConditionKey(c Conditions, prefix string) bool {
	for _, keys := range c {
		for k := range keys {
			if strings.HasPrefix(strings.ToLower(k), strings.ToLower(prefix)) {
				return true
			}
		}
	}
	return false
}

func rq(c Caller, action, resource string, ctx map[string]string, identity ...Document) Request {
	return Request{Principal: c, Action: action, Resource: resource, Context: ctx, IdentityPolicies: identity}
}
