package plan

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"secalerts/eventbridge"
	"secalerts/names"
)

// deployersSetting is the key, under secalerts:hub and secalerts:member,
// of the roles that deploy secalerts.
const deployersSetting = "deployerPrincipals"

// pinnedDeployers writes account into the deployer patterns that leave it
// open (names.RolePattern.In): the form the patterns take in a stack's
// rules. The patterns were checked when the configuration was read.
func pinnedDeployers(patterns []string, account string) []string {
	var out []string
	for _, p := range patterns {
		r, err := names.ParseRolePattern(p)
		if err != nil {
			continue
		}
		out = append(out, r.In(account).String())
	}
	return out
}

// deployerListChars is how many characters deployers take in a pattern:
// each quoted, with a comma between two.
func deployerListChars(deployers []string) int {
	b, _ := json.Marshal(deployers)
	return len(b) - 2
}

// deployerRoom is how many characters the deployer patterns may take, each
// time they are written, in the tightest of patterns (pattern name ->
// pattern with the deployers), within EventBridge's pattern size, and which
// pattern that is. without are the same patterns built without deployers;
// those that do not change are left out.
func deployerRoom(with, without map[string][]byte, deployers []string) (room int, tightest string) {
	room = eventbridge.MaxPatternSize
	keys := make([]string, 0, len(with))
	for k := range with {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	listJSON, _ := json.Marshal(deployers)
	list := string(listJSON[1 : len(listJSON)-1])
	for _, k := range keys {
		copies := strings.Count(string(with[k]), list)
		if copies == 0 || string(with[k]) == string(without[k]) {
			continue
		}
		// The pattern without the lists of deployers, clauses included.
		base := len(with[k]) - copies*len(list)
		if r := (eventbridge.MaxPatternSize - base) / copies; r < room || tightest == "" {
			room, tightest = r, k
		}
	}
	return room, tightest
}

// checkDeployerRoom refuses deployer patterns that would make one of the
// patterns larger than EventBridge accepts, naming the key that sets them
// and how much room they have.
func checkDeployerRoom(key string, with, without map[string][]byte, deployers []string) error {
	if len(deployers) == 0 {
		return nil
	}
	room, tightest := deployerRoom(with, without, deployers)
	if used := deployerListChars(deployers); used > room {
		return fmt.Errorf("%s.%s: the %d deployer patterns take %d characters in the %s pattern (each quoted, with the account ID for *, and a comma between), "+
			"but only %d fit in EventBridge's %d-character pattern limit: use fewer or shorter patterns, such as one wildcard for roles that share a name",
			key, deployersSetting, len(deployers), used, tightest, room, eventbridge.MaxPatternSize)
	}
	return nil
}
