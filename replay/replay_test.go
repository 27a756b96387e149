package replay_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"secalerts/detectors"
	"secalerts/internal/stacktest"
	"secalerts/replay"
)

const (
	memberAccount = stacktest.MemberAccount
	hubAccount    = stacktest.HubAccount
)

// examplePath is an example stack file as a path.
func examplePath(t *testing.T, file string) string { return stacktest.Path(t, file) }

func canary(t *testing.T, sev, account, region string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"version": "0", "id": "00000000-0000-4000-8000-000000000001",
		"detail-type": "secalerts canary", "source": "secalerts.canary",
		"account": account, "time": "2026-03-04T05:06:07Z", "region": region, "resources": []any{},
		"detail": map[string]any{"severity": sev, "message": "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// critical is a CRITICAL event that reaches every destination: canaries
// stop at each customer's canaryMaxSeverity.
func critical(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(stacktest.Path(t, "testdata/events/root-signin/CRITICAL--success-without-mfa.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	sessionsMu sync.Mutex
	sessions   = map[*replay.Router]*replay.Session{}
)

// replayOne replays event in the session of p (one per router, so state
// carries from one call to the next, as in one replay) and returns the
// event's own result, the last.
func replayOne(t testing.TB, p *replay.Router, file string, index int, event []byte) replay.Result {
	t.Helper()
	sessionsMu.Lock()
	defer sessionsMu.Unlock()
	s := sessions[p]
	if s == nil {
		var err error
		if s, err = p.NewSession(); err != nil {
			t.Fatal(err)
		}
		sessions[p] = s
	}
	rs := s.Replay(file, index, event)
	return rs[len(rs)-1]
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReplayRejectsWhatIsNotAnEvent(t *testing.T) {
	p := stacktest.ExamplePipeline(t)
	for _, tc := range []struct {
		name, event string
	}{
		{"number", `1`},
		{"array", `[{"source": "secalerts.canary"}]`},
		{"no source", `{"detail-type": "secalerts canary", "account": "111111111111", "region": "us-east-1", "detail": {}}`},
		{"no region", `{"source": "secalerts.canary", "detail-type": "secalerts canary", "account": "111111111111"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := replayOne(t, p, "events.json", 3, []byte(tc.event))
			if res.Error == "" || !strings.Contains(res.Error, "events.json") || !strings.Contains(res.Error, "event 3") {
				t.Errorf("error %q, want one naming events.json and event 3", res.Error)
			}
			if res.Forwarded || len(res.Deliveries) != 0 {
				t.Errorf("a malformed event was forwarded: %+v", res)
			}
		})
	}
}

// TestReplayPutsTheEventInTheMemberAccount: the member's default bus only
// carries the member's account, so replay rewrites the sample's account and
// says so.
func TestReplayPutsTheEventInTheMemberAccount(t *testing.T) {
	p := stacktest.ExamplePipeline(t)

	res := replayOne(t, p, "x.json", 1, canary(t, "HIGH", "123456789012", "eu-west-1"))
	if res.Error != "" {
		t.Fatal(res.Error)
	}
	if res.Account != memberAccount || !strings.Contains(res.Note, "123456789012") || !strings.Contains(res.Note, memberAccount) {
		t.Errorf("account %q note %q, want the member account and a note naming both accounts", res.Account, res.Note)
	}
	if !res.Forwarded || res.Customer != "acme" || len(res.Deliveries) == 0 {
		t.Fatalf("a HIGH canary from the member is not delivered: %+v", res)
	}
	for _, d := range res.Deliveries {
		if !strings.Contains(d.Message, memberAccount) || strings.Contains(d.Message, "123456789012") {
			t.Errorf("%s: the message does not show the member account alone:\n%s", d.Destination, d.Message)
		}
	}

	same := replayOne(t, p, "y.json", 1, canary(t, "HIGH", memberAccount, "eu-west-1"))
	if same.Note != "" || same.Account != memberAccount || len(same.Deliveries) != len(res.Deliveries) {
		t.Errorf("an event already in the member account: note %q account %q, %d deliveries (want %d)",
			same.Note, same.Account, len(same.Deliveries), len(res.Deliveries))
	}
}

// TestReplayAppliesTheBusPolicy replays through a hub whose customer acme
// does not list the member account: the member forwards, the bus refuses.
func TestReplayAppliesTheBusPolicy(t *testing.T) {
	example, err := os.ReadFile(examplePath(t, stacktest.HubFile))
	if err != nil {
		t.Fatal(err)
	}
	content := strings.Replace(string(example), `- id: "111111111111"`, `- id: "444444444444"`, 1)
	if content == string(example) {
		t.Fatal("Pulumi.hub.yaml no longer lists account 111111111111 for acme; update this test")
	}
	p := stacktest.Pipeline(t, stacktest.StackFile(t, "stranger", content), examplePath(t, stacktest.MemberFile))

	res := replayOne(t, p, "x.json", 1, canary(t, "CRITICAL", "123456789012", "eu-west-1"))
	if res.Error != "" {
		t.Fatal(res.Error)
	}
	if !res.Forwarded || res.Customer != "acme" {
		t.Fatalf("the member did not forward to acme's bus: %+v", res)
	}
	if len(res.Deliveries) != 0 {
		t.Errorf("the bus admitted account %s: %+v", memberAccount, res.Deliveries)
	}
	if !strings.Contains(res.Dropped, "does not admit account "+memberAccount) {
		t.Errorf("dropped %q, want the bus policy's refusal of %s", res.Dropped, memberAccount)
	}
	if !strings.Contains(res.Note, "replaced by the member's account "+memberAccount) {
		t.Errorf("note %q, want the account rewrite", res.Note)
	}
}

type chatbotNotification struct {
	Version string
	Source  string
	Content struct {
		Title       string
		Description string
		NextSteps   []string
	}
}

func TestChatDeliveriesAreChatbotNotifications(t *testing.T) {
	p := stacktest.ExamplePipeline(t)
	res := replayOne(t, p, "x.json", 1, critical(t))
	if res.Error != "" {
		t.Fatal(res.Error)
	}
	chats := 0
	for _, d := range res.Deliveries {
		if !replay.IsChat(d.Destination) {
			var n chatbotNotification
			if json.Unmarshal([]byte(d.Message), &n) == nil && n.Source == "custom" {
				t.Errorf("%s gets a Chatbot notification", d.Destination)
			}
			continue
		}
		chats++
		var n chatbotNotification
		if err := json.Unmarshal([]byte(d.Message), &n); err != nil {
			t.Errorf("%s: message is not JSON: %v\n%s", d.Destination, err, d.Message)
			continue
		}
		if n.Version != "1.0" || n.Source != "custom" || !strings.Contains(n.Content.Title, "CRITICAL") || n.Content.Description == "" {
			t.Errorf("%s: not a Chatbot custom notification with a title: %+v", d.Destination, n)
		}
	}
	if chats != 2 {
		t.Errorf("%d chat deliveries, want acme's 2 Slack channels: %+v", chats, res.Deliveries)
	}
	var n chatbotNotification
	if err := json.Unmarshal([]byte(res.Message), &n); err != nil || n.Content.Title == "" {
		t.Errorf("Message is not the chat rendering: %s", res.Message)
	}
}

// TestMessageIsTheTeamsRendering: a customer with Teams and e-mail only
// still gets the chat rendering as the result's message.
func TestMessageIsTheTeamsRendering(t *testing.T) {
	member := stacktest.StackFile(t, "globex", `config:
  pulumi:disable-default-providers:
    - aws
  secalerts:role: member
  secalerts:member:
    accountId: "333333333333"
    hubEventBusArn: arn:aws:events:us-east-1:999999999999:event-bus/secalerts-globex
    regions:
      - us-east-1
`)
	p := stacktest.Pipeline(t, examplePath(t, stacktest.HubFile), member)
	res := replayOne(t, p, "x.json", 1, critical(t))
	if res.Error != "" {
		t.Fatal(res.Error)
	}
	var kinds []string
	for _, d := range res.Deliveries {
		kinds = append(kinds, strings.SplitN(d.Destination, ":", 2)[0])
	}
	if res.Customer != "globex" || strings.Join(kinds, ",") != "email,teams" {
		t.Fatalf("customer %q deliveries %v, want globex's e-mail and Teams channel", res.Customer, kinds)
	}
	var n chatbotNotification
	if err := json.Unmarshal([]byte(res.Message), &n); err != nil || n.Source != "custom" || n.Content.Title == "" {
		t.Errorf("Message is not the Teams (Chatbot) rendering:\n%s", res.Message)
	}
}

// TestReplayInAnotherPartition: bus ARNs follow the hub region's partition,
// so a GovCloud member's hubEventBusArn finds its bus.
func TestReplayInAnotherPartition(t *testing.T) {
	// Chatbot's API is not served in GovCloud: the hub delivers by e-mail.
	hub := `config:
  pulumi:disable-default-providers: [aws]
  secalerts:role: hub
  secalerts:hub:
    accountId: "999999999999"
    region: us-gov-west-1
    alarmEmails: [secops@example.com]
    customers:
      - name: acme
        accounts: ["111111111111"]
        emails: [soc@example.com]
`
	member := `config:
  pulumi:disable-default-providers:
    - aws
  secalerts:role: member
  secalerts:member:
    accountId: "111111111111"
    hubEventBusArn: arn:aws-us-gov:events:us-gov-west-1:999999999999:event-bus/secalerts-acme
    homeRegion: us-gov-west-1
    regions:
      - us-gov-west-1
    # PlanMember wants us-east-1 for global events even in GovCloud.
    detectors:
      iam-policy-changes:
        enabled: false
      organization-leave:
        enabled: false
      pipeline-role-changes:
        enabled: false
      region-changes:
        enabled: false
`
	govHub := stacktest.StackFile(t, "govhub", hub)
	if arn := stacktest.HubPlan(t, govHub).BusARNs()["acme"]; arn != "arn:aws-us-gov:events:us-gov-west-1:999999999999:event-bus/secalerts-acme" {
		t.Errorf("acme's bus is %s", arn)
	}
	p := stacktest.Pipeline(t, govHub, stacktest.StackFile(t, "govmember", member))
	res := replayOne(t, p, "x.json", 1, canary(t, "HIGH", memberAccount, "us-gov-west-1"))
	if res.Error != "" || !res.Forwarded || res.Customer != "acme" || len(res.Deliveries) == 0 {
		t.Errorf("a HIGH canary in GovCloud is not delivered: %+v", res)
	}
}

// TestReplayOfAHubEvent replays a heartbeat report, which the hub account
// puts on the customer's bus itself: it skips the member and the bus policy
// (which admits only the customer's accounts), keeps its account, and is
// delivered by the hub-only rule; the same event from a member account is
// not a heartbeat report, since the hub's rules pin the hub account.
func TestReplayOfAHubEvent(t *testing.T) {
	p := stacktest.ExamplePipeline(t)
	event := func(account string) []byte {
		b, err := json.Marshal(map[string]any{
			"version": "0", "id": "00000000-0000-4000-8000-000000000002",
			"detail-type": detectors.HeartbeatMissingDetailType, "source": detectors.HeartbeatSource,
			"account": account, "time": "2026-03-04T05:06:07Z", "region": "us-east-1", "resources": []any{},
			"detail": map[string]any{"account": memberAccount, "region": "eu-west-1", "lastSeen": "2026-03-04T01:00:00Z",
				"rule": "secalerts-forward-1", "silentFor": "4 h 6 min", "missingAfter": "1 h 30 min"},
		})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	res := replayOne(t, p, "hub.json", 1, event(hubAccount))
	if res.Error != "" || res.Account != hubAccount || res.ForwardRule != "" || res.Customer != "acme" {
		t.Fatalf("a hub event: %+v", res)
	}
	if res.Detector != "heartbeat-missing" || len(res.Deliveries) == 0 || !strings.Contains(res.Message, "eu-west-1") {
		t.Errorf("the heartbeat report is not delivered naming the silent region: %+v", res)
	}
	forged := replayOne(t, p, "member.json", 1, event(memberAccount))
	if len(forged.Deliveries) != 0 {
		t.Errorf("a member account's look-alike heartbeat report is delivered: %+v", forged.Deliveries)
	}
}
