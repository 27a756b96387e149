package plan

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"secalerts/config"
	"secalerts/engine"
	"secalerts/eventbridge"
	"secalerts/severity"
)

func acme() config.Customer {
	return config.Customer{
		Name:     "acme",
		Accounts: []config.Account{{ID: "111111111111", Name: "prod"}, {ID: "222222222222"}},
		Slack: []config.SlackChannel{
			{WorkspaceID: "T0000000001", ChannelID: "C0000000001", MinSeverity: severity.High},
			{WorkspaceID: "T0000000001", ChannelID: "C0000000002", MinSeverity: severity.Medium},
		},
		Teams: []config.TeamsChannel{{TenantID: "00000000-0000-4000-8000-000000000001", TeamID: "00000000-0000-4000-8000-000000000002",
			ChannelID: "19%3Aabc%40thread.tacv2", MinSeverity: severity.Low}},
		Emails:   []config.Email{{Address: "a@example.com", MinSeverity: severity.Critical}, {Address: "b@example.com", MinSeverity: severity.Medium}},
		Webhooks: []config.Webhook{{Name: "pager", URL: "https://example.com/x", Format: config.FormatJSON, MinSeverity: severity.Critical}},
	}
}

func hubWith(customers ...config.Customer) *config.Hub {
	return &config.Hub{AccountID: "999999999999", Region: "us-east-1", Customers: customers, AlarmEmails: []string{"ops@example.com"},
		KeyDeletionWindowDays: 30, ArchiveRetentionDays: 30, MaxEventBuses: 100, ChatbotRegion: "us-east-2",
		Heartbeat: config.HubHeartbeat{Enabled: true, MissingAfterMinutes: 90, RemindEveryHours: 24}}
}

