package main

import (
	"fmt"
	"io"

	"secalerts/config"
	"secalerts/preview"
	"secalerts/replay"
	"secalerts/routing"
	"secalerts/stack"
)

func runPreview(args []string, stdout, stderr io.Writer) int {
	set, files, err := flags(args, map[string]bool{"json": false})
	if err != nil || len(files) != 1 {
		fmt.Fprintf(stderr, "preview takes one stack file (%v)\n%s", err, usage)
		return 2
	}
	st, resources, err := previewStack(files[0], nil)
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

// previewStack loads a stack file and runs the program for it. hub, when
// given, is the hub's preview: a member that reads its bus ARN from the hub
// stack gets it from there, as it would from the real stack's outputs.
func previewStack(path string, hub []preview.Resource) (preview.Stack, []preview.Resource, error) {
	st, err := preview.LoadStackFile(path)
	if err != nil {
		return st, nil, err
	}
	opts := preview.Options{Regions: config.DefaultRegions(), StackOutputs: hubOutputs(st, hub)}
	resources, err := preview.Run(st, opts, stack.Run)
	if err != nil {
		return st, nil, fmt.Errorf("%s: %w", path, err)
	}
	return st, resources, nil
}

// previewPair previews a hub and a member stack file, the member against
// that hub, checking each file's role.
func previewPair(hubFile, memberFile string) (hub, member []preview.Resource, err error) {
	hubStack, hub, err := previewStack(hubFile, nil)
	if err == nil {
		err = checkRole(hubFile, hubStack, config.RoleHub, "--hub")
	}
	if err != nil {
		return nil, nil, err
	}
	memberStack, member, err := previewStack(memberFile, hub)
	if err == nil {
		err = checkRole(memberFile, memberStack, config.RoleMember, "--member")
	}
	return hub, member, err
}

// hubOutputs answers a member's StackReference to its hub: the buses of the
// hub preview, or, without one, a stand-in ARN for the member's customer.
func hubOutputs(member preview.Stack, hub []preview.Resource) map[string]map[string]any {
	raw, ok := member.Config[stack.Project+":member"]
	if !ok {
		return nil
	}
	m, err := config.ParseMember([]byte(raw))
	if err != nil || m.HubStack == "" {
		return nil
	}
	arns := map[string]any{m.Customer: fmt.Sprintf("arn:%s:events:%s:000000000000:event-bus/%s",
		config.Partition(m.HomeRegion), m.HomeRegion, routing.BusName(m.Customer))}
	if hub != nil {
		arns = map[string]any{}
		for customer, arn := range replay.BusARNs(hub) {
			arns[customer] = arn
		}
	}
	return map[string]map[string]any{m.HubStack: {"busArns": arns}}
}
