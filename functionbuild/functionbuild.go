// Package functionbuild builds the hub's delivery function from this
// repository while the program runs (pulumi preview and up, and the
// offline tool): cross-compiled for Lambda's arm64 OS-only runtime and
// zipped with the plan document beside it. The build is reproducible
// (-trimpath, no build ID, no VCS stamp, a fixed zip timestamp), so
// unchanged source and plan give a byte-identical archive and Pulumi shows
// no change.
package functionbuild

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Package is the function's main package, relative to the module root.
const Package = "./cmd/delivery"

// PlanFile is the plan document's name in the archive; the function reads
// it from its task root.
const PlanFile = "plan.json"

// modulePath is this repository's module: the build refuses to run from
// anywhere else.
const modulePath = "secalerts"

// buildEnv cross-compiles for Lambda's arm64 provided.al2023 runtime,
// without cgo (Lambda Developer Guide, "Deploy Go Lambda functions with
// .zip file archives").
var buildEnv = []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"}

// buildArgs make the binary reproducible and small: lambda.norpc leaves out
// the RPC code only the retired go1.x runtime needed.
var buildArgs = []string{"build", "-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags", "-s -w -buildid=", "-o"}

// zipTime is every archive entry's time: the earliest a zip can record.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

var mu sync.Mutex

// Archive builds the function (or reuses the build of the same source) and
// writes the zip holding it as bootstrap and plan as plan.json. It returns
// the zip's path, in the user's cache directory, named by its content.
func Archive(plan []byte) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	cache, err := cacheDir()
	if err != nil {
		return "", err
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("building the delivery function: the go command is not on the PATH (the program builds the function from this repository)")
	}
	version, err := exec.Command(goBin, "env", "GOVERSION").Output()
	if err != nil {
		return "", fmt.Errorf("building the delivery function: reading the Go version: %w", err)
	}
	source, err := sourceHash(root, strings.TrimSpace(string(version)))
	if err != nil {
		return "", err
	}
	binary := filepath.Join(cache, "bootstrap-"+source)
	if _, err := os.Stat(binary); err != nil {
		if err := build(goBin, root, binary); err != nil {
			return "", err
		}
	}
	return writeZip(cache, binary, plan)
}

// moduleRoot is the directory of this module's go.mod, above the working
// directory: Pulumi runs the program in the project directory, tests in
// their package's.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("building the delivery function: %w", err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(data)), "module "+modulePath+"\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("building the delivery function: run the program from the secalerts repository (no go.mod of module secalerts above the working directory)")
		}
		dir = parent
	}
}

func cacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "secalerts", "delivery")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("building the delivery function: %w", err)
	}
	return dir, nil
}

// sourceHash digests what the binary is built from: every Go file that is
// not a test, go.mod, go.sum and the Go version. It over-approximates the
// function's dependencies, which only costs a rebuild.
func sourceHash(root, goVersion string) (string, error) {
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		n := d.Name()
		if (strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go")) || n == "go.mod" || n == "go.sum" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("building the delivery function: reading the source: %w", err)
	}
	sort.Strings(files)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", goVersion, strings.Join(buildEnv, " "), strings.Join(buildArgs, " "))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("building the delivery function: %w", err)
		}
		rel, _ := filepath.Rel(root, f)
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// build compiles the function to binary, through a temporary file so that
// a build interrupted or run twice at once never leaves half a binary.
func build(goBin, root, binary string) error {
	tmp := fmt.Sprintf("%s.%d.tmp", binary, os.Getpid())
	cmd := exec.Command(goBin, append(append([]string{}, buildArgs...), tmp, Package)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), buildEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("building the delivery function (GOOS=linux GOARCH=arm64 go build %s): %w\n%s", Package, err, out.String())
	}
	if err := os.Rename(tmp, binary); err != nil {
		return fmt.Errorf("building the delivery function: %w", err)
	}
	return nil
}

// writeZip writes the archive named by the digest of its content, unless
// it exists.
func writeZip(dir, binary string, plan []byte) (string, error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return "", fmt.Errorf("packaging the delivery function: %w", err)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		mode fs.FileMode
		data []byte
	}{
		// Lambda runs the executable named bootstrap of an OS-only runtime.
		{"bootstrap", 0o755, bin},
		{PlanFile, 0o644, plan},
	} {
		hdr := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: zipTime}
		hdr.SetMode(f.mode)
		fw, err := w.CreateHeader(hdr)
		if err != nil {
			return "", fmt.Errorf("packaging the delivery function: %w", err)
		}
		if _, err := io.Copy(fw, bytes.NewReader(f.data)); err != nil {
			return "", fmt.Errorf("packaging the delivery function: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("packaging the delivery function: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	path := filepath.Join(dir, "delivery-"+hex.EncodeToString(sum[:16])+".zip")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	prune(dir)
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("packaging the delivery function: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("packaging the delivery function: %w", err)
	}
	return path, nil
}

// keepArchives is how long archives of other plans stay in the cache: a
// program run reads its archive within minutes of writing it.
const keepArchives = 24 * time.Hour

// prune removes archives and binaries not used for keepArchives.
func prune(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err == nil && time.Since(info.ModTime()) > keepArchives {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
