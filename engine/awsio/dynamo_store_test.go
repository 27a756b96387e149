package awsio_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"secalerts/engine"
	"secalerts/engine/awsio"
)

// clock is a settable clock shared by a store and its test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// storeCase is one behaviour of engine.Store; pk is the case's own
// partition.
type storeCase struct {
	name string
	run  func(t *testing.T, s engine.Store, c *clock, pk string)
}

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func mustPut(t *testing.T, s engine.Store, it engine.Item) {
	t.Helper()
	if err := s.Put(context.Background(), it); err != nil {
		t.Fatalf("put %v version %d: %v", it.Key, it.Version, err)
	}
}

func wantConflict(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, engine.ErrConflict) {
		t.Errorf("%s: got %v, want ErrConflict", what, err)
	}
}

func mustGet(t *testing.T, s engine.Store, k engine.Key) (engine.Item, bool) {
	t.Helper()
	it, ok, err := s.Get(context.Background(), k)
	if err != nil {
		t.Fatalf("get %v: %v", k, err)
	}
	return it, ok
}

var storeCases = []storeCase{
	{"absent", func(t *testing.T, s engine.Store, _ *clock, pk string) {
		if _, ok := mustGet(t, s, engine.Key{PK: pk, SK: "x"}); ok {
			t.Error("an item that was never written was found")
		}
		items, err := s.Query(context.Background(), pk)
		if err != nil || len(items) != 0 {
			t.Errorf("query of an empty partition: %v, %v", items, err)
		}
	}},
	{"conditional put", func(t *testing.T, s engine.Store, _ *clock, pk string) {
		ctx := context.Background()
		k := engine.Key{PK: pk, SK: "item"}
		wantConflict(t, "version 1 of an absent item", s.Put(ctx, engine.Item{Key: k, Version: 1, Data: []byte("x")}))
		data := []byte{0, 1, 2, 0xff, '"', '\n'}
		mustPut(t, s, engine.Item{Key: k, Data: data, ExpiresAt: t0.Add(time.Hour)})
		it, ok := mustGet(t, s, k)
		if !ok || it.Version != 1 || !bytes.Equal(it.Data, data) || !it.ExpiresAt.Equal(t0.Add(time.Hour)) || it.Key != k {
			t.Fatalf("after the first put: %+v, %v", it, ok)
		}
		wantConflict(t, "version 0 of an existing item", s.Put(ctx, engine.Item{Key: k, Data: []byte("y")}))
		mustPut(t, s, engine.Item{Key: k, Version: 1, Data: []byte("second")})
		wantConflict(t, "a stale version", s.Put(ctx, engine.Item{Key: k, Version: 1, Data: []byte("lost update")}))
		wantConflict(t, "a version ahead", s.Put(ctx, engine.Item{Key: k, Version: 3, Data: []byte("ahead")}))
		it, _ = mustGet(t, s, k)
		if it.Version != 2 || string(it.Data) != "second" || !it.ExpiresAt.IsZero() {
			t.Errorf("after the second put: version %d, data %q, expires %v", it.Version, it.Data, it.ExpiresAt)
		}
	}},
	{"empty data", func(t *testing.T, s engine.Store, _ *clock, pk string) {
		k := engine.Key{PK: pk, SK: "empty"}
		mustPut(t, s, engine.Item{Key: k})
		if it, ok := mustGet(t, s, k); !ok || len(it.Data) != 0 || it.Version != 1 {
			t.Errorf("got %+v, %v", it, ok)
		}
	}},
	{"conditional delete", func(t *testing.T, s engine.Store, _ *clock, pk string) {
		ctx := context.Background()
		k := engine.Key{PK: pk, SK: "item"}
		wantConflict(t, "deleting an absent item", s.Delete(ctx, k, 1))
		mustPut(t, s, engine.Item{Key: k, Data: []byte("x")})
		mustPut(t, s, engine.Item{Key: k, Version: 1, Data: []byte("y")})
		wantConflict(t, "deleting a stale version", s.Delete(ctx, k, 1))
		if _, ok := mustGet(t, s, k); !ok {
			t.Fatal("a failed delete removed the item")
		}
		if err := s.Delete(ctx, k, 2); err != nil {
			t.Fatal(err)
		}
		if _, ok := mustGet(t, s, k); ok {
			t.Error("the deleted item is still there")
		}
		mustPut(t, s, engine.Item{Key: k, Data: []byte("again")})
	}},
	{"query order and pages", func(t *testing.T, s engine.Store, _ *clock, pk string) {
		// Byte order, as DynamoDB sorts strings: upper case before lower,
		// "10" before "9", multi-byte UTF-8 last.
		var want []string
		for i := range 23 {
			want = append(want, fmt.Sprintf("delivery#%02d", i))
		}
		want = append(want, "Z", "a", "a#10", "a#9", "é", "日本")
		for _, i := range rand.Perm(len(want)) {
			mustPut(t, s, engine.Item{Key: engine.Key{PK: pk, SK: want[i]}, Data: []byte(want[i])})
		}
		mustPut(t, s, engine.Item{Key: engine.Key{PK: pk + "-other", SK: "a"}})
		mustPut(t, s, engine.Item{Key: engine.Key{PK: pk[:len(pk)-1], SK: "a"}})
		items, err := s.Query(context.Background(), pk)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Key.SK)
			if it.Key.PK != pk || string(it.Data) != it.Key.SK || it.Version != 1 {
				t.Errorf("item %+v", it)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(sortedBytes(want)) {
			t.Errorf("query order:\n got %q\nwant %q", got, sortedBytes(want))
		}
	}},
	{"expired items are absent", func(t *testing.T, s engine.Store, c *clock, pk string) {
		ctx := context.Background()
		c.set(t0)
		gone, kept, forever := engine.Key{PK: pk, SK: "gone"}, engine.Key{PK: pk, SK: "kept"}, engine.Key{PK: pk, SK: "forever"}
		mustPut(t, s, engine.Item{Key: gone, Data: []byte("g"), ExpiresAt: t0.Add(time.Minute)})
		mustPut(t, s, engine.Item{Key: kept, Data: []byte("k"), ExpiresAt: t0.Add(time.Hour)})
		mustPut(t, s, engine.Item{Key: forever, Data: []byte("f")})
		if _, ok := mustGet(t, s, gone); !ok {
			t.Fatal("an item is absent before it expires")
		}
		// Expiry is at the second given, as DynamoDB's TTL compares it.
		c.set(t0.Add(time.Minute))
		if _, ok := mustGet(t, s, gone); ok {
			t.Error("an expired item was found")
		}
		items, err := s.Query(ctx, pk)
		if err != nil || len(items) != 2 || items[0].Key != forever || items[1].Key != kept {
			t.Errorf("query with an expired item: %+v, %v", items, err)
		}
		// An expired item not yet deleted is absent to writes too.
		wantConflict(t, "the expired item's version", s.Put(ctx, engine.Item{Key: gone, Version: 1, Data: []byte("stale")}))
		mustPut(t, s, engine.Item{Key: gone, Data: []byte("new"), ExpiresAt: t0.Add(2 * time.Hour)})
		if it, ok := mustGet(t, s, gone); !ok || it.Version != 1 || string(it.Data) != "new" {
			t.Errorf("rewritten after expiry: %+v, %v", it, ok)
		}
	}},
}

