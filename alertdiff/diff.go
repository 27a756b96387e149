package alertdiff

import (
	"slices"
	"sort"
)

// Kind is how an event's alerting changed.
type Kind string

// The kinds of change, in the order a report lists them.
const (
	// Started: the base delivered nothing, the head delivers.
	Started Kind = "starts alerting"
	// Stopped: the base delivered, the head delivers nothing.
	Stopped Kind = "stops alerting"
	// Changed: both deliver, with another severity, detector, set of
	// recipients or message.
	Changed Kind = "changes"
	// Missing: one version has no result for the event (its replay
	// rejected it); the other's result is kept in Base or Head.
	Missing Kind = "no result"
)

// Change is one event whose alerting differs between base and head.
type Change struct {
	// Event is the file, with [index] when the file holds several events.
	Event string
	Kind  Kind
	Base  Outcome
	Head  Outcome
	// SeverityChanged and DetectorChanged compare the alert's labels.
	SeverityChanged bool
	DetectorChanged bool
	// Added and Removed are recipients ("<destination> (<customer>)") the
	// head reaches that the base did not, and the other way round.
	Added, Removed []string
	// Reworded are recipients reached by both whose message text differs.
	Reworded []string
	// Detail says why a result is missing.
	Detail string
}

// Report is the whole comparison.
type Report struct {
	Changes []Change
	// Events is how many distinct events were compared.
	Events int
	// Unchanged counts events whose alerting is the same in both.
	Unchanged int
}

// Counts summarises a report by kind of change; an event that changes
// both severity and recipients counts once for each.
type Counts struct {
	Started, Stopped, Severity, Recipients, Messages, Missing, Unchanged int
}

// Counts tallies the report.
func (r Report) Counts() Counts {
	c := Counts{Unchanged: r.Unchanged}
	for _, ch := range r.Changes {
		switch ch.Kind {
		case Started:
			c.Started++
		case Stopped:
			c.Stopped++
		case Missing:
			c.Missing++
		case Changed:
			if ch.SeverityChanged || ch.DetectorChanged {
				c.Severity++
			}
			if len(ch.Added)+len(ch.Removed) > 0 {
				c.Recipients++
			}
			if len(ch.Reworded) > 0 {
				c.Messages++
			}
		}
	}
	return c
}

// Compare lines up the two versions' outcomes by event and returns every
// event whose alerting differs. Events that neither version alerts on are
// unchanged whatever else differs (a forwarding rule's name, say): the
// diff is about who gets told what.
func Compare(base, head []Outcome) Report {
	b, h := byKey(base), byKey(head)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range h {
		keys[k] = true
	}
	perFile := map[string]int{}
	for k := range keys {
		o, ok := b[k]
		if !ok {
			o = h[k]
		}
		perFile[o.File]++
	}
	var rep Report
	for _, k := range sortedKeys(keys, b, h) {
		rep.Events++
		bo, inBase := b[k]
		ho, inHead := h[k]
		// A message of the tick one version did not send is one it did
		// not send, not one it could not replay.
		if !inBase && ho.Time != "" {
			bo, inBase = Outcome{Time: ho.Time}, true
		}
		if !inHead && bo.Time != "" {
			ho, inHead = Outcome{Time: bo.Time}, true
		}
		ch := Change{Event: k, Base: bo, Head: ho}
		o := bo
		if !inBase {
			o = ho
		}
		if o.Time == "" && perFile[o.File] == 1 && o.Index <= 1 {
			// The file alone when it holds one event.
			ch.Event = o.File
		}
		switch {
		case !inBase || !inHead || bo.Error != "" || ho.Error != "":
			if inBase && inHead && bo.Error == ho.Error {
				// Rejected alike by both: nothing changed.
				rep.Unchanged++
				continue
			}
			ch.Kind, ch.Detail = Missing, missingDetail(bo, inBase, ho, inHead)
		case !bo.Alerting() && !ho.Alerting():
			rep.Unchanged++
			continue
		case !bo.Alerting():
			ch.Kind = Started
		case !ho.Alerting():
			ch.Kind = Stopped
		default:
			ch.Kind = Changed
			ch.SeverityChanged = bo.Severity != ho.Severity
			ch.DetectorChanged = bo.Detector != ho.Detector
			ch.Added, ch.Removed = setDiff(ho.Recipients(), bo.Recipients()), setDiff(bo.Recipients(), ho.Recipients())
			ch.Reworded = reworded(bo, ho)
			if !ch.SeverityChanged && !ch.DetectorChanged && len(ch.Added)+len(ch.Removed)+len(ch.Reworded) == 0 {
				rep.Unchanged++
				continue
			}
		}
		rep.Changes = append(rep.Changes, ch)
	}
	return rep
}

func byKey(os []Outcome) map[string]Outcome {
	m := make(map[string]Outcome, len(os))
	for _, o := range os {
		m[o.Key()] = o
	}
	return m
}

func missingDetail(b Outcome, inBase bool, h Outcome, inHead bool) string {
	switch {
	case !inBase:
		return "the base did not replay it"
	case !inHead:
		return "the head did not replay it"
	case b.Error != "" && h.Error != "":
		return "base: " + b.Error + "; head: " + h.Error
	case b.Error != "":
		return "base: " + b.Error
	}
	return "head: " + h.Error
}

// setDiff is the elements of a not in b; both sorted.
func setDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, x)
		}
	}
	return out
}

// reworded lists the recipients both versions reach with different
// message text.
func reworded(b, h Outcome) []string {
	messages := func(o Outcome) map[string][]string {
		m := map[string][]string{}
		for _, d := range o.Deliveries {
			m[recipient(d)] = append(m[recipient(d)], d.Message)
		}
		for _, v := range m {
			sort.Strings(v)
		}
		return m
	}
	bm, hm := messages(b), messages(h)
	var out []string
	for r, hv := range hm {
		if bv, ok := bm[r]; ok && !slices.Equal(bv, hv) {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

// sortedKeys orders events by file, then position in the file.
func sortedKeys(keys map[string]bool, b, h map[string]Outcome) []string {
	out := make([]string, 0, len(keys))
	for k := range keys {
		out = append(out, k)
	}
	at := func(k string) Outcome {
		if o, ok := b[k]; ok {
			return o
		}
		return h[k]
	}
	sort.Slice(out, func(i, j int) bool {
		oi, oj := at(out[i]), at(out[j])
		if oi.File != oj.File {
			return oi.File < oj.File
		}
		return oi.Index < oj.Index
	})
	return out
}
