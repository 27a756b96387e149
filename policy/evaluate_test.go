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

func TestNegatedOperatorsWithSeveralValues(t *testing.T) {
	ctx := map[string]string{"aws:principalarn": "arn:aws:iam::111111111111:role/app/admin"}
	cases := []struct {
		op     string
		values []string
		want   bool
	}{
		// IAM User Guide, "Condition operators": values of one key are
		// ORed, so a negated operator holds only when none matches.
		{"ArnNotLike", []string{"arn:aws:iam::*:role/deploy", "arn:aws:iam::*:role/ci-*"}, true},
		{"ArnNotLike", []string{"arn:aws:iam::*:role/deploy", "arn:aws:iam::*:role/app/*"}, false},
		{"ArnNotLike", []string{"arn:aws:iam::*:role/app/admin"}, false},
		// * in ArnLike stays inside its colon-delimited part.
		{"ArnNotLike", []string{"arn:aws:iam:*:role/app/admin"}, true},
		{"StringNotLike", []string{"*deploy*", "*:role/ci-*"}, true},
		{"StringNotLike", []string{"*deploy*", "*/app/*"}, false},
		{"ArnNotLikeIfExists", []string{"arn:aws:iam::*:role/app/*"}, false},
	}
	for _, c := range cases {
		if got := conditionMatches(c.op, "aws:PrincipalArn", c.values, ctx); got != c.want {
			t.Errorf("%s %v = %v, want %v", c.op, c.values, got, c.want)
		}
	}
	// Absent key: a negated operator matches (IAM User Guide, "Condition
	// operators"), so a deny exempting some principals still applies to a
	// request without aws:PrincipalArn.
	if !conditionMatches("ArnNotLike", "aws:PrincipalArn", []string{"arn:aws:iam::*:role/deploy"}, map[string]string{}) {
		t.Error("ArnNotLike on an absent key did not match")
	}
}

func TestSCPPermits(t *testing.T) {
	deny := Document{Version: Version, Statement: []Statement{{
		Sid: "D", Effect: Deny, Action: []string{"s3:DeleteBucket"}, Resource: []string{"*"},
		Condition: Conditions{}.add("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/deploy", "arn:aws:iam::*:role/ci-*"),
	}}}
	req := func(who, action string) Request {
		return Request{Principal: Caller{AWS: who}, Action: action, Resource: "arn:aws:s3:::b"}
	}
	admin := "arn:aws:iam::222222222222:role/admin"
	cases := []struct {
		name string
		r    Request
		scps []Document
		want bool
	}{
		{"a statement without Principal applies to a role", req(admin, "s3:DeleteBucket"), []Document{fullAWSAccess, deny}, false},
		{"...to a user", req("arn:aws:iam::222222222222:user/u", "s3:DeleteBucket"), []Document{fullAWSAccess, deny}, false},
		{"...to the member account's root", req("arn:aws:iam::222222222222:root", "s3:DeleteBucket"), []Document{fullAWSAccess, deny}, false},
		{"first exempt pattern", req("arn:aws:iam::222222222222:role/deploy", "s3:DeleteBucket"), []Document{fullAWSAccess, deny}, true},
		{"second exempt pattern", req("arn:aws:iam::222222222222:role/ci-main", "s3:DeleteBucket"), []Document{fullAWSAccess, deny}, true},
		{"another action", req(admin, "s3:GetObject"), []Document{fullAWSAccess, deny}, true},
		{"aws:PrincipalArn from the context wins", Request{Principal: Caller{AWS: admin}, Action: "s3:DeleteBucket", Resource: "*",
			Context: ctxOf("aws:PrincipalArn", "arn:aws:iam::222222222222:role/deploy")}, []Document{fullAWSAccess, deny}, true},
		{"without FullAWSAccess nothing is allowed", req(admin, "s3:GetObject"), []Document{deny}, false},
		{"no SCP at all", req(admin, "s3:GetObject"), nil, false},
		{"service-linked roles are not restricted", req("arn:aws:iam::222222222222:role/aws-service-role/s3.amazonaws.com/AWSServiceRoleForS3", "s3:DeleteBucket"), []Document{fullAWSAccess, deny}, true},
		{"a role merely named like one is", req("arn:aws:iam::222222222222:role/app/aws-service-role/x", "s3:DeleteBucket"), []Document{fullAWSAccess, deny}, false},
		{"service principals are not restricted", Request{Principal: Caller{Service: "s3.amazonaws.com"}, Action: "s3:DeleteBucket", Resource: "*"}, []Document{fullAWSAccess, deny}, true},
	}
	for _, c := range cases {
		if got := SCPPermits(c.r, c.scps...); got != c.want {
			t.Errorf("%s: SCPPermits = %v, want %v", c.name, got, c.want)
		}
	}
}
