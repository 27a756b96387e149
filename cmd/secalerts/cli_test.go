package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func runCLI(args ...string) output {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return output{code, stdout.String(), stderr.String()}
}

// TestUsageErrors: a command line that cannot run prints one line naming
// the problem, then where to find help, on stderr, and exits 2.
func TestUsageErrors(t *testing.T) {
	event := filepath.Join(eventsDir, "canary", "HIGH--test-high.json")
	for _, tc := range []struct {
		args    []string
		command string // whose help the hint names
		want    string
	}{
		{nil, "secalerts", "name a command: "},
		{[]string{"deploy"}, "secalerts", `unknown command "deploy"`},
		{[]string{"replya"}, "secalerts", `unknown command "replya" (did you mean "replay"?)`},
		{[]string{"--verbose"}, "secalerts", "unknown flag: --verbose"},
		{[]string{"preview"}, "secalerts preview", "takes one stack file, got 0 arguments"},
		{[]string{"preview", "--json"}, "secalerts preview", "takes one stack file, got 0 arguments"},
		{[]string{"preview", hubFile, memberFile}, "secalerts preview", "takes one stack file, got 2 arguments"},
		{[]string{"preview", "--verbose", hubFile}, "secalerts preview", "unknown flag: --verbose"},
		{[]string{"replay"}, "secalerts replay", "--hub HUB_STACK_FILE and --member MEMBER_STACK_FILE are required"},
		{[]string{"replay", "--hub", hubFile, "--member", memberFile}, "secalerts replay", "name at least one event file"},
		{[]string{"replay", "--member", memberFile, event}, "secalerts replay", "--hub HUB_STACK_FILE is required"},
		{[]string{"replay", "--hub", hubFile, event}, "secalerts replay", "--member MEMBER_STACK_FILE is required"},
		{[]string{"replay", "--member", memberFile, "--hub"}, "secalerts replay", "flag needs an argument: --hub"},
		{[]string{"replay", "--hub", hubFile, "--member", memberFile, "--quiet", event}, "secalerts replay", "unknown flag: --quiet"},
		{[]string{"replay", "--json=maybe", "--hub", hubFile, "--member", memberFile, event}, "secalerts replay", `--json "maybe": expected true or false`},
		{[]string{"forecast", "--hub", hubFile}, "secalerts forecast", "--member MEMBER_STACK_FILE is required"},
		{[]string{"forecast", "--hub", hubFile, "--member", memberFile}, "secalerts forecast", "name at least one log file, event file, findings export or directory"},
		{[]string{"diff"}, "secalerts diff", "name the base to compare with: --base GIT_REV or --base-dir DIR"},
		{[]string{"diff", "--base", "main", "--base-dir", "x"}, "secalerts diff", "--base and --base-dir both name the base: give one"},
		{[]string{"diff", "--base-dir"}, "secalerts diff", "flag needs an argument: --base-dir"},
		{[]string{"fleet"}, "secalerts fleet", "name one operation, preview or up"},
		{[]string{"fleet", "destroy", "--inventory", "x"}, "secalerts fleet", "name one operation, preview or up"},
		{[]string{"fleet", "preview"}, "secalerts fleet", "--inventory FILE is required"},
		{[]string{"fleet", "preview", "--inventory", "x", "--parallel", "0"}, "secalerts fleet", "--parallel 0: expected at least 1"},
		{[]string{"fleet", "preview", "--inventory", "x", "--parallel", "many"}, "secalerts fleet", `--parallel "many": expected a whole number`},
		{[]string{"ping"}, "secalerts ping", "--member MEMBER_STACK_FILE is required"},
		{[]string{"ping", "--member", memberFile, "extra"}, "secalerts ping", `takes no arguments, got "extra"`},
		{[]string{"version", "now"}, "secalerts version", "takes no arguments"},
	} {
		out := runCLI(tc.args...)
		if out.code != exitUsage {
			t.Errorf("%q: exit %d, want %d", tc.args, out.code, exitUsage)
		}
		want := tc.command + ": " + tc.want
		lines := strings.Split(strings.TrimSuffix(out.stderr, "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], want) || lines[1] != "Run '"+tc.command+" -h' for help." {
			t.Errorf("%q: stderr\n%s\nwant one line starting %q, then Run '%s -h' for help.", tc.args, out.stderr, want, tc.command)
		}
		if out.stdout != "" || strings.Contains(out.stderr, "<nil>") {
			t.Errorf("%q: stdout %q, stderr %q", tc.args, out.stdout, out.stderr)
		}
	}
}

// TestHelp: -h anywhere, --help and help COMMAND print that command's
// help on stdout and exit 0: its usage, every flag with its default, the
// environment it reads and its exit codes.
func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"-h"}, []string{"Usage:\n  secalerts <command>", "  replay ", "  completion ", "  version ", "  3  diff --fail-on-change"}},
		{[]string{"help"}, []string{"Usage:\n  secalerts <command>"}},
		{[]string{"--help"}, []string{"Usage:\n  secalerts <command>"}},
		{[]string{"help", "replay"}, []string{"Usage:\n  secalerts replay --hub HUB_STACK_FILE"}},
		{[]string{"preview", "-h"}, []string{"Usage:\n  secalerts preview [--json] STACK_FILE", "--json  ", "(default: false)", "PATH"}},
		{[]string{"replay", "--hub", hubFile, "-h"}, []string{"--hub HUB_STACK_FILE", "(required)", "none: no AWS credentials", "  1  a stack file is invalid, the stacks do not pair"}},
		{[]string{"forecast", "-h"}, []string{"--html FILE", "(default: none)"}},
		{[]string{"diff", "-h"}, []string{"--head-dir DIR", "(default: .)", "(default: Pulumi.hub.yaml)", "GOFLAGS", "  3  --fail-on-change"}},
		{[]string{"fleet", "up", "--help"}, []string{"--parallel N", "(default: 4)", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "AWS_PROFILE", "  2  usage error, or up without --yes"}},
		{[]string{"ping", "-h"}, []string{"(default: HIGH)", "(default: the member's home region)", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"}},
		{[]string{"version", "-h"}, []string{"Usage:\n  secalerts version"}},
		{[]string{"completion", "bash", "-h"}, []string{"Usage:\n  secalerts completion bash"}},
	} {
		out := runCLI(tc.args...)
		if out.code != exitOK || out.stderr != "" {
			t.Errorf("%q: exit %d, stderr %q", tc.args, out.code, out.stderr)
			continue
		}
		// Wrapped lines are read as one.
		collapsed := strings.Join(strings.Fields(out.stdout), " ")
		for _, w := range append([]string{"Flags:\n", "-h, --help", "Exit codes:\n  0  ", "  2  "}, tc.want...) {
			if !strings.Contains(out.stdout, w) && !strings.Contains(collapsed, w) {
				t.Errorf("%q: the help lacks %q:\n%s", tc.args, w, out.stdout)
			}
		}
	}
}

