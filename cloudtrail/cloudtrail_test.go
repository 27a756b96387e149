package cloudtrail_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"secalerts/cloudtrail"
)

// TestConvertSamples: the detail of every CloudTrail-based sample event is
// a CloudTrail record; converting it must give back the sample's source,
// detail-type, account, region and time (the documented shapes the
// samples were written from), for every detector.
func TestConvertSamples(t *testing.T) {
	files, _ := filepath.Glob("../testdata/events/*/*.json")
	detectors := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			Source     string          `json:"source"`
			DetailType string          `json:"detail-type"`
			Account    string          `json:"account"`
			Region     string          `json:"region"`
			Time       string          `json:"time"`
			Detail     json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(data, &ev); err != nil {
			continue // arrays of events are not single samples
		}
		var rec cloudtrail.Record
		if err := cloudtrail.ParseRecord(ev.Detail, &rec); err != nil || rec.EventSource.Kind != cloudtrail.String {
			continue // not CloudTrail-based
		}
		if strings.Contains(f, "forged") {
			// The point of these samples is a source no CloudTrail record has.
			if cloudtrail.Source(rec.EventSource.Str) == ev.Source {
				t.Errorf("%s: forged sample has the genuine source", f)
			}
			continue
		}
		detectors[filepath.Base(filepath.Dir(f))] = true
		if cloudtrail.Classify(&rec) == cloudtrail.NotDelivered {
			t.Errorf("%s: classified as not delivered", f)
			continue
		}
		out := cloudtrail.AppendEvent(nil, &rec, rec.RecipientAccountID.Str)
		var got struct {
			Source     string          `json:"source"`
			DetailType string          `json:"detail-type"`
			Account    string          `json:"account"`
			Region     string          `json:"region"`
			Time       string          `json:"time"`
			Resources  []string        `json:"resources"`
			Detail     json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Errorf("%s: converted event is not JSON: %v\n%s", f, err, out)
			continue
		}
		if got.Source != ev.Source || got.DetailType != ev.DetailType || got.Account != ev.Account || got.Region != ev.Region || got.Time != ev.Time {
			t.Errorf("%s: converted to %s / %s / %s / %s / %s, want %s / %s / %s / %s / %s", f,
				got.Source, got.DetailType, got.Account, got.Region, got.Time, ev.Source, ev.DetailType, ev.Account, ev.Region, ev.Time)
		}
		if got.Resources == nil || !bytes.Equal(got.Detail, ev.Detail) {
			t.Errorf("%s: resources %v, detail changed", f, got.Resources)
		}
	}
	for _, d := range []string{"cloudtrail-changes", "config-changes", "console-signin-failure", "console-signin-no-mfa",
		"guardduty-changes", "iam-policy-changes", "kms-key-deletion", "network-changes", "organization-leave", "organizations",
		"pipeline-changes", "root-signin", "s3-bucket-policy-changes", "security-groups", "securityhub-changes", "unauthorized-api-calls"} {
		if !detectors[d] {
			t.Errorf("no CloudTrail sample converted for detector %s", d)
		}
	}
}

