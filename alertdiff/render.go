package alertdiff

import (
	"fmt"
	"io"
	"strings"
)

// Summary is the report's closing line.
func (r Report) Summary() string {
	if len(r.Changes) == 0 {
		return fmt.Sprintf("no alerting changes in %d events", r.Events)
	}
	c := r.Counts()
	parts := []string{
		plural(c.Started, "starts", "start") + " alerting",
		plural(c.Stopped, "stops", "stop") + " alerting",
		plural(c.Severity, "severity change", "severity changes"),
		plural(c.Recipients, "recipient change", "recipient changes"),
		plural(c.Messages, "message change", "message changes"),
	}
	if c.Missing > 0 {
		parts = append(parts, plural(c.Missing, "without a result on one side", "without a result on one side"))
	}
	return fmt.Sprintf("%d of %d events change: %s; %d unchanged", len(r.Changes), r.Events, strings.Join(parts, ", "), c.Unchanged)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// marker is the one-character sign of a change in text output.
func marker(k Kind) string {
	switch k {
	case Started:
		return "+"
	case Stopped:
		return "-"
	case Missing:
		return "!"
	}
	return "~"
}

// alert is "SEVERITY detector".
func alert(o Outcome) string {
	return strings.TrimSpace(o.Severity + " " + o.Detector)
}

// describe is the change in words, without the event's name.
func describe(ch Change) []string {
	switch ch.Kind {
	case Started:
		why := ""
		if ch.Base.Quiet != "" {
			why = " (was kept quiet: " + ch.Base.Quiet + ")"
		}
		return []string{fmt.Sprintf("starts alerting%s: %s -> %s", why, alert(ch.Head), strings.Join(ch.Head.Recipients(), ", "))}
	case Stopped:
		why := ""
		if ch.Head.Quiet != "" {
			why = " (kept quiet: " + ch.Head.Quiet + ")"
		}
		return []string{fmt.Sprintf("stops alerting%s: was %s -> %s", why, alert(ch.Base), strings.Join(ch.Base.Recipients(), ", "))}
	case Missing:
		return []string{"no result: " + ch.Detail}
	}
	var out []string
	head := alert(ch.Head)
	if ch.SeverityChanged || ch.DetectorChanged {
		out = append(out, fmt.Sprintf("%s, was %s", head, alert(ch.Base)))
	} else {
		out = append(out, head+", unchanged")
	}
	if len(ch.Added) > 0 {
		out = append(out, "now also to "+strings.Join(ch.Added, ", "))
	}
	if len(ch.Removed) > 0 {
		out = append(out, "no longer to "+strings.Join(ch.Removed, ", "))
	}
	if len(ch.Reworded) > 0 {
		out = append(out, "message changed for "+strings.Join(ch.Reworded, ", "))
	}
	return out
}

// WriteText prints one line per changed event (+ starts, - stops,
// ~ changes, ! a result missing on one side) and the summary line.
func WriteText(w io.Writer, r Report) error {
	var b strings.Builder
	for _, ch := range r.Changes {
		lines := describe(ch)
		fmt.Fprintf(&b, "%s %s: %s\n", marker(ch.Kind), ch.Event, lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	}
	b.WriteString(r.Summary() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown prints the report for a pull-request comment or a job
// summary: a heading, a table of the changed events and the summary line.
func WriteMarkdown(w io.Writer, r Report, title string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", title)
	if len(r.Changes) > 0 {
		b.WriteString("| | event | change |\n|---|---|---|\n")
		for _, ch := range r.Changes {
			fmt.Fprintf(&b, "| %s | `%s` | %s |\n", marker(ch.Kind), cell(ch.Event), cell(strings.Join(describe(ch), "; ")))
		}
		b.WriteString("\n")
	}
	b.WriteString("**" + r.Summary() + "**\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// cell keeps a value from breaking the table.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
