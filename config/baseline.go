package config

import (
	"regexp"
	"slices"
	"strings"
)

// Baseline is secalerts:member.baseline: the security services the member
// stack turns on so that both the hub's log archive and the detectors have
// something to read. Each source can be switched off where the
// customer already runs it: AWS allows one Config recorder and one GuardDuty
// detector per region per account.
type Baseline struct {
	// ArchiveBucket and ArchiveKeyARN are the hub's log archive; both empty
	// reads them from the hub stack (secalerts:member.hubStack) outputs
	// logArchiveBucket and logArchiveKeyArn.
	ArchiveBucket string
	ArchiveKeyARN string
	// GlobalRegion is the one region that records global services: the
	// trail's home region (its global service events) and the only Config
	// recorder that records global resource types. Default: homeRegion.
	GlobalRegion string
	// CloudTrail creates one multi-region trail delivering to the archive.
	CloudTrail bool
	// Config creates a recorder and delivery channel in every covered
	// region, and the rules that notice GuardDuty or CloudTrail off.
	Config bool
	// CloudTrailRule is the managed rule that checks CloudTrail.
	CloudTrailRule string
	// GuardDuty creates a detector in every covered region publishing
	// findings to the archive.
	GuardDuty bool
	// SecurityHub and AccessAnalyzer enable those services in every covered
	// region.
	SecurityHub    bool
	AccessAnalyzer bool
}

// The AWS Config managed rules the baseline deploys (AWS Config Developer
// Guide, "List of AWS Config Managed Rules"). Their names are the ones the
// config-compliance detector raises to HIGH.
const (
	RuleGuardDutyEnabled          = "guardduty-enabled-centralized"
	RuleCloudTrailEnabled         = "cloudtrail-enabled"
	RuleMultiRegionCloudTrail     = "multi-region-cloudtrail-enabled"
	DefaultBaselineCloudTrailRule = RuleMultiRegionCloudTrail
)

var baselineKeys = []string{
	"archiveBucket", "archiveKeyArn", "globalRegion",
	"cloudTrail", "config", "cloudTrailRule", "guardDuty", "securityHub", "accessAnalyzer",
}

