package names

import "fmt"

// derivedName is an AWS name built from a customer name, and its service's
// length limit, so a name that would fail at deployment fails validation.
type derivedName struct {
	what string
	name func(customer string) string
	max  int
}

// word is a fixed word standing where a name takes a severity.
type word string

func (w word) String() string { return string(w) }

var customerNames = []derivedName{
	// EventBridge CreateArchive: ArchiveName 1-48 characters.
	{"EventBridge archive name", Bus, 48},
	// IAM CreateRole: RoleName 1-64 characters.
	{"IAM role name", WebhooksRole, 64},
	// SQS CreateQueue: a queue name can have up to 80 characters.
	{"SQS queue name", BusDLQ, 80},
	// Chatbot CreateSlackChannelConfiguration: ConfigurationName 1-128
	// characters; 999 leaves room for 1,000 channels.
	{"Chatbot configuration name", func(c string) string { return SlackConfiguration(c, 999) }, 128},
	// EventBridge CreateEventBus: Name 1-256 characters.
	{"EventBridge event bus name", Bus, 256},
	// SNS CreateTopic: topic names are 1-256 characters; informational is
	// the longest severity.
	{"SNS topic name", func(c string) string { return Topic(c, "email", word("informational")) }, 256},
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

// maxAPIDestinationName is EventBridge CreateApiDestination and
// CreateConnection's Name limit, 64 characters.
const maxAPIDestinationName = 64

// WebhookNameTooLong says why a webhook name is too long for its customer;
// ok is false when it fits.
func WebhookNameTooLong(customer, webhook string) (problem string, tooLong bool) {
	n := WebhookDestination(customer, webhook)
	if len(n) <= maxAPIDestinationName {
		return "", false
	}
	return fmt.Sprintf("its API destination name %q would have %d characters, over EventBridge's limit of %d", n, len(n), maxAPIDestinationName), true
}
