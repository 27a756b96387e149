package stack

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/logarchive"
	"secalerts/config"
	"secalerts/policy"
)

// logArchiveKey is the config key of the hub's log archive.
const logArchiveKey = Project + ":hub.logArchive"

// archiveInput is what the archive's policies are built from.
func archiveInput(hub *config.Hub) policy.ArchiveInput {
	return policy.ArchiveInput{
		BucketName: hub.LogArchive.BucketName, Accounts: hub.ArchiveAccounts(),
		Readers: hub.LogArchive.Readers, Administrators: hub.KeyAdministrators,
	}
}

// checkLogArchive builds the archive's policies before any resource is
// registered, so a policy over its size limit fails validation.
func checkLogArchive(hub *config.Hub, acct policy.Account) []error {
	if hub.LogArchive == nil {
		return nil
	}
	var errs []error
	if _, err := policy.ArchiveBucketPolicy(acct, archiveInput(hub)); err != nil {
		errs = append(errs, fmt.Errorf("%s (the accounts of secalerts:hub.customers): %w", logArchiveKey, err))
	}
	if _, err := policy.ArchiveKeyPolicy(acct, archiveInput(hub)); err != nil {
		errs = append(errs, fmt.Errorf("%s (the accounts of secalerts:hub.customers): %w", logArchiveKey, err))
	}
	return errs
}

// newLogArchive creates the archive when the hub has one and exports what
// member stacks read through their StackReference.
func newLogArchive(ctx *pulumi.Context, hub *config.Hub, acct policy.Account, provider *aws.Provider) error {
	if hub.LogArchive == nil {
		return nil
	}
	in := archiveInput(hub)
	a, err := logarchive.NewLogArchive(ctx, "secalerts-archive", &logarchive.LogArchiveArgs{
		Account: acct, Config: hub.LogArchive, Accounts: in.Accounts,
		Administrators: in.Administrators, KeyDeletionWindowDays: hub.KeyDeletionWindowDays,
	}, pulumi.Provider(provider))
	if err != nil {
		return err
	}
	ctx.Export("logArchiveBucket", a.BucketName)
	ctx.Export("logArchiveKeyArn", a.KeyArn)
	ctx.Export("logArchiveObjectLock", a.ObjectLock)
	return nil
}
