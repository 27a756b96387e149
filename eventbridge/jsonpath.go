package eventbridge

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// EventBridge evaluates only part of JSONPath. The input-transformation page
// lists the supported syntax: "dot notation (for example, $.detail), dashes,
// underscores, alphanumeric characters, array indices, wildcards (*), forward
// slashes" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html),
// and the API reference adds "You must use JSON dot notation, not bracket
// notation" — so ['name'] is refused while [0] and [*] are array indices.

// pathStep is one step of a parsed JSONPath: a field name, an array index, or
// a wildcard over an array's elements or an object's values.
type pathStep struct {
	field    string
	index    int
	isIndex  bool
	wildcard bool
}

func parseJSONPath(p string) ([]pathStep, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("JSONPath %q must start with '$'", p)
	}
	var steps []pathStep
	rest := p[1:]
	for len(rest) > 0 {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			n := 0
			for n < len(rest) && isPathNameChar(rest[n]) {
				n++
			}
			if n == 0 {
				return nil, fmt.Errorf("JSONPath %q: expected a field name after '.'", p)
			}
			name := rest[:n]
			rest = rest[n:]
			if name == "*" {
				steps = append(steps, pathStep{wildcard: true})
				continue
			}
			if strings.Contains(name, "*") {
				return nil, fmt.Errorf("JSONPath %q: '*' must be a whole step", p)
			}
			steps = append(steps, pathStep{field: name})
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("JSONPath %q: unclosed '['", p)
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			if inner == "*" {
				steps = append(steps, pathStep{wildcard: true})
				continue
			}
			i, err := strconv.Atoi(inner)
			if err != nil || i < 0 {
				return nil, fmt.Errorf("JSONPath %q: [%s] is not an array index; bracket notation for names is not supported", p, inner)
			}
			steps = append(steps, pathStep{index: i, isIndex: true})
		default:
			return nil, fmt.Errorf("JSONPath %q: unexpected %q", p, rest[0])
		}
	}
	return steps, nil
}

func isPathNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '/' || c == '*'
}

var errPathMissing = errors.New("path not found")

// evalJSONPath returns the value at steps. A path with a wildcard returns the
// list of everything it reached, which is how JSONPath reports multiple
// results.
func evalJSONPath(doc any, steps []pathStep) (any, error) {
	hasWildcard := false
	for _, s := range steps {
		hasWildcard = hasWildcard || s.wildcard
	}
	current := []any{doc}
	for _, s := range steps {
		var next []any
		for _, v := range current {
			switch {
			case s.wildcard:
				switch tv := v.(type) {
				case []any:
					next = append(next, tv...)
				case map[string]any:
					for _, k := range sortedKeys(tv) {
						next = append(next, tv[k])
					}
				}
			case s.isIndex:
				if arr, ok := v.([]any); ok && s.index < len(arr) {
					next = append(next, arr[s.index])
				}
			default:
				if obj, ok := v.(map[string]any); ok {
					if fv, ok := obj[s.field]; ok {
						next = append(next, fv)
					}
				}
			}
		}
		current = next
	}
	if len(current) == 0 {
		return nil, errPathMissing
	}
	if hasWildcard {
		return current, nil
	}
	return current[0], nil
}
