package render

import (
	"encoding/json"
	"strings"

	"secalerts/severity"
)

// Kind says what a message is for, so destinations and readers can tell a
// new alert from a reminder of an old one or a digest.
type Kind string

// The kinds of message.
const (
	// KindAlert reports one event.
	KindAlert Kind = "alert"
	// KindReminder repeats an alert that is still open.
	KindReminder Kind = "reminder"
	// KindSummary stands for many events: a flood summary, a weekly report.
	KindSummary Kind = "summary"
)

// Field is one labelled line of a message.
type Field struct {
	Label string
	Value string
}

// Message is the content of one notification, independent of its format.
// Every string is plain text that may hold anything an event can carry
// (quotes, markup, links, control characters, invalid UTF-8): the renderers
// clean and escape it, so callers never do.
//
// FromEvent builds the Message of an event; the engine may also fill one
// directly for reminders and summaries. Empty parts are left out of every
// format.
type Message struct {
	Kind       Kind
	DetectorID string
	Severity   severity.Severity
	Customer   string
	// AccountID is the account the message is about; AccountName is its
	// display name, resolved by the caller, or "".
	AccountID   string
	AccountName string
	Region      string
	// Time is when it happened, as the event wrote it (RFC 3339).
	Time    string
	EventID string
	// Title is one line saying what happened, without severity.
	Title   string
	Summary string
	Fields  []Field
	// ConsoleURL opens the finding or resource in the AWS console. The
	// renderers drop it unless it is an https URL on an AWS console host.
	ConsoleURL string
	NextSteps  []string
	// ThreadID groups notifications about one finding (Chatbot threads
	// them, webhooks receive it); "" sends each on its own.
	ThreadID string
	// Notes are the engine's remarks, shown first ("Reminder: open for 9
	// days").
	Notes []string
	// Event is the original event, embedded in the JSON webhook document; it
	// is left out when it is not valid JSON.
	Event json.RawMessage
}

// Context is what the caller knows about an event that the event does not
// say.
type Context struct {
	Customer string
	// AccountName is the display name of the account the event is about,
	// or "".
	AccountName string
	// ThreadID groups the notifications about one finding, or "".
	ThreadID string
}

// FromEvent builds the alert message of an extracted event.
//
// A field or next step whose placeholders all came out empty is left out:
// "EC2 instance:" with nothing after it, on a GuardDuty finding about an IAM
// user, is noise.
func FromEvent(x Extracted, c Context) Message {
	msg := x.Message
	title := fill(msg.Title, x.Values)
	if strings.TrimSpace(title) == "" {
		title = x.DetectorTitle
	}
	m := Message{
		Kind:        KindAlert,
		DetectorID:  x.DetectorID,
		Severity:    x.Severity,
		Customer:    c.Customer,
		AccountID:   x.Account,
		AccountName: c.AccountName,
		Region:      x.Region,
		Time:        x.Time,
		EventID:     x.EventID,
		Title:       title,
		Summary:     fill(msg.Summary, x.Values),
		ConsoleURL:  buildConsoleURL(msg.ConsoleURL, x.Values),
		ThreadID:    c.ThreadID,
		Event:       x.Event,
	}
	for _, f := range msg.Fields {
		if allEmpty(f.Value, x.Values) {
			continue
		}
		m.Fields = append(m.Fields, Field{Label: fill(f.Label, x.Values), Value: fill(f.Value, x.Values)})
	}
	for _, s := range msg.NextSteps {
		if allEmpty(s, x.Values) {
			continue
		}
		m.NextSteps = append(m.NextSteps, fill(s, x.Values))
	}
	return m
}

// fill replaces each <name> of tmpl by its value in one pass, so a value
// that itself reads "<name>" stays as it is.
func fill(tmpl string, values map[string]string) string {
	var b strings.Builder
	last := 0
	for {
		start, end, ok := nextPlaceholder(tmpl, last)
		if !ok {
			break
		}
		b.WriteString(tmpl[last:start])
		b.WriteString(values[tmpl[start+1:end-1]])
		last = end
	}
	if last == 0 {
		return tmpl
	}
	b.WriteString(tmpl[last:])
	return b.String()
}

// allEmpty reports whether tmpl has placeholders and every one of them is
// empty.
func allEmpty(tmpl string, values map[string]string) bool {
	found := false
	for i := 0; ; {
		start, end, ok := nextPlaceholder(tmpl, i)
		if !ok {
			return found
		}
		if strings.TrimSpace(values[tmpl[start+1:end-1]]) != "" {
			return false
		}
		found, i = true, end
	}
}
