package eventbridge

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestMatchPatternOperators(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		match   []string
		noMatch []string
	}{
		{
			name:    "exact string and array field",
			pattern: `{"source":["aws.guardduty"],"resources":["arn:a"]}`,
			match:   []string{`{"source":"aws.guardduty","resources":["arn:b","arn:a"]}`},
			noMatch: []string{`{"source":"aws.guardduty","resources":["arn:b"]}`, `{"source":"aws.guardduty"}`, `{"source":"AWS.GUARDDUTY","resources":["arn:a"]}`},
		},
		{
			name:    "booleans null and empty string",
			pattern: `{"detail":{"ok":[true],"err":[null],"name":[""]}}`,
			match:   []string{`{"detail":{"ok":true,"err":null,"name":""}}`},
			noMatch: []string{`{"detail":{"ok":"true","err":null,"name":""}}`, `{"detail":{"ok":true,"name":""}}`, `{"detail":{"ok":true,"err":"null","name":""}}`},
		},
		{
			name:    "number literal compares by value",
			pattern: `{"detail":{"severity":[8,8.5]}}`,
			match:   []string{`{"detail":{"severity":8.0}}`, `{"detail":{"severity":8.5}}`},
			noMatch: []string{`{"detail":{"severity":"8"}}`, `{"detail":{"severity":7}}`},
		},
		{
			name:    "prefix",
			pattern: `{"time":[{"prefix":"2017-10-02"}]}`,
			match:   []string{`{"time":"2017-10-02T18:43:48Z"}`},
			noMatch: []string{`{"time":"2017-10-03T00:00:00Z"}`, `{"time":20171002}`},
		},
		{
			name:    "equals-ignore-case",
			pattern: `{"Name":[{"equals-ignore-case":"alice"}]}`,
			match:   []string{`{"Name":"ALICE"}`, `{"Name":"Alice"}`},
			noMatch: []string{`{"Name":"Alicia"}`},
		},
		{
			name:    "wildcard",
			pattern: `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`,
			match:   []string{`{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/hub"}`},
			noMatch: []string{`{"EventBusArn":"arn:aws:events:eu-west-1:123456789012:event-bus/hub"}`},
		},
		{
			name:    "wildcard escaped star",
			pattern: `{"k":[{"wildcard":"a\\*b*"}]}`,
			match:   []string{`{"k":"a*bc"}`},
			noMatch: []string{`{"k":"axbc"}`},
		},
		{
			name:    "exists true needs a leaf",
			pattern: `{"detail":{"c-count":[{"exists":true}]}}`,
			match:   []string{`{"detail":{"c-count":5}}`, `{"detail":{"c-count":null}}`},
			noMatch: []string{`{"detail":{}}`, `{"detail":{"c-count":{"c1":100}}}`},
		},
		{
			// The content-filtering page: exists:false "matches any event that
			// does not have a detail.c-count field" and also one where c-count
			// "isn't a leaf node".
			name:    "exists false on absent field and on an object",
			pattern: `{"detail":{"c-count":[{"exists":false}]}}`,
			match:   []string{`{"detail":{"state":"x"}}`, `{"detail":{"c-count":{"c1":100}}}`, `{"other":1}`},
			noMatch: []string{`{"detail":{"c-count":0}}`},
		},
		{
			name:    "anything-but string list",
			pattern: `{"source":[{"anything-but":["aws.ec2","aws.s3"]}]}`,
			match:   []string{`{"source":"aws.guardduty"}`},
			noMatch: []string{`{"source":"aws.ec2"}`, `{"detail-type":"x"}`},
		},
		{
			name:    "numeric open ranges",
			pattern: `{"detail":{"d-count":[{"numeric":["<",10]}],"e":[{"numeric":[">=",-1.5]}]}}`,
			match:   []string{`{"detail":{"d-count":9.999,"e":-1.5}}`},
			noMatch: []string{`{"detail":{"d-count":10,"e":0}}`, `{"detail":{"d-count":1,"e":-1.6}}`},
		},
		{
			name:    "mixed literals and operators in one array",
			pattern: `{"detail":{"severity":["CRITICAL",{"numeric":[">=",7]}]}}`,
			match:   []string{`{"detail":{"severity":"CRITICAL"}}`, `{"detail":{"severity":8.9}}`},
			noMatch: []string{`{"detail":{"severity":"LOW"}}`, `{"detail":{"severity":3}}`},
		},
		{
			name:    "arrays of objects",
			pattern: `{"detail":{"findings":{"Severity":{"Label":["HIGH","CRITICAL"]}}}}`,
			match:   []string{`{"detail":{"findings":[{"Severity":{"Label":"LOW"}},{"Severity":{"Label":"HIGH"}}]}}`},
			noMatch: []string{`{"detail":{"findings":[{"Severity":{"Label":"LOW"}}]}}`, `{"detail":{"findings":[]}}`},
		},
		{
			name:    "field named both in and out of $or",
			pattern: `{"state":[{"prefix":"run"}],"$or":[{"state":["running"]},{"code":[16]}]}`,
			match:   []string{`{"state":"running"}`, `{"state":"runx","code":16}`},
			noMatch: []string{`{"state":"runx"}`, `{"state":"stopped","code":16}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, e := range tt.match {
				got, err := MatchPattern([]byte(tt.pattern), []byte(e))
				if err != nil {
					t.Fatalf("MatchPattern(%s): %v", e, err)
				}
				if !got {
					t.Errorf("event %s should match %s", e, tt.pattern)
				}
			}
			for _, e := range tt.noMatch {
				got, err := MatchPattern([]byte(tt.pattern), []byte(e))
				if err != nil {
					t.Fatalf("MatchPattern(%s): %v", e, err)
				}
				if got {
					t.Errorf("event %s should not match %s", e, tt.pattern)
				}
			}
		})
	}
}

func TestValidatePattern(t *testing.T) {
	valid := []string{
		`{"source":["aws.securityhub"]}`,
		`{"detail":{"x":[{"anything-but":{"equals-ignore-case":["a","b"]}}]}}`,
		`{"detail":{"x":[{"numeric":["<",5,">",1]}]}}`,
		`{"$or":[{"a":["1"]},{"b":[{"exists":false}]}]}`,
		`{"ip":[{"cidr":"2001:db8::/32"}]}`,
	}
	for _, p := range valid {
		if err := ValidatePattern([]byte(p)); err != nil {
			t.Errorf("ValidatePattern(%s) = %v, want nil", p, err)
		}
	}

	invalid := []struct {
		pattern string
		errHas  string
	}{
		{`["aws.ec2"]`, "must be a JSON object"},
		{`{"source":`, "parsing pattern JSON"},
		{`{}`, "at least one field"},
		{`{"source":"aws.ec2"}`, "field source: value must be an array"},
		{`{"detail":{"state":[]}}`, "field detail.state: value array must not be empty"},
		{`{"detail":{}}`, "field detail: object must name at least one field"},
		{`{"x":[{"contains":"a"}]}`, `unknown operator "contains"`},
		{`{"x":[{"prefix":"a","suffix":"b"}]}`, "exactly one key"},
		{`{"x":[{"prefix":5}]}`, "prefix: operand must be a string"},
		{`{"x":[{"exists":"yes"}]}`, "exists: operand must be true or false"},
		{`{"x":[{"numeric":[">","5"]}]}`, "numeric: element 1 must be a number"},
		{`{"x":[{"numeric":["!=",5]}]}`, `unknown comparison "!="`},
		{`{"x":[{"numeric":[">",5,"<",1]}]}`, "lower bound 5 must be below upper bound 1"},
		{`{"x":[{"numeric":[">",1,">",2]}]}`, "two lower bounds"},
		{`{"x":[{"numeric":["=",1,"<",2]}]}`, `"=" cannot be combined`},
		{`{"x":[{"numeric":[">",5e9]}]}`, "outside the supported range"},
		{`{"x":[{"numeric":[">"]}]}`, "operand must be"},
		{`{"x":[{"anything-but":[]}]}`, "anything-but: list must not be empty"},
		{`{"x":[{"anything-but":["a",1]}]}`, "only strings or only numbers"},
		{`{"x":[{"anything-but":{"numeric":[">",1]}}]}`, `unsupported nested operator "numeric"`},
		{`{"x":[{"wildcard":"a**b"}]}`, "consecutive '*'"},
		{`{"x":[{"wildcard":"a\\b"}]}`, "backslash may only escape"},
		{`{"x":[{"cidr":"10.0.0.1"}]}`, "cidr:"},
		{`{"x":[["a"]]}`, "nested arrays"},
		{`{"$or":[{"a":["1"]}]}`, "at least two alternatives"},
		{`{"$or":{"a":["1"]}}`, "must be an array of objects"},
		{`{"$or":[{"a":["1"]},"b"]}`, "alternative must be an object"},
		{`{"x":["` + strings.Repeat("a", MaxPatternSize) + `"]}`, "quota"},
	}
	for _, tt := range invalid {
		err := ValidatePattern([]byte(tt.pattern))
		if err == nil {
			t.Errorf("ValidatePattern(%.60s) = nil, want error containing %q", tt.pattern, tt.errHas)
			continue
		}
		if !strings.Contains(err.Error(), tt.errHas) {
			t.Errorf("ValidatePattern(%.60s) = %q, want it to contain %q", tt.pattern, err, tt.errHas)
		}
	}
}

func TestValidatePatternSizeCountsCharacters(t *testing.T) {
	// The quota is in characters; a pattern of multi-byte characters that is
	// over 2048 bytes but under 2048 characters must pass.
	value := strings.Repeat("é", MaxPatternSize-20)
	p := []byte(`{"x":["` + value + `"]}`)
	if len(p) <= MaxPatternSize {
		t.Fatalf("test pattern is only %d bytes", len(p))
	}
	if err := ValidatePattern(p); err != nil {
		t.Errorf("ValidatePattern: %v", err)
	}
}

func TestValidatePatternOrCombinationLimit(t *testing.T) {
	// Four independent $or of six alternatives each: 6^4 = 1296 combinations.
	var fields []string
	for i := 0; i < 4; i++ {
		var alts []string
		for j := 0; j < 6; j++ {
			alts = append(alts, fmt.Sprintf(`{"f%d":["%d"]}`, j, j))
		}
		fields = append(fields, fmt.Sprintf(`"o%d":{"$or":[%s]}`, i, strings.Join(alts, ",")))
	}
	p := "{" + strings.Join(fields, ",") + "}"
	err := ValidatePattern([]byte(p))
	if err == nil || !strings.Contains(err.Error(), "combinations") {
		t.Errorf("ValidatePattern = %v, want a combinations error", err)
	}
}

func TestMatcherIDsSortedAndDeduplicated(t *testing.T) {
	m := NewMatcher()
	add := func(id, p string) {
		t.Helper()
		if err := m.Add(id, []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	add("zeta", `{"source":["aws.guardduty"]}`)
	// Two $or branches that both match must still report "alpha" once.
	add("alpha", `{"$or":[{"source":["aws.guardduty"]},{"detail":{"severity":[{"numeric":[">",5]}]}}]}`)
	add("alpha", `{"account":["111122223333"]}`)
	add("absent", `{"detail":{"resource":[{"exists":false}]}}`)
	add("never", `{"source":["aws.s3"]}`)

	got, err := m.Match([]byte(`{"source":"aws.guardduty","account":"111122223333","detail":{"severity":8}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"absent", "alpha", "zeta"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Match = %v, want %v", got, want)
	}
}

func TestMatcherRejectsBadInput(t *testing.T) {
	m := NewMatcher()
	if err := m.Add("bad", []byte(`{"source":"aws.ec2"}`)); err == nil || !strings.Contains(err.Error(), `adding pattern "bad"`) {
		t.Errorf("Add = %v, want an error naming the pattern", err)
	}
	if _, err := m.Match([]byte(`[1]`)); err == nil {
		t.Error("Match of a non-object event succeeded")
	}
	if _, err := m.Match([]byte(`{"a":`)); err == nil {
		t.Error("Match of truncated JSON succeeded")
	}
}

func TestMatcherConcurrentMatch(t *testing.T) {
	m := NewMatcher()
	for i := 0; i < 20; i++ {
		p := fmt.Sprintf(`{"detail":{"eventName":["Op%d"],"n":[{"numeric":[">",%d]}]}}`, i, i)
		if err := m.Add(fmt.Sprintf("p%02d", i), []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := (g + i) % 20
				ev := fmt.Sprintf(`{"detail":{"eventName":"Op%d","n":%d}}`, k, k+1)
				got, err := m.Match([]byte(ev))
				if err != nil {
					errs <- err
					return
				}
				if want := fmt.Sprintf("p%02d", k); len(got) != 1 || got[0] != want {
					errs <- fmt.Errorf("Match(%s) = %v, want [%s]", ev, got, want)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
