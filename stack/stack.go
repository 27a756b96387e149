// Package stack is the secalerts Pulumi program: it reads the stack's role
// and configuration, validates it before anything is created, makes one
// explicit AWS provider per region and composes the components. main.go
// runs it under the Pulumi engine; the offline tool and the tests run the
// very same function under Pulumi's mock monitor.
package stack

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/config"
	"secalerts/names"
	"secalerts/preview"
)

// Project is the Pulumi project name; config keys are secalerts:<key>.
const Project = "secalerts"

// Run is the program. The configuration's keys are checked before anything
// else: a stack with a stray key, one that leaves the default AWS provider
// enabled or one that sets the other role's object fails before its
// objects are read.
func Run(ctx *pulumi.Context) error {
	c := newContextConfig(ctx)
	if err := CheckConfig(c); err != nil {
		return err
	}
	roleValue, _ := c.Get(config.RoleKey)
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
	// Secret reports whether the value at a full path
	// ("secalerts:hub.customers[0].webhooks[0].url") is a secret.
	Secret(path string) bool
	// Keys lists every key of the configuration; known is false when the
	// configuration cannot be listed, and a key absent from Get may then
	// still be set.
	Keys() (keys []string, known bool)
}

// CheckConfig checks the keys of c before any value is read
// (config.CheckStack). When c cannot list its keys, only the values it can
// read are checked: a correct stack is never refused for a key the program
// was not shown.
func CheckConfig(c Config) error {
	keys, known := c.Keys()
	return config.CheckStack(keys, known, c.Get)
}

// contextConfig is the configuration the Pulumi engine gives the program,
// and the stack file it came from when the program can read it.
type contextConfig struct {
	ctx  *pulumi.Context
	file *preview.Stack
}

// newContextConfig reads ctx's configuration. The stack file is
// Pulumi.<stack>.yaml beside the project's Pulumi.yaml, the file pulumi up
// reads; it is absent when the configuration lives elsewhere (a
// stackConfigDir, an ESC environment).
func newContextConfig(ctx *pulumi.Context) contextConfig {
	c := contextConfig{ctx: ctx}
	if ctx.RootDirectory() == "" {
		return c
	}
	if st, err := preview.LoadStackFile(filepath.Join(ctx.RootDirectory(), "Pulumi."+ctx.Stack()+".yaml")); err == nil {
		c.file = &st
	}
	return c
}

func (c contextConfig) Get(key string) (string, bool) { return c.ctx.GetConfig(key) }

// Secret reports whether the value at path is a secret. Pulumi tells a
// program only whether a whole key holds a secret somewhere, which a
// webhook URL in plain text beside any secret would pass; so where the
// stack file sets the value, the file says whether that value is
// encrypted. A value the file does not set has only its key's mark.
func (c contextConfig) Secret(path string) bool {
	if c.file != nil && c.file.Holds(path) {
		return c.file.Secret(path)
	}
	key, _, _ := strings.Cut(path, ".")
	return c.ctx.IsConfigSecret(key)
}

// Keys lists the keys of PULUMI_CONFIG. pulumi.Context reads a key but
// cannot list them, and the engine hands the program the stack's whole
// configuration in that variable: the Go language host sets it to the JSON
// of the run request's config, which the engine fills with the stack's
// decrypted configuration, pulumi: keys included (the engine reads
// pulumi:disable-default-providers from that same configuration). The
// variable is only trusted when it is the context's configuration, as it
// is under the engine: under the mock monitor the context's configuration
// comes from RunInfo, and a PULUMI_CONFIG left in the environment says
// nothing of it.
func (c contextConfig) Keys() ([]string, bool) {
	return envConfigKeys(os.Getenv(pulumi.EnvConfig), c.Get)
}

// envConfigKeys lists the keys of env, the JSON object of PULUMI_CONFIG;
// known is false unless env parses and agrees with get on every key of
// env and on every key the program reads.
func envConfigKeys(env string, get func(string) (string, bool)) ([]string, bool) {
	var cfg map[string]string
	if strings.TrimSpace(env) == "" || json.Unmarshal([]byte(env), &cfg) != nil {
		return nil, false
	}
	for k, v := range cfg {
		if got, ok := get(k); !ok || got != v {
			return nil, false
		}
	}
	for _, k := range config.ProgramKeys() {
		if _, ok := get(k); ok {
			if _, inEnv := cfg[k]; !inEnv {
				return nil, false
			}
		}
	}
	return slices.Sorted(maps.Keys(cfg)), true
}

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
