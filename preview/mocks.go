// Package preview runs the real secalerts program against Pulumi's mock
// resource monitor, so a stack can be previewed, tested and replayed without
// AWS credentials or the Pulumi CLI. The mocks answer like AWS would for the
// parts the program and the offline tool read: deterministic ARNs, names and
// URLs derived from the resource's provider (region, account).
package preview

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/config"
	"secalerts/names"
)

// Resource is one resource the program registered.
type Resource struct {
	URN      string
	Type     string
	Name     string
	Parent   string
	Custom   bool
	Provider string
	// Region and Account are those of the resource's AWS provider ("" for
	// components and providers).
	Region  string
	Account string
	// Inputs are the resolved inputs; Outputs what the mock returned.
	Inputs  map[string]any
	Outputs map[string]any
	// SecretInputs lists the input keys that were secret.
	SecretInputs []string
}

// defaultAccount stands in for the caller's account when a provider does not
// pin allowedAccountIds.
const defaultAccount = "000000000000"

// Mocks is a pulumi.MockResourceMonitor that records every resource.
type Mocks struct {
	project, stack string

	mu        sync.Mutex
	resources []Resource
	providers map[string]providerInfo // by provider URN
	opts      Options
}

// Options are what the mocks cannot know from the program itself.
type Options struct {
	// Regions answers region discovery (aws.getRegions).
	Regions []string
	// StackOutputs are the outputs of referenced stacks, by stack name.
	StackOutputs map[string]map[string]any
}

type providerInfo struct{ region, account string }

// NewMocks returns mocks for one program run.
func NewMocks(project, stack string, opts Options) *Mocks {
	return &Mocks{project: project, stack: stack, providers: map[string]providerInfo{}, opts: opts}
}

// Resources returns what was registered, in registration order.
func (m *Mocks) Resources() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Resource(nil), m.resources...)
}

// Call answers provider functions (invokes).
func (m *Mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	p := m.provider(args.Provider)
	switch args.Token {
	case "aws:index/getRegions:getRegions":
		return resource.NewPropertyMapFromMap(map[string]any{"id": "aws", "names": m.opts.Regions}), nil
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{
			"accountId": p.account, "arn": names.Account{Partition: config.Partition(p.region), ID: p.account}.GlobalARN("iam", "user/preview"), "userId": "AIDAPREVIEW",
		}), nil
	case "aws:index/getPartition:getPartition":
		dns := "amazonaws.com"
		if config.Partition(p.region) == "aws-cn" {
			dns = "amazonaws.com.cn"
		}
		return resource.NewPropertyMapFromMap(map[string]any{"partition": config.Partition(p.region), "dnsSuffix": dns}), nil
	}
	return nil, fmt.Errorf("offline preview cannot answer %s", args.Token)
}

// NewResource records a resource and returns the outputs AWS would compute.
func (m *Mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	parent := ""
	if args.RegisterRPC != nil {
		parent = args.RegisterRPC.GetParent()
	}
	urn := m.urn(parent, args.TypeToken, args.Name)
	inputs := args.Inputs.Mappable()
	var secrets []string
	for k, v := range args.Inputs {
		if v.ContainsSecrets() {
			secrets = append(secrets, string(k))
		}
	}
	r := Resource{URN: urn, Type: args.TypeToken, Name: args.Name, Parent: parent, Custom: args.Custom,
		Inputs: inputs, SecretInputs: secrets}

	m.mu.Lock()
	if strings.HasPrefix(args.TypeToken, "pulumi:providers:") {
		info := providerInfo{region: str(inputs["region"]), account: defaultAccount}
		if ids, ok := inputs["allowedAccountIds"].([]any); ok && len(ids) > 0 {
			info.account = str(ids[0])
		}
		m.providers[urn] = info
	} else if args.Custom {
		p := m.providerLocked(args.Provider)
		r.Provider, r.Region, r.Account = providerURN(args.Provider), p.region, p.account
	}
	m.mu.Unlock()

	id, outputs := computed(r)
	if args.TypeToken == "pulumi:pulumi:StackReference" {
		id = str(inputs["name"])
		outputs["outputs"] = m.opts.StackOutputs[id]
	}
	r.Outputs = outputs
	m.mu.Lock()
	m.resources = append(m.resources, r)
	m.mu.Unlock()

	out := resource.NewPropertyMapFromMap(outputs)
	// Keep secret inputs secret in the outputs, as the engine does.
	for _, k := range secrets {
		if v, ok := out[resource.PropertyKey(k)]; ok {
			out[resource.PropertyKey(k)] = resource.MakeSecret(v)
		}
	}
	return id, out, nil
}

