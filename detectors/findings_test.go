package detectors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"secalerts/eventbridge"
	"secalerts/severity"
)

// match is one variant that matched a sample event.
type match struct {
	detector string
	variant  string
	severity severity.Severity
}

// matchAll returns every variant of every detector in the catalogue that
// matches event, with all detectors at minimum severity INFORMATIONAL.
func matchAll(t *testing.T, o Options, event []byte) []match {
	t.Helper()
	var out []match
	for _, d := range All() {
		for _, v := range d.VariantsAtLeast(o, severity.Informational) {
			if ok := matchVariant(t, v, event); ok {
				out = append(out, match{d.ID, v.Name, v.Severity})
			}
		}
	}
	return out
}

func matchVariant(t *testing.T, v Variant, event []byte) bool {
	t.Helper()
	p, err := json.Marshal(v.Pattern)
	if err != nil {
		t.Fatalf("marshalling pattern of %s: %v", v.Name, err)
	}
	ok, err := eventbridge.MatchPattern(p, event)
	if err != nil {
		t.Fatalf("matching %s: %v\npattern: %s", v.Name, err, p)
	}
	return ok
}

// sampleEvents returns the sample event files of detector id, keyed by
// file name. A detector without samples fails the test.
func sampleEvents(t *testing.T, id string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "events", id, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

// TestFindingSamples checks the naming contract of testdata/events/<id>/:
// "<SEVERITY>--x.json" is matched by exactly one variant of the whole
// catalogue, of this detector, with that severity; "none--x.json" by none.
func TestFindingSamples(t *testing.T) {
	for _, d := range findingDetectors {
		t.Run(d.ID, func(t *testing.T) {
			samples := sampleEvents(t, d.ID)
			var matching, none int
			for name, event := range samples {
				want, _, ok := strings.Cut(name, "--")
				if !ok {
					t.Errorf("%s: name must be <SEVERITY>--<what>.json or none--<what>.json", name)
					continue
				}
				checkEnvelope(t, name, event)
				got := matchAll(t, Options{}, event)
				if want == "none" {
					none++
					if len(got) != 0 {
						t.Errorf("%s: want no match, got %v", name, got)
					}
					continue
				}
				matching++
				sev, err := severity.Parse(want)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if len(got) != 1 || got[0].detector != d.ID || got[0].severity != sev {
					t.Errorf("%s: want exactly %s at %s, got %v", name, d.ID, sev, got)
				}
			}
			if matching < 3 || none < 3 {
				t.Errorf("want at least 3 matching and 3 none samples, have %d and %d", matching, none)
			}
		})
	}
}

// checkEnvelope fails unless event is one EventBridge event with every
// envelope field.
func checkEnvelope(t *testing.T, name string, event []byte) {
	t.Helper()
	var e map[string]any
	if err := json.Unmarshal(event, &e); err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	for _, f := range []string{"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"} {
		if _, ok := e[f]; !ok {
			t.Errorf("%s: envelope field %q missing", name, f)
		}
	}
}

// TestFindingVariantsDisjoint checks that no sample of any finding detector
// is matched by two variants of one detector, with and without rule names.
func TestFindingVariantsDisjoint(t *testing.T) {
	opts := []Options{{}, {ConfigRuleNames: []string{"cloudtrail-enabled", "restricted-ssh", "s3-bucket-public-read-prohibited"}}}
	for _, d := range findingDetectors {
		for name, event := range sampleEvents(t, d.ID) {
			for _, o := range opts {
				var got []string
				for _, v := range d.Build(o) {
					if matchVariant(t, v, event) {
						got = append(got, v.Name)
					}
				}
				if len(got) > 1 {
					t.Errorf("%s/%s (options %+v): variants %v all match", d.ID, name, o, got)
				}
			}
		}
	}
}

// TestConfigRuleNamesNarrow checks that Options.ConfigRuleNames limits the
// Config detector to the listed rules and keeps their severities.
func TestConfigRuleNamesNarrow(t *testing.T) {
	samples := sampleEvents(t, "config-compliance")
	for _, tc := range []struct {
		name   string
		rules  []string
		sample string
		want   []match
	}{
		{"listed medium rule", []string{"s3-bucket-public-read-prohibited"}, "MEDIUM--s3-public-read.json",
			[]match{{"config-compliance", "non-compliant", severity.Medium}}},
		{"unlisted rule", []string{"s3-bucket-public-read-prohibited"}, "MEDIUM--restricted-ssh-first-evaluation.json", nil},
		{"unlisted security rule", []string{"s3-bucket-public-read-prohibited"}, "HIGH--guardduty-disabled.json", nil},
		{"listed security rule stays high", []string{"guardduty-enabled-centralized", "restricted-ssh"}, "HIGH--guardduty-disabled.json",
			[]match{{"config-compliance", "security-service-off", severity.High}}},
		{"listed Security Hub name stays high", []string{"securityhub-multi-region-cloud-trail-enabled-3f2c1a9b"}, "HIGH--securityhub-cloudtrail-first-evaluation.json",
			[]match{{"config-compliance", "security-service-off", severity.High}}},
		{"transition rule still applies", []string{"restricted-ssh"}, "none--still-non-compliant.json", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			event, ok := samples[tc.sample]
			if !ok {
				t.Fatalf("no sample %s", tc.sample)
			}
			got := matchAll(t, Options{ConfigRuleNames: tc.rules}, event)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if vs := configComplianceDetector.Build(Options{ConfigRuleNames: []string{"restricted-ssh"}}); len(vs) != 1 || vs[0].Severity != severity.Medium {
		t.Errorf("only non-security rules listed: want one MEDIUM variant, got %+v", vs)
	}
}

// TestFindingPatternsValid checks every variant against EventBridge's
// pattern rules and limits, and the catalogue invariants of Detector.
func TestFindingPatternsValid(t *testing.T) {
	dns := regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	for _, d := range findingDetectors {
		for _, o := range []Options{{}, {ConfigRuleNames: []string{"cloudtrail-enabled", "restricted-ssh"}}} {
			variants := d.Build(o)
			if len(variants) == 0 {
				t.Errorf("%s: no variants", d.ID)
			}
			names := map[string]bool{}
			for i, v := range variants {
				if !dns.MatchString(v.Name) || names[v.Name] {
					t.Errorf("%s: variant name %q is not DNS-safe or not unique", d.ID, v.Name)
				}
				names[v.Name] = true
				if i > 0 && v.Severity < variants[i-1].Severity {
					t.Errorf("%s: variants not ordered lowest severity first", d.ID)
				}
				p, err := json.Marshal(v.Pattern)
				if err != nil {
					t.Fatal(err)
				}
				if err := eventbridge.ValidatePattern(p); err != nil {
					t.Errorf("%s/%s: %v\n%s", d.ID, v.Name, err, p)
				}
				checkPinnedSource(t, d, d.ID+"/"+v.Name, v.Pattern)
			}
		}
	}
}

// checkPinnedSource fails unless the pattern names exactly one source,
// aws.* or the canary's (or, for a hub-only detector, the heartbeat's,
// which the hub's rules pin to its own account), and exactly one
// detail-type.
func checkPinnedSource(t *testing.T, d Detector, name string, p Pattern) {
	t.Helper()
	src, _ := p["source"].([]any)
	dt, _ := p["detail-type"].([]any)
	if len(src) != 1 || len(dt) != 1 {
		t.Errorf("%s: want one source and one detail-type, got %v %v", name, p["source"], p["detail-type"])
		return
	}
	s, _ := src[0].(string)
	if !strings.HasPrefix(s, "aws.") && s != CanarySource && !(d.HubOnly && s == HeartbeatSource) {
		t.Errorf("%s: source %v is neither aws.* nor %s", name, src[0], CanarySource)
	}
	if _, ok := dt[0].(string); !ok {
		t.Errorf("%s: detail-type %v is not an exact value", name, dt[0])
	}
}

// placeholder is an input-transformer placeholder in message text.
var placeholder = regexp.MustCompile(`<([A-Za-z0-9_-]+)>`)

// TestFindingMessages checks that every placeholder a message uses is
// defined in its Paths or in CommonPaths, that every Paths entry is used,
// and that names and paths are ones an input transformer accepts.
func TestFindingMessages(t *testing.T) {
	for _, d := range findingDetectors {
		m := d.Message
		if d.Title == "" || d.Description == "" || m.Title == "" || m.Summary == "" || len(m.Fields) == 0 || m.ConsoleURL == "" || len(m.NextSteps) == 0 {
			t.Errorf("%s: title, description and every message part must be set", d.ID)
		}
		texts := []string{m.Title, m.Summary, m.ConsoleURL}
		for _, f := range m.Fields {
			texts = append(texts, f.Label, f.Value)
		}
		texts = append(texts, m.NextSteps...)
		used := map[string]bool{}
		for _, text := range texts {
			for _, sub := range placeholder.FindAllStringSubmatch(text, -1) {
				name := sub[1]
				used[name] = true
				_, inPaths := m.Paths[name]
				_, common := CommonPaths[name]
				if !inPaths && !common {
					t.Errorf("%s: placeholder <%s> is not in Paths or CommonPaths", d.ID, name)
				}
			}
		}
		for name, path := range m.Paths {
			if !used[name] {
				t.Errorf("%s: Paths entry %q is never used", d.ID, name)
			}
			if _, common := CommonPaths[name]; common {
				t.Errorf("%s: Paths entry %q shadows a common placeholder", d.ID, name)
			}
			if !placeholder.MatchString("<"+name+">") || !strings.HasPrefix(path, "$.") {
				t.Errorf("%s: Paths entry %q: %q is not a valid input path", d.ID, name, path)
			}
		}
		if !strings.Contains(m.Title, "<") && d.ID != "canary" {
			t.Errorf("%s: title %q says nothing about the event", d.ID, m.Title)
		}
	}
	if !strings.Contains(canaryDetector.Message.Title, "TEST") || !strings.Contains(canaryDetector.Message.Summary, "TEST") {
		t.Error("canary message must be labelled as a TEST in title and summary")
	}
}

// TestFindingIDs pins the released detector IDs: renaming one breaks
// deployed stacks' config keys and rule names.
func TestFindingIDs(t *testing.T) {
	var got []string
	for _, d := range findingDetectors {
		got = append(got, d.ID)
	}
	want := []string{"securityhub", "guardduty", "access-analyzer", "config-compliance", "root-signin",
		"console-signin-failure", "console-signin-no-mfa", "pipeline-alarm", "canary", "heartbeat-missing"}
	if !slices.Equal(got, want) {
		t.Errorf("finding detector IDs = %v, want %v", got, want)
	}
}
