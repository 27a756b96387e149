package fleet

import (
	"errors"
	"fmt"
	"io"
	"sort"
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

// cause is the runner's own error inside Run's wrapping ("preview of
// <stack> (account, role): ..."), whose stack and account the summary
// table already shows in columns of their own.
func cause(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return err
}

func firstLine(err error) string {
	if err == nil {
		return ""
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// TerminalObserver is the live display on a terminal: one line per
// account. A finished account's line is printed once and scrolls up like a
// log, so hundreds of accounts fit any terminal; below them, redrawn in
// place, one line per running account and a count of the rest.
type TerminalObserver struct {
	w      io.Writer
	op     Op
	width  int
	height int
	total  int
	// running holds the live line of each running account, by index.
	running map[int]string
	counts  map[Status]int
	// drawn is how many lines the live area took when last drawn.
	drawn int
	last  time.Time
	// minRedraw spaces out redraws for progress lines: a busy deployment
	// prints many per second.
	minRedraw time.Duration
}

// NewTerminalObserver makes the live display for specs. width and height
// are the terminal's (0 when unknown): lines are cut to the width and the
// live area kept below the height, so the cursor arithmetic stays right.
func NewTerminalObserver(w io.Writer, op Op, specs []StackSpec, width, height int) *TerminalObserver {
	return &TerminalObserver{w: w, op: op, width: width, height: height, total: len(specs),
		running: map[int]string{}, counts: map[Status]int{}, minRedraw: 100 * time.Millisecond}
}

// Started implements Observer.
func (t *TerminalObserver) Started(i int, s StackSpec) {
	t.running[i] = fmt.Sprintf("%-40s %s…", s.Name, t.op)
	t.redraw("", true)
}

// Progress implements Observer.
func (t *TerminalObserver) Progress(i int, line string) {
	line = strings.TrimSpace(line)
	cur, ok := t.running[i]
	if line == "" || !ok {
		return
	}
	name, _, _ := strings.Cut(cur, " ")
	t.running[i] = fmt.Sprintf("%-40s %s: %s", name, t.op, line)
	t.redraw("", false)
}

// Finished implements Observer.
func (t *TerminalObserver) Finished(i int, r Result) {
	delete(t.running, i)
	t.counts[r.Status]++
	t.redraw(fmt.Sprintf("%-40s %s", r.Spec.Name, statusText(r)), true)
}

// Flush draws the final state.
func (t *TerminalObserver) Flush() { t.redraw("", true) }

// redraw clears the live area, prints done (a finished account's line,
// which stays) and draws the live area again.
func (t *TerminalObserver) redraw(done string, force bool) {
	if done == "" && !force && time.Since(t.last) < t.minRedraw {
		return
	}
	t.last = time.Now()
	var b strings.Builder
	if t.drawn > 0 {
		// Up to the live area's first line, and clear to the end of the
		// screen.
		fmt.Fprintf(&b, "\r\x1b[%dA\x1b[J", t.drawn)
	}
	if done != "" {
		b.WriteString(cut(done, t.width) + "\n")
	}
	live := t.liveLines()
	for _, l := range live {
		b.WriteString("\x1b[2K" + cut(l, t.width) + "\n")
	}
	t.drawn = len(live)
	io.WriteString(t.w, b.String())
}

// liveLines are the running accounts' lines, in inventory order, and the
// count line; on a short terminal the running accounts that do not fit are
// counted instead.
func (t *TerminalObserver) liveLines() []string {
	idx := make([]int, 0, len(t.running))
	for i := range t.running {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	room := len(idx)
	if t.height > 0 && room > t.height-3 {
		room = max(0, t.height-3)
	}
	var out []string
	for _, i := range idx[:room] {
		out = append(out, t.running[i])
	}
	if more := len(idx) - room; more > 0 {
		out = append(out, fmt.Sprintf("… and %d more running", more))
	}
	done := t.counts[Succeeded] + t.counts[Failed] + t.counts[Cancelled]
	waiting := t.total - done - len(t.running)
	count := fmt.Sprintf("%d/%d done: %d succeeded, %d failed", done, t.total, t.counts[Succeeded], t.counts[Failed])
	if n := t.counts[Cancelled]; n > 0 {
		count += fmt.Sprintf(", %d cancelled", n)
	}
	return append(out, count+fmt.Sprintf(", %d running, %d waiting", len(t.running), waiting))
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
			r.Elapsed.Round(time.Second), cut(firstLine(cause(r.Err)), 120))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s: %d succeeded, %d failed, %d cancelled, of %d stacks\n",
		op, counts[Succeeded], counts[Failed], counts[Cancelled]+counts[Waiting]+counts[Running], len(results))
	return err
}
