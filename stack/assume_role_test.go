package stack_test

import (
	"strings"
	"testing"

	"secalerts/internal/stacktest"
	"secalerts/names"
)

// TestMemberProvidersAssumeTheConfiguredRole: with default providers
// disabled, aws:assumeRole only takes effect if every explicit provider
// carries it.
func TestMemberProvidersAssumeTheConfiguredRole(t *testing.T) {
	const role = "arn:aws:iam::111111111111:role/secalerts-deploy"
	body := "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: member\n" +
		"  aws:assumeRole:\n    roleArn: " + role + "\n  secalerts:member:\n" +
		"    accountId: \"111111111111\"\n    hubEventBusArn: " + hubBusAcme + "\n" +
		"    regions: [us-east-1, eu-west-1]\n"
	rs, err := stacktest.RunStack(t, (body))
	if err != nil {
		t.Fatal(err)
	}
	providers := 0
	for _, r := range rs {
		if r.Type != "pulumi:providers:aws" {
			continue
		}
		providers++
		ar, _ := r.Inputs["assumeRole"].(map[string]any)
		if stacktest.Str(ar["roleArn"]) != role || !strings.HasPrefix(stacktest.Str(ar["sessionName"]), "secalerts-") {
			t.Errorf("provider %s: assumeRole %v, want roleArn %s and a secalerts- session name", r.Name, r.Inputs["assumeRole"], role)
		}
	}
	if providers != 2 {
		t.Errorf("%d AWS providers, want one per region (2)", providers)
	}
	for _, r := range stacktest.Preview(t, stacktest.MemberFile) {
		if r.Type == "pulumi:providers:aws" && r.Inputs["assumeRole"] != nil {
			t.Errorf("example member stack: provider %s assumes %v without aws:assumeRole", r.Name, r.Inputs["assumeRole"])
		}
	}
}

func TestSessionNameFitsSTS(t *testing.T) {
	for _, stack := range []string{"acme-111111111111", strings.Repeat("x", 100)} {
		if n := names.SessionName(stack); len(n) > 64 || !strings.HasPrefix(n, "secalerts-") {
			t.Errorf("names.SessionName(%q) = %q: want ≤ 64 characters starting secalerts-", stack, n)
		}
	}
}
