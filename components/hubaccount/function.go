package hubaccount

import (
	"fmt"
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

// Settings of the delivery function.
const (
	// functionRuntime runs a Go binary named bootstrap (Lambda Developer
	// Guide, "Deploy Go Lambda functions with .zip file archives").
	functionRuntime      = "provided.al2023"
	functionArchitecture = "arm64"
	functionMemoryMB     = 256
	// functionTimeout leaves room for a slow webhook (each call has its
	// own 10-second limit) among several destinations.
	functionTimeoutSeconds = 60
	logRetentionDays       = 30
)

// newFunction creates the delivery function, its role, state table, log
// group, dead-letter queue, tick and alarms, and the one permission that
// lets every secalerts rule of the hub invoke it.
func newFunction(ctx *pulumi.Context, name string, p *plan.Hub, archive string, key, operatorKey *kms.Key,
	alarmTopic *sns.Topic, busDLQ *sqs.Queue, parent pulumi.ResourceOption) (*lambda.Function, error) {
	f := p.Function
	dlq, err := newQueue(ctx, name+"-delivery-dlq", f.DLQ, parent)
	if err != nil {
		return nil, err
	}
	// On-demand: the table is written once per delivery and heartbeat, and
	// nothing is paid while nothing happens. Point-in-time recovery keeps
	// what was sent and heard through an accident.
	table, err := dynamodb.NewTable(ctx, name+"-state", &dynamodb.TableArgs{
		Name:        pulumi.String(f.Table),
		BillingMode: pulumi.String("PAY_PER_REQUEST"),
		HashKey:     pulumi.String("pk"),
		RangeKey:    pulumi.String("sk"),
		Attributes: dynamodb.TableAttributeArray{
			&dynamodb.TableAttributeArgs{Name: pulumi.String("pk"), Type: pulumi.String("S")},
			&dynamodb.TableAttributeArgs{Name: pulumi.String("sk"), Type: pulumi.String("S")},
		},
		ServerSideEncryption: &dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(true), KmsKeyArn: key.Arn},
		Ttl:                  &dynamodb.TableTtlArgs{AttributeName: pulumi.String("expiresAt"), Enabled: pulumi.Bool(true)},
		PointInTimeRecovery:  &dynamodb.TablePointInTimeRecoveryArgs{Enabled: pulumi.Bool(true)},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the state table: %w", err)
	}
	logs, err := cloudwatch.NewLogGroup(ctx, name+"-delivery-logs", &cloudwatch.LogGroupArgs{
		Name: pulumi.String(f.LogGroup), RetentionInDays: pulumi.Int(logRetentionDays),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the delivery function's log group: %w", err)
	}
	trust, err := f.Trust.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the delivery function's trust policy: %w", err)
	}
	perms := pulumi.All(key.Arn, operatorKey.Arn).ApplyT(func(v []any) (string, error) {
		return f.Permissions(v[0].(string), v[1].(string)).JSON()
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, name+"-delivery-role", &iam.RoleArgs{
		Name:             pulumi.String(f.RoleName),
		Description:      pulumi.String("secalerts: the delivery function routes and delivers alerts, nothing else"),
		AssumeRolePolicy: pulumi.String(trust),
		InlinePolicies:   iam.RoleInlinePolicyArray{&iam.RoleInlinePolicyArgs{Name: pulumi.String("delivery"), Policy: perms}},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the delivery function's role: %w", err)
	}
	fn, err := lambda.NewFunction(ctx, name+"-delivery", &lambda.FunctionArgs{
		Name:          pulumi.String(f.Name),
		Description:   pulumi.String("secalerts: routes, renders and delivers every alert; watches the members' heartbeats"),
		Runtime:       pulumi.String(functionRuntime),
		Architectures: pulumi.StringArray{pulumi.String(functionArchitecture)},
		Handler:       pulumi.String("bootstrap"),
		Code:          pulumi.NewFileArchive(archive),
		Role:          role.Arn,
		MemorySize:    pulumi.Int(functionMemoryMB),
		Timeout:       pulumi.Int(functionTimeoutSeconds),
		Environment: &lambda.FunctionEnvironmentArgs{Variables: pulumi.StringMap{
			"SECALERTS_TABLE": pulumi.String(f.Table),
		}},
	}, parent, pulumi.DependsOn([]pulumi.Resource{logs, table}))
	if err != nil {
		return nil, fmt.Errorf("creating the delivery function: %w", err)
	}
	// EventBridge invokes the function asynchronously: Lambda retries a
	// failed invocation, then hands it to the dead-letter queue (Lambda
	// Developer Guide, "How Lambda handles errors and retries with
	// asynchronous invocation").
	if _, err := lambda.NewFunctionEventInvokeConfig(ctx, name+"-delivery-retries", &lambda.FunctionEventInvokeConfigArgs{
		FunctionName:             fn.Name,
		MaximumRetryAttempts:     pulumi.Int(f.MaxAttempts),
		MaximumEventAgeInSeconds: pulumi.Int(int(f.MaxEventAge.Seconds())),
		DestinationConfig: &lambda.FunctionEventInvokeConfigDestinationConfigArgs{
			OnFailure: &lambda.FunctionEventInvokeConfigDestinationConfigOnFailureArgs{Destination: dlq.Arn},
		},
	}, parent); err != nil {
		return nil, fmt.Errorf("configuring the delivery function's retries: %w", err)
	}
	// Lambda's resource policy: EventBridge may invoke the function for the
	// secalerts rules of this account only (Lambda Developer Guide,
	// "Working with resource-based IAM policies": SourceArn is compared as
	// a pattern, and SourceAccount pins the account).
	if _, err := lambda.NewPermission(ctx, name+"-delivery-invoke", &lambda.PermissionArgs{
		Action:        pulumi.String("lambda:InvokeFunction"),
		Function:      fn.Name,
		Principal:     pulumi.String("events.amazonaws.com"),
		SourceArn:     pulumi.String(f.InvokedBy),
		SourceAccount: pulumi.String(p.Account.ID),
	}, parent); err != nil {
		return nil, fmt.Errorf("letting the secalerts rules invoke the delivery function: %w", err)
	}
	tick, err := cloudwatch.NewEventRule(ctx, name+"-tick", &cloudwatch.EventRuleArgs{
		Name:               pulumi.String(f.TickRule),
		Description:        pulumi.String("secalerts: runs the delivery function's periodic work (the heartbeat check)"),
		ScheduleExpression: pulumi.String(f.TickSchedule),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the tick rule: %w", err)
	}
	if _, err := cloudwatch.NewEventTarget(ctx, name+"-tick-target", &cloudwatch.EventTargetArgs{
		Rule:             tick.Name,
		TargetId:         pulumi.String("delivery"),
		Arn:              fn.Arn,
		Input:            pulumi.String(`{"tick":true}`),
		RetryPolicy:      delivery.RetryPolicy(),
		DeadLetterConfig: &cloudwatch.EventTargetDeadLetterConfigArgs{Arn: busDLQ.Arn},
	}, parent); err != nil {
		return nil, fmt.Errorf("creating the tick target: %w", err)
	}
	actions := pulumi.Array{alarmTopic.Arn}
	for _, a := range f.Alarms {
		if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-"+strings.TrimPrefix(a.Name, names.Prefix), delivery.MetricAlarm(a, actions), parent); err != nil {
			return nil, fmt.Errorf("creating alarm %s: %w", a.Name, err)
		}
	}
	return fn, nil
}
