package config

import "fmt"

// ParseRole reads secalerts:role, which decides what the stack deploys.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleHub, RoleMember:
		return r, nil
	case "":
		return "", fmt.Errorf("secalerts:role: not set (expected hub or member: pulumi config set secalerts:role hub)")
	default:
		return "", fmt.Errorf("secalerts:role: %q is not a role (expected hub or member)", s)
	}
}
