package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"secalerts/detectors"
	"secalerts/names"
)

// Heartbeat is one scheduled event of a member rule: proof that the rule,
// its target and the forwarding role of that account and region work.
type Heartbeat struct {
	Account, Region, Rule string
	// Time is when EventBridge sent it.
	Time time.Time
}

// heartbeatOf recognises a member rule's "Scheduled Event": source
// aws.events, which no account can put (EventBridge User Guide, "Sending
// events": PutEvents refuses aws.* sources), one resource that is the
// ARN of a secalerts rule of the event's own account and region.
func heartbeatOf(env envelope) (Heartbeat, bool) {
	if env.Source != "aws.events" || env.DetailType != "Scheduled Event" || len(env.Resources) != 1 {
		return Heartbeat{}, false
	}
	arn := env.Resources[0]
	prefix := ":events:" + env.Region + ":" + env.Account + ":rule/"
	i := strings.Index(arn, prefix)
	if i < 0 || !strings.HasPrefix(arn, "arn:") {
		return Heartbeat{}, false
	}
	rule := arn[i+len(prefix):]
	if !strings.HasPrefix(rule, names.Prefix) || strings.Contains(rule, "/") {
		return Heartbeat{}, false
	}
	t, err := time.Parse(time.RFC3339, env.Time)
	if err != nil {
		return Heartbeat{}, false
	}
	return Heartbeat{Account: env.Account, Region: env.Region, Rule: rule, Time: t}, true
}

// heartbeatPK groups every heartbeat record: the check reads them with one
// query.
const heartbeatPK = "heartbeat"

// pairState is what the hub remembers of one member rule's heartbeats.
type pairState struct {
	Customer string `json:"customer"`
	Account  string `json:"account"`
	Region   string `json:"region"`
	Rule     string `json:"rule"`
	// LastSeen, FirstReported and LastReported are Unix seconds; the
	// reports are 0 until the current silence is reported.
	LastSeen      int64 `json:"lastSeen"`
	FirstReported int64 `json:"firstReported,omitempty"`
	LastReported  int64 `json:"lastReported,omitempty"`
}

func heartbeatKey(h Heartbeat) Key {
	return Key{PK: heartbeatPK, SK: h.Account + "#" + h.Region + "#" + h.Rule}
}

// recordHeartbeat stores when a member rule was last heard from. A
// heartbeat delivered late (EventBridge retries for up to a day) never
// moves the time back, and a clock in the future is not believed. The
// reports are kept: a LastSeen after LastReported is what tells a later
// silence from the one reported.
func (e *Engine) recordHeartbeat(ctx context.Context, c *Customer, h Heartbeat) error {
	if e.cfg.Heartbeat == nil {
		return nil
	}
	now := e.now()
	seen := h.Time
	if seen.After(now) {
		seen = now
	}
	key := heartbeatKey(h)
	for attempt := 0; ; attempt++ {
		cur, ok, err := e.store.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("reading the heartbeat of %s: %w", key.SK, err)
		}
		st := pairState{Customer: c.Name, Account: h.Account, Region: h.Region, Rule: h.Rule}
		if ok {
			if err := json.Unmarshal(cur.Data, &st); err != nil {
				return fmt.Errorf("reading the heartbeat of %s: %w", key.SK, err)
			}
			if st.LastSeen >= seen.Unix() {
				return nil
			}
			st.Customer = c.Name
		}
		st.LastSeen = seen.Unix()
		it := Item{Key: key, Version: cur.Version, ExpiresAt: seen.Add(e.forgetAfter())}
		it.Data, _ = json.Marshal(st)
		err = e.store.Put(ctx, it)
		if !errors.Is(err, ErrConflict) || attempt == 3 {
			if err != nil {
				return fmt.Errorf("recording the heartbeat of %s: %w", key.SK, err)
			}
			return nil
		}
	}
}

func (e *Engine) forgetAfter() time.Duration {
	return time.Duration(e.cfg.Heartbeat.ForgetAfterDays) * 24 * time.Hour
}

// checkSlack is how much earlier than due a reminder may go out: the
// tick runs every 5 minutes, never exactly on time, and a reminder a
// little early is better than one a tick late, which would push every
// later one back.
const checkSlack = 30 * time.Minute

// CheckResult counts what a heartbeat check found.
type CheckResult struct {
	// Silent pairs, reported or not; Reported now; Dropped because their
	// customer is no longer in the plan.
	Silent, Reported, Dropped int
	// Sent are the reports.
	Sent []Sent
}

