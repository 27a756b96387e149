package stack_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"secalerts/config"
	"secalerts/internal/stacktest"
	"secalerts/names"
	"secalerts/policy"
	"secalerts/preview"
)

// The archive examples: Pulumi.hub-archive.yaml owns the log archive and
// Pulumi.member-baseline.yaml (account 222222222222 of acme) delivers to it,
// reading the archive from the hub stack's outputs.
const (
	archiveBucket   = "secalerts-archive-999999999999-us-east-1"
	baselineAccount = "222222222222"
	hubArchiveStack = "example-org/secalerts/hub-archive"
)

// hubArchiveOutputs are the hub stack outputs a member's StackReference
// reads, taken from what the hub example registered.
func hubArchiveOutputs(t *testing.T, objectLock bool) map[string]any {
	t.Helper()
	rs := stacktest.Preview(t, stacktest.HubArchiveFile)
	out := map[string]any{"logArchiveObjectLock": objectLock}
	buses := map[string]any{}
	for customer, arn := range stacktest.HubPlan(t, stacktest.Path(t, stacktest.HubArchiveFile)).BusARNs() {
		buses[customer] = arn
	}
	for _, r := range rs {
		switch {
		case r.Type == "aws:s3/bucketV2:BucketV2":
			out["logArchiveBucket"] = stacktest.Str(r.Inputs["bucket"])
		case r.Type == "aws:kms/key:Key" && strings.Contains(stacktest.Str(r.Inputs["description"]), "log archive"):
			out["logArchiveKeyArn"] = stacktest.Str(r.Outputs["arn"])
		}
	}
	out["busArns"] = buses
	if out["logArchiveBucket"] == nil || out["logArchiveKeyArn"] == nil {
		t.Fatalf("the hub archive example registered no archive bucket or key: %v", out)
	}
	return out
}

func runWithHub(t *testing.T, path string, objectLock bool) ([]preview.Resource, error) {
	t.Helper()
	opts := stacktest.Options()
	opts.StackOutputs = map[string]map[string]any{hubArchiveStack: hubArchiveOutputs(t, objectLock)}
	return stacktest.Run(t, path, opts)
}

var (
	baselineOnce sync.Once
	baselineRes  []preview.Resource
	baselineErr  error
)

// memberBaseline is the preview of the baseline example against the hub
// archive example's outputs, once per test binary.
func memberBaseline(t *testing.T) []preview.Resource {
	baselineOnce.Do(func() {
		baselineRes, baselineErr = runWithHub(t, stacktest.Path(t, stacktest.MemberBaselineFile), false)
	})
	if baselineErr != nil {
		t.Fatal(baselineErr)
	}
	return baselineRes
}

func TestArchiveExamplesUseExplicitRegionalProviders(t *testing.T) {
	for name, rs := range map[string][]preview.Resource{"hub-archive": stacktest.Preview(t, stacktest.HubArchiveFile), "member-baseline": memberBaseline(t)} {
		for _, r := range rs {
			if r.Custom && !strings.HasPrefix(r.Type, "pulumi:") && (r.Provider == "" || r.Region == "") {
				t.Errorf("%s: %s %s has no explicit provider", name, r.Type, r.Name)
			}
		}
	}
	for _, r := range stacktest.Preview(t, stacktest.HubArchiveFile) {
		if r.Custom && r.Region != "" && (r.Region != "us-east-1" || r.Account != hubAccount) {
			t.Errorf("hub archive resource %s in %s/%s", r.Name, r.Account, r.Region)
		}
	}
	for _, r := range memberBaseline(t) {
		if r.Custom && r.Region != "" && r.Account != baselineAccount {
			t.Errorf("member baseline resource %s in account %s", r.Name, r.Account)
		}
	}
}

// The plain examples keep their shape: the archive and the baseline are
// only made when configured.
func TestNoArchiveOrBaselineUnlessConfigured(t *testing.T) {
	for name, rs := range map[string][]preview.Resource{"hub": stacktest.Preview(t, stacktest.HubFile), "member": stacktest.Preview(t, stacktest.MemberFile)} {
		for _, r := range rs {
			if strings.HasPrefix(r.Type, "aws:s3/") || strings.HasPrefix(r.Type, "aws:cloudtrail/") || strings.HasPrefix(r.Type, "aws:cfg/") ||
				strings.HasPrefix(r.Type, "aws:guardduty/") || r.Type == "secalerts:index:LogArchive" || r.Type == "secalerts:index:SecurityBaseline" {
				t.Errorf("%s example: %s %s without logArchive or baseline", name, r.Type, r.Name)
			}
		}
	}
}

