package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"secalerts/render"
	"secalerts/severity"
)

const (
	hubAccount  = "999999999999"
	prodAccount = "111111111111"
	devAccount  = "222222222222"
	chatTopic   = "arn:aws:sns:us-east-1:999999999999:secalerts-acme-slack-C0000000001"
	emailTopic  = "arn:aws:sns:us-east-1:999999999999:secalerts-acme-email"
	operator    = "arn:aws:sns:us-east-1:999999999999:secalerts-alarms"
)

func testConfig() *Config {
	return &Config{
		Hub:       Hub{Account: hubAccount, Region: "us-east-1", Partition: "aws", OperatorTopic: operator},
		Heartbeat: &HeartbeatSettings{MissingAfterMinutes: 180, RemindEveryHours: 24, ForgetAfterDays: 8},
		Customers: []Customer{
			{Name: "acme", Accounts: []Account{{ID: prodAccount, Name: "acme-prod"}, {ID: devAccount}}, Quiet: Quiet{CanaryMaxSeverity: severity.High}, Destinations: []Destination{
				{ID: "slack:T0000000001/C0000000001", Kind: Slack, MinSeverity: severity.Medium, Topic: chatTopic},
				{ID: "email:a@example.com", Kind: Email, MinSeverity: severity.High, Topic: emailTopic},
				{ID: "email:b@example.com", Kind: Email, MinSeverity: severity.Critical, Topic: emailTopic},
				{ID: "webhook:pager", Kind: Webhook, MinSeverity: severity.High, Parameter: "/secalerts/acme/webhooks/pager", Format: "json"},
			}},
			{Name: "globex", OrganizationID: "o-exampleorg1", Quiet: Quiet{CanaryMaxSeverity: severity.High}, Destinations: []Destination{
				{ID: "email:soc@globex.example", Kind: Email, MinSeverity: severity.Low, Topic: "arn:aws:sns:us-east-1:999999999999:secalerts-globex-email"},
			}},
		},
	}
}

// sent is one call a recorder received.
type sent struct {
	topic, parameter, subject string
	body                      []byte
	attrs                     map[string]int
}

// recorder is a Sender that keeps what it is given; fail makes the calls
// to one parameter or topic fail.
type recorder struct {
	mu   sync.Mutex
	sent []sent
	fail map[string]bool
}

func (r *recorder) Publish(_ context.Context, topic, subject string, body []byte, attrs map[string]int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail[topic] {
		return errors.New("publish failed")
	}
	r.sent = append(r.sent, sent{topic: topic, subject: subject, body: body, attrs: attrs})
	return nil
}

func (r *recorder) Post(_ context.Context, parameter string, body []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail[parameter] {
		return errors.New("webhook answered 500")
	}
	r.sent = append(r.sent, sent{parameter: parameter, body: body})
	return nil
}

