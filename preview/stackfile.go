package preview

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"secalerts/config"
)

// SecretPlaceholder stands in for a value stored encrypted (secure:) in a
// stack file: offline there is no key to decrypt it. It is an HTTPS URL
// because secalerts only keeps webhook URLs as secrets; the real value is
// checked by `pulumi preview`.
const SecretPlaceholder = "https://secret.invalid/offline-preview"

// Stack is a stack's name and configuration as the Pulumi CLI would hand it
// to the program.
type Stack struct {
	Project string
	Name    string
	// Dir holds the stack file and the project's Pulumi.yaml: the
	// project's root directory.
	Dir string
	// Config maps full keys ("secalerts:hub") to values; structured values
	// are JSON, as the CLI passes them.
	Config map[string]string
	// SecretKeys are the keys whose value is, or contains, a secret;
	// SecretPaths are the full paths of the secret values themselves.
	SecretKeys  []string
	SecretPaths []string
}

// Get returns the value of a full config key, as the Pulumi engine hands it
// to the program.
func (s Stack) Get(key string) (string, bool) {
	v, ok := s.Config[key]
	return v, ok
}

// Secret reports whether the value at path is a secret.
func (s Stack) Secret(path string) bool { return slices.Contains(s.SecretPaths, path) }

// Holds reports whether the stack file sets the value at path
// ("secalerts:hub.customers[0].webhooks[0].url"), secret or not.
func (s Stack) Holds(path string) bool {
	key, rest, _ := strings.Cut(path, ".")
	if i := strings.IndexByte(key, '['); i >= 0 {
		key, rest = key[:i], key[i:]+"."+rest
	}
	raw, ok := s.Config[key]
	if !ok {
		return false
	}
	var v any
	if rest == "" {
		return true
	}
	if json.Unmarshal([]byte(raw), &v) != nil {
		return false
	}
	for _, part := range strings.FieldsFunc(rest, func(r rune) bool { return r == '.' || r == '[' }) {
		if n, isIndex := strings.CutSuffix(part, "]"); isIndex {
			list, _ := v.([]any)
			i, err := strconv.Atoi(n)
			if err != nil || i < 0 || i >= len(list) {
				return false
			}
			v = list[i]
			continue
		}
		m, _ := v.(map[string]any)
		if v, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// Keys lists the stack's keys: a stack file's are all known.
func (s Stack) Keys() ([]string, bool) { return slices.Sorted(maps.Keys(s.Config)), true }

// LoadStackFile reads Pulumi.<stack>.yaml and the Pulumi.yaml beside it,
// and checks what the file itself can tell before the program reads any
// value: its YAML, its keys (config.CheckStack), and numbers whose digits
// YAML would change. Every problem is reported at once, each on one line
// naming the file and, where the file has one, the line.
func LoadStackFile(path string) (Stack, error) {
	base := filepath.Base(path)
	if !strings.HasPrefix(base, "Pulumi.") || !(strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")) {
		return Stack{}, fmt.Errorf("reading stack file %s: the name must be Pulumi.<stack>.yaml", path)
	}
	name := strings.TrimPrefix(base, "Pulumi.")
	name = strings.TrimSuffix(name, filepath.Ext(name))
	// Pulumi.yaml is the project file, and Pulumi..yaml names no stack.
	if base == "Pulumi.yaml" || base == "Pulumi.yml" || name == "" {
		return Stack{}, fmt.Errorf("reading stack file %s: the name must be Pulumi.<stack>.yaml, with a stack name", path)
	}
	project, err := projectName(filepath.Join(filepath.Dir(path), "Pulumi.yaml"))
	if err != nil {
		return Stack{}, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Stack{}, fmt.Errorf("reading stack file: %w", err)
	}
	var file struct {
		Config yaml.Node `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return Stack{}, yamlError(path, data, err)
	}
	root := &file.Config
	if root.Kind != 0 && root.Kind != yaml.MappingNode && root.ShortTag() != "!!null" {
		return Stack{}, fmt.Errorf("%s:%d: config: expected the stack's keys and their values, got %s", path, root.Line, nodeKind(root))
	}
	st := Stack{Project: project, Name: name, Dir: filepath.Dir(path), Config: map[string]string{}}
	var (
		errs  []error
		keys  []string
		lines = map[string]int{} // the line of each key
	)
	for i := 0; i+1 < len(root.Content); i += 2 {
		keyNode, node := root.Content[i], root.Content[i+1]
		full := keyNode.Value
		if !strings.Contains(full, ":") {
			full = project + ":" + full
		}
		if first, dup := lines[full]; dup {
			errs = append(errs, fmt.Errorf("%s:%d: %s is set twice (first on line %d)", path, keyNode.Line, config.ShowKey(full), first))
			continue
		}
		lines[full] = keyNode.Line
		keys = append(keys, full)
		if node.Kind != yaml.ScalarNode {
			errs = append(errs, unquotedNumbers(path, full, node)...)
		}
		v, secrets, err := decode(full, node)
		if err != nil {
			if errors.As(err, new(*yaml.TypeError)) {
				err = yamlError(path, data, err)
			} else {
				err = fmt.Errorf("%s:%d: reading %s: %w", path, node.Line, config.ShowKey(full), err)
			}
			errs = append(errs, err)
			continue
		}
		if s, ok := v.(string); ok {
			st.Config[full] = s
		} else {
			b, err := json.Marshal(v)
			if err != nil {
				return Stack{}, fmt.Errorf("encoding %s in %s: %w", full, path, err)
			}
			st.Config[full] = string(b)
		}
		if len(secrets) > 0 {
			st.SecretKeys = append(st.SecretKeys, full)
			st.SecretPaths = append(st.SecretPaths, secrets...)
		}
	}
	for _, e := range joined(config.CheckStack(keys, true, st.Get)) {
		var ke *config.KeyError
		if errors.As(e, &ke) && lines[ke.Key] > 0 {
			errs = append(errs, fmt.Errorf("%s:%d: %w", path, lines[ke.Key], e))
		} else {
			errs = append(errs, fmt.Errorf("%s: %w", path, e))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Stack{}, err
	}
	return st, nil
}

// joined lists the errors err joins.
func joined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, joined(e)...)
		}
		return out
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// unquotedNumbers finds the unquoted numbers under node, at config key path
// path of the stack file file, whose digits YAML changes: 011111111111 is read as the octal number
// 1227133513, 012345678912 as 12345678912. The Pulumi CLI passes the
// program only the number; here the text as written is still at hand, so
// the error can say what to quote. Top-level scalars are not numbers: the
// CLI passes them as written.
func unquotedNumbers(file, path string, node *yaml.Node) []error {
	var errs []error
	switch node.Kind {
	case yaml.MappingNode:
		if isSecure(node) {
			return nil
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			errs = append(errs, unquotedNumbers(file, path+"."+node.Content[i].Value, node.Content[i+1])...)
		}
	case yaml.SequenceNode:
		for i, item := range node.Content {
			errs = append(errs, unquotedNumbers(file, fmt.Sprintf("%s[%d]", path, i), item)...)
		}
	case yaml.ScalarNode:
		tag := node.ShortTag()
		if node.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 ||
			(tag != "!!int" && tag != "!!float") || !changesDigits(node.Value) {
			return nil
		}
		var v any
		if err := node.Decode(&v); err != nil {
			return nil
		}
		read := fmt.Sprint(v)
		if f, ok := v.(float64); ok {
			read = strconv.FormatFloat(f, 'f', -1, 64)
		}
		errs = append(errs, fmt.Errorf("%s:%d: %w", file, node.Line, config.UnquotedNumber(path, node.Value, read)))
	}
	return errs
}

// changesDigits reports whether a number's text has digits YAML does not
// keep: a leading zero before more digits, or a 0x or 0o prefix.
func changesDigits(text string) bool {
	t := strings.TrimLeft(text, "+-")
	return len(t) > 1 && t[0] == '0' && strings.ContainsRune("0123456789xXoO", rune(t[1]))
}

// yamlSyntaxLine is how yaml.v3 starts a syntax error's message.
var yamlSyntaxLine = regexp.MustCompile(`^yaml: (line \d+: )?`)

// yamlError reports a YAML error of the stack file at path, holding data,
// on the line at fault. A type error (a key twice in one object) has its
// lines right, one per problem. A syntax error does not: yaml.v3 (v3.0.1,
// (*parser).fail) prints the parser's context mark when it has one, the
// start of the block the error is in, counted from zero, rather than the
// problem's own mark. An indentation slip in a list nested in
// secalerts:hub is so reported at "line 1", the block of config: starting
// on line 2. The line at fault is the first line whose part of the file,
// up to and including it, fails with the same problem.
func yamlError(path string, data []byte, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var errs []error
		for _, e := range te.Errors {
			if m := typeErrorLine.FindStringSubmatch(e); m != nil {
				errs = append(errs, fmt.Errorf("%s:%s: %s", path, m[1], m[2]))
			} else {
				errs = append(errs, fmt.Errorf("%s: %s", path, e))
			}
		}
		return errors.Join(errs...)
	}
	problem := yamlSyntaxLine.ReplaceAllString(err.Error(), "")
	lines := strings.SplitAfter(string(data), "\n")
	for n := 1; n <= len(lines); n++ {
		var probe yaml.Node
		if e := yaml.Unmarshal([]byte(strings.Join(lines[:n], "")), &probe); e != nil && yamlSyntaxLine.ReplaceAllString(e.Error(), "") == problem {
			return fmt.Errorf("%s:%d: invalid YAML: %s%s", path, n, problem, syntaxHint(lines[n-1], n, problem))
		}
	}
	return fmt.Errorf("%s: invalid YAML: %s", path, problem)
}

// typeErrorLine splits one of yaml.TypeError's errors.
var typeErrorLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// syntaxHint says what is most likely wrong with line n (its text), where
// YAML found problem.
func syntaxHint(line string, n int, problem string) string {
	indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
	switch {
	case strings.Contains(indent, "\t"):
		return fmt.Sprintf(" (line %d is indented with a tab: YAML indents with spaces only)", n)
	case strings.HasPrefix(problem, "did not find expected") || strings.HasSuffix(problem, "not allowed in this context"):
		return fmt.Sprintf(" (check the indentation of line %d: the keys of one object, and the items of one list, start in the same column)", n)
	}
	return ""
}

// nodeKind names a YAML node's kind for messages.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "an object"
	}
	return "a single value"
}

func projectName(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the project file next to the stack file: %w", err)
	}
	var p struct {
		Name string `yaml:"name"`
	}
	if err := yaml.Unmarshal(data, &p); err != nil {
		return "", fmt.Errorf("reading the project name from %s: %w", path, err)
	}
	if p.Name == "" {
		return "", fmt.Errorf("reading the project name from %s: it has no name", path)
	}
	return p.Name, nil
}

// decode turns the YAML node of key into plain values, replacing {secure:
// ...} with SecretPlaceholder, and returns the full paths of the values it
// replaced ("secalerts:hub.customers[0].webhooks[0].url"). Scalars keep the
// string form the CLI would pass (true, 30), as Pulumi does for top-level
// values; inside objects they keep their YAML type.
func decode(key string, n *yaml.Node) (any, []string, error) {
	if isSecure(n) {
		return SecretPlaceholder, []string{key}, nil
	}
	if n.Kind == yaml.ScalarNode {
		return n.Value, nil, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, nil, err
	}
	var secrets []string
	return replaceSecure(key, v, &secrets), secrets, nil
}

// isSecure reports whether n is {secure: <ciphertext>}, a value the CLI
// decrypts.
func isSecure(n *yaml.Node) bool {
	return n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "secure"
}

func replaceSecure(path string, v any, secrets *[]string) any {
	switch t := v.(type) {
	case map[string]any:
		if s, ok := t["secure"]; ok && len(t) == 1 {
			if _, isStr := s.(string); isStr {
				*secrets = append(*secrets, path)
				return SecretPlaceholder
			}
		}
		for k, e := range t {
			t[k] = replaceSecure(path+"."+k, e, secrets)
		}
	case []any:
		for i, e := range t {
			t[i] = replaceSecure(fmt.Sprintf("%s[%d]", path, i), e, secrets)
		}
	}
	return v
}
