package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"secalerts/names"
)

// fullAWSAccess is the AWS managed SCP FullAWSAccess, attached to every root,
// OU and account when SCPs are enabled (AWS Organizations User Guide, "SCP
// evaluation"): a deny-list SCP only works next to it.
var fullAWSAccess = Document{Version: Version, Statement: []Statement{{
	Sid: "FullAWSAccess", Effect: Allow, Action: []string{"*"}, Resource: []string{"*"},
}}}

// The member account and the principals of the SCP tests.
var (
	member      = names.Account{Partition: "aws", Region: "us-east-1", ID: "111111111111"}
	memberWest  = member.In("eu-west-1")
	deployer    = Caller{AWS: member.RoleARN("secalerts-deploy")}
	deployGlob  = "arn:aws:iam::*:role/secalerts-deploy"
	ssoAdmin    = Caller{AWS: member.RoleARN("AWSReservedSSO_AdministratorAccess_abc")}
	ssoAdminRaw = Caller{AWS: member.RoleARN("aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_abc")}
	rootUser    = Caller{AWS: member.RootARN()}
	iamUser     = Caller{AWS: member.GlobalARN("iam", "user/alice")}
	orgAccess   = Caller{AWS: member.RoleARN("OrganizationAccountAccessRole")}
)

// Resources secalerts deploys in the member account.
var (
	forwardRule   = member.RuleARN("", names.ForwardRule(1))
	heartbeatRule = memberWest.RuleARN("", names.ForwardRule(2))
	forwardRole   = member.RoleARN(names.ForwardRole)
	configRole    = member.RoleARN(names.ConfigRole)
	dlq           = member.QueueARN(names.ForwardDLQ)
	dlqWest       = memberWest.QueueARN(names.ForwardDLQ)
	dlqAlarm      = member.AlarmARN(names.ForwardDLQ + "-depth")
	trail         = member.ARN("cloudtrail", "trail/"+names.Trail)
	recorder      = member.ARN("config", "configuration-recorder/"+names.Recorder+"/abcd1234")
	configRule    = member.ARN("config", "config-rule/config-rule-a1b2c3")
	analyzer      = member.ARN("access-analyzer", "analyzer/"+names.Analyzer)
	archiveRule   = analyzer + "/archive-rule/quiet"
	detector      = member.ARN("guardduty", "detector/12abc34d567e8fa901bc2d34e56789f0")
	hubDefault    = member.ARN("securityhub", "hub/default")
	defaultBus    = member.EventBusARN(names.DefaultBus)
)

func protection(t *testing.T, in ProtectionInput) Document {
	t.Helper()
	d, err := ProtectionSCPWith(in)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type scpCase struct {
	name     string
	caller   Caller
	action   string
	resource string
	ctx      map[string]string
	want     bool // SCPPermits
}

func runSCPCases(t *testing.T, d Document, cases []scpCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Request{Principal: c.caller, Action: c.action, Resource: c.resource, Context: c.ctx}
			if got := SCPPermits(r, fullAWSAccess, d); got != c.want {
				js, _ := d.JSON()
				t.Errorf("SCPPermits(%s by %s on %s) = %v, want %v\npolicy: %s", c.action, c.caller.AWS, c.resource, got, c.want, js)
			}
		})
	}
}

