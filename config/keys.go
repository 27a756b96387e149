package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// The top-level keys of a stack's configuration besides secalerts:hub,
// secalerts:member and aws:assumeRole.
const (
	// RoleKey is secalerts:role, read by ParseRole.
	RoleKey = "secalerts:role"
	// DisableDefaultProvidersKey lists the packages whose default provider
	// the Pulumi engine refuses to create; "*" is every package.
	DisableDefaultProvidersKey = "pulumi:disable-default-providers"
)

// The namespaces of the keys a stack can set.
const (
	projectNamespace = "secalerts"
	awsNamespace     = "aws"
	pulumiNamespace  = "pulumi"
)

// programKeys are the keys the program reads.
var programKeys = []string{RoleKey, hubKey, memberKey, AssumeRoleKey, DisableDefaultProvidersKey}

// ProgramKeys lists the top-level keys the program reads.
func ProgramKeys() []string { return slices.Clone(programKeys) }

// pulumiSettings are the pulumi: keys Pulumi documents as stack settings:
// default providers to disable, stack tags applied at every update, and
// how resources are auto-named. Other pulumi: keys are let through (the
// engine owns that namespace and may add settings), except near misses of
// these, which are typos.
var pulumiSettings = []string{"disable-default-providers", "tags", "autonaming"}

// setDefaultProvidersFix is the command that disables the default AWS
// provider of a stack that does not yet list any package.
const setDefaultProvidersFix = "pulumi config set --path 'pulumi:disable-default-providers[0]' aws"

// KeyError is a problem with one top-level key of a stack's configuration.
// Key is the full key as given, so a caller that read a stack file can say
// on which line it is; Within is where in the key's value the problem is
// ("[1]"), when it is not the key itself.
type KeyError struct {
	Key     string
	Within  string
	Problem string
}

func (e *KeyError) Error() string { return ShowKey(e.Key) + e.Within + ": " + e.Problem }

func keyErr(key, format string, args ...any) error {
	return &KeyError{Key: key, Problem: fmt.Sprintf(format, args...)}
}

// ShowKey spells a key for messages: quoted when a space or an invisible
// character in it would otherwise not show ("secalerts:hub " with a
// trailing space).
func ShowKey(k string) string {
	if k == "" || strings.IndexFunc(k, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(k)
	}
	return k
}

// CheckKeys checks the top-level keys of a stack's configuration (full
// keys, namespace:name, as the Pulumi CLI passes them to the program)
// before any value is read: a key the program does not read is a typo or a
// setting that would be silently ignored. The error joins one *KeyError per
// unknown key, naming it and, where one is close, the key it was meant to
// be. aws: keys other than aws:assumeRole are refused with what to set
// instead: stacks disable the default AWS provider, the only reader of the
// other aws: settings.
func CheckKeys(keys []string) error { return errors.Join(checkKeys(keys)...) }

