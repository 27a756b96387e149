package eventbridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"quamina.net/go/quamina"
)

// Matcher matches events against many EventBridge patterns at once. Quamina
// does the indexing; the parts of EventBridge's grammar quamina lacks or reads
// differently are rewritten before they reach it and checked afterwards in Go:
//
//   - $or is multiplied out into several quamina patterns under the same ID;
//   - numeric, cidr, suffix, anything-but (every form) and prefix or suffix
//     with equals-ignore-case become {"exists": true} in quamina;
//   - exists mixed with other values in one array, and the second naming of
//     a field named twice in one conjunction (possible through $or), are left
//     out of quamina;
//   - so is exists:false right after exists:true, which quamina can miss
//     (existsFalseAfterExistsTrue).
//
// A conjunction with any such field is then decided in Go as a whole, every
// field included, with EventBridge's array-consistent matching: the fields
// under one array of objects must all match in the same element (see
// conjCheck). Quamina only narrows down which of those to check, and is not
// given their exists:false fields; the other conjunctions it decides alone,
// array-consistently itself.
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
	id string
	// check decides the conjunction in Go; nil when quamina's match is
	// the answer.
	check *conjCheck
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
		qp, needsGo := splitConjunction(conj)
		exp := expansion{id: id}
		if needsGo || len(qp) == 0 {
			exp.check = newConjCheck(conj)
		}
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
	// The event is decoded only for the checks in Go: most events match
	// nothing quamina indexes, and decoding was most of the time spent on
	// them. Validating is cheaper; decodeEvent says what is wrong.
	if !validObject(event) {
		if _, err := decodeEvent(event); err != nil {
			return nil, fmt.Errorf("matching event: %w", err)
		}
	}
	var doc map[string]any
	var decodeErr error
	ids, err := m.match(event, func() map[string]any {
		if doc == nil && decodeErr == nil {
			doc, decodeErr = decodeEvent(event)
		}
		return doc
	})
	if err == nil && decodeErr != nil {
		err = fmt.Errorf("matching event: %w", decodeErr)
	}
	return ids, err
}

// Event is an event parsed once, for matching it with several Matchers
// and for reading it after: the delivery engine matches each event with
// up to two and renders from the same document.
type Event struct {
	raw []byte
	doc map[string]any
}

// ParseEvent parses and checks event as Match does.
func ParseEvent(event []byte) (*Event, error) {
	doc, err := decodeEvent(event)
	if err != nil {
		return nil, err
	}
	return &Event{raw: event, doc: doc}, nil
}

// Doc is the event's JSON object, its numbers json.Number as written. It
// is shared: callers must not change it.
func (e *Event) Doc() map[string]any { return e.doc }

// MatchEvent is Match for an event already parsed.
func (m *Matcher) MatchEvent(ev *Event) ([]string, error) {
	return m.match(ev.raw, ev.Doc)
}

// match runs quamina over event, then the checks in Go over doc(), which
// is read only when a check needs it (nil if it cannot be read).
func (m *Matcher) match(event []byte, doc func() map[string]any) ([]string, error) {
	matches := func(exp expansion) bool {
		if exp.check == nil {
			return true
		}
		d := doc()
		return d != nil && exp.matches(d)
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
		if !found[exp.id] && matches(exp) {
			found[exp.id] = true
		}
	}
	for _, exp := range m.goOnly {
		if !found[exp.id] && matches(exp) {
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

// validObject reports whether event is one JSON object, as decodeEvent
// requires.
func validObject(event []byte) bool {
	trimmed := bytes.TrimLeft(event, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(event)
}

// matches is called for goOnly expansions and for those quamina matched.
func (e expansion) matches(doc map[string]any) bool {
	return e.check == nil || e.check.matches(doc)
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

// splitConjunction builds the quamina pattern for one conjunction and reports
// whether quamina's verdict on it must be checked in Go.
func splitConjunction(conj conjunction) (map[string]any, bool) {
	seen := map[string]bool{}
	var native []quaminaLeaf
	needsGo := false
	for _, l := range conj {
		key := pathKey(l.path)
		if seen[key] {
			// The first occurrence already constrains quamina; the rest are
			// ANDed in Go.
			needsGo = true
			continue
		}
		seen[key] = true
		vals, looser := quaminaValues(l.conds)
		if vals != nil {
			native = append(native, quaminaLeaf{path: l.path, vals: vals})
		}
		needsGo = needsGo || looser
	}
	needsGo = needsGo || existsFalseAfterExistsTrue(native)
	qp, ok := quaminaPattern(native, needsGo)
	if !ok {
		// A field that is a leaf in one place and an object in another
		// cannot be written as one quamina pattern.
		if !needsGo {
			qp, _ = quaminaPattern(native, true)
		}
		needsGo = true
	}
	return qp, needsGo
}

// quaminaLeaf is a leaf as quamina sees it.
type quaminaLeaf struct {
	path []string
	vals []any
}

// quaminaPattern builds the pattern quamina indexes, and reports whether
// every leaf fitted in it. When Go decides the conjunction, exists:false
// is left to Go: quamina can miss it (see existsFalseAfterExistsTrue), and
// Go's check of it is the same one.
func quaminaPattern(native []quaminaLeaf, goDecides bool) (map[string]any, bool) {
	qp := map[string]any{}
	ok := true
	for _, n := range native {
		if goDecides && isExistsFalse(n.vals) {
			continue
		}
		if !insertPath(qp, n.path, n.vals) {
			ok = false
		}
	}
	return qp, ok
}

// existsFalseAfterExistsTrue reports whether quamina v1.5.1 could miss a
// match of these leaves: it sorts a pattern's fields by path, and after an
// exists:true field it looks for an exists:false one only while event fields
// remain to be tried, so {"a":[{"exists":true}],"b":[{"exists":false}]}
// misses {"a":1} (core_matcher.go tryToMatch does check exists:false after a
// value match). TestEventBridgeDifference_ExistsFalseAfterExistsTrue pins it.
func existsFalseAfterExistsTrue(native []quaminaLeaf) bool {
	sorted := append([]quaminaLeaf(nil), native...)
	sort.Slice(sorted, func(i, j int) bool {
		return strings.Join(sorted[i].path, "\n") < strings.Join(sorted[j].path, "\n")
	})
	for i := 1; i < len(sorted); i++ {
		if isExistsFalse(sorted[i].vals) && isExistsTrue(sorted[i-1].vals) {
			return true
		}
	}
	return false
}

func isExistsFalse(vals []any) bool { return isExists(vals, false) }
func isExistsTrue(vals []any) bool  { return isExists(vals, true) }

func isExists(vals []any, want bool) bool {
	if len(vals) != 1 {
		return false
	}
	op, ok := vals[0].(map[string]any)
	return ok && op["exists"] == want
}

// quaminaValues returns what quamina should see for a leaf (nil for nothing)
// and whether quamina's view of it is looser than EventBridge's.
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
