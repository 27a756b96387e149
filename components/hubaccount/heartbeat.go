package hubaccount

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/internal/delivery"
	"secalerts/names"
	"secalerts/plan"
)

// heartbeatSource is the function's code, tested offline by
// heartbeat_function_test.py.
//
//go:embed heartbeat_function.py
var heartbeatSource string

// heartbeatLogRetentionDays keeps the function's logs for a month.
const heartbeatLogRetentionDays = 30

// heartbeat is the hub's heartbeat function and what every customer's
// heartbeat rule needs of it.
type heartbeat struct {
	function *lambda.Function
}

// newHeartbeat creates the function that records the members' heartbeats
// and reports silences, once for the hub.
func newHeartbeat(ctx *pulumi.Context, name string, acct names.Account, p *plan.Heartbeat,
	key *kms.Key, alarmTopic *sns.Topic, parent pulumi.ResourceOption) (*heartbeat, error) {
	queuePolicy, err := p.DLQ.Policy.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the heartbeat dead-letter queue policy: %w", err)
	}
	dlq, err := sqs.NewQueue(ctx, name+"-heartbeat-dlq", &sqs.QueueArgs{
		Name:                         pulumi.String(p.DLQ.Name),
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
		Name:        pulumi.String(p.TableName),
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
		Name:            pulumi.String(p.LogGroup),
		RetentionInDays: pulumi.Int(heartbeatLogRetentionDays),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the heartbeat log group: %w", err)
	}

	trust, err := p.Trust.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the heartbeat function's trust policy: %w", err)
	}
	perms := key.Arn.ApplyT(func(keyARN string) (string, error) {
		return p.Permissions(keyARN).JSON()
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, name+"-heartbeat-role", &iam.RoleArgs{
		Name:             pulumi.String(p.FunctionName),
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
		Name:        pulumi.String(p.FunctionName),
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
			"TABLE_NAME":          pulumi.String(p.TableName),
			"MISSING_AFTER_HOURS": pulumi.String(strconv.Itoa(p.MissingAfterHours)),
			"FORGET_AFTER_DAYS":   pulumi.String(strconv.Itoa(p.ForgetAfterDays)),
			"REMIND_EVERY_HOURS":  pulumi.String(strconv.Itoa(p.RemindEveryHours)),
		}},
		DeadLetterConfig: &lambda.FunctionDeadLetterConfigArgs{TargetArn: dlq.Arn},
	}, parent, pulumi.DependsOn([]pulumi.Resource{logs, table}))
	if err != nil {
		return nil, fmt.Errorf("creating the heartbeat function: %w", err)
	}
	hb := &heartbeat{function: fn}

	// The hourly check: a schedule rule lives on the default bus.
	check, err := cloudwatch.NewEventRule(ctx, name+"-heartbeat-check", &cloudwatch.EventRuleArgs{
		Name:               pulumi.String(p.CheckRule),
		Description:        pulumi.String("secalerts: looks every hour for member accounts and regions gone silent"),
		ScheduleExpression: pulumi.String(p.CheckSchedule),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the heartbeat check rule: %w", err)
	}
	if err := hb.target(ctx, name+"-heartbeat-check", check, "", `{"check":true}`, nil, dlq, acct, parent); err != nil {
		return nil, err
	}
	if err := newHeartbeatAlarms(ctx, name, p.Alarms, alarmTopic, parent); err != nil {
		return nil, err
	}
	return hb, nil
}

// target points rule at the function, with input or inputTransformer, the
// same retry budget and dead-letter queue as every other target, and the
// function's permission for exactly that rule.
func (hb *heartbeat) target(ctx *pulumi.Context, resName string, rule *cloudwatch.EventRule, busName string,
	input string, transformer *cloudwatch.EventTargetInputTransformerArgs, dlq *sqs.Queue, acct names.Account, opts ...pulumi.ResourceOption) error {
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
func (hb *heartbeat) newCustomerHeartbeat(ctx *pulumi.Context, prefix string, acct names.Account, c plan.Customer, dlq *sqs.Queue, opts ...pulumi.ResourceOption) error {
	h := c.Heartbeat
	rule, err := cloudwatch.NewEventRule(ctx, prefix+"-heartbeat", &cloudwatch.EventRuleArgs{
		Name:         pulumi.String(h.Name),
		EventBusName: pulumi.String(c.Bus.Name),
		Description:  pulumi.String("secalerts: records the heartbeats of customer " + c.Name + "'s accounts and regions"),
		EventPattern: pulumi.String(h.Pattern),
	}, opts...)
	if err != nil {
		return fmt.Errorf("creating the heartbeat rule of %s: %w", c.Name, err)
	}
	return hb.target(ctx, prefix+"-heartbeat", rule, c.Bus.Name, "", &cloudwatch.EventTargetInputTransformerArgs{
		InputPaths:    pulumi.ToStringMap(h.Input.Paths),
		InputTemplate: pulumi.String(h.Input.Template),
	}, dlq, acct, opts...)
}

// newHeartbeatAlarms creates the alarms on the heartbeat watch itself.
func newHeartbeatAlarms(ctx *pulumi.Context, name string, alarms []plan.HeartbeatAlarm, topic *sns.Topic, parent pulumi.ResourceOption) error {
	actions := pulumi.Array{topic.Arn}
	for _, a := range alarms {
		suffix := strings.TrimPrefix(a.Name, names.HeartbeatAlarm(""))
		if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-heartbeat-"+suffix, &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(a.Name),
			AlarmDescription:   pulumi.String("secalerts: " + a.Description),
			Namespace:          pulumi.String(a.Namespace),
			MetricName:         pulumi.String(a.Metric),
			Dimensions:         pulumi.ToStringMap(a.Dimensions),
			Statistic:          pulumi.String(a.Statistic),
			Period:             pulumi.Int(a.Period),
			EvaluationPeriods:  pulumi.Int(a.Periods),
			Threshold:          pulumi.Float64(a.Threshold),
			ComparisonOperator: pulumi.String(a.Comparison),
			TreatMissingData:   pulumi.String(a.Missing),
			AlarmActions:       actions,
			OkActions:          actions,
		}, parent); err != nil {
			return fmt.Errorf("creating the heartbeat %s alarm: %w", suffix, err)
		}
	}
	return nil
}
