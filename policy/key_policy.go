package policy

import "secalerts/names"

// KeyPolicyInput says who besides the account may use or manage the key.
type KeyPolicyInput struct {
	// Administrators are IAM principal ARNs that manage the key but can never
	// use it to encrypt or decrypt.
	Administrators []string
	// EventBusARNs are the custom event buses encrypted with this key.
	EventBusARNs []string
	// AllowBudgets and AllowCostAnomaly let AWS Budgets and Cost Anomaly
	// Detection publish to topics encrypted with this key, so cost alerts
	// can share the operator's topic.
	AllowBudgets, AllowCostAnomaly bool
	// AllowArchives adds what an archive of one of EventBusARNs needs when the
	// archive itself is given this key (kms:ReEncrypt*). Archives left on the
	// AWS owned key need nothing here.
	AllowArchives bool
	// TopicARNs and QueueARNs narrow the service statements to these topics
	// and queues through their encryption context. Empty means every topic
	// (queue) of this account in this region.
	TopicARNs, QueueARNs []string
}

// Statement ids of the key policy, stable so reviewers can diff them.
const (
	sidKeyRoot          = "EnableAccountIAMPolicies"
	sidKeyAdmins        = "KeyAdministratorsManageOnly"
	sidEventsDescribe   = "EventBridgeDescribeKey"
	sidEventsBuses      = "EventBridgeEncryptEventBuses"
	sidEventsArchives   = "EventBridgeEncryptArchives"
	sidEventsTopics     = "EventBridgePublishToEncryptedTopics"
	sidEventsQueues     = "EventBridgeSendToEncryptedQueues"
	sidAlarmsTopics     = "CloudWatchAlarmsPublishToEncryptedTopics"
	sidBudgetsTopics    = "BudgetsPublishToEncryptedTopics"
	sidCostAnomalyTopic = "CostAnomalyDetectionPublishToEncryptedTopics"
)

// keyAdminActions manage the key's lifecycle and policy. kms:CreateGrant is
// left out on purpose: a grant can hand its creator kms:Decrypt, which would
// undo the separation between administering and using the key.
var keyAdminActions = []string{
	"kms:CancelKeyDeletion",
	"kms:CreateAlias",
	"kms:DeleteAlias",
	"kms:DescribeKey",
	"kms:DisableKey",
	"kms:DisableKeyRotation",
	"kms:EnableKey",
	"kms:EnableKeyRotation",
	"kms:GetKeyPolicy",
	"kms:GetKeyRotationStatus",
	"kms:ListGrants",
	"kms:ListKeyPolicies",
	"kms:ListResourceTags",
	"kms:PutKeyPolicy",
	"kms:RevokeGrant",
	"kms:RotateKeyOnDemand",
	"kms:ScheduleKeyDeletion",
	"kms:TagResource",
	"kms:UntagResource",
	"kms:UpdateAlias",
	"kms:UpdateKeyDescription",
}

// Encryption-context keys the services set on every KMS call they make for
// a resource, which bind a statement to this account's resources.
const (
	// EventBridge User Guide, "Encrypting EventBridge event buses with AWS
	// KMS keys" -> event bus encryption context (also used for archives).
	ctxEventBus = "kms:EncryptionContext:aws:events:event-bus:arn"
	// SNS topics: the AWS service examples of SNS server-side encryption
	// condition on this key (e.g. GameLift FlexMatch "Set up an SNS topic
	// with server-side encryption").
	ctxSNSTopic = "kms:EncryptionContext:aws:sns:topicArn"
	// SQS Developer Guide, server-side encryption: the queue ARN.
	ctxSQSQueue = "kms:EncryptionContext:aws:sqs:arn"
)

// keyOwners are the statements every secalerts key starts with: the
// account keeps it manageable (KMS Developer Guide, "Default key policy":
// without the account principal no IAM policy can grant use of the key,
// and a key whose only administrators are deleted becomes unmanageable),
// and administrators may manage it, never use it.
func keyOwners(a names.Account, administrators []string) []Statement {
	st := []Statement{{
		Sid:       sidKeyRoot,
		Effect:    Allow,
		Principal: Principal{AWS: []string{a.RootARN()}},
		Action:    []string{"kms:*"},
		Resource:  []string{"*"},
	}}
	if admins := sortedUnique(administrators); len(admins) > 0 {
		st = append(st, Statement{
			Sid:       sidKeyAdmins,
			Effect:    Allow,
			Principal: Principal{AWS: admins},
			Action:    keyAdminActions,
			Resource:  []string{"*"},
		})
	}
	return st
}

