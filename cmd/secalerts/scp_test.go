package main

import (
	"encoding/json"
	"strings"
	"testing"

	"secalerts/policy"
)

// TestSCP: the printed policy exempts the member stack's deployers and
// denies the member's root and administrators the steps that silence the
// pipeline; without a deployer nothing is printed.
func TestSCP(t *testing.T) {
	out := invoke("scp", "--member", memberFile)
	if out.code != 0 || !strings.Contains(out.stderr, "of 5120 characters") {
		t.Fatalf("exit %d, stderr %q", out.code, out.stderr)
	}
	var doc policy.Document
	if err := json.Unmarshal([]byte(out.stdout), &doc); err != nil {
		t.Fatalf("not a policy: %v\n%s", err, out.stdout)
	}
	rule := "arn:aws:events:eu-west-1:111111111111:rule/secalerts-forward-1"
	role := "arn:aws:iam::111111111111:role/secalerts-forward"
	allowAll := policy.Document{Version: policy.Version, Statement: []policy.Statement{{Effect: policy.Allow, Action: []string{"*"}, Resource: []string{"*"}}}}
	for _, tc := range []struct {
		caller, action, resource string
		permitted                bool
	}{
		{"arn:aws:iam::111111111111:root", "events:PutRule", rule, false},
		{"arn:aws:iam::111111111111:role/Admin", "events:DisableRule", rule, false},
		{"arn:aws:iam::111111111111:role/Admin", "iam:UpdateAssumeRolePolicy", role, false},
		{"arn:aws:iam::111111111111:role/Admin", "guardduty:CreateFilter", "*", false},
		{"arn:aws:iam::111111111111:role/secalerts-deploy", "events:PutRule", rule, true},
		{"arn:aws:iam::111111111111:role/Admin", "ec2:RunInstances", "*", true},
	} {
		r := policy.Request{Principal: policy.Caller{AWS: tc.caller}, Action: tc.action, Resource: tc.resource}
		if got := policy.SCPPermits(r, doc, allowAll); got != tc.permitted {
			t.Errorf("%s %s on %s: permitted %v, want %v", tc.caller, tc.action, tc.resource, got, tc.permitted)
		}
	}
	if out := invoke("scp"); out.code != 1 || out.stdout != "" || !strings.Contains(out.stderr, "no deployer") {
		t.Errorf("without a deployer: exit %d, stdout %q, stderr %q", out.code, out.stdout, out.stderr)
	}
	if out := invoke("scp", "--deployer", "arn:aws:sts::111111111111:assumed-role/deploy/session"); out.code != 1 || out.stdout != "" {
		t.Errorf("an assumed-role ARN: exit %d, stdout %q, stderr %q", out.code, out.stdout, out.stderr)
	}
}