func mustHub(t *testing.T, h *config.Hub) *Hub {
	t.Helper()
	p, err := NewHub(h)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCustomerDestinations: every destination reaches the function's plan
// with its minimum severity, chat channels and the e-mail topic get their
// topics, and each e-mail subscription filters on its own severity.
func TestCustomerDestinations(t *testing.T) {
	p := mustHub(t, hubWith(acme()))
	c := p.Customers[0]
	if len(c.Chat) != 3 || c.EmailTopic == nil || len(c.Emails) != 2 || len(c.Webhooks) != 1 {
		t.Fatalf("chat %d, e-mail topic %v, e-mails %d, webhooks %d", len(c.Chat), c.EmailTopic, len(c.Emails), len(c.Webhooks))
	}
	want := map[string]severity.Severity{
		"slack:T0000000001/C0000000001": severity.High, "slack:T0000000001/C0000000002": severity.Medium,
		// Teams IDs are shown as Teams shows them, not URL-encoded.
		"teams:00000000-0000-4000-8000-000000000002/19:abc@thread.tacv2": severity.Low,
		"email:a@example.com": severity.Critical, "email:b@example.com": severity.Medium, "webhook:pager": severity.Critical,
	}
	dests := p.Delivery().Customers[0].Destinations
	if len(dests) != len(want) {
		t.Fatalf("destinations %+v", dests)
	}
	topics := map[string]bool{}
	for _, d := range dests {
		if min, ok := want[d.ID]; !ok || min != d.MinSeverity {
			t.Errorf("destination %s with %s, want %v", d.ID, d.MinSeverity, want[d.ID])
		}
		switch d.Kind {
		case engine.Slack, engine.Teams:
			if topics[d.Topic] {
				t.Errorf("two chat channels share topic %s", d.Topic)
			}
			topics[d.Topic] = true
		case engine.Email:
			if d.Topic != c.EmailTopic.ARN {
				t.Errorf("%s publishes to %s, not the e-mail topic", d.ID, d.Topic)
			}
		case engine.Webhook:
			if d.Parameter != "/secalerts/acme/webhooks/pager" || d.Format != "json" {
				t.Errorf("webhook %+v", d)
			}
		}
	}
	for _, e := range c.Emails {
		var f map[string][]map[string][]any
		if err := json.Unmarshal([]byte(e.FilterPolicy), &f); err != nil {
			t.Fatal(err)
		}
		if got := f[engine.SeverityAttribute][0]["numeric"]; fmt.Sprint(got) != fmt.Sprintf("[>= %d]", int(e.MinSeverity)) {
			t.Errorf("%s filters on %v", e.Address, got)
		}
	}
	if p.Chatbot == nil || p.Chatbot.Region != "us-east-2" {
		t.Errorf("the Chatbot configurations are not planned in us-east-2: %+v", p.Chatbot)
	}
	for _, ch := range c.Chat {
		if !strings.HasPrefix(ch.ConfigurationName, "secalerts-us-east-1-acme-") || len(ch.ConfigurationName) > 128 {
			t.Errorf("configuration name %q does not name the hub region and customer", ch.ConfigurationName)
		}
	}
}

// TestDeliverRule: a customer's one rule lets through what the catalogue
// alerts on and the members' heartbeats, and nothing a member could send
// under a source of its own making, the hub's reports included.
func TestDeliverRule(t *testing.T) {
	r := mustHub(t, hubWith(acme())).Customers[0].Rule
	event := func(source string) []byte {
		b, _ := json.Marshal(map[string]any{"id": "1", "source": source, "detail-type": "x", "account": "111111111111",
			"region": "us-east-1", "time": "2026-01-01T00:00:00Z", "resources": []any{}, "detail": map[string]any{}})
		return b
	}
	for source, want := range map[string]bool{
		"aws.guardduty": true, "aws.securityhub": true, "aws.iam": true, "aws.cloudtrail": true, "aws.events": true,
		"secalerts.canary": true, "secalerts.heartbeat": false, "custom.app": false, "aws.fake": false,
	} {
		ok, err := eventbridge.MatchPattern([]byte(r.Pattern), event(source))
		if err != nil {
			t.Fatal(err)
		}
		if ok != want {
			t.Errorf("source %s: rule matches %v, want %v", source, ok, want)
		}
	}
	if !strings.Contains(r.Input, `"customer":"acme"`) || !strings.Contains(r.Input, "<aws.events.event.json>") {
		t.Errorf("input %s", r.Input)
	}
	in, err := eventbridge.InputTransformer{Paths: map[string]string{}, Template: r.Input}.Render(event("aws.guardduty"), eventbridge.RuleInfo{})
	if err != nil {
		t.Fatal(err)
	}
	var got engine.Input
	if err := json.Unmarshal([]byte(in), &got); err != nil || got.Customer != "acme" || !strings.Contains(string(got.Event), "aws.guardduty") {
		t.Errorf("the function would get %s (%v)", in, err)
	}
}

// TestHubScalesTo300Customers: with 300 customers of several destinations
// each, every hub-wide document stays what it is for one customer, and the
// plan stays within every quota.
func TestHubScalesTo300Customers(t *testing.T) {
	one := mustHub(t, hubWith(acme()))
	var cs []config.Customer
	for i := range 300 {
		c := acme()
		c.Name = fmt.Sprintf("customer-with-a-long-name-%03d", i)
		for j := range c.Accounts {
			c.Accounts[j].ID = fmt.Sprintf("%012d", 100000000000+2*i+j)
		}
		cs = append(cs, c)
	}
	h := hubWith(cs...)
	h.MaxEventBuses = 300
	big := mustHub(t, h)
	size := func(p *Hub) map[string]int {
		js := func(v any) int {
			b, _ := json.Marshal(v)
			return len(b)
		}
		return map[string]int{
			"hub key": js(p.Key.Policy), "operator key": js(p.OperatorKey.Policy), "bus DLQ": js(p.BusDLQ.Policy),
			"function role": js(p.Function.Permissions(exampleKeyARN(p.Account), exampleKeyARN(p.Account))),
		}
	}
	if a, b := size(one), size(big); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("hub-wide documents grow with customers: 1 customer %v, 300 customers %v", a, b)
	}
	if got := len(big.Customers); got != 300 {
		t.Errorf("%d customers planned", got)
	}
}

