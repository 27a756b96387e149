package eventbridge

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// occurrence is one leaf value of an event with the array positions that
// hold it, outermost first.
type occurrence struct {
	value any
	trail []arrayPos
}

// arrayPos names an array by where it sits in the event.
type arrayPos struct {
	array string
	index int
}

func occurrences(v any, path []string, at string, trail []arrayPos, out *[]occurrence) {
	switch tv := v.(type) {
	case []any:
		for i, el := range tv {
			t := append(append([]arrayPos(nil), trail...), arrayPos{at, i})
			occurrences(el, path, fmt.Sprintf("%s[%d]", at, i), t, out)
		}
	case map[string]any:
		if len(path) > 0 {
			if next, ok := tv[path[0]]; ok {
				occurrences(next, path[1:], at+"."+path[0], trail, out)
			}
		}
	default:
		if len(path) == 0 {
			*out = append(*out, occurrence{v, trail})
		}
	}
}

func consistent(a, b []arrayPos) bool {
	for _, x := range a {
		for _, y := range b {
			if x.array == y.array && x.index != y.index {
				return false
			}
		}
	}
	return true
}

// referenceMatches is event-ruler's rule read literally: pick one matching
// value per leaf such that "any two fields" are not "within JSON objects that
// are in different elements of the same array" (README, JSON Array
// Matching), trying every choice. exists:false asks about the whole event.
func referenceMatches(conj conjunction, doc map[string]any) bool {
	var choices [][]occurrence
	for _, l := range conj {
		var values []cond
		orAbsent := false
		for _, c := range l.conds {
			if c.kind == condExists && !c.exists {
				orAbsent = true
			} else {
				values = append(values, c)
			}
		}
		var occs []occurrence
		occurrences(doc, l.path, "", nil, &occs)
		if orAbsent && len(occs) == 0 {
			continue
		}
		var ok []occurrence
		for _, o := range occs {
			if (checkLeaf{conds: values}).accepts(o.value) {
				ok = append(ok, o)
			}
		}
		if len(ok) == 0 {
			return false
		}
		choices = append(choices, ok)
	}
	var pick func(i int, chosen [][]arrayPos) bool
	pick = func(i int, chosen [][]arrayPos) bool {
		if i == len(choices) {
			return true
		}
	next:
		for _, o := range choices[i] {
			for _, c := range chosen {
				if !consistent(c, o.trail) {
					continue next
				}
			}
			if pick(i+1, append(chosen, o.trail)) {
				return true
			}
		}
		return false
	}
	return pick(0, nil)
}

var (
	genKeys    = []string{"a", "b", "c"}
	genScalars = []any{"x", "y", json.Number("1"), json.Number("2"), nil, true}
	genConds   = []string{`"x"`, `1`, `{"anything-but":"x"}`, `{"prefix":"y"}`, `{"numeric":[">",1]}`,
		`{"suffix":"x"}`, `{"exists":true}`, `{"exists":false}`}
)

func genValue(r *rand.Rand, depth int) any {
	switch n := r.IntN(10); {
	case depth == 0 || n < 3:
		return genScalars[r.IntN(len(genScalars))]
	case n < 6:
		obj := map[string]any{}
		for range 1 + r.IntN(3) {
			obj[genKeys[r.IntN(len(genKeys))]] = genValue(r, depth-1)
		}
		return obj
	default:
		arr := make([]any, r.IntN(4))
		for i := range arr {
			arr[i] = genValue(r, depth-1)
		}
		return arr
	}
}

// genConjunction returns a conjunction under "d" and, when one JSON object
// can say it (no field named twice, none both a leaf and an object), that
// pattern.
func genConjunction(r *rand.Rand) (conjunction, string) {
	var conj conjunction
	root := map[string]any{}
	expressible := true
	for range 1 + r.IntN(4) {
		path := []string{"d"}
		for range 1 + r.IntN(3) {
			path = append(path, genKeys[r.IntN(len(genKeys))])
		}
		var raws []any
		for range 1 + r.IntN(2) {
			var v any
			dec := json.NewDecoder(strings.NewReader(genConds[r.IntN(len(genConds))]))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				panic(err)
			}
			raws = append(raws, v)
		}
		conds, err := parseLeaf(raws, path)
		if err != nil {
			panic(err)
		}
		conj = append(conj, leaf{path: path, conds: conds})
		expressible = expressible && insertPath(root, path, raws)
	}
	if !expressible {
		return conj, ""
	}
	p, err := json.Marshal(root)
	if err != nil {
		panic(err)
	}
	return conj, string(p)
}

// TestConjCheckIsArrayConsistent compares conjCheck, and the Matcher around
// it, with referenceMatches on seeded random events and conjunctions: nested
// arrays, arrays of values, objects where values were expected, fields named
// twice, exists:false beside values. The Matcher is compared on the
// conjunctions it decides in Go, where quamina only pre-filters; quamina's
// own verdicts have their differences pinned in difference_test.go.
func TestConjCheckIsArrayConsistent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	matched, viaMatcher := 0, 0
	for i := range 10000 {
		conj, pattern := genConjunction(r)
		doc := map[string]any{"d": genValue(r, 4)}
		want := referenceMatches(conj, doc)
		if want {
			matched++
		}
		if got := newConjCheck(conj).matches(doc); got != want {
			event, _ := json.Marshal(doc)
			t.Fatalf("case %d: conjCheck(%v) on %s = %v, want %v", i, conj, event, got, want)
		}
		if pattern == "" {
			continue
		}
		if qp, needsGo := splitConjunction(conj); !needsGo && len(qp) > 0 {
			continue
		}
		viaMatcher++
		event, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := MatchPattern([]byte(pattern), event)
		if err != nil {
			t.Fatalf("case %d: MatchPattern(%s, %s): %v", i, pattern, event, err)
		}
		if got != want {
			t.Fatalf("case %d: MatchPattern(%s, %s) = %v, want %v", i, pattern, event, got, want)
		}
	}
	if matched < 500 || viaMatcher < 3000 {
		t.Fatalf("only %d matches and %d patterns through the Matcher: the generator proves little", matched, viaMatcher)
	}
}