// silencing is every step a member administrator could take to silence
// secalerts, as the request they would make.
func silencing(who Caller) []scpCase {
	deny := func(name, action, resource string) scpCase {
		return scpCase{name: name, caller: who, action: action, resource: resource}
	}
	return []scpCase{
		deny("disable a forwarding rule", "events:DisableRule", forwardRule),
		deny("re-pattern a forwarding rule", "events:PutRule", forwardRule),
		deny("re-schedule the heartbeat", "events:PutRule", heartbeatRule),
		deny("re-target a forwarding rule", "events:PutTargets", forwardRule),
		deny("remove the hub target", "events:RemoveTargets", forwardRule),
		deny("delete the heartbeat", "events:DeleteRule", heartbeatRule),
		deny("enable a rule the deployer disabled", "events:EnableRule", forwardRule),
		deny("tag a rule", "events:TagResource", forwardRule),
		deny("untag a rule", "events:UntagResource", forwardRule),
		deny("action names are case-insensitive", "EVENTS:disablerule", forwardRule),
		deny("rewrite the forwarding role's trust", "iam:UpdateAssumeRolePolicy", forwardRole),
		deny("replace the role's inline policy", "iam:PutRolePolicy", forwardRole),
		deny("delete the role's inline policy", "iam:DeleteRolePolicy", forwardRole),
		deny("attach a deny policy", "iam:AttachRolePolicy", forwardRole),
		deny("detach a policy", "iam:DetachRolePolicy", configRole),
		deny("cap the role with a boundary", "iam:PutRolePermissionsBoundary", forwardRole),
		deny("remove a boundary", "iam:DeleteRolePermissionsBoundary", forwardRole),
		deny("delete the role", "iam:DeleteRole", forwardRole),
		deny("update the role", "iam:UpdateRole", forwardRole),
		deny("update the role's description", "iam:UpdateRoleDescription", forwardRole),
		deny("recreate the role under someone else's control", "iam:CreateRole", forwardRole),
		deny("create a role named like the deployer", "iam:CreateRole", member.RoleARN("secalerts-deploy")),
		deny("take over the deployer's trust policy", "iam:UpdateAssumeRolePolicy", deployer.AWS),
		deny("purge the dead-letter queue", "sqs:PurgeQueue", dlq),
		deny("purge another region's queue", "sqs:PurgeQueue", dlqWest),
		deny("delete the dead-letter queue", "sqs:DeleteQueue", dlq),
		deny("rewrite the queue policy", "sqs:SetQueueAttributes", dlq),
		deny("remove the queue permission", "sqs:RemovePermission", dlq),
		deny("delete the depth alarm", "cloudwatch:DeleteAlarms", dlqAlarm),
		deny("disable the alarm's actions", "cloudwatch:DisableAlarmActions", dlqAlarm),
		deny("raise the alarm's threshold", "cloudwatch:PutMetricAlarm", dlqAlarm),
		deny("force the alarm to OK", "cloudwatch:SetAlarmState", dlqAlarm),
		deny("mute the alarm", "cloudwatch:PutAlarmMuteRule", dlqAlarm),
		deny("stop the trail", "cloudtrail:StopLogging", trail),
		deny("delete the trail", "cloudtrail:DeleteTrail", trail),
		deny("redirect the trail", "cloudtrail:UpdateTrail", trail),
		deny("narrow the trail's events", "cloudtrail:PutEventSelectors", trail),
		deny("drop the trail's insights", "cloudtrail:PutInsightSelectors", trail),
		deny("stop the recorder", "config:StopConfigurationRecorder", recorder),
		deny("delete the recorder", "config:DeleteConfigurationRecorder", recorder),
		deny("narrow the recorder", "config:PutConfigurationRecorder", recorder),
		deny("drop recorded resource types", "config:DisassociateResourceTypes", recorder),
		deny("delete a Config rule", "config:DeleteConfigRule", configRule),
		deny("delete a rule's evaluations", "config:DeleteEvaluationResults", configRule),
		deny("delete the delivery channel", "config:DeleteDeliveryChannel", "*"),
		deny("archive GuardDuty findings with a filter", "guardduty:CreateFilter", detector+"/filter/quiet"),
		deny("widen a filter", "guardduty:UpdateFilter", detector+"/filter/quiet"),
		deny("trust an attacker's IP set", "guardduty:CreateIPSet", "*"),
		deny("update a trusted IP set", "guardduty:UpdateIPSet", detector+"/ipset/0123"),
		deny("trust an attacker's entity set", "guardduty:CreateTrustedEntitySet", "*"),
		deny("update a trusted entity set", "guardduty:UpdateTrustedEntitySet", detector+"/trustedentityset/0123"),
		deny("turn a GuardDuty feature off", "guardduty:UpdateDetector", detector),
		deny("delete the detector", "guardduty:DeleteDetector", detector),
		deny("delete the publishing destination", "guardduty:DeletePublishingDestination", detector+"/publishingdestination/0123"),
		deny("redirect the publishing destination", "guardduty:UpdatePublishingDestination", detector+"/publishingdestination/0123"),
		deny("leave the GuardDuty administrator", "guardduty:DisassociateFromAdministratorAccount", "*"),
		deny("leave the GuardDuty master (legacy)", "guardduty:DisassociateFromMasterAccount", "*"),
		deny("suppress with an automation rule", "securityhub:CreateAutomationRule", "*"),
		deny("turn an automation rule into a suppressor", "securityhub:BatchUpdateAutomationRules", member.ARN("securityhub", "automation-rule/0123")),
		deny("disable a standard", "securityhub:BatchDisableStandards", hubDefault),
		deny("disable a control", "securityhub:UpdateStandardsControl", hubDefault),
		deny("disable a control everywhere", "securityhub:BatchUpdateStandardsControlAssociations", "*"),
		deny("disable Security Hub", "securityhub:DisableSecurityHub", hubDefault),
		deny("stop importing a product's findings", "securityhub:DisableImportFindingsForProduct", hubDefault),
		deny("archive analyzer findings with a rule", "access-analyzer:CreateArchiveRule", archiveRule),
		deny("widen an archive rule", "access-analyzer:UpdateArchiveRule", archiveRule),
		deny("apply an archive rule to existing findings", "access-analyzer:ApplyArchiveRule", analyzer),
		deny("delete the analyzer", "access-analyzer:DeleteAnalyzer", analyzer),
		deny("open the default bus to another account", "events:PutPermission", defaultBus),
		deny("change the default bus policy", "events:RemovePermission", defaultBus),
		deny("enable a region secalerts does not watch", "account:EnableRegion", "*"),
		deny("disable a region", "account:DisableRegion", "*"),
		deny("leave the organization and every SCP", "organizations:LeaveOrganization", "*"),
	}
}

