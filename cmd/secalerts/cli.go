package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes, the same for every command. The README's table and every
// command's help say what they mean.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitChanged = 3
)

// exitCode is what one exit code means for one command.
type exitCode struct {
	code    int
	meaning string
}

// exitCodes is the table the root help prints.
var exitCodes = []exitCode{
	{exitOK, "success"},
	{exitFailed, "a failure you can fix: an invalid stack file or inventory, stacks that do not pair, unreadable input, an AWS call refused; the reason is on stderr"},
	{exitUsage, "usage error: unknown command or flag, a missing or extra argument"},
	{exitChanged, "diff --fail-on-change found alerting changes"},
}

// usageExit is the usage line of every command's exit codes.
var usageExit = exitCode{exitUsage, "usage error (one line on stderr, and where to find help)"}

// envVar is an environment variable a command reads, and what for.
type envVar struct {
	name, meaning string
}

// noEnv says a command reads no environment variable of its own.
var noEnv = []envVar{{"", "none: no AWS credentials, no Pulumi CLI"}}

// help is what a command's help says beyond its usage and flags.
type help struct {
	env   []envVar
	exits []exitCode
}

// completionHelp is the help of cobra's completion commands.
var completionHelp = help{env: []envVar{{"", "none"}}, exits: []exitCode{{exitOK, "the script was printed"}, usageExit}}

// usageError is a command line a command cannot run: it is printed as one
// line with where to find help, and the exit code is exitUsage.
type usageError struct {
	command string // as typed: "secalerts replay"
	msg     string
}

func (e *usageError) Error() string { return e.msg }

func usagef(cmd *cobra.Command, format string, args ...any) error {
	return &usageError{command: cmd.CommandPath(), msg: fmt.Sprintf(format, args...)}
}

// silentExit ends a command with an exit code after it has said why
// itself (per-event errors, a summary, a diff).
type silentExit int

func (e silentExit) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// Flag annotations the help reads.
const (
	annotationRequired    = "secalerts_required"
	annotationDefault     = "secalerts_default"
	annotationPlaceholder = "secalerts_placeholder"
)

// flagValue names the value of a flag in the help and in usage errors
// ("--hub HUB_STACK_FILE").
func flagValue(cmd *cobra.Command, name, placeholder string) {
	if err := cmd.Flags().SetAnnotation(name, annotationPlaceholder, []string{placeholder}); err != nil {
		panic(err)
	}
}

// placeholder is the name of a flag's value, "" for a switch.
func placeholder(f *pflag.Flag) string {
	if p := f.Annotations[annotationPlaceholder]; p != nil {
		return p[0]
	}
	if f.Value.Type() == "bool" {
		return ""
	}
	return strings.ToUpper(f.Value.Type())
}

// required marks flags the command cannot run without; the command itself
// checks them, so that the usage error reads like the others.
func required(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		if err := cmd.Flags().SetAnnotation(n, annotationRequired, []string{"true"}); err != nil {
			panic(err) // a flag name typo in this file
		}
	}
}

// defaultText is what the help says is the default of a flag whose zero
// value stands for something else ("the member's home region").
func defaultText(cmd *cobra.Command, name, text string) {
	if err := cmd.Flags().SetAnnotation(name, annotationDefault, []string{text}); err != nil {
		panic(err)
	}
}

// needFlags returns the usage error for required flags left empty.
func needFlags(cmd *cobra.Command, names ...string) error {
	var missing []string
	for _, n := range names {
		f := cmd.Flags().Lookup(n)
		if f.Value.String() == "" {
			missing = append(missing, strings.TrimSpace("--"+n+" "+placeholder(f)))
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return usagef(cmd, "%s is required", missing[0])
	}
	return usagef(cmd, "%s and %s are required", strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
}

// cli is one run of the tool: its output streams and each command's help.
type cli struct {
	stdout, stderr io.Writer
	helps          map[*cobra.Command]help
}

// add registers a subcommand with its help.
func (c *cli) add(parent, cmd *cobra.Command, h help) {
	cmd.DisableFlagsInUseLine = true
	cmd.Flags().SortFlags = false
	c.helps[cmd] = h
	parent.AddCommand(cmd)
}

// newRoot builds the command tree.
func newRoot(stdout, stderr io.Writer) *cobra.Command {
	c := &cli{stdout: stdout, stderr: stderr, helps: map[*cobra.Command]help{}}
	root := &cobra.Command{
		Use:   "secalerts <command>",
		Short: "the secalerts offline tool",
		Long: `secalerts previews a stack file and replays events through the pipeline of a
member and its hub, offline: no AWS credentials, no Pulumi CLI. It also
forecasts alerts from CloudTrail logs, compares two versions' alerts, rolls
member stacks out to a fleet and sends a canary through the deployed pipeline.`,
		Args:                  cobra.ArbitraryArgs,
		SilenceErrors:         true,
		SilenceUsage:          true,
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef(cmd, "name a command: %s", strings.Join(commandNames(cmd), ", "))
			}
			msg := fmt.Sprintf("unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return usagef(cmd, "%s", msg)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SuggestionsMinimumDistance = 2
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		var bad *pflag.InvalidValueError
		if errors.As(err, &bad) {
			return usagef(cmd, "--%s %q: expected %s", bad.GetFlag().Name, bad.GetValue(), valueKind(bad.GetFlag()))
		}
		return usagef(cmd, "%s", err)
	})
	root.SetHelpFunc(c.writeHelp)
	c.helps[root] = help{exits: exitCodes}

	c.add(root, newPreviewCmd(c), previewHelp)
	c.add(root, newReplayCmd(c), replayHelp)
	c.add(root, newForecastCmd(c), forecastHelp)
	c.add(root, newDiffCmd(c), diffHelp)
	c.add(root, newFleetCmd(c), fleetHelp)
	c.add(root, newPingCmd(c), pingHelp)
	c.add(root, newSCPCmd(c), scpHelp)
	c.add(root, newVersionCmd(c), versionHelp)
	root.Version = versionString()
	root.SetVersionTemplate("{{.Version}}\n")
	// cobra's own commands, made now to read like the others.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, sub := range root.Commands() {
		switch sub.Name() {
		case "help":
			sub.Short = "show the help of a command"
		case "completion":
			sub.Short = "print a shell completion script (bash, zsh, fish or powershell)"
			c.helps[sub] = completionHelp
			for _, shell := range sub.Commands() {
				c.helps[shell] = completionHelp
			}
		}
	}
	return root
}

