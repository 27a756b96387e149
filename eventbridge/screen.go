package eventbridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Screen tells from a few fields of an event whether any of a set of
// patterns could match it, without reading the rest of the event. It lets a
// caller that meets millions of events skip the full match for the ones no
// rule can want: a CloudTrail DescribeInstances call is rejected on its
// eventName alone.
//
// The answer is exact in one direction only: when MayMatch is false no
// pattern matches the event, whatever its other fields hold; when it is true
// the event must still go through a Matcher. That holds because a
// conjunction matches only if each of its leaves, checked on its own, does,
// and a leaf checked on its own depends only on the values at its own path:
// a conjunction whose leaf on a screened path fails cannot match.
type Screen struct {
	paths    map[string][]string // screened paths by dotted name
	screened map[string]bool     // pathKey of each screened path
	// conjs keeps, for each conjunction of each pattern, the leaves on
	// screened paths; a conjunction with none matches every screen.
	conjs []conjunction
}

// NewScreen returns a Screen over the given dotted paths ("source",
// "detail.eventName"). Leaves on other paths are ignored.
func NewScreen(paths ...string) *Screen {
	s := &Screen{paths: map[string][]string{}, screened: map[string]bool{}}
	for _, p := range paths {
		parts := strings.Split(p, ".")
		s.paths[p] = parts
		s.screened[pathKey(parts)] = true
	}
	return s
}

// Add validates pattern and adds it to the screen.
func (s *Screen) Add(pattern []byte) error {
	conjs, err := parsePattern(pattern)
	if err != nil {
		return fmt.Errorf("adding pattern to screen: %w", err)
	}
	for _, conj := range conjs {
		var kept conjunction
		for _, l := range conj {
			if s.screened[pathKey(l.path)] {
				kept = append(kept, l)
			}
		}
		s.conjs = append(s.conjs, kept)
	}
	return nil
}

// MayMatch reports whether an event whose screened fields hold fields could
// match one of the patterns. fields maps dotted paths to the decoded value
// there (string, bool, json.Number, or nil for JSON null); a screened path
// missing from fields is a field absent from the event. Values of paths
// the screen was not built with are an error, so a caller's typo cannot
// silently widen the screen.
func (s *Screen) MayMatch(fields map[string]any) (bool, error) {
	doc := map[string]any{}
	for name, v := range fields {
		path, ok := s.paths[name]
		if !ok {
			return false, fmt.Errorf("screening event: %q is not a screened path", name)
		}
		node := doc
		for _, k := range path[:len(path)-1] {
			child, ok := node[k].(map[string]any)
			if !ok {
				child = map[string]any{}
				node[k] = child
			}
			node = child
		}
		node[path[len(path)-1]] = v
	}
	for _, conj := range s.conjs {
		if conjunctionMatches(conj, doc) {
			return true, nil
		}
	}
	return false, nil
}

func conjunctionMatches(conj conjunction, doc map[string]any) bool {
	for _, l := range conj {
		if !l.matches(doc) {
			return false
		}
	}
	return true
}

// Pruner cuts an event down to the fields a set of patterns can look at.
// Matching the pruned event gives the same answer as matching the whole
// one: a conjunction's result depends only on the values at its leaves'
// paths and on which array elements hold them. Pruning drops object members
// off every pattern's path and keeps everything else as written: values at a
// pattern's path whole, numbers and strings byte for byte, and every array
// element in its place (an element may become {}), so array-consistent
// matching, quamina's and the Matcher's own, sees the same positions. The
// pruned event is small and, once IDs and times no pattern names are gone,
// repeats, which makes it a cache key for a caller's match results.
type Pruner struct {
	root pruneNode
}

type pruneNode struct {
	// whole is set where a pattern's path ends: the value is kept as is.
	whole    bool
	children map[string]*pruneNode
}

// NewPruner returns an empty Pruner; until patterns are added it keeps
// events whole.
func NewPruner() *Pruner { return &Pruner{} }