func TestProtectionSCPDeniesSilencing(t *testing.T) {
	d := protection(t, ProtectionInput{Deployers: []string{deployGlob}})
	for _, who := range map[string]Caller{
		"SSO administrator":                ssoAdmin,
		"SSO administrator with its path":  ssoAdminRaw,
		"root user of the member account":  rootUser,
		"IAM user":                         iamUser,
		"the organization's access role":   orgAccess,
		"a role named like the deploy one": {AWS: member.RoleARN("secalerts-deploy-2")},
	} {
		runSCPCases(t, d, silencing(who))
	}
}

func TestProtectionSCPAdmitsDeployer(t *testing.T) {
	sso := "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SecalertsDeploy_*"
	d := protection(t, ProtectionInput{Deployers: []string{deployGlob, sso}, DenyFindingSuppression: true})
	ssoDeployer := Caller{AWS: member.RoleARN("aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_SecalertsDeploy_0a1b2c")}
	// What pulumi up and pulumi destroy of a member stack (forwarder and
	// baseline) call.
	var cases []scpCase
	for _, who := range []Caller{deployer, ssoDeployer} {
		ok := func(action, resource string) scpCase {
			return scpCase{name: action + " on " + resource + " by " + who.AWS, caller: who, action: action, resource: resource, want: true}
		}
		cases = append(cases,
			ok("events:PutRule", forwardRule), ok("events:PutRule", heartbeatRule),
			ok("events:PutTargets", forwardRule), ok("events:RemoveTargets", forwardRule),
			ok("events:DeleteRule", forwardRule), ok("events:TagResource", forwardRule),
			ok("events:DisableRule", forwardRule), ok("events:EnableRule", forwardRule),
			ok("iam:CreateRole", forwardRole), ok("iam:PutRolePolicy", forwardRole),
			ok("iam:UpdateAssumeRolePolicy", forwardRole), ok("iam:DeleteRolePolicy", forwardRole),
			ok("iam:UpdateRoleDescription", forwardRole), ok("iam:DeleteRole", forwardRole),
			ok("iam:CreateRole", configRole), ok("iam:AttachRolePolicy", configRole), ok("iam:DetachRolePolicy", configRole),
			ok("sqs:CreateQueue", dlq), ok("sqs:SetQueueAttributes", dlq), ok("sqs:TagQueue", dlq), ok("sqs:DeleteQueue", dlqWest),
			ok("cloudwatch:PutMetricAlarm", dlqAlarm), ok("cloudwatch:DeleteAlarms", dlqAlarm),
			ok("cloudtrail:CreateTrail", trail), ok("cloudtrail:StartLogging", trail),
			ok("cloudtrail:UpdateTrail", trail), ok("cloudtrail:PutEventSelectors", trail), ok("cloudtrail:DeleteTrail", trail),
			ok("config:PutConfigurationRecorder", recorder), ok("config:StartConfigurationRecorder", recorder),
			ok("config:StopConfigurationRecorder", recorder), ok("config:DeleteConfigurationRecorder", recorder),
			ok("config:PutDeliveryChannel", "*"), ok("config:DeleteDeliveryChannel", "*"),
			ok("config:PutConfigRule", configRule), ok("config:DeleteConfigRule", configRule),
			ok("guardduty:CreateDetector", "*"), ok("guardduty:UpdateDetector", detector),
			ok("guardduty:CreatePublishingDestination", detector), ok("guardduty:DeletePublishingDestination", detector+"/publishingdestination/0123"),
			ok("guardduty:DeleteDetector", detector),
			ok("securityhub:EnableSecurityHub", hubDefault), ok("securityhub:BatchEnableStandards", hubDefault),
			ok("securityhub:DisableSecurityHub", hubDefault),
			ok("access-analyzer:CreateAnalyzer", analyzer), ok("access-analyzer:DeleteAnalyzer", analyzer),
			scpCase{name: "suppress a finding by " + who.AWS, caller: who, action: "securityhub:BatchUpdateFindings", resource: hubDefault,
				ctx: ctxOf(keyFindingWorkflowStatus, workflowSuppressed), want: true},
		)
	}
	runSCPCases(t, d, cases)
}

