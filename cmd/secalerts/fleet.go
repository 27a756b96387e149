package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"golang.org/x/term"

	"secalerts/fleet"
)

// newFleetRunner is the runner fleet uses; tests replace it.
var newFleetRunner = func(projectDir string) fleet.Runner { return fleet.AutoRunner{ProjectDir: projectDir} }

func runFleet(args []string, stdout, stderr io.Writer) int {
	set, rest, err := flags(args, map[string]bool{"inventory": true, "parallel": true, "project-dir": true, "yes": false})
	if err == nil && (len(rest) != 1 || (rest[0] != string(fleet.OpPreview) && rest[0] != string(fleet.OpUp))) {
		err = fmt.Errorf("name one operation, preview or up")
	}
	if err == nil && set["inventory"] == "" {
		err = fmt.Errorf("--inventory FILE is required")
	}
	parallel := 4
	if err == nil && set["parallel"] != "" {
		if parallel, err = strconv.Atoi(set["parallel"]); err == nil && parallel < 1 {
			err = fmt.Errorf("--parallel %s: expected at least 1", set["parallel"])
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "fleet: %v\n%s", err, usage)
		return 2
	}
	op := fleet.Op(rest[0])
	specs, err := fleet.Load(set["inventory"])
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	if op == fleet.OpUp && set["yes"] != "true" {
		fmt.Fprintf(stderr, "fleet up changes %d accounts: run fleet preview first, then pass --yes\n", len(specs))
		return 2
	}

	// The first interrupt cancels: running stacks are stopped through the
	// Automation API and no more start; the summary still prints.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var obs fleet.Observer = fleet.NewLogObserver(stdout, op, specs)
	var live *fleet.TerminalObserver
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		width, height, _ := term.GetSize(int(f.Fd()))
		live = fleet.NewTerminalObserver(stdout, op, specs, width, height)
		obs = live
	}
	results := fleet.Run(ctx, op, specs, newFleetRunner(or(set["project-dir"], ".")), parallel, obs)
	if live != nil {
		live.Flush()
	}
	fmt.Fprintln(stdout)
	if err := fleet.WriteSummary(stdout, op, results); err != nil {
		fmt.Fprintf(stderr, "error: writing the summary: %v\n", err)
		return 1
	}
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(stderr, "\n%s (%s): %v\n", r.Spec.Name, r.Status, r.Err)
		}
	}
	if fleet.AnyFailed(results) {
		return 1
	}
	return 0
}
