package fleet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeRunner records calls; behave decides each stack's outcome.
type fakeRunner struct {
	mu     sync.Mutex
	calls  []string
	behave func(ctx context.Context, s StackSpec, progress func(string)) (Changes, error)
}

func (f *fakeRunner) Preview(ctx context.Context, s StackSpec, progress func(string)) (Changes, error) {
	f.mu.Lock()
	f.calls = append(f.calls, "preview "+s.Name)
	f.mu.Unlock()
	return f.behave(ctx, s, progress)
}

func (f *fakeRunner) Up(ctx context.Context, s StackSpec, progress func(string)) (Changes, error) {
	f.mu.Lock()
	f.calls = append(f.calls, "up "+s.Name)
	f.mu.Unlock()
	return f.behave(ctx, s, progress)
}

func specs(n int) []StackSpec {
	var out []StackSpec
	for i := range n {
		id := fmt.Sprintf("%012d", i+1)
		out = append(out, StackSpec{Name: "o/secalerts/c-" + id, AccountID: id, Customer: "c", RoleARN: "arn:aws:iam::" + id + ":role/d"})
	}
	return out
}

// recorder is an Observer that keeps every call.
type recorder struct{ events []string }

func (r *recorder) Started(i int, s StackSpec) {
	r.events = append(r.events, fmt.Sprintf("start %d", i))
}
func (r *recorder) Progress(i int, line string) {
	r.events = append(r.events, fmt.Sprintf("progress %d %s", i, line))
}
func (r *recorder) Finished(i int, res Result) {
	r.events = append(r.events, fmt.Sprintf("finish %d %s", i, res.Status))
}

// TestRunIsBoundedAndConcurrent: every runner waits until `parallel` of
// them run at once, so a sequential Run would never get there (the guard
// turns that into a failure instead of a hang), and no more than parallel
// ever run together.
func TestRunIsBoundedAndConcurrent(t *testing.T) {
	const parallel, n = 3, 8
	var mu sync.Mutex
	running, most, started := 0, 0, 0
	gate := make(chan struct{})
	r := &fakeRunner{behave: func(ctx context.Context, s StackSpec, progress func(string)) (Changes, error) {
		mu.Lock()
		running++
		started++
		most = max(most, running)
		if started == parallel {
			close(gate)
		}
		mu.Unlock()
		defer func() { mu.Lock(); running--; mu.Unlock() }()
		select {
		case <-gate:
		case <-time.After(20 * time.Second):
			return nil, errors.New("never ran in parallel: the gate did not open")
		}
		progress("working")
		return Changes{"create": 14, "same": 2}, nil
	}}
	obs := &recorder{}
	results := Run(context.Background(), OpPreview, specs(n), r, parallel, obs)
	if most != parallel {
		t.Errorf("at most %d ran at once, want exactly %d", most, parallel)
	}
	if AnyFailed(results) {
		t.Fatalf("results: %+v", results)
	}
	for i, res := range results {
		if res.Spec.AccountID != specs(n)[i].AccountID || res.Changes.String() != "14 create" {
			t.Errorf("result %d: %+v", i, res)
		}
	}
	if len(r.calls) != n || len(obs.events) != 3*n {
		t.Errorf("%d calls, %d observer events; want %d, %d", len(r.calls), len(obs.events), n, 3*n)
	}
}

func TestOneAccountsFailureOrPanicStopsNoOther(t *testing.T) {
	all := specs(4)
	r := &fakeRunner{behave: func(ctx context.Context, s StackSpec, progress func(string)) (Changes, error) {
		switch s.AccountID {
		case all[0].AccountID:
			return nil, errors.New("AccessDenied: not authorized to perform sts:AssumeRole")
		case all[2].AccountID:
			panic("boom")
		}
		return Changes{"update": 1}, nil
	}}
	results := Run(context.Background(), OpUp, all, r, 1, nil)
	want := []Status{Failed, Succeeded, Failed, Succeeded}
	for i, res := range results {
		if res.Status != want[i] {
			t.Errorf("%s: %s, want %s (%v)", res.Spec.Name, res.Status, want[i], res.Err)
		}
	}
	if err := results[0].Err; err == nil || !strings.Contains(err.Error(), "up of o/secalerts/c-000000000001 (account 000000000001, role arn:aws:iam::000000000001:role/d): AccessDenied") {
		t.Errorf("failure error: %v", err)
	}
	if err := results[2].Err; err == nil || !strings.Contains(err.Error(), "panicked: boom") {
		t.Errorf("panic error: %v", err)
	}
	if len(r.calls) != 4 || !strings.HasPrefix(r.calls[0], "up ") {
		t.Errorf("calls %v: want up for all four", r.calls)
	}
	if !AnyFailed(results) {
		t.Error("AnyFailed = false with two failures")
	}
}