func TestProtectionSCPLeavesOtherWorkAlone(t *testing.T) {
	d := protection(t, ProtectionInput{Deployers: []string{deployGlob}})
	ok := func(name, action, resource string) scpCase {
		return scpCase{name: name, caller: ssoAdmin, action: action, resource: resource, want: true}
	}
	runSCPCases(t, d, []scpCase{
		ok("launch an instance", "ec2:RunInstances", member.ARN("ec2", "instance/i-0123")),
		ok("their own rule", "events:PutRule", member.RuleARN("", "app-rule")),
		ok("their own rule's targets", "events:PutTargets", member.RuleARN("", "app-rule")),
		ok("a secalerts-named rule on their own custom bus", "events:DisableRule", member.RuleARN("app-bus", names.ForwardRule(1))),
		ok("their own queue", "sqs:PurgeQueue", member.QueueARN("orders")),
		ok("their own role", "iam:UpdateAssumeRolePolicy", member.RoleARN("app-role")),
		ok("their own alarm", "cloudwatch:DeleteAlarms", member.AlarmARN("app-cpu")),
		ok("their own trail", "cloudtrail:StopLogging", member.ARN("cloudtrail", "trail/app-trail")),
		ok("their own analyzer's archive rule", "access-analyzer:CreateArchiveRule", member.ARN("access-analyzer", "analyzer/org/archive-rule/x")),
		ok("reading the forwarding rule", "events:DescribeRule", forwardRule),
		ok("reading the dead-letter queue", "sqs:ReceiveMessage", dlq),
		ok("reading findings", "securityhub:GetFindings", hubDefault),
		ok("triage: archive a GuardDuty finding", "guardduty:ArchiveFindings", detector),
		ok("triage: resolve a Security Hub finding", "securityhub:BatchUpdateFindings", hubDefault),
		{name: "triage: suppress a Security Hub finding (off by default)", caller: ssoAdmin, action: "securityhub:BatchUpdateFindings",
			resource: hubDefault, ctx: ctxOf(keyFindingWorkflowStatus, workflowSuppressed), want: true},
	})
}

