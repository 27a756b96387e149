package policy

import (
	"strings"
)

// Caller is who makes a request: a service principal
// (Service "events.amazonaws.com"), an AWS identity (AWS its ARN, Account
// its account, OrgID its organization), or a web identity assuming a role
// (Federated the ARN of its identity provider in the role's account, the
// token's claims in Request.Context).
type Caller struct {
	Service   string
	AWS       string
	Account   string
	OrgID     string
	Federated string
}

// Request is one API call to evaluate against a single policy.
type Request struct {
	Principal Caller
	Action    string
	Resource  string
	// Context holds condition keys of the request (aws:SourceAccount,
	// aws:SecureTransport, kms:EncryptionContext:...). aws:PrincipalOrgID and
	// aws:PrincipalAccount are filled from Principal when absent.
	Context map[string]string
	// IdentityPolicies are the caller's own IAM policies. A resource policy
	// that names an account (its root ARN or bare id) only delegates to that
	// account's IAM: an identity of the account is admitted by such a
	// statement only if one of these allows the request too (IAM User Guide,
	// "Specifying a principal" -> AWS account principals; KMS Developer
	// Guide, "Default key policy").
	IdentityPolicies []Document
}

// Allowed evaluates one policy the way IAM does within it: an explicit deny
// wins, otherwise an allow must match the principal, action, resource and
// every condition. It is a test and review aid for the documents this
// package writes, not a model of the whole IAM evaluation chain (no
// permission boundaries, session policies or cross-policy combination; see
// SCPPermits for service control policies).
// Unknown condition operators never match, so an allow fails closed and a
// deny fails open; tests should only use the operators listed in
// conditionMatches.
func Allowed(d Document, r Request) bool {
	ctx := requestContext(r)
	allowed := false
	for _, s := range d.Statement {
		if !statementMatches(s, r, ctx) {
			continue
		}
		if s.Effect == Allow && (delegatedOnly(s.Principal, r.Principal) || (!s.Principal.IsZero() && crossAccount(r))) && !identityAllows(r) {
			continue
		}
		switch s.Effect {
		case Deny:
			return false
		case Allow:
			allowed = true
		}
	}
	return allowed
}

func requestContext(r Request) map[string]string {
	ctx := map[string]string{}
	for k, v := range r.Context {
		ctx[strings.ToLower(k)] = v
	}
	c := r.Principal
	if c.Account == "" && c.AWS != "" {
		c.Account = accountOfARN(c.AWS)
	}
	if _, ok := ctx[strings.ToLower(keyPrincipalOrgID)]; !ok && c.OrgID != "" {
		ctx[strings.ToLower(keyPrincipalOrgID)] = c.OrgID
	}
	if _, ok := ctx["aws:principalaccount"]; !ok && c.Account != "" {
		ctx["aws:principalaccount"] = c.Account
	}
	if _, ok := ctx["aws:principalarn"]; !ok && c.AWS != "" {
		ctx["aws:principalarn"] = c.AWS
	}
	return ctx
}

// identityAllows evaluates the caller's identity policies for a request
// that an account principal delegated to them.
func identityAllows(r Request) bool {
	self := r
	self.IdentityPolicies = nil
	allowed := false
	for _, d := range r.IdentityPolicies {
		for _, s := range d.Statement {
			if !s.Principal.IsZero() {
				continue
			}
			if !statementMatches(s, self, requestContext(self)) {
				continue
			}
			if s.Effect == Deny {
				return false
			}
			allowed = allowed || s.Effect == Allow
		}
	}
	return allowed
}

// crossAccount reports a request of an AWS identity for a resource of
// another account, which IAM allows only when the caller's own policies
// allow it too, whatever the resource policy says (IAM User Guide,
// "Cross-account policy evaluation logic").
func crossAccount(r Request) bool {
	c := r.Principal
	if c.Service != "" {
		return false
	}
	caller := c.Account
	if caller == "" {
		caller = accountOfARN(c.AWS)
	}
	owner := accountOfARN(r.Resource)
	return caller != "" && owner != "" && caller != owner
}

// delegatedOnly reports a caller admitted by p only through its account
// (root ARN or bare id) rather than by name, by "*" or as the root itself.
func delegatedOnly(p Principal, c Caller) bool {
	if p.Any || c.Service != "" || c.Federated != "" || p.IsZero() {
		return false
	}
	for _, a := range p.AWS {
		if a == "*" || (c.AWS != "" && a == c.AWS) {
			return false
		}
	}
	return true
}

func statementMatches(s Statement, r Request, ctx map[string]string) bool {
	if !principalMatches(s.Principal, r.Principal) {
		return false
	}
	if !anyMatch(s.Action, r.Action, true) {
		return false
	}
	// A statement without Resource (a trust policy) applies to the role it
	// is attached to, whatever the request names.
	if len(s.Resource) > 0 && !anyMatch(s.Resource, r.Resource, false) {
		return false
	}
	for op, keys := range s.Condition {
		for key, values := range keys {
			if !conditionMatches(op, key, values, ctx) {
				return false
			}
		}
	}
	return true
}

