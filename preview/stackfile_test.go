package preview_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"secalerts/config"
	"secalerts/internal/stacktest"
	"secalerts/preview"
)

// Heads of stack files that are right so far; each case adds one mistake.
const (
	withProviders = "config:\n  pulumi:disable-default-providers: [aws]\n"
	hubHead       = withProviders + "  secalerts:role: hub\n  secalerts:hub:\n    accountId: \"999999999999\"\n    region: us-east-1\n"
	memberHead    = withProviders + "  secalerts:role: member\n  secalerts:member:\n    accountId: \"111111111111\"\n"
	customerHead  = hubHead + "    customers:\n      - name: acme\n        accounts:\n          - \"111111111111\"\n"
)

// TestLoadStackFileRefuses: every mistake is one line naming the file, the
// line when the file has one, the key, and what to do.
func TestLoadStackFileRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		at         string   // the text of the line at fault; "" for the file
		want       []string // in the error, besides the file and line
		not        string   // not in the error
	}{
		// Keys the program does not read.
		{name: "key typo", body: hubHead + "  secalerts:hubb: {}\n", at: "secalerts:hubb:",
			want: []string{"secalerts:hubb: unknown key (did you mean secalerts:hub?)"}},
		{name: "key typo without namespace", body: hubHead + "  hubb: {}\n", at: "hubb:",
			want: []string{"secalerts:hubb: unknown key (did you mean secalerts:hub?)"}},
		{name: "setting of the hub at the top", body: hubHead + "  secalerts:regoin: eu-west-1\n", at: "secalerts:regoin",
			want: []string{"secalerts:regoin: unknown key (did you mean secalerts:hub.region?"}},
		{name: "setting of the hub as a path", body: hubHead + "  secalerts:hub.region: eu-west-1\n", at: "secalerts:hub.region",
			want: []string{"secalerts:hub.region: unknown key", "pulumi config set --path 'secalerts:hub.region'"}},
		{name: "namespace missing a letter", body: withProviders + "  secalerts:role: hub\n  secalert:hub: {}\n", at: "secalert:hub",
			want: []string{"secalert:hub: unknown key (did you mean secalerts:hub?)"}},
		{name: "namespace letters swapped", body: withProviders + "  secalerts:role: member\n  secalerst:member: {}\n", at: "secalerst:member",
			want: []string{"secalerst:member: unknown key (did you mean secalerts:member?)"}},
		{name: "namespace capitalised", body: withProviders + "  secalerts:role: hub\n  Secalerts:hub: {}\n", at: "Secalerts:hub",
			want: []string{"Secalerts:hub: unknown key (did you mean secalerts:hub?)"}},
		{name: "key capitalised", body: withProviders + "  secalerts:role: hub\n  secalerts:Hub: {}\n", at: "secalerts:Hub",
			want: []string{"secalerts:Hub: unknown key (did you mean secalerts:hub?)"}},
		{name: "key with a trailing space", body: withProviders + "  secalerts:role: hub\n  \"secalerts:hub \": {}\n", at: `"secalerts:hub "`,
			want: []string{`"secalerts:hub ": unknown key (did you mean secalerts:hub?)`}},
		{name: "aws:region", body: hubHead + "  aws:region: eu-west-1\n", at: "aws:region",
			want: []string{"aws:region: not read by secalerts", "secalerts:hub.region", "pulumi config rm aws:region"}},
		{name: "aws:profile", body: hubHead + "  aws:profile: prod\n", at: "aws:profile",
			want: []string{"aws:profile: not read by secalerts", "credentials come from the environment", "aws:assumeRole", "pulumi config rm aws:profile"}},
		{name: "the other role's object", body: hubHead + "  secalerts:member:\n    accountId: \"111111111111\"\n", at: "secalerts:member:",
			want: []string{"secalerts:member: set in a hub stack", "pulumi config rm secalerts:member"}},
		{name: "the hub's object in a member", body: memberHead + "  secalerts:hub: {}\n", at: "secalerts:hub:",
			want: []string{"secalerts:hub: set in a member stack", "pulumi config rm secalerts:hub"}},
		{name: "a key twice", body: hubHead + "  secalerts:role: member\n", at: "secalerts:role: member",
			want: []string{"secalerts:role is set twice (first on line 3)"}},

		// The default AWS provider.
		{name: "default providers not disabled", body: withoutProviders(hubHead), at: "",
			want: []string{"pulumi:disable-default-providers: not set", "pulumi config set --path 'pulumi:disable-default-providers[0]' aws"}},
		{name: "default providers: empty list", body: strings.Replace(hubHead, "[aws]", "[]", 1), at: "pulumi:disable-default-providers",
			want: []string{"pulumi:disable-default-providers: an empty list disables no default provider", "pulumi config set --path 'pulumi:disable-default-providers[0]' aws"}},
		{name: "default providers: another package", body: strings.Replace(hubHead, "[aws]", "[azure]", 1), at: "pulumi:disable-default-providers",
			want: []string{`pulumi:disable-default-providers: ["azure"] does not disable the default AWS provider`, "pulumi config set --path 'pulumi:disable-default-providers[1]' aws"}},

		// YAML.
		{name: "indentation in a nested list", body: customerHead + "         - \"222222222222\"\n        emails: [a@example.com]\n", at: `         - "222222222222"`,
			want: []string{"invalid YAML: did not find expected key (check the indentation of line"}},
		{name: "indentation of a list item", body: customerHead + "   - name: globex\n", at: "   - name: globex",
			want: []string{"invalid YAML", "check the indentation of line"}},
		{name: "tab", body: hubHead + "\talarmEmails: [a@example.com]\n", at: "\talarmEmails",
			want: []string{"invalid YAML", "is indented with a tab: YAML indents with spaces only"}},

		// Numbers YAML changes.
		{name: "hub account ID read as octal", body: strings.Replace(hubHead, `"999999999999"`, "011111111111", 1), at: "accountId: 011111111111",
			want: []string{"secalerts:hub.accountId: 011111111111 is not quoted", "1227133513", "octal", `quote it as written, "011111111111"`}},
		{name: "hub account ID losing its zero", body: strings.Replace(hubHead, `"999999999999"`, "012345678912", 1), at: "accountId: 012345678912",
			want: []string{"secalerts:hub.accountId: 012345678912 is not quoted", "12345678912", `quote it as written, "012345678912"`}, not: `"12345678912"`},
		{name: "customer account read as octal", body: customerHead + "          - 011111111111\n", at: "- 011111111111",
			want: []string{"secalerts:hub.customers[0].accounts[1]: 011111111111 is not quoted", `quote it as written, "011111111111"`}},
		{name: "customer account losing its zero", body: customerHead + "          - 012345678912\n", at: "- 012345678912",
			want: []string{"secalerts:hub.customers[0].accounts[1]: 012345678912 is not quoted", `quote it as written, "012345678912"`}, not: `"12345678912"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := stacktest.StackFile(t, "test", tc.body)
			st, err := preview.LoadStackFile(path)
			if err == nil {
				t.Fatalf("loaded %+v, want an error", st.Config)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("more than one line:\n%s", msg)
			}
			prefix := path + ": "
			if tc.at != "" {
				prefix = fmt.Sprintf("%s:%d: ", path, lineOf(t, tc.body, tc.at))
			}
			if !strings.HasPrefix(msg, prefix) {
				t.Errorf("error does not start with %q:\n%s", prefix, msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not say %q:\n%s", w, msg)
				}
			}
			if tc.not != "" && strings.Contains(msg, tc.not) {
				t.Errorf("error says %q:\n%s", tc.not, msg)
			}
		})
	}
}

// withoutProviders is head without pulumi:disable-default-providers.
func withoutProviders(head string) string {
	return "config:\n" + strings.TrimPrefix(head, withProviders)
}

// lineOf is the line of body that holds text.
func lineOf(t *testing.T, body, text string) int {
	t.Helper()
	for i, l := range strings.Split(body, "\n") {
		if strings.Contains(l, text) {
			return i + 1
		}
	}
	t.Fatalf("no line holds %q", text)
	return 0
}

// TestLoadStackFileReportsEveryProblem: one line each, in one error.
func TestLoadStackFileReportsEveryProblem(t *testing.T) {
	body := withoutProviders(customerHead) + "          - 011111111111\n  aws:region: eu-west-1\n  secalerts:hubb: {}\n"
	_, err := preview.LoadStackFile(stacktest.StackFile(t, "test", body))
	if err == nil {
		t.Fatal("want an error")
	}
	lines := strings.Split(err.Error(), "\n")
	for _, want := range []string{"secalerts:hub.customers[0].accounts[1]", "aws:region", "secalerts:hubb", "pulumi:disable-default-providers: not set"} {
		n := 0
		for _, l := range lines {
			if strings.Contains(l, want) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d lines name %s, want 1:\n%s", n, want, err)
		}
	}
	if len(lines) != 4 {
		t.Errorf("%d lines, want 4:\n%s", len(lines), err)
	}
}

// TestLoadStackFileAcceptsPulumiSettings: the pulumi: namespace is the
// engine's; its documented settings and other keys pass, "*" disables the
// default AWS provider too.
func TestLoadStackFileAcceptsPulumiSettings(t *testing.T) {
	body := strings.Replace(hubHead, "[aws]", "[\"*\"]", 1) + "  pulumi:tags:\n    team: secops\n  pulumi:autonaming:\n    mode: verbatim\n  pulumi:future-setting: true\n"
	if _, err := preview.LoadStackFile(stacktest.StackFile(t, "test", body)); err != nil {
		t.Fatal(err)
	}
}

// TestExampleStackFilesPassTheKeyChecks: what users copy is what is
// checked.
func TestExampleStackFilesPassTheKeyChecks(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(stacktest.Root(t), "Pulumi.*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("%d example stack files at the root, want at least 4: %v", len(files), files)
	}
	for _, path := range files {
		st, err := preview.LoadStackFile(path)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(path), err)
			continue
		}
		keys, known := st.Keys()
		if !known {
			t.Errorf("%s: keys not known", filepath.Base(path))
		}
		if err := config.CheckKeys(keys); err != nil {
			t.Errorf("%s: %v", filepath.Base(path), err)
		}
		if err := config.CheckDefaultProviders(st.Get(config.DisableDefaultProvidersKey)); err != nil {
			t.Errorf("%s: %v", filepath.Base(path), err)
		}
	}
}
