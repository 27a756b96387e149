package detectors

import (
	"encoding/json"
	"reflect"
	"testing"

	"secalerts/severity"
)

// TestPipelineDetectorsLeaveDeployersAlone: the deployers' calls alert from
// the pipeline detectors only while the member names no deployers (every
// pulumi up would page), and a role that merely looks like a deployer
// alerts either way.
func TestPipelineDetectorsLeaveDeployersAlone(t *testing.T) {
	samples := map[string][]byte{}
	for _, id := range []string{"pipeline-changes", "pipeline-role-changes"} {
		for name, ev := range sampleEvents(t, id) {
			samples[id+"/"+name] = ev
		}
	}
	for _, tc := range []struct {
		file       string
		byDeployer bool
	}{
		{"pipeline-changes/none--put-secalerts-rule-by-deployer.json", true},
		{"pipeline-changes/none--put-targets-by-sso-deployer.json", true},
		{"pipeline-role-changes/none--delete-forward-role-policy-by-sso-deployer.json", true},
		{"pipeline-changes/CRITICAL--put-secalerts-rule-by-admin.json", false},
		{"pipeline-changes/CRITICAL--delete-secalerts-rule-by-root.json", false},
		{"pipeline-changes/CRITICAL--put-secalerts-rule-by-role-named-like-deployer.json", false},
		{"pipeline-changes/CRITICAL--put-secalerts-rule-by-role-path-mimicking-deployer.json", false},
		{"pipeline-role-changes/CRITICAL--delete-forward-role-policy-by-other-sso-role.json", false},
	} {
		ev, ok := samples[tc.file]
		if !ok {
			t.Fatalf("no sample %s", tc.file)
		}
		if got := matchAll(t, Options{}, ev); len(got) != 1 || got[0].severity != severity.Critical {
			t.Errorf("%s without deployers: want one CRITICAL pipeline alert, got %v", tc.file, got)
		}
		got := matchAll(t, sampleOptions, ev)
		if tc.byDeployer != (len(got) == 0) {
			t.Errorf("%s with the example deployers: got %v", tc.file, got)
		}
	}

	// Why the plan writes the account into every pattern: EventBridge's *
	// reaches across ':', so the pattern as configured would take a role
	// whose path spells the deployer's ARN for the deployer.
	unpinned := Options{Deployers: []string{"arn:aws:iam::*:role/secalerts-deploy"}}
	mimic := samples["pipeline-changes/CRITICAL--put-secalerts-rule-by-role-path-mimicking-deployer.json"]
	if got := matchAll(t, unpinned, mimic); len(got) != 0 {
		t.Errorf("the unpinned pattern should (wrongly) exempt the mimic, got %v; revisit names.RolePattern.In", got)
	}
}

// TestOnlyPipelineDetectorsTakeDeployers: deployers change the patterns of
// pipeline-changes and pipeline-role-changes, every variant of them, and
// nothing else: a deployer's GuardDuty or CloudTrail change alerts as
// anyone's does.
func TestOnlyPipelineDetectorsTakeDeployers(t *testing.T) {
	for _, d := range All() {
		plain, with := d.Build(Options{}), d.Build(sampleOptions)
		pipeline := d.ID == pipelineChangesDetector.ID || d.ID == pipelineRoleChangesDetector.ID
		for i := range plain {
			same := reflect.DeepEqual(plain[i].Pattern, with[i].Pattern)
			if same == pipeline {
				a, _ := json.Marshal(with[i].Pattern)
				t.Errorf("%s/%s: changed by the deployers = %v, want %v\n%s", d.ID, plain[i].Name, !same, pipeline, a)
			}
		}
	}
}

// TestByOthersKeepsThePattern: the narrowed pattern is the same pattern
// with one more condition, and the original is left as it was.
func TestByOthersKeepsThePattern(t *testing.T) {
	p := pipelineRolePattern()
	before, _ := json.Marshal(p)
	q := byOthers(p, sampleDeployers)
	after, _ := json.Marshal(p)
	if string(before) != string(after) {
		t.Errorf("byOthers changed its argument:\n%s\n%s", before, after)
	}
	if _, ok := q["detail"].(map[string]any)["userIdentity"]; !ok || len(q["detail"].(map[string]any)) != len(p["detail"].(map[string]any))+1 {
		t.Errorf("byOthers: %v", q)
	}
	if !reflect.DeepEqual(byOthers(p, nil), p) {
		t.Error("byOthers without deployers changed the pattern")
	}
}
