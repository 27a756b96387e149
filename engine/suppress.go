package engine

import (
	"strings"
	"time"

	"secalerts/severity"
)

// Suppression is one exception a customer made: alerts it matches are
// counted, not sent. Every matcher that is set must match (a list matches
// when any of its globs does); Until ends it.
type Suppression struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
	// Until is the last day it applies (YYYY-MM-DD, UTC); "" never ends.
	Until     string   `json:"until,omitempty"`
	Detectors []string `json:"detectors,omitempty"`
	Accounts  []string `json:"accounts,omitempty"`
	Regions   []string `json:"regions,omitempty"`
	// Principals and Resources are globs ("*" any run of characters) of
	// the principal ARNs and resource ARNs or IDs an event names.
	Principals []string `json:"principals,omitempty"`
	Resources  []string `json:"resources,omitempty"`
	// Types are globs of finding types, generator and control IDs,
	// Config rule names and API call names.
	Types []string `json:"types,omitempty"`
	// Below, when set, limits it to alerts of a lower severity: a
	// suppression of noisy LOW findings never hides a CRITICAL one.
	Below *severity.Severity `json:"below,omitempty"`
}

// Expired reports whether s no longer applies at t.
func (s Suppression) Expired(t time.Time) bool {
	if s.Until == "" {
		return false
	}
	end, err := time.Parse(time.DateOnly, s.Until)
	return err != nil || !t.Before(end.AddDate(0, 0, 1))
}

// matches reports whether s applies to an alert of detector at sev about
// account and region, with facts f, at time t.
func (s Suppression) matches(detector string, sev severity.Severity, account, region string, f facts, t time.Time) bool {
	if s.Expired(t) || (s.Below != nil && sev >= *s.Below) {
		return false
	}
	return anyExact(s.Detectors, detector) && anyExact(s.Accounts, account) && anyExact(s.Regions, region) &&
		anyGlob(s.Principals, f.Principals) && anyGlob(s.Resources, f.Resources) && anyGlob(s.Types, f.Types)
}

// anyExact: an unset list matches everything.
func anyExact(list []string, v string) bool {
	if len(list) == 0 {
		return true
	}
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// anyGlob: an unset list matches everything; a set one needs a value that
// one of its globs matches.
func anyGlob(globs, values []string) bool {
	if len(globs) == 0 {
		return true
	}
	for _, g := range globs {
		for _, v := range values {
			if Glob(g, v) {
				return true
			}
		}
	}
	return false
}

// Glob matches v against g, where "*" stands for any run of characters
// ("/" and ":" included, so arn:aws:iam::*:role/deploy-* works as people
// expect) and every other character for itself.
// path.Match is not used: its "*" stops at "/", and its brackets and "?"
// would make a literal resource ID mean something else.
func Glob(g, v string) bool {
	if !strings.Contains(g, "*") {
		return g == v
	}
	parts := strings.Split(g, "*")
	if !strings.HasPrefix(v, parts[0]) {
		return false
	}
	v = v[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(v, p)
		if i < 0 {
			return false
		}
		v = v[i+len(p):]
	}
	return strings.HasSuffix(v, parts[len(parts)-1])
}
