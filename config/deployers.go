package config

import "secalerts/names"

// deployersKey is the setting, in secalerts:hub and secalerts:member alike,
// that names the roles which deploy secalerts: their changes to secalerts'
// own resources are deploys, not tampering.
const deployersKey = "deployerPrincipals"

// readDeployers reads the ARN patterns of the roles that deploy the stack
// of account accountID (empty while it is in doubt) in partition (empty
// while the region is in doubt). Each is checked by names.ParseRolePattern,
// the check the protection SCP makes of the same patterns, and must be able
// to match a role of the stack's own account: the calls the detectors see
// are made there, by its own roles, so a pattern of another account or
// partition would exempt nobody and hide that from its author.
func readDeployers(p *problems, o object, accountID, partition string) []string {
	return readStrings(p, o, deployersKey, func(path, s string) bool {
		r, err := names.ParseRolePattern(s)
		switch {
		case err != nil:
			p.addf(path, "%v", err)
		case partition != "" && r.Partition != partition:
			p.addf(path, "%q is a role of partition %s, but this stack's account is in %s (expected %s)", s, r.Partition, partition, names.RolePattern{Partition: partition, Account: r.Account, Role: r.Role})
		case accountID != "" && r.Account != "*" && r.Account != accountID:
			p.addf(path, "%q is a role of account %s, but the calls to leave alone are made in account %s by its own roles (expected %s, or * for the account)",
				s, r.Account, accountID, names.RolePattern{Partition: r.Partition, Account: accountID, Role: r.Role})
		default:
			return true
		}
		return false
	})
}
