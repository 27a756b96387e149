package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"secalerts/config"
	"secalerts/preview"
	"secalerts/replay"
	"secalerts/stack"
)

func runReplay(args []string, stdout, stderr io.Writer) int {
	set, files, err := flags(args, map[string]bool{"hub": true, "member": true, "json": false})
	if err != nil || set["hub"] == "" || set["member"] == "" || len(files) == 0 {
		fmt.Fprintf(stderr, "replay needs --hub, --member and at least one event file (%v)\n%s", err, usage)
		return 2
	}
	p, err := loadPipeline(set["hub"], set["member"])
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	failed := false
	enc := json.NewEncoder(stdout)
	for _, f := range files {
		events, err := replay.ReadEvents(f)
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			failed = true
			continue
		}
		for i, ev := range events {
			res := p.Replay(f, i+1, ev)
			if res.Error != "" {
				fmt.Fprintf(stderr, "error: %s\n", res.Error)
				failed = true
				continue
			}
			if set["json"] == "true" {
				if err := enc.Encode(res); err != nil {
					fmt.Fprintf(stderr, "error: writing the result: %v\n", err)
					return 1
				}
				continue
			}
			writeResult(stdout, res, len(events) > 1)
		}
	}
	if failed {
		return 1
	}
	return 0
}

// checkRole makes sure a stack file given to --hub or --member deploys that
// role: swapped files would otherwise replay the hub's rules as forwarding
// rules and report every event as going nowhere.
func checkRole(path string, st preview.Stack, want config.Role, flag string) error {
	if got := config.Role(st.Config[stack.Project+":role"]); got != want {
		return fmt.Errorf("%s %s: the stack's %s:role is %q, want %q", flag, path, stack.Project, got, want)
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
