package awsio_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"secalerts/engine"
	"secalerts/severity"
)

const highGuardDuty = "guardduty/HIGH--credential-exfiltration.json"

func eventID(t *testing.T, event []byte) string {
	t.Helper()
	var e struct{ ID string }
	if err := json.Unmarshal(event, &e); err != nil || e.ID == "" {
		t.Fatalf("no event id: %v", err)
	}
	return e.ID
}

// delivered counts the deliveries of an outcome that sent something, per
// destination.
func delivered(out engine.Outcome) map[string]int {
	n := map[string]int{}
	for _, d := range out.Deliveries {
		if !d.Duplicate {
			n[d.Destination]++
		}
	}
	return n
}

// checkChat checks the one message of a Chatbot channel's topic: a custom
// notification (version "1.0", source "custom"), without a subject.
func checkChat(t *testing.T, got []envelope) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("the chat topic got %d messages, want 1", len(got))
	}
	var n struct {
		Version, Source string
		Content         struct{ Title, Description string }
	}
	if err := json.Unmarshal([]byte(got[0].Message), &n); err != nil {
		t.Fatalf("the chat message is not JSON: %v\n%s", err, got[0].Message)
	}
	if n.Version != "1.0" || n.Source != "custom" || !strings.Contains(n.Content.Title, "HIGH") {
		t.Errorf("chat message: version %q, source %q, title %q", n.Version, n.Source, n.Content.Title)
	}
	if got[0].Subject != nil || len(got[0].MessageAttributes) != 0 {
		t.Errorf("the chat message has subject %v and attributes %v", got[0].Subject, got[0].MessageAttributes)
	}
}

// checkEmail checks the one message of the e-mail topic: a subject, and
// the severity as a Number attribute for the subscriptions' filters.
func checkEmail(t *testing.T, got []envelope) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("the e-mail topic got %d messages, want 1 for both addresses", len(got))
	}
	if got[0].Subject == nil || !strings.Contains(*got[0].Subject, "HIGH") || got[0].Message == "" {
		t.Errorf("e-mail subject %v, message %q", got[0].Subject, got[0].Message)
	}
	a := got[0].MessageAttributes[engine.SeverityAttribute]
	if a.Type != "Number" || a.Value != strconv.Itoa(int(severity.High)) {
		t.Errorf("severity attribute %+v, want Number %d", a, severity.High)
	}
}

// checkWebhook checks that the webhook got the JSON document, once.
func checkWebhook(t *testing.T, r *receiver, event []byte, calls int) {
	t.Helper()
	got := r.received()
	if len(got) != calls {
		t.Fatalf("the webhook was called %d times, want %d", len(got), calls)
	}
	c := got[len(got)-1]
	var doc struct {
		Schema, Customer, Detector, Severity, EventID string
	}
	if err := json.Unmarshal(c.body, &doc); err != nil {
		t.Fatalf("the webhook body is not JSON: %v", err)
	}
	if c.contentType != "application/json" || c.path != "/services/"+r.token || doc.Customer != customer ||
		doc.Detector != "guardduty" || doc.Severity != "HIGH" || doc.EventID != eventID(t, event) || doc.Schema == "" {
		t.Errorf("webhook call: content type %q, path %q, document %+v", c.contentType, c.path, doc)
	}
}

