package config

import (
	"errors"
	"regexp"
)

// roleARNShape is an IAM role ARN (IAM User Guide, IAM identifiers; path
// and name characters from the IAM API's pathType and roleNameType).
var roleARNShape = regexp.MustCompile(`^arn:(aws|aws-us-gov|aws-cn):iam::([0-9]{12}):role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)

// readAssumeRole reads secalerts:member.assumeRoleArn: a role in the member
// account itself, because providers pin allowedAccountIds to it and a role
// elsewhere would fail every deployment after the assumption succeeded.
func readAssumeRole(p *problems, o object, accountID, homePartition string) string {
	arn, ok := o.str(p, "assumeRoleArn")
	if !ok {
		return ""
	}
	checkRoleARN(p, o.key("assumeRoleArn"), arn, accountID, homePartition)
	return arn
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
// as secalerts:member.assumeRoleArn must be.
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
