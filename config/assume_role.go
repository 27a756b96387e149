package config

import (
	"bytes"
	"errors"
	"regexp"
)

// roleARNShape is an IAM role ARN (IAM User Guide, IAM identifiers; path
// and name characters from the IAM API's pathType and roleNameType).
var roleARNShape = regexp.MustCompile(`^arn:(aws|aws-us-gov|aws-cn):iam::([0-9]{12}):role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)

// AssumeRoleKey is the standard pulumi-aws setting for a role to assume.
// Stacks disable the default provider, which is the only one that reads it
// by itself, so the program reads it and gives it to every explicit
// provider: a stack that sets it is never silently deployed with the
// caller's own credentials.
const AssumeRoleKey = "aws:assumeRole"

// AssumeRole is the role every AWS provider of a stack assumes.
type AssumeRole struct {
	RoleARN     string
	SessionName string
	ExternalID  string
}

// sessionNameShape is STS's RoleSessionName: 2-64 of [\w+=,.@-].
var sessionNameShape = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// externalIDShape is STS's ExternalId characters; its length is 2-1224
// (Go's regexp repeats at most 1000).
var externalIDShape = regexp.MustCompile(`^[\w+=,.@:/-]+$`)

// ParseAssumeRole parses aws:assumeRole, the JSON of the key as the Pulumi
// CLI hands structured config to the program; empty raw means not set. The
// role must be in account (the stack's accountId), because providers pin
// allowedAccountIds to it and a role elsewhere would fail every deployment
// after the assumption succeeded, and in partition.
func ParseAssumeRole(raw []byte, account, partition string) (AssumeRole, error) {
	var ar AssumeRole
	if len(bytes.TrimSpace(raw)) == 0 {
		return ar, nil
	}
	var p problems
	o, ok := readObject(&p, AssumeRoleKey, raw, "roleArn", "sessionName", "externalId")
	if ok {
		var set bool
		if ar.RoleARN, set = o.str(&p, "roleArn"); !set {
			p.addf(o.key("roleArn"), "not set: expected the ARN of a role in account %s to assume, e.g. arn:aws:iam::%s:role/secalerts-deploy", account, account)
		} else {
			checkRoleARN(&p, o.key("roleArn"), ar.RoleARN, account, partition)
		}
		if ar.SessionName, set = o.str(&p, "sessionName"); set && !sessionNameShape.MatchString(ar.SessionName) {
			p.addf(o.key("sessionName"), "%q is not an STS session name (expected 2-64 letters, digits and +=,.@_-)", ar.SessionName)
		}
		// Never echoed: an external ID is a shared secret.
		if ar.ExternalID, set = o.str(&p, "externalId"); set && (len(ar.ExternalID) < 2 || len(ar.ExternalID) > 1224 || !externalIDShape.MatchString(ar.ExternalID)) {
			p.addf(o.key("externalId"), "is not an STS external ID (expected 2-1224 letters, digits and +=,.@:/_-)")
		}
	}
	return ar, errors.Join(p.errs...)
}

// checkRoleARN records an error unless arn is an IAM role ARN in account
// (any account while it is empty) and partition (any while it is empty).
func checkRoleARN(p *problems, path, arn, account, partition string) bool {
	m := roleARNShape.FindStringSubmatch(arn)
	switch {
	case m == nil:
		p.addf(path, "%q is not an IAM role ARN (expected arn:aws:iam::<12-digit account>:role/<name>, e.g. arn:aws:iam::111111111111:role/secalerts-deploy)", arn)
		return false
	case account != "" && m[2] != account:
		p.addf(path, "%q is a role in account %s, not in account %s: the role to assume must be in the account it deploys", arn, m[2], account)
		return false
	case partition != "" && m[1] != partition:
		p.addf(path, "%q is in partition %s, but the account's regions are in %s", arn, m[1], partition)
		return false
	}
	return true
}

// CheckAccountID returns an error unless id is a 12-digit AWS account ID.
// path names the value in the error, for inputs other than stack config
// (the fleet inventory).
func CheckAccountID(path, id string) error {
	var p problems
	checkAccountID(&p, path, id)
	return errors.Join(p.errs...)
}

// CheckCustomerName returns an error unless name can name a customer: the
// same rule as secalerts:hub.customers[].name.
func CheckCustomerName(path, name string) error {
	var p problems
	checkCustomerName(&p, path, name)
	return errors.Join(p.errs...)
}

// CheckRoleARN returns an error unless arn is an IAM role ARN in account,
// as aws:assumeRole.roleArn must be.
func CheckRoleARN(path, arn, account string) error {
	var p problems
	checkRoleARN(&p, path, arn, account, "")
	return errors.Join(p.errs...)
}

// CheckRegion returns an error unless region is a known AWS region.
func CheckRegion(path, region string) error {
	var p problems
	checkRegion(&p, path, region)
	return errors.Join(p.errs...)
}
