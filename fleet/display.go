package fleet

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// LogObserver writes one line per event, prefixed with the stack: for
// logs and pipes, where a redrawn display would be noise.
type LogObserver struct {
	W     io.Writer
	Op    Op
	specs []StackSpec
}

// NewLogObserver makes a LogObserver for specs.
func NewLogObserver(w io.Writer, op Op, specs []StackSpec) *LogObserver {
	return &LogObserver{W: w, Op: op, specs: specs}
}

// Started implements Observer.
func (l *LogObserver) Started(i int, s StackSpec) {
	fmt.Fprintf(l.W, "[%s] %s started (account %s, role %s)\n", s.Name, l.Op, s.AccountID, s.RoleARN)
}

// Progress implements Observer.
func (l *LogObserver) Progress(i int, line string) {
	if line = strings.TrimSpace(line); line != "" {
		fmt.Fprintf(l.W, "[%s] %s\n", l.specs[i].Name, line)
	}
}

// Finished implements Observer.
func (l *LogObserver) Finished(i int, r Result) {
	fmt.Fprintf(l.W, "[%s] %s\n", r.Spec.Name, statusText(r))
}

// statusText is a finished stack's status in a few words.
func statusText(r Result) string {
	switch r.Status {
	case Succeeded:
		return "succeeded: " + r.Changes.String()
	case Failed, Cancelled:
		return string(r.Status) + ": " + firstLine(r.Err)
	}
	return string(r.Status)
}

func firstLine(err error) string {
	if err == nil {
		return ""
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// TerminalObserver keeps one line per account on a terminal and redraws
// them in place as the stacks progress.
type TerminalObserver struct {
	w     io.Writer
	op    Op
	width int
	lines []string
	drawn bool
	last  time.Time
	// minRedraw spaces out redraws for progress lines: a busy deployment
	// prints many per second.
	minRedraw time.Duration
}

// NewTerminalObserver makes the live display; width is the terminal's
// (lines are cut to it, so the cursor arithmetic stays right).
func NewTerminalObserver(w io.Writer, op Op, specs []StackSpec, width int) *TerminalObserver {
	t := &TerminalObserver{w: w, op: op, width: width, minRedraw: 100 * time.Millisecond}
	for _, s := range specs {
		t.lines = append(t.lines, fmt.Sprintf("%-40s %s", s.Name, Waiting))
	}
	return t
}

// Started implements Observer.
func (t *TerminalObserver) Started(i int, s StackSpec) {
	t.lines[i] = fmt.Sprintf("%-40s %s…", s.Name, t.op)
	t.redraw(true)
}

// Progress implements Observer.
func (t *TerminalObserver) Progress(i int, line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	name, _, _ := strings.Cut(t.lines[i], " ")
	t.lines[i] = fmt.Sprintf("%-40s %s: %s", name, t.op, line)
	t.redraw(false)
}

// Finished implements Observer.
func (t *TerminalObserver) Finished(i int, r Result) {
	t.lines[i] = fmt.Sprintf("%-40s %s", r.Spec.Name, statusText(r))
	t.redraw(true)
}

// Flush draws the final state.
func (t *TerminalObserver) Flush() { t.redraw(true) }

// redraw rewrites every line in place: cursor up over the previous frame,
// clear each line, write it.
func (t *TerminalObserver) redraw(force bool) {
	if !force && time.Since(t.last) < t.minRedraw {
		return
	}
	t.last = time.Now()
	var b strings.Builder
	if t.drawn {
		fmt.Fprintf(&b, "\x1b[%dA", len(t.lines))
	}
	for _, l := range t.lines {
		b.WriteString("\r\x1b[2K" + cut(l, t.width) + "\n")
	}
	t.drawn = true
	io.WriteString(t.w, b.String())
}

// cut shortens s to width runes (no limit when width < 1).
func cut(s string, width int) string {
	if width < 1 || utf8.RuneCountInString(s) <= width {
		return s
	}
	r := []rune(s)
	return string(r[:width-1]) + "…"
}

// WriteSummary prints the results as a table and a count line.
func WriteSummary(w io.Writer, op Op, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STACK\tACCOUNT\tCUSTOMER\tRESULT\tCHANGES\tTIME\tERROR")
	counts := map[Status]int{}
	for _, r := range results {
		counts[r.Status]++
		changes := "-"
		if r.Status == Succeeded {
			changes = r.Changes.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Spec.Name, r.Spec.AccountID, r.Spec.Customer, r.Status, changes,
			r.Elapsed.Round(time.Second), cut(firstLine(r.Err), 120))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s: %d succeeded, %d failed, %d cancelled, of %d stacks\n",
		op, counts[Succeeded], counts[Failed], counts[Cancelled]+counts[Waiting]+counts[Running], len(results))
	return err
}
