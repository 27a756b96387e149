package forecast_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"secalerts/cloudtrail"
	"secalerts/detectors"
)

// The generator writes CloudTrail log trees with known contents. Records
// are either noise (reads, data events, STS, network activity events: what
// fills real trails) or copies of the CloudTrail records inside the sample
// events of testdata/events, whose file names say what each should produce
// (SEVERITY--name.json, "none--" and "elsewhere--" for nothing). The
// ground truth is computed from those names and the example stacks' config,
// never from the forecast engine.

const (
	memberAccount = "111111111111" // accountId in Pulumi.member.yaml
	eventsDir     = "../testdata/events"
)

// destinationsBySeverity is who acme (Pulumi.hub.yaml) hears from at each
// severity: Slack C0000000002 from MEDIUM, C0000000001 from HIGH, e-mail and
// the pager webhook at CRITICAL only.
var destinationsBySeverity = map[string][]string{
	"MEDIUM":   {"slack:T0000000001/C0000000002"},
	"HIGH":     {"slack:T0000000001/C0000000001", "slack:T0000000001/C0000000002"},
	"CRITICAL": {"email:acme-security@example.com", "slack:T0000000001/C0000000001", "slack:T0000000001/C0000000002", "webhook:pager"},
}

// memberMinimum is Pulumi.member.yaml's minSeverity; unauthorized-api-calls
// is disabled there.
var memberForwards = map[string]bool{"MEDIUM": true, "HIGH": true, "CRITICAL": true}

// template is one kind of record, marshalled once with placeholders.
type template struct {
	name     string
	region   string // "" for any
	parts    [][]byte
	detector string
	severity string // "" when it alerts nobody
	class    cloudtrail.Delivery
}

const (
	phTime = "\u0001T"
	phID   = "\u0001I"
	phReg  = "\u0001R"
)

func newTemplate(name, region string, rec map[string]any, detector, sev string, class cloudtrail.Delivery) template {
	rec["eventTime"], rec["eventID"], rec["recipientAccountId"] = phTime, phID, memberAccount
	if region == "" {
		rec["awsRegion"] = phReg
	}
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	// json.Marshal writes \u0001 as the escape sequence.
	parts := bytes.Split(b, []byte(`\u0001`))
	return template{name: name, region: region, parts: parts, detector: detector, severity: sev, class: class}
}

// render appends one record.
func (t template) render(dst []byte, ts, id, region string) []byte {
	dst = append(dst, t.parts[0]...)
	for _, p := range t.parts[1:] {
		switch p[0] {
		case 'T':
			dst = append(dst, ts...)
		case 'I':
			dst = append(dst, id...)
		case 'R':
			dst = append(dst, region...)
		}
		dst = append(dst, p[1:]...)
	}
	return dst
}

// sampleTemplates reads the CloudTrail-based samples.
func sampleTemplates(t testing.TB) []template {
	var out []template
	files, _ := filepath.Glob(filepath.Join(eventsDir, "*", "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			Source     string         `json:"source"`
			DetailType string         `json:"detail-type"`
			Region     string         `json:"region"`
			Detail     map[string]any `json:"detail"`
		}
		if json.Unmarshal(data, &ev) != nil || ev.Detail["eventSource"] == nil {
			continue
		}
		es, _ := ev.Detail["eventSource"].(string)
		et, _ := ev.Detail["eventType"].(string)
		if dt, _ := cloudtrail.DetailType(et); ev.Source != cloudtrail.Source(es) || ev.DetailType != dt {
			// A forged event: no CloudTrail record becomes it.
			continue
		}
		detector := filepath.Base(filepath.Dir(f))
		sev, _, _ := strings.Cut(filepath.Base(f), "--")
		if !memberForwards[sev] || detector == "unauthorized-api-calls" {
			sev = ""
		}
		class := cloudtrail.Delivered
		name, _ := ev.Detail["eventName"].(string)
		if ro, _ := ev.Detail["readOnly"].(bool); ro && (strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List")) {
			class = cloudtrail.ReadOnlyManagement
		}
		out = append(out, newTemplate(f, ev.Region, ev.Detail, detector, sev, class))
	}
	if len(out) < 50 {
		t.Fatalf("only %d CloudTrail samples in %s", len(out), eventsDir)
	}
	return out
}

