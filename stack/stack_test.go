package stack_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"secalerts/config"
	"secalerts/internal/stacktest"
	"secalerts/names"
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
		if r.Custom && r.Region != "" && (r.Region != "us-east-1" || r.Account != hubAccount) {
			t.Errorf("hub resource %s in %s/%s", r.Name, r.Account, r.Region)
		}
	}
}

func TestHubKey(t *testing.T) {
	keys := stacktest.OfType(stacktest.Preview(t, stacktest.HubFile), "aws:kms/key:Key")
	if len(keys) != 1 {
		t.Fatalf("want one key, got %d", len(keys))
	}
	k := keys[0]
	if k.Inputs["enableKeyRotation"] != true || k.Inputs["deletionWindowInDays"] != float64(30) {
		t.Errorf("key rotation/deletion window: %v %v", k.Inputs["enableKeyRotation"], k.Inputs["deletionWindowInDays"])
	}
	d := doc(t, k.Inputs["policy"])
	keyARN := stacktest.Str(k.Outputs["arn"])
	events := policy.Caller{Service: "events.amazonaws.com"}
	ctx := func(bus, account string) map[string]string {
		return map[string]string{"kms:EncryptionContext:aws:events:event-bus:arn": bus, "aws:SourceArn": bus, "aws:SourceAccount": account}
	}
	for _, tc := range []struct {
		name string
		req  policy.Request
		want bool
	}{
		{"events encrypts the acme bus", policy.Request{Principal: events, Action: "kms:GenerateDataKey", Resource: keyARN, Context: ctx(hubBusAcme, hubAccount)}, true},
		{"events encrypts a bus the hub does not own", policy.Request{Principal: events, Action: "kms:GenerateDataKey", Resource: keyARN,
			Context: ctx("arn:aws:events:us-east-1:999999999999:event-bus/other", hubAccount)}, false},
		{"events publishes to the acme chat topic", policy.Request{Principal: events, Action: "kms:GenerateDataKey", Resource: keyARN,
			Context: map[string]string{"kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:us-east-1:999999999999:secalerts-acme-chat-high"}}, true},
		{"key administrator may not decrypt", policy.Request{Principal: policy.Caller{AWS: "arn:aws:iam::999999999999:role/SecurityAdmin", Account: hubAccount},
			Action: "kms:Decrypt", Resource: keyARN}, false},
		{"key administrator schedules deletion", policy.Request{Principal: policy.Caller{AWS: "arn:aws:iam::999999999999:role/SecurityAdmin", Account: hubAccount},
			Action: "kms:ScheduleKeyDeletion", Resource: keyARN}, true},
		{"a member account may not decrypt", policy.Request{Principal: policy.Caller{AWS: "arn:aws:iam::111111111111:root", Account: memberAccount},
			Action: "kms:Decrypt", Resource: keyARN}, false},
	} {
		if got := policy.Allowed(d, tc.req); got != tc.want {
			t.Errorf("%s: allowed=%v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestHubTopicsAreEncryptedAndOnlyRulesAndAlarmsPublish(t *testing.T) {
	key := stacktest.Str(stacktest.OfType(stacktest.Preview(t, stacktest.HubFile), "aws:kms/key:Key")[0].Outputs["arn"])
	topics := stacktest.OfType(stacktest.Preview(t, stacktest.HubFile), "aws:sns/topic:Topic")
	if len(topics) < 5 {
		t.Fatalf("expected the alarm topic and the customers' topics, got %d", len(topics))
	}
	for _, tp := range topics {
		if stacktest.Str(tp.Inputs["kmsMasterKeyId"]) != key {
			t.Errorf("topic %s is encrypted with %v, not the hub key", tp.Name, tp.Inputs["kmsMasterKeyId"])
		}
		arn := stacktest.Str(tp.Outputs["arn"])
		d := doc(t, tp.Inputs["policy"])
		publish := func(c policy.Caller, source, account string) bool {
			return policy.Allowed(d, policy.Request{Principal: c, Action: "sns:Publish", Resource: arn,
				Context: map[string]string{"aws:SourceArn": source, "aws:SourceAccount": account, "aws:SecureTransport": "true"}})
		}
		events := policy.Caller{Service: "events.amazonaws.com"}
		if !publish(events, "arn:aws:events:us-east-1:999999999999:rule/secalerts-acme/secalerts-guardduty-high", hubAccount) {
			t.Errorf("topic %s: the hub's rules cannot publish", tp.Name)
		}
		if publish(events, "arn:aws:events:us-east-1:444444444444:rule/x", stranger) {
			t.Errorf("topic %s: another account's rule can publish", tp.Name)
		}
		if publish(policy.Caller{AWS: "arn:aws:iam::444444444444:root", Account: stranger}, "", stranger) {
			t.Errorf("topic %s: a stranger account can publish", tp.Name)
		}
		alarms := publish(policy.Caller{Service: "cloudwatch.amazonaws.com"}, "arn:aws:cloudwatch:us-east-1:999999999999:alarm:secalerts-acme-dlq-depth", hubAccount)
		if alarms != (stacktest.Str(tp.Inputs["name"]) == "secalerts-alarms") {
			t.Errorf("topic %s: alarms may publish = %v", tp.Name, alarms)
		}
	}
}

func TestHubBusesAdmitOnlyTheirCustomers(t *testing.T) {
	key := stacktest.Str(stacktest.OfType(stacktest.Preview(t, stacktest.HubFile), "aws:kms/key:Key")[0].Outputs["arn"])
	admitted := map[string][]string{"secalerts-acme": {"111111111111", "222222222222"}, "secalerts-globex": {"333333333333"}}
	buses := stacktest.OfType(stacktest.Preview(t, stacktest.HubFile), "aws:cloudcontrol/resource:Resource")
	if len(buses) != 2 {
		t.Fatalf("want 2 buses, got %d", len(buses))
	}
	for _, b := range buses {
		var state struct {
			Name             string
			KmsKeyIdentifier string
			DeadLetterConfig struct{ Arn string }
			Policy           policy.Document
		}
		if err := json.Unmarshal([]byte(stacktest.Str(b.Inputs["desiredState"])), &state); err != nil {
			t.Fatal(err)
		}
		if state.KmsKeyIdentifier != key {
			t.Errorf("bus %s encrypted with %q", state.Name, state.KmsKeyIdentifier)
		}
		if state.DeadLetterConfig.Arn != fmt.Sprintf("arn:aws:sqs:us-east-1:999999999999:%s-dlq", state.Name) {
			t.Errorf("bus %s dead-letter queue %q", state.Name, state.DeadLetterConfig.Arn)
		}
		arn := "arn:aws:events:us-east-1:999999999999:event-bus/" + state.Name
		put := func(account, action, resource, org string) bool {
			role := fmt.Sprintf("arn:aws:iam::%s:role/secalerts-forward", account)
			return policy.Allowed(state.Policy, policy.Request{
				Principal: policy.Caller{AWS: role, Account: account, OrgID: org}, Action: action, Resource: resource,
				IdentityPolicies: []policy.Document{{Version: policy.Version, Statement: []policy.Statement{{Effect: policy.Allow, Action: []string{"events:*"}, Resource: []string{"*"}}}}},
			})
		}
		for _, a := range admitted[state.Name] {
			if !put(a, "events:PutEvents", arn, "") {
				t.Errorf("bus %s does not admit its account %s", state.Name, a)
			}
			if put(a, "events:PutRule", arn, "") {
				t.Errorf("bus %s lets %s do more than PutEvents", state.Name, a)
			}
		}
		if put(stranger, "events:PutEvents", arn, "") {
			t.Errorf("bus %s admits a stranger", state.Name)
		}
		for other, accounts := range admitted {
			if other != state.Name && put(accounts[0], "events:PutEvents", arn, "") {
				t.Errorf("bus %s admits %s of customer %s", state.Name, accounts[0], other)
			}
		}
		if want := state.Name == "secalerts-globex"; put(stranger, "events:PutEvents", arn, "o-exampleorg1") != want {
			t.Errorf("bus %s: an account of organization o-exampleorg1 admitted = %v, want %v", state.Name, !want, want)
		}
	}
}

func TestHubTargetsRetryAndDeadLetter(t *testing.T) {
	targets := stacktest.OfType(stacktest.Preview(t, stacktest.HubFile), "aws:cloudwatch/eventTarget:EventTarget")
	if len(targets) == 0 {
		t.Fatal("no targets")
	}
	for _, tg := range targets {
		bus := stacktest.Str(tg.Inputs["eventBusName"])
		if bus == "" {
			// The heartbeat check's schedule on the default bus
			// (heartbeat_test.go).
			continue
		}
		dlq, _ := tg.Inputs["deadLetterConfig"].(map[string]any)
		if stacktest.Str(dlq["arn"]) != "arn:aws:sqs:us-east-1:999999999999:"+bus+"-dlq" {
			t.Errorf("target %s: dead-letter queue %v", tg.Name, dlq)
		}
		retry, _ := tg.Inputs["retryPolicy"].(map[string]any)
		if retry["maximumRetryAttempts"] != float64(185) || retry["maximumEventAgeInSeconds"] != float64(86400) {
			t.Errorf("target %s: retry policy %v", tg.Name, retry)
		}
		it, _ := tg.Inputs["inputTransformer"].(map[string]any)
		if stacktest.Str(it["inputTemplate"]) == "" {
			t.Errorf("target %s has no input transformer: raw JSON would reach people", tg.Name)
		}
	}
	for _, q := range stacktest.OfType(stacktest.Preview(t, stacktest.HubFile), "aws:sqs/queue:Queue") {
		if stacktest.Str(q.Inputs["kmsMasterKeyId"]) == "" {
			t.Errorf("queue %s is not encrypted with the hub key", q.Name)
		}
		d := doc(t, q.Inputs["policy"])
		arn := stacktest.Str(q.Outputs["arn"])
		if stacktest.Str(q.Inputs["name"]) == names.HeartbeatDLQ {
			continue // no bus's queue (heartbeat_test.go)
		}
		bus := strings.TrimSuffix(stacktest.Str(q.Inputs["name"]), "-dlq")
		send := func(source string) bool {
			return policy.Allowed(d, policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"}, Action: "sqs:SendMessage",
				Resource: arn, Context: map[string]string{"aws:SourceArn": source, "aws:SourceAccount": hubAccount, "aws:SecureTransport": "true"}})
		}
		if !send("arn:aws:events:us-east-1:999999999999:rule/" + bus + "/r") {
			t.Errorf("queue %s: the rules of its bus cannot dead-letter", q.Name)
		}
		if send("arn:aws:events:us-east-1:999999999999:rule/secalerts-someone-else/r") {
			t.Errorf("queue %s: another bus's rules can write", q.Name)
		}
	}
	alarms := map[string]preview.Resource{}
	for _, a := range stacktest.OfType(stacktest.Preview(t, stacktest.HubFile), "aws:cloudwatch/metricAlarm:MetricAlarm") {
		alarms[stacktest.Str(a.Inputs["name"])] = a
	}
	alarmTopic := "arn:aws:sns:us-east-1:999999999999:secalerts-alarms"
	for _, c := range []string{"acme", "globex"} {
		for _, name := range []string{"secalerts-" + c + "-dlq-depth", "secalerts-" + c + "-failed-invocations"} {
			a, ok := alarms[name]
			if !ok {
				t.Errorf("no alarm %s", name)
				continue
			}
			if actions, _ := a.Inputs["alarmActions"].([]any); len(actions) != 1 || actions[0] != alarmTopic {
				t.Errorf("alarm %s notifies %v", name, a.Inputs["alarmActions"])
			}
		}
	}
}

func TestHubChatbotIsNotificationsOnly(t *testing.T) {
	configs := append(stacktest.OfType(stacktest.Preview(t, stacktest.HubFile), "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"),
		stacktest.OfType(stacktest.Preview(t, stacktest.HubFile), "aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration")...)
	if len(configs) != 3 {
		t.Fatalf("want 2 Slack and 1 Teams channel, got %d", len(configs))
	}
	guard := stacktest.OfType(stacktest.Preview(t, stacktest.HubFile), "aws:iam/policy:Policy")
	if len(guard) != 1 {
		t.Fatalf("want one guardrail policy, got %d", len(guard))
	}
	for _, c := range configs {
		g, _ := c.Inputs["guardrailPolicyArns"].([]any)
		if len(g) != 1 || g[0] != guard[0].Outputs["arn"] {
			t.Errorf("%s guardrails %v", c.Name, g)
		}
		if lvl := stacktest.Str(c.Inputs["loggingLevel"]); lvl == "" || lvl == "NONE" {
			t.Errorf("%s logging %q", c.Name, lvl)
		}
		if c.Inputs["userAuthorizationRequired"] != true {
			t.Errorf("%s does not require user authorization", c.Name)
		}
	}
	for _, r := range stacktest.Preview(t, stacktest.HubFile) {
		if !strings.HasPrefix(r.Type, "aws:iam/") && !strings.HasPrefix(r.Type, "aws:chatbot/") {
			continue
		}
		b, _ := json.Marshal(r.Inputs)
		if strings.Contains(string(b), "AdministratorAccess") || strings.Contains(string(b), "ReadOnlyAccess") {
			t.Errorf("%s %s grants a broad AWS managed policy", r.Type, r.Name)
		}
	}
	gd := doc(t, guard[0].Inputs["policy"])
	for _, action := range []string{"iam:CreateUser", "s3:GetObject", "ec2:TerminateInstances", "lambda:InvokeFunction"} {
		if policy.Allowed(gd, policy.Request{Principal: policy.Caller{AWS: "arn:aws:iam::999999999999:role/secalerts-chatbot", Account: hubAccount}, Action: action, Resource: "*",
			IdentityPolicies: []policy.Document{gd}}) {
			t.Errorf("the guardrail allows %s", action)
		}
	}
}

func TestHubWebhookURLStaysSecret(t *testing.T) {
	dests := stacktest.OfType(stacktest.Preview(t, stacktest.HubFile), "aws:cloudwatch/eventApiDestination:EventApiDestination")
	if len(dests) != 1 {
		t.Fatalf("want one API destination, got %d", len(dests))
	}
	secret := false
	for _, k := range dests[0].SecretInputs {
		secret = secret || k == "invocationEndpoint"
	}
	if !secret {
		t.Error("the webhook URL is not a secret input")
	}
	for _, r := range stacktest.Preview(t, stacktest.HubFile) {
		if r.Type == "aws:cloudwatch/eventApiDestination:EventApiDestination" {
			continue
		}
		b, _ := json.Marshal(r.Inputs)
		if strings.Contains(string(b), preview.SecretPlaceholder) {
			t.Errorf("%s %s carries the webhook URL in plain text", r.Type, r.Name)
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
	const hubHead = "config:\n  secalerts:role: hub\n  secalerts:hub:\n    accountId: \"999999999999\"\n    region: us-east-1\n    alarmEmails: [ops@example.com]\n"
	for _, tc := range []struct{ name, body, want string }{
		{"no role", "config:\n  secalerts:hub: {}\n", "secalerts:role"},
		{"unknown role", "config:\n  secalerts:role: spoke\n", "secalerts:role"},
		{"hub without its config", "config:\n  secalerts:role: hub\n", "secalerts:hub is not set"},
		{"member without its config", "config:\n  secalerts:role: member\n", "secalerts:member is not set"},
		{"bad account", hubHead + "    customers:\n      - name: acme\n        accounts: [\"1234\"]\n        emails: [a@example.com]\n", "secalerts:hub.customers[0].accounts[0]"},
		{"bad severity", hubHead + "    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        emails: [{address: a@example.com, minSeverity: SEVERE}]\n", "minSeverity"},
		{"webhook URL not secret", hubHead + "    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        webhooks: [{name: w, url: \"https://hooks.example.com/x\"}]\n", "--secret"},
		{"rule quota", hubHead + "    maxRulesPerBus: 5\n    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        emails: [a@example.com]\n", "maxRulesPerBus"},
		{"hub role in another account", strings.Replace(hubHead, "config:\n", "config:\n  aws:assumeRole:\n    roleArn: arn:aws:iam::111111111111:role/deploy\n", 1) +
			"    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        emails: [a@example.com]\n", "aws:assumeRole.roleArn"},
		{"member role that is not a role", "config:\n  secalerts:role: member\n  aws:assumeRole:\n    roleArn: deploy\n  secalerts:member:\n    accountId: \"111111111111\"\n    hubEventBusArn: " + hubBusAcme + "\n    regions: [us-east-1]\n", "aws:assumeRole.roleArn"},
		{"member regions without us-east-1", "config:\n  secalerts:role: member\n  secalerts:member:\n    accountId: \"111111111111\"\n    hubEventBusArn: " + hubBusAcme + "\n    homeRegion: eu-west-1\n    regions: [eu-west-1]\n", "secalerts:member.regions"},
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
	b.WriteString("config:\n  secalerts:role: hub\n  secalerts:hub:\n    accountId: \"999999999999\"\n    region: us-east-1\n    alarmEmails: [ops@example.com]\n" +
		extra + "    customers:\n      - name: big\n        emails: [a@example.com]\n        accounts:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "          - \"%012d\"\n", 100000000000+i)
	}
	return b.String()
}

func TestBusPolicySizeIsCheckedBeforeAnyResource(t *testing.T) {
	rs, err := stacktest.RunStack(t, (hubWithAccounts(400, "")))
	if err == nil || !strings.Contains(err.Error(), "secalerts:hub.customers[0].accounts") || !strings.Contains(err.Error(), "organizationId") {
		t.Fatalf("want a bus policy size error naming the key and suggesting organizationId, got %v", err)
	}
	if len(rs) != 0 {
		t.Errorf("%d resources registered before the error", len(rs))
	}
}
