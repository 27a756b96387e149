package messages

import "strings"

// slackTemplate builds the body of a Slack incoming webhook: a "text" field
// in Slack mrkdwn (Slack API, "Sending messages using incoming webhooks" and
// "Formatting text for app surfaces": *bold*, "\n" line breaks, bare URLs
// are linked). Blocks are left out: when a message has none, "text" is what
// Slack shows, and one field keeps the template far from EventBridge's size
// limit.
func slackTemplate(t text) string {
	esc := strings.NewReplacer("&", "&amp;").Replace // Slack reads & as the start of an entity
	lines := []string{"*" + t.headline() + "*", ""}
	for _, f := range t.context() {
		lines = append(lines, "*"+f.Label+":* "+esc(f.Value))
	}
	if t.summary != "" {
		lines = append(lines, "", t.summary)
	}
	if len(t.fields) > 0 {
		lines = append(lines, "")
		for _, f := range t.fields {
			lines = append(lines, "*"+f.Label+":* "+f.Value)
		}
	}
	if t.console != "" {
		lines = append(lines, "", "*Console:* "+t.console)
	}
	if len(t.nextSteps) > 0 {
		lines = append(lines, "", "*Next steps*")
		for _, s := range t.nextSteps {
			lines = append(lines, "• "+s)
		}
	}
	return `{"text":` + jsonString(strings.Join(lines, "\n")) + `}`
}

// jsonTemplate builds the secalerts/v1 document for generic webhooks. Keys
// never change meaning within a schema version; "event" is the untouched
// original event (predefined variable aws.events.event.json, which must be
// a bare JSON value because EventBridge does not escape it).
func jsonTemplate(t text) string {
	accountName := "null"
	if t.accName != "" {
		accountName = jsonString(t.accName)
	}
	fields := make([]string, len(t.fields))
	for i, f := range t.fields {
		fields[i] = jsonString(f.Label) + ":" + jsonString(f.Value)
	}
	steps := t.nextSteps
	if steps == nil {
		steps = []string{}
	}
	return `{"schema":"secalerts/v1"` +
		`,"customer":` + jsonString(t.customer) +
		`,"detector":` + jsonString(t.detector) +
		`,"severity":` + jsonString(t.severity) +
		`,"title":` + jsonString(t.title) +
		`,"account":"` + t.accountRef + `"` +
		`,"accountName":` + accountName +
		`,"region":"` + t.regionRef + `","time":"<time>","eventId":"<id>"` +
		`,"summary":` + jsonString(t.summary) +
		`,"fields":{` + strings.Join(fields, ",") + `}` +
		`,"consoleUrl":` + jsonString(t.console) +
		`,"nextSteps":` + jsonStrings(steps) +
		`,"event":<` + eventJSON + `>}`
}
