// Package hubaccount is the HubAccount component: the operator's central
// account, with one encrypted event bus per customer, the rules that turn
// each kind of event into a readable message, and the topics, Chatbot
// channels, e-mail subscriptions and webhooks that carry it, with
// dead-letter queues and alarms so nothing is lost silently.
package hubaccount

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/plan"
)

// Type is the component's type token. Never change it: it is part of every
// child's URN.
const Type = "secalerts:index:HubAccount"

// HubAccountArgs are plain values: they shape the resource graph.
type HubAccountArgs struct {
	// Plan is the hub's plan (plan.NewHub), made during validation so a
	// limit fails before anything is created.
	Plan *plan.Hub
}

// HubAccount is the deployed hub.
type HubAccount struct {
	pulumi.ResourceState

	KeyArn        pulumi.StringOutput    `pulumi:"keyArn"`
	AlarmTopicArn pulumi.StringOutput    `pulumi:"alarmTopicArn"`
	BusArns       pulumi.StringMapOutput `pulumi:"busArns"`
	TopicArns     pulumi.StringMapOutput `pulumi:"topicArns"`
}

// NewHubAccount creates the hub. The caller's options (the hub region's
// provider among them) apply to the component; children inherit the
// provider through it.
func NewHubAccount(ctx *pulumi.Context, name string, args *HubAccountArgs, opts ...pulumi.ResourceOption) (*HubAccount, error) {
	if args == nil || args.Plan == nil || len(args.Plan.Customers) == 0 {
		return nil, fmt.Errorf("creating hub %s: a plan with at least one customer is required", name)
	}
	h := &HubAccount{}
	if err := ctx.RegisterComponentResource(Type, name, h, opts...); err != nil {
		return nil, fmt.Errorf("registering hub %s: %w", name, err)
	}
	p := args.Plan
	parent := pulumi.Parent(h)

	keyPolicy, err := p.Key.Policy.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the key policy of hub %s: %w", name, err)
	}
	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:          pulumi.String("secalerts: encrypts the hub's event buses, topics and dead-letter queues"),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(p.Key.DeletionWindowDays),
		Policy:               pulumi.String(keyPolicy),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the key of hub %s: %w", name, err)
	}
	if _, err := kms.NewAlias(ctx, name+"-key-alias", &kms.AliasArgs{
		Name:        pulumi.String(p.Key.Alias),
		TargetKeyId: key.KeyId,
	}, parent); err != nil {
		return nil, fmt.Errorf("creating the key alias of hub %s: %w", name, err)
	}

	alarmTopic, err := newTopic(ctx, name+"-alarms", p.AlarmTopic, key, parent)
	if err != nil {
		return nil, err
	}
	for i, addr := range p.AlarmEmails {
		if _, err := sns.NewTopicSubscription(ctx, fmt.Sprintf("%s-alarms-email-%d", name, i), &sns.TopicSubscriptionArgs{
			Topic: alarmTopic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(addr),
		}, parent); err != nil {
			return nil, fmt.Errorf("subscribing %s to the alarm topic: %w", addr, err)
		}
	}

	chatbotRole, guardrail, err := newChatbotRole(ctx, name, p.Chatbot, parent)
	if err != nil {
		return nil, err
	}

	var hb *heartbeat
	if p.Heartbeat != nil {
		if hb, err = newHeartbeat(ctx, name, p.Account, p.Heartbeat, key, alarmTopic, parent); err != nil {
			return nil, fmt.Errorf("creating the heartbeat of hub %s: %w", name, err)
		}
	}

	busArns := pulumi.StringMap{}
	topicArns := pulumi.StringMap{p.AlarmTopic.Name: alarmTopic.Arn}
	for _, c := range p.Customers {
		cust, err := newCustomer(ctx, customerArgs{
			name: name + "-" + c.Name, account: p.Account, customer: c,
			key: key, alarmTopic: alarmTopic, chatbotRole: chatbotRole, guardrail: guardrail, heartbeat: hb,
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("creating customer %s in hub %s: %w", c.Name, name, err)
		}
		busArns[c.Name] = pulumi.String(c.Bus.ARN)
		for topic, a := range cust.topicArns {
			topicArns[topic] = a
		}
	}

	h.KeyArn = key.Arn
	h.AlarmTopicArn = alarmTopic.Arn
	h.BusArns = busArns.ToStringMapOutput()
	h.TopicArns = topicArns.ToStringMapOutput()
	return h, ctx.RegisterResourceOutputs(h, pulumi.Map{
		"keyArn": h.KeyArn, "alarmTopicArn": h.AlarmTopicArn, "busArns": h.BusArns, "topicArns": h.TopicArns,
	})
}

// newTopic creates a KMS-encrypted topic whose policy the plan made.
func newTopic(ctx *pulumi.Context, resName string, t plan.Topic, key *kms.Key, parent pulumi.ResourceOption) (*sns.Topic, error) {
	doc, err := t.Policy.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the policy of topic %s: %w", t.Name, err)
	}
	topic, err := sns.NewTopic(ctx, resName, &sns.TopicArgs{
		Name:           pulumi.String(t.Name),
		KmsMasterKeyId: key.Arn,
		Policy:         pulumi.String(doc),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating topic %s: %w", t.Name, err)
	}
	return topic, nil
}

// newChatbotRole creates the role every Chatbot channel uses and the
// guardrail that caps what channel members can do with it; nothing when no
// customer has a chat channel.
func newChatbotRole(ctx *pulumi.Context, name string, c *plan.Chatbot, parent pulumi.ResourceOption) (*iam.Role, *iam.Policy, error) {
	if c == nil {
		return nil, nil, nil
	}
	trust, err := c.Trust.JSON()
	if err != nil {
		return nil, nil, fmt.Errorf("building the Chatbot trust policy: %w", err)
	}
	perms, err := c.Permissions.JSON()
	if err != nil {
		return nil, nil, fmt.Errorf("building the Chatbot role policy: %w", err)
	}
	guard, err := c.Guardrail.JSON()
	if err != nil {
		return nil, nil, fmt.Errorf("building the Chatbot guardrail: %w", err)
	}
	role, err := iam.NewRole(ctx, name+"-chatbot", &iam.RoleArgs{
		Name:             pulumi.String(c.RoleName),
		Description:      pulumi.String("secalerts: AWS Chatbot channels, notifications only"),
		AssumeRolePolicy: pulumi.String(trust),
		InlinePolicies: iam.RoleInlinePolicyArray{&iam.RoleInlinePolicyArgs{
			Name: pulumi.String("notifications-only"), Policy: pulumi.String(perms),
		}},
	}, parent)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the Chatbot role: %w", err)
	}
	guardrail, err := iam.NewPolicy(ctx, name+"-chatbot-guardrail", &iam.PolicyArgs{
		Name:        pulumi.String(c.GuardrailName),
		Description: pulumi.String("secalerts: the most a Chatbot channel member may do"),
		Policy:      pulumi.String(guard),
	}, parent)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the Chatbot guardrail policy: %w", err)
	}
	return role, guardrail, nil
}
