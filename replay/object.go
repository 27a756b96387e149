package replay

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
)

// This file reads an event's top-level members without decoding their
// values. Decoding every event whole, twice (for its envelope and to put it
// in the member account), was most of replay's and forecast's work per
// event; reading the envelope's few strings and splicing the account is
// not. Whatever it is unsure of is left to encoding/json, whose results it
// must equal (tests and a fuzz test hold it to that).

// member is one top-level member of a JSON object, compacted.
type member struct {
	key string // decoded
	raw []byte // the key as encoding/json writes it, quotes included
	val []byte
}

// object is the top-level members of a JSON object, each key once (the
// last, as when decoding into a map), in the order of their last
// occurrence.
type object []member

// splitObject splits valid JSON into its top-level members; ok is false
// when it is not an object or a key is not plain (escapes, invalid UTF-8).
func splitObject(valid []byte) (o object, ok bool) {
	c := compactValid(bytes.TrimSpace(valid))
	if len(c) < 2 || c[0] != '{' {
		return nil, false
	}
	o = make(object, 0, 12)
	for i := 1; c[i] != '}'; {
		if c[i] == ',' {
			i++
		}
		end := stringEnd(c, i)
		m := member{raw: c[i:end]}
		if bytes.IndexByte(m.raw, '\\') >= 0 || !utf8.Valid(m.raw) {
			return nil, false
		}
		m.key = string(m.raw[1 : len(m.raw)-1])
		i = end + 1 // the colon
		end = valueEnd(c, i)
		m.val = c[i:end]
		i = end
		if j := o.index(m.key); j >= 0 {
			o = slices.Delete(o, j, j+1)
		}
		o = append(o, m)
	}
	return o, true
}

func (o object) index(key string) int {
	return slices.IndexFunc(o, func(m member) bool { return m.key == key })
}

// envelope decodes the routing fields as json.Unmarshal into Envelope
// does (keys matched regardless of case, the last one winning, null
// leaving a field empty); ok is false when a value is neither a string nor
// null, for json.Unmarshal to report.
func (o object) envelope() (env Envelope, ok bool) {
	fields := []struct {
		name string
		to   *string
	}{
		{"id", &env.ID}, {"account", &env.Account}, {"region", &env.Region},
		{"source", &env.Source}, {"detail-type", &env.DetailType}, {"time", &env.Time},
	}
	for _, m := range o {
		for _, f := range fields {
			if !strings.EqualFold(m.key, f.name) {
				continue
			}
			switch {
			case string(m.val) == "null":
			case m.val[0] == '"' && bytes.IndexByte(m.val, '\\') < 0 && utf8.Valid(m.val):
				*f.to = string(m.val[1 : len(m.val)-1])
			case m.val[0] == '"':
				if json.Unmarshal(m.val, f.to) != nil {
					return env, false
				}
			default:
				return env, false
			}
		}
	}
	return env, true
}

// withAccount is the object with account as its top-level account, as
// json.Marshal writes a map of its members: compact, keys sorted, <, >, &,
// U+2028 and U+2029 escaped.
func (o object) withAccount(account string) []byte {
	a, _ := json.Marshal(account) // a string always encodes
	o = slices.Clone(o)
	if j := o.index("account"); j >= 0 {
		o[j].val = a
	} else {
		o = append(o, member{key: "account", raw: []byte(`"account"`), val: a})
	}
	slices.SortFunc(o, func(x, y member) int { return strings.Compare(x.key, y.key) })
	size := 2
	for _, m := range o {
		size += len(m.raw) + len(m.val) + 2
	}
	out := make([]byte, 0, size)
	out = append(out, '{')
	for k, m := range o {
		if k > 0 {
			out = append(out, ',')
		}
		out = append(out, m.raw...)
		out = append(out, ':')
		out = append(out, m.val...)
	}
	out = append(out, '}')
	if needsHTMLEscape(out) {
		var escaped bytes.Buffer
		json.HTMLEscape(&escaped, out)
		out = escaped.Bytes()
	}
	return out
}

// compactValid removes the white space between the tokens of valid JSON,
// as json.Compact does, returning src itself when there is none.
func compactValid(src []byte) []byte {
	var dst []byte
	start, inString := 0, false
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			if dst == nil {
				dst = make([]byte, 0, len(src))
			}
			dst = append(dst, src[start:i]...)
			start = i + 1
		}
	}
	if dst == nil {
		return src
	}
	return append(dst, src[start:]...)
}

// needsHTMLEscape reports whether json.HTMLEscape would change b: it holds
// <, >, & or the first byte of U+2028 or U+2029.
func needsHTMLEscape(b []byte) bool {
	for _, c := range b {
		if c == '<' || c == '>' || c == '&' || c == 0xE2 {
			return true
		}
	}
	return false
}

// stringEnd is the index after the string starting at c[i], in valid JSON.
func stringEnd(c []byte, i int) int {
	for j := i + 1; ; j++ {
		switch c[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
}

// valueEnd is the index after the value starting at c[i], in valid compact
// JSON.
func valueEnd(c []byte, i int) int {
	switch c[i] {
	case '"':
		return stringEnd(c, i)
	case '{', '[':
		depth := 0
		for j := i; ; j++ {
			switch c[j] {
			case '"':
				j = stringEnd(c, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
	}
	for j := i; ; j++ {
		if c[j] == ',' || c[j] == '}' {
			return j
		}
	}
}
