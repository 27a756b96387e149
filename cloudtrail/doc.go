// Package cloudtrail reads CloudTrail log files as S3 delivers them and turns
// their records into the events EventBridge would put on the account's
// default bus for them. It streams: a file is never loaded whole, and one
// record at a time is held in memory.
//
// The mapping follows the EventBridge User Guide, "AWS service events
// delivered via AWS CloudTrail" and the per-service pages of the EventBridge
// events reference (for example ec2.amazonaws.com is matched with
// "source": ["aws.ec2"], s3-banner.amazonaws.com with "aws.s3-banner",
// monitoring.amazonaws.com with "aws.monitoring"):
//   - source is "aws." followed by the eventSource up to ".amazonaws.com";
//   - detail-type comes from the record's eventType: AwsApiCall is "AWS API
//     Call via CloudTrail", AwsServiceEvent "AWS Service Event via
//     CloudTrail", AwsConsoleSignIn "AWS Console Sign In via CloudTrail",
//     AwsConsoleAction "AWS Console Action via CloudTrail" and
//     AwsCloudTrailInsight "AWS Insight via CloudTrail"; other event types
//     (network activity events, AwsVpceEvent) have no documented
//     EventBridge form and are counted as not delivered;
//   - detail is the CloudTrail record itself, unchanged;
//   - account is recipientAccountId, region awsRegion, time eventTime, and
//     resources is empty, as in the documented samples;
//   - id is assigned by EventBridge; the converter reuses the record's
//     eventID so a forecast is reproducible.
//
// Read-only management events whose names start with Describe, Get or List
// reach only rules in the ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
// state (EventBridge User Guide, "Receiving read-only management events from
// AWS services"); other read-only calls and data events are delivered to
// rules in the ordinary ENABLED state.
package cloudtrail
