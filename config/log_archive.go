package config

import (
	"regexp"
	"slices"
	"strings"

	"secalerts/names"
)

// LogArchive is secalerts:hub.logArchive: the S3 bucket, in the hub account
// and region, where every listed member account's CloudTrail, AWS Config and
// GuardDuty deliver: the one bucket of a security account that
// multi-account teams keep every log in.
type LogArchive struct {
	// BucketName defaults to secalerts-archive-<hub account>-<hub region>.
	BucketName string
	// TransitionDays moves objects to S3 Glacier Flexible Retrieval after
	// this many days; 0 keeps them in S3 Standard.
	TransitionDays int
	// ExpirationDays deletes objects (every version) after this many days;
	// 0 keeps them forever.
	ExpirationDays int
	// ObjectLock, when set, makes every object immutable for its retention.
	ObjectLock *ObjectLock
	// Readers are IAM principal ARNs that may read (never write or delete).
	Readers []string
}

// ObjectLock is the archive's default Object Lock retention.
type ObjectLock struct {
	// Mode is GOVERNANCE (users with s3:BypassGovernanceRetention may
	// shorten it; the archive's bucket policy denies that action to all) or
	// COMPLIANCE (nobody, not even the root user, can).
	Mode string
	Days int
}

// Log archive defaults: CloudTrail logs are most often searched in the
// first three months, and a year is the retention most audit frameworks
// ask of them (CIS AWS Foundations keeps at least 365 days).
const (
	DefaultArchiveTransitionDays = 90
	DefaultArchiveExpirationDays = 365
)

// Object Lock modes (S3 API, DefaultRetention.Mode).
const (
	ObjectLockGovernance = "GOVERNANCE"
	ObjectLockCompliance = "COMPLIANCE"
)

var logArchiveKeys = []string{"bucketName", "transitionDays", "expirationDays", "objectLock", "readers"}

var (
	// bucketNameShape is S3's general purpose bucket naming rule: 3-63
	// characters of lowercase letters, digits, dots and hyphens, starting
	// and ending with a letter or digit (S3 User Guide, "General purpose
	// bucket naming rules").
	bucketNameShape = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	ipAddressShape  = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
)

// maxObjectLockDays bounds the retention to 100 years, far above any legal
// hold period, so a stray digit fails here instead of locking logs for a
// millennium; S3 itself does not document a lower maximum.
const maxObjectLockDays = 36500

// defaultArchiveBucket is the bucket name of a hub that does not choose
// one: account and region keep it unique without a random suffix.
func defaultArchiveBucket(accountID, region string) string {
	return names.ArchiveBucket(accountID, region)
}

// readLogArchive reads secalerts:hub.logArchive; nil when absent.
func readLogArchive(p *problems, hub object, accountID, region, partition string) *LogArchive {
	raw, ok := hub.raw("logArchive")
	if !ok {
		return nil
	}
	o, ok := readObject(p, hub.key("logArchive"), raw, logArchiveKeys...)
	if !ok {
		return nil
	}
	// GuardDuty cannot export findings generated in a commercial region to
	// a bucket in an opt-in region (GuardDuty User Guide, "Exporting
	// generated GuardDuty findings to Amazon S3 buckets" -> Considerations),
	// and every member covers the commercial default regions.
	if partition == "aws" && slices.Contains(optInRegions, region) {
		p.addf(o.path, "the hub region %s is an opt-in region: GuardDuty in the members' default regions cannot export findings to a bucket there; run the hub whose stack owns the archive in a region enabled by default (%s)",
			region, strings.Join(defaultRegions, ", "))
	}
	a := &LogArchive{BucketName: defaultArchiveBucket(accountID, region)}
	if name, ok := o.str(p, "bucketName"); ok {
		a.BucketName = name
		checkBucketName(p, o.key("bucketName"), name)
	}

	a.TransitionDays = readDays(p, o, "transitionDays", DefaultArchiveTransitionDays, "0 to keep objects in S3 Standard")
	a.ExpirationDays = readDays(p, o, "expirationDays", DefaultArchiveExpirationDays, "0 to keep objects forever")
	if a.TransitionDays > 0 && a.ExpirationDays > 0 && a.ExpirationDays <= a.TransitionDays {
		p.addf(o.key("expirationDays"), "%d is not after transitionDays %d (S3 rejects a lifecycle rule that expires objects before or when it moves them; raise expirationDays, or set transitionDays to 0)",
			a.ExpirationDays, a.TransitionDays)
	}

	a.ObjectLock = readObjectLock(p, o, a.ExpirationDays)

	items, _ := o.list(p, "readers")
	seen := map[string]string{}
	for i, raw := range items {
		path := index(o.key("readers"), i)
		arn, ok := stringItem(p, path, raw)
		if !ok || !checkIAMPrincipal(p, path, arn, partition) {
			continue
		}
		if first, dup := seen[arn]; dup {
			p.addf(path, "%q is listed twice (also at %s)", arn, first)
			continue
		}
		seen[arn] = path
		a.Readers = append(a.Readers, arn)
	}
	return a
}

