package stack

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/memberforwarder"
	"secalerts/config"
	"secalerts/names"
	"secalerts/plan"
)

// ReadMember reads and validates secalerts:member.
func ReadMember(c Config) (*config.Member, error) {
	raw, err := requireObject(c, "member")
	if err != nil {
		return nil, err
	}
	return config.ParseMember(raw)
}

func runMember(ctx *pulumi.Context) error {
	c := newContextConfig(ctx)
	m, err := ReadMember(c)
	if err != nil {
		return err
	}
	home := m.Account()
	role, err := readAssumeRole(c, home)
	if err != nil {
		return err
	}
	// An explicit region list is planned, and so validated, before anything
	// is registered; discovery needs the home provider to ask AWS first.
	var homeProvider *aws.Provider
	regions := m.Regions
	if m.DiscoverRegions {
		if homeProvider, err = newProvider(ctx, home, role); err != nil {
			return err
		}
		if regions, err = enabledRegions(ctx, homeProvider); err != nil {
			return err
		}
	}
	p, err := plan.NewMember(m, regions)
	if err != nil {
		return err
	}
	if homeProvider == nil {
		if homeProvider, err = newProvider(ctx, home, role); err != nil {
			return err
		}
	}
	providers := map[string]*aws.Provider{home.Region: homeProvider}
	for _, r := range p.Regions {
		region := r.Account.Region
		if providers[region] != nil {
			continue
		}
		if providers[region], err = newProvider(ctx, r.Account, role); err != nil {
			return err
		}
	}
	hubBus, err := hubBusArn(ctx, m)
	if err != nil {
		return err
	}
	f, err := memberforwarder.NewMemberForwarder(ctx, names.MemberComponent, &memberforwarder.MemberForwarderArgs{
		Plan: p, HubBusArn: hubBus, Providers: providers,
	})
	if err != nil {
		return err
	}
	ctx.Export("roleArn", f.RoleArn)
	ctx.Export("ruleCounts", f.RuleCounts)
	ctx.Export("regions", pulumi.ToStringArray(regions))
	return newBaseline(ctx, m, home, regions, providers)
}

// enabledRegions lists the regions enabled in the account, opted-in ones
// included.
func enabledRegions(ctx *pulumi.Context, p *aws.Provider) ([]string, error) {
	res, err := aws.GetRegions(ctx, &aws.GetRegionsArgs{
		Filters: []aws.GetRegionsFilter{{Name: "opt-in-status", Values: []string{"opt-in-not-required", "opted-in"}}},
	}, pulumi.Provider(p))
	if err != nil {
		return nil, fmt.Errorf("discovering the enabled regions for secalerts:member.regions=enabled: %w", err)
	}
	regions := append([]string(nil), res.Names...)
	sort.Strings(regions)
	if len(regions) == 0 {
		return nil, fmt.Errorf("discovering the enabled regions for secalerts:member.regions=enabled: the account reports none")
	}
	return regions, nil
}

// hubBusArn is the configured ARN, or the customer's entry in the hub
// stack's busArns output.
func hubBusArn(ctx *pulumi.Context, m *config.Member) (pulumi.StringInput, error) {
	if m.HubEventBusARN != "" {
		return pulumi.String(m.HubEventBusARN), nil
	}
	ref, err := pulumi.NewStackReference(ctx, m.HubStack, nil)
	if err != nil {
		return nil, fmt.Errorf("reading hub stack %s (secalerts:member.hubStack): %w", m.HubStack, err)
	}
	customer := m.Customer
	return ref.GetOutput(pulumi.String("busArns")).ApplyT(func(v any) (string, error) {
		arns, _ := v.(map[string]any)
		arn, _ := arns[customer].(string)
		if arn == "" {
			return "", fmt.Errorf("hub stack %s has no bus for customer %q (secalerts:member.customer): its busArns output lists %v",
				m.HubStack, customer, keys(arns))
		}
		return arn, nil
	}).(pulumi.StringOutput), nil
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// OfflineMember plans a member stack as the offline tool sees it: regions:
// enabled as the regions enabled in every account (nothing can be asked of
// AWS), and hubStack resolved through hub, the plan of its hub stack. It
// returns the plan and the ARN of the bus the member forwards to.
func OfflineMember(c Config, hub *plan.Hub) (*plan.Member, string, error) {
	m, err := ReadMember(c)
	if err != nil {
		return nil, "", err
	}
	regions := m.Regions
	if m.DiscoverRegions {
		regions = config.DefaultRegions()
	}
	p, err := plan.NewMember(m, regions)
	if err != nil {
		return nil, "", err
	}
	bus := m.HubEventBusARN
	if bus == "" {
		if bus = hub.BusARNs()[m.Customer]; bus == "" {
			return nil, "", fmt.Errorf("secalerts:member.customer %q is not a customer of the hub (its customers: %s)",
				m.Customer, strings.Join(slices.Sorted(maps.Keys(hub.BusARNs())), ", "))
		}
	}
	return p, bus, nil
}
