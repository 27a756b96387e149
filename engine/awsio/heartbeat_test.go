package awsio_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"secalerts/engine"
	"secalerts/names"
)

// scheduledEvent is a member rule's heartbeat as EventBridge sends it.
func scheduledEvent(t *testing.T, at time.Time) []byte {
	t.Helper()
	event, err := json.Marshal(map[string]any{
		"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "Scheduled Event",
		"source": "aws.events", "account": memberAccount, "time": at.UTC().Format(time.RFC3339), "region": hubRegion,
		"resources": []string{"arn:aws:events:" + hubRegion + ":" + memberAccount + ":rule/" + names.Prefix + "heartbeat"},
		"detail":    map[string]any{},
	})
	if err != nil {
		t.Fatal(err)
	}
	return event
}

// TestHeartbeatSurvivesAColdStart: engine A records a heartbeat; engine B,
// a new process on the same table, reports the silence once it is
// missingAfterMinutes old, and not again ten minutes later.
func TestHeartbeatSurvivesAColdStart(t *testing.T) {
	h := newHub(t, nil)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second)

	out, err := h.engine(t, func() time.Time { return t0 }).Handle(ctx, engine.Input{Customer: customer, Event: scheduledEvent(t, t0)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Heartbeat == nil || len(out.Deliveries) != 0 {
		t.Fatalf("the heartbeat was not recorded as one: %+v", out)
	}

	// Within missingAfterMinutes nothing is silent.
	res, err := h.engine(t, func() time.Time { return t0.Add(heartbeatHours * time.Hour) }).CheckHeartbeats(ctx)
	if err != nil || res.Silent != 0 || res.Reported != 0 || res.Dropped != 0 {
		t.Errorf("check at %d hours: %+v, %v", heartbeatHours, res, err)
	}

	res, err = h.engine(t, func() time.Time { return t0.Add(4 * time.Hour) }).CheckHeartbeats(ctx)
	if err != nil || res.Silent != 1 || res.Reported != 1 {
		t.Fatalf("check at 4 hours: %+v, %v", res, err)
	}
	res, err = h.engine(t, func() time.Time { return t0.Add(4*time.Hour + 10*time.Minute) }).CheckHeartbeats(ctx)
	if err != nil || res.Silent != 1 || res.Reported != 0 {
		t.Errorf("check ten minutes later: %+v, %v", res, err)
	}

	got := h.operator.messages(t, h.cfg)
	if len(got) != 1 {
		t.Fatalf("the operator got %d reports, want 1", len(got))
	}
	if got[0].Subject == nil || !strings.Contains(got[0].Message, memberAccount) {
		t.Errorf("the operator's report: subject %v\n%s", got[0].Subject, got[0].Message)
	}
}
