package render

import (
	"reflect"
	"strings"
	"testing"

	"secalerts/detectors"
	"secalerts/severity"
)

func TestParsePath(t *testing.T) {
	for _, tc := range []struct {
		path    string
		want    []pathStep
		wantErr string
	}{
		{"$", nil, ""},
		{"$.detail-type", []pathStep{{field: "detail-type", index: -1}}, ""},
		{"$.detail.findings[0].Title", []pathStep{{field: "detail", index: -1}, {field: "findings", index: -1}, {index: 0}, {field: "Title", index: -1}}, ""},
		{"$.resources[12]", []pathStep{{field: "resources", index: -1}, {index: 12}}, ""},
		{"$.a_b.c-d", []pathStep{{field: "a_b", index: -1}, {field: "c-d", index: -1}}, ""},
		{"detail.x", nil, "must start with '$'"},
		{"$.", nil, "expected a field name"},
		{"$..a", nil, "expected a field name"},
		{"$.a[", nil, "unclosed"},
		{"$.a[-1]", nil, "not an array index"},
		{"$.a[+1]", nil, "not an array index"},
		{"$.a[*]", nil, "not an array index"},
		{"$['a']", nil, "not an array index"},
		{"$.a b", nil, "unexpected"},
		{"$.a.*", nil, "expected a field name"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			got, err := parsePath(tc.path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("parsePath = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// valuesDetector reads values of every JSON kind.
var valuesDetector = detectors.Detector{
	ID:    "test-values",
	Title: "Values test",
	Build: func(detectors.Options) []detectors.Variant {
		return []detectors.Variant{{Name: "high", Severity: severity.High}}
	},
	Message: detectors.Message{
		Paths: map[string]string{
			"str":     "$.detail.str",
			"int":     "$.detail.int",
			"float":   "$.detail.float",
			"big":     "$.detail.big",
			"bool":    "$.detail.bool",
			"null":    "$.detail.null",
			"obj":     "$.detail.obj",
			"arr":     "$.detail.arr",
			"second":  "$.detail.arr[1]",
			"missing": "$.detail.nothing.here",
			"beyond":  "$.detail.arr[9]",
			"through": "$.detail.str.x",
			"html":    "$.detail.html",
		},
		Title:   "<str> <int> <float> <big> <bool> <null> <obj> <arr> <second> <missing> <beyond> <through> <html>",
		Summary: "<detailType> from <source>",
	},
}

const valuesEvent = `{"version":"0","id":"e-1","detail-type":"Test","source":"aws.test","account":"111122223333",
"time":"2026-03-04T05:06:07Z","region":"eu-west-1","resources":[],
"detail":{"str":"text","int":7,"float":7.50,"big":123456789012345678901234567890,"bool":true,"null":null,
"obj":{"b":2,"a":"x"},"arr":[1,"two",{"k":[]}],"html":"<b>&</b>"}}`

func TestExtractValues(t *testing.T) {
	v := valuesDetector.Build(detectors.Options{})[0]
	x, err := Extract(valuesDetector, v, []byte(valuesEvent))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"str":        "text",
		"int":        "7",
		"float":      "7.50",
		"big":        "123456789012345678901234567890",
		"bool":       "true",
		"null":       "",
		"obj":        `{"a":"x","b":2}`,
		"arr":        `[1,"two",{"k":[]}]`,
		"second":     "two",
		"missing":    "",
		"beyond":     "",
		"through":    "",
		"html":       "<b>&</b>",
		"detailType": "Test",
		"source":     "aws.test",
		"account":    "111122223333",
		"region":     "eu-west-1",
		"time":       "2026-03-04T05:06:07Z",
		"id":         "e-1",
	} {
		if got, ok := x.Values[name]; !ok || got != want {
			t.Errorf("value %s = %q (present %v), want %q", name, got, ok, want)
		}
	}
	if x.Account != "111122223333" || x.Region != "eu-west-1" || x.Time != "2026-03-04T05:06:07Z" || x.EventID != "e-1" {
		t.Errorf("envelope = %q %q %q %q", x.Account, x.Region, x.Time, x.EventID)
	}
	if x.DetectorID != "test-values" || x.Severity != severity.High || string(x.Event) != valuesEvent {
		t.Errorf("extracted %+v", x)
	}
}

func TestExtractAbout(t *testing.T) {
	d := mustDetector(t, "heartbeat-missing")
	v := d.Build(detectors.Options{})[0]
	const base = `{"id":"e","account":"999999999999","region":"us-east-1","time":"t","detail":%s}`
	for _, tc := range []struct {
		name, detail          string
		wantAccount, wantRegi string
	}{
		{"member named", `{"account":"111111111111","region":"eu-west-1"}`, "111111111111", "eu-west-1"},
		{"member not named", `{}`, "999999999999", "us-east-1"},
		{"empty", `{"account":"","region":""}`, "999999999999", "us-east-1"},
		{"not an account ID", `{"account":"11111111111x","region":"eu-west-1"}`, "999999999999", "eu-west-1"},
		{"number account", `{"account":111111111111,"region":"eu-west-1"}`, "111111111111", "eu-west-1"},
		{"not a region", `{"account":"111111111111","region":"evil.example/"}`, "111111111111", "us-east-1"},
		{"markup", `{"account":"<!channel>","region":"<@U123>"}`, "999999999999", "us-east-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, err := Extract(d, v, []byte(strings.Replace(base, "%s", tc.detail, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if x.Account != tc.wantAccount || x.Region != tc.wantRegi {
				t.Errorf("about %q %q, want %q %q", x.Account, x.Region, tc.wantAccount, tc.wantRegi)
			}
		})
	}
}

func TestExtractErrors(t *testing.T) {
	v := valuesDetector.Build(detectors.Options{})[0]
	unknown := valuesDetector
	unknown.Message.Summary = "<nosuch> and <other>"
	badPath := valuesDetector
	badPath.Message.Paths = map[string]string{"str": "$.detail[*]"}
	badPath.Message.Title = "<str>"
	aboutUnknown := valuesDetector
	aboutUnknown.Message.AboutAccount = "nosuch"
	for _, tc := range []struct {
		name  string
		d     detectors.Detector
		event string
		want  string
	}{
		{"not JSON", valuesDetector, `{"id":`, "decoding event"},
		{"array", valuesDetector, `[1]`, "decoding event"},
		{"null", valuesDetector, `null`, "not a JSON object"},
		{"two documents", valuesDetector, `{} {}`, "data after"},
		{"unknown placeholders", unknown, `{}`, "[nosuch other]"},
		{"unknown about placeholder", aboutUnknown, `{}`, "[nosuch]"},
		{"bad path", badPath, `{}`, "not an array index"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Extract(tc.d, v, []byte(tc.event))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "test-values/high") {
				t.Errorf("err = %v, want one naming test-values/high and containing %q", err, tc.want)
			}
		})
	}
}

