package stack_test

import (
	"fmt"
	"strings"
	"testing"

	"secalerts/config"
	"secalerts/internal/stacktest"
	"secalerts/policy"
	"secalerts/preview"
)

// The example stack files are the fixtures: what users copy is what is tested.
var (
	hubAccount, hubBusAcme  = stacktest.HubAccount, "arn:aws:events:us-east-1:999999999999:event-bus/secalerts-acme"
	memberAccount, stranger = stacktest.MemberAccount, "444444444444"
)

func doc(t *testing.T, v any) policy.Document {
	t.Helper()
	d, err := policy.ParseDocument(stacktest.Str(v))
	if err != nil {
		t.Fatalf("parsing policy %v: %v", v, err)
	}
	return d
}

func TestEveryResourceHasAnExplicitRegionalProvider(t *testing.T) {
	for name, rs := range map[string][]preview.Resource{"hub": stacktest.Preview(t, stacktest.HubFile), "member": stacktest.Preview(t, stacktest.MemberFile)} {
		for _, r := range rs {
			if !r.Custom || strings.HasPrefix(r.Type, "pulumi:") {
				continue
			}
			if r.Provider == "" || r.Region == "" {
				t.Errorf("%s: %s %s has no explicit provider", name, r.Type, r.Name)
			}
		}
	}
	for _, r := range stacktest.Preview(t, stacktest.HubFile) {
		region := "us-east-1"
		if strings.HasPrefix(r.Type, "aws:chatbot/") {
			// The Chatbot API is not served in us-east-1.
			region = "us-east-2"
		}
		if r.Custom && r.Region != "" && (r.Region != region || r.Account != hubAccount) {
			t.Errorf("hub resource %s in %s/%s, want %s/%s", r.Name, r.Account, r.Region, hubAccount, region)
		}
	}
}

func TestMemberForwardsFromEveryRegionWithRoleRetryAndDLQ(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.MemberFile)
	regions := map[string]bool{}
	for _, r := range config.DefaultRegions() {
		regions[r] = true
	}
	rules, dlqs, alarms := map[string]int{}, map[string]int{}, map[string]int{}
	for _, r := range stacktest.OfType(rs, "aws:cloudwatch/eventRule:EventRule") {
		rules[r.Region]++
		if !strings.HasPrefix(stacktest.Str(r.Inputs["name"]), "secalerts-") {
			t.Errorf("rule %s is not named secalerts-*, the tampering detector would not guard it", r.Name)
		}
	}
	for _, q := range stacktest.OfType(rs, "aws:sqs/queue:Queue") {
		dlqs[q.Region]++
		if q.Inputs["sqsManagedSseEnabled"] != true {
			t.Errorf("queue %s is not encrypted", q.Name)
		}
	}
	for _, a := range stacktest.OfType(rs, "aws:cloudwatch/metricAlarm:MetricAlarm") {
		alarms[a.Region]++
	}
	for r := range regions {
		if rules[r] == 0 || dlqs[r] != 1 || alarms[r] != 1 {
			t.Errorf("region %s: %d rules, %d DLQs, %d alarms", r, rules[r], dlqs[r], alarms[r])
		}
	}
	if len(rules) != len(regions) {
		t.Errorf("rules in %d regions, want %d", len(rules), len(regions))
	}
	roles := stacktest.OfType(rs, "aws:iam/role:Role")
	if len(roles) != 1 {
		t.Fatalf("want one role, got %d", len(roles))
	}
	role := stacktest.Str(roles[0].Outputs["arn"])
	for _, tg := range stacktest.OfType(rs, "aws:cloudwatch/eventTarget:EventTarget") {
		if stacktest.Str(tg.Inputs["arn"]) != hubBusAcme || stacktest.Str(tg.Inputs["roleArn"]) != role {
			t.Errorf("target %s: arn %v role %v", tg.Name, tg.Inputs["arn"], tg.Inputs["roleArn"])
		}
		dlq, _ := tg.Inputs["deadLetterConfig"].(map[string]any)
		if stacktest.Str(dlq["arn"]) != fmt.Sprintf("arn:aws:sqs:%s:111111111111:secalerts-forward-dlq", tg.Region) {
			t.Errorf("target %s in %s: dead-letter queue %v", tg.Name, tg.Region, dlq)
		}
		if retry, _ := tg.Inputs["retryPolicy"].(map[string]any); retry["maximumRetryAttempts"] != float64(185) {
			t.Errorf("target %s: retry %v", tg.Name, retry)
		}
	}
}

func TestMemberRoleCanOnlyPutEventsToTheHubBus(t *testing.T) {
	r := stacktest.OfType(stacktest.Preview(t, stacktest.MemberFile), "aws:iam/role:Role")[0]
	trust := doc(t, r.Inputs["assumeRolePolicy"])
	assume := func(account string) bool {
		return policy.Allowed(trust, policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"}, Action: "sts:AssumeRole",
			Resource: stacktest.Str(r.Outputs["arn"]), Context: map[string]string{"aws:SourceAccount": account,
				"aws:SourceArn": fmt.Sprintf("arn:aws:events:eu-west-1:%s:rule/secalerts-forward-1", account)}})
	}
	if !assume(memberAccount) || assume(stranger) {
		t.Errorf("trust: own account %v, stranger %v", assume(memberAccount), assume(stranger))
	}
	inline, _ := r.Inputs["inlinePolicies"].([]any)
	if len(inline) != 1 || len(r.Inputs) > 0 && r.Inputs["managedPolicyArns"] != nil {
		t.Fatalf("want exactly one inline policy and no managed ones: %v", r.Inputs)
	}
	d := doc(t, inline[0].(map[string]any)["policy"])
	caller := policy.Caller{AWS: stacktest.Str(r.Outputs["arn"]), Account: memberAccount}
	for _, tc := range []struct {
		action, resource string
		want             bool
	}{
		{"events:PutEvents", hubBusAcme, true},
		{"events:PutEvents", "arn:aws:events:us-east-1:999999999999:event-bus/secalerts-globex", false},
		{"events:PutEvents", "arn:aws:events:us-east-1:111111111111:event-bus/default", false},
		{"events:PutRule", hubBusAcme, false},
		{"sns:Publish", "*", false},
	} {
		if got := policy.Allowed(d, policy.Request{Principal: caller, Action: tc.action, Resource: tc.resource}); got != tc.want {
			t.Errorf("%s on %s: %v, want %v", tc.action, tc.resource, got, tc.want)
		}
	}
}

