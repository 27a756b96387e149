package cloudtrail_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"secalerts/cloudtrail"
	"secalerts/internal/stacktest"
)

// decodeAll returns copies of the items of input and Decode's error.
func decodeAll(t *testing.T, input []byte) ([]cloudtrail.Item, error) {
	t.Helper()
	var items []cloudtrail.Item
	err := cloudtrail.Decode(bytes.NewReader(input), func(it cloudtrail.Item) error {
		it.Raw, it.Record = bytes.Clone(it.Raw), nil
		items = append(items, it)
		return nil
	})
	return items, err
}

// event is the envelope of an event and its detail, decoded.
type event struct {
	ID         string   `json:"id"`
	Source     string   `json:"source"`
	DetailType string   `json:"detail-type"`
	Account    string   `json:"account"`
	Region     string   `json:"region"`
	Time       string   `json:"time"`
	Resources  []string `json:"resources"`
	Detail     any      `json:"detail"`
}

// findingSamples are the sample events of one finding of detector, in file
// order: the ones a findings export can hold (the service's own source and
// detail-type, one finding each).
func findingSamples(t *testing.T, detector, detailType string) (names []string, events [][]byte) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("../testdata/events", detector, "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			Source     string `json:"source"`
			DetailType string `json:"detail-type"`
			Detail     struct {
				Findings []any `json:"findings"`
			} `json:"detail"`
		}
		if json.Unmarshal(data, &ev) != nil || ev.Source != "aws."+detector || ev.DetailType != detailType || len(ev.Detail.Findings) > 1 {
			continue
		}
		names, events = append(names, f), append(events, data)
	}
	return names, events
}

// TestFindingExportsMatchSamples: the findings exports in testdata/findings
// hold the findings of the sample events; each becomes the event its
// service sends (envelope as documented, the finding as detail), and the
// pipeline decides the same of it as of the sample: same detector,
// severity, destinations, or the same finding closed.
func TestFindingExportsMatchSamples(t *testing.T) {
	p := stacktest.ExamplePipeline(t)
	for _, tc := range []struct {
		export, detector, detailType string
	}{
		{"securityhub-get-findings.json", "securityhub", cloudtrail.SecurityHubFindings},
		{"guardduty-get-findings.json", "guardduty", cloudtrail.GuardDutyFinding},
		{"guardduty-findings-api.json", "guardduty", cloudtrail.GuardDutyFinding},
	} {
		t.Run(tc.export, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("../testdata/findings", tc.export))
			if err != nil {
				t.Fatal(err)
			}
			items, err := decodeAll(t, data)
			if err != nil {
				t.Fatal(err)
			}
			names, samples := findingSamples(t, tc.detector, tc.detailType)
			if len(items) != len(samples) || len(items) < 8 {
				t.Fatalf("%d findings, %d samples", len(items), len(samples))
			}
			alerting, closing := 0, 0
			for i, it := range items {
				if it.Kind != cloudtrail.FindingItem || it.Err != nil {
					t.Fatalf("finding %d: kind %d, error %v", i+1, it.Kind, it.Err)
				}
				var got, want event
				if err := json.Unmarshal(it.Raw, &got); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(samples[i], &want); err != nil {
					t.Fatal(err)
				}
				finding, wantFinding := got.Detail.(map[string]any), want.Detail.(map[string]any)
				var updated, account string
				var resources []string
				if tc.detector == "securityhub" {
					finding = got.Detail.(map[string]any)["findings"].([]any)[0].(map[string]any)
					wantFinding = want.Detail.(map[string]any)["findings"].([]any)[0].(map[string]any)
					updated, account = finding["UpdatedAt"].(string), finding["AwsAccountId"].(string)
					resources = []string{finding["ProductArn"].(string) + "/" + finding["Id"].(string)}
				} else {
					updated, account, resources = finding["updatedAt"].(string), finding["accountId"].(string), []string{}
					// The export's archived updates are later than the
					// samples' (an update is a new time).
					delete(finding, "updatedAt")
					delete(wantFinding, "updatedAt")
				}
				if !reflect.DeepEqual(finding, wantFinding) {
					t.Errorf("%s: the export's finding differs from the sample's:\n%v\n%v", names[i], finding, wantFinding)
				}
				if got.Source != want.Source || got.DetailType != want.DetailType || got.Region != want.Region || got.Account != account ||
					got.Time != updated[:19]+"Z" || !reflect.DeepEqual(got.Resources, resources) {
					t.Errorf("%s: envelope %+v, want source %s, detail-type %s, account %s, region %s, time %s, resources %v",
						names[i], got, want.Source, want.DetailType, account, want.Region, updated, resources)
				}
				route := func(ev []byte) any {
					prepared, env, _, err := p.Prepare(ev)
					if err != nil {
						t.Fatal(err)
					}
					out, err := p.Route(prepared, env.Region, env.Account)
					if err != nil {
						t.Fatal(err)
					}
					return out
				}
				gotOut, wantOut := route(it.Raw), route(samples[i])
				if !reflect.DeepEqual(gotOut, wantOut) {
					t.Errorf("%s: the export's finding goes %+v, the sample %+v", names[i], gotOut, wantOut)
				}
				if strings.Contains(filepath.Base(names[i]), "--") && !strings.HasPrefix(filepath.Base(names[i]), "none--") {
					alerting++
				}
				if strings.Contains(names[i], "archived") || strings.Contains(names[i], "resolved") || strings.Contains(names[i], "passed") {
					closing++
				}
			}
			if alerting == 0 || closing == 0 {
				t.Errorf("%d alerting and %d closing findings: the export proves little", alerting, closing)
			}
		})
	}
}

