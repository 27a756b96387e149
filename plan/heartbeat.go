package plan

import (
	"encoding/json"
	"fmt"

	"secalerts/config"
	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/messages"
	"secalerts/names"
	"secalerts/policy"
	"secalerts/severity"
)

// HeartbeatRule is the rule on a customer's bus that hands every member
// heartbeat to the hub's heartbeat function.
type HeartbeatRule struct {
	Name    string
	Pattern string
	// Input is the function's input: the heartbeat's account, region and
	// time, and the customer's bus written in literally, so the function
	// learns where to report a silence without a list of accounts (an
	// organization's accounts are not even listed).
	Input eventbridge.InputTransformer
}

// HeartbeatInput is what the heartbeat rule hands the function.
type HeartbeatInput struct {
	Bus     string `json:"bus"`
	Account string `json:"account"`
	Region  string `json:"region"`
	Time    string `json:"time"`
}

// heartbeatRule matches the "Scheduled Event" of the members' heartbeat
// rules. Its source, aws.events, is one no account can put, and EventBridge
// keeps the member's account and region on an event forwarded to another
// account's bus, so a heartbeat proves that account and region can reach
// the hub (EventBridge User Guide, "Sending and receiving events between
// AWS accounts"; schedule events: source aws.events, detail-type
// "Scheduled Event", resources the rule ARN).
func heartbeatRule(c config.Customer) (HeartbeatRule, error) {
	pattern, err := json.Marshal(map[string]any{
		"source":      []any{"aws.events"},
		"detail-type": []any{"Scheduled Event"},
		"resources":   []any{map[string]any{"suffix": ":rule/" + names.HeartbeatRule}},
	})
	if err != nil {
		return HeartbeatRule{}, fmt.Errorf("marshalling the heartbeat pattern of %s: %w", c.Name, err)
	}
	if err := eventbridge.ValidatePattern(pattern); err != nil {
		return HeartbeatRule{}, fmt.Errorf("heartbeat pattern of %s: %w", c.Name, err)
	}
	// Customer names are lowercase letters, digits and dashes, so the bus
	// name is safe inside the JSON string.
	tmpl := `{"bus":"` + names.Bus(c.Name) + `","account":"<account>","region":"<region>","time":"<time>"}`
	return HeartbeatRule{
		Name:    names.HeartbeatRule,
		Pattern: string(pattern),
		Input: eventbridge.InputTransformer{
			Paths:    map[string]string{"account": "$.account", "region": "$.region", "time": "$.time"},
			Template: tmpl,
		},
	}, nil
}

// hubOnlyRules routes a hub-only detector: one rule per variant for the
// whole customer (its events carry the hub's account, not a member's, so
// there are no account groups), pinned to the hub's account so no member
// can send one, delivered to every destination the severity reaches and to
// the operator's alarm topic, whatever the customer's minimum severities.
func (cp *Customer) hubOnlyRules(c config.Customer, d detectors.Detector, hubAccount string) ([]Rule, error) {
	hub := accountGroup{match: []any{hubAccount}}
	var out []Rule
	for _, v := range d.VariantsAtLeast(detectors.Options{}, severity.Informational) {
		targets := append(cp.targetsFor(c, v), target{
			Target: Target{ID: string(OperatorTopic), Kind: OperatorTopic, Topic: names.AlarmTopic},
			format: messages.Email,
		})
		all, err := withContext(targets, c, d, v, accountGroup{})
		if err != nil {
			return nil, err
		}
		rules, err := chunkRules(d, v, hub, 0, 1, all)
		if err != nil {
			return nil, err
		}
		out = append(out, rules...)
	}
	return out, nil
}

// Heartbeat is the hub's heartbeat watch: one function, table and check
// for the whole hub, whatever the number of customers, accounts and regions.
type Heartbeat struct {
	FunctionName string
	TableName    string
	TableARN     string
	LogGroup     string
	LogGroupARN  string
	// DLQ takes what the check rule could not deliver and invocations that
	// failed every retry.
	DLQ Queue
	// CheckRule runs the check on the hub's default bus every
	// CheckSchedule.
	CheckRule, CheckRuleARN, CheckSchedule string
	// Trust is the function role's trust policy; Permissions its policy,
	// which names the hub key and so is built once the key's ARN is known.
	Trust       policy.Document
	Permissions func(keyARN string) policy.Document
	// MissingAfterHours, RemindEveryHours and ForgetAfterDays configure
	// the function.
	MissingAfterHours, RemindEveryHours, ForgetAfterDays int
	// Alarms watch the watcher.
	Alarms []HeartbeatAlarm
}

// HeartbeatAlarm is one alarm on the heartbeat watch itself.
type HeartbeatAlarm struct {
	Name, Description, Namespace, Metric, Statistic, Comparison, Missing string
	Dimensions                                                           map[string]string
	Period, Periods                                                      int
	Threshold                                                            float64
}

