package eventbridge

import (
	"testing"

	"quamina.net/go/quamina"
)

// Each TestEventBridgeDifference_* test pins EventBridge's behaviour where
// quamina v1.5.1 refuses the pattern or answers differently. Every test first
// shows quamina's own verdict, so it fails loudly (and the workaround can be
// dropped) if a quamina upgrade closes the gap.

type verdict struct {
	event string
	want  bool
}

// rawQuamina asks quamina directly, without this package's rewriting.
func rawQuamina(t *testing.T, pattern, event string) (bool, error) {
	t.Helper()
	q, err := quamina.New()
	if err != nil {
		t.Fatalf("creating quamina: %v", err)
	}
	if err := q.AddPattern("p", pattern); err != nil {
		return false, err
	}
	m, err := q.MatchesForEvent([]byte(event))
	return len(m) > 0, err
}

// requireQuaminaRejects checks that quamina cannot take pattern as written.
func requireQuaminaRejects(t *testing.T, pattern string) {
	t.Helper()
	if _, err := rawQuamina(t, pattern, `{}`); err == nil {
		t.Fatalf("quamina now accepts %s; revisit the rewriting in matcher.go", pattern)
	}
}

func checkVerdicts(t *testing.T, pattern string, cases []verdict) {
	t.Helper()
	for _, c := range cases {
		got, err := MatchPattern([]byte(pattern), []byte(c.event))
		if err != nil {
			t.Fatalf("MatchPattern(%s, %s): %v", pattern, c.event, err)
		}
		if got != c.want {
			t.Errorf("MatchPattern(%s, %s) = %v, want %v", pattern, c.event, got, c.want)
		}
	}
}

// Documented: {"anything-but": "initializing"} and {"anything-but": 123}
// (content-filtering page). Quamina only accepts a list of strings.
func TestEventBridgeDifference_AnythingButBareString(t *testing.T) {
	p := `{"detail":{"state":[{"anything-but":"initializing"}]}}`
	requireQuaminaRejects(t, p)
	checkVerdicts(t, p, []verdict{
		{`{"detail":{"state":"running"}}`, true},
		{`{"detail":{"state":"initializing"}}`, false},
		// An array field matches when any element is not excluded.
		{`{"detail":{"state":["initializing","running"]}}`, true},
		{`{"detail":{"state":["initializing"]}}`, false},
		// anything-but compares values, so it needs the field.
		{`{"detail":{}}`, false},
	})
}

func TestEventBridgeDifference_AnythingButNumbers(t *testing.T) {
	for _, p := range []string{
		`{"detail":{"x-limit":[{"anything-but":123}]}}`,
		`{"detail":{"x-limit":[{"anything-but":[100,123,300]}]}}`,
	} {
		requireQuaminaRejects(t, p)
		checkVerdicts(t, p, []verdict{
			{`{"detail":{"x-limit":124}}`, true},
			{`{"detail":{"x-limit":123}}`, false},
			// Numbers compare by value, not spelling.
			{`{"detail":{"x-limit":1.23e2}}`, false},
			{`{"detail":{}}`, false},
		})
	}
}

// Documented: {"anything-but": {"prefix": "init"}} and {"anything-but":
// {"suffix": ".png"}} (content-filtering and comparison-operators pages).
func TestEventBridgeDifference_AnythingButPrefixSuffix(t *testing.T) {
	prefix := `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`
	requireQuaminaRejects(t, prefix)
	checkVerdicts(t, prefix, []verdict{
		{`{"detail":{"state":"running"}}`, true},
		{`{"detail":{"state":"initializing"}}`, false},
		{`{"detail":{}}`, false},
	})
	suffix := `{"FileName":[{"anything-but":{"suffix":".png"}}]}`
	requireQuaminaRejects(t, suffix)
	checkVerdicts(t, suffix, []verdict{
		{`{"FileName":"a.jpg"}`, true},
		{`{"FileName":"a.png"}`, false},
	})
}

// Documented: anything-but with equals-ignore-case and with wildcard
// (comparison-operators page).
func TestEventBridgeDifference_AnythingButIgnoreCaseAndWildcard(t *testing.T) {
	ic := `{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}`
	requireQuaminaRejects(t, ic)
	checkVerdicts(t, ic, []verdict{
		{`{"state":"INITIALIZING"}`, false},
		{`{"state":"running"}`, true},
	})
	wc := `{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`
	requireQuaminaRejects(t, wc)
	checkVerdicts(t, wc, []verdict{
		{`{"FilePath":"/usr/lib/x.so"}`, false},
		{`{"FilePath":"/usr/bin/x"}`, true},
	})
}

