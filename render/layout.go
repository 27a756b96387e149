package render

import (
	"strconv"
	"strings"

	"secalerts/severity"
)

// limits caps each part of a message. Each format tries a ladder of them,
// most generous first, and takes the first whose result fits its size limit,
// so short messages are never cut and long ones lose detail before they
// lose structure. Sizes are in the format's unit (style.measure).
type limits struct {
	headline, label, value, summary, step, note, console int
	// fields, steps and notes cap how many are shown; the rest are counted
	// in one closing line.
	fields, steps, notes int
}

// parts is a message cleaned, capped and escaped for one style.
type parts struct {
	headline string
	notes    []string
	context  []Field
	summary  string
	fields   []Field
	console  string
	steps    []string
}

// buildParts prepares m for st within l.
func (st style) buildParts(m Message, l limits) parts {
	var p parts
	p.headline = st.headline(m, l.headline)
	p.notes = st.list(m.Notes, l.notes, l.note, "more notes not shown")
	for _, f := range []Field{
		{"Customer", m.Customer},
		{"Account", accountText(m)},
		{"Region", m.Region},
		{"Time", m.Time},
	} {
		if v := st.piece(f.Value, l.value); v != "" {
			p.context = append(p.context, Field{Label: f.Label, Value: v})
		}
	}
	p.summary = st.piece(m.Summary, l.summary)
	for i, f := range m.Fields {
		if i == l.fields {
			p.fields = append(p.fields, Field{
				Label: "Not shown",
				Value: strconv.Itoa(len(m.Fields)-i) + " more fields",
			})
			break
		}
		label := st.piece(f.Label, l.label)
		if label == "" {
			label = "Field"
		}
		p.fields = append(p.fields, Field{Label: label, Value: st.piece(f.Value, l.value)})
	}
	if u := consoleURL(m.ConsoleURL); u != "" && len(u) <= l.console {
		p.console = st.url(u)
	}
	p.steps = st.list(m.NextSteps, l.steps, l.step, "more steps not shown")
	return p
}

// headline is the one line every format starts with:
// "🔴 HIGH · GuardDuty: <title>", at most max long.
func (st style) headline(m Message, max int) string {
	prefix := emoji(m.Severity) + " " + m.Severity.String() + " · "
	title := m.Title
	if m.Kind == KindReminder {
		title = "Reminder: " + title
	}
	return prefix + st.piece(title, max-st.measure(prefix))
}

// list caps each of items and how many are shown.
func (st style) list(items []string, n, max int, more string) []string {
	var out []string
	for i, s := range items {
		if i == n {
			out = append(out, strconv.Itoa(len(items)-i)+" "+more)
			break
		}
		if s := st.piece(s, max); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// accountText is "Production (111122223333)" or just the ID.
func accountText(m Message) string {
	name, id := cleanLine(m.AccountName), cleanLine(m.AccountID)
	switch {
	case name == "":
		return id
	case id == "":
		return name
	}
	return name + " (" + id + ")"
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

// lineStart keeps a line that begins with text from an event from being
// read as a block quote or heading: Slack stores a typed ">" as "&gt;" and
// quotes the line, Teams markdown makes "#" a heading.
func lineStart(line string) string {
	if strings.HasPrefix(line, "&gt;") || strings.HasPrefix(line, "#") {
		return zwsp + line
	}
	return line
}

// cutLines shortens text, already escaped line by line, to at most max by
// dropping whole lines from the end, so no escape sequence is split, and
// says so in a last line. The first line (the headline) always stays.
func (st style) cutLines(text string, max int) string {
	if st.measure(text) <= max {
		return text
	}
	const mark = "\n" + truncatedMark
	lines := strings.Split(text, "\n")
	for n := len(lines) - 1; n > 0; n-- {
		if out := strings.Join(lines[:n], "\n") + mark; st.measure(out) <= max {
			return out
		}
	}
	// Even the headline is too long: no format's limit is that small.
	return truncatedMark
}
