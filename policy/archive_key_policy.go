package policy

import (
	"fmt"

	"secalerts/names"
)

// KeyPolicyMaxBytes is KMS's key policy document size limit: 32 KB (AWS KMS
// Developer Guide, "Quotas" -> Key policy document size).
const KeyPolicyMaxBytes = 32 * 1024

// Statement ids of the archive key policy.
const (
	sidArchiveTrailEncrypt   = "CloudTrailEncryptLogs"
	sidArchiveTrailDescribe  = "CloudTrailDescribeKey"
	sidArchiveConfigEncrypt  = "ConfigEncryptDeliveries"
	sidArchiveGuardDutyKey   = "GuardDutyEncryptFindings"
	sidArchiveReadersDecrypt = "ReadersDecryptThroughS3"
)

// ctxCloudTrail is the encryption context CloudTrail sets on the data keys
// of a trail's log files (CloudTrail User Guide, "Configure AWS KMS key
// policies for CloudTrail" -> granting encrypt permissions for trails).
const ctxCloudTrail = "kms:EncryptionContext:aws:cloudtrail:arn"

// ArchiveKeyPolicy is the policy of the customer managed key that encrypts
// the log archive: CloudTrail, AWS Config and GuardDuty of the listed
// accounts encrypt with it, readers decrypt only through S3 in the
// archive's region, and administrators manage it without using it.
func ArchiveKeyPolicy(a names.Account, in ArchiveInput) (Document, error) {
	if err := checkArchiveInput(in); err != nil {
		return Document{}, err
	}
	d := archiveKeyPolicy(a, in)
	s, err := d.JSON()
	if err != nil {
		return Document{}, err
	}
	if len(s) > KeyPolicyMaxBytes {
		return Document{}, fmt.Errorf("%w: the key policy of archive %s is %d bytes for %d accounts, over KMS's limit of %d",
			ErrArchivePolicyTooLarge, in.BucketName, len(s), len(sortedUnique(in.Accounts)), KeyPolicyMaxBytes)
	}
	return d, nil
}

func archiveKeyPolicy(a names.Account, in ArchiveInput) Document {
	accounts := sortedUnique(in.Accounts)
	st := keyOwners(a, in.Administrators, true)
	if len(accounts) > 0 {
		trails := trailPatterns(a.Partition, accounts)
		// The encryption context names any trail of the accounts (the
		// documented form, StringLike arn:...:trail/*), aws:SourceArn the
		// baseline trail itself, as CloudTrail recommends.
		contexts := make([]string, len(accounts))
		for i, id := range accounts {
			contexts[i] = names.AnyTrail(a.Partition, id)
		}
		st = append(st,
			Statement{
				Sid:       sidArchiveTrailEncrypt,
				Effect:    Allow,
				Principal: Principal{Service: []string{svcCloudTrail}},
				Action:    []string{"kms:GenerateDataKey*"},
				Resource:  []string{"*"},
				Condition: Conditions{}.add("StringLike", ctxCloudTrail, contexts...).
					add(opArnLike, keySourceArn, trails...),
			},
			// Same page, "Enable CloudTrail to describe KMS key properties".
			Statement{
				Sid:       sidArchiveTrailDescribe,
				Effect:    Allow,
				Principal: Principal{Service: []string{svcCloudTrail}},
				Action:    []string{"kms:DescribeKey"},
				Resource:  []string{"*"},
				Condition: Conditions{}.add(opArnLike, keySourceArn, trails...),
			},
			// AWS Config Developer Guide, "Permissions for the KMS key" of
			// the delivery channel: Decrypt and GenerateDataKey, with
			// aws:SourceAccount.
			Statement{
				Sid:       sidArchiveConfigEncrypt,
				Effect:    Allow,
				Principal: Principal{Service: []string{svcConfig}},
				Action:    []string{"kms:Decrypt", "kms:GenerateDataKey"},
				Resource:  []string{"*"},
				Condition: Conditions{}.add(opStringEquals, keySourceAccount, accounts...),
			},
			// GuardDuty User Guide, "Exporting generated findings to Amazon
			// S3" -> key policy: kms:GenerateDataKey with aws:SourceAccount
			// and aws:SourceArn of the detector (approximated, see
			// names.AnyDetector).
			Statement{
				Sid:       sidArchiveGuardDutyKey,
				Effect:    Allow,
				Principal: Principal{Service: []string{svcGuardDuty}},
				Action:    []string{"kms:GenerateDataKey"},
				Resource:  []string{"*"},
				Condition: Conditions{}.add(opStringEquals, keySourceAccount, accounts...).
					add(opArnLike, keySourceArn, detectorPatterns(a.Partition, accounts)...),
			},
		)
	}
	if readers := sortedUnique(in.Readers); len(readers) > 0 {
		// Readers decrypt only what S3 asks KMS for on their behalf
		// (kms:ViaService), so the key never decrypts anything else for them.
		st = append(st, Statement{
			Sid:       sidArchiveReadersDecrypt,
			Effect:    Allow,
			Principal: Principal{AWS: readers},
			Action:    []string{"kms:Decrypt", "kms:DescribeKey"},
			Resource:  []string{"*"},
			Condition: Conditions{}.add(opStringEquals, keyViaService, "s3."+a.Region+"."+dnsSuffix(a.Partition)),
		})
	}
	return Document{Version: Version, Statement: st}
}

// keyViaService is the KMS condition key naming the AWS service that made a
// request on the caller's behalf (KMS Developer Guide, "kms:ViaService").
const keyViaService = "kms:ViaService"

// dnsSuffix is the endpoint domain of a partition's services.
func dnsSuffix(partition string) string {
	if partition == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}
