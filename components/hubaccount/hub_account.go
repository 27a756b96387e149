// Package hubaccount is the HubAccount component: the operator's central
// account, with one encrypted event bus per customer (its own component,
// Customer), and the one delivery function that routes, renders and
// delivers every customer's alerts to Chatbot channels, e-mail and
// webhooks, with dead-letter queues and alarms that reach the operator on a
// path of their own.
package hubaccount

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/internal/delivery"
	"secalerts/plan"
)

// Type is the component's type token. Never change it: it is part of every
// child's URN.
const Type = "secalerts:index:HubAccount"

// HubAccountArgs are plain values, but for the providers.
type HubAccountArgs struct {
	// Plan is the hub's plan (plan.NewHub), made during validation so a
	// limit fails before anything is created.
	Plan *plan.Hub
	// FunctionArchive is the path of the delivery function's zip archive
	// (the program builds it: functionbuild.Archive).
	FunctionArchive string
	// ChatbotProvider is the provider of the region serving the Chatbot
	// API (Plan.Chatbot.Region); nil when no customer has a chat channel.
	ChatbotProvider *aws.Provider
	// WatchProviders are the providers of the regions of the hub's watch
	// over itself other than the hub's (Plan.SelfWatch.Regions), by
	// region.
	WatchProviders map[string]*aws.Provider
}

// HubAccount is the deployed hub.
type HubAccount struct {
	pulumi.ResourceState

	KeyArn        pulumi.StringOutput    `pulumi:"keyArn"`
	AlarmTopicArn pulumi.StringOutput    `pulumi:"alarmTopicArn"`
	FunctionArn   pulumi.StringOutput    `pulumi:"functionArn"`
	BusArns       pulumi.StringMapOutput `pulumi:"busArns"`
}

// NewHubAccount creates the hub. The caller's options (the hub region's
// provider among them) apply to the component; children inherit the
// provider through it, but for the Chatbot configurations.
func NewHubAccount(ctx *pulumi.Context, name string, args *HubAccountArgs, opts ...pulumi.ResourceOption) (*HubAccount, error) {
	if args == nil || args.Plan == nil || len(args.Plan.Customers) == 0 {
		return nil, fmt.Errorf("creating hub %s: a plan with at least one customer is required", name)
	}
	if args.FunctionArchive == "" {
		return nil, fmt.Errorf("creating hub %s: the delivery function's archive is required", name)
	}
	if args.Plan.Chatbot != nil && args.ChatbotProvider == nil {
		return nil, fmt.Errorf("creating hub %s: the plan has chat channels, but there is no provider for the Chatbot region %s", name, args.Plan.Chatbot.Region)
	}
	for _, r := range args.Plan.SelfWatch.Regions() {
		if r != args.Plan.Account.Region && args.WatchProviders[r] == nil {
			return nil, fmt.Errorf("creating hub %s: the hub's watch over itself has rules in %s, but there is no provider for it", name, r)
		}
	}
	h := &HubAccount{}
	if err := ctx.RegisterComponentResource(Type, name, h, opts...); err != nil {
		return nil, fmt.Errorf("registering hub %s: %w", name, err)
	}
	p := args.Plan
	parent := pulumi.Parent(h)

	key, err := newKey(ctx, name+"-key", p.Key, "secalerts: encrypts the customers' buses, topics and webhook parameters and the delivery state", parent)
	if err != nil {
		return nil, err
	}
	operatorKey, err := newKey(ctx, name+"-operator-key", p.OperatorKey, "secalerts: encrypts the operator's alarm topic, apart from the hub key", parent)
	if err != nil {
		return nil, err
	}
	alarmTopic, err := newTopic(ctx, name+"-alarms", p.AlarmTopic, operatorKey.Arn, parent)
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
	// SQS-managed encryption: what this queue holds is what the hub key
	// (a bus's) may have failed to handle, so it must not depend on it.
	busDLQ, err := newQueue(ctx, name+"-bus-dlq", p.BusDLQ, parent)
	if err != nil {
		return nil, err
	}
	fn, err := newFunction(ctx, name, p, args.FunctionArchive, key, operatorKey, alarmTopic, busDLQ, parent)
	if err != nil {
		return nil, err
	}
	if err := newSelfWatch(ctx, name, p.SelfWatch, key, operatorKey, alarmTopic, busDLQ, args.WatchProviders, parent); err != nil {
		return nil, err
	}
	chat, err := newChatbotRole(ctx, name, p.Chatbot, parent)
	if err != nil {
		return nil, err
	}

	busArns := pulumi.StringMap{}
	for _, c := range p.Customers {
		if _, err := NewCustomer(ctx, name+"-"+c.Name, &CustomerArgs{
			Customer: c, Key: key, Function: fn, DLQ: busDLQ, Chatbot: chat, ChatbotProvider: args.ChatbotProvider,
		}, parent); err != nil {
			return nil, fmt.Errorf("creating customer %s in hub %s: %w", c.Name, name, err)
		}
		busArns[c.Name] = pulumi.String(c.Bus.ARN)
	}

	h.KeyArn = key.Arn
	h.AlarmTopicArn = alarmTopic.Arn
	h.FunctionArn = fn.Arn
	h.BusArns = busArns.ToStringMapOutput()
	return h, ctx.RegisterResourceOutputs(h, pulumi.Map{
		"keyArn": h.KeyArn, "alarmTopicArn": h.AlarmTopicArn, "functionArn": h.FunctionArn, "busArns": h.BusArns,
	})
}

