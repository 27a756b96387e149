package replay

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// objectCases are events whose spelling encoding/json rewrites, or whose
// keys it matches loosely: the fast path must do as it does.
var objectCases = []string{
	`{"account":"123456789012","detail":{"z":1.50,"a":"<x>","account":"123456789012"},"region":"eu-west-1"}`,
	"{\n  \"source\" : \"a\",\n  \"detail\" : { \"b\" : [ 1 , 2.0e3 , \"x y\" ] },\n  \"id\":\"1\"\n}",
	`{"b":1,"a":2,"b":3}`,
	`{"no-account":true}`,
	`{}`,
	`{"k\u0041y":"\u00e9\n","Key":"&amp;","key":"\u2028 ` + "\u2028\u2029" + `","\ud83d\ude00":1}`,
	`{"a<b>":"<>","a&b":{"c<":"&"}}`,
	"{\"bad\xffkey\":\"bad\xffvalue\"}",
	`{"account":null,"resources":[],"detail":null,"n":-0.0e-1,"t":true,"f":false}`,
	`{"s":"quote \" and backslash \\ and slash \/"}`,
	`{"ID":"a","Source":"s","DETAIL-TYPE":"d","Account":"1","REGION":"r","id":"b","ID":"c"}`,
	`{"source":"s\u00e9","detail-type":"d\\e","account":"1","region":null,"region":"r","time":"t"}`,
	`{"source":1,"detail-type":"d","account":"1","region":"r"}`,
	`{"source":"bad` + "\xff" + `","detail-type":"d","account":"1","region":"r"}`,
}

func sampleEvents(t *testing.T) []string {
	t.Helper()
	events := objectCases
	files, err := filepath.Glob(filepath.Join("..", "testdata", "events", "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, string(data))
	}
	return events
}

// checkObject compares the fast path with encoding/json on one event.
func checkObject(t *testing.T, ev []byte) {
	if !json.Valid(ev) {
		return
	}
	o, ok := splitObject(ev)
	if !ok {
		return
	}
	want, err := inMemberMap(ev, "111111111111")
	if err != nil {
		t.Fatalf("splitObject took %q, which encoding/json refuses: %v", ev, err)
	}
	if got := o.withAccount("111111111111"); !bytes.Equal(got, want) {
		t.Errorf("InMember(%q)\n fast %s\n want %s", ev, got, want)
	}
	env, ok := o.envelope()
	var wantEnv Envelope
	wantErr := json.Unmarshal(ev, &wantEnv)
	if ok && (wantErr != nil || env != wantEnv) {
		t.Errorf("envelope of %q = %+v, want %+v (%v)", ev, env, wantEnv, wantErr)
	}
	if !ok && wantErr == nil {
		t.Errorf("envelope of %q declined, though encoding/json reads it: %+v", ev, wantEnv)
	}
}

func TestObjectMatchesEncodingJSON(t *testing.T) {
	for _, ev := range sampleEvents(t) {
		checkObject(t, []byte(ev))
	}
	// The sample events are all read without encoding/json.
	for _, ev := range sampleEvents(t)[len(objectCases):] {
		if _, ok := splitObject([]byte(ev)); !ok {
			t.Errorf("splitObject declined a sample event:\n%s", ev)
		}
	}
}

func TestInMemberOfWhatIsNotAnObject(t *testing.T) {
	for _, ev := range []string{`[1]`, `1`, `null`, `"x"`, `{"a":`, ``} {
		if out, err := InMember([]byte(ev), "111111111111"); err == nil {
			t.Errorf("InMember(%s) = %s, want an error", ev, out)
		}
	}
}

func FuzzObject(f *testing.F) {
	for _, ev := range objectCases {
		f.Add([]byte(ev))
	}
	f.Fuzz(checkObject)
}
