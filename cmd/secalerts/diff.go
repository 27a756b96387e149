package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"secalerts/alertdiff"
)

// exitChanged is diff's exit code for "alerting changes" under
// --fail-on-change, distinct from 1 (the diff could not run).
const exitChanged = 3

func runDiff(args []string, stdout, stderr io.Writer) int {
	set, paths, err := flags(args, map[string]bool{
		"base": true, "base-dir": true, "head-dir": true, "hub": true, "member": true,
		"markdown": false, "fail-on-change": false,
	})
	if err == nil && (set["base"] == "") == (set["base-dir"] == "") {
		err = fmt.Errorf("give the base as --base-dir DIR or --base GIT_REV, not both")
	}
	if err != nil {
		fmt.Fprintf(stderr, "diff: %v\n%s", err, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	head := alertdiff.Tree{Label: "head", Dir: or(set["head-dir"], "."), Hub: or(set["hub"], "Pulumi.hub.yaml"), Member: or(set["member"], "Pulumi.member.yaml")}
	base := head
	base.Label, base.Dir = "base", set["base-dir"]
	if rev := set["base"]; rev != "" {
		dir, remove, err := alertdiff.Checkout(ctx, head.Dir, rev)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return 1
		}
		defer func() {
			if err := remove(); err != nil {
				fmt.Fprintf(stderr, "warning: %v\n", err)
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
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	bin, err := os.MkdirTemp("", "alertdiff-bin-")
	if err != nil {
		fmt.Fprintf(stderr, "error: making a directory for the builds: %v\n", err)
		return 1
	}
	defer os.RemoveAll(bin)

	var results [2][]alertdiff.Outcome
	for i, t := range []alertdiff.Tree{base, head} {
		outcomes, warnings, err := alertdiff.Replay(ctx, t, events, bin)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return 1
		}
		for _, w := range warnings {
			fmt.Fprintln(stderr, "warning: "+w)
		}
		for j := range outcomes {
			outcomes[j].File = displayPath(outcomes[j].File)
		}
		results[i] = outcomes
	}
	report := alertdiff.Compare(results[0], results[1])
	if set["markdown"] == "true" {
		err = alertdiff.WriteMarkdown(stdout, report, "Alert diff")
	} else {
		err = alertdiff.WriteText(stdout, report)
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: writing the diff: %v\n", err)
		return 1
	}
	if set["fail-on-change"] == "true" && len(report.Changes) > 0 {
		return exitChanged
	}
	return 0
}

func or(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
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
