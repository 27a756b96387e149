package render

import (
	"encoding/json"
	"fmt"
	"strings"
)

// maxSlackText bounds the text of a Slack message. Slack truncates messages
// over 40,000 characters and recommends keeping "text" to 4,000 (Slack API,
// chat.postMessage, "Truncating content"); 3,500 UTF-16 units stay under the
// recommendation however Slack counts characters.
const maxSlackText = 3500

// slackLadder are the limits the Slack text tries, in UTF-16 units (see
// limits; the steps are ours, Slack only bounds the whole text).
var slackLadder = []limits{
	{headline: 250, label: 60, value: 500, summary: 1500, step: 500, note: 300, console: maxConsoleURL, fields: 30, steps: 10, notes: 5},
	{headline: 250, label: 40, value: 200, summary: 600, step: 250, note: 200, console: 500, fields: 15, steps: 6, notes: 3},
	{headline: 250, label: 30, value: 80, summary: 250, step: 120, note: 100, console: 300, fields: 8, steps: 4, notes: 2},
}

// slackBody is the JSON body of a Slack incoming webhook.
type slackBody struct {
	Text string `json:"text"`
}

// Slack renders m as the body of a Slack incoming webhook: one "text" in
// Slack mrkdwn (Slack API, "Sending messages using incoming webhooks";
// "Formatting text for app surfaces": *bold*, "\n" line breaks, bare URLs
// linked). Blocks are left out: without them "text" is what Slack shows,
// and one field keeps every limit in one place.
func Slack(m Message) ([]byte, error) {
	text := ladder(chatStyle, m, slackLadder, maxSlackText, slackText)
	b, err := json.Marshal(slackBody{Text: text})
	if err != nil {
		return nil, fmt.Errorf("rendering slack message for %s: %w", m.DetectorID, err)
	}
	return b, nil
}

// slackText lays p out as Slack mrkdwn, with the layout of the e-mail.
func slackText(p parts) string {
	lines := []string{"*" + p.headline + "*"}
	for _, n := range p.notes {
		lines = append(lines, "*Note:* "+n)
	}
	lines = append(lines, chatBody(p)...)
	if len(p.steps) > 0 {
		lines = append(lines, "", "*Next steps*")
		for _, s := range p.steps {
			lines = append(lines, "• "+s)
		}
	}
	return strings.Join(lines, "\n")
}

// chatBody is what Slack and Chatbot show under the title: who and where,
// the summary, the fields and the console link.
func chatBody(p parts) []string {
	var lines []string
	if len(p.context) > 0 {
		lines = append(lines, "")
		for _, f := range p.context {
			lines = append(lines, "*"+f.Label+":* "+f.Value)
		}
	}
	if p.summary != "" {
		lines = append(lines, "", lineStart(p.summary))
	}
	if len(p.fields) > 0 {
		lines = append(lines, "")
		for _, f := range p.fields {
			lines = append(lines, "*"+f.Label+":* "+f.Value)
		}
	}
	if p.console != "" {
		lines = append(lines, "", "*Console:* "+p.console)
	}
	return lines
}

// ladder lays m out with each of ls in turn and returns the first text that
// measures at most max, or the last one cut to max.
func ladder(st style, m Message, ls []limits, max int, layout func(parts) string) string {
	var text string
	for _, l := range ls {
		if text = layout(st.buildParts(m, l)); st.measure(text) <= max {
			return text
		}
	}
	return st.cutLines(text, max)
}
