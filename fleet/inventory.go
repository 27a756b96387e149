// Package fleet deploys many member stacks from one inventory: it parses and
// validates the inventory, turns each account into a stack and its
// configuration, and runs preview or up for all of them with bounded
// concurrency, isolating each account's failure. The Pulumi Automation API
// sits behind the Runner interface (auto_runner.go), so everything else is
// tested without the Pulumi CLI.
package fleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"secalerts/config"
)

// Inventory is the fleet file: who the accounts are and how to reach them.
type Inventory struct {
	// Org is the Pulumi organization of the stacks ("organization" on a
	// self-managed backend).
	Org string `yaml:"org"`
	// Project defaults to secalerts, the project in Pulumi.yaml.
	Project string `yaml:"project"`
	// HubStack (org/project/stack) is where accounts without their own hub
	// reference read their customer's bus ARN from.
	HubStack string  `yaml:"hubStack"`
	Accounts []Entry `yaml:"accounts"`
}

// Entry is one member account.
type Entry struct {
	AccountID string `yaml:"accountId"`
	Customer  string `yaml:"customer"`
	// RoleARN is the role in the account that the operator identity assumes.
	RoleARN string `yaml:"roleArn"`
	// Regions is "enabled" (default) or a list of regions.
	Regions any `yaml:"regions"`
	// Stack overrides the stack's name, <customer>-<accountId>.
	Stack string `yaml:"stack"`
	// HubEventBusARN replaces the hub stack reference for this account.
	HubEventBusARN string `yaml:"hubEventBusArn"`
	// Member holds further secalerts:member keys (minSeverity, detectors,
	// managementAccount, homeRegion).
	Member map[string]any `yaml:"member"`
}

// defaultProject is the project name in Pulumi.yaml.
const defaultProject = "secalerts"

// nameShape is a Pulumi organization, project or stack name part.
var nameShape = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// entryKeys are the secalerts:member keys an entry sets itself; member:
// may not repeat them, so one value never silently wins over another.
var entryKeys = map[string]string{
	"accountId": "accountId", "customer": "customer", "hubStack": "hubStack (top level)",
	"hubEventBusArn": "hubEventBusArn", "regions": "regions",
}

// Load reads and validates an inventory file (YAML, or JSON, which YAML
// reads too) and returns one stack per account. Every problem is reported
// at once, each naming the file, the entry and the field.
func Load(path string) ([]StackSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the inventory: %w", err)
	}
	return Parse(path, data)
}