// noiseTemplates are what most of a trail holds; none alerts.
func noiseTemplates() []template {
	ident := func(arn string) map[string]any {
		return map[string]any{"type": "AssumedRole", "principalId": "AROAEXAMPLE:worker", "arn": arn, "accountId": memberAccount,
			"accessKeyId": "ASIAEXAMPLE", "sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role",
				"arn": "arn:aws:iam::111111111111:role/app", "accountId": memberAccount, "userName": "app"},
				"attributes": map[string]any{"creationDate": "2026-03-01T00:00:00Z", "mfaAuthenticated": "false"}}}
	}
	base := func(source, name, eventType, category string, readOnly bool, req, resp any) map[string]any {
		return map[string]any{"eventVersion": "1.10", "userIdentity": ident("arn:aws:sts::111111111111:assumed-role/app/worker"),
			"eventSource": source, "eventName": name, "sourceIPAddress": "10.0.1.23",
			"userAgent":         "aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22 md/GOOS#linux md/GOARCH#amd64 api/" + name,
			"requestParameters": req, "responseElements": resp, "requestID": "0f2c7a3e-1b7d-4f1e-9a55-1c4f0d2b9e11",
			"readOnly": readOnly, "eventType": eventType, "managementEvent": category == "Management", "eventCategory": category,
			"tlsDetails": map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
				"clientProvidedHostHeader": strings.TrimSuffix(source, ".amazonaws.com") + ".eu-west-1.amazonaws.com"}}
	}
	return []template{
		newTemplate("describe-instances", "", base("ec2.amazonaws.com", "DescribeInstances", "AwsApiCall", "Management", true,
			map[string]any{"instancesSet": map[string]any{}, "filterSet": map[string]any{"items": []any{map[string]any{"name": "tag:team", "valueSet": map[string]any{"items": []any{map[string]any{"value": "payments"}}}}}}}, nil),
			"", "", cloudtrail.ReadOnlyManagement),
		newTemplate("get-object", "", base("s3.amazonaws.com", "GetObject", "AwsApiCall", "Data", true,
			map[string]any{"bucketName": "app-assets", "key": "images/2026/03/banner.png", "Host": "app-assets.s3.eu-west-1.amazonaws.com"},
			nil), "", "", cloudtrail.Delivered),
		newTemplate("put-object", "", base("s3.amazonaws.com", "PutObject", "AwsApiCall", "Data", false,
			map[string]any{"bucketName": "app-uploads", "key": "incoming/8c1e/upload.bin", "x-amz-server-side-encryption": "aws:kms"},
			nil), "", "", cloudtrail.Delivered),
		newTemplate("assume-role", "", base("sts.amazonaws.com", "AssumeRole", "AwsApiCall", "Management", false,
			map[string]any{"roleArn": "arn:aws:iam::111111111111:role/app", "roleSessionName": "worker", "durationSeconds": 3600},
			map[string]any{"credentials": map[string]any{"accessKeyId": "ASIAEXAMPLE", "expiration": "Mar 1, 2026, 1:00:00 AM"},
				"assumedRoleUser": map[string]any{"assumedRoleId": "AROAEXAMPLE:worker", "arn": "arn:aws:sts::111111111111:assumed-role/app/worker"}}),
			"", "", cloudtrail.Delivered),
		newTemplate("decrypt", "", base("kms.amazonaws.com", "Decrypt", "AwsApiCall", "Management", true,
			map[string]any{"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": map[string]any{"aws:lambda:FunctionArn": "arn:aws:lambda:eu-west-1:111111111111:function:api"}},
			nil), "", "", cloudtrail.Delivered),
		newTemplate("create-tags", "", base("ec2.amazonaws.com", "CreateTags", "AwsApiCall", "Management", false,
			map[string]any{"resourcesSet": map[string]any{"items": []any{map[string]any{"resourceId": "i-0abc"}}}, "tagSet": map[string]any{"items": []any{map[string]any{"key": "owner", "value": "payments"}}}},
			map[string]any{"_return": true}), "", "", cloudtrail.Delivered),
		newTemplate("vpce", "", base("s3.amazonaws.com", "ListObjects", "AwsVpceEvent", "NetworkActivity", true,
			map[string]any{"bucketName": "app-assets"}, nil), "", "", cloudtrail.NotDelivered),
		newTemplate("denied-write", "", func() map[string]any {
			r := base("ec2.amazonaws.com", "TerminateInstances", "AwsApiCall", "Management", false, map[string]any{"instancesSet": map[string]any{}}, nil)
			r["errorCode"], r["errorMessage"] = "Client.UnauthorizedOperation", "You are not authorized to perform this operation."
			return r
		}(), "", "", cloudtrail.Delivered),
	}
}