func checkKeys(keys []string) []error {
	var errs []error
	for _, k := range keys {
		if err := checkKey(k, keys); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func checkKey(k string, keys []string) error {
	if slices.Contains(programKeys, k) {
		return nil
	}
	ns, name, namespaced := strings.Cut(k, ":")
	if ns == pulumiNamespace && (slices.Contains(pulumiSettings, name) || closest(name, pulumiSettings) == "") {
		return nil
	}
	if s := closestKey(k, keys); s != "" {
		return keyErr(k, "unknown key (did you mean %s?)", s)
	}
	switch {
	case !namespaced:
		return keyErr(k, "unknown key: keys are namespace:name, e.g. %s", hubKey)
	case ns == awsNamespace:
		return keyErr(k, "not read by secalerts: %s; remove it (pulumi config rm %s)", awsNotRead(name), k)
	case ns != projectNamespace:
		switch closest(ns, []string{projectNamespace, awsNamespace, pulumiNamespace}) {
		case "":
			return keyErr(k, "unknown key: secalerts reads no %s: settings (it reads %s)", ns, strings.Join(programKeys, ", "))
		case awsNamespace:
			return keyErr(k, "unknown key, and as %s:%s it would not be read either: %s; remove it", awsNamespace, name, awsNotRead(name))
		case pulumiNamespace:
			return keyErr(k, "unknown key (did you mean %s:%s?)", pulumiNamespace, name)
		}
	}
	// secalerts:<name>, or a typo of the namespace with a name that is
	// none of the program's keys.
	if obj, setting, ok := strings.Cut(name, "."); ok && (obj == "hub" || obj == "member") {
		return keyErr(k, "unknown key: it names a setting of %s:%s as a key of its own; nest %s under %s:%s in the stack file, "+
			"or set it with pulumi config set --path '%s:%s.%s' <value>", projectNamespace, obj, setting, projectNamespace, obj, projectNamespace, obj, setting)
	}
	if s := nestedSetting(name, keys); s != "" {
		obj, _, _ := strings.Cut(s, ".")
		return keyErr(k, "unknown key (did you mean %s? the %s's settings go inside %s)", s, strings.TrimPrefix(obj, projectNamespace+":"), obj)
	}
	return keyErr(k, "unknown key (secalerts reads %s, %s and %s)", RoleKey, hubKey, memberKey)
}

// awsNotRead says why aws:<name> is not read and what replaces it.
func awsNotRead(name string) string {
	return fmt.Sprintf("stacks disable the default AWS provider, the only reader of aws: settings, and the program gives its own providers only %s; %s",
		AssumeRoleKey, awsKeyInstead(name))
}

// awsKeyInstead says what replaces an aws: setting of the default provider.
func awsKeyInstead(name string) string {
	switch strings.ToLower(name) {
	case "region":
		return fmt.Sprintf("the hub's region is %s.region, a member's %s.homeRegion and %s.regions", hubKey, memberKey, memberKey)
	case "profile", "accesskey", "secretkey", "token", "sharedcredentialsfiles", "sharedcredentialsfile", "sharedconfigfiles":
		return fmt.Sprintf("credentials come from the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, SSO, an instance role) or from %s", AssumeRoleKey)
	case "allowedaccountids", "forbiddenaccountids":
		return fmt.Sprintf("every provider is already limited to the stack's account, %s.accountId or %s.accountId", hubKey, memberKey)
	case "defaulttags":
		return "every resource is already tagged managed-by: secalerts and with its stack"
	}
	return fmt.Sprintf("the providers take their region and account from %s or %s and credentials from the environment or %s", hubKey, memberKey, AssumeRoleKey)
}

// validKeys are the keys suggestions are drawn from.
func validKeys() []string {
	out := slices.Clone(programKeys)
	for _, s := range pulumiSettings {
		out = append(out, pulumiNamespace+":"+s)
	}
	return out
}

// closestKey is the valid key k was most likely meant to be: the nearest
// whose name is within maxDistance of k's, ignoring case, allowing a typo
// of the namespace too (a key without one is compared by name); "" when
// none is near. Ties go to a key the stack does not already set.
func closestKey(k string, keys []string) string {
	ns, name, namespaced := strings.Cut(strings.ToLower(k), ":")
	if !namespaced {
		ns, name = "", ns
	}
	best, bestDist := "", 0
	for _, v := range validKeys() {
		vns, vname, _ := strings.Cut(strings.ToLower(v), ":")
		nsDist, nameDist := 0, distance(name, vname)
		if namespaced {
			nsDist = distance(ns, vns)
		}
		if v == k || nsDist > maxDistance(vns) || nameDist > maxDistance(vname) {
			continue
		}
		d := nsDist + nameDist
		if best == "" || d < bestDist || d == bestDist && slices.Contains(keys, best) && !slices.Contains(keys, v) {
			best, bestDist = v, d
		}
	}
	return best
}

// closest is the element of candidates nearest to s within maxDistance,
// ignoring case; "" when none is.
func closest(s string, candidates []string) string {
	best, bestDist := "", 0
	for _, c := range candidates {
		d := distance(strings.ToLower(s), strings.ToLower(c))
		if d > maxDistance(c) {
			continue
		}
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// nestedSetting is the setting inside secalerts:hub or secalerts:member
// that a top-level secalerts:<name> was most likely meant to be
// ("secalerts:hub.region" for secalerts:regoin), preferring the object the
// stack sets.
func nestedSetting(name string, keys []string) string {
	best, bestDist, bestSet := "", 0, false
	for _, obj := range []struct {
		key      string
		settings []string
	}{{hubKey, hubKeys}, {memberKey, memberKeys}} {
		s := closest(name, obj.settings)
		if s == "" {
			continue
		}
		d, set := distance(strings.ToLower(name), strings.ToLower(s)), slices.Contains(keys, obj.key)
		if best == "" || set && !bestSet || set == bestSet && d < bestDist {
			best, bestDist, bestSet = obj.key+"."+s, d, set
		}
	}
	return best
}

// maxDistance is how far a typo of s can be from it: two edits, one for
// names of three letters or fewer, so that aws is not taken for tls.
func maxDistance(s string) int {
	if len([]rune(s)) <= 3 {
		return 1
	}
	return 2
}

// distance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and transpositions of adjacent
// characters (regoin, secalerst) each count one.
func distance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

// CheckRoleKeys checks that a stack sets the object of its role only: a
// hub stack reads secalerts:hub, a member stack secalerts:member, and the
// other object, set, would be silently ignored.
func CheckRoleKeys(role Role, keys []string) error {
	other, otherRole := memberKey, RoleMember
	if role == RoleMember {
		other, otherRole = hubKey, RoleHub
	}
	if !slices.Contains(keys, other) {
		return nil
	}
	return keyErr(other, "set in a %s stack (%s is %s), which reads only %s:%s: remove it (pulumi config rm %s), or set %s to %s",
		role, RoleKey, role, projectNamespace, role, other, RoleKey, otherRole)
}

// CheckDefaultProviders checks pulumi:disable-default-providers: value is
// the key's value as the Pulumi CLI passes it (a JSON list; the engine
// passes an empty list as ""), set whether the key is set. The list must
// hold "aws" or "*", as the engine reads it (each entry trimmed): the
// program makes one explicit AWS provider per region, and with the default
// provider disabled a resource that misses its provider fails instead of
// being created in whatever region the default provider would use.
func CheckDefaultProviders(value string, set bool) error {
	const k = DisableDefaultProvidersKey
	if !set {
		return keyErr(k, "not set: a secalerts stack must disable the default AWS provider, so that a resource missing its explicit provider "+
			"fails instead of being created in the default provider's region; set it with %s", setDefaultProvidersFix)
	}
	v := strings.TrimSpace(value)
	if v == "" || v == "null" {
		return keyErr(k, "empty, so no default provider is disabled: add aws with %s", setDefaultProvidersFix)
	}
	var items []json.RawMessage
	if !json.Valid([]byte(v)) {
		// A top-level scalar: the CLI passes it as written.
		return keyErr(k, "expected a list of package names such as [aws], got the single value %q: set it as a list with %s", v, setDefaultProvidersFix)
	}
	if kind(json.RawMessage(v)) != "a list" || json.Unmarshal([]byte(v), &items) != nil {
		return keyErr(k, "expected a list of package names such as [aws], got %s: set it with %s", kind(json.RawMessage(v)), setDefaultProvidersFix)
	}
	if len(items) == 0 {
		return keyErr(k, "an empty list disables no default provider: add aws with %s", setDefaultProvidersFix)
	}
	var errs []error
	disabled := false
	for i, raw := range items {
		var s string
		if kind(raw) != "a string" || json.Unmarshal(raw, &s) != nil {
			errs = append(errs, &KeyError{Key: k, Within: fmt.Sprintf("[%d]", i), Problem: kind(raw) + " is not a package name (expected a string such as aws)"})
			continue
		}
		if s = strings.TrimSpace(s); s == awsNamespace || s == "*" {
			disabled = true
		}
	}
	if !disabled && len(errs) == 0 {
		errs = append(errs, keyErr(k, "%s does not disable the default AWS provider: add aws (pulumi config set --path '%s[%d]' aws), or \"*\" for every package",
			v, k, len(items)))
	}
	return errors.Join(errs...)
}

// CheckStack checks a stack's configuration keys before its objects are
// read: CheckKeys, CheckDefaultProviders and CheckRoleKeys. keys are the stack's
// keys and known whether they are all of them; get reads a key's value.
// When the keys are not known, only what get can answer is checked: a
// missing key is then never an error, since the caller may not see every
// key.
func CheckStack(keys []string, known bool, get func(key string) (string, bool)) error {
	var errs []error
	if known {
		errs = checkKeys(keys)
	} else {
		keys = nil
		for _, k := range programKeys {
			if _, ok := get(k); ok {
				keys = append(keys, k)
			}
		}
	}
	if v, set := get(DisableDefaultProvidersKey); set || known && !misspelt(DisableDefaultProvidersKey, keys) {
		errs = append(errs, flatten(CheckDefaultProviders(v, set))...)
	}
	roleValue, _ := get(RoleKey)
	if role, err := ParseRole(roleValue); err == nil {
		if err := CheckRoleKeys(role, keys); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// misspelt reports whether one of keys is a typo of key, whose error
// already says to set key.
func misspelt(key string, keys []string) bool {
	return slices.ContainsFunc(keys, func(k string) bool { return k != key && closestKey(k, keys) == key })
}

// flatten lists the errors err joins (err itself when it joins none).
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
