package stack_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/internal/stacktest"
	"secalerts/names"
	"secalerts/plan"
	"secalerts/policy"
	"secalerts/preview"
)

// The hub's watch over itself, tested on the example hub (Pulumi.hub.yaml,
// us-east-1, with its deployerPrincipals) and on the same hub moved to
// eu-west-1, where the IAM rule must be relayed from us-east-1.
//
// testdata/hub-events holds CloudTrail events of the hub account written
// from the shapes AWS documents for each call (the KMS Developer Guide's
// CloudTrail examples, the CloudTrail userIdentity element, each service's
// API Reference for requestParameters). Their names say what must happen:
// <watch>--x.json is reported by exactly the watch rule of that name
// (detectors.Watch*), none--x.json by no rule (a deployer's call, another
// resource, a read), iam-relayed--x.json only by a hub that relays.

// The key ARNs the samples name.
const (
	sampleHubKey      = "arn:aws:kms:us-east-1:999999999999:key/0a1b2c3d-1111-4aaa-8bbb-000000000001"
	sampleOperatorKey = "arn:aws:kms:us-east-1:999999999999:key/0a1b2c3d-2222-4aaa-8bbb-000000000002"
)

// watchRule is a rule of the watch with its pattern compiled.
type watchRule struct {
	plan.WatchRule
	matcher *eventbridge.Matcher
}

func compileWatch(t *testing.T, p *plan.Hub) []watchRule {
	t.Helper()
	var out []watchRule
	for _, r := range p.SelfWatch.Rules {
		pattern, err := r.Pattern(sampleHubKey, sampleOperatorKey)
		if err != nil {
			t.Fatal(err)
		}
		if err := eventbridge.ValidatePattern([]byte(pattern)); err != nil {
			t.Fatalf("%s in %s: %v", r.Name, r.Region, err)
		}
		m := eventbridge.NewMatcher()
		if err := m.Add(r.Name, []byte(pattern)); err != nil {
			t.Fatal(err)
		}
		out = append(out, watchRule{WatchRule: r, matcher: m})
	}
	return out
}

// matches lists the rules of region that event matches.
func matches(t *testing.T, rules []watchRule, region string, event []byte) []plan.WatchRule {
	t.Helper()
	var out []plan.WatchRule
	for _, r := range rules {
		if r.Region != region {
			continue
		}
		ids, err := r.matcher.Match(event)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) > 0 {
			out = append(out, r.WatchRule)
		}
	}
	return out
}

func ruleNames(rs []plan.WatchRule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

// hubEvent is one sample of testdata/hub-events.
type hubEvent struct {
	file, want string
	event      []byte
}

func hubEvents(t *testing.T) []hubEvent {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(stacktest.Root(t), "testdata", "hub-events", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no hub events: %v", err)
	}
	var out []hubEvent
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, _, ok := strings.Cut(filepath.Base(f), "--")
		if !ok {
			t.Fatalf("%s: name must be <watch>--<what>.json or none--<what>.json", f)
		}
		out = append(out, hubEvent{file: filepath.Base(f), want: want, event: data})
	}
	return out
}

// TestHubWatchSamples: every attack step is reported by exactly one watch
// rule, the one its file names, which publishes it to the operator's topic;
// the deployers' calls, reads and look-alikes on other names by none; and
// every watch rule has a step to report.
func TestHubWatchSamples(t *testing.T) {
	hub := stacktest.HubPlan(t, stacktest.Path(t, stacktest.HubFile))
	if hub.SelfWatch.Relay != nil {
		t.Fatal("the example hub is in us-east-1 and relays nothing")
	}
	rules := compileWatch(t, hub)
	reported := map[string]int{}
	nones := 0
	for _, s := range hubEvents(t) {
		got := matches(t, rules, hub.Account.Region, s.event)
		want := s.want
		if want == "iam-relayed" {
			want = "none"
		}
		if want == "none" {
			nones++
			if len(got) != 0 {
				t.Errorf("%s: reported by %v, want no rule", s.file, ruleNames(got))
			}
			continue
		}
		if len(got) != 1 || got[0].Name != names.WatchRule(want) {
			t.Errorf("%s: reported by %v, want exactly %s", s.file, ruleNames(got), names.WatchRule(want))
			continue
		}
		if got[0].Target != hub.AlarmTopic.ARN || got[0].Relays {
			t.Errorf("%s: %s sends to %s, want the operator's topic", s.file, got[0].Name, got[0].Target)
		}
		reported[got[0].Name]++
	}
	for _, r := range hub.SelfWatch.Rules {
		if reported[r.Name] == 0 {
			t.Errorf("no sample is reported by %s", r.Name)
		}
	}
	if nones < 10 {
		t.Errorf("only %d samples that must not be reported", nones)
	}
}

