package policy

import "secalerts/names"

// sidConfigAssume is the Sid of the AWS Config recorder role's trust policy.
const sidConfigAssume = "ConfigOfThisAccountAssume"

// ConfigRecorderTrustPolicy lets AWS Config of account a, and no other
// account's, assume the recorder role (AWS Config Developer Guide,
// "Permissions for the IAM role assigned to AWS Config": trust
// config.amazonaws.com with aws:SourceAccount).
func ConfigRecorderTrustPolicy(a names.Account) Document {
	return Document{Version: Version, Statement: []Statement{{
		Sid:       sidConfigAssume,
		Effect:    Allow,
		Principal: Principal{Service: []string{svcConfig}},
		Action:    []string{"sts:AssumeRole"},
		Condition: sourceAccount(a),
	}}}
}
