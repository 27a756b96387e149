package detectors

// apiCallDetectors are the detectors of CloudTrail-recorded API calls
// ("AWS API Call via CloudTrail", plus Organizations' CreateAccountResult
// service event). Each event name (per eventSource) belongs to one detector
// so no call alerts twice, except the IAM role policy calls, which
// iam-policy-changes and pipeline-role-changes split by role name; see
// cloudtrail.go for what a user must know about CloudTrail delivery.
var apiCallDetectors = []Detector{
	securityGroupsDetector,
	networkChangesDetector,
	iamPolicyChangesDetector,
	organizationsDetector,
	organizationLeaveDetector,
	cloudTrailChangesDetector,
	configChangesDetector,
	guardDutyChangesDetector,
	securityHubChangesDetector,
	accessAnalyzerChangesDetector,
	sensorBlindingDetector,
	pipelineChangesDetector,
	pipelineRoleChangesDetector,
	regionChangesDetector,
	kmsKeyDeletionDetector,
	s3BucketPolicyChangesDetector,
	unauthorizedAPICallsDetector,
}
