// Command secalerts is the offline tool: it previews a stack and replays
// events through the pipeline without AWS credentials or the Pulumi CLI,
// forecasts alerts from CloudTrail logs, compares two versions' alerts,
// rolls member stacks out to a fleet and sends a canary through the
// deployed pipeline. Run secalerts -h, or secalerts <command> -h.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
