package stack_test

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/archive"

	"secalerts/engine"
	"secalerts/internal/stacktest"
	"secalerts/names"
	"secalerts/policy"
	"secalerts/preview"
)

// hubKeys returns the ARNs of the hub key and the operator key.
func hubKeys(t *testing.T, rs []preview.Resource) (hub, operator string) {
	t.Helper()
	for _, k := range stacktest.OfType(rs, "aws:kms/key:Key") {
		if k.Inputs["enableKeyRotation"] != true {
			t.Errorf("key %s does not rotate", k.Name)
		}
		switch {
		case strings.HasSuffix(k.Name, "-operator-key"):
			operator = stacktest.Str(k.Outputs["arn"])
		case strings.HasSuffix(k.Name, "-key"):
			hub = stacktest.Str(k.Outputs["arn"])
		}
	}
	if hub == "" || operator == "" {
		t.Fatalf("the hub key or the operator key is missing")
	}
	return hub, operator
}

// TestHubEncryptsWithTwoKeys: the customers' buses, topics and webhook
// parameters and the delivery state use the hub key; the operator's topic
// has a key of its own, so failures are heard when the hub key fails.
func TestHubEncryptsWithTwoKeys(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.HubFile)
	hubKey, operatorKey := hubKeys(t, rs)
	for _, tp := range stacktest.OfType(rs, "aws:sns/topic:Topic") {
		want := hubKey
		if stacktest.Str(tp.Inputs["name"]) == names.AlarmTopic {
			want = operatorKey
		}
		if got := stacktest.Str(tp.Inputs["kmsMasterKeyId"]); got != want {
			t.Errorf("topic %s is encrypted with %s, want %s", tp.Name, got, want)
		}
	}
	for _, b := range stacktest.OfType(rs, "aws:cloudwatch/eventBus:EventBus") {
		if stacktest.Str(b.Inputs["kmsKeyIdentifier"]) != hubKey {
			t.Errorf("bus %s is not encrypted with the hub key", b.Name)
		}
	}
	for _, p := range stacktest.OfType(rs, "aws:ssm/parameter:Parameter") {
		if stacktest.Str(p.Inputs["keyId"]) != hubKey || p.Inputs["type"] != "SecureString" {
			t.Errorf("parameter %s: %v %v", p.Name, p.Inputs["type"], p.Inputs["keyId"])
		}
	}
	table := stacktest.One(t, rs, "aws:dynamodb/table:Table")
	sse, _ := table.Inputs["serverSideEncryption"].(map[string]any)
	if stacktest.Str(sse["kmsKeyArn"]) != hubKey {
		t.Errorf("the state table is not encrypted with the hub key: %v", sse)
	}
	archives := 0
	for _, a := range stacktest.OfType(rs, "aws:cloudcontrol/resource:Resource") {
		var state struct{ ArchiveName, KmsKeyIdentifier, SourceArn string }
		if stacktest.Str(a.Inputs["typeName"]) != "AWS::Events::Archive" || json.Unmarshal([]byte(stacktest.Str(a.Inputs["desiredState"])), &state) != nil {
			continue
		}
		archives++
		if state.KmsKeyIdentifier != hubKey || !strings.HasSuffix(state.SourceArn, "event-bus/"+state.ArchiveName) {
			t.Errorf("archive %s: key %s, source %s", state.ArchiveName, state.KmsKeyIdentifier, state.SourceArn)
		}
	}
	if archives != 2 {
		t.Errorf("%d archives, want one per customer", archives)
	}
	for _, q := range stacktest.OfType(rs, "aws:sqs/queue:Queue") {
		// What the queues hold is what failed, the hub key's failures
		// among them: they must not depend on it.
		if q.Inputs["sqsManagedSseEnabled"] != true || q.Inputs["kmsMasterKeyId"] != nil {
			t.Errorf("queue %s is not SQS-encrypted", q.Name)
		}
	}
}

