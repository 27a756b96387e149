package preview

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
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
	// Config maps full keys ("secalerts:hub") to values; structured values
	// are JSON, as the CLI passes them.
	Config map[string]string
	// SecretKeys are the keys whose value is, or contains, a secret.
	SecretKeys []string
}

// Get returns the value of a full config key, as the Pulumi engine hands it
// to the program.
func (s Stack) Get(key string) (string, bool) {
	v, ok := s.Config[key]
	return v, ok
}

// IsSecret reports whether the key's value is, or contains, a secret.
func (s Stack) IsSecret(key string) bool { return slices.Contains(s.SecretKeys, key) }

// LoadStackFile reads Pulumi.<stack>.yaml and the Pulumi.yaml beside it.
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
		Config map[string]yaml.Node `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return Stack{}, fmt.Errorf("parsing stack file %s: %w", path, err)
	}
	st := Stack{Project: project, Name: name, Config: map[string]string{}}
	keys := make([]string, 0, len(file.Config))
	for k := range file.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		node := file.Config[k]
		full := k
		if !strings.Contains(k, ":") {
			full = project + ":" + k
		}
		v, secret, err := decode(&node)
		if err != nil {
			return Stack{}, fmt.Errorf("reading %s in %s: %w", full, path, err)
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
		if secret {
			st.SecretKeys = append(st.SecretKeys, full)
		}
	}
	return st, nil
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

// decode turns a YAML node into plain values, replacing {secure: ...} with
// SecretPlaceholder and reporting whether it met one. Scalars keep the
// string form the CLI would pass (true, 30), as Pulumi does for top-level
// values; inside objects they keep their YAML type.
func decode(n *yaml.Node) (any, bool, error) {
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "secure" {
		return SecretPlaceholder, true, nil
	}
	if n.Kind == yaml.ScalarNode {
		return n.Value, false, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, false, err
	}
	return replaceSecure(v)
}

func replaceSecure(v any) (any, bool, error) {
	switch t := v.(type) {
	case map[string]any:
		if s, ok := t["secure"]; ok && len(t) == 1 {
			if _, isStr := s.(string); isStr {
				return SecretPlaceholder, true, nil
			}
		}
		secret := false
		for k, e := range t {
			r, s, err := replaceSecure(e)
			if err != nil {
				return nil, false, err
			}
			t[k], secret = r, secret || s
		}
		return t, secret, nil
	case []any:
		secret := false
		for i, e := range t {
			r, s, err := replaceSecure(e)
			if err != nil {
				return nil, false, err
			}
			t[i], secret = r, secret || s
		}
		return t, secret, nil
	}
	return v, false, nil
}