// truth is what a generated corpus must forecast.
type truth struct {
	days            map[string]*dayTruth
	notDelivered    int64
	readOnlySkipped int64
	bytes           int64 // uncompressed
	files           int
}

type dayTruth struct {
	events, forwarded, alerts, messages int64
	detector, severity, destination     map[string]int64
}

func (tr *truth) day(d string) *dayTruth {
	if tr.days[d] == nil {
		tr.days[d] = &dayTruth{detector: map[string]int64{}, severity: map[string]int64{}, destination: map[string]int64{}}
	}
	return tr.days[d]
}

// genConfig sizes a corpus.
type genConfig struct {
	seed           int64
	bytes          int64   // uncompressed bytes to write, at least
	days           int     // days the records spread over
	recordsPerFile int     // per file
	securityShare  float64 // share of records copied from the samples
}

var genRegions = []string{"us-east-1", "eu-west-1", "us-east-2", "us-west-2", "ap-northeast-1", "ap-southeast-2"}

// generate writes a corpus under dir and returns its ground truth.
func generate(t testing.TB, dir string, cfg genConfig) *truth {
	rng := rand.New(rand.NewSource(cfg.seed))
	samples := sampleTemplates(t)
	byRegion := map[string][]template{}
	for _, s := range samples {
		byRegion[s.region] = append(byRegion[s.region], s)
	}
	noise := noiseTemplates()
	tr := &truth{days: map[string]*dayTruth{}}
	var buf, gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	for n := 0; tr.bytes < cfg.bytes; n++ {
		day := n % cfg.days
		date := fmt.Sprintf("2026-03-%02d", day+1)
		region := genRegions[(n/cfg.days)%len(genRegions)]
		buf.Reset()
		buf.WriteString(`{"Records":[`)
		for i := 0; i < cfg.recordsPerFile; i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			tpl := noise[rng.Intn(len(noise))]
			if own := byRegion[region]; len(own) > 0 && rng.Float64() < cfg.securityShare {
				tpl = own[rng.Intn(len(own))]
			}
			ts := fmt.Sprintf("%sT%02d:%02d:%02dZ", date, rng.Intn(24), rng.Intn(60), rng.Intn(60))
			id := fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Intn(1<<16), rng.Intn(1<<16), rng.Intn(1<<16), rng.Int63n(1<<48))
			buf.Write(tpl.render(nil, ts, id, region))
			d := tr.day(date)
			d.events++
			switch tpl.class {
			case cloudtrail.NotDelivered:
				tr.notDelivered++
			case cloudtrail.ReadOnlyManagement:
				tr.readOnlySkipped++
			}
			if tpl.severity != "" {
				d.forwarded++
				d.alerts++
				d.detector[tpl.detector]++
				d.severity[tpl.severity]++
				dests := destinationsBySeverity[tpl.severity]
				// Tampering reaches the highest destination, and the operator.
				if det, _ := detectors.ByID(tpl.detector); det.Tamper {
					dests = append(slices.Clone(destinationsBySeverity["CRITICAL"]), "operator")
				}
				for _, dest := range dests {
					d.destination[dest]++
					d.messages++
				}
			}
		}
		buf.WriteString("]}")
		tr.bytes += int64(buf.Len())
		gz.Reset()
		zw.Reset(&gz)
		zw.Write(buf.Bytes())
		zw.Close()
		sub := filepath.Join(dir, "AWSLogs", memberAccount, "CloudTrail", region, "2026", "03", date[8:])
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%s_CloudTrail_%s_%sT%04dZ_%06d.json.gz", memberAccount, region, strings.ReplaceAll(date, "-", ""), n%2400, n)
		if err := os.WriteFile(filepath.Join(sub, name), gz.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		tr.files++
	}
	return tr
}

// sortedDays lists the truth's days.
func (tr *truth) sortedDays() []string {
	var out []string
	for d := range tr.days {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}
