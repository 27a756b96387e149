// Package stacktest is the scaffolding the tests of every package share:
// previews of the example stack files (run once per test binary), stack
// files written to temporary directories next to the project file, the
// pipeline of the example stacks, and filters over previewed resources.
package stacktest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"secalerts/config"
	"secalerts/plan"
	"secalerts/preview"
	"secalerts/replay"
	"secalerts/stack"
)

// The example stack files, relative to the repository root: what users copy
// is what is tested.
const (
	HubFile            = "Pulumi.hub.yaml"
	MemberFile         = "Pulumi.member.yaml"
	HubArchiveFile     = "Pulumi.hub-archive.yaml"
	MemberBaselineFile = "Pulumi.member-baseline.yaml"
)

// Accounts of the example stacks.
const (
	HubAccount    = "999999999999" // accountId in Pulumi.hub.yaml
	MemberAccount = "111111111111" // accountId in Pulumi.member.yaml
)

// Root is the repository root: the directory of go.mod, above the test's
// working directory (its package directory).
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Path is file (relative to the repository root) as a path.
func Path(t testing.TB, file string) string { return filepath.Join(Root(t), file) }

// Options are what the offline tool tells the mocks: the default regions
// for regions: enabled.
func Options() preview.Options { return preview.Options{Regions: config.DefaultRegions()} }

// Run runs the program for the stack file at path under the mocks.
func Run(t testing.TB, path string, opts preview.Options) ([]preview.Resource, error) {
	t.Helper()
	st, err := preview.LoadStackFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return preview.Run(st, opts, stack.Run)
}

type cached struct {
	once sync.Once
	rs   []preview.Resource
	err  error
}

var (
	mu       sync.Mutex
	previews = map[string]*cached{}
)

// Preview is the preview of an example stack file (relative to the root),
// run once per test binary. A member reading its hub through hubStack gets
// Options' answers.
func Preview(t testing.TB, file string) []preview.Resource {
	t.Helper()
	mu.Lock()
	c := previews[file]
	if c == nil {
		c = &cached{}
		previews[file] = c
	}
	mu.Unlock()
	c.once.Do(func() { c.rs, c.err = Run(t, Path(t, file), Options()) })
	if c.err != nil {
		t.Fatalf("previewing %s: %v", file, c.err)
	}
	return c.rs
}

// StackFile writes Pulumi.<name>.yaml with content next to a copy of the
// project file, in a directory of the test's own, and returns its path.
func StackFile(t testing.TB, name, content string) string {
	t.Helper()
	dir := projectDir(t)
	path := filepath.Join(dir, "Pulumi."+name+".yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	dirMu sync.Mutex
	dirs  = map[testing.TB]string{}
)

// projectDir is the test's directory holding a copy of Pulumi.yaml.
func projectDir(t testing.TB) string {
	t.Helper()
	dirMu.Lock()
	defer dirMu.Unlock()
	if d, ok := dirs[t]; ok {
		return d
	}
	d := t.TempDir()
	project, err := os.ReadFile(Path(t, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "Pulumi.yaml"), project, 0o644); err != nil {
		t.Fatal(err)
	}
	dirs[t] = d
	t.Cleanup(func() {
		dirMu.Lock()
		delete(dirs, t)
		dirMu.Unlock()
	})
	return d
}

// HubPlan plans the hub stack file at path.
func HubPlan(t testing.TB, path string) *plan.Hub {
	t.Helper()
	st, err := preview.LoadStackFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := stack.HubPlan(st)
	if err != nil {
		t.Fatalf("planning %s: %v", path, err)
	}
	return p
}

// MemberPlan plans the member stack file at path as the offline tool does
// (stack.OfflineMember), and returns the bus it forwards to.
func MemberPlan(t testing.TB, path string, hub *plan.Hub) (*plan.Member, string) {
	t.Helper()
	st, err := preview.LoadStackFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, bus, err := stack.OfflineMember(st, hub)
	if err != nil {
		t.Fatalf("planning %s: %v", path, err)
	}
	return p, bus
}

// Pipeline is the router of the member and hub stack files (paths).
func Pipeline(t testing.TB, hubPath, memberPath string) *replay.Router {
	t.Helper()
	hub := HubPlan(t, hubPath)
	member, bus := MemberPlan(t, memberPath, hub)
	r, err := replay.NewRouter(hub, member, bus)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ExamplePipeline is the router of the example hub and member stacks.
func ExamplePipeline(t testing.TB) *replay.Router {
	t.Helper()
	return Pipeline(t, Path(t, HubFile), Path(t, MemberFile))
}

// OfType keeps the resources of type typ.
func OfType(rs []preview.Resource, typ string) []preview.Resource {
	var out []preview.Resource
	for _, r := range rs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Named keeps the resources of type typ whose AWS name (input "name") is
// name.
func Named(rs []preview.Resource, typ, name string) []preview.Resource {
	var out []preview.Resource
	for _, r := range OfType(rs, typ) {
		if Str(r.Inputs["name"]) == name {
			out = append(out, r)
		}
	}
	return out
}

// One is the only resource of type typ, failing the test otherwise.
func One(t testing.TB, rs []preview.Resource, typ string) preview.Resource {
	t.Helper()
	got := OfType(rs, typ)
	if len(got) != 1 {
		t.Fatalf("%d resources of type %s, want 1", len(got), typ)
	}
	return got[0]
}

// Str is a string input or output ("" for anything else).
func Str(v any) string {
	s, _ := v.(string)
	return s
}

// RunStack runs the program for a stack file holding body, written by
// StackFile, with the offline tool's options.
func RunStack(t testing.TB, body string) ([]preview.Resource, error) {
	t.Helper()
	return Run(t, StackFile(t, "test", body), Options())
}
