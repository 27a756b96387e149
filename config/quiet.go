package config

import (
	"regexp"
	"strings"
	"time"

	"secalerts/detectors"
	"secalerts/engine"
	"secalerts/severity"
)

// Quiet defaults: a finding still open is mentioned again after a week;
// more than ten alerts of one detector in a quarter of an hour become one
// summary. Ten e-mails in fifteen minutes stay far below the rate at which
// SNS suspends an e-mail endpoint (10 messages per second per endpoint,
// Amazon SNS quotas).
const (
	DefaultRemindAfterDays = 7
	DefaultFloodMax        = 10
	DefaultFloodMinutes    = 15
)

// Bounds of the quiet keys. A flood window shorter than the delivery
// function's 5-minute tick would end before its summary could go out.
const (
	maxRemindAfterDays = 365
	maxFloodMax        = 1000
	minFloodMinutes    = int(engine.TickInterval / time.Minute)
	maxFloodMinutes    = 24 * 60
	maxReasonLen       = 500
	maxSuppressions    = 100
)

var suppressionNameShape = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$`)

var suppressionKeys = []string{"name", "reason", "until", "detectors", "accounts", "regions", "principals", "resources", "types", "below"}

// readQuiet reads a customer's remindAfterDays, flood and suppressions.
func readQuiet(p *problems, o object, c *Customer) {
	c.RemindAfterDays = DefaultRemindAfterDays
	if n, ok := o.integer(p, "remindAfterDays"); ok && n != nil {
		if *n < 0 || *n > maxRemindAfterDays {
			p.addf(o.key("remindAfterDays"), "%d is out of range (expected 0, never, to %d days)", *n, maxRemindAfterDays)
		}
		c.RemindAfterDays = *n
	}

	c.Flood = engine.Flood{MaxPerWindow: DefaultFloodMax, WindowMinutes: DefaultFloodMinutes}
	if raw, set := o.raw("flood"); set {
		if fo, ok := readObject(p, o.key("flood"), raw, "maxPerWindow", "windowMinutes"); ok {
			if n, ok := fo.integer(p, "maxPerWindow"); ok && n != nil {
				if *n < 0 || *n > maxFloodMax {
					p.addf(fo.key("maxPerWindow"), "%d is out of range (expected 0, never collapse, to %d alerts)", *n, maxFloodMax)
				}
				c.Flood.MaxPerWindow = *n
			}
			if n, ok := fo.integer(p, "windowMinutes"); ok && n != nil {
				if *n < minFloodMinutes || *n > maxFloodMinutes {
					p.addf(fo.key("windowMinutes"), "%d is out of range (expected %d to %d minutes: summaries go out on the delivery function's 5-minute tick)", *n, minFloodMinutes, maxFloodMinutes)
				}
				c.Flood.WindowMinutes = *n
			}
		}
	}

	items, _ := o.list(p, "suppressions")
	if len(items) > maxSuppressions {
		p.addf(o.key("suppressions"), "%d suppressions, over the %d a customer may have: merge them with globs and lists", len(items), maxSuppressions)
		return
	}
	seen := map[string]string{}
	for i, raw := range items {
		path := index(o.key("suppressions"), i)
		s, ok := readSuppression(p, path, raw)
		if !ok {
			continue
		}
		if first, dup := seen[s.Name]; dup {
			p.addf(path+".name", "suppression %q is named twice (also at %s): names say why an alert was kept quiet", s.Name, first)
			continue
		}
		seen[s.Name] = path
		c.Suppressions = append(c.Suppressions, s)
	}
}

// readSuppression reads one suppression.
func readSuppression(p *problems, path string, raw []byte) (engine.Suppression, bool) {
	so, ok := readObject(p, path, raw, suppressionKeys...)
	if !ok {
		return engine.Suppression{}, false
	}
	var s engine.Suppression
	before := len(p.errs)
	s.Name, _ = so.str(p, "name")
	if !suppressionNameShape.MatchString(s.Name) {
		p.addf(so.key("name"), "%q is not a suppression name (expected 1-64 lowercase letters, digits and dashes, e.g. deploy-pipeline-sg-changes)", s.Name)
	}
	s.Reason, _ = so.str(p, "reason")
	if strings.TrimSpace(s.Reason) == "" || len(s.Reason) > maxReasonLen || !printable(s.Reason) {
		p.addf(so.key("reason"), "a suppression needs a reason of 1-%d printable characters: the weekly quiet report quotes it", maxReasonLen)
	}
	if until, set := so.str(p, "until"); set {
		s.Until = until
		if _, err := time.Parse(time.DateOnly, until); err != nil {
			// YAML reads an unquoted 2027-01-31 as a timestamp, which
			// reaches the program as 2027-01-31T00:00:00Z.
			if t, err := time.Parse(time.RFC3339, until); err == nil && t.Equal(t.Truncate(24*time.Hour)) {
				s.Until = t.UTC().Format(time.DateOnly)
			} else {
				p.addf(so.key("until"), "%q is not a date (expected YYYY-MM-DD, the last day the suppression applies, UTC)", until)
			}
		}
	}

	known := detectors.IDs()
	s.Detectors = readStrings(p, so, "detectors", func(path, id string) bool {
		d, err := detectors.ByID(id)
		switch {
		case err != nil:
			p.addf(path, "unknown detector %q (valid: %s)", id, strings.Join(known, ", "))
			return false
		case !d.Suppressible():
			p.addf(path, "detector %q cannot be suppressed: the heartbeat, the canary and pipeline-* alerts always go out", id)
			return false
		}
		return true
	})
	s.Accounts = readStrings(p, so, "accounts", func(path, id string) bool { return checkAccountID(p, path, id) })
	s.Regions = readStrings(p, so, "regions", func(path, r string) bool { return checkRegion(p, path, r) })
	s.Principals = readStrings(p, so, "principals", func(path, g string) bool {
		if !strings.HasPrefix(g, "arn:") {
			p.addf(path, "%q is not a principal ARN glob (expected e.g. arn:aws:iam::*:role/deploy-pipeline or arn:aws:sts::*:assumed-role/deploy-pipeline/*; * is any run of characters)", g)
			return false
		}
		return true
	})
	s.Resources = readStrings(p, so, "resources", nonEmptyGlob(p))
	s.Types = readStrings(p, so, "types", nonEmptyGlob(p))
	if _, set := so.raw("below"); set {
		b := readSeverity(p, so, "below", severity.Informational)
		if b == severity.Informational {
			p.addf(so.key("below"), "no alert is below INFORMATIONAL: the suppression would match nothing (expected LOW, MEDIUM, HIGH or CRITICAL)")
		}
		s.Below = &b
	}
	if len(s.Detectors)+len(s.Accounts)+len(s.Regions)+len(s.Principals)+len(s.Resources)+len(s.Types) == 0 && len(p.errs) == before {
		p.addf(path, "suppression %q has no matcher and would hide every alert: set detectors, accounts, regions, principals, resources or types", s.Name)
	}
	return s, len(p.errs) == before
}

func nonEmptyGlob(p *problems) func(path, v string) bool {
	return func(path, v string) bool {
		if strings.Trim(v, "*") == "" || !printable(v) {
			p.addf(path, "%q matches anything or is not printable (expected an ARN, ID or name; * is any run of characters)", v)
			return false
		}
		return true
	}
}
