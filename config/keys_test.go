package config

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// validStack is a hub stack's keys: the base of every CheckKeys case.
var validStack = []string{RoleKey, hubKey, DisableDefaultProvidersKey}

func TestCheckKeysAcceptsWhatTheProgramAndPulumiRead(t *testing.T) {
	for _, keys := range [][]string{
		validStack,
		{RoleKey, memberKey, DisableDefaultProvidersKey, AssumeRoleKey},
		// Pulumi's documented stack settings, and its namespace's others.
		{RoleKey, hubKey, DisableDefaultProvidersKey, "pulumi:tags", "pulumi:autonaming", "pulumi:some-future-setting"},
		nil,
	} {
		if err := CheckKeys(keys); err != nil {
			t.Errorf("CheckKeys(%q) = %v", keys, err)
		}
	}
}

func TestCheckKeys(t *testing.T) {
	for _, tc := range []struct {
		key   string
		stack []string // the stack's other keys; validStack if nil
		want  string   // the whole error, or its start when it ends with "..."
	}{
		{key: "secalerts:hubb", want: "secalerts:hubb: unknown key (did you mean secalerts:hub?)"},
		{key: "secalerts:rol", want: "secalerts:rol: unknown key (did you mean secalerts:role?)"},
		{key: "secalerts:Hub", want: "secalerts:Hub: unknown key (did you mean secalerts:hub?)"},
		{key: "secalerts:hub ", want: `"secalerts:hub ": unknown key (did you mean secalerts:hub?)`},
		{key: "secalerts:memebr", want: "secalerts:memebr: unknown key (did you mean secalerts:member?)"},
		{key: "secalert:hub", want: "secalert:hub: unknown key (did you mean secalerts:hub?)"},
		{key: "secalerst:member", want: "secalerst:member: unknown key (did you mean secalerts:member?)"},
		{key: "Secalerts:hub", want: "Secalerts:hub: unknown key (did you mean secalerts:hub?)"},
		{key: "hub", want: "hub: unknown key (did you mean secalerts:hub?)"},
		{key: "secalerts:regoin", want: "secalerts:regoin: unknown key (did you mean secalerts:hub.region? the hub's settings go inside secalerts:hub)"},
		// A member stack's nearest setting is its own.
		{key: "secalerts:regoin", stack: []string{RoleKey, memberKey, DisableDefaultProvidersKey}, want: "secalerts:regoin: unknown key (did you mean secalerts:member.regions? the member's settings go inside secalerts:member)"},
		{key: "secalert:regoin", want: "secalert:regoin: unknown key (did you mean secalerts:hub.region? the hub's settings go inside secalerts:hub)"},
		{key: "secalerts:hub.region", want: "secalerts:hub.region: unknown key: it names a setting of secalerts:hub as a key of its own; nest region under secalerts:hub in the stack file, or set it with pulumi config set --path 'secalerts:hub.region' <value>"},
		{key: "secalerts:spoke", want: "secalerts:spoke: unknown key (secalerts reads secalerts:role, secalerts:hub and secalerts:member)"},
		{key: "aws:region", want: "aws:region: not read by secalerts: stacks disable the default AWS provider, the only reader of aws: settings, and the program gives its own providers only aws:assumeRole; " +
			"the hub's region is secalerts:hub.region, a member's secalerts:member.homeRegion and secalerts:member.regions; remove it (pulumi config rm aws:region)"},
		{key: "aws:profile", want: "aws:profile: not read by secalerts: ...credentials come from the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, SSO, an instance role) or from aws:assumeRole; remove it (pulumi config rm aws:profile)"},
		{key: "aws:accessKey", want: "aws:accessKey: not read by secalerts: ...credentials come from the environment"},
		{key: "aws:allowedAccountIds", want: "aws:allowedAccountIds: not read by secalerts: ...every provider is already limited to the stack's account, secalerts:hub.accountId or secalerts:member.accountId"},
		{key: "aws:skipMetadataApiCheck", want: "aws:skipMetadataApiCheck: not read by secalerts: ...the providers take their region and account from secalerts:hub or secalerts:member"},
		{key: "aws:assumerole", want: "aws:assumerole: unknown key (did you mean aws:assumeRole?)"},
		{key: "asw:region", want: "asw:region: unknown key, and as aws:region it would not be read either: ...secalerts:hub.region"},
		{key: "pulumi:disable-default-provider", want: "pulumi:disable-default-provider: unknown key (did you mean pulumi:disable-default-providers?)"},
		{key: "pulumi:Tags", want: "pulumi:Tags: unknown key (did you mean pulumi:tags?)"},
		{key: "pulumni:tags", want: "pulumni:tags: unknown key (did you mean pulumi:tags?)"},
		// aws and tls are two letters apart, too far for three-letter names.
		{key: "tls:foo", want: "tls:foo: unknown key: secalerts reads no tls: settings (it reads secalerts:role, secalerts:hub, secalerts:member, aws:assumeRole, pulumi:disable-default-providers)"},
		{key: "kubernetes:context", want: "kubernetes:context: unknown key: secalerts reads no kubernetes: settings..."},
	} {
		t.Run(tc.key, func(t *testing.T) {
			stack := tc.stack
			if stack == nil {
				stack = validStack
			}
			keys := append([]string{tc.key}, stack...)
			err := CheckKeys(keys)
			if err == nil {
				t.Fatalf("CheckKeys(%q) = nil", keys)
			}
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Key != tc.key {
				t.Errorf("error %v is not a *KeyError for %q", err, tc.key)
			}
			got := err.Error()
			if strings.Contains(got, "\n") {
				t.Errorf("more than one error:\n%s", got)
			}
			if head, ok := strings.CutSuffix(tc.want, "..."); ok {
				if !strings.HasPrefix(got, head) {
					t.Errorf("got  %s\nwant %s...", got, head)
				}
			} else if start, rest, ok := strings.Cut(tc.want, "..."); ok {
				if !strings.HasPrefix(got, start) || !strings.Contains(got, rest) {
					t.Errorf("got  %s\nwant %s...%s", got, start, rest)
				}
			} else if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestCheckKeysReportsEachKeyOnce(t *testing.T) {
	err := CheckKeys([]string{"secalerts:hubb", RoleKey, "aws:region", "aws:profile", hubKey})
	if err == nil {
		t.Fatal("want an error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "secalerts:hubb:") || !strings.HasPrefix(lines[1], "aws:region:") || !strings.HasPrefix(lines[2], "aws:profile:") {
		t.Errorf("want one line per unknown key, in order:\n%s", err)
	}
}

func TestCheckDefaultProviders(t *testing.T) {
	const fix0 = "pulumi config set --path 'pulumi:disable-default-providers[0]' aws"
	for _, tc := range []struct {
		name, value string
		unset       bool
		want        string // "" for no error
	}{
		{name: "aws", value: `["aws"]`},
		{name: "every package", value: `["*"]`},
		{name: "aws among others", value: `["kubernetes","aws"]`},
		{name: "spaces trimmed as the engine does", value: `[" aws "]`},
		{name: "not set", unset: true, want: "pulumi:disable-default-providers: not set: a secalerts stack must disable the default AWS provider, " +
			"so that a resource missing its explicit provider fails instead of being created in the default provider's region; set it with " + fix0},
		{name: "empty list", value: `[]`, want: "pulumi:disable-default-providers: an empty list disables no default provider: add aws with " + fix0},
		// The engine passes an empty list as "".
		{name: "empty list from the engine", value: "", want: "pulumi:disable-default-providers: empty, so no default provider is disabled: add aws with " + fix0},
		{name: "another package", value: `["azure"]`, want: `pulumi:disable-default-providers: ["azure"] does not disable the default AWS provider: add aws (pulumi config set --path 'pulumi:disable-default-providers[1]' aws), or "*" for every package`},
		{name: "package names are lower case", value: `["AWS"]`, want: `pulumi:disable-default-providers: ["AWS"] does not disable the default AWS provider`},
		{name: "a single value", value: "aws", want: `pulumi:disable-default-providers: expected a list of package names such as [aws], got the single value "aws": set it as a list with ` + fix0},
		{name: "an object", value: `{"aws":true}`, want: "pulumi:disable-default-providers: expected a list of package names such as [aws], got an object"},
		{name: "not a string", value: `[1]`, want: "pulumi:disable-default-providers[0]: a number is not a package name (expected a string such as aws)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckDefaultProviders(tc.value, !tc.unset)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("CheckDefaultProviders(%q) = %v", tc.value, err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Errorf("CheckDefaultProviders(%q) = %v\nwant %s", tc.value, err, tc.want)
			}
		})
	}
}

func TestCheckRoleKeys(t *testing.T) {
	for _, tc := range []struct {
		role Role
		keys []string
		want string
	}{
		{RoleHub, []string{RoleKey, hubKey}, ""},
		{RoleMember, []string{RoleKey, memberKey}, ""},
		{RoleHub, []string{RoleKey, hubKey, memberKey}, "secalerts:member: set in a hub stack (secalerts:role is hub), which reads only secalerts:hub: remove it (pulumi config rm secalerts:member), or set secalerts:role to member"},
		{RoleMember, []string{RoleKey, hubKey, memberKey}, "secalerts:hub: set in a member stack (secalerts:role is member), which reads only secalerts:member: remove it (pulumi config rm secalerts:hub), or set secalerts:role to hub"},
	} {
		err := CheckRoleKeys(tc.role, tc.keys)
		if got := errString(err); got != tc.want {
			t.Errorf("CheckRoleKeys(%s, %q)\ngot  %s\nwant %s", tc.role, tc.keys, got, tc.want)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestCheckStack: with the keys known every rule applies; without them
// only what can be read is checked, and no key is ever missing.
func TestCheckStack(t *testing.T) {
	hub := map[string]string{RoleKey: "hub", hubKey: "{}"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		cfg   map[string]string
		known bool
		want  []string // the start of each line of the error
	}{
		{name: "hub", cfg: with(hub, DisableDefaultProvidersKey, `["aws"]`), known: true},
		{name: "hub without the key list", cfg: with(hub, DisableDefaultProvidersKey, `["aws"]`)},
		{name: "missing providers", cfg: hub, known: true, want: []string{"pulumi:disable-default-providers: not set"}},
		// The keys may not all be shown: absent is not missing.
		{name: "missing providers, keys unknown", cfg: hub},
		{name: "wrong providers, keys unknown", cfg: with(hub, DisableDefaultProvidersKey, `["azure"]`), want: []string{`pulumi:disable-default-providers: ["azure"]`}},
		{name: "other role's object, keys unknown", cfg: with(hub, memberKey, "{}"), want: []string{"secalerts:member: set in a hub stack"}},
		{name: "typo of the providers key", cfg: with(hub, "pulumi:disable-default-provider", `["aws"]`), known: true,
			want: []string{"pulumi:disable-default-provider: unknown key (did you mean pulumi:disable-default-providers?)"}},
		{name: "every problem", cfg: with(hub, "secalerts:hubb", "{}", memberKey, "{}", DisableDefaultProvidersKey, "[]"), known: true,
			want: []string{"secalerts:hubb: unknown key", "pulumi:disable-default-providers: an empty list", "secalerts:member: set in a hub stack"}},
		// A bad role is ParseRole's to report.
		{name: "bad role", cfg: with(hub, RoleKey, "spoke", memberKey, "{}", DisableDefaultProvidersKey, `["aws"]`), known: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var keys []string
			if tc.known {
				for k := range tc.cfg {
					keys = append(keys, k)
				}
			}
			get := func(k string) (string, bool) { v, ok := tc.cfg[k]; return v, ok }
			err := CheckStack(keys, tc.known, get)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("CheckStack = %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckStack = nil, want %q", tc.want)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("%d errors, want %d:\n%s", len(lines), len(tc.want), err)
			}
			for _, w := range tc.want {
				found := false
				for _, l := range lines {
					found = found || strings.HasPrefix(l, w)
				}
				if !found {
					t.Errorf("no error starts with %q:\n%s", w, err)
				}
			}
		})
	}
}

// TestAccountIDAsNumberSuggestsNoValue: under pulumi up the program only
// gets the number YAML read, which is not the ID as written when it had a
// leading zero, so the hint names the key and says why, without quoting
// the number back.
func TestAccountIDAsNumberSuggestsNoValue(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		number     json.Number // what the CLI passes for the unquoted ID
		edit       func(h obj, n json.Number)
	}{
		{"hub account read as octal", "secalerts:hub.accountId", "1227133513", func(h obj, n json.Number) { h["accountId"] = n }},
		{"hub account losing its zero", "secalerts:hub.accountId", "12345678912", func(h obj, n json.Number) { h["accountId"] = n }},
		{"customer account read as octal", "secalerts:hub.customers[0].accounts[1]", "1227133513",
			func(h obj, n json.Number) { cust(h, 0)["accounts"] = []any{"111111111111", n} }},
		{"customer account losing its zero", "secalerts:hub.customers[0].accounts[1]", "12345678912",
			func(h obj, n json.Number) { cust(h, 0)["accounts"] = []any{"111111111111", n} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseHub(hubWith(t, func(h obj) { tc.edit(h, tc.number) }), allSecret)
			want := tc.path + ": " + string(tc.number) + " is a number, not a quoted account ID: put the ID in quotes exactly as written in the stack file, " +
				"because unquoted YAML drops leading zeros and reads digits after a leading 0 as octal"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("got %v\nwant %s", err, want)
			}
			if strings.Contains(err.Error(), `"`+string(tc.number)+`"`) {
				t.Errorf("the hint quotes the number it got, which is not the ID as written: %v", err)
			}
		})
	}
	_, err := ParseMember([]byte(`{"accountId": 1227133513, "hubEventBusArn": "arn:aws:events:us-east-1:999999999999:event-bus/secalerts-acme"}`))
	if err == nil || !strings.Contains(err.Error(), "secalerts:member.accountId: 1227133513 is a number, not a quoted account ID") {
		t.Errorf("member: got %v", err)
	}
}

func TestUnquotedNumber(t *testing.T) {
	for _, tc := range []struct{ written, read, want string }{
		{"011111111111", "1227133513", `k: 011111111111 is not quoted, so it is read as the number 1227133513 (YAML reads digits after a leading 0 as octal): quote it as written, "011111111111"`},
		{"012345678912", "12345678912", `k: 012345678912 is not quoted, so it is read as the number 12345678912 (YAML drops the leading zeros): quote it as written, "012345678912"`},
		{"0x1F", "31", `k: 0x1F is not quoted, so it is read as the number 31 (0x makes it hexadecimal): quote it as written, "0x1F"`},
	} {
		if got := UnquotedNumber("k", tc.written, tc.read).Error(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"region", "region", 0},
		{"regoin", "region", 1},
		{"secalerst", "secalerts", 1},
		{"hubb", "hub", 1},
		{"hub ", "hub", 1},
		{"aws", "tls", 2},
		{"", "abc", 3},
		{"mémber", "member", 1},
	} {
		if got := distance(tc.a, tc.b); got != tc.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
