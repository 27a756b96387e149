package detectors

import "secalerts/severity"

// kmsKeyDeletionDetector is CIS 4.7 (disabling or scheduled deletion of
// customer managed keys). Scheduled deletion is HIGH: once the waiting period
// ends, everything encrypted under the key (including secalerts' own SNS
// topic key) is unreadable for good. AWS managed keys cannot be disabled or
// deleted by customers, so every match is a customer managed key.
var kmsKeyDeletionDetector = Detector{
	ID:          "kms-key-deletion",
	Title:       "KMS key disabled or scheduled for deletion",
	Description: "Customer managed KMS keys disabled (MEDIUM) or scheduled for deletion (HIGH) (CIS 4.7).",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		p := func(name string) Pattern {
			return apiCallPattern("aws.kms", "kms.amazonaws.com", []string{name}, nil)
		}
		return []Variant{
			{Name: "disabled", Severity: severity.Medium, Pattern: p("DisableKey")},
			{Name: "deletion-scheduled", Severity: severity.High, Pattern: p("ScheduleKeyDeletion")},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"keyId":       "$.detail.requestParameters.keyId",
			"pendingDays": "$.detail.requestParameters.pendingWindowInDays",
			"deletesOn":   "$.detail.responseElements.deletionDate",
		}),
		Title:   "KMS key <keyId>: <eventName> in account <account> (<region>)",
		Summary: "A KMS key was disabled or scheduled for deletion. Data and services encrypted with it stop working; after deletion the data cannot be recovered.",
		Fields: apiCallFields(
			Field{Label: "Key", Value: "<keyId>"},
			Field{Label: "Deletion", Value: "<deletesOn> (waiting period <pendingDays> days)"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/kms/home?region=<region>#/kms/keys/<keyId>",
		NextSteps: []string{
			"If unplanned, cancel the deletion (CancelKeyDeletion) and re-enable the key before the waiting period ends.",
			confirmCaller,
			"Find what the key protects (CloudTrail Decrypt/GenerateDataKey callers, aliases, tags) before letting the deletion go ahead.",
		},
	},
}

// cisS3BucketPolicyEvents are CIS 4.8 (S3 bucket policy changes).
var cisS3BucketPolicyEvents = []string{
	"PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
	"DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication",
}

// putPublicAccessBlockEvents set S3 Block Public Access on a bucket or on the
// whole account; both put requestParameters.PublicAccessBlockConfiguration.
var putPublicAccessBlockEvents = []string{"PutBucketPublicAccessBlock", "PutAccountPublicAccessBlock"}

// publicAccessBlockFlags are the four settings of S3 Block Public Access.
var publicAccessBlockFlags = []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}

// pabSettings is a condition on flags of the Block Public Access settings
// in requestParameters. CloudTrail renders the XML request body as JSON and
// may write a flag as a JSON boolean or a string, so both spellings match.
func pabSettings(value bool, flags ...string) map[string]any {
	s := "false"
	if value {
		s = "true"
	}
	cfg := map[string]any{}
	for _, f := range flags {
		cfg[f] = []any{value, s}
	}
	return map[string]any{"PublicAccessBlockConfiguration": cfg}
}

// s3BucketPolicyChangesDetector is CIS 4.8 plus S3 Block Public Access.
// Removing Block Public Access, or turning any of its four settings off,
// is HIGH: it is what lets a bucket policy or ACL make data public.
// Putting the settings with all four on is LOW like the CIS calls.
var s3BucketPolicyChangesDetector = Detector{
	ID:          "s3-bucket-policy-changes",
	Title:       "S3 bucket policy change",
	Description: "S3 bucket policies, ACLs, CORS, lifecycle and replication changed (CIS 4.8); Block Public Access removed or relaxed is HIGH.",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		const src, es = "aws.s3", "s3.amazonaws.com"
		allOn := pabSettings(true, publicAccessBlockFlags...)
		changed := apiCallPattern(src, es, nil, map[string]any{
			"$or": []any{
				map[string]any{"eventName": anyStrings(cisS3BucketPolicyEvents)},
				map[string]any{"eventName": anyStrings(putPublicAccessBlockEvents), "requestParameters": allOn},
			},
		})
		relaxed := []any{map[string]any{"eventName": []any{"DeleteBucketPublicAccessBlock", "DeleteAccountPublicAccessBlock"}}}
		for _, f := range publicAccessBlockFlags {
			relaxed = append(relaxed, map[string]any{
				"eventName":         anyStrings(putPublicAccessBlockEvents),
				"requestParameters": pabSettings(false, f),
			})
		}
		return []Variant{
			{Name: "changed", Severity: severity.Low, Pattern: changed},
			{Name: "public-access-unblocked", Severity: severity.High, Pattern: apiCallPattern(src, es, nil, map[string]any{"$or": relaxed})},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"bucket": "$.detail.requestParameters.bucketName",
		}),
		Title:   "S3 <eventName> on bucket <bucket> in account <account> (<region>)",
		Summary: "Who can reach the data in bucket <bucket> (or, for account-level Block Public Access, in every bucket of account <account>) may have changed.",
		Fields: apiCallFields(
			Field{Label: "Bucket", Value: "<bucket>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/s3/buckets/<bucket>?region=<region>&tab=permissions",
		NextSteps: []string{
			"Open the bucket's Permissions tab: check Block Public Access, the bucket policy and ACLs; IAM Access Analyzer shows whether the bucket is now shared outside the account.",
			confirmCaller,
		},
	},
}
