package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set at release by GoReleaser (-ldflags "-X main.version=... -X
// main.commit=..."); a build from source reads them from the build
// information Go records instead.
var (
	version = ""
	commit  = ""
)

var versionHelp = help{env: noEnv, exits: []exitCode{{exitOK, "the version was printed"}, usageExit}}

func newVersionCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version and the commit it was built from",
		Long: `Print secalerts' version and the commit it was built from: set by the release
build, or, for a build from source, what Go recorded from the git checkout
("modified" when it had uncommitted changes).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef(cmd, "takes no arguments")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(c.stdout, versionString())
			return nil
		},
	}
}

// versionString is "secalerts VERSION (commit COMMIT[, modified], GOVERSION
// OS/ARCH)".
func versionString() string {
	v, rev, modified := version, commit, false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true" && commit == ""
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	c := "commit " + rev
	switch {
	case rev == "":
		c = "commit unknown: built without version control information (go run, or outside a git checkout)"
	case modified:
		c += ", modified"
	}
	return fmt.Sprintf("secalerts %s (%s; %s %s/%s)", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
