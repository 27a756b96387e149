package replay_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"secalerts/internal/stacktest"
	"secalerts/replay"
)

// streamed is what Stream handed over: each event's number and id.
type streamed struct {
	indexes []int
	ids     []string
}

func stream(t *testing.T, path string) (streamed, error) {
	t.Helper()
	var got streamed
	err := replay.Stream(path, func(i int, ev []byte) error {
		var e struct{ ID string }
		if err := json.Unmarshal(ev, &e); err != nil {
			t.Fatalf("event %d is not JSON: %v\n%s", i, err, ev)
		}
		got.indexes = append(got.indexes, i)
		got.ids = append(got.ids, e.ID)
		return nil
	})
	return got, err
}

func TestStream(t *testing.T) {
	long := strings.Repeat("x", 200<<10) // longer than the reader's buffer
	for _, tc := range []struct {
		name, content string
		ids           []string
	}{
		{"one object", `{"id": "a", "n": 1}`, []string{"a"}},
		{"pretty object", "\n{\n  \"id\": \"a\"\n}\n\n", []string{"a"}},
		{"array", `[{"id": "a"}, {"id": "b"}]`, []string{"a", "b"}},
		{"pretty array", "\n[\n  {\n    \"id\": \"a\"\n  },\n  {\"id\": \"b\"}\n]\n", []string{"a", "b"}},
		{"JSON lines", "{\"id\": \"a\"}\n{\"id\": \"b\"}\n\n{\"id\": \"c\"}\n", []string{"a", "b", "c"}},
		{"JSON lines without a last newline", "{\"id\": \"a\"}\n{\"id\": \"b\"}", []string{"a", "b"}},
		{"CRLF lines", "{\"id\": \"a\"}\r\n{\"id\": \"b\"}\r\n", []string{"a", "b"}},
		{"a line longer than the buffer", "{\"id\": \"a\"}\n{\"id\": \"b\", \"pad\": \"" + long + "\"}\n{\"id\": \"c\"}\n", []string{"a", "b", "c"}},
		{"pretty objects one after another", "{\n \"id\": \"a\"\n}\n{\n \"id\": \"b\"\n}\n", []string{"a", "b"}},
		{"JSON lines, then a pretty object", "{\"id\": \"a\"}\n{\n \"id\": \"b\"\n}\n{\"id\": \"c\"}\n", []string{"a", "b", "c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stream(t, writeFile(t, tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got.ids, ",") != strings.Join(tc.ids, ",") {
				t.Errorf("events %v, want %v", got.ids, tc.ids)
			}
			for i, n := range got.indexes {
				if n != i+1 {
					t.Errorf("event numbers %v, want 1, 2, ...", got.indexes)
					break
				}
			}
		})
	}
}

func TestStreamErrors(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		want          []string
		// before is how many events reach fn before the error.
		before int
	}{
		{"empty file", "", []string{"no event"}, 0},
		{"blank file", " \n\t\n", []string{"no event"}, 0},
		{"empty array", "[]", []string{"no event", "empty array"}, 0},
		{"malformed second line", "{\"id\": \"a\"}\n{\"id\": \n", []string{"event 2 is not valid JSON"}, 1},
		{"malformed third line", "{\"id\": \"a\"}\n{\"id\": \"b\"}\n{id: c}\n{\"id\": \"d\"}\n", []string{"event 3 is not valid JSON"}, 2},
		{"truncated object", `{"id": "a", "source":`, []string{"event 1 is not valid JSON"}, 0},
		{"truncated array", `[{"id": "a"}, {"id": `, []string{"not a JSON array", "event 2"}, 1},
		{"unclosed array", `[{"id": "a"}`, []string{"not a JSON array", "after event 1"}, 1},
		{"array without commas", `[{"id": "a"} {"id": "b"}]`, []string{"not a JSON array", "event 2"}, 1},
		{"data after the array", `[{"id": "a"}] {"id": "b"}`, []string{"not a JSON array", "more follows"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.content)
			got, err := stream(t, path)
			if err == nil {
				t.Fatalf("Stream read %d events and no error", len(got.ids))
			}
			for _, w := range append(tc.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if len(got.ids) != tc.before {
				t.Errorf("%d events before the error, want %d", len(got.ids), tc.before)
			}
		})
	}
	if _, err := stream(t, filepath.Join(t.TempDir(), "absent.json")); err == nil || !strings.Contains(err.Error(), "absent.json") {
		t.Errorf("missing file: error %v, want one naming the file", err)
	}
}

