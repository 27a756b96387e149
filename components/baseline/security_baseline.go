// Package baseline is the SecurityBaseline component: the security services
// a member account needs so that the hub's log archive and the detectors
// have something to read, as a security account's baseline does in every
// account it watches. One multi-region CloudTrail trail,
// AWS Config and GuardDuty in every covered region delivering to the
// archive, the Config rules that notice GuardDuty or CloudTrail off, and
// Security Hub and IAM Access Analyzer where asked. Global services are
// recorded in one region only, so they are not paid for once per region.
package baseline

import (
	"fmt"
	"slices"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/accessanalyzer"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cfg"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudtrail"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/guardduty"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/securityhub"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/config"
	"secalerts/names"
	"secalerts/policy"
)

// Type is the component's type token. Never change it.
const Type = "secalerts:index:SecurityBaseline"

// Managed rule identifiers (AWS Config Developer Guide, managed rules
// guardduty-enabled-centralized, cloudtrail-enabled and
// multi-region-cloudtrail-enabled).
var managedRules = map[string]string{
	config.RuleGuardDutyEnabled:      "GUARDDUTY_ENABLED_CENTRALIZED",
	config.RuleCloudTrailEnabled:     "CLOUD_TRAIL_ENABLED",
	config.RuleMultiRegionCloudTrail: "MULTI_REGION_CLOUD_TRAIL_ENABLED",
}

// SecurityBaselineArgs are plain values but for the archive, which may come
// from the hub stack's outputs.
type SecurityBaselineArgs struct {
	// Account is the member account in its home region (where the Config
	// role is made).
	Account names.Account
	Config  *config.Baseline
	// Regions are the covered regions; Config.GlobalRegion must be one.
	Regions []string
	// Providers has one explicit provider per region.
	Providers map[string]*aws.Provider
	// ArchiveBucket and ArchiveKeyArn are the hub's log archive; required
	// when CloudTrail, Config or GuardDuty is on.
	ArchiveBucket pulumi.StringInput
	ArchiveKeyArn pulumi.StringInput
}

// SecurityBaseline is the deployed baseline of one member account.
type SecurityBaseline struct {
	pulumi.ResourceState

	// TrailArn is empty when CloudTrail is switched off.
	TrailArn pulumi.StringOutput `pulumi:"trailArn"`
	// DetectorIds are the GuardDuty detectors by region.
	DetectorIds pulumi.StringMapOutput `pulumi:"detectorIds"`
	// GlobalRegion is the one region recording global services.
	GlobalRegion pulumi.StringOutput `pulumi:"globalRegion"`
}

