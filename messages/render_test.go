package messages

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secalerts/detectors"
	"secalerts/eventbridge"
)

// chatbotDoc is the part of the AWS Chatbot custom notification schema the
// tests read.
type chatbotDoc struct {
	Version string `json:"version"`
	Source  string `json:"source"`
	Content struct {
		TextType    string   `json:"textType"`
		Title       string   `json:"title"`
		Description string   `json:"description"`
		NextSteps   []string `json:"nextSteps"`
		Keywords    []string `json:"keywords"`
	} `json:"content"`
}

// render builds format f for d/v and renders event through EventBridge's
// rules as the eventbridge package reproduces them.
func render(t *testing.T, f Format, d detectors.Detector, v detectors.Variant, c Context, event []byte) string {
	t.Helper()
	it, err := Transformer(f, d, v, c)
	if err != nil {
		t.Fatalf("Transformer: %v", err)
	}
	if err := it.Validate(); err != nil {
		t.Fatalf("Validate: %v\n%s", err, it.Template)
	}
	out, err := it.Render(event, eventbridge.RuleInfo{})
	if err != nil {
		t.Fatalf("Render: %v\n%s", err, it.Template)
	}
	return out
}

// checkRendered asserts what every rendered message must satisfy and returns
// the text a person reads, for further checks.
func checkRendered(t *testing.T, f Format, out string, c Context) string {
	t.Helper()
	var readable string
	switch f {
	case Chatbot:
		var doc chatbotDoc
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("chatbot message is not JSON: %v\n%s", err, out)
		}
		if doc.Version != "1.0" || doc.Source != "custom" || doc.Content.TextType != "client-markdown" {
			t.Errorf("chatbot envelope = %q %q %q", doc.Version, doc.Source, doc.Content.TextType)
		}
		if doc.Content.Title == "" || doc.Content.Description == "" {
			t.Errorf("chatbot title or description empty:\n%s", out)
		}
		readable = doc.Content.Title + "\n" + doc.Content.Description + "\n" + strings.Join(doc.Content.Keywords, " ")
	case SlackWebhook:
		var doc struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("slack body is not JSON: %v\n%s", err, out)
		}
		readable = strings.ReplaceAll(doc.Text, "&amp;", "&")
	case JSONWebhook:
		var doc struct {
			Schema      string         `json:"schema"`
			Customer    string         `json:"customer"`
			AccountName *string        `json:"accountName"`
			Title       string         `json:"title"`
			Summary     string         `json:"summary"`
			Event       map[string]any `json:"event"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("json document is not JSON: %v\n%s", err, out)
		}
		if doc.Schema != "secalerts/v1" || doc.Event["id"] == nil {
			t.Errorf("json document lacks schema or the original event:\n%s", out)
		}
		readable = doc.Customer + "\n" + doc.Title + "\n" + doc.Summary
		if doc.AccountName != nil {
			readable += "\n" + *doc.AccountName
		}
	case Email:
		if strings.Contains(out, `{"`) || strings.HasPrefix(strings.TrimSpace(out), "{") {
			t.Errorf("e-mail holds raw JSON:\n%s", out)
		}
		readable = out
	}
	if !strings.Contains(readable, c.Customer) {
		t.Errorf("%s: customer %q missing from:\n%s", f, c.Customer, readable)
	}
	if !strings.Contains(readable, c.AccountName) {
		t.Errorf("%s: account name %q missing from:\n%s", f, c.AccountName, readable)
	}
	return readable
}

// sampleEvents returns the sample events of a detector, or one bare
// envelope when it has none.
func sampleEvents(t *testing.T, id string) map[string][]byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "events", id, "*.json"))
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	if len(out) == 0 {
		out["envelope"] = []byte(`{"version":"0","id":"00000000-0000-0000-0000-000000000000","detail-type":"Test","source":"aws.test","account":"111111111111","time":"2024-01-01T00:00:00Z","region":"eu-west-1","resources":[],"detail":{}}`)
	}
	return out
}

func TestRenderCatalogue(t *testing.T) {
	all := detectors.All()
	if len(all) == 0 {
		t.Skip("catalogue is empty")
	}
	for _, d := range all {
		events := sampleEvents(t, d.ID)
		for _, v := range d.Build(detectors.Options{}) {
			for _, f := range Formats {
				for name, ev := range events {
					t.Run(d.ID+"/"+v.Name+"/"+string(f)+"/"+name, func(t *testing.T) {
						checkRendered(t, f, render(t, f, d, v, testContext, ev), testContext)
					})
				}
			}
		}
	}
}

// hostileEvent has values with quotes, backslashes, newlines and angle
// brackets, and lacks detail.resource.
const hostileEvent = `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"Test","source":"aws.test",
"account":"111111111111","time":"2024-05-01T12:00:00Z","region":"eu-west-1","resources":[],
"detail":{"title":"He said \"hi\"\nthen <left> \\ back","description":"Line one.\n\tLine \"two\".","count":3}}`

func TestRenderHostileValues(t *testing.T) {
	v := testDetector.Build(detectors.Options{})[1]
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			readable := checkRendered(t, f, render(t, f, testDetector, v, testContext, []byte(hostileEvent)), testContext)
			if !strings.Contains(readable, `He said "hi"`) && !strings.Contains(readable, `He said \"hi\"`) {
				t.Errorf("title value missing:\n%s", readable)
			}
		})
	}
}

func TestRenderWithoutAccountName(t *testing.T) {
	v := testDetector.Build(detectors.Options{})[0]
	c := Context{Customer: "Acme"}
	out := render(t, Chatbot, testDetector, v, c, []byte(hostileEvent))
	readable := checkRendered(t, Chatbot, out, c)
	if !strings.Contains(readable, "*Account:* 111111111111\n") {
		t.Errorf("account line is not just the ID:\n%s", readable)
	}
}