func (r *recorder) to(dest string) []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sent
	for _, s := range r.sent {
		if s.topic == dest || s.parameter == dest {
			out = append(out, s)
		}
	}
	return out
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func newEngine(t *testing.T, store Store, out Sender, c *clock) *Engine {
	t.Helper()
	e, err := New(testConfig(), Options{Store: store, Sender: out, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// sample reads a sample event and puts it in account.
func sample(t *testing.T, name, account string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m["account"], _ = json.Marshal(account)
	out, _ := json.Marshal(m)
	return out
}

func TestDecide(t *testing.T) {
	e := newEngine(t, NewMemoryStore(), &recorder{}, &clock{})
	for _, tc := range []struct {
		name, customer, file, account string
		detector                      string
		sev                           severity.Severity
		destinations                  []string
		dropped                       string
	}{
		{"a HIGH GuardDuty finding", "acme", "guardduty/HIGH--crypto-mining.json", prodAccount, "guardduty", severity.High,
			[]string{"slack:T0000000001/C0000000001", "email:a@example.com", "webhook:pager"}, ""},
		{"a MEDIUM one reaches the channel only", "acme", "guardduty/MEDIUM--malicious-ip-caller.json", prodAccount, "guardduty", severity.Medium,
			[]string{"slack:T0000000001/C0000000001"}, ""},
		{"a LOW one reaches nobody", "acme", "guardduty/LOW--ssh-brute-force.json", prodAccount, "guardduty", severity.Low,
			nil, "no destination of customer acme takes LOW"},
		{"an account the customer does not list", "acme", "guardduty/HIGH--crypto-mining.json", "444444444444", "", 0,
			nil, "account 444444444444 is not one of customer acme's accounts"},
		{"an organization admits any account", "globex", "guardduty/HIGH--crypto-mining.json", "444444444444", "guardduty", severity.High,
			[]string{"email:soc@globex.example"}, ""},
		{"an archived finding closes it", "acme", "guardduty/none--archived-crypto-mining.json", prodAccount, "", 0, nil, ""},
		// The hub's own reports are not matched on what a member sends,
		// whatever it claims.
		{"a member's look-alike heartbeat report", "acme", "heartbeat-missing/HIGH--one-region-silent.json", prodAccount, "", 0,
			nil, "no detector of the catalogue matches it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := e.Decide(tc.customer, sample(t, tc.file, tc.account))
			if err != nil {
				t.Fatal(err)
			}
			var dests []string
			for _, x := range d.Destinations {
				dests = append(dests, x.ID)
			}
			if tc.name == "an archived finding closes it" && d.Closes != "guardduty" {
				t.Errorf("closes %q, want guardduty", d.Closes)
			}
			if d.Detector.ID != tc.detector || (tc.detector != "" && d.Variant.Severity != tc.sev) ||
				strings.Join(dests, ",") != strings.Join(tc.destinations, ",") || d.Dropped != tc.dropped {
				t.Errorf("decided %s %s to %v (dropped %q), want %s %s to %v (dropped %q)",
					d.Detector.ID, d.Variant.Severity, dests, d.Dropped, tc.detector, tc.sev, tc.destinations, tc.dropped)
			}
		})
	}
	if _, err := e.Decide("initech", sample(t, "guardduty/HIGH--crypto-mining.json", prodAccount)); err == nil {
		t.Error("an unknown customer was decided on")
	}
}

// TestHandleSendsWhatItReturns: the messages of an outcome are exactly
// what the sender got (replay shows the outcome), one publish per topic,
// with the e-mail's severity attribute.
func TestHandleSendsWhatItReturns(t *testing.T) {
	out := &recorder{}
	e := newEngine(t, NewMemoryStore(), out, &clock{t: time.Date(2026, 3, 4, 6, 0, 0, 0, time.UTC)})
	o, err := e.Handle(context.Background(), Input{Customer: "acme", Event: sample(t, "guardduty/HIGH--crypto-mining.json", prodAccount)})
	if err != nil {
		t.Fatal(err)
	}
	byDest := map[string]Delivery{}
	for _, d := range o.Deliveries {
		byDest[d.Destination] = d
	}
	if len(o.Deliveries) != 3 {
		t.Fatalf("deliveries %+v", o.Deliveries)
	}
	for dest, target := range map[string]string{"slack:T0000000001/C0000000001": chatTopic, "email:a@example.com": emailTopic,
		"webhook:pager": "/secalerts/acme/webhooks/pager"} {
		got := out.to(target)
		if len(got) != 1 || string(got[0].body) != string(byDest[dest].Body) || got[0].subject != byDest[dest].Subject {
			t.Errorf("%s: sent %d messages, or not the outcome's", dest, len(got))
		}
	}
	if got := out.to(emailTopic); got[0].attrs[SeverityAttribute] != int(severity.High) || got[0].subject == "" {
		t.Errorf("e-mail attributes %v, subject %q", got[0].attrs, got[0].subject)
	}
	var n struct {
		Version, Source string
		Metadata        struct{ ThreadID string }
	}
	if err := json.Unmarshal(out.to(chatTopic)[0].body, &n); err != nil || n.Version != "1.0" || n.Source != "custom" {
		t.Errorf("the chat message is not a Chatbot notification: %s", out.to(chatTopic)[0].body)
	}
	if !strings.HasPrefix(n.Metadata.ThreadID, "guardduty-") {
		t.Errorf("thread %q: updates of one finding should thread together", n.Metadata.ThreadID)
	}
}

// TestNothingLostNothingDoubled: a destination that fails is retried
// without sending again to the ones that got it; a retry after success
// sends nothing.
func TestNothingLostNothingDoubled(t *testing.T) {
	out := &recorder{fail: map[string]bool{"/secalerts/acme/webhooks/pager": true}}
	c := &clock{t: time.Date(2026, 3, 4, 6, 0, 0, 0, time.UTC)}
	e := newEngine(t, NewMemoryStore(), out, c)
	in := Input{Customer: "acme", Event: sample(t, "guardduty/HIGH--crypto-mining.json", prodAccount)}
	if _, err := e.Handle(context.Background(), in); err == nil || !strings.Contains(err.Error(), "webhook:pager") {
		t.Fatalf("a failed webhook is not an error naming it: %v", err)
	}
	out.fail = nil
	c.set(c.now().Add(time.Minute))
	o, err := e.Handle(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{chatTopic, emailTopic, "/secalerts/acme/webhooks/pager"} {
		if n := len(out.to(target)); n != 1 {
			t.Errorf("%s got %d messages, want 1", target, n)
		}
	}
	dup := 0
	for _, d := range o.Deliveries {
		if d.Duplicate {
			dup++
		}
	}
	if dup != 2 {
		t.Errorf("the retry reports %d duplicates, want the 2 that were sent", dup)
	}
	if _, err := e.Handle(context.Background(), in); err != nil || len(out.sent) != 3 {
		t.Errorf("a third delivery of the event sent again: %d messages, %v", len(out.sent), err)
	}
}

// counts is a Metrics that keeps its counts.
type counts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counts) Count(customer, metric string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[customer+" "+metric] += n
}

// TestRenderFailureSkipsOnlyItsSends: a message that cannot be rendered
// for one destination is an error naming it, after the other destinations
// got theirs; the retry sends only what is missing.
func TestRenderFailureSkipsOnlyItsSends(t *testing.T) {
	out, metrics := &recorder{}, &counts{}
	c := &clock{t: time.Date(2026, 3, 4, 6, 0, 0, 0, time.UTC)}
	e, err := New(testConfig(), Options{Store: NewMemoryStore(), Sender: out, Metrics: metrics, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	// The chat channel's send comes first.
	e.renderer = func(f render.Format, m render.Message) (render.Output, error) {
		if f == render.FormatChatbot {
			return render.Output{}, errors.New("cannot render")
		}
		return render.Render(f, m)
	}
	in := Input{Customer: "acme", Event: sample(t, "guardduty/HIGH--crypto-mining.json", prodAccount)}
	o, err := e.Handle(context.Background(), in)
	if err == nil || !strings.Contains(err.Error(), "rendering guardduty for "+chatTopic+": cannot render") {
		t.Errorf("the render failure is not an error naming the send: %v", err)
	}
	if len(o.Deliveries) != 2 || len(out.to(emailTopic)) != 1 || len(out.to("/secalerts/acme/webhooks/pager")) != 1 || len(out.to(chatTopic)) != 0 {
		t.Errorf("the other destinations did not get theirs: %+v", o.Deliveries)
	}
	if metrics.n["acme "+MetricFailed] != 1 || metrics.n["acme "+MetricDelivered] != 2 {
		t.Errorf("metrics %v, want 1 failed and 2 delivered", metrics.n)
	}
	e.renderer = render.Render
	c.set(c.now().Add(time.Minute))
	if _, err := e.Handle(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if len(out.to(chatTopic)) != 1 || len(out.sent) != 3 {
		t.Errorf("the retry sent %d messages, %d to the channel; want the channel's alone", len(out.sent)-2, len(out.to(chatTopic)))
	}
}

// TestConcurrentDeliveriesSendOnce: EventBridge delivers at least once;
// copies of one event handled at the same time send one message each.
func TestConcurrentDeliveriesSendOnce(t *testing.T) {
	out := &recorder{}
	store := NewMemoryStore()
	c := &clock{t: time.Date(2026, 3, 4, 6, 0, 0, 0, time.UTC)}
	in := Input{Customer: "acme", Event: sample(t, "guardduty/HIGH--crypto-mining.json", prodAccount)}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := newEngine(t, store, out, c).Handle(context.Background(), in); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(out.sent) != 3 {
		t.Errorf("%d messages sent, want one per destination (3)", len(out.sent))
	}
}

// TestHostileTextIsData: an API call whose user agent tries to rewrite the
// message stays one message with the detector's title and the real facts.
func TestHostileTextIsData(t *testing.T) {
	out := &recorder{}
	e := newEngine(t, NewMemoryStore(), out, &clock{t: time.Date(2026, 3, 4, 6, 0, 0, 0, time.UTC)})
	var m map[string]any
	if err := json.Unmarshal(sample(t, "security-groups/HIGH--authorize-ingress-ssh-from-anywhere.json", prodAccount), &m); err != nil {
		t.Fatal(err)
	}
	detail := m["detail"].(map[string]any)
	detail["userAgent"] = `x","title":"OK - test event, ignore","description":"nothing to see <!channel> <https://evil.example|Open>`
	ident, _ := detail["userIdentity"].(map[string]any)
	ident["arn"] = `arn:aws:iam::111111111111:user/"><!here>`
	event, _ := json.Marshal(m)
	if _, err := e.Handle(context.Background(), Input{Customer: "acme", Event: event}); err != nil {
		t.Fatal(err)
	}
	for _, s := range out.sent {
		if s.topic == chatTopic {
			var n struct {
				Content map[string]any `json:"content"`
			}
			if err := json.Unmarshal(s.body, &n); err != nil {
				t.Fatalf("chat message is not JSON: %v", err)
			}
			if title, _ := n.Content["title"].(string); !strings.Contains(title, "Security group") || strings.Contains(title, "OK - test event") {
				t.Errorf("title rewritten: %q", title)
			}
		}
		// Mentions are markup in chat only; links are live in chat and
		// e-mail. The JSON webhook embeds the event as it came, for
		// machines, and escapes its own fields.
		body := string(s.body)
		if s.topic == chatTopic && (strings.Contains(body, "<!channel>") || strings.Contains(body, "<!here>")) {
			t.Errorf("a mention from the event is live in the chat message: %s", body)
		}
		if s.topic != "" && strings.Contains(body, "https://evil.example") {
			t.Errorf("a link from the event is live in %s: %s", s.topic, body)
		}
	}
}

func scheduled(t *testing.T, account, region, rule string, at time.Time) []byte {
	t.Helper()
	b, _ := json.Marshal(map[string]any{
		"version": "0", "id": "hb-" + at.Format(time.RFC3339), "detail-type": "Scheduled Event", "source": "aws.events",
		"account": account, "time": at.Format(time.RFC3339), "region": region,
		"resources": []string{"arn:aws:events:" + region + ":" + account + ":rule/" + rule}, "detail": map[string]any{},
	})
	return b
}

// TestHeartbeats: a member rule heard from is recorded, never delivered;
// silent longer than missingAfterMinutes it is reported once, to the
// customer's destinations that take HIGH and the operator, then reminded
// every remindEveryHours; heard again and silent again, it is a new
// silence. Heartbeats of customers the hub no longer has are forgotten.
func TestHeartbeats(t *testing.T) {
	out := &recorder{}
	store := NewMemoryStore()
	c := &clock{}
	store.Now = c.now
	e := newEngine(t, store, out, c)
	t0 := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	c.set(t0)
	heard := func(at time.Time) {
		t.Helper()
		o, err := e.Handle(context.Background(), Input{Customer: "acme", Event: scheduled(t, prodAccount, "eu-west-1", "secalerts-forward-1", at)})
		if err != nil || o.Heartbeat == nil || len(o.Deliveries) != 0 {
			t.Fatalf("heartbeat: %+v, %v", o, err)
		}
	}
	check := func(at time.Time, wantReported int) {
		t.Helper()
		c.set(at)
		res, err := e.CheckHeartbeats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if res.Reported != wantReported {
			t.Errorf("check at +%s reported %d, want %d", at.Sub(t0), res.Reported, wantReported)
		}
	}
	heard(t0)
	check(t0.Add(2*time.Hour), 0)
	check(t0.Add(3*time.Hour+5*time.Minute), 1)
	reports := out.to(operator)
	if len(reports) != 1 || !strings.Contains(string(reports[0].body), "eu-west-1") || !strings.Contains(string(reports[0].body), "first report") {
		t.Fatalf("the operator's report: %+v", reports)
	}
	if len(out.to(chatTopic)) != 1 || len(out.to(emailTopic)) != 1 || len(out.to("/secalerts/acme/webhooks/pager")) != 1 {
		t.Error("the customer's HIGH destinations did not all hear of the silence")
	}
	check(t0.Add(4*time.Hour), 0)
	check(t0.Add(27*time.Hour+5*time.Minute), 1)
	if r := out.to(operator); len(r) != 2 || !strings.Contains(string(r[1].body), "reminder") {
		t.Errorf("no reminder a day later: %d reports", len(r))
	}
	// A heartbeat delivered late does not move the time back.
	heard(t0.Add(-time.Hour))
	check(t0.Add(28*time.Hour), 0)
	// Heard again, then silent again: a new silence, reported at once.
	heard(t0.Add(28 * time.Hour))
	check(t0.Add(31*time.Hour+5*time.Minute), 1)
	if r := out.to(operator); !strings.Contains(string(r[len(r)-1].body), "first report") {
		t.Error("the new silence is not a first report")
	}
	// A heartbeat of an account the customer does not list is not recorded.
	o, err := e.Handle(context.Background(), Input{Customer: "acme", Event: scheduled(t, "444444444444", "eu-west-1", "secalerts-forward-1", t0)})
	if err != nil || o.Heartbeat != nil || o.Dropped == "" {
		t.Errorf("a stranger's heartbeat: %+v %v", o.Decision, err)
	}

	// The account leaves the customer, then the customer the hub: their
	// rules are forgotten at the next check, not reported for a week.
	heard(t0.Add(40 * time.Hour))
	o, err = e.Handle(context.Background(), Input{Customer: "acme", Event: scheduled(t, devAccount, "eu-west-1", "secalerts-forward-1", t0.Add(40*time.Hour))})
	if err != nil || o.Heartbeat == nil {
		t.Fatalf("the dev account's heartbeat: %+v %v", o.Decision, err)
	}
	for _, step := range []struct {
		what   string
		change func(*Config)
	}{
		{"the prod account left acme", func(cfg *Config) { cfg.Customers[0].Accounts = cfg.Customers[0].Accounts[1:] }},
		{"acme left the hub", func(cfg *Config) { cfg.Customers = cfg.Customers[1:] }},
	} {
		cfg := testConfig()
		step.change(cfg)
		later, err := New(cfg, Options{Store: store, Sender: out, Now: c.now})
		if err != nil {
			t.Fatal(err)
		}
		c.set(t0.Add(60 * time.Hour))
		res, err := later.CheckHeartbeats(context.Background())
		if err != nil || res.Dropped != 1 || res.Reported != res.Silent {
			t.Errorf("check after %s: %+v %v", step.what, res, err)
		}
	}
}

// TestTamperingReachesTheHighestDestination: any change to a sensor
// reaches the pager that takes only CRITICAL (its e-mail routed at
// CRITICAL, so the subscription's filter lets it through) and the
// operator; an ordinary alert of the same severity does not.
func TestTamperingReachesTheHighestDestination(t *testing.T) {
	cfg := quietConfig(0, Flood{})
	cfg.Customers[0].Destinations = append(cfg.Customers[0].Destinations,
		Destination{ID: "email:pager@example.com", Kind: Email, MinSeverity: severity.Critical, Topic: emailTopic})
	for _, tc := range []struct {
		sample       string
		pager, toOps bool
	}{
		{"config-changes/MEDIUM--put-delivery-channel.json", true, true},
		{"cloudtrail-changes/HIGH--put-event-selectors-drop-management-events.json", true, true},
		{"security-groups/HIGH--authorize-ingress-ssh-from-anywhere.json", false, false},
	} {
		t.Run(tc.sample, func(t *testing.T) {
			out := &recorder{}
			e, err := New(cfg, Options{Store: NewMemoryStore(), Sender: out, Now: (&clock{t: month}).now})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Handle(context.Background(), Input{Customer: "acme", Event: sample(t, tc.sample, fiveAccounts[0])}); err != nil {
				t.Fatal(err)
			}
			mails := out.to(emailTopic)
			if got := len(mails) == 1 && mails[0].attrs[SeverityAttribute] == int(severity.Critical); got != tc.pager {
				t.Errorf("reached the CRITICAL pager: %v (%+v), want %v", got, mails, tc.pager)
			}
			if got := len(out.to(operator)) == 1; got != tc.toOps {
				t.Errorf("reached the operator: %v, want %v", got, tc.toOps)
			}
			if len(out.to(chatTopic)) != 1 {
				t.Errorf("the MEDIUM channel got %d messages", len(out.to(chatTopic)))
			}
		})
	}
}

// TestCanariesStopAtTheCustomersMaximum: any principal of a member can put
// a canary on its default bus, so one above canaryMaxSeverity pages no one.
func TestCanariesStopAtTheCustomersMaximum(t *testing.T) {
	e, err := New(testConfig(), Options{Store: NewMemoryStore(), Sender: &recorder{}, Now: (&clock{t: month}).now})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sample  string
		deliver bool
	}{
		{"canary/HIGH--test-high.json", true},
		{"canary/CRITICAL--test-critical.json", false},
	} {
		d, err := e.Decide("acme", sample(t, tc.sample, prodAccount))
		if err != nil {
			t.Fatal(err)
		}
		if d.Alerting() != tc.deliver || (!tc.deliver && !strings.Contains(d.Dropped, "canaryMaxSeverity")) {
			t.Errorf("%s: alerting %v (dropped %q), want %v", tc.sample, d.Alerting(), d.Dropped, tc.deliver)
		}
	}
}
