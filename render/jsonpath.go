package render

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The catalogue's JSONPaths are the subset EventBridge input transformers
// accept and the catalogue uses: dot notation with names of letters, digits,
// '-' and '_' ("$.detail.findings[0].Title", "$.detail-type") and array
// indices. EventBridge refuses bracket notation for names ("You must use JSON
// dot notation, not bracket notation", EventBridge API Reference,
// InputTransformer); wildcards are not used by any detector, so they are an
// error here rather than a second result shape to render.

// pathStep is one step of a parsed path: a field name or an array index.
type pathStep struct {
	field string
	index int // -1 for a field step
}

// parsePath parses a JSONPath of the catalogue's subset.
func parsePath(p string) ([]pathStep, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("JSONPath %q must start with '$'", p)
	}
	var steps []pathStep
	rest := p[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			n := 1
			for n < len(rest) && isPathNameByte(rest[n]) {
				n++
			}
			if n == 1 {
				return nil, fmt.Errorf("JSONPath %q: expected a field name after '.'", p)
			}
			steps = append(steps, pathStep{field: rest[1:n], index: -1})
			rest = rest[n:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("JSONPath %q: unclosed '['", p)
			}
			digits := rest[1:end]
			i, err := strconv.Atoi(digits)
			if err != nil || strings.TrimLeft(digits, "0123456789") != "" {
				return nil, fmt.Errorf("JSONPath %q: [%s] is not an array index", p, digits)
			}
			steps = append(steps, pathStep{index: i})
			rest = rest[end+1:]
		default:
			return nil, fmt.Errorf("JSONPath %q: unexpected %q", p, rest[0])
		}
	}
	return steps, nil
}

func isPathNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// lookup returns the value at steps in doc, decoded with UseNumber, and
// whether it exists.
func lookup(doc any, steps []pathStep) (any, bool) {
	v := doc
	for _, s := range steps {
		if s.index < 0 {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = obj[s.field]; !ok {
				return nil, false
			}
			continue
		}
		arr, ok := v.([]any)
		if !ok || s.index >= len(arr) {
			return nil, false
		}
		v = arr[s.index]
	}
	return v, true
}

// valueText is how a value reads in a message: a string as it is, null as
// nothing, a number exactly as the event wrote it (json.Number), anything
// else as compact JSON.
func valueText(v any) string {
	switch tv := v.(type) {
	case nil:
		return ""
	case string:
		return tv
	case json.Number:
		return tv.String()
	case bool:
		return strconv.FormatBool(tv)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	// Values are text here; the renderers escape them for their format.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only decoded JSON reaches here, and it always encodes.
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}