// KeyPolicy builds the policy of the customer managed key that encrypts the
// event buses, topics and dead-letter queues of account a. The AWS managed
// alias/aws/sns key cannot be used: its policy cannot be edited to admit
// EventBridge.
func KeyPolicy(a names.Account, in KeyPolicyInput) Document {
	topics := orDefault(in.TopicARNs, a.ARN("sns", "*"))
	queues := orDefault(in.QueueARNs, a.ARN("sqs", "*"))

	st := keyOwners(a, in.Administrators)

	if buses := sortedUnique(in.EventBusARNs); len(buses) > 0 {
		// EventBridge User Guide, "Authorizing EventBridge to use a customer
		// managed key": DescribeKey validates the key when a bus is created
		// or updated. It carries no encryption context, so the account is
		// the only narrowing available.
		st = append(st, Statement{
			Sid:       sidEventsDescribe,
			Effect:    Allow,
			Principal: Principal{Service: []string{"events.amazonaws.com"}},
			Action:    []string{"kms:DescribeKey"},
			Resource:  []string{"*"},
			Condition: sourceAccount(a),
		})
		// Same page, "Security when using customer managed keys for
		// EventBridge encryption": the documented example conditions on
		// aws:SourceAccount, aws:SourceArn (the bus) and the bus encryption
		// context together.
		c := sourceAccount(a).
			add(opStringEquals, ctxEventBus, buses...).
			add(opArnEquals, keySourceArn, buses...)
		st = append(st, Statement{
			Sid:       sidEventsBuses,
			Effect:    Allow,
			Principal: Principal{Service: []string{"events.amazonaws.com"}},
			Action:    []string{"kms:Decrypt", "kms:GenerateDataKey"},
			Resource:  []string{"*"},
			Condition: c,
		})
		if in.AllowArchives {
			// EventBridge User Guide, "Encrypting EventBridge archives with
			// AWS KMS keys" -> key policy for archives: DescribeKey,
			// GenerateDataKey, Decrypt, ReEncrypt*, conditioned on the bus
			// encryption context only.
			st = append(st, Statement{
				Sid:       sidEventsArchives,
				Effect:    Allow,
				Principal: Principal{Service: []string{"events.amazonaws.com"}},
				Action:    []string{"kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncrypt*"},
				Resource:  []string{"*"},
				Condition: Conditions{}.add(opStringEquals, ctxEventBus, buses...),
			})
		}
	}

	// SNS Developer Guide, "Managing Amazon SNS encryption keys" ->
	// compatibility between event sources from AWS services and encrypted
	// topics: the source needs kms:GenerateDataKey* and kms:Decrypt, and
	// aws:SourceAccount / aws:SourceArn are NOT supported in the KMS policy
	// for EventBridge-to-encrypted topics (delivery would fail silently). The
	// topic encryption context narrows the statement to this account's
	// topics; the topic policy carries the source conditions. kms:ViaService
	// is left out: the docs do not say EventBridge's requests carry it, and a
	// wrong guess would drop every alert.
	st = append(st, Statement{
		Sid:       sidEventsTopics,
		Effect:    Allow,
		Principal: Principal{Service: []string{"events.amazonaws.com"}},
		Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
		Resource:  []string{"*"},
		Condition: Conditions{}.add(opArnLike, ctxSNSTopic, topics...),
	})

	// SQS Developer Guide, "Enable compatibility between AWS services such as
	// Amazon EventBridge and encrypted queues": GenerateDataKey and Decrypt
	// for the events principal, with the source conditions. rule/* covers
	// rule targets' dead-letter queues; event-bus/* a bus's own dead-letter
	// queue, whose sends carry the bus ARN as source.
	st = append(st, Statement{
		Sid:       sidEventsQueues,
		Effect:    Allow,
		Principal: Principal{Service: []string{"events.amazonaws.com"}},
		Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
		Resource:  []string{"*"},
		Condition: sourceAccount(a).
			add(opArnLike, keySourceArn, a.RuleARN("", "*"), a.EventBusARN("*")).
			add(opArnLike, ctxSQSQueue, queues...),
	})

	// CloudWatch User Guide, "Using Amazon CloudWatch alarms" -> encrypted
	// SNS topic: cloudwatch.amazonaws.com needs GenerateDataKey* and Decrypt;
	// CloudWatch's confused-deputy guidance uses aws:SourceArn of the alarm
	// and aws:SourceAccount.
	st = append(st, Statement{
		Sid:       sidAlarmsTopics,
		Effect:    Allow,
		Principal: Principal{Service: []string{"cloudwatch.amazonaws.com"}},
		Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
		Resource:  []string{"*"},
		Condition: sourceAccount(a).
			add(opArnLike, keySourceArn, a.ARN("cloudwatch", "alarm:*")).
			add(opArnLike, ctxSNSTopic, topics...),
	})

	if in.AllowBudgets {
		// Cost Management User Guide, "Creating an Amazon SNS topic for budget
		// notifications": aws:SourceAccount and ArnLike aws:SourceArn
		// arn:<partition>:budgets::<account>:* (budgets have no region).
		st = append(st, Statement{
			Sid:       sidBudgetsTopics,
			Effect:    Allow,
			Principal: Principal{Service: []string{"budgets.amazonaws.com"}},
			Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  []string{"*"},
			Condition: sourceAccount(a).
				add(opArnLike, keySourceArn, budgetsSourceARN(a)).
				add(opArnLike, ctxSNSTopic, topics...),
		})
	}
	if in.AllowCostAnomaly {
		// Cost Management User Guide, "Creating an Amazon SNS topic for
		// anomaly notifications": aws:SourceAccount restricts the service to
		// subscriptions of this account.
		st = append(st, Statement{
			Sid:       sidCostAnomalyTopic,
			Effect:    Allow,
			Principal: Principal{Service: []string{"costalerts.amazonaws.com"}},
			Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  []string{"*"},
			Condition: sourceAccount(a).add(opArnLike, ctxSNSTopic, topics...),
		})
	}
	return Document{Version: Version, Statement: st}
}

// budgetsSourceARN matches every budget of the account; budget ARNs carry no
// region.
func budgetsSourceARN(a names.Account) string {
	return a.GlobalARN("budgets", "*")
}

func orDefault(list []string, def string) []string {
	if l := sortedUnique(list); len(l) > 0 {
		return l
	}
	return []string{def}
}
