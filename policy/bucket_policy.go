package policy

import (
	"errors"
	"fmt"

	"secalerts/names"
)

// ArchiveBucketPolicyMaxBytes is S3's bucket policy size limit: 20 KB (S3
// User Guide, "Bucket policies for Amazon S3"); it cannot be raised.
const ArchiveBucketPolicyMaxBytes = 20 * 1024

// ErrArchivePolicyTooLarge is wrapped by ArchiveBucketPolicy and
// ArchiveKeyPolicy when a policy would exceed its service's size limit.
var ErrArchivePolicyTooLarge = errors.New("log archive policy exceeds its size limit")

// ArchiveInput describes the central log archive: its bucket, the accounts
// whose CloudTrail, AWS Config and GuardDuty may deliver to it, and who may
// read it.
type ArchiveInput struct {
	// BucketName is the archive bucket (its ARN is derived from the
	// partition of the Account the policy is written for).
	BucketName string
	// Accounts are the member accounts that may deliver, each to its own
	// AWSLogs/<account>/ prefix only.
	Accounts []string
	// Readers are IAM principal ARNs allowed to read (never write or delete).
	Readers []string
	// Administrators manage the archive key without being able to use it.
	Administrators []string
}

// Statement ids of the archive bucket policy.
const (
	sidArchiveTLS         = "DenyInsecureTransport"
	sidArchiveNoDelete    = "DenyObjectDeletion"
	sidArchiveTrailACL    = "CloudTrailAclCheck"
	sidArchiveConfigCheck = "ConfigAndGuardDutyBucketChecks"
	sidArchiveReaders     = "ReadersReadOnly"
	// The per-account statements end with the account ID.
	sidArchiveTrailWrite    = "Trail"
	sidArchiveServicesWrite = "ConfigGuardDuty"
)

// Service principals and condition keys of the archive policies.
const (
	svcCloudTrail = "cloudtrail.amazonaws.com"
	svcConfig     = "config.amazonaws.com"
	svcGuardDuty  = "guardduty.amazonaws.com"

	keyS3ACL           = "s3:x-amz-acl"
	aclBucketOwnerFull = "bucket-owner-full-control"
)

// archiveDeleteActions are refused to everyone, the bucket owner's own
// administrators included: an intruder who deletes the trail's logs erases
// their tracks. Lifecycle expiry is done by S3 itself and is not affected.
var archiveDeleteActions = []string{
	"s3:DeleteObject",
	"s3:DeleteObjectVersion",
	"s3:BypassGovernanceRetention",
	"s3:DeleteBucket",
}

// ArchiveLogsPrefix is where account's logs go: AWSLogs/<account>/, the
// prefix CloudTrail, AWS Config and GuardDuty all write under.
func ArchiveLogsPrefix(bucketARN, account string) string {
	return bucketARN + "/AWSLogs/" + account + "/"
}

// ArchiveBucketPolicy is the policy of the central log archive bucket: TLS
// only, no deletion by anyone, each listed account's CloudTrail, Config and
// GuardDuty writing only under its own AWSLogs/<account>/ prefix, and
// read-only access for the readers. It fails when the policy would exceed
// S3's size limit, saying how many accounts fit.
func ArchiveBucketPolicy(a names.Account, in ArchiveInput) (Document, error) {
	if err := checkArchiveInput(in); err != nil {
		return Document{}, err
	}
	d := archiveBucketPolicy(a, in)
	s, err := d.JSON()
	if err != nil {
		return Document{}, err
	}
	if len(s) > ArchiveBucketPolicyMaxBytes {
		return Document{}, fmt.Errorf("%w: the bucket policy of %s is %d bytes for %d accounts, over S3's limit of %d; at most %d accounts fit: split the customers across hub stacks, each with its own archive",
			ErrArchivePolicyTooLarge, in.BucketName, len(s), len(sortedUnique(in.Accounts)), ArchiveBucketPolicyMaxBytes, maxArchiveAccounts(a, in))
	}
	return d, nil
}

func checkArchiveInput(in ArchiveInput) error {
	if in.BucketName == "" {
		return fmt.Errorf("log archive: a bucket name is required")
	}
	for _, id := range in.Accounts {
		if !accountIDPattern.MatchString(id) {
			return fmt.Errorf("log archive %s: account id %q: want 12 digits", in.BucketName, id)
		}
	}
	return nil
}