// Parse is Load on data already read; file names it in errors.
func Parse(file string, data []byte) ([]StackSpec, error) {
	var inv Inventory
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&inv); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var errs []error
	bad := func(where, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s: %s", file, where, fmt.Sprintf(format, args...)))
	}
	if inv.Project == "" {
		inv.Project = defaultProject
	}
	if !nameShape.MatchString(inv.Org) {
		bad("org", "%q is not a Pulumi organization name (expected letters, digits, -, _ or .; \"organization\" on a self-managed backend)", inv.Org)
	}
	if !nameShape.MatchString(inv.Project) {
		bad("project", "%q is not a Pulumi project name", inv.Project)
	}
	if len(inv.Accounts) == 0 {
		bad("accounts", "no accounts: list at least one {accountId, customer, roleArn}")
	}

	var specs []StackSpec
	seenAccount, seenStack := map[string]int{}, map[string]int{}
	for i, e := range inv.Accounts {
		where := fmt.Sprintf("accounts[%d]", i)
		if e.Customer != "" || e.AccountID != "" {
			where += fmt.Sprintf(" (%s %s)", e.Customer, e.AccountID)
		}
		field := func(name string) string { return where + "." + name }
		n := len(errs)

		if err := config.CheckAccountID(field("accountId"), e.AccountID); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file, err))
		} else if first, dup := seenAccount[e.AccountID]; dup {
			bad(field("accountId"), "account %s is listed twice (also accounts[%d]): one account is one stack", e.AccountID, first)
		} else {
			seenAccount[e.AccountID] = i
		}
		if err := config.CheckCustomerName(field("customer"), e.Customer); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file, err))
		}
		if e.RoleARN == "" {
			bad(field("roleArn"), "not set: expected the role to assume in the account, arn:aws:iam::%s:role/<name>", or(e.AccountID, "<account>"))
		} else if err := config.CheckRoleARN(field("roleArn"), e.RoleARN, e.AccountID); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file, err))
		}
		stack := e.Stack
		if stack == "" {
			stack = e.Customer + "-" + e.AccountID
		}
		if !nameShape.MatchString(stack) {
			bad(field("stack"), "%q is not a Pulumi stack name (letters, digits, -, _ or .)", stack)
		}
		name := inv.Org + "/" + inv.Project + "/" + stack
		if first, dup := seenStack[name]; dup {
			bad(field("stack"), "stack %s is also accounts[%d]'s", name, first)
		}
		seenStack[name] = i
		regions, ok := readRegions(e.Regions)
		if !ok {
			bad(field("regions"), "expected \"enabled\" or a list of regions")
		}
		for j, r := range regions {
			if r == "enabled" && len(regions) == 1 {
				break
			}
			if err := config.CheckRegion(fmt.Sprintf("%s[%d]", field("regions"), j), r); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", file, err))
			}
		}
		for k := range e.Member {
			if own, set := entryKeys[k]; set {
				bad(field("member."+k), "set by the entry itself: use %s", own)
			}
		}
		if e.HubEventBusARN == "" && inv.HubStack == "" {
			bad(where, "no hub: set hubStack at the top of the inventory, or hubEventBusArn on the entry")
		}
		if len(errs) > n {
			continue
		}
		spec, err := newSpec(name, inv, e, regions)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", file, where, err))
			continue
		}
		specs = append(specs, spec)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return specs, nil
}

// readRegions accepts "enabled", absence (the same) or a list of strings.
func readRegions(v any) ([]string, bool) {
	switch r := v.(type) {
	case nil:
		return []string{"enabled"}, true
	case string:
		return []string{r}, r == "enabled"
	case []any:
		var out []string
		for _, x := range r {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, len(out) > 0
	}
	return nil, false
}

// newSpec makes the stack of one valid entry, and validates the member
// configuration it gets exactly as the program will.
func newSpec(name string, inv Inventory, e Entry, regions []string) (StackSpec, error) {
	member := map[string]any{}
	for k, v := range e.Member {
		member[k] = v
	}
	member["accountId"] = e.AccountID
	if e.HubEventBusARN != "" {
		member["hubEventBusArn"] = e.HubEventBusARN
	} else {
		member["hubStack"], member["customer"] = inv.HubStack, e.Customer
	}
	if len(regions) == 1 && regions[0] == "enabled" {
		member["regions"] = "enabled"
	} else {
		member["regions"] = regions
	}
	raw, err := json.Marshal(member)
	if err != nil {
		return StackSpec{}, fmt.Errorf("member: %w", err)
	}
	if _, err := config.ParseMember(raw); err != nil {
		// The keys in err are secalerts:member's, which the entry's
		// fields and member: map onto one to one.
		return StackSpec{}, fmt.Errorf("the stack config it makes is invalid: %w", err)
	}
	return StackSpec{
		Name: name, AccountID: e.AccountID, Customer: e.Customer, RoleARN: e.RoleARN, Regions: regions,
		Config: []ConfigValue{
			{Key: "secalerts:role", Value: string(config.RoleMember)},
			// A list: the engine reads it with --path, as README's manual
			// member setup does.
			{Key: "pulumi:disable-default-providers[0]", Value: "aws", Path: true},
			// The whole object as one JSON string: the program reads the
			// JSON either way, and account IDs stay strings (with --path,
			// the CLI would store 111111111111 as a number).
			{Key: "secalerts:member", Value: string(raw)},
			// The standard pulumi-aws setting, which the program hands to
			// every provider of the stack.
			{Key: config.AssumeRoleKey + ".roleArn", Value: e.RoleARN, Path: true},
		},
	}, nil
}

func or(v, fallback string) string {
	if strings.TrimSpace(v) == "" {
		return fallback
	}
	return v
}
