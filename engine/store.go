package engine

import (
	"context"
	"errors"
	"slices"
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
// expired items as DynamoDB's TTL would, when read. Items are kept by
// partition, so a Query costs what it returns, as DynamoDB's does.
type MemoryStore struct {
	mu    sync.Mutex
	parts map[string]map[string]Item // by PK, then SK
	// order holds a partition's SKs sorted, from its first Query on, kept
	// sorted as keys come and go: the tick queries the same few
	// partitions every five minutes, and sorting them each time was
	// most of what a long replay spent.
	order map[string][]string
	// Now is the store's clock for expiry; nil never expires anything.
	Now func() time.Time
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{parts: map[string]map[string]Item{}, order: map[string][]string{}}
}

func (m *MemoryStore) live(it Item) bool {
	return it.ExpiresAt.IsZero() || m.Now == nil || m.Now().Before(it.ExpiresAt)
}

// current returns the live item at key, forgetting it if it expired.
func (m *MemoryStore) current(key Key) (Item, bool) {
	it, ok := m.parts[key.PK][key.SK]
	if ok && !m.live(it) {
		m.forget(key)
		return Item{}, false
	}
	return it, ok
}

func (m *MemoryStore) forget(key Key) {
	if order, ok := m.order[key.PK]; ok {
		if i, found := slices.BinarySearch(order, key.SK); found {
			m.order[key.PK] = slices.Delete(order, i, i+1)
		}
	}
	delete(m.parts[key.PK], key.SK)
	if len(m.parts[key.PK]) == 0 {
		delete(m.parts, key.PK)
	}
}

// Get implements Store.
func (m *MemoryStore) Get(_ context.Context, key Key) (Item, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.current(key)
	return clone(it), ok, nil
}

// Put implements Store.
func (m *MemoryStore) Put(_ context.Context, it Item) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.current(it.Key)
	if (!ok && it.Version != 0) || (ok && cur.Version != it.Version) {
		return ErrConflict
	}
	it.Version++
	if m.parts[it.Key.PK] == nil {
		m.parts[it.Key.PK] = map[string]Item{}
	}
	if _, exists := m.parts[it.Key.PK][it.Key.SK]; !exists {
		m.ordered(it.Key)
	}
	m.parts[it.Key.PK][it.Key.SK] = clone(it)
	return nil
}

// ordered puts a new key in its partition's sorted keys, when they are
// kept.
func (m *MemoryStore) ordered(key Key) {
	if order, ok := m.order[key.PK]; ok {
		i, _ := slices.BinarySearch(order, key.SK)
		m.order[key.PK] = slices.Insert(order, i, key.SK)
	}
}

// Delete implements Store.
func (m *MemoryStore) Delete(_ context.Context, key Key, version int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.current(key)
	if !ok || cur.Version != version {
		return ErrConflict
	}
	m.forget(key)
	return nil
}

// Query implements Store. The items' Data are shared with the store:
// callers read them and Put new bytes, never write into them.
func (m *MemoryStore) Query(_ context.Context, pk string) ([]Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.query(pk), nil
}

func (m *MemoryStore) query(pk string) []Item {
	part := m.parts[pk]
	order, ok := m.order[pk]
	if !ok {
		order = make([]string, 0, len(part))
		for sk := range part {
			order = append(order, sk)
		}
		sort.Strings(order)
		m.order[pk] = order
	}
	out := make([]Item, 0, len(order))
	var expired []Key
	for _, sk := range order {
		it := part[sk]
		if !m.live(it) {
			expired = append(expired, it.Key)
			continue
		}
		// The stored bytes themselves: Put stores a copy and nothing
		// writes into an item's Data (changes Put new bytes), so a tick
		// reading every window of two days copies none of them.
		out = append(out, it)
	}
	for _, k := range expired {
		m.forget(k)
	}
	return out
}

// Items returns every live item, sorted, for saving replay's state.
func (m *MemoryStore) Items() []Item {
	m.mu.Lock()
	defer m.mu.Unlock()
	pks := make([]string, 0, len(m.parts))
	for pk := range m.parts {
		pks = append(pks, pk)
	}
	sort.Strings(pks)
	var out []Item
	for _, pk := range pks {
		out = append(out, m.query(pk)...)
	}
	return out
}

// Load puts items into the store as they are (versions kept), for
// starting replay from a saved state.
func (m *MemoryStore) Load(items []Item) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, it := range items {
		if m.parts[it.Key.PK] == nil {
			m.parts[it.Key.PK] = map[string]Item{}
		}
		if _, exists := m.parts[it.Key.PK][it.Key.SK]; !exists {
			m.ordered(it.Key)
		}
		m.parts[it.Key.PK][it.Key.SK] = clone(it)
	}
}

func clone(it Item) Item {
	it.Data = append([]byte(nil), it.Data...)
	return it
}