// TestDelivery handles a GuardDuty finding end to end on moto: a Chatbot
// message, one e-mail for both addresses, the webhook's document, and the
// state that makes a retry send nothing.
func TestDelivery(t *testing.T) {
	h := newHub(t, nil)
	event := sample(t, highGuardDuty)
	before := time.Now()
	out, err := h.engine(t, nil).Handle(context.Background(), engine.Input{Customer: customer, Event: event})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{chatID: 1, emailLow: 1, emailHigh: 1, webhookID: 1}
	if got := delivered(out); len(got) != len(want) || got[chatID] != 1 || got[emailLow] != 1 || got[emailHigh] != 1 || got[webhookID] != 1 {
		t.Errorf("deliveries %v, want %v", got, want)
	}
	checkChat(t, h.chat.messages(t, h.cfg))
	checkEmail(t, h.email.messages(t, h.cfg))
	checkWebhook(t, h.webhook, event, 1)
	if got := h.operator.messages(t, h.cfg); len(got) != 0 {
		t.Errorf("the operator heard of a member's finding: %d messages", len(got))
	}

	// The state: one item per send (the chat topic, the e-mail topic, the
	// webhook), each marked sent, kept for days, with DynamoDB's TTL.
	scan, err := dynamodb.NewFromConfig(h.cfg).Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(h.table)})
	if err != nil {
		t.Fatal(err)
	}
	id := eventID(t, event)
	var units []string
	findings := 0
	for _, it := range scan.Items {
		pk := it["pk"].(*ddbtypes.AttributeValueMemberS).Value
		if pk == "finding#acme" {
			findings++ // the finding, remembered open
			continue
		}
		if !strings.Contains(pk, id) {
			t.Errorf("unexpected item %s", pk)
			continue
		}
		units = append(units, it["sk"].(*ddbtypes.AttributeValueMemberS).Value)
		var st struct{ Sent bool }
		if err := json.Unmarshal(it["data"].(*ddbtypes.AttributeValueMemberB).Value, &st); err != nil || !st.Sent {
			t.Errorf("item %v: not sent (%v)", it["sk"], err)
		}
		exp, _ := strconv.ParseInt(it["expiresAt"].(*ddbtypes.AttributeValueMemberN).Value, 10, 64)
		if e := time.Unix(exp, 0); e.Before(before.Add(24*time.Hour)) || e.After(time.Now().Add(7*24*time.Hour)) {
			t.Errorf("item %v expires at %v", it["sk"], e)
		}
	}
	if findings != 1 {
		t.Errorf("%d finding items, want the one finding", findings)
	}
	if len(units) != 3 || !contains(units, h.chat.arn) || !contains(units, h.email.arn) || !contains(units, webhookID) {
		t.Errorf("delivery state of %v, want the chat topic, the e-mail topic and %s", units, webhookID)
	}

	// The same event again, in a new process: nothing is sent twice.
	out, err = h.engine(t, nil).Handle(context.Background(), engine.Input{Customer: customer, Event: event})
	if err != nil || len(delivered(out)) != 0 || len(out.Deliveries) != 4 {
		t.Errorf("the repeated event: %+v, %v", out.Deliveries, err)
	}
	if len(h.chat.messages(t, h.cfg)) != 0 || len(h.email.messages(t, h.cfg)) != 0 || len(h.webhook.received()) != 1 {
		t.Error("the repeated event was sent again")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestDeliveryRetriesOnlyWhatFailed: the webhook fails the first time.
// The invocation fails (so Lambda retries it) after the topics got their
// message; the retry sends the webhook alone.
func TestDeliveryRetriesOnlyWhatFailed(t *testing.T) {
	h := newHub(t, func(n int) int {
		if n == 1 {
			return 500
		}
		return 200
	})
	event := sample(t, highGuardDuty)
	e := h.engine(t, nil)
	out, err := e.Handle(context.Background(), engine.Input{Customer: customer, Event: event})
	if err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("the first delivery: error %v, want the webhook's HTTP 500", err)
	}
	h.webhook.noURL(t, err)
	if got := delivered(out); got[chatID] != 1 || got[emailLow] != 1 || got[webhookID] != 0 {
		t.Errorf("first deliveries %v", got)
	}
	out, err = e.Handle(context.Background(), engine.Input{Customer: customer, Event: event})
	if err != nil {
		t.Fatal(err)
	}
	if got := delivered(out); len(got) != 1 || got[webhookID] != 1 {
		t.Errorf("the retry delivered %v, want the webhook alone", got)
	}
	checkChat(t, h.chat.messages(t, h.cfg))
	checkEmail(t, h.email.messages(t, h.cfg))
	checkWebhook(t, h.webhook, event, 2)
}

