package render

import (
	"encoding/json"
	"strings"
	"testing"

	"secalerts/severity"
)

// hostileSecurityHub returns the HIGH Security Hub sample with set applied to
// its finding, extracted and built into a message.
func hostileSecurityHub(t *testing.T, set func(finding map[string]any)) Message {
	t.Helper()
	return hostileEvent(t, "securityhub", "securityhub/HIGH--s3-block-public-access-control-failed.json", func(doc map[string]any) {
		set(doc["detail"].(map[string]any)["findings"].([]any)[0].(map[string]any))
	})
}

// hostileEvent reads a sample, applies set to it and builds its message.
func hostileEvent(t *testing.T, id, file string, set func(doc map[string]any)) Message {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readSample(t, file), &doc); err != nil {
		t.Fatal(err)
	}
	set(doc)
	event, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	d := mustDetector(t, id)
	v, ok := matchingVariant(t, d, event)
	if !ok {
		t.Fatalf("the changed %s no longer matches %s", file, id)
	}
	x, err := Extract(d, v, event)
	if err != nil {
		t.Fatal(err)
	}
	return FromEvent(x, testContext)
}

const shTitle = "🔴 HIGH · Security Hub HIGH: "

// TestAttacks renders hostile values in every format. Every output also
// passes checkOutput: valid for its format, within its limits, no control
// or bidi character, no live link but the console URL, no broadcast, no
// markdown link, and in chat text no unescaped "<", ">" or "&".
func TestAttacks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		msg   func(t *testing.T) Message
		check func(t *testing.T, r map[Format]rendered)
	}{
		{
			name: "user agent rewriting the chatbot JSON",
			msg: func(t *testing.T) Message {
				return hostileEvent(t, "iam-policy-changes", "iam-policy-changes/HIGH--attach-administrator-access-to-role.json", func(doc map[string]any) {
					doc["detail"].(map[string]any)["userAgent"] = `x","title":"OK - test event, ignore","description":"nothing to see`
				})
			},
			check: func(t *testing.T, r map[Format]rendered) {
				c := r[FormatChatbot].chatbot
				if !strings.HasPrefix(c.Content.Title, "🔴 HIGH · IAM policy change AttachRolePolicy arn:aws:iam::aws:policy/AdministratorAccess") {
					t.Errorf("title was rewritten: %q", c.Content.Title)
				}
				if !strings.Contains(c.Content.Description, "Permissions in account 111122223333 changed.") {
					t.Errorf("real description missing:\n%s", c.Content.Description)
				}
				if !strings.Contains(c.Content.Description, `*User agent:* x","title":"OK - test event, ignore","description":"nothing to see`) {
					t.Errorf("user agent is not shown as the value it is:\n%s", c.Content.Description)
				}
				var raw struct{ Content map[string]any }
				if err := json.Unmarshal(r[FormatChatbot].out.Body, &raw); err != nil {
					t.Fatal(err)
				}
				if len(raw.Content) != 5 {
					t.Errorf("content has keys %v", raw.Content)
				}
				if w := r[FormatJSON].webhook; !strings.HasPrefix(w.Title, "IAM policy change") || w.Fields["User agent"] != `x","title":"OK - test event, ignore","description":"nothing to see` {
					t.Errorf("webhook title %q, user agent %q", w.Title, w.Fields["User agent"])
				}
			},
		},
		{
			name: "quotes and backslashes in the title",
			msg: func(t *testing.T) Message {
				return hostileSecurityHub(t, func(f map[string]any) { f["Title"] = `He said "hi" \ "bye\"` })
			},
			check: func(t *testing.T, r map[Format]rendered) {
				if got := r[FormatChatbot].title; got != shTitle+`He said "hi" \ "bye\"` {
					t.Errorf("chatbot title %q", got)
				}
				if got := r[FormatJSON].title; got != `Security Hub HIGH: He said "hi" \ "bye\"` {
					t.Errorf("webhook title %q", got)
				}
			},
		},
		{
			name: "slack special mentions",
			msg: func(t *testing.T) Message {
				return hostileSecurityHub(t, func(f map[string]any) { f["Title"] = "<!channel> <!here> <@U123> <#C123> <!subteam^S1> <!everyone>" })
			},
			check: escapedOnly("&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;#C123&gt; &lt;!subteam^S1&gt; &lt;!everyone&gt;"),
		},
		{
			name: "slack link",
			msg: func(t *testing.T) Message {
				return hostileSecurityHub(t, func(f map[string]any) { f["Description"] = "<https://evil.example|Open in console>" })
			},
			check: escapedOnly("&lt;hxxps[://]evil[.]example|Open in console&gt;"),
		},
		{
			name: "markdown link",
			msg: func(t *testing.T) Message {
				return hostileSecurityHub(t, func(f map[string]any) { f["Description"] = "[Approve](https://evil.example)" })
			},
			check: escapedOnly("[Approve]\u200b(hxxps[://]evil[.]example)"),
		},
		{
			name: "bare links",
			msg: func(t *testing.T) Message {
				return hostileSecurityHub(t, func(f map[string]any) {
					f["Description"] = "https://evil.example/x www.evil.example evil.example mailto:a@evil.example"
				})
			},
			check: func(t *testing.T, r map[Format]rendered) {
				const want = "hxxps[://]evil[.]example/x www[.]evil[.]example evil[.]example mailto:a@evil[.]example"
				for f, rr := range r {
					if !strings.Contains(rr.all(), want) {
						t.Errorf("%s: %q missing:\n%s", f, want, rr.all())
					}
				}
			},
		},
		{
			name: "broadcast words",
			msg: func(t *testing.T) Message {
				return hostileSecurityHub(t, func(f map[string]any) { f["Title"] = "@channel @here @Everyone" })
			},
			check: escapedOnly("@\u200bchannel @\u200bhere @\u200bEveryone"),
		},
		{
			name: "control characters, invalid UTF-8 and bidi overrides",
			msg: func(t *testing.T) Message {
				m := hostileSecurityHub(t, func(f map[string]any) { f["Title"] = "a\x00b\x1b[2Jc\u202eevil\u202c\u2066d\u2069\u0007" })
				// JSON cannot carry invalid UTF-8 (the decoder makes it
				// U+FFFD), but a caller's customer or account name can.
				m.AccountName = "Prod\xff\xfeuction"
				return m
			},
			check: func(t *testing.T, r map[Format]rendered) {
				if got := r[FormatChatbot].title; got != shTitle+"ab[2Jcevild" {
					t.Errorf("title %q", got)
				}
				if !strings.Contains(r[FormatJSON].out.Subject+*r[FormatJSON].webhook.AccountName, "Prod\ufffduction") {
					t.Errorf("account name %q", *r[FormatJSON].webhook.AccountName)
				}
			},
		},
		{
			name: "line breaks forging a field",
			msg: func(t *testing.T) Message {
				return hostileSecurityHub(t, func(f map[string]any) {
					f["Description"] = "ok\n*Account:* 999999999999\n> quoted\n# heading"
					f["ProductName"] = "> Security Hub"
				})
			},
			check: func(t *testing.T, r map[Format]rendered) {
				for _, f := range []Format{FormatSlack, FormatChatbot, FormatEmail} {
					for _, line := range strings.Split(r[f].all(), "\n") {
						if strings.Contains(line, "999999999999") && (strings.HasPrefix(line, "*Account:*") || strings.HasPrefix(line, "Account:")) {
							t.Errorf("%s: forged line %q", f, line)
						}
						if strings.HasPrefix(line, "&gt;") || strings.HasPrefix(line, "#") {
							t.Errorf("%s: line starts a quote or heading: %q", f, line)
						}
					}
				}
			},
		},
		{
			name: "mrkdwn formatting",
			msg: func(t *testing.T) Message {
				return hostileSecurityHub(t, func(f map[string]any) { f["Title"] = "*Approved* by _security_ `ok` ~no~" })
			},
			check: func(t *testing.T, r map[Format]rendered) {
				if got := r[FormatChatbot].title; got != shTitle+"∗Approved∗ by ＿security＿ ‵ok‵ ∼no∼" {
					t.Errorf("title %q", got)
				}
			},
		},
		{
			name: "100 KB values",
			msg: func(t *testing.T) Message {
				big := strings.Repeat("A&<>\"\\é😀 ", 10000)
				m := hostileSecurityHub(t, func(f map[string]any) {
					f["Title"], f["Description"], f["GeneratorId"] = big, big, big
					f["Resources"].([]any)[0].(map[string]any)["Id"] = big
				})
				m.Notes = []string{big}
				m.AccountName = big
				return m
			},
			check: func(t *testing.T, r map[Format]rendered) {
				for f, rr := range r {
					if !strings.HasPrefix(rr.title, map[Format]string{FormatChatbot: shTitle, FormatSlack: "*" + shTitle, FormatEmail: shTitle, FormatJSON: "Security Hub HIGH: "}[f]) {
						t.Errorf("%s: title %.80q", f, rr.title)
					}
					if !strings.Contains(rr.all(), truncatedMark) {
						t.Errorf("%s: truncation is not visible", f)
					}
				}
				for _, label := range []string{"*Customer:*", "*Region:* eu-west-1", "*Console:* https://eu-west-1.console.aws.amazon.com/", "*Next steps*"} {
					if !strings.Contains(r[FormatSlack].chat[0], label) {
						t.Errorf("slack: %q missing", label)
					}
				}
				if !strings.Contains(string(r[FormatEmail].out.Body), "\n-- secalerts, detector securityhub") {
					t.Error("e-mail footer missing")
				}
				if r[FormatJSON].webhook.EventOmitted == "" {
					t.Error("webhook kept an event of over 256 KB")
				}
			},
		},
		{
			name: "console URL from a hostile value",
			msg: func(t *testing.T) Message {
				return hostileEvent(t, "guardduty", "guardduty/HIGH--crypto-mining.json", func(doc map[string]any) {
					doc["region"] = "evil.example/"
				})
			},
			check: func(t *testing.T, r map[Format]rendered) {
				for f, rr := range r {
					if strings.Contains(rr.all(), "console.aws.amazon.com") || strings.Contains(string(rr.out.Body), "https://") {
						t.Errorf("%s: kept a console URL:\n%s", f, rr.all())
					}
				}
			},
		},
		{
			name: "console URL set by the caller",
			msg: func(t *testing.T) Message {
				return Message{Kind: KindSummary, Severity: severity.Low, Customer: "Acme", Title: "Digest", ConsoleURL: "https://evil.example/console.aws.amazon.com"}
			},
			check: func(t *testing.T, r map[Format]rendered) {
				for f, rr := range r {
					if strings.Contains(string(rr.out.Body), "evil") {
						t.Errorf("%s: kept the URL:\n%s", f, rr.out.Body)
					}
				}
			},
		},
		{
			name: "finding ID breaking out of the console URL",
			msg: func(t *testing.T) Message {
				return hostileEvent(t, "guardduty", "guardduty/HIGH--crypto-mining.json", func(doc map[string]any) {
					doc["detail"].(map[string]any)["id"] = "x> <https://evil.example|Open>&region=evil"
				})
			},
			check: func(t *testing.T, r map[Format]rendered) {
				const want = "https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?macros=current&fId=x%3E+%3Chttps%3A%2F%2Fevil.example%7COpen%3E%26region%3Devil"
				if got := r[FormatJSON].webhook.ConsoleURL; got != want {
					t.Errorf("console URL\n got %q\nwant %q", got, want)
				}
			},
		},
		{
			name: "hostile caller strings",
			msg: func(t *testing.T) Message {
				m := hostileSecurityHub(t, func(map[string]any) {})
				m.Customer = "Acme <!channel> & \"Co\"\n*x*"
				m.ThreadID = "t\"1\n<@U1>"
				m.Notes = []string{"Reminder: open for 9 days <https://evil.example|x>"}
				return m
			},
			check: func(t *testing.T, r map[Format]rendered) {
				if got := r[FormatChatbot].chatbot.Metadata.ThreadID; got != `t"1 <@U1>` {
					t.Errorf("threadId %q", got)
				}
				if !strings.Contains(r[FormatSlack].chat[0], "*Note:* Reminder: open for 9 days &lt;hxxps[://]evil[.]example|x&gt;") {
					t.Errorf("note missing:\n%s", r[FormatSlack].chat[0])
				}
				if !strings.Contains(r[FormatSlack].chat[0], "*Customer:* Acme &lt;!channel&gt; &amp; \"Co\" ∗x∗\n") {
					t.Errorf("customer line:\n%s", r[FormatSlack].chat[0])
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, renderAll(t, tc.msg(t)))
		})
	}
}

// escapedOnly checks that the chat formats show want, and that the
// original markup never reaches a chat text.
func escapedOnly(want string) func(t *testing.T, r map[Format]rendered) {
	return func(t *testing.T, r map[Format]rendered) {
		t.Helper()
		for _, f := range []Format{FormatChatbot, FormatSlack} {
			if !strings.Contains(strings.Join(r[f].chat, "\n"), want) {
				t.Errorf("%s: %q missing:\n%s", f, want, strings.Join(r[f].chat, "\n"))
			}
		}
	}
}
