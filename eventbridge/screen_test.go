package eventbridge_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"secalerts/detectors"
	"secalerts/eventbridge"
)

// match returns the IDs of the patterns of m that event matches.
func match(t *testing.T, m *eventbridge.Matcher, event []byte) []string {
	t.Helper()
	ids, err := m.Match(event)
	if err != nil {
		t.Fatalf("matching %s: %v", event, err)
	}
	return ids
}

// TestPrunerKeepsMatches: each pattern matches the pruned event exactly
// when it matches the whole one, on events built to catch a pruner that
// drops too much (arrays of objects, values where objects were expected,
// exists false, array-consistent fields, escaped keys).
func TestPrunerKeepsMatches(t *testing.T) {
	patterns := []string{
		`{"detail":{"a":{"b":["x"]}}}`,
		`{"detail":{"errorCode":[{"exists":false}]}}`,
		`{"detail":{"errorCode":[{"exists":true}]},"source":["aws.ec2"]}`,
		`{"detail":{"eventName":[{"anything-but":{"prefix":"Get"}}]}}`,
		`{"detail":{"items":{"k":["a"],"v":["1"]}}}`,
		`{"detail":{"n":[{"numeric":[">",5]}]}}`,
		`{"detail":{"eventName":["CreateUser"]}}`,
		`{"$or":[{"source":["aws.s3"]},{"detail":{"x":["y"]}}]}`,
		`{"detail":{"ip":[{"cidr":"10.0.0.0/8"}]},"detail-type":[{"prefix":"AWS API"}]}`,
		`{"detail":{"a":[null]}}`,
	}
	events := []string{
		`{"source":"aws.ec2","detail":{"a":[{"b":"x","c":1},{"c":2}],"noise":{"b":"x"}}}`,
		`{"source":"aws.ec2","detail":{"a":"scalar"}}`,
		`{"source":"aws.ec2","detail":{"a":{"b":{"deep":"x"}}}}`,
		`{"source":"aws.ec2","detail":{"a":[[{"b":"x"}],"x",null]}}`,
		`{"source":"aws.ec2","detail":{"a":null,"errorCode":null}}`,
		`{"source":"aws.ec2","detail":{"errorCode":"AccessDenied","eventName":"GetObject"}}`,
		`{"source":"aws.s3","detail":{"eventName":"PutObject","requestParameters":{"errorCode":"x"}}}`,
		`{"source":"aws.ec2","detail":{"items":[{"k":"a","v":"2"},{"k":"b","v":"1"}]}}`,
		`{"source":"aws.ec2","detail":{"items":[{"k":"b","v":"1"},{"k":"a","v":"1","w":3}]}}`,
		`{"source":"aws.ec2","detail":{"n":10,"m":1}}`,
		`{"source":"aws.ec2","detail":{"n":1e1}}`,
		`{"source":"aws.ec2","detail":{"n":"10"}}`,
		`{"source":"aws.ec2","detail":{"event\u004eame":"CreateUser"}}`,
		`{"source":"aws.ec2","detail":{"eventName":"DeleteUser","eventName":"CreateUser"}}`,
		` { "source" : "aws.ec2" , "detail-type" : "AWS API Call via CloudTrail" , "detail" : { "ip" : "10.1.2.3" , "x" : [ "y" ] } } `,
		`{"source":"aws.ec2","detail":{"x":{"y":"z"},"ip":["192.0.2.1","10.9.9.9"]}}`,
		`{"source":"aws.ec2","detail":{"s":"a \"quoted\" \\ {string} [with] brackets","a":{"b":"x"}}}`,
	}
	all := eventbridge.NewPruner()
	for _, p := range patterns {
		if err := all.Add([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	matched := 0
	for i, p := range patterns {
		own := eventbridge.NewPruner()
		if err := own.Add([]byte(p)); err != nil {
			t.Fatal(err)
		}
		m := eventbridge.NewMatcher()
		if err := m.Add("p", []byte(p)); err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			want := match(t, m, []byte(e))
			matched += len(want)
			for name, pr := range map[string]*eventbridge.Pruner{"its own": own, "all": all} {
				pruned, ok := pr.Append(nil, []byte(e))
				if !ok {
					t.Fatalf("pruning %s: not JSON?", e)
				}
				if got := match(t, m, pruned); !reflect.DeepEqual(got, want) {
					t.Errorf("pattern %d %s, pruned for %s patterns: %s matches %v, its pruned form %s matches %v",
						i, p, name, e, want, pruned, got)
				}
			}
		}
	}
	if matched == 0 {
		t.Fatal("no event matched any pattern: the test proves nothing")
	}
}

// TestPrunerDropsUnwatchedFields: what no pattern names is gone, array
// places are kept, and what is kept is as written.
func TestPrunerDropsUnwatchedFields(t *testing.T) {
	p := eventbridge.NewPruner()
	if err := p.Add([]byte(`{"source":["aws.ec2"],"detail":{"a":{"b":["x"]},"n":[{"numeric":[">",1]}]}}`)); err != nil {
		t.Fatal(err)
	}
	event := `{"id":"1","source":"aws.ec2","time":"t","detail":{"a":[{"b":"x","c":1},{"c":2},7],"n":1.50,"z":{"b":"x"}}}`
	want := `{"source":"aws.ec2","detail":{"a":[{"b":"x"},{},7],"n":1.50}}`
	if got, ok := p.Append([]byte("prefix:"), []byte(event)); !ok || string(got) != "prefix:"+want {
		t.Errorf("pruned to %s (%v), want prefix:%s", got, ok, want)
	}
	for _, bad := range []string{``, `[1]`, `{"a":`, `{"a":1} x`, `{"source":"aws.ec2"`, `{"detail":{"a":[1,}}`} {
		if got, ok := p.Append([]byte("prefix:"), []byte(bad)); ok || string(got) != "prefix:" {
			t.Errorf("%q pruned to %q, %v; want it refused and dst unchanged", bad, got, ok)
		}
	}
}

// TestPrunerOnSamples: for the patterns of every detector variant and
// every sample event, matching the pruned event gives the same IDs.
func TestPrunerOnSamples(t *testing.T) {
	m := eventbridge.NewMatcher()
	p := eventbridge.NewPruner()
	n := 0
	for _, d := range detectors.All() {
		for i, v := range d.Build(detectors.Options{}) {
			pat, err := json.Marshal(v.Pattern)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Add(fmt.Sprintf("%s/%d", d.ID, i), pat); err != nil {
				t.Fatal(err)
			}
			if err := p.Add(pat); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "events", "*", "*.json"))
	if len(files) < 50 || n < 10 {
		t.Fatalf("%d samples and %d patterns", len(files), n)
	}
	matched := 0
	for _, f := range files {
		event, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := match(t, m, event)
		if len(want) > 0 {
			matched++
		}
		pruned, ok := p.Append(nil, event)
		if !ok {
			t.Fatalf("%s: not pruned", f)
		}
		if got := match(t, m, pruned); !reflect.DeepEqual(got, want) {
			t.Errorf("%s matches %v, its pruned form %s matches %v", f, want, pruned, got)
		}
	}
	if matched < len(files)/2 {
		t.Errorf("only %d of %d samples match a detector", matched, len(files))
	}
}