// TestConcurrentDeliveries: eight invocations of the same event at once,
// each its own process (engine, store and sender) on the same table, send
// it once to each destination.
func TestConcurrentDeliveries(t *testing.T) {
	h := newHub(t, nil)
	event := sample(t, highGuardDuty)
	const n = 8
	engines := make([]*engine.Engine, n)
	for i := range engines {
		engines[i] = h.engine(t, nil)
	}
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		outs  = make([]engine.Outcome, n)
		errs  = make([]error, n)
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			outs[i], errs[i] = engines[i].Handle(context.Background(), engine.Input{Customer: customer, Event: event})
		}()
	}
	close(start)
	wg.Wait()
	total := map[string]int{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("invocation %d: %v", i, errs[i])
		}
		for dest, k := range delivered(outs[i]) {
			total[dest] += k
		}
	}
	if len(total) != 4 || total[chatID] != 1 || total[emailLow] != 1 || total[emailHigh] != 1 || total[webhookID] != 1 {
		t.Errorf("deliveries across the invocations %v, want one per destination", total)
	}
	checkChat(t, h.chat.messages(t, h.cfg))
	checkEmail(t, h.email.messages(t, h.cfg))
	checkWebhook(t, h.webhook, event, 1)
}

// update is event as GuardDuty re-publishes it: the same finding under a
// new event ID, seen n times.
func update(t *testing.T, event []byte, n int) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(event, &doc); err != nil {
		t.Fatal(err)
	}
	doc["id"] = eventID(t, event) + "-update-" + strconv.Itoa(n)
	doc["detail"].(map[string]any)["service"].(map[string]any)["count"] = n + 1
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFindingStateSurvivesAColdStart: a finding alerted by one process is
// remembered by the next, which keeps the recurring update quiet.
func TestFindingStateSurvivesAColdStart(t *testing.T) {
	h := newHub(t, nil)
	event := sample(t, highGuardDuty)
	if out, err := h.engine(t, nil).Handle(context.Background(), engine.Input{Customer: customer, Event: event}); err != nil || len(delivered(out)) != 4 {
		t.Fatalf("the first alert: %+v, %v", out.Deliveries, err)
	}
	out, err := h.engine(t, nil).Handle(context.Background(), engine.Input{Customer: customer, Event: update(t, event, 1)})
	if err != nil || out.Quiet != engine.QuietDuplicate || len(delivered(out)) != 0 {
		t.Errorf("the update after a cold start: quiet %q, deliveries %+v, %v", out.Quiet, out.Deliveries, err)
	}
	if got := len(h.chat.messages(t, h.cfg)); got != 1 {
		t.Errorf("the chat topic got %d messages, want 1", got)
	}
}

// TestConcurrentUpdatesOfOneFinding: eight updates of one finding (each
// its own event ID) reach eight processes at once; the finding alerts
// once, because the finding's state is claimed by a conditional write.
func TestConcurrentUpdatesOfOneFinding(t *testing.T) {
	h := newHub(t, nil)
	event := sample(t, highGuardDuty)
	const n = 8
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		outs  = make([]engine.Outcome, n)
		errs  = make([]error, n)
	)
	for i := range n {
		e, ev := h.engine(t, nil), update(t, event, i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			outs[i], errs[i] = e.Handle(context.Background(), engine.Input{Customer: customer, Event: ev})
		}()
	}
	close(start)
	wg.Wait()
	alerts, quiet := 0, 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("invocation %d: %v", i, errs[i])
		}
		if len(delivered(outs[i])) > 0 {
			alerts++
		}
		if outs[i].Quiet == engine.QuietDuplicate {
			quiet++
		}
	}
	if alerts != 1 || quiet != n-1 {
		t.Errorf("%d invocations alerted and %d stayed quiet, want 1 and %d", alerts, quiet, n-1)
	}
	checkChat(t, h.chat.messages(t, h.cfg))
	checkEmail(t, h.email.messages(t, h.cfg))
	checkWebhook(t, h.webhook, update(t, event, outsAlerting(outs)), 1)
}

// outsAlerting returns which of the outcomes alerted.
func outsAlerting(outs []engine.Outcome) int {
	for i, o := range outs {
		if len(delivered(o)) > 0 {
			return i
		}
	}
	return -1
}