func TestHubBusesAdmitOnlyTheirCustomers(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.HubFile)
	admitted := map[string][]string{"secalerts-acme": {"111111111111", "222222222222"}, "secalerts-globex": {"333333333333"}}
	dlq := stacktest.Named(rs, "aws:sqs/queue:Queue", names.BusDLQ)
	if len(dlq) != 1 {
		t.Fatalf("no bus dead-letter queue")
	}
	for _, b := range stacktest.OfType(rs, "aws:cloudwatch/eventBus:EventBus") {
		name := stacktest.Str(b.Inputs["name"])
		if dl, _ := b.Inputs["deadLetterConfig"].(map[string]any); dl["arn"] != dlq[0].Outputs["arn"] {
			t.Errorf("bus %s dead-letters to %v", name, dl)
		}
		var policies []preview.Resource
		for _, p := range stacktest.OfType(rs, "aws:cloudwatch/eventBusPolicy:EventBusPolicy") {
			if stacktest.Str(p.Inputs["eventBusName"]) == name {
				policies = append(policies, p)
			}
		}
		if len(policies) != 1 {
			t.Fatalf("bus %s has %d policies", name, len(policies))
		}
		d := doc(t, policies[0].Inputs["policy"])
		arn := "arn:aws:events:us-east-1:999999999999:event-bus/" + name
		putAs := func(role, account, action, resource, org string) bool {
			return policy.Allowed(d, policy.Request{
				Principal: policy.Caller{AWS: role, Account: account, OrgID: org}, Action: action, Resource: resource,
				IdentityPolicies: []policy.Document{{Version: policy.Version, Statement: []policy.Statement{{Effect: policy.Allow, Action: []string{"events:*"}, Resource: []string{"*"}}}}},
			})
		}
		put := func(account, action, resource, org string) bool {
			return putAs(fmt.Sprintf("arn:aws:iam::%s:role/secalerts-forward", account), account, action, resource, org)
		}
		for _, a := range admitted[name] {
			// Only the forwarding role: not the account's root, not an
			// administrator with events:* on everything.
			for _, other := range []string{"arn:aws:iam::" + a + ":root", "arn:aws:iam::" + a + ":role/Admin"} {
				if putAs(other, a, "events:PutEvents", arn, "") {
					t.Errorf("bus %s admits %s", name, other)
				}
			}
			if !put(a, "events:PutEvents", arn, "") {
				t.Errorf("bus %s does not admit its account %s", name, a)
			}
			if put(a, "events:PutRule", arn, "") {
				t.Errorf("bus %s lets %s do more than PutEvents", name, a)
			}
		}
		if put(stranger, "events:PutEvents", arn, "") {
			t.Errorf("bus %s admits a stranger", name)
		}
		for other, accounts := range admitted {
			if other != name && put(accounts[0], "events:PutEvents", arn, "") {
				t.Errorf("bus %s admits %s of customer %s", name, accounts[0], other)
			}
		}
		if want := name == "secalerts-globex"; put(stranger, "events:PutEvents", arn, "o-exampleorg1") != want {
			t.Errorf("bus %s: an account of organization o-exampleorg1 admitted = %v, want %v", name, !want, want)
		}
	}
}