func TestHubArchiveBucketSettings(t *testing.T) {
	rs := stacktest.Preview(t, stacktest.HubArchiveFile)
	b := stacktest.One(t, rs, "aws:s3/bucketV2:BucketV2")
	if stacktest.Str(b.Inputs["bucket"]) != archiveBucket || b.Inputs["objectLockEnabled"] != false {
		t.Errorf("bucket %v, object lock %v", b.Inputs["bucket"], b.Inputs["objectLockEnabled"])
	}
	if !strings.Contains(b.Parent, "secalerts:index:LogArchive") {
		t.Errorf("bucket parent %s, want the LogArchive component", b.Parent)
	}
	var archiveKey string
	for _, k := range stacktest.OfType(rs, "aws:kms/key:Key") {
		if strings.Contains(stacktest.Str(k.Inputs["description"]), "log archive") {
			archiveKey = stacktest.Str(k.Outputs["arn"])
			if k.Inputs["enableKeyRotation"] != true {
				t.Errorf("archive key without rotation")
			}
		}
	}
	if archiveKey == "" {
		t.Fatal("no archive key")
	}
	own := stacktest.One(t, rs, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
	if rule, _ := own.Inputs["rule"].(map[string]any); stacktest.Str(rule["objectOwnership"]) != "BucketOwnerEnforced" {
		t.Errorf("ownership %v", own.Inputs["rule"])
	}
	pab := stacktest.One(t, rs, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		if pab.Inputs[k] != true {
			t.Errorf("public access block %s = %v", k, pab.Inputs[k])
		}
	}
	ver := stacktest.One(t, rs, "aws:s3/bucketVersioningV2:BucketVersioningV2")
	if vc, _ := ver.Inputs["versioningConfiguration"].(map[string]any); stacktest.Str(vc["status"]) != "Enabled" {
		t.Errorf("versioning %v", ver.Inputs["versioningConfiguration"])
	}
	sse := stacktest.One(t, rs, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
	rules, _ := sse.Inputs["rules"].([]any)
	if len(rules) != 1 {
		t.Fatalf("encryption rules %v", sse.Inputs["rules"])
	}
	def, _ := rules[0].(map[string]any)["applyServerSideEncryptionByDefault"].(map[string]any)
	if stacktest.Str(def["sseAlgorithm"]) != "aws:kms" || stacktest.Str(def["kmsMasterKeyId"]) != archiveKey {
		t.Errorf("default encryption %v, want aws:kms with %s", def, archiveKey)
	}
	lc := stacktest.One(t, rs, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2")
	lrules, _ := lc.Inputs["rules"].([]any)
	r, _ := lrules[0].(map[string]any)
	tr, _ := r["transitions"].([]any)
	exp, _ := r["expiration"].(map[string]any)
	if len(lrules) != 1 || len(tr) != 1 || tr[0].(map[string]any)["days"] != float64(90) || exp["days"] != float64(730) {
		t.Errorf("lifecycle %v, want transition after 90 days and expiry after 730", lc.Inputs["rules"])
	}
	if len(stacktest.OfType(rs, "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2")) != 0 {
		t.Error("object lock configured although the example leaves it off")
	}
}

func TestHubArchiveBucketPolicy(t *testing.T) {
	bp := stacktest.One(t, stacktest.Preview(t, stacktest.HubArchiveFile), "aws:s3/bucketPolicy:BucketPolicy")
	d := doc(t, bp.Inputs["policy"])
	bucket := names.S3BucketARN("aws", archiveBucket)
	object := func(account, path string) string { return bucket + "/AWSLogs/" + account + "/" + path }
	trail := func(account, obj string) bool {
		return policy.Allowed(d, policy.Request{Principal: policy.Caller{Service: "cloudtrail.amazonaws.com"}, Action: "s3:PutObject", Resource: obj,
			Context: map[string]string{"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:" + account + ":trail/" + names.Trail,
				"aws:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control", "aws:SecureTransport": "true"}})
	}
	for _, a := range []string{"111111111111", "222222222222", "333333333333"} {
		if !trail(a, object(a, "CloudTrail/us-east-1/x.json.gz")) {
			t.Errorf("the trail of listed account %s cannot write its own prefix", a)
		}
	}
	if trail("111111111111", object("222222222222", "CloudTrail/x")) {
		t.Error("account 111111111111's trail can write account 222222222222's prefix")
	}
	if trail(stranger, object(stranger, "CloudTrail/x")) {
		t.Error("an unlisted account's trail can write")
	}
	allS3 := policy.Document{Version: policy.Version, Statement: []policy.Statement{{Effect: policy.Allow, Action: []string{"s3:*"}, Resource: []string{"*"}}}}
	for _, action := range []string{"s3:DeleteObject", "s3:DeleteObjectVersion"} {
		if policy.Allowed(d, policy.Request{Principal: policy.Caller{AWS: "arn:aws:iam::999999999999:role/SecurityAdmin", Account: hubAccount},
			Action: action, Resource: object("111111111111", "CloudTrail/x"), Context: map[string]string{"aws:SecureTransport": "true"},
			IdentityPolicies: []policy.Document{allS3}}) {
			t.Errorf("a hub administrator can %s", action)
		}
	}
	if !policy.Allowed(d, policy.Request{Principal: policy.Caller{AWS: "arn:aws:iam::999999999999:role/SecurityAuditor"}, Action: "s3:GetObject",
		Resource: object("333333333333", "Config/x"), Context: map[string]string{"aws:SecureTransport": "true"}}) {
		t.Error("the configured reader cannot read")
	}
}

func TestHubArchiveObjectLock(t *testing.T) {
	body := "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: hub\n  secalerts:hub:\n" +
		"    accountId: \"999999999999\"\n    region: us-east-1\n    alarmEmails: [ops@example.com]\n" +
		"    logArchive: {objectLock: {mode: COMPLIANCE, days: 30}}\n" +
		"    customers:\n      - name: acme\n        accounts: [\"111111111111\"]\n        emails: [a@example.com]\n"
	rs, err := stacktest.RunStack(t, (body))
	if err != nil {
		t.Fatal(err)
	}
	if b := stacktest.One(t, rs, "aws:s3/bucketV2:BucketV2"); b.Inputs["objectLockEnabled"] != true {
		t.Errorf("bucket objectLockEnabled %v", b.Inputs["objectLockEnabled"])
	}
	lock := stacktest.One(t, rs, "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2")
	rule, _ := lock.Inputs["rule"].(map[string]any)
	ret, _ := rule["defaultRetention"].(map[string]any)
	if stacktest.Str(ret["mode"]) != "COMPLIANCE" || ret["days"] != float64(30) {
		t.Errorf("default retention %v", ret)
	}
	// The configuration itself enables Object Lock, so an archive that
	// switches it on after its bucket was made is locked without a new
	// bucket.
	if stacktest.Str(lock.Inputs["objectLockEnabled"]) != "Enabled" {
		t.Errorf("object lock configuration objectLockEnabled %v, want Enabled", lock.Inputs["objectLockEnabled"])
	}
}

func TestHubArchivePolicySizeIsCheckedBeforeAnyResource(t *testing.T) {
	rs, err := stacktest.RunStack(t, (hubWithAccounts(60, "    logArchive: {}\n")))
	if err == nil || !strings.Contains(err.Error(), "secalerts:hub.logArchive") || !strings.Contains(err.Error(), "accounts fit") {
		t.Fatalf("want a bucket policy size error naming secalerts:hub.logArchive, got %v", err)
	}
	if len(rs) != 0 {
		t.Errorf("%d resources registered before the error", len(rs))
	}
}

func TestHubArchiveKeyAdmitsOnlyListedTrails(t *testing.T) {
	var key preview.Resource
	for _, k := range stacktest.OfType(stacktest.Preview(t, stacktest.HubArchiveFile), "aws:kms/key:Key") {
		if strings.Contains(stacktest.Str(k.Inputs["description"]), "log archive") {
			key = k
		}
	}
	d := doc(t, key.Inputs["policy"])
	encrypt := func(account string) bool {
		trail := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/" + names.Trail
		return policy.Allowed(d, policy.Request{Principal: policy.Caller{Service: "cloudtrail.amazonaws.com"}, Action: "kms:GenerateDataKey",
			Resource: stacktest.Str(key.Outputs["arn"]), Context: map[string]string{"kms:EncryptionContext:aws:cloudtrail:arn": trail, "aws:SourceArn": trail}})
	}
	if !encrypt(baselineAccount) || encrypt(stranger) {
		t.Errorf("trail encryption: listed account %v, stranger %v", encrypt(baselineAccount), encrypt(stranger))
	}
}

func TestMemberBaselineTrailRecordsGlobalEventsOnce(t *testing.T) {
	rs := memberBaseline(t)
	out := hubArchiveOutputs(t, false)
	tr := stacktest.One(t, rs, "aws:cloudtrail/trail:Trail")
	if tr.Region != "us-east-1" || stacktest.Str(tr.Inputs["name"]) != names.Trail ||
		tr.Inputs["isMultiRegionTrail"] != true || tr.Inputs["includeGlobalServiceEvents"] != true || tr.Inputs["enableLogFileValidation"] != true {
		t.Errorf("trail in %s: %v", tr.Region, tr.Inputs)
	}
	if tr.Inputs["s3BucketName"] != out["logArchiveBucket"] || tr.Inputs["kmsKeyId"] != out["logArchiveKeyArn"] {
		t.Errorf("trail delivers to %v with key %v, want the hub's archive %v and key %v",
			tr.Inputs["s3BucketName"], tr.Inputs["kmsKeyId"], out["logArchiveBucket"], out["logArchiveKeyArn"])
	}
}

func TestMemberBaselineConfigInEveryRegionGlobalResourcesOnce(t *testing.T) {
	rs := memberBaseline(t)
	out := hubArchiveOutputs(t, false)
	regions := config.DefaultRegions()
	recorders := map[string]int{}
	var global []string
	for _, r := range stacktest.OfType(rs, "aws:cfg/recorder:Recorder") {
		recorders[r.Region]++
		g, _ := r.Inputs["recordingGroup"].(map[string]any)
		if g["allSupported"] != true {
			t.Errorf("recorder in %s does not record all supported resources", r.Region)
		}
		if g["includeGlobalResourceTypes"] == true {
			global = append(global, r.Region)
		}
	}
	if !slices.Equal(global, []string{"us-east-1"}) {
		t.Errorf("global resource types recorded in %v, want exactly us-east-1", global)
	}
	channels := map[string]int{}
	for _, c := range stacktest.OfType(rs, "aws:cfg/deliveryChannel:DeliveryChannel") {
		channels[c.Region]++
		if c.Inputs["s3BucketName"] != out["logArchiveBucket"] || c.Inputs["s3KmsKeyArn"] != out["logArchiveKeyArn"] {
			t.Errorf("delivery channel in %s: %v", c.Region, c.Inputs)
		}
	}
	statuses := map[string]int{}
	for _, s := range stacktest.OfType(rs, "aws:cfg/recorderStatus:RecorderStatus") {
		if s.Inputs["isEnabled"] == true {
			statuses[s.Region]++
		}
	}
	rules := map[string][]string{}
	for _, r := range stacktest.OfType(rs, "aws:cfg/rule:Rule") {
		rules[stacktest.Str(r.Inputs["name"])] = append(rules[stacktest.Str(r.Inputs["name"])], r.Region)
	}
	for _, r := range regions {
		if recorders[r] != 1 || channels[r] != 1 || statuses[r] != 1 {
			t.Errorf("region %s: %d recorders, %d delivery channels, %d started recorders; want one each", r, recorders[r], channels[r], statuses[r])
		}
	}
	if len(recorders) != len(regions) {
		t.Errorf("recorders in %d regions, want %d", len(recorders), len(regions))
	}
	if got := rules[config.RuleGuardDutyEnabled]; len(got) != len(regions) {
		t.Errorf("%s in %d regions, want every one of %d", config.RuleGuardDutyEnabled, len(got), len(regions))
	}
	if got := rules[config.RuleMultiRegionCloudTrail]; !slices.Equal(got, []string{"us-east-1"}) {
		t.Errorf("%s in %v, want us-east-1 only", config.RuleMultiRegionCloudTrail, got)
	}
	var role preview.Resource
	for _, r := range stacktest.OfType(rs, "aws:iam/role:Role") {
		if stacktest.Str(r.Inputs["name"]) == "secalerts-config" {
			role = r
		}
	}
	if role.Region != "us-east-1" {
		t.Fatalf("Config role in %q, want the home region us-east-1", role.Region)
	}
	trust := doc(t, role.Inputs["assumeRolePolicy"])
	assume := func(account string) bool {
		return policy.Allowed(trust, policy.Request{Principal: policy.Caller{Service: "config.amazonaws.com"}, Action: "sts:AssumeRole",
			Context: map[string]string{"aws:SourceAccount": account}})
	}
	if !assume(baselineAccount) || assume(stranger) {
		t.Errorf("Config role trust: own account %v, stranger %v", assume(baselineAccount), assume(stranger))
	}
}

func TestMemberBaselineGuardDutySecurityHubAccessAnalyzerPerRegion(t *testing.T) {
	rs := memberBaseline(t)
	out := hubArchiveOutputs(t, false)
	count := func(typ string) map[string]int {
		m := map[string]int{}
		for _, r := range stacktest.OfType(rs, typ) {
			m[r.Region]++
		}
		return m
	}
	detectors := count("aws:guardduty/detector:Detector")
	hubs := count("aws:securityhub/account:Account")
	analyzers := count("aws:accessanalyzer/analyzer:Analyzer")
	for _, d := range stacktest.OfType(rs, "aws:guardduty/publishingDestination:PublishingDestination") {
		if stacktest.Str(d.Inputs["destinationArn"]) != names.S3BucketARN("aws", stacktest.Str(out["logArchiveBucket"])) || d.Inputs["kmsKeyArn"] != out["logArchiveKeyArn"] {
			t.Errorf("GuardDuty in %s publishes to %v with key %v", d.Region, d.Inputs["destinationArn"], d.Inputs["kmsKeyArn"])
		}
	}
	destinations := count("aws:guardduty/publishingDestination:PublishingDestination")
	for _, r := range config.DefaultRegions() {
		if detectors[r] != 1 || destinations[r] != 1 || hubs[r] != 1 || analyzers[r] != 1 {
			t.Errorf("region %s: %d detectors, %d destinations, %d Security Hub, %d analyzers; want one each",
				r, detectors[r], destinations[r], hubs[r], analyzers[r])
		}
	}
}

func TestMemberBaselineWithExplicitArchiveAndSourcesOff(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:999999999999:key/0a1b2c3d-0000-4000-8000-000000000001"
	body := "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: member\n  secalerts:member:\n" +
		"    accountId: \"111111111111\"\n    hubEventBusArn: " + hubBusAcme + "\n    regions: [us-east-1, eu-west-1]\n" +
		"    baseline: {archiveBucket: " + archiveBucket + ", archiveKeyArn: \"" + key + "\", config: false, guardDuty: false}\n"
	rs, err := stacktest.RunStack(t, (body))
	if err != nil {
		t.Fatal(err)
	}
	tr := stacktest.One(t, rs, "aws:cloudtrail/trail:Trail")
	if stacktest.Str(tr.Inputs["s3BucketName"]) != archiveBucket || stacktest.Str(tr.Inputs["kmsKeyId"]) != key {
		t.Errorf("trail %v", tr.Inputs)
	}
	for _, typ := range []string{"aws:cfg/recorder:Recorder", "aws:guardduty/detector:Detector", "aws:securityhub/account:Account"} {
		if n := len(stacktest.OfType(rs, typ)); n != 0 {
			t.Errorf("%d %s although switched off", n, typ)
		}
	}
}

func TestMemberBaselineRefusesConfigToALockedArchive(t *testing.T) {
	_, err := runWithHub(t, stacktest.Path(t, stacktest.MemberBaselineFile), true)
	if err == nil || !strings.Contains(err.Error(), "Object Lock") || !strings.Contains(err.Error(), "secalerts:member.baseline.config") {
		t.Fatalf("want an error about Config and the locked archive, got %v", err)
	}
}

func TestMemberBaselineErrorsCreateNothing(t *testing.T) {
	head := "config:\n  pulumi:disable-default-providers: [aws]\n  secalerts:role: member\n  secalerts:member:\n    accountId: \"111111111111\"\n    hubEventBusArn: " + hubBusAcme + "\n"
	for _, tc := range []struct{ name, body, want string }{
		{"no archive", head + "    baseline: {}\n", "secalerts:member.baseline.archiveBucket: not set"},
		{"global region not covered", head + "    regions: [us-east-1]\n    baseline: {securityHub: true, cloudTrail: false, config: false, guardDuty: false, globalRegion: eu-west-1}\n",
			"secalerts:member.baseline.globalRegion"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := stacktest.RunStack(t, (tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
			if len(rs) != 0 {
				t.Errorf("%d resources registered before the error", len(rs))
			}
		})
	}
}
