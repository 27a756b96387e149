package names

import (
	"strings"
	"testing"
)

func TestParseRolePattern(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want RolePattern
		err  string
	}{
		{in: "arn:aws:iam::*:role/secalerts-deploy", want: RolePattern{"aws", "*", "secalerts-deploy"}},
		{in: "arn:aws-us-gov:iam::111111111111:role/ci/deploy", want: RolePattern{"aws-us-gov", "111111111111", "ci/deploy"}},
		{in: "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*",
			want: RolePattern{"aws", "*", "aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*"}},
		{in: "arn:aws:sts::111111111111:assumed-role/deploy/ci", err: "give the role's IAM ARN, as CloudTrail shows it in userIdentity.sessionContext.sessionIssuer.arn: arn:aws:iam::111111111111:role/deploy"},
		{in: "arn:aws:iam::111111111111:user/deploy", err: "only roles can be deployers"},
		{in: "arn:aws:iam::111111111111:root", err: "only roles can be deployers"},
		{in: "arn:aws:iam::*:role/*", err: "matches every role"},
		{in: "arn:aws:iam::*:role//*/", err: "matches every role"},
		{in: "arn:aws:iam::*:role/", err: "may hold letters"},
		{in: "arn:aws:iam:us-east-1:*:role/x", err: "is not an IAM role ARN pattern"},
		{in: "arn:aws:s3:::bucket", err: "is not an IAM role ARN pattern"},
		{in: "*", err: "is not an IAM role ARN pattern"},
		{in: "arn:aws:iam::*:role/a?b", err: "? is not a wildcard"},
		{in: "arn:aws:iam::*:role/a**b", err: "two * in a row"},
		{in: "arn:aws:iam::12345:role/x", err: `names account "12345"`},
		{in: "arn:azure:iam::*:role/x", err: `names partition "azure"`},
	} {
		got, err := ParseRolePattern(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one saying %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v", tc.in, got, err)
		}
		if got.String() != tc.in {
			t.Errorf("%s does not round-trip: %s", tc.in, got)
		}
	}
}

func TestRolePatternIn(t *testing.T) {
	r, _ := ParseRolePattern("arn:aws:iam::*:role/deploy")
	if got := r.In("111111111111").String(); got != "arn:aws:iam::111111111111:role/deploy" {
		t.Errorf("In: %s", got)
	}
	pinned, _ := ParseRolePattern("arn:aws:iam::222222222222:role/deploy")
	if got := pinned.In("111111111111").String(); got != "arn:aws:iam::222222222222:role/deploy" {
		t.Errorf("In changed an account that was given: %s", got)
	}
}
