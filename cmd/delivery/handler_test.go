package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"secalerts/engine"
	"secalerts/engine/awsio"
	"secalerts/names"
	"secalerts/severity"
)

// recorder is an engine.Sender that keeps what it is given.
type recorder struct {
	mu    sync.Mutex
	sends []send
}

type send struct {
	topic, subject, parameter string
	body                      []byte
}

func (r *recorder) Publish(_ context.Context, topic, subject string, body []byte, _ map[string]int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sends = append(r.sends, send{topic: topic, subject: subject, body: body})
	return nil
}

func (r *recorder) Post(_ context.Context, parameter string, body []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sends = append(r.sends, send{parameter: parameter, body: body})
	return nil
}

const (
	account       = "111122223333"
	chatTopic     = "arn:aws:sns:eu-west-1:999999999999:secalerts-acme-chat"
	operatorTopic = "arn:aws:sns:eu-west-1:999999999999:secalerts-operator"
	webhookParam  = "/secalerts/acme/webhooks/ops"
)

func testPlan() *engine.Config {
	return &engine.Config{
		Hub:       engine.Hub{Account: "999999999999", Region: "eu-west-1", Partition: "aws", OperatorTopic: operatorTopic},
		Heartbeat: &engine.HeartbeatSettings{MissingAfterMinutes: 180, RemindEveryHours: 24, ForgetAfterDays: 8},
		Customers: []engine.Customer{{
			Name:     "acme",
			Accounts: []engine.Account{{ID: account}},
			Destinations: []engine.Destination{
				{ID: "slack:acme/alerts", Kind: engine.Slack, MinSeverity: severity.Low, Topic: chatTopic},
				{ID: "webhook:ops", Kind: engine.Webhook, MinSeverity: severity.Medium, Parameter: webhookParam, Format: "json"},
			},
		}},
	}
}

// testFunction is the function as start builds it, on memory and a
// recorder, with a clock the test moves.
type testFunction struct {
	*function
	sent *recorder
	out  *bytes.Buffer
	now  time.Time
}

func newTestFunction(t *testing.T) *testFunction {
	t.Helper()
	tf := &testFunction{sent: &recorder{}, out: &bytes.Buffer{}, now: time.Date(2026, 3, 4, 6, 0, 0, 0, time.UTC)}
	metrics := awsio.NewEMF(tf.out, func() time.Time { return tf.now })
	eng, err := engine.New(testPlan(), engine.Options{Store: engine.NewMemoryStore(), Sender: tf.sent, Metrics: metrics,
		Now: func() time.Time { return tf.now }})
	if err != nil {
		t.Fatal(err)
	}
	tf.function = &function{eng: eng, metrics: metrics, log: tf.out}
	return tf
}

// lines splits what the function wrote into its summaries and its metric
// documents, and empties it.
func (tf *testFunction) lines(t *testing.T) (summaries []map[string]any, metrics []map[string]any) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(tf.out.String()), "\n") {
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("a line that is not JSON: %q", line)
		}
		if _, ok := doc["_aws"]; ok {
			metrics = append(metrics, doc)
		} else {
			summaries = append(summaries, doc)
		}
	}
	tf.out.Reset()
	return summaries, metrics
}

func sample(t *testing.T, name string) json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func invocation(t *testing.T, v any) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestHandleEvent(t *testing.T) {
	tf := newTestFunction(t)
	event := sample(t, "guardduty/HIGH--credential-exfiltration.json")
	raw := invocation(t, map[string]any{"customer": "acme", "event": event})
	if err := tf.handle(context.Background(), raw); err != nil {
		t.Fatal(err)
	}
	if len(tf.sent.sends) != 2 || tf.sent.sends[0].topic != chatTopic || tf.sent.sends[1].parameter != webhookParam {
		t.Fatalf("sends %+v", tf.sent.sends)
	}
	all := tf.out.String()
	summaries, metrics := tf.lines(t)
	want := map[string]any{"invocation": "event", "customer": "acme", "eventId": "375943a8-3bc9-33f5-ab22-aa01ceea7762",
		"detector": "guardduty", "severity": "HIGH", "deliveries": 2.0, "duplicates": 0.0}
	if len(summaries) != 1 || !sameJSON(summaries[0], want) {
		t.Errorf("summary %v, want %v", summaries, want)
	}
	if len(metrics) != 1 || metrics[0]["Customer"] != "acme" || metrics[0][engine.MetricDelivered] != 2.0 {
		t.Errorf("metrics %v", metrics)
	}
	// The summary names what happened; it never quotes a message.
	var chat struct{ Content struct{ Title string } }
	if err := json.Unmarshal(tf.sent.sends[0].body, &chat); err != nil || chat.Content.Title == "" {
		t.Fatalf("chat body: %v", err)
	}
	if strings.Contains(all, chat.Content.Title) || strings.Contains(all, "UnauthorizedAccess") {
		t.Errorf("the output quotes the message:\n%s", all)
	}

	// The same event again: duplicates only.
	if err := tf.handle(context.Background(), raw); err != nil {
		t.Fatal(err)
	}
	summaries, metrics = tf.lines(t)
	if len(tf.sent.sends) != 2 || summaries[0]["deliveries"] != 0.0 || summaries[0]["duplicates"] != 2.0 ||
		metrics[0][engine.MetricDuplicate] != 2.0 {
		t.Errorf("the repeated event: %d sends, summary %v, metrics %v", len(tf.sent.sends), summaries, metrics)
	}

	// An archived finding is remembered closed, and says so.
	archived := sample(t, "guardduty/none--archived-low.json")
	if err := tf.handle(context.Background(), invocation(t, map[string]any{"customer": "acme", "event": archived})); err != nil {
		t.Fatal(err)
	}
	summaries, _ = tf.lines(t)
	if summaries[0]["closes"] != "guardduty" || summaries[0]["deliveries"] != 0.0 {
		t.Errorf("closing event summary %v", summaries[0])
	}

	// An event no detector takes is dropped, and says why.
	none := sample(t, "pipeline-alarm/none--back-to-ok.json")
	if err := tf.handle(context.Background(), invocation(t, map[string]any{"customer": "acme", "event": none})); err != nil {
		t.Fatal(err)
	}
	summaries, _ = tf.lines(t)
	if d, _ := summaries[0]["dropped"].(string); d == "" || summaries[0]["deliveries"] != 0.0 {
		t.Errorf("dropped event summary %v", summaries[0])
	}
}

