package eventbridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"unicode"
)

// This file evaluates pattern conditions in Go, for the conditions quamina
// cannot express or expresses differently from EventBridge.

// decodeEvent parses an event the way the matcher reads it: numbers stay
// json.Number so that their value, not their spelling, is compared.
func decodeEvent(event []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parsing event JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("parsing event JSON: trailing data after the object")
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("event must be a JSON object, got %s", jsonKind(doc))
	}
	return obj, nil
}

// leafValues returns the leaf values found at path. Arrays anywhere on the way
// are looked through, because EventBridge matches an array field when any
// element matches ("the event pattern matches if the intersection of the event
// pattern array and the event array is non-empty",
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html).
// Objects are not leaves: exists "only works on leaf nodes"
// (content-filtering page), so an object at path yields no values.
func leafValues(doc any, path []string) []any {
	var out []any
	var walk func(v any, rest []string)
	walk = func(v any, rest []string) {
		switch tv := v.(type) {
		case []any:
			for _, el := range tv {
				walk(el, rest)
			}
		case map[string]any:
			if len(rest) == 0 {
				return
			}
			if next, ok := tv[rest[0]]; ok {
				walk(next, rest[1:])
			}
		default:
			if len(rest) == 0 {
				out = append(out, v)
			}
		}
	}
	walk(doc, path)
	return out
}

// matches reports whether the leaf's condition array, checked on its own,
// accepts the event. It ignores which array element each value sits in, so
// it is weaker than the Matcher's verdict (conjCheck): a conjunction matches
// only if each of its leaves does, not always when they all do.
func (l leaf) matches(doc map[string]any) bool {
	values := leafValues(doc, l.path)
	for _, c := range l.conds {
		if c.kind == condExists {
			if c.exists == (len(values) > 0) {
				return true
			}
			continue
		}
		for _, v := range values {
			if c.matchValue(v) {
				return true
			}
		}
	}
	return false
}

// matchValue reports whether one leaf value satisfies c. Callers handle exists.
func (c cond) matchValue(v any) bool {
	switch c.kind {
	case condExact:
		switch tv := v.(type) {
		case string:
			return c.isString && tv == c.str
		case json.Number:
			f, err := tv.Float64()
			return err == nil && c.isNumber && f == c.num
		case bool:
			return c.isBool && tv == c.boolean
		case nil:
			return c.isNull
		}
		return false
	case condPrefix, condSuffix, condEqualsIgnoreCase, condWildcard:
		s, ok := v.(string)
		return ok && c.matchString(s)
	case condAnythingBut:
		return c.matchAnythingBut(v)
	case condNumeric:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		f, err := n.Float64()
		return err == nil && c.inRange(f)
	case condCIDR:
		s, ok := v.(string)
		if !ok {
			return false
		}
		addr, err := netip.ParseAddr(s)
		return err == nil && c.prefix.Contains(addr.Unmap())
	}
	return false
}

// matchString applies the string-only operators.
func (c cond) matchString(s string) bool {
	switch c.kind {
	case condPrefix:
		if c.ignoreCase {
			return strings.HasPrefix(foldString(s), foldString(c.str))
		}
		return strings.HasPrefix(s, c.str)
	case condSuffix:
		if c.ignoreCase {
			return strings.HasSuffix(foldString(s), foldString(c.str))
		}
		return strings.HasSuffix(s, c.str)
	case condEqualsIgnoreCase:
		return foldString(s) == foldString(c.str)
	case condWildcard:
		return wildcardMatch(c.str, s)
	}
	return false
}

// matchAnythingBut is the negation of the listed values. It is a value
// matcher: it needs a value to negate, so an absent field never matches (the
// matcher requires presence for it; see TestEventBridgeDifference_AnythingBut*).
func (c cond) matchAnythingBut(v any) bool {
	switch {
	case len(c.butStrings) > 0:
		s, ok := v.(string)
		if !ok {
			return true
		}
		for _, b := range c.butStrings {
			if s == b {
				return false
			}
		}
		return true
	case len(c.butNumbers) > 0:
		n, ok := v.(json.Number)
		if !ok {
			return true
		}
		f, err := n.Float64()
		if err != nil {
			return true
		}
		for _, b := range c.butNumbers {
			if f == b {
				return false
			}
		}
		return true
	default:
		// A nested string operator cannot match a non-string value, so the
		// negation holds for it; this mirrors event-ruler, which runs these
		// operators over the quoted JSON text of the value.
		s, ok := v.(string)
		if !ok {
			return true
		}
		for _, op := range c.butOps {
			if op.matchString(s) {
				return false
			}
		}
		return true
	}
}

func (c cond) inRange(f float64) bool {
	if c.equal != nil {
		return f == *c.equal
	}
	if c.lower != nil && (f < *c.lower || (f == *c.lower && !c.lowerIncl)) {
		return false
	}
	if c.upper != nil && (f > *c.upper || (f == *c.upper && !c.upperIncl)) {
		return false
	}
	return true
}

// foldString maps every rune to the smallest member of its simple case-folding
// orbit, so two strings that differ only in case fold to the same text.
func foldString(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		b.WriteRune(min)
	}
	return b.String()
}

// wildcardMatch matches s against an EventBridge wildcard: '*' stands for any
// run of characters, "\*" for a literal star and "\\" for a backslash.
func wildcardMatch(pattern, s string) bool {
	var segments []string
	var cur strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			if i+1 < len(pattern) {
				i++
			}
			cur.WriteByte(pattern[i])
		case '*':
			segments = append(segments, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(pattern[i])
		}
	}
	segments = append(segments, cur.String())
	if len(segments) == 1 {
		return s == segments[0]
	}
	first, last := segments[0], segments[len(segments)-1]
	if !strings.HasPrefix(s, first) {
		return false
	}
	s = s[len(first):]
	for _, mid := range segments[1 : len(segments)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}
