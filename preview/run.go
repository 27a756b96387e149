package preview

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Run runs program for st under the mocks and returns what it registered.
// A program error is returned as is, so a
// configuration error reads the same as under `pulumi preview`.
func Run(st Stack, opts Options, program pulumi.RunFunc) ([]Resource, error) {
	mocks := NewMocks(st.Project, st.Name, opts)
	err := pulumi.RunErr(program, pulumi.WithMocks(st.Project, st.Name, mocks), func(info *pulumi.RunInfo) {
		info.Config = st.Config
		info.ConfigSecretKeys = st.SecretKeys
		info.RootDirectory = st.Dir
		info.DryRun = true
	})
	return mocks.Resources(), err
}
