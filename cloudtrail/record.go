package cloudtrail

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// Kind is the JSON kind of a record field.
type Kind uint8

const (
	// Absent means the record has no such field.
	Absent Kind = iota
	String
	Bool
	Null
	// Other is a number, object or array.
	Other
)

// Field is one top-level field of a record. For strings, Raw is the text
// between the quotes as written (escapes kept) and Str the decoded value;
// for numbers, objects and arrays (Other), Raw is the value as written.
type Field struct {
	Kind Kind
	Raw  []byte
	Str  string
	Bool bool
}

// Value returns the field as the eventbridge package decodes event values:
// string, bool or nil for null. ok is false for an absent field.
func (f Field) Value() (v any, ok bool) {
	switch f.Kind {
	case String:
		return f.Str, true
	case Bool:
		return f.Bool, true
	case Null:
		return nil, true
	case Other:
		return nil, true
	}
	return nil, false
}

// Record is the top-level fields of a CloudTrail record that decide where
// it goes. Raw is the whole record; it and the fields' Raw are only valid
// until the reader moves to the next record.
type Record struct {
	Raw                []byte
	EventSource        Field
	EventName          Field
	EventType          Field
	EventCategory      Field
	AWSRegion          Field
	RecipientAccountID Field
	EventTime          Field
	EventID            Field
	ErrorCode          Field
	ReadOnly           Field
	ManagementEvent    Field
	// UserIdentity is kept as written (Raw): only records that alert need
	// it decoded.
	UserIdentity Field

	// intern keeps the decoded strings of repetitive fields across the
	// records a Record is reused for, so they cost no allocation.
	intern map[string]string
}

// errShort says the input ended inside the record: a streaming caller
// reads more and parses again.
var errShort = errors.New("input ends inside the record")

// parseRecord checks that raw is one JSON object, as json.Valid would, and
// reads its top-level fields; nested values are checked, not decoded. It is
// one pass over the record, which is most of what a forecast costs per
// record. Str is set for the short, repetitive fields (sources, names,
// regions, accounts, error codes); eventTime, eventID and userIdentity
// only have Raw. With prefix, raw may go on after the record, and the
// record's length is returned.
func parseRecord(raw []byte, r *Record, prefix bool) (int, error) {
	intern := r.intern
	if intern == nil {
		intern = map[string]string{}
	}
	*r = Record{Raw: raw, intern: intern}
	p := skipWS(raw, 0)
	if p >= len(raw) {
		return p, errShort
	}
	if raw[p] != '{' {
		return p, errors.New("not a JSON object")
	}
	p = skipWS(raw, p+1)
	if p < len(raw) && raw[p] == '}' {
		return r.end(p+1, prefix)
	}
	for {
		if p >= len(raw) || raw[p] != '"' {
			return p, syntaxErr(raw, p, "a key")
		}
		end, err := validString(raw, p)
		if err != nil {
			return p, err
		}
		key := raw[p+1 : end-1]
		p = skipWS(raw, end)
		if p >= len(raw) || raw[p] != ':' {
			return p, syntaxErr(raw, p, "a colon")
		}
		p = skipWS(raw, p+1)
		var dst *Field
		rawOnly := false
		switch string(key) {
		case "eventSource":
			dst = &r.EventSource
		case "eventName":
			dst = &r.EventName
		case "eventType":
			dst = &r.EventType
		case "eventCategory":
			dst = &r.EventCategory
		case "awsRegion":
			dst = &r.AWSRegion
		case "recipientAccountId":
			dst = &r.RecipientAccountID
		case "eventTime":
			dst, rawOnly = &r.EventTime, true
		case "eventID":
			dst, rawOnly = &r.EventID, true
		case "errorCode":
			dst = &r.ErrorCode
		case "readOnly":
			dst = &r.ReadOnly
		case "managementEvent":
			dst = &r.ManagementEvent
		case "userIdentity":
			dst, rawOnly = &r.UserIdentity, true
		}
		start := p
		if p, err = validValue(raw, p, 0); err != nil {
			return p, err
		}
		if dst != nil {
			// JSON decoders keep the last of duplicate keys; so does this.
			*dst = r.field(raw[start:p], rawOnly)
		}
		p = skipWS(raw, p)
		if p >= len(raw) {
			return p, errShort
		}
		switch raw[p] {
		case ',':
			p = skipWS(raw, p+1)
		case '}':
			return r.end(p+1, prefix)
		default:
			return p, syntaxErr(raw, p, "a comma or '}'")
		}
	}
}

// maxIntern bounds the strings a Record keeps for reuse.
const maxIntern = 1 << 14

// field describes one valid JSON value.
func (r *Record) field(v []byte, rawOnly bool) Field {
	switch v[0] {
	case '"':
		f := Field{Kind: String, Raw: v[1 : len(v)-1]}
		if !rawOnly {
			if s, ok := r.intern[string(f.Raw)]; ok {
				f.Str = s
			} else {
				f.Str = decodeString(f.Raw)
				if len(r.intern) < maxIntern {
					r.intern[string(f.Raw)] = f.Str
				}
			}
		}
		return f
	case 't':
		return Field{Kind: Bool, Bool: true}
	case 'f':
		return Field{Kind: Bool}
	case 'n':
		return Field{Kind: Null}
	}
	return Field{Kind: Other, Raw: v}
}

// end finishes a record whose closing brace ends at p: a whole record
// must be followed by nothing but whitespace; a prefix is cut there.
func (r *Record) end(p int, prefix bool) (int, error) {
	if prefix {
		r.Raw = r.Raw[:p]
		return p, nil
	}
	if q := skipWS(r.Raw, p); q != len(r.Raw) {
		return q, syntaxErr(r.Raw, q, "the end of the record")
	}
	return p, nil
}

