package render

import (
	"encoding/json"
	"strings"
	"testing"

	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/messages"
)

// TestCatalogueSamples renders every matching sample event of every
// detector in every format.
func TestCatalogueSamples(t *testing.T) {
	for _, s := range catalogueSamples(t) {
		t.Run(s.name, func(t *testing.T) {
			x, err := Extract(s.detector, s.variant, s.event)
			if err != nil {
				t.Fatal(err)
			}
			m := FromEvent(x, testContext)
			for f, r := range renderAll(t, m) {
				if u := unfilledRE.FindString(r.all()); u != "" {
					t.Errorf("%s: placeholder %s left unfilled:\n%s", f, u, r.all())
				}
				if !strings.Contains(r.all(), "Acme") || !strings.Contains(r.all(), "Production") {
					t.Errorf("%s: customer or account name missing:\n%s", f, r.all())
				}
				if strings.Contains(r.all(), truncatedMark) {
					t.Errorf("%s: a sample event was truncated:\n%s", f, r.all())
				}
			}
		})
	}
}

// TestCatalogueConsoleURLs pins which detectors keep their console link for
// their samples: all but the one whose URL is on a host consoleURL does not
// accept.
func TestCatalogueConsoleURLs(t *testing.T) {
	// s3.console.aws.amazon.com is not <region>.console.aws.amazon.com:
	// the link is dropped until the detector uses the regional host.
	dropped := map[string]bool{"s3-bucket-policy-changes": true}
	for _, s := range catalogueSamples(t) {
		x, err := Extract(s.detector, s.variant, s.event)
		if err != nil {
			t.Fatal(err)
		}
		m := FromEvent(x, testContext)
		if got, want := m.ConsoleURL == "", dropped[s.detector.ID]; got != want {
			t.Errorf("%s: console URL %q, want dropped %v (template %q)", s.name, m.ConsoleURL, want, x.Message.ConsoleURL)
		}
	}
}

