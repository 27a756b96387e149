// Package alertdiff compares what two versions of secalerts would alert on:
// the same events replayed through each version's own program and stack
// files, and the differences per event (starts or stops alerting, severity,
// destinations, message text). The comparison is pure; tree.go runs each
// version's replay.
package alertdiff

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Outcome is what one version did with one event: the subset of
// `secalerts replay --json` that the diff reads. It is decoded leniently
// (unknown fields ignored), because the base may be an older version whose
// output has fields this one does not know.
type Outcome struct {
	File       string     `json:"file"`
	Index      int        `json:"index"`
	Forwarded  bool       `json:"forwarded"`
	Customer   string     `json:"customer"`
	Detector   string     `json:"detector"`
	Severity   string     `json:"severity"`
	Deliveries []Delivery `json:"deliveries"`
	Error      string     `json:"error,omitempty"`
	// Quiet says why an alert was kept quiet (duplicate, flood,
	// suppressed:<name>).
	Quiet string `json:"quiet,omitempty"`
	// A message the tick sent on its own has its Time and kind instead of
	// a file.
	Time     string `json:"time,omitempty"`
	Summary  bool   `json:"summary,omitempty"`
	Reminder bool   `json:"reminder,omitempty"`
	Report   bool   `json:"report,omitempty"`
	Weekly   bool   `json:"weekly,omitempty"`
}

// Delivery is one message to one destination.
type Delivery struct {
	Customer    string `json:"customer"`
	Destination string `json:"destination"`
	Rule        string `json:"rule"`
	Message     string `json:"message"`
}

// Alerting reports whether the event reaches anyone.
func (o Outcome) Alerting() bool { return len(o.Deliveries) > 0 }

// Key identifies the event: its file, and its position when the file holds
// several; a message of the tick by its time, kind, customer and detector.
func (o Outcome) Key() string {
	if o.Time != "" {
		return fmt.Sprintf("%s at %s: %s of %s for %s", o.tickKind(), o.Time, o.Severity, o.Detector, o.Customer)
	}
	return fmt.Sprintf("%s[%d]", o.File, o.Index)
}

// tickKind names a message of the tick.
func (o Outcome) tickKind() string {
	switch {
	case o.Summary:
		return "flood summary"
	case o.Reminder:
		return "reminder"
	case o.Report:
		return "silence report"
	case o.Weekly:
		return "weekly quiet report"
	}
	return "tick message"
}

// Recipients are the event's destinations, each once, sorted, as
// "<destination> (<customer>)".
func (o Outcome) Recipients() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range o.Deliveries {
		r := recipient(d)
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

func recipient(d Delivery) string {
	if d.Customer == "" {
		return d.Destination
	}
	return d.Destination + " (" + d.Customer + ")"
}

// ReadOutcomes reads `secalerts replay --json` output: one JSON object per
// line.
func ReadOutcomes(r io.Reader) ([]Outcome, error) {
	var out []Outcome
	sc := bufio.NewScanner(r)
	// A result carries every rendered message; lines can be long.
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var o Outcome
		if err := json.Unmarshal([]byte(text), &o); err != nil {
			return nil, fmt.Errorf("reading replay output line %d: %w", line, err)
		}
		out = append(out, o)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading replay output: %w", err)
	}
	return out, nil
}
