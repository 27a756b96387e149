package plan

import (
	"fmt"

	"secalerts/config"
	"secalerts/names"
	"secalerts/policy"
)

// Archive is the central log archive of the hub: its bucket and the key
// that encrypts it.
type Archive struct {
	Config *config.LogArchive
	// Accounts are the member accounts allowed to deliver.
	Accounts     []string
	BucketARN    string
	BucketPolicy policy.Document
	Key          Key
}

// archiveKey is the config key of the hub's log archive.
const archiveKey = hubKey + ".logArchive"

// newArchive plans the archive of hub h, building its bucket and key
// policies, whose size limits bound the number of accounts.
func newArchive(acct names.Account, h *config.Hub) (*Archive, error) {
	in := policy.ArchiveInput{
		BucketName: h.LogArchive.BucketName, Accounts: h.ArchiveAccounts(),
		Readers: h.LogArchive.Readers, Administrators: h.KeyAdministrators,
	}
	bucketPolicy, err := policy.ArchiveBucketPolicy(acct, in)
	if err != nil {
		return nil, fmt.Errorf("%s (the accounts of %s.customers): %w", archiveKey, hubKey, err)
	}
	keyPolicy, err := policy.ArchiveKeyPolicy(acct, in)
	if err != nil {
		return nil, fmt.Errorf("%s (the accounts of %s.customers): %w", archiveKey, hubKey, err)
	}
	return &Archive{
		Config: h.LogArchive, Accounts: in.Accounts,
		BucketARN: names.S3BucketARN(acct.Partition, h.LogArchive.BucketName), BucketPolicy: bucketPolicy,
		Key: Key{Alias: names.ArchiveKeyAlias, Policy: keyPolicy, DeletionWindowDays: h.KeyDeletionWindowDays},
	}, nil
}
