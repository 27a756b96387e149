package config

import (
	"regexp"
	"slices"
	"strings"
)

// defaultRegions are the commercial regions launched before 20 March 2019:
// enabled in every account and impossible to disable, so events can come
// from them whatever the account did ("Default Regions", AWS Account
// Management Reference Guide, Enable or disable AWS Regions in your
// account; DescribeRegions reports them as opt-in-not-required).
var defaultRegions = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1",
	"ap-southeast-1", "ap-southeast-2",
	"ca-central-1",
	"eu-central-1",
	"eu-north-1",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"sa-east-1",
	"us-east-1", "us-east-2",
	"us-west-1", "us-west-2",
}

// optInRegions are the regions an account has to enable first, and the
// GovCloud and China partitions' regions (botocore partitions.json plus the
// regions launched since: ap-east-2, ap-southeast-6, ap-southeast-7,
// mx-central-1). A region AWS launches later must be added here before a
// stack can name it.
var optInRegions = []string{
	"af-south-1",
	"ap-east-1", "ap-east-2",
	"ap-south-2",
	"ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-west-1",
	"eu-central-2",
	"eu-south-1", "eu-south-2",
	"il-central-1",
	"me-central-1", "me-south-1",
	"mx-central-1",
	"us-gov-east-1", "us-gov-west-1",
	"cn-north-1", "cn-northwest-1",
}

// DefaultRegions returns the regions enabled in every commercial AWS
// account, sorted. The offline tool uses them where a member stack says
// regions: enabled, because it cannot ask the account.
func DefaultRegions() []string {
	return slices.Clone(defaultRegions)
}

// regionShape is the form of every AWS region name (us-east-1,
// us-gov-west-1), checked before the list so a typo gets a clearer message.
var regionShape = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// checkRegion records an error unless region is a known AWS region.
func checkRegion(p *problems, path, region string) bool {
	switch {
	case !regionShape.MatchString(region):
		p.addf(path, "%q is not an AWS region name (expected the form xx-xxxx-N, e.g. us-east-1)", region)
		return false
	case !IsKnownRegion(region):
		p.addf(path, "%q is not a known AWS region (known: %s; a region launched after this list was written must be added to config/regions.go)",
			region, strings.Join(knownRegions(), ", "))
		return false
	}
	return true
}

// IsKnownRegion reports whether region is a region this list knows: a
// default or an opt-in region, or one of GovCloud or China.
func IsKnownRegion(region string) bool {
	return slices.Contains(defaultRegions, region) || slices.Contains(optInRegions, region)
}

// knownRegions is every region checkRegion accepts, sorted.
func knownRegions() []string {
	all := append(slices.Clone(defaultRegions), optInRegions...)
	slices.Sort(all)
	return all
}

// Partition is the AWS partition a region belongs to; ARNs, principals and
// credentials never cross partitions.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// ChatbotRegions are the regions that serve the AWS Chatbot API, where
// channel configurations can be made (AWS Chatbot API Reference, service
// endpoints: us-east-2, us-west-2, ap-southeast-1 and eu-west-1; there is
// no us-east-1 endpoint). A configuration reads SNS topics of any region.
var ChatbotRegions = []string{"us-east-2", "us-west-2", "ap-southeast-1", "eu-west-1"}
