package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"secalerts/names"
)

const (
	memberA = "222222222222"
	memberB = "333333333333"
	reader  = "arn:aws:iam::111111111111:role/log-reader"
)

func archiveInput() ArchiveInput {
	return ArchiveInput{BucketName: archiveBucket, Accounts: []string{memberA, memberB}, Readers: []string{reader}}
}

func archiveObject(account, path string) string {
	return names.S3BucketARN("aws", archiveBucket) + "/AWSLogs/" + account + "/" + path
}

// trailWrite is CloudTrail delivering a log file for the baseline trail of
// account (home region eu-west-1), as the documented policy expects it.
func trailWrite(account, object string) Request {
	return rq(Caller{Service: svcCloudTrail}, "s3:PutObject", object, ctxOf(
		keySourceArn, "arn:aws:cloudtrail:eu-west-1:"+account+":trail/"+names.Trail,
		keySourceAccount, account, keyS3ACL, aclBucketOwnerFull, keySecureTransport, "true"))
}

func configWrite(account, object string) Request {
	return rq(Caller{Service: svcConfig}, "s3:PutObject", object, ctxOf(
		keySourceAccount, account, keyS3ACL, aclBucketOwnerFull, keySecureTransport, "true"))
}

func guardDutyWrite(account, object string) Request {
	return rq(Caller{Service: svcGuardDuty}, "s3:PutObject", object, ctxOf(
		keySourceAccount, account, keySourceArn, "arn:aws:guardduty:ap-northeast-1:"+account+":detector/12abc34d567e8fa901bc2d34e56789f0",
		keySecureTransport, "true"))
}

func TestArchiveBucketPolicy(t *testing.T) {
	d, err := ArchiveBucketPolicy(hub, archiveInput())
	if err != nil {
		t.Fatal(err)
	}
	bucket := names.S3BucketARN("aws", archiveBucket)
	ctTrail := "CloudTrail/eu-west-1/2024/01/01/x.json.gz"
	insecure := trailWrite(memberA, archiveObject(memberA, ctTrail))
	insecure.Context[keySecureTransport] = "false"
	otherTrail := trailWrite(memberA, archiveObject(memberA, ctTrail))
	otherTrail.Context[keySourceArn] = "arn:aws:cloudtrail:eu-west-1:" + memberA + ":trail/someone-elses"
	noACL := trailWrite(memberA, archiveObject(memberA, ctTrail))
	delete(noACL.Context, keyS3ACL)
	root := Caller{AWS: hub.RootARN()}
	allS3 := Document{Version: Version, Statement: []Statement{{Effect: Allow, Action: []string{"s3:*"}, Resource: []string{"*"}}}}
	tls := ctxOf(keySecureTransport, "true")

	runAllowCases(t, d, []allowCase{
		{"listed account's trail writes its own prefix", trailWrite(memberA, archiveObject(memberA, ctTrail)), true},
		{"listed account's trail writes its digest files", trailWrite(memberA, archiveObject(memberA, "CloudTrail-Digest/eu-west-1/d.json.gz")), true},
		{"listed account's trail writes another account's prefix", trailWrite(memberA, archiveObject(memberB, ctTrail)), false},
		{"listed account's trail writes outside AWSLogs", trailWrite(memberA, bucket+"/"+memberA+"/x"), false},
		{"unlisted account's trail", trailWrite(stranger.ID, archiveObject(stranger.ID, ctTrail)), false},
		{"another trail of a listed account", otherTrail, false},
		{"trail without the bucket-owner-full-control ACL", noACL, false},
		{"trail without TLS", insecure, false},
		{"CloudTrail ACL check for a listed trail", rq(Caller{Service: svcCloudTrail}, "s3:GetBucketAcl", bucket, ctxOf(
			keySourceArn, "arn:aws:cloudtrail:us-east-1:"+memberB+":trail/"+names.Trail, keySecureTransport, "true")), true},
		{"CloudTrail ACL check for an unlisted account", rq(Caller{Service: svcCloudTrail}, "s3:GetBucketAcl", bucket, ctxOf(
			keySourceArn, "arn:aws:cloudtrail:us-east-1:"+stranger.ID+":trail/"+names.Trail, keySecureTransport, "true")), false},

		{"Config delivers to its own prefix", configWrite(memberA, archiveObject(memberA, "Config/eu-west-1/2024/1/1/ConfigHistory/x.json.gz")), true},
		{"Config delivers to another account's prefix", configWrite(memberA, archiveObject(memberB, "Config/x")), false},
		{"Config delivers into the account's CloudTrail logs", configWrite(memberA, archiveObject(memberA, "CloudTrail/x")), false},
		{"Config of an unlisted account", configWrite(stranger.ID, archiveObject(stranger.ID, "Config/x")), false},
		{"Config existence check", rq(Caller{Service: svcConfig}, "s3:ListBucket", bucket, ctxOf(keySourceAccount, memberB, keySecureTransport, "true")), true},
		{"Config existence check for an unlisted account", rq(Caller{Service: svcConfig}, "s3:ListBucket", bucket, ctxOf(keySourceAccount, stranger.ID, keySecureTransport, "true")), false},

		{"GuardDuty exports to its own prefix", guardDutyWrite(memberA, archiveObject(memberA, "GuardDuty/ap-northeast-1/2024/01/01/x.jsonl.gz")), true},
		{"GuardDuty exports to another account's prefix", guardDutyWrite(memberA, archiveObject(memberB, "GuardDuty/x")), false},
		{"GuardDuty exports into the account's CloudTrail logs", guardDutyWrite(memberA, archiveObject(memberA, "CloudTrail/x")), false},
		{"GuardDuty of an unlisted account", guardDutyWrite(stranger.ID, archiveObject(stranger.ID, "GuardDuty/x")), false},
		{"GuardDuty bucket location", rq(Caller{Service: svcGuardDuty}, "s3:GetBucketLocation", bucket, ctxOf(keySourceAccount, memberA,
			keySourceArn, "arn:aws:guardduty:us-east-1:"+memberA+":detector/x", keySecureTransport, "true")), true},

		{"the account root deletes a log object", rq(root, "s3:DeleteObject", archiveObject(memberA, ctTrail), tls, allS3), false},
		{"the account root deletes an object version", rq(root, "s3:DeleteObjectVersion", archiveObject(memberA, ctTrail), tls, allS3), false},
		{"the account root deletes the bucket", rq(root, "s3:DeleteBucket", bucket, tls, allS3), false},
		{"a reader deletes", rq(Caller{AWS: reader}, "s3:DeleteObject", archiveObject(memberA, ctTrail), tls), false},
		{"CloudTrail deletes its own logs", rq(Caller{Service: svcCloudTrail}, "s3:DeleteObject", archiveObject(memberA, ctTrail), ctxOf(
			keySourceArn, "arn:aws:cloudtrail:eu-west-1:"+memberA+":trail/"+names.Trail, keySecureTransport, "true")), false},

		{"a reader reads", rq(Caller{AWS: reader}, "s3:GetObject", archiveObject(memberB, ctTrail), tls), true},
		{"a reader lists", rq(Caller{AWS: reader}, "s3:ListBucket", bucket, tls), true},
		{"a reader writes", rq(Caller{AWS: reader}, "s3:PutObject", archiveObject(memberA, ctTrail), tls), false},
		{"a reader reads without TLS", rq(Caller{AWS: reader}, "s3:GetObject", archiveObject(memberB, ctTrail), ctxOf(keySecureTransport, "false")), false},
		{"a member account reads the archive", rq(Caller{AWS: "arn:aws:iam::" + memberA + ":root"}, "s3:GetObject", archiveObject(memberA, ctTrail), tls, allS3), false},
	})
}

