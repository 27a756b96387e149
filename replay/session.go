package replay

import (
	"container/heap"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"secalerts/engine"
	"secalerts/eventbridge"
)

// Session replays events as the delivery function would receive them over
// time: with the engine's state (what was sent, which findings are open,
// the flood windows, the heartbeats) carried from one event to the next,
// and the function's tick run at each TickInterval boundary the events'
// times pass, so that flood summaries, reminders, silence reports and the
// weekly quiet report come out where the function would send them. Feed
// it events in time order (Ordered does that); it is not safe for
// concurrent use.
type Session struct {
	r      *Router
	engine *engine.Engine
	store  *engine.MemoryStore
	clock  *replayClock
	// ticked is the time of the last tick; zero before the first event.
	ticked time.Time
	// last is the time of the latest event replayed.
	last time.Time
	// seen maps the IDs of recently collapsed events to where they were
	// read, for the events a flood summary covers.
	seen map[string]seenEvent
}

type seenEvent struct {
	ref Ref
	at  time.Time
}

// NewSession starts a replay with the state empty.
func (r *Router) NewSession() (*Session, error) {
	cfg := *r.delivery
	// The member's customer is the only one its events reach; the others
	// would only cost each tick a look at their empty state.
	cfg.Customers = nil
	if c := r.Customer(); c != nil {
		cfg.Customers = []engine.Customer{*c}
	}
	s := &Session{r: r, clock: &replayClock{}, store: engine.NewMemoryStore(), seen: map[string]seenEvent{}}
	s.store.Now = s.clock.now
	eng, err := engine.New(&cfg, engine.Options{Store: s.store, Sender: discard{}, Now: s.clock.now})
	if err != nil {
		return nil, err
	}
	s.engine = eng
	return s, nil
}