func sameJSON(got map[string]any, want map[string]any) bool {
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	return string(a) == string(b)
}

func TestHandleTick(t *testing.T) {
	tf := newTestFunction(t)
	heartbeat := invocation(t, map[string]any{
		"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "Scheduled Event",
		"source": "aws.events", "account": account, "time": tf.now.Format(time.RFC3339), "region": "eu-west-1",
		"resources": []string{"arn:aws:events:eu-west-1:" + account + ":rule/" + names.Prefix + "heartbeat"}, "detail": map[string]any{},
	})
	if err := tf.handle(context.Background(), invocation(t, map[string]any{"customer": "acme", "event": heartbeat})); err != nil {
		t.Fatal(err)
	}
	summaries, _ := tf.lines(t)
	if summaries[0]["heartbeat"] != account+"/eu-west-1/"+names.Prefix+"heartbeat" {
		t.Errorf("heartbeat summary %v", summaries[0])
	}

	tick := json.RawMessage(`{"tick":true}`)
	if err := tf.handle(context.Background(), tick); err != nil {
		t.Fatal(err)
	}
	summaries, _ = tf.lines(t)
	if len(summaries) != 1 || summaries[0]["invocation"] != "tick" || summaries[0]["sent"] != nil || len(tf.sent.sends) != 0 {
		t.Errorf("tick with every member heard: %v, sends %+v", summaries, tf.sent.sends)
	}

	tf.now = tf.now.Add(4 * time.Hour)
	if err := tf.handle(context.Background(), tick); err != nil {
		t.Fatal(err)
	}
	summaries, metrics := tf.lines(t)
	if sent, _ := summaries[0]["sent"].(map[string]any); len(sent) != 1 || sent["report"] != 1.0 {
		t.Errorf("tick after four silent hours: %v", summaries)
	}
	operator := 0
	for _, s := range tf.sent.sends {
		if s.topic == operatorTopic {
			operator++
		}
	}
	if operator != 1 || len(metrics) != 1 {
		t.Errorf("%d reports to the operator, metrics %v", operator, metrics)
	}
}

func TestHandleRefusesOtherShapes(t *testing.T) {
	tf := newTestFunction(t)
	event := sample(t, "guardduty/HIGH--credential-exfiltration.json")
	for _, raw := range []string{
		`{}`,
		`{"tick":false}`,
		`{"tick":true,"customer":"acme"}`,
		`{"customer":"acme"}`,
		`{"event":{}}`,
		`{"customer":"acme","event":{},"extra":1}`,
		`[1]`,
		`"tick"`,
		string(event), // a rule without its input transformer
	} {
		err := tf.handle(context.Background(), json.RawMessage(raw))
		if err == nil || !strings.Contains(err.Error(), `want {"tick":true}`) {
			t.Errorf("%.40s: got %v", raw, err)
		}
		summaries, _ := tf.lines(t)
		if len(summaries) != 1 || summaries[0]["invocation"] != "unknown" || summaries[0]["error"] == nil {
			t.Errorf("%.40s: summary %v", raw, summaries)
		}
	}
	// A customer the plan does not have fails, so the event waits in the
	// queue until the plan is deployed.
	raw := invocation(t, map[string]any{"customer": "globex", "event": event})
	if err := tf.handle(context.Background(), raw); err == nil || !strings.Contains(err.Error(), `no customer "globex"`) {
		t.Errorf("unknown customer: %v", err)
	}
	if len(tf.sent.sends) != 0 {
		t.Errorf("sends %+v", tf.sent.sends)
	}
}

func TestStart(t *testing.T) {
	dir := t.TempDir()
	plan, err := json.Marshal(testPlan())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, planFile), plan, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	if _, err := start(context.Background(), env(map[string]string{taskRootEnv: dir, tableEnv: "secalerts-state"}), &bytes.Buffer{}); err != nil {
		t.Errorf("start: %v", err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no table", map[string]string{taskRootEnv: dir}, "SECALERTS_TABLE is not set"},
		{"no plan", map[string]string{taskRootEnv: t.TempDir(), tableEnv: "t"}, "must hold plan.json beside bootstrap"},
	} {
		if _, err := start(context.Background(), env(tc.env), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, planFile), []byte(`{"hub":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := start(context.Background(), env(map[string]string{taskRootEnv: bad, tableEnv: "t"}), &bytes.Buffer{}); err == nil ||
		!strings.Contains(err.Error(), "account, region and partition are required") {
		t.Errorf("invalid plan: %v", err)
	}
}
