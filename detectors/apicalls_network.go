package detectors

import "secalerts/severity"

// Security groups (CIS AWS Foundations 4.10, Security Hub
// CloudWatch.10). The CloudTrail requestParameters shapes matched here:
//
//	AuthorizeSecurityGroupIngress/Egress: groupId, ipPermissions.items[] with
//	  ipRanges.items[].cidrIp, ipv6Ranges.items[].cidrIpv6,
//	  groups.items[].groupId, prefixListIds.items[].prefixListId; the legacy
//	  single-rule form puts cidrIp (or sourceSecurityGroupName) at the top.
//	ModifySecurityGroupRules: ModifySecurityGroupRulesRequest.GroupId and
//	  .SecurityGroupRule[].SecurityGroupRule.{CidrIpv4, CidrIpv6,
//	  ReferencedGroupId, PrefixListId}.
//
// EventBridge matches a field inside arrays when ANY element matches, and a
// pattern cannot say "every element". So one call that adds both an open
// (0.0.0.0/0, ::/0) and a scoped range matches both variants and alerts
// twice, MEDIUM and HIGH; that is pinned by a test. A call that only opens to
// the world matches HIGH alone.
//
// ModifySecurityGroupRules does not say whether the rule is ingress or
// egress (the rule ID decides), so an open CIDR there is treated as HIGH:
// a false HIGH on an egress rule is cheaper than a missed open ingress.

// The "anywhere" CIDRs of IPv4 and IPv6.
const (
	worldIPv4 = "0.0.0.0/0"
	worldIPv6 = "::/0"
)

// ipPermission nests leaf under requestParameters.ipPermissions.items.
func ipPermission(path ...string) []string {
	return append([]string{"requestParameters", "ipPermissions", "items"}, path...)
}

// modifiedRule nests leaf under ModifySecurityGroupRules' rule request.
func modifiedRule(field string) []string {
	return []string{"requestParameters", "ModifySecurityGroupRulesRequest", "SecurityGroupRule", "SecurityGroupRule", field}
}

// withName adds eventName to a $or branch.
func withName(name string, branch map[string]any) map[string]any {
	branch["eventName"] = []any{name}
	return branch
}

func buildSecurityGroups(Options) []Variant {
	scopedIPv4, scopedIPv6 := notEqual(worldIPv4), notEqual(worldIPv6)
	openIPv4, openIPv6 := []any{worldIPv4}, []any{worldIPv6}
	exists := []any{map[string]any{"exists": true}}
	changed := apiCallPattern("aws.ec2", "ec2.amazonaws.com", nil, map[string]any{
		"$or": []any{
			// Calls that never open anything.
			map[string]any{"eventName": anyStrings([]string{
				"CreateSecurityGroup", "DeleteSecurityGroup",
				"RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
				"AuthorizeSecurityGroupEgress",
			})},
			// Ingress rules with at least one scoped source.
			withName("AuthorizeSecurityGroupIngress", under(ipPermission("ipRanges", "items", "cidrIp"), scopedIPv4)),
			withName("AuthorizeSecurityGroupIngress", under(ipPermission("ipv6Ranges", "items", "cidrIpv6"), scopedIPv6)),
			withName("AuthorizeSecurityGroupIngress", under(ipPermission("groups", "items", "groupId"), exists)),
			withName("AuthorizeSecurityGroupIngress", under(ipPermission("prefixListIds", "items", "prefixListId"), exists)),
			withName("AuthorizeSecurityGroupIngress", under([]string{"requestParameters", "cidrIp"}, scopedIPv4)),
			withName("AuthorizeSecurityGroupIngress", under([]string{"requestParameters", "sourceSecurityGroupName"}, exists)),
			withName("ModifySecurityGroupRules", under(modifiedRule("CidrIpv4"), scopedIPv4)),
			withName("ModifySecurityGroupRules", under(modifiedRule("CidrIpv6"), scopedIPv6)),
			withName("ModifySecurityGroupRules", under(modifiedRule("ReferencedGroupId"), exists)),
			withName("ModifySecurityGroupRules", under(modifiedRule("PrefixListId"), exists)),
		},
	})
	open := apiCallPattern("aws.ec2", "ec2.amazonaws.com", nil, map[string]any{
		"$or": []any{
			withName("AuthorizeSecurityGroupIngress", under(ipPermission("ipRanges", "items", "cidrIp"), openIPv4)),
			withName("AuthorizeSecurityGroupIngress", under(ipPermission("ipv6Ranges", "items", "cidrIpv6"), openIPv6)),
			withName("AuthorizeSecurityGroupIngress", under([]string{"requestParameters", "cidrIp"}, openIPv4)),
			withName("ModifySecurityGroupRules", under(modifiedRule("CidrIpv4"), openIPv4)),
			withName("ModifySecurityGroupRules", under(modifiedRule("CidrIpv6"), openIPv6)),
		},
	})
	return []Variant{
		{Name: "changed", Severity: severity.Medium, Pattern: changed},
		{Name: "open-to-world", Severity: severity.High, Pattern: open},
	}
}

