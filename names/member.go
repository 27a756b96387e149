package names

import "strconv"

// Names of a member account's resources: the same in every region.
const (
	// ForwardRole lets the forwarding rules put events to the hub bus.
	ForwardRole = Prefix + "forward"
	// ForwardDLQ holds, per region, what could not be forwarded.
	ForwardDLQ = Prefix + "forward-dlq"
)

// ForwardRules matches the names of every forwarding rule, for people
// looking for them.
const ForwardRules = Prefix + "forward-*"

// ForwardRule names the n-th forwarding rule of a region (n from 1).
func ForwardRule(n int) string { return Prefix + "forward-" + strconv.Itoa(n) }

// ForwardRoleARN is the forwarding role of member account, the principal
// the hub bus sees when a member rule puts an event.
func ForwardRoleARN(partition, account string) string {
	return Account{Partition: partition, ID: account}.RoleARN(ForwardRole)
}

// OwnRules matches every rule of a's default bus that secalerts names: the
// sources allowed to dead-letter into a member queue.
func (a Account) OwnRules() string { return a.RuleARN("", Prefix+"*") }
