package eventbridge

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// ec2Event is the example event of the input-transformation docs.
const ec2Event = `{
  "version": "0",
  "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "2015-11-11T21:29:54Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "count": 3, "tags": {"team": "sec"}}
}`

// securityHubEvent carries a finding whose title has quote marks, a newline
// and HTML-ish characters, the case that breaks naive string templating.
const securityHubEvent = `{
  "version": "0",
  "id": "e3c7a2b0-0000-4000-8000-000000000001",
  "detail-type": "Security Hub Findings - Imported",
  "source": "aws.securityhub",
  "account": "111122223333",
  "time": "2024-05-01T10:00:00Z",
  "region": "eu-west-1",
  "resources": ["arn:aws:securityhub:eu-west-1::product/aws/securityhub/finding/1"],
  "detail": {
    "findings": [{
      "Id": "finding-1",
      "Title": "S3 bucket \"logs\" is public\nFix <now> & check ACLs",
      "Severity": {"Label": "CRITICAL", "Normalized": 90},
      "ProductFields": {"aws/securityhub/ProductName": "Security Hub"}
    }, {
      "Id": "finding-2",
      "Title": "second",
      "Severity": {"Label": "LOW", "Normalized": 1}
    }]
  }
}`

var testRule = RuleInfo{
	Name:          "example",
	ARN:           "arn:aws:events:us-east-2:123456789012:rule/example",
	IngestionTime: time.Date(2024, 5, 1, 10, 0, 1, 0, time.FixedZone("CEST", 2*3600)),
}