// Replay routes one event (the index-th of file, from 1) and delivers it
// through the engine. It returns the results of the ticks due before the
// event's time, then the event's own result, last.
func (s *Session) Replay(file string, index int, event []byte) []Result {
	r := s.r
	res := Result{File: file, Index: index, Deliveries: []Delivery{}}
	if why := Undeliverable(event); why != "" {
		res.Undeliverable = why
		return []Result{res}
	}
	// Errors name the event as Stream does: a file may hold several.
	where := fmt.Sprintf("%s: event %d", file, index)
	event, env, note, err := r.Prepare(event)
	if err != nil {
		res.Error = fmt.Sprintf("%s is %v", where, err)
		return []Result{res}
	}
	res.EventID, res.Account, res.Region, res.Note = env.ID, env.Account, env.Region, note
	var out []Result
	if t, err := time.Parse(time.RFC3339, env.Time); err == nil {
		if now := s.clock.now(); t.Before(now) {
			res.Note = join(res.Note, fmt.Sprintf("its time %s is earlier than events already replayed: replayed at %s",
				t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
		}
		out = s.tickUntil(t)
		s.clock.advance(t)
		s.last = s.clock.now()
	}
	routed, reached, err := r.reach(event, env.Region, env.Account)
	if err != nil {
		res.Error = fmt.Sprintf("%s: %v", where, err)
		return append(out, res)
	}
	res.Forwarded, res.ForwardRule, res.Customer, res.Dropped = routed.Forwarded, routed.ForwardRule, routed.Customer, routed.Dropped
	if !reached {
		return append(out, res)
	}
	if routed.FromHub {
		res.Note = join(res.Note, fmt.Sprintf("event of the hub account %s, made by the hub itself for bus %s", env.Account, r.customer.Bus.Name))
	}
	var o engine.Outcome
	if routed.FromHub {
		o, err = s.engine.Report(context.Background(), r.customer.Name, event)
	} else {
		var in engine.Input
		if in, err = s.input(event); err == nil {
			o, err = s.engine.Handle(context.Background(), in)
		}
	}
	if err != nil {
		res.Error = fmt.Sprintf("%s: %v", where, err)
		return append(out, res)
	}
	decided := withDecision(Outcome{}, o.Decision)
	res.Dropped, res.Heartbeat, res.Detector, res.Severity = decided.Dropped, decided.Heartbeat, decided.Detector, decided.Severity
	res.Quiet, res.Notes = o.Quiet, o.Notes
	if o.Quiet == engine.QuietFlood {
		s.remember(env.ID, Ref{File: file, Index: index})
	}
	s.deliveries(&res, o.Deliveries)
	return append(out, res)
}

// Finish runs the ticks that end the flood windows the last events opened,
// so that every collapsed alert is counted in a summary, and returns their
// results.
func (s *Session) Finish() []Result {
	if s.last.IsZero() {
		return nil
	}
	window := engine.TickInterval
	if c := s.r.Customer(); c != nil {
		window += time.Duration(c.Flood.WindowMinutes) * time.Minute
	}
	return s.tickUntil(s.last.Add(window))
}

// tickUntil runs the tick at every TickInterval boundary after the last
// tick up to t.
func (s *Session) tickUntil(t time.Time) []Result {
	if s.ticked.IsZero() {
		s.ticked = t.Truncate(engine.TickInterval)
		return nil
	}
	var out []Result
	for next := s.ticked.Add(engine.TickInterval); !next.After(t); next = next.Add(engine.TickInterval) {
		s.ticked = next
		s.clock.advance(next)
		sent, err := s.engine.Tick(context.Background())
		for _, m := range sent {
			res := Result{Time: next.UTC().Format(time.RFC3339), Forwarded: true, Customer: m.Customer, Detector: m.Detector,
				Severity: m.Severity.String(), Deliveries: []Delivery{}}
			switch m.Kind {
			case engine.SentSummary:
				res.Summary = true
			case engine.SentReminder:
				res.Reminder = true
			case engine.SentReport:
				res.Report = true
			case engine.SentWeekly:
				res.Weekly = true
			}
			for _, id := range m.Covers {
				if e, ok := s.seen[id]; ok {
					res.Covers = append(res.Covers, e.ref)
				}
			}
			s.deliveries(&res, m.Deliveries)
			out = append(out, res)
		}
		if err != nil {
			out = append(out, Result{Time: next.UTC().Format(time.RFC3339), Deliveries: []Delivery{},
				Error: fmt.Sprintf("the tick at %s: %v", next.UTC().Format(time.RFC3339), err)})
		}
		s.forget(next)
	}
	return out
}

// deliveries fills res's deliveries and its message: the chat rendering
// when there is one, else the first.
func (s *Session) deliveries(res *Result, ds []engine.Delivery) {
	for _, d := range ds {
		res.Deliveries = append(res.Deliveries, Delivery{Customer: res.Customer, Destination: d.Destination,
			Subject: d.Subject, Message: string(d.Body), Duplicate: d.Duplicate})
	}
	for _, d := range res.Deliveries {
		if IsChat(d.Destination) {
			res.Message = d.Message
			return
		}
	}
	if len(res.Deliveries) > 0 {
		res.Message = res.Deliveries[0].Message
	}
}

func (s *Session) remember(id string, ref Ref) {
	if id != "" {
		s.seen[id] = seenEvent{ref: ref, at: s.clock.now()}
	}
}

// forget drops the events no flood window open at t can still cover: a
// window lasts at most a day.
func (s *Session) forget(t time.Time) {
	if len(s.seen) < 4096 {
		return
	}
	for id, e := range s.seen {
		if t.Sub(e.at) > 25*time.Hour {
			delete(s.seen, id)
		}
	}
}

// input is what the bus's rule hands the delivery function: its input
// transformer applied to the event as EventBridge applies it.
func (s *Session) input(event []byte) (engine.Input, error) {
	c := s.r.customer
	t := eventbridge.InputTransformer{Paths: map[string]string{}, Template: c.Rule.Input}
	text, err := t.Render(event, eventbridge.RuleInfo{Name: c.Rule.Name, ARN: c.Rule.ARN, IngestionTime: s.clock.now()})
	if err != nil {
		return engine.Input{}, fmt.Errorf("applying the input transformer of rule %s: %w", c.Rule.Name, err)
	}
	var in engine.Input
	if err := json.Unmarshal([]byte(text), &in); err != nil {
		return engine.Input{}, fmt.Errorf("the input transformer of rule %s made no delivery input: %w", c.Rule.Name, err)
	}
	return in, nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// stateFile is the session's state as --state keeps it: the items the
// function would keep in its DynamoDB table, and the replay's time.
type stateFile struct {
	Version int         `json:"version"`
	Time    time.Time   `json:"time"`
	Items   []stateItem `json:"items"`
}

type stateItem struct {
	PK        string          `json:"pk"`
	SK        string          `json:"sk"`
	Version   int64           `json:"version"`
	Data      json.RawMessage `json:"data"`
	ExpiresAt *time.Time      `json:"expiresAt,omitempty"`
}

const stateVersion = 1

// Save writes the session's state, to start a later replay from.
func (s *Session) Save(w io.Writer) error {
	f := stateFile{Version: stateVersion, Time: s.clock.now().UTC(), Items: []stateItem{}}
	for _, it := range s.store.Items() {
		si := stateItem{PK: it.Key.PK, SK: it.Key.SK, Version: it.Version, Data: json.RawMessage(it.Data)}
		if !it.ExpiresAt.IsZero() {
			e := it.ExpiresAt.UTC()
			si.ExpiresAt = &e
		}
		f.Items = append(f.Items, si)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(f)
}

// Load starts the session from a state Save wrote. The replay's time
// starts at the state's: events older than that are replayed at it.
func (s *Session) Load(r io.Reader) error {
	var f stateFile
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("not a replay state: %w", err)
	}
	if f.Version != stateVersion {
		return fmt.Errorf("a replay state of version %d; this secalerts reads version %d", f.Version, stateVersion)
	}
	items := make([]engine.Item, 0, len(f.Items))
	for i, si := range f.Items {
		if si.PK == "" || si.SK == "" || si.Version < 1 || !json.Valid(si.Data) {
			return fmt.Errorf("item %d of the replay state has no key, version or JSON data", i+1)
		}
		it := engine.Item{Key: engine.Key{PK: si.PK, SK: si.SK}, Version: si.Version, Data: si.Data}
		if si.ExpiresAt != nil {
			it.ExpiresAt = *si.ExpiresAt
		}
		items = append(items, it)
	}
	s.store.Load(items)
	if !f.Time.IsZero() {
		s.clock.advance(f.Time)
		s.ticked = f.Time.Truncate(engine.TickInterval)
	}
	return nil
}

// replayClock is the engine's clock in replay: the time of the event being
// replayed, never moving back, so state (deliveries, heartbeats) ages as
// it would have and output does not depend on when replay runs.
type replayClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *replayClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *replayClock) advance(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

// Ordered hands events on in the order of their time, as the function
// would receive them, holding back each event until Window of later
// events has been read: files of events sorted by time, or nearly (a
// CloudTrail export, several files of one period), replay in time order
// in memory that grows with the window, not the input. An event more than
// Window earlier than events already handed on is handed on at once and
// replayed at the time reached, which its result says.
type Ordered struct {
	Window time.Duration
	// Emit receives each event in order; event is the Ordered's own copy.
	Emit    func(file string, index int, event []byte)
	pending pendingHeap
	latest  time.Time
	seq     int
}

type pendingEvent struct {
	file  string
	index int
	event []byte
	at    time.Time
	seq   int // arrival order, for events of one time
}

// pendingHeap is a min-heap of events by time, then arrival.
type pendingHeap []pendingEvent

func (h pendingHeap) Len() int { return len(h) }
func (h pendingHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h pendingHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pendingHeap) Push(x any)   { *h = append(*h, x.(pendingEvent)) }
func (h *pendingHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Add takes one event (it copies it: Stream reuses its buffer). An event
// without a time is handed on at once.
func (o *Ordered) Add(file string, index int, event []byte) {
	env, err := ReadEnvelope(event)
	at, terr := time.Parse(time.RFC3339, env.Time)
	if err != nil || terr != nil {
		o.Emit(file, index, event)
		return
	}
	o.seq++
	heap.Push(&o.pending, pendingEvent{file: file, index: index, event: append([]byte(nil), event...), at: at, seq: o.seq})
	if at.After(o.latest) {
		o.latest = at
	}
	o.release(o.latest.Add(-o.Window))
}

// Flush hands on every event held back.
func (o *Ordered) Flush() { o.release(time.Time{}) }

// release hands on, in order, the held events at or before until (all
// when until is zero).
func (o *Ordered) release(until time.Time) {
	for o.pending.Len() > 0 && (until.IsZero() || !o.pending[0].at.After(until)) {
		p := heap.Pop(&o.pending).(pendingEvent)
		o.Emit(p.file, p.index, p.event)
	}
}
