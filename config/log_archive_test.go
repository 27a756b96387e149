package config

import (
	"slices"
	"strings"
	"testing"
)

func TestLogArchiveAbsentIsNil(t *testing.T) {
	h, err := ParseHub(hubWith(t, nil), allSecret)
	if err != nil {
		t.Fatal(err)
	}
	if h.LogArchive != nil {
		t.Errorf("no logArchive key, got %+v", h.LogArchive)
	}
}

func TestLogArchiveDefaults(t *testing.T) {
	h, err := ParseHub(hubWith(t, func(h obj) { h["logArchive"] = obj{} }), allSecret)
	if err != nil {
		t.Fatal(err)
	}
	a := h.LogArchive
	if a == nil {
		t.Fatal("logArchive: {} gave no archive")
	}
	if a.BucketName != "secalerts-archive-999999999999-us-east-1" || a.TransitionDays != DefaultArchiveTransitionDays ||
		a.ExpirationDays != DefaultArchiveExpirationDays || a.ObjectLock != nil || len(a.Readers) != 0 {
		t.Errorf("defaults: %+v", a)
	}
	if !checkBucketName(&problems{}, "x", a.BucketName) {
		t.Errorf("the default bucket name %q is not a valid bucket name", a.BucketName)
	}
	if got := h.ArchiveAccounts(); !slices.Equal(got, []string{"111111111111"}) {
		t.Errorf("ArchiveAccounts = %v, want the listed account of acme only (globex lists none)", got)
	}
}

func TestLogArchiveSettings(t *testing.T) {
	h, err := ParseHub(hubWith(t, func(h obj) {
		h["logArchive"] = obj{"bucketName": "acme.security-logs", "transitionDays": 0, "expirationDays": "0",
			"objectLock": obj{"mode": "COMPLIANCE", "days": 30}, "readers": []any{"arn:aws:iam::999999999999:role/Auditor"}}
	}), allSecret)
	if err != nil {
		t.Fatal(err)
	}
	a := h.LogArchive
	if a.BucketName != "acme.security-logs" || a.TransitionDays != 0 || a.ExpirationDays != 0 ||
		a.ObjectLock == nil || *a.ObjectLock != (ObjectLock{Mode: ObjectLockCompliance, Days: 30}) ||
		!slices.Equal(a.Readers, []string{"arn:aws:iam::999999999999:role/Auditor"}) {
		t.Errorf("settings: %+v lock %+v", a, a.ObjectLock)
	}
	h, err = ParseHub(hubWith(t, func(h obj) { h["logArchive"] = obj{"objectLock": obj{"days": 7}} }), allSecret)
	if err != nil {
		t.Fatal(err)
	}
	if l := h.LogArchive.ObjectLock; l == nil || l.Mode != ObjectLockGovernance {
		t.Errorf("Object Lock mode default: %+v", l)
	}
}

