// Package stack is the secalerts Pulumi program: it reads the stack's role
// and configuration, validates it before anything is created, makes one
// explicit AWS provider per region and composes the components. main.go
// runs it under the Pulumi engine; the offline tool and the tests run the
// very same function under Pulumi's mock monitor.
package stack

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/config"
	"secalerts/names"
)

// Project is the Pulumi project name; config keys are secalerts:<key>.
const Project = "secalerts"

// Run is the program.
func Run(ctx *pulumi.Context) error {
	roleValue, _ := ctx.GetConfig(Project + ":role")
	role, err := config.ParseRole(roleValue)
	if err != nil {
		return err
	}
	switch role {
	case config.RoleHub:
		return runHub(ctx)
	default:
		return runMember(ctx)
	}
}

// Config is what the program reads of a stack's configuration: the Pulumi
// context under `pulumi up`, a stack file in the offline tool, which plans
// stacks with the same functions as the program.
type Config interface {
	// Get returns the value of a full key ("secalerts:hub"); structured
	// values are JSON, as the Pulumi CLI passes them.
	Get(key string) (string, bool)
	// IsSecret reports whether the key's value is, or contains, a secret.
	IsSecret(key string) bool
}

// contextConfig is the configuration the Pulumi engine gives the program.
type contextConfig struct{ ctx *pulumi.Context }

func (c contextConfig) Get(key string) (string, bool) { return c.ctx.GetConfig(key) }
func (c contextConfig) IsSecret(key string) bool      { return c.ctx.IsConfigSecret(key) }

// requireObject returns the JSON of a structured config key.
func requireObject(c Config, key string) ([]byte, error) {
	raw, ok := c.Get(Project + ":" + key)
	if !ok || strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("%s:%s is not set: the %s stack needs it (see the configuration reference in README.md)", Project, key, key)
	}
	return []byte(raw), nil
}

// readAssumeRole reads aws:assumeRole for a stack of account, before any
// resource is created.
func readAssumeRole(c Config, acct names.Account) (config.AssumeRole, error) {
	raw, _ := c.Get(config.AssumeRoleKey)
	return config.ParseAssumeRole([]byte(raw), acct.ID, acct.Partition)
}

// newProvider makes the explicit provider of one region, assuming role
// first when it is set (aws:assumeRole, which only the disabled default
// provider would read by itself). Stacks disable the default provider, so
// a resource that misses its provider fails instead of landing in the
// wrong region, and allowedAccountIds stops a deployment with the wrong
// account's credentials before it changes anything.
func newProvider(ctx *pulumi.Context, acct names.Account, role config.AssumeRole) (*aws.Provider, error) {
	args := &aws.ProviderArgs{
		Region:            pulumi.String(acct.Region),
		AllowedAccountIds: pulumi.StringArray{pulumi.String(acct.ID)},
		DefaultTags: &aws.ProviderDefaultTagsArgs{
			Tags: pulumi.StringMap{"managed-by": pulumi.String("secalerts"), "secalerts:stack": pulumi.String(ctx.Stack())},
		},
	}
	if role.RoleARN != "" {
		name := role.SessionName
		if name == "" {
			// Names the session in the account's CloudTrail.
			name = names.SessionName(ctx.Stack())
		}
		assume := &aws.ProviderAssumeRoleArgs{RoleArn: pulumi.String(role.RoleARN), SessionName: pulumi.String(name)}
		if role.ExternalID != "" {
			// A shared secret: kept secret in state whatever the stack file did.
			assume.ExternalId = pulumi.ToSecret(pulumi.String(role.ExternalID)).(pulumi.StringOutput)
		}
		args.AssumeRole = assume
	}
	p, err := aws.NewProvider(ctx, "aws-"+acct.Region, args)
	if err != nil {
		return nil, fmt.Errorf("creating the AWS provider for %s: %w", acct.Region, err)
	}
	return p, nil
}
