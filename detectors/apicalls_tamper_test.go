package detectors

import (
	"encoding/json"
	"slices"
	"testing"

	"secalerts/severity"
)

// apiCall is a minimal successful CloudTrail API-call event, as EventBridge
// delivers it, for table tests; the sample files are the realistic ones.
func apiCall(t *testing.T, region, source, eventSource, eventName string, requestParameters map[string]any) []byte {
	t.Helper()
	ev, err := json.Marshal(map[string]any{
		"version": "0", "id": "00000000-0000-0000-0000-000000000000",
		"detail-type": apiCallDetailType, "source": source,
		"account": "111122223333", "time": "2025-03-14T09:12:33Z", "region": region, "resources": []any{},
		"detail": map[string]any{
			"eventSource": eventSource, "eventName": eventName, "awsRegion": region,
			"sourceIPAddress": "198.51.100.24", "readOnly": false, "eventType": "AwsApiCall",
			"requestParameters": requestParameters,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestTamperDetectors pins which detectors are Tamper ones: their alerts
// always reach the operator and cannot be suppressed, so adding or removing
// one is a decision, not a side effect. Every one is on by default and has
// a CRITICAL variant.
func TestTamperDetectors(t *testing.T) {
	want := []string{
		"cloudtrail-changes", "config-changes", "guardduty-changes", "securityhub-changes",
		"access-analyzer-changes", "sensor-blinding", "pipeline-changes", "pipeline-role-changes", "region-changes",
	}
	var got []string
	for _, d := range All() {
		if !d.Tamper {
			continue
		}
		got = append(got, d.ID)
		if !d.DefaultOn {
			t.Errorf("%s: a tamper detector must be on by default", d.ID)
		}
		critical := false
		for _, v := range d.Build(Options{}) {
			critical = critical || v.Severity == severity.Critical
		}
		if !critical {
			t.Errorf("%s: a tamper detector needs a CRITICAL variant", d.ID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("tamper detectors = %v, want %v", got, want)
	}
}

// TestTamperStepsAlertOnce lists every step that blinds the pipeline or a
// sensor: each must alert from exactly one tamper detector, at CRITICAL,
// in the region its events arrive in.
func TestTamperStepsAlertOnce(t *testing.T) {
	const eu, us = "eu-west-1", "us-east-1"
	rp := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	type step struct {
		name, region, source, eventSource, eventName string
		params                                       map[string]any
		want                                         string
	}
	events := func(name, eventName string, params map[string]any) step {
		return step{name, eu, "aws.events", "events.amazonaws.com", eventName, params, "pipeline-changes"}
	}
	role := func(eventName string) step {
		return step{"role " + eventName, us, "aws.iam", "iam.amazonaws.com", eventName, rp("roleName", "secalerts-forward"), "pipeline-role-changes"}
	}
	gd := func(name, eventName string, params map[string]any, want string) step {
		return step{name, eu, "aws.guardduty", "guardduty.amazonaws.com", eventName, params, want}
	}
	sh := func(name, eventName string, params map[string]any, want string) step {
		return step{name, eu, "aws.securityhub", "securityhub.amazonaws.com", eventName, params, want}
	}
	cfg := func(eventName string, params map[string]any, want string) step {
		return step{"config " + eventName, eu, "aws.config", "config.amazonaws.com", eventName, params, want}
	}
	const blind, gdc, shc, cc = "sensor-blinding", "guardduty-changes", "securityhub-changes", "config-changes"
	steps := []step{
		events("rule disabled by PutRule", "PutRule", rp("name", "secalerts-forward-1", "state", "DISABLED")),
		events("rule re-patterned", "PutRule", rp("name", "secalerts-forward-2", "eventPattern", "{}")),
		events("heartbeat rescheduled", "PutRule", rp("name", "secalerts-heartbeat", "scheduleExpression", "rate(7 days)")),
		events("targets put", "PutTargets", rp("rule", "secalerts-forward-1")),
		events("targets removed", "RemoveTargets", rp("rule", "secalerts-forward-1")),
		events("rule disabled", "DisableRule", rp("name", "secalerts-forward-1")),
		events("rule deleted", "DeleteRule", rp("name", "secalerts-heartbeat")),
		events("bus deleted", "DeleteEventBus", rp("name", "secalerts-acme")),
		events("default bus opened", "PutPermission", rp("action", "events:PutEvents", "principal", "*", "statementId", "all")),
		events("default bus permission removed", "RemovePermission", rp("statementId", "org", "eventBusName", "default")),
		role("UpdateAssumeRolePolicy"), role("PutRolePermissionsBoundary"), role("DeleteRolePermissionsBoundary"),
		role("DeleteRole"), role("PutRolePolicy"), role("DeleteRolePolicy"), role("AttachRolePolicy"),
		role("DetachRolePolicy"), role("UpdateRole"),
		gd("suppression rule created", "CreateFilter", rp("action", "ARCHIVE"), blind),
		gd("filter made a suppression rule", "UpdateFilter", rp("filterName", "f", "action", "ARCHIVE"), blind),
		gd("trusted IP list created", "CreateIPSet", rp("activate", true), blind),
		gd("trusted IP list updated", "UpdateIPSet", rp("activate", true), blind),
		gd("detector suspended", "UpdateDetector", rp("enable", false), gdc),
		gd("plan turned off", "UpdateDetector", rp("features", []any{rp("name", "S3_DATA_EVENTS", "status", "DISABLED")}), gdc),
		gd("organization auto-enable off", "UpdateOrganizationConfiguration", rp("autoEnableOrganizationMembers", "NONE"), gdc),
		gd("organization plan auto-enable off", "UpdateOrganizationConfiguration", rp("features", []any{rp("name", "EKS_AUDIT_LOGS", "autoEnable", "NONE")}), gdc),
		gd("findings export deleted", "DeletePublishingDestination", rp("destinationId", "d"), gdc),
		gd("detector deleted", "DeleteDetector", rp("detectorId", "d"), gdc),
		gd("member leaves", "DisassociateFromAdministratorAccount", rp("detectorId", "d"), gdc),
		gd("member leaves (old name)", "DisassociateFromMasterAccount", rp("detectorId", "d"), gdc),
		sh("automation rule created", "CreateAutomationRule", rp("RuleName", "r"), blind),
		sh("automation rules updated", "BatchUpdateAutomationRules", rp("UpdateAutomationRulesRequestItems", []any{}), blind),
		sh("findings suppressed", "BatchUpdateFindings", rp("Workflow", rp("Status", "SUPPRESSED")), blind),
		sh("control disabled", "UpdateStandardsControl", rp("ControlStatus", "DISABLED"), blind),
		sh("control association disabled", "BatchUpdateStandardsControlAssociations",
			rp("StandardsControlAssociationUpdates", []any{rp("AssociationStatus", "DISABLED")}), blind),
		sh("new controls left off", "UpdateSecurityHubConfiguration", rp("AutoEnableControls", false), blind),
		sh("standards disabled", "BatchDisableStandards", rp(), shc),
		sh("Security Hub disabled", "DisableSecurityHub", rp(), shc),
		sh("product import disabled", "DisableImportFindingsForProduct", rp(), shc),
		{"archive rule created", eu, "aws.access-analyzer", "access-analyzer.amazonaws.com", "CreateArchiveRule", rp("ruleName", "r"), blind},
		{"archive rule updated", eu, "aws.access-analyzer", "access-analyzer.amazonaws.com", "UpdateArchiveRule", rp("ruleName", "r"), blind},
		{"analyzer deleted", eu, "aws.access-analyzer", "access-analyzer.amazonaws.com", "DeleteAnalyzer", rp("analyzerName", "a"), "access-analyzer-changes"},
		cfg("DeleteConfigRule", rp("configRuleName", "r"), blind),
		cfg("DeleteEvaluationResults", rp("configRuleName", "r"), blind),
		cfg("StopConfigurationRecorder", rp("configurationRecorderName", "default"), cc),
		cfg("DeleteConfigurationRecorder", rp("configurationRecorderName", "default"), cc),
		cfg("DeleteDeliveryChannel", rp("deliveryChannelName", "default"), cc),
		cfg("PutConfigurationRecorder", rp("configurationRecorder", rp("recordingGroup", rp("allSupported", false))), cc),
		{"alarms deleted", eu, "aws.monitoring", "monitoring.amazonaws.com", "DeleteAlarms", rp("alarmNames", []any{"secalerts-forward-dlq-depth"}), "pipeline-changes"},
		{"alarm actions disabled", eu, "aws.monitoring", "monitoring.amazonaws.com", "DisableAlarmActions", rp("alarmNames", []any{"x", "secalerts-forward-dlq-depth"}), "pipeline-changes"},
		{"alarm rewritten", eu, "aws.monitoring", "monitoring.amazonaws.com", "PutMetricAlarm", rp("alarmName", "secalerts-forward-dlq-depth"), "pipeline-changes"},
		{"queue purged", eu, "aws.sqs", "sqs.amazonaws.com", "PurgeQueue", rp("queueUrl", "https://sqs.eu-west-1.amazonaws.com/111122223333/secalerts-forward-dlq"), "pipeline-changes"},
		{"queue deleted", eu, "aws.sqs", "sqs.amazonaws.com", "DeleteQueue", rp("queueUrl", "https://sqs.eu-west-1.amazonaws.com/111122223333/secalerts-forward-dlq"), "pipeline-changes"},
		{"queue reconfigured", eu, "aws.sqs", "sqs.amazonaws.com", "SetQueueAttributes", rp("queueUrl", "https://eu-west-1.queue.amazonaws.com/111122223333/secalerts-forward-dlq"), "pipeline-changes"},
		{"region enabled", us, "aws.account", "account.amazonaws.com", "EnableRegion", rp("regionName", "me-central-1"), "region-changes"},
		{"region disabled", us, "aws.account", "account.amazonaws.com", "DisableRegion", rp("regionName", "eu-south-1"), "region-changes"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			got := apiMatchAll(t, apiCall(t, s.region, s.source, s.eventSource, s.eventName, s.params))
			if len(got) != 1 || got[0].detector != s.want || got[0].severity != severity.Critical {
				t.Fatalf("got %v, want %s at CRITICAL only", got, s.want)
			}
			d, err := ByID(s.want)
			if err != nil {
				t.Fatal(err)
			}
			if !d.Tamper || !d.AppliesTo(s.region) {
				t.Errorf("%s: Tamper %v, applies to %s %v", d.ID, d.Tamper, s.region, d.AppliesTo(s.region))
			}
		})
	}
}

// TestSplitEventNamesAreDisjoint checks the names of splitByResource: a
// call on a secalerts role alerts as tampering only, a call on any other
// role as an IAM policy change only. A secalerts role name in other
// letters matches both, as documented on notPipelineRole: IAM does not
// tell role names apart by case, and anything-but cannot ignore case with a
// prefix.
func TestSplitEventNamesAreDisjoint(t *testing.T) {
	for _, tc := range []struct {
		role string
		want []string
	}{
		{"secalerts-forward", []string{"pipeline-role-changes"}},
		{"secalerts-config", []string{"pipeline-role-changes"}},
		{"app-backend", []string{"iam-policy-changes"}},
		{"app-secalerts-forward", []string{"iam-policy-changes"}},
		{"SECALERTS-FORWARD", []string{"iam-policy-changes", "pipeline-role-changes"}},
	} {
		for _, name := range []string{"PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy"} {
			params := map[string]any{"roleName": tc.role, "policyName": "p", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
			var got []string
			for _, m := range apiMatchAll(t, apiCall(t, "us-east-1", "aws.iam", "iam.amazonaws.com", name, params)) {
				got = append(got, m.detector)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s on %s: matched %v, want %v", name, tc.role, got, tc.want)
			}
		}
	}
}

// TestConfigRecorderPutsArePartitioned: every PutConfigurationRecorder is
// either the ordinary MEDIUM change (all supported types recorded) or
// narrowed recording at CRITICAL, never both and never neither.
func TestConfigRecorderPutsArePartitioned(t *testing.T) {
	recorder := func(group map[string]any) map[string]any {
		r := map[string]any{"name": "default", "roleARN": "arn:aws:iam::111122223333:role/config"}
		if group != nil {
			r["recordingGroup"] = group
		}
		return map[string]any{"configurationRecorder": r}
	}
	for _, tc := range []struct {
		name    string
		params  map[string]any
		variant string
	}{
		{"all supported", recorder(map[string]any{"allSupported": true, "includeGlobalResourceTypes": true}), "changed"},
		{"all supported, daily", recorder(map[string]any{"allSupported": true, "recordingMode": map[string]any{"recordingFrequency": "DAILY"}}), "changed"},
		{"listed types", recorder(map[string]any{"allSupported": false, "resourceTypes": []any{"AWS::S3::Bucket"}}), "narrowed"},
		{"listed types, allSupported left out", recorder(map[string]any{"resourceTypes": []any{"AWS::S3::Bucket"}}), "narrowed"},
		{"no recording group", recorder(nil), "narrowed"},
		{"no recorder at all", nil, "narrowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := apiMatchAll(t, apiCall(t, "eu-west-1", "aws.config", "config.amazonaws.com", "PutConfigurationRecorder", tc.params))
			if len(got) != 1 || got[0].detector != configChangesDetector.ID || got[0].variant != tc.variant {
				t.Errorf("got %v, want only config-changes/%s", got, tc.variant)
			}
		})
	}
}
