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

	"secalerts/config"
	"secalerts/detectors"
	"secalerts/policy"
	"secalerts/routing"
)

// Type is the component's type token. Never change it: it is part of every
// child's URN.
const Type = "secalerts:index:HubAccount"

// HubAccountArgs are plain values: they shape the resource graph.
type HubAccountArgs struct {
	// Account is the hub account (partition, region, ID).
	Account policy.Account
	Config  *config.Hub
	// Plans are the customers' routing plans (routing.PlanHubCustomer), made
	// during validation so a limit fails before anything is created.
	Plans []routing.Plan
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
	if args == nil || args.Config == nil || len(args.Plans) != len(args.Config.Customers) {
		return nil, fmt.Errorf("creating hub %s: config and one routing plan per customer are required", name)
	}
	h := &HubAccount{}
	if err := ctx.RegisterComponentResource(Type, name, h, opts...); err != nil {
		return nil, fmt.Errorf("registering hub %s: %w", name, err)
	}
	cfg, acct := args.Config, args.Account
	parent := pulumi.Parent(h)

	// The key serves exactly these buses, topics and queues.
	busARNs, topicARNs, queueARNs := []string{}, []string{arn(acct, "sns", routing.AlarmTopicName)}, []string{}
	if cfg.Heartbeat.Enabled {
		queueARNs = append(queueARNs, arn(acct, "sqs", HeartbeatDLQName))
	}
	for _, p := range args.Plans {
		busARNs = append(busARNs, arn(acct, "events", "event-bus/"+p.BusName))
		queueARNs = append(queueARNs, arn(acct, "sqs", p.DLQName))
		for _, t := range p.Topics {
			topicARNs = append(topicARNs, arn(acct, "sns", t.Name))
		}
	}
	keyPolicy, err := policy.KeyPolicy(acct, policy.KeyPolicyInput{
		Administrators: cfg.KeyAdministrators, EventBusARNs: busARNs, TopicARNs: topicARNs, QueueARNs: queueARNs,
		AllowBudgets: cfg.AllowBudgets, AllowCostAnomaly: cfg.AllowCostAnomaly,
	}).JSON()
	if err != nil {
		return nil, fmt.Errorf("building the key policy of hub %s: %w", name, err)
	}
	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:          pulumi.String("secalerts: encrypts the hub's event buses, topics and dead-letter queues"),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(cfg.KeyDeletionWindowDays),
		Policy:               pulumi.String(keyPolicy),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the key of hub %s: %w", name, err)
	}
	if _, err := kms.NewAlias(ctx, name+"-key-alias", &kms.AliasArgs{
		Name:        pulumi.String("alias/" + detectors.ResourcePrefix + "hub"),
		TargetKeyId: key.KeyId,
	}, parent); err != nil {
		return nil, fmt.Errorf("creating the key alias of hub %s: %w", name, err)
	}

	// Budgets and Cost Anomaly Detection may publish to the operator's
	// topic when asked (seed 000), next to the alarms.
	alarmTopic, err := newTopic(ctx, name+"-alarms", acct, routing.AlarmTopicName, key, policy.TopicPublishers{
		Alarms: true, Budgets: cfg.AllowBudgets, CostAnomaly: cfg.AllowCostAnomaly,
	}, parent)
	if err != nil {
		return nil, err
	}
	for i, addr := range cfg.AlarmEmails {
		if _, err := sns.NewTopicSubscription(ctx, fmt.Sprintf("%s-alarms-email-%d", name, i), &sns.TopicSubscriptionArgs{
			Topic: alarmTopic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(addr),
		}, parent); err != nil {
			return nil, fmt.Errorf("subscribing %s to the alarm topic: %w", addr, err)
		}
	}

	chatbotRole, guardrail, err := newChatbotRole(ctx, name, acct, cfg, parent)
	if err != nil {
		return nil, err
	}

	var hb *heartbeat
	if cfg.Heartbeat.Enabled {
		if hb, err = newHeartbeat(ctx, name, acct, cfg, args.Plans, key, alarmTopic, parent); err != nil {
			return nil, fmt.Errorf("creating the heartbeat of hub %s: %w", name, err)
		}
	}

	busArns := pulumi.StringMap{}
	topicArns := pulumi.StringMap{routing.AlarmTopicName: alarmTopic.Arn}
	for i, plan := range args.Plans {
		c := cfg.Customers[i]
		cust, err := newCustomer(ctx, customerArgs{
			name: name + "-" + c.Name, account: acct, hub: cfg, customer: c, plan: plan,
			key: key, alarmTopic: alarmTopic, chatbotRole: chatbotRole, guardrail: guardrail, heartbeat: hb,
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("creating customer %s in hub %s: %w", c.Name, name, err)
		}
		busArns[c.Name] = pulumi.String(arn(acct, "events", "event-bus/"+plan.BusName))
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

// arn builds an ARN of the hub account in its region.
func arn(a policy.Account, service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", a.Partition, service, a.Region, a.ID, resource)
}

// newTopic creates a KMS-encrypted topic whose policy admits only this
// account's EventBridge rules and the publishers named.
func newTopic(ctx *pulumi.Context, resName string, acct policy.Account, topicName string, key *kms.Key, publishers policy.TopicPublishers, parent pulumi.ResourceOption) (*sns.Topic, error) {
	doc, err := policy.TopicPolicy(acct, arn(acct, "sns", topicName), publishers).JSON()
	if err != nil {
		return nil, fmt.Errorf("building the policy of topic %s: %w", topicName, err)
	}
	t, err := sns.NewTopic(ctx, resName, &sns.TopicArgs{
		Name:           pulumi.String(topicName),
		KmsMasterKeyId: key.Arn,
		Policy:         pulumi.String(doc),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating topic %s: %w", topicName, err)
	}
	return t, nil
}

// newChatbotRole creates the role every Chatbot channel uses and the
// guardrail that caps what channel members can do with it: read-only
// notification permissions, never the console's AdministratorAccess default.
func newChatbotRole(ctx *pulumi.Context, name string, acct policy.Account, cfg *config.Hub, parent pulumi.ResourceOption) (*iam.Role, *iam.Policy, error) {
	chat := false
	for _, c := range cfg.Customers {
		chat = chat || len(c.Slack) > 0 || len(c.Teams) > 0
	}
	if !chat {
		return nil, nil, nil
	}
	trust, err := policy.ChatbotTrustPolicy(acct).JSON()
	if err != nil {
		return nil, nil, fmt.Errorf("building the Chatbot trust policy: %w", err)
	}
	perms, err := policy.ChatbotNotificationsPolicy().JSON()
	if err != nil {
		return nil, nil, fmt.Errorf("building the Chatbot role policy: %w", err)
	}
	guard, err := policy.ChatbotGuardrailPolicy().JSON()
	if err != nil {
		return nil, nil, fmt.Errorf("building the Chatbot guardrail: %w", err)
	}
	role, err := iam.NewRole(ctx, name+"-chatbot", &iam.RoleArgs{
		Name:             pulumi.String(detectors.ResourcePrefix + "chatbot"),
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
		Name:        pulumi.String(detectors.ResourcePrefix + "chatbot-guardrail"),
		Description: pulumi.String("secalerts: the most a Chatbot channel member may do"),
		Policy:      pulumi.String(guard),
	}, parent)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the Chatbot guardrail policy: %w", err)
	}
	return role, guardrail, nil
}
