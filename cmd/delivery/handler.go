package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"secalerts/engine"
)

// metricsFlusher is what the function needs of its metrics: the engine
// counts, the function writes them out once per invocation.
type metricsFlusher interface {
	engine.Metrics
	Flush() error
}

// function is the delivery function once started: the engine built from
// the plan, its metrics, and where the invocation summaries go.
type function struct {
	eng     *engine.Engine
	metrics metricsFlusher
	log     io.Writer
}

// request is every shape the function is invoked with: {"tick":true} from
// the tick rule, {"customer":...,"event":...} from a customer bus's deliver
// rule (its input transformer writes the customer beside the event).
type request struct {
	Tick     bool            `json:"tick"`
	Customer string          `json:"customer"`
	Event    json.RawMessage `json:"event"`
}

// errUnknownInput names the shapes the function takes.
var errUnknownInput = errors.New(`want {"tick":true} from the tick rule or {"customer":...,"event":...} from a customer bus`)

// handle is one invocation. Its error fails the invocation, so Lambda
// retries it and finally hands it to the function's on-failure queue; the
// engine remembers what it delivered, so a retry only sends what is
// missing.
func (f *function) handle(ctx context.Context, raw json.RawMessage) error {
	var req request
	dec := json.NewDecoder(bytes.NewReader(raw))
	// An invocation of another shape (a rule without its input
	// transformer, a test event) must fail loudly, not be half-read.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		err = fmt.Errorf("reading the invocation: %w: %w", err, errUnknownInput)
		f.finish(summary{Invocation: "unknown", Error: err.Error()})
		return err
	}
	switch {
	case req.Tick && req.Customer == "" && req.Event == nil:
		sent, err := f.eng.Tick(ctx)
		s := summary{Invocation: "tick"}
		for _, m := range sent {
			if s.Sent == nil {
				s.Sent = map[string]int{}
			}
			s.Sent[m.Kind]++
		}
		if err != nil {
			s.Error = err.Error()
		}
		f.finish(s)
		return err
	case !req.Tick && req.Customer != "" && len(req.Event) > 0:
		out, err := f.eng.Handle(ctx, engine.Input{Customer: req.Customer, Event: req.Event})
		s := eventSummary(req, out)
		if err != nil {
			s.Error = err.Error()
		}
		f.finish(s)
		return err
	}
	err := fmt.Errorf("reading the invocation: %w", errUnknownInput)
	f.finish(summary{Invocation: "unknown", Error: err.Error()})
	return err
}

// summary is the one log line of an invocation. It names what happened and
// never holds a message body nor a webhook URL: the bodies quote hostile
// event data, and the URLs are credentials.
type summary struct {
	Invocation string `json:"invocation"`
	Customer   string `json:"customer,omitempty"`
	EventID    string `json:"eventId,omitempty"`
	Detector   string `json:"detector,omitempty"`
	Severity   string `json:"severity,omitempty"`
	// Heartbeat is the member rule a heartbeat came from.
	Heartbeat  string `json:"heartbeat,omitempty"`
	Deliveries int    `json:"deliveries"`
	Duplicates int    `json:"duplicates"`
	Dropped    string `json:"dropped,omitempty"`
	// Closes is the detector one of whose findings the event closed.
	Closes string `json:"closes,omitempty"`
	// Quiet says why an alert was not sent (duplicate, flood,
	// suppressed:<name>).
	Quiet string `json:"quiet,omitempty"`
	// Sent counts a tick's messages by kind: report, reminder, summary,
	// weekly.
	Sent         map[string]int `json:"sent,omitempty"`
	Error        string         `json:"error,omitempty"`
	MetricsError string         `json:"metricsError,omitempty"`
}

func eventSummary(req request, out engine.Outcome) summary {
	s := summary{Invocation: "event", Customer: req.Customer, Dropped: out.Dropped, Quiet: out.Quiet, Closes: out.Closes}
	var id struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(req.Event, &id) == nil {
		s.EventID = id.ID
	}
	if out.Detector.ID != "" {
		s.Detector, s.Severity = out.Detector.ID, out.Variant.Severity.String()
	}
	if hb := out.Heartbeat; hb != nil {
		s.Heartbeat = hb.Account + "/" + hb.Region + "/" + hb.Rule
	}
	for _, d := range out.Deliveries {
		if d.Duplicate {
			s.Duplicates++
		} else {
			s.Deliveries++
		}
	}
	return s
}

// finish writes the invocation's metrics, then its summary. Neither may
// fail the invocation: a retry would not bring a lost log line back, so a
// metrics failure is only reported in the summary.
func (f *function) finish(s summary) {
	if err := f.metrics.Flush(); err != nil {
		s.MetricsError = err.Error()
	}
	line, err := json.Marshal(s)
	if err != nil {
		return
	}
	_, _ = f.log.Write(append(line, '\n'))
}