// CheckHeartbeats reports every member rule silent for longer than
// missingAfterMinutes whose silence is unreported or whose last report is
// remindEveryHours old, to its customer's destinations that take the
// report's severity and to the operator. A report that could not be
// delivered is due again at the next check. Rules of a customer the hub no
// longer has, or of an account it no longer admits, are forgotten at once.
func (e *Engine) CheckHeartbeats(ctx context.Context) (CheckResult, error) {
	var res CheckResult
	hb := e.cfg.Heartbeat
	if hb == nil {
		return res, nil
	}
	now := e.now()
	missing := time.Duration(hb.MissingAfterMinutes) * time.Minute
	remind := time.Duration(hb.RemindEveryHours) * time.Hour
	items, err := e.store.Query(ctx, heartbeatPK)
	if err != nil {
		return res, fmt.Errorf("reading the heartbeats: %w", err)
	}
	var errs []error
	for _, it := range items {
		var st pairState
		if err := json.Unmarshal(it.Data, &st); err != nil {
			errs = append(errs, fmt.Errorf("reading the heartbeat of %s: %w", it.Key.SK, err))
			continue
		}
		// A customer the hub no longer has (its bus is gone), or an account
		// it no longer admits, is forgotten at once: reporting it would
		// page someone about a member retired on purpose.
		if c := e.cfg.customer(st.Customer); c == nil || !c.admits(st.Account) {
			if err := e.store.Delete(ctx, it.Key, it.Version); err != nil && !errors.Is(err, ErrConflict) {
				errs = append(errs, err)
			}
			res.Dropped++
			continue
		}
		last := time.Unix(st.LastSeen, 0)
		if now.Sub(last) <= missing {
			continue
		}
		res.Silent++
		reminder := st.LastReported > st.LastSeen
		if reminder && now.Sub(time.Unix(st.LastReported, 0)) < remind-checkSlack {
			continue
		}
		first := now
		if reminder {
			first = time.Unix(st.FirstReported, 0)
		}
		event := e.silenceReport(st, now, first, reminder)
		o, err := e.Report(ctx, st.Customer, event)
		res.Sent = append(res.Sent, Sent{Customer: st.Customer, Kind: SentReport, Detector: o.Detector.ID, Severity: o.Variant.Severity, Deliveries: o.Deliveries})
		if err != nil {
			errs = append(errs, fmt.Errorf("reporting the silence of %s: %w", it.Key.SK, err))
			continue
		}
		st.FirstReported, st.LastReported = first.Unix(), now.Unix()
		it.Data, _ = json.Marshal(st)
		// A conflict means the pair was heard from, or reported by another
		// check, since it was read: either way nothing is lost.
		if err := e.store.Put(ctx, it); err != nil && !errors.Is(err, ErrConflict) {
			errs = append(errs, fmt.Errorf("recording the report of %s: %w", it.Key.SK, err))
		}
		res.Reported++
	}
	return res, errors.Join(errs...)
}

// silenceReport is the event the hub makes about a silent member rule:
// what the heartbeat-missing detector matches and its message reads. Its
// ID is derived from the silence and the report's time, so two checks
// reporting the same silence at once send it once.
func (e *Engine) silenceReport(st pairState, now, first time.Time, reminder bool) []byte {
	hb := e.cfg.Heartbeat
	report := fmt.Sprintf("first report; reminders every %d hours while silent", hb.RemindEveryHours)
	if reminder {
		report = fmt.Sprintf("reminder, every %d hours while silent; first reported %s", hb.RemindEveryHours, first.UTC().Format(time.RFC3339))
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s#%s#%s#%d#%d", st.Account, st.Region, st.Rule, st.LastSeen, now.Unix()/3600)))
	id := hex.EncodeToString(sum[:16])
	event, _ := json.Marshal(map[string]any{
		"version": "0", "id": id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:32],
		"detail-type": detectors.HeartbeatMissingDetailType, "source": detectors.HeartbeatSource,
		"account": e.cfg.Hub.Account, "region": e.cfg.Hub.Region, "time": now.UTC().Format(time.RFC3339), "resources": []string{},
		"detail": map[string]any{
			"account": st.Account, "region": st.Region, "rule": st.Rule, "customer": st.Customer,
			"lastSeen":     time.Unix(st.LastSeen, 0).UTC().Format(time.RFC3339),
			"silentFor":    span(now.Sub(time.Unix(st.LastSeen, 0))),
			"missingAfter": span(time.Duration(hb.MissingAfterMinutes) * time.Minute), "reminder": reminder,
			"firstReported": first.UTC().Format(time.RFC3339), "remindEveryHours": hb.RemindEveryHours, "report": report,
		},
	})
	return event
}

// span says a duration to a person, in hours and minutes: "1 h 45 min".
func span(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}
