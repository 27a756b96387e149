package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"secalerts/fleet"
)

// newFleetRunner is the runner fleet uses; tests replace it.
var newFleetRunner = func(projectDir string) fleet.Runner { return fleet.AutoRunner{ProjectDir: projectDir} }

var fleetHelp = help{
	env: []envVar{
		{"PATH", "must hold the pulumi CLI (the Automation API drives it) and go, to build the program"},
		{"PULUMI_ACCESS_TOKEN", "Pulumi Cloud login, when not logged in with pulumi login"},
		{"PULUMI_BACKEND_URL", "a self-managed backend (s3://..., file://...)"},
		{"PULUMI_CONFIG_PASSPHRASE, PULUMI_CONFIG_PASSPHRASE_FILE", "the passphrase secrets provider's passphrase"},
		{"AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION", "the operator's credentials (default AWS credential chain), which assume each account's roleArn"},
	},
	exits: []exitCode{
		{exitOK, "every stack succeeded"},
		{exitFailed, "the inventory is invalid, or a stack failed or was cancelled (the summary says which, the errors follow on stderr)"},
		{exitUsage, "usage error, or up without --yes"},
	},
}

type fleetOptions struct {
	inventory, projectDir string
	parallel              int
	yes                   bool
}

func newFleetCmd(c *cli) *cobra.Command {
	var o fleetOptions
	ops := []string{string(fleet.OpPreview), string(fleet.OpUp)}
	cmd := &cobra.Command{
		Use:   "fleet preview|up --inventory FILE [--parallel N] [--project-dir DIR] [--yes]",
		Short: "preview or deploy every member stack of an inventory",
		Long: `Preview or deploy every member stack in the inventory with the Pulumi
Automation API: for each account, create the stack if needed, set its
configuration from the inventory, and run pulumi preview or pulumi up. One
account's failure never stops the others; Ctrl-C cancels the running stacks
and starts no more. The inventory is checked completely before anything runs.`,
		Example: `  secalerts fleet preview --inventory fleet.yaml
  secalerts fleet up --inventory fleet.yaml --yes --parallel 8`,
		ValidArgs: ops,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 || !slices.Contains(ops, args[0]) {
				return usagef(cmd, "name one operation, preview or up")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needFlags(cmd, "inventory"); err != nil {
				return err
			}
			if o.parallel < 1 {
				return usagef(cmd, "--parallel %d: expected at least 1", o.parallel)
			}
			return c.fleet(cmd, fleet.Op(args[0]), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.inventory, "inventory", "", "the inventory file (YAML)")
	f.IntVar(&o.parallel, "parallel", 4, "run at most this many stacks at once")
	f.StringVar(&o.projectDir, "project-dir", ".", "the directory holding Pulumi.yaml, where the stack files are written")
	f.BoolVar(&o.yes, "yes", false, "confirm up: it changes every account")
	flagValue(cmd, "inventory", "FILE")
	flagValue(cmd, "parallel", "N")
	flagValue(cmd, "project-dir", "DIR")
	required(cmd, "inventory")
	return cmd
}

func (c *cli) fleet(cmd *cobra.Command, op fleet.Op, o fleetOptions) error {
	specs, err := fleet.Load(o.inventory)
	if err != nil {
		return inFile(o.inventory, err)
	}
	if op == fleet.OpUp && !o.yes {
		return usagef(cmd, "fleet up changes %d accounts: run fleet preview first, then pass --yes", len(specs))
	}

	// The first interrupt cancels: running stacks are stopped through the
	// Automation API and no more start; the summary still prints.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var obs fleet.Observer = fleet.NewLogObserver(c.stdout, op, specs)
	var live *fleet.TerminalObserver
	if f, ok := c.stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		width, height, _ := term.GetSize(int(f.Fd()))
		live = fleet.NewTerminalObserver(c.stdout, op, specs, width, height)
		obs = live
	}
	results := fleet.Run(ctx, op, specs, newFleetRunner(o.projectDir), o.parallel, obs)
	if live != nil {
		live.Flush()
	}
	fmt.Fprintln(c.stdout)
	if err := fleet.WriteSummary(c.stdout, op, results); err != nil {
		return fmt.Errorf("writing the summary: %w", err)
	}
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintln(c.stderr)
			report(c.stderr, fmt.Errorf("%s (%s): %w", r.Spec.Name, r.Status, r.Err))
		}
	}
	if fleet.AnyFailed(results) {
		return silentExit(exitFailed)
	}
	return nil
}
