package engine

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestMemoryStoreQueryOrder: a Query returns the live items of its
// partition sorted by SK, however the partition changed since the last
// one (the sorted keys are kept between queries).
func TestMemoryStoreQueryOrder(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	m := NewMemoryStore()
	m.Now = func() time.Time { return now }
	put := func(sk string, expires time.Time) {
		t.Helper()
		cur, _, _ := m.Get(ctx, Key{PK: "p", SK: sk})
		if err := m.Put(ctx, Item{Key: Key{PK: "p", SK: sk}, Version: cur.Version, Data: []byte(`{}`), ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
	}
	sks := func() []string {
		items, _ := m.Query(ctx, "p")
		out := []string{}
		for _, it := range items {
			out = append(out, it.Key.SK)
		}
		return out
	}
	for _, step := range []struct {
		name string
		do   func()
		want []string
	}{
		{"added out of order", func() { put("c", time.Time{}); put("a", time.Time{}); put("b", now.Add(time.Hour)) }, []string{"a", "b", "c"}},
		{"rewritten", func() { put("a", time.Time{}) }, []string{"a", "b", "c"}},
		{"one more", func() { put("aa", time.Time{}) }, []string{"a", "aa", "b", "c"}},
		{"one expired", func() { now = now.Add(2 * time.Hour) }, []string{"a", "aa", "c"}},
		{"deleted", func() {
			cur, _, _ := m.Get(ctx, Key{PK: "p", SK: "aa"})
			if err := m.Delete(ctx, cur.Key, cur.Version); err != nil {
				t.Fatal(err)
			}
		}, []string{"a", "c"}},
		{"loaded", func() { m.Load([]Item{{Key: Key{PK: "p", SK: "0"}, Version: 3, Data: []byte(`{}`)}}) }, []string{"0", "a", "c"}},
	} {
		step.do()
		if got := sks(); !reflect.DeepEqual(got, step.want) {
			t.Errorf("%s: %v, want %v", step.name, got, step.want)
		}
	}
}
