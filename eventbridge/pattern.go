package eventbridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxPatternSize is the largest event pattern, in characters, that PutRule
// accepts by default. The EventBridge quota page lists "Event pattern: 2048
// characters maximum" (awsdocs/amazon-eventbridge-user-guide,
// doc_source/eb-quota.md, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html);
// the pulumi-aws EventRule docs add that the quota "is 2048 by default but it
// is adjustable up to 4096 characters by submitting a service quota increase
// request". We check the default so a pattern that only fits a raised quota
// fails here rather than at deploy time in an account that never raised it.
const MaxPatternSize = 2048

// maxNumericMagnitude bounds the numbers a numeric filter may name. The
// content-filtering page says numeric matching "is limited to values between
// -1.0e9 and +1.0e9 inclusive, with 15 digits of precision"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html).
// The event-ruler README (the open-source matcher behind EventBridge) now says
// ±5.0e9; we keep the stricter EventBridge figure because PutRule is what our
// patterns must pass.
const maxNumericMagnitude = 1.0e9

// maxOrCombinations bounds how many plain conjunctions one pattern may expand
// to once every $or is multiplied out. EventBridge documents that a rule that is
// "too complex" is refused with InvalidEventPatternException without publishing
// the arithmetic, so this figure is ours: it keeps the offline matcher's
// quamina automaton bounded and is far above anything the detectors emit.
const maxOrCombinations = 1000

// condKind is one comparison an element of a pattern's value array performs.
type condKind int

const (
	condExact condKind = iota
	condPrefix
	condSuffix
	condEqualsIgnoreCase
	condWildcard
	condExists
	condAnythingBut
	condNumeric
	condCIDR
)

// cond is one element of a leaf's value array. The elements of an array are
// alternatives: the leaf matches when any of them matches.
type cond struct {
	kind condKind
	raw  any // the element as decoded, re-marshalled for quamina when native

	// condExact: exactly one of these describes the literal.
	str      string
	isString bool
	isNumber bool
	num      float64
	isBool   bool
	boolean  bool
	isNull   bool

	// condPrefix / condSuffix: str holds the operand.
	ignoreCase bool

	// condExists
	exists bool

	// condAnythingBut: one of the three is set.
	butStrings []string
	butNumbers []float64
	butOps     []cond // prefix, suffix, equals-ignore-case or wildcard

	// condNumeric: each bound is optional.
	lower, upper         *float64
	lowerIncl, upperIncl bool
	equal                *float64

	// condCIDR
	prefix netip.Prefix
}

// leaf is a field of a pattern whose value is an array of conditions.
type leaf struct {
	path  []string
	conds []cond
}

// conjunction is a pattern with every $or multiplied out: all its leaves must
// match.
type conjunction []leaf

// ValidatePattern reports whether EventBridge's PutRule would accept pattern,
// with an error that names the offending field. It checks the documented
// grammar: a non-empty JSON object, under MaxPatternSize characters, whose
// leaves are non-empty arrays of literals or known operators.
func ValidatePattern(pattern []byte) error {
	if _, err := parsePattern(pattern); err != nil {
		return fmt.Errorf("validating event pattern: %w", err)
	}
	return nil
}

// parsePattern validates pattern and expands it into conjunctions.
func parsePattern(pattern []byte) ([]conjunction, error) {
	if n := utf8.RuneCount(pattern); n > MaxPatternSize {
		return nil, fmt.Errorf("pattern is %d characters, over the %d-character quota", n, MaxPatternSize)
	}
	dec := json.NewDecoder(bytes.NewReader(pattern))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parsing pattern JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("parsing pattern JSON: trailing data after the object")
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("pattern must be a JSON object, got %s", jsonKind(doc))
	}
	return parseObject(obj, nil)
}

