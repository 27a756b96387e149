package plan

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secalerts/config"
	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/severity"
)

// rulesByRegion lists a member plan's forwarding rules by region.
func rulesByRegion(p *Member) map[string][]ForwardRule {
	out := map[string][]ForwardRule{}
	for _, r := range p.Regions {
		out[r.Account.Region] = r.Rules
	}
	return out
}

func member(min severity.Severity) *config.Member {
	return &config.Member{AccountID: "111111111111", HomeRegion: "us-east-1", MinSeverity: min, ManagementAccount: true,
		Detectors: map[string]config.DetectorSettings{}}
}

// sample is one file of testdata/events and what its name promises.
type sample struct {
	path, detector, expect string
	event                  []byte
	region                 string
}

func samples(t *testing.T) []sample {
	t.Helper()
	files, err := filepath.Glob("../testdata/events/*/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	var out []sample
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var env struct{ Region string }
		if err := json.Unmarshal(data, &env); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, sample{path: f, detector: filepath.Base(filepath.Dir(f)),
			expect: strings.SplitN(filepath.Base(f), "--", 2)[0], event: data, region: env.Region})
	}
	return out
}

// TestPlanMemberForwardsExactlyTheCatalogue replays every sample event
// through the member rules of its region: alerts at or above the member's
// minimum are forwarded, and the events that close a finding whatever the
// minimum; everything else stays in the account.
func TestPlanMemberForwardsExactlyTheCatalogue(t *testing.T) {
	for _, min := range []severity.Severity{severity.Informational, severity.Medium, severity.High} {
		m := member(min)
		on := true
		m.Detectors["unauthorized-api-calls"] = config.DetectorSettings{Enabled: &on}
		// The samples' none--*-by-deployer calls are those of the example
		// member's deployers, in its account.
		m.DeployerPrincipals = exampleDeployers
		p, err := NewMember(m, config.DefaultRegions())
		if err != nil {
			t.Fatal(err)
		}
		rules := rulesByRegion(p)
		for _, s := range samples(t) {
			forwarded := false
			for _, r := range rules[s.region] {
				ok, err := eventbridge.MatchPattern([]byte(r.Pattern), s.event)
				if err != nil {
					t.Fatalf("%s: %v", s.path, err)
				}
				forwarded = forwarded || ok
			}
			want := false
			if sev, err := severity.Parse(s.expect); err == nil {
				want = sev >= min
			}
			d, err := detectors.ByID(s.detector)
			if err == nil && d.Closes != nil {
				b, _ := json.Marshal(d.Closes)
				closes, err := eventbridge.MatchPattern(b, s.event)
				if err != nil {
					t.Fatal(err)
				}
				want = want || closes
			}
			// Hub-only events are born in the hub: no member forwards them.
			if err == nil && d.HubOnly {
				want = false
			}
			if forwarded != want {
				t.Errorf("min %s: %s forwarded=%v, want %v", min, s.path, forwarded, want)
			}
		}
	}
}

func TestPlanMemberKeepsGlobalEventsInTheHomeRegion(t *testing.T) {
	p, err := NewMember(member(severity.Informational), []string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	rules := rulesByRegion(p)
	for _, d := range detectors.All() {
		if !d.GlobalOnly {
			continue
		}
		for _, r := range rules["eu-west-1"] {
			for _, id := range r.Detectors {
				if id == d.ID {
					t.Errorf("global detector %s has a rule in eu-west-1", d.ID)
				}
			}
		}
	}
	if len(rules["us-east-1"]) <= len(rules["eu-west-1"])-1 {
		t.Errorf("us-east-1 should carry the global detectors too: %d vs %d rules", len(rules["us-east-1"]), len(rules["eu-west-1"]))
	}
}

// TestPlanMemberPatternsStayWithinLimits is the property that every packed
// pattern is one EventBridge accepts, whatever the settings.
func TestPlanMemberPatternsStayWithinLimits(t *testing.T) {
	for _, min := range severity.All {
		p, err := NewMember(member(min), config.DefaultRegions())
		if err != nil {
			t.Fatal(err)
		}
		rules := rulesByRegion(p)
		for region, rules := range rules {
			for _, r := range rules {
				if err := eventbridge.ValidatePattern([]byte(r.Pattern)); err != nil {
					t.Errorf("%s %s: %v", region, r.Name, err)
				}
				if n := len([]rune(r.Pattern)); n > eventbridge.MaxPatternSize {
					t.Errorf("%s %s: %d characters", region, r.Name, n)
				}
			}
		}
	}
}

func TestPlanMemberDisabledDetectorIsNotForwarded(t *testing.T) {
	m := member(severity.Informational)
	off := false
	m.Detectors["guardduty"] = config.DetectorSettings{Enabled: &off}
	p, err := NewMember(m, []string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	rules := rulesByRegion(p)
	for _, r := range append(rules["us-east-1"], rules["eu-west-1"]...) {
		for _, id := range r.Detectors {
			if id == "guardduty" {
				t.Fatalf("disabled guardduty still in rule %s", r.Name)
			}
		}
	}
}

func TestPlanMemberRequiresTheHomeRegionForGlobalDetectors(t *testing.T) {
	_, err := NewMember(member(severity.Medium), []string{"eu-west-1"})
	if err == nil || !strings.Contains(err.Error(), "secalerts:member.regions") || !strings.Contains(err.Error(), "iam-policy-changes") {
		t.Fatalf("want an error naming the key and the global detectors, got %v", err)
	}
	m := member(severity.Medium)
	off := false
	for _, d := range detectors.All() {
		if d.GlobalOnly {
			m.Detectors[d.ID] = config.DetectorSettings{Enabled: &off}
		}
	}
	if _, err := NewMember(m, []string{"eu-west-1"}); err != nil {
		t.Fatalf("with the global detectors off, eu-west-1 alone is fine: %v", err)
	}
}