func TestArchiveBucketPolicyWithoutAccountsAdmitsNoService(t *testing.T) {
	d, err := ArchiveBucketPolicy(hub, ArchiveInput{BucketName: archiveBucket})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Statement {
		if s.Effect == Allow && len(s.Principal.Service) > 0 {
			t.Errorf("statement %s admits %v with no account listed", s.Sid, s.Principal.Service)
		}
	}
}

func TestArchiveBucketPolicyErrors(t *testing.T) {
	if _, err := ArchiveBucketPolicy(hub, ArchiveInput{}); err == nil || !strings.Contains(err.Error(), "bucket name is required") {
		t.Errorf("no bucket name: %v", err)
	}
	if _, err := ArchiveBucketPolicy(hub, ArchiveInput{BucketName: archiveBucket, Accounts: []string{"12"}}); err == nil || !strings.Contains(err.Error(), `"12"`) {
		t.Errorf("bad account: %v", err)
	}
}

func TestArchiveBucketPolicySizeLimit(t *testing.T) {
	in := ArchiveInput{BucketName: archiveBucket}
	for i := 0; i < 200; i++ {
		in.Accounts = append(in.Accounts, fmt.Sprintf("%012d", 100000000000+i))
	}
	_, err := ArchiveBucketPolicy(hub, in)
	if !errors.Is(err, ErrArchivePolicyTooLarge) {
		t.Fatalf("200 accounts: want ErrArchivePolicyTooLarge, got %v", err)
	}
	fit := maxArchiveAccounts(hub, in)
	if fit < 10 || fit >= 200 || !strings.Contains(err.Error(), fmt.Sprintf("at most %d accounts fit", fit)) {
		t.Errorf("error %q: want it to name the %d accounts that fit", err, fit)
	}
	t.Logf("%d accounts fit in one archive bucket policy", fit)
	in.Accounts = in.Accounts[:fit]
	if _, err := ArchiveBucketPolicy(hub, in); err != nil {
		t.Errorf("%d accounts should fit: %v", fit, err)
	}
	in.Accounts = append(in.Accounts, "999999999998")
	if _, err := ArchiveBucketPolicy(hub, in); !errors.Is(err, ErrArchivePolicyTooLarge) {
		t.Errorf("%d accounts should not fit: %v", fit+1, err)
	}
}

