package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"secalerts/config"
	"secalerts/eventbridge"
	"secalerts/severity"
)

// exampleDeployers are deployer patterns as configured, the account left
// open.
var exampleDeployers = []string{
	"arn:aws:iam::*:role/secalerts-deploy",
	"arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_SecalertsDeploy_*",
}

// deployersOfChars returns n deployer patterns of account whose list takes
// exactly chars characters in a pattern (deployerListChars).
func deployersOfChars(account string, n, chars int) []string {
	per := (chars+1)/n - 3
	out := make([]string, n)
	used := 0
	for i := range out {
		l := per
		if i == n-1 {
			l = chars - used - 2
		}
		p := fmt.Sprintf("arn:aws:iam::%s:role/d%02d-", account, i)
		out[i] = p + strings.Repeat("x", l-len(p))
		used += l + 3
	}
	return out
}

// TestMemberDeployersReachThePipelinePatterns: NewMember writes the
// member's account into its deployer patterns and gives them to the
// pipeline detectors: a deployer's PutRule stays in the account, an
// administrator's is forwarded.
func TestMemberDeployersReachThePipelinePatterns(t *testing.T) {
	m := member(severity.Medium)
	m.DeployerPrincipals = exampleDeployers
	p, err := NewMember(m, []string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "events", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	forwarded := func(event []byte) bool {
		for _, r := range rulesByRegion(p)["eu-west-1"] {
			if strings.Contains(r.Pattern, "arn:aws:iam::*:") {
				t.Errorf("%s holds a deployer pattern with its account open: %s", r.Name, r.Pattern)
			}
			if ok, err := eventbridge.MatchPattern([]byte(r.Pattern), event); err != nil || ok {
				return ok
			}
		}
		return false
	}
	if forwarded(read("pipeline-changes/none--put-secalerts-rule-by-deployer.json")) {
		t.Error("the deployer's PutRule is forwarded")
	}
	if !forwarded(read("pipeline-changes/CRITICAL--put-secalerts-rule-by-admin.json")) {
		t.Error("an administrator's PutRule is not forwarded")
	}
	if !forwarded(read("pipeline-changes/CRITICAL--put-secalerts-rule-by-role-path-mimicking-deployer.json")) {
		t.Error("a role whose path spells the deployer's ARN passes for the deployer")
	}
}

// TestDeployerRoom finds how many characters of deployer patterns each
// stack kind has room for, logs the budget, and holds both to it: the
// patterns that fill it exactly are planned, one character more is refused
// with the key that sets them.
func TestDeployerRoom(t *testing.T) {
	for _, kind := range []struct {
		key, account string
		plan         func(deployers []string) error
		floor        int
	}{
		{"secalerts:member.deployerPrincipals", "111111111111", func(d []string) error {
			m := member(severity.Informational)
			on := true
			m.Detectors["unauthorized-api-calls"] = config.DetectorSettings{Enabled: &on}
			m.DeployerPrincipals = d
			_, err := NewMember(m, []string{"us-east-1"})
			return err
		}, 600},
		{"secalerts:hub.deployerPrincipals", "999999999999", func(d []string) error {
			h := hubWith(acme())
			h.Region = "eu-west-1"
			h.DeployerPrincipals = d
			_, err := NewHub(h)
			return err
		}, 600},
	} {
		// The room, from the patterns with one pattern, is the same for
		// any number of them: each costs its length and 3.
		room := sort.Search(4000, func(chars int) bool {
			return chars >= 40 && kind.plan(deployersOfChars(kind.account, 1, chars)) != nil
		}) - 1
		if room < kind.floor {
			t.Errorf("%s: room for %d characters of deployer patterns, want at least %d", kind.key, room, kind.floor)
		}
		for _, n := range []int{1, 4, 10} {
			if err := kind.plan(deployersOfChars(kind.account, n, room)); err != nil {
				t.Errorf("%s: %d patterns in %d characters refused: %v", kind.key, n, room, err)
			}
			err := kind.plan(deployersOfChars(kind.account, n, room+1))
			if err == nil || !strings.Contains(err.Error(), kind.key+":") || !strings.Contains(err.Error(), fmt.Sprintf("only %d fit", room)) {
				t.Errorf("%s: %d patterns in %d characters: %v", kind.key, n, room+1, err)
			}
		}
		pinned := len(exampleDeployers[1]) + len(kind.account) - 1
		t.Logf("%s: %d characters of deployer patterns fit; each takes its length, with the account written in for *, plus 3: "+
			"%d patterns of 60 characters, or %d of %d like %s", kind.key, room, (room+1)/63, (room+1)/(pinned+3), pinned, exampleDeployers[1])
	}
}
