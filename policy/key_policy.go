package policy

import (
	"slices"

	"secalerts/names"
)

// KeyPolicyInput says who besides the account may use or manage the hub
// key.
type KeyPolicyInput struct {
	// Administrators are IAM principal ARNs that manage the key but can never
	// use it to encrypt or decrypt.
	Administrators []string
	// AdministratorsMayDisable lets them disable the key and schedule its
	// deletion too; without it only the account (its IAM policies) can.
	AdministratorsMayDisable bool
}

// Statement ids of the key policy, stable so reviewers can diff them.
const (
	sidKeyRoot          = "EnableAccountIAMPolicies"
	sidKeyAdmins        = "KeyAdministratorsManageOnly"
	sidEventsDescribe   = "EventBridgeDescribeKey"
	sidEventsBuses      = "EventBridgeEncryptEventBuses"
	sidEventsArchives   = "EventBridgeEncryptArchives"
	sidEventsTopics     = "EventBridgePublishToEncryptedTopics"
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

// keyDisableActions stop a key from working. A key administrator who can
// disable the hub key silences every alert, alarm and report at once, so
// they are only granted when the configuration says so.
var keyDisableActions = []string{"kms:DisableKey", "kms:ScheduleKeyDeletion"}

func adminActions(mayDisable bool) []string {
	if mayDisable {
		return keyAdminActions
	}
	var out []string
	for _, a := range keyAdminActions {
		if !slices.Contains(keyDisableActions, a) {
			out = append(out, a)
		}
	}
	return out
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
)

// keyOwners are the statements every secalerts key starts with: the
// account keeps it manageable (KMS Developer Guide, "Default key policy":
// without the account principal no IAM policy can grant use of the key,
// and a key whose only administrators are deleted becomes unmanageable),
// and administrators may manage it, never use it.
func keyOwners(a names.Account, administrators []string, mayDisable bool) []Statement {
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
			Action:    adminActions(mayDisable),
			Resource:  []string{"*"},
		})
	}
	return st
}

// KeyPolicy builds the policy of the hub key, which encrypts the customer
// buses and their archives, the customers' topics, the delivery
// function's state table and the webhook parameters. The services other
// than EventBridge use it on behalf of the delivery function (its role's
// kms:ViaService grants), so only EventBridge is named here, and by the
// secalerts- prefix of the buses rather than by each bus: the policy stays
// the same size for 3 customers or 3,000, well under KMS's 32 KB.
func KeyPolicy(a names.Account, in KeyPolicyInput) Document {
	st := keyOwners(a, in.Administrators, in.AdministratorsMayDisable)
	buses := a.EventBusARN(names.Bus("*"))
	// EventBridge User Guide, "Authorizing EventBridge to use a customer
	// managed key": DescribeKey validates the key when a bus is created or
	// updated. It carries no encryption context, so the account is the only
	// narrowing available.
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
	// context together; the Like forms take the prefix.
	st = append(st, Statement{
		Sid:       sidEventsBuses,
		Effect:    Allow,
		Principal: Principal{Service: []string{"events.amazonaws.com"}},
		Action:    []string{"kms:Decrypt", "kms:GenerateDataKey"},
		Resource:  []string{"*"},
		Condition: sourceAccount(a).add(opStringLike, ctxEventBus, buses).add(opArnLike, keySourceArn, buses),
	})
	// EventBridge User Guide, "Encrypting EventBridge archives with AWS KMS
	// keys" -> key policy for archives: Decrypt, GenerateDataKey and
	// ReEncrypt*, conditioned on the bus encryption context.
	st = append(st, Statement{
		Sid:       sidEventsArchives,
		Effect:    Allow,
		Principal: Principal{Service: []string{"events.amazonaws.com"}},
		Action:    []string{"kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncrypt*"},
		Resource:  []string{"*"},
		Condition: sourceAccount(a).add(opStringLike, ctxEventBus, buses),
	})
	return Document{Version: Version, Statement: st}
}

// OperatorKeyInput says who may publish to the operator's topic.
type OperatorKeyInput struct {
	KeyPolicyInput
	// Events lets this account's EventBridge rules publish: the hub's
	// watch over itself reports there without the delivery function.
	Events                         bool
	AllowBudgets, AllowCostAnomaly bool
}

// OperatorKeyPolicy builds the policy of the operator topic's own key: the
// operator hears of the pipeline's failures even when the hub key is
// disabled or deleted. CloudWatch alarms publish to it, and Budgets and
// Cost Anomaly Detection when asked; the delivery function through its
// role (kms:ViaService sns). The AWS managed alias/aws/sns key cannot be
// used: its policy cannot be edited to admit these services.
func OperatorKeyPolicy(a names.Account, in OperatorKeyInput) Document {
	st := keyOwners(a, in.Administrators, in.AdministratorsMayDisable)
	topic := a.TopicARN(names.AlarmTopic)
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
			add(opArnLike, keySourceArn, a.AlarmARN("*")).
			add(opArnLike, ctxSNSTopic, topic),
	})
	if in.Events {
		// SNS Developer Guide, "Managing Amazon SNS encryption keys" ->
		// compatibility between event sources from AWS services and
		// encrypted topics: the source needs kms:GenerateDataKey* and
		// kms:Decrypt, and aws:SourceAccount / aws:SourceArn are NOT
		// supported in the KMS policy for EventBridge-to-encrypted topics
		// (delivery would fail silently). The topic encryption context
		// narrows the statement; the topic policy carries the source
		// conditions.
		st = append(st, Statement{
			Sid:       sidEventsTopics,
			Effect:    Allow,
			Principal: Principal{Service: []string{"events.amazonaws.com"}},
			Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  []string{"*"},
			Condition: Conditions{}.add(opArnLike, ctxSNSTopic, topic),
		})
	}
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
				add(opArnLike, ctxSNSTopic, topic),
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
			Condition: sourceAccount(a).add(opArnLike, ctxSNSTopic, topic),
		})
	}
	return Document{Version: Version, Statement: st}
}

// budgetsSourceARN matches every budget of the account; budget ARNs carry no
// region.
func budgetsSourceARN(a names.Account) string {
	return a.GlobalARN("budgets", "*")
}
