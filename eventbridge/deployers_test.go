package eventbridge

import "testing"

// The forms the pipeline detectors and the hub's watch use to leave the
// deployers' calls alone (detectors.byOthers), each pinned to what the
// EventBridge User Guide documents ("Content filtering in Amazon
// EventBridge event patterns" and "Creating event patterns"). The matcher
// must decide them exactly as EventBridge does: a wrong answer here is a
// deploy that pages, or a tamper that does not.

// Documented: anything-but with a list of wildcard values matches a value
// that matches none of them (the FilePath example excluding both */lib/*
// and */bin/*), and, like every condition but exists:false, only when the
// field is there ("the event must contain all the field names listed in
// the event pattern").
func TestEventBridgeAnythingButWildcardList(t *testing.T) {
	p := `{"FilePath":[{"anything-but":{"wildcard":["*/lib/*","*/bin/*"]}}]}`
	requireQuaminaRejects(t, p)
	checkVerdicts(t, p, []verdict{
		{`{"FilePath":"/usr/lib/libc.so"}`, false},
		{`{"FilePath":"/usr/bin/env"}`, false},
		{`{"FilePath":"/etc/passwd"}`, true},
		{`{}`, false},
		// An array matches when any element matches.
		{`{"FilePath":["/usr/lib/x","/etc/x"]}`, true},
		{`{"FilePath":["/usr/lib/x","/usr/bin/y"]}`, false},
	})
	// A wildcard without a star is the value itself; * reaches across '/'
	// and ':' alike, which is why deployer patterns are written with their
	// account (names.RolePattern.In).
	roles := `{"arn":[{"anything-but":{"wildcard":["arn:aws:iam::111111111111:role/deploy","arn:aws:iam::*:role/sso/*Admin_*"]}}]}`
	checkVerdicts(t, roles, []verdict{
		{`{"arn":"arn:aws:iam::111111111111:role/deploy"}`, false},
		{`{"arn":"arn:aws:iam::111111111111:role/deploy-2"}`, true},
		{`{"arn":"arn:aws:iam::111111111111:role/sso/eu-west-1/AWSReservedSSO_Admin_0a1b"}`, false},
		{`{"arn":"arn:aws:iam::222222222222:role/x:role/sso/y/Admin_z"}`, false},
		{`{"arn":"arn:aws:iam::111111111111:role/sso/eu-west-1/AWSReservedSSO_ReadOnly_0a1b"}`, true},
	})
}

// Documented: exists:false matches an event without the field, and only
// works on leaf nodes, so a field under objects the event lacks altogether
// is absent too (the detail.c-count examples); $or may sit inside an
// object, each alternative naming its own fields ("$or matching"). Together
// they say "a session issuer that is no deployer, or none at all".
func TestEventBridgeOrWithExistsFalseUnderAnObject(t *testing.T) {
	p := `{"detail":{"eventName":["PutRule"],"userIdentity":{"sessionContext":{"sessionIssuer":{"$or":[` +
		`{"arn":[{"anything-but":{"wildcard":["arn:aws:iam::111111111111:role/deploy"]}}]},` +
		`{"arn":[{"exists":false}]}]}}}}}`
	checkVerdicts(t, p, []verdict{
		// The deployer's session.
		{`{"detail":{"eventName":"PutRule","userIdentity":{"type":"AssumedRole","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111111111111:role/deploy"}}}}}`, false},
		// Another role's.
		{`{"detail":{"eventName":"PutRule","userIdentity":{"type":"AssumedRole","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111111111111:role/admin"}}}}}`, true},
		// The root user's console session: a sessionContext without issuer.
		{`{"detail":{"eventName":"PutRule","userIdentity":{"type":"Root","sessionContext":{"attributes":{"mfaAuthenticated":"true"}}}}}`, true},
		// An IAM user's long-term key: no sessionContext at all.
		{`{"detail":{"eventName":"PutRule","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/bob"}}}`, true},
		// The rest of the pattern still applies.
		{`{"detail":{"eventName":"DescribeRule","userIdentity":{"type":"IAMUser"}}}`, false},
	})
}
