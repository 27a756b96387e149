package stack_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"secalerts/config"
	"secalerts/eventbridge"
	"secalerts/internal/stacktest"
	"secalerts/names"
	"secalerts/plan"
	"secalerts/policy"
	"secalerts/preview"
)

const alarmTopicARN = "arn:aws:sns:us-east-1:999999999999:secalerts-alarms"

func TestMemberHeartbeatFromEveryRegion(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.MemberFile)
	role := stacktest.Str(stacktest.OfType(rs, "aws:iam/role:Role")[0].Outputs["arn"])
	rules := map[string][]preview.Resource{}
	for _, r := range stacktest.Named(rs, "aws:cloudwatch/eventRule:EventRule", names.HeartbeatRule) {
		rules[r.Region] = append(rules[r.Region], r)
	}
	targets := map[string][]preview.Resource{}
	for _, tg := range stacktest.OfType(rs, "aws:cloudwatch/eventTarget:EventTarget") {
		if stacktest.Str(tg.Inputs["rule"]) == names.HeartbeatRule {
			targets[tg.Region] = append(targets[tg.Region], tg)
		}
	}
	regions := config.DefaultRegions()
	if len(rules) != len(regions) || len(targets) != len(regions) {
		t.Errorf("heartbeat rules in %d regions, targets in %d, want %d", len(rules), len(targets), len(regions))
	}
	for _, region := range regions {
		if len(rules[region]) != 1 || len(targets[region]) != 1 {
			t.Errorf("%s: %d heartbeat rules and %d targets, want one each", region, len(rules[region]), len(targets[region]))
			continue
		}
		r, tg := rules[region][0], targets[region][0]
		if stacktest.Str(r.Inputs["scheduleExpression"]) != "rate(1 hour)" || stacktest.Str(r.Inputs["eventPattern"]) != "" || stacktest.Str(r.Inputs["eventBusName"]) != "" {
			t.Errorf("%s: heartbeat rule %v, want rate(1 hour) on the default bus", region, r.Inputs)
		}
		if stacktest.Str(tg.Inputs["arn"]) != hubBusAcme || stacktest.Str(tg.Inputs["roleArn"]) != role {
			t.Errorf("%s: heartbeat goes to %v with role %v", region, tg.Inputs["arn"], tg.Inputs["roleArn"])
		}
		// Event-bus targets take no input transformation: the event must
		// arrive as EventBridge made it.
		if tg.Inputs["input"] != nil || tg.Inputs["inputTransformer"] != nil || tg.Inputs["inputPath"] != nil {
			t.Errorf("%s: heartbeat target changes the event: %v", region, tg.Inputs)
		}
		dlqARN := fmt.Sprintf("arn:aws:sqs:%s:%s:secalerts-forward-dlq", region, memberAccount)
		if dlq, _ := tg.Inputs["deadLetterConfig"].(map[string]any); stacktest.Str(dlq["arn"]) != dlqARN {
			t.Errorf("%s: dead-letter queue %v", region, dlq)
		}
		if retry, _ := tg.Inputs["retryPolicy"].(map[string]any); retry["maximumRetryAttempts"] != float64(185) || retry["maximumEventAgeInSeconds"] != float64(86400) {
			t.Errorf("%s: retry %v", region, retry)
		}
		// The rule may use the forwarding role and its dead-letter queue.
		ruleARN := stacktest.Str(r.Outputs["arn"])
		ctx := map[string]string{"aws:SourceArn": ruleARN, "aws:SourceAccount": memberAccount, "aws:SecureTransport": "true"}
		trust := doc(t, stacktest.OfType(rs, "aws:iam/role:Role")[0].Inputs["assumeRolePolicy"])
		if !policy.Allowed(trust, policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"}, Action: "sts:AssumeRole", Context: ctx}) {
			t.Errorf("%s: the heartbeat rule %s cannot assume the forwarding role", region, ruleARN)
		}
		for _, q := range stacktest.OfType(rs, "aws:sqs/queue:Queue") {
			if q.Region == region && !policy.Allowed(doc(t, q.Inputs["policy"]), policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"},
				Action: "sqs:SendMessage", Resource: dlqARN, Context: ctx}) {
				t.Errorf("%s: the heartbeat rule cannot dead-letter into %s", region, dlqARN)
			}
		}
	}
}