func TestSourceAndDetailType(t *testing.T) {
	for es, want := range map[string]string{
		"ec2.amazonaws.com": "aws.ec2", "signin.amazonaws.com": "aws.signin", "s3-banner.amazonaws.com": "aws.s3-banner",
		"monitoring.amazonaws.com": "aws.monitoring", "organizations.amazonaws.com": "aws.organizations", "odd.example": "aws.odd",
	} {
		if got := cloudtrail.Source(es); got != want {
			t.Errorf("Source(%s) = %s, want %s", es, got, want)
		}
	}
	for et, want := range map[string]string{"AwsApiCall": cloudtrail.APICall, "AwsServiceEvent": cloudtrail.ServiceEvent,
		"AwsConsoleSignIn": cloudtrail.ConsoleSignIn, "AwsConsoleAction": cloudtrail.ConsoleAction} {
		if got, ok := cloudtrail.DetailType(et); !ok || got != want {
			t.Errorf("DetailType(%s) = %s, want %s", et, got, want)
		}
	}
	if _, ok := cloudtrail.DetailType("AwsVpceEvent"); ok {
		t.Error("network activity events have no documented EventBridge form")
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		record string
		want   cloudtrail.Delivery
	}{
		{`{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","eventType":"AwsApiCall","awsRegion":"eu-west-1","readOnly":true,"eventCategory":"Management"}`, cloudtrail.ReadOnlyManagement},
		{`{"eventSource":"iam.amazonaws.com","eventName":"GetRole","eventType":"AwsApiCall","awsRegion":"us-east-1","readOnly":true,"managementEvent":true}`, cloudtrail.ReadOnlyManagement},
		// Read-only calls not named Describe/Get/List are delivered.
		{`{"eventSource":"cloudtrail.amazonaws.com","eventName":"LookupEvents","eventType":"AwsApiCall","awsRegion":"us-east-1","readOnly":true,"eventCategory":"Management"}`, cloudtrail.Delivered},
		// Data events are not management events.
		{`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventType":"AwsApiCall","awsRegion":"us-east-1","readOnly":true,"eventCategory":"Data"}`, cloudtrail.Delivered},
		{`{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","eventType":"AwsApiCall","awsRegion":"eu-west-1","readOnly":false}`, cloudtrail.Delivered},
		{`{"eventSource":"s3.amazonaws.com","eventName":"ListObjects","eventType":"AwsVpceEvent","awsRegion":"us-east-1","eventCategory":"NetworkActivity"}`, cloudtrail.NotDelivered},
		{`{"eventName":"x","eventType":"AwsApiCall","awsRegion":"us-east-1"}`, cloudtrail.NotDelivered},
	} {
		var r cloudtrail.Record
		if err := cloudtrail.ParseRecord([]byte(tc.record), &r); err != nil {
			t.Fatal(err)
		}
		if got := cloudtrail.Classify(&r); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.record, got, tc.want)
		}
	}
}

func TestParseRecordFields(t *testing.T) {
	raw := `{"a":{"eventName":"nested","x":[1,"}"]},"eventName":"Put\"Thing\\","errorCode":null,"readOnly":false,` +
		`"eventSource":"s3.amazonaws.com","n":-1.5e3,"eventName":"Last"}`
	var r cloudtrail.Record
	if err := cloudtrail.ParseRecord([]byte(raw), &r); err != nil {
		t.Fatal(err)
	}
	if r.EventName.Str != "Last" || r.ErrorCode.Kind != cloudtrail.Null || r.ReadOnly.Kind != cloudtrail.Bool || r.ReadOnly.Bool ||
		r.EventSource.Str != "s3.amazonaws.com" || r.EventType.Kind != cloudtrail.Absent {
		t.Errorf("parsed %+v", r)
	}
	raw = `{"eventName":"Put\"Thing\\"}`
	if err := cloudtrail.ParseRecord([]byte(raw), &r); err != nil || r.EventName.Str != `Put"Thing\` {
		t.Errorf("escaped name: %q %v", r.EventName.Str, err)
	}
}

// TestDecodeStreams reads the same inputs whole and one byte at a time, so
// every value and escape crosses a buffer boundary.
func TestDecodeStreams(t *testing.T) {
	rec := `{"eventName":"a\\\"b\\","x":"\\\\","y":[{"z":"]}"}]}`
	for _, tc := range []struct {
		name, input string
		kinds       []cloudtrail.ItemKind
		bad         int
	}{
		{"log file", `{"Records":[` + rec + `, ` + rec + `], "other": {"k": [1,2]}}`, []cloudtrail.ItemKind{0, 0}, 0},
		{"empty log file", `{"Records":[]}`, nil, 0},
		{"json lines", "{\"source\":\"a\"}\n{\"source\":\"b\\\"\"}\n", []cloudtrail.ItemKind{1, 1}, 0},
		{"array of events", `[{"source":"a"},{"source":"b"}]`, []cloudtrail.ItemKind{1, 1}, 0},
		{"bad record", `{"Records":[{"a":tru},` + rec + `]}`, []cloudtrail.ItemKind{0, 0}, 1},
	} {
		for _, oneByte := range []bool{false, true} {
			var r = strings.NewReader(tc.input)
			var src interface{ Read([]byte) (int, error) } = r
			if oneByte {
				src = iotest.OneByteReader(r)
			}
			var kinds []cloudtrail.ItemKind
			bad := 0
			err := cloudtrail.Decode(src, func(it cloudtrail.Item) error {
				kinds = append(kinds, it.Kind)
				if it.Err != nil {
					bad++
				} else if it.Kind == cloudtrail.RecordItem && (it.Record == nil || !bytes.Equal(it.Record.Raw, it.Raw) || it.Record.EventName.Str != `a\"b\`) {
					t.Errorf("%s: record %q read as %+v", tc.name, it.Raw, it.Record)
				}
				return nil
			})
			if err != nil || len(kinds) != len(tc.kinds) || bad != tc.bad {
				t.Errorf("%s (one byte %v): kinds %v bad %d err %v, want %v and %d bad", tc.name, oneByte, kinds, bad, err, tc.kinds, tc.bad)
			}
		}
	}
	for _, broken := range []string{`{"Records":[` + rec, `{"Records":[{"a":"b`, `{"Records": 3}`, `nonsense`} {
		err := cloudtrail.Decode(iotest.OneByteReader(strings.NewReader(broken)), func(cloudtrail.Item) error { return nil })
		if err == nil {
			t.Errorf("%q: no error", broken)
		}
	}
}

