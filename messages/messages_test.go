package messages

import (
	"encoding/json"
	"strings"
	"testing"

	"secalerts/detectors"
	"secalerts/severity"
)

// testDetector is built here so the tests do not wait for the catalogue.
var testDetector = detectors.Detector{
	ID:    "test-finding",
	Title: "Test finding",
	Build: func(detectors.Options) []detectors.Variant {
		return []detectors.Variant{
			{Name: "low", Severity: severity.Low, Pattern: detectors.Pattern{"source": []any{"aws.test"}}},
			{Name: "high", Severity: severity.High, Pattern: detectors.Pattern{"source": []any{"aws.test"}}},
		}
	},
	Message: detectors.Message{
		Paths: map[string]string{
			"title":       "$.detail.title",
			"description": "$.detail.description",
			"resource":    "$.detail.resource",
			"count":       "$.detail.count",
		},
		Title:      "Test: <title>",
		Summary:    "Something happened in <account> (<region>). <description>",
		Fields:     []detectors.Field{{Label: "Resource", Value: "<resource>"}, {Label: "Seen", Value: "<count> times"}},
		ConsoleURL: "https://<region>.console.aws.amazon.com/test/home?region=<region>#/f/<id>",
		NextSteps:  []string{"Look at <resource>.", "Archive it if it is expected."},
	},
}

// bareDetector has no summary, fields, console link or next steps.
var bareDetector = detectors.Detector{
	ID:    "test-bare",
	Title: "Bare test",
	Build: func(detectors.Options) []detectors.Variant {
		return []detectors.Variant{{Name: "info", Severity: severity.Informational}}
	},
	Message: detectors.Message{Title: "Bare event <detailType>"},
}

var testContext = Context{Customer: "Acme", AccountName: "Production"}

// TestTemplateShape checks each template without EventBridge: with every
// placeholder replaced by a plain word, the JSON formats parse into the
// expected document and the e-mail is one quoted string per line.
func TestTemplateShape(t *testing.T) {
	for _, d := range []detectors.Detector{testDetector, bareDetector} {
		v := d.Build(detectors.Options{})[0]
		for _, f := range Formats {
			it, err := Transformer(f, d, v, testContext)
			if err != nil {
				t.Fatalf("%s/%s: %v", f, d.ID, err)
			}
			filled := placeholderRE.ReplaceAllStringFunc(it.Template, func(p string) string {
				if p == "<"+eventJSON+">" {
					return `{"id":"x"}`
				}
				return "X"
			})
			switch f {
			case Email:
				for i, l := range strings.Split(filled, "\n") {
					var s string
					if err := json.Unmarshal([]byte(l), &s); err != nil {
						t.Errorf("%s/%s line %d %q is not a quoted string: %v", f, d.ID, i, l, err)
					}
				}
			default:
				var doc map[string]any
				if err := json.Unmarshal([]byte(filled), &doc); err != nil {
					t.Errorf("%s/%s: not JSON: %v\n%s", f, d.ID, err, filled)
				}
			}
		}
	}
}

func TestTransformerPaths(t *testing.T) {
	v := testDetector.Build(detectors.Options{})[1]
	it, err := Transformer(JSONWebhook, testDetector, v, testContext)
	if err != nil {
		t.Fatal(err)
	}
	for name, path := range it.Paths {
		want, ok := testDetector.Message.Paths[name]
		if !ok {
			want, ok = detectors.CommonPaths[name]
		}
		if !ok || want != path {
			t.Errorf("path %s = %q, want %q (known %v)", name, path, want, ok)
		}
		if !strings.Contains(it.Template, "<"+name+">") {
			t.Errorf("path %s is not used by the template", name)
		}
	}
	// source is a common path no text of the test detector uses.
	if _, ok := it.Paths["source"]; ok {
		t.Errorf("unused common path source is in Paths: %v", it.Paths)
	}
	for _, name := range []string{"title", "description", "resource", "count", "account", "region", "time", "id"} {
		if _, ok := it.Paths[name]; !ok {
			t.Errorf("used path %s is missing from %v", name, it.Paths)
		}
	}
}

func TestTransformerErrors(t *testing.T) {
	v := testDetector.Build(detectors.Options{})[0]

	undefined := testDetector
	undefined.Message.Title = "Test: <nosuch>"

	many := testDetector
	many.Message.Paths = map[string]string{}
	many.Message.Fields = nil
	many.Message.Title, many.Message.Summary, many.Message.NextSteps = "Many", "", nil
	for i := 0; i < maxPaths+1; i++ {
		name := "p" + strings.Repeat("x", i)
		many.Message.Paths[name] = "$.detail.a"
		many.Message.Fields = append(many.Message.Fields, detectors.Field{Label: "F", Value: "<" + name + ">"})
	}

	long := testDetector
	long.Message.Summary = strings.Repeat("a very long summary ", maxTemplate/20+1)

	for _, tc := range []struct {
		name   string
		format Format
		d      detectors.Detector
		c      Context
		want   string
	}{
		{"unknown format", "sms", testDetector, testContext, "unknown format"},
		{"empty customer", Chatbot, testDetector, Context{}, "customer is empty"},
		{"undefined placeholder", Chatbot, undefined, testContext, "nosuch"},
		{"too many paths", JSONWebhook, many, testContext, "limit of 100"},
		{"template too long", Email, long, testContext, "limit of 8192"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Transformer(tc.format, tc.d, v, tc.c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestLiteralNames checks that names we write ourselves cannot turn into
// placeholders or break the JSON.
func TestLiteralNames(t *testing.T) {
	v := testDetector.Build(detectors.Options{})[0]
	c := Context{Customer: `Acme "Prod" <account> \ Co`, AccountName: "Line1\nLine2"}
	it, err := Transformer(Chatbot, testDetector, v, c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(it.Template, `"Prod" <account>`) || strings.Contains(it.Template, "Line1\n") {
		t.Errorf("customer or account name written unescaped:\n%s", it.Template)
	}
	if !strings.Contains(it.Template, `Acme \"Prod\" ‹account› \\ Co`) {
		t.Errorf("customer name not JSON-escaped with angle brackets replaced:\n%s", it.Template)
	}
}

// TestCatalogue builds every format for every detector and variant of the
// catalogue as it stands.
func TestCatalogue(t *testing.T) {
	all := detectors.All()
	if len(all) == 0 {
		t.Skip("catalogue is empty")
	}
	for _, d := range all {
		for _, v := range d.Build(detectors.Options{}) {
			for _, f := range Formats {
				if _, err := Transformer(f, d, v, testContext); err != nil {
					t.Errorf("%s/%s/%s: %v", d.ID, v.Name, f, err)
				}
			}
		}
	}
}
