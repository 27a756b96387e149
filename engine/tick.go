package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"secalerts/detectors"
	"secalerts/render"
	"secalerts/severity"
)

// The kinds of message the tick sends on its own.
const (
	SentReport   = "report"   // a member rule fell silent
	SentReminder = "reminder" // a finding is still open
	SentSummary  = "summary"  // a flood window ended with alerts collapsed
	SentWeekly   = "weekly"   // what was kept quiet last week
)

// Sent is a message the tick sent on its own: a silence report, a
// reminder, a flood summary or a weekly report.
type Sent struct {
	Customer string
	// Kind is SentReport, SentReminder, SentSummary or SentWeekly.
	Kind       string
	Detector   string
	Severity   severity.Severity
	Deliveries []Delivery
	// Covers are the events a summary stands for (at most 500 of them).
	Covers []string
}

// TickInterval is how often the function's tick rule runs Tick.
const TickInterval = 5 * time.Minute

// Tick does the periodic work: the heartbeat check, the summaries of flood
// windows that ended, last week's report of what was kept quiet, and, on
// the first tick of each hour, reminders of open findings (they are days
// apart, and reading every open finding every five minutes would cost
// twelve times as much for nothing). It returns what it sent.
func (e *Engine) Tick(ctx context.Context) ([]Sent, error) {
	var sent []Sent
	res, err := e.CheckHeartbeats(ctx)
	sent = append(sent, res.Sent...)
	errs := []error{err}
	steps := []func(context.Context, *Customer) ([]Sent, error){e.summarizeFloods, e.reportWeek}
	if now := e.now(); now.Sub(now.Truncate(time.Hour)) < TickInterval {
		steps = append([]func(context.Context, *Customer) ([]Sent, error){e.remind}, steps...)
	}
	for i := range e.cfg.Customers {
		c := &e.cfg.Customers[i]
		for _, step := range steps {
			s, err := step(ctx, c)
			sent = append(sent, s...)
			errs = append(errs, err)
		}
	}
	return sent, errors.Join(errs...)
}

// receiving lists c's destinations that take sev.
func receiving(c *Customer, sev severity.Severity) []*Destination {
	var out []*Destination
	for i := range c.Destinations {
		if c.Destinations[i].MinSeverity <= sev {
			out = append(out, &c.Destinations[i])
		}
	}
	return out
}

// remind re-sends, in the finding's thread, each finding still open whose
// last message is remindAfterDays old, saying how long it has been open.
func (e *Engine) remind(ctx context.Context, c *Customer) ([]Sent, error) {
	if c.RemindAfterDays <= 0 {
		return nil, nil
	}
	now := e.now()
	every := time.Duration(c.RemindAfterDays) * 24 * time.Hour
	items, err := e.store.Query(ctx, "finding#"+c.Name)
	if err != nil {
		return nil, fmt.Errorf("reading the findings of %s: %w", c.Name, err)
	}
	var sent []Sent
	var errs []error
	for _, it := range items {
		var st findingState
		if err := json.Unmarshal(it.Data, &st); err != nil {
			errs = append(errs, err)
			continue
		}
		if !st.Open || now.Sub(time.Unix(st.LastNotified, 0)) < every-checkSlack {
			continue
		}
		msg := st.Message
		msg.Kind = render.KindReminder
		msg.Notes = []string{fmt.Sprintf("Reminder: still open %s after it was first seen (%s); reminders every %d days while it stays open.",
			age(now.Sub(time.Unix(st.FirstSeen, 0))), day(st.FirstSeen), c.RemindAfterDays)}
		id := fmt.Sprintf("reminder-%s-%d", it.Key.SK, st.LastNotified)
		dels, err := e.dispatch(ctx, c, id, receiving(c, st.Severity), false, st.Severity, msg)
		sent = append(sent, Sent{Customer: c.Name, Kind: SentReminder, Detector: st.Detector, Severity: st.Severity, Deliveries: dels})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st.LastNotified = now.Unix()
		it.Data, _ = json.Marshal(st)
		// A conflict is a newer event of the finding: the next tick sees
		// it, and the reminder's ID keeps it from going out twice.
		if err := e.store.Put(ctx, it); err != nil && !errors.Is(err, ErrConflict) {
			errs = append(errs, err)
		}
	}
	return sent, errors.Join(errs...)
}

