package main

import (
	"fmt"
	"slices"
	"strings"

	"secalerts/config"
	"secalerts/plan"
	"secalerts/preview"
	"secalerts/replay"
	"secalerts/stack"
)

// loadPipeline plans a hub and a member stack file, checking each file's
// role and that the two pair, and prepares the member's pipeline to its
// customer's bus in that hub: what replay, forecast and diff route events
// through. warnings say what could not be checked offline.
func loadPipeline(hubFile, memberFile string) (r *replay.Router, warnings []string, err error) {
	hubStack, err := preview.LoadStackFile(hubFile)
	if err != nil {
		return nil, nil, err
	}
	if err := checkRole(hubFile, hubStack, config.RoleHub, "--hub"); err != nil {
		return nil, nil, err
	}
	hub, err := stack.HubPlan(hubStack)
	if err != nil {
		return nil, nil, inFile(hubFile, err)
	}
	memberStack, err := preview.LoadStackFile(memberFile)
	if err != nil {
		return nil, nil, err
	}
	if err := checkRole(memberFile, memberStack, config.RoleMember, "--member"); err != nil {
		return nil, nil, err
	}
	member, bus, err := stack.OfflineMember(memberStack, hub)
	if err != nil {
		return nil, nil, inFile(memberFile, err)
	}
	warnings, err = checkPairing(hubFile, memberFile, hub, member.Account.ID, bus)
	if err != nil {
		return nil, nil, err
	}
	r, err = replay.NewRouter(hub, member, bus)
	return r, warnings, err
}

// checkRole makes sure a stack file given to --hub or --member deploys that
// role: swapped files would otherwise replay the hub's rules as forwarding
// rules and report every event as going nowhere.
func checkRole(path string, st preview.Stack, want config.Role, flag string) error {
	if got := config.Role(st.Config[stack.Project+":role"]); got != want {
		return inFile(path, fmt.Errorf("given as %s, but the stack's %s:role is %q, want %q", flag, stack.Project, got, want))
	}
	return nil
}

// checkPairing makes sure the member forwards to a bus the hub creates,
// and that the bus's policy admits the member's account, before any event
// is routed: otherwise every event would be reported as dropped, one by
// one, without saying that the stacks are the problem. An account admitted
// only as a member of the customer's organization cannot be checked
// offline: that is a warning.
func checkPairing(hubFile, memberFile string, hub *plan.Hub, account, bus string) ([]string, error) {
	i := slices.IndexFunc(hub.Customers, func(c plan.Customer) bool { return c.Bus.ARN == bus })
	if i < 0 {
		var buses []string
		for _, c := range hub.Customers {
			buses = append(buses, fmt.Sprintf("%s (customer %s)", c.Bus.ARN, c.Name))
		}
		return nil, fmt.Errorf("the stacks do not pair: member stack %s forwards to %s, which hub stack %s does not create "+
			"(it creates %s): set secalerts:member.hubEventBusArn in %s to its customer's bus, or add the customer to %s",
			memberFile, bus, hubFile, strings.Join(buses, ", "), memberFile, hubFile)
	}
	c := hub.Customers[i]
	if slices.ContainsFunc(c.Accounts, func(a config.Account) bool { return a.ID == account }) {
		return nil, nil
	}
	key := fmt.Sprintf("secalerts:hub.customers[%d].accounts", i)
	if c.OrganizationID != "" {
		return []string{fmt.Sprintf("account %s of member stack %s is not in %s of hub stack %s: bus %s admits it only as a member of organization %s, "+
			"which cannot be checked offline, so its events are reported as refused by the bus policy; list the account to replay them",
			account, memberFile, key, hubFile, c.Bus.Name, c.OrganizationID)}, nil
	}
	return nil, fmt.Errorf("the stacks do not pair: bus %s of hub stack %s does not admit account %s of member stack %s: "+
		"add the account to %s (customer %s) in %s, or point the member at its own customer's bus",
		c.Bus.Name, hubFile, account, memberFile, key, c.Name, hubFile)
}
