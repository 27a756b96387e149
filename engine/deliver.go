package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"secalerts/render"
)

// A delivery is claimed before it is sent and marked sent after: a retry
// of the same event (EventBridge delivers at least once, Lambda retries a
// failed invocation) finds it sent and skips it, and two invocations of
// the same event running at once cannot both claim it. A claim lasts
// deliveryLease: if its invocation dies mid-send, the retry (Lambda's
// first comes a minute later) takes it over.
const (
	deliveryLease = 55 * time.Second
	// deliveryMemory outlasts every retry: EventBridge retries for up to
	// 24 hours, Lambda's asynchronous retries for up to 6.
	deliveryMemory = 72 * time.Hour
)

type deliveryState struct {
	Sent bool `json:"sent"`
	// LeaseUntil is when an unsent claim may be taken over (Unix seconds).
	LeaseUntil int64 `json:"leaseUntil,omitempty"`
}

func deliveryKey(customer, eventID, unit string) Key {
	return Key{PK: "delivery#" + customer + "#" + eventID, SK: unit}
}

// sendOnce sends u unless this event was already sent there; dup reports
// that it was, or that another invocation is sending it right now.
func (e *Engine) sendOnce(ctx context.Context, customer, eventID string, u sendUnit, r render.Output) (dup bool, err error) {
	now := e.now()
	key := deliveryKey(customer, eventID, u.id)
	claim := Item{Key: key, ExpiresAt: now.Add(deliveryMemory)}
	if cur, ok, err := e.store.Get(ctx, key); err != nil {
		return false, fmt.Errorf("reading the delivery of %s to %s: %w", eventID, u.id, err)
	} else if ok {
		var st deliveryState
		if err := json.Unmarshal(cur.Data, &st); err != nil {
			return false, fmt.Errorf("reading the delivery of %s to %s: %w", eventID, u.id, err)
		}
		if st.Sent || now.Unix() < st.LeaseUntil {
			return true, nil
		}
		claim.Version = cur.Version
	}
	claim.Data, _ = json.Marshal(deliveryState{LeaseUntil: now.Add(deliveryLease).Unix()})
	if err := e.store.Put(ctx, claim); errors.Is(err, ErrConflict) {
		return true, nil
	} else if err != nil {
		return false, fmt.Errorf("claiming the delivery of %s to %s: %w", eventID, u.id, err)
	}
	claim.Version++

	if err := e.send(ctx, u, r); err != nil {
		// Give the claim back so the retry sends it; if that fails too, the
		// lease runs out before the retry comes.
		_ = e.store.Delete(ctx, key, claim.Version)
		return false, fmt.Errorf("delivering %s to %s: %w", eventID, u.id, err)
	}
	done := claim
	done.Data, _ = json.Marshal(deliveryState{Sent: true})
	// Sent but not remembered leaves the claim to run out: an error here
	// would make Lambda retry the event and send it again.
	_ = e.store.Put(ctx, done)
	return false, nil
}

func (e *Engine) send(ctx context.Context, u sendUnit, r render.Output) error {
	if u.parameter != "" {
		return e.out.Post(ctx, u.parameter, r.Body)
	}
	return e.out.Publish(ctx, u.topic, r.Subject, r.Body, u.attrs)
}
