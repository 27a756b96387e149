package eventbridge

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// InputTransformer is an EventBridge target's input transformer: the
// InputPathsMap and InputTemplate that turn an event into the text a target
// receives.
type InputTransformer struct {
	// Paths maps placeholder names to JSONPaths into the event.
	Paths map[string]string
	// Template is the input template with <name> placeholders.
	Template string
}

// RuleInfo carries what the reserved template variables need from the rule
// and the delivery: aws.events.rule-name, aws.events.rule-arn and
// aws.events.event.ingestion-time.
type RuleInfo struct {
	Name, ARN     string
	IngestionTime time.Time
}

// Limits and names from the InputTransformer API reference
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html):
// "Map Entries: Maximum number of 100 items", "Key Length Constraints: Minimum
// length of 1. Maximum length of 256", "Key Pattern: [A-Za-z0-9\_\-]+", "The
// keys cannot start with 'AWS.'", and for InputTemplate "Minimum length of 1.
// Maximum length of 8192".
const (
	maxTransformerPaths  = 100
	maxPathKeyLength     = 256
	maxInputTemplateSize = 8192
)

var pathKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Reserved variables, from "Predefined variables" on
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html:
// they need no JSONPath, and "you can't create variables with these names".
const (
	varRuleARN       = "aws.events.rule-arn"
	varRuleName      = "aws.events.rule-name"
	varIngestionTime = "aws.events.event.ingestion-time"
	varEvent         = "aws.events.event"
	varEventJSON     = "aws.events.event.json"
)

func isReserved(name string) bool {
	switch name {
	case varRuleARN, varRuleName, varIngestionTime, varEvent, varEventJSON:
		return true
	}
	return false
}

// Validate reports what PutTargets would refuse in the transformer, and the
// template mistakes that would make Render's output unusable.
func (t InputTransformer) Validate() error {
	if len(t.Paths) > maxTransformerPaths {
		return fmt.Errorf("validating input transformer: %d input paths, over the limit of %d", len(t.Paths), maxTransformerPaths)
	}
	for name, path := range t.Paths {
		switch {
		case isReserved(name):
			return fmt.Errorf("validating input transformer: input path name %q is a reserved variable", name)
		case strings.HasPrefix(strings.ToLower(name), "aws."):
			return fmt.Errorf(`validating input transformer: input path name %q must not start with "AWS."`, name)
		case len(name) == 0 || len(name) > maxPathKeyLength:
			return fmt.Errorf("validating input transformer: input path name %q must be 1 to %d characters", name, maxPathKeyLength)
		case !pathKeyPattern.MatchString(name):
			return fmt.Errorf("validating input transformer: input path name %q may only contain letters, digits, '_' and '-'", name)
		}
		if _, err := parseJSONPath(path); err != nil {
			return fmt.Errorf("validating input transformer: input path %q: %w", name, err)
		}
	}
	if n := utf8.RuneCountInString(t.Template); n == 0 || n > maxInputTemplateSize {
		return fmt.Errorf("validating input transformer: template is %d characters, want 1 to %d", n, maxInputTemplateSize)
	}
	for _, p := range scanTemplate(t.Template, t.defined) {
		// aws.events.event and aws.events.event.json "can only be used as the
		// value of a JSON field, as its contents are not escaped" (predefined
		// variables, eb-transform-target-input).
		if p.inString && (p.name == varEvent || p.name == varEventJSON) {
			return fmt.Errorf("validating input transformer: <%s> can only be a JSON field value, not part of a string", p.name)
		}
		// "If InputTemplate is a JSON object (surrounded by curly braces) ...
		// the placeholder cannot be used as an object key" (API reference).
		if p.isKey {
			return fmt.Errorf("validating input transformer: placeholder <%s> is used as an object key", p.name)
		}
	}
	return nil
}

// defined reports whether a <name> in the template is a variable rather than
// literal text.
func (t InputTransformer) defined(name string) bool {
	if isReserved(name) {
		return true
	}
	_, ok := t.Paths[name]
	return ok
}

// placeholder is one <name> occurrence in a template.
type placeholder struct {
	name       string
	start, end int // byte offsets of '<' and one past '>'
	inString   bool
	isKey      bool
}

// scanTemplate finds the placeholders of defined variables and whether each
// sits inside a JSON string literal of the template. Text in angle brackets
// that names no variable is left alone: templates may carry HTML or '<'
// characters, and the docs say "<" and ">" "can't be escaped".
func scanTemplate(tmpl string, defined func(string) bool) []placeholder {
	var out []placeholder
	inString, escaped := false, false
	isObject := strings.HasPrefix(strings.TrimSpace(tmpl), "{")
	for i := 0; i < len(tmpl); i++ {
		ch := tmpl[i]
		if inString {
			switch {
			case escaped:
				escaped = false
				continue
			case ch == '\\':
				escaped = true
				continue
			case ch == '"':
				inString = false
				continue
			}
		} else if ch == '"' {
			inString = true
			continue
		}
		if ch != '<' {
			continue
		}
		end := strings.IndexByte(tmpl[i+1:], '>')
		if end < 0 {
			continue
		}
		name := tmpl[i+1 : i+1+end]
		if !defined(name) {
			continue
		}
		p := placeholder{name: name, start: i, end: i + end + 2, inString: inString}
		if isObject && !inString {
			rest := strings.TrimLeft(tmpl[p.end:], " \t\r\n")
			p.isKey = strings.HasPrefix(rest, ":")
		}
		out = append(out, p)
		i = p.end - 1
	}
	return out
}
