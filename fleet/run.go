package fleet

import (
	"context"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"
)

// Op is what the fleet does to every stack.
type Op string

// The operations.
const (
	OpPreview Op = "preview"
	OpUp      Op = "up"
)

// Changes counts resource operations by kind ("create", "update",
// "delete", "same", ...), as Pulumi reports them.
type Changes map[string]int

// String is "3 create, 1 update", or "no changes".
func (c Changes) String() string {
	var kinds []string
	for k, n := range c {
		if k != "same" && n > 0 {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return "no changes"
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%d %s", c[k], k)
	}
	return strings.Join(parts, ", ")
}

// Runner runs one operation on one stack. progress receives the
// operation's output as it happens, one line at a time; it may be called
// from any goroutine. Implementations must return when ctx is cancelled.
type Runner interface {
	Preview(ctx context.Context, s StackSpec, progress func(line string)) (Changes, error)
	Up(ctx context.Context, s StackSpec, progress func(line string)) (Changes, error)
}

// Status is where one stack's operation stands.
type Status string

// The statuses.
const (
	Waiting   Status = "waiting"
	Running   Status = "running"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	// Cancelled: interrupted, or never started because of an interrupt.
	Cancelled Status = "cancelled"
)

// Result is one stack's outcome.
type Result struct {
	Spec    StackSpec
	Status  Status
	Changes Changes
	Err     error
	Elapsed time.Duration
}

// Observer is told what happens, for a live display. Run serialises the
// calls, so an implementation needs no locking of its own.
type Observer interface {
	Started(i int, s StackSpec)
	Progress(i int, line string)
	Finished(i int, r Result)
}

// Run runs op on every stack, at most parallel at a time, and returns
// their results in the order of specs. One stack's failure, or panic,
// never stops the others; cancelling ctx stops the running ones through
// the runner and starts no more.
func Run(ctx context.Context, op Op, specs []StackSpec, r Runner, parallel int, obs Observer) []Result {
	if parallel < 1 {
		parallel = 1
	}
	o := &serialObserver{obs: obs}
	results := make([]Result, len(specs))
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, s := range specs {
		results[i] = Result{Spec: s, Status: Waiting}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Waiting for a slot ends early on cancel, so an interrupt
			// does not wait for every queued stack in turn.
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				results[i].Status, results[i].Err = Cancelled, context.Cause(ctx)
				o.Finished(i, results[i])
				return
			}
			defer func() { <-slots }()
			if ctx.Err() != nil {
				results[i].Status, results[i].Err = Cancelled, context.Cause(ctx)
				o.Finished(i, results[i])
				return
			}
			results[i] = runOne(ctx, op, s, r, i, o)
			o.Finished(i, results[i])
		}()
	}
	wg.Wait()
	return results
}

// runOne runs one stack, turning a panic into that stack's failure.
func runOne(ctx context.Context, op Op, s StackSpec, r Runner, i int, o *serialObserver) (res Result) {
	res = Result{Spec: s, Status: Running}
	start := time.Now()
	o.Started(i, s)
	defer func() {
		res.Elapsed = time.Since(start)
		if p := recover(); p != nil {
			res.Status, res.Err = Failed, fmt.Errorf("%s of %s panicked: %v\n%s", op, s.Name, p, debug.Stack())
		}
	}()
	progress := func(line string) { o.Progress(i, line) }
	var err error
	switch op {
	case OpUp:
		res.Changes, err = r.Up(ctx, s, progress)
	default:
		res.Changes, err = r.Preview(ctx, s, progress)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		res.Status, res.Err = Cancelled, fmt.Errorf("%s of %s (account %s) interrupted: %w", op, s.Name, s.AccountID, err)
	case err != nil:
		res.Status, res.Err = Failed, fmt.Errorf("%s of %s (account %s, role %s): %w", op, s.Name, s.AccountID, s.RoleARN, err)
	default:
		res.Status = Succeeded
	}
	return res
}

// AnyFailed reports whether any stack did not succeed.
func AnyFailed(results []Result) bool {
	for _, r := range results {
		if r.Status != Succeeded {
			return true
		}
	}
	return false
}

// serialObserver serialises the calls to an Observer.
type serialObserver struct {
	mu  sync.Mutex
	obs Observer
}

func (s *serialObserver) Started(i int, spec StackSpec) {
	if s.obs == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.obs.Started(i, spec)
}

func (s *serialObserver) Progress(i int, line string) {
	if s.obs == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.obs.Progress(i, line)
}

func (s *serialObserver) Finished(i int, r Result) {
	if s.obs == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.obs.Finished(i, r)
}
