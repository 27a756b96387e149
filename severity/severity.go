// Package severity is the one ordered scale every kind of event is mapped onto,
// so a destination's minSeverity means the same thing for a Security Hub
// finding, a GuardDuty finding and a CloudTrail API call.
package severity

import (
	"fmt"
	"strings"
)

// Severity orders events from least to most urgent.
type Severity int

// The scale, lowest first. The zero value is Informational.
const (
	Informational Severity = iota
	Low
	Medium
	High
	Critical
)

// All lists every severity, lowest first.
var All = []Severity{Informational, Low, Medium, High, Critical}

var names = [...]string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

// String returns the upper-case label used in config, patterns and messages.
func (s Severity) String() string {
	if s < Informational || s > Critical {
		return fmt.Sprintf("Severity(%d)", int(s))
	}
	return names[s]
}

// Parse reads a label case-insensitively; the error lists the valid labels.
func Parse(label string) (Severity, error) {
	for i, n := range names {
		if strings.EqualFold(label, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q: valid are %s", label, strings.Join(names[:], ", "))
}

// MarshalText writes the label, so documents read like the config.
func (s Severity) MarshalText() ([]byte, error) {
	if s < Informational || s > Critical {
		return nil, fmt.Errorf("marshalling %s: not a severity", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a label.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
