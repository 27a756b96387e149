package eventbridge

// conjCheck decides one conjunction in Go, for the conjunctions quamina cannot
// decide alone. It is array-consistent, as EventBridge is: event-ruler, the
// open-source matcher behind EventBridge, "will refuse to recognize any match
// in which any two fields are within JSON objects that are in different
// elements of the same array" (event-ruler README, JSON Array Matching). So a
// Security Hub event whose first finding is LOW and unresolved and whose
// second is HIGH and resolved does not match a pattern for HIGH unresolved
// findings, although each condition holds in some finding.
//
// Every leaf of the conjunction is checked, the ones quamina also indexes
// included: quamina's match says that some element satisfies the leaves it
// indexes, not which one, and the other leaves must hold in that element.
//
// An array of scalars at a leaf still matches when any element does ("if
// the value in the event is an array, then the event pattern matches if the
// intersection of the event pattern array and the event array is non-empty",
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html);
// that is the same rule seen from the leaf, whose value is the element.
// Leaves on one path (a field named twice through $or) all hold on the same
// element.
//
// exists:false is not tied to an element: it holds when the field is absent
// from the whole event. That is how EventBridge documents it ("matches any
// event that does not have a detail.c-count field", content-filtering page)
// and how quamina's native exists:false, which decides the conjunctions
// without Go leaves, checks it (core_matcher.go checkExistsFalse looks at
// every field of the event). Event-ruler visits a rule's fields in sorted
// order of their dotted names (GenericMachine.addPatternRule) and looks for
// an absent field only among the event fields consistent with the array
// positions the fields before it have fixed (ACFinder,
// NameState.getNameTransitions). It agrees with us when the exists:false
// field sorts before the pattern's other fields under the same array, as
// Compliance.Status does in the Security Hub pattern; when one of them sorts
// first, it checks absence only in that field's element (its
// ACMachineTest.testACWithExistFalseRule). We do not, so that a pattern's
// verdict does not depend on whether another of its fields is one quamina
// can index; TestEventBridgeDifference_ExistsFalseAfterArraySibling pins it.
type conjCheck struct {
	// absent holds the paths of the leaves that are only exists:false.
	absent [][]string
	// tree holds every other leaf, nil when there is none.
	tree *fieldNode
	// orAbsent lists the leaves that mix exists:false with other
	// conditions; such a leaf holds outright when its field is absent.
	orAbsent []pathLeaf
	nleaves  int
}

// fieldNode is the part of a conjunction at one path: the leaves that end
// there and the fields below it.
type fieldNode struct {
	key      string
	leaves   []checkLeaf
	children []*fieldNode
	// ids lists every leaf at or below the node.
	ids []int
}

// checkLeaf is a leaf with its exists:false condition, if any, taken out.
type checkLeaf struct {
	id    int
	conds []cond
}

type pathLeaf struct {
	id   int
	path []string
}

func newConjCheck(conj conjunction) *conjCheck {
	c := &conjCheck{}
	root := &fieldNode{}
	for _, l := range conj {
		var values []cond
		orAbsent := false
		for _, cd := range l.conds {
			if cd.kind == condExists && !cd.exists {
				orAbsent = true
				continue
			}
			values = append(values, cd)
		}
		if len(values) == 0 {
			c.absent = append(c.absent, l.path)
			continue
		}
		id := c.nleaves
		c.nleaves++
		if orAbsent {
			c.orAbsent = append(c.orAbsent, pathLeaf{id: id, path: l.path})
		}
		root.add(l.path, checkLeaf{id: id, conds: values})
	}
	if c.nleaves > 0 {
		c.tree = root
	}
	return c
}

func (n *fieldNode) add(path []string, l checkLeaf) {
	n.ids = append(n.ids, l.id)
	if len(path) == 0 {
		n.leaves = append(n.leaves, l)
		return
	}
	for _, ch := range n.children {
		if ch.key == path[0] {
			ch.add(path[1:], l)
			return
		}
	}
	ch := &fieldNode{key: path[0]}
	n.children = append(n.children, ch)
	ch.add(path[1:], l)
}

// matches reports whether doc satisfies every leaf of the conjunction.
func (c *conjCheck) matches(doc map[string]any) bool {
	for _, p := range c.absent {
		if hasLeafValue(doc, p) {
			return false
		}
	}
	if c.tree == nil {
		return true
	}
	// done marks the leaves already satisfied by their field's absence;
	// nil when the conjunction has none that can be.
	var done []bool
	if len(c.orAbsent) > 0 {
		done = make([]bool, c.nleaves)
		for _, l := range c.orAbsent {
			done[l.id] = !hasLeafValue(doc, l.path)
		}
	}
	return c.tree.match(doc, true, done)
}

// match reports whether v, the event's value at the node's path (present
// false when there is none), satisfies the leaves at and below the node.
func (n *fieldNode) match(v any, present bool, done []bool) bool {
	if !present {
		return n.allDone(done)
	}
	switch tv := v.(type) {
	case []any:
		// One element must satisfy everything below: this is where array
		// consistency comes from. Nested arrays recurse, so an element of
		// an inner array is chosen inside the chosen outer element.
		for _, el := range tv {
			if n.match(el, true, done) {
				return true
			}
		}
		// An empty array holds no value, like an absent field.
		return len(tv) == 0 && n.allDone(done)
	case map[string]any:
		// Objects are not leaf values: exists "only works on leaf nodes"
		// (content-filtering page).
		for _, l := range n.leaves {
			if !isDone(done, l.id) {
				return false
			}
		}
		for _, ch := range n.children {
			cv, ok := tv[ch.key]
			if !ch.match(cv, ok, done) {
				return false
			}
		}
		return true
	default:
		for _, l := range n.leaves {
			if !isDone(done, l.id) && !l.accepts(tv) {
				return false
			}
		}
		for _, ch := range n.children {
			if !ch.allDone(done) {
				return false
			}
		}
		return true
	}
}

func (n *fieldNode) allDone(done []bool) bool {
	for _, id := range n.ids {
		if !isDone(done, id) {
			return false
		}
	}
	return true
}

func isDone(done []bool, id int) bool { return done != nil && done[id] }

// accepts reports whether the leaf value v satisfies one of the leaf's
// conditions.
func (l checkLeaf) accepts(v any) bool {
	for _, c := range l.conds {
		if c.kind == condExists || c.matchValue(v) {
			// Only exists:true is left here, and any leaf value,
			// null included, is one.
			return true
		}
	}
	return false
}

// hasLeafValue reports whether leafValues(v, path) would be non-empty,
// without collecting the values.
func hasLeafValue(v any, path []string) bool {
	switch tv := v.(type) {
	case []any:
		for _, el := range tv {
			if hasLeafValue(el, path) {
				return true
			}
		}
		return false
	case map[string]any:
		if len(path) == 0 {
			return false
		}
		next, ok := tv[path[0]]
		return ok && hasLeafValue(next, path[1:])
	default:
		return len(path) == 0
	}
}
