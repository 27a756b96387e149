package render

import (
	"encoding/json"
	"strings"
	"testing"

	"secalerts/detectors"
	"secalerts/severity"
)

// The fuzz targets put two arbitrary strings everywhere an event or a caller
// can put text, render, and check what must hold whatever the input
// (checkOutput, plus fuzzCheck). Their seed corpora, with the attack
// strings of TestAttacks, are in testdata/fuzz/<target>.

const guardDutyConsole = "https://<region>.console.aws.amazon.com/guardduty/home?region=<region>#/findings?macros=current&fId=<findingId>"

// fuzzMessage builds the message of the HIGH Security Hub sample with a and
// b in its values, and in the caller's strings.
func fuzzMessage(t *testing.T, sample []byte, a, b string) Message {
	var doc map[string]any
	if err := json.Unmarshal(sample, &doc); err != nil {
		t.Fatal(err)
	}
	doc["region"] = b
	doc["id"] = a
	f := doc["detail"].(map[string]any)["findings"].([]any)[0].(map[string]any)
	f["Title"], f["Description"], f["GeneratorId"] = a, b, a+b
	f["Resources"].([]any)[0].(map[string]any)["Id"] = b
	f["Remediation"].(map[string]any)["Recommendation"].(map[string]any)["Url"] = a
	event, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	d := mustDetector(t, "securityhub")
	x, err := Extract(d, variantOf(t, d, severity.High), event)
	if err != nil {
		t.Fatal(err)
	}
	m := FromEvent(x, Context{Customer: "Acme " + b, AccountName: a, ThreadID: b})
	m.Fields = append(m.Fields, Field{Label: a, Value: b})
	m.Notes = []string{a, b}
	if len(a)%2 == 0 {
		m.ConsoleURL = buildConsoleURL(guardDutyConsole, map[string]string{"region": a, "findingId": b})
	}
	return m
}

// fuzzCheck checks that the title and structure survived.
func fuzzCheck(t *testing.T, f Format, m Message) {
	t.Helper()
	o, err := Render(f, m)
	if err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	r, err := checkOutput(f, o, m)
	if err != nil {
		t.Fatalf("%s: %v\nsubject %q\n%s", f, err, o.Subject, o.Body)
	}
	// An empty title value leaves "...HIGH:" without the space.
	want := map[Format]string{
		FormatChatbot: shTitle,
		FormatSlack:   "*" + shTitle,
		FormatEmail:   shTitle,
		FormatJSON:    "Security Hub HIGH: ",
	}[f]
	want = strings.TrimSuffix(want, " ")
	if !strings.HasPrefix(r.title, want) {
		t.Fatalf("%s: title %q does not start with %q", f, r.title, want)
	}
	switch f {
	case FormatSlack:
		for _, part := range []string{"\n*Customer:* Acme", "\n*Next steps*\n"} {
			if !strings.Contains(r.chat[0], part) {
				t.Fatalf("slack: %q missing:\n%s", part, r.chat[0])
			}
		}
	case FormatChatbot:
		if !strings.Contains(r.chatbot.Content.Description, "*Customer:* Acme") || len(r.chatbot.Content.NextSteps) == 0 {
			t.Fatalf("chatbot: structure lost:\n%s", o.Body)
		}
	case FormatEmail:
		if !strings.HasPrefix(o.Subject, "[HIGH] Security Hub HIGH:") || !strings.Contains(string(o.Body), "\nCustomer: Acme") {
			t.Fatalf("e-mail: structure lost:\n%s\n%s", o.Subject, o.Body)
		}
	case FormatJSON:
		if r.webhook.Detector != "securityhub" || r.webhook.Account != "111122223333" {
			t.Fatalf("json: structure lost:\n%s", o.Body)
		}
	}
}

func fuzzFormat(f *testing.F, format Format) {
	sample := readSample(f, "securityhub/HIGH--s3-block-public-access-control-failed.json")
	f.Fuzz(func(t *testing.T, a, b string) {
		fuzzCheck(t, format, fuzzMessage(t, sample, a, b))
	})
}

func FuzzChatbot(f *testing.F) { fuzzFormat(f, FormatChatbot) }
func FuzzSlack(f *testing.F)   { fuzzFormat(f, FormatSlack) }
func FuzzEmail(f *testing.F)   { fuzzFormat(f, FormatEmail) }
func FuzzJSON(f *testing.F)    { fuzzFormat(f, FormatJSON) }

// FuzzExtract feeds arbitrary bytes as the event of every detector:
// Extract either refuses them or every format renders them validly.
func FuzzExtract(f *testing.F) {
	all := detectors.All()
	f.Fuzz(func(t *testing.T, event []byte) {
		d := all[len(event)%len(all)]
		v := d.Build(detectors.Options{})[0]
		x, err := Extract(d, v, event)
		if err != nil {
			return
		}
		m := FromEvent(x, testContext)
		for _, format := range Formats {
			o, err := Render(format, m)
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if _, err := checkOutput(format, o, m); err != nil {
				t.Fatalf("%s: %v\n%s", format, err, o.Body)
			}
		}
	})
}
