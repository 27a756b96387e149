package config

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"

	"secalerts/names"
	"secalerts/severity"
)

var (
	accountIDShape = regexp.MustCompile(`^[0-9]{12}$`)
	// nameShape is what customer and webhook names look like: they become
	// parts of bus, topic, configuration and parameter names, whose
	// common alphabet is letters, digits and dashes, and lowercase keeps
	// two spellings of one customer from becoming two buses.
	nameShape = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	// iamPrincipalShape is an account root, role or user ARN: what a KMS key
	// policy can name as a principal (IAM User Guide, IAM identifiers;
	// path characters from the IAM API's pathType/roleNameType).
	iamPrincipalShape = regexp.MustCompile(`^arn:(aws|aws-us-gov|aws-cn):iam::([0-9]{12}):(root|(role|user)/[\w+=,.@/-]+)$`)
)

// checkAccountID records an error unless id is a 12-digit account ID.
func checkAccountID(p *problems, path, id string) bool {
	if !accountIDShape.MatchString(id) {
		p.addf(path, "%q is not an AWS account ID (expected exactly 12 digits, e.g. 111111111111)", id)
		return false
	}
	return true
}

// validAccountID is id when it is an account ID, "" otherwise: a bad ID is
// reported once, where it is set.
func validAccountID(id string) string {
	if accountIDShape.MatchString(id) {
		return id
	}
	return ""
}

// readAccountID reads a required account ID, a quoted string.
func readAccountID(p *problems, o object, k string) string {
	v, ok := o.raw(k)
	if !ok {
		p.addf(o.key(k), "not set: expected the 12-digit AWS account ID as a quoted string, e.g. \"111111111111\"")
		return ""
	}
	return accountIDValue(p, o.key(k), v)
}

// accountIDValue reads an account ID that must be a quoted string. A
// number is refused without suggesting a value: the program only gets the
// number YAML read, and YAML drops leading zeros (012345678912 becomes
// 12345678912) and reads digits after a leading 0 as octal (011111111111
// becomes 1227133513), so quoting the number it got can give another
// account. The offline tool, which has the text, says more
// (UnquotedNumber).
func accountIDValue(p *problems, path string, raw []byte) string {
	if kind(raw) == "a number" {
		p.addf(path, "%s is a number, not a quoted account ID: put the ID in quotes exactly as written in the stack file, "+
			"because unquoted YAML drops leading zeros and reads digits after a leading 0 as octal, so this number may not be the ID you wrote; "+
			"with pulumi config set --path, add --type string", strings.TrimSpace(string(raw)))
		return ""
	}
	id, ok := stringItem(p, path, raw)
	if !ok {
		return ""
	}
	checkAccountID(p, path, id)
	return id
}

// UnquotedNumber is the error for a number left unquoted in a stack file
// whose value YAML (and so the Pulumi CLI) reads differently from its
// digits: written is its text in the file, read the number it becomes,
// path the config key path where it is. Quoting it keeps the text as
// written, which is what an account ID needs.
func UnquotedNumber(path, written, read string) error {
	digits := strings.TrimLeft(written, "+-")
	why := "YAML drops the leading zeros"
	switch {
	case len(digits) > 1 && (digits[1] == 'x' || digits[1] == 'X'):
		why = "0x makes it hexadecimal"
	case len(digits) > 1 && (digits[1] == 'o' || digits[1] == 'O'):
		why = "0o makes it octal"
	case strings.Trim(digits, "01234567") == "":
		why = "YAML reads digits after a leading 0 as octal"
	}
	return fmt.Errorf("%s: %s is not quoted, so it is read as the number %s (%s): quote it as written, %q", path, written, read, why, written)
}

// checkCustomerName records an error unless name can name a customer.
func checkCustomerName(p *problems, path, name string) bool {
	switch {
	case name == "":
		p.addf(path, "not set: expected a customer name of lowercase letters, digits and dashes, e.g. acme")
		return false
	case !nameShape.MatchString(name):
		p.addf(path, "%q is not a valid customer name (expected lowercase letters, digits and dashes, not starting or ending with a dash, e.g. acme)", name)
		return false
	}
	if problem, tooLong := names.CustomerNameTooLong(name); tooLong {
		p.addf(path, "%q is %d characters, over the %d allowed: %s", name, len(name), names.MaxCustomerName, problem)
		return false
	}
	return true
}

// checkEmail records an error unless addr is one bare e-mail address: SNS
// e-mail subscriptions take an address, not "Name <address>".
func checkEmail(p *problems, path, addr string) bool {
	parsed, err := mail.ParseAddress(addr)
	if err != nil || parsed.Name != "" || parsed.Address != addr {
		p.addf(path, "%q is not a single bare e-mail address (expected e.g. secops@example.com, without a display name)", addr)
		return false
	}
	return true
}

// checkIAMPrincipal records an error unless arn is a root, role or user ARN
// of partition (any partition when it is empty).
func checkIAMPrincipal(p *problems, path, arn, partition string) bool {
	m := iamPrincipalShape.FindStringSubmatch(arn)
	switch {
	case m == nil:
		p.addf(path, "%q is not an IAM principal ARN (expected arn:aws:iam::<12-digit account>:root, :role/<name> or :user/<name>; partitions aws, aws-us-gov, aws-cn)", arn)
		return false
	case partition != "" && m[1] != partition:
		p.addf(path, "%q is in partition %s, but the hub region is in %s", arn, m[1], partition)
		return false
	}
	return true
}

// DefaultMinSeverity is the minSeverity of a destination or member that
// does not set one.
const DefaultMinSeverity = severity.Medium

// DefaultCanaryMaxSeverity lets canaries reach every destination but the
// ones that take CRITICAL only, the pagers: a test never wakes anyone
// unless the customer says it may.
const DefaultCanaryMaxSeverity = severity.High

// readSeverity reads an optional minSeverity; absent gives def.
func readSeverity(p *problems, o object, k string, def severity.Severity) severity.Severity {
	s, ok := o.str(p, k)
	if !ok {
		return def
	}
	sev, err := severity.Parse(s)
	if err != nil {
		p.addf(o.key(k), "%v", err)
		return def
	}
	return sev
}

// printable reports whether s has no control characters, which would break
// the messages it is shown in.
func printable(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
}
