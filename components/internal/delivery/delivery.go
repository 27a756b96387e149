// Package delivery holds what the hub's and the members' EventBridge
// targets share so that nothing is lost silently: the retry budget, the
// dead-letter queue's retention and the alarm on its depth.
package delivery

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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

// QueueDepthAlarm goes to ALARM as soon as one message waits in the
// dead-letter queue named queue, and back to OK once it is empty; actions
// (none on members, whose alarm state change is itself a forwarded event)
// are notified of both.
func QueueDepthAlarm(alarm, queue, description string, actions pulumi.Array) *cloudwatch.MetricAlarmArgs {
	args := &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(alarm),
		AlarmDescription:   pulumi.String(description),
		Namespace:          pulumi.String("AWS/SQS"),
		MetricName:         pulumi.String("ApproximateNumberOfMessagesVisible"),
		Dimensions:         pulumi.StringMap{"QueueName": pulumi.String(queue)},
		Statistic:          pulumi.String("Maximum"),
		Period:             pulumi.Int(300),
		EvaluationPeriods:  pulumi.Int(1),
		Threshold:          pulumi.Float64(0),
		ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		TreatMissingData:   pulumi.String("notBreaching"),
	}
	if len(actions) > 0 {
		args.AlarmActions, args.OkActions = actions, actions
	}
	return args
}
