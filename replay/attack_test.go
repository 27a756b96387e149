package replay_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"secalerts/engine"
	"secalerts/internal/stacktest"
	"secalerts/names"
)

// TestAMemberAdminCannotGoDarkQuietly replays, through the example member
// and hub, each step a member administrator would take to silence the
// pipeline, as the CloudTrail event it produces: each is a CRITICAL alert
// that reaches the customer's highest destinations (the e-mail and pager
// that take CRITICAL only) and the operator.
func TestAMemberAdminCannotGoDarkQuietly(t *testing.T) {
	steps := map[string]string{
		"disable a forward rule with PutRule":                  "pipeline-changes/CRITICAL--put-secalerts-rule-disabled.json",
		"re-pattern a forward rule":                            "pipeline-changes/CRITICAL--put-secalerts-rule-new-pattern.json",
		"point a forward rule at another bus":                  "pipeline-changes/CRITICAL--put-targets-on-secalerts-rule.json",
		"slow a forward rule's heartbeat to a day":             "pipeline-changes/CRITICAL--put-forward-rule-heartbeat-daily.json",
		"disable a forward rule":                               "pipeline-changes/CRITICAL--disable-secalerts-rule.json",
		"delete a forward rule":                                "pipeline-changes/CRITICAL--delete-secalerts-rule.json",
		"remove a forward rule's target":                       "pipeline-changes/CRITICAL--remove-targets-from-secalerts-rule.json",
		"delete the DLQ alarm":                                 "pipeline-changes/CRITICAL--delete-dlq-depth-alarm.json",
		"purge the DLQ":                                        "pipeline-changes/CRITICAL--purge-forward-dlq.json",
		"open the default bus with PutPermission":              "pipeline-changes/CRITICAL--put-permission-default-bus.json",
		"rewrite the forwarding role's trust":                  "pipeline-role-changes/CRITICAL--update-assume-role-policy-forward-role.json",
		"put a deny-all boundary on the forwarding role":       "pipeline-role-changes/CRITICAL--put-role-permissions-boundary-deny-all.json",
		"delete the forwarding role":                           "pipeline-role-changes/CRITICAL--delete-forward-role.json",
		"replace the forwarding role's policy":                 "pipeline-role-changes/CRITICAL--put-role-policy-deny-put-events.json",
		"delete the forwarding role's policy":                  "pipeline-role-changes/CRITICAL--delete-role-policy-forward-role.json",
		"GuardDuty filter that archives":                       "sensor-blinding/CRITICAL--guardduty-create-filter-archive.json",
		"GuardDuty trusted IP list":                            "sensor-blinding/CRITICAL--guardduty-create-trusted-ip-list.json",
		"GuardDuty protection plan off":                        "guardduty-changes/CRITICAL--update-detector-s3-protection-off.json",
		"GuardDuty publishing destination deleted":             "guardduty-changes/CRITICAL--delete-publishing-destination.json",
		"Security Hub automation rule that suppresses":         "sensor-blinding/CRITICAL--securityhub-create-automation-rule-suppress.json",
		"Security Hub findings set to SUPPRESSED":              "sensor-blinding/CRITICAL--securityhub-suppress-findings.json",
		"Security Hub control disabled":                        "sensor-blinding/CRITICAL--securityhub-disable-standards-control.json",
		"Security Hub standard disabled":                       "securityhub-changes/CRITICAL--batch-disable-standards.json",
		"Access Analyzer archive rule":                         "sensor-blinding/CRITICAL--access-analyzer-create-archive-rule.json",
		"Config rule deleted":                                  "sensor-blinding/CRITICAL--config-delete-guardduty-rule.json",
		"Config evaluation results deleted":                    "sensor-blinding/CRITICAL--config-delete-evaluation-results.json",
		"a region enabled, with no forwarder and no heartbeat": "region-changes/CRITICAL--enable-region.json",
		"a region disabled":                                    "region-changes/CRITICAL--disable-region.json",
		"CloudTrail StopLogging":                               "cloudtrail-changes/CRITICAL--stop-logging.json",
		"CloudTrail DeleteTrail":                               "cloudtrail-changes/CRITICAL--delete-trail.json",
		"Config recorder stopped":                              "config-changes/CRITICAL--stop-configuration-recorder.json",
		"Config recorder narrowed":                             "config-changes/CRITICAL--put-configuration-recorder-exclusions.json",
		"GuardDuty detector deleted":                           "guardduty-changes/CRITICAL--delete-detector.json",
		"GuardDuty detached from its administrator":            "guardduty-changes/CRITICAL--disassociate-from-administrator-account.json",
		"GuardDuty threat list deleted":                        "sensor-blinding/CRITICAL--guardduty-delete-threat-list.json",
		"Security Hub disabled":                                "securityhub-changes/CRITICAL--disable-security-hub.json",
		"Access Analyzer deleted":                              "access-analyzer-changes/CRITICAL--delete-account-analyzer.json",
		"the DLQ alarm's actions disabled":                     "pipeline-changes/CRITICAL--disable-alarm-actions-among-others.json",
		"the DLQ alarm's threshold raised":                     "pipeline-changes/CRITICAL--put-metric-alarm-dlq-threshold-raised.json",
		"the DLQ deleted":                                      "pipeline-changes/CRITICAL--delete-forward-dlq.json",
		"the DLQ's retention cut":                              "pipeline-changes/CRITICAL--set-forward-dlq-retention-one-minute.json",
		"a default bus permission removed":                     "pipeline-changes/CRITICAL--remove-permission-default-bus-by-name.json",
		"a deny-all policy attached to the forwarding role":    "pipeline-role-changes/CRITICAL--attach-deny-all-to-forward-role.json",
	}
	highest := []string{"email:acme-security@example.com", engine.OperatorID, "webhook:pager"}
	for step, sample := range steps {
		t.Run(step, func(t *testing.T) {
			s := newSession(t)
			data, err := os.ReadFile(stacktest.Path(t, "testdata/events/"+sample))
			if err != nil {
				t.Fatal(err)
			}
			rs := s.Replay(sample, 1, data)
			r := rs[len(rs)-1]
			var to []string
			for _, d := range r.Deliveries {
				to = append(to, d.Destination)
			}
			if r.Severity != "CRITICAL" || r.Quiet != "" {
				t.Errorf("severity %q, quiet %q (dropped %q), want a CRITICAL alert", r.Severity, r.Quiet, r.Dropped)
			}
			for _, h := range highest {
				if !slices.Contains(to, h) {
					t.Errorf("delivered to %v, not to %s", to, h)
				}
			}
		})
	}
}

