package detectors

import "maps"

// Who made a CloudTrail-recorded call. A call made with a role's temporary
// credentials names the role in userIdentity.sessionContext.sessionIssuer.arn,
// as arn:<partition>:iam::<account>:role/<path><name> (CloudTrail User
// Guide, "CloudTrail userIdentity element": sessionIssuer says how the
// temporary credentials were obtained, with the ARN of the role). The root
// user, IAM users with long-term keys and AWS services acting on their own
// have no session issuer at all; IAM users' temporary credentials name the
// user there, never a role.
//
// A deploy is a session of a deployer role, so "not a deploy" is: the
// session issuer is none of the deployer patterns, or there is none. Both
// halves are needed: "for an event pattern to match an event, the event
// must contain all the field names listed in the event pattern"
// (EventBridge User Guide, "Creating event patterns"), so anything-but
// alone would never match a call of the root user, the likeliest intruder
// of all. The forms used are
// the documented ones (EventBridge User Guide, "Content filtering in Amazon
// EventBridge event patterns"): anything-but with a list of wildcard
// values ("anything-but matching" using wildcards: FilePath matching
// neither */lib/* nor */bin/*), exists false ("exists matching"), and $or
// inside an object ("$or matching", nested under detail). The package
// eventbridge pins the matcher to each of them.

// byOthers returns p, a pattern of CloudTrail-recorded calls, narrowed to
// the calls no session of a deployer role made; p itself when there are no
// deployers. deployers are EventBridge wildcards with the account written
// in (names.RolePattern.In).
func byOthers(p Pattern, deployers []string) Pattern {
	if len(deployers) == 0 {
		return p
	}
	notDeployer := map[string]any{"$or": []any{
		map[string]any{"arn": []any{map[string]any{"anything-but": map[string]any{"wildcard": anyStrings(deployers)}}}},
		map[string]any{"arn": []any{map[string]any{"exists": false}}},
	}}
	out := maps.Clone(p)
	detail := maps.Clone(p["detail"].(map[string]any))
	if _, taken := detail["userIdentity"]; taken {
		// A programming error, which the catalogue's tests reach.
		panic("byOthers: the pattern already constrains detail.userIdentity")
	}
	detail["userIdentity"] = map[string]any{"sessionContext": map[string]any{"sessionIssuer": notDeployer}}
	out["detail"] = detail
	return out
}
