package engine

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// jsonFields lists the JSON paths a type decodes, with the Go type of
// each leaf, the way encoding/json names them: tag or field name, the
// fields of embedded structs promoted, unexported fields left out.
func jsonFields(t reflect.Type, prefix string, out map[string]string) {
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				jsonFields(f.Type, prefix, out)
				continue
			}
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			jsonFields(f.Type, prefix+"."+name, out)
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Struct {
			jsonFields(t.Elem(), prefix+"[]", out)
			return
		}
		out[prefix] = t.String()
	default:
		out[prefix] = t.String()
	}
}

// TestAlertFieldsAreItsParts: Handle reads an alert's envelope, finding
// and facts in one pass through alertFields, which must declare exactly
// the fields of the three, each with its type.
func TestAlertFieldsAreItsParts(t *testing.T) {
	parts := map[string]string{}
	for _, p := range []any{envelope{}, findingFields{}, factsFields{}} {
		fields := map[string]string{}
		jsonFields(reflect.TypeOf(p), "", fields)
		for path, typ := range fields {
			if have, ok := parts[path]; ok && have != typ {
				t.Errorf("%s is %s in one part, %s in another", path, have, typ)
			}
			parts[path] = typ
		}
	}
	union := map[string]string{}
	jsonFields(reflect.TypeOf(alertFields{}), "", union)
	if !reflect.DeepEqual(union, parts) {
		t.Errorf("alertFields declares\n%v\nits parts\n%v", union, parts)
	}
}

// TestReadAlertReadsAsTheParts: what readAlert reads of every sample, and
// of samples with fields of the wrong type, is what the parts read one by
// one.
func TestReadAlertReadsAsTheParts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "events", "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, f := range files {
		event, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// withDetail is the event with detail[key] set to v.
		withDetail := func(key string, v any) []byte {
			var m map[string]any
			if err := json.Unmarshal(event, &m); err != nil {
				t.Fatal(err)
			}
			d, _ := m["detail"].(map[string]any)
			if d == nil {
				d = map[string]any{}
				m["detail"] = d
			}
			d[key] = v
			b, _ := json.Marshal(m)
			return b
		}
		for name, ev := range map[string][]byte{
			"as it is":               event,
			"findings not a list":    withDetail("findings", 1),
			"a finding's Types text": withDetail("findings", []any{map[string]any{"Id": "f", "ProductArn": "p", "Types": "t"}}),
			"eventName a number":     withDetail("eventName", 1),
			"id a number":            withDetail("id", 1),
			"Resource a string":      withDetail("Resource", "arn:aws:s3:::b"),
			"an ID besides the id":   withDetail("ID", "other"),
			"no source":              bytes.Replace(event, []byte(`"source"`), []byte(`"sauce"`), 1),
			"not JSON":               event[:len(event)/2],
		} {
			r := readAlert(ev)
			env, envErr := readEnvelope(ev)
			fi, fa := readFinding(ev), readFacts(ev)
			if !reflect.DeepEqual(r.env, env) || (r.envErr == nil) != (envErr == nil) ||
				(envErr != nil && r.envErr.Error() != envErr.Error()) {
				t.Errorf("%s, %s: envelope %+v (%v), want %+v (%v)", f, name, r.env, r.envErr, env, envErr)
			}
			if got := r.eventFacts(); !reflect.DeepEqual(got, fa) {
				t.Errorf("%s, %s: facts %+v, want %+v", f, name, got, fa)
			}
			for _, d := range []string{"securityhub", "guardduty", "access-analyzer", "config-compliance"} {
				if got, want := r.identity(d), fi.identity(d); got != want {
					t.Errorf("%s, %s: %s identity %q, want %q", f, name, d, got, want)
				}
			}
		}
	}
}
