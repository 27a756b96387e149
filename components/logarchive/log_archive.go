// Package logarchive is the LogArchive component: the hub's S3 bucket, and
// the customer managed key that encrypts it, where every listed member
// account's CloudTrail, AWS Config and GuardDuty deliver: the one bucket
// of a security account that multi-account teams keep every log in. Nobody can delete from it; readers listed in
// the configuration can read it.
package logarchive

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/config"
	"secalerts/plan"
)

// Type is the component's type token. Never change it.
const Type = "secalerts:index:LogArchive"

// abortMultipartDays cleans up uploads that never completed, which S3
// otherwise bills for forever.
const abortMultipartDays = 7

// LogArchiveArgs are plain values: they shape the bucket and its policies.
type LogArchiveArgs struct {
	// Plan is the archive's plan (plan.Hub.Archive).
	Plan *plan.Archive
}

// LogArchive is the deployed archive.
type LogArchive struct {
	pulumi.ResourceState

	BucketName pulumi.StringOutput `pulumi:"bucketName"`
	BucketArn  pulumi.StringOutput `pulumi:"bucketArn"`
	KeyArn     pulumi.StringOutput `pulumi:"keyArn"`
	// ObjectLock reports whether objects are locked: AWS Config cannot
	// deliver to such a bucket, which member stacks check.
	ObjectLock pulumi.BoolOutput `pulumi:"objectLock"`
}

// NewLogArchive creates the key, the bucket and its settings and policy.
// The caller's options (the hub region's provider among them) apply to the
// component; children inherit the provider through it.
func NewLogArchive(ctx *pulumi.Context, name string, args *LogArchiveArgs, opts ...pulumi.ResourceOption) (*LogArchive, error) {
	if args == nil || args.Plan == nil || args.Plan.Config == nil {
		return nil, fmt.Errorf("creating log archive %s: a plan is required", name)
	}
	p := args.Plan
	cfg := p.Config
	bucketPolicyJSON, err := p.BucketPolicy.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the bucket policy of log archive %s: %w", name, err)
	}
	keyPolicyJSON, err := p.Key.Policy.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the key policy of log archive %s: %w", name, err)
	}

	a := &LogArchive{}
	if err := ctx.RegisterComponentResource(Type, name, a, opts...); err != nil {
		return nil, fmt.Errorf("registering log archive %s: %w", name, err)
	}
	parent := pulumi.Parent(a)

	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:          pulumi.String("secalerts: encrypts the central log archive (CloudTrail, AWS Config, GuardDuty)"),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(p.Key.DeletionWindowDays),
		Policy:               pulumi.String(keyPolicyJSON),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the key of log archive %s: %w", name, err)
	}
	if _, err := kms.NewAlias(ctx, name+"-key-alias", &kms.AliasArgs{
		Name:        pulumi.String(p.Key.Alias),
		TargetKeyId: key.KeyId,
	}, parent); err != nil {
		return nil, fmt.Errorf("creating the key alias of log archive %s: %w", name, err)
	}

	// RetainOnDelete: the archive is evidence and outlives the stack; a
	// `pulumi destroy` leaves it (and its bucket policy forbids deleting it
	// anyway). objectLockEnabled forces a new bucket when it changes, and a
	// retained bucket of the same name would make that replacement fail:
	// it is only read when the bucket is made, and Object Lock switched on
	// later is enabled on the existing, versioned bucket by the object lock
	// configuration below (S3 User Guide, "Enable Object Lock on an existing
	// S3 bucket"). Once on, S3 never turns it off.
	bucket, err := s3.NewBucketV2(ctx, name+"-bucket", &s3.BucketV2Args{
		Bucket:            pulumi.String(cfg.BucketName),
		ObjectLockEnabled: pulumi.Bool(cfg.ObjectLock != nil),
	}, parent, pulumi.RetainOnDelete(true), pulumi.IgnoreChanges([]string{"objectLockEnabled"}))
	if err != nil {
		return nil, fmt.Errorf("creating the bucket of log archive %s: %w", name, err)
	}
	child := []pulumi.ResourceOption{parent, pulumi.DependsOn([]pulumi.Resource{bucket})}

	// BucketOwnerEnforced disables ACLs: every delivered object belongs to
	// the hub, whichever account's service wrote it. Requests that send the
	// bucket-owner-full-control ACL, as CloudTrail and Config do, still
	// succeed (S3 User Guide, "Controlling ownership of objects").
	if _, err := s3.NewBucketOwnershipControls(ctx, name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.Bucket,
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, child...); err != nil {
		return nil, fmt.Errorf("enforcing bucket ownership of log archive %s: %w", name, err)
	}
	publicBlock, err := s3.NewBucketPublicAccessBlock(ctx, name+"-public-access-block", &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.Bucket,
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, child...)
	if err != nil {
		return nil, fmt.Errorf("blocking public access to log archive %s: %w", name, err)
	}
	versioning, err := s3.NewBucketVersioningV2(ctx, name+"-versioning", &s3.BucketVersioningV2Args{
		Bucket:                  bucket.Bucket,
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, child...)
	if err != nil {
		return nil, fmt.Errorf("enabling versioning of log archive %s: %w", name, err)
	}
	// Every source encrypts with the key itself; the default covers
	// anything else. S3 Bucket Keys stay off: with them CloudTrail would
	// also need kms:Decrypt (CloudTrail User Guide, KMS key policy), and the
	// archive's request volume is small.
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-encryption", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.Bucket,
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: key.Arn,
			},
			BucketKeyEnabled: pulumi.Bool(false),
		}},
	}, child...); err != nil {
		return nil, fmt.Errorf("encrypting log archive %s: %w", name, err)
	}
	if err := newLifecycle(ctx, name, cfg, bucket, append(child, pulumi.DependsOn([]pulumi.Resource{versioning}))...); err != nil {
		return nil, err
	}
	if l := cfg.ObjectLock; l != nil {
		if _, err := s3.NewBucketObjectLockConfigurationV2(ctx, name+"-object-lock", &s3.BucketObjectLockConfigurationV2Args{
			Bucket:            bucket.Bucket,
			ObjectLockEnabled: pulumi.String("Enabled"),
			Rule: &s3.BucketObjectLockConfigurationV2RuleArgs{
				DefaultRetention: &s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs{
					Mode: pulumi.String(l.Mode), Days: pulumi.Int(l.Days),
				},
			},
		}, append(child, pulumi.DependsOn([]pulumi.Resource{versioning}))...); err != nil {
			return nil, fmt.Errorf("locking the objects of log archive %s: %w", name, err)
		}
	}
	// After the public access block, so S3 never sees a policy while the
	// bucket's public settings are still being made.
	if _, err := s3.NewBucketPolicy(ctx, name+"-policy", &s3.BucketPolicyArgs{
		Bucket: bucket.Bucket,
		Policy: pulumi.String(bucketPolicyJSON),
	}, append(child, pulumi.DependsOn([]pulumi.Resource{publicBlock}))...); err != nil {
		return nil, fmt.Errorf("creating the bucket policy of log archive %s: %w", name, err)
	}

	a.BucketName = pulumi.String(cfg.BucketName).ToStringOutput()
	a.BucketArn = pulumi.String(p.BucketARN).ToStringOutput()
	a.KeyArn = key.Arn
	// Locked when configured now, or when the bucket was made locked: a
	// bucket keeps Object Lock after objectLock is removed from the config,
	// and member stacks must still keep AWS Config away from it.
	locked := cfg.ObjectLock != nil
	a.ObjectLock = bucket.ObjectLockEnabled.ApplyT(func(enabled bool) bool { return enabled || locked }).(pulumi.BoolOutput)
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{
		"bucketName": a.BucketName, "bucketArn": a.BucketArn, "keyArn": a.KeyArn, "objectLock": a.ObjectLock,
	})
}

