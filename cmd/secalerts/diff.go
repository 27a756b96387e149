package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/spf13/cobra"

	"secalerts/alertdiff"
)

var diffHelp = help{
	env: []envVar{
		{"PATH", "must hold go, to build each version, and git, for --base"},
		{"GOFLAGS, GOPROXY, GOTOOLCHAIN, ...", "the Go environment the two builds use"},
	},
	exits: []exitCode{
		{exitOK, "the diff was printed (with changes only without --fail-on-change)"},
		{exitFailed, "the diff could not run: a version does not build, its stack files are invalid or do not pair, the events cannot be read, git cannot check out --base"},
		usageExit,
		{exitChanged, "--fail-on-change, and some event starts or stops alerting or changes severity, recipients or message"},
	},
}

type diffOptions struct {
	base, baseDir, headDir, hub, member string
	markdown, failOnChange              bool
}

func newDiffCmd(c *cli) *cobra.Command {
	var o diffOptions
	cmd := &cobra.Command{
		Use:   "diff (--base GIT_REV | --base-dir DIR) [--head-dir DIR] [--hub FILE] [--member FILE] [--markdown] [--fail-on-change] [EVENT_FILE_OR_DIR...]",
		Short: "show what a change does to the alerts",
		Long: `Build and run each version's own replay over the same events (default: the
head's testdata/events) and print which events start or stop alerting, or
change severity, recipients or message. Each version uses its own program and
its own stack files. The base is a git revision, checked out into a temporary
git worktree that is removed afterwards, or a directory.

The head's stack files are checked first: the member must forward to a bus
the hub creates, whose policy admits the member's account.`,
		Example: `  secalerts diff --base main
  secalerts diff --base origin/main --markdown > diff.md
  secalerts diff --base-dir ../secalerts-old --fail-on-change testdata/events/guardduty`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			switch {
			case o.base == "" && o.baseDir == "":
				return usagef(cmd, "name the base to compare with: --base GIT_REV or --base-dir DIR")
			case o.base != "" && o.baseDir != "":
				return usagef(cmd, "--base and --base-dir both name the base: give one")
			}
			return c.diff(o, paths)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.base, "base", "", "the base: this git revision of the head's repository, checked out into a temporary worktree")
	f.StringVar(&o.baseDir, "base-dir", "", "the base: the checkout in this directory")
	f.StringVar(&o.headDir, "head-dir", ".", "the head's checkout")
	f.StringVar(&o.hub, "hub", "Pulumi.hub.yaml", "the hub stack file, relative to each version")
	f.StringVar(&o.member, "member", "Pulumi.member.yaml", "the member stack file, relative to each version")
	f.BoolVar(&o.markdown, "markdown", false, "print a Markdown table, for a pull-request comment")
	f.BoolVar(&o.failOnChange, "fail-on-change", false, "exit with code 3 when anything changes")
	for name, value := range map[string]string{"base": "GIT_REV", "base-dir": "DIR", "head-dir": "DIR", "hub": "FILE", "member": "FILE"} {
		flagValue(cmd, name, value)
	}
	return cmd
}

func (c *cli) diff(o diffOptions, paths []string) error {
	head := alertdiff.Tree{Label: "head", Dir: o.headDir, Hub: o.hub, Member: o.member}
	// The head's stacks must pair before two builds are spent on them.
	_, warnings, err := loadPipeline(inTree(head.Dir, head.Hub), inTree(head.Dir, head.Member))
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(c.stderr, "warning: head: "+w)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	base := head
	base.Label, base.Dir = "base", o.baseDir
	if o.base != "" {
		dir, remove, err := alertdiff.Checkout(ctx, head.Dir, o.base)
		if err != nil {
			return err
		}
		defer func() {
			if err := remove(); err != nil {
				fmt.Fprintf(c.stderr, "warning: %v\n", err)
			}
		}()
		base.Dir = dir
	}
	if len(paths) == 0 {
		// The head's corpus, replayed through both: the same events, two
		// programs.
		paths = []string{filepath.Join(head.Dir, "testdata", "events")}
	}
	events, err := alertdiff.Events(paths)
	if err != nil {
		return err
	}
	bin, err := os.MkdirTemp("", "alertdiff-bin-")
	if err != nil {
		return fmt.Errorf("making a directory for the builds: %w", err)
	}
	defer os.RemoveAll(bin)

	var results [2][]alertdiff.Outcome
	for i, t := range []alertdiff.Tree{base, head} {
		outcomes, warnings, err := alertdiff.Replay(ctx, t, events, bin)
		if err != nil {
			return err
		}
		for _, w := range warnings {
			fmt.Fprintln(c.stderr, "warning: "+w)
		}
		for j := range outcomes {
			outcomes[j].File = displayPath(outcomes[j].File)
		}
		results[i] = outcomes
	}
	rep := alertdiff.Compare(results[0], results[1])
	if o.markdown {
		err = alertdiff.WriteMarkdown(c.stdout, rep, "Alert diff")
	} else {
		err = alertdiff.WriteText(c.stdout, rep)
	}
	if err != nil {
		return fmt.Errorf("writing the diff: %w", err)
	}
	if o.failOnChange && len(rep.Changes) > 0 {
		return silentExit(exitChanged)
	}
	return nil
}

// inTree is path in the tree at dir, unless it is absolute.
func inTree(dir, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}

// displayPath shows an event file relative to the working directory when
// it is below it.
func displayPath(abs string) string {
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return abs
}