// Documented: {"suffix": ".png"}; quamina has no suffix operator.
func TestEventBridgeDifference_Suffix(t *testing.T) {
	p := `{"FileName":[{"suffix":".png"}]}`
	requireQuaminaRejects(t, p)
	checkVerdicts(t, p, []verdict{
		{`{"FileName":"image.png"}`, true},
		{`{"FileName":"image.PNG"}`, false},
		{`{"FileName":"png.txt"}`, false},
		{`{"FileName":5}`, false},
	})
}

// Documented: {"prefix": {"equals-ignore-case": "EventB"}} and the suffix
// form; quamina's prefix takes only a string.
func TestEventBridgeDifference_PrefixSuffixIgnoreCase(t *testing.T) {
	prefix := `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`
	requireQuaminaRejects(t, prefix)
	checkVerdicts(t, prefix, []verdict{
		{`{"detail":{"service":"eventbridge"}}`, true},
		{`{"detail":{"service":"EVENTBRIDGE"}}`, true},
		{`{"detail":{"service":"lambda"}}`, false},
	})
	suffix := `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`
	requireQuaminaRejects(t, suffix)
	checkVerdicts(t, suffix, []verdict{
		{`{"detail":{"FileName":"A.PNG"}}`, true},
		{`{"detail":{"FileName":"a.jpg"}}`, false},
	})
}

// Documented: [">", 0, "<=", 5], ["<", 10], ["=", 3.018e2]; numeric matching
// "works with values that are JSON numbers". Quamina has no numeric ranges.
func TestEventBridgeDifference_Numeric(t *testing.T) {
	p := `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`
	requireQuaminaRejects(t, p)
	checkVerdicts(t, p, []verdict{
		{`{"detail":{"c-count":5,"x-limit":301.8}}`, true},
		{`{"detail":{"c-count":0.5,"x-limit":301.8}}`, true},
		{`{"detail":{"c-count":0,"x-limit":301.8}}`, false},
		{`{"detail":{"c-count":6,"x-limit":301.8}}`, false},
		{`{"detail":{"c-count":"3","x-limit":301.8}}`, false}, // strings are not numbers
		{`{"detail":{"c-count":[9,3],"x-limit":301.8}}`, true},
		{`{"detail":{"x-limit":301.8}}`, false},
	})
}

// Documented on the content-filtering page: "IP address matching ... for
// IPv4 and IPv6 addresses".
func TestEventBridgeDifference_CIDR(t *testing.T) {
	p := `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"},{"cidr":"2001:db8::/32"}]}}`
	requireQuaminaRejects(t, p)
	checkVerdicts(t, p, []verdict{
		{`{"detail":{"sourceIPAddress":"10.0.0.24"}}`, true},
		{`{"detail":{"sourceIPAddress":"10.0.1.1"}}`, false},
		{`{"detail":{"sourceIPAddress":"2001:db8::1"}}`, true},
		{`{"detail":{"sourceIPAddress":"ec2.amazonaws.com"}}`, false},
	})
}

// Documented: $or, including nested $or and $or inside an object (the
// comparison-operators page lists "Or ... Location is "New York", or Day is
// "Monday""; event-ruler's README documents the nesting).
func TestEventBridgeDifference_Or(t *testing.T) {
	p := `{
	  "source": ["aws.cloudwatch"],
	  "$or": [
	    {"metricName": ["CPUUtilization"]},
	    {"namespace": ["AWS/EC2"], "$or": [{"metricId": [1234]}, {"spaceId": [{"numeric": [">", 10]}]}]}
	  ]
	}`
	requireQuaminaRejects(t, p)
	checkVerdicts(t, p, []verdict{
		{`{"source":"aws.cloudwatch","metricName":"CPUUtilization"}`, true},
		{`{"source":"aws.cloudwatch","namespace":"AWS/EC2","metricId":1234}`, true},
		{`{"source":"aws.cloudwatch","namespace":"AWS/EC2","spaceId":11}`, true},
		{`{"source":"aws.cloudwatch","namespace":"AWS/EC2","spaceId":9}`, false},
		{`{"source":"aws.cloudwatch","namespace":"AWS/EC2"}`, false},
		{`{"source":"aws.ec2","metricName":"CPUUtilization"}`, false},
	})
}

// EventBridge lets {"exists": false} sit beside other values in one array,
// meaning "absent, or one of these"; quamina requires exists to stand alone.
func TestEventBridgeDifference_ExistsFalseWithOtherValues(t *testing.T) {
	p := `{"detail":{"userIdentity":{"invokedBy":[{"exists":false},"cloudformation.amazonaws.com"]}}}`
	requireQuaminaRejects(t, p)
	checkVerdicts(t, p, []verdict{
		{`{"detail":{"userIdentity":{"type":"IAMUser"}}}`, true},
		{`{"detail":{"userIdentity":{"invokedBy":"cloudformation.amazonaws.com"}}}`, true},
		{`{"detail":{"userIdentity":{"invokedBy":"ec2.amazonaws.com"}}}`, false},
	})
}
