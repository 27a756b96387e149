package detectors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"secalerts/eventbridge"
	"secalerts/severity"
)

// apiMatch is one variant of one detector that an event matched.
type apiMatch struct {
	detector, variant string
	severity          severity.Severity
}

// sampleDeployers are the deployerPrincipals of the example member stack
// (Pulumi.member.yaml), as its plan writes them into its patterns: pinned
// to its account, 111111111111. The sample events' none--*-by-deployer
// files are calls of these roles; the replay of the whole corpus through
// the example stacks holds the two lists to each other.
var sampleDeployers = []string{
	"arn:aws:iam::111111111111:role/secalerts-deploy",
	"arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_SecalertsDeploy_*",
}

// sampleOptions are the options the sample events are judged with.
var sampleOptions = Options{Deployers: sampleDeployers}

// apiMatchAll returns every variant of every catalogue detector that event
// matches, with every detector at minimum severity INFORMATIONAL and the
// example member's deployers.
func apiMatchAll(t *testing.T, event []byte) []apiMatch {
	t.Helper()
	var out []apiMatch
	for _, d := range All() {
		for _, v := range d.VariantsAtLeast(sampleOptions, severity.Informational) {
			p, err := json.Marshal(v.Pattern)
			if err != nil {
				t.Fatalf("marshalling %s/%s: %v", d.ID, v.Name, err)
			}
			ok, err := eventbridge.MatchPattern(p, event)
			if err != nil {
				t.Fatalf("matching %s/%s: %v", d.ID, v.Name, err)
			}
			if ok {
				out = append(out, apiMatch{d.ID, v.Name, v.Severity})
			}
		}
	}
	return out
}

// apiEventRegion reads the envelope's region.
func apiEventRegion(t *testing.T, event []byte) string {
	t.Helper()
	var env struct {
		Region string `json:"region"`
	}
	if err := json.Unmarshal(event, &env); err != nil {
		t.Fatalf("reading event: %v", err)
	}
	return env.Region
}

// TestAPICallSamples checks the naming contract of testdata/events/<id>/:
// <SEVERITY>--x.json matches exactly this detector, once, at that severity,
// in a region it applies to; none--x.json matches no variant of any
// detector; elsewhere--x.json matches only this detector, in a region it
// does not apply to.
func TestAPICallSamples(t *testing.T) {
	for _, d := range apiCallDetectors {
		t.Run(d.ID, func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join("..", "testdata", "events", d.ID, "*.json"))
			if err != nil {
				t.Fatal(err)
			}
			var matching, none int
			for _, f := range files {
				name := filepath.Base(f)
				kind, _, ok := strings.Cut(name, "--")
				if !ok {
					t.Errorf("%s: name must be <SEVERITY|none|elsewhere>--<what>.json", name)
					continue
				}
				event, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				got := apiMatchAll(t, event)
				region := apiEventRegion(t, event)
				switch kind {
				case "none":
					none++
					if len(got) != 0 {
						t.Errorf("%s: want no match, got %v", name, got)
					}
				case "elsewhere":
					if len(got) == 0 || d.AppliesTo(region) {
						t.Errorf("%s: want a match of %s outside its regions, got %v in %s (applies: %v)", name, d.ID, got, region, d.AppliesTo(region))
					}
					for _, m := range got {
						if m.detector != d.ID {
							t.Errorf("%s: matched %s too", name, m.detector)
						}
					}
				default:
					want, err := severity.Parse(kind)
					if err != nil {
						t.Errorf("%s: %v", name, err)
						continue
					}
					matching++
					if len(got) != 1 || got[0].detector != d.ID || got[0].severity != want {
						t.Errorf("%s: want exactly %s at %s, got %v", name, d.ID, want, got)
					}
					if !d.AppliesTo(region) {
						t.Errorf("%s: %s does not apply to the event's region %s", name, d.ID, region)
					}
				}
			}
			if matching < 2 || none < 2 {
				t.Errorf("want at least 2 matching and 2 none samples, have %d and %d", matching, none)
			}
		})
	}
}

// TestSecurityGroupsOpenAndScopedRangesMatchBoth pins the documented
// overlap: EventBridge matches array fields on any element, so one call that
// adds an open and a scoped range alerts as both LOW and HIGH.
func TestSecurityGroupsOpenAndScopedRangesMatchBoth(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "events", "security-groups", "HIGH--authorize-ingress-ssh-from-anywhere.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	perm := ev["detail"].(map[string]any)["requestParameters"].(map[string]any)["ipPermissions"].(map[string]any)["items"].([]any)[0].(map[string]any)
	ranges := perm["ipRanges"].(map[string]any)
	ranges["items"] = append(ranges["items"].([]any), map[string]any{"cidrIp": "10.0.0.0/8"})
	mixed, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	got := apiMatchAll(t, mixed)
	want := []apiMatch{
		{"security-groups", "changed", severity.Medium},
		{"security-groups", "open-to-world", severity.High},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("open+scoped ingress: got %v, want %v", got, want)
	}
}

