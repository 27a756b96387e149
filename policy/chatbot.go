package policy

import "secalerts/names"

// Statement ids of the Chatbot policies.
const (
	sidChatbotAssume    = "ChatbotAssumesChannelRole"
	sidChatbotNotify    = "ChatbotNotificationsOnly"
	sidChatbotGuardrail = "GuardrailNotificationsOnly"
)

// chatbotNotificationActions are the AWS Chatbot "Notification permissions"
// policy template: read-only CloudWatch, enough to render alarm notifications
// with their graphs (Chatbot Administrator Guide, "IAM policy templates").
var chatbotNotificationActions = []string{"cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"}

// ChatbotTrustPolicy lets AWS Chatbot assume the channel role. It carries no
// aws:SourceAccount: the Chatbot docs document no confused-deputy condition
// for this principal and an unsupported one would break the channel. The
// risk is bounded: a role cannot be passed to another account's channel, and
// the guardrail caps the role to read-only CloudWatch.
func ChatbotTrustPolicy(a names.Account) Document {
	_ = a // kept in the signature so a documented condition can be added without changing callers
	return Document{Version: Version, Statement: []Statement{{
		Sid:       sidChatbotAssume,
		Effect:    Allow,
		Principal: Principal{Service: []string{"chatbot.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
	}}}
}

// ChatbotNotificationsPolicy is the channel role's permissions policy.
func ChatbotNotificationsPolicy() Document {
	return Document{Version: Version, Statement: []Statement{{
		Sid:      sidChatbotNotify,
		Effect:   Allow,
		Action:   chatbotNotificationActions,
		Resource: []string{"*"},
	}}}
}

// ChatbotGuardrailPolicy is the channel guardrail: the most any channel
// member can do through Chatbot, whatever the role allows. It is the same
// read-only set, never AdministratorAccess (the console's default guardrail).
func ChatbotGuardrailPolicy() Document {
	return Document{Version: Version, Statement: []Statement{{
		Sid:      sidChatbotGuardrail,
		Effect:   Allow,
		Action:   chatbotNotificationActions,
		Resource: []string{"*"},
	}}}
}
