package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"

	"secalerts/detectors"
	"secalerts/severity"
)

// Extracted is what one event says for one detector variant: the value of
// every placeholder its message uses, as the event holds it (possibly
// hostile text; the renderers clean it).
type Extracted struct {
	DetectorID    string
	DetectorTitle string
	Severity      severity.Severity
	// Message is the variant's message (Detector.MessageFor).
	Message detectors.Message
	// Values maps each placeholder the message uses, and the common ones,
	// to its text; a path missing from the event gives "".
	Values map[string]string
	// Account and Region are what the alert is about: the message's
	// AboutAccount/AboutRegion value when it has the shape of an account ID
	// or a region, else the event's own account and region.
	Account, Region string
	// Time and EventID are the event's time and id.
	Time, EventID string
	// Event is the event as received.
	Event json.RawMessage
}

// nextPlaceholder finds the first <name> placeholder of s at or after
// from, as the catalogue writes them (EventBridge InputPathsMap keys are
// [A-Za-z0-9_-]+, EventBridge API Reference, InputTransformer): s[start:end]
// is "<name>". Scanning by hand finds what the regular expression
// <([A-Za-z0-9_\-]+)> finds, left to right, at a fraction of its cost on
// the delivery's hot path (every text of every message).
func nextPlaceholder(s string, from int) (start, end int, ok bool) {
	for i := from; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		j := i + 1
		for j < len(s) && isPlaceholderByte(s[j]) {
			j++
		}
		if j > i+1 && j < len(s) && s[j] == '>' {
			return i, j + 1, true
		}
	}
	return 0, 0, false
}

func isPlaceholderByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// accountIDRE is an AWS account ID: 12 digits (AWS Account Management
// Reference Guide, "View AWS account identifiers").
var accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)

// Extract decodes event and resolves every placeholder the message of
// variant v of detector d uses.
func Extract(d detectors.Detector, v detectors.Variant, event []byte) (Extracted, error) {
	dec := json.NewDecoder(bytes.NewReader(event))
	// Numbers stay as written ("7.5", "123456789012"), not float64 round trips.
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return Extracted{}, fmt.Errorf("extracting %s/%s: decoding event: %w", d.ID, v.Name, err)
	}
	if dec.More() {
		return Extracted{}, fmt.Errorf("extracting %s/%s: decoding event: data after the JSON object", d.ID, v.Name)
	}
	if doc == nil {
		return Extracted{}, fmt.Errorf("extracting %s/%s: event is not a JSON object", d.ID, v.Name)
	}
	return ExtractDoc(d, v, event, doc)
}

// ExtractDoc is Extract for an event already decoded: doc is event's JSON
// object with its numbers as json.Number (eventbridge.Event's Doc), read
// and never changed.
func ExtractDoc(d detectors.Detector, v detectors.Variant, event []byte, doc map[string]any) (Extracted, error) {
	msg := d.MessageFor(v)
	paths, err := usedPaths(msg)
	if err != nil {
		return Extracted{}, fmt.Errorf("extracting %s/%s: %w", d.ID, v.Name, err)
	}
	values := make(map[string]string, len(paths))
	for name, p := range paths {
		steps, err := parsePath(p)
		if err != nil {
			return Extracted{}, fmt.Errorf("extracting %s/%s: placeholder <%s>: %w", d.ID, v.Name, name, err)
		}
		if val, ok := lookup(doc, steps); ok {
			values[name] = valueText(val)
		} else {
			values[name] = ""
		}
	}

	account, region := values["account"], values["region"]
	if a := values[msg.AboutAccount]; msg.AboutAccount != "" && accountIDRE.MatchString(a) {
		account = a
	}
	if r := values[msg.AboutRegion]; msg.AboutRegion != "" && regionRE.MatchString(r) {
		region = r
	}
	return Extracted{
		DetectorID:    d.ID,
		DetectorTitle: d.Title,
		Severity:      v.Severity,
		Message:       msg,
		Values:        values,
		Account:       account,
		Region:        region,
		Time:          values["time"],
		EventID:       values["id"],
		Event:         append(json.RawMessage(nil), event...),
	}, nil
}

// usedPaths returns the JSONPath of every placeholder in msg's texts, of its
// About placeholders and of every common placeholder.
func usedPaths(msg detectors.Message) (map[string]string, error) {
	out := make(map[string]string, len(detectors.CommonPaths)+len(msg.Paths))
	for name, p := range detectors.CommonPaths {
		out[name] = p
	}
	var unknown []string
	use := func(name string) {
		if _, ok := out[name]; ok {
			return
		}
		if p, ok := msg.Paths[name]; ok {
			out[name] = p
			return
		}
		unknown = append(unknown, name)
	}
	for _, t := range messageTexts(msg) {
		for i := 0; ; {
			start, end, ok := nextPlaceholder(t, i)
			if !ok {
				break
			}
			use(t[start+1 : end-1])
			i = end
		}
	}
	for _, name := range []string{msg.AboutAccount, msg.AboutRegion} {
		if name != "" {
			use(name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("placeholders %v are neither in the message's Paths nor in CommonPaths", unknown)
	}
	return out, nil
}

// messageTexts lists every text of msg that may hold placeholders.
func messageTexts(msg detectors.Message) []string {
	out := []string{msg.Title, msg.Summary, msg.ConsoleURL}
	for _, f := range msg.Fields {
		out = append(out, f.Label, f.Value)
	}
	return append(out, msg.NextSteps...)
}
