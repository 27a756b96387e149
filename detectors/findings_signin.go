package detectors

import "secalerts/severity"

// Console sign-ins reach EventBridge as "AWS Console Sign In via CloudTrail"
// from aws.signin, with the CloudTrail record as detail (CloudTrail User
// Guide, "AWS Management Console sign-in events"; EventBridge User Guide,
// events from AWS services via CloudTrail). The fields used here:
//   - eventName ConsoleLogin: the same detail-type also carries CheckMfa,
//     SwitchRole, CredentialVerification and other steps of one sign-in,
//     which would otherwise alert several times per sign-in;
//   - userIdentity.type: Root, IAMUser, or AssumedRole / SAMLUser /
//     IdentityCenterUser for federated and IAM Identity Center sign-ins;
//   - responseElements.ConsoleLogin: "Success" or "Failure";
//   - additionalEventData.MFAUsed: "Yes" or "No".
//
// Sign-in events are recorded in the Region of the sign-in endpoint, so
// these detectors run in every Region rather than only in HomeRegion.

// signInPattern matches ConsoleLogin records with the given extra detail.
func signInPattern(detail map[string]any) Pattern {
	detail["eventName"] = []any{"ConsoleLogin"}
	return awsEvent("aws.signin", "AWS Console Sign In via CloudTrail", detail)
}

// signInPaths are the placeholders every sign-in message uses.
func signInPaths() map[string]string {
	return map[string]string{
		"userType":     "$.detail.userIdentity.type",
		"sourceIp":     "$.detail.sourceIPAddress",
		"userAgent":    "$.detail.userAgent",
		"result":       "$.detail.responseElements.ConsoleLogin",
		"mfaUsed":      "$.detail.additionalEventData.MFAUsed",
		"errorMessage": "$.detail.errorMessage",
		"eventId":      "$.detail.eventID",
	}
}

// signInFields are the label/value lines every sign-in message shows.
func signInFields(who string) []Field {
	return []Field{
		{Label: "User", Value: who},
		{Label: "Result", Value: "<result> <errorMessage>"},
		{Label: "MFA used", Value: "<mfaUsed>"},
		{Label: "Source IP", Value: "<sourceIp>"},
		{Label: "User agent", Value: "<userAgent>"},
		{Label: "Account", Value: "<account>"},
		{Label: "Region", Value: "<region>"},
		{Label: "Time", Value: "<time>"},
	}
}

// rootSignInDetector alerts on every root user console sign-in.
//
// A successful root sign-in is CRITICAL: root can do what no IAM policy
// limits (close the account, change its e-mail, payment and support plan,
// remove the MFA device) and day-to-day work never needs it, so every use
// must be confirmed by a person at once — as break-glass or as compromise.
// A failed one is HIGH: it means someone knows the root e-mail and is
// trying passwords, but has not got in.
var rootSignInDetector = Detector{
	ID:          "root-signin",
	Title:       "Root user sign-in",
	Description: "Every console sign-in attempt as the root user: success CRITICAL, failure HIGH.",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		pattern := func(result string) Pattern {
			return signInPattern(map[string]any{
				"userIdentity":     map[string]any{"type": []any{"Root"}},
				"responseElements": map[string]any{"ConsoleLogin": []any{result}},
			})
		}
		return []Variant{
			{Name: "failure", Severity: severity.High, Pattern: pattern("Failure")},
			{Name: "success", Severity: severity.Critical, Pattern: pattern("Success")},
		}
	},
	Message: Message{
		Paths:      withPaths(signInPaths(), map[string]string{"userArn": "$.detail.userIdentity.arn"}),
		Title:      "Root user console sign-in (<result>) in account <account>",
		Summary:    "Someone signed in, or tried to sign in, to account <account> as the root user from <sourceIp>. Root use should be rare and planned; confirm this one now.",
		Fields:     signInFields("<userType> (<userArn>)"),
		ConsoleURL: cloudTrailEventURL,
		NextSteps: []string{
			"Ask the holders of the root credentials whether this was them; if nobody claims it, treat the account as compromised.",
			"If unclaimed: reset the root password, check the root MFA device, and review CloudTrail for what root did after <time>.",
			"Make sure root has MFA (MFA used: <mfaUsed>) and no access keys.",
		},
	},
}

