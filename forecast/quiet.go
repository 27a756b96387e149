package forecast

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"secalerts/cloudtrail"
	"secalerts/engine"
	"secalerts/replay"
)

// The quiet pass: what the forecast counts before the quiet rules (every
// alerting event, as routed) goes, in time order, through a replay
// session: the delivery function's own Handle and Tick, with its state,
// so duplicates of open findings, floods and the customer's suppressions
// are kept quiet, and flood summaries and reminders go out, exactly where
// the function would. Only the events that alert, close a finding or
// carry a heartbeat change that state; the parallel readers keep them
// (eventStore) and the pass replays them after.

// QuietSameEvent is why an alert was not sent besides the engine's own
// reasons (Result.Quiet): its event was delivered already, a retry or one
// update of a finding read from two exports, and the function sends an
// event to a destination once.
const QuietSameEvent = "same-event-id"

// QuietCounts compares one row before and after the quiet rules. For a
// detector, a day or the total the unit is alerts (an event, a flood
// summary or a reminder, whatever its destinations); for a destination it
// is messages.
type QuietCounts struct {
	// Before is what the forecast counts without the quiet rules.
	Before int64 `json:"before"`
	// After is what is sent with them: Sent, FloodSummaries and Reminders.
	After int64 `json:"after"`
	// Sent are alerts of single events the quiet rules let through.
	Sent           int64 `json:"sent"`
	FloodSummaries int64 `json:"floodSummaries"`
	Reminders      int64 `json:"reminders"`
	// KeptQuiet counts the alerts not sent, by reason: "duplicate" (its
	// finding was already reported and has not changed), "flood" (counted
	// in its window's summary), "suppressed:<name>", or same-event-id.
	KeptQuiet map[string]int64 `json:"keptQuiet"`
	// NotReplayed alerts could not go through the function (an event too
	// large for EventBridge, an error): counted before, not after.
	NotReplayed int64 `json:"notReplayed,omitempty"`
}

func (c *QuietCounts) quiet(reason string) {
	if c.KeptQuiet == nil {
		c.KeptQuiet = map[string]int64{}
	}
	c.KeptQuiet[reason]++
}

// QuietDay is one day's row.
type QuietDay struct {
	Date string `json:"date"`
	QuietCounts
}

// SuppressionUse is one of the customer's suppressions and the alerts it
// kept quiet in the input.
type SuppressionUse struct {
	Name    string `json:"name"`
	Reason  string `json:"reason"`
	Until   string `json:"until,omitempty"`
	Matched int64  `json:"matched"`
}

// QuietReport is the forecast after the quiet rules.
type QuietReport struct {
	// Events went through the quiet pass: the alerting ones, and those
	// that close a finding or carry a heartbeat. Spilled were kept in a
	// temporary file rather than in memory.
	Events  int64 `json:"eventsReplayed"`
	Spilled int64 `json:"eventsSpilled"`
	// The customer's quiet settings, as the function has them.
	RemindAfterDays int          `json:"remindAfterDays"`
	Flood           engine.Flood `json:"flood"`
	Total           QuietCounts  `json:"total"`
	Days            []QuietDay   `json:"days"`
	// ByDetector counts alerts, ByDestination messages.
	ByDetector    map[string]QuietCounts `json:"byDetector"`
	ByDestination map[string]QuietCounts `json:"byDestination"`
	// HeartbeatReports (a member rule went silent) and WeeklyReports (what
	// was kept quiet in a week) are the function's own messages, counted
	// apart from the alerts.
	HeartbeatReports int64 `json:"heartbeatReports"`
	WeeklyReports    int64 `json:"weeklyReports"`
	// Suppressions lists every suppression of the customer; Unused names
	// the ones that matched nothing in the input.
	Suppressions []SuppressionUse `json:"suppressions"`
	Unused       []string         `json:"unusedSuppressions"`
	Notes        []string         `json:"notes"`
}

// quietTally counts the pass.
type quietTally struct {
	days, detectors, destinations map[string]*QuietCounts
	total                         QuietCounts
	suppressed                    map[string]int64
	reports, weekly               int64
	errors                        []string
}

func (q *quietTally) row(m map[string]*QuietCounts, k string) *QuietCounts {
	c := m[k]
	if c == nil {
		c = &QuietCounts{}
		m[k] = c
	}
	return c
}

// alertRows are the rows an alert of detector on day counts in.
func (q *quietTally) alertRows(day, detector string) []*QuietCounts {
	return []*QuietCounts{&q.total, q.row(q.days, day), q.row(q.detectors, detector)}
}

