package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// InMember puts an event in the member account: a member's default bus
// only ever carries its own account ID, so an event replayed through a
// member happens there. Only the top-level account changes: every other
// value keeps its bytes as written (numbers, escapes), because patterns and
// messages read values, not spelling. The result is what encoding/json
// makes of the event's top-level members as a map: compact, keys sorted,
// HTML characters escaped.
func InMember(event []byte, account string) ([]byte, error) {
	if json.Valid(event) {
		if o, ok := splitObject(event); ok {
			return o.withAccount(account), nil
		}
	}
	return inMemberMap(event, account)
}

// inMemberMap is InMember through a map: the definition the fast path must
// match byte for byte, and the path for whatever it declines (its errors
// are the ones users see).
func inMemberMap(event []byte, account string) ([]byte, error) {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(event))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not an EventBridge event: %w", err)
	}
	if m == nil {
		return nil, fmt.Errorf("not an EventBridge event: null")
	}
	a, err := json.Marshal(account)
	if err != nil {
		return nil, fmt.Errorf("encoding account %q: %w", account, err)
	}
	m["account"] = a
	return json.Marshal(m)
}