// age says a duration in days, or hours under two days.
func age(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// summarizeFloods sends one summary for each flood window that ended with
// alerts collapsed, to the destinations its highest severity reaches.
func (e *Engine) summarizeFloods(ctx context.Context, c *Customer) ([]Sent, error) {
	now := e.now()
	items, err := e.store.Query(ctx, floodPK(c.Name))
	if err != nil {
		return nil, fmt.Errorf("reading the flood windows of %s: %w", c.Name, err)
	}
	var sent []Sent
	var errs []error
	settled := e.settled.of(c.Name, items)
	for _, it := range items {
		if v, ok := settled.get(it.Key.SK); ok && v == it.Version {
			continue
		}
		var st windowState
		if err := json.Unmarshal(it.Data, &st); err != nil {
			errs = append(errs, err)
			continue
		}
		if st.Summarized || (st.Collapsed == 0 && now.Unix() >= st.End) {
			settled.set(it.Key.SK, it.Version)
		}
		if st.Summarized || st.Collapsed == 0 || now.Unix() < st.End {
			continue
		}
		msg := floodSummary(c, st)
		dels, err := e.dispatch(ctx, c, "flood-"+it.Key.SK, receiving(c, st.Highest), false, st.Highest, msg)
		sent = append(sent, Sent{Customer: c.Name, Kind: SentSummary, Detector: st.Detector, Severity: st.Highest, Deliveries: dels, Covers: st.Events})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st.Summarized = true
		it.Data, _ = json.Marshal(st)
		if err := e.store.Put(ctx, it); err != nil && !errors.Is(err, ErrConflict) {
			errs = append(errs, err)
		}
	}
	return sent, errors.Join(errs...)
}

// settledWindows remembers, per customer, the flood windows a tick read
// that no later tick has anything to do with, until they change: summed
// up already, or ended with nothing collapsed (a window's alerts are
// counted while it lasts, so an ended one changes no more). A window is
// kept for two days after it ends and the tick runs every five minutes:
// without this, each window would be decoded some 600 times for nothing.
// Windows are known by SK and item version, so one written since is read
// again.
type settledWindows struct {
	mu         sync.Mutex
	byCustomer map[string]*settledSet
}

// settledSet is one customer's settled windows; one tick uses it at a
// time.
type settledSet struct {
	mu       sync.Mutex
	versions map[string]int64
}

// of returns customer's settled windows, first forgetting those the store
// no longer has when they outnumber the windows it has.
func (s *settledWindows) of(customer string, items []Item) *settledSet {
	s.mu.Lock()
	if s.byCustomer == nil {
		s.byCustomer = map[string]*settledSet{}
	}
	set := s.byCustomer[customer]
	if set == nil {
		set = &settledSet{versions: map[string]int64{}}
		s.byCustomer[customer] = set
	}
	s.mu.Unlock()
	set.mu.Lock()
	defer set.mu.Unlock()
	if len(set.versions) > len(items) {
		live := make(map[string]bool, len(items))
		for _, it := range items {
			live[it.Key.SK] = true
		}
		for sk := range set.versions {
			if !live[sk] {
				delete(set.versions, sk)
			}
		}
	}
	return set
}

func (s *settledSet) get(sk string) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.versions[sk]
	return v, ok
}

func (s *settledSet) set(sk string, version int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.versions[sk] = version
}

