// Package forecast estimates, before deploying, how many alerts a member and
// its hub would produce from real CloudTrail logs, EventBridge events and
// Security Hub and GuardDuty findings exports: per day, per detector,
// severity and destination, the noisiest principals and API calls, and what
// the forwarded traffic costs. It streams the input through the same
// pipeline replay uses (replay.Router), over all cores, in memory that does
// not grow with the input. Then it replays the alerting events in time
// order through the delivery function's own code (a replay.Session), to
// show what deduplication, flood collapsing and suppressions keep quiet.
package forecast

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"secalerts/cloudtrail"
	"secalerts/eventbridge"
	"secalerts/replay"
)

// Options tune a run.
type Options struct {
	// Workers is how many files are read at once (default GOMAXPROCS).
	Workers int
	// Exhaustive sends every delivered record, whole, through the full
	// matcher instead of screening it first on its eventSource, eventName
	// and a few other fields and routing what passes in its pruned form,
	// through a cache. The answer is the same (TestScreenChangesNothing);
	// only slower.
	Exhaustive bool
	// QuietMemory bounds the bytes of events the quiet pass keeps in
	// memory (default DefaultQuietMemory); the rest wait in a temporary
	// file in TempDir (default the system's).
	QuietMemory int64
	TempDir     string
}

// Progress is updated as a run goes; read it with its Snapshot method
// from another goroutine.
type Progress struct {
	filesTotal, filesDone, bytesTotal, bytesDone atomic.Int64
	quietTotal, quietDone                        atomic.Int64
}

// ProgressSnapshot is Progress at one moment. QuietTotal is set when the
// quiet pass starts, after every file was read.
type ProgressSnapshot struct {
	FilesTotal, FilesDone, BytesTotal, BytesDone int64
	QuietTotal, QuietDone                        int64
}

// Snapshot reads p.
func (p *Progress) Snapshot() ProgressSnapshot {
	return ProgressSnapshot{FilesTotal: p.filesTotal.Load(), FilesDone: p.filesDone.Load(),
		BytesTotal: p.bytesTotal.Load(), BytesDone: p.bytesDone.Load(),
		QuietTotal: p.quietTotal.Load(), QuietDone: p.quietDone.Load()}
}

// screenPaths are the fields a record is screened on: all top-level fields
// of the event CloudTrail's record becomes, plus the detail fields the
// detectors' patterns name most.
var screenPaths = []string{"source", "detail-type", "account", "region",
	"detail.eventSource", "detail.eventName", "detail.eventType", "detail.errorCode", "detail.readOnly"}

// Engine forecasts one member and its hub.
type Engine struct {
	router  *replay.Router
	screens map[string]*eventbridge.Screen
	// pruner keeps the fields of an event that any member or hub rule
	// looks at.
	pruner *eventbridge.Pruner
	opts   Options
}

// New builds the engine on the pipeline of a member and its hub.
func New(router *replay.Router, opts Options) (*Engine, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	e := &Engine{router: router, screens: map[string]*eventbridge.Screen{}, opts: opts}
	for _, region := range router.Regions() {
		s := eventbridge.NewScreen(screenPaths...)
		for _, pat := range router.MemberPatterns(region) {
			if err := s.Add(pat); err != nil {
				return nil, fmt.Errorf("screening the member rules of %s: %w", region, err)
			}
		}
		e.screens[region] = s
	}
	e.pruner = eventbridge.NewPruner()
	for _, pat := range router.Patterns() {
		if err := e.pruner.Add(pat); err != nil {
			return nil, fmt.Errorf("pruning events for the rules: %w", err)
		}
	}
	return e, nil
}

// maxErrors bounds the errors a report lists; the count is always exact.
const maxErrors = 100

// Run forecasts from the files under paths. progress may be nil. Errors
// (unreadable paths, corrupt files, records that are not JSON) are in the
// report; corrupt files are skipped whole, bad records alone.
func (e *Engine) Run(paths []string, progress *Progress) *Report {
	if progress == nil {
		progress = &Progress{}
	}
	files, walkErrs := cloudtrail.Walk(paths)
	var total int64
	for _, f := range files {
		total += f.Size
	}
	progress.filesTotal.Store(int64(len(files)))
	progress.bytesTotal.Store(total)

	store := newEventStore(e.opts.QuietMemory, e.opts.TempDir)
	defer store.close()
	jobs := make(chan int)
	results := make([]*tally, e.opts.Workers)
	var wg sync.WaitGroup
	for i := range results {
		results[i] = newTally()
		wg.Add(1)
		go func(t *tally) {
			defer wg.Done()
			w := &worker{e: e, cache: map[string]bool{}, days: map[string]string{}, routes: map[string]replay.Outcome{}, held: store}
			for j := range jobs {
				w.file = j
				e.file(w, files[j], t, progress)
				progress.filesDone.Add(1)
			}
		}(results[i])
	}
	for j := range files {
		jobs <- j
	}
	close(jobs)
	wg.Wait()

	all := newTally()
	for _, t := range results {
		all.merge(t)
	}
	for _, err := range walkErrs {
		all.fail(err.Error())
	}
	r := all.report()
	r.Files, r.Bytes = len(files), total
	r.Account, r.Regions = e.router.Account(), e.router.Regions()
	quiet, errs := e.quietPass(store, files, r, progress)
	for _, msg := range errs {
		r.ErrorCount++
		if len(r.Errors) < maxErrors {
			r.Errors = append(r.Errors, msg)
		}
	}
	if r.FindingsRead > 0 {
		quiet.Notes = append(quiet.Notes, fmt.Sprintf("%d events were made from findings exports. An export holds each finding once, "+
			"in its latest state, where Security Hub and GuardDuty send an event for every update: after the quiet rules, "+
			"a finding's repeats are kept quiet only across the exports and updates the input holds.", r.FindingsRead))
	}
	r.Quiet = quiet
	return r
}