// parseObject expands one pattern object (the root, a nested field or a $or
// alternative) into the conjunctions it stands for.
func parseObject(obj map[string]any, path []string) ([]conjunction, error) {
	if len(obj) == 0 {
		if len(path) == 0 {
			return nil, errors.New("pattern must name at least one field")
		}
		return nil, fmt.Errorf("field %s: object must name at least one field", dotted(path))
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	result := []conjunction{nil}
	for _, k := range keys {
		v := obj[k]
		var alts []conjunction
		switch {
		case k == "$or":
			var err error
			if alts, err = parseOr(v, path); err != nil {
				return nil, err
			}
		default:
			fieldPath := append(append([]string(nil), path...), k)
			switch tv := v.(type) {
			case map[string]any:
				var err error
				if alts, err = parseObject(tv, fieldPath); err != nil {
					return nil, err
				}
			case []any:
				conds, err := parseLeaf(tv, fieldPath)
				if err != nil {
					return nil, err
				}
				alts = []conjunction{{leaf{path: fieldPath, conds: conds}}}
			default:
				return nil, fmt.Errorf("field %s: value must be an array or an object, got %s", dotted(fieldPath), jsonKind(v))
			}
		}
		if len(result)*len(alts) > maxOrCombinations {
			return nil, fmt.Errorf("$or expands to more than %d combinations", maxOrCombinations)
		}
		result = crossProduct(result, alts)
	}
	return result, nil
}

// parseOr reads a $or array. Event-ruler (and so EventBridge) only treats $or
// as "or" when it is an array of at least two objects; anything else it would
// read as a field literally named "$or", which is never what a pattern author
// means, so we refuse it.
func parseOr(v any, path []string) ([]conjunction, error) {
	where := dotted(append(append([]string(nil), path...), "$or"))
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("field %s: must be an array of objects, got %s", where, jsonKind(v))
	}
	if len(arr) < 2 {
		return nil, fmt.Errorf("field %s: needs at least two alternatives, got %d", where, len(arr))
	}
	var alts []conjunction
	for i, a := range arr {
		obj, ok := a.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("field %s[%d]: alternative must be an object, got %s", where, i, jsonKind(a))
		}
		sub, err := parseObject(obj, path)
		if err != nil {
			return nil, err
		}
		alts = append(alts, sub...)
		if len(alts) > maxOrCombinations {
			return nil, fmt.Errorf("$or expands to more than %d combinations", maxOrCombinations)
		}
	}
	return alts, nil
}

func crossProduct(left, right []conjunction) []conjunction {
	out := make([]conjunction, 0, len(left)*len(right))
	for _, l := range left {
		for _, r := range right {
			c := make(conjunction, 0, len(l)+len(r))
			c = append(append(c, l...), r...)
			out = append(out, c)
		}
	}
	return out
}

// parseLeaf reads a field's value array.
func parseLeaf(arr []any, path []string) ([]cond, error) {
	if len(arr) == 0 {
		return nil, fmt.Errorf("field %s: value array must not be empty", dotted(path))
	}
	conds := make([]cond, 0, len(arr))
	for i, el := range arr {
		c, err := parseCond(el)
		if err != nil {
			return nil, fmt.Errorf("field %s[%d]: %w", dotted(path), i, err)
		}
		conds = append(conds, c)
	}
	return conds, nil
}

func parseCond(el any) (cond, error) {
	switch v := el.(type) {
	case string:
		return cond{kind: condExact, raw: el, str: v, isString: true}, nil
	case json.Number:
		f, err := parseNumber(v)
		if err != nil {
			return cond{}, err
		}
		return cond{kind: condExact, raw: el, num: f, isNumber: true}, nil
	case bool:
		return cond{kind: condExact, raw: el, boolean: v, isBool: true}, nil
	case nil:
		return cond{kind: condExact, raw: el, isNull: true}, nil
	case []any:
		return cond{}, errors.New("nested arrays are not allowed in a value array")
	case map[string]any:
		return parseOperator(v)
	}
	return cond{}, fmt.Errorf("unexpected %s", jsonKind(el))
}