// NewSecurityBaseline turns the configured services on.
func NewSecurityBaseline(ctx *pulumi.Context, name string, args *SecurityBaselineArgs, opts ...pulumi.ResourceOption) (*SecurityBaseline, error) {
	if err := validate(name, args); err != nil {
		return nil, err
	}
	b := &SecurityBaseline{}
	if err := ctx.RegisterComponentResource(Type, name, b, opts...); err != nil {
		return nil, fmt.Errorf("registering security baseline %s: %w", name, err)
	}
	parent := pulumi.Parent(b)
	c, acct := args.Config, args.Account
	regions := slices.Clone(args.Regions)
	sort.Strings(regions)

	trailArn := pulumi.String("").ToStringOutput()
	if c.CloudTrail {
		// One multi-region trail in the global region: its global service
		// events (IAM, STS, sign-in) are recorded once, not once per region.
		trail, err := cloudtrail.NewTrail(ctx, name+"-trail", &cloudtrail.TrailArgs{
			Name:                       pulumi.String(names.Trail),
			S3BucketName:               args.ArchiveBucket,
			KmsKeyId:                   args.ArchiveKeyArn,
			IsMultiRegionTrail:         pulumi.Bool(true),
			IncludeGlobalServiceEvents: pulumi.Bool(true),
			EnableLogFileValidation:    pulumi.Bool(true),
			EnableLogging:              pulumi.Bool(true),
		}, parent, pulumi.Provider(args.Providers[c.GlobalRegion]))
		if err != nil {
			return nil, fmt.Errorf("creating the trail of security baseline %s: %w", name, err)
		}
		trailArn = trail.Arn
	}

	var role *iam.Role
	if c.Config {
		trust, err := policy.ConfigRecorderTrustPolicy(acct).JSON()
		if err != nil {
			return nil, fmt.Errorf("building the AWS Config role's trust policy: %w", err)
		}
		role, err = iam.NewRole(ctx, name+"-config-role", &iam.RoleArgs{
			Name:              pulumi.String(names.ConfigRole),
			Description:       pulumi.String("secalerts: lets AWS Config record this account's resource configurations"),
			AssumeRolePolicy:  pulumi.String(trust),
			ManagedPolicyArns: pulumi.StringArray{pulumi.String(names.ConfigRolePolicyARN(acct.Partition))},
		}, parent, pulumi.Provider(args.Providers[acct.Region]))
		if err != nil {
			return nil, fmt.Errorf("creating the AWS Config role: %w", err)
		}
	}

	detectorIDs := pulumi.StringMap{}
	for _, region := range regions {
		ropts := []pulumi.ResourceOption{parent, pulumi.Provider(args.Providers[region])}
		prefix := name + "-" + region
		if c.Config {
			if err := newConfig(ctx, prefix, c, region, role, args, ropts...); err != nil {
				return nil, fmt.Errorf("turning AWS Config on in %s: %w", region, err)
			}
		}
		if c.GuardDuty {
			id, err := newGuardDuty(ctx, prefix, acct.Partition, args, ropts...)
			if err != nil {
				return nil, fmt.Errorf("turning GuardDuty on in %s: %w", region, err)
			}
			detectorIDs[region] = id
		}
		if c.SecurityHub {
			// The default standards (AWS Foundational Security Best Practices
			// and CIS) are what make Security Hub produce findings; their
			// controls read AWS Config, so they need a recorder in the region.
			if _, err := securityhub.NewAccount(ctx, prefix+"-securityhub", &securityhub.AccountArgs{
				EnableDefaultStandards: pulumi.Bool(true),
				AutoEnableControls:     pulumi.Bool(true),
			}, ropts...); err != nil {
				return nil, fmt.Errorf("enabling Security Hub in %s: %w", region, err)
			}
		}
		if c.AccessAnalyzer {
			if _, err := accessanalyzer.NewAnalyzer(ctx, prefix+"-access-analyzer", &accessanalyzer.AnalyzerArgs{
				AnalyzerName: pulumi.String(names.Analyzer),
				Type:         pulumi.String("ACCOUNT"),
			}, ropts...); err != nil {
				return nil, fmt.Errorf("creating the IAM Access Analyzer of %s: %w", region, err)
			}
		}
	}

	b.TrailArn = trailArn
	b.DetectorIds = detectorIDs.ToStringMapOutput()
	b.GlobalRegion = pulumi.String(c.GlobalRegion).ToStringOutput()
	return b, ctx.RegisterResourceOutputs(b, pulumi.Map{
		"trailArn": b.TrailArn, "detectorIds": b.DetectorIds, "globalRegion": b.GlobalRegion,
	})
}

// validate checks args before anything is registered.
func validate(name string, args *SecurityBaselineArgs) error {
	if args == nil || args.Config == nil || len(args.Regions) == 0 {
		return fmt.Errorf("creating security baseline %s: config and at least one region are required", name)
	}
	c := args.Config
	if (c.CloudTrail || c.Config || c.GuardDuty) && (args.ArchiveBucket == nil || args.ArchiveKeyArn == nil) {
		return fmt.Errorf("creating security baseline %s: CloudTrail, Config and GuardDuty need the archive bucket and key", name)
	}
	if !slices.Contains(args.Regions, c.GlobalRegion) {
		return fmt.Errorf("creating security baseline %s: global region %s is not one of the covered regions %v", name, c.GlobalRegion, args.Regions)
	}
	for _, r := range append(slices.Clone(args.Regions), args.Account.Region) {
		if args.Providers[r] == nil {
			return fmt.Errorf("creating security baseline %s: no provider for region %s", name, r)
		}
	}
	return nil
}

