package render

import (
	"encoding/json"
	"fmt"
	"strings"
)

// AWS Chatbot (Amazon Q Developer in chat applications) custom notification
// limits. The custom notification schema (Administrator Guide, "Custom
// notifications using Amazon Q Developer in chat applications", Event
// schema and Parameter details) documents the fields but no length limit
// for any of them; the notification travels as an SNS message, at most
// 262,144 bytes (SNS API Reference, Publish: "messages must be UTF-8
// encoded strings and at most 256 KB in size (262,144 bytes, not 262,144
// characters)"). Chatbot posts the text into Slack and Microsoft Teams, so
// the description stays within what Slack accepts in one Block Kit text
// (Slack API, Block Kit reference, section block: text "Maximum length for
// the text in this field is 3000 characters"). The title "supports markdown
// content" (Parameter details), so it is mrkdwn text too, not a plain-text
// header block with its 150-character limit; it is kept to one readable
// line.
const (
	maxChatbotTitle       = 250
	maxChatbotDescription = 3000
	// Keywords are tags and additionalContext values identifiers; neither
	// has a documented limit, so these only keep a hostile value from
	// filling the message.
	maxChatbotKeyword = 50
	maxChatbotContext = 256
	// maxSNSMessage leaves 1 KiB of the SNS limit for the subject and
	// message attributes, which count towards it (SNS API Reference,
	// MessageAttributeValue: "All parts of the message attribute ... are
	// included in the message size restriction").
	maxSNSMessage = 262144 - 1024
)

// chatbotLadder are the limits the description tries, in UTF-16 units
// (see limits; the steps are ours, not AWS's).
var chatbotLadder = []limits{
	{headline: maxChatbotTitle, label: 60, value: 500, summary: 1500, step: 500, note: 300, console: maxConsoleURL, fields: 30, steps: 10, notes: 5},
	{headline: maxChatbotTitle, label: 40, value: 200, summary: 600, step: 250, note: 200, console: 500, fields: 15, steps: 6, notes: 3},
	{headline: maxChatbotTitle, label: 30, value: 80, summary: 250, step: 120, note: 100, console: 300, fields: 8, steps: 4, notes: 2},
}

// chatbotNotification is the custom notification event schema.
type chatbotNotification struct {
	Version  string          `json:"version"`
	Source   string          `json:"source"`
	ID       string          `json:"id,omitempty"`
	Content  chatbotContent  `json:"content"`
	Metadata chatbotMetadata `json:"metadata"`
}

type chatbotContent struct {
	TextType    string   `json:"textType"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	NextSteps   []string `json:"nextSteps,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
}

type chatbotMetadata struct {
	ThreadID          string         `json:"threadId,omitempty"`
	Summary           string         `json:"summary"`
	EventType         string         `json:"eventType"`
	AdditionalContext chatbotContext `json:"additionalContext"`
}

// chatbotContext is metadata.additionalContext: not shown, but available to
// Chatbot custom actions and filters.
type chatbotContext struct {
	Customer string `json:"customer"`
	Detector string `json:"detector"`
	Severity string `json:"severity"`
	Kind     Kind   `json:"kind"`
	Account  string `json:"account"`
	Region   string `json:"region"`
	EventID  string `json:"eventId"`
}

// Chatbot renders m as an AWS Chatbot custom notification, the message to
// publish to the SNS topic Chatbot reads. Version "1.0" and source "custom"
// are required; textType "client-markdown" makes Chatbot render the text in
// the chat platform's markdown; nextSteps is shown as a list and keywords as
// tags; notifications with the same metadata.threadId are threaded
// together, so m.ThreadID keeps the updates of one finding in one thread.
func Chatbot(m Message) ([]byte, error) {
	var (
		b   []byte
		err error
	)
	for i, l := range chatbotLadder {
		n := chatbotDoc(m, l)
		last := i == len(chatbotLadder)-1
		if utf16Len(n.Content.Description) > maxChatbotDescription {
			if !last {
				continue
			}
			n.Content.Description = chatStyle.cutLines(n.Content.Description, maxChatbotDescription)
		}
		if b, err = json.Marshal(n); err != nil {
			return nil, fmt.Errorf("rendering chatbot notification for %s: %w", m.DetectorID, err)
		}
		if len(b) <= maxSNSMessage || last {
			break
		}
	}
	return b, nil
}

// chatbotDoc builds the notification of m within l.
func chatbotDoc(m Message, l limits) chatbotNotification {
	p := chatStyle.buildParts(m, l)
	var desc []string
	for _, n := range p.notes {
		desc = append(desc, "*Note:* "+n)
	}
	desc = append(desc, chatBody(p)...)
	if len(p.notes) == 0 && len(desc) > 0 && desc[0] == "" {
		desc = desc[1:]
	}
	steps := make([]string, 0, len(p.steps))
	for _, s := range p.steps {
		steps = append(steps, lineStart(s))
	}
	var keywords []string
	for _, k := range []string{m.Severity.String(), m.DetectorID, m.Customer} {
		if k = chatStyle.piece(k, maxChatbotKeyword); k != "" {
			keywords = append(keywords, k)
		}
	}
	kind := m.Kind
	if kind == "" {
		kind = KindAlert
	}
	eventType := m.DetectorID
	if eventType == "" {
		eventType = string(kind)
	}
	ctx := func(s string) string { return plainStyle.piece(s, maxChatbotContext) }
	return chatbotNotification{
		Version: "1.0",
		Source:  "custom",
		ID:      ctx(m.EventID),
		Content: chatbotContent{
			TextType:    "client-markdown",
			Title:       p.headline,
			Description: strings.Join(desc, "\n"),
			NextSteps:   steps,
			Keywords:    keywords,
		},
		Metadata: chatbotMetadata{
			ThreadID:  ctx(m.ThreadID),
			Summary:   p.headline,
			EventType: ctx(eventType),
			AdditionalContext: chatbotContext{
				Customer: ctx(m.Customer),
				Detector: ctx(m.DetectorID),
				Severity: m.Severity.String(),
				Kind:     Kind(ctx(string(kind))),
				Account:  ctx(m.AccountID),
				Region:   ctx(m.Region),
				EventID:  ctx(m.EventID),
			},
		},
	}
}
