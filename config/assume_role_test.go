package config

import (
	"strings"
	"testing"
)

func TestParseMemberAssumeRole(t *testing.T) {
	useDetectors(t, testDetectors...)
	for _, tc := range []struct {
		name, arn string
		edit      func(m obj)
		want      string // error substring; empty: valid
	}{
		{name: "role in the account", arn: "arn:aws:iam::111111111111:role/secalerts-deploy"},
		{name: "role with a path", arn: "arn:aws:iam::111111111111:role/ops/secalerts-deploy"},
		{name: "not an ARN", arn: "secalerts-deploy",
			want: `secalerts:member.assumeRoleArn: "secalerts-deploy" is not an IAM role ARN`},
		{name: "a user, not a role", arn: "arn:aws:iam::111111111111:user/alice",
			want: "is not an IAM role ARN"},
		{name: "role in another account", arn: "arn:aws:iam::222222222222:role/secalerts-deploy",
			want: "secalerts:member.assumeRoleArn: \"arn:aws:iam::222222222222:role/secalerts-deploy\" is a role in account 222222222222, not in account 111111111111"},
		{name: "other partition", arn: "arn:aws-cn:iam::111111111111:role/secalerts-deploy",
			want: "is in partition aws-cn, but the account's regions are in aws"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMember(memberWith(t, func(m obj) { m["assumeRoleArn"] = tc.arn }))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if m.AssumeRoleARN != tc.arn {
					t.Errorf("AssumeRoleARN = %q, want %q", m.AssumeRoleARN, tc.arn)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}

	m, err := ParseMember(memberWith(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if m.AssumeRoleARN != "" {
		t.Errorf("absent assumeRoleArn: AssumeRoleARN = %q, want empty (the deployment's own credentials)", m.AssumeRoleARN)
	}
}

func TestExportedChecks(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"account ok", CheckAccountID("f.yaml: accounts[0].accountId", "111111111111"), ""},
		{"account short", CheckAccountID("f.yaml: accounts[0].accountId", "1111"), `f.yaml: accounts[0].accountId: "1111" is not an AWS account ID`},
		{"customer ok", CheckCustomerName("c", "acme"), ""},
		{"customer upper", CheckCustomerName("c", "Acme"), `c: "Acme" is not a valid customer name`},
		{"role ok", CheckRoleARN("r", "arn:aws:iam::111111111111:role/x", "111111111111"), ""},
		{"role other account", CheckRoleARN("r", "arn:aws:iam::111111111111:role/x", "222222222222"), "not in account 222222222222"},
		{"region ok", CheckRegion("g", "eu-west-1"), ""},
		{"region unknown", CheckRegion("g", "eu-west-9"), `g: "eu-west-9" is not a known AWS region`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == "" {
				if tc.err != nil {
					t.Errorf("unexpected error: %v", tc.err)
				}
				return
			}
			if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", tc.err, tc.want)
			}
		})
	}
}