// TestHubDeliversThroughOneFunction: every bus has one rule, whose target
// is the delivery function with a retry budget and the dead-letter queue;
// one permission lets every secalerts rule of the hub invoke it; the
// function runs the archive the program built, with this hub's plan.
func TestHubDeliversThroughOneFunction(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.HubFile)
	fn := stacktest.One(t, rs, "aws:lambda/function:Function")
	fnARN := stacktest.Str(fn.Outputs["arn"])
	if fn.Inputs["runtime"] != "provided.al2023" || fmt.Sprint(fn.Inputs["architectures"]) != "[arm64]" || fn.Inputs["handler"] != "bootstrap" {
		t.Errorf("function %v %v %v", fn.Inputs["runtime"], fn.Inputs["architectures"], fn.Inputs["handler"])
	}
	dlq := stacktest.Str(stacktest.Named(rs, "aws:sqs/queue:Queue", names.BusDLQ)[0].Outputs["arn"])
	for _, bus := range []string{"secalerts-acme", "secalerts-globex"} {
		var rules, targets []preview.Resource
		for _, r := range stacktest.OfType(rs, "aws:cloudwatch/eventRule:EventRule") {
			if stacktest.Str(r.Inputs["eventBusName"]) == bus {
				rules = append(rules, r)
			}
		}
		for _, tg := range stacktest.OfType(rs, "aws:cloudwatch/eventTarget:EventTarget") {
			if stacktest.Str(tg.Inputs["eventBusName"]) == bus {
				targets = append(targets, tg)
			}
		}
		if len(rules) != 1 || len(targets) != 1 {
			t.Fatalf("bus %s: %d rules, %d targets, want 1 and 1", bus, len(rules), len(targets))
		}
		tg := targets[0]
		if stacktest.Str(tg.Inputs["arn"]) != fnARN {
			t.Errorf("bus %s delivers to %v", bus, tg.Inputs["arn"])
		}
		if d, _ := tg.Inputs["deadLetterConfig"].(map[string]any); stacktest.Str(d["arn"]) != dlq {
			t.Errorf("bus %s target dead-letters to %v", bus, d)
		}
		retry, _ := tg.Inputs["retryPolicy"].(map[string]any)
		if retry["maximumRetryAttempts"] != float64(185) || retry["maximumEventAgeInSeconds"] != float64(86400) {
			t.Errorf("bus %s: retry policy %v", bus, retry)
		}
		it, _ := tg.Inputs["inputTransformer"].(map[string]any)
		if !strings.Contains(stacktest.Str(it["inputTemplate"]), `"customer":"`+strings.TrimPrefix(bus, names.Prefix)+`"`) {
			t.Errorf("bus %s target input %v", bus, it)
		}
	}
	perm := stacktest.One(t, rs, "aws:lambda/permission:Permission")
	if perm.Inputs["principal"] != "events.amazonaws.com" || perm.Inputs["sourceAccount"] != hubAccount ||
		perm.Inputs["sourceArn"] != "arn:aws:events:us-east-1:999999999999:rule/secalerts-*" {
		t.Errorf("permission %v", perm.Inputs)
	}
	retries := stacktest.One(t, rs, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
	dc, _ := retries.Inputs["destinationConfig"].(map[string]any)
	onFailure, _ := dc["onFailure"].(map[string]any)
	if onFailure["destination"] != stacktest.Named(rs, "aws:sqs/queue:Queue", names.DeliveryDLQ)[0].Outputs["arn"] {
		t.Errorf("failed invocations go to %v", dc)
	}

	// The archive holds the function and this hub's plan.
	code, ok := fn.Inputs["code"].(*archive.Archive)
	if !ok || !strings.HasSuffix(code.Path, ".zip") {
		t.Fatalf("the function's code is %#v, not a zip file", fn.Inputs["code"])
	}
	z, err := zip.OpenReader(code.Path)
	if err != nil {
		t.Fatalf("opening the function's archive: %v", err)
	}
	defer z.Close()
	files := map[string]*zip.File{}
	for _, f := range z.File {
		files[f.Name] = f
	}
	if b := files["bootstrap"]; b == nil || b.Mode()&0o111 == 0 {
		t.Error("no executable bootstrap in the archive")
	}
	f, err := files["plan.json"].Open()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(f)
	cfg, err := engine.ParseConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Customers) != 2 || cfg.Hub.Account != hubAccount {
		t.Errorf("the archive's plan: %+v", cfg)
	}
	if strings.Contains(string(data), preview.SecretPlaceholder) || strings.Contains(string(data), "https://") {
		t.Error("the archive's plan holds a webhook URL")
	}
}

// TestHubChatbotInItsRegion: Chatbot's API is not served in us-east-1, so
// the example hub's channel configurations are made in us-east-2, reading
// topics of us-east-1, with the notifications-only role and guardrail.
func TestHubChatbotInItsRegion(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.HubFile)
	configs := append(stacktest.OfType(rs, "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"),
		stacktest.OfType(rs, "aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration")...)
	if len(configs) != 3 {
		t.Fatalf("want 2 Slack and 1 Teams channel, got %d", len(configs))
	}
	guard := stacktest.One(t, rs, "aws:iam/policy:Policy")
	for _, c := range configs {
		if c.Region != "us-east-2" {
			t.Errorf("%s is made in %s", c.Name, c.Region)
		}
		topics, _ := c.Inputs["snsTopicArns"].([]any)
		if len(topics) != 1 || !strings.HasPrefix(stacktest.Str(topics[0]), "arn:aws:sns:us-east-1:999999999999:secalerts-") {
			t.Errorf("%s reads %v", c.Name, topics)
		}
		if g, _ := c.Inputs["guardrailPolicyArns"].([]any); len(g) != 1 || g[0] != guard.Outputs["arn"] {
			t.Errorf("%s guardrails %v", c.Name, g)
		}
		if c.Inputs["userAuthorizationRequired"] != true {
			t.Errorf("%s does not require user authorization", c.Name)
		}
	}
	gd := doc(t, guard.Inputs["policy"])
	for _, action := range []string{"iam:CreateUser", "s3:GetObject", "ec2:TerminateInstances", "lambda:InvokeFunction"} {
		if policy.Allowed(gd, policy.Request{Principal: policy.Caller{AWS: "arn:aws:iam::999999999999:role/secalerts-chatbot", Account: hubAccount},
			Action: action, Resource: "*", IdentityPolicies: []policy.Document{gd}}) {
			t.Errorf("the guardrail allows %s", action)
		}
	}
}

