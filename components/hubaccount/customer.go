package hubaccount

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/chatbot"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudcontrol"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/internal/delivery"
	"secalerts/engine"
	"secalerts/plan"
)

// CustomerType is the Customer component's type token. Never change it.
const CustomerType = "secalerts:index:Customer"

// CustomerArgs are the customer's plan and what the hub shares with it.
type CustomerArgs struct {
	Customer plan.Customer
	// Key encrypts the bus, its archive, the topics and the webhook
	// parameters.
	Key *kms.Key
	// Function receives the bus's events; DLQ takes what the bus and its
	// rule cannot deliver.
	Function *lambda.Function
	DLQ      *sqs.Queue
	// Chatbot and ChatbotProvider make the chat channels (nil without).
	Chatbot         *chatbotRole
	ChatbotProvider *aws.Provider
}

// Customer is one customer's bus and destinations.
type Customer struct {
	pulumi.ResourceState

	BusArn pulumi.StringOutput `pulumi:"busArn"`
}

// NewCustomer creates one customer's bus, its policy, archive and rule,
// and the topics, Chatbot channels, e-mail subscriptions and webhook
// parameters the delivery function delivers to. Nothing here grows with
// the customer's accounts or the catalogue's detectors.
func NewCustomer(ctx *pulumi.Context, name string, args *CustomerArgs, opts ...pulumi.ResourceOption) (*Customer, error) {
	if args == nil || args.Key == nil || args.Function == nil || args.DLQ == nil {
		return nil, fmt.Errorf("creating customer %s: the hub key, delivery function and dead-letter queue are required", name)
	}
	c := args.Customer
	if len(c.Chat) > 0 && (args.Chatbot == nil || args.ChatbotProvider == nil) {
		return nil, fmt.Errorf("creating customer %s: chat channels need the Chatbot role and provider", name)
	}
	cu := &Customer{}
	if err := ctx.RegisterComponentResource(CustomerType, name, cu, opts...); err != nil {
		return nil, fmt.Errorf("registering customer %s: %w", name, err)
	}
	parent := pulumi.Parent(cu)

	bus, err := cloudwatch.NewEventBus(ctx, name+"-bus", &cloudwatch.EventBusArgs{
		Name:             pulumi.String(c.Bus.Name),
		Description:      pulumi.String(c.Bus.Description),
		KmsKeyIdentifier: args.Key.Arn,
		// The bus's own dead-letter queue catches what it cannot process
		// (a KMS failure, for one).
		DeadLetterConfig: &cloudwatch.EventBusDeadLetterConfigArgs{Arn: args.DLQ.Arn},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating bus %s: %w", c.Bus.Name, err)
	}
	onBus := pulumi.DependsOn([]pulumi.Resource{bus})
	busPolicy, err := c.Bus.Policy.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the policy of bus %s: %w", c.Bus.Name, err)
	}
	if _, err := cloudwatch.NewEventBusPolicy(ctx, name+"-bus-policy", &cloudwatch.EventBusPolicyArgs{
		EventBusName: bus.Name, Policy: pulumi.String(busPolicy),
	}, parent); err != nil {
		return nil, fmt.Errorf("creating the policy of bus %s: %w", c.Bus.Name, err)
	}
	if err := newArchive(ctx, name+"-archive", c, args.Key, parent, onBus); err != nil {
		return nil, err
	}
	rule, err := cloudwatch.NewEventRule(ctx, name+"-deliver", &cloudwatch.EventRuleArgs{
		Name:         pulumi.String(c.Rule.Name),
		EventBusName: bus.Name,
		Description:  pulumi.String("secalerts: hands customer " + c.Name + "'s security events to the delivery function"),
		EventPattern: pulumi.String(c.Rule.Pattern),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the rule of bus %s: %w", c.Bus.Name, err)
	}
	if _, err := cloudwatch.NewEventTarget(ctx, name+"-deliver-target", &cloudwatch.EventTargetArgs{
		Rule:         rule.Name,
		EventBusName: bus.Name,
		TargetId:     pulumi.String("delivery"),
		Arn:          args.Function.Arn,
		InputTransformer: &cloudwatch.EventTargetInputTransformerArgs{
			InputPaths: pulumi.StringMap{}, InputTemplate: pulumi.String(c.Rule.Input),
		},
		RetryPolicy:      delivery.RetryPolicy(),
		DeadLetterConfig: &cloudwatch.EventTargetDeadLetterConfigArgs{Arn: args.DLQ.Arn},
	}, parent); err != nil {
		return nil, fmt.Errorf("creating the target of bus %s: %w", c.Bus.Name, err)
	}
	if err := newDestinations(ctx, name, args, parent); err != nil {
		return nil, err
	}
	cu.BusArn = bus.Arn
	return cu, ctx.RegisterResourceOutputs(cu, pulumi.Map{"busArn": cu.BusArn})
}

// newArchive keeps the bus's events for replay, encrypted with the hub key
// as AWS "strongly recommends" for archives of a bus with a customer
// managed key (CloudFormation, AWS::Events::Archive, KmsKeyIdentifier).
// pulumi-aws v6's EventArchive has no key, so Cloud Control makes it.
func newArchive(ctx *pulumi.Context, resName string, c plan.Customer, key *kms.Key, opts ...pulumi.ResourceOption) error {
	state := key.Arn.ApplyT(func(keyARN string) (string, error) {
		b, err := json.Marshal(map[string]any{
			"ArchiveName":      c.Bus.Name,
			"Description":      "secalerts: every event of customer " + c.Name + ", for replay",
			"SourceArn":        c.Bus.ARN,
			"RetentionDays":    c.Bus.ArchiveRetentionDays,
			"KmsKeyIdentifier": keyARN,
		})
		return string(b), err
	}).(pulumi.StringOutput)
	if _, err := cloudcontrol.NewResource(ctx, resName, &cloudcontrol.ResourceArgs{
		TypeName: pulumi.String("AWS::Events::Archive"), DesiredState: state,
	}, opts...); err != nil {
		return fmt.Errorf("creating the archive of bus %s: %w", c.Bus.Name, err)
	}
	return nil
}

// newDestinations creates what the function delivers to: a topic and
// Chatbot configuration per chat channel, the e-mail topic and its
// subscriptions, and a parameter per webhook URL.
func newDestinations(ctx *pulumi.Context, name string, args *CustomerArgs, parent pulumi.ResourceOption) error {
	c := args.Customer
	for _, ch := range c.Chat {
		res := name + "-" + strings.TrimPrefix(ch.Topic.Name, c.Bus.Name+"-")
		topic, err := newTopic(ctx, res+"-topic", ch.Topic, args.Key.Arn, parent)
		if err != nil {
			return err
		}
		// The configuration lives where the Chatbot API does; it reads the
		// topic of the hub region.
		onChatbot := []pulumi.ResourceOption{parent, pulumi.Provider(args.ChatbotProvider)}
		role, guardrails, topics := args.Chatbot.role.Arn, pulumi.StringArray{args.Chatbot.guardrail.Arn}, pulumi.StringArray{topic.Arn}
		switch ch.Kind {
		case engine.Slack:
			_, err = chatbot.NewSlackChannelConfiguration(ctx, res, &chatbot.SlackChannelConfigurationArgs{
				ConfigurationName: pulumi.String(ch.ConfigurationName), SlackTeamId: pulumi.String(ch.Slack.WorkspaceID),
				SlackChannelId: pulumi.String(ch.Slack.ChannelID), IamRoleArn: role, GuardrailPolicyArns: guardrails,
				SnsTopicArns: topics, LoggingLevel: pulumi.String("ERROR"), UserAuthorizationRequired: pulumi.Bool(true),
			}, onChatbot...)
		default:
			_, err = chatbot.NewTeamsChannelConfiguration(ctx, res, &chatbot.TeamsChannelConfigurationArgs{
				ConfigurationName: pulumi.String(ch.ConfigurationName), TenantId: pulumi.String(ch.Teams.TenantID),
				TeamId: pulumi.String(ch.Teams.TeamID), ChannelId: pulumi.String(ch.Teams.ChannelID), IamRoleArn: role,
				GuardrailPolicyArns: guardrails, SnsTopicArns: topics, LoggingLevel: pulumi.String("ERROR"),
				UserAuthorizationRequired: pulumi.Bool(true),
			}, onChatbot...)
		}
		if err != nil {
			return fmt.Errorf("creating the Chatbot configuration %s: %w", ch.ConfigurationName, err)
		}
	}
	if c.EmailTopic != nil {
		topic, err := newTopic(ctx, name+"-email", *c.EmailTopic, args.Key.Arn, parent)
		if err != nil {
			return err
		}
		for i, e := range c.Emails {
			if _, err := sns.NewTopicSubscription(ctx, fmt.Sprintf("%s-email-%d", name, i), &sns.TopicSubscriptionArgs{
				Topic: topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(e.Address),
				FilterPolicy: pulumi.String(e.FilterPolicy), FilterPolicyScope: pulumi.String("MessageAttributes"),
			}, parent); err != nil {
				return fmt.Errorf("subscribing %s: %w", e.Address, err)
			}
		}
	}
	for _, w := range c.Webhooks {
		// A SecureString encrypted with the hub key: the URL carries the
		// webhook's credential, so it is neither in the function's
		// configuration nor readable without the key.
		if _, err := ssm.NewParameter(ctx, name+"-webhook-"+w.Name, &ssm.ParameterArgs{
			Name:        pulumi.String(w.Parameter),
			Description: pulumi.String("secalerts: URL of webhook " + w.Name + " of customer " + c.Name),
			Type:        pulumi.String("SecureString"),
			Tier:        pulumi.String("Standard"),
			KeyId:       args.Key.Arn,
			Value:       pulumi.ToSecret(pulumi.String(w.URL)).(pulumi.StringOutput),
		}, parent); err != nil {
			return fmt.Errorf("storing the URL of webhook %s: %w", w.Name, err)
		}
	}
	return nil
}