func TestMemberGlobalDetectorsOnlyInUsEast1(t *testing.T) {
	for _, r := range stacktest.OfType(stacktest.Preview(t, stacktest.MemberFile), "aws:cloudwatch/eventRule:EventRule") {
		p := stacktest.Str(r.Inputs["eventPattern"])
		if r.Region != "us-east-1" && (strings.Contains(p, `"aws.iam"`) || strings.Contains(p, `"aws.organizations"`)) {
			t.Errorf("rule %s in %s forwards a global service's events", r.Name, r.Region)
		}
	}
}

// TestInvalidConfigCreatesNothing: every bad stack fails with an error
// naming the key, before a single resource is registered.
func TestInvalidConfigCreatesNothing(t *testing.T) {
	const hubHead = "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: hub\n  secalerts:hub:\n    accountId: \"999999999999\"\n    region: us-east-1\n    alarmEmails: [ops@example.com]\n"
	for _, tc := range []struct{ name, body, want string }{
		{"no role", "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:hub: {}\n", "secalerts:role"},
		{"unknown role", "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: spoke\n", "secalerts:role"},
		{"hub without its config", "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: hub\n", "secalerts:hub is not set"},
		{"member without its config", "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: member\n", "secalerts:member is not set"},
		{"bad account", hubHead + "    customers:\n      - name: acme\n        accounts: [\"1234\"]\n        emails: [a@example.com]\n", "secalerts:hub.customers[0].accounts[0]"},
		{"bad severity", hubHead + "    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        emails: [{address: a@example.com, minSeverity: SEVERE}]\n", "minSeverity"},
		{"webhook URL not secret", hubHead + "    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        webhooks: [{name: w, url: \"https://hooks.example.com/x\"}]\n", "--secret"},
		// Pulumi marks secalerts:hub secret as soon as one value under it
		// is; the plain URL beside a secret one is still refused.
		{"webhook URL beside a secret", hubHead + "    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        webhooks:\n" +
			"          - {name: w, url: {secure: v1:abc}}\n          - {name: v, url: \"https://hooks.example.com/x\"}\n", "webhooks[1].url: <secret> is not a Pulumi secret"},
		{"bus quota", hubHead + "    maxEventBuses: 1\n    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        emails: [a@example.com]\n" +
			"      - name: globex\n        accounts: [\"222222222222\"]\n        emails: [a@example.com]\n", "maxEventBuses"},
		{"chatbot region", hubHead + "    chatbotRegion: eu-west-9\n    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        emails: [a@example.com]\n", "chatbotRegion"},
		{"hub role in another account", strings.Replace(hubHead, "config:\n", "config:\n  aws:assumeRole:\n    roleArn: arn:aws:iam::111111111111:role/deploy\n", 1) +
			"    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        emails: [a@example.com]\n", "aws:assumeRole.roleArn"},
		{"member role that is not a role", "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: member\n  aws:assumeRole:\n    roleArn: deploy\n  secalerts:member:\n    accountId: \"111111111111\"\n    hubEventBusArn: " + hubBusAcme + "\n    regions: [us-east-1]\n", "aws:assumeRole.roleArn"},
		{"member regions without us-east-1", "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: member\n  secalerts:member:\n    accountId: \"111111111111\"\n    hubEventBusArn: " + hubBusAcme + "\n    homeRegion: eu-west-1\n    regions: [eu-west-1]\n", "secalerts:member.regions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := stacktest.RunStack(t, (tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
			if len(rs) != 0 {
				t.Errorf("%d resources registered before the error", len(rs))
			}
		})
	}
}

// hubWithAccounts is a hub stack whose one customer lists n accounts;
// extra holds more secalerts:hub keys, each line indented by four spaces.
func hubWithAccounts(n int, extra string) string {
	var b strings.Builder
	b.WriteString("config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: hub\n  secalerts:hub:\n    accountId: \"999999999999\"\n    region: us-east-1\n    alarmEmails: [ops@example.com]\n" +
		extra + "    customers:\n      - name: big\n        emails: [a@example.com]\n        accounts:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "          - \"%012d\"\n", 100000000000+i)
	}
	return b.String()
}

func TestBusPolicySizeIsCheckedBeforeAnyResource(t *testing.T) {
	rs, err := stacktest.RunStack(t, (hubWithAccounts(1000, "")))
	if err == nil || !strings.Contains(err.Error(), "secalerts:hub.customers[0].accounts") || !strings.Contains(err.Error(), "organizationId") {
		t.Fatalf("want a bus policy size error naming the key and suggesting organizationId, got %v", err)
	}
	if len(rs) != 0 {
		t.Errorf("%d resources registered before the error", len(rs))
	}
}
