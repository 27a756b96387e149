package render

import "testing"

func TestConsoleURL(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		ok        bool
	}{
		{"regional", "https://eu-west-1.console.aws.amazon.com/securityhub/home?region=eu-west-1#/findings", true},
		{"global", "https://console.aws.amazon.com/organizations/v2/home", true},
		{"gov", "https://us-gov-west-1.console.aws.amazon.com/x", true},
		{"iso", "https://us-isob-east-1.console.aws.amazon.com/x", true},
		{"query and fragment", "https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=abc", true},
		{"http", "http://eu-west-1.console.aws.amazon.com/x", false},
		{"other host", "https://evil.example/x", false},
		{"look-alike suffix", "https://eu-west-1.console.aws.amazon.com.evil.example/x", false},
		{"not a region", "https://evil.console.aws.amazon.com/x", false},
		{"two labels", "https://a.eu-west-1.console.aws.amazon.com/x", false},
		{"service host", "https://s3.console.aws.amazon.com/s3/buckets/b", false},
		{"user info", "https://console.aws.amazon.com@evil.example/x", false},
		{"user info on console", "https://evil@console.aws.amazon.com/x", false},
		{"port", "https://console.aws.amazon.com:8443/x", false},
		{"upper case host", "https://CONSOLE.aws.amazon.com/x", false},
		{"space", "https://console.aws.amazon.com/x y", false},
		{"quote", `https://console.aws.amazon.com/x"onmouseover`, false},
		{"angle bracket", "https://console.aws.amazon.com/x>|Approve", false},
		{"backslash", `https://console.aws.amazon.com\@evil.example`, false},
		{"newline", "https://console.aws.amazon.com/x\nhttps://evil.example", false},
		{"javascript", "javascript:alert(1)//console.aws.amazon.com", false},
		{"relative", "//console.aws.amazon.com/x", false},
		{"placeholder left", "https://<region>.console.aws.amazon.com/x", false},
		{"empty", "", false},
		{"too long", "https://console.aws.amazon.com/" + string(make([]byte, maxConsoleURL)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := consoleURL(tc.url)
			if (got != "") != tc.ok || (tc.ok && got != tc.url) {
				t.Errorf("consoleURL(%q) = %q, want ok %v", tc.url, got, tc.ok)
			}
		})
	}
}

func TestBuildConsoleURL(t *testing.T) {
	const gd = "https://<region>.console.aws.amazon.com/guardduty/home?region=<region>#/findings?macros=current&fId=<findingId>"
	const trail = "https://<region>.console.aws.amazon.com/cloudtrail/home?region=<region>#/events/<eventId>"
	const alarm = "https://<region>.console.aws.amazon.com/cloudwatch/home?region=<region>#alarmsV2:alarm/<alarmName>"
	const config = "https://<region>.console.aws.amazon.com/config/home?region=<region>#/rules/details?configRuleName=<ruleName>"
	const path = "https://console.aws.amazon.com/organizations/v2/home/accounts/<newAccountId>"
	for _, tc := range []struct {
		name, tmpl string
		values     map[string]string
		want       string
	}{
		{"guardduty", gd, map[string]string{"region": "eu-west-1", "findingId": "abc123"},
			"https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?macros=current&fId=abc123"},
		{"query value cannot add a parameter", gd, map[string]string{"region": "eu-west-1", "findingId": "x&region=evil#/y z"},
			"https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?macros=current&fId=x%26region%3Devil%23%2Fy+z"},
		{"fragment path value stays one segment", trail, map[string]string{"region": "us-east-1", "eventId": "../../x?y#z"},
			"https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/..%2F..%2Fx%3Fy%23z"},
		{"dot dot", path, map[string]string{"newAccountId": ".."},
			"https://console.aws.amazon.com/organizations/v2/home/accounts/%2E%2E"},
		{"alarm name", alarm, map[string]string{"region": "us-east-1", "alarmName": "secalerts-forward-dlq depth"},
			"https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/secalerts-forward-dlq%20depth"},
		{"config rule", config, map[string]string{"region": "us-east-1", "ruleName": "a b&c"},
			"https://us-east-1.console.aws.amazon.com/config/home?region=us-east-1#/rules/details?configRuleName=a+b%26c"},
		{"host from a value", trail, map[string]string{"region": "evil.example/", "eventId": "e"}, ""},
		{"host with user info", trail, map[string]string{"region": "x@evil.example", "eventId": "e"}, ""},
		{"host not a region", trail, map[string]string{"region": "evil", "eventId": "e"}, ""},
		{"empty region", trail, map[string]string{"eventId": "e"}, ""},
		{"markup in a value", trail, map[string]string{"region": "us-east-1", "eventId": "<!channel>|x"},
			"https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/%3C%21channel%3E%7Cx"},
		{"no template", "", map[string]string{"region": "us-east-1"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := buildConsoleURL(tc.tmpl, tc.values); got != tc.want {
				t.Errorf("buildConsoleURL =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