// valueKind says what a flag's value must be.
func valueKind(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "int":
		return "a whole number"
	case "bool":
		return "true or false"
	}
	return "a " + f.Value.Type()
}

func commandNames(root *cobra.Command) []string {
	var out []string
	for _, sub := range root.Commands() {
		if sub.IsAvailableCommand() {
			out = append(out, sub.Name())
		}
	}
	return out
}

// run runs the tool with args and returns its exit code.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	if args == nil {
		// cobra reads os.Args when given nil.
		args = []string{}
	}
	root.SetArgs(args)
	_, err := root.ExecuteC()
	return exit(stderr, err)
}

// exit prints what err says and returns the exit code for it.
func exit(stderr io.Writer, err error) int {
	var usage *usageError
	var silent silentExit
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &silent):
		return int(silent)
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "%s: %s\nRun '%s -h' for help.\n", usage.command, usage.msg, usage.command)
		return exitUsage
	}
	report(stderr, err)
	return exitFailed
}

// writeHelp prints a command's help: what it does, its usage, its
// subcommands, every flag with its default, the environment variables it
// reads and its exit codes.
func (c *cli) writeHelp(cmd *cobra.Command, _ []string) {
	var b strings.Builder
	if text := strings.TrimSpace(cmd.Long); text != "" {
		b.WriteString(text + "\n\n")
	} else if cmd.Short != "" {
		b.WriteString(cmd.Short + "\n\n")
	}
	b.WriteString("Usage:\n  " + cmd.UseLine() + "\n")
	if cmd.HasAvailableSubCommands() {
		b.WriteString("\nCommands:\n")
		var rows [][2]string
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				rows = append(rows, [2]string{sub.Name(), sub.Short})
			}
		}
		writeTable(&b, rows)
	}
	b.WriteString("\nFlags:\n")
	var rows [][2]string
	for _, fs := range []*pflag.FlagSet{cmd.LocalFlags(), cmd.InheritedFlags()} {
		fs.VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				rows = append(rows, flagRow(f))
			}
		})
	}
	writeTable(&b, rows)
	h, ok := c.helps[cmd]
	if !ok {
		// cobra's own commands (completion, help).
		h = help{exits: []exitCode{{exitOK, "success"}, usageExit}}
	}
	switch {
	case len(h.env) == 1 && h.env[0].name == "":
		b.WriteString("\nEnvironment:\n  " + h.env[0].meaning + "\n")
	case len(h.env) > 0:
		b.WriteString("\nEnvironment:\n")
		rows = rows[:0]
		for _, e := range h.env {
			rows = append(rows, [2]string{e.name, e.meaning})
		}
		writeTable(&b, rows)
	}
	b.WriteString("\nExit codes:\n")
	rows = rows[:0]
	for _, e := range h.exits {
		rows = append(rows, [2]string{fmt.Sprint(e.code), e.meaning})
	}
	writeTable(&b, rows)
	if ex := strings.TrimRight(cmd.Example, "\n"); ex != "" {
		b.WriteString("\nExamples:\n" + ex + "\n")
	}
	if !cmd.HasParent() {
		b.WriteString("\nRun 'secalerts <command> -h' for a command's flags, environment and exit codes.\n")
	}
	fmt.Fprint(cmd.OutOrStdout(), b.String())
}

// flagRow is a flag's names and value, and its usage with its default.
func flagRow(f *pflag.Flag) [2]string {
	varname, usage := placeholder(f), f.Usage
	names := "    --" + f.Name
	if f.Shorthand != "" {
		names = "-" + f.Shorthand + ", --" + f.Name
	}
	if varname != "" {
		names += " " + varname
	}
	switch {
	case f.Name == "help":
		usage = "show this help"
	case f.Name == "version":
		usage = "print the version, as secalerts version does"
	case f.Annotations[annotationRequired] != nil:
		usage += " (required)"
	case f.Annotations[annotationDefault] != nil:
		usage += " (default: " + f.Annotations[annotationDefault][0] + ")"
	case f.DefValue == "" || f.DefValue == "[]":
		usage += " (default: none)"
	default:
		usage += " (default: " + f.DefValue + ")"
	}
	return [2]string{names, usage}
}

// writeTable writes rows as two aligned columns, indented, the second
// wrapped at 80 columns; a first column too wide for that gets a line of its
// own.
func writeTable(b *strings.Builder, rows [][2]string) {
	const widest = 28
	width := 0
	for _, r := range rows {
		if len(r[0]) <= widest {
			width = max(width, len(r[0]))
		}
	}
	indent := strings.Repeat(" ", 2+width+2)
	for _, r := range rows {
		lines := wrap(r[1], 80-len(indent))
		if len(r[0]) > width {
			fmt.Fprintf(b, "  %s\n", r[0])
		} else {
			fmt.Fprintf(b, "  %-*s  %s\n", width, r[0], lines[0])
			lines = lines[1:]
		}
		for _, l := range lines {
			b.WriteString(indent + l + "\n")
		}
	}
}

// wrap breaks text into lines of at most width characters, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}