const (
	shFinding = `{"SchemaVersion":"2018-10-08","Id":"arn:aws:securityhub:eu-west-1:111122223333:subscription/aws-foundational-security-best-practices/v/1.0.0/S3.8/finding/f5","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/securityhub","GeneratorId":"security-control/S3.8","AwsAccountId":"111122223333","Region":"eu-west-1","CreatedAt":"2026-03-01T00:00:00Z","UpdatedAt":"2026-03-04T05:00:00.123Z","Title":"S3.8","Description":"S3.8","Resources":[{"Type":"AwsS3Bucket","Id":"arn:aws:s3:::reports"}]}`
	gdFinding = `{"schemaVersion":"2.0","accountId":"111122223333","region":"eu-west-1","id":"95bf","type":"CryptoCurrency:EC2/BitcoinTool.B!DNS","severity":8,"updatedAt":"2026-03-04T05:05:00.000Z","resource":{"resourceType":"Instance"},"service":{"archived":false}}`
)

// TestFindingExportFormats: exports are told by content, alone, in JSON
// lines or arrays, and what is not one is refused with what would be.
func TestFindingExportFormats(t *testing.T) {
	export := func(findings ...string) string {
		return `{"Findings": [` + strings.Join(findings, ",") + `], "NextToken": "abc"}`
	}
	for _, tc := range []struct {
		name, input string
		kinds       []cloudtrail.ItemKind
		itemErr     string // of the last item
		err         string
	}{
		{"security hub", export(shFinding), []cloudtrail.ItemKind{cloudtrail.FindingItem}, "", ""},
		{"guardduty as the api writes it", `{"findings": [` + gdFinding + `]}`, []cloudtrail.ItemKind{cloudtrail.FindingItem}, "", ""},
		{"empty", `{"Findings": []}`, nil, "", ""},
		{"json lines of exports", export(shFinding) + "\n" + export(gdFinding, gdFinding) + "\n", []cloudtrail.ItemKind{2, 2, 2}, "", ""},
		{"array of exports and an event", `[` + export(shFinding) + `, {"source": "aws.guardduty"}]`, []cloudtrail.ItemKind{2, 1}, "", ""},
		{"unknown findings", export(`{"findingId": "x", "severity": "HIGH"}`), nil, "", "neither a Security Hub finding"},
		{"findings not an array", `{"Findings": {}}`, nil, "", "not an array"},
		{"mixed services", export(shFinding, gdFinding), []cloudtrail.ItemKind{2, 2}, "a GuardDuty finding in an export of Security Hub findings", ""},
		{"no UpdatedAt", export(shFinding, strings.Replace(shFinding, `"UpdatedAt"`, `"Updated"`, 1)), []cloudtrail.ItemKind{2, 2}, "UpdatedAt", ""},
		{"bad updatedAt", `{"findings": [` + strings.Replace(gdFinding, "2026-03-04T05:05:00.000Z", "yesterday", 1) + `]}`, []cloudtrail.ItemKind{2}, `updatedAt "yesterday" is not a date`, ""},
		{"truncated", `{"Findings": [` + shFinding, []cloudtrail.ItemKind{2}, "", "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, err := decodeAll(t, []byte(tc.input))
			if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
			var kinds []cloudtrail.ItemKind
			for _, it := range items {
				kinds = append(kinds, it.Kind)
			}
			if !reflect.DeepEqual(kinds, tc.kinds) {
				t.Errorf("kinds %v, want %v", kinds, tc.kinds)
			}
			var lastErr error
			if len(items) > 0 {
				lastErr = items[len(items)-1].Err
			}
			if (lastErr == nil) != (tc.itemErr == "") || (lastErr != nil && !strings.Contains(lastErr.Error(), tc.itemErr)) {
				t.Errorf("last item's error %v, want %q", lastErr, tc.itemErr)
			}
		})
	}
}