func TestStreamRefusesALineOverMaxLine(t *testing.T) {
	huge := `{"id": "a", "pad": "` + strings.Repeat("x", replay.MaxLine) + `"}`
	path := writeFile(t, "{\"id\": \"first\"}\n"+huge+"\n")
	got, err := stream(t, path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "event 2") || !strings.Contains(err.Error(), "16 MiB") {
		t.Fatalf("error %v, want one naming the file, event 2 and the limit", err)
	}
	if len(got.ids) != 1 {
		t.Errorf("%d events before the error, want 1", len(got.ids))
	}
}

func TestStreamStopsWhenFnFails(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := replay.Stream(writeFile(t, "{\"id\": \"a\"}\n{\"id\": \"b\"}\n"), func(int, []byte) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("err %v after %d calls, want fn's own error after 1", err, calls)
	}
}

// sized is a canary whose detail pads it to about n bytes.
func sized(t *testing.T, n int) []byte {
	t.Helper()
	ev := canary(t, "HIGH", memberAccount, "eu-west-1")
	var m map[string]any
	if err := json.Unmarshal(ev, &m); err != nil {
		t.Fatal(err)
	}
	m["detail"].(map[string]any)["padding"] = strings.Repeat("x", n-len(ev))
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEntrySize follows the documented calculation: Time 14 bytes when set,
// Source, DetailType, the compact Detail and each resource in UTF-8.
func TestEntrySize(t *testing.T) {
	for _, tc := range []struct {
		event string
		want  int
	}{
		{`{"source":"a.b","detail-type":"Ünïcode","time":"2026-01-01T00:00:00Z","detail":{ "k" : "v" },"resources":["r1","r22"]}`,
			len("a.b") + len("Ünïcode") + 14 + len(`{"k":"v"}`) + len("r1r22")},
		{`{"source":"s","detail-type":"d"}`, 2},
		{`{"source":"s","detail-type":"d","detail":null,"account":"111111111111","id":"x"}`, 2},
	} {
		got, err := replay.EntrySize([]byte(tc.event))
		if err != nil || got != tc.want {
			t.Errorf("EntrySize(%s) = %d, %v; want %d", tc.event, got, err, tc.want)
		}
	}
}

func TestUndeliverable(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		want string
	}{
		{"under 256 KB", 200 << 10, ""},
		{"over 256 KB", 300 << 10, "over 256 KB"},
		{"over 1 MB", 1100 << 10, "EventBridge refuses it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := replay.Undeliverable(sized(t, tc.size))
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("Undeliverable = %q, want %q", got, tc.want)
			}
		})
	}
	// Only the entry's parts count: a big field outside them does not.
	big := fmt.Sprintf(`{"source":"s","detail-type":"d","detail":{},"other":"%s"}`, strings.Repeat("x", 300<<10))
	if got := replay.Undeliverable([]byte(big)); got != "" {
		t.Errorf("an event whose entry is small: %q", got)
	}
}

// TestReplayReportsAnOversizedEvent: replay says why the event cannot be
// delivered instead of replaying it.
func TestReplayReportsAnOversizedEvent(t *testing.T) {
	p := stacktest.ExamplePipeline(t)
	res := replayOne(t, p, "big.json", 2, sized(t, 300<<10))
	if !strings.Contains(res.Undeliverable, "over 256 KB") || !strings.Contains(res.Undeliverable, "1 MB") {
		t.Errorf("undeliverable %q, want the size and both limits", res.Undeliverable)
	}
	if res.Forwarded || len(res.Deliveries) != 0 || res.Error != "" || res.Index != 2 {
		t.Errorf("an oversized event was replayed: %+v", res)
	}
}
