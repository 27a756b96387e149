package forecast_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"secalerts/forecast"
)

// TestScreenChangesNothingOnSamples: the screen and the pruned, cached
// routing give the same forecast as routing every record whole, on the
// sample events and on every CloudTrail record inside them, placed in
// every region and varied on the fields the screen reads. Each record is
// written twice so the second one comes from the route cache.
func TestScreenChangesNothingOnSamples(t *testing.T) {
	dir := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(eventsDir, "*", "*.json"))
	var records [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			Detail map[string]any `json:"detail"`
		}
		if json.Unmarshal(data, &ev) != nil || ev.Detail["eventSource"] == nil {
			continue
		}
		for _, region := range append(genRegions, "sa-east-1") {
			for _, vary := range []func(map[string]any){
				func(map[string]any) {},
				func(r map[string]any) { r["errorCode"] = "AccessDenied" },
				func(r map[string]any) { delete(r, "errorCode") },
				func(r map[string]any) { r["readOnly"] = !(r["readOnly"] == true) },
				func(r map[string]any) { r["eventType"] = "AwsServiceEvent" },
			} {
				rec := map[string]any{}
				for k, v := range ev.Detail {
					rec[k] = v
				}
				rec["awsRegion"] = region
				vary(rec)
				b, err := json.Marshal(rec)
				if err != nil {
					t.Fatal(err)
				}
				records = append(records, b, b)
			}
		}
	}
	if len(records) < 1000 {
		t.Fatalf("only %d records from %s", len(records), eventsDir)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"Records":[`))
	zw.Write(bytes.Join(records, []byte(",")))
	zw.Write([]byte(`]}`))
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "samples.json.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, paths := range [][]string{{dir}, {eventsDir}} {
		fast := engine(t, forecast.Options{}).Run(paths, nil)
		full := engine(t, forecast.Options{Exhaustive: true, Workers: 1}).Run(paths, nil)
		if full.Total.Alerts == 0 || full.Total.Forwarded == full.Total.Events {
			t.Fatalf("%s: %d alerts, %d of %d events forwarded: the test proves nothing", paths[0], full.Total.Alerts,
				full.Total.Forwarded, full.Total.Events)
		}
		if !reflect.DeepEqual(fast, full) {
			a, _ := json.Marshal(fast)
			b, _ := json.Marshal(full)
			t.Errorf("%s: screened and exhaustive forecasts differ:\n%s\n%s", paths[0], a, b)
		}
	}
}