// parseOperator reads a {"operator": operand} element.
func parseOperator(obj map[string]any) (cond, error) {
	if len(obj) != 1 {
		return cond{}, fmt.Errorf("operator object must have exactly one key, got %d", len(obj))
	}
	for op, operand := range obj {
		c := cond{raw: obj}
		switch op {
		case "prefix", "suffix":
			c.kind = condPrefix
			if op == "suffix" {
				c.kind = condSuffix
			}
			s, ignoreCase, err := stringOrIgnoreCase(operand)
			if err != nil {
				return cond{}, fmt.Errorf("%s: %w", op, err)
			}
			c.str, c.ignoreCase = s, ignoreCase
		case "equals-ignore-case":
			s, ok := operand.(string)
			if !ok {
				return cond{}, fmt.Errorf("equals-ignore-case: operand must be a string, got %s", jsonKind(operand))
			}
			c.kind, c.str = condEqualsIgnoreCase, s
		case "wildcard":
			s, ok := operand.(string)
			if !ok {
				return cond{}, fmt.Errorf("wildcard: operand must be a string, got %s", jsonKind(operand))
			}
			if err := checkWildcard(s); err != nil {
				return cond{}, fmt.Errorf("wildcard: %w", err)
			}
			c.kind, c.str = condWildcard, s
		case "exists":
			b, ok := operand.(bool)
			if !ok {
				return cond{}, fmt.Errorf("exists: operand must be true or false, got %s", jsonKind(operand))
			}
			c.kind, c.exists = condExists, b
		case "anything-but":
			if err := parseAnythingBut(&c, operand); err != nil {
				return cond{}, fmt.Errorf("anything-but: %w", err)
			}
		case "numeric":
			if err := parseNumeric(&c, operand); err != nil {
				return cond{}, fmt.Errorf("numeric: %w", err)
			}
		case "cidr":
			s, ok := operand.(string)
			if !ok {
				return cond{}, fmt.Errorf("cidr: operand must be a string, got %s", jsonKind(operand))
			}
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return cond{}, fmt.Errorf("cidr: %w", err)
			}
			c.kind, c.prefix = condCIDR, p.Masked()
		default:
			return cond{}, fmt.Errorf("unknown operator %q", op)
		}
		return c, nil
	}
	panic("unreachable")
}

// stringOrIgnoreCase reads the operand of prefix and suffix, which is either a
// string or {"equals-ignore-case": string} (documented on the comparison
// operators page as "Begins with (ignore case)" and "Ends with (ignore case)").
func stringOrIgnoreCase(operand any) (string, bool, error) {
	switch v := operand.(type) {
	case string:
		return v, false, nil
	case map[string]any:
		if len(v) == 1 {
			if s, ok := v["equals-ignore-case"].(string); ok {
				return s, true, nil
			}
		}
	}
	return "", false, fmt.Errorf(`operand must be a string or {"equals-ignore-case": string}, got %s`, jsonKind(operand))
}

// parseAnythingBut reads the forms documented on the content-filtering and
// comparison-operators pages: a string, a number, a list of only strings or
// only numbers, or {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": ...}.
func parseAnythingBut(c *cond, operand any) error {
	c.kind = condAnythingBut
	switch v := operand.(type) {
	case string:
		c.butStrings = []string{v}
	case json.Number:
		f, err := parseNumber(v)
		if err != nil {
			return err
		}
		c.butNumbers = []float64{f}
	case []any:
		if len(v) == 0 {
			return errors.New("list must not be empty")
		}
		for _, el := range v {
			switch ev := el.(type) {
			case string:
				c.butStrings = append(c.butStrings, ev)
			case json.Number:
				f, err := parseNumber(ev)
				if err != nil {
					return err
				}
				c.butNumbers = append(c.butNumbers, f)
			default:
				return fmt.Errorf("list may hold only strings or only numbers, got %s", jsonKind(el))
			}
		}
		if len(c.butStrings) > 0 && len(c.butNumbers) > 0 {
			return errors.New("list may hold only strings or only numbers, not both")
		}
	case map[string]any:
		if len(v) != 1 {
			return fmt.Errorf("nested operator object must have exactly one key, got %d", len(v))
		}
		for op, inner := range v {
			var kind condKind
			switch op {
			case "prefix":
				kind = condPrefix
			case "suffix":
				kind = condSuffix
			case "equals-ignore-case":
				kind = condEqualsIgnoreCase
			case "wildcard":
				kind = condWildcard
			default:
				return fmt.Errorf("unsupported nested operator %q", op)
			}
			var operands []string
			switch iv := inner.(type) {
			case string:
				operands = []string{iv}
			case []any:
				if len(iv) == 0 {
					return fmt.Errorf("%s: list must not be empty", op)
				}
				for _, el := range iv {
					s, ok := el.(string)
					if !ok {
						return fmt.Errorf("%s: list may hold only strings, got %s", op, jsonKind(el))
					}
					operands = append(operands, s)
				}
			default:
				return fmt.Errorf("%s: operand must be a string or a list of strings, got %s", op, jsonKind(inner))
			}
			for _, s := range operands {
				if kind == condWildcard {
					if err := checkWildcard(s); err != nil {
						return fmt.Errorf("wildcard: %w", err)
					}
				}
				c.butOps = append(c.butOps, cond{kind: kind, str: s})
			}
		}
	default:
		return fmt.Errorf("operand must be a string, number, list or operator object, got %s", jsonKind(operand))
	}
	return nil
}

