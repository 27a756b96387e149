package render

import (
	"encoding/json"
	"strings"
	"testing"

	"secalerts/detectors"
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

// TestCatalogueConsoleURLs: every detector's console link survives the
// host check for its samples.
func TestCatalogueConsoleURLs(t *testing.T) {
	dropped := map[string]bool{}
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

// TestTitles pins the headline of a few events in every format: the text
// the EventBridge input transformers sent before the delivery function
// rendered messages, so users see the alerts they know.
func TestTitles(t *testing.T) {
	for name, want := range titles {
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
			for _, f := range Formats {
				got, headline := r[f].title, want
				switch f {
				case FormatSlack:
					got = strings.Trim(got, "*")
				case FormatJSON:
					// The document carries severity in a key of its own.
					_, headline, _ = strings.Cut(want, " · ")
				}
				if got != headline {
					t.Errorf("%s title\n got %q\nwant %q", f, got, headline)
				}
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
	if d.Message.AboutAccount != "awsAccountId" {
		t.Fatal("the securityhub detector no longer names the account a finding is about")
	}
	plain := d
	plain.Message.AboutAccount = ""

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
		{"detector without AboutAccount", plain, event("999999999999", "111122223333"), "999999999999", "111122223333"},
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

// titles are the headlines TestTitles expects.
var titles = map[string]string{
	"securityhub/HIGH--s3-block-public-access-control-failed.json":      "🔴 HIGH · Security Hub HIGH: S3.8 S3 general purpose buckets should block public access",
	"securityhub/CRITICAL--inspector-cve-no-compliance-field.json":      "🚨 CRITICAL · Security Hub CRITICAL: CVE-2024-3094 - xz-utils",
	"guardduty/HIGH--crypto-mining.json":                                "🔴 HIGH · GuardDuty: EC2 instance i-0abc1234def567890 is querying a domain name associated with Bitcoin.",
	"guardduty/LOW--ssh-brute-force.json":                               "🟡 LOW · GuardDuty: 198.51.100.7 is performing SSH brute force attacks against i-0abc1234def567890.",
	"heartbeat-missing/HIGH--reminder.json":                             "🔴 HIGH · No secalerts heartbeat from rule secalerts-forward-1 of account 111111111111 in eu-west-1 for 27 h",
	"iam-policy-changes/HIGH--attach-administrator-access-to-role.json": "🔴 HIGH · IAM policy change AttachRolePolicy arn:aws:iam::aws:policy/AdministratorAccess in account 111122223333",
	"canary/MEDIUM--test-medium.json":                                   "🟠 MEDIUM · [TEST] secalerts canary (MEDIUM) from account 111122223333 - no action needed",
	"root-signin/CRITICAL--success-without-mfa.json":                    "🚨 CRITICAL · Root user console sign-in (Success) in account 111122223333",
	"security-groups/HIGH--authorize-ingress-ssh-from-anywhere.json":    "🔴 HIGH · Security group AuthorizeSecurityGroupIngress on sg-0a1b2c3d4e5f60718 in account 111122223333 (eu-west-1)",
	"organizations/MEDIUM--create-account-result-succeeded.json":        "🟠 MEDIUM · New AWS account 444455556666 created in the organization",
}