// kmsKeyARNShape is a KMS key ARN (not an alias: CloudTrail, Config and
// GuardDuty take the key itself): key/<uuid> or, for a multi-Region key,
// key/mrk-<32 hex> (KMS Developer Guide, "Key identifiers (KeyId)").
var kmsKeyARNShape = regexp.MustCompile(`^arn:(aws|aws-us-gov|aws-cn):kms:([a-z0-9-]+):([0-9]{12}):key/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)

// readBaseline reads secalerts:member.baseline; nil when absent. It runs
// after the rest of the member is read: it checks the hub reference, the
// regions and the config-compliance detector against it.
func readBaseline(p *problems, member object, m *Member, homePartition string) *Baseline {
	raw, ok := member.raw("baseline")
	if !ok {
		return nil
	}
	o, ok := readObject(p, member.key("baseline"), raw, baselineKeys...)
	if !ok {
		return nil
	}
	b := &Baseline{GlobalRegion: m.HomeRegion, CloudTrail: true, Config: true, GuardDuty: true, CloudTrailRule: DefaultBaselineCloudTrailRule}
	for _, f := range []struct {
		key string
		dst *bool
	}{
		{"cloudTrail", &b.CloudTrail}, {"config", &b.Config}, {"guardDuty", &b.GuardDuty},
		{"securityHub", &b.SecurityHub}, {"accessAnalyzer", &b.AccessAnalyzer},
	} {
		if v, _ := o.boolean(p, f.key); v != nil {
			*f.dst = *v
		}
	}
	if !b.CloudTrail && !b.Config && !b.GuardDuty && !b.SecurityHub && !b.AccessAnalyzer {
		p.addf(o.path, "every source is switched off (cloudTrail, config, guardDuty, securityHub, accessAnalyzer): remove baseline, or switch one on")
	}

	if r, ok := o.str(p, "globalRegion"); ok {
		b.GlobalRegion = r
		checkGlobalRegion(p, o.key("globalRegion"), r, m, homePartition)
	} else if !m.DiscoverRegions && len(m.Regions) > 0 && !slices.Contains(m.Regions, m.HomeRegion) {
		p.addf(o.key("globalRegion"), "not set, and its default, homeRegion %s, is not one of this stack's regions (%s): set globalRegion to one of them",
			m.HomeRegion, strings.Join(m.Regions, ", "))
	}

	if rule, ok := o.str(p, "cloudTrailRule"); ok {
		b.CloudTrailRule = rule
		if rule != RuleMultiRegionCloudTrail && rule != RuleCloudTrailEnabled {
			p.addf(o.key("cloudTrailRule"), "%q is not a CloudTrail rule the baseline deploys (expected %s, which also checks that a trail covers every region, or %s)",
				rule, RuleMultiRegionCloudTrail, RuleCloudTrailEnabled)
		}
	}

	readArchiveReference(p, o, b, m, homePartition)
	if b.Config {
		checkGlobalIAMRecording(p, o, b)
		checkRulesForwarded(p, o, b, m)
	}
	return b
}

// checkGlobalRegion records an error unless r is a known region that the
// stack covers.
func checkGlobalRegion(p *problems, path, r string, m *Member, homePartition string) {
	if !checkRegion(p, path, r) {
		return
	}
	switch {
	case homePartition != "" && Partition(r) != homePartition:
		p.addf(path, "%q is in partition %s, but homeRegion %s is in %s", r, Partition(r), m.HomeRegion, homePartition)
	case !m.DiscoverRegions && len(m.Regions) > 0 && !slices.Contains(m.Regions, r):
		p.addf(path, "%q is not one of this stack's regions (%s): global resources would be recorded nowhere; choose one of them",
			r, strings.Join(m.Regions, ", "))
	}
}

// configWithoutGlobalIAM are the regions where AWS Config launched after
// February 2022: it cannot record the global IAM resource types (users,
// groups, roles, customer managed policies) there, so a recorder that is
// the only one to include global resource types would record them nowhere
// (AWS Config Developer Guide, "Recording AWS Resources" -> Global
// resources; API RecordingGroup, includeGlobalResourceTypes).
var configWithoutGlobalIAM = []string{
	"ap-east-2", "ap-south-2", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-west-1", "eu-central-2", "eu-south-2", "il-central-1", "me-central-1", "mx-central-1",
}

// checkGlobalIAMRecording records an error when the one region recording
// global resource types cannot record the IAM ones.
func checkGlobalIAMRecording(p *problems, o object, b *Baseline) {
	if !slices.Contains(configWithoutGlobalIAM, b.GlobalRegion) {
		return
	}
	p.addf(o.key("globalRegion"), "%q is a region where AWS Config cannot record the global IAM resource types (AWS Config launched there after February 2022), so IAM users, roles and policies would be recorded nowhere: set globalRegion to a covered region that is not one of %s, or set config: false",
		b.GlobalRegion, strings.Join(configWithoutGlobalIAM, ", "))
}

// readArchiveReference reads where the logs go: the archive bucket and key
// given explicitly, or read from the hub stack. Security Hub and Access
// Analyzer alone need no archive.
func readArchiveReference(p *problems, o object, b *Baseline, m *Member, homePartition string) {
	b.ArchiveBucket, _ = o.str(p, "archiveBucket")
	b.ArchiveKeyARN, _ = o.str(p, "archiveKeyArn")
	needed := b.CloudTrail || b.Config || b.GuardDuty
	switch {
	case b.ArchiveBucket != "" && b.ArchiveKeyARN == "":
		p.addf(o.key("archiveKeyArn"), "not set: archiveBucket %q needs archiveKeyArn, the hub's archive key (the hub stack output logArchiveKeyArn)", b.ArchiveBucket)
	case b.ArchiveBucket == "" && b.ArchiveKeyARN != "":
		p.addf(o.key("archiveBucket"), "not set: archiveKeyArn needs archiveBucket, the hub's archive bucket (the hub stack output logArchiveBucket)")
	case b.ArchiveBucket == "" && needed && m.HubStack == "":
		p.addf(o.key("archiveBucket"), "not set: cloudTrail, config and guardDuty deliver to the hub's log archive; set archiveBucket and archiveKeyArn (the hub stack outputs logArchiveBucket and logArchiveKeyArn), or use hubStack to read them, or switch those sources off")
	}
	if b.ArchiveBucket != "" {
		checkBucketName(p, o.key("archiveBucket"), b.ArchiveBucket)
	}
	if b.ArchiveKeyARN != "" {
		checkArchiveKeyARN(p, o.key("archiveKeyArn"), b.ArchiveKeyARN, m.HomeRegion, homePartition)
	}
}

// checkArchiveKeyARN records an error unless arn is a KMS key ARN in the
// member's partition.
func checkArchiveKeyARN(p *problems, path, arn, homeRegion, homePartition string) {
	k := kmsKeyARNShape.FindStringSubmatch(arn)
	switch {
	case k == nil:
		p.addf(path, "%q is not a KMS key ARN (expected arn:aws:kms:<region>:<12-digit hub account>:key/<key id>, the hub stack output logArchiveKeyArn; aliases are not accepted)", arn)
	default:
		checkARNPlace(p, path, arn, k[1], k[2], homeRegion, homePartition, "logs")
	}
}

// checkRulesForwarded records an error when the Config rules the baseline
// deploys would not reach the hub: their compliance changes are what
// tells the operator GuardDuty or CloudTrail was switched off.
func checkRulesForwarded(p *problems, o object, b *Baseline, m *Member) {
	s, ok := m.Detectors[configComplianceID]
	if !ok {
		return
	}
	path := memberKey + ".detectors." + configComplianceID
	if s.Enabled != nil && !*s.Enabled {
		p.addf(o.key("config"), "the baseline's Config rules would alert nobody: %s.enabled is false; enable that detector, or set config: false", path)
		return
	}
	if len(s.ConfigRuleNames) == 0 {
		return
	}
	for _, rule := range []string{RuleGuardDutyEnabled, b.CloudTrailRule} {
		if !slices.Contains(s.ConfigRuleNames, rule) {
			p.addf(o.key("config"), "the baseline deploys Config rule %s, but %s.ruleNames leaves it out, so its compliance changes would not be forwarded; add it there", rule, path)
		}
	}
}
