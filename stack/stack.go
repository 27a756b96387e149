// Package stack is the secalerts Pulumi program: it reads the stack's role
// and configuration, validates it before anything is created, makes one
// explicit AWS provider per region and composes the components. main.go
// runs it under the Pulumi engine; the offline tool and the tests run the
// very same function under Pulumi's mock monitor.
package stack

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/config"
	"secalerts/policy"
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

// requireObject returns the JSON of a structured config key.
func requireObject(ctx *pulumi.Context, key string) ([]byte, error) {
	raw, ok := ctx.GetConfig(Project + ":" + key)
	if !ok || strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("%s:%s is not set: the %s stack needs it (see the configuration reference in README.md)", Project, key, key)
	}
	return []byte(raw), nil
}

// readAssumeRole reads aws:assumeRole for a stack of account, before any
// resource is created.
func readAssumeRole(ctx *pulumi.Context, acct policy.Account) (config.AssumeRole, error) {
	raw, _ := ctx.GetConfig(config.AssumeRoleKey)
	return config.ParseAssumeRole([]byte(raw), acct.ID, acct.Partition)
}

// newProvider makes the explicit provider of one region, assuming role
// first when it is set (aws:assumeRole, which only the disabled default
// provider would read by itself). Stacks disable the default provider, so
// a resource that misses its provider fails instead of landing in the
// wrong region, and allowedAccountIds stops a deployment with the wrong
// account's credentials before it changes anything.
func newProvider(ctx *pulumi.Context, acct policy.Account, role config.AssumeRole) (*aws.Provider, error) {
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
			name = sessionName(ctx.Stack())
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

// sessionName is the role session name for a stack: STS allows 64
// characters, and stack names are made of characters it accepts.
func sessionName(stack string) string {
	name := "secalerts-" + stack
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// joinErrors keeps every validation error, so one preview shows them all.
func joinErrors(errs []error) error { return errors.Join(errs...) }
