package fleet

// StackSpec is one member stack the fleet deploys.
type StackSpec struct {
	// Name is fully qualified: org/project/stack.
	Name      string
	AccountID string
	Customer  string
	// RoleARN is the role the stack's providers assume (also in Config, as
	// aws:assumeRole.roleArn); shown in progress and errors.
	RoleARN string
	Regions []string
	// Config is set on the stack, in order, before every operation, so
	// the inventory stays the source of truth.
	Config []ConfigValue
}

// ConfigValue is one stack config setting.
type ConfigValue struct {
	Key   string
	Value string
	// Path sets Key as a path (pulumi config set --path).
	Path bool
}