// relocated is the example hub stack file moved to region.
func relocated(t *testing.T, region string) string {
	t.Helper()
	body, err := os.ReadFile(stacktest.Path(t, stacktest.HubFile))
	if err != nil {
		t.Fatal(err)
	}
	moved := strings.Replace(string(body), "region: us-east-1", "region: "+region, 1)
	if moved == string(body) {
		t.Fatal("the example hub names no region: us-east-1")
	}
	return stacktest.StackFile(t, "hub", moved)
}

// TestHubWatchRelaysIAMToTheHubRegion: IAM records only in us-east-1, and
// EventBridge cannot publish to a topic of another region, so a hub in
// eu-west-1 has its IAM rule in us-east-1 send to eu-west-1's default bus,
// where the rule of the same name publishes: every IAM step takes exactly
// those two hops, and nothing else is relayed.
func TestHubWatchRelaysIAMToTheHubRegion(t *testing.T) {
	hub := stacktest.HubPlan(t, relocated(t, "eu-west-1"))
	relay := hub.SelfWatch.Relay
	if relay == nil || relay.Region != detectors.HomeRegion {
		t.Fatalf("relay %+v, want one in %s", relay, detectors.HomeRegion)
	}
	rules := compileWatch(t, hub)
	defaultBus := hub.Account.EventBusARN(names.DefaultBus)
	for _, s := range hubEvents(t) {
		first := matches(t, rules, detectors.HomeRegion, s.event)
		if s.want != "iam" && s.want != "iam-relayed" {
			if len(first) != 0 {
				t.Errorf("%s: relayed by %v", s.file, ruleNames(first))
			}
			continue
		}
		if len(first) != 1 || first[0].Name != names.WatchRule(detectors.WatchRoles) || !first[0].Relays || first[0].Target != defaultBus ||
			first[0].DLQ != relay.DLQ.ARN {
			t.Errorf("%s: first hop %+v, want the IAM rule relaying to %s", s.file, first, defaultBus)
			continue
		}
		second := matches(t, rules, hub.Account.Region, s.event)
		if len(second) != 1 || second[0].Name != first[0].Name || second[0].Relays || second[0].Target != hub.AlarmTopic.ARN {
			t.Errorf("%s: second hop %v, want %s publishing to the topic", s.file, ruleNames(second), first[0].Name)
		}
	}
}

// watchTargets are the previewed targets of the watch rules, by rule
// resource.
func watchTargets(t *testing.T, rs []preview.Resource) map[string]preview.Resource {
	t.Helper()
	out := map[string]preview.Resource{}
	for _, tg := range stacktest.OfType(rs, "aws:cloudwatch/eventTarget:EventTarget") {
		if strings.HasPrefix(stacktest.Str(tg.Inputs["rule"]), names.WatchRule("")) {
			out[tg.Region+"/"+stacktest.Str(tg.Inputs["rule"])] = tg
		}
	}
	return out
}