// heartbeatCheckSchedule runs the check hourly.
const heartbeatCheckSchedule = "rate(1 hour)"

// heartbeatForgetAfterDays is how long after it falls silent the hub stops
// reporting an account and region (a retired region should not page
// someone forever); it is added to missingAfterHours.
const heartbeatForgetAfterDays = 7

// ForgetAfterDays is when the function forgets a silent pair: a week after
// it would first have been reported.
func ForgetAfterDays(missingAfterHours int) int {
	return heartbeatForgetAfterDays + (missingAfterHours+23)/24
}

// newHeartbeat plans the hub's heartbeat watch. Per account and region
// there is one DynamoDB item, not an alarm: 500 accounts in 17 regions are
// 8,500 items costing cents, where an alarm each would cost $850 a month.
func newHeartbeat(acct names.Account, h *config.Hub) *Heartbeat {
	dlq := acct.QueueARN(names.HeartbeatDLQ)
	hb := &Heartbeat{
		FunctionName: names.HeartbeatFunction,
		TableName:    names.HeartbeatTable, TableARN: acct.TableARN(names.HeartbeatTable),
		LogGroup: names.HeartbeatLogGroup, LogGroupARN: acct.LogGroupARN(names.HeartbeatLogGroup),
		// The queue takes what the check rule could not deliver, and
		// (through the function's role) invocations that failed every
		// retry; the heartbeat rules of the customer buses dead-letter into
		// their bus's queue like every other rule there.
		DLQ: Queue{Name: names.HeartbeatDLQ, ARN: dlq,
			Policy: policy.QueuePolicy(acct, dlq, []string{acct.RuleARN("", names.HeartbeatCheckRule)})},
		CheckRule: names.HeartbeatCheckRule, CheckRuleARN: acct.RuleARN("", names.HeartbeatCheckRule), CheckSchedule: heartbeatCheckSchedule,
		Trust:             policy.LambdaTrustPolicy(),
		MissingAfterHours: h.Heartbeat.MissingAfterHours, RemindEveryHours: h.Heartbeat.RemindEveryHours,
		ForgetAfterDays: ForgetAfterDays(h.Heartbeat.MissingAfterHours),
	}
	hb.Alarms = heartbeatAlarms()
	return hb
}

// finish completes the plan once the customers' buses are known: the
// function reports silences on them.
func (hb *Heartbeat) finish(acct names.Account, customers []Customer) {
	var buses []string
	for _, c := range customers {
		buses = append(buses, c.Bus.ARN)
	}
	in := policy.HeartbeatFunctionInput{TableARN: hb.TableARN, BusARNs: buses, QueueARN: hb.DLQ.ARN, LogGroupARN: hb.LogGroupARN}
	hb.Permissions = func(keyARN string) policy.Document {
		withKey := in
		withKey.KeyARN = keyARN
		return policy.HeartbeatFunctionPolicy(acct, withKey)
	}
}

// heartbeatAlarms tell the operator when the watcher itself fails: an
// invocation that errors, an event it could not take, or a check that has
// not run for two hours (its rule disabled or deleted, or its target
// removed). The last watches the check rule's own invocations, not the
// function's: heartbeats invoke the function too, so its invocation count
// stays up while the check is gone (EventBridge User Guide, "Monitoring
// Amazon EventBridge": a rule of the default bus has the RuleName dimension
// alone, and Invocations is only sent when it is not zero, hence missing
// data is breaching).
func heartbeatAlarms() []HeartbeatAlarm {
	return []HeartbeatAlarm{
		{Name: names.HeartbeatAlarm("errors"), Description: "the heartbeat function failed: member silences may go unreported",
			Namespace: "AWS/Lambda", Metric: "Errors", Statistic: "Sum", Comparison: "GreaterThanThreshold", Missing: "notBreaching",
			Dimensions: map[string]string{"FunctionName": names.HeartbeatFunction}, Period: 300, Periods: 1, Threshold: 0},
		{Name: names.HeartbeatAlarm("not-running"), Description: "the heartbeat check (rule " + names.HeartbeatCheckRule + ") has not run for two hours: member silences go unreported",
			Namespace: "AWS/Events", Metric: "Invocations", Statistic: "Sum", Comparison: "LessThanThreshold", Missing: "breaching",
			Dimensions: map[string]string{"RuleName": names.HeartbeatCheckRule}, Period: 3600, Periods: 2, Threshold: 1},
		{Name: names.HeartbeatAlarm("dlq-depth"), Description: "heartbeats or checks could not be delivered to the heartbeat function and wait in " + names.HeartbeatDLQ,
			Namespace: "AWS/SQS", Metric: "ApproximateNumberOfMessagesVisible", Statistic: "Maximum", Comparison: "GreaterThanThreshold", Missing: "notBreaching",
			Dimensions: map[string]string{"QueueName": names.HeartbeatDLQ}, Period: 300, Periods: 1, Threshold: 0},
	}
}
