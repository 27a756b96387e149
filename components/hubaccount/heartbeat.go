package hubaccount

import (
	_ "embed"
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/internal/delivery"
	"secalerts/config"
	"secalerts/detectors"
	"secalerts/policy"
	"secalerts/routing"
)

// heartbeatSource is the function's code, tested offline by
// heartbeat_function_test.py.
//
//go:embed heartbeat_function.py
var heartbeatSource string

// Names of the heartbeat's resources: one set per hub, whatever the number
// of customers, accounts and regions.
const (
	HeartbeatFunctionName = detectors.ResourcePrefix + "heartbeat"
	HeartbeatTableName    = detectors.ResourcePrefix + "heartbeats"
	HeartbeatDLQName      = detectors.ResourcePrefix + "heartbeat-dlq"
	// HeartbeatCheckRuleName runs the hourly check on the hub's default bus.
	HeartbeatCheckRuleName = detectors.ResourcePrefix + "heartbeat-check"
	heartbeatCheckSchedule = "rate(1 hour)"
	heartbeatLogGroup      = "/aws/lambda/" + HeartbeatFunctionName
	// heartbeatLogRetentionDays keeps the function's logs for a month.
	heartbeatLogRetentionDays = 30
	// heartbeatForgetAfterDays is how long after it falls silent the hub
	// stops reporting an account and region (a retired region should not
	// page someone forever); the function adds it to missingAfterHours.
	heartbeatForgetAfterDays = 7
)

// heartbeat is the hub's heartbeat function and what every customer's
// heartbeat rule needs of it.
type heartbeat struct {
	function *lambda.Function
}

// forgetAfterDays is when the function forgets a silent pair: a week after
// it would first have been reported.
func forgetAfterDays(missingAfterHours int) int {
	return heartbeatForgetAfterDays + (missingAfterHours+23)/24
}