// TestHubWatchInThePreview: the example hub has one rule per watch on its
// default bus, each sending the event itself to the operator's topic with
// the retry budget and the SQS-encrypted bus dead-letter queue, whose depth
// alarm notifies the operator; the topic admits exactly those rules, the
// queue takes their failures, and the operator key lets EventBridge use it
// for that topic only.
func TestHubWatchInThePreview(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.HubFile)
	hub := stacktest.HubPlan(t, stacktest.Path(t, stacktest.HubFile))
	topic := stacktest.Named(rs, "aws:sns/topic:Topic", names.AlarmTopic)[0]
	topicARN := stacktest.Str(topic.Outputs["arn"])
	dlq := stacktest.Named(rs, "aws:sqs/queue:Queue", names.BusDLQ)[0]
	dlqARN := stacktest.Str(dlq.Outputs["arn"])
	hubKey, operatorKey := hubKeys(t, rs)
	targets := watchTargets(t, rs)

	var ruleARNs []string
	for _, r := range hub.SelfWatch.Rules {
		got := stacktest.Named(rs, "aws:cloudwatch/eventRule:EventRule", r.Name)
		if len(got) != 1 {
			t.Fatalf("%d rules %s, want 1", len(got), r.Name)
		}
		rule := got[0]
		ruleARNs = append(ruleARNs, stacktest.Str(rule.Outputs["arn"]))
		if rule.Region != "us-east-1" || stacktest.Str(rule.Inputs["eventBusName"]) != "" {
			t.Errorf("%s is on bus %v in %s, want the default bus of us-east-1", r.Name, rule.Inputs["eventBusName"], rule.Region)
		}
		want, err := r.Pattern(hubKey, operatorKey)
		if err != nil || stacktest.Str(rule.Inputs["eventPattern"]) != want {
			t.Errorf("%s: pattern %v, want the plan's with the previewed keys (%v)", r.Name, rule.Inputs["eventPattern"], err)
		}
		tg, ok := targets["us-east-1/"+r.Name]
		if !ok {
			t.Errorf("%s has no target", r.Name)
			continue
		}
		if stacktest.Str(tg.Inputs["arn"]) != topicARN {
			t.Errorf("%s sends to %v, want the operator's topic", r.Name, tg.Inputs["arn"])
		}
		for _, k := range []string{"input", "inputPath", "inputTransformer", "roleArn"} {
			if tg.Inputs[k] != nil {
				t.Errorf("%s target sets %s: the event itself is the message", r.Name, k)
			}
		}
		if d, _ := tg.Inputs["deadLetterConfig"].(map[string]any); stacktest.Str(d["arn"]) != dlqARN {
			t.Errorf("%s dead-letters to %v", r.Name, d)
		}
		if retry, _ := tg.Inputs["retryPolicy"].(map[string]any); retry["maximumRetryAttempts"] != float64(185) {
			t.Errorf("%s retry policy %v", r.Name, retry)
		}
	}
	if len(targets) != len(hub.SelfWatch.Rules) || len(ruleARNs) != 9 {
		t.Errorf("%d watch targets for %d rules, want one each of the 9 watches", len(targets), len(ruleARNs))
	}

	// The topic: exactly the watch rules of this account publish.
	td := doc(t, topic.Inputs["policy"])
	publish := func(source, account string) bool {
		return policy.Allowed(td, policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"}, Action: "sns:Publish", Resource: topicARN,
			Context: map[string]string{"aws:SourceArn": source, "aws:SourceAccount": account, "aws:SecureTransport": "true"}})
	}
	for _, arn := range ruleARNs {
		if !publish(arn, hubAccount) {
			t.Errorf("the operator's topic refuses %s", arn)
		}
		if publish(arn, stranger) {
			t.Errorf("the operator's topic admits %s claimed by another account", arn)
		}
	}
	others := []string{hub.Account.RuleARN("", names.TickRule), hub.Account.RuleARN("", "anything"),
		hub.Account.RuleARN(names.Bus("acme"), names.DeliverRule), hub.Account.In("eu-west-1").RuleARN("", names.WatchRule("kms"))}
	for _, arn := range others {
		if publish(arn, hubAccount) {
			t.Errorf("the operator's topic admits %s, which is not a watch rule", arn)
		}
	}

	// The queue: SQS-managed encryption, every watch rule may dead-letter,
	// and its alarm notifies the operator.
	if dlq.Inputs["sqsManagedSseEnabled"] != true || dlq.Inputs["kmsMasterKeyId"] != nil {
		t.Errorf("%s depends on a key", names.BusDLQ)
	}
	qd := doc(t, dlq.Inputs["policy"])
	for _, arn := range ruleARNs {
		if !policy.Allowed(qd, policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"}, Action: "sqs:SendMessage", Resource: dlqARN,
			Context: map[string]string{"aws:SourceArn": arn, "aws:SourceAccount": hubAccount, "aws:SecureTransport": "true"}}) {
			t.Errorf("%s refuses the failures of %s", names.BusDLQ, arn)
		}
	}
	alarm := stacktest.Named(rs, "aws:cloudwatch/metricAlarm:MetricAlarm", names.QueueDepthAlarm(names.BusDLQ))
	if len(alarm) != 1 || !slices.Contains(alarm[0].Inputs["alarmActions"].([]any), any(topicARN)) {
		t.Errorf("no depth alarm on %s notifying the operator", names.BusDLQ)
	}

	// The operator key: EventBridge may use it for the operator's topic
	// only. Its policy cannot name the rules (SNS does not pass
	// aws:SourceArn to KMS for EventBridge), which the topic does.
	key := stacktest.OfType(rs, "aws:kms/key:Key")
	var kd policy.Document
	for _, k := range key {
		if stacktest.Str(k.Outputs["arn"]) == operatorKey {
			kd = doc(t, k.Inputs["policy"])
		}
	}
	use := func(topic string) bool {
		return policy.Allowed(kd, policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"}, Action: "kms:GenerateDataKey", Resource: operatorKey,
			Context: map[string]string{"kms:EncryptionContext:aws:sns:topicArn": topic}})
	}
	if !use(topicARN) || use(hub.Account.TopicARN(names.EmailTopic("acme"))) {
		t.Errorf("operator key: EventBridge for the operator's topic %v, for a customer topic %v", use(topicARN), use(hub.Account.TopicARN(names.EmailTopic("acme"))))
	}
}

