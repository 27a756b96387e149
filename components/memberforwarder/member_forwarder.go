// Package memberforwarder is the MemberForwarder component: in every
// covered region of a member account, rules on the default bus that let
// through only the catalogue's security events and forward them, with a
// narrowly scoped role, to the customer's bus in the hub.
package memberforwarder

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/internal/delivery"
	"secalerts/names"
	"secalerts/plan"
)

// Type is the component's type token. Never change it.
const Type = "secalerts:index:MemberForwarder"

// MemberForwarderArgs are plain values but for the hub bus ARN, which may
// come from the hub stack's outputs.
type MemberForwarderArgs struct {
	// Plan is the member's plan (plan.NewMember).
	Plan *plan.Member
	// HubBusArn is the customer's bus in the hub.
	HubBusArn pulumi.StringInput
	// Providers has one explicit provider per region of the plan.
	Providers map[string]*aws.Provider
}

// MemberForwarder is the deployed forwarding of one member account.
type MemberForwarder struct {
	pulumi.ResourceState

	RoleArn pulumi.StringOutput `pulumi:"roleArn"`
	// RuleCounts is the number of forwarding rules per region.
	RuleCounts pulumi.IntMapOutput `pulumi:"ruleCounts"`
}

// NewMemberForwarder creates the role and every region's rules.
func NewMemberForwarder(ctx *pulumi.Context, name string, args *MemberForwarderArgs, opts ...pulumi.ResourceOption) (*MemberForwarder, error) {
	if args == nil || args.Plan == nil || args.HubBusArn == nil || len(args.Plan.Regions) == 0 {
		return nil, fmt.Errorf("creating member forwarder %s: a plan with at least one region and a hub bus ARN are required", name)
	}
	p := args.Plan
	for _, r := range p.Regions {
		if args.Providers[r.Account.Region] == nil {
			return nil, fmt.Errorf("creating member forwarder %s: no provider for region %s", name, r.Account.Region)
		}
	}
	home := args.Providers[p.Account.Region]
	if home == nil {
		return nil, fmt.Errorf("creating member forwarder %s: no provider for the home region %s", name, p.Account.Region)
	}
	f := &MemberForwarder{}
	if err := ctx.RegisterComponentResource(Type, name, f, opts...); err != nil {
		return nil, fmt.Errorf("registering member forwarder %s: %w", name, err)
	}
	parent := pulumi.Parent(f)

	trust, err := p.Role.Trust.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the forwarding role's trust policy: %w", err)
	}
	putEvents := args.HubBusArn.ToStringOutput().ApplyT(func(bus string) (string, error) {
		return p.Role.Policy(bus).JSON()
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Name:             pulumi.String(p.Role.Name),
		Description:      pulumi.String("secalerts: lets this account's rules put security events to the hub bus, nothing else"),
		AssumeRolePolicy: pulumi.String(trust),
		InlinePolicies: iam.RoleInlinePolicyArray{&iam.RoleInlinePolicyArgs{
			Name: pulumi.String("put-events-to-hub"), Policy: putEvents,
		}},
	}, parent, pulumi.Provider(home))
	if err != nil {
		return nil, fmt.Errorf("creating the forwarding role: %w", err)
	}

	counts := pulumi.IntMap{}
	for _, r := range p.Regions {
		region := r.Account.Region
		if err := newRegion(ctx, name+"-"+region, r, args.HubBusArn, role, parent, pulumi.Provider(args.Providers[region])); err != nil {
			return nil, fmt.Errorf("creating the forwarding of %s: %w", region, err)
		}
		counts[region] = pulumi.Int(len(r.Rules))
	}

	f.RoleArn = role.Arn
	f.RuleCounts = counts.ToIntMapOutput()
	return f, ctx.RegisterResourceOutputs(f, pulumi.Map{"roleArn": f.RoleArn, "ruleCounts": f.RuleCounts})
}

