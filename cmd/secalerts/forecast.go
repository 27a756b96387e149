package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"secalerts/forecast"
)

func runForecast(args []string, stdout, stderr io.Writer) int {
	set, paths, err := flags(args, map[string]bool{"hub": true, "member": true, "json": false, "html": true})
	if err != nil || set["hub"] == "" || set["member"] == "" || len(paths) == 0 {
		fmt.Fprintf(stderr, "forecast needs --hub, --member and at least one log file or directory (%v)\n%s", err, usage)
		return 2
	}
	router, err := loadPipeline(set["hub"], set["member"])
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	engine, err := forecast.New(router, forecast.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	var progress forecast.Progress
	stop := func() {}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		stop = forecast.ShowProgress(f, &progress, 500*time.Millisecond)
	}
	report := engine.Run(paths, &progress)
	stop()

	write := forecast.WriteText
	if set["json"] == "true" {
		write = forecast.WriteJSON
	}
	if err := write(stdout, report); err != nil {
		fmt.Fprintf(stderr, "error: writing the forecast: %v\n", err)
		return 1
	}
	if path := set["html"]; path != "" {
		if err := writeHTMLReport(path, report); err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return 1
		}
	}
	if report.ErrorCount > 0 {
		fmt.Fprintf(stderr, "error: %d inputs could not be read (%d files skipped); the forecast counts the rest\n",
			report.ErrorCount, report.FilesFailed)
		return 1
	}
	return 0
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
