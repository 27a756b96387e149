// Package messages turns a detector's Message into the EventBridge input
// transformer of each destination format (AWS Chatbot, e-mail, Slack incoming
// webhook, generic JSON webhook). It is pure Go: the hub component and the
// offline tool call it with plain values.
//
// How EventBridge fills a template (EventBridge User Guide, "Amazon
// EventBridge input transformation", eb-transform-target-input.html, and
// EventBridge API Reference, InputTransformer):
//   - a placeholder is <name> for a key of InputPathsMap (at most 100 keys,
//     pattern [A-Za-z0-9_-]+, not starting with "AWS") or a predefined
//     variable such as aws.events.event.json, the whole event as JSON, which
//     "can only be used as a value for a JSON field, as its contents are not
//     escaped";
//   - InputTemplate is at most 8192 characters;
//   - "<" and ">" cannot be escaped, so literal text we write never contains
//     them (see literal);
//   - a string variable used inside a quoted JSON string is written into it;
//     the user guide warns that EventBridge "doesn't escape values extracted
//     by Input Path", which is why every template here is checked with
//     eventbridge.Render against events whose values hold quotes and
//     newlines (messages_test.go).
//
// Placeholders are always written inside a quoted string, never bare: a
// path missing from an event (GuardDuty's instanceId on an IAM finding)
// then leaves an empty string instead of a bare gap that would break the
// JSON ("If you specify a variable to match a JSON path that doesn't exist
// in the event, that variable isn't created and won't appear in the
// output").
package messages

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/severity"
)

// Format is the shape of the text a destination receives.
type Format string

// The destination formats.
const (
	// Chatbot is the AWS Chatbot (Amazon Q Developer in chat applications)
	// custom notification JSON, published to an SNS topic Chatbot reads.
	Chatbot Format = "chatbot"
	// Email is plain text published to an SNS topic with e-mail
	// subscriptions.
	Email Format = "email"
	// SlackWebhook is the JSON body of a Slack incoming webhook, sent by an
	// EventBridge API destination.
	SlackWebhook Format = "slack"
	// JSONWebhook is the stable secalerts/v1 JSON document, sent by an
	// EventBridge API destination.
	JSONWebhook Format = "json"
)

// Formats lists every format, in a stable order.
var Formats = []Format{Chatbot, Email, SlackWebhook, JSONWebhook}

// Context is what a rule knows that the event does not.
type Context struct {
	// Customer is the customer name, written literally into the text.
	Customer string
	// AccountName is the display name of the account(s) this rule covers;
	// "" when none.
	AccountName string
}

// EventBridge's InputTransformer limits (EventBridge API Reference,
// InputTransformer: InputPathsMap "Maximum number of 100 items",
// InputTemplate "Maximum length of 8192").
const (
	maxPaths    = 100
	maxTemplate = 8192
)

// eventJSON is the predefined variable holding the whole original event.
const eventJSON = "aws.events.event.json"

// placeholderRE matches <name> for input-path keys and predefined
// variables (aws.events.*).
var placeholderRE = regexp.MustCompile(`<([A-Za-z0-9_.\-]+)>`)

// Transformer returns the input transformer that formats events of variant v
// of detector d for format f.
func Transformer(f Format, d detectors.Detector, v detectors.Variant, c Context) (eventbridge.InputTransformer, error) {
	if c.Customer == "" {
		return eventbridge.InputTransformer{}, fmt.Errorf("building %s message for %s/%s: customer is empty", f, d.ID, v.Name)
	}
	// From here on the detector speaks with the variant's own message when
	// it has one.
	d.Message = d.MessageFor(v)
	t := expand(d, v, c)
	var tmpl string
	switch f {
	case Chatbot:
		tmpl = chatbotTemplate(t)
	case Email:
		tmpl = emailTemplate(t)
	case SlackWebhook:
		tmpl = slackTemplate(t)
	case JSONWebhook:
		tmpl = jsonTemplate(t)
	default:
		return eventbridge.InputTransformer{}, fmt.Errorf("building message for %s/%s: unknown format %q: valid are %v", d.ID, v.Name, f, Formats)
	}
	it, err := finish(d, tmpl)
	if err != nil {
		return eventbridge.InputTransformer{}, fmt.Errorf("building %s message for %s/%s: %w", f, d.ID, v.Name, err)
	}
	return it, nil
}

// text is a Message expanded for one rule: every string may hold
// placeholders; literal parts are plain text not yet escaped for any format.
type text struct {
	detector string
	severity string
	emoji    string
	customer string
	accName  string // "" when none
	account  string // "Production (<account>)" or "<account>"
	// accountRef and regionRef are the placeholders of the account and
	// region the event is about: <account> and <region>, or the detector's
	// own for events the hub itself sends about a member.
	accountRef string
	regionRef  string
	title      string
	summary    string
	fields     []detectors.Field
	console    string
	nextSteps  []string
}

// expand fills in the parts every format shares.
func expand(d detectors.Detector, v detectors.Variant, c Context) text {
	accountRef, regionRef := "<account>", "<region>"
	if d.Message.AboutAccount != "" {
		accountRef = "<" + d.Message.AboutAccount + ">"
	}
	if d.Message.AboutRegion != "" {
		regionRef = "<" + d.Message.AboutRegion + ">"
	}
	account := accountRef
	if c.AccountName != "" {
		account = literal(c.AccountName) + " (" + accountRef + ")"
	}
	title := d.Message.Title
	if title == "" {
		title = d.Title
	}
	return text{
		detector:   d.ID,
		severity:   v.Severity.String(),
		emoji:      emoji(v.Severity),
		customer:   literal(c.Customer),
		accName:    literal(c.AccountName),
		account:    account,
		accountRef: accountRef,
		regionRef:  regionRef,
		title:      oneLine(title),
		summary:    d.Message.Summary,
		fields:     d.Message.Fields,
		console:    d.Message.ConsoleURL,
		nextSteps:  d.Message.NextSteps,
	}
}

// headline is the one-line title every format starts with:
// "🔴 HIGH · GuardDuty: <title>".
func (t text) headline() string {
	return t.emoji + " " + t.severity + " · " + t.title
}

// context lists who and where, the lines every format shows first.
func (t text) context() []detectors.Field {
	return []detectors.Field{
		{Label: "Customer", Value: t.customer},
		{Label: "Account", Value: t.account},
		{Label: "Region", Value: t.regionRef},
		{Label: "Time", Value: "<time>"},
	}
}

// emoji makes the severity visible at a glance in chat and mail clients.
func emoji(s severity.Severity) string {
	switch s {
	case severity.Critical:
		return "🚨"
	case severity.High:
		return "🔴"
	case severity.Medium:
		return "🟠"
	case severity.Low:
		return "🟡"
	default:
		return "🔵"
	}
}

// literal makes text we write ourselves (customer and account names) safe to
// put in a template: EventBridge has no escape for "<" and ">" (EventBridge
// User Guide, input transformation: "The characters "<" and ">" cannot be
// escaped"), so a name like "a<b>" would turn into a placeholder. They become
// look-alike angle quotes; line breaks become spaces.
func literal(s string) string {
	return strings.NewReplacer("<", "‹", ">", "›", "\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// oneLine joins a multi-line text into one line, for titles.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// jsonString quotes s as a JSON string. Placeholders survive because their
// names only hold characters JSON never escapes, and HTML escaping is off so
// "<" and ">" stay as they are.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err) // a Go string always encodes
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// jsonStrings quotes each of ss and joins them as a JSON array.
func jsonStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = jsonString(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

// finish collects the input paths the template uses and checks EventBridge's
// limits.
func finish(d detectors.Detector, tmpl string) (eventbridge.InputTransformer, error) {
	if len(tmpl) > maxTemplate {
		return eventbridge.InputTransformer{}, fmt.Errorf("template is %d characters, over EventBridge's limit of %d", len(tmpl), maxTemplate)
	}
	paths := map[string]string{}
	var unknown []string
	for _, m := range placeholderRE.FindAllStringSubmatch(tmpl, -1) {
		name := m[1]
		if strings.HasPrefix(name, "aws.events.") {
			continue
		}
		if p, ok := d.Message.Paths[name]; ok {
			paths[name] = p
		} else if p, ok := detectors.CommonPaths[name]; ok {
			paths[name] = p
		} else {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return eventbridge.InputTransformer{}, fmt.Errorf("placeholders %v are neither in the detector's Paths nor in CommonPaths", unknown)
	}
	if len(paths) > maxPaths {
		return eventbridge.InputTransformer{}, fmt.Errorf("template uses %d input paths, over EventBridge's limit of %d", len(paths), maxPaths)
	}
	return eventbridge.InputTransformer{Paths: paths, Template: tmpl}, nil
}