func TestRender(t *testing.T) {
	ec2Paths := map[string]string{
		"timestamp": "$.time",
		"instance":  "$.detail.instance-id",
		"state":     "$.detail.state",
	}
	tests := []struct {
		name     string
		event    string
		paths    map[string]string
		template string
		want     string
	}{
		{
			// Docs example "Simple string"; the quotes are delivered.
			name: "plain text keeps its quotes", event: ec2Event, paths: ec2Paths,
			template: `"instance <instance> is in <state>"`,
			want:     `"instance i-0123456789 is in RUNNING"`,
		},
		{
			name: "string with escaped quotes", event: ec2Event, paths: ec2Paths,
			template: `"instance \"<instance>\" is in <state>"`,
			want:     `"instance \"i-0123456789\" is in RUNNING"`,
		},
		{
			// Docs example "Simple JSON": bare string placeholders get quotes,
			// and the JSON passed on is minified.
			name: "bare placeholders in JSON", event: ec2Event, paths: ec2Paths,
			template: "{\n  \"instance\" : <instance>,\n  \"state\": <state>\n}",
			want:     `{"instance":"i-0123456789","state":"RUNNING"}`,
		},
		{
			name: "JSON with mixed static values", event: ec2Event, paths: ec2Paths,
			template: `{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}`,
			want:     `{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}`,
		},
		{
			name: "reserved variables in a string", event: ec2Event, paths: ec2Paths,
			template: `"<aws.events.rule-name> triggered at <aws.events.event.ingestion-time>"`,
			want:     `"example triggered at 2024-05-01T08:00:01Z"`,
		},
		{
			name: "reserved variables in JSON", event: ec2Event, paths: ec2Paths,
			template: `{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>}`,
			want:     `{"ruleArn":"arn:aws:events:us-east-2:123456789012:rule/example","ruleName":"example"}`,
		},
		{
			name: "dashed field and array index", event: securityHubEvent,
			paths: map[string]string{
				"type":  "$.detail-type",
				"title": "$.detail.findings[1].Title",
				"sev":   "$.detail.findings[0].Severity.Normalized",
			},
			template: `{"type": <type>, "title": <title>, "sev": <sev>}`,
			want:     `{"type":"Security Hub Findings - Imported","title":"second","sev":90}`,
		},
		{
			name: "forward slashes in a field name", event: securityHubEvent,
			paths:    map[string]string{"product": "$.detail.findings[0].ProductFields.aws/securityhub/ProductName"},
			template: `"from <product>"`,
			want:     `"from Security Hub"`,
		},
		{
			name: "wildcard collects an array", event: securityHubEvent,
			paths:    map[string]string{"ids": "$.detail.findings[*].Id"},
			template: `{"ids": <ids>}`,
			want:     `{"ids":["finding-1","finding-2"]}`,
		},
		{
			name: "object inserted bare is JSON", event: ec2Event,
			paths:    map[string]string{"tags": "$.detail.tags", "count": "$.detail.count"},
			template: `{"tags": <tags>, "count": <count>}`,
			want:     `{"tags":{"team":"sec"},"count":3}`,
		},
		{
			// Common issues: an object referenced inside a string loses its
			// inner quotes.
			name: "object inside a string loses its quotes", event: ec2Event,
			paths:    map[string]string{"tags": "$.detail.tags"},
			template: `"Detail is <tags>"`,
			want:     `"Detail is {team:sec}"`,
		},
		{
			name: "missing path renders nothing", event: ec2Event,
			paths:    map[string]string{"state": "$.detail.state", "reason": "$.detail.reason"},
			template: `"<state> because <reason>."`,
			want:     `"RUNNING because ."`,
		},
		{
			name: "undefined names stay literal text", event: ec2Event, paths: ec2Paths,
			template: `"<b><state></b>"`,
			want:     `"<b>RUNNING</b>"`,
		},
		{
			name: "line breaks of a multi-line plain template stay", event: ec2Event, paths: ec2Paths,
			template: "\"Instance <instance>\"\n\"State: <state>\"",
			want:     "\"Instance i-0123456789\"\n\"State: RUNNING\"",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := InputTransformer{Paths: tt.paths, Template: tt.template}
			got, err := tr.Render([]byte(tt.event), testRule)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if got != tt.want {
				t.Errorf("Render =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestRenderSecurityHubTitleStaysValidJSON(t *testing.T) {
	tr := InputTransformer{
		Paths: map[string]string{
			"title":    "$.detail.findings[0].Title",
			"severity": "$.detail.findings[0].Severity.Label",
			"account":  "$.account",
		},
		Template: `{"version": "1.0", "source": "custom", "content": {"title": <title>, "description": "<severity> in <account>: <title>"}}`,
	}
	got, err := tr.Render([]byte(securityHubEvent), testRule)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	var msg struct {
		Content struct{ Title, Description string }
	}
	if err := json.Unmarshal([]byte(got), &msg); err != nil {
		t.Fatalf("Render produced invalid JSON %s: %v", got, err)
	}
	title := "S3 bucket \"logs\" is public\nFix <now> & check ACLs"
	if msg.Content.Title != title {
		t.Errorf("title = %q, want %q", msg.Content.Title, title)
	}
	if want := "CRITICAL in 111122223333: " + title; msg.Content.Description != want {
		t.Errorf("description = %q, want %q", msg.Content.Description, want)
	}
	// The newline travels escaped, never as a raw line break inside a string.
	if strings.Contains(got, "\n") {
		t.Errorf("rendered JSON has a raw newline: %s", got)
	}
}

func TestRenderOriginalEvent(t *testing.T) {
	tr := InputTransformer{Template: `{"original": <aws.events.event>, "full": <aws.events.event.json>}`}
	got, err := tr.Render([]byte(ec2Event), testRule)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	var out struct {
		Original map[string]any
		Full     map[string]any
	}
	if err := json.Unmarshal([]byte(got), &out); err != nil {
		t.Fatalf("invalid JSON %s: %v", got, err)
	}
	// aws.events.event is the payload "without the detail field";
	// aws.events.event.json is the full payload.
	if _, ok := out.Original["detail"]; ok {
		t.Errorf("aws.events.event kept detail: %v", out.Original)
	}
	if out.Original["source"] != "aws.ec2" {
		t.Errorf("aws.events.event source = %v", out.Original["source"])
	}
	if _, ok := out.Full["detail"]; !ok {
		t.Errorf("aws.events.event.json lost detail: %v", out.Full)
	}
}

func TestRenderRejectsBadEvent(t *testing.T) {
	tr := InputTransformer{Paths: map[string]string{"s": "$.source"}, Template: `"<s>"`}
	if _, err := tr.Render([]byte(`not json`), testRule); err == nil {
		t.Error("Render of invalid JSON succeeded")
	}
}

func TestInputTransformerValidate(t *testing.T) {
	tooMany := map[string]string{}
	for i := 0; i <= maxTransformerPaths; i++ {
		tooMany[fmt.Sprintf("v%d", i)] = "$.detail"
	}
	tests := []struct {
		name   string
		tr     InputTransformer
		errHas string
	}{
		{"valid", InputTransformer{Paths: map[string]string{"a-b_1": "$.detail.findings[0].Title"}, Template: `{"t": <a-b_1>}`}, ""},
		{"too many paths", InputTransformer{Paths: tooMany, Template: `"x"`}, "over the limit of 100"},
		{"reserved name", InputTransformer{Paths: map[string]string{"aws.events.rule-name": "$.a"}, Template: `"x"`}, "reserved variable"},
		{"AWS. prefix", InputTransformer{Paths: map[string]string{"AWS.mine": "$.a"}, Template: `"x"`}, `must not start with "AWS."`},
		{"bad name characters", InputTransformer{Paths: map[string]string{"my var": "$.a"}, Template: `"x"`}, "may only contain"},
		{"no dollar", InputTransformer{Paths: map[string]string{"a": "detail.a"}, Template: `"x"`}, "must start with '$'"},
		{"bracket notation", InputTransformer{Paths: map[string]string{"a": "$['detail']"}, Template: `"x"`}, "bracket notation"},
		{"empty template", InputTransformer{}, "want 1 to 8192"},
		{"template too long", InputTransformer{Template: `"` + strings.Repeat("x", maxInputTemplateSize) + `"`}, "want 1 to 8192"},
		{"placeholder as key", InputTransformer{Paths: map[string]string{"k": "$.a"}, Template: `{<k>: "v"}`}, "used as an object key"},
		{"event inside a string", InputTransformer{Template: `"event: <aws.events.event>"`}, "can only be a JSON field value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.tr.Validate()
			if tt.errHas == "" {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("Validate = %v, want an error containing %q", err, tt.errHas)
			}
		})
	}
}
