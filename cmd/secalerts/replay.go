package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"secalerts/engine"
	"secalerts/replay"
)

var replayHelp = help{
	env: noEnv,
	exits: []exitCode{
		{exitOK, "every event was replayed, whatever it alerts (an event too large for EventBridge is reported, not replayed)"},
		{exitFailed, "a stack file is invalid, the stacks do not pair, or an event file or event could not be read: each is named on stderr, and the other events are still replayed"},
		usageExit,
	},
}

func newReplayCmd(c *cli) *cobra.Command {
	var hubFile, memberFile, stateFile string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "replay --hub HUB_STACK_FILE --member MEMBER_STACK_FILE [--json] [--state FILE] EVENT_FILE...",
		Short: "send events through the member's and the hub's rules, offline",
		Long: `Send each event through the pipeline the two stack files deploy, offline: the
member's forwarding rules of the event's region, the hub bus's policy and
rule, and the delivery function's own code, and print what it would deliver,
message by message.

An event file holds one EventBridge event, a JSON array of them, or JSON
lines; it is read as it is replayed, so files of any size replay in constant
memory. Events are replayed as if they happened in the member account (their
account is replaced and the result says so). Events of the hub account itself
(heartbeat reports) go straight onto the member's customer bus. An event over
256 KB as EventBridge counts a PutEvents entry is reported as undeliverable
instead of replayed.

Events are replayed in the order of their time, as the delivery function
would receive them (events up to an hour out of order are put back in
order), with the function's state carried from one to the next: a finding
already reported is kept quiet ("duplicate"), a flood of one detector is
collapsed ("flood") and a customer's suppression hides what it matches
("suppressed:<name>"). The function's five-minute tick runs as the events'
time passes, and after the last event until its flood windows end: each
flood summary, reminder of an open finding, report of a silent member rule
and weekly quiet report is a result of its own. The state starts empty;
--state FILE starts from a state saved by an earlier replay and saves the
state there at the end.

The stacks are checked first: the member must forward to a bus the hub
creates, whose policy admits the member's account.`,
		Example: `  secalerts replay --hub Pulumi.hub.yaml --member Pulumi.member.yaml testdata/events/guardduty/HIGH--crypto-mining.json
  secalerts replay --json --hub Pulumi.hub.yaml --member Pulumi.member.yaml testdata/events/*/*.json`,
		RunE: func(cmd *cobra.Command, files []string) error {
			if err := needFlags(cmd, "hub", "member"); err != nil {
				return err
			}
			if len(files) == 0 {
				return usagef(cmd, "name at least one event file")
			}
			return c.replay(hubFile, memberFile, stateFile, asJSON, files)
		},
	}
	cmd.Flags().StringVar(&hubFile, "hub", "", "the hub stack file")
	cmd.Flags().StringVar(&memberFile, "member", "", "the member stack file")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per event instead of text")
	cmd.Flags().StringVar(&stateFile, "state", "", "start from the delivery function's state saved in this file, if it exists, and save the state there at the end")
	flagValue(cmd, "hub", "HUB_STACK_FILE")
	flagValue(cmd, "member", "MEMBER_STACK_FILE")
	flagValue(cmd, "state", "FILE")
	required(cmd, "hub", "member")
	return cmd
}

// writeFailed is a result that could not be written: replay stops.
type writeFailed struct{ err error }

func (e writeFailed) Error() string { return "writing the result: " + e.err.Error() }
func (e writeFailed) Unwrap() error { return e.err }

// replayWindow is how far out of time order events may come and still be
// replayed in order: a CloudTrail export or several files of one period.
const replayWindow = time.Hour

func (c *cli) replay(hubFile, memberFile, stateFile string, asJSON bool, files []string) error {
	p, warnings, err := loadPipeline(hubFile, memberFile)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(c.stderr, "warning: "+w)
	}
	s, err := p.NewSession()
	if err != nil {
		return err
	}
	if stateFile != "" {
		if err := loadState(s, stateFile); err != nil {
			return err
		}
	}
	failed := false
	var writeErr error
	enc := json.NewEncoder(c.stdout)
	emit := func(results []replay.Result) {
		for _, res := range results {
			if writeErr != nil {
				return
			}
			if res.Error != "" {
				report(c.stderr, errors.New(res.Error))
				failed = true
				continue
			}
			if asJSON {
				if err := enc.Encode(res); err != nil {
					writeErr = writeFailed{err}
				}
				continue
			}
			writeResult(c.stdout, res)
		}
	}
	ordered := &replay.Ordered{Window: replayWindow, Emit: func(file string, i int, ev []byte) { emit(s.Replay(file, i, ev)) }}
	for _, f := range files {
		err := replay.Stream(f, func(i int, ev []byte) error {
			ordered.Add(f, i, ev)
			return writeErr
		})
		if writeErr != nil {
			return writeErr
		}
		if err != nil {
			report(c.stderr, err)
			failed = true
		}
	}
	ordered.Flush()
	emit(s.Finish())
	if writeErr != nil {
		return writeErr
	}
	if stateFile != "" {
		if err := saveState(s, stateFile); err != nil {
			return err
		}
	}
	if failed {
		return silentExit(exitFailed)
	}
	return nil
}

// loadState starts s from the state in path, when the file exists.
func loadState(s *replay.Session, path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--state: %w", err)
	}
	defer f.Close()
	if err := s.Load(f); err != nil {
		return fmt.Errorf("--state %s: %w", path, err)
	}
	return nil
}