// TestEveryFlagHasItsDefault: each command's help says, for every flag,
// its default or that it is required, and lists its environment and exit
// codes.
func TestEveryFlagHasItsDefault(t *testing.T) {
	root := newRoot(&bytes.Buffer{}, &bytes.Buffer{})
	for _, cmd := range root.Commands() {
		if cmd.Name() == "help" || cmd.Name() == "completion" {
			continue
		}
		out := runCLI(cmd.Name(), "-h")
		if !strings.Contains(out.stdout, "\nEnvironment:\n") || !strings.Contains(out.stdout, "\nExit codes:\n") {
			t.Errorf("%s -h lacks the environment or the exit codes:\n%s", cmd.Name(), out.stdout)
		}
		flags := regexp.MustCompile(`(?m)^  (?:-\w, )?\s*--([\w-]+)`).FindAllStringSubmatch(out.stdout, -1)
		if len(flags) == 0 {
			t.Errorf("%s -h lists no flags", cmd.Name())
		}
		section := out.stdout[strings.Index(out.stdout, "Flags:"):strings.Index(out.stdout, "\nEnvironment:")]
		for _, f := range flags {
			if f[1] == "help" {
				continue
			}
			entry := section[strings.Index(section, "--"+f[1]):]
			if next := strings.Index(entry[2:], "\n  -"); next >= 0 {
				entry = entry[:next+2]
			}
			if !strings.Contains(entry, "(default: ") && !strings.Contains(entry, "(required)") {
				t.Errorf("%s -h: --%s says neither its default nor that it is required:\n%s", cmd.Name(), f[1], entry)
			}
		}
	}
}

func TestVersion(t *testing.T) {
	out := runCLI("version")
	if out.code != exitOK || !regexp.MustCompile(`^secalerts \S+ \(commit .+; go1\.\S+ \w+/\w+\)\n$`).MatchString(out.stdout) {
		t.Errorf("exit %d, stdout %q", out.code, out.stdout)
	}
	saved := []string{version, commit}
	t.Cleanup(func() { version, commit = saved[0], saved[1] })
	version, commit = "1.2.3", "0123456789abcdef"
	if got := runCLI("version").stdout; !strings.HasPrefix(got, "secalerts 1.2.3 (commit 0123456789abcdef;") {
		t.Errorf("with the release's -X values: %q", got)
	}
	if got := runCLI("--version").stdout; !strings.HasPrefix(got, "secalerts 1.2.3 (commit 0123456789abcdef;") {
		t.Errorf("--version: %q", got)
	}
}

func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "bash completion", "zsh": "#compdef secalerts", "fish": "fish completion", "powershell": "Register-ArgumentCompleter",
	} {
		out := runCLI("completion", shell)
		if out.code != exitOK || !strings.Contains(out.stdout, want) {
			t.Errorf("completion %s: exit %d, no %q in %d bytes; stderr %q", shell, out.code, want, len(out.stdout), out.stderr)
		}
	}
	// Shells complete fleet's operation from its valid arguments.
	out := runCLI("__complete", "fleet", "")
	if !strings.Contains(out.stdout, "preview\n") || !strings.Contains(out.stdout, "up\n") {
		t.Errorf("fleet completes to:\n%s", out.stdout)
	}
}

// TestExitCodes runs a command for each documented exit code but 3, which
// TestDiffEndToEnd checks (it builds the tool twice).
func TestExitCodes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"id": `), 0o644); err != nil {
		t.Fatal(err)
	}
	event := filepath.Join(eventsDir, "canary", "HIGH--test-high.json")
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"success", []string{"replay", "--hub", hubFile, "--member", memberFile, event}, exitOK},
		{"version", []string{"version"}, exitOK},
		{"a malformed event", []string{"replay", "--hub", hubFile, "--member", memberFile, event, bad}, exitFailed},
		{"a missing stack file", []string{"replay", "--hub", "Pulumi.absent.yaml", "--member", memberFile, event}, exitFailed},
		{"usage", []string{"replay", event}, exitUsage},
	} {
		if out := runCLI(tc.args...); out.code != tc.code {
			t.Errorf("%s: exit %d, want %d\n%s", tc.name, out.code, tc.code, out.stderr)
		}
	}
}
