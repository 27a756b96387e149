package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"secalerts/severity"
)

// discard is a Sender that sends nothing: the benchmark measures the
// engine, not I/O.
type discard struct{}

func (discard) Publish(context.Context, string, string, []byte, map[string]int) error { return nil }
func (discard) Post(context.Context, string, []byte) error                            { return nil }

// countingStore counts what the engine asks of its store, in DynamoDB's
// units: a write unit per KB written, a strongly consistent read unit per
// 4 KB read.
type countingStore struct {
	*MemoryStore
	writes, writeUnits, reads, readUnits int
}

func (c *countingStore) Put(ctx context.Context, it Item) error {
	c.writes++
	c.writeUnits += (len(it.Data)+len(it.Key.PK)+len(it.Key.SK)+100)/1024 + 1
	return c.MemoryStore.Put(ctx, it)
}

func (c *countingStore) Get(ctx context.Context, k Key) (Item, bool, error) {
	it, ok, err := c.MemoryStore.Get(ctx, k)
	c.reads++
	c.readUnits += (len(it.Data)+100)/4096 + 1
	return it, ok, err
}

// BenchmarkHandle handles a HIGH Security Hub finding for a customer with
// three destinations (a chat topic, an e-mail topic, a JSON webhook), on a
// MemoryStore. "new" gives every event its own ID and its own finding (a
// new event of a finding already sent is a repeat, kept quiet), so each
// one is decided, rendered three ways and claimed; "repeat" handles the
// same event again, as a retry does, and finds it sent; "decide" is the
// routing alone (envelope and pattern matching), the part replay and
// forecast share.
func BenchmarkHandle(b *testing.B) {
	event, err := os.ReadFile(filepath.Join("..", "testdata", "events", "securityhub", "HIGH--s3-block-public-access-control-failed.json"))
	if err != nil {
		b.Fatal(err)
	}
	const id, finding = "b76f3ddc-7586-3139-efa2-0f91e7b485b9", "f5ef4709-16e9-c5be-7367-53deff1d23c6"
	if !bytes.Contains(event, []byte(`"id": "`+id+`"`)) || !bytes.Contains(event, []byte("/finding/"+finding+`"`)) {
		b.Fatalf("the sample's id is not %s or its finding not %s", id, finding)
	}
	cfg := &Config{
		Hub: Hub{Account: "999999999999", Region: "eu-west-1", Partition: "aws"},
		Customers: []Customer{{
			Name:     "acme",
			Accounts: []Account{{ID: "111122223333", Name: "production"}},
			Destinations: []Destination{
				{ID: "slack:acme/alerts", Kind: Slack, MinSeverity: severity.Medium, Topic: "arn:aws:sns:eu-west-1:999999999999:secalerts-acme-chat"},
				{ID: "email:soc@example.com", Kind: Email, MinSeverity: severity.Low, Topic: "arn:aws:sns:eu-west-1:999999999999:secalerts-acme-email"},
				{ID: "webhook:ops", Kind: Webhook, MinSeverity: severity.High, Parameter: "/secalerts/acme/webhooks/ops", Format: "json"},
			},
		}},
	}
	if err := cfg.check(); err != nil {
		b.Fatal(err)
	}
	newEngine := func(b *testing.B) *Engine {
		e, err := New(cfg, Options{Store: NewMemoryStore(), Sender: discard{}})
		if err != nil {
			b.Fatal(err)
		}
		return e
	}
	ctx := context.Background()

	b.Run("new", func(b *testing.B) {
		// What a new alert costs in the function's table, reported next to
		// its time: the README's cost estimate reads these.
		store := &countingStore{MemoryStore: NewMemoryStore()}
		e, err := New(cfg, Options{Store: store, Sender: discard{}})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		defer func() {
			n := float64(b.N)
			b.ReportMetric(float64(store.writes)/n, "writes/op")
			b.ReportMetric(float64(store.writeUnits)/n, "WRU/op")
			b.ReportMetric(float64(store.reads)/n, "reads/op")
			b.ReportMetric(float64(store.readUnits)/n, "RRU/op")
		}()
		n := 0
		for b.Loop() {
			n++
			// Same lengths as the sample's IDs, so only the IDs differ.
			ev := bytes.Replace(event, []byte(id), fmt.Appendf(nil, "%036d", n), 1)
			ev = bytes.ReplaceAll(ev, []byte(finding), fmt.Appendf(nil, "f%035d", n))
			in := Input{Customer: "acme", Event: ev}
			out, err := e.Handle(ctx, in)
			if err != nil || len(out.Deliveries) != 3 || out.Deliveries[0].Duplicate {
				b.Fatalf("%+v, %v", out.Deliveries, err)
			}
		}
	})
	b.Run("repeat", func(b *testing.B) {
		e := newEngine(b)
		in := Input{Customer: "acme", Event: event}
		if _, err := e.Handle(ctx, in); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			out, err := e.Handle(ctx, in)
			if err != nil || len(out.Deliveries) != 3 || !out.Deliveries[0].Duplicate {
				b.Fatalf("%+v, %v", out.Deliveries, err)
			}
		}
	})
	b.Run("decide", func(b *testing.B) {
		e := newEngine(b)
		b.ReportAllocs()
		for b.Loop() {
			d, err := e.Decide("acme", event)
			if err != nil || len(d.Destinations) != 3 {
				b.Fatalf("%+v, %v", d, err)
			}
		}
	})
}

// BenchmarkNew is the engine's share of a cold start: compiling every
// detector's patterns into the matchers.
func BenchmarkNew(b *testing.B) {
	cfg := &Config{Hub: Hub{Account: "999999999999", Region: "eu-west-1", Partition: "aws"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(cfg, Options{Store: NewMemoryStore(), Sender: discard{}}); err != nil {
			b.Fatal(err)
		}
	}
}
