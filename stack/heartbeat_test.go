package stack

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"secalerts/components/hubaccount"
	"secalerts/config"
	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/policy"
	"secalerts/preview"
	"secalerts/routing"
)

const alarmTopicARN = "arn:aws:sns:us-east-1:999999999999:secalerts-alarms"

func named(rs []preview.Resource, typ, name string) []preview.Resource {
	var out []preview.Resource
	for _, r := range ofType(rs, typ) {
		if str(r.Inputs["name"]) == name {
			out = append(out, r)
		}
	}
	return out
}

func TestMemberHeartbeatFromEveryRegion(t *testing.T) {
	rs := member(t)
	role := str(ofType(rs, "aws:iam/role:Role")[0].Outputs["arn"])
	rules := map[string][]preview.Resource{}
	for _, r := range named(rs, "aws:cloudwatch/eventRule:EventRule", detectors.HeartbeatRuleName) {
		rules[r.Region] = append(rules[r.Region], r)
	}
	targets := map[string][]preview.Resource{}
	for _, tg := range ofType(rs, "aws:cloudwatch/eventTarget:EventTarget") {
		if str(tg.Inputs["rule"]) == detectors.HeartbeatRuleName {
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
		if str(r.Inputs["scheduleExpression"]) != "rate(1 hour)" || str(r.Inputs["eventPattern"]) != "" || str(r.Inputs["eventBusName"]) != "" {
			t.Errorf("%s: heartbeat rule %v, want rate(1 hour) on the default bus", region, r.Inputs)
		}
		if str(tg.Inputs["arn"]) != hubBusAcme || str(tg.Inputs["roleArn"]) != role {
			t.Errorf("%s: heartbeat goes to %v with role %v", region, tg.Inputs["arn"], tg.Inputs["roleArn"])
		}
		// Event-bus targets take no input transformation: the event must
		// arrive as EventBridge made it.
		if tg.Inputs["input"] != nil || tg.Inputs["inputTransformer"] != nil || tg.Inputs["inputPath"] != nil {
			t.Errorf("%s: heartbeat target changes the event: %v", region, tg.Inputs)
		}
		dlqARN := fmt.Sprintf("arn:aws:sqs:%s:%s:secalerts-forward-dlq", region, memberAccount)
		if dlq, _ := tg.Inputs["deadLetterConfig"].(map[string]any); str(dlq["arn"]) != dlqARN {
			t.Errorf("%s: dead-letter queue %v", region, dlq)
		}
		if retry, _ := tg.Inputs["retryPolicy"].(map[string]any); retry["maximumRetryAttempts"] != float64(185) || retry["maximumEventAgeInSeconds"] != float64(86400) {
			t.Errorf("%s: retry %v", region, retry)
		}
		// The rule may use the forwarding role and its dead-letter queue.
		ruleARN := str(r.Outputs["arn"])
		ctx := map[string]string{"aws:SourceArn": ruleARN, "aws:SourceAccount": memberAccount, "aws:SecureTransport": "true"}
		trust := doc(t, ofType(rs, "aws:iam/role:Role")[0].Inputs["assumeRolePolicy"])
		if !policy.Allowed(trust, policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"}, Action: "sts:AssumeRole", Context: ctx}) {
			t.Errorf("%s: the heartbeat rule %s cannot assume the forwarding role", region, ruleARN)
		}
		for _, q := range ofType(rs, "aws:sqs/queue:Queue") {
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
			rs, err := run(t, writeStack(t, tc.body))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range named(rs, "aws:cloudwatch/eventRule:EventRule", detectors.HeartbeatRuleName) {
				got = append(got, str(r.Inputs["scheduleExpression"]))
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
		name := str(r.Inputs["name"])
		switch {
		case r.Type == "aws:lambda/function:Function", r.Type == "aws:dynamodb/table:Table",
			r.Type == "aws:lambda/permission:Permission", r.Type == "aws:cloudwatch/logGroup:LogGroup":
			n[r.Type]++
		case strings.HasPrefix(name, hubaccount.HeartbeatFunctionName) || name == detectors.HeartbeatRuleName:
			n[r.Type]++
		}
	}
	return n
}

func TestHubHeartbeatIsBuiltOnceNotPerAccount(t *testing.T) {
	got := heartbeatResources(hub(t))
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
	big, err := run(t, writeStack(t, "config:\n  secalerts:role: hub\n  secalerts:hub:\n    accountId: \"999999999999\"\n    region: us-east-1\n"+
		"    alarmEmails: [ops@example.com]\n    customers:\n      - name: acme\n        accounts: ["+strings.Join(accounts, ", ")+"]\n        emails: [a@example.com]\n"+
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
	rs := hub(t)
	keyARN := str(ofType(rs, "aws:kms/key:Key")[0].Outputs["arn"])
	table := ofType(rs, "aws:dynamodb/table:Table")[0]
	if table.Inputs["billingMode"] != "PAY_PER_REQUEST" {
		t.Errorf("table billing %v, want on-demand", table.Inputs["billingMode"])
	}
	if sse, _ := table.Inputs["serverSideEncryption"].(map[string]any); sse["enabled"] != true || str(sse["kmsKeyArn"]) != keyARN {
		t.Errorf("table encryption %v, want the hub key %s", sse, keyARN)
	}
	if ttl, _ := table.Inputs["ttl"].(map[string]any); ttl["enabled"] != true || str(ttl["attributeName"]) != "expiresAt" {
		t.Errorf("table TTL %v", ttl)
	}
	fn := ofType(rs, "aws:lambda/function:Function")[0]
	if fn.Inputs["runtime"] != "python3.12" || str(fn.Inputs["handler"]) != "heartbeat_function.handler" {
		t.Errorf("function runtime %v handler %v", fn.Inputs["runtime"], fn.Inputs["handler"])
	}
	dlqARN := "arn:aws:sqs:us-east-1:999999999999:" + hubaccount.HeartbeatDLQName
	if dlq, _ := fn.Inputs["deadLetterConfig"].(map[string]any); str(dlq["targetArn"]) != dlqARN {
		t.Errorf("function dead-letter queue %v", dlq)
	}
	env, _ := fn.Inputs["environment"].(map[string]any)
	vars, _ := env["variables"].(map[string]any)
	if vars["TABLE_NAME"] != hubaccount.HeartbeatTableName || vars["MISSING_AFTER_HOURS"] != "3" || vars["FORGET_AFTER_DAYS"] != "8" ||
		vars["REMIND_EVERY_HOURS"] != "24" {
		t.Errorf("function environment %v", vars)
	}
	// The check runs hourly and its failures are kept.
	check := named(rs, "aws:cloudwatch/eventRule:EventRule", hubaccount.HeartbeatCheckRuleName)
	if len(check) != 1 || str(check[0].Inputs["scheduleExpression"]) != "rate(1 hour)" {
		t.Fatalf("check rule %v", check)
	}
	fnARN := str(fn.Outputs["arn"])
	perms := map[string]bool{}
	for _, p := range ofType(rs, "aws:lambda/permission:Permission") {
		if p.Inputs["principal"] != "events.amazonaws.com" || p.Inputs["sourceAccount"] != hubAccount || p.Inputs["action"] != "lambda:InvokeFunction" {
			t.Errorf("permission %s: %v", p.Name, p.Inputs)
		}
		perms[str(p.Inputs["sourceArn"])] = true
	}
	for _, tg := range ofType(rs, "aws:cloudwatch/eventTarget:EventTarget") {
		if str(tg.Inputs["arn"]) != fnARN {
			continue
		}
		var rule preview.Resource
		for _, r := range named(rs, "aws:cloudwatch/eventRule:EventRule", str(tg.Inputs["rule"])) {
			if str(r.Inputs["eventBusName"]) == str(tg.Inputs["eventBusName"]) {
				rule = r
			}
		}
		if !perms[str(rule.Outputs["arn"])] {
			t.Errorf("target %s: rule %v may not invoke the function", tg.Name, rule.Outputs["arn"])
		}
		bus := str(tg.Inputs["eventBusName"])
		wantDLQ := dlqARN
		if bus != "" {
			wantDLQ = "arn:aws:sqs:us-east-1:999999999999:" + bus + "-dlq"
			it, _ := tg.Inputs["inputTransformer"].(map[string]any)
			if !strings.Contains(str(it["inputTemplate"]), `"bus":"`+bus+`"`) {
				t.Errorf("target %s: input %v does not name bus %s", tg.Name, it, bus)
			}
		}
		if dlq, _ := tg.Inputs["deadLetterConfig"].(map[string]any); str(dlq["arn"]) != wantDLQ {
			t.Errorf("target %s: dead-letter queue %v, want %s", tg.Name, dlq, wantDLQ)
		}
		if retry, _ := tg.Inputs["retryPolicy"].(map[string]any); retry["maximumRetryAttempts"] != float64(185) {
			t.Errorf("target %s: retry %v", tg.Name, retry)
		}
	}
	// EventBridge may dead-letter the check into the encrypted queue.
	q := named(rs, "aws:sqs/queue:Queue", hubaccount.HeartbeatDLQName)[0]
	ctx := map[string]string{"aws:SourceArn": str(check[0].Outputs["arn"]), "aws:SourceAccount": hubAccount, "aws:SecureTransport": "true",
		"kms:EncryptionContext:aws:sqs:arn": dlqARN}
	events := policy.Caller{Service: "events.amazonaws.com"}
	if !policy.Allowed(doc(t, q.Inputs["policy"]), policy.Request{Principal: events, Action: "sqs:SendMessage", Resource: dlqARN, Context: ctx}) {
		t.Error("the check rule cannot dead-letter into its queue")
	}
	if !policy.Allowed(doc(t, ofType(rs, "aws:kms/key:Key")[0].Inputs["policy"]), policy.Request{Principal: events, Action: "kms:GenerateDataKey", Resource: keyARN, Context: ctx}) {
		t.Error("the hub key does not let EventBridge write to the heartbeat queue")
	}
	// The watcher's own failures reach the operator.
	for _, suffix := range []string{"errors", "not-running", "dlq-depth"} {
		a := named(rs, "aws:cloudwatch/metricAlarm:MetricAlarm", hubaccount.HeartbeatFunctionName+"-"+suffix)
		if len(a) != 1 {
			t.Errorf("no alarm %s-%s", hubaccount.HeartbeatFunctionName, suffix)
			continue
		}
		if actions, _ := a[0].Inputs["alarmActions"].([]any); len(actions) != 1 || actions[0] != alarmTopicARN {
			t.Errorf("alarm %s notifies %v", suffix, a[0].Inputs["alarmActions"])
		}
	}
	// "Not running" watches the check rule itself: the members' heartbeats
	// invoke the function every hour whether the check runs or not.
	if a := named(rs, "aws:cloudwatch/metricAlarm:MetricAlarm", hubaccount.HeartbeatFunctionName+"-not-running"); len(a) == 1 {
		dims, _ := a[0].Inputs["dimensions"].(map[string]any)
		if a[0].Inputs["namespace"] != "AWS/Events" || len(dims) != 1 || dims["RuleName"] != hubaccount.HeartbeatCheckRuleName ||
			a[0].Inputs["treatMissingData"] != "breaching" {
			t.Errorf("the not-running alarm watches %v %v (missing data %v), want AWS/Events Invocations of rule %s, missing data breaching",
				a[0].Inputs["namespace"], dims, a[0].Inputs["treatMissingData"], hubaccount.HeartbeatCheckRuleName)
		}
	}
}

// TestHubHeartbeatSettings checks that the hub's heartbeat keys reach the
// function's environment.
func TestHubHeartbeatSettings(t *testing.T) {
	rs, err := run(t, writeStack(t, "config:\n  secalerts:role: hub\n  secalerts:hub:\n    accountId: \"999999999999\"\n    region: us-east-1\n"+
		"    alarmEmails: [ops@example.com]\n    heartbeat:\n      missingAfterHours: 6\n      remindEveryHours: 12\n"+
		"    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        emails: [a@example.com]\n"))
	if err != nil {
		t.Fatal(err)
	}
	fns := ofType(rs, "aws:lambda/function:Function")
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
	rs := hub(t)
	roles := named(rs, "aws:iam/role:Role", hubaccount.HeartbeatFunctionName)
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
	keyARN := str(ofType(rs, "aws:kms/key:Key")[0].Outputs["arn"])
	fn := policy.Caller{AWS: str(r.Outputs["arn"]), Account: hubAccount}
	for _, tc := range []struct {
		action, resource string
		ctx              map[string]string
		want             bool
	}{
		{"dynamodb:UpdateItem", "arn:aws:dynamodb:us-east-1:999999999999:table/" + hubaccount.HeartbeatTableName, nil, true},
		{"dynamodb:Scan", "arn:aws:dynamodb:us-east-1:999999999999:table/" + hubaccount.HeartbeatTableName, nil, true},
		{"dynamodb:DeleteTable", "arn:aws:dynamodb:us-east-1:999999999999:table/" + hubaccount.HeartbeatTableName, nil, false},
		{"events:PutEvents", hubBusAcme, nil, true},
		{"events:PutEvents", "arn:aws:events:us-east-1:999999999999:event-bus/secalerts-globex", nil, true},
		{"events:PutEvents", "arn:aws:events:us-east-1:999999999999:event-bus/default", nil, false},
		{"sns:Publish", alarmTopicARN, nil, false},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:999999999999:" + hubaccount.HeartbeatDLQName, nil, true},
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
	rs := hub(t)
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
	for _, tp := range ofType(rs, "aws:sns/topic:Topic") {
		topics[str(tp.Outputs["arn"])] = str(tp.Inputs["name"])
	}
	var got []string
	for _, r := range ofType(rs, "aws:cloudwatch/eventRule:EventRule") {
		if str(r.Inputs["eventBusName"]) != routing.BusName("acme") {
			continue
		}
		pattern := []byte(str(r.Inputs["eventPattern"]))
		ok, err := eventbridge.MatchPattern(pattern, event)
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := eventbridge.MatchPattern(pattern, forgedEvent); f {
			t.Errorf("rule %s takes a report a member forged", str(r.Inputs["name"]))
		}
		if !ok {
			continue
		}
		tags, _ := r.Inputs["tags"].(map[string]any)
		if tags[routing.TagDetector] != "heartbeat-missing" || tags[routing.TagSeverity] != "HIGH" {
			t.Errorf("rule %s (%v) matches the report", str(r.Inputs["name"]), tags)
		}
		for _, tg := range ofType(rs, "aws:cloudwatch/eventTarget:EventTarget") {
			if str(tg.Inputs["rule"]) == str(r.Inputs["name"]) && str(tg.Inputs["eventBusName"]) == routing.BusName("acme") {
				got = append(got, topics[str(tg.Inputs["arn"])])
			}
		}
	}
	slices.Sort(got)
	// acme's Slack channels take HIGH; its e-mail and webhook only
	// CRITICAL; the operator's alarm topic (secops@example.com) always.
	if want := []string{"secalerts-acme-chat-high", "secalerts-acme-chat-medium", routing.AlarmTopicName}; !slices.Equal(got, want) {
		t.Errorf("report delivered to %v, want %v", got, want)
	}
	subscribed := false
	for _, s := range ofType(rs, "aws:sns/topicSubscription:TopicSubscription") {
		subscribed = subscribed || (str(s.Inputs["topic"]) == alarmTopicARN && s.Inputs["endpoint"] == "secops@example.com")
	}
	if !subscribed {
		t.Error("the alarm topic does not reach secalerts:hub.alarmEmails")
	}
}
