package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"secalerts/replay"
)

func runReplay(args []string, stdout, stderr io.Writer) int {
	set, files, err := flags(args, map[string]bool{"hub": true, "member": true, "json": false})
	if err != nil || set["hub"] == "" || set["member"] == "" || len(files) == 0 {
		fmt.Fprintf(stderr, "replay needs --hub, --member and at least one event file (%v)\n%s", err, usage)
		return 2
	}
	_, hub, err := previewStack(set["hub"], nil)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	_, member, err := previewStack(set["member"], hub)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	p, err := replay.New(member, hub)
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
			res := p.Replay(f, i, ev)
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

func writeResult(w io.Writer, r replay.Result, indexed bool) {
	name := r.File
	if indexed {
		name = fmt.Sprintf("%s[%d]", r.File, r.Index)
	}
	switch {
	case !r.Forwarded:
		fmt.Fprintf(w, "%s: not forwarded (no member rule in %s matches)\n", name, r.Region)
		return
	case len(r.Deliveries) == 0:
		fmt.Fprintf(w, "%s: forwarded by %s to customer %s, no delivery: %s\n", name, r.ForwardRule, r.Customer, r.Dropped)
		return
	}
	fmt.Fprintf(w, "%s: %s %s, forwarded by %s to customer %s\n", name, r.Severity, r.Detector, r.ForwardRule, r.Customer)
	for _, d := range r.Deliveries {
		fmt.Fprintf(w, "  -> %s (rule %s)\n", d.Destination, d.Rule)
	}
	fmt.Fprintf(w, "  message:\n    %s\n\n", strings.ReplaceAll(r.Message, "\n", "\n    "))
}
