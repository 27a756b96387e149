package policy

import "testing"

func TestGlobAndArnLike(t *testing.T) {
	cases := []struct {
		pattern, s string
		arn, want  bool
	}{
		{"kms:GenerateDataKey*", "kms:GenerateDataKey", false, true},
		{"kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext", false, true},
		{"kms:Re?ncrypt*", "kms:ReEncryptFrom", false, true},
		{"kms:Decrypt", "kms:DecryptX", false, false},
		{"*", "", false, true},
		{"a*b*c", "axxbyyc", false, true},
		{"a*b*c", "axxbyy", false, false},
		{"arn:aws:events:*:111111111111:rule/*", "arn:aws:events:eu-west-1:111111111111:rule/bus/r", true, true},
		// * in ArnLike does not cross the colon-delimited parts before the resource.
		{"arn:aws:events:*:111111111111:rule/*", "arn:aws:events:eu-west-1:x:111111111111:rule/r", true, false},
		{"arn:aws:cloudwatch:us-east-1:111111111111:alarm:*", "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a:b", true, true},
		{"arn:aws:sns:us-east-1:111111111111:*", "arn:aws:sns:us-east-1:999999999999:t", true, false},
		{"arn:aws:sns:us-east-1:111111111111:*", "not-an-arn", true, false},
	}
	for _, c := range cases {
		got := glob(c.pattern, c.s)
		if c.arn {
			got = arnLike(c.pattern, c.s)
		}
		if got != c.want {
			t.Errorf("match(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestConditionOperators(t *testing.T) {
	ctx := map[string]string{"aws:sourceaccount": "111111111111", "aws:securetransport": "true"}
	cases := []struct {
		op, key string
		values  []string
		want    bool
	}{
		{"StringEquals", "aws:SourceAccount", []string{"111111111111"}, true},
		{"StringEquals", "AWS:SOURCEACCOUNT", []string{"999999999999", "111111111111"}, true},
		{"StringEquals", "aws:SourceAccount", []string{"999999999999"}, false},
		{"StringNotEquals", "aws:SourceAccount", []string{"999999999999"}, true},
		{"StringNotEquals", "aws:SourceAccount", []string{"111111111111"}, false},
		{"StringEquals", "aws:Missing", []string{"x"}, false},
		{"StringNotEquals", "aws:Missing", []string{"x"}, true},
		{"StringEqualsIfExists", "aws:Missing", []string{"x"}, true},
		{"StringEqualsIfExists", "aws:SourceAccount", []string{"x"}, false},
		{"StringLike", "aws:SourceAccount", []string{"1111*"}, true},
		{"Bool", "aws:SecureTransport", []string{"false"}, false},
		{"Bool", "aws:SecureTransport", []string{"true"}, true},
		{"Bool", "aws:Missing", []string{"false"}, false},
		{"Null", "aws:Missing", []string{"true"}, true},
		{"Null", "aws:SourceAccount", []string{"true"}, false},
		{"ForAnyValue:StringEquals", "aws:SourceAccount", []string{"111111111111"}, false},
	}
	for _, c := range cases {
		if got := conditionMatches(c.op, c.key, c.values, ctx); got != c.want {
			t.Errorf("%s %s %v = %v, want %v", c.op, c.key, c.values, got, c.want)
		}
	}
}

func TestAllowedExplicitDenyWins(t *testing.T) {
	d := Document{Version: Version, Statement: []Statement{
		{Sid: "A", Effect: Allow, Principal: Principal{Any: true}, Action: []string{"s3:*"}, Resource: []string{"*"},
			Condition: Conditions{}.add(opStringEquals, keyPrincipalOrgID, "o-abcdefghij")},
		{Sid: "D", Effect: Deny, Principal: Principal{Any: true}, Action: []string{"s3:DeleteObject"}, Resource: []string{"*"}},
	}}
	member := Caller{AWS: "arn:aws:iam::222222222222:role/r", OrgID: "o-abcdefghij"}
	runAllowCases(t, d, []allowCase{
		{"allowed action", rq(member, "s3:GetObject", "arn:aws:s3:::b/k", nil), true},
		{"denied action", rq(member, "s3:DeleteObject", "arn:aws:s3:::b/k", nil), false},
		{"outside the organization", rq(Caller{AWS: "arn:aws:iam::222222222222:role/r"}, "s3:GetObject", "arn:aws:s3:::b/k", nil), false},
		{"org id from context wins over none on the caller", rq(Caller{AWS: "arn:aws:iam::222222222222:role/r"}, "s3:GetObject", "arn:aws:s3:::b/k",
			ctxOf(keyPrincipalOrgID, "o-abcdefghij")), true},
	})
	if Allowed(Document{}, rq(member, "s3:GetObject", "x", nil)) {
		t.Error("an empty policy allowed a request")
	}
}

func TestPrincipalForms(t *testing.T) {
	roleOf222 := Caller{AWS: "arn:aws:iam::222222222222:role/r"}
	anything := Document{Version: Version, Statement: []Statement{{Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}}}}
	cases := []struct {
		name string
		p    Principal
		c    Caller
		want bool
	}{
		{"root arn admits the account's role through IAM", Principal{AWS: []string{"arn:aws:iam::222222222222:root"}}, roleOf222, true},
		{"bare id admits the account's role through IAM", Principal{AWS: []string{"222222222222"}}, roleOf222, true},
		{"root arn of another account", Principal{AWS: []string{"arn:aws:iam::333333333333:root"}}, roleOf222, false},
		{"exact role arn", Principal{AWS: []string{"arn:aws:iam::222222222222:role/r"}}, roleOf222, true},
		{"other role of the same account", Principal{AWS: []string{"arn:aws:iam::222222222222:role/other"}}, roleOf222, false},
		{"service principal does not admit an AWS caller", Principal{Service: []string{"events.amazonaws.com"}}, roleOf222, false},
		{"AWS principal does not admit a service", Principal{AWS: []string{"arn:aws:iam::222222222222:root"}}, Caller{Service: "events.amazonaws.com"}, false},
	}
	for _, c := range cases {
		d := Document{Version: Version, Statement: []Statement{{Effect: Allow, Principal: c.p, Action: []string{"x:Y"}, Resource: []string{"*"}}}}
		if got := Allowed(d, rq(c.c, "x:Y", "r", nil, anything)); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
