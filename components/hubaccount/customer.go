package hubaccount

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/chatbot"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudcontrol"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/internal/delivery"
	"secalerts/names"
	"secalerts/plan"
	"secalerts/policy"
)

type customerArgs struct {
	name        string
	account     names.Account
	customer    plan.Customer
	key         *kms.Key
	alarmTopic  *sns.Topic
	chatbotRole *iam.Role
	guardrail   *iam.Policy
	// heartbeat is the hub's heartbeat function; nil when it is off.
	heartbeat *heartbeat
}

type customer struct {
	topicArns map[string]pulumi.StringOutput
}

// newCustomer creates one customer's bus and everything that delivers from it.
func newCustomer(ctx *pulumi.Context, a customerArgs, parent pulumi.ResourceOption) (*customer, error) {
	c := a.customer
	queuePolicy, err := c.DLQ.Policy.JSON()
	if err != nil {
		return nil, fmt.Errorf("building the dead-letter queue policy: %w", err)
	}
	dlq, err := sqs.NewQueue(ctx, a.name+"-dlq", &sqs.QueueArgs{
		Name:                         pulumi.String(c.DLQ.Name),
		KmsMasterKeyId:               a.key.Arn,
		KmsDataKeyReusePeriodSeconds: pulumi.Int(300),
		MessageRetentionSeconds:      pulumi.Int(delivery.DLQRetentionSeconds),
		Policy:                       pulumi.String(queuePolicy),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the dead-letter queue: %w", err)
	}

	bus, err := newBus(ctx, a.name+"-bus", c.Bus, a.key, dlq, parent)
	if err != nil {
		return nil, err
	}
	onBus := pulumi.DependsOn([]pulumi.Resource{bus})

	if _, err := cloudwatch.NewEventArchive(ctx, a.name+"-archive", &cloudwatch.EventArchiveArgs{
		Name:           pulumi.String(c.Bus.Name),
		Description:    pulumi.String("secalerts: every event of customer " + c.Name + ", for replay"),
		EventSourceArn: pulumi.String(c.Bus.ARN),
		RetentionDays:  pulumi.Int(c.Bus.ArchiveRetentionDays),
	}, parent, onBus); err != nil {
		return nil, fmt.Errorf("creating the archive of bus %s: %w", c.Bus.Name, err)
	}

	dests, err := newDestinations(ctx, a, parent)
	if err != nil {
		return nil, err
	}

	for _, r := range c.Rules {
		if err := newRule(ctx, a.name, c.Bus.Name, r, dests, dlq, parent, onBus); err != nil {
			return nil, err
		}
	}
	if c.Heartbeat != nil {
		if a.heartbeat == nil {
			return nil, fmt.Errorf("the plan of %s has a heartbeat rule, but the hub has no heartbeat function", c.Name)
		}
		if err := a.heartbeat.newCustomerHeartbeat(ctx, a.name, a.account, c, dlq, parent, onBus); err != nil {
			return nil, err
		}
	}
	if err := newAlarms(ctx, a.name, c, a.alarmTopic, parent); err != nil {
		return nil, err
	}
	return &customer{topicArns: dests.topicArns}, nil
}

// newBus creates the customer's bus through Cloud Control: pulumi-aws v6's
// aws.cloudwatch.EventBus has no deadLetterConfig, and the bus's own
// dead-letter queue is what catches events the bus cannot process (a KMS
// failure, for one). The bus policy is part of the bus for the same reason:
// one resource that Cloud Control owns whole.
func newBus(ctx *pulumi.Context, resName string, b plan.Bus, key *kms.Key, dlq *sqs.Queue, parent pulumi.ResourceOption) (*cloudcontrol.Resource, error) {
	state := pulumi.All(key.Arn, dlq.Arn).ApplyT(func(v []any) (string, error) {
		b, err := json.Marshal(map[string]any{
			"Name":             b.Name,
			"Description":      b.Description,
			"KmsKeyIdentifier": v[0],
			"DeadLetterConfig": map[string]any{"Arn": v[1]},
			"Policy":           b.Policy,
		})
		return string(b), err
	}).(pulumi.StringOutput)
	bus, err := cloudcontrol.NewResource(ctx, resName, &cloudcontrol.ResourceArgs{
		TypeName:     pulumi.String("AWS::Events::EventBus"),
		DesiredState: state,
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating bus %s: %w", b.Name, err)
	}
	return bus, nil
}

// destinations are the ARNs targets deliver to, by topic or webhook name.
type destinations struct {
	topicArns   map[string]pulumi.StringOutput
	webhookArns map[string]pulumi.StringOutput
	webhookRole *iam.Role
	// alarmTopicArn is the operator's topic, for hub-only detectors.
	alarmTopicArn pulumi.StringOutput
}

func newDestinations(ctx *pulumi.Context, a customerArgs, parent pulumi.ResourceOption) (*destinations, error) {
	c := a.customer
	d := &destinations{topicArns: map[string]pulumi.StringOutput{}, webhookArns: map[string]pulumi.StringOutput{},
		alarmTopicArn: a.alarmTopic.Arn}
	for _, t := range c.Topics {
		topic, err := newTopic(ctx, a.name+"-"+strings.TrimPrefix(t.Name, c.Bus.Name+"-"), t.Topic, a.key, parent)
		if err != nil {
			return nil, err
		}
		d.topicArns[t.Name] = topic.Arn
	}
	for i, s := range c.Slack {
		if _, err := chatbot.NewSlackChannelConfiguration(ctx, fmt.Sprintf("%s-slack-%d", a.name, i), &chatbot.SlackChannelConfigurationArgs{
			ConfigurationName:         pulumi.String(s.ConfigurationName),
			SlackTeamId:               pulumi.String(s.WorkspaceID),
			SlackChannelId:            pulumi.String(s.ChannelID),
			IamRoleArn:                a.chatbotRole.Arn,
			GuardrailPolicyArns:       pulumi.StringArray{a.guardrail.Arn},
			SnsTopicArns:              pulumi.StringArray{d.topicArns[s.Topic]},
			LoggingLevel:              pulumi.String("ERROR"),
			UserAuthorizationRequired: pulumi.Bool(true),
		}, parent); err != nil {
			return nil, fmt.Errorf("creating Slack channel %s: %w", s.ChannelID, err)
		}
	}
	for i, t := range c.Teams {
		if _, err := chatbot.NewTeamsChannelConfiguration(ctx, fmt.Sprintf("%s-teams-%d", a.name, i), &chatbot.TeamsChannelConfigurationArgs{
			ConfigurationName:         pulumi.String(t.ConfigurationName),
			TenantId:                  pulumi.String(t.TenantID),
			TeamId:                    pulumi.String(t.TeamID),
			ChannelId:                 pulumi.String(t.ChannelID),
			IamRoleArn:                a.chatbotRole.Arn,
			GuardrailPolicyArns:       pulumi.StringArray{a.guardrail.Arn},
			SnsTopicArns:              pulumi.StringArray{d.topicArns[t.Topic]},
			LoggingLevel:              pulumi.String("ERROR"),
			UserAuthorizationRequired: pulumi.Bool(true),
		}, parent); err != nil {
			return nil, fmt.Errorf("creating Teams channel %d: %w", i, err)
		}
	}
	for i, e := range c.Emails {
		if _, err := sns.NewTopicSubscription(ctx, fmt.Sprintf("%s-email-%d", a.name, i), &sns.TopicSubscriptionArgs{
			Topic:    d.topicArns[e.Topic],
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(e.Address),
		}, parent); err != nil {
			return nil, fmt.Errorf("subscribing %s: %w", e.Address, err)
		}
	}
	if len(c.Webhooks) == 0 {
		return d, nil
	}
	var arns pulumi.StringArray
	for _, w := range c.Webhooks {
		conn, err := cloudwatch.NewEventConnection(ctx, a.name+"-webhook-"+w.Name, &cloudwatch.EventConnectionArgs{
			Name:              pulumi.String(w.DestinationName),
			Description:       pulumi.String("secalerts: webhook " + w.Name + " of customer " + c.Name),
			AuthorizationType: pulumi.String("API_KEY"),
			// Connections require an authorization; the webhooks secalerts
			// targets carry their secret in the URL, so the header only
			// names the sender.
			AuthParameters: &cloudwatch.EventConnectionAuthParametersArgs{
				ApiKey: &cloudwatch.EventConnectionAuthParametersApiKeyArgs{
					Key: pulumi.String("X-Secalerts-Sender"), Value: pulumi.String(c.Bus.Name),
				},
			},
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("creating the connection of webhook %s: %w", w.Name, err)
		}
		dest, err := cloudwatch.NewEventApiDestination(ctx, a.name+"-webhook-"+w.Name, &cloudwatch.EventApiDestinationArgs{
			Name:                         pulumi.String(w.DestinationName),
			Description:                  pulumi.String("secalerts: webhook " + w.Name + " of customer " + c.Name),
			ConnectionArn:                conn.Arn,
			HttpMethod:                   pulumi.String("POST"),
			InvocationEndpoint:           pulumi.ToSecret(pulumi.String(w.URL)).(pulumi.StringOutput),
			InvocationRateLimitPerSecond: pulumi.Int(5),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("creating the API destination of webhook %s: %w", w.Name, err)
		}
		d.webhookArns[w.Name] = dest.Arn
		arns = append(arns, dest.Arn)
	}
	trust, err := policy.EventsTrustPolicy(a.account).JSON()
	if err != nil {
		return nil, fmt.Errorf("building the webhook role trust policy: %w", err)
	}
	invoke := arns.ToStringArrayOutput().ApplyT(func(list []string) (string, error) {
		return policy.InvokeAPIDestinationsPolicy(list).JSON()
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, a.name+"-webhooks", &iam.RoleArgs{
		Name:             pulumi.String(c.WebhookRole),
		Description:      pulumi.String("secalerts: lets the rules of customer " + c.Name + " call its webhooks"),
		AssumeRolePolicy: pulumi.String(trust),
		InlinePolicies: iam.RoleInlinePolicyArray{&iam.RoleInlinePolicyArgs{
			Name: pulumi.String("invoke-webhooks"), Policy: invoke,
		}},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("creating the webhook role: %w", err)
	}
	d.webhookRole = role
	return d, nil
}

// newRule creates one rule and its targets, each with a retry policy and
// the customer's dead-letter queue.
func newRule(ctx *pulumi.Context, prefix, busName string, r plan.Rule, d *destinations, dlq *sqs.Queue, opts ...pulumi.ResourceOption) error {
	resName := prefix + "-" + strings.TrimPrefix(r.Name, names.Prefix)
	rule, err := cloudwatch.NewEventRule(ctx, resName, &cloudwatch.EventRuleArgs{
		Name:         pulumi.String(r.Name),
		EventBusName: pulumi.String(busName),
		Description:  pulumi.String(fmt.Sprintf("secalerts: %s (%s) to %d destinations", r.Detector, r.Severity, len(r.Targets))),
		EventPattern: pulumi.String(r.Pattern),
		// The tags name what the rule alerts on, for the console.
		Tags: pulumi.StringMap{
			plan.TagDetector: pulumi.String(r.Detector),
			plan.TagSeverity: pulumi.String(r.Severity.String()),
		},
	}, opts...)
	if err != nil {
		return fmt.Errorf("creating rule %s: %w", r.Name, err)
	}
	for _, t := range r.Targets {
		args := &cloudwatch.EventTargetArgs{
			Rule:         rule.Name,
			EventBusName: pulumi.String(busName),
			TargetId:     pulumi.String(t.ID),
			InputTransformer: &cloudwatch.EventTargetInputTransformerArgs{
				InputPaths:    pulumi.ToStringMap(t.Transformer.Paths),
				InputTemplate: pulumi.String(t.Transformer.Template),
			},
			RetryPolicy:      delivery.RetryPolicy(),
			DeadLetterConfig: &cloudwatch.EventTargetDeadLetterConfigArgs{Arn: dlq.Arn},
		}
		switch t.Kind {
		case plan.WebhookTarget:
			args.Arn = d.webhookArns[t.Webhook]
			args.RoleArn = d.webhookRole.Arn
		case plan.OperatorTopic:
			args.Arn = d.alarmTopicArn
		default:
			args.Arn = d.topicArns[t.Topic]
		}
		if _, err := cloudwatch.NewEventTarget(ctx, resName+"-"+t.ID, args, opts...); err != nil {
			return fmt.Errorf("creating target %s of rule %s: %w", t.ID, r.Name, err)
		}
	}
	return nil
}

// newAlarms watches the customer's deliveries: anything in the dead-letter
// queue, and any failed invocation of the bus's rules.
func newAlarms(ctx *pulumi.Context, prefix string, c plan.Customer, topic *sns.Topic, parent pulumi.ResourceOption) error {
	actions := pulumi.Array{topic.Arn}
	if _, err := cloudwatch.NewMetricAlarm(ctx, prefix+"-dlq-depth", delivery.QueueDepthAlarm(c.DLQ.DepthAlarm, c.DLQ.Name,
		"secalerts: alerts of customer "+c.Name+" could not be delivered and wait in "+c.DLQ.Name, actions), parent); err != nil {
		return fmt.Errorf("creating the dead-letter alarm of %s: %w", c.Name, err)
	}
	// One Metrics Insights query covers every rule of the bus, however many
	// there are, instead of one alarm per rule.
	query := fmt.Sprintf(`SELECT SUM(FailedInvocations) FROM SCHEMA("AWS/Events", EventBusName, RuleName) WHERE EventBusName = '%s'`, c.Bus.Name)
	if _, err := cloudwatch.NewMetricAlarm(ctx, prefix+"-failed-invocations", &cloudwatch.MetricAlarmArgs{
		Name:             pulumi.String(c.FailedInvocationsAlarm),
		AlarmDescription: pulumi.String("secalerts: rules of customer " + c.Name + " failed to deliver"),
		MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{&cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.String("failed"), Expression: pulumi.String(query), Period: pulumi.Int(300),
			ReturnData: pulumi.Bool(true), Label: pulumi.String("FailedInvocations"),
		}},
		EvaluationPeriods:  pulumi.Int(1),
		Threshold:          pulumi.Float64(0),
		ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		TreatMissingData:   pulumi.String("notBreaching"),
		AlarmActions:       actions,
		OkActions:          actions,
	}, parent); err != nil {
		return fmt.Errorf("creating the failed-invocations alarm of %s: %w", c.Name, err)
	}
	return nil
}