func (m *Mocks) provider(ref string) providerInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.providerLocked(ref)
}

func (m *Mocks) providerLocked(ref string) providerInfo {
	if p, ok := m.providers[providerURN(ref)]; ok {
		return p
	}
	return providerInfo{account: defaultAccount}
}

// providerURN strips the "::id" a provider reference ends with.
func providerURN(ref string) string {
	if i := strings.LastIndex(ref, "::"); i > 0 && strings.HasPrefix(ref, "urn:") {
		return ref[:i]
	}
	return ref
}

// urn builds the URN the engine (and the SDK's mock monitor) gives: the
// parent's type chain, then this type, then the name.
func (m *Mocks) urn(parent, typ, name string) string {
	var parentType tokens.Type
	if p := resource.URN(parent); p != "" && p.IsValid() && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(m.stack), tokens.PackageName(m.project), parentType, tokens.Type(typ), name))
}

// computed returns the physical ID and the outputs of r: its inputs plus
// the attributes AWS computes (ARNs, URLs, IDs).
func computed(r Resource) (string, map[string]any) {
	out := map[string]any{}
	for k, v := range r.Inputs {
		out[k] = v
	}
	if !r.Custom {
		return "", out
	}
	name := str(r.Inputs["name"])
	if name == "" {
		name = r.Name
		if _, named := r.Inputs["configurationName"]; !named && !strings.HasPrefix(r.Type, "pulumi:providers:") {
			out["name"] = name
		}
	}
	acct := names.Account{Partition: config.Partition(r.Region), Region: r.Region, ID: r.Account}
	id := name
	arn := ""
	switch r.Type {
	case "aws:sns/topic:Topic":
		arn = acct.TopicARN(name)
		id = arn
	case "aws:sns/topicSubscription:TopicSubscription":
		arn = fmt.Sprintf("%s:%s", str(r.Inputs["topic"]), shortHash(r.URN))
		id = arn
	case "aws:sqs/queue:Queue":
		arn = acct.QueueARN(name)
		id = fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", r.Region, r.Account, name)
		out["url"] = id
	case "aws:kms/key:Key":
		id = shortHash(r.URN) + "-0000-4000-8000-" + shortHash(r.URN+"k") + "0000"
		arn = acct.ARN("kms", "key/"+id)
		out["keyId"] = id
	case "aws:kms/alias:Alias":
		arn = acct.ARN("kms", name)
	case "aws:iam/role:Role":
		arn = acct.RoleARN(name)
	case "aws:iam/policy:Policy":
		arn = acct.GlobalARN("iam", "policy/"+name)
	case "aws:cloudwatch/eventBus:EventBus":
		arn = acct.EventBusARN(name)
	case "aws:cloudwatch/eventRule:EventRule":
		bus := str(r.Inputs["eventBusName"])
		arn = acct.RuleARN(bus, name)
		if bus != "" && bus != names.DefaultBus {
			id = bus + "/" + name
		}
	case "aws:cloudwatch/eventArchive:EventArchive":
		arn = acct.ARN("events", "archive/"+name)
	case "aws:cloudwatch/eventConnection:EventConnection":
		arn = acct.ARN("events", "connection/"+name+"/"+shortHash(r.URN))
		out["secretArn"] = acct.ARN("secretsmanager", "secret:events!connection/"+name)
	case "aws:cloudwatch/eventApiDestination:EventApiDestination":
		arn = acct.ARN("events", "api-destination/"+name+"/"+shortHash(r.URN))
	case "aws:cloudwatch/metricAlarm:MetricAlarm":
		arn = acct.AlarmARN(name)
	case "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
		"aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration":
		kind := "slack-channel"
		if strings.Contains(r.Type, "teams") {
			kind = "microsoft-teams-channel"
		}
		arn = acct.GlobalARN("chatbot", "chat-configuration/"+kind+"/"+str(r.Inputs["configurationName"]))
		out["chatConfigurationArn"] = arn
		id = arn
	case "aws:cloudcontrol/resource:Resource":
		out["properties"] = r.Inputs["desiredState"]
		id = shortHash(r.URN)
	default:
		arn = acct.ARN(service(r.Type), name)
	}
	if arn != "" {
		out["arn"] = arn
	}
	out["id"] = id
	return id, out
}

// service is the module part of a type token: aws:sqs/queuePolicy:QueuePolicy -> sqs.
func service(typ string) string {
	parts := strings.Split(typ, ":")
	if len(parts) < 2 {
		return typ
	}
	return strings.Split(parts[1], "/")[0]
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])[:8]
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