// TestASilentForwardRuleIsReportedWithinTwoHours: a step that leaves no
// event the member can forward (the rule that would forward it is the one
// disabled, or the role is broken before the call reaches it) silences
// that rule's heartbeat; the hub names the account, region and rule within
// two hours, and no other rule.
func TestASilentForwardRuleIsReportedWithinTwoHours(t *testing.T) {
	p := stacktest.ExamplePipeline(t)
	s, err := p.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	const region, account = "eu-west-1", "111111111111"
	rules := p.RuleNames(region)
	if len(rules) < 2 {
		t.Fatalf("the example member has %d rules in %s", len(rules), region)
	}
	broken := rules[1]
	disabledAt := t0.Add(2 * time.Hour)
	var reports []reportAt
	for at := t0; at.Before(disabledAt.Add(3 * time.Hour)); at = at.Add(30 * time.Minute) {
		for _, rule := range rules {
			if rule == broken && !at.Before(disabledAt) {
				continue
			}
			ev, _ := json.Marshal(map[string]any{
				"version": "0", "id": fmt.Sprintf("hb-%s-%d", rule, at.Unix()), "detail-type": "Scheduled Event", "source": "aws.events",
				"account": account, "time": at.Format(time.RFC3339), "region": region,
				"resources": []string{names.Account{Partition: "aws", Region: region, ID: account}.RuleARN("", rule)}, "detail": map[string]any{},
			})
			for _, r := range s.Replay("heartbeats.json", 1, ev) {
				if r.Report {
					reports = append(reports, reportAt{r.Time, r.Message})
				}
			}
		}
	}
	if len(reports) == 0 {
		t.Fatalf("no report of %s, silent since %s", broken, disabledAt)
	}
	first := reports[0]
	at, _ := time.Parse(time.RFC3339, first.time)
	if at.Sub(disabledAt) > 2*time.Hour || !strings.Contains(first.message, broken) || !strings.Contains(first.message, account) || !strings.Contains(first.message, region) {
		t.Errorf("the first report, at %s (%s after the rule was disabled):\n%s", first.time, at.Sub(disabledAt), first.message)
	}
	for _, r := range reports {
		for _, rule := range rules {
			if rule != broken && strings.Contains(r.message, "rule "+rule+" ") {
				t.Errorf("a working rule %s was reported at %s", rule, r.time)
			}
		}
	}
}

type reportAt struct{ time, message string }