// TestHubRefusesWhatAWSWouldRefuse: past each limit validation names the
// key, before anything exists.
func TestHubRefusesWhatAWSWouldRefuse(t *testing.T) {
	// A customer and a channel spelling another customer's names.
	a := acme()
	a.Teams, a.Emails, a.Webhooks = nil, nil, nil
	b := acme()
	b.Name, b.Accounts = "acme-slack-C0000000001", []config.Account{{ID: "333333333333"}}
	b.Slack, b.Teams, b.Webhooks = nil, nil, nil
	if _, err := NewHub(hubWith(a, b)); err != nil {
		t.Errorf("names of different kinds may be equal: %v", err)
	}
	var accounts []config.Account
	for i := range 1000 {
		accounts = append(accounts, config.Account{ID: fmt.Sprintf("%012d", 100000000000+i)})
	}
	big := acme()
	big.Accounts = accounts
	_, err := NewHub(hubWith(big))
	if err == nil || !strings.Contains(err.Error(), "secalerts:hub.customers[0].accounts") || !strings.Contains(err.Error(), "organizationId") {
		t.Errorf("1000 accounts: %v", err)
	}
}

// TestQuietWarnings: the preview names suppressions that expired or can
// match nothing, and only those; the function's plan carries the quiet
// settings as configured.
func TestQuietWarnings(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	low, medium := severity.Low, severity.Medium
	c := acme()
	c.RemindAfterDays, c.Flood = 3, engine.Flood{MaxPerWindow: 4, WindowMinutes: 20}
	c.Suppressions = []engine.Suppression{
		{Name: "fine", Detectors: []string{"security-groups"}, Until: "2026-12-02"},
		{Name: "expired", Detectors: []string{"security-groups"}, Until: "2026-12-01"},
		{Name: "stranger", Accounts: []string{"333333333333"}},
		{Name: "listed", Accounts: []string{"333333333333", "222222222222"}},
		{Name: "under-every-destination", Types: []string{"x"}, Below: &low},
		{Name: "under-one-destination", Types: []string{"x"}, Below: &medium},
		{Name: "who-on-findings", Detectors: []string{"guardduty", "securityhub"}, Principals: []string{"arn:aws:iam::*:role/x"}},
		{Name: "who-on-calls", Detectors: []string{"guardduty", "security-groups"}, Principals: []string{"arn:aws:iam::*:role/x"}},
	}
	p := mustHub(t, hubWith(c))
	got := strings.Join(p.Warnings(now), "\n")
	for _, want := range []string{
		`suppression "expired" of customer acme expired on 2026-12-01`,
		`suppression "stranger" of customer acme matches nothing: none of its accounts (333333333333)`,
		`suppression "under-every-destination" of customer acme matches nothing: every destination takes LOW or higher`,
		`suppression "who-on-findings" of customer acme matches nothing: none of its detectors (guardduty, securityhub) reports who acted`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings lack %q:\n%s", want, got)
		}
	}
	for _, quiet := range []string{`"fine"`, `"listed"`, `"under-one-destination"`, `"who-on-calls"`} {
		if strings.Contains(got, quiet) {
			t.Errorf("warns of %s:\n%s", quiet, got)
		}
	}
	ec := p.Delivery().Customers[0]
	if ec.RemindAfterDays != 3 || ec.Flood != c.Flood || len(ec.Suppressions) != len(c.Suppressions) {
		t.Errorf("the function's plan has %d %+v %d suppressions", ec.RemindAfterDays, ec.Flood, len(ec.Suppressions))
	}
}
