package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// problems collects every configuration error, so one preview shows them
// all instead of one per attempt.
type problems struct {
	errs []error
}

// addf records an error about the value at path (a full config key path
// such as secalerts:hub.customers[0].name).
func (p *problems) addf(path, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// kind names the JSON type of raw for messages; it never echoes the value,
// which may be a secret.
func kind(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// isNull reports whether raw is JSON null. YAML keys left empty
// (`slack:` with nothing after it) arrive as null and mean "not set".
func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// object is one JSON object of the stack configuration. Its keys are
// checked against the valid ones when it is read, which is what
// json.Decoder.DisallowUnknownFields does, but with the key's full path in
// the error so a typo names exactly where it is.
type object struct {
	path   string
	fields map[string]json.RawMessage
}

// readObject decodes raw as an object whose keys must be among keys.
// ok is false when raw is not an object (the error is recorded).
func readObject(p *problems, path string, raw json.RawMessage, keys ...string) (object, bool) {
	o := object{path: path}
	if kind(raw) != "an object" {
		p.addf(path, "expected an object with keys %s, got %s", strings.Join(keys, ", "), kind(raw))
		return o, false
	}
	if err := json.Unmarshal(raw, &o.fields); err != nil {
		p.addf(path, "not valid JSON: %v", err)
		return o, false
	}
	var unknown []string
	for k := range o.fields {
		if !slices.Contains(keys, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		p.addf(o.key(k), "unknown key %q (valid keys here: %s)", k, strings.Join(keys, ", "))
	}
	return o, true
}

// key is the path of one of o's keys.
func (o object) key(k string) string { return o.path + "." + k }

// raw returns the value of k; null counts as absent.
func (o object) raw(k string) (json.RawMessage, bool) {
	v, ok := o.fields[k]
	if !ok || isNull(v) {
		return nil, false
	}
	return v, true
}

// str reads a string. Type errors never echo the value: it may be a secret.
func (o object) str(p *problems, k string) (string, bool) {
	v, ok := o.raw(k)
	if !ok {
		return "", false
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		p.addf(o.key(k), "expected a string, got %s", kind(v))
		return "", false
	}
	return s, true
}

// integer reads a whole number. Strings holding one are accepted because a
// value set with `pulumi config set --path` without --type can arrive as a
// string.
func (o object) integer(p *problems, k string) (*int, bool) {
	v, ok := o.raw(k)
	if !ok {
		return nil, true
	}
	text := strings.TrimSpace(string(v))
	if kind(v) == "a string" {
		if err := json.Unmarshal(v, &text); err != nil {
			p.addf(o.key(k), "expected a whole number, got %s", kind(v))
			return nil, false
		}
	} else if kind(v) != "a number" {
		p.addf(o.key(k), "expected a whole number, got %s", kind(v))
		return nil, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		p.addf(o.key(k), "%q is not a whole number", text)
		return nil, false
	}
	return &n, true
}

// boolean reads true or false; the strings "true" and "false" are accepted
// for the same reason as in integer.
func (o object) boolean(p *problems, k string) (*bool, bool) {
	v, ok := o.raw(k)
	if !ok {
		return nil, true
	}
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		return &b, true
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		if s == "true" || s == "false" {
			b = s == "true"
			return &b, true
		}
		p.addf(o.key(k), "%q is not a boolean (expected true or false)", s)
		return nil, false
	}
	p.addf(o.key(k), "expected true or false, got %s", kind(v))
	return nil, false
}

// list reads a JSON list; absent and null give an empty list.
func (o object) list(p *problems, k string) ([]json.RawMessage, bool) {
	v, ok := o.raw(k)
	if !ok {
		return nil, false
	}
	var items []json.RawMessage
	if kind(v) != "a list" || json.Unmarshal(v, &items) != nil {
		p.addf(o.key(k), "expected a list, got %s", kind(v))
		return nil, false
	}
	return items, true
}

// readStrings reads the optional list of strings at k, keeping each that
// check accepts (check records its own error) and is not listed twice.
func readStrings(p *problems, o object, k string, check func(path, v string) bool) []string {
	items, _ := o.list(p, k)
	var out []string
	seen := map[string]string{}
	for i, raw := range items {
		path := index(o.key(k), i)
		v, ok := stringItem(p, path, raw)
		if !ok || !check(path, v) {
			continue
		}
		if first, dup := seen[v]; dup {
			p.addf(path, "%q is listed twice (also at %s)", v, first)
			continue
		}
		seen[v] = path
		out = append(out, v)
	}
	return out
}

// stringItem reads one list element that must be a string.
func stringItem(p *problems, path string, raw json.RawMessage) (string, bool) {
	var s string
	if kind(raw) != "a string" || json.Unmarshal(raw, &s) != nil {
		p.addf(path, "expected a string, got %s", kind(raw))
		return "", false
	}
	return s, true
}

// index is the path of the i-th element of the list at path.
func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }
