package render

import (
	"strconv"
	"strings"
)

// SNS e-mail limits (SNS API Reference, Publish). Subject: "Constraints:
// Subjects must be UTF-8 text with no line breaks or control characters,
// and less than 100 characters long"; earlier versions of the reference
// required "ASCII text that begins with a letter, number, or punctuation
// mark", and e-mail headers are ASCII unless encoded (RFC 5322, section
// 2.2), so subjects here meet both. Message: "at most 256 KB in size
// (262,144 bytes, not 262,144 characters)", less the room maxSNSMessage
// keeps for the subject and attributes.
const (
	maxEmailSubject = 99
	maxEmailBody    = maxSNSMessage
)

// emailLadder are the limits the e-mail body tries, in bytes. Mail has room
// for whole values; the later steps only matter for events stuffed with
// data.
var emailLadder = []limits{
	{headline: 400, label: 200, value: 8000, summary: 32000, step: 4000, note: 2000, console: maxConsoleURL, fields: 200, steps: 50, notes: 20},
	{headline: 400, label: 100, value: 1000, summary: 8000, step: 1000, note: 500, console: maxConsoleURL, fields: 100, steps: 20, notes: 10},
	{headline: 400, label: 60, value: 200, summary: 2000, step: 400, note: 200, console: maxConsoleURL, fields: 50, steps: 10, notes: 5},
}

// Email is a plain-text e-mail, published to an SNS topic with e-mail
// subscriptions.
type Email struct {
	Subject string
	Body    string
}

// EmailMessage renders m as a plain-text e-mail. SNS sends the body as
// text/plain, so there is no markup to escape, but mail clients link URLs
// and addresses in plain text too: values are neutralised like everywhere
// else.
func EmailMessage(m Message) Email {
	return Email{
		Subject: emailSubject(m),
		Body:    ladder(plainStyle, m, emailLadder, maxEmailBody, emailText(m.DetectorID)),
	}
}

// emailText lays p out as plain text.
func emailText(detector string) func(parts) string {
	return func(p parts) string {
		lines := []string{p.headline}
		for _, n := range p.notes {
			lines = append(lines, "Note: "+n)
		}
		if len(p.context) > 0 {
			lines = append(lines, "")
			for _, f := range p.context {
				lines = append(lines, f.Label+": "+f.Value)
			}
		}
		if p.summary != "" {
			lines = append(lines, "", p.summary)
		}
		if len(p.fields) > 0 {
			lines = append(lines, "")
			for _, f := range p.fields {
				lines = append(lines, f.Label+": "+f.Value)
			}
		}
		if p.console != "" {
			lines = append(lines, "", "Open in the AWS console:", p.console)
		}
		if len(p.steps) > 0 {
			lines = append(lines, "", "Next steps:")
			for i, s := range p.steps {
				lines = append(lines, strconv.Itoa(i+1)+". "+s)
			}
		}
		footer := "-- secalerts"
		if d := plainStyle.piece(detector, 100); d != "" {
			footer += ", detector " + d
		}
		return strings.Join(append(lines, "", footer), "\n")
	}
}

// emailSubject is "[HIGH] GuardDuty: <title>" in printable ASCII, shorter
// than 100 characters.
func emailSubject(m Message) string {
	title := m.Title
	if m.Kind == KindReminder {
		title = "Reminder: " + title
	}
	s := "[" + m.Severity.String() + "] " + asciiFold(plain(title))
	s = strings.TrimRight(s, " ")
	if len(s) > maxEmailSubject {
		s = strings.TrimRight(s[:maxEmailSubject-3], " ") + "..."
	}
	return s
}

// asciiFold writes s in printable ASCII: common typography becomes its
// ASCII form, anything else "?".
func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r == '‘' || r == '’' || r == '‹' || r == '›':
			b.WriteByte('\'')
		case r == '“' || r == '”' || r == '«' || r == '»':
			b.WriteByte('"')
		case r == '·' || r == '•' || r == '–' || r == '—':
			b.WriteByte('-')
		case r == '…':
			b.WriteString("...")
		case r == '\u200b':
			// Inserted by neutralise; ASCII has no invisible break, and a
			// subject is never linked or parsed for mentions.
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
