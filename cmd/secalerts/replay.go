package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

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
	var hubFile, memberFile string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "replay --hub HUB_STACK_FILE --member MEMBER_STACK_FILE [--json] EVENT_FILE...",
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
			return c.replay(hubFile, memberFile, asJSON, files)
		},
	}
	cmd.Flags().StringVar(&hubFile, "hub", "", "the hub stack file")
	cmd.Flags().StringVar(&memberFile, "member", "", "the member stack file")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per event instead of text")
	flagValue(cmd, "hub", "HUB_STACK_FILE")
	flagValue(cmd, "member", "MEMBER_STACK_FILE")
	required(cmd, "hub", "member")
	return cmd
}

// writeFailed is a result that could not be written: replay stops.
type writeFailed struct{ err error }

func (e writeFailed) Error() string { return "writing the result: " + e.err.Error() }
func (e writeFailed) Unwrap() error { return e.err }

func (c *cli) replay(hubFile, memberFile string, asJSON bool, files []string) error {
	p, warnings, err := loadPipeline(hubFile, memberFile)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(c.stderr, "warning: "+w)
	}
	failed := false
	enc := json.NewEncoder(c.stdout)
	for _, f := range files {
		// The text names the event's number only when the file holds
		// several: the first result waits for the second event.
		var pending *replay.Result
		count := 0
		err := replay.Stream(f, func(i int, ev []byte) error {
			count = i
			res := p.Replay(f, i, ev)
			if res.Error != "" {
				report(c.stderr, errors.New(res.Error))
				failed = true
				return nil
			}
			if asJSON {
				if err := enc.Encode(res); err != nil {
					return writeFailed{err}
				}
				return nil
			}
			if pending != nil {
				writeResult(c.stdout, *pending, true)
			}
			pending = &res
			return nil
		})
		if pending != nil {
			writeResult(c.stdout, *pending, count > 1)
		}
		var wf writeFailed
		if errors.As(err, &wf) {
			return wf
		}
		if err != nil {
			report(c.stderr, err)
			failed = true
		}
	}
	if failed {
		return silentExit(exitFailed)
	}
	return nil
}

func writeResult(w io.Writer, r replay.Result, indexed bool) {
	name := r.File
	if indexed {
		name = fmt.Sprintf("%s, event %d", r.File, r.Index)
	}
	// Events the hub makes itself pass no member rule.
	via := "forwarded by " + r.ForwardRule
	if r.ForwardRule == "" {
		via = "made by the hub"
	}
	switch {
	case r.Undeliverable != "":
		fmt.Fprintf(w, "%s: not replayed: %s\n", name, r.Undeliverable)
	case !r.Forwarded:
		fmt.Fprintf(w, "%s: not forwarded (no member rule in %s matches)\n", name, r.Region)
	case r.Heartbeat:
		fmt.Fprintf(w, "%s: heartbeat of rule %s, recorded by the hub for customer %s\n", name, r.ForwardRule, r.Customer)
	case len(r.Deliveries) == 0:
		fmt.Fprintf(w, "%s: %s to customer %s, no delivery: %s\n", name, via, r.Customer, r.Dropped)
	default:
		fmt.Fprintf(w, "%s: %s %s, %s to customer %s\n", name, r.Severity, r.Detector, via, r.Customer)
	}
	if r.Note != "" {
		fmt.Fprintf(w, "  note: %s\n", r.Note)
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
