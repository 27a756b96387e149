package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"secalerts/render"
	"secalerts/severity"
)

// Why an alert was kept quiet (Outcome.Quiet); a suppression's is
// QuietSuppressed followed by its name.
const (
	QuietDuplicate  = "duplicate"
	QuietFlood      = "flood"
	QuietSuppressed = "suppressed:"
)

// Metrics of what was kept quiet, counted per customer.
const (
	MetricSuppressed = "Suppressed"
	MetricRepeat     = "Repeat"
	MetricCollapsed  = "Collapsed"
)

// Flood bounds how many alerts of one detector a customer gets in a
// window; the rest are counted and summed up in one message when the
// window ends.
type Flood struct {
	MaxPerWindow  int `json:"maxPerWindow"`
	WindowMinutes int `json:"windowMinutes"`
}

// maxAttempts bounds the retries of a conditional write that lost to
// another invocation: each retry reads what the other wrote.
const maxAttempts = 8

// findingState is what the hub remembers of one finding.
type findingState struct {
	Detector string `json:"detector"`
	Open     bool   `json:"open"`
	// Severity is the finding's latest; Notified the highest sent since
	// it opened: only a rise above it alerts again.
	Severity severity.Severity `json:"severity"`
	Notified severity.Severity `json:"notified"`
	// Times are Unix seconds.
	FirstSeen    int64 `json:"firstSeen"`
	LastSeen     int64 `json:"lastSeen"`
	LastNotified int64 `json:"lastNotified"`
	ClosedAt     int64 `json:"closedAt,omitempty"`
	// NotifiedBy is the event whose alert was last sent: its retry is
	// not a repeat.
	NotifiedBy string `json:"notifiedBy"`
	// Message is what was last sent, for reminders.
	Message render.Message `json:"message"`
}

// maxRememberedText bounds each text of the message a finding's state
// keeps for its reminders. An event may hold up to 1 MB (EventBridge
// quotas, event size) and its values are the sender's to choose; a
// DynamoDB item holds at most 400 KB (DynamoDB quotas, item size), so the
// state keeps the message without the event and each text shortened, so
// that no finding can make its own state unwritable.
const maxRememberedText = 2000

// remembered is msg as a finding's state keeps it: without the original
// event, each text at most maxRememberedText bytes, at most maxFirst
// times maxBreakdown fields and next steps.
func remembered(msg render.Message) render.Message {
	msg.Event = nil
	cut := func(s string) string { return render.Shorten(s, maxRememberedText) }
	msg.Title, msg.Summary, msg.ConsoleURL = cut(msg.Title), cut(msg.Summary), cut(msg.ConsoleURL)
	msg.Fields = append([]render.Field(nil), msg.Fields[:min(len(msg.Fields), maxFirst*maxBreakdown)]...)
	for i := range msg.Fields {
		msg.Fields[i].Label, msg.Fields[i].Value = cut(msg.Fields[i].Label), cut(msg.Fields[i].Value)
	}
	msg.NextSteps = append([]string(nil), msg.NextSteps[:min(len(msg.NextSteps), maxFirst*maxBreakdown)]...)
	for i := range msg.NextSteps {
		msg.NextSteps[i] = cut(msg.NextSteps[i])
	}
	return msg
}

// findingMemory is how long after its last event a finding is remembered:
// Security Hub refreshes open control findings every 12 to 24 hours
// (Security Hub User Guide, "Schedule for running security checks"), so a
// finding not heard of for this long is no longer being reported.
const findingMemory = 30 * 24 * time.Hour

func findingKey(customer, identity string) Key {
	sum := sha256.Sum256([]byte(identity))
	return Key{PK: "finding#" + customer, SK: hex.EncodeToString(sum[:16])}
}

func (e *Engine) memory(c *Customer) time.Duration {
	if m := time.Duration(3*c.RemindAfterDays) * 24 * time.Hour; m > findingMemory {
		return m
	}
	return findingMemory
}