func TestMemberHeartbeatSettings(t *testing.T) {
	head := "config:\n  secalerts:role: member\n  secalerts:member:\n    accountId: \"111111111111\"\n    hubEventBusArn: " + hubBusAcme + "\n    regions: [us-east-1, eu-west-1]\n"
	for _, tc := range []struct {
		name, body string
		want       []string // schedule of each heartbeat rule
	}{
		{"default", head, []string{"rate(1 hour)", "rate(1 hour)"}},
		{"every 15 minutes", head + "    heartbeat:\n      schedule: rate(15 minutes)\n", []string{"rate(15 minutes)", "rate(15 minutes)"}},
		{"off", head + "    heartbeat:\n      enabled: false\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := stacktest.RunStack(t, (tc.body))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range stacktest.Named(rs, "aws:cloudwatch/eventRule:EventRule", names.HeartbeatRule) {
				got = append(got, stacktest.Str(r.Inputs["scheduleExpression"]))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("heartbeat schedules %v, want %v", got, tc.want)
			}
		})
	}
}

// heartbeatResources counts the hub's heartbeat resources by kind.
func heartbeatResources(rs []preview.Resource) map[string]int {
	n := map[string]int{}
	for _, r := range rs {
		name := stacktest.Str(r.Inputs["name"])
		switch {
		case r.Type == "aws:lambda/function:Function", r.Type == "aws:dynamodb/table:Table",
			r.Type == "aws:lambda/permission:Permission", r.Type == "aws:cloudwatch/logGroup:LogGroup":
			n[r.Type]++
		case strings.HasPrefix(name, names.HeartbeatFunction) || name == names.HeartbeatRule:
			n[r.Type]++
		}
	}
	return n
}