func sortedBytes(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestStoreContract runs the same cases on MemoryStore, the reference,
// and on DynamoStore over moto, whose Query pages hold 4 items so that
// every query reads several pages.
func TestStoreContract(t *testing.T) {
	stores := []struct {
		name string
		new  func(t *testing.T, c *clock) engine.Store
	}{
		{"memory", func(_ *testing.T, c *clock) engine.Store {
			s := engine.NewMemoryStore()
			s.Now = c.Now
			return s
		}},
		{"dynamodb", func(t *testing.T, c *clock) engine.Store {
			cfg := awsConfig(t)
			s := awsio.NewDynamoStore(cfg, newTable(t, cfg))
			s.Now, s.PageSize = c.Now, 4
			return s
		}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			c := &clock{t: t0}
			s := st.new(t, c)
			for _, tc := range storeCases {
				t.Run(tc.name, func(t *testing.T) {
					c.set(t0)
					tc.run(t, s, c, "case#"+tc.name)
				})
			}
		})
	}
}

// TestDynamoStoreReadsEveryPage counts the Query requests: a partition
// larger than a page is read to its end.
func TestDynamoStoreReadsEveryPage(t *testing.T) {
	cfg := awsConfig(t)
	table := newTable(t, cfg)
	counter := &queryCounter{next: cfg.HTTPClient}
	cfg.HTTPClient = counter
	s := awsio.NewDynamoStore(cfg, table)
	s.PageSize = 3
	for i := range 10 {
		mustPut(t, s, engine.Item{Key: engine.Key{PK: "p", SK: fmt.Sprint(i)}})
	}
	items, err := s.Query(context.Background(), "p")
	if err != nil || len(items) != 10 {
		t.Fatalf("got %d items, %v", len(items), err)
	}
	if n := counter.n.Load(); n < 4 {
		t.Errorf("%d Query requests for 10 items in pages of 3", n)
	}
}

// queryCounter counts the DynamoDB Query requests it carries (the JSON
// protocol names the operation in X-Amz-Target).
type queryCounter struct {
	next aws.HTTPClient
	n    atomic.Int64
}

func (c *queryCounter) Do(req *http.Request) (*http.Response, error) {
	if req.Header.Get("X-Amz-Target") == "DynamoDB_20120810.Query" {
		c.n.Add(1)
	}
	return c.next.Do(req)
}