// consoleSignInFailureDetector covers CIS AWS Foundations 4.6 ("console
// authentication failures") for everyone but root, whose failures
// root-signin reports. One failure is usually a typo, so it is LOW; a burst
// of them is what to look for.
var consoleSignInFailureDetector = Detector{
	ID:          "console-signin-failure",
	Title:       "Failed console sign-in",
	Description: "Failed AWS console sign-ins of IAM and federated users (CIS 4.6); root failures are reported by root-signin.",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		return []Variant{{
			Name:     "failure",
			Severity: severity.Low,
			Pattern: signInPattern(map[string]any{
				"userIdentity":     map[string]any{"type": anythingBut("Root")},
				"responseElements": map[string]any{"ConsoleLogin": []any{"Failure"}},
			}),
		}}
	},
	Message: Message{
		Paths: withPaths(signInPaths(), map[string]string{"userName": "$.detail.userIdentity.userName"}),
		Title: "Failed console sign-in for <userName> in account <account>",
		Summary: "A console sign-in to account <account> as <userName> from <sourceIp> failed (<errorMessage>). " +
			"One failure is usually a typo; many in a row, or from an unknown address, are a password-guessing attempt.",
		Fields:     signInFields("<userName> (<userType>)"),
		ConsoleURL: cloudTrailEventURL,
		NextSteps: []string{
			"Ask <userName> whether they mistyped their password.",
			"If there are many failures or the address <sourceIp> is unknown, look in CloudTrail for other ConsoleLogin failures from it and consider blocking it.",
		},
	},
}

// consoleSignInNoMFADetector covers CIS AWS Foundations 4.2 ("management
// console sign-in without MFA"). Only IAM users are matched: federated and
// IAM Identity Center sign-ins (userIdentity.type AssumedRole, SAMLUser,
// IdentityCenterUser) report MFAUsed "No" because MFA happened at the
// identity provider, and root sign-ins are reported by root-signin.
var consoleSignInNoMFADetector = Detector{
	ID:          "console-signin-no-mfa",
	Title:       "Console sign-in without MFA",
	Description: "Successful console sign-ins of IAM users without MFA (CIS 4.2); federated and root sign-ins are excluded.",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		return []Variant{{
			Name:     "no-mfa",
			Severity: severity.Medium,
			Pattern: signInPattern(map[string]any{
				"userIdentity":        map[string]any{"type": []any{"IAMUser"}},
				"responseElements":    map[string]any{"ConsoleLogin": []any{"Success"}},
				"additionalEventData": map[string]any{"MFAUsed": []any{"No"}},
			}),
		}}
	},
	Message: Message{
		Paths:      withPaths(signInPaths(), map[string]string{"userName": "$.detail.userIdentity.userName"}),
		Title:      "Console sign-in without MFA by <userName> in account <account>",
		Summary:    "IAM user <userName> signed in to the console of account <account> from <sourceIp> with only a password. A stolen password is enough to take over this user.",
		Fields:     signInFields("<userName> (<userType>)"),
		ConsoleURL: cloudTrailEventURL,
		NextSteps: []string{
			"Confirm with <userName> that the sign-in from <sourceIp> was theirs.",
			"Assign an MFA device to <userName>, or better, move them to IAM Identity Center.",
			"Add a policy that denies actions when aws:MultiFactorAuthPresent is false, so a password alone is not enough.",
		},
	},
}

// withPaths returns base with extra added.
func withPaths(base, extra map[string]string) map[string]string {
	for k, v := range extra {
		base[k] = v
	}
	return base
}