func TestHubHeartbeatIsBuiltOnceNotPerAccount(t *testing.T) {
	got := heartbeatResources(stacktest.Preview(t, stacktest.HubFile))
	want := map[string]int{
		"aws:lambda/function:Function": 1, "aws:dynamodb/table:Table": 1, "aws:cloudwatch/logGroup:LogGroup": 1,
		"aws:iam/role:Role": 1, "aws:sqs/queue:Queue": 1,
		// the check on the default bus; per customer bus, the heartbeat rule
		// and the heartbeat-missing routing rule
		"aws:cloudwatch/eventRule:EventRule": 5, "aws:lambda/permission:Permission": 3,
		"aws:cloudwatch/metricAlarm:MetricAlarm": 3,
	}
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("%s: %d, want %d", typ, got[typ], n)
		}
	}
	// Three hundred more accounts change none of it.
	var accounts []string
	for i := range 300 {
		accounts = append(accounts, fmt.Sprintf("\"5%011d\"", i))
	}
	big, err := stacktest.RunStack(t, ("config:\n  secalerts:role: hub\n  secalerts:hub:\n    accountId: \"999999999999\"\n    region: us-east-1\n" +
		"    alarmEmails: [ops@example.com]\n    customers:\n      - name: acme\n        accounts: [" + strings.Join(accounts, ", ") + "]\n        emails: [a@example.com]\n" +
		"      - name: globex\n        accounts: [\"333333333333\"]\n        emails: [b@example.com]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if gotBig := heartbeatResources(big); !mapsEqual(gotBig, got) {
		t.Errorf("with 300 more accounts: %v, with the example's: %v", gotBig, got)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestHubHeartbeatFunction(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.HubFile)
	keyARN := stacktest.Str(stacktest.OfType(rs, "aws:kms/key:Key")[0].Outputs["arn"])
	table := stacktest.OfType(rs, "aws:dynamodb/table:Table")[0]
	if table.Inputs["billingMode"] != "PAY_PER_REQUEST" {
		t.Errorf("table billing %v, want on-demand", table.Inputs["billingMode"])
	}
	if sse, _ := table.Inputs["serverSideEncryption"].(map[string]any); sse["enabled"] != true || stacktest.Str(sse["kmsKeyArn"]) != keyARN {
		t.Errorf("table encryption %v, want the hub key %s", sse, keyARN)
	}
	if ttl, _ := table.Inputs["ttl"].(map[string]any); ttl["enabled"] != true || stacktest.Str(ttl["attributeName"]) != "expiresAt" {
		t.Errorf("table TTL %v", ttl)
	}
	fn := stacktest.OfType(rs, "aws:lambda/function:Function")[0]
	if fn.Inputs["runtime"] != "python3.12" || stacktest.Str(fn.Inputs["handler"]) != "heartbeat_function.handler" {
		t.Errorf("function runtime %v handler %v", fn.Inputs["runtime"], fn.Inputs["handler"])
	}
	dlqARN := "arn:aws:sqs:us-east-1:999999999999:" + names.HeartbeatDLQ
	if dlq, _ := fn.Inputs["deadLetterConfig"].(map[string]any); stacktest.Str(dlq["targetArn"]) != dlqARN {
		t.Errorf("function dead-letter queue %v", dlq)
	}
	env, _ := fn.Inputs["environment"].(map[string]any)
	vars, _ := env["variables"].(map[string]any)
	if vars["TABLE_NAME"] != names.HeartbeatTable || vars["MISSING_AFTER_HOURS"] != "3" || vars["FORGET_AFTER_DAYS"] != "8" ||
		vars["REMIND_EVERY_HOURS"] != "24" {
		t.Errorf("function environment %v", vars)
	}
	// The check runs hourly and its failures are kept.
	check := stacktest.Named(rs, "aws:cloudwatch/eventRule:EventRule", names.HeartbeatCheckRule)
	if len(check) != 1 || stacktest.Str(check[0].Inputs["scheduleExpression"]) != "rate(1 hour)" {
		t.Fatalf("check rule %v", check)
	}
	fnARN := stacktest.Str(fn.Outputs["arn"])
	perms := map[string]bool{}
	for _, p := range stacktest.OfType(rs, "aws:lambda/permission:Permission") {
		if p.Inputs["principal"] != "events.amazonaws.com" || p.Inputs["sourceAccount"] != hubAccount || p.Inputs["action"] != "lambda:InvokeFunction" {
			t.Errorf("permission %s: %v", p.Name, p.Inputs)
		}
		perms[stacktest.Str(p.Inputs["sourceArn"])] = true
	}
	for _, tg := range stacktest.OfType(rs, "aws:cloudwatch/eventTarget:EventTarget") {
		if stacktest.Str(tg.Inputs["arn"]) != fnARN {
			continue
		}
		var rule preview.Resource
		for _, r := range stacktest.Named(rs, "aws:cloudwatch/eventRule:EventRule", stacktest.Str(tg.Inputs["rule"])) {
			if stacktest.Str(r.Inputs["eventBusName"]) == stacktest.Str(tg.Inputs["eventBusName"]) {
				rule = r
			}
		}
		if !perms[stacktest.Str(rule.Outputs["arn"])] {
			t.Errorf("target %s: rule %v may not invoke the function", tg.Name, rule.Outputs["arn"])
		}
		bus := stacktest.Str(tg.Inputs["eventBusName"])
		wantDLQ := dlqARN
		if bus != "" {
			wantDLQ = "arn:aws:sqs:us-east-1:999999999999:" + bus + "-dlq"
			it, _ := tg.Inputs["inputTransformer"].(map[string]any)
			if !strings.Contains(stacktest.Str(it["inputTemplate"]), `"bus":"`+bus+`"`) {
				t.Errorf("target %s: input %v does not name bus %s", tg.Name, it, bus)
			}
		}
		if dlq, _ := tg.Inputs["deadLetterConfig"].(map[string]any); stacktest.Str(dlq["arn"]) != wantDLQ {
			t.Errorf("target %s: dead-letter queue %v, want %s", tg.Name, dlq, wantDLQ)
		}
		if retry, _ := tg.Inputs["retryPolicy"].(map[string]any); retry["maximumRetryAttempts"] != float64(185) {
			t.Errorf("target %s: retry %v", tg.Name, retry)
		}
	}
	// EventBridge may dead-letter the check into the encrypted queue.
	q := stacktest.Named(rs, "aws:sqs/queue:Queue", names.HeartbeatDLQ)[0]
	ctx := map[string]string{"aws:SourceArn": stacktest.Str(check[0].Outputs["arn"]), "aws:SourceAccount": hubAccount, "aws:SecureTransport": "true",
		"kms:EncryptionContext:aws:sqs:arn": dlqARN}
	events := policy.Caller{Service: "events.amazonaws.com"}
	if !policy.Allowed(doc(t, q.Inputs["policy"]), policy.Request{Principal: events, Action: "sqs:SendMessage", Resource: dlqARN, Context: ctx}) {
		t.Error("the check rule cannot dead-letter into its queue")
	}
	if !policy.Allowed(doc(t, stacktest.OfType(rs, "aws:kms/key:Key")[0].Inputs["policy"]), policy.Request{Principal: events, Action: "kms:GenerateDataKey", Resource: keyARN, Context: ctx}) {
		t.Error("the hub key does not let EventBridge write to the heartbeat queue")
	}
	// The watcher's own failures reach the operator.
	for _, suffix := range []string{"errors", "not-running", "dlq-depth"} {
		a := stacktest.Named(rs, "aws:cloudwatch/metricAlarm:MetricAlarm", names.HeartbeatFunction+"-"+suffix)
		if len(a) != 1 {
			t.Errorf("no alarm %s-%s", names.HeartbeatFunction, suffix)
			continue
		}
		if actions, _ := a[0].Inputs["alarmActions"].([]any); len(actions) != 1 || actions[0] != alarmTopicARN {
			t.Errorf("alarm %s notifies %v", suffix, a[0].Inputs["alarmActions"])
		}
	}
	// "Not running" watches the check rule itself: the members' heartbeats
	// invoke the function every hour whether the check runs or not.
	if a := stacktest.Named(rs, "aws:cloudwatch/metricAlarm:MetricAlarm", names.HeartbeatFunction+"-not-running"); len(a) == 1 {
		dims, _ := a[0].Inputs["dimensions"].(map[string]any)
		if a[0].Inputs["namespace"] != "AWS/Events" || len(dims) != 1 || dims["RuleName"] != names.HeartbeatCheckRule ||
			a[0].Inputs["treatMissingData"] != "breaching" {
			t.Errorf("the not-running alarm watches %v %v (missing data %v), want AWS/Events Invocations of rule %s, missing data breaching",
				a[0].Inputs["namespace"], dims, a[0].Inputs["treatMissingData"], names.HeartbeatCheckRule)
		}
	}
}

// TestHubHeartbeatSettings checks that the hub's heartbeat keys reach the
// function's environment.
func TestHubHeartbeatSettings(t *testing.T) {
	rs, err := stacktest.RunStack(t, ("config:\n  secalerts:role: hub\n  secalerts:hub:\n    accountId: \"999999999999\"\n    region: us-east-1\n" +
		"    alarmEmails: [ops@example.com]\n    heartbeat:\n      missingAfterHours: 6\n      remindEveryHours: 12\n" +
		"    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        emails: [a@example.com]\n"))
	if err != nil {
		t.Fatal(err)
	}
	fns := stacktest.OfType(rs, "aws:lambda/function:Function")
	if len(fns) != 1 {
		t.Fatalf("%d functions, want the heartbeat function", len(fns))
	}
	env, _ := fns[0].Inputs["environment"].(map[string]any)
	vars, _ := env["variables"].(map[string]any)
	if vars["MISSING_AFTER_HOURS"] != "6" || vars["REMIND_EVERY_HOURS"] != "12" {
		t.Errorf("function environment %v, want MISSING_AFTER_HOURS 6 and REMIND_EVERY_HOURS 12", vars)
	}
}

func TestHubHeartbeatRoleIsLeastPrivilege(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.HubFile)
	roles := stacktest.Named(rs, "aws:iam/role:Role", names.HeartbeatFunction)
	if len(roles) != 1 {
		t.Fatalf("%d heartbeat roles", len(roles))
	}
	r := roles[0]
	trust := doc(t, r.Inputs["assumeRolePolicy"])
	if !policy.Allowed(trust, policy.Request{Principal: policy.Caller{Service: "lambda.amazonaws.com"}, Action: "sts:AssumeRole"}) ||
		policy.Allowed(trust, policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"}, Action: "sts:AssumeRole"}) {
		t.Error("the heartbeat role is not for Lambda alone")
	}
	inline, _ := r.Inputs["inlinePolicies"].([]any)
	if len(inline) != 1 || r.Inputs["managedPolicyArns"] != nil {
		t.Fatalf("want exactly one inline policy and no managed ones: %v", r.Inputs)
	}
	d := doc(t, inline[0].(map[string]any)["policy"])
	keyARN := stacktest.Str(stacktest.OfType(rs, "aws:kms/key:Key")[0].Outputs["arn"])
	fn := policy.Caller{AWS: stacktest.Str(r.Outputs["arn"]), Account: hubAccount}
	for _, tc := range []struct {
		action, resource string
		ctx              map[string]string
		want             bool
	}{
		{"dynamodb:UpdateItem", "arn:aws:dynamodb:us-east-1:999999999999:table/" + names.HeartbeatTable, nil, true},
		{"dynamodb:Scan", "arn:aws:dynamodb:us-east-1:999999999999:table/" + names.HeartbeatTable, nil, true},
		{"dynamodb:DeleteTable", "arn:aws:dynamodb:us-east-1:999999999999:table/" + names.HeartbeatTable, nil, false},
		{"events:PutEvents", hubBusAcme, nil, true},
		{"events:PutEvents", "arn:aws:events:us-east-1:999999999999:event-bus/secalerts-globex", nil, true},
		{"events:PutEvents", "arn:aws:events:us-east-1:999999999999:event-bus/default", nil, false},
		{"sns:Publish", alarmTopicARN, nil, false},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:999999999999:" + names.HeartbeatDLQ, nil, true},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:999999999999:secalerts-acme-dlq", nil, false},
		{"kms:Decrypt", keyARN, map[string]string{"kms:ViaService": "dynamodb.us-east-1.amazonaws.com"}, true},
		{"kms:Decrypt", keyARN, nil, false},
		{"iam:PassRole", "*", nil, false},
	} {
		if got := policy.Allowed(d, policy.Request{Principal: fn, Action: tc.action, Resource: tc.resource, Context: tc.ctx}); got != tc.want {
			t.Errorf("%s on %s: %v, want %v", tc.action, tc.resource, got, tc.want)
		}
	}
}

