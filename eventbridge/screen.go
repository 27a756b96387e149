package eventbridge

import (
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
// the event must still go through a Matcher. That holds because a leaf's
// result depends only on the values at its own path, so a conjunction whose
// leaf on a screened path fails cannot match.
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
