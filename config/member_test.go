package config

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"secalerts/severity"
)

// useDetectors replaces the detector catalogue for one test, so member
// tests do not depend on what the detectors package holds.
func useDetectors(t *testing.T, ids ...string) {
	t.Helper()
	saved := knownDetectors
	knownDetectors = func() []string { return ids }
	t.Cleanup(func() { knownDetectors = saved })
}

var testDetectors = []string{"securityhub", "guardduty", "config-compliance", "console-signin-failure"}

const baseMember = `{
  "accountId": "111111111111",
  "hubEventBusArn": "arn:aws:events:us-east-1:999999999999:event-bus/secalerts-acme"
}`

func memberWith(t *testing.T, edit func(m obj)) []byte {
	t.Helper()
	var m obj
	if err := json.Unmarshal([]byte(baseMember), &m); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// viaStack replaces the bus ARN with a hub stack reference.
func viaStack(m obj) {
	delete(m, "hubEventBusArn")
	m["hubStack"] = "example-org/secalerts/hub"
	m["customer"] = "acme"
}

func TestParseMemberErrors(t *testing.T) {
	useDetectors(t, testDetectors...)
	for _, tc := range []struct {
		name string
		raw  string
		edit func(m obj)
		want string
	}{
		{name: "invalid JSON", raw: `{"accountId": "1`, want: "secalerts:member: not valid JSON"},
		{name: "unknown key", edit: func(m obj) { m["region"] = "us-east-1" },
			want: `secalerts:member.region: unknown key "region" (valid keys here: accountId, hubEventBusArn,`},
		{name: "account ID missing", edit: func(m obj) { delete(m, "accountId") },
			want: "secalerts:member.accountId: not set"},
		{name: "account ID shape", edit: func(m obj) { m["accountId"] = "1111-1111-1111" },
			want: `secalerts:member.accountId: "1111-1111-1111" is not an AWS account ID`},
		{name: "bus ARN and hub stack", edit: func(m obj) { m["hubStack"] = "example-org/secalerts/hub"; m["customer"] = "acme" },
			want: "secalerts:member: both hubEventBusArn and hubStack/customer are set"},
		{name: "bus ARN and customer", edit: func(m obj) { m["customer"] = "acme" },
			want: "secalerts:member: both hubEventBusArn and hubStack/customer are set"},
		{name: "no hub", edit: func(m obj) { delete(m, "hubEventBusArn") },
			want: "secalerts:member: no hub: set hubEventBusArn"},
		{name: "hub stack without customer", edit: func(m obj) { viaStack(m); delete(m, "customer") },
			want: "secalerts:member.customer: not set: hubStack needs customer"},
		{name: "customer without hub stack", edit: func(m obj) { viaStack(m); delete(m, "hubStack") },
			want: `secalerts:member.hubStack: not set: customer "acme" needs hubStack`},
		{name: "bus ARN shape", edit: func(m obj) { m["hubEventBusArn"] = "secalerts-acme" },
			want: `secalerts:member.hubEventBusArn: "secalerts-acme" is not an event bus ARN (expected arn:aws:events:<region>:<12-digit hub account>:event-bus/secalerts-<customer>`},
		{name: "bus ARN of a rule", edit: func(m obj) { m["hubEventBusArn"] = "arn:aws:events:us-east-1:999999999999:rule/secalerts-acme" },
			want: `secalerts:member.hubEventBusArn: "arn:aws:events:us-east-1:999999999999:rule/secalerts-acme" is not an event bus ARN`},
		{name: "default bus", edit: func(m obj) { m["hubEventBusArn"] = "arn:aws:events:us-east-1:999999999999:event-bus/default" },
			want: `secalerts:member.hubEventBusArn: "arn:aws:events:us-east-1:999999999999:event-bus/default" is the hub's default event bus`},
		{name: "bus ARN unknown region", edit: func(m obj) { m["hubEventBusArn"] = "arn:aws:events:us-esat-1:999999999999:event-bus/secalerts-acme" },
			want: `names region "us-esat-1", which is not a known AWS region`},
		{name: "bus ARN in another partition", edit: func(m obj) {
			m["hubEventBusArn"] = "arn:aws-cn:events:cn-north-1:999999999999:event-bus/secalerts-acme"
		},
			want: "is in partition aws-cn, but homeRegion us-east-1 is in aws"},
		{name: "hub stack shape", edit: func(m obj) { viaStack(m); m["hubStack"] = "hub" },
			want: `secalerts:member.hubStack: "hub" is not a fully qualified Pulumi stack name (expected org/project/stack`},
		{name: "customer name shape", edit: func(m obj) { viaStack(m); m["customer"] = "ACME" },
			want: `secalerts:member.customer: "ACME" is not a valid customer name`},
		{name: "home region", edit: func(m obj) { m["homeRegion"] = "europe" },
			want: `secalerts:member.homeRegion: "europe" is not an AWS region name`},
		{name: "regions word", edit: func(m obj) { m["regions"] = "all" },
			want: `secalerts:member.regions: "all" is not a regions value (expected "enabled" for every region enabled in the account, or a list of region names)`},
		{name: "regions of wrong type", edit: func(m obj) { m["regions"] = 3 },
			want: "secalerts:member.regions: expected a list, got a number"},
		{name: "regions empty", edit: func(m obj) { m["regions"] = []any{} },
			want: `secalerts:member.regions: empty list: name at least one region, or use "enabled"`},
		{name: "region twice", edit: func(m obj) { m["regions"] = []any{"us-east-1", "eu-west-1", "us-east-1"} },
			want: `secalerts:member.regions[2]: "us-east-1" is listed twice (also at secalerts:member.regions[0])`},
		{name: "region unknown", edit: func(m obj) { m["regions"] = []any{"us-east-1", "eu-west-9"} },
			want: `secalerts:member.regions[1]: "eu-west-9" is not a known AWS region`},
		{name: "region shape", edit: func(m obj) { m["regions"] = []any{"Frankfurt"} },
			want: `secalerts:member.regions[0]: "Frankfurt" is not an AWS region name (expected the form xx-xxxx-N`},
		{name: "region in another partition", edit: func(m obj) { m["regions"] = []any{"us-east-1", "cn-north-1"} },
			want: `secalerts:member.regions[1]: "cn-north-1" is in partition aws-cn, but homeRegion us-east-1 is in aws`},
		{name: "minSeverity", edit: func(m obj) { m["minSeverity"] = "urgent" },
			want: `secalerts:member.minSeverity: unknown severity "urgent": valid are INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL`},
		{name: "managementAccount of wrong type", edit: func(m obj) { m["managementAccount"] = 1 },
			want: "secalerts:member.managementAccount: expected true or false, got a number"},
		{name: "detectors of wrong type", edit: func(m obj) { m["detectors"] = []any{"guardduty"} },
			want: "secalerts:member.detectors: expected an object keyed by detector ID, got a list"},
		{name: "unknown detector", edit: func(m obj) { m["detectors"] = obj{"gaurdduty": obj{"enabled": false}} },
			want: `secalerts:member.detectors.gaurdduty: unknown detector "gaurdduty" (valid: securityhub, guardduty, config-compliance, console-signin-failure)`},
		{name: "unknown detector setting", edit: func(m obj) { m["detectors"] = obj{"guardduty": obj{"severity": "HIGH"}} },
			want: `secalerts:member.detectors.guardduty.severity: unknown key "severity" (valid keys here: enabled, minSeverity, ruleNames)`},
		{name: "ruleNames on another detector", edit: func(m obj) { m["detectors"] = obj{"guardduty": obj{"ruleNames": []any{"x"}}} },
			want: "secalerts:member.detectors.guardduty.ruleNames: only the config-compliance detector takes ruleNames"},
		{name: "rule name too long", edit: func(m obj) {
			m["detectors"] = obj{"config-compliance": obj{"ruleNames": []any{strings.Repeat("r", 129)}}}
		},
			want: `secalerts:member.detectors.config-compliance.ruleNames[0]: "rrrr`},
		{name: "rule name blank", edit: func(m obj) { m["detectors"] = obj{"config-compliance": obj{"ruleNames": []any{"  "}}} },
			want: `secalerts:member.detectors.config-compliance.ruleNames[0]: "  " is not an AWS Config rule name (expected 1-128 characters, not all white space)`},
		{name: "rule name twice", edit: func(m obj) {
			m["detectors"] = obj{"config-compliance": obj{"ruleNames": []any{"cloudtrail-enabled", "cloudtrail-enabled"}}}
		}, want: `secalerts:member.detectors.config-compliance.ruleNames[1]: "cloudtrail-enabled" is listed twice`},
		{name: "detector minSeverity", edit: func(m obj) { m["detectors"] = obj{"securityhub": obj{"minSeverity": "HIHG"}} },
			want: `secalerts:member.detectors.securityhub.minSeverity: unknown severity "HIHG"`},
		{name: "detector enabled of wrong type", edit: func(m obj) { m["detectors"] = obj{"guardduty": obj{"enabled": "no"}} },
			want: `secalerts:member.detectors.guardduty.enabled: "no" is not a boolean (expected true or false)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.raw)
			if tc.raw == "" {
				data = memberWith(t, tc.edit)
			}
			m, err := ParseMember(data)
			if err == nil {
				t.Fatalf("ParseMember succeeded; want error containing %q", tc.want)
			}
			if m != nil {
				t.Errorf("ParseMember returned a member with an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
		})
	}
}

func TestParseMemberDefaults(t *testing.T) {
	useDetectors(t, testDetectors...)
	m, err := ParseMember(memberWith(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if m.HomeRegion != "us-east-1" || m.MinSeverity != severity.Medium || m.ManagementAccount {
		t.Errorf("defaults: homeRegion %q, minSeverity %v, managementAccount %v; want us-east-1, MEDIUM, false",
			m.HomeRegion, m.MinSeverity, m.ManagementAccount)
	}
	// A region left out is a blind spot, so no regions means every enabled one.
	if !m.DiscoverRegions || m.Regions != nil {
		t.Errorf("regions absent: DiscoverRegions %v, Regions %v; want true, none", m.DiscoverRegions, m.Regions)
	}

	m, err = ParseMember(memberWith(t, func(m obj) { m["regions"] = "enabled" }))
	if err != nil {
		t.Fatal(err)
	}
	if !m.DiscoverRegions || m.Regions != nil {
		t.Errorf(`regions "enabled": DiscoverRegions %v, Regions %v`, m.DiscoverRegions, m.Regions)
	}

	m, err = ParseMember(memberWith(t, func(m obj) { m["regions"] = []any{"eu-west-1", "us-east-1"} }))
	if err != nil {
		t.Fatal(err)
	}
	if m.DiscoverRegions || !slices.Equal(m.Regions, []string{"eu-west-1", "us-east-1"}) {
		t.Errorf("regions list: DiscoverRegions %v, Regions %v", m.DiscoverRegions, m.Regions)
	}
}

func TestParseMemberTestdata(t *testing.T) {
	useDetectors(t, testDetectors...)
	data, err := os.ReadFile("testdata/member.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMember(data)
	if err != nil {
		t.Fatalf("testdata/member.json: %v", err)
	}
	if m.AccountID != "111111111111" || m.HubEventBusARN != "" || m.HubStack != "example-org/secalerts/hub" || m.Customer != "acme" ||
		m.HomeRegion != "eu-west-1" || !m.ManagementAccount || m.MinSeverity != severity.Low || m.DiscoverRegions ||
		!slices.Equal(m.Regions, []string{"eu-west-1", "us-east-1", "eu-central-1"}) {
		t.Errorf("member = %+v", m)
	}
	if len(m.Detectors) != 3 {
		t.Fatalf("detectors = %+v, want 3", m.Detectors)
	}
	if s := m.Detectors["securityhub"]; s.MinSeverity == nil || *s.MinSeverity != severity.High || s.Enabled != nil {
		t.Errorf("securityhub = %+v", s)
	}
	if s := m.Detectors["config-compliance"]; !slices.Equal(s.ConfigRuleNames, []string{"cloudtrail-enabled", "guardduty-enabled-centralized"}) || s.MinSeverity != nil {
		t.Errorf("config-compliance = %+v", s)
	}
	if s := m.Detectors["console-signin-failure"]; s.Enabled == nil || *s.Enabled {
		t.Errorf("console-signin-failure = %+v", s)
	}
}

func TestBadHomeRegionIsReportedOnce(t *testing.T) {
	useDetectors(t, testDetectors...)
	_, err := ParseMember(memberWith(t, func(m obj) {
		m["homeRegion"] = "cn-nowhere-1"
		m["regions"] = []any{"us-east-1"}
	}))
	if err == nil || !strings.Contains(err.Error(), "secalerts:member.homeRegion:") {
		t.Fatalf("error = %v; want one about secalerts:member.homeRegion", err)
	}
	if strings.Contains(err.Error(), "partition") {
		t.Errorf("a bad home region also failed valid regions or bus ARN:\n%v", err)
	}
}