// TestHubWatchRelayInThePreview: the hub moved to eu-west-1 gets a provider
// in us-east-1, the IAM rule there sending to eu-west-1's default bus with
// the relay role, which may only put events on that bus and only be assumed
// by that rule; the relay's dead-letter queue and alarm are in us-east-1.
func TestHubWatchRelayInThePreview(t *testing.T) {
	rs, err := stacktest.Run(t, relocated(t, "eu-west-1"), stacktest.Options())
	if err != nil {
		t.Fatal(err)
	}
	providers := map[string]bool{}
	for _, r := range stacktest.OfType(rs, "pulumi:providers:aws") {
		providers[stacktest.Str(r.Inputs["region"])] = true
	}
	for _, r := range []string{"eu-west-1", "us-east-1", "us-east-2"} {
		if !providers[r] {
			t.Errorf("no provider for %s (have %v)", r, providers)
		}
	}
	iamRule := names.WatchRule(detectors.WatchRoles)
	regions := map[string]preview.Resource{}
	for _, r := range stacktest.Named(rs, "aws:cloudwatch/eventRule:EventRule", iamRule) {
		regions[r.Region] = r
	}
	if len(regions) != 2 || regions["us-east-1"].Inputs["eventPattern"] != regions["eu-west-1"].Inputs["eventPattern"] {
		t.Fatalf("%s: want the same rule in us-east-1 and eu-west-1, got %v", iamRule, regions)
	}
	for _, r := range stacktest.OfType(rs, "aws:cloudwatch/eventRule:EventRule") {
		if r.Region == "us-east-1" && stacktest.Str(r.Inputs["name"]) != iamRule {
			t.Errorf("rule %s in us-east-1: only the IAM rule is relayed", r.Name)
		}
	}
	targets := watchTargets(t, rs)
	relay := targets["us-east-1/"+iamRule]
	bus := "arn:aws:events:eu-west-1:999999999999:event-bus/default"
	role := stacktest.Named(rs, "aws:iam/role:Role", names.RelayRole)
	queue := stacktest.Named(rs, "aws:sqs/queue:Queue", names.RelayDLQ)
	if len(role) != 1 || len(queue) != 1 {
		t.Fatalf("relay role %d, relay queue %d, want one each", len(role), len(queue))
	}
	if stacktest.Str(relay.Inputs["arn"]) != bus || relay.Inputs["roleArn"] != role[0].Outputs["arn"] {
		t.Errorf("the relayed rule sends to %v with role %v", relay.Inputs["arn"], relay.Inputs["roleArn"])
	}
	if d, _ := relay.Inputs["deadLetterConfig"].(map[string]any); d["arn"] != queue[0].Outputs["arn"] || queue[0].Region != "us-east-1" {
		t.Errorf("the relayed rule dead-letters to %v, the relay queue is in %s", d, queue[0].Region)
	}
	if queue[0].Inputs["sqsManagedSseEnabled"] != true {
		t.Errorf("the relay queue depends on a key")
	}
	if mirror := targets["eu-west-1/"+iamRule]; !strings.HasSuffix(stacktest.Str(mirror.Inputs["arn"]), ":"+names.AlarmTopic) {
		t.Errorf("the IAM rule of eu-west-1 sends to %v, want the operator's topic", mirror.Inputs["arn"])
	}
	alarm := stacktest.Named(rs, "aws:cloudwatch/metricAlarm:MetricAlarm", names.QueueDepthAlarm(names.RelayDLQ))
	if len(alarm) != 1 || alarm[0].Region != "us-east-1" {
		t.Errorf("relay queue alarm %v", alarm)
	}

	relayRuleARN := "arn:aws:events:us-east-1:999999999999:rule/" + iamRule
	trust, perms := doc(t, role[0].Inputs["assumeRolePolicy"]), policy.Document{}
	if inline, _ := role[0].Inputs["inlinePolicies"].([]any); len(inline) == 1 {
		perms = doc(t, inline[0].(map[string]any)["policy"])
	}
	assume := func(rule string) bool {
		return policy.Allowed(trust, policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"}, Action: "sts:AssumeRole",
			Context: map[string]string{"aws:SourceArn": rule, "aws:SourceAccount": hubAccount}})
	}
	if !assume(relayRuleARN) || assume("arn:aws:events:us-east-1:999999999999:rule/other") {
		t.Errorf("relay role trust: the relayed rule %v, another rule %v", assume(relayRuleARN), assume("arn:aws:events:us-east-1:999999999999:rule/other"))
	}
	put := func(resource string) bool {
		return policy.Allowed(perms, policy.Request{Principal: policy.Caller{AWS: "arn:aws:iam::999999999999:role/" + names.RelayRole, Account: hubAccount},
			Action: "events:PutEvents", Resource: resource})
	}
	if !put(bus) || put("arn:aws:events:eu-west-1:999999999999:event-bus/secalerts-acme") {
		t.Errorf("relay role: PutEvents on the default bus %v, on a customer bus %v", put(bus), put("arn:aws:events:eu-west-1:999999999999:event-bus/secalerts-acme"))
	}

	// The topic of eu-west-1 admits the watch rules of eu-west-1, never the
	// relayed rule itself, which only puts events on the bus.
	topic := stacktest.Named(rs, "aws:sns/topic:Topic", names.AlarmTopic)[0]
	td := doc(t, topic.Inputs["policy"])
	publish := func(source string) bool {
		return policy.Allowed(td, policy.Request{Principal: policy.Caller{Service: "events.amazonaws.com"}, Action: "sns:Publish",
			Resource: stacktest.Str(topic.Outputs["arn"]), Context: map[string]string{"aws:SourceArn": source, "aws:SourceAccount": hubAccount}})
	}
	if !publish("arn:aws:events:eu-west-1:999999999999:rule/"+iamRule) || publish(relayRuleARN) {
		t.Errorf("topic: the IAM rule of eu-west-1 %v, the relayed rule of us-east-1 %v", publish("arn:aws:events:eu-west-1:999999999999:rule/"+iamRule), publish(relayRuleARN))
	}
}

// TestHubWatchPatternsFitWithDeployers: the example hub's deployers leave
// room in every watch pattern; the patterns are logged with their sizes.
func TestHubWatchPatternsFitWithDeployers(t *testing.T) {
	hub := stacktest.HubPlan(t, stacktest.Path(t, stacktest.HubFile))
	for _, r := range hub.SelfWatch.Rules {
		p, err := r.Pattern(sampleHubKey, sampleOperatorKey)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(p), &m); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d of %d characters", r.Name, len(p), eventbridge.MaxPatternSize)
		if !strings.Contains(p, "arn:aws:iam::999999999999:role/secalerts-deploy") {
			t.Errorf("%s does not leave the hub's deployer alone", r.Name)
		}
	}
}
