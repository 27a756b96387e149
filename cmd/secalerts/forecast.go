package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"secalerts/forecast"
)

var forecastHelp = help{
	env: noEnv,
	exits: []exitCode{
		{exitOK, "the forecast was printed"},
		{exitFailed, "an input could not be read (named on stderr; the forecast of the rest is still printed, unless nothing could be read), a stack file is invalid, or the stacks do not pair"},
		usageExit,
	},
}

func newForecastCmd(c *cli) *cobra.Command {
	var hubFile, memberFile, htmlFile string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "forecast --hub HUB_STACK_FILE --member MEMBER_STACK_FILE [--json] [--html FILE] PATH...",
		Short: "forecast alerts a day from CloudTrail logs, events and findings exports, before and after the quiet rules",
		Long: `Read, as files or directory trees (gzip or not, recognised by content):
  - CloudTrail log files ({"Records": [...]}),
  - EventBridge event files (one event, a JSON array or JSON lines),
  - Security Hub and GuardDuty findings exports: the output of
    aws securityhub get-findings and aws guardduty get-findings
    ({"Findings": [...]}), each finding read as the event Security Hub or
    GuardDuty sends for it,
route every record and event through the member's rules, the hub bus
policy and the hub's rules, and forecast alerts per day, detector,
severity and destination, the noisiest principals and API calls, and the
cost of the forwarded events. On a terminal, stderr shows the progress.

Before and after: the counts above are before the quiet rules. Then the
alerting events are replayed in time order through the delivery function's
own code, with its state and its five-minute tick, and the customer's
remindAfterDays, flood and suppressions: "after" is what it sends (alerts,
flood summaries, reminders), per day, detector and destination, with what it
kept quiet and why (duplicate, flood, suppressed:<name>), and each
suppression with the alerts it matched; those that matched nothing are
named. A findings export holds each finding once, in its latest state: its
repeats are kept quiet only across the exports and updates the input holds.

The stacks are checked first: the member must forward to a bus the hub
creates, whose policy admits the member's account.`,
		Example: `  secalerts forecast --hub Pulumi.hub.yaml --member Pulumi.member.yaml ~/trail/AWSLogs/111111111111/CloudTrail/
  secalerts forecast --hub Pulumi.hub.yaml --member Pulumi.member.yaml --html report.html testdata/events/
  aws securityhub get-findings > securityhub.json; secalerts forecast --hub Pulumi.hub.yaml --member Pulumi.member.yaml securityhub.json`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if err := needFlags(cmd, "hub", "member"); err != nil {
				return err
			}
			if len(paths) == 0 {
				return usagef(cmd, "name at least one log file, event file, findings export or directory")
			}
			return c.forecast(hubFile, memberFile, htmlFile, asJSON, paths)
		},
	}
	cmd.Flags().StringVar(&hubFile, "hub", "", "the hub stack file")
	cmd.Flags().StringVar(&memberFile, "member", "", "the member stack file")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document instead of text")
	cmd.Flags().StringVar(&htmlFile, "html", "", "also write a self-contained HTML report with charts to this file")
	flagValue(cmd, "hub", "HUB_STACK_FILE")
	flagValue(cmd, "member", "MEMBER_STACK_FILE")
	flagValue(cmd, "html", "FILE")
	required(cmd, "hub", "member")
	return cmd
}

func (c *cli) forecast(hubFile, memberFile, htmlFile string, asJSON bool, paths []string) error {
	router, warnings, err := loadPipeline(hubFile, memberFile)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(c.stderr, "warning: "+w)
	}
	engine, err := forecast.New(router, forecast.Options{})
	if err != nil {
		return err
	}
	var progress forecast.Progress
	stop := func() {}
	if f, ok := c.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		stop = forecast.ShowProgress(f, &progress, 500*time.Millisecond)
	}
	rep := engine.Run(paths, &progress)
	stop()

	// Inputs that could not be read are errors, on stderr; the JSON
	// report lists them too. When nothing at all could be read there is
	// no forecast to print.
	var readErrs []error
	for _, e := range rep.Errors {
		readErrs = append(readErrs, errors.New(e))
	}
	if rep.ErrorCount > len(rep.Errors) {
		readErrs = append(readErrs, fmt.Errorf("and %d more inputs could not be read", rep.ErrorCount-len(rep.Errors)))
	}
	if rep.ErrorCount > 0 && rep.Total.Events == 0 {
		return errors.Join(readErrs...)
	}

	write := forecast.WriteText
	if asJSON {
		write = forecast.WriteJSON
	}
	if err := write(c.stdout, rep); err != nil {
		return fmt.Errorf("writing the forecast: %w", err)
	}
	if htmlFile != "" {
		if err := writeHTMLReport(htmlFile, rep); err != nil {
			return err
		}
	}
	if rep.ErrorCount > 0 {
		return errors.Join(append(readErrs, fmt.Errorf("the forecast counts every other input (%d files skipped whole)", rep.FilesFailed))...)
	}
	return nil
}

func writeHTMLReport(path string, r *forecast.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	if err := forecast.WriteHTML(f, r); err != nil {
		f.Close()
		return fmt.Errorf("writing the HTML report %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing the HTML report %s: %w", path, err)
	}
	return nil
}
