package config

import (
	"slices"
	"strings"
	"testing"
)

// deployerCases are the values of deployerPrincipals both stack kinds
// refuse, with what the error must say; path is the index of the bad one.
var deployerCases = []struct {
	name    string
	values  []any
	path    int
	want    []string
	account string // the stack's account, for the account case
}{
	{name: "assumed-role session", values: []any{"arn:aws:sts::%s:assumed-role/secalerts-deploy/ci"},
		want: []string{"is an STS assumed-role ARN", "sessionIssuer.arn", "arn:aws:iam::%s:role/secalerts-deploy"}},
	{name: "IAM user", values: []any{"arn:aws:iam::%s:user/deploy"}, want: []string{"only roles can be deployers"}},
	{name: "every role", values: []any{"arn:aws:iam::*:role/*"}, want: []string{"matches every role"}},
	{name: "every role under any path", values: []any{"arn:aws:iam::*:role/*/*"}, want: []string{"matches every role"}},
	{name: "not an ARN", values: []any{"secalerts-deploy"}, want: []string{"is not an IAM role ARN pattern (expected arn:aws:iam::*:role/secalerts-deploy"}},
	{name: "question mark", values: []any{"arn:aws:iam::*:role/deploy-?"}, want: []string{"? is not a wildcard EventBridge knows"}},
	{name: "two stars", values: []any{"arn:aws:iam::*:role/deploy**"}, want: []string{"two * in a row"}},
	{name: "account shape", values: []any{"arn:aws:iam::1234:role/deploy"}, want: []string{`names account "1234" (expected 12 digits, or *`}},
	{name: "unknown partition", values: []any{"arn:aws-eu:iam::*:role/deploy"}, want: []string{`names partition "aws-eu"`}},
	{name: "another partition", values: []any{"arn:aws-cn:iam::*:role/deploy"},
		want: []string{"is a role of partition aws-cn, but this stack's account is in aws (expected arn:aws:iam::*:role/deploy)"}},
	{name: "another account", values: []any{"arn:aws:iam::444444444444:role/deploy"},
		want: []string{"is a role of account 444444444444, but the calls to leave alone are made in account %s", "expected arn:aws:iam::%s:role/deploy, or *"}},
	{name: "twice", values: []any{"arn:aws:iam::*:role/deploy", "arn:aws:iam::*:role/deploy"}, path: 1, want: []string{"is listed twice (also at %s[0])"}},
	{name: "not a string", values: []any{7}, want: []string{"expected a string, got a number"}},
}

// fill writes the stack's account (and the key path) into a case's text.
func fill(s, account, key string) string {
	if strings.Count(s, "%s") == 0 {
		return s
	}
	if strings.Contains(s, "[0])") {
		return strings.ReplaceAll(s, "%s", key)
	}
	return strings.ReplaceAll(s, "%s", account)
}

func TestDeployerPrincipalsErrors(t *testing.T) {
	useDetectors(t, testDetectors...)
	for _, kind := range []struct {
		key, account string
		parse        func(values []any) error
	}{
		{"secalerts:member.deployerPrincipals", "111111111111", func(values []any) error {
			_, err := ParseMember(memberWith(t, func(m obj) { m["deployerPrincipals"] = values }))
			return err
		}},
		{"secalerts:hub.deployerPrincipals", "999999999999", func(values []any) error {
			_, err := ParseHub(hubWith(t, func(h obj) { h["deployerPrincipals"] = values }), allSecret)
			return err
		}},
	} {
		for _, tc := range deployerCases {
			t.Run(kind.key+"/"+tc.name, func(t *testing.T) {
				var values []any
				for _, v := range tc.values {
					if s, ok := v.(string); ok {
						v = fill(s, kind.account, kind.key)
					}
					values = append(values, v)
				}
				err := kind.parse(values)
				if err == nil {
					t.Fatalf("%v accepted", values)
				}
				prefix := index(kind.key, tc.path) + ": "
				if !strings.HasPrefix(err.Error(), prefix) {
					t.Errorf("error %q does not start with %q", err, prefix)
				}
				for _, w := range tc.want {
					if w = fill(w, kind.account, kind.key); !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
			})
		}
	}
}

func TestDeployerPrincipalsAccepted(t *testing.T) {
	useDetectors(t, testDetectors...)
	values := []string{
		"arn:aws:iam::*:role/secalerts-deploy",
		"arn:aws:iam::111111111111:role/ci/secalerts-deploy",
		"arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_SecalertsDeploy_*",
	}
	m, err := ParseMember(memberWith(t, func(m obj) { m["deployerPrincipals"] = values }))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.DeployerPrincipals, values) {
		t.Errorf("member deployers %v, want %v", m.DeployerPrincipals, values)
	}
	h, err := ParseHub(hubWith(t, func(h obj) { h["deployerPrincipals"] = values[:1] }), allSecret)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.DeployerPrincipals, values[:1]) {
		t.Errorf("hub deployers %v", h.DeployerPrincipals)
	}
	// Absent: none, and every change alerts.
	if m, _ := ParseMember(memberWith(t, nil)); len(m.DeployerPrincipals) != 0 {
		t.Errorf("default deployers %v", m.DeployerPrincipals)
	}
}