// newKey creates a customer managed key with rotation and its alias.
func newKey(ctx *pulumi.Context, resName string, k plan.Key, description string, parent pulumi.ResourceOption) (*kms.Key, error) {
	doc, err := k.Policy.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the policy of key %s: %w", k.Alias, err)
	}
	key, err := kms.NewKey(ctx, resName, &kms.KeyArgs{
		Description:          pulumi.String(description),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(k.DeletionWindowDays),
		Policy:               pulumi.String(doc),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating key %s: %w", k.Alias, err)
	}
	if _, err := kms.NewAlias(ctx, resName+"-alias", &kms.AliasArgs{
		Name: pulumi.String(k.Alias), TargetKeyId: key.KeyId,
	}, parent); err != nil {
		return nil, fmt.Errorf("creating the alias %s: %w", k.Alias, err)
	}
	return key, nil
}

// newTopic creates a topic encrypted with key, with the policy the plan
// made.
func newTopic(ctx *pulumi.Context, resName string, t plan.Topic, key pulumi.StringInput, opts ...pulumi.ResourceOption) (*sns.Topic, error) {
	doc, err := t.Policy.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the policy of topic %s: %w", t.Name, err)
	}
	topic, err := sns.NewTopic(ctx, resName, &sns.TopicArgs{
		Name:           pulumi.String(t.Name),
		KmsMasterKeyId: key,
		Policy:         pulumi.String(doc),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating topic %s: %w", t.Name, err)
	}
	return topic, nil
}

// newQueue creates a dead-letter queue with SQS-managed encryption and the
// policy the plan made (none when the plan has none).
func newQueue(ctx *pulumi.Context, resName string, q plan.Queue, opts ...pulumi.ResourceOption) (*sqs.Queue, error) {
	args := &sqs.QueueArgs{
		Name:                    pulumi.String(q.Name),
		SqsManagedSseEnabled:    pulumi.Bool(true),
		MessageRetentionSeconds: pulumi.Int(delivery.DLQRetentionSeconds),
	}
	if len(q.Policy.Statement) > 0 {
		doc, err := q.Policy.JSON()
		if err != nil {
			return nil, fmt.Errorf("building the policy of queue %s: %w", q.Name, err)
		}
		args.Policy = pulumi.String(doc)
	}
	queue, err := sqs.NewQueue(ctx, resName, args, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating queue %s: %w", q.Name, err)
	}
	return queue, nil
}

// chatbot is what every Chatbot channel configuration shares.
type chatbotRole struct {
	role      *iam.Role
	guardrail *iam.Policy
}

// newChatbotRole creates the role every Chatbot channel uses and the
// guardrail that caps what channel members can do with it: read-only
// notification permissions, never the console's AdministratorAccess
// default. Nothing when no customer has a chat channel.
func newChatbotRole(ctx *pulumi.Context, name string, c *plan.Chatbot, parent pulumi.ResourceOption) (*chatbotRole, error) {
	if c == nil {
		return nil, nil
	}
	trust, err := c.Trust.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the Chatbot trust policy: %w", err)
	}
	perms, err := c.Permissions.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the Chatbot role policy: %w", err)
	}
	guard, err := c.Guardrail.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the Chatbot guardrail: %w", err)
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
		return nil, fmt.Errorf("creating the Chatbot role: %w", err)
	}
	guardrail, err := iam.NewPolicy(ctx, name+"-chatbot-guardrail", &iam.PolicyArgs{
		Name:        pulumi.String(c.GuardrailName),
		Description: pulumi.String("secalerts: the most a Chatbot channel member may do"),
		Policy:      pulumi.String(guard),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the Chatbot guardrail policy: %w", err)
	}
	return &chatbotRole{role: role, guardrail: guardrail}, nil
}
