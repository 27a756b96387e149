package policy

import (
	"slices"

	"secalerts/names"
)

// Statement ids of the EventBridge roles.
const (
	sidEventsAssume = "EventBridgeRulesOfThisAccountAssume"
	sidPutEvents    = "PutEventsToOneBus"
)

// EventsTrustPolicy lets EventBridge rules of account a assume a role. The
// region is a wildcard: a role is global, and one forwarding role serves the
// rules of every enabled region of a member account; the account is what
// stops another account's rules from using it.
func EventsTrustPolicy(a names.Account) Document {
	// EventBridge User Guide, "Using IAM policy conditions in Amazon
	// EventBridge": aws:SourceArn is the ARN of the rule sending the event
	// and aws:SourceAccount the account the rule is in.
	rules := a.In("*").ARN("events", "rule/*")
	return Document{Version: Version, Statement: []Statement{{
		Sid:       sidEventsAssume,
		Effect:    Allow,
		Principal: Principal{Service: []string{"events.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
		Condition: sourceAccount(a).add(opArnLike, keySourceArn, rules),
	}}}
}

// PutEventsPolicy allows events:PutEvents on exactly busARN.
func PutEventsPolicy(busARN string) Document {
	return Document{Version: Version, Statement: []Statement{{
		Sid:      sidPutEvents,
		Effect:   Allow,
		Action:   []string{"events:PutEvents"},
		Resource: []string{busARN},
	}}}
}

// sortedUnique keeps policies byte-for-byte stable across runs, so a
// reordered config does not show as a diff.
func sortedUnique(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// EventRulesTrustPolicy lets exactly the EventBridge rules ruleARNs, of
// account a, assume a role: the hub's relay role, which only the watch
// rules outside the hub region use (same conditions as EventsTrustPolicy).
func EventRulesTrustPolicy(a names.Account, ruleARNs []string) Document {
	return Document{Version: Version, Statement: []Statement{{
		Sid:       sidEventsAssume,
		Effect:    Allow,
		Principal: Principal{Service: []string{"events.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
		Condition: sourceAccount(a).add(opArnEquals, keySourceArn, sortedUnique(ruleARNs)...),
	}}}
}