// repeat decides, with a conditional write, whether an alert about a
// finding is news: a new finding, one reopened, a severity above what was
// sent, or the retry of the event that was sent. It returns the notes the
// alert carries, or repeat true.
func (e *Engine) repeat(ctx context.Context, d Decision, identity, eventID string, msg render.Message) (notes []string, repeat bool, err error) {
	c, sev, now := d.Customer, d.Variant.Severity, e.now()
	key := findingKey(c.Name, identity)
	for range maxAttempts {
		cur, ok, err := e.store.Get(ctx, key)
		if err != nil {
			return nil, false, fmt.Errorf("reading the state of a finding: %w", err)
		}
		st := findingState{Detector: d.Detector.ID, FirstSeen: now.Unix()}
		if ok {
			if err := json.Unmarshal(cur.Data, &st); err != nil {
				return nil, false, fmt.Errorf("reading the state of a finding: %w", err)
			}
		}
		notes = nil
		news := true
		switch {
		case !ok:
		case !st.Open:
			notes = []string{"Reopened: this finding was closed on " + day(st.ClosedAt) + "."}
			st.FirstSeen, st.Notified = now.Unix(), 0
		case sev > st.Notified:
			notes = []string{fmt.Sprintf("Severity raised from %s to %s.", st.Notified, sev)}
		case st.NotifiedBy == eventID:
		default:
			news = false
		}
		st.Open, st.Severity, st.LastSeen = true, sev, now.Unix()
		if news {
			st.Notified, st.LastNotified, st.NotifiedBy, st.Message = max(st.Notified, sev), now.Unix(), eventID, remembered(msg)
		}
		it := Item{Key: key, Version: cur.Version, ExpiresAt: now.Add(e.memory(c))}
		it.Data, _ = json.Marshal(st)
		err = e.store.Put(ctx, it)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("recording the state of a finding: %w", err)
		}
		return notes, !news, nil
	}
	return nil, false, fmt.Errorf("recording the state of a finding: %d invocations changed it at once", maxAttempts)
}

// close remembers that a finding was resolved, archived or passed.
func (e *Engine) close(ctx context.Context, c *Customer, identity string) error {
	key := findingKey(c.Name, identity)
	now := e.now()
	for range maxAttempts {
		cur, ok, err := e.store.Get(ctx, key)
		if err != nil || !ok {
			return err
		}
		var st findingState
		if err := json.Unmarshal(cur.Data, &st); err != nil {
			return fmt.Errorf("reading the state of a finding: %w", err)
		}
		if !st.Open {
			return nil
		}
		st.Open, st.ClosedAt, st.LastSeen = false, now.Unix(), now.Unix()
		it := Item{Key: key, Version: cur.Version, ExpiresAt: now.Add(e.memory(c))}
		it.Data, _ = json.Marshal(st)
		if err := e.store.Put(ctx, it); !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("closing a finding: %d invocations changed it at once", maxAttempts)
}

func day(unix int64) string { return time.Unix(unix, 0).UTC().Format(time.DateOnly) }

// windowState counts one detector's alerts of a customer in one flood
// window, and what was collapsed.
type windowState struct {
	Detector string `json:"detector"`
	Start    int64  `json:"start"`
	End      int64  `json:"end"`
	Count    int    `json:"count"`
	// Collapsed are the alerts counted, not sent: by account, principal
	// and resource type, the first five titles, and their event IDs.
	Collapsed     int               `json:"collapsed"`
	Highest       severity.Severity `json:"highest"`
	Accounts      map[string]int    `json:"accounts,omitempty"`
	Principals    map[string]int    `json:"principals,omitempty"`
	ResourceTypes map[string]int    `json:"resourceTypes,omitempty"`
	First         []string          `json:"first,omitempty"`
	Events        []string          `json:"events,omitempty"`
	Summarized    bool              `json:"summarized,omitempty"`
}

// Caps that keep a window's item small (DynamoDB items are at most 400
// KB) whatever the flood: counts past them go to "other".
const (
	maxBreakdown    = 20
	maxFirst        = 5
	maxCoveredIDs   = 500
	otherBreakdown  = "(others)"
	floodWindowKeep = 48 * time.Hour
)

func floodPK(customer string) string { return "flood#" + customer }

// flooded counts an alert in its detector's window and reports whether it
// is past the customer's maximum, and so collapsed into the window's
// summary.
func (e *Engine) flooded(ctx context.Context, d Decision, f facts, account, title, eventID string) (bool, error) {
	c, fl := d.Customer, d.Customer.Flood
	if fl.MaxPerWindow <= 0 || fl.WindowMinutes <= 0 {
		return false, nil
	}
	now := e.now()
	window := time.Duration(fl.WindowMinutes) * time.Minute
	start := now.Truncate(window)
	key := Key{PK: floodPK(c.Name), SK: d.Detector.ID + "#" + start.UTC().Format(time.RFC3339)}
	for range maxAttempts {
		cur, ok, err := e.store.Get(ctx, key)
		if err != nil {
			return false, fmt.Errorf("counting a flood: %w", err)
		}
		st := windowState{Detector: d.Detector.ID, Start: start.Unix(), End: start.Add(window).Unix()}
		if ok {
			if err := json.Unmarshal(cur.Data, &st); err != nil {
				return false, fmt.Errorf("counting a flood: %w", err)
			}
		}
		st.Count++
		collapsed := st.Count > fl.MaxPerWindow
		if collapsed {
			st.Collapsed++
			st.Highest = max(st.Highest, d.Variant.Severity)
			bump(&st.Accounts, account)
			for _, p := range f.Principals[:min(1, len(f.Principals))] {
				bump(&st.Principals, p)
			}
			bump(&st.ResourceTypes, f.ResourceType)
			if len(st.First) < maxFirst {
				st.First = append(st.First, title)
			}
			if len(st.Events) < maxCoveredIDs {
				st.Events = append(st.Events, eventID)
			}
		}
		it := Item{Key: key, Version: cur.Version, ExpiresAt: now.Add(floodWindowKeep)}
		it.Data, _ = json.Marshal(st)
		err = e.store.Put(ctx, it)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("counting a flood: %w", err)
		}
		return collapsed, nil
	}
	return false, fmt.Errorf("counting a flood: %d invocations changed it at once", maxAttempts)
}