// newRegion creates one region's dead-letter queue, its depth alarm and the
// forwarding rules with their targets.
func newRegion(ctx *pulumi.Context, prefix string, r plan.MemberRegion, hubBus pulumi.StringInput, role *iam.Role, opts ...pulumi.ResourceOption) error {
	queuePolicy, err := r.DLQ.Policy.JSON()
	if err != nil {
		return fmt.Errorf("building the dead-letter queue policy: %w", err)
	}
	// SQS-managed encryption: EventBridge can write to it without a key
	// policy, and a customer-managed key in every member region would cost
	// a key per region per account for a queue that is normally empty.
	dlq, err := sqs.NewQueue(ctx, prefix+"-dlq", &sqs.QueueArgs{
		Name:                    pulumi.String(r.DLQ.Name),
		SqsManagedSseEnabled:    pulumi.Bool(true),
		MessageRetentionSeconds: pulumi.Int(delivery.DLQRetentionSeconds),
		Policy:                  pulumi.String(queuePolicy),
	}, opts...)
	if err != nil {
		return fmt.Errorf("creating the dead-letter queue: %w", err)
	}
	// No alarm action: the alarm's state change is an event on this
	// region's default bus, which the pipeline-alarm detector forwards to
	// the hub like any other alert.
	if _, err := cloudwatch.NewMetricAlarm(ctx, prefix+"-dlq-depth", delivery.MetricAlarm(r.DLQ.Depth(
		"security events of this region could not be forwarded to the hub and wait in "+r.DLQ.Name), nil), opts...); err != nil {
		return fmt.Errorf("creating the dead-letter alarm: %w", err)
	}
	for _, fr := range r.Rules {
		// The rule's heartbeat is its own "Scheduled Event", forwarded as
		// it is: source aws.events, which no account can put, with this
		// account, region and rule ARN, which EventBridge sets. Nothing is
		// added to it: input transformation is only for targets that are
		// AWS services or API destinations, not event buses (EventBridge
		// User Guide, "Configuring an input transformer").
		args := &cloudwatch.EventRuleArgs{
			Name:         pulumi.String(fr.Name),
			Description:  pulumi.String(fmt.Sprintf("secalerts: forwards %v to the hub", fr.Detectors)),
			EventPattern: pulumi.String(fr.Pattern),
		}
		if fr.Schedule != "" {
			args.ScheduleExpression = pulumi.String(fr.Schedule)
		}
		rule, err := cloudwatch.NewEventRule(ctx, prefix+"-"+strings.TrimPrefix(fr.Name, names.Prefix), args, opts...)
		if err != nil {
			return fmt.Errorf("creating rule %s: %w", fr.Name, err)
		}
		if err := newHubTarget(ctx, prefix, rule, fr.Name, hubBus, role, dlq, opts...); err != nil {
			return err
		}
	}
	return nil
}

// newHubTarget sends a rule's events to the hub bus with the forwarding
// role, EventBridge's full retry budget and the region's dead-letter queue.
func newHubTarget(ctx *pulumi.Context, prefix string, rule *cloudwatch.EventRule, ruleName string, hubBus pulumi.StringInput, role *iam.Role, dlq *sqs.Queue, opts ...pulumi.ResourceOption) error {
	if _, err := cloudwatch.NewEventTarget(ctx, prefix+"-"+strings.TrimPrefix(ruleName, names.Prefix)+"-hub", &cloudwatch.EventTargetArgs{
		Rule:             rule.Name,
		TargetId:         pulumi.String("hub"),
		Arn:              hubBus,
		RoleArn:          role.Arn,
		RetryPolicy:      delivery.RetryPolicy(),
		DeadLetterConfig: &cloudwatch.EventTargetDeadLetterConfigArgs{Arn: dlq.Arn},
	}, opts...); err != nil {
		return fmt.Errorf("creating the hub target of rule %s: %w", ruleName, err)
	}
	return nil
}