func TestCancelStopsTheRunningAndStartsNoMore(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &fakeRunner{behave: func(ctx context.Context, s StackSpec, progress func(string)) (Changes, error) {
		cancel() // the operator presses ctrl-C while the first stack runs
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	results := Run(ctx, OpUp, specs(3), r, 1, nil)
	if len(r.calls) != 1 {
		t.Errorf("runner called %d times after the cancel, want 1", len(r.calls))
	}
	for _, res := range results {
		if res.Status != Cancelled || !errors.Is(res.Err, context.Canceled) {
			t.Errorf("%s: %s (%v), want cancelled", res.Spec.Name, res.Status, res.Err)
		}
	}
}

func TestWriteSummary(t *testing.T) {
	all := specs(4)
	results := []Result{
		{Spec: all[0], Status: Succeeded, Changes: Changes{"create": 3, "same": 9}},
		{Spec: all[1], Status: Failed, Err: errors.New("preview of x: AccessDenied\nstack trace")},
		{Spec: all[2], Status: Succeeded, Changes: Changes{"same": 12}},
		{Spec: all[3], Status: Failed, Err: fmt.Errorf("up of %s (account %s, role %s): %w", all[3].Name, all[3].AccountID, all[3].RoleARN,
			errors.New("failed to run `pulumi version`"))},
	}
	var b strings.Builder
	if err := WriteSummary(&b, OpPreview, results); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 6 {
		t.Fatalf("summary:\n%s", b.String())
	}
	for i, want := range [][]string{
		{"STACK", "ACCOUNT", "CUSTOMER", "RESULT", "CHANGES", "ERROR"},
		{"o/secalerts/c-000000000001", "000000000001", "succeeded", "3 create"},
		{"o/secalerts/c-000000000002", "failed", "preview of x: AccessDenied"},
		{"o/secalerts/c-000000000003", "succeeded", "no changes"},
		// The cause, without the stack and account the columns show.
		{"o/secalerts/c-000000000004", "failed", "  failed to run `pulumi version`"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d %q lacks %q", i, lines[i], w)
			}
		}
	}
	if strings.Contains(b.String(), "stack trace") {
		t.Error("the table shows more than an error's first line")
	}
	if strings.Contains(lines[4], "up of") {
		t.Errorf("line 4 %q repeats the wrapping", lines[4])
	}
	if lines[5] != "preview: 2 succeeded, 2 failed, 0 cancelled, of 4 stacks" {
		t.Errorf("count line %q", lines[5])
	}
}

func TestLogObserver(t *testing.T) {
	all := specs(1)
	var b strings.Builder
	l := NewLogObserver(&b, OpPreview, all)
	l.Started(0, all[0])
	l.Progress(0, "  + aws:sqs:Queue secalerts-dlq create  ")
	l.Progress(0, "   ")
	l.Finished(0, Result{Spec: all[0], Status: Succeeded, Changes: Changes{"create": 1}})
	want := "[o/secalerts/c-000000000001] preview started (account 000000000001, role arn:aws:iam::000000000001:role/d)\n" +
		"[o/secalerts/c-000000000001] + aws:sqs:Queue secalerts-dlq create\n" +
		"[o/secalerts/c-000000000001] succeeded: 1 create\n"
	if b.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestTerminalObserver: a finished account's line is printed once, above
// a live area (the running accounts and a count) that is redrawn in place
// and never taller than the terminal, whatever the number of accounts.
func TestTerminalObserver(t *testing.T) {
	all := specs(300)
	var b strings.Builder
	d := NewTerminalObserver(&b, OpUp, all, 60, 6)
	d.Started(0, all[0])
	first := b.String()
	if strings.Contains(first, "A\x1b[J") || strings.Count(first, "\n") != 2 {
		t.Errorf("first frame %q: want the running account and the count, no cursor movement", first)
	}
	if !strings.Contains(first, "c-000000000001") || !strings.Contains(first, "0/300 done: 0 succeeded, 0 failed, 1 running, 299 waiting") {
		t.Errorf("first frame %q", first)
	}
	for i := 1; i < 5; i++ {
		d.Started(i, all[i])
	}
	b.Reset()
	d.Finished(0, Result{Spec: all[0], Status: Failed, Err: errors.New(strings.Repeat("x", 200))})
	frame := b.String()
	// The previous live area: 3 running lines (room on a 6-line terminal),
	// "… and 2 more running", the count.
	if !strings.HasPrefix(frame, "\r\x1b[5A\x1b[J") {
		t.Errorf("redraw %q: want cursor up over the 5 live lines and a clear", frame)
	}
	lines := strings.Split(strings.TrimSuffix(frame[len("\r\x1b[5A\x1b[J"):], "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("redraw %q: want the finished line and 5 live lines", frame)
	}
	if !strings.HasPrefix(lines[0], "o/secalerts/c-000000000001") || !strings.Contains(lines[0], "failed: xxx") {
		t.Errorf("finished line %q", lines[0])
	}
	for _, l := range lines {
		if n := len([]rune(strings.TrimPrefix(l, "\x1b[2K"))); n > 60 {
			t.Errorf("line of %d runes on a 60-column terminal: %q", n, l)
		}
	}
	if !strings.Contains(lines[4], "… and 1 more running") || !strings.Contains(lines[5], "1/300 done: 0 succeeded, 1 failed, 4 running, 295 waiting") {
		t.Errorf("live area %q", lines[1:])
	}
	// Progress redraws only the live area.
	b.Reset()
	d.last = time.Time{}
	d.Progress(1, "  + aws:sqs:Queue secalerts-dlq creating  ")
	if frame := b.String(); !strings.HasPrefix(frame, "\r\x1b[5A\x1b[J") ||
		!strings.Contains(frame, "c-000000000002               up: + aws:sqs:Queu") || strings.Contains(frame, "failed: xxx") {
		t.Errorf("progress frame %q", frame)
	}
}