// parseNumeric reads ["op", n] or ["op", n, "op", m] with one lower and one
// upper bound, as documented: [">", 0, "<=", 5], ["<", 10], ["=", 3.018e2].
func parseNumeric(c *cond, operand any) error {
	c.kind = condNumeric
	arr, ok := operand.([]any)
	if !ok || (len(arr) != 2 && len(arr) != 4) {
		return errors.New(`operand must be ["op", number] or ["op", number, "op", number]`)
	}
	for i := 0; i < len(arr); i += 2 {
		op, ok := arr[i].(string)
		if !ok {
			return fmt.Errorf("element %d must be a comparison operator, got %s", i, jsonKind(arr[i]))
		}
		n, ok := arr[i+1].(json.Number)
		if !ok {
			return fmt.Errorf("element %d must be a number, got %s", i+1, jsonKind(arr[i+1]))
		}
		f, err := parseNumber(n)
		if err != nil {
			return err
		}
		switch op {
		case "=":
			if len(arr) != 2 {
				return errors.New(`"=" cannot be combined with another bound`)
			}
			c.equal = &f
		case ">", ">=":
			if c.lower != nil {
				return errors.New("two lower bounds")
			}
			c.lower, c.lowerIncl = &f, op == ">="
		case "<", "<=":
			if c.upper != nil {
				return errors.New("two upper bounds")
			}
			c.upper, c.upperIncl = &f, op == "<="
		default:
			return fmt.Errorf("unknown comparison %q, want one of = < <= > >=", op)
		}
	}
	if c.lower != nil && c.upper != nil && *c.lower >= *c.upper {
		return fmt.Errorf("lower bound %v must be below upper bound %v", *c.lower, *c.upper)
	}
	return nil
}

// parseNumber checks a pattern number against the documented numeric range.
func parseNumber(n json.Number) (float64, error) {
	f, err := n.Float64()
	if err != nil {
		return 0, fmt.Errorf("bad number %s: %w", n, err)
	}
	if f < -maxNumericMagnitude || f > maxNumericMagnitude {
		return 0, fmt.Errorf("number %s is outside the supported range -1.0e9..1.0e9", n)
	}
	return f, nil
}

// checkWildcard applies the event-ruler wildcard rules: consecutive '*' are not
// allowed and a backslash may only escape '*' or '\'.
func checkWildcard(s string) error {
	prevStar := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*':
			if prevStar {
				return fmt.Errorf("%q has consecutive '*'", s)
			}
			prevStar = true
			continue
		case '\\':
			if i+1 >= len(s) || (s[i+1] != '*' && s[i+1] != '\\') {
				return fmt.Errorf(`%q: a backslash may only escape '*' or '\'`, s)
			}
			i++
		}
		prevStar = false
	}
	return nil
}

func dotted(path []string) string { return strings.Join(path, ".") }

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