func bump(m *map[string]int, k string) {
	if k == "" {
		k = "(unknown)"
	}
	if *m == nil {
		*m = map[string]int{}
	}
	if _, ok := (*m)[k]; !ok && len(*m) >= maxBreakdown {
		k = otherBreakdown
	}
	(*m)[k]++
}

// quietState counts a customer's quiet alerts of one week, for the
// weekly report.
type quietState struct {
	Week  string         `json:"week"`
	Count map[string]int `json:"count"`
	// ByDetector counts per reason and detector ("duplicate guardduty").
	ByDetector map[string]int `json:"byDetector"`
	Sent       bool           `json:"sent,omitempty"`
}

func quietPK(customer string) string { return "quiet#" + customer }

// weekOf is the Monday (UTC) starting t's week.
func weekOf(t time.Time) time.Time {
	d := t.UTC().Truncate(24 * time.Hour)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// tally counts a quiet alert in its week, for the weekly report.
func (e *Engine) tally(ctx context.Context, c *Customer, reason, detector string) error {
	now := e.now()
	week := weekOf(now).Format(time.DateOnly)
	key := Key{PK: quietPK(c.Name), SK: week}
	for range maxAttempts {
		cur, ok, err := e.store.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("counting a quiet alert: %w", err)
		}
		st := quietState{Week: week}
		if ok {
			if err := json.Unmarshal(cur.Data, &st); err != nil {
				return fmt.Errorf("counting a quiet alert: %w", err)
			}
		}
		bump(&st.Count, reason)
		bump(&st.ByDetector, reason+" "+detector)
		it := Item{Key: key, Version: cur.Version, ExpiresAt: now.Add(5 * 7 * 24 * time.Hour)}
		it.Data, _ = json.Marshal(st)
		if err := e.store.Put(ctx, it); !errors.Is(err, ErrConflict) {
			if err != nil {
				return fmt.Errorf("counting a quiet alert: %w", err)
			}
			return nil
		}
	}
	return fmt.Errorf("counting a quiet alert: %d invocations changed it at once", maxAttempts)
}
