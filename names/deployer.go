package names

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// RolePattern is an ARN pattern of IAM roles: the roles that deploy
// secalerts (deployerPrincipals), whose calls the pipeline detectors leave
// alone and the protection SCP exempts. It is spelled as IAM spells a role,
// arn:<partition>:iam::<account>:role/<path><name>, which is both the
// aws:PrincipalArn of a role session (IAM User Guide, "AWS global condition
// context keys") and CloudTrail's userIdentity.sessionContext.sessionIssuer.arn
// (CloudTrail User Guide, "CloudTrail userIdentity element"); * stands for
// any characters, and is the only wildcard, because EventBridge's wildcard
// filter knows no other (EventBridge User Guide, "Content filtering in event
// patterns", wildcard matching).
type RolePattern struct {
	Partition string
	// Account is 12 digits, or "*" for the role of that name in every
	// account.
	Account string
	// Role is the path and name after "role/", with * wildcards.
	Role string
}

// String is the pattern as configured.
func (r RolePattern) String() string {
	return "arn:" + r.Partition + ":iam::" + r.Account + ":role/" + r.Role
}

// In is r with a wildcard account replaced by account. A member or hub only
// ever sees calls of its own account's roles, and EventBridge's * matches
// ':' too, unlike IAM's ArnLike, which compares the account on its own: a
// role path may hold ':' (IAM API Reference, CreateRole, Path), so
// arn:aws:iam::*:role/x would match the role
// arn:aws:iam::111111111111:role/y:role/x in an EventBridge pattern. Pinned
// to the account, the two read the pattern alike.
func (r RolePattern) In(account string) RolePattern {
	if r.Account == "*" {
		r.Account = account
	}
	return r
}

// Partitions secalerts knows, as ARNs spell them.
var partitions = []string{"aws", "aws-us-gov", "aws-cn"}

var (
	accountPattern = regexp.MustCompile(`^([0-9]{12}|\*)$`)
	// rolePathName is a role's path and name (IAM API Reference,
	// CreateRole: names are [\w+=,.@-], paths the same with '/') with the
	// * wildcard.
	rolePathName = regexp.MustCompile(`^[\w+=,.@/*-]+$`)
)

// rolePatternExample is what every error shows.
const rolePatternExample = "arn:aws:iam::*:role/secalerts-deploy, or for an IAM Identity Center permission set arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_<name>_*"

// ParseRolePattern reads an ARN pattern of IAM roles. It is the one check
// of a deployer pattern, for the stack configuration and the protection SCP
// alike: only roles, since any administrator of an account can reset an
// IAM user's password or keys and act as it, while a role's trust policy is
// what the SCP protects; never an STS assumed-role ARN, which names one
// session and which neither aws:PrincipalArn nor sessionIssuer.arn ever
// holds; never a pattern of every role, which would exempt every
// administrator.
func ParseRolePattern(p string) (RolePattern, error) {
	parts := strings.SplitN(p, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return RolePattern{}, fmt.Errorf("%q is not an IAM role ARN pattern (expected %s)", p, rolePatternExample)
	}
	partition, service, region, account, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	if service == "sts" {
		suggestion := "arn:" + partition + ":iam::" + account + ":role/<path><name>"
		if kind, rest, _ := strings.Cut(resource, "/"); kind == "assumed-role" && rest != "" {
			role, _, _ := strings.Cut(rest, "/")
			suggestion = "arn:" + partition + ":iam::" + account + ":role/" + role + " (with the role's path, if it has one)"
		}
		return RolePattern{}, fmt.Errorf("%q is an STS assumed-role ARN, one session of a role: give the role's IAM ARN, as CloudTrail shows it in userIdentity.sessionContext.sessionIssuer.arn: %s", p, suggestion)
	}
	if service != "iam" || region != "" {
		return RolePattern{}, fmt.Errorf("%q is not an IAM role ARN pattern (expected %s)", p, rolePatternExample)
	}
	if !slices.Contains(partitions, partition) {
		return RolePattern{}, fmt.Errorf("%q names partition %q (expected one of %s)", p, partition, strings.Join(partitions, ", "))
	}
	if !accountPattern.MatchString(account) {
		return RolePattern{}, fmt.Errorf("%q names account %q (expected 12 digits, or * for the role in every account)", p, account)
	}
	kind, role, _ := strings.Cut(resource, "/")
	if kind != "role" {
		return RolePattern{}, fmt.Errorf("%q is not a role: only roles can be deployers, because any administrator of the account can reset an IAM user's password or access keys and act as it (expected %s)", p, rolePatternExample)
	}
	switch {
	case !rolePathName.MatchString(role):
		return RolePattern{}, fmt.Errorf("%q: the role's path and name may hold letters, digits, +=,.@_-/ and the wildcard * only (? is not a wildcard EventBridge knows)", p)
	case strings.Contains(role, "**"):
		return RolePattern{}, fmt.Errorf("%q has two * in a row, which EventBridge's wildcard filter refuses: one * already matches any characters", p)
	case strings.Trim(role, "*/") == "":
		return RolePattern{}, fmt.Errorf("%q matches every role, which would leave every administrator's changes unreported: name the deploying role", p)
	}
	return RolePattern{Partition: partition, Account: account, Role: role}, nil
}