// newLifecycle moves objects to S3 Glacier Flexible Retrieval and expires
// them as configured; nothing to do when both are 0.
func newLifecycle(ctx *pulumi.Context, name string, cfg *config.LogArchive, bucket *s3.BucketV2, opts ...pulumi.ResourceOption) error {
	if cfg.TransitionDays == 0 && cfg.ExpirationDays == 0 {
		return nil
	}
	rule := &s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:     pulumi.String("archive"),
		Status: pulumi.String("Enabled"),
		Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
		AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
			DaysAfterInitiation: pulumi.Int(abortMultipartDays),
		},
	}
	if cfg.TransitionDays > 0 {
		rule.Transitions = s3.BucketLifecycleConfigurationV2RuleTransitionArray{&s3.BucketLifecycleConfigurationV2RuleTransitionArgs{
			Days: pulumi.Int(cfg.TransitionDays), StorageClass: pulumi.String("GLACIER"),
		}}
	}
	if cfg.ExpirationDays > 0 {
		rule.Expiration = &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(cfg.ExpirationDays)}
		// In a versioned bucket expiry only hides an object behind a delete
		// marker; the version itself goes as many days later. An overwritten
		// log keeps its original version just as long, so replacing a log
		// file does not shorten how long the original is kept.
		rule.NoncurrentVersionExpiration = &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
			NoncurrentDays: pulumi.Int(cfg.ExpirationDays),
		}
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name+"-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.Bucket,
		Rules:  s3.BucketLifecycleConfigurationV2RuleArray{rule},
	}, opts...); err != nil {
		return fmt.Errorf("creating the lifecycle of log archive %s: %w", name, err)
	}
	return nil
}