// saveState writes s's state to path, replacing it whole.
func saveState(s *replay.Session, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secalerts-state-*")
	if err != nil {
		return fmt.Errorf("--state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := s.Save(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("--state %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--state %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--state: %w", err)
	}
	return nil
}

func writeResult(w io.Writer, r replay.Result) {
	name := fmt.Sprintf("%s, event %d", r.File, r.Index)
	// Events the hub makes itself pass no member rule.
	via := "forwarded by " + r.ForwardRule
	if r.ForwardRule == "" {
		via = "made by the hub"
	}
	switch {
	case r.Time != "":
		fmt.Fprintf(w, "tick %s: %s\n", r.Time, tickText(r))
	case r.Undeliverable != "":
		fmt.Fprintf(w, "%s: not replayed: %s\n", name, r.Undeliverable)
	case !r.Forwarded:
		fmt.Fprintf(w, "%s: not forwarded (no member rule in %s matches)\n", name, r.Region)
	case r.Heartbeat:
		fmt.Fprintf(w, "%s: heartbeat of rule %s, recorded by the hub for customer %s\n", name, r.ForwardRule, r.Customer)
	case r.Quiet != "":
		fmt.Fprintf(w, "%s: %s %s, %s to customer %s, kept quiet: %s\n", name, r.Severity, r.Detector, via, r.Customer, quietText(r.Quiet))
	case len(r.Deliveries) == 0:
		fmt.Fprintf(w, "%s: %s to customer %s, no delivery: %s\n", name, via, r.Customer, r.Dropped)
	default:
		fmt.Fprintf(w, "%s: %s %s, %s to customer %s\n", name, r.Severity, r.Detector, via, r.Customer)
	}
	if r.Note != "" {
		fmt.Fprintf(w, "  note: %s\n", r.Note)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
	// Destinations that get the same message (every address of an e-mail
	// topic) share one rendering.
	type group struct {
		message      string
		destinations []string
		chat, dup    bool
	}
	var groups []*group
	byMessage := map[string]*group{}
	for _, d := range r.Deliveries {
		g := byMessage[d.Subject+"\x00"+d.Message]
		if g == nil {
			text := d.Message
			if d.Subject != "" {
				text = "Subject: " + d.Subject + "\n\n" + text
			}
			g = &group{message: text, chat: replay.IsChat(d.Destination), dup: d.Duplicate}
			byMessage[d.Subject+"\x00"+d.Message] = g
			groups = append(groups, g)
		}
		g.destinations = append(g.destinations, d.Destination)
	}
	for _, g := range groups {
		if g.dup {
			fmt.Fprintf(w, "  -> %s: already sent for this event ID, not sent again\n", strings.Join(g.destinations, ", "))
			continue
		}
		fmt.Fprintf(w, "  -> %s\n", strings.Join(g.destinations, ", "))
		text := g.message
		if g.chat {
			if readable, ok := chatText(g.message); ok {
				text = readable
			}
		}
		for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			if line == "" {
				fmt.Fprintln(w)
				continue
			}
			fmt.Fprintf(w, "     %s\n", line)
		}
	}
	if len(r.Deliveries) > 0 {
		fmt.Fprintln(w)
	}
}

// quietText says why an alert was kept quiet.
func quietText(quiet string) string {
	switch {
	case quiet == engine.QuietDuplicate:
		return "duplicate (its finding was already reported and has not changed)"
	case quiet == engine.QuietFlood:
		return "flood (counted in the summary of its detector's window)"
	case strings.HasPrefix(quiet, engine.QuietSuppressed):
		return "suppressed by " + strings.TrimPrefix(quiet, engine.QuietSuppressed)
	}
	return quiet
}

// tickText says what a message the tick sent is.
func tickText(r replay.Result) string {
	switch {
	case r.Summary:
		refs := make([]string, 0, 5)
		for _, c := range r.Covers[:min(5, len(r.Covers))] {
			refs = append(refs, fmt.Sprintf("%s, event %d", c.File, c.Index))
		}
		more := ""
		if len(r.Covers) > len(refs) {
			more = fmt.Sprintf(" and %d more", len(r.Covers)-len(refs))
		}
		return fmt.Sprintf("flood summary of %s for customer %s, counting %d collapsed events (%s%s)", r.Detector, r.Customer, len(r.Covers), strings.Join(refs, "; "), more)
	case r.Reminder:
		return fmt.Sprintf("reminder of a %s %s finding still open, for customer %s", r.Severity, r.Detector, r.Customer)
	case r.Report:
		return fmt.Sprintf("%s report of a silent member rule, for customer %s", r.Severity, r.Customer)
	case r.Weekly:
		return fmt.Sprintf("the week's report of what was kept quiet, for customer %s", r.Customer)
	}
	return "a message of the tick, for customer " + r.Customer
}

// chatText renders an AWS Chatbot custom notification as a person would
// read it in the channel: title, description, next steps. ok is false when
// the message is not one, so it is printed as it is.
func chatText(message string) (string, bool) {
	var n struct {
		Version string `json:"version"`
		Source  string `json:"source"`
		Content *struct {
			Title       string   `json:"title"`
			Description string   `json:"description"`
			NextSteps   []string `json:"nextSteps"`
		} `json:"content"`
	}
	if err := json.Unmarshal([]byte(message), &n); err != nil || n.Source != "custom" || n.Content == nil || n.Content.Title == "" {
		return "", false
	}
	var b strings.Builder
	b.WriteString(n.Content.Title + "\n")
	if n.Content.Description != "" {
		b.WriteString("\n" + n.Content.Description + "\n")
	}
	if len(n.Content.NextSteps) > 0 {
		b.WriteString("\nNext steps:\n")
		for _, s := range n.Content.NextSteps {
			b.WriteString("  - " + s + "\n")
		}
	}
	return b.String(), true
}
