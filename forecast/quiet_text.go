package forecast

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"secalerts/engine"
)

// writeQuietText writes the before and after of the quiet rules.
func writeQuietText(w io.Writer, q *QuietReport) error {
	fmt.Fprintf(w, "\nBefore and after the quiet rules: %d events replayed in time order through the delivery function's own code (Handle, and Tick every %d minutes)\n",
		q.Events, int(engine.TickInterval.Minutes()))
	fmt.Fprintf(w, "  %s\n", quietSettings(q))
	if q.Total.KeptQuiet[QuietSameEvent] > 0 {
		fmt.Fprintf(w, "  %s: the same event was delivered already (a retry, or one update of a finding read from two exports)\n", QuietSameEvent)
	}
	if q.Spilled > 0 {
		fmt.Fprintf(w, "  (%d of them waited in a temporary file, past the memory budget)\n", q.Spilled)
	}
	header := "alerts before\tafter\tsent\tflood summaries\treminders\tkept quiet\t"
	days := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(days, "\nday\t"+header)
	for _, d := range append(append([]QuietDay{}, q.Days...), QuietDay{Date: "total", QuietCounts: q.Total}) {
		fmt.Fprintf(days, "%s\t%s\t\n", d.Date, quietCells(d.QuietCounts))
	}
	if err := days.Flush(); err != nil {
		return err
	}
	table := func(title, unit string, m map[string]QuietCounts) error {
		fmt.Fprintf(w, "\n%s, before and after\n", title)
		if len(m) == 0 {
			fmt.Fprintln(w, "  (none)")
			return nil
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  \t%s before\tafter\tsent\tflood summaries\treminders\tkept quiet\n", unit)
		for _, k := range byBefore(m) {
			fmt.Fprintf(tw, "  %s\t%s\n", k, quietCells(m[k]))
		}
		return tw.Flush()
	}
	if err := table("Alerts per detector", "alerts", q.ByDetector); err != nil {
		return err
	}
	if err := table("Messages per destination", "messages", q.ByDestination); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nSuppressions")
	if len(q.Suppressions) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range q.Suppressions {
		matched := fmt.Sprintf("%d alerts kept quiet", s.Matched)
		if s.Matched == 0 {
			matched = "matched nothing in this input"
		}
		until := ""
		if s.Until != "" {
			until = " (until " + s.Until + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s%s\n", s.Name, matched, s.Reason, until)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nThe function's own reports, not counted above: reports of a silent member rule %d, weekly reports of what was kept quiet %d\n",
		q.HeartbeatReports, q.WeeklyReports)
	for _, n := range q.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
	return nil
}

// quietSettings says what the customer's quiet rules are.
func quietSettings(q *QuietReport) string {
	parts := []string{"Repeats of a finding already reported kept quiet (duplicate)"}
	if q.Flood.MaxPerWindow > 0 && q.Flood.WindowMinutes > 0 {
		parts = append(parts, fmt.Sprintf("past %d alerts of a detector in %d minutes, the rest summed up in one summary (flood)",
			q.Flood.MaxPerWindow, q.Flood.WindowMinutes))
	} else {
		parts = append(parts, "floods never collapsed")
	}
	if q.RemindAfterDays > 0 {
		parts = append(parts, fmt.Sprintf("open findings reminded every %d days", q.RemindAfterDays))
	} else {
		parts = append(parts, "no reminders")
	}
	parts = append(parts, fmt.Sprintf("%d suppressions (suppressed:<name>)", len(q.Suppressions)))
	return strings.Join(parts, "; ")
}

// quietCells are a row's cells after its key.
func quietCells(c QuietCounts) string {
	return fmt.Sprintf("%d\t%d\t%d\t%d\t%d\t%s", c.Before, c.After, c.Sent, c.FloodSummaries, c.Reminders, keptText(c))
}

// keptText lists the reasons alerts were kept quiet, most first.
func keptText(c QuietCounts) string {
	var parts []string
	for _, k := range sortedCounts(c.KeptQuiet) {
		parts = append(parts, fmt.Sprintf("%s %d", k.Key, k.Count))
	}
	if c.NotReplayed > 0 {
		parts = append(parts, fmt.Sprintf("not replayed %d", c.NotReplayed))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// byBefore sorts rows by their before count, largest first, then by key.
func byBefore(m map[string]QuietCounts) []string {
	keys := sortedKeys(m)
	sort.SliceStable(keys, func(i, j int) bool { return m[keys[i]].Before > m[keys[j]].Before })
	return keys
}
