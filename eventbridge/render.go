package eventbridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Render produces the text EventBridge hands the target for event. It follows
// the input-transformation docs
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html,
// "Input transform examples" and "Common issues with transforming input"):
//
//   - A placeholder outside a JSON string is replaced by the value as JSON:
//     strings get quotes ({"state": <state>} gives {"state": "RUNNING"}),
//     objects and arrays are inserted as JSON ("originalEvent": <aws.events.event>).
//   - A placeholder inside a JSON string is replaced by the value's text,
//     escaped so the string stays valid JSON: EventBridge "replaces input
//     transformers at runtime to ensure valid JSON output", so quote marks and
//     newlines in, say, a Security Hub title arrive as \" and \n.
//   - An object or array referenced inside a string loses its inner quotes:
//     "Detail is <detail>" gives "Detail is {key1: value1}". This is from the
//     current "Common issues" list as we remember it; the stored copies we
//     could read did not include that item, so treat it as the least certain
//     rule here.
//   - "If you specify a variable to match a JSON path that doesn't exist in the
//     event, that variable isn't created and won't appear in the output": the
//     placeholder is replaced by nothing.
//   - A plain-text template is a quoted string and is delivered with its
//     quotes: the tutorial's template "This event was <type>." reaches SNS as
//     "This event was of customerCreated type." (eb-input-transformer-tutorial).
//     A line break written in the template stays a line break; a newline inside
//     a value is written as \n because the value sits inside a JSON string.
//   - "The JSON that is passed to the target is minified and escaped" (Common
//     issues, awsdocs/amazon-eventbridge-user-guide
//     doc_source/eb-transform-target-input.md): when the template is a JSON
//     object or array and the result is valid JSON, it is compacted.
//
// Text in angle brackets that names no variable is kept verbatim.
func (t InputTransformer) Render(event []byte, rule RuleInfo) (string, error) {
	if err := t.Validate(); err != nil {
		return "", fmt.Errorf("rendering input template: %w", err)
	}
	doc, err := decodeEvent(event)
	if err != nil {
		return "", fmt.Errorf("rendering input template: %w", err)
	}

	values := map[string]any{}
	for name, path := range t.Paths {
		steps, _ := parseJSONPath(path) // checked by Validate
		v, err := evalJSONPath(doc, steps)
		if errors.Is(err, errPathMissing) {
			continue
		}
		values[name] = v
	}

	var out strings.Builder
	last := 0
	for _, p := range scanTemplate(t.Template, t.defined) {
		out.WriteString(t.Template[last:p.start])
		last = p.end
		text, err := placeholderText(p, values, doc, event, rule)
		if err != nil {
			return "", fmt.Errorf("rendering input template: placeholder <%s>: %w", p.name, err)
		}
		out.WriteString(text)
	}
	out.WriteString(t.Template[last:])
	result := out.String()

	if trimmed := strings.TrimSpace(t.Template); strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[") {
		var compact bytes.Buffer
		if json.Compact(&compact, []byte(result)) == nil {
			result = compact.String()
		}
	}
	return result, nil
}

// placeholderText is what replaces one placeholder.
func placeholderText(p placeholder, values map[string]any, doc map[string]any, event []byte, rule RuleInfo) (string, error) {
	var v any
	switch p.name {
	case varRuleARN:
		v = rule.ARN
	case varRuleName:
		v = rule.Name
	case varIngestionTime:
		// "This is an ISO 8601 timestamp" (predefined variables).
		if rule.IngestionTime.IsZero() {
			return "", nil
		}
		v = rule.IngestionTime.UTC().Format(time.RFC3339)
	case varEvent:
		// "The original event payload as JSON (without the detail field)".
		trimmed := make(map[string]any, len(doc))
		for k, fv := range doc {
			if k != "detail" {
				trimmed[k] = fv
			}
		}
		v = trimmed
	case varEventJSON:
		// "The full original event payload as JSON (with the detail field)":
		// the event's own text, compacted, so nothing is reordered.
		var compact bytes.Buffer
		if err := json.Compact(&compact, event); err != nil {
			return "", fmt.Errorf("compacting event: %w", err)
		}
		return compact.String(), nil
	default:
		var ok bool
		if v, ok = values[p.name]; !ok {
			return "", nil
		}
	}
	if p.inString {
		return stringContent(v)
	}
	return marshalJSON(v)
}

// stringContent renders v for use inside a JSON string literal.
func stringContent(v any) (string, error) {
	switch tv := v.(type) {
	case string:
		s, err := marshalJSON(tv)
		if err != nil {
			return "", err
		}
		return s[1 : len(s)-1], nil
	case map[string]any, []any:
		s, err := marshalJSON(tv)
		if err != nil {
			return "", err
		}
		return strings.ReplaceAll(s, `"`, ""), nil
	}
	return marshalJSON(v)
}

// marshalJSON encodes v without Go's HTML escaping of <, > and &, which
// EventBridge does not do.
func marshalJSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("encoding value: %w", err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