// readDays reads a non-negative number of days; absent gives def.
func readDays(p *problems, o object, k string, def int, zero string) int {
	n, ok := o.integer(p, k)
	if !ok || n == nil {
		return def
	}
	if *n < 0 {
		p.addf(o.key(k), "%d is negative (expected a number of days, or %s)", *n, zero)
		return def
	}
	return *n
}

func readObjectLock(p *problems, archive object, expirationDays int) *ObjectLock {
	raw, ok := archive.raw("objectLock")
	if !ok {
		return nil
	}
	o, ok := readObject(p, archive.key("objectLock"), raw, "mode", "days")
	if !ok {
		return nil
	}
	l := &ObjectLock{Mode: ObjectLockGovernance}
	if mode, ok := o.str(p, "mode"); ok {
		l.Mode = mode
		if mode != ObjectLockGovernance && mode != ObjectLockCompliance {
			p.addf(o.key("mode"), "%q is not an Object Lock mode (expected %s, or %s which nobody, not even the root user, can undo)",
				mode, ObjectLockGovernance, ObjectLockCompliance)
		}
	}
	n, _ := o.integer(p, "days")
	switch {
	case n == nil:
		p.addf(o.key("days"), "not set: expected the number of days every log object stays immutable, e.g. 365")
	case *n < 1 || *n > maxObjectLockDays:
		p.addf(o.key("days"), "%d is out of range (expected 1 to %d days)", *n, maxObjectLockDays)
	case expirationDays > 0 && *n > expirationDays:
		p.addf(o.key("days"), "%d is longer than expirationDays %d: objects would be due for deletion while still locked (lower days, or raise expirationDays)",
			*n, expirationDays)
	default:
		l.Days = *n
	}
	return l
}

// checkBucketName records an error unless name is a valid general purpose
// S3 bucket name.
func checkBucketName(p *problems, path, name string) bool {
	var why string
	switch {
	case !bucketNameShape.MatchString(name):
		why = "expected 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"
	case strings.Contains(name, ".."):
		why = "two adjacent periods are not allowed"
	case ipAddressShape.MatchString(name):
		why = "a bucket name cannot look like an IP address"
	case strings.HasPrefix(name, "xn--") || strings.HasPrefix(name, "sthree-"):
		why = "the prefixes xn-- and sthree- are reserved"
	case strings.HasSuffix(name, "-s3alias") || strings.HasSuffix(name, "--ol-s3"):
		why = "the suffixes -s3alias and --ol-s3 are reserved"
	default:
		return true
	}
	p.addf(path, "%q is not a valid S3 bucket name (%s; e.g. %s)", name, why, defaultArchiveBucket("999999999999", "us-east-1"))
	return false
}

// ArchiveAccounts lists every account of every customer, the accounts whose
// services may deliver to the log archive. Customers admitted by
// organization only add the accounts they list.
func (h *Hub) ArchiveAccounts() []string {
	var out []string
	for _, c := range h.Customers {
		for _, a := range c.Accounts {
			out = append(out, a.ID)
		}
	}
	return out
}
