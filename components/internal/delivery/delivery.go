// Package delivery holds what the hub's and the members' resources share so
// that nothing is lost silently: the retry budget of EventBridge targets,
// the dead-letter queues' retention and the alarms the plans describe.
package delivery

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/plan"
)

// DLQRetentionSeconds is SQS's maximum, 14 days, to give the operator time
// to redrive.
const DLQRetentionSeconds = 1209600

// RetryPolicy is EventBridge's maximum retry budget (24 hours, 185
// attempts), so an outage of a destination or of the hub delays alerts
// instead of dropping them; what still fails lands in the dead-letter queue.
func RetryPolicy() *cloudwatch.EventTargetRetryPolicyArgs {
	return &cloudwatch.EventTargetRetryPolicyArgs{
		MaximumEventAgeInSeconds: pulumi.Int(86400),
		MaximumRetryAttempts:     pulumi.Int(185),
	}
}

// MetricAlarm is the alarm a plan describes; actions (none on members,
// whose alarm state change is itself a forwarded event) are notified of
// ALARM and of OK.
func MetricAlarm(a plan.Alarm, actions pulumi.Array) *cloudwatch.MetricAlarmArgs {
	args := &cloudwatch.MetricAlarmArgs{
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
	}
	if len(actions) > 0 {
		args.AlarmActions, args.OkActions = actions, actions
	}
	return args
}
