package messages

import "strings"

// chatbotTemplate builds an AWS Chatbot custom notification (Amazon Q
// Developer in chat applications Administrator Guide, "Custom notifications",
// custom-notifs.html): version "1.0" and source "custom" are required,
// textType "client-markdown" makes Chatbot render the text in the chat
// platform's own markdown (Slack mrkdwn, Teams markdown), nextSteps is shown
// as a list and keywords as tags.
//
// threadId is left out on purpose: Chatbot threads notifications that share
// it, and events of different findings must not be folded into one thread.
func chatbotTemplate(t text) string {
	var d []string
	for _, f := range t.context() {
		d = append(d, "*"+f.Label+":* "+f.Value)
	}
	if t.summary != "" {
		d = append(d, "", t.summary)
	}
	if len(t.fields) > 0 {
		d = append(d, "")
		for _, f := range t.fields {
			d = append(d, "*"+f.Label+":* "+f.Value)
		}
	}
	if t.console != "" {
		// A bare URL, not Slack's <url|text>: angle brackets would be read
		// as an EventBridge placeholder.
		d = append(d, "", "*Console:* "+t.console)
	}

	content := `"textType":"client-markdown","title":` + jsonString(t.headline()) +
		`,"description":` + jsonString(strings.Join(d, "\n"))
	if len(t.nextSteps) > 0 {
		content += `,"nextSteps":` + jsonStrings(t.nextSteps)
	}
	content += `,"keywords":` + jsonStrings([]string{t.severity, t.detector, t.customer})

	metadata := `"summary":` + jsonString(t.headline()) +
		`,"eventType":` + jsonString(t.detector) +
		`,"additionalContext":{"customer":` + jsonString(t.customer) +
		`,"detector":` + jsonString(t.detector) +
		`,"severity":` + jsonString(t.severity) +
		`,"account":"` + t.accountRef + `","region":"` + t.regionRef + `","eventId":"<id>"}`

	return `{"version":"1.0","source":"custom","id":"<id>","content":{` + content + `},"metadata":{` + metadata + `}}`
}