// TestParseRecordValidates agrees with encoding/json on what is JSON.
func TestParseRecordValidates(t *testing.T) {
	for _, s := range []string{
		`{}`, ` {"a": 1} `, `{"a":[1,-2.5e+3,0.1,true,false,null,{"b":"\u00e9\n"}]}`, `{"eventName":"x","eventName":"y"}`,
		`{"a": tru}`, `{"a": 01}`, `{"a": 1.}`, `{"a": "x\q"}`, "{\"a\": \"x\ty\"}", `{"a": 1,}`, `{"a" 1}`, `{"a": [1 2]}`,
		`{"a": 1} {}`, `[1]`, `{"a": "\u12"}`, `{"a": -}`, `{"a": {"b": 1}`, ``, `{"a": 1e}`,
	} {
		var r cloudtrail.Record
		err := cloudtrail.ParseRecord([]byte(s), &r)
		isObject := json.Valid([]byte(s)) && strings.HasPrefix(strings.TrimSpace(s), "{")
		if (err == nil) != isObject {
			t.Errorf("%q: ParseRecord error %v, encoding/json says object %v", s, err, isObject)
		}
	}
}

// TestStringScanEveryOffset puts each byte that ends plain string content
// at every offset of strings longer than the eight-byte stride.
func TestStringScanEveryOffset(t *testing.T) {
	for _, special := range []string{`"`, `\\`, `\"`, "\x01", "\x1f", `\u00e9`, "é", "\x7f"} {
		for n := 0; n < 20; n++ {
			for at := 0; at <= n; at++ {
				body := strings.Repeat("a", at) + special + strings.Repeat("b", n-at)
				s := `{"k":"` + body + `","eventName":"N"}`
				var r cloudtrail.Record
				err := cloudtrail.ParseRecord([]byte(s), &r)
				if (err == nil) != json.Valid([]byte(s)) {
					t.Errorf("%q: ParseRecord error %v, json.Valid %v", s, err, json.Valid([]byte(s)))
				}
				if err == nil && r.EventName.Str != "N" {
					t.Errorf("%q: eventName %q", s, r.EventName.Str)
				}
			}
		}
	}
}
