package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Schema names the JSON webhook document. Keys never change meaning within
// a schema version; new keys may be added.
const Schema = "secalerts/v1"

// maxWebhookDocument bounds the JSON webhook document at 256 KB, the size
// of the largest event EventBridge accepts (EventBridge User Guide,
// "Amazon EventBridge quotas": PutEvents entries are at most 256 KB): a
// document embedding such an event would exceed it, so then the event is
// left out and the document says so (eventOmitted).
const maxWebhookDocument = 262144

// webhookLadder are the limits of the document's texts, in bytes before
// JSON escaping; the rendered document is measured after it.
var webhookLadder = []limits{
	{headline: 400, label: 200, value: 8000, summary: 32000, step: 4000, note: 2000, console: maxConsoleURL, fields: 200, steps: 50, notes: 20},
	{headline: 400, label: 100, value: 1000, summary: 8000, step: 1000, note: 500, console: maxConsoleURL, fields: 100, steps: 20, notes: 10},
	{headline: 400, label: 60, value: 200, summary: 2000, step: 400, note: 200, console: maxConsoleURL, fields: 50, steps: 10, notes: 5},
	{headline: 400, label: 40, value: 80, summary: 500, step: 200, note: 100, console: maxConsoleURL, fields: 20, steps: 5, notes: 3},
}

// webhookDoc is the secalerts/v1 document. The keys of messages' jsonTemplate
// keep their meaning; threadId, kind, notes and eventOmitted are new.
type webhookDoc struct {
	Schema       string            `json:"schema"`
	Kind         Kind              `json:"kind"`
	Customer     string            `json:"customer"`
	Detector     string            `json:"detector"`
	Severity     string            `json:"severity"`
	Title        string            `json:"title"`
	Account      string            `json:"account"`
	AccountName  *string           `json:"accountName"`
	Region       string            `json:"region"`
	Time         string            `json:"time"`
	EventID      string            `json:"eventId"`
	ThreadID     string            `json:"threadId"`
	Summary      string            `json:"summary"`
	Fields       map[string]string `json:"fields"`
	ConsoleURL   string            `json:"consoleUrl"`
	NextSteps    []string          `json:"nextSteps"`
	Notes        []string          `json:"notes"`
	Event        json.RawMessage   `json:"event"`
	EventOmitted string            `json:"eventOmitted,omitempty"`
}

// JSONWebhook renders m as the secalerts/v1 document for generic webhooks.
// Its texts are cleaned and neutralised like every format's, for receivers
// that show them; "event" is the original event for receivers that want the
// facts: the same JSON value, compacted, with any invalid UTF-8 replaced,
// and null (with eventOmitted saying why) when it was not valid JSON or
// would not fit.
func JSONWebhook(m Message) ([]byte, error) {
	type try struct {
		l       limits
		event   json.RawMessage
		omitted string
	}
	// JSON strings may carry invalid UTF-8 that json.Valid accepts; SNS and
	// HTTP receivers want UTF-8, and U+FFFD keeps the document valid JSON.
	event := m.Event
	if !utf8.Valid(event) {
		event = bytes.ToValidUTF8(event, []byte("\uFFFD"))
	}
	var tries []try
	switch {
	case len(event) == 0:
		for _, l := range webhookLadder {
			tries = append(tries, try{l: l})
		}
	case !json.Valid(event):
		for _, l := range webhookLadder {
			tries = append(tries, try{l: l, omitted: "the original event was left out: it is not valid JSON"})
		}
	default:
		// Keep the event with the two most generous text limits, then give
		// it up before cutting the texts further.
		omitted := "the original event (" + strconv.Itoa(len(event)) + " bytes) was left out to keep this document under " +
			strconv.Itoa(maxWebhookDocument) + " bytes"
		tries = append(tries, try{l: webhookLadder[0], event: event}, try{l: webhookLadder[1], event: event})
		for _, l := range webhookLadder {
			tries = append(tries, try{l: l, omitted: omitted})
		}
	}
	var b []byte
	for _, t := range tries {
		doc := webhookDocument(m, t.l)
		doc.Event, doc.EventOmitted = t.event, t.omitted
		var err error
		if b, err = json.Marshal(doc); err != nil {
			return nil, fmt.Errorf("rendering json webhook document for %s: %w", m.DetectorID, err)
		}
		if len(b) <= maxWebhookDocument {
			break
		}
	}
	return b, nil
}

// webhookDocument builds the document of m within l, without the event.
func webhookDocument(m Message, l limits) webhookDoc {
	p := plainStyle.buildParts(m, l)
	piece := func(s string) string { return plainStyle.piece(s, l.value) }
	kind := m.Kind
	if kind == "" {
		kind = KindAlert
	}
	doc := webhookDoc{
		Schema:     Schema,
		Kind:       Kind(piece(string(kind))),
		Customer:   piece(m.Customer),
		Detector:   piece(m.DetectorID),
		Severity:   m.Severity.String(),
		Title:      plainStyle.piece(m.Title, l.headline),
		Account:    piece(m.AccountID),
		Region:     piece(m.Region),
		Time:       piece(m.Time),
		EventID:    piece(m.EventID),
		ThreadID:   piece(m.ThreadID),
		Summary:    p.summary,
		Fields:     make(map[string]string, len(p.fields)),
		ConsoleURL: p.console,
		NextSteps:  p.steps,
		Notes:      p.notes,
	}
	if name := piece(m.AccountName); name != "" {
		doc.AccountName = &name
	}
	for _, f := range p.fields {
		label := f.Label
		for i := 2; ; i++ {
			if _, dup := doc.Fields[label]; !dup {
				break
			}
			label = f.Label + " (" + strconv.Itoa(i) + ")"
		}
		doc.Fields[label] = f.Value
	}
	if doc.NextSteps == nil {
		doc.NextSteps = []string{}
	}
	if doc.Notes == nil {
		doc.Notes = []string{}
	}
	return doc
}
