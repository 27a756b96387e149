package fleet

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const goodInventory = `
org: acme-secops
hubStack: acme-secops/secalerts/hub
accounts:
  - accountId: "111111111111"
    customer: acme
    roleArn: arn:aws:iam::111111111111:role/secalerts-deploy
    regions: [us-east-1, eu-west-1]
    member:
      minSeverity: HIGH
  - accountId: "333333333333"
    customer: globex
    roleArn: arn:aws:iam::333333333333:role/ops/secalerts-deploy
    stack: globex-prod
    hubEventBusArn: arn:aws:events:us-east-1:999999999999:event-bus/secalerts-globex
`

func TestParseInventory(t *testing.T) {
	specs, err := Parse("fleet.yaml", []byte(goodInventory))
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 2 {
		t.Fatalf("%d stacks, want 2", len(specs))
	}
	acme := specs[0]
	if acme.Name != "acme-secops/secalerts/acme-111111111111" || acme.AccountID != "111111111111" || acme.Customer != "acme" {
		t.Errorf("acme stack: %+v", acme)
	}
	want := []ConfigValue{
		{Key: "secalerts:role", Value: "member"},
		{Key: "pulumi:disable-default-providers[0]", Value: "aws", Path: true},
	}
	if !reflect.DeepEqual(acme.Config[:2], want) || acme.Config[2].Key != "secalerts:member" {
		t.Fatalf("acme config: %+v", acme.Config)
	}
	// The standard setting, which the program gives every provider.
	if role := (ConfigValue{Key: "aws:assumeRole.roleArn", Value: "arn:aws:iam::111111111111:role/secalerts-deploy", Path: true}); acme.Config[3] != role {
		t.Errorf("acme assume role config %+v, want %+v", acme.Config[3], role)
	}
	var member map[string]any
	if err := json.Unmarshal([]byte(acme.Config[2].Value), &member); err != nil {
		t.Fatal(err)
	}
	wantMember := map[string]any{
		"accountId": "111111111111",
		"hubStack":  "acme-secops/secalerts/hub", "customer": "acme",
		"regions": []any{"us-east-1", "eu-west-1"}, "minSeverity": "HIGH",
	}
	if !reflect.DeepEqual(member, wantMember) {
		t.Errorf("acme secalerts:member = %v, want %v", member, wantMember)
	}

	globex := specs[1]
	if globex.Name != "acme-secops/secalerts/globex-prod" {
		t.Errorf("globex stack name %q", globex.Name)
	}
	member = nil
	if err := json.Unmarshal([]byte(globex.Config[2].Value), &member); err != nil {
		t.Fatal(err)
	}
	if member["hubEventBusArn"] == nil || member["hubStack"] != nil || member["regions"] != "enabled" {
		t.Errorf("globex secalerts:member = %v: want its own bus ARN, no hub stack, regions enabled", member)
	}
}

func TestParseInventoryErrors(t *testing.T) {
	const head = "org: acme-secops\nhubStack: acme-secops/secalerts/hub\naccounts:\n"
	const acme = "  - {accountId: \"111111111111\", customer: acme, roleArn: \"arn:aws:iam::111111111111:role/d\"}\n"
	for _, tc := range []struct{ name, body, want string }{
		{"unknown field", head + "  - {accountId: \"111111111111\", customer: acme, role: x}\n", "fleet.yaml: yaml: unmarshal errors:\n  line 4: field role not found"},
		{"no org", "accounts:\n" + acme, `fleet.yaml: org: "" is not a Pulumi organization name`},
		{"no accounts", "org: o\nhubStack: o/secalerts/hub\n", "fleet.yaml: accounts: no accounts"},
		{"short account", head + "  - {accountId: \"1111\", customer: acme, roleArn: \"arn:aws:iam::111111111111:role/d\"}\n",
			`fleet.yaml: accounts[0] (acme 1111).accountId: "1111" is not an AWS account ID`},
		{"duplicate account", head + acme + strings.Replace(acme, "customer: acme", "customer: acme2", 1),
			"fleet.yaml: accounts[1] (acme2 111111111111).accountId: account 111111111111 is listed twice (also accounts[0])"},
		{"role in another account", head + "  - {accountId: \"111111111111\", customer: acme, roleArn: \"arn:aws:iam::222222222222:role/d\"}\n",
			"fleet.yaml: accounts[0] (acme 111111111111).roleArn: \"arn:aws:iam::222222222222:role/d\" is a role in account 222222222222, not in account 111111111111"},
		{"no role", head + "  - {accountId: \"111111111111\", customer: acme}\n", "accounts[0] (acme 111111111111).roleArn: not set"},
		{"bad customer", head + "  - {accountId: \"111111111111\", customer: Acme, roleArn: \"arn:aws:iam::111111111111:role/d\"}\n",
			`accounts[0] (Acme 111111111111).customer: "Acme" is not a valid customer name`},
		{"unknown region", head + "  - {accountId: \"111111111111\", customer: acme, roleArn: \"arn:aws:iam::111111111111:role/d\", regions: [us-east-1, eu-west-9]}\n",
			`accounts[0] (acme 111111111111).regions[1]: "eu-west-9" is not a known AWS region`},
		{"regions not a list", head + "  - {accountId: \"111111111111\", customer: acme, roleArn: \"arn:aws:iam::111111111111:role/d\", regions: all}\n",
			`accounts[0] (acme 111111111111).regions: expected "enabled" or a list of regions`},
		{"member repeats an entry field", head + "  - {accountId: \"111111111111\", customer: acme, roleArn: \"arn:aws:iam::111111111111:role/d\", member: {regions: [us-east-1]}}\n",
			"accounts[0] (acme 111111111111).member.regions: set by the entry itself: use regions"},
		{"member key the program rejects", head + "  - {accountId: \"111111111111\", customer: acme, roleArn: \"arn:aws:iam::111111111111:role/d\", member: {minSeverity: SEVERE}}\n",
			"fleet.yaml: accounts[0] (acme 111111111111): the stack config it makes is invalid: secalerts:member.minSeverity"},
		{"no hub", "org: o\naccounts:\n" + acme, "accounts[0] (acme 111111111111): no hub: set hubStack"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			specs, err := Parse("fleet.yaml", []byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, tc.want)
			}
			if specs != nil {
				t.Errorf("stacks returned with an invalid inventory: %+v", specs)
			}
		})
	}
}

func TestParseInventoryReportsEveryProblem(t *testing.T) {
	body := "org: o\nhubStack: o/secalerts/hub\naccounts:\n" +
		"  - {accountId: \"1\", customer: acme, roleArn: \"arn:aws:iam::111111111111:role/d\"}\n" +
		"  - {accountId: \"222222222222\", customer: -bad, roleArn: \"arn:aws:iam::222222222222:role/d\"}\n"
	_, err := Parse("fleet.yaml", []byte(body))
	if err == nil || !strings.Contains(err.Error(), "accounts[0] (acme 1).accountId") || !strings.Contains(err.Error(), "accounts[1] (-bad 222222222222).customer") {
		t.Errorf("error = %v: want both entries' problems", err)
	}
}