// Add validates pattern and keeps the paths of all its leaves.
func (p *Pruner) Add(pattern []byte) error {
	conjs, err := parsePattern(pattern)
	if err != nil {
		return fmt.Errorf("adding pattern to pruner: %w", err)
	}
	for _, conj := range conjs {
		for _, l := range conj {
			n := &p.root
			for _, k := range l.path {
				if n.children == nil {
					n.children = map[string]*pruneNode{}
				}
				c := n.children[k]
				if c == nil {
					c = &pruneNode{}
					n.children[k] = c
				}
				n = c
			}
			n.whole = true
		}
	}
	return nil
}

// Append appends the pruned form of event, a JSON object, to dst. ok is
// false when event is not well-formed JSON; dst is then returned as it came
// and the caller should match the whole event, which reports the error.
func (p *Pruner) Append(dst, event []byte) (out []byte, ok bool) {
	i := skipSpace(event, 0)
	if i >= len(event) || event[i] != '{' {
		return dst, false
	}
	out, i, ok = p.root.prune(dst, event, i)
	if !ok || skipSpace(event, i) != len(event) {
		return dst, false
	}
	return out, true
}

// prune appends the value at b[i:] as n keeps it and returns the position
// after the value.
func (n *pruneNode) prune(dst, b []byte, i int) ([]byte, int, bool) {
	if n.whole || n.children == nil {
		// Children are nil only where a path ends, or in a Pruner without
		// patterns: either way the value is kept.
		end, ok := skipValue(b, i)
		if !ok {
			return dst, i, false
		}
		return append(dst, b[i:end]...), end, true
	}
	switch b[i] {
	case '{':
		dst = append(dst, '{')
		first := true
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == '}' {
			return append(dst, '}'), i + 1, true
		}
		for {
			if i >= len(b) || b[i] != '"' {
				return dst, i, false
			}
			keyEnd, ok := skipValue(b, i)
			if !ok {
				return dst, i, false
			}
			key := b[i:keyEnd]
			j := skipSpace(b, keyEnd)
			if j >= len(b) || b[j] != ':' {
				return dst, j, false
			}
			j = skipSpace(b, j+1)
			if j >= len(b) {
				return dst, j, false
			}
			if c := n.child(key); c != nil {
				if !first {
					dst = append(dst, ',')
				}
				first = false
				dst = append(append(dst, key...), ':')
				if dst, i, ok = c.prune(dst, b, j); !ok {
					return dst, i, false
				}
			} else if i, ok = skipValue(b, j); !ok {
				return dst, i, false
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return dst, i, false
			}
			switch b[i] {
			case ',':
				i = skipSpace(b, i+1)
			case '}':
				return append(dst, '}'), i + 1, true
			default:
				return dst, i, false
			}
		}
	case '[':
		// Paths look through arrays: each element is pruned as the array.
		dst = append(dst, '[')
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == ']' {
			return append(dst, ']'), i + 1, true
		}
		for {
			var ok bool
			if i >= len(b) {
				return dst, i, false
			}
			if dst, i, ok = n.prune(dst, b, i); !ok {
				return dst, i, false
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return dst, i, false
			}
			switch b[i] {
			case ',':
				dst = append(dst, ',')
				i = skipSpace(b, i+1)
			case ']':
				return append(dst, ']'), i + 1, true
			default:
				return dst, i, false
			}
		}
	}
	// A string, number or literal on the way to a deeper path: it holds no
	// value there, and is kept so the structure stays as it was.
	end, ok := skipValue(b, i)
	if !ok {
		return dst, i, false
	}
	return append(dst, b[i:end]...), end, true
}

// child returns the node for the quoted object key q, or nil. Keys with
// escapes, none in practice, are decoded first.
func (n *pruneNode) child(q []byte) *pruneNode {
	raw := q[1 : len(q)-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		return n.children[string(raw)]
	}
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		// Not reached for a string skipValue found; keeping the member
		// is always correct.
		return &pruneNode{whole: true}
	}
	return n.children[s]
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipValue returns the position after the JSON value at b[i], checking
// only its structure: the caller's matcher checks the rest.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1, true
			}
		}
		return len(b), false
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, ok := skipValue(b, j)
				if !ok {
					return end, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return len(b), false
	}
	j := i
	for j < len(b) {
		switch b[j] {
		case ',', '}', ']', ':', ' ', '\n', '\r', '\t':
			return j, j > i
		}
		j++
	}
	return j, j > i
}
