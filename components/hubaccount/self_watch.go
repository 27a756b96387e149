package hubaccount

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/internal/delivery"
	"secalerts/names"
	"secalerts/plan"
)

// newSelfWatch creates the hub's watch over itself: its rules on the
// default bus of the hub region, each sending the matched event as it is
// (no input transformer: the event is the message) to the operator's
// topic, with the retry budget and the bus dead-letter queue; and, for the
// rules of another region, the relay role, the rule there sending to the
// hub region's default bus, its own dead-letter queue and the queue's
// alarm. providers are those of the regions other than the hub's.
func newSelfWatch(ctx *pulumi.Context, name string, w *plan.SelfWatch, key, operatorKey *kms.Key, topic *sns.Topic, busDLQ *sqs.Queue,
	providers map[string]*aws.Provider, parent pulumi.ResourceOption) error {
	var relayRole *iam.Role
	var relayDLQ *sqs.Queue
	if r := w.Relay; r != nil {
		inRelayRegion := []pulumi.ResourceOption{parent, pulumi.Provider(providers[r.Region])}
		trust, err := r.Trust.JSON()
		if err != nil {
			return fmt.Errorf("building the relay role's trust policy: %w", err)
		}
		perms, err := r.Permissions.JSON()
		if err != nil {
			return fmt.Errorf("building the relay role's policy: %w", err)
		}
		// IAM is global: the role is made with the hub's provider.
		if relayRole, err = iam.NewRole(ctx, name+"-watch-relay", &iam.RoleArgs{
			Name:             pulumi.String(r.RoleName),
			Description:      pulumi.String("secalerts: the watch rules of " + r.Region + " put what they match on the hub region's default bus, nothing else"),
			AssumeRolePolicy: pulumi.String(trust),
			InlinePolicies:   iam.RoleInlinePolicyArray{&iam.RoleInlinePolicyArgs{Name: pulumi.String("relay"), Policy: pulumi.String(perms)}},
		}, parent); err != nil {
			return fmt.Errorf("creating the relay role: %w", err)
		}
		if relayDLQ, err = newQueue(ctx, name+"-watch-dlq-"+r.Region, r.DLQ, inRelayRegion...); err != nil {
			return err
		}
		// No action: an alarm notifies topics of its own region; its state
		// change travels with the relayed rule's events.
		if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-watch-dlq-depth-"+r.Region, delivery.MetricAlarm(r.Alarm, nil), inRelayRegion...); err != nil {
			return fmt.Errorf("creating alarm %s: %w", r.Alarm.Name, err)
		}
	}
	for _, rule := range w.Rules {
		res := name + "-" + strings.TrimPrefix(rule.Name, names.Prefix)
		opts := []pulumi.ResourceOption{parent}
		target := &cloudwatch.EventTargetArgs{
			TargetId:         pulumi.String("operator"),
			Arn:              topic.Arn,
			RetryPolicy:      delivery.RetryPolicy(),
			DeadLetterConfig: &cloudwatch.EventTargetDeadLetterConfigArgs{Arn: busDLQ.Arn},
		}
		if rule.Relays {
			if relayRole == nil || providers[rule.Region] == nil {
				return fmt.Errorf("creating watch rule %s in %s: the plan relays it, but there is no relay or no provider for %s", rule.Name, rule.Region, rule.Region)
			}
			res += "-" + rule.Region
			opts = append(opts, pulumi.Provider(providers[rule.Region]))
			target = &cloudwatch.EventTargetArgs{
				TargetId:         pulumi.String("relay"),
				Arn:              pulumi.String(rule.Target),
				RoleArn:          relayRole.Arn,
				RetryPolicy:      delivery.RetryPolicy(),
				DeadLetterConfig: &cloudwatch.EventTargetDeadLetterConfigArgs{Arn: relayDLQ.Arn},
			}
		}
		pattern := pulumi.All(key.Arn, operatorKey.Arn).ApplyT(func(v []any) (string, error) {
			return rule.Pattern(v[0].(string), v[1].(string))
		}).(pulumi.StringOutput)
		r, err := cloudwatch.NewEventRule(ctx, res, &cloudwatch.EventRuleArgs{
			Name:         pulumi.String(rule.Name),
			Description:  pulumi.String(rule.Description),
			EventPattern: pattern,
		}, opts...)
		if err != nil {
			return fmt.Errorf("creating watch rule %s in %s: %w", rule.Name, rule.Region, err)
		}
		target.Rule = r.Name
		if _, err := cloudwatch.NewEventTarget(ctx, res+"-target", target, opts...); err != nil {
			return fmt.Errorf("creating the target of watch rule %s in %s: %w", rule.Name, rule.Region, err)
		}
	}
	return nil
}
