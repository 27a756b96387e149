package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"secalerts/severity"
)

// month is the start of the simulated month.
var month = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

var fiveAccounts = []string{"111111111111", "222222222222", "333333333333", "444444444444", "555555555555"}

// quietConfig is one customer with five accounts, a chat channel that
// takes MEDIUM and above, reminders every remindDays and the flood guard
// as given.
func quietConfig(remindDays int, flood Flood, sups ...Suppression) *Config {
	c := Customer{Name: "acme", Quiet: Quiet{RemindAfterDays: remindDays, Flood: flood, Suppressions: sups, CanaryMaxSeverity: severity.High}, Destinations: []Destination{
		{ID: "slack:T0000000001/C0000000001", Kind: Slack, MinSeverity: severity.Medium, Topic: chatTopic},
	}}
	for _, a := range fiveAccounts {
		c.Accounts = append(c.Accounts, Account{ID: a})
	}
	return &Config{Hub: Hub{Account: hubAccount, Region: "us-east-1", Partition: "aws", OperatorTopic: operator}, Customers: []Customer{c}}
}

// event is one simulated event.
type simEvent struct {
	at   time.Time
	body []byte
}

// securityHubUpdate is Security Hub's event for control finding n of
// account at t: label its severity, status FAILED or PASSED.
func securityHubUpdate(t *testing.T, n int, account string, at time.Time, label, compliance string) simEvent {
	var e map[string]any
	if err := json.Unmarshal(sample(t, "securityhub/HIGH--s3-block-public-access-control-failed.json", account), &e); err != nil {
		t.Fatal(err)
	}
	f := e["detail"].(map[string]any)["findings"].([]any)[0].(map[string]any)
	f["Id"] = fmt.Sprintf("arn:aws:securityhub:eu-west-1:%s:subscription/aws-foundational/v/1.0.0/C.%d/finding/%d", account, n, n)
	f["AwsAccountId"] = account
	f["Severity"] = map[string]any{"Label": label}
	f["Compliance"] = map[string]any{"Status": compliance}
	f["Workflow"] = map[string]any{"Status": map[string]string{"FAILED": "NEW", "PASSED": "RESOLVED"}[compliance]}
	f["UpdatedAt"] = at.Format(time.RFC3339)
	e["id"] = fmt.Sprintf("sh-%d-%d", n, at.Unix())
	e["time"] = at.Format(time.RFC3339)
	b, _ := json.Marshal(e)
	return simEvent{at, b}
}

// guardDutyUpdate is GuardDuty's event for finding n of account at t: its
// numeric severity, archived or not, seen count times.
func guardDutyUpdate(t *testing.T, n int, account string, at time.Time, sev float64, archived bool, count int) simEvent {
	var e map[string]any
	if err := json.Unmarshal(sample(t, "guardduty/HIGH--crypto-mining.json", account), &e); err != nil {
		t.Fatal(err)
	}
	d := e["detail"].(map[string]any)
	d["id"], d["accountId"], d["severity"] = fmt.Sprintf("gd%030d", n), account, sev
	svc := d["service"].(map[string]any)
	svc["archived"], svc["count"], svc["eventLastSeen"] = archived, count, at.Format(time.RFC3339)
	e["id"] = fmt.Sprintf("gd-%d-%d", n, at.Unix())
	e["time"] = at.Format(time.RFC3339)
	b, _ := json.Marshal(e)
	return simEvent{at, b}
}

// simulate feeds events in time order to e and ticks every hour, and
// returns the messages the chat channel got: alerts and reminders.
func simulate(t *testing.T, e *Engine, c *clock, events []simEvent, until time.Time) (alerts, reminders int) {
	t.Helper()
	sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })
	next := 0
	for tick := month; !tick.After(until); tick = tick.Add(time.Hour) {
		for ; next < len(events) && events[next].at.Before(tick); next++ {
			c.set(events[next].at)
			o, err := e.Handle(context.Background(), Input{Customer: "acme", Event: events[next].body})
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Deliveries) > 0 {
				alerts++
			}
		}
		c.set(tick)
		sent, err := e.Tick(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sent {
			if s.Kind == SentReminder {
				reminders++
			}
		}
	}
	return alerts, reminders
}

