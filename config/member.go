package config

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"sort"
	"strings"

	"secalerts/detectors"
	"secalerts/names"
)

// memberKey is the config key ParseMember reads; every member error path
// starts with it.
const memberKey = "secalerts:member"

// DefaultHomeRegion is where a member keeps its account-wide resources
// unless it says otherwise: AWS delivers global services' events there.
const DefaultHomeRegion = detectors.HomeRegion

// regionsEnabled is the regions value that asks for every region enabled in
// the account, looked up at deployment.
const regionsEnabled = "enabled"

// configComplianceID is the one detector that takes ruleNames.
const configComplianceID = "config-compliance"

// knownDetectors lists the detector IDs secalerts:member.detectors may
// name; a variable so tests do not depend on the catalogue's contents.
var knownDetectors = detectors.IDs

var memberKeys = []string{
	"accountId", "hubEventBusArn", "hubStack", "customer", "homeRegion",
	"regions", "managementAccount", "minSeverity", "detectors",
	"heartbeat", "baseline", deployersKey,
}

var (
	// stackShape is a fully qualified Pulumi stack name: org/project/stack,
	// each part letters, digits, -, _ and . (Pulumi stack and project
	// naming rules).
	stackShape = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	// configRuleNameShape is AWS Config's ConfigRuleName: 1-128
	// characters, not all white space (Config API Reference, ConfigRule).
	configRuleNameShape = regexp.MustCompile(`\S`)
)

// maxConfigRuleNameLen is ConfigRuleName's maximum length.
const maxConfigRuleNameLen = 128

// ParseMember parses and validates secalerts:member, the JSON of the key as
// the Pulumi CLI hands structured config to the program. homeRegion
// defaults to DefaultHomeRegion, minSeverity to DefaultMinSeverity, and an
// absent regions to "enabled" (DiscoverRegions). The error joins every
// problem found, each naming its full key path.
func ParseMember(data []byte) (*Member, error) {
	var p problems
	m := readMember(&p, data)
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// Account is the member account in its home region, where the
// account-wide resources live.
func (m *Member) Account() names.Account {
	return names.Account{Partition: Partition(m.HomeRegion), Region: m.HomeRegion, ID: m.AccountID}
}

func readMember(p *problems, data []byte) *Member {
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		p.addf(memberKey, "not valid JSON: %v", err)
		return nil
	}
	o, ok := readObject(p, memberKey, data, memberKeys...)
	if !ok {
		return nil
	}
	m := &Member{AccountID: readAccountID(p, o, "accountId")}

	m.HomeRegion = DefaultHomeRegion
	// homePartition stays empty while homeRegion is in doubt, so a bad home
	// region is reported once rather than again through every region.
	homePartition := Partition(m.HomeRegion)
	if r, ok := o.str(p, "homeRegion"); ok {
		m.HomeRegion = r
		homePartition = ""
		if checkRegion(p, o.key("homeRegion"), r) {
			homePartition = Partition(r)
		}
	}
	readHubReference(p, o, m, homePartition)
	readRegions(p, o, m, homePartition)
	if b, _ := o.boolean(p, "managementAccount"); b != nil {
		m.ManagementAccount = *b
	}
	m.MinSeverity = readSeverity(p, o, "minSeverity", DefaultMinSeverity)
	m.Detectors = readDetectors(p, o)
	m.Heartbeat = readMemberHeartbeat(p, o)
	m.Baseline = readBaseline(p, o, m, homePartition)
	m.DeployerPrincipals = readDeployers(p, o, validAccountID(m.AccountID), homePartition)
	return m
}

// readHubReference reads where events go: either the bus ARN itself, or the
// hub stack and customer whose bus it is.
func readHubReference(p *problems, o object, m *Member, homePartition string) {
	m.HubEventBusARN, _ = o.str(p, "hubEventBusArn")
	m.HubStack, _ = o.str(p, "hubStack")
	m.Customer, _ = o.str(p, "customer")

	arn, stack, customer := m.HubEventBusARN, m.HubStack, m.Customer
	switch {
	case arn != "" && (stack != "" || customer != ""):
		p.addf(o.path, "both hubEventBusArn and hubStack/customer are set: set either hubEventBusArn, or hubStack and customer")
		return
	case arn == "" && stack == "" && customer == "":
		p.addf(o.path, "no hub: set hubEventBusArn (%s), or hubStack (org/project/stack) and customer", exampleBusARN("<region>", "<hub account>", "<customer>"))
		return
	case arn == "" && stack == "":
		p.addf(o.key("hubStack"), "not set: customer %q needs hubStack, the hub's Pulumi stack as org/project/stack", customer)
	case arn == "" && customer == "":
		p.addf(o.key("customer"), "not set: hubStack needs customer, the name of this account's customer in the hub stack")
	}

	if arn != "" {
		checkHubBusARN(p, o.key("hubEventBusArn"), arn, m.HomeRegion, homePartition)
	}
	if stack != "" && !stackShape.MatchString(stack) {
		p.addf(o.key("hubStack"), "%q is not a fully qualified Pulumi stack name (expected org/project/stack, e.g. acme-secops/secalerts/hub)", stack)
	}
	if customer != "" {
		checkCustomerName(p, o.key("customer"), customer)
	}
}

