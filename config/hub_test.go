package config

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"secalerts/names"
	"secalerts/severity"
)

// baseHub is a small valid hub; each error case breaks one thing in it.
const baseHub = `{
  "accountId": "999999999999",
  "region": "us-east-1",
  "alarmEmails": ["secops@example.com"],
  "customers": [
    {
      "name": "acme",
      "accounts": ["111111111111"],
      "slack": [{"workspaceId": "T00000000A", "channelId": "C00000000A"}],
      "teams": [{
        "tenantId": "00000000-0000-4000-8000-000000000001",
        "teamId": "00000000-0000-4000-8000-000000000002",
        "channelId": "19:abc@thread.tacv2"
      }],
      "emails": ["soc@example.com"],
      "webhooks": [{"name": "pager", "url": "https://hooks.example.com/s3cr3t-token"}]
    },
    {"name": "globex", "organizationId": "o-exampleorg1", "emails": ["soc@globex.example"]}
  ]
}`

type obj = map[string]any

// allSecret says every value is a secret.
func allSecret(string) bool { return true }

// hubWith returns baseHub with edit applied to its decoded form.
func hubWith(t *testing.T, edit func(h obj)) []byte {
	t.Helper()
	var h obj
	if err := json.Unmarshal([]byte(baseHub), &h); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(h)
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cust(h obj, i int) obj { return h["customers"].([]any)[i].(obj) }
func elem(v any, i int) obj { return v.([]any)[i].(obj) }

func TestParseHubBaseIsValid(t *testing.T) {
	if _, err := ParseHub(hubWith(t, nil), allSecret); err != nil {
		t.Fatalf("baseHub: %v", err)
	}
}

func TestParseHubErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		raw       string // used instead of an edit of baseHub
		edit      func(h obj)
		notSecret bool
		want      string
	}{
		{name: "invalid JSON", raw: `{"region": `, want: "secalerts:hub: not valid JSON"},
		{name: "shared organization", edit: func(h obj) { cust(h, 0)["organizationId"] = "o-exampleorg1" },
			want: "secalerts:hub.customers[1].organizationId: organization o-exampleorg1 is already admitted by secalerts:hub.customers[0].organizationId"},
		{name: "not an object", raw: `["acme"]`, want: "secalerts:hub: expected an object"},
		{name: "unknown key", edit: func(h obj) { h["regoin"] = "us-east-1" },
			want: `secalerts:hub.regoin: unknown key "regoin" (valid keys here: accountId, region,`},
		{name: "unknown nested key", edit: func(h obj) { elem(cust(h, 0)["slack"], 0)["channel"] = "C00000000A" },
			want: `secalerts:hub.customers[0].slack[0].channel: unknown key "channel" (valid keys here: workspaceId, channelId, minSeverity)`},
		{name: "account ID missing", edit: func(h obj) { delete(h, "accountId") },
			want: "secalerts:hub.accountId: not set"},
		{name: "account ID as number", edit: func(h obj) { h["accountId"] = 999999999999 },
			want: "secalerts:hub.accountId: 999999999999 is a number, not a quoted account ID: put the ID in quotes exactly as written in the stack file"},
		{name: "account ID shape", edit: func(h obj) { h["accountId"] = "99999" },
			want: `secalerts:hub.accountId: "99999" is not an AWS account ID (expected exactly 12 digits`},
		{name: "region missing", edit: func(h obj) { delete(h, "region") },
			want: "secalerts:hub.region: not set"},
		{name: "region shape", edit: func(h obj) { h["region"] = "useast1" },
			want: `secalerts:hub.region: "useast1" is not an AWS region name (expected the form xx-xxxx-N`},
		{name: "region unknown", edit: func(h obj) { h["region"] = "us-north-9" },
			want: `secalerts:hub.region: "us-north-9" is not a known AWS region`},
		{name: "no customers", edit: func(h obj) { h["customers"] = []any{} },
			want: "secalerts:hub.customers: no customers"},
		{name: "customers not a list", edit: func(h obj) { h["customers"] = "acme" },
			want: "secalerts:hub.customers: expected a list, got a string"},
		{name: "customer not an object", edit: func(h obj) { h["customers"].([]any)[1] = "globex" },
			want: "secalerts:hub.customers[1]: expected an object"},
		{name: "customer name shape", edit: func(h obj) { cust(h, 0)["name"] = "Acme Corp" },
			want: `secalerts:hub.customers[0].name: "Acme Corp" is not a valid customer name (expected lowercase letters, digits and dashes`},
		{name: "customer name missing", edit: func(h obj) { delete(cust(h, 0), "name") },
			want: "secalerts:hub.customers[0].name: not set"},
		{name: "customer name too long", edit: func(h obj) { cust(h, 0)["name"] = strings.Repeat("a", names.MaxCustomerName+1) },
			want: fmt.Sprintf("is %d characters, over the %d allowed: its EventBridge archive name", names.MaxCustomerName+1, names.MaxCustomerName)},
		{name: "duplicate customer name", edit: func(h obj) { cust(h, 1)["name"] = "acme" },
			want: `secalerts:hub.customers[1].name: "acme" is already the name of secalerts:hub.customers[0]`},
		{name: "account ID shape in customer", edit: func(h obj) { cust(h, 0)["accounts"] = []any{"12345"} },
			want: `secalerts:hub.customers[0].accounts[0]: "12345" is not an AWS account ID`},
		{name: "account object ID shape", edit: func(h obj) { cust(h, 0)["accounts"] = []any{obj{"id": "1234567890123", "name": "prod"}} },
			want: `secalerts:hub.customers[0].accounts[0].id: "1234567890123" is not an AWS account ID`},
		{name: "account name unusable", edit: func(h obj) { cust(h, 0)["accounts"] = []any{obj{"id": "111111111111", "name": "prod\n"}} },
			want: `secalerts:hub.customers[0].accounts[0].name: "prod\n" is not a usable account name`},
		{name: "account of wrong type", edit: func(h obj) { cust(h, 0)["accounts"] = []any{true} },
			want: "secalerts:hub.customers[0].accounts[0]: expected an account ID string or"},
		{name: "duplicate account in customer", edit: func(h obj) { cust(h, 0)["accounts"] = []any{"111111111111", obj{"id": "111111111111"}} },
			want: "secalerts:hub.customers[0].accounts[1]: account 111111111111 is listed twice (also at secalerts:hub.customers[0].accounts[0])"},
		{name: "account in two customers", edit: func(h obj) { cust(h, 1)["accounts"] = []any{"111111111111"} },
			want: "secalerts:hub.customers[1].accounts[0]: account 111111111111 is already in secalerts:hub.customers[0].accounts[0]"},
		{name: "organization ID shape", edit: func(h obj) { cust(h, 1)["organizationId"] = "o-123" },
			want: `secalerts:hub.customers[1].organizationId: "o-123" is not an AWS Organizations ID`},
		{name: "no accounts nor organization", edit: func(h obj) { delete(cust(h, 0), "accounts") },
			want: `secalerts:hub.customers[0]: customer "acme" admits no account: set accounts`},
		{name: "no destination", edit: func(h obj) { delete(cust(h, 1), "emails") },
			want: `secalerts:hub.customers[1]: customer "globex" has no destination`},
		{name: "Slack workspace ID", edit: func(h obj) { elem(cust(h, 0)["slack"], 0)["workspaceId"] = "acme-workspace" },
			want: `secalerts:hub.customers[0].slack[0].workspaceId: "acme-workspace" is not a Slack workspace ID (expected T and 8-11`},
		{name: "Slack workspace ID missing", edit: func(h obj) { delete(elem(cust(h, 0)["slack"], 0), "workspaceId") },
			want: `secalerts:hub.customers[0].slack[0].workspaceId: "" is not a Slack workspace ID`},
		{name: "Slack channel ID", edit: func(h obj) { elem(cust(h, 0)["slack"], 0)["channelId"] = "general" },
			want: `secalerts:hub.customers[0].slack[0].channelId: "general" is not a Slack channel ID (expected 9-11 upper-case letters and digits starting with C, G or D, e.g. C0123456789)`},
		{name: "Slack channel twice", edit: func(h obj) { s := cust(h, 0)["slack"].([]any); cust(h, 0)["slack"] = append(s, s[0]) },
			want: "secalerts:hub.customers[0].slack[1]: Slack channel C00000000A is listed twice"},
		{name: "Teams tenant ID", edit: func(h obj) { elem(cust(h, 0)["teams"], 0)["tenantId"] = "contoso" },
			want: `secalerts:hub.customers[0].teams[0].tenantId: "contoso" is not a Microsoft Teams tenant ID (expected a GUID`},
		{name: "Teams team ID", edit: func(h obj) { elem(cust(h, 0)["teams"], 0)["teamId"] = "19:abc@thread.tacv2" },
			want: `secalerts:hub.customers[0].teams[0].teamId: "19:abc@thread.tacv2" is not a Microsoft Teams team ID (expected a GUID`},
		{name: "Teams channel ID", edit: func(h obj) { elem(cust(h, 0)["teams"], 0)["channelId"] = "General" },
			want: `secalerts:hub.customers[0].teams[0].channelId: "General" is not a Microsoft Teams channel ID (expected 19:<id>@thread.tacv2`},
		{name: "Teams channel link", edit: func(h obj) {
			elem(cust(h, 0)["teams"], 0)["channelId"] = "https://teams.microsoft.com/l/channel/19%3aabc%40thread.tacv2/General?groupId=x"
		}, want: "from a channel link, copy only the part between /channel/ and the next /"},
		{name: "Teams channel twice", edit: func(h obj) { s := cust(h, 0)["teams"].([]any); cust(h, 0)["teams"] = append(s, s[0]) },
			want: "secalerts:hub.customers[0].teams[1]: Teams channel 19:abc@thread.tacv2 is listed twice"},
		{name: "e-mail address", edit: func(h obj) { cust(h, 0)["emails"] = []any{"soc at example.com"} },
			want: `secalerts:hub.customers[0].emails[0]: "soc at example.com" is not a single bare e-mail address`},
		{name: "e-mail with display name", edit: func(h obj) { cust(h, 0)["emails"] = []any{obj{"address": "SOC <soc@example.com>"}} },
			want: `secalerts:hub.customers[0].emails[0].address: "SOC <soc@example.com>" is not a single bare e-mail address`},
		{name: "two e-mail addresses in one", edit: func(h obj) { cust(h, 0)["emails"] = []any{"a@example.com, b@example.com"} },
			want: `secalerts:hub.customers[0].emails[0]: "a@example.com, b@example.com" is not a single bare e-mail address`},
		{name: "duplicate e-mail", edit: func(h obj) { cust(h, 0)["emails"] = []any{"soc@example.com", "SOC@example.com"} },
			want: `secalerts:hub.customers[0].emails[1]: "SOC@example.com" is listed twice (also at secalerts:hub.customers[0].emails[0])`},
		{name: "e-mail of wrong type", edit: func(h obj) { cust(h, 0)["emails"] = []any{42} },
			want: "secalerts:hub.customers[0].emails[0]: expected an address string or"},
		{name: "webhook name shape", edit: func(h obj) { elem(cust(h, 0)["webhooks"], 0)["name"] = "Pager_Duty" },
			want: `secalerts:hub.customers[0].webhooks[0].name: "Pager_Duty" is not a valid webhook name`},
		{name: "webhook name missing", edit: func(h obj) { delete(elem(cust(h, 0)["webhooks"], 0), "name") },
			want: "secalerts:hub.customers[0].webhooks[0].name: not set"},
		{name: "webhook name too long", edit: func(h obj) { elem(cust(h, 0)["webhooks"], 0)["name"] = strings.Repeat("w", 1000) },
			want: "is too long: its parameter name \"/secalerts/acme/webhooks/www"},
		{name: "duplicate webhook name", edit: func(h obj) {
			w := cust(h, 0)["webhooks"].([]any)
			cust(h, 0)["webhooks"] = append(w, obj{"name": "pager", "url": "https://other.example.com/x"})
		}, want: `secalerts:hub.customers[0].webhooks[1].name: "pager" is already the name of secalerts:hub.customers[0].webhooks[0]`},
		{name: "webhook URL not https", edit: func(h obj) { elem(cust(h, 0)["webhooks"], 0)["url"] = "http://hooks.example.com/s3cr3t-token" },
			want: "secalerts:hub.customers[0].webhooks[0].url: <secret> is not an https:// URL"},
		{name: "webhook URL without host", edit: func(h obj) { elem(cust(h, 0)["webhooks"], 0)["url"] = "https:///s3cr3t-token" },
			want: "secalerts:hub.customers[0].webhooks[0].url: <secret> has no host"},
		{name: "webhook URL unparsable", edit: func(h obj) { elem(cust(h, 0)["webhooks"], 0)["url"] = "https://hooks.example.com/%zzs3cr3t-token" },
			want: "secalerts:hub.customers[0].webhooks[0].url: <secret> is not a valid URL"},
		{name: "webhook URL with a fragment", edit: func(h obj) { elem(cust(h, 0)["webhooks"], 0)["url"] = "https://hooks.example.com/s3cr3t-token#frag" },
			want: "secalerts:hub.customers[0].webhooks[0].url: <secret> has characters a URL must percent-encode"},
		{name: "webhook URL too long", edit: func(h obj) {
			elem(cust(h, 0)["webhooks"], 0)["url"] = "https://hooks.example.com/s3cr3t-token" + strings.Repeat("a", maxWebhookURLLen)
		}, want: "secalerts:hub.customers[0].webhooks[0].url: <secret> is 2086 characters, over the 2048"},
		{name: "webhook URL missing", edit: func(h obj) { delete(elem(cust(h, 0)["webhooks"], 0), "url") },
			want: "secalerts:hub.customers[0].webhooks[0].url: not set"},
		{name: "webhook URL not secret", notSecret: true,
			want: "secalerts:hub.customers[0].webhooks[0].url: <secret> is not a Pulumi secret; a webhook URL is a credential, so set it with: pulumi config set --secret --path 'hub.customers[0].webhooks[0].url' https://..."},
		{name: "webhook format", edit: func(h obj) { elem(cust(h, 0)["webhooks"], 0)["format"] = "xml" },
			want: `secalerts:hub.customers[0].webhooks[0].format: "xml" is not a webhook format (expected slack or json)`},
		{name: "destination minSeverity", edit: func(h obj) { elem(cust(h, 0)["slack"], 0)["minSeverity"] = "SEVERE" },
			want: `secalerts:hub.customers[0].slack[0].minSeverity: unknown severity "SEVERE": valid are INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL`},
		{name: "archive retention negative", edit: func(h obj) { h["archiveRetentionDays"] = -1 },
			want: "secalerts:hub.archiveRetentionDays: -1 is negative (expected a number of days, or 0 to keep events forever)"},
		{name: "archive retention not a number", edit: func(h obj) { h["archiveRetentionDays"] = "ninety" },
			want: `secalerts:hub.archiveRetentionDays: "ninety" is not a whole number`},
		{name: "archive retention fractional", edit: func(h obj) { h["archiveRetentionDays"] = 1.5 },
			want: `secalerts:hub.archiveRetentionDays: "1.5" is not a whole number`},
		{name: "key deletion window too short", edit: func(h obj) { h["keyDeletionWindowDays"] = 6 },
			want: "secalerts:hub.keyDeletionWindowDays: 6 is out of range (expected 7 to 30 days"},
		{name: "key deletion window too long", edit: func(h obj) { h["keyDeletionWindowDays"] = 31 },
			want: "secalerts:hub.keyDeletionWindowDays: 31 is out of range (expected 7 to 30 days"},
		{name: "key administrator not an ARN", edit: func(h obj) { h["keyAdministrators"] = []any{"SecurityAdmin"} },
			want: `secalerts:hub.keyAdministrators[0]: "SecurityAdmin" is not an IAM principal ARN (expected arn:aws:iam::<12-digit account>:root`},
		{name: "key administrator group", edit: func(h obj) { h["keyAdministrators"] = []any{"arn:aws:iam::999999999999:group/Admins"} },
			want: `secalerts:hub.keyAdministrators[0]: "arn:aws:iam::999999999999:group/Admins" is not an IAM principal ARN`},
		{name: "key administrator other partition", edit: func(h obj) { h["keyAdministrators"] = []any{"arn:aws-cn:iam::999999999999:root"} },
			want: `secalerts:hub.keyAdministrators[0]: "arn:aws-cn:iam::999999999999:root" is in partition aws-cn, but the hub region is in aws`},
		{name: "alarm e-mails missing", edit: func(h obj) { delete(h, "alarmEmails") },
			want: "secalerts:hub.alarmEmails: no addresses"},
		{name: "alarm e-mail invalid", edit: func(h obj) { h["alarmEmails"] = []any{"secops"} },
			want: `secalerts:hub.alarmEmails[0]: "secops" is not a single bare e-mail address`},
		{name: "alarm e-mail twice", edit: func(h obj) { h["alarmEmails"] = []any{"secops@example.com", "secops@example.com"} },
			want: `secalerts:hub.alarmEmails[1]: "secops@example.com" is listed twice`},
		{name: "max buses zero", edit: func(h obj) { h["maxEventBuses"] = 0 },
			want: "secalerts:hub.maxEventBuses: 0 is out of range (expected 1 to 10000"},
		{name: "max buses too high", edit: func(h obj) { h["maxEventBuses"] = 30000 },
			want: "secalerts:hub.maxEventBuses: 30000 is out of range (expected 1 to 10000"},
		{name: "more customers than buses", edit: func(h obj) { h["maxEventBuses"] = 2 },
			want: "secalerts:hub.customers: 2 customers need 3 event buses with the default bus, over the 2 of secalerts:hub.maxEventBuses"},
		{name: "chatbot region without the API", edit: func(h obj) { h["chatbotRegion"] = "us-east-1" },
			want: `secalerts:hub.chatbotRegion: "us-east-1" does not serve the AWS Chatbot API (expected one of us-east-2, us-west-2, ap-southeast-1, eu-west-1)`},
		{name: "chatbot region of another partition", edit: func(h obj) { h["region"] = "us-gov-west-1"; h["keyAdministrators"] = nil },
			want: `secalerts:hub.chatbotRegion: "us-east-2" is in partition aws, but the hub region is in aws-us-gov`},
		{name: "boolean of wrong type", edit: func(h obj) { h["allowBudgets"] = "yes" },
			want: `secalerts:hub.allowBudgets: "yes" is not a boolean (expected true or false)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.raw)
			if tc.raw == "" {
				data = hubWith(t, tc.edit)
			}
			secret := allSecret
			if tc.notSecret {
				// Another value of the key is a secret; the URL is not.
				secret = func(path string) bool { return !strings.HasSuffix(path, ".url") }
			}
			h, err := ParseHub(data, secret)
			if err == nil {
				t.Fatalf("ParseHub succeeded; want error containing %q", tc.want)
			}
			if h != nil {
				t.Errorf("ParseHub returned a hub with an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cr3t-token") {
				t.Errorf("error shows the webhook URL:\n%v", err)
			}
		})
	}
}

func TestParseHubJoinsAllErrors(t *testing.T) {
	_, err := ParseHub(hubWith(t, func(h obj) {
		h["region"] = "mars-1"
		cust(h, 0)["name"] = "ACME"
		elem(cust(h, 0)["slack"], 0)["channelId"] = "general"
		cust(h, 1)["organizationId"] = "o-1"
	}), allSecret)
	if err == nil {
		t.Fatal("ParseHub succeeded")
	}
	for _, want := range []string{
		"secalerts:hub.region:",
		"secalerts:hub.customers[0].name:",
		"secalerts:hub.customers[0].slack[0].channelId:",
		"secalerts:hub.customers[1].organizationId:",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestParseHubNeverShowsWebhookURL(t *testing.T) {
	const token = "Zq9-very-secret-token"
	for _, url := range []string{
		"https://hooks.example.com/" + token,
		"http://hooks.example.com/" + token,
		"https://hooks.example.com/%zz" + token,
		"https://hooks.example.com/" + token + " with space",
		"hooks.example.com/" + token,
		"https://" + token + ".example.com:99999/",
		"ftp://" + token,
	} {
		for _, secret := range []bool{true, false} {
			data := hubWith(t, func(h obj) {
				w := elem(cust(h, 0)["webhooks"], 0)
				w["url"] = url
				w["format"] = "xml"     // another error next to the URL
				w["urll"] = url         // a misspelt key holding the URL
				cust(h, 0)["name"] = "" // and an error about the customer
			})
			_, err := ParseHub(data, func(string) bool { return secret })
			if err == nil {
				t.Fatalf("ParseHub(%q) succeeded", url)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("error shows the webhook URL %q:\n%v", url, err)
			}
		}
	}
	w := Webhook{Name: "pager", URL: "https://hooks.example.com/" + token, Format: FormatJSON}
	for _, s := range []string{fmt.Sprint(w), fmt.Sprintf("%v", Hub{Customers: []Customer{{Webhooks: []Webhook{w}}}}), fmt.Sprintf("%+v", w)} {
		if strings.Contains(s, token) {
			t.Errorf("printing a webhook shows its URL: %s", s)
		}
	}
}

func TestParseHubDefaults(t *testing.T) {
	h, err := ParseHub(hubWith(t, nil), allSecret)
	if err != nil {
		t.Fatal(err)
	}
	if h.ArchiveRetentionDays != 30 || h.KeyDeletionWindowDays != 30 || h.MaxEventBuses != 100 || h.ChatbotRegion != "us-east-2" {
		t.Errorf("defaults: archive %d, key window %d, max rules %d; want 30, 30, 300",
			h.ArchiveRetentionDays, h.KeyDeletionWindowDays, h.MaxEventBuses)
	}
	if h.AllowBudgets || h.AllowCostAnomaly {
		t.Errorf("allowBudgets/allowCostAnomaly default to true")
	}
	c := h.Customers[0]
	if got := []severity.Severity{c.Slack[0].MinSeverity, c.Teams[0].MinSeverity, c.Emails[0].MinSeverity, c.Webhooks[0].MinSeverity}; fmt.Sprint(got) != "[MEDIUM MEDIUM MEDIUM MEDIUM]" {
		t.Errorf("destination minSeverity defaults = %v, want MEDIUM each", got)
	}
	if c.Webhooks[0].Format != FormatJSON {
		t.Errorf("webhook format default = %q, want json", c.Webhooks[0].Format)
	}

	// 0 is a choice (keep forever), not "unset".
	h, err = ParseHub(hubWith(t, func(h obj) { h["archiveRetentionDays"] = 0 }), allSecret)
	if err != nil {
		t.Fatal(err)
	}
	if h.ArchiveRetentionDays != 0 {
		t.Errorf("archiveRetentionDays 0 became %d", h.ArchiveRetentionDays)
	}

	// Values set with `pulumi config set --path` may arrive as strings.
	h, err = ParseHub(hubWith(t, func(h obj) { h["maxEventBuses"] = "500"; h["allowBudgets"] = "true" }), allSecret)
	if err != nil {
		t.Fatal(err)
	}
	if h.MaxEventBuses != 500 || !h.AllowBudgets {
		t.Errorf("string forms: maxEventBuses %d, allowBudgets %v; want 500, true", h.MaxEventBuses, h.AllowBudgets)
	}
}

func TestParseHubShortForms(t *testing.T) {
	h, err := ParseHub(hubWith(t, func(h obj) {
		cust(h, 0)["accounts"] = []any{"111111111111", obj{"id": "222222222222", "name": "acme-prod"}}
		cust(h, 0)["emails"] = []any{"a@example.com", obj{"address": "b@example.com", "minSeverity": "critical"}}
	}), allSecret)
	if err != nil {
		t.Fatal(err)
	}
	c := h.Customers[0]
	wantAccounts := []Account{{ID: "111111111111"}, {ID: "222222222222", Name: "acme-prod"}}
	if fmt.Sprint(c.Accounts) != fmt.Sprint(wantAccounts) {
		t.Errorf("accounts = %v, want %v", c.Accounts, wantAccounts)
	}
	wantEmails := []Email{{Address: "a@example.com", MinSeverity: severity.Medium}, {Address: "b@example.com", MinSeverity: severity.Critical}}
	if fmt.Sprint(c.Emails) != fmt.Sprint(wantEmails) {
		t.Errorf("emails = %v, want %v", c.Emails, wantEmails)
	}
}

func TestTeamsChannelIDIsStoredURLEncoded(t *testing.T) {
	for _, in := range []string{"19:abc@thread.tacv2", "19%3Aabc%40thread.tacv2", "19%3aabc%40thread.tacv2"} {
		h, err := ParseHub(hubWith(t, func(h obj) { elem(cust(h, 0)["teams"], 0)["channelId"] = in }), allSecret)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		// The Chatbot API only accepts the encoded form.
		if got := h.Customers[0].Teams[0].ChannelID; got != "19%3Aabc%40thread.tacv2" {
			t.Errorf("channelId %q stored as %q, want 19%%3Aabc%%40thread.tacv2", in, got)
		}
	}
}

func TestParseHubTestdata(t *testing.T) {
	data, err := os.ReadFile("testdata/hub.json")
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseHub(data, allSecret)
	if err != nil {
		t.Fatalf("testdata/hub.json: %v", err)
	}
	if h.AccountID != "999999999999" || h.Region != "us-east-1" || h.ArchiveRetentionDays != 90 ||
		h.KeyDeletionWindowDays != 14 || h.MaxEventBuses != 500 || !h.AllowBudgets || h.AllowCostAnomaly {
		t.Errorf("hub settings = %+v", h)
	}
	if len(h.KeyAdministrators) != 2 || len(h.AlarmEmails) != 1 {
		t.Errorf("keyAdministrators %v, alarmEmails %v", h.KeyAdministrators, h.AlarmEmails)
	}
	if len(h.Customers) != 2 || h.Customers[0].Name != "acme" || h.Customers[1].Name != "globex" {
		t.Fatalf("customers = %+v", h.Customers)
	}
	acme, globex := h.Customers[0], h.Customers[1]
	if len(acme.Accounts) != 2 || acme.Accounts[0].Name != "acme-prod" || len(acme.Slack) != 2 ||
		acme.Slack[0].MinSeverity != severity.High || len(acme.Emails) != 2 || acme.Emails[1].MinSeverity != severity.Critical ||
		acme.Webhooks[0].Format != FormatSlack || acme.Webhooks[0].MinSeverity != severity.Critical {
		t.Errorf("acme = %+v", acme)
	}
	if globex.OrganizationID != "o-exampleorg1" || len(globex.Teams) != 1 || globex.Teams[0].MinSeverity != severity.Low ||
		globex.Webhooks[0].Format != FormatJSON {
		t.Errorf("globex = %+v", globex)
	}
}

func TestBadHubRegionIsReportedOnce(t *testing.T) {
	_, err := ParseHub(hubWith(t, func(h obj) {
		h["region"] = "us-nowhere-1"
		h["keyAdministrators"] = []any{"arn:aws:iam::999999999999:root"}
	}), allSecret)
	if err == nil || !strings.Contains(err.Error(), "secalerts:hub.region:") {
		t.Fatalf("error = %v; want one about secalerts:hub.region", err)
	}
	if strings.Contains(err.Error(), "keyAdministrators") {
		t.Errorf("a bad region also failed a valid key administrator:\n%v", err)
	}
}
