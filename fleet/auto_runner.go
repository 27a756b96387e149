package fleet

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

// AutoRunner runs stacks with the Pulumi Automation API: the Pulumi CLI on
// the PATH, logged in to the backend, with the program in ProjectDir. It
// is deliberately thin (select the stack, set its config, run): what can
// be tested without the CLI lives in Run and Load.
type AutoRunner struct {
	// ProjectDir holds Pulumi.yaml and the program.
	ProjectDir string
}

// Preview implements Runner.
func (a AutoRunner) Preview(ctx context.Context, s StackSpec, progress func(string)) (Changes, error) {
	st, err := a.stack(ctx, s)
	if err != nil {
		return nil, err
	}
	w := &lineWriter{emit: progress}
	res, err := st.Preview(ctx, optpreview.ProgressStreams(w), optpreview.Color("never"))
	w.Flush()
	if err != nil {
		return nil, err
	}
	changes := Changes{}
	for op, n := range res.ChangeSummary {
		changes[string(op)] = n
	}
	return changes, nil
}

// Up implements Runner.
func (a AutoRunner) Up(ctx context.Context, s StackSpec, progress func(string)) (Changes, error) {
	st, err := a.stack(ctx, s)
	if err != nil {
		return nil, err
	}
	w := &lineWriter{emit: progress}
	res, err := st.Up(ctx, optup.ProgressStreams(w), optup.Color("never"))
	w.Flush()
	if err != nil {
		return nil, err
	}
	changes := Changes{}
	if rc := res.Summary.ResourceChanges; rc != nil {
		for op, n := range *rc {
			changes[op] = n
		}
	}
	return changes, nil
}

// stack creates or selects the stack and sets its config from the spec.
func (a AutoRunner) stack(ctx context.Context, s StackSpec) (auto.Stack, error) {
	st, err := auto.UpsertStackLocalSource(ctx, s.Name, a.ProjectDir)
	if err != nil {
		return auto.Stack{}, fmt.Errorf("creating or selecting stack %s: %w", s.Name, err)
	}
	for _, c := range s.Config {
		if err := st.SetConfigWithOptions(ctx, c.Key, auto.ConfigValue{Value: c.Value}, &auto.ConfigOptions{Path: c.Path}); err != nil {
			return auto.Stack{}, fmt.Errorf("setting %s on stack %s: %w", c.Key, s.Name, err)
		}
	}
	return st, nil
}

// lineWriter turns the CLI's progress output into lines.
type lineWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	emit func(string)
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for {
		line, err := l.buf.ReadString('\n')
		if err != nil {
			// Incomplete: keep it for the next write.
			l.buf.Reset()
			l.buf.WriteString(line)
			return len(p), nil
		}
		l.emit(strings.TrimRight(line, "\r\n"))
	}
}

// Flush emits a last line without a newline.
func (l *lineWriter) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() > 0 {
		l.emit(l.buf.String())
		l.buf.Reset()
	}
}