// newHeartbeat creates the function that records the members' heartbeats
// and reports silences, once for the hub. Per account and region there is
// one DynamoDB item, not an alarm: 500 accounts in 17 regions are 8,500
// items costing cents, where an alarm each would cost $850 a month.
func newHeartbeat(ctx *pulumi.Context, name string, acct policy.Account, cfg *config.Hub, plans []routing.Plan,
	key *kms.Key, alarmTopic *sns.Topic, parent pulumi.ResourceOption) (*heartbeat, error) {
	tableARN := arn(acct, "dynamodb", "table/"+HeartbeatTableName)
	dlqARN := arn(acct, "sqs", HeartbeatDLQName)
	var busARNs []string
	for _, p := range plans {
		busARNs = append(busARNs, arn(acct, "events", "event-bus/"+p.BusName))
	}

	// The queue takes what the check rule could not deliver, and (through
	// the function's role) invocations that failed every retry; the
	// heartbeat rules of the customer buses dead-letter into their bus's
	// queue like every other rule there.
	queuePolicy, err := policy.QueuePolicy(acct, dlqARN, []string{arn(acct, "events", "rule/"+HeartbeatCheckRuleName)}).JSON()
	if err != nil {
		return nil, fmt.Errorf("building the heartbeat dead-letter queue policy: %w", err)
	}
	dlq, err := sqs.NewQueue(ctx, name+"-heartbeat-dlq", &sqs.QueueArgs{
		Name:                         pulumi.String(HeartbeatDLQName),
		KmsMasterKeyId:               key.Arn,
		KmsDataKeyReusePeriodSeconds: pulumi.Int(300),
		MessageRetentionSeconds:      pulumi.Int(delivery.DLQRetentionSeconds),
		Policy:                       pulumi.String(queuePolicy),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the heartbeat dead-letter queue: %w", err)
	}

	// On-demand: a few thousand small writes an hour never justify
	// provisioned capacity, and nothing is paid while nothing happens.
	table, err := dynamodb.NewTable(ctx, name+"-heartbeats", &dynamodb.TableArgs{
		Name:        pulumi.String(HeartbeatTableName),
		BillingMode: pulumi.String("PAY_PER_REQUEST"),
		HashKey:     pulumi.String("pk"),
		Attributes:  dynamodb.TableAttributeArray{&dynamodb.TableAttributeArgs{Name: pulumi.String("pk"), Type: pulumi.String("S")}},
		ServerSideEncryption: &dynamodb.TableServerSideEncryptionArgs{
			Enabled: pulumi.Bool(true), KmsKeyArn: key.Arn,
		},
		Ttl: &dynamodb.TableTtlArgs{AttributeName: pulumi.String("expiresAt"), Enabled: pulumi.Bool(true)},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the heartbeat table: %w", err)
	}

	logs, err := cloudwatch.NewLogGroup(ctx, name+"-heartbeat-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(heartbeatLogGroup),
		RetentionInDays: pulumi.Int(heartbeatLogRetentionDays),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the heartbeat log group: %w", err)
	}

	trust, err := policy.LambdaTrustPolicy().JSON()
	if err != nil {
		return nil, fmt.Errorf("building the heartbeat function's trust policy: %w", err)
	}
	perms := key.Arn.ApplyT(func(keyARN string) (string, error) {
		return policy.HeartbeatFunctionPolicy(acct, policy.HeartbeatFunctionInput{
			TableARN: tableARN, BusARNs: busARNs, QueueARN: dlqARN, KeyARN: keyARN,
			LogGroupARN: arn(acct, "logs", "log-group:"+heartbeatLogGroup),
		}).JSON()
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, name+"-heartbeat-role", &iam.RoleArgs{
		Name:             pulumi.String(HeartbeatFunctionName),
		Description:      pulumi.String("secalerts: the heartbeat function records member heartbeats and reports silences, nothing else"),
		AssumeRolePolicy: pulumi.String(trust),
		InlinePolicies: iam.RoleInlinePolicyArray{&iam.RoleInlinePolicyArgs{
			Name: pulumi.String("heartbeat"), Policy: perms,
		}},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the heartbeat function's role: %w", err)
	}

	fn, err := lambda.NewFunction(ctx, name+"-heartbeat", &lambda.FunctionArgs{
		Name:        pulumi.String(HeartbeatFunctionName),
		Description: pulumi.String("secalerts: records member heartbeats and reports accounts and regions gone silent"),
		Runtime:     pulumi.String("python3.12"),
		Handler:     pulumi.String("heartbeat_function.handler"),
		Code: pulumi.NewAssetArchive(map[string]any{
			"heartbeat_function.py": pulumi.NewStringAsset(heartbeatSource),
		}),
		Role:       role.Arn,
		MemorySize: pulumi.Int(128),
		// A check scans the table and puts up to 10 reports a call; a
		// minute is room for thousands of silent pairs.
		Timeout: pulumi.Int(60),
		Environment: &lambda.FunctionEnvironmentArgs{Variables: pulumi.StringMap{
			"TABLE_NAME":          pulumi.String(HeartbeatTableName),
			"MISSING_AFTER_HOURS": pulumi.String(strconv.Itoa(cfg.Heartbeat.MissingAfterHours)),
			"FORGET_AFTER_DAYS":   pulumi.String(strconv.Itoa(forgetAfterDays(cfg.Heartbeat.MissingAfterHours))),
			"REMIND_EVERY_HOURS":  pulumi.String(strconv.Itoa(cfg.Heartbeat.RemindEveryHours)),
		}},
		DeadLetterConfig: &lambda.FunctionDeadLetterConfigArgs{TargetArn: dlq.Arn},
	}, parent, pulumi.DependsOn([]pulumi.Resource{logs, table}))
	if err != nil {
		return nil, fmt.Errorf("creating the heartbeat function: %w", err)
	}
	hb := &heartbeat{function: fn}

	// The hourly check: a schedule rule lives on the default bus.
	check, err := cloudwatch.NewEventRule(ctx, name+"-heartbeat-check", &cloudwatch.EventRuleArgs{
		Name:               pulumi.String(HeartbeatCheckRuleName),
		Description:        pulumi.String("secalerts: looks every hour for member accounts and regions gone silent"),
		ScheduleExpression: pulumi.String(heartbeatCheckSchedule),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the heartbeat check rule: %w", err)
	}
	if err := hb.target(ctx, name+"-heartbeat-check", check, "", `{"check":true}`, nil, dlq, acct, parent); err != nil {
		return nil, err
	}
	if err := newHeartbeatAlarms(ctx, name, alarmTopic, parent); err != nil {
		return nil, err
	}
	return hb, nil
}

// target points rule at the function, with input or inputTransformer, the
// same retry budget and dead-letter queue as every other target, and the
// function's permission for exactly that rule.
func (hb *heartbeat) target(ctx *pulumi.Context, resName string, rule *cloudwatch.EventRule, busName string,
	input string, transformer *cloudwatch.EventTargetInputTransformerArgs, dlq *sqs.Queue, acct policy.Account, opts ...pulumi.ResourceOption) error {
	args := &cloudwatch.EventTargetArgs{
		Rule:             rule.Name,
		TargetId:         pulumi.String("heartbeat"),
		Arn:              hb.function.Arn,
		RetryPolicy:      delivery.RetryPolicy(),
		DeadLetterConfig: &cloudwatch.EventTargetDeadLetterConfigArgs{Arn: dlq.Arn},
	}
	if busName != "" {
		args.EventBusName = pulumi.String(busName)
	}
	if input != "" {
		args.Input = pulumi.String(input)
	}
	if transformer != nil {
		args.InputTransformer = transformer
	}
	if _, err := cloudwatch.NewEventTarget(ctx, resName+"-target", args, opts...); err != nil {
		return fmt.Errorf("creating the heartbeat target of %s: %w", resName, err)
	}
	// Lambda's resource policy: EventBridge may invoke the function for
	// this rule of this account only (Lambda Developer Guide, "Working
	// with resource-based IAM policies": SourceArn and SourceAccount).
	if _, err := lambda.NewPermission(ctx, resName+"-invoke", &lambda.PermissionArgs{
		Action:        pulumi.String("lambda:InvokeFunction"),
		Function:      hb.function.Name,
		Principal:     pulumi.String("events.amazonaws.com"),
		SourceArn:     rule.Arn,
		SourceAccount: pulumi.String(acct.ID),
	}, opts...); err != nil {
		return fmt.Errorf("letting %s invoke the heartbeat function: %w", resName, err)
	}
	return nil
}

// newCustomerHeartbeat creates the rule that hands the heartbeats arriving
// on a customer's bus to the function; what it cannot deliver goes to the
// bus's dead-letter queue, dlq.
func (hb *heartbeat) newCustomerHeartbeat(ctx *pulumi.Context, prefix string, acct policy.Account, plan routing.Plan, dlq *sqs.Queue, opts ...pulumi.ResourceOption) error {
	h := plan.Heartbeat
	rule, err := cloudwatch.NewEventRule(ctx, prefix+"-heartbeat", &cloudwatch.EventRuleArgs{
		Name:         pulumi.String(h.Name),
		EventBusName: pulumi.String(plan.BusName),
		Description:  pulumi.String("secalerts: records the heartbeats of customer " + plan.Customer + "'s accounts and regions"),
		EventPattern: pulumi.String(h.Pattern),
	}, opts...)
	if err != nil {
		return fmt.Errorf("creating the heartbeat rule of %s: %w", plan.Customer, err)
	}
	return hb.target(ctx, prefix+"-heartbeat", rule, plan.BusName, "", &cloudwatch.EventTargetInputTransformerArgs{
		InputPaths:    pulumi.ToStringMap(h.Input.Paths),
		InputTemplate: pulumi.String(h.Input.Template),
	}, dlq, acct, opts...)
}

// newHeartbeatAlarms tell the operator when the watcher itself fails: an
// invocation that errors, an event it could not take, or a check that has
// not run for two hours (its rule disabled or deleted, or its target
// removed). The last watches the check rule's own invocations, not the
// function's: heartbeats invoke the function too, so its invocation count
// stays up while the check is gone (EventBridge User Guide, "Monitoring
// Amazon EventBridge": a rule of the default bus has the RuleName dimension
// alone, and Invocations is only sent when it is not zero, hence missing
// data is breaching).
func newHeartbeatAlarms(ctx *pulumi.Context, name string, topic *sns.Topic, parent pulumi.ResourceOption) error {
	actions := pulumi.Array{topic.Arn}
	for _, a := range []struct {
		suffix, description, namespace, metric, statistic, comparison, missing string
		dimensions                                                             pulumi.StringMap
		period, periods                                                        int
		threshold                                                              float64
	}{
		{"errors", "the heartbeat function failed: member silences may go unreported", "AWS/Lambda", "Errors", "Sum",
			"GreaterThanThreshold", "notBreaching", pulumi.StringMap{"FunctionName": pulumi.String(HeartbeatFunctionName)}, 300, 1, 0},
		{"not-running", "the heartbeat check (rule " + HeartbeatCheckRuleName + ") has not run for two hours: member silences go unreported", "AWS/Events", "Invocations", "Sum",
			"LessThanThreshold", "breaching", pulumi.StringMap{"RuleName": pulumi.String(HeartbeatCheckRuleName)}, 3600, 2, 1},
		{"dlq-depth", "heartbeats or checks could not be delivered to the heartbeat function and wait in " + HeartbeatDLQName, "AWS/SQS",
			"ApproximateNumberOfMessagesVisible", "Maximum", "GreaterThanThreshold", "notBreaching",
			pulumi.StringMap{"QueueName": pulumi.String(HeartbeatDLQName)}, 300, 1, 0},
	} {
		if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-heartbeat-"+a.suffix, &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(HeartbeatFunctionName + "-" + a.suffix),
			AlarmDescription:   pulumi.String("secalerts: " + a.description),
			Namespace:          pulumi.String(a.namespace),
			MetricName:         pulumi.String(a.metric),
			Dimensions:         a.dimensions,
			Statistic:          pulumi.String(a.statistic),
			Period:             pulumi.Int(a.period),
			EvaluationPeriods:  pulumi.Int(a.periods),
			Threshold:          pulumi.Float64(a.threshold),
			ComparisonOperator: pulumi.String(a.comparison),
			TreatMissingData:   pulumi.String(a.missing),
			AlarmActions:       actions,
			OkActions:          actions,
		}, parent); err != nil {
			return fmt.Errorf("creating the heartbeat %s alarm: %w", a.suffix, err)
		}
	}
	return nil
}
