package policy

import "secalerts/names"

// TopicPublishers says which services may publish to a topic, besides the
// identities of the account its own IAM policies allow (the delivery
// function).
type TopicPublishers struct {
	// EventRules are the ARNs of the EventBridge rules of the account that
	// may publish (the hub's watch over itself); none when empty.
	EventRules                   []string
	Alarms, Budgets, CostAnomaly bool
}

// Statement ids of the topic policy.
const (
	sidTopicOwner       = "AccountManagesTopic"
	sidTopicEvents      = "EventBridgeRulesOfThisAccountPublish"
	sidTopicAlarms      = "CloudWatchAlarmsOfThisAccountPublish"
	sidTopicBudgets     = "BudgetsOfThisAccountPublish"
	sidTopicCostAnomaly = "CostAnomalyDetectionOfThisAccountPublish"
	sidTopicTLS         = "DenyPublishWithoutTLS"
)

// topicOwnerActions are what the owning account needs to manage the topic
// and its subscriptions. sns:Publish is not among them: only the services
// below publish, and same-account identities that hold sns:Publish in their
// own IAM policy need no grant here anyway.
var topicOwnerActions = []string{
	"sns:AddPermission",
	"sns:DeleteTopic",
	"sns:GetTopicAttributes",
	"sns:ListSubscriptionsByTopic",
	"sns:RemovePermission",
	"sns:SetTopicAttributes",
	"sns:Subscribe",
}

// TopicPolicy lets the publishers p names publish to topicARN: this
// account's EventBridge rules, CloudWatch alarms, Budgets or Cost Anomaly
// Detection.
func TopicPolicy(a names.Account, topicARN string, p TopicPublishers) Document {
	publish := func(sid, service string, c Conditions) Statement {
		return Statement{
			Sid:       sid,
			Effect:    Allow,
			Principal: Principal{Service: []string{service}},
			Action:    []string{"sns:Publish"},
			Resource:  []string{topicARN},
			Condition: c,
		}
	}
	st := []Statement{{
		Sid:       sidTopicOwner,
		Effect:    Allow,
		Principal: Principal{AWS: []string{a.RootARN()}},
		Action:    topicOwnerActions,
		Resource:  []string{topicARN},
	}}
	if rules := sortedUnique(p.EventRules); len(rules) > 0 {
		// EventBridge User Guide, "Using resource-based policies for Amazon
		// EventBridge" -> Amazon SNS permissions: aws:SourceArn is the rule
		// that sends the event, aws:SourceAccount the account it is in.
		// Exactly the rules named: any other rule of the account, made by
		// anyone who can make rules, could otherwise fill the operator's
		// topic.
		st = append(st, publish(sidTopicEvents, "events.amazonaws.com",
			sourceAccount(a).add(opArnEquals, keySourceArn, rules...)))
	}
	if p.Alarms {
		// CloudWatch User Guide, confused-deputy prevention for alarm
		// actions: the alarm ARN and the account.
		st = append(st, publish(sidTopicAlarms, "cloudwatch.amazonaws.com",
			sourceAccount(a).add(opArnLike, keySourceArn, a.AlarmARN("*"))))
	}
	if p.Budgets {
		// Cost Management User Guide, "Creating an Amazon SNS topic for
		// budget notifications".
		st = append(st, publish(sidTopicBudgets, "budgets.amazonaws.com",
			sourceAccount(a).add(opArnLike, keySourceArn, budgetsSourceARN(a))))
	}
	if p.CostAnomaly {
		// Cost Management User Guide, "Creating an Amazon SNS topic for
		// anomaly notifications".
		st = append(st, publish(sidTopicCostAnomaly, "costalerts.amazonaws.com", sourceAccount(a)))
	}
	st = append(st, denyInsecureTransport(sidTopicTLS, "sns:Publish", topicARN))
	return Document{Version: Version, Statement: st}
}