// TestTitlesMatchToday compares the titles with what the EventBridge input
// transformers of package messages produce today, for events without
// quotes, markup or links in their values.
func TestTitlesMatchToday(t *testing.T) {
	for _, name := range []string{
		"securityhub/HIGH--s3-block-public-access-control-failed.json",
		"securityhub/CRITICAL--inspector-cve-no-compliance-field.json",
		"guardduty/HIGH--crypto-mining.json",
		"guardduty/LOW--ssh-brute-force.json",
		"heartbeat-missing/HIGH--reminder.json",
		"iam-policy-changes/HIGH--attach-administrator-access-to-role.json",
		"canary/MEDIUM--test-medium.json",
		"root-signin/CRITICAL--success-without-mfa.json",
		"security-groups/HIGH--authorize-ingress-ssh-from-anywhere.json",
		"organizations/MEDIUM--create-account-result-succeeded.json",
	} {
		t.Run(name, func(t *testing.T) {
			id, _, _ := strings.Cut(name, "/")
			d := mustDetector(t, id)
			event := readSample(t, name)
			v, ok := matchingVariant(t, d, event)
			if !ok {
				t.Fatal("no variant matches")
			}
			x, err := Extract(d, v, event)
			if err != nil {
				t.Fatal(err)
			}
			r := renderAll(t, FromEvent(x, testContext))

			today := func(f messages.Format) string {
				it, err := messages.Transformer(f, d, v, messages.Context{Customer: testContext.Customer, AccountName: testContext.AccountName})
				if err != nil {
					t.Fatal(err)
				}
				out, err := it.Render(event, eventbridge.RuleInfo{})
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			var doc struct {
				Content struct{ Title string } `json:"content"`
			}
			if err := json.Unmarshal([]byte(today(messages.Chatbot)), &doc); err != nil {
				t.Fatal(err)
			}
			if got := r[FormatChatbot].title; got != doc.Content.Title {
				t.Errorf("chatbot title\n got %q\nwant %q", got, doc.Content.Title)
			}
			var slack struct{ Text string }
			if err := json.Unmarshal([]byte(today(messages.SlackWebhook)), &slack); err != nil {
				t.Fatal(err)
			}
			if first, _, _ := strings.Cut(slack.Text, "\n"); r[FormatSlack].title != first {
				t.Errorf("slack title\n got %q\nwant %q", r[FormatSlack].title, first)
			}
			var js struct{ Title string }
			if err := json.Unmarshal([]byte(today(messages.JSONWebhook)), &js); err != nil {
				t.Fatal(err)
			}
			if r[FormatJSON].title != js.Title {
				t.Errorf("json title\n got %q\nwant %q", r[FormatJSON].title, js.Title)
			}
			// Today's e-mail quotes each line; its first line is the headline.
			mail := today(messages.Email)
			first, _, _ := strings.Cut(mail, "\n")
			if want := strings.Trim(first, `"`); r[FormatEmail].title != want {
				t.Errorf("e-mail headline\n got %q\nwant %q", r[FormatEmail].title, want)
			}
		})
	}
}

// TestAboutAccount shows the generic "about" lookup: a Security Hub finding
// aggregated in an administrator account names the member it is about in
// AwsAccountId, which wins over the event's account once the detector says
// so with AboutAccount.
func TestAboutAccount(t *testing.T) {
	d := mustDetector(t, "securityhub")
	aggregated := d
	aggregated.Message.Paths = map[string]string{"awsAccountId": "$.detail.findings[0].AwsAccountId"}
	for k, v := range d.Message.Paths {
		aggregated.Message.Paths[k] = v
	}
	aggregated.Message.AboutAccount = "awsAccountId"

	event := func(eventAccount, findingAccount string) []byte {
		var doc map[string]any
		if err := json.Unmarshal(readSample(t, "securityhub/HIGH--s3-block-public-access-control-failed.json"), &doc); err != nil {
			t.Fatal(err)
		}
		doc["account"] = eventAccount
		finding := doc["detail"].(map[string]any)["findings"].([]any)[0].(map[string]any)
		if findingAccount == "" {
			delete(finding, "AwsAccountId")
		} else {
			finding["AwsAccountId"] = findingAccount
		}
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name      string
		d         detectors.Detector
		event     []byte
		want      string
		wantValue string
	}{
		{"member finding in the admin account", aggregated, event("999999999999", "111122223333"), "111122223333", "111122223333"},
		{"finding of the admin account itself", aggregated, event("999999999999", "999999999999"), "999999999999", "999999999999"},
		{"no AwsAccountId", aggregated, event("999999999999", ""), "999999999999", ""},
		{"AwsAccountId is not an account ID", aggregated, event("999999999999", "<!channel>"), "999999999999", "<!channel>"},
		{"detector without AboutAccount", d, event("999999999999", "111122223333"), "999999999999", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := variantOf(t, tc.d, 3)
			x, err := Extract(tc.d, v, tc.event)
			if err != nil {
				t.Fatal(err)
			}
			if x.Account != tc.want || x.Values["awsAccountId"] != tc.wantValue {
				t.Errorf("account %q, awsAccountId %q; want %q, %q", x.Account, x.Values["awsAccountId"], tc.want, tc.wantValue)
			}
			r := renderAll(t, FromEvent(x, Context{Customer: "Acme"}))
			if got := r[FormatJSON].webhook.Account; got != tc.want {
				t.Errorf("json account %q, want %q", got, tc.want)
			}
			if got := r[FormatChatbot].chatbot.Metadata.AdditionalContext["account"]; got != tc.want {
				t.Errorf("chatbot account %q, want %q", got, tc.want)
			}
			if !strings.Contains(r[FormatSlack].chat[0], "*Account:* "+tc.want+"\n") {
				t.Errorf("slack account line is not %s:\n%s", tc.want, r[FormatSlack].chat[0])
			}
		})
	}
}
