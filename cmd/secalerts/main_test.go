package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"secalerts/config"
	"secalerts/detectors"
	"secalerts/engine"
	"secalerts/internal/stacktest"
	"secalerts/names"
	"secalerts/preview"
	"secalerts/severity"
)

const (
	hubFile    = "../../Pulumi.hub.yaml"
	memberFile = "../../Pulumi.member.yaml"
	eventsDir  = "../../testdata/events"
	// webhookCiphertext is the secure value of acme's webhook URL in
	// Pulumi.hub.yaml.
	webhookCiphertext = "example-only-replace-me"
)

type output struct {
	code           int
	stdout, stderr string
}

// Each invocation runs once per test binary: previews take seconds.
var (
	runsMu sync.Mutex
	runs   = map[string]*cachedRun{}
)

type cachedRun struct {
	once sync.Once
	out  output
}

func invoke(args ...string) output {
	runsMu.Lock()
	key := strings.Join(args, "\x00")
	c := runs[key]
	if c == nil {
		c = &cachedRun{}
		runs[key] = c
	}
	runsMu.Unlock()
	c.once.Do(func() {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		c.out = output{code, stdout.String(), stderr.String()}
	})
	return c.out
}

func corpus(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(eventsDir, "*", "*.json"))
	if err != nil || len(files) < 50 {
		t.Fatalf("reading the event corpus: %d files, %v", len(files), err)
	}
	sort.Strings(files)
	return files
}

func replayCorpus(t *testing.T) output {
	t.Helper()
	return invoke(append([]string{"replay", "--hub", hubFile, "--member", memberFile, "--json"}, corpus(t)...)...)
}

func TestPreviewTree(t *testing.T) {
	out := invoke("preview", hubFile)
	if out.code != 0 || out.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", out.code, out.stderr)
	}
	for _, want := range []string{"+ pulumi:pulumi:Stack secalerts-hub", "+ secalerts:index:HubAccount secalerts",
		"aws:ssm/parameter:Parameter secalerts-acme-webhook-pager", "aws:lambda/function:Function secalerts-delivery"} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("the tree has no %q:\n%s", want, out.stdout)
		}
	}
}

type step struct {
	Op       string `json:"op"`
	URN      string `json:"urn"`
	NewState *struct {
		Type   string         `json:"type"`
		URN    string         `json:"urn"`
		Inputs map[string]any `json:"inputs"`
	} `json:"newState"`
}