// newConfig creates one region's recorder, delivery channel, recorder
// status and rules. Only the global region records global resource types
// (IAM users, roles, policies), which AWS Config would otherwise record,
// and bill, once per region.
func newConfig(ctx *pulumi.Context, prefix string, c *config.Baseline, region string, role *iam.Role, args *SecurityBaselineArgs, opts ...pulumi.ResourceOption) error {
	global := region == c.GlobalRegion
	recorder, err := cfg.NewRecorder(ctx, prefix+"-recorder", &cfg.RecorderArgs{
		Name:    pulumi.String(names.Recorder),
		RoleArn: role.Arn,
		RecordingGroup: &cfg.RecorderRecordingGroupArgs{
			AllSupported:               pulumi.Bool(true),
			IncludeGlobalResourceTypes: pulumi.Bool(global),
		},
	}, opts...)
	if err != nil {
		return fmt.Errorf("creating the recorder: %w", err)
	}
	// AWS Config uses the recorder role first and, when the archive (in the
	// hub account) refuses it, the config.amazonaws.com service principal
	// that the archive's bucket policy admits for this account's prefix.
	channel, err := cfg.NewDeliveryChannel(ctx, prefix+"-delivery", &cfg.DeliveryChannelArgs{
		Name:         pulumi.String(names.DeliveryChannel),
		S3BucketName: args.ArchiveBucket,
		S3KmsKeyArn:  args.ArchiveKeyArn,
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{recorder}))...)
	if err != nil {
		return fmt.Errorf("creating the delivery channel: %w", err)
	}
	status, err := cfg.NewRecorderStatus(ctx, prefix+"-recorder-status", &cfg.RecorderStatusArgs{
		Name:      recorder.Name,
		IsEnabled: pulumi.Bool(true),
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{channel}))...)
	if err != nil {
		return fmt.Errorf("starting the recorder: %w", err)
	}
	// GuardDuty is regional, so its rule runs in every region; the
	// CloudTrail rules check the account's trails, wherever they are, so
	// one region is enough.
	rules := []string{config.RuleGuardDutyEnabled}
	if global {
		rules = append(rules, c.CloudTrailRule)
	}
	for _, rule := range rules {
		if _, err := cfg.NewRule(ctx, prefix+"-"+rule, &cfg.RuleArgs{
			Name:        pulumi.String(rule),
			Description: pulumi.String("secalerts: its compliance changes reach the hub through the config-compliance detector"),
			Source: &cfg.RuleSourceArgs{
				Owner:            pulumi.String("AWS"),
				SourceIdentifier: pulumi.String(managedRules[rule]),
			},
		}, append(opts, pulumi.DependsOn([]pulumi.Resource{status}))...); err != nil {
			return fmt.Errorf("creating rule %s: %w", rule, err)
		}
	}
	return nil
}

// newGuardDuty creates the region's detector and publishes its findings
// to the archive.
func newGuardDuty(ctx *pulumi.Context, prefix, partition string, args *SecurityBaselineArgs, opts ...pulumi.ResourceOption) (pulumi.StringOutput, error) {
	// FIFTEEN_MINUTES: repeated occurrences of a finding update EventBridge
	// (and so the hub) within 15 minutes instead of the default 6 hours.
	detector, err := guardduty.NewDetector(ctx, prefix+"-guardduty", &guardduty.DetectorArgs{
		Enable:                     pulumi.Bool(true),
		FindingPublishingFrequency: pulumi.String("FIFTEEN_MINUTES"),
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("creating the detector: %w", err)
	}
	bucketArn := args.ArchiveBucket.ToStringOutput().ApplyT(func(bucket string) string {
		return names.S3BucketARN(partition, bucket)
	}).(pulumi.StringOutput)
	if _, err := guardduty.NewPublishingDestination(ctx, prefix+"-guardduty-archive", &guardduty.PublishingDestinationArgs{
		DetectorId:      detector.ID().ToStringOutput(),
		DestinationType: pulumi.String("S3"),
		DestinationArn:  bucketArn,
		KmsKeyArn:       args.ArchiveKeyArn,
	}, opts...); err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("publishing findings to the archive: %w", err)
	}
	return detector.ID().ToStringOutput(), nil
}
