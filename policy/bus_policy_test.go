package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEventBusPolicy(t *testing.T) {
	d, err := EventBusPolicy(hubBus, []string{"333333333333", "222222222222", "222222222222"}, "o-abcdefghij")
	if err != nil {
		t.Fatal(err)
	}
	// The member's forwarding role holds PutEventsPolicy for this bus; the
	// bus policy admits its account.
	role := PutEventsPolicy(hubBus)
	put := func(c Caller, action, resource string) Request {
		return Request{Principal: c, Action: action, Resource: resource, IdentityPolicies: []Document{role}}
	}
	listed := Caller{AWS: "arn:aws:iam::222222222222:role/secalerts-forward"}
	runAllowCases(t, d, []allowCase{
		{"listed account", put(listed, "events:PutEvents", hubBus), true},
		{"listed account by id only", put(Caller{Account: "333333333333"}, "events:PutEvents", hubBus), true},
		{"stranger account", put(Caller{AWS: "arn:aws:iam::999999999999:role/x"}, "events:PutEvents", hubBus), false},
		{"organization member", put(Caller{AWS: "arn:aws:iam::444444444444:role/x", OrgID: "o-abcdefghij"}, "events:PutEvents", hubBus), true},
		{"other organization", put(Caller{AWS: "arn:aws:iam::444444444444:role/x", OrgID: "o-zzzzzzzzzz"}, "events:PutEvents", hubBus), false},
		{"action other than PutEvents", put(listed, "events:PutRule", hubBus), false},
		{"action case does not matter", put(listed, "EVENTS:putevents", hubBus), true},
		{"another bus", put(listed, "events:PutEvents", "arn:aws:events:us-east-1:111111111111:event-bus/other"), false},
		{"service principal", put(Caller{Service: "events.amazonaws.com"}, "events:PutEvents", hubBus), false},
		{"listed account whose role lacks PutEvents", Request{Principal: listed, Action: "events:PutEvents", Resource: hubBus}, false},
	})
	if got := d.Statement[0].Principal.AWS; strings.Join(got, ",") != "arn:aws:iam::222222222222:root,arn:aws:iam::333333333333:root" {
		t.Errorf("accounts not sorted and deduplicated: %v", got)
	}
}

func TestEventBusPolicyWithoutOrganization(t *testing.T) {
	d, err := EventBusPolicy(hubBus, []string{"222222222222"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Statement) != 1 || d.Statement[0].Principal.Any {
		t.Fatalf("want one account statement, got %+v", d.Statement)
	}
	if Allowed(d, Request{Principal: Caller{AWS: "arn:aws:iam::444444444444:role/x", OrgID: "o-abcdefghij"}, Action: "events:PutEvents", Resource: hubBus}) {
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
	if maxN < 100 || maxN > 400 {
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