func archiveBucketPolicy(a names.Account, in ArchiveInput) Document {
	bucket := names.S3BucketARN(a.Partition, in.BucketName)
	objects := bucket + "/*"
	accounts := sortedUnique(in.Accounts)

	st := []Statement{
		// S3 User Guide, "Enforce encryption of data in transit": deny any
		// request that does not use TLS, on the bucket and its objects.
		{
			Sid:       sidArchiveTLS,
			Effect:    Deny,
			Principal: Principal{Any: true},
			Action:    []string{"s3:*"},
			Resource:  []string{bucket, objects},
			Condition: Conditions{}.add(opBool, keySecureTransport, "false"),
		},
		{
			Sid:       sidArchiveNoDelete,
			Effect:    Deny,
			Principal: Principal{Any: true},
			Action:    archiveDeleteActions,
			Resource:  []string{bucket, objects},
		},
	}
	if len(accounts) > 0 {
		st = append(st,
			// CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail":
			// s3:GetBucketAcl on the bucket, aws:SourceArn the trail.
			Statement{
				Sid:       sidArchiveTrailACL,
				Effect:    Allow,
				Principal: Principal{Service: []string{svcCloudTrail}},
				Action:    []string{"s3:GetBucketAcl"},
				Resource:  []string{bucket},
				Condition: Conditions{}.add(opArnLike, keySourceArn, trailPatterns(a.Partition, accounts)...),
			},
			// AWS Config Developer Guide, "Permissions for the Amazon S3 bucket
			// for the AWS Config delivery channel": GetBucketAcl
			// (AWSConfigBucketPermissionsCheck) and ListBucket
			// (AWSConfigBucketExistenceCheck) with aws:SourceAccount; GuardDuty
			// User Guide, "Exporting generated findings to Amazon S3":
			// GetBucketLocation with aws:SourceAccount. One statement for
			// both services keeps the policy small enough for more accounts;
			// these actions only read the bucket's metadata, and each service
			// acts for the listed accounts only.
			Statement{
				Sid:       sidArchiveConfigCheck,
				Effect:    Allow,
				Principal: Principal{Service: []string{svcConfig, svcGuardDuty}},
				Action:    []string{"s3:GetBucketAcl", "s3:GetBucketLocation", "s3:ListBucket"},
				Resource:  []string{bucket},
				Condition: Conditions{}.add(opStringEquals, keySourceAccount, accounts...),
			},
		)
	}
	// Statements per account: one listing every account's prefix and every
	// account as source would let one account's services write into
	// another's prefix. Their Sids are short, to fit more accounts under
	// S3's size limit.
	for _, id := range accounts {
		prefix := ArchiveLogsPrefix(bucket, id)
		st = append(st,
			// CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail":
			// PutObject to AWSLogs/<account>/* (the trail writes CloudTrail/
			// and CloudTrail-Digest/ there) with the bucket-owner-full-control
			// ACL, aws:SourceArn the trail.
			Statement{
				Sid:       sidArchiveTrailWrite + id,
				Effect:    Allow,
				Principal: Principal{Service: []string{svcCloudTrail}},
				Action:    []string{"s3:PutObject"},
				Resource:  []string{prefix + "*"},
				Condition: Conditions{}.add(opStringEquals, keyS3ACL, aclBucketOwnerFull).
					add(opArnLike, keySourceArn, names.TrailPattern(a.Partition, id)),
			},
			// AWS Config delivers to AWSLogs/<account>/Config/ and GuardDuty
			// exports to AWSLogs/<account>/GuardDuty/<region>/, both with
			// aws:SourceAccount. Config's documented statement also requires
			// the bucket-owner-full-control ACL; the bucket enforces bucket
			// ownership, so objects belong to the archive's owner either way,
			// and dropping it lets GuardDuty, which sends no ACL, share the
			// statement. GuardDuty's documented aws:SourceArn (its detector)
			// would add nothing beyond the account: detector IDs are not known
			// in advance, so it could only be the account's detector/*.
			Statement{
				Sid:       sidArchiveServicesWrite + id,
				Effect:    Allow,
				Principal: Principal{Service: []string{svcConfig, svcGuardDuty}},
				Action:    []string{"s3:PutObject"},
				Resource:  []string{prefix + "Config/*", prefix + "GuardDuty/*"},
				Condition: Conditions{}.add(opStringEquals, keySourceAccount, id),
			},
		)
	}
	if readers := sortedUnique(in.Readers); len(readers) > 0 {
		st = append(st, Statement{
			Sid:       sidArchiveReaders,
			Effect:    Allow,
			Principal: Principal{AWS: readers},
			Action:    []string{"s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketVersions", "s3:GetObject", "s3:GetObjectVersion"},
			Resource:  []string{bucket, objects},
		})
	}
	return Document{Version: Version, Statement: st}
}

func trailPatterns(partition string, accounts []string) []string {
	out := make([]string, len(accounts))
	for i, id := range accounts {
		out[i] = names.TrailPattern(partition, id)
	}
	return out
}

func detectorPatterns(partition string, accounts []string) []string {
	out := make([]string, len(accounts))
	for i, id := range accounts {
		out[i] = names.AnyDetector(partition, id)
	}
	return out
}

// maxArchiveAccounts is how many accounts fit in the bucket policy of in
// (its bucket name and readers), for the error message.
func maxArchiveAccounts(a names.Account, in ArchiveInput) int {
	lo, hi := 0, len(in.Accounts)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		probe := in
		probe.Accounts = make([]string, mid)
		for i := range probe.Accounts {
			probe.Accounts[i] = fmt.Sprintf("%012d", i)
		}
		s, err := archiveBucketPolicy(a, probe).JSON()
		if err == nil && len(s) <= ArchiveBucketPolicyMaxBytes {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}