func floodSummary(c *Customer, st windowState) render.Message {
	title := st.Detector
	if d, err := detectors.ByID(st.Detector); err == nil {
		title = d.Title
	}
	start, end := time.Unix(st.Start, 0).UTC(), time.Unix(st.End, 0).UTC()
	m := render.Message{
		Kind: render.KindSummary, DetectorID: st.Detector, Severity: st.Highest, Customer: c.Name,
		Time:  end.Format(time.RFC3339),
		Title: fmt.Sprintf("Flood: %d %s alerts from %s to %s, %d of them summed up here", st.Count, title, start.Format("15:04"), end.Format("15:04 UTC"), st.Collapsed),
		Summary: fmt.Sprintf("More than %d %s alerts came in %d minutes: the first %d were sent one by one, the other %d are counted here so a flood does not bury the channel.",
			c.Flood.MaxPerWindow, title, c.Flood.WindowMinutes, st.Count-st.Collapsed, st.Collapsed),
	}
	for _, b := range []struct {
		label  string
		counts map[string]int
	}{{"By account", st.Accounts}, {"By principal", st.Principals}, {"By resource type", st.ResourceTypes}} {
		if len(b.counts) > 0 {
			m.Fields = append(m.Fields, render.Field{Label: b.label, Value: counted(b.counts)})
		}
	}
	for i, t := range st.First {
		m.Fields = append(m.Fields, render.Field{Label: fmt.Sprintf("Collapsed %d", i+1), Value: t})
	}
	m.NextSteps = []string{
		"Look at the alerts sent one by one first: the rest are most likely more of the same.",
		"If this flood is expected (a deployment, a scan), consider a suppression with a reason and an end date.",
	}
	return m
}

// counted writes counts as "a 3, b 2", largest first.
func counted(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// reportWeek sends, once a week has ended, what was kept quiet in it and
// why, to every destination of the customer: a suppression that hides an
// attack must not stay unseen for months.
func (e *Engine) reportWeek(ctx context.Context, c *Customer) ([]Sent, error) {
	now := e.now()
	items, err := e.store.Query(ctx, quietPK(c.Name))
	if err != nil {
		return nil, fmt.Errorf("reading the quiet counts of %s: %w", c.Name, err)
	}
	var sent []Sent
	var errs []error
	for _, it := range items {
		var st quietState
		if err := json.Unmarshal(it.Data, &st); err != nil {
			errs = append(errs, err)
			continue
		}
		start, err := time.Parse(time.DateOnly, st.Week)
		if err != nil || st.Sent || now.Before(start.AddDate(0, 0, 7)) {
			continue
		}
		total := 0
		for _, n := range st.Count {
			total += n
		}
		msg := render.Message{
			Kind: render.KindSummary, DetectorID: "quiet-report", Severity: severity.Informational, Customer: c.Name,
			Time:    start.AddDate(0, 0, 7).Format(time.RFC3339),
			Title:   fmt.Sprintf("Kept quiet in the week of %s: %d alerts", st.Week, total),
			Summary: "These alerts were not sent: repeats of findings already reported, alerts summed up in flood summaries, and alerts your suppressions matched. Check that every suppression still deserves its reason.",
			Fields: []render.Field{
				{Label: "Why", Value: counted(st.Count)},
				{Label: "By detector", Value: counted(st.ByDetector)},
			},
		}
		var all []*Destination
		for i := range c.Destinations {
			all = append(all, &c.Destinations[i])
		}
		dels, err := e.dispatch(ctx, c, "weekly-"+st.Week, all, false, severity.Informational, msg)
		sent = append(sent, Sent{Customer: c.Name, Kind: SentWeekly, Detector: "quiet-report", Severity: severity.Informational, Deliveries: dels})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st.Sent = true
		it.Data, _ = json.Marshal(st)
		if err := e.store.Put(ctx, it); err != nil && !errors.Is(err, ErrConflict) {
			errs = append(errs, err)
		}
	}
	return sent, errors.Join(errs...)
}