func TestProtectionSCPFindingSuppression(t *testing.T) {
	d := protection(t, ProtectionInput{Deployers: []string{deployGlob}, DenyFindingSuppression: true})
	update := func(name string, who Caller, status string, want bool) scpCase {
		var ctx map[string]string
		if status != "" {
			ctx = ctxOf(keyFindingWorkflowStatus, status)
		}
		return scpCase{name: name, caller: who, action: "securityhub:BatchUpdateFindings", resource: hubDefault, ctx: ctx, want: want}
	}
	runSCPCases(t, d, []scpCase{
		update("administrator suppresses", ssoAdmin, "SUPPRESSED", false),
		update("root suppresses", rootUser, "SUPPRESSED", false),
		update("administrator resolves", ssoAdmin, "RESOLVED", true),
		update("administrator notifies", ssoAdmin, "NOTIFIED", true),
		update("administrator adds a note only", ssoAdmin, "", true),
		update("deployer suppresses", deployer, "SUPPRESSED", true),
	})
}

// What an SCP cannot restrict, pinned so the evaluator keeps saying so.
func TestProtectionSCPLimits(t *testing.T) {
	d := protection(t, ProtectionInput{Deployers: []string{deployGlob}})
	slr := Caller{AWS: member.RoleARN("aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")}
	runSCPCases(t, d, []scpCase{
		{name: "a service-linked role is not restricted by SCPs", caller: slr, action: "config:DeleteConfigRule", resource: configRule, want: true},
		{name: "a service principal is not restricted by SCPs", caller: Caller{Service: "events.amazonaws.com"}, action: "events:PutTargets", resource: forwardRule, want: true},
	})
}

func TestProtectionSCPShape(t *testing.T) {
	globs := []string{"arn:aws:iam::*:role/deploy-b", deployGlob, "arn:aws:iam::*:role/deploy-a", deployGlob}
	d := protection(t, ProtectionInput{Deployers: globs, DenyFindingSuppression: true})
	want := []string{"arn:aws:iam::*:role/deploy-a", "arn:aws:iam::*:role/deploy-b", deployGlob}
	seen := map[string]string{}
	for _, s := range d.Statement {
		if !s.Principal.IsZero() {
			t.Errorf("%s: SCPs take no Principal", s.Sid)
		}
		if s.Effect != Deny {
			t.Errorf("%s: effect %s, want Deny", s.Sid, s.Effect)
		}
		if got := s.Condition[opArnNotLike][keyPrincipalArn]; !slices.Equal(got, want) {
			t.Errorf("%s: exempts %v, want the deployers sorted and deduplicated %v", s.Sid, got, want)
		}
		for _, a := range s.Action {
			if strings.ContainsAny(a, "*?") {
				t.Errorf("%s: action %s has a wildcard", s.Sid, a)
			}
			if prev, dup := seen[strings.ToLower(a)]; dup {
				t.Errorf("%s: action %s already in %s", s.Sid, a, prev)
			}
			seen[strings.ToLower(a)] = s.Sid
		}
	}
	// Every named action has a pattern of its own service to act on, so
	// none is listed there without effect.
	named := d.Statement[0]
	services := map[string]bool{}
	for _, r := range named.Resource {
		services[strings.SplitN(r, ":", 4)[2]] = true
	}
	for _, a := range named.Action {
		if svc := strings.SplitN(a, ":", 2)[0]; !services[svc] {
			t.Errorf("%s has no %s resource pattern in %s", a, svc, named.Sid)
		}
	}
	// Deployer roles the secalerts role pattern does not cover are protected
	// by name; the covered one is not repeated.
	for _, g := range want {
		if got := slices.Contains(named.Resource, g); got != (g != deployGlob) {
			t.Errorf("deployer %s listed among protected resources: %v", g, got)
		}
	}
	if len(d.Statement) != 3 || d.Statement[2].Sid != sidSCPSuppression {
		t.Errorf("want the suppression statement last when asked for, got %d statements", len(d.Statement))
	}
	if def, _ := ProtectionSCP(globs); len(def.Statement) != 2 {
		t.Errorf("ProtectionSCP: want finding suppression left alone by default, got %d statements", len(def.Statement))
	}
}