func TestLogArchiveErrors(t *testing.T) {
	const k = "secalerts:hub.logArchive"
	archive := func(a obj) func(h obj) { return func(h obj) { h["logArchive"] = a } }
	for _, tc := range []struct {
		name string
		edit func(h obj)
		want string
	}{
		{"not an object", func(h obj) { h["logArchive"] = true }, k + ": expected an object with keys bucketName,"},
		{"unknown key", archive(obj{"retentionDays": 3}), k + `.retentionDays: unknown key "retentionDays" (valid keys here: bucketName, transitionDays,`},
		{"upper-case bucket", archive(obj{"bucketName": "Acme-Logs"}), k + `.bucketName: "Acme-Logs" is not a valid S3 bucket name (expected 3-63 lowercase`},
		{"short bucket", archive(obj{"bucketName": "ab"}), k + `.bucketName: "ab" is not a valid S3 bucket name`},
		{"bucket with two dots", archive(obj{"bucketName": "acme..logs"}), k + `.bucketName: "acme..logs" is not a valid S3 bucket name (two adjacent periods`},
		{"bucket like an IP", archive(obj{"bucketName": "192.168.5.4"}), k + `.bucketName: "192.168.5.4" is not a valid S3 bucket name (a bucket name cannot look like an IP address`},
		{"reserved prefix", archive(obj{"bucketName": "xn--logs"}), k + `.bucketName: "xn--logs" is not a valid S3 bucket name (the prefixes xn-- and sthree- are reserved`},
		{"reserved suffix", archive(obj{"bucketName": "logs-s3alias"}), k + `.bucketName: "logs-s3alias" is not a valid S3 bucket name (the suffixes -s3alias`},
		{"bucket not a string", archive(obj{"bucketName": 3}), k + ".bucketName: expected a string, got a number"},
		{"negative transition", archive(obj{"transitionDays": -1}), k + ".transitionDays: -1 is negative (expected a number of days, or 0 to keep objects in S3 Standard)"},
		{"negative expiration", archive(obj{"expirationDays": -5}), k + ".expirationDays: -5 is negative (expected a number of days, or 0 to keep objects forever)"},
		{"transition not a number", archive(obj{"transitionDays": "soon"}), k + `.transitionDays: "soon" is not a whole number`},
		{"expiry before transition", archive(obj{"transitionDays": 90, "expirationDays": 30}), k + ".expirationDays: 30 is not after transitionDays 90"},
		{"expiry on transition", archive(obj{"transitionDays": 90, "expirationDays": 90}), k + ".expirationDays: 90 is not after transitionDays 90"},
		{"object lock not an object", archive(obj{"objectLock": true}), k + ".objectLock: expected an object with keys mode, days"},
		{"object lock unknown key", archive(obj{"objectLock": obj{"days": 1, "years": 1}}), k + `.objectLock.years: unknown key "years"`},
		{"object lock mode", archive(obj{"objectLock": obj{"mode": "governance", "days": 1}}), k + `.objectLock.mode: "governance" is not an Object Lock mode (expected GOVERNANCE, or COMPLIANCE`},
		{"object lock without days", archive(obj{"objectLock": obj{"mode": "GOVERNANCE"}}), k + ".objectLock.days: not set: expected the number of days"},
		{"object lock zero days", archive(obj{"objectLock": obj{"days": 0}}), k + ".objectLock.days: 0 is out of range (expected 1 to 36500 days)"},
		{"object lock too long", archive(obj{"objectLock": obj{"days": 36501}}), k + ".objectLock.days: 36501 is out of range"},
		{"object lock beyond expiry", archive(obj{"expirationDays": 365, "objectLock": obj{"days": 400}}), k + ".objectLock.days: 400 is longer than expirationDays 365"},
		{"hub in an opt-in region", func(h obj) { h["region"] = "af-south-1"; h["logArchive"] = obj{} },
			k + ": the hub region af-south-1 is an opt-in region: GuardDuty in the members' default regions cannot export findings to a bucket there"},
		{"reader not an ARN", archive(obj{"readers": []any{"auditor"}}), k + `.readers[0]: "auditor" is not an IAM principal ARN`},
		{"reader not a string", archive(obj{"readers": []any{obj{}}}), k + ".readers[0]: expected a string, got an object"},
		{"reader in another partition", archive(obj{"readers": []any{"arn:aws-cn:iam::999999999999:role/r"}}), k + `.readers[0]: "arn:aws-cn:iam::999999999999:role/r" is in partition aws-cn, but the hub region is in aws`},
		{"reader twice", archive(obj{"readers": []any{"arn:aws:iam::999999999999:role/r", "arn:aws:iam::999999999999:role/r"}}), k + `.readers[1]: "arn:aws:iam::999999999999:role/r" is listed twice (also at ` + k + ".readers[0])"},
		{"readers not a list", archive(obj{"readers": "arn:aws:iam::999999999999:role/r"}), k + ".readers: expected a list, got a string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseHub(hubWith(t, tc.edit), allSecret)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing\n  %s\ngot\n  %v", tc.want, err)
			}
		})
	}
}
