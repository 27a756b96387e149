package replay

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxLine is the longest line Stream reads from a JSON-lines file: far above
// any event EventBridge carries (1 MB), so an oversized event is still read
// and reported as undeliverable rather than refused as unreadable.
const MaxLine = 16 << 20

// Stream calls fn with each event of the file at path, in order, numbered
// from 1. The file holds one event, a JSON array of events, or JSON lines
// (more generally, JSON values one after another, pretty-printed or not).
// It is read as it is consumed, so memory does not grow with the file.
//
// event is only valid until fn returns: Stream reuses it. An error from fn
// stops the stream and is returned as it is. Other errors name the file and,
// for a malformed event, its number from 1; the events before it have been
// handed to fn.
func Stream(path string, fn func(index int, event []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading events: %w", err)
	}
	defer f.Close()
	s := &stream{path: path, r: bufio.NewReaderSize(f, 64<<10), fn: fn}
	return s.run()
}

type stream struct {
	path string
	r    *bufio.Reader
	fn   func(int, []byte) error
	// n is the number of events handed to fn so far.
	n int
	// long holds a line longer than r's buffer.
	long []byte
}

func (s *stream) run() error {
	first, err := s.skipSpace()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: no event in the file", s.path)
	}
	if err != nil {
		return fmt.Errorf("reading events from %s: %w", s.path, err)
	}
	if first == '[' {
		return s.array()
	}
	return s.lines()
}

// skipSpace discards leading white space and returns the first other byte,
// unread.
func (s *stream) skipSpace() (byte, error) {
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b, s.r.UnreadByte()
	}
}

// lines reads one event a line: the fast path, for JSON lines. The first
// line that is not one JSON value (a pretty-printed event, or a malformed
// one) hands the rest of the file, from that line, to the decoder.
func (s *stream) lines() error {
	for {
		line, err := s.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if ev := bytes.TrimSpace(line); len(ev) > 0 {
			if !json.Valid(ev) {
				rest := append(bytes.Clone(line), '\n')
				return s.decode(io.MultiReader(bytes.NewReader(rest), s.r))
			}
			s.n++
			if err := s.fn(s.n, ev); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if s.n == 0 {
		return fmt.Errorf("%s: no event in the file", s.path)
	}
	return nil
}

// readLine returns the next line without its newline, valid until the next
// read; io.EOF comes with the last line.
func (s *stream) readLine() ([]byte, error) {
	line, err := s.r.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading events from %s: %w", s.path, err)
		}
		return bytes.TrimSuffix(line, []byte("\n")), err
	}
	s.long = append(s.long[:0], line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = s.r.ReadSlice('\n')
		s.long = append(s.long, line...)
		if len(bytes.TrimRight(s.long, "\r\n")) > MaxLine {
			return nil, fmt.Errorf("%s: event %d: a line of more than %d MiB, far over the 1 MB EventBridge carries", s.path, s.n+1, MaxLine>>20)
		}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading events from %s: %w", s.path, err)
	}
	return bytes.TrimSuffix(s.long, []byte("\n")), err
}

// decode reads JSON values one after another from r, numbering on from the
// events already read.
func (s *stream) decode(r io.Reader) error {
	dec := json.NewDecoder(r)
	// Decoding into the same RawMessage reuses its memory.
	var ev json.RawMessage
	for {
		err := dec.Decode(&ev)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: event %d is not valid JSON: %w", s.path, s.n+1, err)
		}
		s.n++
		if err := s.fn(s.n, ev); err != nil {
			return err
		}
	}
	if s.n == 0 {
		return fmt.Errorf("%s: no event in the file", s.path)
	}
	return nil
}

// array reads a JSON array of events one element at a time.
func (s *stream) array() error {
	dec := json.NewDecoder(s.r)
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%s: not a JSON array of events: %w", s.path, err)
	}
	var ev json.RawMessage
	for dec.More() {
		if err := dec.Decode(&ev); err != nil {
			return fmt.Errorf("%s: not a JSON array of events: event %d: %w", s.path, s.n+1, err)
		}
		s.n++
		if err := s.fn(s.n, ev); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%s: not a JSON array of events: after event %d: %w", s.path, s.n, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: not a JSON array of events: more follows the closing ]", s.path)
	}
	if s.n == 0 {
		return fmt.Errorf("%s: no event in the file (an empty array)", s.path)
	}
	return nil
}

// PutEvents entry size limits. EventBridge counts an entry as its Time (14
// bytes when set), Source, DetailType, Detail and each Resources entry in
// UTF-8 (EventBridge User Guide, "Calculating PutEvents event entry size").
// That page says entries must stay under 256 KB; AWS raised the event size
// to 1 MB in January 2026, and its pages do not all say so yet.
const (
	DocumentedEntryLimit = 256 << 10
	EntryLimit           = 1 << 20
)

// EntrySize is the size EventBridge counts for event as a PutEvents entry.
// The detail is counted compact, as an SDK sends it.
func EntrySize(event []byte) (int, error) {
	var e struct {
		Time       *string         `json:"time"`
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Detail     json.RawMessage `json:"detail"`
		Resources  []string        `json:"resources"`
	}
	if err := json.Unmarshal(event, &e); err != nil {
		return 0, fmt.Errorf("not an EventBridge event: %w", err)
	}
	size := len(e.Source) + len(e.DetailType)
	if e.Time != nil {
		size += 14
	}
	if len(e.Detail) > 0 && string(e.Detail) != "null" {
		var compact bytes.Buffer
		if err := json.Compact(&compact, e.Detail); err != nil {
			return 0, fmt.Errorf("not an EventBridge event: %w", err)
		}
		size += compact.Len()
	}
	for _, r := range e.Resources {
		size += len(r)
	}
	return size, nil
}

// Undeliverable says why EventBridge would not carry event, by its size as
// a PutEvents entry, or "" when the size is no obstacle. Every part of the
// entry is a decoded part of the event, so an event of at most
// DocumentedEntryLimit bytes is never decoded.
func Undeliverable(event []byte) string {
	if len(event) <= DocumentedEntryLimit {
		return ""
	}
	size, err := EntrySize(event)
	switch {
	case err != nil:
		// Replay reports what is wrong with it.
		return ""
	case size > EntryLimit:
		return fmt.Sprintf("over 1 MB (%d bytes as EventBridge counts a PutEvents entry): EventBridge refuses it", size)
	case size > DocumentedEntryLimit:
		return fmt.Sprintf("over 256 KB (%d bytes as EventBridge counts a PutEvents entry): EventBridge may refuse it "+
			"(its documented limit was 256 KB, raised to 1 MB in January 2026)", size)
	}
	return ""
}