// checkHubBusARN records an error unless arn is a custom event bus ARN in
// the home region's partition (any partition when it is empty).
func checkHubBusARN(p *problems, path, arn, homeRegion, homePartition string) {
	bus, name, ok := names.ParseEventBusARN(arn)
	switch {
	case !ok:
		p.addf(path, "%q is not an event bus ARN (expected %s, e.g. %s)", arn,
			exampleBusARN("<region>", "<12-digit hub account>", "<customer>"), exampleBusARN("us-east-1", "999999999999", "acme"))
	case name == names.DefaultBus:
		p.addf(path, "%q is the hub's default event bus (expected the customer's bus, %s, which only admits that customer's accounts)", arn, names.Bus("<customer>"))
	default:
		checkARNPlace(p, path, arn, bus.Partition, bus.Region, homeRegion, homePartition, "events")
	}
}

// exampleBusARN spells a customer bus ARN for messages.
func exampleBusARN(region, account, customer string) string {
	return names.Account{Partition: "aws", Region: region, ID: account}.EventBusARN(names.Bus(customer))
}

// checkARNPlace records an error unless an ARN's region is known, its
// partition is that region's, and both are the member's (homePartition
// empty: not known yet); crossing names what cannot cross partitions.
func checkARNPlace(p *problems, path, arn, partition, region, homeRegion, homePartition, crossing string) {
	switch {
	case !IsKnownRegion(region):
		p.addf(path, "%q names region %q, which is not a known AWS region", arn, region)
	case partition != Partition(region):
		p.addf(path, "%q names partition %s, but region %s is in %s", arn, partition, region, Partition(region))
	case homePartition != "" && partition != homePartition:
		p.addf(path, "%q is in partition %s, but homeRegion %s is in %s: %s cannot cross partitions", arn, partition, homeRegion, homePartition, crossing)
	}
}

// readRegions reads regions: "enabled", or a list of region names. Absent
// means "enabled": a region left out is a region an intruder can use
// unseen.
func readRegions(p *problems, o object, m *Member, homePartition string) {
	raw, ok := o.raw("regions")
	if !ok {
		m.DiscoverRegions = true
		return
	}
	if kind(raw) == "a string" {
		s, _ := stringItem(p, o.key("regions"), raw)
		if s == regionsEnabled {
			m.DiscoverRegions = true
			return
		}
		p.addf(o.key("regions"), "%q is not a regions value (expected %q for every region enabled in the account, or a list of region names)", s, regionsEnabled)
		return
	}
	items, ok := o.list(p, "regions")
	if !ok {
		return
	}
	if len(items) == 0 {
		p.addf(o.key("regions"), "empty list: name at least one region, or use %q for every region enabled in the account", regionsEnabled)
		return
	}
	seen := map[string]string{}
	for i, raw := range items {
		path := index(o.key("regions"), i)
		r, ok := stringItem(p, path, raw)
		if !ok {
			continue
		}
		if first, dup := seen[r]; dup {
			p.addf(path, "%q is listed twice (also at %s)", r, first)
			continue
		}
		seen[r] = path
		m.Regions = append(m.Regions, r)
		if checkRegion(p, path, r) && homePartition != "" && Partition(r) != homePartition {
			p.addf(path, "%q is in partition %s, but homeRegion %s is in %s: one stack's credentials cannot reach both",
				r, Partition(r), m.HomeRegion, homePartition)
		}
	}
}

// readDetectors reads the per-detector overrides, keyed by detector ID.
func readDetectors(p *problems, o object) map[string]DetectorSettings {
	raw, ok := o.raw("detectors")
	if !ok {
		return nil
	}
	var byID map[string]json.RawMessage
	if kind(raw) != "an object" || json.Unmarshal(raw, &byID) != nil {
		p.addf(o.key("detectors"), "expected an object keyed by detector ID, got %s", kind(raw))
		return nil
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	known := knownDetectors()
	out := map[string]DetectorSettings{}
	for _, id := range ids {
		path := o.key("detectors") + "." + id
		if !slices.Contains(known, id) {
			p.addf(path, "unknown detector %q (valid: %s)", id, strings.Join(known, ", "))
			continue
		}
		if isNull(byID[id]) {
			continue
		}
		do, ok := readObject(p, path, byID[id], "enabled", "minSeverity", "ruleNames")
		if !ok {
			continue
		}
		var s DetectorSettings
		s.Enabled, _ = do.boolean(p, "enabled")
		if _, set := do.raw("minSeverity"); set {
			sev := readSeverity(p, do, "minSeverity", DefaultMinSeverity)
			s.MinSeverity = &sev
		}
		s.ConfigRuleNames = readRuleNames(p, do, id)
		out[id] = s
	}
	return out
}

// readRuleNames reads the Config rules the config-compliance detector is
// limited to.
func readRuleNames(p *problems, o object, id string) []string {
	if _, set := o.raw("ruleNames"); !set {
		return nil
	}
	if id != configComplianceID {
		p.addf(o.key("ruleNames"), "only the %s detector takes ruleNames (detector %q selects no Config rules)", configComplianceID, id)
		return nil
	}
	return readStrings(p, o, "ruleNames", func(path, name string) bool {
		if len(name) > maxConfigRuleNameLen || !configRuleNameShape.MatchString(name) {
			p.addf(path, "%q is not an AWS Config rule name (expected 1-%d characters, not all white space)", name, maxConfigRuleNameLen)
			return false
		}
		return true
	})
}
