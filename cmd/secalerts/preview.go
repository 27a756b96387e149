package main

import (
	"fmt"
	"io"

	"secalerts/config"
	"secalerts/names"
	"secalerts/preview"
	"secalerts/replay"
	"secalerts/stack"
)

func runPreview(args []string, stdout, stderr io.Writer) int {
	set, files, err := flags(args, map[string]bool{"json": false})
	if err != nil || len(files) != 1 {
		fmt.Fprintf(stderr, "preview takes one stack file (%v)\n%s", err, usage)
		return 2
	}
	st, resources, err := previewStack(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	write := preview.WriteTree
	if set["json"] == "true" {
		write = preview.WriteJSON
	}
	if err := write(stdout, st, resources); err != nil {
		fmt.Fprintf(stderr, "error: writing the preview: %v\n", err)
		return 1
	}
	return 0
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
		return st, nil, fmt.Errorf("%s: %w", path, err)
	}
	return st, resources, nil
}

// loadPipeline plans a hub and a member stack file, checking each file's
// role, and prepares the member's pipeline to its customer's bus in that
// hub: what replay, forecast and diff route events through.
func loadPipeline(hubFile, memberFile string) (*replay.Router, error) {
	hubStack, err := preview.LoadStackFile(hubFile)
	if err != nil {
		return nil, err
	}
	if err := checkRole(hubFile, hubStack, config.RoleHub, "--hub"); err != nil {
		return nil, err
	}
	hub, err := stack.HubPlan(hubStack)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", hubFile, err)
	}
	memberStack, err := preview.LoadStackFile(memberFile)
	if err != nil {
		return nil, err
	}
	if err := checkRole(memberFile, memberStack, config.RoleMember, "--member"); err != nil {
		return nil, err
	}
	member, bus, err := stack.OfflineMember(memberStack, hub)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", memberFile, err)
	}
	return replay.NewRouter(hub, member, bus)
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