// worker is one goroutine's reusable state.
type worker struct {
	// days interns day strings: eventTime is only kept as bytes.
	days  map[string]string
	e     *Engine
	event []byte
	key   []byte
	// file is the index of the file being read; held keeps the events
	// of the quiet pass.
	file int
	held *eventStore
	// cache holds screen answers by record key; a worker's own map needs
	// no lock.
	cache map[string]bool
	// routes holds outcomes by region, account and pruned event: the
	// records that pass the screen are mostly the same few calls, and
	// routing one (a full JSON decode in the matcher) costs as much as
	// reading a hundred records.
	routes      map[string]replay.Outcome
	routesBytes int
	pruned      []byte
}

// maxCache bounds the screen cache: past it answers are computed each time.
const maxCache = 1 << 16

// maxRoutesBytes bounds the keys of a worker's route cache, as pruned
// events can be large when rules look deep into requests.
const maxRoutesBytes = 8 << 20

// file reads one file into t, or into nothing when the file turns out to
// be corrupt.
func (e *Engine) file(w *worker, f cloudtrail.File, t *tally, progress *Progress) {
	ft := newTally()
	ft.files = 1
	in, err := cloudtrail.Open(f.Path, func(n int) { progress.bytesDone.Add(int64(n)) })
	if err != nil {
		t.fail(fmt.Sprintf("%s: %v (file skipped)", f.Path, err))
		t.filesFailed++
		return
	}
	defer in.Close()
	err = cloudtrail.Decode(in, func(it cloudtrail.Item) error {
		err := it.Err
		if err == nil && it.Kind == cloudtrail.RecordItem {
			err = w.record(it.Record, it.Index, ft)
		} else if err == nil {
			if it.Kind == cloudtrail.FindingItem {
				ft.findings++
			}
			err = w.eventItem(it.Raw, it.Index, ft)
		}
		if err != nil {
			ft.fail(fmt.Sprintf("%s: record %d: %v (record skipped)", f.Path, it.Index+1, err))
		}
		return nil
	})
	if err != nil {
		t.fail(fmt.Sprintf("%s: %v (file skipped)", f.Path, err))
		t.filesFailed++
		// Nothing of a file skipped is counted before the quiet rules,
		// so nothing of it is replayed after them.
		w.held.discard(w.file)
		return
	}
	t.merge(ft)
}

// record counts one CloudTrail record, the index-th item of its file.
func (w *worker) record(r *cloudtrail.Record, index int, t *tally) error {
	e := w.e
	d := t.day(w.dayOf(r.EventTime.Raw))
	d.Events++
	switch cloudtrail.Classify(r) {
	case cloudtrail.NotDelivered:
		t.notDelivered++
		return nil
	case cloudtrail.ReadOnlyManagement:
		// Member rules are ENABLED, which EventBridge never sends
		// read-only management events.
		t.readOnlySkipped++
		return nil
	}
	region := r.AWSRegion.Str
	account := e.router.Account()
	if r.RecipientAccountID.Str != account {
		t.otherAccounts++
	}
	if !e.opts.Exhaustive && !w.mayForward(r, region, account) {
		return nil
	}
	w.event = cloudtrail.AppendEvent(w.event[:0], r, account)
	out, err := w.route(region, account)
	if err != nil {
		return err
	}
	if !out.Forwarded {
		return nil
	}
	var who identity
	if len(out.Destinations) > 0 && r.UserIdentity.Kind == cloudtrail.Other {
		// Only alerts need the principal: decoding it for every record
		// would cost as much as the rest.
		_ = json.Unmarshal(r.UserIdentity.Raw, &who)
	}
	t.add(d, out, len(w.event), region, who.principal(), r.EventSource.Str+" "+r.EventName.Str)
	// The quiet pass needs the whole event (suppressions and flood
	// summaries read principals, resources and findings), not the pruned
	// one routed. A CloudTrail record never closes a finding nor carries
	// a heartbeat: only its alerts change the function's state.
	if len(out.Destinations) > 0 {
		w.held.add(eventTimeNanos(string(r.EventTime.Raw)), w.file, index, w.event, out.Destinations)
	}
	return nil
}