func TestHubWebhookURLStaysSecret(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.HubFile)
	params := stacktest.OfType(rs, "aws:ssm/parameter:Parameter")
	if len(params) != 1 {
		t.Fatalf("want one webhook parameter, got %d", len(params))
	}
	secret := false
	for _, k := range params[0].SecretInputs {
		secret = secret || k == "value"
	}
	if !secret {
		t.Error("the webhook URL is not a secret input")
	}
	for _, r := range rs {
		if r.Type == "aws:ssm/parameter:Parameter" {
			continue
		}
		b, _ := json.Marshal(r.Inputs)
		if strings.Contains(string(b), preview.SecretPlaceholder) {
			t.Errorf("%s %s carries the webhook URL in plain text", r.Type, r.Name)
		}
	}
}

// TestHubAlarmsReachTheOperator: every alarm notifies the operator's topic,
// which does not depend on the function or the hub key.
func TestHubAlarmsReachTheOperator(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.HubFile)
	topic := stacktest.Str(stacktest.Named(rs, "aws:sns/topic:Topic", names.AlarmTopic)[0].Outputs["arn"])
	want := map[string]bool{}
	for _, n := range []string{"errors", "throttles", "dropped", "destination-failures", "not-running"} {
		want[names.DeliveryAlarm(n)] = true
	}
	want[names.QueueDepthAlarm(names.DeliveryDLQ)] = true
	want[names.QueueDepthAlarm(names.BusDLQ)] = true
	for _, a := range stacktest.OfType(rs, "aws:cloudwatch/metricAlarm:MetricAlarm") {
		name := stacktest.Str(a.Inputs["name"])
		delete(want, name)
		if actions, _ := a.Inputs["alarmActions"].([]any); len(actions) != 1 || actions[0] != topic {
			t.Errorf("alarm %s notifies %v", name, a.Inputs["alarmActions"])
		}
	}
	if len(want) != 0 {
		t.Errorf("missing alarms %v", want)
	}
}

// TestHubResourcesPerCustomer: a customer with one Slack channel, one
// e-mail and one webhook costs 10 resources, and nothing grows with its
// accounts.
func TestHubResourcesPerCustomer(t *testing.T) {
	body := "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: hub\n  secalerts:hub:\n" +
		"    accountId: \"999999999999\"\n    region: us-east-1\n    alarmEmails: [ops@example.com]\n    customers:\n"
	for i, accounts := range []int{1, 100} {
		body += fmt.Sprintf("      - name: c%d\n        slack: [{workspaceId: T0000000001, channelId: C000000000%d}]\n", i, i) +
			"        emails: [soc@example.com]\n        webhooks: [{name: pager, url: {secure: v1:x}}]\n        accounts:\n"
		for a := range accounts {
			body += fmt.Sprintf("          - \"%012d\"\n", 100000000000+1000*i+a)
		}
	}
	rs, err := stacktest.RunStack(t, body)
	if err != nil {
		t.Fatal(err)
	}
	perCustomer := map[string]int{}
	for _, r := range rs {
		for _, c := range []string{"c0", "c1"} {
			if r.Custom && strings.Contains(r.Parent, "secalerts:index:Customer::secalerts-"+c) {
				perCustomer[c]++
			}
		}
	}
	if perCustomer["c0"] != 10 || perCustomer["c1"] != 10 {
		t.Errorf("resources per customer %v, want 10 each whatever the number of accounts", perCustomer)
	}
}