func TestProtectionSCPRejectsBadDeployers(t *testing.T) {
	cases := []struct {
		name     string
		patterns []string
		want     string
	}{
		{"none", nil, "no deployer"},
		{"only blanks", []string{""}, "no deployer"},
		{"not an ARN", []string{"secalerts-deploy"}, "IAM role ARN pattern"},
		{"everything", []string{"*"}, "IAM role ARN pattern"},
		{"an assumed-role session", []string{"arn:aws:sts::111111111111:assumed-role/secalerts-deploy/ci"}, "arn:aws:iam::111111111111:role/secalerts-deploy"},
		{"an IAM user", []string{"arn:aws:iam::111111111111:user/deploy"}, "only roles"},
		{"every role", []string{"arn:aws:iam::*:role/*"}, "matches every role"},
		{"every role under a wildcard path", []string{"arn:aws:iam::*:role/*/*"}, "matches every role"},
		{"one bad among good", []string{deployGlob, "arn:aws:iam::*:role/*"}, "matches every role"},
	}
	for _, c := range cases {
		_, err := ProtectionSCP(c.patterns)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}

// deployerPatterns are n distinct role patterns of exactly length
// characters that the secalerts role pattern does not cover, the worst case
// for size: each appears in every statement's condition and among the
// protected resources.
func deployerPatterns(n, length int) []string {
	out := make([]string, n)
	for i := range out {
		p := fmt.Sprintf("arn:aws:iam::*:role/d%02d-", i)
		out[i] = p + strings.Repeat("x", length-len(p))
	}
	return out
}

func TestProtectionSCPSize(t *testing.T) {
	// The size AWS counts: every character of the document as submitted
	// through the API; Document.JSON leaves no whitespace to strip.
	typical := []string{deployGlob, "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SecalertsDeploy_*"}
	for i := 0; len(typical) < 10; i++ {
		typical = append(typical, fmt.Sprintf("arn:aws:iam::*:role/platform-ci-deploy-%02d", i))
	}
	for _, suppress := range []bool{false, true} {
		d, err := ProtectionSCPWith(ProtectionInput{Deployers: typical, DenyFindingSuppression: suppress})
		if err != nil {
			t.Fatalf("10 typical deployer patterns (suppression %v): %v", suppress, err)
		}
		js, _ := d.JSON()
		if strings.ContainsAny(js, " \n\t\r") {
			t.Errorf("the document has whitespace, which AWS would count")
		}
		t.Logf("10 typical deployer patterns, suppression %v: %d of %d characters", suppress, len(js), ServiceControlPolicyMaxChars)
	}
	one, _ := ProtectionSCP([]string{deployGlob})
	js, _ := one.JSON()
	t.Logf("one deployer pattern: %d characters\n%s", len(js), js)

	// Ten worst-case patterns: the longest that fit, and one character more
	// that does not. A role name is at most 64 characters, so a pattern
	// without a path is at most 84; the floors are what this policy
	// promises, so a growing action list shows here first.
	for suppress, floor := range map[bool]int{false: 80, true: 50} {
		longest := 0
		for l := 30; l < 500; l++ {
			if _, err := ProtectionSCPWith(ProtectionInput{Deployers: deployerPatterns(10, l), DenyFindingSuppression: suppress}); err != nil {
				break
			}
			longest = l
		}
		if longest < floor {
			t.Errorf("suppression %v: only ten patterns of %d characters fit, want at least %d", suppress, longest, floor)
		}
		t.Logf("suppression %v: ten uncovered deployer patterns fit up to %d characters each", suppress, longest)
		_, err := ProtectionSCPWith(ProtectionInput{Deployers: deployerPatterns(10, longest+1), DenyFindingSuppression: suppress})
		if !errors.Is(err, ErrSCPTooLarge) {
			t.Fatalf("suppression %v, ten patterns of %d characters: want ErrSCPTooLarge, got %v", suppress, longest+1, err)
		}
		for _, want := range []string{"over the limit of 5120", "10 deployer patterns", "fewer or shorter patterns"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	}
}