func TestPreviewJSON(t *testing.T) {
	out := invoke("preview", "--json", hubFile)
	if out.code != 0 || out.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", out.code, out.stderr)
	}
	var doc struct {
		Steps []step `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out.stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if len(doc.Steps) < 10 {
		t.Fatalf("%d steps", len(doc.Steps))
	}
	types := map[string]int{}
	var endpoints []any
	for i, s := range doc.Steps {
		if s.Op == "" || s.URN == "" || s.NewState == nil || s.NewState.Type == "" || s.NewState.Inputs == nil {
			t.Errorf("step %d lacks op, urn, newState.type or newState.inputs: %+v", i, s)
			continue
		}
		parts := strings.Split(s.URN, "::")
		if s.NewState.URN != s.URN || len(parts) != 4 || parts[0] != "urn:pulumi:hub" || parts[1] != "secalerts" ||
			!strings.HasSuffix(parts[2], s.NewState.Type) {
			t.Errorf("step %d: urn %s, newState.urn %s, type %s", i, s.URN, s.NewState.URN, s.NewState.Type)
		}
		types[s.NewState.Type]++
		if s.NewState.Type == "aws:ssm/parameter:Parameter" {
			endpoints = append(endpoints, s.NewState.Inputs["value"])
		}
	}
	if types["pulumi:pulumi:Stack"] != 1 || types["secalerts:index:HubAccount"] != 1 {
		t.Errorf("want one stack and one HubAccount step, got %v", types)
	}
	if len(endpoints) != 1 || endpoints[0] != "[secret]" {
		t.Errorf("the webhook parameter's value = %v, want [secret]", endpoints)
	}
}

// TestSecretsNeverPrinted: the webhook URL is a secret; offline it is
// SecretPlaceholder, and neither it nor the ciphertext may be printed.
func TestSecretsNeverPrinted(t *testing.T) {
	outs := map[string]output{
		"preview":        invoke("preview", hubFile),
		"preview --json": invoke("preview", "--json", hubFile),
		"replay --json":  replayCorpus(t),
		"replay":         invoke("replay", "--hub", hubFile, "--member", memberFile, filepath.Join(eventsDir, "root-signin", "CRITICAL--success-without-mfa.json")),
	}
	for name, out := range outs {
		if out.code != 0 {
			t.Errorf("%s: exit %d: %s", name, out.code, out.stderr)
		}
		for _, secret := range []string{preview.SecretPlaceholder, "secret.invalid", webhookCiphertext} {
			if strings.Contains(out.stdout, secret) || strings.Contains(out.stderr, secret) {
				t.Errorf("%s prints %q", name, secret)
			}
		}
	}
	// The human replay did reach the webhook, so the check above saw its
	// delivery.
	if !strings.Contains(outs["replay"].stdout, "webhook:") {
		t.Errorf("the CRITICAL root sign-in reaches no webhook:\n%s", outs["replay"].stdout)
	}
}

func TestInvalidStackFile(t *testing.T) {
	example, err := os.ReadFile(hubFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, old, new, key string
	}{
		{"bad severity", "minSeverity: HIGH", "minSeverity: URGENT", "secalerts:hub.customers[0].slack[0].minSeverity"},
		{"bad account ID", `accountId: "999999999999"`, `accountId: "99999"`, "secalerts:hub.accountId"},
		{"unknown role", "secalerts:role: hub", "secalerts:role: spoke", "secalerts:role"},
		{"missing hub", "  secalerts:hub:\n", "  unrelated:\n", "secalerts:hub"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := strings.Replace(string(example), tc.old, tc.new, 1)
			if content == string(example) {
				t.Fatalf("Pulumi.hub.yaml has no %q; update this test", tc.old)
			}
			path := stacktest.StackFile(t, "bad", content)
			for _, args := range [][]string{{"preview", path}, {"preview", "--json", path}} {
				var stdout, stderr bytes.Buffer
				code := run(args, &stdout, &stderr)
				if code != 1 {
					t.Errorf("%v: exit %d, want 1", args, code)
				}
				if !strings.Contains(stderr.String(), tc.key) {
					t.Errorf("%v: stderr does not name %s:\n%s", args, tc.key, stderr.String())
				}
				if stdout.Len() != 0 {
					t.Errorf("%v: prints resources for an invalid stack:\n%s", args, stdout.String())
				}
			}
		})
	}
}

// result is what replay --json prints per event; every key must be there.
type result struct {
	File       *string `json:"file"`
	Forwarded  *bool   `json:"forwarded"`
	Detector   *string `json:"detector"`
	Severity   *string `json:"severity"`
	Customer   string  `json:"customer"`
	Deliveries *[]struct {
		Destination string `json:"destination"`
		Message     string `json:"message"`
	} `json:"deliveries"`
	Message *string `json:"message"`
	Index   int     `json:"index"`
	Quiet   string  `json:"quiet"`
	// A message of the tick has its time instead of a file.
	Time    string `json:"time"`
	Summary bool   `json:"summary"`
	Covers  []struct {
		File  string `json:"file"`
		Index int    `json:"index"`
	} `json:"covers"`
}

// parseResults reads replay --json: the events' results by file, and the
// tick's messages.
func parseResults(t *testing.T, stdout string) (map[string]result, []result) {
	t.Helper()
	out := map[string]result{}
	var ticks []result
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line is not a JSON object: %v\n%s", err, sc.Text())
		}
		if r.File == nil || r.Forwarded == nil || r.Detector == nil || r.Severity == nil || r.Deliveries == nil || r.Message == nil {
			t.Fatalf("a result lacks file, forwarded, detector, severity, deliveries or message:\n%s", sc.Text())
		}
		if r.Time != "" {
			ticks = append(ticks, r)
			continue
		}
		if _, dup := out[*r.File]; dup {
			t.Errorf("two results for %s", *r.File)
		}
		out[*r.File] = r
	}
	return out, ticks
}

// expectations holds what the example stacks say about an event, derived
// from their configuration and the catalogue, not from the tool.
type expectations struct {
	member  *config.Member
	regions []string
	acme    config.Customer
}

func loadExpectations(t *testing.T) expectations {
	t.Helper()
	ms, err := preview.LoadStackFile(memberFile)
	if err != nil {
		t.Fatal(err)
	}
	m, err := config.ParseMember([]byte(ms.Config["secalerts:member"]))
	if err != nil {
		t.Fatal(err)
	}
	hs, err := preview.LoadStackFile(hubFile)
	if err != nil {
		t.Fatal(err)
	}
	h, err := config.ParseHub([]byte(hs.Config["secalerts:hub"]), hs.Secret)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(h.Customers, func(c config.Customer) bool { return c.Name == "acme" })
	if i < 0 {
		t.Fatal("Pulumi.hub.yaml has no customer acme")
	}
	acme := &h.Customers[i]
	wantBus := h.Account().EventBusARN(names.Bus("acme"))
	if m.HubEventBusARN != wantBus {
		t.Fatalf("the example member forwards to %s, not acme's bus %s; update this test", m.HubEventBusARN, wantBus)
	}
	regions := m.Regions
	if m.DiscoverRegions {
		// What the offline tool answers region discovery with.
		regions = config.DefaultRegions()
	}
	return expectations{member: m, regions: regions, acme: *acme}
}

// forwards reports whether the member forwards an event of detector id with
// severity sev from region, per its settings.
func (e expectations) forwards(t *testing.T, id string, sev severity.Severity, region, configRule string) bool {
	d, err := detectors.ByID(id)
	if err != nil {
		t.Fatalf("directory %s: %v", id, err)
	}
	on, min := d.DefaultOn, e.member.MinSeverity
	if d.ManagementOnly && !e.member.ManagementAccount {
		on = false
	}
	// Hub-only events (heartbeat-missing) are born in the hub, which puts
	// them on the member's customer bus itself: member settings do not
	// apply.
	if d.HubOnly {
		return true
	}
	if s, ok := e.member.Detectors[id]; ok {
		if s.Enabled != nil {
			on = *s.Enabled
		}
		if s.MinSeverity != nil {
			min = *s.MinSeverity
		}
		if len(s.ConfigRuleNames) > 0 && !slices.Contains(s.ConfigRuleNames, configRule) {
			on = false
		}
	}
	return on && sev >= min && slices.Contains(e.regions, region) && d.AppliesTo(region)
}

// destinations are acme's destinations whose minSeverity sev reaches.
// highest is the highest minimum severity of acme's destinations.
func (e expectations) highest() severity.Severity {
	var h severity.Severity
	for _, s := range e.acme.Slack {
		h = max(h, s.MinSeverity)
	}
	for _, s := range e.acme.Teams {
		h = max(h, s.MinSeverity)
	}
	for _, m := range e.acme.Emails {
		h = max(h, m.MinSeverity)
	}
	for _, w := range e.acme.Webhooks {
		h = max(h, w.MinSeverity)
	}
	return h
}

func (e expectations) destinations(sev severity.Severity) []string {
	var out []string
	for _, s := range e.acme.Slack {
		if s.MinSeverity <= sev {
			out = append(out, "slack:"+s.WorkspaceID+"/"+s.ChannelID)
		}
	}
	for _, s := range e.acme.Teams {
		if s.MinSeverity <= sev {
			out = append(out, "teams:"+s.TeamID+"/"+s.ChannelID)
		}
	}
	for _, m := range e.acme.Emails {
		if m.MinSeverity <= sev {
			out = append(out, "email:"+m.Address)
		}
	}
	for _, w := range e.acme.Webhooks {
		if w.MinSeverity <= sev {
			// The delivery function calls webhooks by name.
			out = append(out, "webhook:"+w.Name)
		}
	}
	sort.Strings(out)
	return out
}

func TestReplayCorpus(t *testing.T) {
	out := replayCorpus(t)
	if out.code != 0 || out.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", out.code, out.stderr)
	}
	results, ticks := parseResults(t, out.stdout)
	files := corpus(t)
	// What the flood summaries count.
	summarized := map[string]bool{}
	for _, tk := range ticks {
		for _, c := range tk.Covers {
			if tk.Summary {
				summarized[c.File] = true
			}
		}
	}
	if len(results) != len(files) {
		t.Errorf("%d results for %d files", len(results), len(files))
	}
	exp := loadExpectations(t)
	checked := map[string]int{}
	for _, f := range files {
		r, ok := results[f]
		if !ok {
			t.Errorf("%s: no result", f)
			continue
		}
		id := filepath.Base(filepath.Dir(f))
		prefix, _, _ := strings.Cut(filepath.Base(f), "--")
		var deliveries []string
		for _, d := range *r.Deliveries {
			deliveries = append(deliveries, d.Destination)
		}
		sort.Strings(deliveries)

		switch prefix {
		case "none", "elsewhere":
			if *r.Forwarded && len(deliveries) > 0 {
				t.Errorf("%s: delivered to %v", f, deliveries)
			}
			checked[prefix]++
			continue
		}
		sev, err := severity.Parse(prefix)
		if err != nil {
			t.Errorf("%s: file name prefix: %v", f, err)
			continue
		}
		var ev struct {
			Region string
			Detail struct {
				ConfigRuleName string
			}
		}
		data, err := os.ReadFile(f)
		if err != nil || json.Unmarshal(data, &ev) != nil {
			t.Fatalf("%s: reading the event: %v", f, err)
		}
		if !exp.forwards(t, id, sev, ev.Region, ev.Detail.ConfigRuleName) {
			if len(deliveries) > 0 {
				t.Errorf("%s: the member settings drop it, yet it is delivered to %v", f, deliveries)
			}
			checked["dropped by the member"]++
			continue
		}
		checked["delivered"]++
		if !*r.Forwarded || r.Customer != "acme" {
			t.Errorf("%s: forwarded %v to customer %q, want forwarded to acme", f, *r.Forwarded, r.Customer)
		}
		d, _ := detectors.ByID(id)
		if id == detectors.CanaryID && sev > exp.acme.CanaryMaxSeverity {
			if len(deliveries) > 0 {
				t.Errorf("%s: a canary above canaryMaxSeverity delivered to %v", f, deliveries)
			}
			checked["canary above its maximum"]++
			continue
		}
		if *r.Detector != id || *r.Severity != prefix {
			t.Errorf("%s: detector %q severity %q, want %s %s", f, *r.Detector, *r.Severity, id, prefix)
		}
		// Kept quiet: a finding already reported, or one of a flood, which
		// a summary must count.
		if r.Quiet != "" {
			if len(deliveries) > 0 || (r.Quiet == engine.QuietFlood && !summarized[f]) || (r.Quiet != engine.QuietFlood && r.Quiet != engine.QuietDuplicate) {
				t.Errorf("%s: kept quiet (%s), delivered to %v, counted in a summary: %v", f, r.Quiet, deliveries, summarized[f])
			}
			checked["quiet: "+r.Quiet]++
			continue
		}
		routed := sev
		if d.Tamper {
			// Tampering reaches the highest destination too.
			routed = max(sev, exp.highest())
		}
		want := exp.destinations(routed)
		if d.HubOnly || d.Tamper {
			// The operator hears of the hub's reports and of tampering.
			want = append(want, engine.OperatorID)
			sort.Strings(want)
		}
		if !slices.Equal(deliveries, want) {
			t.Errorf("%s: delivered to %v, want %v", f, deliveries, want)
		}
	}
	// The corpus exercises every kind of expectation.
	for _, k := range []string{"none", "elsewhere", "dropped by the member", "delivered", "quiet: flood", "canary above its maximum"} {
		if checked[k] == 0 {
			t.Errorf("no event checked as %s", k)
		}
	}
	t.Logf("checked: %v", checked)
}

func TestReplayMalformedEvents(t *testing.T) {
	dir := t.TempDir()
	bad := map[string]string{
		"truncated.json":  `{"version": "0", "id": "x", "source": "secalerts.canary", "detail-type": `,
		"non-object.json": `[42]`,
		"no-source.json":  `{"version": "0", "id": "x", "detail-type": "secalerts canary", "account": "111111111111", "region": "eu-west-1", "detail": {"severity": "HIGH"}}`,
	}
	var badPaths []string
	for name, content := range bad {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		badPaths = append(badPaths, p)
	}
	sort.Strings(badPaths)
	good := []string{
		filepath.Join(eventsDir, "canary", "HIGH--test-high.json"),
		filepath.Join(eventsDir, "canary", "none--other-detail-type.json"),
	}
	// Malformed files first, between and last: none stops the others.
	args := []string{"replay", "--hub", hubFile, "--member", memberFile, "--json",
		badPaths[0], good[0], badPaths[1], good[1], badPaths[2]}
	out := invoke(args...)
	if out.code != 1 {
		t.Errorf("exit %d, want 1", out.code)
	}
	for _, p := range badPaths {
		if !strings.Contains(out.stderr, p) {
			t.Errorf("stderr does not name %s:\n%s", p, out.stderr)
		}
	}
	results, _ := parseResults(t, out.stdout)
	if len(results) != len(good) {
		t.Errorf("%d results, want one per good file:\n%s", len(results), out.stdout)
	}
	for _, g := range good {
		if _, ok := results[g]; !ok {
			t.Errorf("%s was not replayed", g)
		}
	}
	if r := results[good[0]]; r.Deliveries == nil || len(*r.Deliveries) == 0 {
		t.Errorf("%s: not delivered next to malformed files", good[0])
	}
}

func TestReplayHumanOutputReadsChatMessages(t *testing.T) {
	event := filepath.Join(eventsDir, "root-signin", "CRITICAL--success-without-mfa.json")
	out := invoke("replay", "--hub", hubFile, "--member", memberFile, event)
	if out.code != 0 {
		t.Fatalf("exit %d: %s", out.code, out.stderr)
	}
	jsonOut := invoke("replay", "--hub", hubFile, "--member", memberFile, "--json", event)
	var r struct {
		Deliveries []struct{ Destination, Message string }
	}
	if err := json.Unmarshal([]byte(jsonOut.stdout), &r); err != nil {
		t.Fatal(err)
	}
	var chat struct {
		Content struct {
			Title, Description string
			NextSteps          []string
		}
	}
	var email string
	for _, d := range r.Deliveries {
		switch {
		case strings.HasPrefix(d.Destination, "slack:"):
			if err := json.Unmarshal([]byte(d.Message), &chat); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(d.Destination, "email:"):
			email = d.Message
		}
	}
	if chat.Content.Title == "" || len(chat.Content.NextSteps) == 0 || email == "" {
		t.Fatalf("the CRITICAL root sign-in has no chat message with next steps or no e-mail: %+v", r.Deliveries)
	}
	if strings.Contains(out.stdout, `"version":"1.0"`) || strings.Contains(out.stdout, `"textType"`) {
		t.Errorf("the human output prints the Chatbot JSON:\n%s", out.stdout)
	}
	lines := strings.Split(out.stdout, "\n")
	hasLine := func(want string) bool {
		for _, l := range lines {
			if strings.TrimSpace(l) == strings.TrimSpace(want) {
				return true
			}
		}
		return false
	}
	for _, want := range append([]string{chat.Content.Title}, chat.Content.NextSteps...) {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("the human output lacks %q", want)
		}
	}
	for _, l := range strings.Split(chat.Content.Description, "\n") {
		if l != "" && !hasLine(l) {
			t.Errorf("the description line %q is not a line of the output", l)
		}
	}
	for _, l := range strings.Split(email, "\n") {
		if l != "" && !hasLine(l) {
			t.Errorf("the e-mail line %q is not printed as it is", l)
		}
	}
	// Both Slack channels get the same message: it is printed once, under
	// one arrow naming both.
	if n := strings.Count(out.stdout, "  -> slack:"); n != 1 || !strings.Contains(out.stdout, "  -> slack:T0000000001/C0000000001, slack:T0000000001/C0000000002\n") {
		t.Errorf("the Slack message is printed %d times, or not once for both channels:\n%s", n, out.stdout)
	}
}

func TestReplaySwappedStackFiles(t *testing.T) {
	event := filepath.Join(eventsDir, "canary", "HIGH--test-high.json")
	out := invoke("replay", "--hub", memberFile, "--member", hubFile, event)
	if out.code != 1 || !strings.Contains(out.stderr, "--hub") || !strings.Contains(out.stderr, "secalerts:role") {
		t.Errorf("exit %d, stderr %q: want 1 and an error naming --hub and secalerts:role", out.code, out.stderr)
	}
	if out.stdout != "" {
		t.Errorf("replayed with swapped stacks:\n%s", out.stdout)
	}
}

// TestPreviewWarnsOfSuppressionsThatCannotMatch: an expired suppression and
// one whose accounts the customer does not have are named on stderr, as
// pulumi preview shows the program's warnings; the preview still succeeds.
func TestPreviewWarnsOfSuppressionsThatCannotMatch(t *testing.T) {
	example, err := os.ReadFile(hubFile)
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "        suppressions:\n"
	if !strings.Contains(string(example), anchor) {
		t.Fatalf("Pulumi.hub.yaml has no suppressions for acme; update this test")
	}
	content := strings.Replace(string(example), anchor, anchor+
		"          - {name: old-window, reason: a migration, until: 2020-01-31, detectors: [network-changes]}\n"+
		"          - {name: other-account, reason: a sandbox, accounts: [\"444444444444\"]}\n", 1)
	out := invoke("preview", stacktest.StackFile(t, "quiet", content))
	if out.code != 0 {
		t.Fatalf("exit %d: %s", out.code, out.stderr)
	}
	for _, want := range []string{
		`warning: suppression "old-window" of customer acme expired on 2020-01-31 and no longer applies`,
		`warning: suppression "other-account" of customer acme matches nothing: none of its accounts (444444444444) is one of the customer's`,
	} {
		if !strings.Contains(out.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out.stderr)
		}
	}
	if strings.Contains(out.stderr, "terraform-security-groups") {
		t.Errorf("a suppression that can match is warned of:\n%s", out.stderr)
	}
}