// apiEventNames collects the (eventSource, eventName) pairs a pattern selects,
// looking through $or branches of detail.
func apiEventNames(p Pattern) []string {
	detail, _ := p["detail"].(map[string]any)
	var sources []string
	for _, s := range apiSlice(detail["eventSource"]) {
		if str, ok := s.(string); ok {
			sources = append(sources, str)
		}
	}
	var names []string
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		for _, n := range apiSlice(m["eventName"]) {
			if str, ok := n.(string); ok {
				names = append(names, str)
			}
		}
		for _, b := range apiSlice(m["$or"]) {
			if bm, ok := b.(map[string]any); ok {
				walk(bm)
			}
		}
	}
	walk(detail)
	var out []string
	for _, s := range sources {
		for _, n := range names {
			out = append(out, s+" "+n)
		}
	}
	return out
}

func apiSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// splitByResource are the event names two detectors share, each taking the
// calls on its own resources: IAM role policy calls on secalerts' roles are
// pipeline-role-changes', on every other role iam-policy-changes'.
// TestSplitEventNamesAreDisjoint checks that the two halves do not meet.
var splitByResource = map[string][2]string{
	"iam.amazonaws.com PutRolePolicy":    {"iam-policy-changes", "pipeline-role-changes"},
	"iam.amazonaws.com DeleteRolePolicy": {"iam-policy-changes", "pipeline-role-changes"},
	"iam.amazonaws.com AttachRolePolicy": {"iam-policy-changes", "pipeline-role-changes"},
	"iam.amazonaws.com DetachRolePolicy": {"iam-policy-changes", "pipeline-role-changes"},
}

// TestAPICallEventNamesBelongToOneDetector keeps a call from alerting from two
// detectors. Names are per eventSource: GuardDuty and Security Hub both have
// DisassociateFromAdministratorAccount. The names of splitByResource are
// shared by exactly their two detectors.
func TestAPICallEventNamesBelongToOneDetector(t *testing.T) {
	owner := map[string]string{}
	shared := map[string][]string{}
	for _, d := range apiCallDetectors {
		seen := map[string]bool{}
		for _, v := range d.Build(Options{}) {
			for _, n := range apiEventNames(v.Pattern) {
				seen[n] = true
			}
		}
		if len(seen) == 0 && d.ID != unauthorizedAPICallsDetector.ID {
			t.Errorf("%s selects no event names", d.ID)
		}
		for n := range seen {
			if _, split := splitByResource[n]; split {
				shared[n] = append(shared[n], d.ID)
				owner[n] = d.ID
				continue
			}
			if o, dup := owner[n]; dup {
				t.Errorf("%s is in both %s and %s", n, o, d.ID)
			}
			owner[n] = d.ID
		}
	}
	for n, want := range splitByResource {
		if got := shared[n]; !slices.Equal(got, want[:]) {
			t.Errorf("%s: shared by %v, want %v", n, got, want)
		}
	}
	for _, must := range []string{
		"ec2.amazonaws.com AuthorizeSecurityGroupIngress", "ec2.amazonaws.com ModifySecurityGroupRules",
		"organizations.amazonaws.com CreateAccountResult", "organizations.amazonaws.com LeaveOrganization",
		"cloudtrail.amazonaws.com StopLogging", "guardduty.amazonaws.com UpdateDetector",
		"config.amazonaws.com DeleteDeliveryChannel", "securityhub.amazonaws.com DisableSecurityHub",
		"access-analyzer.amazonaws.com DeleteAnalyzer", "events.amazonaws.com RemoveTargets",
		"kms.amazonaws.com ScheduleKeyDeletion", "sns.amazonaws.com DeleteTopic",
		"iam.amazonaws.com SetDefaultPolicyVersion", "s3.amazonaws.com DeleteBucketReplication",
		"ec2.amazonaws.com EnableVpcClassicLink", "ec2.amazonaws.com DisassociateRouteTable",
		"events.amazonaws.com PutRule", "iam.amazonaws.com UpdateAssumeRolePolicy",
		"guardduty.amazonaws.com CreateFilter", "securityhub.amazonaws.com CreateAutomationRule",
		"access-analyzer.amazonaws.com CreateArchiveRule", "config.amazonaws.com DeleteConfigRule",
		"monitoring.amazonaws.com DeleteAlarms", "sqs.amazonaws.com PurgeQueue", "account.amazonaws.com EnableRegion",
	} {
		if owner[must] == "" {
			t.Errorf("no detector covers %s", must)
		}
	}
	for n, o := range owner {
		name := strings.Fields(n)[1]
		for _, ro := range []string{"Describe", "List", "Get"} {
			if strings.HasPrefix(name, ro) {
				t.Errorf("%s selects read-only call %s", o, n)
			}
		}
	}
}

