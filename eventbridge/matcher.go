package eventbridge

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"quamina.net/go/quamina"
)

// Matcher matches events against many EventBridge patterns at once. Quamina
// does the indexing; the parts of EventBridge's grammar quamina lacks or reads
// differently are rewritten before they reach it and checked afterwards in Go:
//
//   - $or is multiplied out into several quamina patterns under the same ID;
//   - numeric, cidr, suffix, anything-but (every form) and prefix or suffix
//     with equals-ignore-case become {"exists": true} in quamina and are
//     checked on the event's values afterwards;
//   - exists mixed with other values in one array, and fields named twice in
//     one conjunction (possible through $or), are checked in Go only.
//
// Post-checks look at every value at a path, so they do not reproduce
// event-ruler's "array-consistent" matching across elements of one array of
// objects; quamina-native fields still do.
//
// Add must not run concurrently with Match; Match is safe for concurrent use.
type Matcher struct {
	mu   sync.RWMutex
	q    *quamina.Quamina
	pool sync.Pool

	// exps is indexed by the quamina pattern identifier.
	exps []expansion
	// goOnly holds expansions with nothing for quamina to index; they are
	// checked in Go against every event.
	goOnly []expansion
}

// expansion is one conjunction of a pattern after $or expansion.
type expansion struct {
	id   string
	post []leaf
}

// NewMatcher returns an empty Matcher.
func NewMatcher() *Matcher {
	q, err := quamina.New()
	if err != nil {
		// quamina.New only fails on conflicting options, and we pass none.
		panic(fmt.Sprintf("creating quamina instance: %v", err))
	}
	m := &Matcher{q: q}
	m.pool.New = func() any { return m.q.Copy() }
	return m
}

// Add validates pattern and adds it under id. Adding several patterns under
// one id makes id match when any of them does.
func (m *Matcher) Add(id string, pattern []byte) error {
	conjs, err := parsePattern(pattern)
	if err != nil {
		return fmt.Errorf("adding pattern %q: %w", id, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, conj := range conjs {
		qp, post := splitConjunction(conj)
		exp := expansion{id: id, post: post}
		if len(qp) == 0 {
			m.goOnly = append(m.goOnly, exp)
			continue
		}
		qjson, err := json.Marshal(qp)
		if err != nil {
			return fmt.Errorf("adding pattern %q: encoding quamina pattern: %w", id, err)
		}
		if err := m.q.AddPattern(len(m.exps), string(qjson)); err != nil {
			return fmt.Errorf("adding pattern %q: quamina rejected %s: %w", id, qjson, err)
		}
		m.exps = append(m.exps, exp)
	}
	return nil
}

// Match returns the sorted, deduplicated IDs of the patterns event matches.
func (m *Matcher) Match(event []byte) ([]string, error) {
	// Decoding first both validates the event and serves the post-checks.
	doc, err := decodeEvent(event)
	if err != nil {
		return nil, fmt.Errorf("matching event: %w", err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()

	q := m.pool.Get().(*quamina.Quamina)
	xs, err := q.MatchesForEvent(event)
	m.pool.Put(q)
	if err != nil {
		return nil, fmt.Errorf("matching event: %w", err)
	}
	found := map[string]bool{}
	for _, x := range xs {
		exp := m.exps[x.(int)]
		if !found[exp.id] && exp.postMatches(doc) {
			found[exp.id] = true
		}
	}
	for _, exp := range m.goOnly {
		if !found[exp.id] && exp.postMatches(doc) {
			found[exp.id] = true
		}
	}
	ids := make([]string, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

func (e expansion) postMatches(doc map[string]any) bool {
	for _, l := range e.post {
		if !l.matches(doc) {
			return false
		}
	}
	return true
}

// MatchPattern reports whether event matches one EventBridge pattern.
func MatchPattern(pattern, event []byte) (bool, error) {
	m := NewMatcher()
	if err := m.Add("pattern", pattern); err != nil {
		return false, err
	}
	ids, err := m.Match(event)
	if err != nil {
		return false, err
	}
	return len(ids) > 0, nil
}

// splitConjunction builds the quamina pattern for one conjunction and returns
// the leaves that must be checked in Go afterwards.
func splitConjunction(conj conjunction) (map[string]any, []leaf) {
	qp := map[string]any{}
	seen := map[string]bool{}
	var post []leaf
	for _, l := range conj {
		key := pathKey(l.path)
		if seen[key] {
			// The first occurrence already constrains quamina; the rest are
			// ANDed in Go.
			post = append(post, l)
			continue
		}
		seen[key] = true
		native, needsPost := quaminaValues(l.conds)
		if native != nil && !insertPath(qp, l.path, native) {
			// A field that is a leaf in one place and an object in another
			// cannot be written as one quamina pattern.
			needsPost = true
		}
		if needsPost {
			post = append(post, l)
		}
	}
	return qp, post
}

// quaminaValues returns what quamina should see for a leaf (nil for nothing)
// and whether the leaf needs a Go post-check.
func quaminaValues(conds []cond) ([]any, bool) {
	allNative, hasExists, hasAbsent := true, false, false
	for _, c := range conds {
		if !c.quaminaNative() {
			allNative = false
		}
		if c.kind == condExists {
			hasExists = true
			hasAbsent = hasAbsent || !c.exists
		}
	}
	// Quamina requires exists to stand alone in its array.
	if allNative && (!hasExists || len(conds) == 1) {
		vals := make([]any, len(conds))
		for i, c := range conds {
			vals[i] = c.raw
		}
		return vals, false
	}
	if hasAbsent {
		// The leaf can match with the field absent, so quamina may not
		// require it.
		return nil, true
	}
	return []any{map[string]any{"exists": true}}, true
}

// quaminaNative reports whether quamina evaluates c exactly as EventBridge.
func (c cond) quaminaNative() bool {
	switch c.kind {
	case condExact:
		// Quamina compares numbers by value (300 matches 3.0e2), as
		// EventBridge does, and matches true, false and null literally.
		return true
	case condPrefix:
		return !c.ignoreCase
	case condEqualsIgnoreCase, condWildcard, condExists:
		return true
	}
	return false
}

func insertPath(root map[string]any, path []string, vals []any) bool {
	node := root
	for _, k := range path[:len(path)-1] {
		next, ok := node[k]
		if !ok {
			child := map[string]any{}
			node[k] = child
			node = child
			continue
		}
		child, ok := next.(map[string]any)
		if !ok {
			return false
		}
		node = child
	}
	last := path[len(path)-1]
	if _, ok := node[last]; ok {
		return false
	}
	node[last] = vals
	return true
}

func pathKey(path []string) string {
	b, _ := json.Marshal(path)
	return string(b)
}