func TestArchiveKeyPolicy(t *testing.T) {
	in := archiveInput()
	in.Administrators = []string{admin}
	d, err := ArchiveKeyPolicy(hub, in)
	if err != nil {
		t.Fatal(err)
	}
	key := "arn:aws:kms:us-east-1:111111111111:key/k"
	trail := func(account string) string {
		return "arn:aws:cloudtrail:eu-west-1:" + account + ":trail/" + names.Trail
	}
	ct := Caller{Service: svcCloudTrail}
	s3Reads := ctxOf(keyViaService, "s3.us-east-1.amazonaws.com")
	runAllowCases(t, d, []allowCase{
		{"listed trail encrypts", rq(ct, "kms:GenerateDataKey", key, ctxOf(ctxCloudTrail, trail(memberA), keySourceArn, trail(memberA))), true},
		{"listed trail describes the key", rq(ct, "kms:DescribeKey", key, ctxOf(keySourceArn, trail(memberA))), true},
		{"unlisted trail encrypts", rq(ct, "kms:GenerateDataKey", key, ctxOf(ctxCloudTrail, trail(stranger.ID), keySourceArn, trail(stranger.ID))), false},
		{"trail encrypts under another account's context", rq(ct, "kms:GenerateDataKey", key, ctxOf(ctxCloudTrail, trail(stranger.ID), keySourceArn, trail(memberA))), false},
		{"CloudTrail may not decrypt", rq(ct, "kms:Decrypt", key, ctxOf(ctxCloudTrail, trail(memberA), keySourceArn, trail(memberA))), false},
		{"Config of a listed account", rq(Caller{Service: svcConfig}, "kms:GenerateDataKey", key, ctxOf(keySourceAccount, memberB)), true},
		{"Config of an unlisted account", rq(Caller{Service: svcConfig}, "kms:GenerateDataKey", key, ctxOf(keySourceAccount, stranger.ID)), false},
		{"GuardDuty of a listed account", rq(Caller{Service: svcGuardDuty}, "kms:GenerateDataKey", key, ctxOf(keySourceAccount, memberA,
			keySourceArn, "arn:aws:guardduty:eu-west-1:"+memberA+":detector/d")), true},
		{"GuardDuty with another account's detector", rq(Caller{Service: svcGuardDuty}, "kms:GenerateDataKey", key, ctxOf(keySourceAccount, memberA,
			keySourceArn, "arn:aws:guardduty:eu-west-1:"+stranger.ID+":detector/d")), false},
		{"reader decrypts through S3", rq(Caller{AWS: reader}, "kms:Decrypt", key, s3Reads), true},
		{"reader decrypts directly", rq(Caller{AWS: reader}, "kms:Decrypt", key, nil), false},
		{"reader decrypts through S3 of another region", rq(Caller{AWS: reader}, "kms:Decrypt", key, ctxOf(keyViaService, "s3.eu-west-1.amazonaws.com")), false},
		{"reader encrypts", rq(Caller{AWS: reader}, "kms:GenerateDataKey", key, s3Reads), false},
		{"administrator schedules deletion", rq(Caller{AWS: admin}, "kms:ScheduleKeyDeletion", key, nil), true},
		{"administrator decrypts", rq(Caller{AWS: admin}, "kms:Decrypt", key, s3Reads), false},
	})
}

func TestArchiveKeyPolicyViaServiceInChina(t *testing.T) {
	cn := names.Account{Partition: "aws-cn", Region: "cn-north-1", ID: hub.ID}
	d, err := ArchiveKeyPolicy(cn, ArchiveInput{BucketName: archiveBucket, Readers: []string{"arn:aws-cn:iam::111111111111:role/r"}})
	if err != nil {
		t.Fatal(err)
	}
	if !Allowed(d, rq(Caller{AWS: "arn:aws-cn:iam::111111111111:role/r"}, "kms:Decrypt", "*", ctxOf(keyViaService, "s3.cn-north-1.amazonaws.com.cn"))) {
		t.Error("a reader in aws-cn cannot decrypt through S3's aws-cn endpoint")
	}
}

func TestConfigRecorderTrustPolicy(t *testing.T) {
	d := ConfigRecorderTrustPolicy(hub)
	role := "arn:aws:iam::111111111111:role/secalerts-config"
	runAllowCases(t, d, []allowCase{
		{"Config of the account", rq(Caller{Service: svcConfig}, "sts:AssumeRole", role, ctxOf(keySourceAccount, hub.ID)), true},
		{"Config of another account", rq(Caller{Service: svcConfig}, "sts:AssumeRole", role, ctxOf(keySourceAccount, stranger.ID)), false},
		{"another service", rq(Caller{Service: svcCloudTrail}, "sts:AssumeRole", role, ctxOf(keySourceAccount, hub.ID)), false},
	})
}
