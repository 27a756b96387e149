package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"secalerts/config"
	"secalerts/names"
	"secalerts/preview"
	"secalerts/stack"
)

var previewHelp = help{
	env: []envVar{{"PATH", "must hold go for a hub stack, whose delivery function is built as part of the preview"}},
	exits: []exitCode{
		{exitOK, "the preview was printed"},
		{exitFailed, "the stack file is invalid or the program failed: every problem is listed"},
		usageExit,
	},
}

func newPreviewCmd(c *cli) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "preview [--json] STACK_FILE",
		Short: "print the resources a stack file would create",
		Long: `Run the program for STACK_FILE (Pulumi.<stack>.yaml, next to Pulumi.yaml) under
Pulumi's mock monitor, offline, and print the resources pulumi up would
create, as a tree. The stack file is validated completely: every problem is
listed, each naming its config key.`,
		Example: `  secalerts preview Pulumi.hub.yaml
  secalerts preview --json Pulumi.member.yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef(cmd, "takes one stack file, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			st, resources, err := previewStack(args[0])
			if err != nil {
				return err
			}
			// What pulumi preview shows as the program's warnings.
			for _, w := range stackWarnings(st) {
				fmt.Fprintln(c.stderr, "warning: "+w)
			}
			write := preview.WriteTree
			if asJSON {
				write = preview.WriteJSON
			}
			if err := write(c.stdout, st, resources); err != nil {
				return fmt.Errorf("writing the preview: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the shape of pulumi preview --json instead of a tree")
	return cmd
}

// previewStack loads a stack file and runs the program for it.
func previewStack(path string) (preview.Stack, []preview.Resource, error) {
	st, err := preview.LoadStackFile(path)
	if err != nil {
		return st, nil, err
	}
	opts := preview.Options{Regions: config.DefaultRegions(), StackOutputs: hubOutputs(st)}
	resources, err := preview.Run(st, opts, stack.Run)
	if err != nil {
		return st, nil, inFile(path, err)
	}
	return st, resources, nil
}

// stackWarnings are the warnings the program logs for st: a hub's
// suppressions that expired or cannot match.
func stackWarnings(st preview.Stack) []string {
	if config.Role(st.Config[stack.Project+":role"]) != config.RoleHub {
		return nil
	}
	hub, err := stack.HubPlan(st)
	if err != nil {
		return nil
	}
	return hub.Warnings(time.Now())
}

// hubOutputs answers a member's StackReference to its hub when a member
// stack is previewed alone: a stand-in bus ARN for the member's customer.
func hubOutputs(member preview.Stack) map[string]map[string]any {
	m, err := stack.ReadMember(member)
	if err != nil || m.HubStack == "" {
		return nil
	}
	stand := names.Account{Partition: config.Partition(m.HomeRegion), Region: m.HomeRegion, ID: standInHubAccount}
	return map[string]map[string]any{m.HubStack: {"busArns": map[string]any{m.Customer: stand.EventBusARN(names.Bus(m.Customer))}}}
}

// standInHubAccount stands for the hub account a member stack names only
// through hubStack.
const standInHubAccount = "000000000000"
