package forecast

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultQuietMemory is how many bytes of events the quiet pass keeps in
// memory unless Options say otherwise: alerting events are a small share
// of a trail, and past this they go to a temporary file.
const DefaultQuietMemory = 256 << 20

// chunkBytes is the size of the blocks events are kept in, so that
// thousands of small events cost the garbage collector a few blocks.
const chunkBytes = 4 << 20

// noTime sorts events without a readable time first: the session replays
// them at the time it has reached, and says so.
const noTime = math.MinInt64

// held is one event kept for the quiet pass: where it was read, its
// time, where its bytes are, and the destinations it alerted before the
// quiet rules (an index into eventStore.destSets).
type held struct {
	at    int64 // Unix nanoseconds, or noTime
	file  int32
	index int32 // from 0 in its file
	chunk int32 // -1 when in the spill file
	n     int32
	off   int64
	dests int32
}

// eventStore keeps the events of the quiet pass, collected by the
// parallel readers in any order, and hands them back in time order. It
// keeps up to budget bytes of them in memory and the rest in a temporary
// file; what grows with their number is a 40-byte index entry each.
type eventStore struct {
	mu       sync.Mutex
	budget   int64
	inMemory int64
	chunks   [][]byte
	dir      string
	spill    *os.File
	spillBuf *bufio.Writer
	spilled  int64 // bytes
	// spillErr is why spilling failed: events are then kept in memory.
	spillErr error
	items    []held
	destSets [][]string
	destKey  map[string]int32
}

func newEventStore(budget int64, dir string) *eventStore {
	if budget <= 0 {
		budget = DefaultQuietMemory
	}
	return &eventStore{budget: budget, dir: dir, destKey: map[string]int32{}}
}

// eventTimeNanos reads an event's RFC 3339 time, as the session will.
func eventTimeNanos(t string) int64 {
	at, err := time.Parse(time.RFC3339, t)
	if err != nil {
		return noTime
	}
	return at.UnixNano()
}

// add keeps a copy of event, the index-th item (from 0) of the file-th
// file, at the time at, which alerted dests before the quiet rules.
func (s *eventStore) add(at int64, file, index int, event []byte, dests []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := held{at: at, file: int32(file), index: int32(index), n: int32(len(event)), dests: s.destSet(dests)}
	if s.inMemory+int64(len(event)) > s.budget && s.spillErr == nil {
		if err := s.toDisk(event, &h); err == nil {
			s.items = append(s.items, h)
			return
		}
	}
	s.inMemory += int64(len(event))
	last := len(s.chunks) - 1
	if last < 0 || len(s.chunks[last])+len(event) > cap(s.chunks[last]) {
		s.chunks = append(s.chunks, make([]byte, 0, max(chunkBytes, len(event))))
		last++
	}
	h.chunk, h.off = int32(last), int64(len(s.chunks[last]))
	s.chunks[last] = append(s.chunks[last], event...)
	s.items = append(s.items, h)
}

// discard forgets the events of the file-th file. Their bytes stay where
// they are until the run ends: files are rarely skipped.
func (s *eventStore) discard(file int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = slices.DeleteFunc(s.items, func(h held) bool { return h.file == int32(file) })
}

// destSet interns a list of destinations: events of one detector and
// severity share it.
func (s *eventStore) destSet(dests []string) int32 {
	k := strings.Join(dests, "\x00")
	if i, ok := s.destKey[k]; ok {
		return i
	}
	i := int32(len(s.destSets))
	s.destSets = append(s.destSets, slices.Clone(dests))
	s.destKey[k] = i
	return i
}

func (s *eventStore) toDisk(event []byte, h *held) error {
	if s.spill == nil {
		f, err := os.CreateTemp(s.dir, "forecast-quiet-*.events")
		if err != nil {
			s.spillErr = fmt.Errorf("creating a temporary file for the events of the quiet pass: %w", err)
			return s.spillErr
		}
		s.spill, s.spillBuf = f, bufio.NewWriterSize(f, 1<<20)
	}
	if _, err := s.spillBuf.Write(event); err != nil {
		s.spillErr = fmt.Errorf("writing the events of the quiet pass to %s: %w", s.spill.Name(), err)
		return s.spillErr
	}
	h.chunk, h.off = -1, s.spilled
	s.spilled += int64(len(event))
	return nil
}

// sorted returns the events in time order, then in input order (files in
// the order they are read, items in theirs), whatever order the readers
// added them in.
func (s *eventStore) sorted() ([]held, error) {
	if s.spillBuf != nil {
		if err := s.spillBuf.Flush(); err != nil {
			return nil, fmt.Errorf("writing the events of the quiet pass to %s: %w", s.spill.Name(), err)
		}
	}
	slices.SortFunc(s.items, func(a, b held) int {
		switch {
		case a.at != b.at:
			return cmpInt(a.at, b.at)
		case a.file != b.file:
			return cmpInt(a.file, b.file)
		}
		return cmpInt(a.index, b.index)
	})
	return s.items, nil
}

func cmpInt[T int32 | int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// event returns the bytes of h, read into buf when they were spilled.
func (s *eventStore) event(h held, buf []byte) ([]byte, []byte, error) {
	if h.chunk >= 0 {
		return s.chunks[h.chunk][h.off : h.off+int64(h.n)], buf, nil
	}
	if cap(buf) < int(h.n) {
		buf = make([]byte, h.n)
	}
	buf = buf[:h.n]
	if _, err := s.spill.ReadAt(buf, h.off); err != nil {
		return nil, buf, fmt.Errorf("reading the events of the quiet pass back from %s: %w", s.spill.Name(), err)
	}
	return buf, buf, nil
}

// spilledEvents counts the events kept on disk.
func (s *eventStore) spilledEvents() int64 {
	var n int64
	for _, h := range s.items {
		if h.chunk < 0 {
			n++
		}
	}
	return n
}

// close removes the temporary file and lets the memory go.
func (s *eventStore) close() {
	if s.spill != nil {
		s.spill.Close()
		os.Remove(s.spill.Name())
		s.spill, s.spillBuf = nil, nil
	}
	s.chunks, s.items = nil, nil
}
