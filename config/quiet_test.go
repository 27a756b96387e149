package config

import (
	"strings"
	"testing"

	"secalerts/engine"
	"secalerts/severity"
)

// quietHub is baseHub with acme's quiet keys set to raw (a JSON object's
// members, without braces).
func quietHub(t *testing.T, edit func(c obj)) []byte {
	return hubWith(t, func(h obj) { edit(cust(h, 0)) })
}

func suppression(extra obj) obj {
	s := obj{"name": "deploy-sg", "reason": "the deploy pipeline manages security groups"}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

func TestQuietDefaults(t *testing.T) {
	h, err := ParseHub(hubWith(t, nil), allSecret)
	if err != nil {
		t.Fatal(err)
	}
	c := h.Customers[0]
	if c.RemindAfterDays != DefaultRemindAfterDays || c.Flood != (engine.Flood{MaxPerWindow: DefaultFloodMax, WindowMinutes: DefaultFloodMinutes}) || c.Suppressions != nil {
		t.Errorf("defaults: %d %+v %+v", c.RemindAfterDays, c.Flood, c.Suppressions)
	}
}

func TestQuietKeys(t *testing.T) {
	raw := quietHub(t, func(c obj) {
		c["remindAfterDays"] = 0
		c["flood"] = obj{"maxPerWindow": "5", "windowMinutes": 30}
		c["suppressions"] = []any{suppression(obj{
			"until": "2027-01-31T00:00:00Z", "detectors": []any{"security-groups"}, "accounts": []any{"111111111111"},
			"regions": []any{"eu-west-1"}, "principals": []any{"arn:aws:iam::*:role/deploy"},
			"resources": []any{"sg-*"}, "types": []any{"AuthorizeSecurityGroupIngress"}, "below": "HIGH",
		})}
	})
	h, err := ParseHub(raw, allSecret)
	if err != nil {
		t.Fatal(err)
	}
	c := h.Customers[0]
	high := severity.High
	want := engine.Suppression{Name: "deploy-sg", Reason: "the deploy pipeline manages security groups", Until: "2027-01-31",
		Detectors: []string{"security-groups"}, Accounts: []string{"111111111111"}, Regions: []string{"eu-west-1"},
		Principals: []string{"arn:aws:iam::*:role/deploy"}, Resources: []string{"sg-*"}, Types: []string{"AuthorizeSecurityGroupIngress"}, Below: &high}
	if c.RemindAfterDays != 0 || c.Flood != (engine.Flood{MaxPerWindow: 5, WindowMinutes: 30}) || len(c.Suppressions) != 1 {
		t.Fatalf("read %d %+v %+v", c.RemindAfterDays, c.Flood, c.Suppressions)
	}
	got := c.Suppressions[0]
	if got.Name != want.Name || got.Reason != want.Reason || got.Until != want.Until || *got.Below != high ||
		strings.Join(got.Detectors, ",") != "security-groups" || strings.Join(got.Accounts, ",") != "111111111111" ||
		strings.Join(got.Regions, ",") != "eu-west-1" || got.Principals[0] != want.Principals[0] ||
		got.Resources[0] != "sg-*" || got.Types[0] != want.Types[0] {
		t.Errorf("read %+v, want %+v", got, want)
	}
}

func TestQuietErrors(t *testing.T) {
	const at = "secalerts:hub.customers[0]."
	const sup = at + "suppressions[0]."
	for _, tc := range []struct {
		name string
		edit func(c obj)
		want string
	}{
		{"remind negative", func(c obj) { c["remindAfterDays"] = -1 }, at + "remindAfterDays: -1 is out of range (expected 0, never, to 365 days)"},
		{"remind not a number", func(c obj) { c["remindAfterDays"] = "weekly" }, at + `remindAfterDays: "weekly" is not a whole number`},
		{"flood unknown key", func(c obj) { c["flood"] = obj{"max": 5} }, at + `flood.max: unknown key "max" (valid keys here: maxPerWindow, windowMinutes)`},
		{"flood too many", func(c obj) { c["flood"] = obj{"maxPerWindow": 5000} }, at + "flood.maxPerWindow: 5000 is out of range"},
		{"flood window too short", func(c obj) { c["flood"] = obj{"windowMinutes": 1} }, at + "flood.windowMinutes: 1 is out of range (expected 5 to 1440 minutes"},
		{"suppressions not a list", func(c obj) { c["suppressions"] = "none" }, at + "suppressions: expected a list, got a string"},
		{"unknown key", func(c obj) { c["suppressions"] = []any{suppression(obj{"account": "111111111111"})} }, sup + `account: unknown key "account"`},
		{"bad name", func(c obj) {
			c["suppressions"] = []any{suppression(obj{"name": "Deploy SG", "detectors": []any{"guardduty"}})}
		}, sup + `name: "Deploy SG" is not a suppression name`},
		{"no reason", func(c obj) {
			c["suppressions"] = []any{suppression(obj{"reason": " ", "detectors": []any{"guardduty"}})}
		}, sup + "reason: a suppression needs a reason"},
		{"bad until", func(c obj) {
			c["suppressions"] = []any{suppression(obj{"until": "31/01/2027", "detectors": []any{"guardduty"}})}
		}, sup + `until: "31/01/2027" is not a date (expected YYYY-MM-DD`},
		{"unknown detector", func(c obj) { c["suppressions"] = []any{suppression(obj{"detectors": []any{"guard-duty"}})} }, sup + `detectors[0]: unknown detector "guard-duty" (valid: `},
		{"heartbeat", func(c obj) { c["suppressions"] = []any{suppression(obj{"detectors": []any{"heartbeat-missing"}})} }, sup + `detectors[0]: detector "heartbeat-missing" cannot be suppressed`},
		{"canary", func(c obj) { c["suppressions"] = []any{suppression(obj{"detectors": []any{"canary"}})} }, sup + `detectors[0]: detector "canary" cannot be suppressed`},
		{"pipeline", func(c obj) { c["suppressions"] = []any{suppression(obj{"detectors": []any{"pipeline-changes"}})} }, sup + `detectors[0]: detector "pipeline-changes" cannot be suppressed`},
		{"account", func(c obj) { c["suppressions"] = []any{suppression(obj{"accounts": []any{"12345"}})} }, sup + `accounts[0]: "12345" is not an AWS account ID`},
		{"region", func(c obj) { c["suppressions"] = []any{suppression(obj{"regions": []any{"eu-west-9"}})} }, sup + `regions[0]: "eu-west-9" is not a known AWS region`},
		{"principal", func(c obj) { c["suppressions"] = []any{suppression(obj{"principals": []any{"deploy-role"}})} }, sup + `principals[0]: "deploy-role" is not a principal ARN glob`},
		{"resource star", func(c obj) { c["suppressions"] = []any{suppression(obj{"resources": []any{"**"}})} }, sup + `resources[0]: "**" matches anything`},
		{"type empty", func(c obj) { c["suppressions"] = []any{suppression(obj{"types": []any{""}})} }, sup + `types[0]: "" matches anything`},
		{"duplicate value", func(c obj) { c["suppressions"] = []any{suppression(obj{"types": []any{"A", "A"}})} }, sup + `types[1]: "A" is listed twice`},
		{"below bad", func(c obj) { c["suppressions"] = []any{suppression(obj{"types": []any{"A"}, "below": "SEVERE"})} }, sup + "below: "},
		{"below informational", func(c obj) {
			c["suppressions"] = []any{suppression(obj{"types": []any{"A"}, "below": "INFORMATIONAL"})}
		}, sup + "below: no alert is below INFORMATIONAL"},
		{"no matcher", func(c obj) { c["suppressions"] = []any{suppression(nil)} }, at + `suppressions[0]: suppression "deploy-sg" has no matcher and would hide every alert`},
		{"below alone is no matcher", func(c obj) { c["suppressions"] = []any{suppression(obj{"below": "HIGH"})} }, "has no matcher"},
		{"same name", func(c obj) {
			c["suppressions"] = []any{suppression(obj{"types": []any{"A"}}), suppression(obj{"types": []any{"B"}})}
		}, at + `suppressions[1].name: suppression "deploy-sg" is named twice (also at secalerts:hub.customers[0].suppressions[0])`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseHub(quietHub(t, tc.edit), allSecret)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}