// securityGroupsDetector reports every change to security groups; ingress
// opened to the whole internet is HIGH because it exposes whatever the group
// protects (SSH, RDP, databases) to scanning within minutes.
var securityGroupsDetector = Detector{
	ID:          "security-groups",
	Title:       "Security group change",
	Description: "Security groups created, deleted or their rules changed (CIS 4.10); ingress opened to 0.0.0.0/0 or ::/0 is HIGH.",
	DefaultOn:   true,
	Build:       buildSecurityGroups,
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"groupId":       "$.detail.requestParameters.groupId",
			"groupName":     "$.detail.requestParameters.groupName",
			"modifyGroupId": "$.detail.requestParameters.ModifySecurityGroupRulesRequest.GroupId",
			"newGroupId":    "$.detail.responseElements.groupId",
		}),
		Title:   "Security group <eventName> on <groupId><modifyGroupId><newGroupId> in account <account> (<region>)",
		Summary: "A security group's rules changed, which changes what can reach the resources behind it. Rules open to 0.0.0.0/0 or ::/0 expose those resources to the whole internet.",
		Fields: apiCallFields(
			Field{Label: "Security group", Value: "<groupId><modifyGroupId><newGroupId> <groupName>"},
		),
		ConsoleURL: "https://<region>.console.aws.amazon.com/ec2/home?region=<region>#SecurityGroups:search=<groupId><modifyGroupId><newGroupId>",
		NextSteps: []string{
			"Open the security group and check every inbound rule whose source is 0.0.0.0/0 or ::/0; remove those that are not meant to be public (never SSH 22, RDP 3389 or database ports).",
			confirmCaller,
			"Prefer narrower sources (a prefix list, another security group, a VPN range) and make the change through your infrastructure code so it is reviewed.",
		},
	},
}

// CIS AWS Foundations 4.11-4.14 (Security Hub CloudWatch.11-14): the event
// names are the ones in the benchmark's metric filters.
var (
	cisNetworkACLEvents = []string{
		"CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl",
		"DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
	}
	cisNetworkGatewayEvents = []string{
		"CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
		"CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway",
	}
	cisRouteTableEvents = []string{
		"CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
		"DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable",
	}
	cisVPCEvents = []string{
		"CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
		"CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
		"AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink",
	}
)

// networkChangesDetector covers CIS 4.11 (network ACLs), 4.12 (network
// gateways), 4.13 (route tables) and 4.14 (VPCs) in one detector: they are
// the same kind of event, read the same way. Gateway changes are MEDIUM
// because attaching an internet or customer gateway opens a new path into or
// out of a VPC; the others are LOW.
var networkChangesDetector = Detector{
	ID:          "network-changes",
	Title:       "VPC network change",
	Description: "Network ACL, route table and VPC changes (CIS 4.11, 4.13, 4.14) LOW; internet and customer gateway changes (CIS 4.12) MEDIUM.",
	DefaultOn:   true,
	Build: func(Options) []Variant {
		var low []string
		low = append(low, cisNetworkACLEvents...)
		low = append(low, cisRouteTableEvents...)
		low = append(low, cisVPCEvents...)
		return []Variant{
			{Name: "changed", Severity: severity.Low, Pattern: apiCallPattern("aws.ec2", "ec2.amazonaws.com", low, nil)},
			{Name: "gateways", Severity: severity.Medium, Pattern: apiCallPattern("aws.ec2", "ec2.amazonaws.com", cisNetworkGatewayEvents, nil)},
		}
	},
	Message: Message{
		Paths: apiCallPaths(map[string]string{
			"vpcId":        "$.detail.requestParameters.vpcId",
			"aclId":        "$.detail.requestParameters.networkAclId",
			"routeTableId": "$.detail.requestParameters.routeTableId",
			"gatewayId":    "$.detail.requestParameters.internetGatewayId",
		}),
		Title:   "VPC network change <eventName> in account <account> (<region>)",
		Summary: "The network layout changed (ACLs, routes, gateways or VPCs), which changes which traffic can reach or leave your workloads.",
		Fields: apiCallFields(
			Field{Label: "VPC", Value: "<vpcId>"},
			Field{Label: "Resource", Value: "<aclId> <routeTableId> <gatewayId>"},
		),
		ConsoleURL: eventHistoryURL,
		NextSteps: []string{
			confirmCaller,
			"Check that no route now sends private subnets to an internet gateway and that no network ACL entry allows 0.0.0.0/0 on administration ports.",
		},
	},
}