// TestAMonthOfFindings runs a month of Security Hub and GuardDuty updates
// on AWS's schedules through the engine: 40 failing controls in 5
// accounts refreshed every 12 to 24 hours, some fixed on day 10 and failing
// again on day 15, some raised from MEDIUM to HIGH on day 18; 10 GuardDuty
// findings recurring every 6 hours, 5 of them archived on day 12 and seen
// again on day 14. Each finding alerts once, again when it reopens or its
// severity rises, and is reminded of weekly while it stays open.
func TestAMonthOfFindings(t *testing.T) {
	end := month.AddDate(0, 0, 30)
	var events []simEvent
	wantAlerts, wantReminders := 0, 0
	for n := range 200 {
		account := fiveAccounts[n%5]
		period := time.Duration(12+n%13) * time.Hour
		first := month.Add(time.Duration(n) * time.Minute)
		fixed := n%4 == 0
		raised := n%5 == 1 && !fixed
		for at := first; at.Before(end); at = at.Add(period) {
			switch {
			case fixed && at.After(first.AddDate(0, 0, 10)) && at.Before(first.AddDate(0, 0, 15)):
				events = append(events, securityHubUpdate(t, n, account, at, "MEDIUM", "PASSED"))
			case raised && at.After(first.AddDate(0, 0, 18)):
				events = append(events, securityHubUpdate(t, n, account, at, "HIGH", "FAILED"))
			default:
				events = append(events, securityHubUpdate(t, n, account, at, "MEDIUM", "FAILED"))
			}
		}
		// Reminders come every 7 days after the last message, while open.
		switch {
		case fixed: // alert day 0, reminder day 7, closed, reopened ~day 15, reminders ~22, ~29
			wantAlerts, wantReminders = wantAlerts+2, wantReminders+3
		case raised: // alert day 0, reminders 7 and 14, raised ~day 18, reminder ~25
			wantAlerts, wantReminders = wantAlerts+2, wantReminders+3
		default: // alert day 0, reminders 7, 14, 21, 28
			wantAlerts, wantReminders = wantAlerts+1, wantReminders+4
		}
	}
	for n := range 10 {
		account := fiveAccounts[n%5]
		first := month.Add(time.Duration(300+n) * time.Minute)
		archived := n%2 == 0
		count := 0
		for at := first; at.Before(end); at = at.Add(6 * time.Hour) {
			count++
			inArchive := archived && !at.Before(first.AddDate(0, 0, 12)) && at.Before(first.AddDate(0, 0, 14))
			events = append(events, guardDutyUpdate(t, n, account, at, 8, inArchive, count))
		}
		if archived { // alert day 0, reminder 7, archived 12, reopened 14, reminders 21, 28
			wantAlerts, wantReminders = wantAlerts+2, wantReminders+3
		} else {
			wantAlerts, wantReminders = wantAlerts+1, wantReminders+4
		}
	}

	c := &clock{}
	store := NewMemoryStore()
	store.Now = c.now
	quiet, err := New(quietConfig(7, Flood{}), Options{Store: store, Sender: &recorder{}, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	alerts, reminders := simulate(t, quiet, c, events, end)
	if alerts != wantAlerts || reminders != wantReminders {
		t.Errorf("with state: %d alerts and %d reminders, want %d and %d", alerts, reminders, wantAlerts, wantReminders)
	}

	// Without state every update of an open finding is an alert.
	repeats := 0
	stateless, _ := New(quietConfig(0, Flood{}), Options{Store: forgetful{}, Sender: &recorder{}, Now: c.now})
	for _, ev := range events {
		d, err := stateless.Decide("acme", ev.body)
		if err != nil {
			t.Fatal(err)
		}
		if d.Alerting() {
			repeats++
		}
	}
	t.Logf("a month of %d updates: %d messages with the engine's state (%d alerts, %d reminders), %d without", len(events), alerts+reminders, alerts, reminders, repeats)
	if repeats < 20*alerts {
		t.Errorf("without state %d alerts, with %d: the month does not repeat as AWS does", repeats, alerts)
	}
}

// forgetful is a store that remembers nothing.
type forgetful struct{}

func (forgetful) Get(context.Context, Key) (Item, bool, error) { return Item{}, false, nil }
func (forgetful) Put(context.Context, Item) error              { return nil }
func (forgetful) Delete(context.Context, Key, int64) error     { return nil }
func (forgetful) Query(context.Context, string) ([]Item, error) {
	return nil, nil
}

// TestFloodBurst: 500 security-group changes in 5 minutes reach the channel
// as at most maxPerWindow messages and one summary that counts them all.
func TestFloodBurst(t *testing.T) {
	out := &recorder{}
	c := &clock{}
	e, err := New(quietConfig(0, Flood{MaxPerWindow: 10, WindowMinutes: 15}), Options{Store: NewMemoryStore(), Sender: out, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(sample(t, "security-groups/MEDIUM--create-security-group.json", fiveAccounts[0]), &m); err != nil {
		t.Fatal(err)
	}
	start := month.Add(3 * time.Minute)
	quiet := 0
	for i := range 500 {
		m["id"] = fmt.Sprintf("sg-change-%d", i)
		m["account"] = fiveAccounts[i%5]
		at := start.Add(time.Duration(i) * 600 * time.Millisecond)
		c.set(at)
		b, _ := json.Marshal(m)
		o, err := e.Handle(context.Background(), Input{Customer: "acme", Event: b})
		if err != nil {
			t.Fatal(err)
		}
		if o.Quiet == QuietFlood {
			quiet++
		}
	}
	c.set(month.Add(15 * time.Minute))
	sent, err := e.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	msgs := out.to(chatTopic)
	if len(msgs) > 11 || quiet != 490 {
		t.Fatalf("%d messages to the channel, %d collapsed; want at most 10 + 1 and 490", len(msgs), quiet)
	}
	if len(sent) != 1 || sent[0].Kind != SentSummary || len(sent[0].Covers) != 490 {
		t.Fatalf("tick sent %+v", sent)
	}
	summary := string(msgs[len(msgs)-1].body)
	for _, want := range []string{"500", "490", "111111111111 98"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary does not say %q:\n%s", want, summary)
		}
	}
	// The summary goes once.
	if sent, _ := e.Tick(context.Background()); len(sent) != 0 {
		t.Errorf("a second tick sent %+v", sent)
	}
}

// TestSettledWindowsAreReadAgainWhenWritten: a tick skips the flood
// windows it found settled, but reads one again once it was written to
// (by an invocation whose clock lagged), and sums it up.
func TestSettledWindowsAreReadAgainWhenWritten(t *testing.T) {
	store, c := NewMemoryStore(), &clock{}
	store.Now = c.now
	e, err := New(quietConfig(0, Flood{MaxPerWindow: 10, WindowMinutes: 15}), Options{Store: store, Sender: &recorder{}, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	c.set(month.Add(time.Minute))
	if _, err := e.Handle(context.Background(), Input{Customer: "acme", Event: sample(t, "security-groups/MEDIUM--create-security-group.json", fiveAccounts[0])}); err != nil {
		t.Fatal(err)
	}
	c.set(month.Add(15 * time.Minute))
	for range 2 {
		if sent, err := e.Tick(context.Background()); err != nil || len(sent) != 0 {
			t.Fatalf("a window of one alert: tick sent %+v (%v)", sent, err)
		}
	}
	items, _ := store.Query(context.Background(), floodPK("acme"))
	if _, settled := e.settled.of("acme", items).get(items[0].Key.SK); len(items) != 1 || !settled {
		t.Fatalf("%d windows, settled %v; want the one, settled", len(items), settled)
	}
	var st windowState
	if err := json.Unmarshal(items[0].Data, &st); err != nil {
		t.Fatal(err)
	}
	st.Count, st.Collapsed, st.Highest = 11, 1, severity.Medium
	items[0].Data, _ = json.Marshal(st)
	if err := store.Put(context.Background(), items[0]); err != nil {
		t.Fatal(err)
	}
	if sent, err := e.Tick(context.Background()); err != nil || len(sent) != 1 || sent[0].Kind != SentSummary {
		t.Errorf("after the window was written to, tick sent %+v (%v), want its summary", sent, err)
	}
}

func below(s severity.Severity) *severity.Severity { return &s }

// TestSuppressions: every matcher narrows, an expired suppression no
// longer applies, and tampering, the canary and the hub's reports cannot
// be suppressed.
func TestSuppressions(t *testing.T) {
	sg := func() []byte {
		return sample(t, "security-groups/HIGH--authorize-ingress-ssh-from-anywhere.json", fiveAccounts[0])
	}
	var ev map[string]any
	json.Unmarshal(sg(), &ev)
	principal := ev["detail"].(map[string]any)["userIdentity"].(map[string]any)["arn"].(string)
	now := time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		sup   Suppression
		event []byte
		quiet bool
	}{
		{"detector", Suppression{Name: "s", Detectors: []string{"security-groups"}}, sg(), true},
		{"other detector", Suppression{Name: "s", Detectors: []string{"guardduty"}}, sg(), false},
		{"account", Suppression{Name: "s", Accounts: []string{fiveAccounts[0]}}, sg(), true},
		{"other account", Suppression{Name: "s", Accounts: []string{fiveAccounts[1]}}, sg(), false},
		{"region", Suppression{Name: "s", Regions: []string{"eu-west-1"}}, sg(), true},
		{"other region", Suppression{Name: "s", Regions: []string{"us-east-1"}}, sg(), false},
		{"principal glob", Suppression{Name: "s", Principals: []string{principal[:20] + "*"}}, sg(), true},
		{"other principal", Suppression{Name: "s", Principals: []string{"arn:aws:iam::*:role/deploy-*"}}, sg(), false},
		{"resource glob", Suppression{Name: "s", Resources: []string{"sg-0a1b*"}}, sg(), true},
		{"other resource", Suppression{Name: "s", Resources: []string{"sg-ffff*"}}, sg(), false},
		{"type", Suppression{Name: "s", Types: []string{"AuthorizeSecurityGroup*"}}, sg(), true},
		{"other type", Suppression{Name: "s", Types: []string{"Revoke*"}}, sg(), false},
		{"GuardDuty finding type", Suppression{Name: "s", Types: []string{"CryptoCurrency:EC2/*"}}, sample(t, "guardduty/HIGH--crypto-mining.json", fiveAccounts[0]), true},
		{"Security Hub control", Suppression{Name: "s", Types: []string{"security-control/S3.8"}},
			sample(t, "securityhub/HIGH--s3-block-public-access-control-failed.json", fiveAccounts[0]), true},
		{"below a higher severity", Suppression{Name: "s", Below: below(severity.Critical)}, sg(), true},
		{"below its own severity", Suppression{Name: "s", Below: below(severity.High)}, sg(), false},
		{"every matcher", Suppression{Name: "s", Detectors: []string{"security-groups"}, Accounts: []string{fiveAccounts[0]},
			Regions: []string{"eu-west-1"}, Resources: []string{"sg-*"}, Types: []string{"Authorize*"}}, sg(), true},
		{"every matcher but one", Suppression{Name: "s", Detectors: []string{"security-groups"}, Accounts: []string{fiveAccounts[0]},
			Regions: []string{"eu-west-1"}, Resources: []string{"sg-*"}, Types: []string{"Revoke*"}}, sg(), false},
		{"until today", Suppression{Name: "s", Until: "2025-03-14"}, sg(), true},
		{"expired yesterday", Suppression{Name: "s", Until: "2025-03-13"}, sg(), false},
		{"the canary", Suppression{Name: "s"}, sample(t, "canary/HIGH--test-high.json", fiveAccounts[0]), false},
		{"the pipeline's alarm", Suppression{Name: "s"}, sample(t, "pipeline-alarm/HIGH--dlq-depth.json", fiveAccounts[0]), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: now}
			e, err := New(quietConfig(0, Flood{}, tc.sup), Options{Store: NewMemoryStore(), Sender: &recorder{}, Now: c.now})
			if err != nil {
				t.Fatal(err)
			}
			o, err := e.Handle(context.Background(), Input{Customer: "acme", Event: tc.event})
			if err != nil {
				t.Fatal(err)
			}
			if got := o.Quiet == QuietSuppressed+"s"; got != tc.quiet {
				t.Errorf("suppressed %v (quiet %q, %d deliveries), want %v", got, o.Quiet, len(o.Deliveries), tc.quiet)
			}
			if !tc.quiet && len(o.Deliveries) == 0 {
				t.Errorf("not suppressed, yet not delivered (quiet %q)", o.Quiet)
			}
		})
	}
	t.Run("the hub's reports", func(t *testing.T) {
		c := &clock{t: now}
		e, _ := New(quietConfig(0, Flood{}, Suppression{Name: "all"}), Options{Store: NewMemoryStore(), Sender: &recorder{}, Now: c.now})
		o, err := e.Report(context.Background(), "acme", sample(t, "heartbeat-missing/HIGH--one-region-silent.json", hubAccount))
		if err != nil || o.Quiet != "" || len(o.Deliveries) == 0 {
			t.Errorf("a silence report: quiet %q, %d deliveries, %v", o.Quiet, len(o.Deliveries), err)
		}
	})
}

// TestWeeklyReport: a week's quiet alerts are reported once, after the
// week, to every destination, with why.
func TestWeeklyReport(t *testing.T) {
	out := &recorder{}
	c := &clock{t: month.Add(time.Hour)}
	cfg := quietConfig(0, Flood{}, Suppression{Name: "office-ssh", Resources: []string{"sg-*"}})
	cfg.Customers[0].Destinations = append(cfg.Customers[0].Destinations,
		Destination{ID: "email:pager@example.com", Kind: Email, MinSeverity: severity.Critical, Topic: emailTopic})
	e, _ := New(cfg, Options{Store: NewMemoryStore(), Sender: out, Now: c.now})
	for range 3 {
		if _, err := e.Handle(context.Background(), Input{Customer: "acme",
			Event: sample(t, "security-groups/HIGH--authorize-ingress-ssh-from-anywhere.json", fiveAccounts[0])}); err != nil {
			t.Fatal(err)
		}
	}
	if sent, _ := e.Tick(context.Background()); len(sent) != 0 {
		t.Fatalf("a report before the week ended: %+v", sent)
	}
	c.set(month.AddDate(0, 0, 7))
	sent, err := e.Tick(context.Background())
	if err != nil || len(sent) != 1 || sent[0].Kind != SentWeekly || len(sent[0].Deliveries) != 2 {
		t.Fatalf("weekly report: %+v %v", sent, err)
	}
	if body := string(sent[0].Deliveries[0].Body); !strings.Contains(body, "suppressed:office-ssh 3") {
		t.Errorf("the report does not say why: %s", body)
	}
	if sent, _ := e.Tick(context.Background()); len(sent) != 0 {
		t.Errorf("the report went twice")
	}
}

// TestAHugeFindingKeepsItsStateWritable: a finding whose texts fill an
// event of EventBridge's maximum size still leaves a state item DynamoDB
// can hold (400 KB), and its reminder still names it.
func TestAHugeFindingKeepsItsStateWritable(t *testing.T) {
	var e map[string]any
	if err := json.Unmarshal(sample(t, "guardduty/HIGH--crypto-mining.json", fiveAccounts[0]), &e); err != nil {
		t.Fatal(err)
	}
	d := e["detail"].(map[string]any)
	d["title"] = "huge " + strings.Repeat("T", 450<<10)
	d["description"] = strings.Repeat("D", 450<<10)
	event, _ := json.Marshal(e)
	store := NewMemoryStore()
	eng, err := New(quietConfig(7, Flood{}), Options{Store: store, Sender: &recorder{}, Now: (&clock{t: month}).now})
	if err != nil {
		t.Fatal(err)
	}
	o, err := eng.Handle(context.Background(), Input{Customer: "acme", Event: event})
	if err != nil || len(o.Deliveries) == 0 {
		t.Fatalf("the huge finding: %+v, %v", o.Deliveries, err)
	}
	for _, it := range store.Items() {
		if len(it.Data) > 64<<10 {
			t.Errorf("item %s is %d bytes", it.Key.PK, len(it.Data))
		}
	}
}
