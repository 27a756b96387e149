package names

import "fmt"

// derivedName is an AWS name built from a customer name, and its service's
// length limit, so a name that would fail at deployment fails validation.
type derivedName struct {
	what string
	name func(customer string) string
	max  int
}

var customerNames = []derivedName{
	// EventBridge CreateArchive: ArchiveName 1-48 characters.
	{"EventBridge archive name", Bus, 48},
	// Chatbot CreateMicrosoftTeamsChannelConfiguration: ConfigurationName
	// 1-128 characters; ap-southeast-1 and the Teams digest are the longest
	// parts.
	{"Chatbot configuration name", func(c string) string { return ChatConfiguration("ap-southeast-1", c, "teams", "x") }, 128},
	// EventBridge CreateEventBus: Name 1-256 characters.
	{"EventBridge event bus name", Bus, 256},
	// SNS CreateTopic: topic names are 1-256 characters.
	{"SNS topic name", func(c string) string { return ChatTopic(c, "teams", "x") }, 256},
}

// MaxCustomerName is the longest customer name whose derived AWS names all
// fit their services' limits.
var MaxCustomerName = func() int {
	longest := 1 << 30
	for _, d := range customerNames {
		longest = min(longest, d.max-len(d.name("")))
	}
	return longest
}()

// CustomerNameTooLong says which derived AWS name a customer name would
// make too long; ok is false when every one fits.
func CustomerNameTooLong(customer string) (problem string, tooLong bool) {
	for _, d := range customerNames {
		if n := d.name(customer); len(n) > d.max {
			return fmt.Sprintf("its %s %q would have %d characters, over AWS's limit of %d", d.what, n, len(n), d.max), true
		}
	}
	return "", false
}

// maxParameterName is Systems Manager's limit on a parameter's name: "The
// maximum length constraint of 2048 characters listed below includes 1037
// characters reserved for internal use" (AWS Systems Manager API
// Reference, PutParameter, Name), so 1011 are left.
const maxParameterName = 1011

// WebhookNameTooLong says why a webhook name is too long for its customer;
// ok is false when it fits.
func WebhookNameTooLong(customer, webhook string) (problem string, tooLong bool) {
	n := WebhookParameter(customer, webhook)
	if len(n) <= maxParameterName {
		return "", false
	}
	return fmt.Sprintf("its parameter name %q would have %d characters, over Systems Manager's limit of %d", n, len(n), maxParameterName), true
}