// TestAPICallPatterns checks every variant passes PutRule's validation and
// pins source, detail-type and detail.eventSource, and that variant names
// are unique and lowest severity comes first.
func TestAPICallPatterns(t *testing.T) {
	for _, d := range apiCallDetectors {
		variants := d.Build(Options{})
		if len(variants) == 0 {
			t.Errorf("%s has no variants", d.ID)
		}
		names := map[string]bool{}
		for i, v := range variants {
			if names[v.Name] {
				t.Errorf("%s: variant name %q twice", d.ID, v.Name)
			}
			names[v.Name] = true
			if i > 0 && v.Severity < variants[i-1].Severity {
				t.Errorf("%s: variants not lowest severity first", d.ID)
			}
			raw, err := json.Marshal(v.Pattern)
			if err != nil {
				t.Fatal(err)
			}
			if err := eventbridge.ValidatePattern(raw); err != nil {
				t.Errorf("%s/%s: %v\n%s", d.ID, v.Name, err, raw)
			}
			if len(apiSlice(v.Pattern["detail-type"])) == 0 {
				t.Errorf("%s/%s: detail-type not pinned", d.ID, v.Name)
			}
			detail, _ := v.Pattern["detail"].(map[string]any)
			if d.ID == unauthorizedAPICallsDetector.ID {
				// Any service's denied call: source is any aws.* source.
				continue
			}
			for _, s := range apiSlice(v.Pattern["source"]) {
				if str, ok := s.(string); !ok || !strings.HasPrefix(str, "aws.") {
					t.Errorf("%s/%s: source %v is not a genuine aws.* source", d.ID, v.Name, s)
				}
			}
			if len(apiSlice(v.Pattern["source"])) != 1 || len(apiSlice(detail["eventSource"])) != 1 {
				t.Errorf("%s/%s: source and detail.eventSource must each be pinned to one value", d.ID, v.Name)
			}
		}
	}
}

var apiPlaceholder = regexp.MustCompile(`<([A-Za-z0-9_]+)>`)

// TestAPICallMessages checks that every apiPlaceholder is defined in Paths or
// CommonPaths and that every Paths entry is used.
func TestAPICallMessages(t *testing.T) {
	for _, d := range apiCallDetectors {
		for _, m := range messagesOf(d) {
			checkAPICallMessage(t, d, m)
		}
	}
}

// messagesOf returns d's message and every variant's own.
func messagesOf(d Detector) []Message {
	out := []Message{d.Message}
	for _, v := range d.Build(Options{}) {
		if v.Message != nil {
			out = append(out, *v.Message)
		}
	}
	return out
}

func checkAPICallMessage(t *testing.T, d Detector, m Message) {
	t.Helper()
	{
		texts := []string{m.Title, m.Summary, m.ConsoleURL}
		texts = append(texts, m.NextSteps...)
		for _, f := range m.Fields {
			texts = append(texts, f.Label, f.Value)
		}
		if m.Title == "" || m.Summary == "" || m.ConsoleURL == "" || len(m.NextSteps) == 0 || len(m.Fields) == 0 {
			t.Errorf("%s: message is missing a part", d.ID)
		}
		used := map[string]bool{}
		for _, s := range texts {
			for _, g := range apiPlaceholder.FindAllStringSubmatch(s, -1) {
				used[g[1]] = true
				if _, ok := m.Paths[g[1]]; ok {
					continue
				}
				if _, ok := CommonPaths[g[1]]; !ok {
					t.Errorf("%s: apiPlaceholder <%s> is not defined", d.ID, g[1])
				}
			}
		}
		var unused []string
		for k, p := range m.Paths {
			if !used[k] {
				unused = append(unused, k)
			}
			if !strings.HasPrefix(p, "$.") {
				t.Errorf("%s: path %s=%q is not a JSONPath", d.ID, k, p)
			}
		}
		sort.Strings(unused)
		if len(unused) > 0 {
			t.Errorf("%s: paths never used: %v", d.ID, unused)
		}
	}
}

// TestAPICallGlobalOnly: exactly the detectors of global services (IAM,
// Organizations, Account Management, whose CloudTrail records all carry
// us-east-1) are GlobalOnly, and only organizations is ManagementOnly.
func TestAPICallGlobalOnly(t *testing.T) {
	global := map[string]bool{"aws.iam": true, "aws.organizations": true, "aws.account": true}
	for _, d := range apiCallDetectors {
		allGlobal := true
		for _, v := range d.Build(Options{}) {
			for _, s := range apiSlice(v.Pattern["source"]) {
				if str, ok := s.(string); !ok || !global[str] {
					allGlobal = false
				}
			}
		}
		if d.GlobalOnly != allGlobal {
			t.Errorf("%s: GlobalOnly = %v, want %v", d.ID, d.GlobalOnly, allGlobal)
		}
		if d.ManagementOnly != (d.ID == organizationsDetector.ID) {
			t.Errorf("%s: ManagementOnly = %v", d.ID, d.ManagementOnly)
		}
	}
	if unauthorizedAPICallsDetector.DefaultOn {
		t.Error("unauthorized-api-calls is noisy and must be off by default")
	}
}