// TestFindingEvent: event IDs, regions, and the AWS CLI's names of a
// GuardDuty finding turned back into the API's.
func TestFindingEvent(t *testing.T) {
	read := func(finding string) event {
		t.Helper()
		b, err := cloudtrail.FindingEvent([]byte(finding))
		if err != nil {
			t.Fatal(err)
		}
		var ev event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	sh := read(shFinding)
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	if !uuid.MatchString(sh.ID) || read(shFinding).ID != sh.ID || read(strings.Replace(shFinding, "05:00:00.123Z", "06:00:00Z", 1)).ID == sh.ID {
		t.Errorf("event ID %q: want one shaped as EventBridge's, the same for the same update and another for the next", sh.ID)
	}
	if sh.Time != "2026-03-04T05:00:00Z" {
		t.Errorf("time %q, want UpdatedAt to the second", sh.Time)
	}
	if noRegion := read(strings.Replace(shFinding, `"Region":"eu-west-1",`, "", 1)); noRegion.Region != "eu-west-1" {
		t.Errorf("a finding without Region: region %q, want its ProductArn's", noRegion.Region)
	}
	if gd := read(gdFinding); gd.ID == sh.ID || !uuid.MatchString(gd.ID) || gd.Resources == nil || len(gd.Resources) != 0 {
		t.Errorf("GuardDuty event %+v", gd)
	}

	cli := `{"SchemaVersion":"2.0","AccountId":"111122223333","Region":"eu-west-1","Id":"95bf","Type":"Recon:EC2/PortProbeUnprotectedPort",
		"Severity":2,"UpdatedAt":"2026-03-04T05:05:00.000Z",
		"Resource":{"ResourceType":"Instance","InstanceDetails":{"InstanceId":"i-1","ProductCodes":[{"Code":"abc","ProductType":"marketplace"}]}},
		"Service":{"Archived":false,"Count":3,
			"Action":{"AwsApiCallAction":{"Api":"GetObject","AffectedResources":{"AWS::S3::Bucket":"reports"}}},
			"Detection":{"Sequence":{"Endpoints":[{"Location":{"City":"Paris","Latitude":48.85,"Longitude":2.35}}],
				"Actors":[{"User":{"Account":{"Uid":"1","Name":"prod"}}}]}}}}`
	b, err := cloudtrail.FindingEvent([]byte(cli))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"source":"aws.guardduty"`, `"detail-type":"GuardDuty Finding"`, `"severity":2,`, `"accountId":"111122223333"`,
		`"productCodeId":"abc"`, `"productCodeType":"marketplace"`, `"affectedResources":{"AWS::S3::Bucket":"reports"}`,
		`"lat":48.85`, `"lon":2.35`, `"city":"Paris"`, `"account":{"account":"prod","uid":"1"}`, `"archived":false`, `"instanceId":"i-1"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the event of a finding the AWS CLI printed lacks %s:\n%s", want, b)
		}
	}
}