// TestExtractCatalogue resolves every variant of the catalogue against an
// empty event: every placeholder is known and every path parses.
func TestExtractCatalogue(t *testing.T) {
	for _, d := range detectors.All() {
		for _, v := range d.Build(detectors.Options{}) {
			if _, err := Extract(d, v, []byte(`{}`)); err != nil {
				t.Errorf("%s/%s: %v", d.ID, v.Name, err)
			}
		}
	}
}

func TestFromEvent(t *testing.T) {
	d := detectors.Detector{
		ID:    "test-from",
		Title: "Fallback title",
		Build: func(detectors.Options) []detectors.Variant {
			return []detectors.Variant{{Name: "low", Severity: severity.Low}}
		},
		Message: detectors.Message{
			Paths: map[string]string{"a": "$.detail.a", "b": "$.detail.b", "tricky": "$.detail.tricky"},
			Title: "<b>",
			Fields: []detectors.Field{
				{Label: "A", Value: "<a>"},
				{Label: "B", Value: "<b>"},
				{Label: "Both", Value: "<a> and <b>"},
				{Label: "Literal", Value: "always"},
				{Label: "Tricky", Value: "<tricky>"},
			},
			NextSteps:  []string{"Look at <a>.", "Look at <b>.", "Always."},
			ConsoleURL: "https://<region>.console.aws.amazon.com/x/home?region=<region>#/y/<a>",
		},
	}
	v := d.Build(detectors.Options{})[0]
	x, err := Extract(d, v, []byte(`{"id":"e","region":"eu-west-1","account":"111122223333","detail":{"a":"A1","tricky":"<a>"}}`))
	if err != nil {
		t.Fatal(err)
	}
	m := FromEvent(x, Context{Customer: "Acme", AccountName: "Prod", ThreadID: "th"})
	want := Message{
		Kind: KindAlert, DetectorID: "test-from", Severity: severity.Low,
		Customer: "Acme", AccountID: "111122223333", AccountName: "Prod", Region: "eu-west-1", EventID: "e",
		Title: "Fallback title",
		Fields: []Field{
			{Label: "A", Value: "A1"},
			{Label: "Both", Value: "A1 and "},
			{Label: "Literal", Value: "always"},
			// A value that reads like a placeholder is not filled again.
			{Label: "Tricky", Value: "<a>"},
		},
		NextSteps:  []string{"Look at A1.", "Always."},
		ConsoleURL: "https://eu-west-1.console.aws.amazon.com/x/home?region=eu-west-1#/y/A1",
		ThreadID:   "th",
		Event:      x.Event,
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("FromEvent =\n%+v\nwant\n%+v", m, want)
	}
}