// quietPass replays the held events through a new session and counts
// what it sends and keeps quiet. before gives each row its count without
// the quiet rules.
func (e *Engine) quietPass(store *eventStore, files []cloudtrail.File, before *Report, progress *Progress) (*QuietReport, []string) {
	q := &quietTally{days: map[string]*QuietCounts{}, detectors: map[string]*QuietCounts{}, destinations: map[string]*QuietCounts{},
		suppressed: map[string]int64{}}
	r := &QuietReport{Notes: []string{}, Unused: []string{}, Suppressions: []SuppressionUse{}}
	if c := e.router.Customer(); c != nil {
		r.RemindAfterDays, r.Flood = c.RemindAfterDays, c.Flood
	}
	items, err := store.sorted()
	if err != nil {
		q.errors = append(q.errors, err.Error())
		items = nil
	}
	if store.spillErr != nil {
		r.Notes = append(r.Notes, store.spillErr.Error()+": the events were kept in memory instead")
	}
	r.Events, r.Spilled = int64(len(items)), store.spilledEvents()
	s, err := e.router.NewSession()
	if err != nil {
		q.errors = append(q.errors, fmt.Sprintf("starting the quiet pass: %v", err))
		items = nil
	}
	progress.quietTotal.Store(int64(len(items)))
	var buf []byte
	for _, h := range items {
		progress.quietDone.Add(1)
		var ev []byte
		ev, buf, err = store.event(h, buf)
		if err != nil {
			q.errors = append(q.errors, err.Error())
			break
		}
		results := s.Replay(files[h.file].Path, int(h.index)+1, ev)
		for _, res := range results[:len(results)-1] {
			q.tick(res)
		}
		q.event(results[len(results)-1], store.destSets[h.dests], heldDay(h))
	}
	if s != nil {
		for _, res := range s.Finish() {
			q.tick(res)
		}
	}
	q.fill(r, before, e.router.Customer())
	return r, q.errors
}

// heldDay is the UTC day of a held event, as dayOf reads its time.
func heldDay(h held) string {
	if h.at == noTime {
		return unknownDay
	}
	return time.Unix(0, h.at).UTC().Format(time.DateOnly)
}

// tick counts a message the function's tick sent.
func (q *quietTally) tick(res replay.Result) {
	if res.Error != "" {
		q.errors = append(q.errors, "quiet pass: "+res.Error)
		return
	}
	switch {
	case res.Report:
		q.reports++
		return
	case res.Weekly:
		q.weekly++
		return
	case !res.Summary && !res.Reminder:
		return
	}
	count := func(c *QuietCounts) {
		if res.Summary {
			c.FloodSummaries++
		} else {
			c.Reminders++
		}
	}
	for _, c := range q.alertRows(dayOf(res.Time), res.Detector) {
		count(c)
	}
	for _, d := range res.Deliveries {
		if !d.Duplicate {
			count(q.row(q.destinations, d.Destination))
		}
	}
}

// event counts the result of an event of day that alerted dests before
// the quiet rules.
func (q *quietTally) event(res replay.Result, dests []string, day string) {
	if len(dests) == 0 {
		// A closing or a heartbeat: it changed the state, alerts nobody.
		if res.Error != "" {
			q.errors = append(q.errors, "quiet pass: "+res.Error)
		}
		return
	}
	rows := q.alertRows(day, res.Detector)
	switch {
	case res.Quiet != "":
		for _, c := range rows {
			c.quiet(res.Quiet)
		}
		for _, d := range dests {
			q.row(q.destinations, d).quiet(res.Quiet)
		}
		if name, ok := strings.CutPrefix(res.Quiet, engine.QuietSuppressed); ok {
			q.suppressed[name]++
		}
	case len(res.Deliveries) > 0:
		sent := false
		for _, d := range res.Deliveries {
			if d.Duplicate {
				q.row(q.destinations, d.Destination).quiet(QuietSameEvent)
				continue
			}
			sent = true
			q.row(q.destinations, d.Destination).Sent++
		}
		for _, c := range rows {
			if sent {
				c.Sent++
			} else {
				c.quiet(QuietSameEvent)
			}
		}
	default:
		why := res.Error
		if why == "" {
			why = res.Undeliverable
		}
		if why == "" {
			why = res.Dropped
		}
		q.errors = append(q.errors, fmt.Sprintf("quiet pass: %s, event %d alerted before the quiet rules but not in the session: %s", res.File, res.Index, why))
		for _, c := range rows {
			c.NotReplayed++
		}
		for _, d := range dests {
			q.row(q.destinations, d).NotReplayed++
		}
	}
}

// fill writes the counts into r, with their before counts.
func (q *quietTally) fill(r *QuietReport, before *Report, c *engine.Customer) {
	q.total.Before = before.Total.Alerts
	for _, d := range before.Days {
		if d.Alerts > 0 {
			q.row(q.days, d.Date).Before = d.Alerts
		}
	}
	for k, n := range before.Total.ByDetector {
		q.row(q.detectors, k).Before = n
	}
	for k, n := range before.Total.ByDestination {
		q.row(q.destinations, k).Before = n
	}
	done := func(c *QuietCounts) QuietCounts {
		c.After = c.Sent + c.FloodSummaries + c.Reminders
		if c.KeptQuiet == nil {
			c.KeptQuiet = map[string]int64{}
		}
		return *c
	}
	r.Total = done(&q.total)
	r.Days = []QuietDay{}
	for _, date := range sortedKeys(q.days) {
		r.Days = append(r.Days, QuietDay{Date: date, QuietCounts: done(q.days[date])})
	}
	r.ByDetector, r.ByDestination = map[string]QuietCounts{}, map[string]QuietCounts{}
	for k, v := range q.detectors {
		r.ByDetector[k] = done(v)
	}
	for k, v := range q.destinations {
		r.ByDestination[k] = done(v)
	}
	r.HeartbeatReports, r.WeeklyReports = q.reports, q.weekly
	if c != nil {
		for _, s := range c.Suppressions {
			u := SuppressionUse{Name: s.Name, Reason: s.Reason, Until: s.Until, Matched: q.suppressed[s.Name]}
			r.Suppressions = append(r.Suppressions, u)
			if u.Matched == 0 {
				r.Unused = append(r.Unused, s.Name)
			}
		}
	}
	sort.Strings(r.Unused)
}
