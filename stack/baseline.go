package stack

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/baseline"
	"secalerts/config"
	"secalerts/names"
)

// newBaseline turns the member's security baseline on when it has one.
func newBaseline(ctx *pulumi.Context, m *config.Member, home names.Account, regions []string, providers map[string]*aws.Provider) error {
	b := m.Baseline
	if b == nil {
		return nil
	}
	args := &baseline.SecurityBaselineArgs{Account: home, Config: b, Regions: regions, Providers: providers}
	if b.CloudTrail || b.Config || b.GuardDuty {
		var err error
		if args.ArchiveBucket, args.ArchiveKeyArn, err = archive(ctx, m); err != nil {
			return err
		}
	}
	s, err := baseline.NewSecurityBaseline(ctx, names.BaselineComponent, args)
	if err != nil {
		return fmt.Errorf("secalerts:member.baseline: %w", err)
	}
	ctx.Export("baselineTrailArn", s.TrailArn)
	ctx.Export("guardDutyDetectorIds", s.DetectorIds)
	ctx.Export("globalRegion", s.GlobalRegion)
	return nil
}

// archive is the configured archive bucket and key, or the hub stack's
// logArchiveBucket and logArchiveKeyArn outputs.
func archive(ctx *pulumi.Context, m *config.Member) (pulumi.StringInput, pulumi.StringInput, error) {
	b := m.Baseline
	if b.ArchiveBucket != "" {
		return pulumi.String(b.ArchiveBucket), pulumi.String(b.ArchiveKeyARN), nil
	}
	ref, err := pulumi.NewStackReference(ctx, m.HubStack+"-archive", &pulumi.StackReferenceArgs{Name: pulumi.String(m.HubStack)})
	if err != nil {
		return nil, nil, fmt.Errorf("reading hub stack %s (secalerts:member.hubStack) for the log archive: %w", m.HubStack, err)
	}
	output := func(name string) pulumi.StringOutput {
		return ref.GetOutput(pulumi.String(name)).ApplyT(func(v any) (string, error) {
			s, _ := v.(string)
			if s == "" {
				return "", fmt.Errorf("hub stack %s has no %s output: give it secalerts:hub.logArchive, or set secalerts:member.baseline.archiveBucket and archiveKeyArn", m.HubStack, name)
			}
			return s, nil
		}).(pulumi.StringOutput)
	}
	bucket := output("logArchiveBucket")
	if b.Config {
		// AWS CloudFormation User Guide, AWS::Config::DeliveryChannel: AWS
		// Config does not support delivery to a bucket with Object Lock.
		bucket = pulumi.All(bucket, ref.GetOutput(pulumi.String("logArchiveObjectLock"))).ApplyT(func(v []any) (string, error) {
			if locked, _ := v[1].(bool); locked {
				return "", fmt.Errorf("hub stack %s's log archive uses Object Lock, to which AWS Config cannot deliver: set secalerts:member.baseline.config to false, or remove secalerts:hub.logArchive.objectLock", m.HubStack)
			}
			return v[0].(string), nil
		}).(pulumi.StringOutput)
	}
	return bucket, output("logArchiveKeyArn"), nil
}
