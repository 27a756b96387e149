package names

// Names of the central log archive (hub) and of the security baseline
// (member) that delivers to it.
const (
	ArchiveKeyAlias = "alias/" + Prefix + "archive"
	// Trail is the baseline's multi-region trail: the archive admits no
	// other trail.
	Trail           = Prefix + "trail"
	Recorder        = Prefix + "recorder"
	DeliveryChannel = Prefix + "delivery"
	ConfigRole      = Prefix + "config"
	Analyzer        = Prefix + "account"
)

// ArchiveBucket is the archive's default bucket name, unique to the hub
// account and region because bucket names are global.
func ArchiveBucket(account, region string) string {
	return Prefix + "archive-" + account + "-" + region
}

// TrailPattern matches the baseline trail of account in any region: the
// hub does not know each member's home region, where its multi-region trail
// lives, so the region is a wildcard and the account and name are exact.
func TrailPattern(partition, account string) string {
	return Account{Partition: partition, Region: "*", ID: account}.ARN("cloudtrail", "trail/"+Trail)
}

// AnyTrail matches every trail of account in any region.
func AnyTrail(partition, account string) string {
	return Account{Partition: partition, Region: "*", ID: account}.ARN("cloudtrail", "trail/*")
}

// AnyDetector matches every GuardDuty detector of account. Detector IDs
// are random and only known after each member creates its detectors, so
// the documented aws:SourceArn (one detector ARN) can only be approximated:
// any detector of the account, in any region.
func AnyDetector(partition, account string) string {
	return Account{Partition: partition, Region: "*", ID: account}.ARN("guardduty", "detector/*")
}

// ConfigRolePolicyARN is the AWS managed policy that gives the recorder
// role read access to the configurations it records (AWS Config Developer
// Guide, "Permissions for the IAM role assigned to AWS Config").
func ConfigRolePolicyARN(partition string) string {
	return AWSManagedPolicyARN(partition, "service-role/AWS_ConfigRole")
}
