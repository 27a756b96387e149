package config

import (
	"strings"
	"testing"
)

func TestParseAssumeRole(t *testing.T) {
	const account = "111111111111"
	for _, tc := range []struct {
		name, raw string
		want      AssumeRole
		err       string // error substring; empty: valid
	}{
		{name: "not set", raw: ""},
		{name: "role in the account", raw: `{"roleArn":"arn:aws:iam::111111111111:role/secalerts-deploy"}`,
			want: AssumeRole{RoleARN: "arn:aws:iam::111111111111:role/secalerts-deploy"}},
		{name: "every key", raw: `{"roleArn":"arn:aws:iam::111111111111:role/ops/deploy","sessionName":"ops-alice","externalId":"s3cr3t-id"}`,
			want: AssumeRole{RoleARN: "arn:aws:iam::111111111111:role/ops/deploy", SessionName: "ops-alice", ExternalID: "s3cr3t-id"}},
		{name: "not an ARN", raw: `{"roleArn":"secalerts-deploy"}`,
			err: `aws:assumeRole.roleArn: "secalerts-deploy" is not an IAM role ARN`},
		{name: "a user, not a role", raw: `{"roleArn":"arn:aws:iam::111111111111:user/alice"}`, err: "is not an IAM role ARN"},
		{name: "role in another account", raw: `{"roleArn":"arn:aws:iam::222222222222:role/secalerts-deploy"}`,
			err: `aws:assumeRole.roleArn: "arn:aws:iam::222222222222:role/secalerts-deploy" is a role in account 222222222222, not in account 111111111111`},
		{name: "other partition", raw: `{"roleArn":"arn:aws-cn:iam::111111111111:role/secalerts-deploy"}`,
			err: "is in partition aws-cn, but the account's regions are in aws"},
		{name: "no role", raw: `{"sessionName":"ops"}`, err: "aws:assumeRole.roleArn: not set"},
		{name: "a bare string", raw: `"arn:aws:iam::111111111111:role/secalerts-deploy"`, err: "aws:assumeRole: expected an object with keys roleArn"},
		{name: "a key the program does not pass on", raw: `{"roleArn":"arn:aws:iam::111111111111:role/d","durationSeconds":900}`,
			err: `aws:assumeRole.durationSeconds: unknown key`},
		{name: "bad session name", raw: `{"roleArn":"arn:aws:iam::111111111111:role/d","sessionName":"has space"}`,
			err: "aws:assumeRole.sessionName"},
		{name: "bad external ID, not echoed", raw: `{"roleArn":"arn:aws:iam::111111111111:role/d","externalId":"x"}`,
			err: "aws:assumeRole.externalId: is not an STS external ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAssumeRole([]byte(tc.raw), account, "aws")
			if tc.err == "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error = %v, want it to contain %q", err, tc.err)
			}
		})
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
