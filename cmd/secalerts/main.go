// Command secalerts is the offline tool: it previews a stack and replays
// events through the pipeline without AWS credentials or the Pulumi CLI.
//
//	secalerts preview [--json] STACK_FILE
//	secalerts replay --hub HUB_STACK_FILE --member MEMBER_STACK_FILE [--json] EVENT_FILE...
//	secalerts forecast --hub HUB_STACK_FILE --member MEMBER_STACK_FILE [--json] [--html FILE] PATH...
//	secalerts diff --base-dir DIR [--head-dir DIR] [EVENT_FILE_OR_DIR...]
//	secalerts fleet preview|up --inventory FILE
//	secalerts ping --member MEMBER_STACK_FILE [--severity SEVERITY] [--region REGION] [--message TEXT]
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `usage:
  secalerts preview [--json] STACK_FILE
      run the program for a stack file under Pulumi's mock monitor and print
      the resources it would create (--json: the shape of pulumi preview --json)
  secalerts replay --hub HUB_STACK_FILE --member MEMBER_STACK_FILE [--json] EVENT_FILE...
      send each event (a file with one event, a JSON array or JSON lines)
      through the member's rules and the hub's, and print what it would deliver
  secalerts forecast --hub HUB_STACK_FILE --member MEMBER_STACK_FILE [--json] [--html FILE] PATH...
      read CloudTrail log files (gzip or JSON, or directory trees of them) and
      EventBridge event files, and forecast alerts per day, detector, severity
      and destination, the noisiest principals and API calls, and the cost of
      the forwarded events (--html: a self-contained report with charts);
      exit 1 if any input could not be read
  secalerts diff (--base-dir DIR | --base GIT_REV) [--head-dir DIR] [--hub FILE] [--member FILE]
                 [--markdown] [--fail-on-change] [EVENT_FILE_OR_DIR...]
      build and run each tree's own replay over the same events (default: the
      head's testdata/events) and print which events start or stop alerting,
      change severity, recipients or message; exit 3 on changes with
      --fail-on-change
  secalerts fleet preview|up --inventory FILE [--parallel N] [--project-dir DIR] [--yes]
      preview or deploy every member stack in the inventory with the Pulumi
      Automation API (needs the Pulumi CLI and a backend login); exit 1 if
      any account failed
  secalerts ping --member MEMBER_STACK_FILE [--severity SEVERITY] [--region REGION] [--message TEXT]
      send a canary (default HIGH, from the member's home region) through the
      deployed pipeline with the member account's AWS credentials (default
      credential chain) and print its event ID and what to expect where
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run returns the exit code: 0 success, 1 a failure the user can fix
// (invalid config, malformed events), 2 bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	for _, a := range args[1:] {
		if a == "-h" || a == "--help" {
			fmt.Fprint(stdout, usage)
			return 0
		}
	}
	switch args[0] {
	case "preview":
		return runPreview(args[1:], stdout, stderr)
	case "replay":
		return runReplay(args[1:], stdout, stderr)
	case "forecast":
		return runForecast(args[1:], stdout, stderr)
	case "diff":
		return runDiff(args[1:], stdout, stderr)
	case "ping":
		return runPing(args[1:], stdout, stderr)
	case "fleet":
		return runFleet(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n%s", args[0], usage)
	return 2
}

// flags splits args into the named flags (with values where valued says so)
// and the positional arguments, in any order.
func flags(args []string, valued map[string]bool) (map[string]string, []string, error) {
	set := map[string]string{}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		name := a[1:]
		if name[0] == '-' {
			name = name[1:]
		}
		value := "true"
		if eq := indexByte(name, '='); eq >= 0 {
			name, value = name[:eq], name[eq+1:]
		} else if valued[name] {
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("flag --%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if _, known := valued[name]; !known {
			return nil, nil, fmt.Errorf("unknown flag --%s", name)
		}
		set[name] = value
	}
	return set, rest, nil
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
