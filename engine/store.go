package engine

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"
)

// Key addresses one item of the engine's state: PK groups the items read
// together (one Query), SK tells them apart.
type Key struct {
	PK, SK string
}

// Item is one piece of state. Version counts its writes: every write is
// conditional on the version it read (0: the item must not exist), so two
// deliveries of one event cannot both claim it, and no update is lost.
type Item struct {
	Key     Key
	Version int64
	// Data is the item's state as JSON.
	Data []byte
	// ExpiresAt is when the store may forget the item (DynamoDB TTL);
	// zero keeps it.
	ExpiresAt time.Time
}

// ErrConflict is returned by Put and Delete when the item's version is no
// longer the one read: another invocation changed it first.
var ErrConflict = errors.New("the item changed since it was read")

// Store keeps the engine's state. Implementations: DynamoDB in the
// function (package engine/awsio), memory offline (MemoryStore).
type Store interface {
	// Get returns the item at key; ok is false when there is none.
	Get(ctx context.Context, key Key) (item Item, ok bool, err error)
	// Put writes item as version item.Version+1 if the stored version is
	// item.Version (0: absent), and returns ErrConflict otherwise.
	Put(ctx context.Context, item Item) error
	// Delete removes the item if its version is version.
	Delete(ctx context.Context, key Key, version int64) error
	// Query returns every item of pk, sorted by SK.
	Query(ctx context.Context, pk string) ([]Item, error)
}

// MemoryStore is a Store in memory: replay's, and the tests'. It forgets
// expired items as DynamoDB's TTL would, when read.
type MemoryStore struct {
	mu    sync.Mutex
	items map[Key]Item
	// Now is the store's clock for expiry; nil never expires anything.
	Now func() time.Time
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{items: map[Key]Item{}} }

func (m *MemoryStore) live(it Item) bool {
	return it.ExpiresAt.IsZero() || m.Now == nil || m.Now().Before(it.ExpiresAt)
}

// Get implements Store.
func (m *MemoryStore) Get(_ context.Context, key Key) (Item, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[key]
	if ok && !m.live(it) {
		delete(m.items, key)
		ok = false
	}
	return clone(it), ok, nil
}

// Put implements Store.
func (m *MemoryStore) Put(_ context.Context, it Item) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.items[it.Key]
	if ok && !m.live(cur) {
		ok = false
	}
	if (!ok && it.Version != 0) || (ok && cur.Version != it.Version) {
		return ErrConflict
	}
	it.Version++
	m.items[it.Key] = clone(it)
	return nil
}

// Delete implements Store.
func (m *MemoryStore) Delete(_ context.Context, key Key, version int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.items[key]
	if !ok || cur.Version != version {
		return ErrConflict
	}
	delete(m.items, key)
	return nil
}

// Query implements Store.
func (m *MemoryStore) Query(_ context.Context, pk string) ([]Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Item
	for k, it := range m.items {
		if k.PK != pk {
			continue
		}
		if !m.live(it) {
			delete(m.items, k)
			continue
		}
		out = append(out, clone(it))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key.SK < out[j].Key.SK })
	return out, nil
}

// Items returns every live item, for saving replay's state.
func (m *MemoryStore) Items() []Item {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Item
	for _, it := range m.items {
		if m.live(it) {
			out = append(out, clone(it))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key.PK != out[j].Key.PK {
			return out[i].Key.PK < out[j].Key.PK
		}
		return out[i].Key.SK < out[j].Key.SK
	})
	return out
}

// Load puts items into the store as they are (versions kept), for
// starting replay from a saved state.
func (m *MemoryStore) Load(items []Item) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, it := range items {
		m.items[it.Key] = clone(it)
	}
}

func clone(it Item) Item {
	it.Data = append([]byte(nil), it.Data...)
	return it
}