// route routes w.event: pruned and through the worker's cache, or whole
// when the engine is exhaustive.
func (w *worker) route(region, account string) (replay.Outcome, error) {
	e := w.e
	if e.opts.Exhaustive {
		return e.router.Route(w.event, region, account)
	}
	k := append(w.pruned[:0], region...)
	k = append(k, 0)
	k = append(k, account...)
	k = append(k, 0)
	at := len(k)
	k, ok := e.pruner.Append(k, w.event)
	w.pruned = k
	if !ok {
		// Not reached for a record the reader checked; the matcher says
		// what is wrong with the whole event.
		return e.router.Route(w.event, region, account)
	}
	if out, hit := w.routes[string(k)]; hit {
		return out, nil
	}
	out, err := e.router.Route(k[at:], region, account)
	if err != nil {
		return out, err
	}
	if w.routesBytes+len(k) <= maxRoutesBytes {
		w.routes[string(k)] = out
		w.routesBytes += len(k)
	}
	return out, nil
}

// mayForward asks the region's screen, through the worker's cache.
func (w *worker) mayForward(r *cloudtrail.Record, region, account string) bool {
	fs := []*cloudtrail.Field{&r.EventSource, &r.EventName, &r.EventType, &r.ErrorCode, &r.ReadOnly}
	k := append(w.key[:0], region...)
	k = append(k, 0)
	k = append(k, account...)
	for _, f := range fs {
		if f.Kind == cloudtrail.Other {
			// A number or object where a string is expected: rare enough
			// to route in full.
			return true
		}
		k = append(k, 0, byte(f.Kind))
		k = append(k, f.Raw...)
	}
	w.key = k
	if ok, hit := w.cache[string(k)]; hit {
		return ok
	}
	s := w.e.screens[region]
	ok := false
	if s != nil {
		fields := map[string]any{
			"source":      cloudtrail.Source(r.EventSource.Str),
			"detail-type": mustDetailType(r.EventType.Str),
			"account":     account,
			"region":      region,
		}
		for name, f := range map[string]*cloudtrail.Field{"detail.eventSource": &r.EventSource, "detail.eventName": &r.EventName,
			"detail.eventType": &r.EventType, "detail.errorCode": &r.ErrorCode, "detail.readOnly": &r.ReadOnly} {
			if v, present := f.Value(); present {
				fields[name] = v
			}
		}
		var err error
		if ok, err = s.MayMatch(fields); err != nil {
			// Only a programming error (a path not screened) gets here;
			// routing in full is always correct.
			ok = true
		}
	}
	if len(w.cache) < maxCache {
		w.cache[string(k)] = ok
	}
	return ok
}

func mustDetailType(eventType string) string {
	dt, _ := cloudtrail.DetailType(eventType)
	return dt
}

// eventItem counts one EventBridge event, the index-th item of its file,
// as replay would send it.
func (w *worker) eventItem(raw []byte, index int, t *tally) error {
	event, env, note, err := w.e.router.Prepare(raw)
	if err != nil {
		return err
	}
	var detail struct {
		Time   string `json:"time"`
		Detail struct {
			EventSource  string   `json:"eventSource"`
			EventName    string   `json:"eventName"`
			UserIdentity identity `json:"userIdentity"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(raw, &detail); err != nil {
		return fmt.Errorf("not an EventBridge event: %w", err)
	}
	d := t.day(dayOf(detail.Time))
	d.Events++
	if note != "" {
		t.otherAccounts++
	}
	out, err := w.e.router.Route(event, env.Region, env.Account)
	if err != nil {
		return err
	}
	if len(out.Destinations) > 0 || out.Closes != "" || out.Heartbeat {
		w.held.add(eventTimeNanos(detail.Time), w.file, index, event, out.Destinations)
	}
	if !out.Forwarded {
		return nil
	}
	api := detail.Detail.EventSource + " " + detail.Detail.EventName
	if detail.Detail.EventName == "" {
		api = env.Source + " " + env.DetailType
	}
	t.add(d, out, len(event), env.Region, detail.Detail.UserIdentity.principal(), api)
	return nil
}

// identity is the part of userIdentity that names the caller.
type identity struct {
	Type        string `json:"type"`
	ARN         string `json:"arn"`
	PrincipalID string `json:"principalId"`
	InvokedBy   string `json:"invokedBy"`
}

func (i identity) principal() string {
	switch {
	case i.ARN != "":
		return i.ARN
	case i.InvokedBy != "":
		return i.InvokedBy
	case i.Type != "" || i.PrincipalID != "":
		return strings.TrimSpace(i.Type + " " + i.PrincipalID)
	}
	return "(unknown)"
}

// dayOf is dayOf for the raw bytes of a record's eventTime.
func (w *worker) dayOf(t []byte) string {
	if len(t) >= 10 {
		t = t[:10]
	}
	if d, ok := w.days[string(t)]; ok {
		return d
	}
	d := dayOf(string(t))
	if len(w.days) < maxCache {
		w.days[string(t)] = d
	}
	return d
}

// dayOf is the UTC day of an RFC 3339 time ("unknown" when it is not one).
func dayOf(t string) string {
	if len(t) < 10 || t[4] != '-' || t[7] != '-' {
		return unknownDay
	}
	return t[:10]
}

const unknownDay = "unknown"

// sortedKeys returns m's keys sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
