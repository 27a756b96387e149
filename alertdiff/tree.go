package alertdiff

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Tree is one version of the repository: its own program (cmd/secalerts and
// everything it imports) and its own stack files, relative to Dir.
type Tree struct {
	// Label names the tree in errors: "base" or "head".
	Label  string
	Dir    string
	Hub    string
	Member string
}

// Replay builds the tree's cmd/secalerts into binDir and runs its
// `replay --json` over events (absolute paths), in the tree, so both the
// code and the stack files are that version's. Events the tree's replay
// rejects have no outcome; its complaints are returned as warnings. An
// error means the tree could not replay at all (it does not build, or its
// stack files are invalid).
func Replay(ctx context.Context, t Tree, events []string, binDir string) (outcomes []Outcome, warnings []string, err error) {
	bin := filepath.Join(binDir, t.Label)
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/secalerts")
	build.Dir = t.Dir
	if out, err := build.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("building the %s's secalerts in %s: %w\n%s", t.Label, t.Dir, err, out)
	}
	args := append([]string{"replay", "--json", "--hub", t.Hub, "--member", t.Member}, events...)
	run := exec.CommandContext(ctx, bin, args...)
	run.Dir = t.Dir
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	runErr := run.Run()
	outcomes, err = ReadOutcomes(&stdout)
	if err != nil {
		return nil, nil, fmt.Errorf("%s replay in %s: %w", t.Label, t.Dir, err)
	}
	// Versions before replay numbered events from 1 counted them from 0:
	// keys must agree across versions.
	// (Messages of the tick have no event, and index 0.)
	if slices.ContainsFunc(outcomes, func(o Outcome) bool { return o.Time == "" && o.Index == 0 }) {
		for i := range outcomes {
			if outcomes[i].Time == "" {
				outcomes[i].Index++
			}
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if l != "" {
			warnings = append(warnings, t.Label+": "+l)
		}
	}
	// Exit code 1 with results means some events were rejected; without
	// any, the stack files or the tool itself failed.
	if runErr != nil && len(outcomes) == 0 {
		return nil, nil, fmt.Errorf("%s replay in %s (--hub %s --member %s): %w\n%s", t.Label, t.Dir, t.Hub, t.Member, runErr, stderr.String())
	}
	return outcomes, warnings, nil
}

// Events expands paths (files, or directories searched for *.json) into
// sorted absolute file paths.
func Events(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("resolving event path %s: %w", p, err)
		}
		info, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("reading events: %w", err)
		}
		if !info.IsDir() {
			out = append(out, abs)
			continue
		}
		err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".json") {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading events under %s: %w", p, err)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil, fmt.Errorf("no event files in %s", strings.Join(paths, ", "))
	}
	return out, nil
}

// Checkout makes a detached git worktree of rev from the repository at
// repoDir in a new temporary directory, and returns it with the function
// that removes it again.
func Checkout(ctx context.Context, repoDir, rev string) (dir string, remove func() error, err error) {
	parent, err := os.MkdirTemp("", "alertdiff-")
	if err != nil {
		return "", nil, fmt.Errorf("making a directory for the worktree of %s: %w", rev, err)
	}
	dir = filepath.Join(parent, "base")
	add := exec.CommandContext(ctx, "git", "-C", repoDir, "worktree", "add", "--detach", dir, rev)
	if out, err := add.CombinedOutput(); err != nil {
		os.RemoveAll(parent)
		return "", nil, fmt.Errorf("checking out %s with git worktree: %w\n%s", rev, err, out)
	}
	remove = func() error {
		// Not under ctx: cleanup must run after an interrupt too.
		out, err := exec.Command("git", "-C", repoDir, "worktree", "remove", "--force", dir).CombinedOutput()
		os.RemoveAll(parent)
		if err != nil {
			return fmt.Errorf("removing the worktree %s: %w\n%s", dir, err, out)
		}
		return nil
	}
	return dir, remove, nil
}
