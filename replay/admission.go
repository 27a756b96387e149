package replay

import (
	"fmt"
	"strings"

	"secalerts/detectors"
	"secalerts/policy"
)

// admits reports whether the bus policy lets a member's forwarding role put
// events to the bus. The role's own policy is the one MemberForwarder
// gives it. Organization membership cannot be known offline, so an account
// admitted only through organizationId is reported as not admitted.
func admits(doc policy.Document, account, busARN string) bool {
	partition := strings.SplitN(busARN, ":", 3)[1]
	return policy.Allowed(doc, policy.Request{
		Principal: policy.Caller{
			AWS:     fmt.Sprintf("arn:%s:iam::%s:role/%sforward", partition, account, detectors.ResourcePrefix),
			Account: account,
		},
		Action:           "events:PutEvents",
		Resource:         busARN,
		IdentityPolicies: []policy.Document{policy.PutEventsPolicy(busARN)},
	})
}
