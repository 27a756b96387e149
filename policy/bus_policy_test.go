package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestEventBusPolicy: only the forwarding role of a listed account, or of
// an account of the organization, may put events on the bus; the member's
// root, its administrators and its other roles may not, whatever their own
// policies allow, so no member principal can put a canary or a look-alike
// event straight onto the hub bus.
func TestEventBusPolicy(t *testing.T) {
	d, err := EventBusPolicy(hubBus, []string{"333333333333", "222222222222", "222222222222"}, "o-abcdefghij")
	if err != nil {
		t.Fatal(err)
	}
	// The forwarding role holds PutEventsPolicy for this bus; an
	// administrator may put events anywhere.
	role := PutEventsPolicy(hubBus)
	admin := Document{Version: Version, Statement: []Statement{{Effect: Allow, Action: []string{"*"}, Resource: []string{"*"}}}}
	put := func(c Caller, action, resource string, identity Document) Request {
		return Request{Principal: c, Action: action, Resource: resource, IdentityPolicies: []Document{identity}}
	}
	forwarder := func(account string) Caller { return Caller{AWS: "arn:aws:iam::" + account + ":role/secalerts-forward"} }
	listed := forwarder("222222222222")
	runAllowCases(t, d, []allowCase{
		{"forwarder of a listed account", put(listed, "events:PutEvents", hubBus, role), true},
		{"forwarder of the other listed account", put(forwarder("333333333333"), "events:PutEvents", hubBus, role), true},
		{"root of a listed account", put(Caller{AWS: "arn:aws:iam::222222222222:root"}, "events:PutEvents", hubBus, admin), false},
		{"administrator of a listed account", put(Caller{AWS: "arn:aws:iam::222222222222:role/Admin"}, "events:PutEvents", hubBus, admin), false},
		{"forwarder under another path", put(Caller{AWS: "arn:aws:iam::222222222222:role/x/secalerts-forward"}, "events:PutEvents", hubBus, admin), false},
		{"look-alike role name", put(Caller{AWS: "arn:aws:iam::222222222222:role/secalerts-forward-2"}, "events:PutEvents", hubBus, admin), false},
		{"IAM user of that name", put(Caller{AWS: "arn:aws:iam::222222222222:user/secalerts-forward"}, "events:PutEvents", hubBus, admin), false},
		{"forwarder of a stranger account", put(forwarder("999999999999"), "events:PutEvents", hubBus, role), false},
		{"forwarder of an organization account", put(Caller{AWS: forwarder("444444444444").AWS, OrgID: "o-abcdefghij"}, "events:PutEvents", hubBus, role), true},
		{"other role of an organization account", put(Caller{AWS: "arn:aws:iam::444444444444:role/x", OrgID: "o-abcdefghij"}, "events:PutEvents", hubBus, admin), false},
		{"forwarder of another organization", put(Caller{AWS: forwarder("444444444444").AWS, OrgID: "o-zzzzzzzzzz"}, "events:PutEvents", hubBus, role), false},
		{"action other than PutEvents", put(listed, "events:PutRule", hubBus, admin), false},
		{"action case does not matter", put(listed, "EVENTS:putevents", hubBus, role), true},
		{"another bus", put(listed, "events:PutEvents", "arn:aws:events:us-east-1:111111111111:event-bus/other", admin), false},
		{"service principal", put(Caller{Service: "events.amazonaws.com"}, "events:PutEvents", hubBus, admin), false},
		{"forwarder whose policy lacks PutEvents", Request{Principal: listed, Action: "events:PutEvents", Resource: hubBus}, false},
	})
	accounts := d.Statement[0].Condition[opStringEquals][keyPrincipalAccount]
	if strings.Join(accounts, ",") != "222222222222,333333333333" {
		t.Errorf("accounts not sorted and deduplicated: %v", accounts)
	}
}

func TestEventBusPolicyWithoutOrganization(t *testing.T) {
	d, err := EventBusPolicy(hubBus, []string{"222222222222"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Statement) != 1 || d.Statement[0].Condition[opStringEquals][keyPrincipalOrgID] != nil {
		t.Fatalf("want one account statement, got %+v", d.Statement)
	}
	if Allowed(d, Request{Principal: Caller{AWS: "arn:aws:iam::444444444444:role/secalerts-forward", OrgID: "o-abcdefghij"},
		Action: "events:PutEvents", Resource: hubBus, IdentityPolicies: []Document{PutEventsPolicy(hubBus)}}) {
		t.Error("an organization member got in without organizationId")
	}
}

func TestEventBusPolicyRejectsBadInput(t *testing.T) {
	cases := []struct {
		name, bus string
		ids       []string
		org       string
	}{
		{"not a bus arn", "arn:aws:sns:us-east-1:111111111111:t", []string{"222222222222"}, ""},
		{"short account id", hubBus, []string{"2222"}, ""},
		{"bad organization", hubBus, nil, "org-1"},
		{"nobody", hubBus, nil, ""},
	}
	for _, c := range cases {
		if _, err := EventBusPolicy(c.bus, c.ids, c.org); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
}

func accountIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%012d", 100000000000+i)
	}
	return ids
}

func TestEventBusPolicySizeLimit(t *testing.T) {
	// The longest bus ARN AWS allows: the longest partition and region
	// names in use and a 256-character bus name, plus the organization.
	longBus := "arn:aws-us-gov:events:us-gov-west-1:111111111111:event-bus/" + strings.Repeat("b", 256)
	maxN := maxAccounts("aws-us-gov", longBus, "o-"+strings.Repeat("a", 32))
	if maxN < 300 || maxN > 800 {
		t.Fatalf("%d accounts fit the longest bus, outside any plausible range for %d characters", maxN, EventBusPolicyMaxChars)
	}
	d, err := EventBusPolicy(longBus, accountIDs(maxN), "o-"+strings.Repeat("a", 32))
	if err != nil {
		t.Fatalf("%d accounts on the longest bus: %v", maxN, err)
	}
	js, _ := d.JSON()
	if n := utf8.RuneCountInString(js); n > EventBusPolicyMaxChars {
		t.Fatalf("policy of %d characters passed", n)
	}
	// One more than fits on the longest bus must fail.
	_, err = EventBusPolicy(longBus, accountIDs(maxN+1), "o-"+strings.Repeat("a", 32))
	if !errors.Is(err, ErrBusPolicyTooLarge) {
		t.Fatalf("%d accounts: want ErrBusPolicyTooLarge, got %v", maxN+1, err)
	}
	for _, want := range []string{"organizationId", "at most"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	// A short bus fits more, and the error names that bus's own capacity.
	_, err = EventBusPolicy(hubBus, accountIDs(1000), "")
	fit := maxAccounts("aws", hubBus, "")
	if fit <= maxN || !strings.Contains(err.Error(), fmt.Sprintf("at most %d accounts", fit)) {
		t.Errorf("short bus: fit %d (worst case %d), error %v", fit, maxN, err)
	}
	if _, err := EventBusPolicy(hubBus, accountIDs(fit), ""); err != nil {
		t.Errorf("%d accounts should fit on %s: %v", fit, hubBus, err)
	}
}