// TestMissingHeartbeatReachesCustomerAndOperator follows a report the
// function puts on acme's bus through the deployed rules.
func TestMissingHeartbeatReachesCustomerAndOperator(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.HubFile)
	event, err := os.ReadFile("../testdata/events/heartbeat-missing/HIGH--one-region-silent.json")
	if err != nil {
		t.Fatal(err)
	}
	var forged map[string]any
	if err := json.Unmarshal(event, &forged); err != nil {
		t.Fatal(err)
	}
	forged["account"] = memberAccount
	forgedEvent, _ := json.Marshal(forged)

	topics := map[string]string{} // ARN -> name
	for _, tp := range stacktest.OfType(rs, "aws:sns/topic:Topic") {
		topics[stacktest.Str(tp.Outputs["arn"])] = stacktest.Str(tp.Inputs["name"])
	}
	var got []string
	for _, r := range stacktest.OfType(rs, "aws:cloudwatch/eventRule:EventRule") {
		if stacktest.Str(r.Inputs["eventBusName"]) != names.Bus("acme") {
			continue
		}
		pattern := []byte(stacktest.Str(r.Inputs["eventPattern"]))
		ok, err := eventbridge.MatchPattern(pattern, event)
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := eventbridge.MatchPattern(pattern, forgedEvent); f {
			t.Errorf("rule %s takes a report a member forged", stacktest.Str(r.Inputs["name"]))
		}
		if !ok {
			continue
		}
		tags, _ := r.Inputs["tags"].(map[string]any)
		if tags[plan.TagDetector] != "heartbeat-missing" || tags[plan.TagSeverity] != "HIGH" {
			t.Errorf("rule %s (%v) matches the report", stacktest.Str(r.Inputs["name"]), tags)
		}
		for _, tg := range stacktest.OfType(rs, "aws:cloudwatch/eventTarget:EventTarget") {
			if stacktest.Str(tg.Inputs["rule"]) == stacktest.Str(r.Inputs["name"]) && stacktest.Str(tg.Inputs["eventBusName"]) == names.Bus("acme") {
				got = append(got, topics[stacktest.Str(tg.Inputs["arn"])])
			}
		}
	}
	slices.Sort(got)
	// acme's Slack channels take HIGH; its e-mail and webhook only
	// CRITICAL; the operator's alarm topic (secops@example.com) always.
	if want := []string{"secalerts-acme-chat-high", "secalerts-acme-chat-medium", names.AlarmTopic}; !slices.Equal(got, want) {
		t.Errorf("report delivered to %v, want %v", got, want)
	}
	subscribed := false
	for _, s := range stacktest.OfType(rs, "aws:sns/topicSubscription:TopicSubscription") {
		subscribed = subscribed || (stacktest.Str(s.Inputs["topic"]) == alarmTopicARN && s.Inputs["endpoint"] == "secops@example.com")
	}
	if !subscribed {
		t.Error("the alarm topic does not reach secalerts:hub.alarmEmails")
	}
}
