package replay_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"secalerts/replay"
)

// TestInMemberChangesTheAccountAlone: the rewrite replaces the top-level
// account and keeps every other value's bytes, nested objects' key order
// and number spelling included, so a JSON webhook shows the event as its
// source wrote it.
func TestInMemberChangesTheAccountAlone(t *testing.T) {
	in := []byte(`{"account":"123456789012","detail":{"z":1.50,"a":"<x>","account":"123456789012"},"region":"eu-west-1"}`)
	out, err := replay.InMember(in, "111111111111")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if string(got["account"]) != `"111111111111"` {
		t.Errorf("account %s", got["account"])
	}
	if !bytes.Contains(out, []byte(`"z":1.50`)) || !bytes.Contains(out, []byte(`"account":"123456789012"}`)) {
		t.Errorf("nested values changed: %s", out)
	}
	if _, err := replay.InMember([]byte(`[1]`), "111111111111"); err == nil {
		t.Error("an array was taken for an event")
	}
}
