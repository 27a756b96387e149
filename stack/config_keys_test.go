package stack_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/config"
	"secalerts/internal/stacktest"
	"secalerts/preview"
	"secalerts/stack"
)

// Config values as the Pulumi CLI passes them: structured values as JSON.
const (
	awsOnly     = `["aws"]`
	memberValue = `{"accountId": "111111111111", "hubEventBusArn": "arn:aws:events:us-east-1:999999999999:event-bus/secalerts-acme", "regions": ["us-east-1"]}`
	hubValue    = `{"accountId": "999999999999", "region": "us-east-1", "alarmEmails": ["ops@example.com"], "customers": [{"name": "acme", "accounts": ["111111111111"], "emails": ["a@example.com"]}]}`
)

// configStack is a stack of cfg (key, value pairs) as the program sees it.
func configStack(kv ...string) preview.Stack {
	st := preview.Stack{Project: stack.Project, Name: "test", Config: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		st.Config[kv[i]] = kv[i+1]
	}
	return st
}

// engineConfig sets PULUMI_CONFIG as the Go language host does under the
// engine: the JSON of the whole configuration.
func engineConfig(t *testing.T, cfg map[string]string) {
	t.Helper()
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(pulumi.EnvConfig, string(b))
}

// TestRunChecksConfigKeysTheEngineShows: under the engine the program sees
// every key, and refuses a stray one, a missing or wrong
// pulumi:disable-default-providers and the other role's object before
// anything is registered.
func TestRunChecksConfigKeysTheEngineShows(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   preview.Stack
		want string
	}{
		{"default providers not disabled", configStack(config.RoleKey, "member", "secalerts:member", memberValue),
			"pulumi:disable-default-providers: not set: a secalerts stack must disable the default AWS provider"},
		{"default providers: empty list as the engine passes it", configStack(config.DisableDefaultProvidersKey, "", config.RoleKey, "member", "secalerts:member", memberValue),
			"pulumi:disable-default-providers: empty, so no default provider is disabled"},
		{"default providers of another package", configStack(config.DisableDefaultProvidersKey, `["azure"]`, config.RoleKey, "member", "secalerts:member", memberValue),
			`pulumi:disable-default-providers: ["azure"] does not disable the default AWS provider`},
		{"key typo", configStack(config.DisableDefaultProvidersKey, awsOnly, config.RoleKey, "hub", "secalerts:hubb", hubValue),
			"secalerts:hubb: unknown key (did you mean secalerts:hub?)"},
		{"namespace typo", configStack(config.DisableDefaultProvidersKey, awsOnly, config.RoleKey, "hub", "secalert:hub", hubValue),
			"secalert:hub: unknown key (did you mean secalerts:hub?)"},
		{"aws:region", configStack(config.DisableDefaultProvidersKey, awsOnly, config.RoleKey, "member", "secalerts:member", memberValue, "aws:region", "eu-west-1"),
			"aws:region: not read by secalerts"},
		{"hub object in a member stack", configStack(config.DisableDefaultProvidersKey, awsOnly, config.RoleKey, "member", "secalerts:member", memberValue, "secalerts:hub", hubValue),
			"secalerts:hub: set in a member stack"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			engineConfig(t, tc.st.Config)
			rs, err := preview.Run(tc.st, stacktest.Options(), stack.Run)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
			if len(rs) != 0 {
				t.Errorf("%d resources registered before the error", len(rs))
			}
		})
	}
}

// TestRunChecksConfigKeysOnlyWhenShown: when PULUMI_CONFIG is not the
// configuration of the run (absent, unreadable, or another configuration,
// as under the mock monitor), a key the program cannot see is never
// missing, but the values it can read are still checked.
func TestRunChecksConfigKeysOnlyWhenShown(t *testing.T) {
	noProviders := configStack(config.RoleKey, "member", "secalerts:member", memberValue)
	for _, tc := range []struct {
		name, env string
		st        preview.Stack
		want      string // "" for a preview that succeeds
	}{
		{name: "no PULUMI_CONFIG", st: noProviders},
		{name: "PULUMI_CONFIG not JSON", env: "{", st: noProviders},
		{name: "PULUMI_CONFIG of another configuration", env: `{"secalerts:role": "hub"}`, st: noProviders},
		{name: "PULUMI_CONFIG missing a key the context has", env: `{"secalerts:role": "member"}`, st: noProviders},
		{name: "the engine's own configuration", st: configStack(config.DisableDefaultProvidersKey, awsOnly, config.RoleKey, "member", "secalerts:member", memberValue), env: "engine"},
		{name: "wrong providers, readable", st: configStack(config.DisableDefaultProvidersKey, `["azure"]`, config.RoleKey, "member", "secalerts:member", memberValue),
			want: `pulumi:disable-default-providers: ["azure"] does not disable the default AWS provider`},
		{name: "the hub's object in a member, readable", st: configStack(config.RoleKey, "member", "secalerts:member", memberValue, "secalerts:hub", hubValue),
			want: "secalerts:hub: set in a member stack"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env == "engine" {
				engineConfig(t, tc.st.Config)
			} else {
				t.Setenv(pulumi.EnvConfig, tc.env)
			}
			rs, err := preview.Run(tc.st, stacktest.Options(), stack.Run)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(stacktest.OfType(rs, "aws:cloudwatch/eventRule:EventRule")) == 0 {
					t.Error("the member preview has no rule")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
		})
	}
}

// unlisted is a configuration that cannot list its keys.
type unlisted struct{ preview.Stack }

func (unlisted) Keys() ([]string, bool) { return nil, false }

func TestCheckConfigKeys(t *testing.T) {
	member := configStack(config.RoleKey, "member", "secalerts:member", memberValue)
	if err := stack.CheckConfig(member); err == nil || !strings.Contains(err.Error(), "pulumi:disable-default-providers: not set") {
		t.Errorf("a stack file without pulumi:disable-default-providers: got %v", err)
	}
	if err := stack.CheckConfig(unlisted{member}); err != nil {
		t.Errorf("a configuration that cannot list its keys is refused for a key it may not show: %v", err)
	}
	member.Config[config.DisableDefaultProvidersKey] = awsOnly
	if err := stack.CheckConfig(member); err != nil {
		t.Errorf("a right member stack: %v", err)
	}
}
