package plan

import (
	"fmt"
	"time"

	"secalerts/config"
	"secalerts/engine"
	"secalerts/names"
	"secalerts/policy"
)

// Function is the hub's delivery function: one for the whole hub, whatever
// the number of customers, accounts and destinations.
type Function struct {
	Name     string
	RoleName string
	Trust    policy.Document
	// Permissions is the role's policy; it names the two keys, whose ARNs
	// are known once they exist.
	Permissions func(hubKeyARN, operatorKeyARN string) policy.Document
	LogGroup    string
	// Table is its state: deliveries made, heartbeats heard.
	Table, TableARN string
	// DLQ takes its invocations that failed every retry.
	DLQ Queue
	// TickRule runs its periodic work every TickSchedule.
	TickRule, TickRuleARN, TickSchedule string
	// InvokedBy matches the ARNs of every rule allowed to invoke it: the
	// deliver rule of every customer bus and the tick rule. One
	// permission with a pattern keeps the function's resource policy the
	// same size for any number of customers (Lambda: 20 KB, fixed).
	InvokedBy string
	// Config is the document it reads (plan.json in its archive).
	Config *engine.Config
	// MaxAttempts and MaxEventAge bound Lambda's retries of a failed
	// invocation before it goes to DLQ.
	MaxAttempts int
	MaxEventAge time.Duration
	Alarms      []Alarm
}

// Alarm is a CloudWatch alarm on one metric, notifying the operator.
type Alarm struct {
	Name, Description                                 string
	Namespace, Metric, Statistic, Comparison, Missing string
	Dimensions                                        map[string]string
	Period, Periods                                   int
	Threshold                                         float64
}

// tickSchedule runs the function's periodic work (engine.Tick), which
// decides what is due at each tick.
var tickSchedule = fmt.Sprintf("rate(%d minutes)", int(engine.TickInterval/time.Minute))

// Retry settings of the function.
const (
	// maxRetries is Lambda's maximum for asynchronous invocations: a
	// destination that fails is tried three times over about three
	// minutes, then the event waits in the dead-letter queue.
	maxRetries  = 2
	maxEventAge = 6 * time.Hour
)

// heartbeatForgetAfterDays is how long after it falls silent the hub stops
// reporting a member rule (a retired region should not page someone
// forever); it is added to missingAfterMinutes.
const heartbeatForgetAfterDays = 7

// ForgetAfterDays is when the function forgets a silent member rule: a
// week after it would first have been reported.
func ForgetAfterDays(missingAfterMinutes int) int {
	const day = 24 * 60
	return heartbeatForgetAfterDays + (missingAfterMinutes+day-1)/day
}

// newFunction plans the delivery function of hub p.
func newFunction(acct names.Account, h *config.Hub, p *Hub) (Function, error) {
	dlq := acct.QueueARN(names.DeliveryDLQ)
	table := acct.TableARN(names.StateTable)
	logs := acct.LogGroupARN(names.DeliveryLogGroup)
	f := Function{
		Name: names.DeliveryFunction, RoleName: names.DeliveryFunction, Trust: policy.LambdaTrustPolicy(),
		LogGroup: names.DeliveryLogGroup, Table: names.StateTable, TableARN: table,
		// Lambda sends to an on-failure destination with the function's
		// role, so the queue needs no policy of its own.
		DLQ:      Queue{Name: names.DeliveryDLQ, ARN: dlq, DepthAlarm: names.QueueDepthAlarm(names.DeliveryDLQ)},
		TickRule: names.TickRule, TickRuleARN: acct.RuleARN("", names.TickRule), TickSchedule: tickSchedule,
		InvokedBy:   acct.RuleARN("", names.Prefix+"*"),
		MaxAttempts: maxRetries, MaxEventAge: maxEventAge,
	}
	f.Permissions = func(hubKey, operatorKey string) policy.Document {
		return policy.DeliveryFunctionPolicy(acct, policy.DeliveryFunctionInput{
			TableARN: table, QueueARN: dlq, LogGroupARN: logs, HubKeyARN: hubKey, OperatorKeyARN: operatorKey,
		})
	}
	cfg := &engine.Config{Hub: engine.Hub{Account: acct.ID, Region: acct.Region, Partition: acct.Partition, OperatorTopic: p.AlarmTopic.ARN}}
	if h.Heartbeat.Enabled {
		cfg.Heartbeat = &engine.HeartbeatSettings{MissingAfterMinutes: h.Heartbeat.MissingAfterMinutes,
			RemindEveryHours: h.Heartbeat.RemindEveryHours, ForgetAfterDays: ForgetAfterDays(h.Heartbeat.MissingAfterMinutes)}
	}
	for _, c := range p.Customers {
		ec := engine.Customer{Name: c.Name, OrganizationID: c.OrganizationID, Destinations: c.Destinations(), Quiet: c.Quiet}
		for _, a := range c.Accounts {
			ec.Accounts = append(ec.Accounts, engine.Account{ID: a.ID, Name: a.Name})
		}
		cfg.Customers = append(cfg.Customers, ec)
	}
	f.Config = cfg
	f.Alarms = functionAlarms(f.DLQ, p.BusDLQ)
	return f, nil
}

// functionAlarms tell the operator, through CloudWatch and the operator's
// own topic and key (never through the function), when delivery fails:
// the function erring or throttled, events it could not take or hand to
// its queue, events waiting in the queues, and the tick not running.
func functionAlarms(fnDLQ, busDLQ Queue) []Alarm {
	fn := map[string]string{"FunctionName": names.DeliveryFunction}
	sum := func(what, description, metric string, dims map[string]string) Alarm {
		return Alarm{Name: names.DeliveryAlarm(what), Description: description, Namespace: "AWS/Lambda", Metric: metric,
			Statistic: "Sum", Comparison: "GreaterThanThreshold", Missing: "notBreaching", Dimensions: dims, Period: 300, Periods: 1}
	}
	return []Alarm{
		sum("errors", "the delivery function failed: alerts are being retried, or wait in "+names.DeliveryDLQ, "Errors", fn),
		sum("throttles", "the delivery function was throttled: alerts are delayed", "Throttles", fn),
		// Lambda Developer Guide, "Working with asynchronous invocation
		// metrics": events dropped unprocessed, and events that could not
		// be handed to the on-failure destination.
		sum("dropped", "the delivery function dropped events without processing them", "AsyncEventsDropped", fn),
		sum("destination-failures", "the delivery function could not put failed events in "+names.DeliveryDLQ, "DestinationDeliveryFailures", fn),
		fnDLQ.Depth("alerts failed every retry of the delivery function and wait in " + names.DeliveryDLQ),
		busDLQ.Depth("events of a customer bus could not reach the delivery function and wait in " + names.BusDLQ),
		// EventBridge User Guide, "Monitoring Amazon EventBridge": a rule
		// of the default bus has the RuleName dimension alone, and
		// Invocations is only sent when it is not zero, hence missing
		// data is breaching.
		{Name: names.DeliveryAlarm("not-running"), Description: "rule " + names.TickRule + " has not run for two hours: member silences go unreported",
			Namespace: "AWS/Events", Metric: "Invocations", Statistic: "Sum", Comparison: "LessThanThreshold", Missing: "breaching",
			Dimensions: map[string]string{"RuleName": names.TickRule}, Period: 3600, Periods: 2, Threshold: 1},
	}
}
