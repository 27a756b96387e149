package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// ReadEvents reads a file holding one event, a JSON array of events, or
// JSON lines. The error names the file and which event is malformed.
func ReadEvents(path string) ([]json.RawMessage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading events: %w", err)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%s: no event in the file", path)
	}
	if trimmed[0] == '[' {
		var events []json.RawMessage
		if err := json.Unmarshal(trimmed, &events); err != nil {
			return nil, fmt.Errorf("%s: not a JSON array of events: %w", path, err)
		}
		if len(events) == 0 {
			return nil, fmt.Errorf("%s: no event in the file (an empty array)", path)
		}
		return events, nil
	}
	var events []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	for {
		var ev json.RawMessage
		err := dec.Decode(&ev)
		if errors.Is(err, io.EOF) {
			return events, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: event %d is not valid JSON: %w", path, len(events)+1, err)
		}
		events = append(events, ev)
	}
}