func syntaxErr(raw []byte, p int, want string) error {
	if p >= len(raw) {
		return errShort
	}
	return fmt.Errorf("not valid JSON: %q at byte %d where %s was expected", raw[p], p, want)
}

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// validValue checks the value at p and returns the position after it.
func validValue(b []byte, p, depth int) (int, error) {
	if p >= len(b) {
		return p, syntaxErr(b, p, "a value")
	}
	switch c := b[p]; {
	case c == '"':
		return validString(b, p)
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return p, errors.New("not valid JSON: nested too deeply")
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		p = skipWS(b, p+1)
		if p < len(b) && b[p] == closer {
			return p + 1, nil
		}
		for {
			var err error
			if c == '{' {
				if p >= len(b) || b[p] != '"' {
					return p, syntaxErr(b, p, "a key")
				}
				if p, err = validString(b, p); err != nil {
					return p, err
				}
				p = skipWS(b, p)
				if p >= len(b) || b[p] != ':' {
					return p, syntaxErr(b, p, "a colon")
				}
				p = skipWS(b, p+1)
			}
			if p, err = validValue(b, p, depth+1); err != nil {
				return p, err
			}
			p = skipWS(b, p)
			if p >= len(b) {
				return p, syntaxErr(b, p, "a comma")
			}
			if b[p] == closer {
				return p + 1, nil
			}
			if b[p] != ',' {
				return p, syntaxErr(b, p, "a comma")
			}
			p = skipWS(b, p+1)
		}
	case c == 't':
		return literal(b, p, "true")
	case c == 'f':
		return literal(b, p, "false")
	case c == 'n':
		return literal(b, p, "null")
	case c == '-' || isDigit(c):
		return validNumber(b, p)
	}
	return p, syntaxErr(b, p, "a value")
}

func literal(b []byte, p int, lit string) (int, error) {
	if rest := b[p:]; len(rest) < len(lit) && bytes.HasPrefix([]byte(lit), rest) {
		return p, errShort
	}
	if !bytes.HasPrefix(b[p:], []byte(lit)) {
		return p, syntaxErr(b, p, lit)
	}
	return p + len(lit), nil
}

// validString checks the string whose opening quote is at p and returns
// the position after its closing quote.
func validString(b []byte, p int) (int, error) {
	i := p + 1
	for {
		i = plainRun(b, i)
		if i >= len(b) {
			return i, errShort
		}
		switch b[i] {
		case '"':
			return i + 1, nil
		case '\\':
			if i+1 >= len(b) {
				return i, errShort
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return i, errShort
				}
				if !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return i, fmt.Errorf("not valid JSON: bad \\u escape at byte %d", i)
				}
				i += 6
			default:
				return i, fmt.Errorf("not valid JSON: bad escape at byte %d", i)
			}
		default:
			return i, fmt.Errorf("not valid JSON: control character in a string at byte %d", i)
		}
	}
}

// Masks for testing eight bytes at once (SWAR).
const (
	lsbs = 0x0101010101010101
	msbs = 0x8080808080808080
)

// plainRun returns the index of the first byte at or after i that ends a
// run of plain string content: a quote, a backslash or a control
// character. Strings are most of a record, so it looks at eight bytes at
// a time and finishes byte by byte.
func plainRun(b []byte, i int) int {
	for i+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[i:])
		q := w ^ (lsbs * '"')
		bs := w ^ (lsbs * '\\')
		// A byte is zero in q or bs, or below 0x20 in w, when its high bit
		// survives; borrows only spread past a byte that already matched.
		if ((q-lsbs)&^q|(bs-lsbs)&^bs|(w-lsbs*0x20)&^w)&msbs != 0 {
			break
		}
		i += 8
	}
	for i < len(b) {
		if c := b[i]; c < 0x20 || c == '"' || c == '\\' {
			return i
		}
		i++
	}
	return i
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// validNumber checks the JSON number at p.
func validNumber(b []byte, p int) (int, error) {
	start := p
	if b[p] == '-' {
		p++
	}
	if p >= len(b) {
		return p, errShort
	}
	switch {
	case p < len(b) && b[p] == '0':
		p++
	case p < len(b) && b[p] >= '1' && b[p] <= '9':
		for p < len(b) && isDigit(b[p]) {
			p++
		}
	default:
		return p, syntaxErr(b, start, "a number")
	}
	// digits reads the one or more digits a fraction or an exponent needs.
	digits := func(p int) (int, error) {
		if p >= len(b) {
			return p, errShort
		}
		if !isDigit(b[p]) {
			return p, syntaxErr(b, start, "a number")
		}
		for p < len(b) && isDigit(b[p]) {
			p++
		}
		return p, nil
	}
	var err error
	if p < len(b) && b[p] == '.' {
		if p, err = digits(p + 1); err != nil {
			return p, err
		}
	}
	if p < len(b) && (b[p] == 'e' || b[p] == 'E') {
		p++
		if p < len(b) && (b[p] == '+' || b[p] == '-') {
			p++
		}
		if p, err = digits(p); err != nil {
			return p, err
		}
	}
	return p, nil
}

// escaped reports whether the quote at q is preceded by an odd run of
// backslashes.
func escaped(b []byte, q int) bool {
	n := 0
	for k := q - 1; k >= 0 && b[k] == '\\'; k-- {
		n++
	}
	return n%2 == 1
}

func decodeString(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(append(append(quoted, '"'), raw...), '"')
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return string(raw)
	}
	return s
}

func isWS(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func skipWS(b []byte, p int) int {
	for p < len(b) && isWS(b[p]) {
		p++
	}
	return p
}