// principalMatches treats an empty Principal (identity policy) as the
// identity the policy is attached to, so it matches any caller.
func principalMatches(p Principal, c Caller) bool {
	if p.IsZero() || p.Any {
		return true
	}
	if c.Federated != "" {
		for _, f := range p.Federated {
			if f == c.Federated {
				return true
			}
		}
		return false
	}
	if c.Service != "" {
		for _, s := range p.Service {
			if s == c.Service {
				return true
			}
		}
		return false
	}
	if c.AWS == "" && c.Account == "" {
		return false
	}
	account := c.Account
	if account == "" {
		account = accountOfARN(c.AWS)
	}
	for _, a := range p.AWS {
		switch {
		case a == "*":
			return true
		case c.AWS != "" && a == c.AWS:
			return true
		case accountIDPattern.MatchString(a):
			// A bare account id means the account root: any identity of it.
			if a == account {
				return true
			}
		case strings.HasPrefix(a, "arn:") && strings.HasSuffix(a, ":root"):
			if accountOfARN(a) == account {
				return true
			}
		}
	}
	return false
}

// accountOfARN is the fifth field of an ARN.
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func anyMatch(patterns []string, value string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			if glob(strings.ToLower(p), strings.ToLower(value)) {
				return true
			}
		} else if glob(p, value) {
			return true
		}
	}
	return false
}

// conditionMatches evaluates one operator on one key. Supported operators:
// StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringLike,
// StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Bool, Null,
// and the ...IfExists forms. Per the IAM User Guide ("Condition operators"):
// values of one key are ORed; a key absent from the request does not match a
// positive operator, matches a negated one, and matches any ...IfExists form.
func conditionMatches(op, key string, values []string, ctx map[string]string) bool {
	got, present := ctx[strings.ToLower(key)]
	if op == "Null" {
		want := len(values) > 0 && strings.EqualFold(values[0], "true")
		return want == !present
	}
	ifExists := strings.HasSuffix(op, "IfExists")
	base := strings.TrimSuffix(op, "IfExists")
	negated := strings.Contains(base, "Not")
	if !present {
		if ifExists {
			return true
		}
		return negated && isKnownOperator(base)
	}
	var one func(want string) bool
	switch base {
	case "StringEquals", "StringNotEquals":
		one = func(want string) bool { return got == want }
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		one = func(want string) bool { return strings.EqualFold(got, want) }
	case "StringLike", "StringNotLike":
		one = func(want string) bool { return glob(want, got) }
	case "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike":
		one = func(want string) bool { return arnLike(want, got) }
	case "Bool":
		one = func(want string) bool { return strings.EqualFold(got, want) }
	default:
		return false
	}
	matched := false
	for _, v := range values {
		if one(v) {
			matched = true
			break
		}
	}
	if negated {
		return !matched
	}
	return matched
}

func isKnownOperator(base string) bool {
	switch base {
	case "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
		"StringLike", "StringNotLike", "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike", "Bool":
		return true
	}
	return false
}

// arnLike compares the six colon-delimited parts of two ARNs separately,
// each with * and ? wildcards; the last part keeps any further colons (IAM
// User Guide, "Amazon Resource Name (ARN) condition operators").
func arnLike(pattern, arn string) bool {
	p := strings.SplitN(pattern, ":", 6)
	a := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || len(a) != 6 {
		return false
	}
	for i := range p {
		if !glob(p[i], a[i]) {
			return false
		}
	}
	return true
}

// glob matches * (any run, including empty) and ? (one character).
func glob(pattern, s string) bool {
	p, v := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(v) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == v[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// SCPPermits reports whether the service control policies that apply to the
// caller's account leave room for the request, the way AWS Organizations
// evaluates one level of the hierarchy: an explicit Deny in any of them
// refuses the request, and otherwise at least one of them must Allow it
// (AWS Organizations User Guide, "SCP evaluation"). SCPs take no Principal
// element ("SCP syntax" -> unsupported elements), so their statements apply
// to every principal of the account; aws:PrincipalArn in the request context
// is Caller.AWS (IAM User Guide, "aws:PrincipalArn": the role's ARN for a
// role session, the user's for a user, arn:...:root for the root user).
//
// An SCP never grants: this answers only whether the SCPs filter the request
// out, not whether IAM allows it. What SCPs do not restrict is modelled so
// tests can pin it: AWS service principals and service-linked roles (AWS
// Organizations User Guide, "Tasks and entities not restricted by SCPs").
// The management account is not modelled: SCPs never apply to it, which a
// Request cannot express.
func SCPPermits(r Request, scps ...Document) bool {
	if r.Principal.Service != "" || isServiceLinkedRole(r.Principal.AWS) {
		return true
	}
	ctx := requestContext(r)
	allowed := false
	for _, d := range scps {
		for _, s := range d.Statement {
			if !statementMatches(s, r, ctx) {
				continue
			}
			switch s.Effect {
			case Deny:
				return false
			case Allow:
				allowed = true
			}
		}
	}
	return allowed
}

// isServiceLinkedRole recognises a service-linked role by the path AWS
// reserves for them (IAM User Guide, "Using service-linked roles":
// /aws-service-role/<service>/).
func isServiceLinkedRole(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[2] == "iam" && strings.HasPrefix(parts[5], "role/aws-service-role/")
}
