package preview

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteTree prints resources as an indented tree, parents first, like the
// resource list of `pulumi preview`.
func WriteTree(w io.Writer, st Stack, resources []Resource) error {
	// Counted as pulumi preview counts them: the stack itself included.
	if _, err := fmt.Fprintf(w, "Previewing stack %s (offline, %d resources)\n\n  + pulumi:pulumi:Stack %s-%s\n",
		st.Name, len(resources)+1, st.Project, st.Name); err != nil {
		return err
	}
	for _, n := range treeOrder(resources) {
		line := fmt.Sprintf("%s+ %s %s", strings.Repeat("  ", n.depth+2), n.Type, n.Name)
		if n.Region != "" {
			line += "  [" + n.Region + "]"
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "\nResources:\n    + %d to create\n", len(resources)+1)
	return err
}

// node is a resource at its depth below the stack.
type node struct {
	Resource
	depth int
}

// treeOrder lists resources parents first, each parent's children sorted.
// The engine registers resources concurrently, so registration order
// changes from run to run; this order does not.
func treeOrder(resources []Resource) []node {
	children := map[string][]Resource{}
	known := map[string]bool{}
	for _, r := range resources {
		known[r.URN] = true
	}
	var roots []Resource
	for _, r := range resources {
		if r.Parent == "" || !known[r.Parent] {
			roots = append(roots, r)
		} else {
			children[r.Parent] = append(children[r.Parent], r)
		}
	}
	var out []node
	var walk func(rs []Resource, depth int)
	walk = func(rs []Resource, depth int) {
		// Siblings can share a name (a Chatbot configuration and the rule
		// watching it),
		// so the type and URN break ties.
		sort.Slice(rs, func(i, j int) bool {
			a, b := rs[i], rs[j]
			if a.Name != b.Name {
				return a.Name < b.Name
			}
			if a.Type != b.Type {
				return a.Type < b.Type
			}
			return a.URN < b.URN
		})
		for _, r := range rs {
			out = append(out, node{Resource: r, depth: depth})
			walk(children[r.URN], depth+1)
		}
	}
	walk(roots, 0)
	return out
}

// Step is one entry of the steps list of `pulumi preview --json`.
type Step struct {
	Op       string `json:"op"`
	URN      string `json:"urn"`
	Provider string `json:"provider,omitempty"`
	NewState State  `json:"newState"`
}

// State is the part of a step's newState that checks read.
type State struct {
	URN    string         `json:"urn"`
	Custom bool           `json:"custom"`
	Type   string         `json:"type"`
	Inputs map[string]any `json:"inputs"`
	Parent string         `json:"parent,omitempty"`
}

// WriteJSON prints the resources in the shape of `pulumi preview --json`:
// {"steps": [...], "changeSummary": {"create": N}}, the stack first, then
// every resource parents first in a stable order. Secret inputs are masked
// as the CLI masks them.
func WriteJSON(w io.Writer, st Stack, resources []Resource) error {
	root := fmt.Sprintf("urn:pulumi:%s::%s::pulumi:pulumi:Stack::%s-%s", st.Name, st.Project, st.Project, st.Name)
	steps := []Step{{Op: "create", URN: root, NewState: State{URN: root, Type: "pulumi:pulumi:Stack", Inputs: map[string]any{}}}}
	for _, n := range treeOrder(resources) {
		r := n.Resource
		inputs := map[string]any{}
		for k, v := range r.Inputs {
			inputs[k] = v
		}
		for _, k := range r.SecretInputs {
			inputs[k] = "[secret]"
		}
		parent := r.Parent
		if parent == "" {
			parent = root
		}
		steps = append(steps, Step{Op: "create", URN: r.URN, Provider: r.Provider,
			NewState: State{URN: r.URN, Custom: r.Custom, Type: r.Type, Inputs: inputs, Parent: parent}})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"steps": steps, "changeSummary": map[string]int{"create": len(steps)}})
}
