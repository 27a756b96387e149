package config

import (
	"strings"
	"testing"
)

const (
	testArchiveBucket = "secalerts-archive-999999999999-us-east-1"
	testArchiveKey    = "arn:aws:kms:us-east-1:999999999999:key/0a1b2c3d-0000-4000-8000-000000000001"
)

// withBaseline sets baseline to b on the member.
func withBaseline(b obj) func(m obj) { return func(m obj) { m["baseline"] = b } }

func explicitArchive(extra obj) obj {
	b := obj{"archiveBucket": testArchiveBucket, "archiveKeyArn": testArchiveKey}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func TestBaselineDefaults(t *testing.T) {
	useDetectors(t, testDetectors...)
	m, err := ParseMember(memberWith(t, withBaseline(explicitArchive(nil))))
	if err != nil {
		t.Fatal(err)
	}
	want := Baseline{ArchiveBucket: testArchiveBucket, ArchiveKeyARN: testArchiveKey, GlobalRegion: DefaultHomeRegion,
		CloudTrail: true, Config: true, GuardDuty: true, CloudTrailRule: RuleMultiRegionCloudTrail}
	if m.Baseline == nil || *m.Baseline != want {
		t.Errorf("defaults: %+v, want %+v", m.Baseline, want)
	}

	m, err = ParseMember(memberWith(t, func(m obj) {
		m["homeRegion"] = "eu-west-1"
		m["regions"] = []any{"us-east-1", "eu-west-1"}
		viaStack(m)
		m["baseline"] = obj{"securityHub": true, "accessAnalyzer": "true", "cloudTrailRule": "cloudtrail-enabled"}
	}))
	if err != nil {
		t.Fatal(err)
	}
	b := m.Baseline
	if b.GlobalRegion != "eu-west-1" || b.ArchiveBucket != "" || !b.SecurityHub || !b.AccessAnalyzer || b.CloudTrailRule != RuleCloudTrailEnabled {
		t.Errorf("hub stack, home eu-west-1: %+v", b)
	}

	m, err = ParseMember(memberWith(t, nil))
	if err != nil || m.Baseline != nil {
		t.Errorf("no baseline key: %+v, %v", m.Baseline, err)
	}
}

// Security Hub and Access Analyzer write to no archive, so they need none.
func TestBaselineWithoutArchiveSources(t *testing.T) {
	useDetectors(t, testDetectors...)
	m, err := ParseMember(memberWith(t, withBaseline(obj{"cloudTrail": false, "config": false, "guardDuty": false, "securityHub": true})))
	if err != nil {
		t.Fatal(err)
	}
	if b := m.Baseline; b.CloudTrail || b.Config || b.GuardDuty || !b.SecurityHub || b.AccessAnalyzer {
		t.Errorf("switches: %+v", b)
	}
}

func TestBaselineErrors(t *testing.T) {
	useDetectors(t, testDetectors...)
	const k = "secalerts:member.baseline"
	for _, tc := range []struct {
		name string
		edit func(m obj)
		want string
	}{
		{"null is absent", withBaseline(nil), ""},
		{"a list", func(m obj) { m["baseline"] = []any{} }, k + ": expected an object with keys archiveBucket,"},
		{"unknown key", withBaseline(explicitArchive(obj{"trail": true})), k + `.trail: unknown key "trail" (valid keys here: archiveBucket, archiveKeyArn,`},
		{"everything off", withBaseline(explicitArchive(obj{"cloudTrail": false, "config": false, "guardDuty": false})),
			k + ": every source is switched off"},
		{"switch not a boolean", withBaseline(explicitArchive(obj{"guardDuty": "yes"})), k + `.guardDuty: "yes" is not a boolean`},
		{"no archive and no hub stack", withBaseline(obj{}), k + ".archiveBucket: not set: cloudTrail, config and guardDuty deliver to the hub's log archive"},
		{"bucket without key", withBaseline(obj{"archiveBucket": testArchiveBucket}), k + `.archiveKeyArn: not set: archiveBucket "` + testArchiveBucket + `" needs archiveKeyArn`},
		{"key without bucket", withBaseline(obj{"archiveKeyArn": testArchiveKey}), k + ".archiveBucket: not set: archiveKeyArn needs archiveBucket"},
		{"bad bucket", withBaseline(obj{"archiveBucket": "Logs_Bucket", "archiveKeyArn": testArchiveKey}), k + `.archiveBucket: "Logs_Bucket" is not a valid S3 bucket name`},
		{"key alias", withBaseline(obj{"archiveBucket": testArchiveBucket, "archiveKeyArn": "arn:aws:kms:us-east-1:999999999999:alias/secalerts-archive"}),
			k + `.archiveKeyArn: "arn:aws:kms:us-east-1:999999999999:alias/secalerts-archive" is not a KMS key ARN (expected arn:aws:kms:<region>:<12-digit hub account>:key/<key id>`},
		{"key in an unknown region", withBaseline(obj{"archiveBucket": testArchiveBucket, "archiveKeyArn": strings.Replace(testArchiveKey, "us-east-1", "us-east-9", 1)}),
			k + `.archiveKeyArn: "` + strings.Replace(testArchiveKey, "us-east-1", "us-east-9", 1) + `" names region "us-east-9", which is not a known AWS region`},
		{"key partition does not match its region", withBaseline(obj{"archiveBucket": testArchiveBucket, "archiveKeyArn": strings.Replace(testArchiveKey, "arn:aws:", "arn:aws-cn:", 1)}),
			"names partition aws-cn, but region us-east-1 is in aws"},
		{"key in another partition than the member", withBaseline(obj{"archiveBucket": testArchiveBucket,
			"archiveKeyArn": "arn:aws-cn:kms:cn-north-1:999999999999:key/0a1b2c3d-0000-4000-8000-000000000001"}),
			"is in partition aws-cn, but homeRegion us-east-1 is in aws: logs cannot cross partitions"},
		{"unknown global region", withBaseline(explicitArchive(obj{"globalRegion": "us-north-1"})), k + `.globalRegion: "us-north-1" is not a known AWS region`},
		{"global region in another partition", withBaseline(explicitArchive(obj{"globalRegion": "cn-north-1"})),
			k + `.globalRegion: "cn-north-1" is in partition aws-cn, but homeRegion us-east-1 is in aws`},
		{"global region not covered", func(m obj) {
			m["regions"] = []any{"us-east-1", "eu-west-1"}
			m["baseline"] = explicitArchive(obj{"globalRegion": "ap-northeast-1"})
		}, k + `.globalRegion: "ap-northeast-1" is not one of this stack's regions (us-east-1, eu-west-1)`},
		{"default global region not covered", func(m obj) {
			m["homeRegion"] = "eu-west-1"
			m["regions"] = []any{"us-east-1", "ap-northeast-1"}
			m["baseline"] = explicitArchive(nil)
		}, k + ".globalRegion: not set, and its default, homeRegion eu-west-1, is not one of this stack's regions (us-east-1, ap-northeast-1)"},
		{"global region cannot record IAM", func(m obj) {
			m["regions"] = []any{"us-east-1", "eu-central-2"}
			m["baseline"] = explicitArchive(obj{"globalRegion": "eu-central-2"})
		}, k + `.globalRegion: "eu-central-2" is a region where AWS Config cannot record the global IAM resource types`},
		{"home region cannot record IAM", func(m obj) {
			m["homeRegion"] = "me-central-1"
			m["regions"] = []any{"me-central-1", "eu-west-1"}
			m["baseline"] = explicitArchive(nil)
		}, k + `.globalRegion: "me-central-1" is a region where AWS Config cannot record the global IAM resource types`},
		{"global region without IAM is fine without Config", func(m obj) {
			m["regions"] = []any{"us-east-1", "eu-central-2"}
			m["baseline"] = explicitArchive(obj{"globalRegion": "eu-central-2", "config": false})
		}, ""},
		{"cloudtrail rule", withBaseline(explicitArchive(obj{"cloudTrailRule": "cloudtrail-on"})),
			k + `.cloudTrailRule: "cloudtrail-on" is not a CloudTrail rule the baseline deploys (expected multi-region-cloudtrail-enabled`},
		{"config detector off", func(m obj) {
			m["detectors"] = obj{"config-compliance": obj{"enabled": false}}
			m["baseline"] = explicitArchive(nil)
		}, k + ".config: the baseline's Config rules would alert nobody: secalerts:member.detectors.config-compliance.enabled is false"},
		{"rule left out of ruleNames", func(m obj) {
			m["detectors"] = obj{"config-compliance": obj{"ruleNames": []any{"guardduty-enabled-centralized", "cloudtrail-enabled"}}}
			m["baseline"] = explicitArchive(nil)
		}, k + ".config: the baseline deploys Config rule multi-region-cloudtrail-enabled, but secalerts:member.detectors.config-compliance.ruleNames leaves it out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMember(memberWith(t, tc.edit))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("want no error, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing\n  %s\ngot\n  %v", tc.want, err)
			}
		})
	}
}

// With config off, the detector settings do not matter to the baseline.
func TestBaselineRuleNamesOnlyMatterWithConfig(t *testing.T) {
	useDetectors(t, testDetectors...)
	_, err := ParseMember(memberWith(t, func(m obj) {
		m["detectors"] = obj{"config-compliance": obj{"enabled": false}}
		m["baseline"] = explicitArchive(obj{"config": false})
	}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseMember(memberWith(t, func(m obj) {
		m["detectors"] = obj{"config-compliance": obj{"ruleNames": []any{"guardduty-enabled-centralized", "cloudtrail-enabled"}}}
		m["baseline"] = explicitArchive(obj{"cloudTrailRule": "cloudtrail-enabled"})
	}))
	if err != nil {
		t.Errorf("ruleNames listing both deployed rules: %v", err)
	}
}
