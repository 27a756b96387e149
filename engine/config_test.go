package engine

import (
	"strings"
	"testing"
)

func TestParseConfigHeartbeat(t *testing.T) {
	const hub = `"hub": {"account": "999999999999", "region": "eu-west-1", "partition": "aws"}`
	for _, tc := range []struct {
		name, heartbeat, err string
	}{
		{"no heartbeat watch", ``, ""},
		{"every setting above 0", `"heartbeat": {"missingAfterMinutes": 180, "remindEveryHours": 24, "forgetAfterDays": 8}`, ""},
		{"missingAfterMinutes 0", `"heartbeat": {"missingAfterMinutes": 0, "remindEveryHours": 24, "forgetAfterDays": 8}`,
			"heartbeat.missingAfterMinutes is 0"},
		{"remindEveryHours missing", `"heartbeat": {"missingAfterMinutes": 180, "forgetAfterDays": 8}`,
			"heartbeat.remindEveryHours is 0"},
		{"forgetAfterDays negative", `"heartbeat": {"missingAfterMinutes": 180, "remindEveryHours": 24, "forgetAfterDays": -1}`,
			"heartbeat.forgetAfterDays is -1"},
		{"an empty heartbeat", `"heartbeat": {}`, "heartbeat.missingAfterMinutes is 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "{" + hub
			if tc.heartbeat != "" {
				doc += ", " + tc.heartbeat
			}
			_, err := ParseConfig([]byte(doc + "}"))
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("rejected: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("error %v, want one saying %q", err, tc.err)
			}
		})
	}
}
