package policy

import (
	"errors"
	"fmt"
	"regexp"
	"unicode/utf8"

	"secalerts/names"
)

// EventBusPolicyMaxChars is EventBridge's default quota "Event bus policy
// size": 10,240 characters, growing "each time you grant access to another
// account" (EventBridge User Guide, "Amazon EventBridge quotas"). The quota is
// adjustable through Service Quotas; this package holds to the default so a
// stack never depends on a raised quota it cannot see.
const EventBusPolicyMaxChars = 10240

// Statement ids of the bus policy.
const (
	sidBusAccounts     = "AllowListedAccountsPutEvents"
	sidBusOrganization = "AllowOrganizationPutEvents"
)

var orgIDPattern = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// ErrBusPolicyTooLarge is wrapped by EventBusPolicy when the policy would
// exceed EventBusPolicyMaxChars.
var ErrBusPolicyTooLarge = errors.New("event bus policy exceeds the EventBridge size quota")

// EventBusPolicy admits events:PutEvents on busARN, and nothing else, from
// the forwarding role (names.ForwardRole) of the listed accounts and, when
// organizationID is set, of the accounts of that organization. Naming the
// role, not the account, keeps every other principal of a member (its root
// user, an administrator, a workload role with events:PutEvents on "*")
// from putting events, canaries included, straight onto the hub bus: only
// the member's rules, through the role they assume, can.
//
// The principal is "*", narrowed by conditions that must all hold: the
// caller's account (aws:PrincipalAccount) is listed, or its organization
// (aws:PrincipalOrgID) is the customer's, and the caller is the forwarding
// role (aws:PrincipalArn is the role's ARN for a role session: IAM User
// Guide, "AWS global condition context keys"; EventBridge User Guide,
// "Permissions for event buses" uses the same form for organizations). As
// for any cross-account request, the role's own policy must allow
// PutEvents on the bus too (PutEventsPolicy).
func EventBusPolicy(busARN string, accountIDs []string, organizationID string) (Document, error) {
	acct, _, ok := names.ParseEventBusARN(busARN)
	if !ok {
		return Document{}, fmt.Errorf("%q is not an event bus ARN", busARN)
	}
	partition := acct.Partition
	if organizationID != "" && !orgIDPattern.MatchString(organizationID) {
		return Document{}, fmt.Errorf("organization id %q: want o- followed by 10 to 32 lowercase letters or digits", organizationID)
	}
	ids := sortedUnique(accountIDs)
	for _, id := range ids {
		if !accountIDPattern.MatchString(id) {
			return Document{}, fmt.Errorf("account id %q for bus %s: want 12 digits", id, busARN)
		}
	}
	if len(ids) == 0 && organizationID == "" {
		return Document{}, fmt.Errorf("bus %s: no account ids and no organization id, so nobody could put events", busARN)
	}

	d := busPolicy(partition, busARN, ids, organizationID)
	s, err := d.JSON()
	if err != nil {
		return Document{}, err
	}
	if n := utf8.RuneCountInString(s); n > EventBusPolicyMaxChars {
		fit := maxAccounts(partition, busARN, organizationID)
		return Document{}, fmt.Errorf("%w: policy of bus %s is %d characters for %d accounts, over the limit of %d; at most %d accounts fit: set organizationId to admit the whole organization with one statement, or split the customer across buses",
			ErrBusPolicyTooLarge, busARN, n, len(ids), EventBusPolicyMaxChars, fit)
	}
	return d, nil
}

func busPolicy(partition, busARN string, ids []string, organizationID string) Document {
	var st []Statement
	// The forwarding role of any account; the other condition says which.
	forwarder := names.ForwardRoleARN(partition, "*")
	if len(ids) > 0 {
		st = append(st, Statement{
			Sid:       sidBusAccounts,
			Effect:    Allow,
			Principal: Principal{Any: true},
			Action:    []string{"events:PutEvents"},
			Resource:  []string{busARN},
			Condition: Conditions{}.add(opStringEquals, keyPrincipalAccount, ids...).add(opArnLike, keyPrincipalArn, forwarder),
		})
	}
	if organizationID != "" {
		st = append(st, Statement{
			Sid:       sidBusOrganization,
			Effect:    Allow,
			Principal: Principal{Any: true},
			Action:    []string{"events:PutEvents"},
			Resource:  []string{busARN},
			Condition: Conditions{}.add(opStringEquals, keyPrincipalOrgID, organizationID).add(opArnLike, keyPrincipalArn, forwarder),
		})
	}
	return Document{Version: Version, Statement: st}
}

// maxAccounts is how many accounts fit in the policy of this bus.
func maxAccounts(partition, busARN, organizationID string) int {
	n := 0
	for {
		ids := make([]string, n+1)
		for i := range ids {
			ids[i] = fmt.Sprintf("%012d", i)
		}
		s, err := busPolicy(partition, busARN, ids, organizationID).JSON()
		if err != nil || utf8.RuneCountInString(s) > EventBusPolicyMaxChars {
			return n
		}
		n++
	}
}
