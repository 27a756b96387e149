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
	Detector   string     `json:"detector"`
	Severity   string     `json:"severity"`
	Deliveries []Delivery `json:"deliveries"`
	Error      string     `json:"error,omitempty"`
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
// several.
func (o Outcome) Key() string { return fmt.Sprintf("%s[%d]", o.File, o.Index) }

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
