package cloudtrail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// File is one input file.
type File struct {
	Path string
	Size int64
}

// Walk lists the files under paths: a file as itself, a directory (an
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/ tree, or any other) as
// every regular file below it, in lexical order so runs are reproducible.
// Hidden files and CloudTrail digest files are left out. A path that
// cannot be read is returned in errs and the others are still listed.
func Walk(paths []string) (files []File, errs []error) {
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			errs = append(errs, fmt.Errorf("reading %s: %w", root, err))
			continue
		}
		if !info.IsDir() {
			files = append(files, File{Path: root, Size: info.Size()})
			continue
		}
		var found []File
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, fmt.Errorf("reading %s: %w", path, err))
				return nil
			}
			name := d.Name()
			if path != root && len(name) > 0 && name[0] == '.' {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			// Digest files (CloudTrail-Digest/) sign the logs; they hold no
			// records.
			if d.IsDir() && name == "CloudTrail-Digest" {
				return filepath.SkipDir
			}
			if !d.Type().IsRegular() {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				errs = append(errs, fmt.Errorf("reading %s: %w", path, err))
				return nil
			}
			found = append(found, File{Path: path, Size: fi.Size()})
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("walking %s: %w", root, err))
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Path < found[j].Path })
		files = append(files, found...)
	}
	return files, errs
}

// ItemKind says what an input item is.
type ItemKind int

const (
	// RecordItem is a CloudTrail record from a file's Records array.
	RecordItem ItemKind = iota
	// EventItem is an EventBridge event (JSON lines or an array of events).
	EventItem
	// FindingItem is the EventBridge event of one finding of a Security
	// Hub or GuardDuty GetFindings export (see findings.go).
	FindingItem
)

// Item is one record or event of a file. Raw and Record are only valid
// during the callback that receives them.
type Item struct {
	Kind ItemKind
	// Index counts items from 0 within the file.
	Index int
	Raw   []byte
	// Record holds a RecordItem's fields, read in the same pass that found
	// where it ends.
	Record *Record
	// Err says why a RecordItem is not a valid record, or a FindingItem
	// no finding; the reader skipped it and goes on with the next one.
	Err error
}

// The readers and buffers of a file are reused for the next: a trail is
// thousands of files of a few MB, and allocating some 350 KB for each (read
// buffer, gzip window, scan buffer) kept the garbage collector busy.
var (
	bufioPool  = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}
	gzipPool   sync.Pool // *gzip.Reader
	decodePool = sync.Pool{New: func() any { return &decodeState{buf: make([]byte, 0, 256<<10), rec: &Record{}} }}
)

// decodeState is what Decode keeps from one file to the next: its scan
// buffer, and the record with its interned strings.
type decodeState struct {
	buf []byte
	rec *Record
}

// Open opens a file, gunzipping it when it starts with the gzip magic
// number, whatever its name. count, when not nil, receives the number of
// bytes read from disk as they are read.
func Open(path string, count func(int)) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var src io.Reader = f
	if count != nil {
		src = &countingReader{r: f, count: count}
	}
	br := bufioPool.Get().(*bufio.Reader)
	br.Reset(src)
	magic, err := br.Peek(2)
	if err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, _ := gzipPool.Get().(*gzip.Reader)
		if zr != nil {
			err = zr.Reset(br)
		} else {
			zr, err = gzip.NewReader(br)
		}
		if err != nil {
			if zr != nil {
				gzipPool.Put(zr)
			}
			bufioPool.Put(br)
			f.Close()
			return nil, fmt.Errorf("opening gzip stream: %w", err)
		}
		return &gzipFile{zr: zr, br: br, f: f}, nil
	}
	return &plainFile{br: br, f: f}, nil
}

type gzipFile struct {
	zr *gzip.Reader
	br *bufio.Reader
	f  *os.File
}

func (g *gzipFile) Read(p []byte) (int, error) { return g.zr.Read(p) }

func (g *gzipFile) Close() error {
	if g.zr == nil {
		return nil
	}
	g.zr.Close()
	gzipPool.Put(g.zr)
	g.br.Reset(nil)
	bufioPool.Put(g.br)
	g.zr, g.br = nil, nil
	return g.f.Close()
}

type plainFile struct {
	br *bufio.Reader
	f  *os.File
}

func (p *plainFile) Read(b []byte) (int, error) { return p.br.Read(b) }

func (p *plainFile) Close() error {
	if p.br == nil {
		return nil
	}
	p.br.Reset(nil)
	bufioPool.Put(p.br)
	p.br = nil
	return p.f.Close()
}

type countingReader struct {
	r     io.Reader
	count func(int)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.count(n)
	return n, err
}

// Decode streams the items of r to fn: the records of a CloudTrail log file
// ({"Records": [...]}), the events of the findings of a GetFindings export
// ({"Findings": [...]}), or EventBridge events written as JSON lines, one
// object, or arrays (of events, log files or exports). Records are checked and their fields read in the one
// pass that finds where they end (a record that is not valid JSON comes
// with Err set, and the next one follows); events are only delimited, for
// the caller's decoder to check. An error from fn stops decoding and is
// returned; so is an error that leaves the rest of the input unreadable
// (truncated data, broken structure, a read error), after the items
// before it were passed on.
func Decode(r io.Reader, fn func(Item) error) error {
	st := decodePool.Get().(*decodeState)
	d := &decoder{r: r, buf: st.buf[:0], keep: -1, rec: st.rec}
	defer func() {
		// A buffer a huge record grew is let go, so memory stays flat.
		st.buf = d.buf[:0]
		if cap(st.buf) > 4<<20 {
			st.buf = make([]byte, 0, 256<<10)
		}
		decodePool.Put(st)
	}()
	n := 0
	emit := func(it Item) error {
		it.Index = n
		n++
		return fn(it)
	}
	for {
		c, ok := d.peekNonWS()
		if !ok {
			return d.readErr()
		}
		switch c {
		case '[':
			d.pos++
			if err := d.objects(emit); err != nil {
				return err
			}
		case '{':
			if err := d.object(emit); err != nil {
				return err
			}
		default:
			return d.syntaxErr(fmt.Sprintf("unexpected %q, want an object or an array", c))
		}
	}
}

// decoder scans JSON from a reader without decoding it, keeping the bytes
// of the value being captured (from keep) in buf.
type decoder struct {
	r        io.Reader
	buf      []byte
	pos      int
	keep     int   // start of the value being captured, or -1
	consumed int64 // stream offset of buf[0]
	err      error
	rec      *Record
	// event holds the event made of a finding.
	event []byte
}

// fill reads more input, keeping buf[keep:] (or buf[pos:]). It returns
// false at the end of input or on a read error.
func (d *decoder) fill() bool {
	if d.err != nil {
		return false
	}
	from := d.pos
	if d.keep >= 0 && d.keep < from {
		from = d.keep
	}
	if from > 0 {
		n := copy(d.buf, d.buf[from:])
		d.buf = d.buf[:n]
		d.consumed += int64(from)
		d.pos -= from
		if d.keep >= 0 {
			d.keep -= from
		}
	}
	if len(d.buf) == cap(d.buf) {
		grown := make([]byte, len(d.buf), 2*cap(d.buf))
		copy(grown, d.buf)
		d.buf = grown
	}
	for {
		m, err := d.r.Read(d.buf[len(d.buf):cap(d.buf)])
		d.buf = d.buf[:len(d.buf)+m]
		if err != nil {
			d.err = err
			return m > 0
		}
		if m > 0 {
			return true
		}
	}
}

// readErr is nil at a clean end of input.
func (d *decoder) readErr() error {
	if d.err == nil || errors.Is(d.err, io.EOF) {
		return nil
	}
	return fmt.Errorf("reading at byte %d: %w", d.offset(), d.err)
}

func (d *decoder) offset() int64 { return d.consumed + int64(d.pos) }

// truncated is the error for input that ends inside a value.
func (d *decoder) truncated() error {
	if err := d.readErr(); err != nil {
		return err
	}
	return fmt.Errorf("input ends inside a JSON value at byte %d (truncated file?)", d.offset())
}

func (d *decoder) syntaxErr(msg string) error {
	return fmt.Errorf("byte %d: %s", d.offset(), msg)
}

func (d *decoder) peekNonWS() (byte, bool) {
	for {
		for d.pos < len(d.buf) {
			if c := d.buf[d.pos]; !isWS(c) {
				return c, true
			}
			d.pos++
		}
		if !d.fill() {
			return 0, false
		}
	}
}

// expect consumes c after optional whitespace.
func (d *decoder) expect(c byte) error {
	got, ok := d.peekNonWS()
	if !ok {
		return d.truncated()
	}
	if got != c {
		return d.syntaxErr(fmt.Sprintf("unexpected %q, want %q", got, c))
	}
	d.pos++
	return nil
}

// array calls fn with each element of the array whose '[' was consumed.
func (d *decoder) array(fn func([]byte) error) error {
	c, ok := d.peekNonWS()
	if !ok {
		return d.truncated()
	}
	if c == ']' {
		d.pos++
		return nil
	}
	for {
		raw, err := d.value()
		if err != nil {
			return err
		}
		if err := fn(raw); err != nil {
			return err
		}
		if end, err := d.nextElement(); end || err != nil {
			return err
		}
	}
}

// objects reads the elements of a top-level array whose '[' was consumed:
// each object as a top-level object (an event, a log file, an export),
// anything else as an event for the caller's decoder to refuse.
func (d *decoder) objects(emit func(Item) error) error {
	c, ok := d.peekNonWS()
	if !ok {
		return d.truncated()
	}
	if c == ']' {
		d.pos++
		return nil
	}
	for {
		c, ok := d.peekNonWS()
		if !ok {
			return d.truncated()
		}
		if c == '{' {
			if err := d.object(emit); err != nil {
				return err
			}
		} else {
			raw, err := d.value()
			if err != nil {
				return err
			}
			if err := emit(Item{Kind: EventItem, Raw: raw}); err != nil {
				return err
			}
		}
		if end, err := d.nextElement(); end || err != nil {
			return err
		}
	}
}

// nextElement reads what follows an array element: a comma (more to come)
// or the closing bracket (end).
func (d *decoder) nextElement() (end bool, err error) {
	c, ok := d.peekNonWS()
	if !ok {
		return true, d.truncated()
	}
	d.pos++
	switch c {
	case ',':
		return false, nil
	case ']':
		return true, nil
	}
	return true, d.syntaxErr(fmt.Sprintf("unexpected %q in an array", c))
}

// object reads a top-level object: a CloudTrail file when its first key is
// Records, a findings export when it is Findings (as the AWS CLI prints
// GetFindings; findings, as the GuardDuty API writes it), else an event.
func (d *decoder) object(emit func(Item) error) error {
	d.keep = d.pos
	d.pos++ // '{'
	c, ok := d.peekNonWS()
	if !ok {
		return d.truncated()
	}
	if c == '"' {
		// Offsets from keep survive the buffer moving under fill.
		rel := d.pos + 1 - d.keep
		d.pos++
		if err := d.skipString(); err != nil {
			return err
		}
		key := d.buf[d.keep+rel : d.pos-1]
		switch string(key) {
		case "Records":
			d.keep = -1
			return d.logFile(emit)
		case "Findings", "findings":
			d.keep = -1
			return d.findingsExport(string(key), emit)
		}
	}
	// An event: capture the whole object.
	d.pos = d.keep
	raw, err := d.value()
	if err != nil {
		return err
	}
	return emit(Item{Kind: EventItem, Raw: raw})
}

// logFile reads the rest of {"Records": [...], ...} after the first key.
func (d *decoder) logFile(emit func(Item) error) error {
	if err := d.expect(':'); err != nil {
		return err
	}
	if err := d.expect('['); err != nil {
		return fmt.Errorf("the Records key is not an array: %w", err)
	}
	if err := d.records(emit); err != nil {
		return err
	}
	return d.restOfObject("Records")
}

// findingsExport reads the rest of {"Findings": [...], ...} after the
// first key: the event of each finding. The first finding says which
// service the export is from; the file is refused when it is from none.
func (d *decoder) findingsExport(key string, emit func(Item) error) error {
	if err := d.expect(':'); err != nil {
		return err
	}
	if err := d.expect('['); err != nil {
		return fmt.Errorf("the %s key is not an array: %w", key, err)
	}
	kind := unknownFinding
	err := d.array(func(raw []byte) error {
		k := kindOf(raw)
		if kind == unknownFinding {
			if k == unknownFinding {
				return errUnknownFindings
			}
			kind = k
		}
		if k != kind {
			return emit(Item{Kind: FindingItem, Raw: raw, Err: fmt.Errorf("%s in an export of %ss", k, strings.TrimPrefix(kind.String(), "a "))})
		}
		ev, err := appendFindingEvent(d.event[:0], k, raw)
		d.event = ev
		if err != nil {
			return emit(Item{Kind: FindingItem, Raw: raw, Err: err})
		}
		return emit(Item{Kind: FindingItem, Raw: ev})
	})
	if err != nil {
		return err
	}
	return d.restOfObject(key)
}

// restOfObject skips the top-level keys that follow key's value, to the
// object's end.
func (d *decoder) restOfObject(key string) error {
	for {
		c, ok := d.peekNonWS()
		if !ok {
			return d.truncated()
		}
		d.pos++
		switch c {
		case '}':
			return nil
		case ',':
			if err := d.expect('"'); err != nil {
				return err
			}
			if err := d.skipString(); err != nil {
				return err
			}
			if err := d.expect(':'); err != nil {
				return err
			}
			if _, err := d.value(); err != nil {
				return err
			}
		default:
			return d.syntaxErr(fmt.Sprintf("unexpected %q after %s", c, key))
		}
	}
}

// records reads the elements of the Records array whose '[' was consumed.
func (d *decoder) records(emit func(Item) error) error {
	c, ok := d.peekNonWS()
	if !ok {
		return d.truncated()
	}
	if c == ']' {
		d.pos++
		return nil
	}
	for {
		if _, ok := d.peekNonWS(); !ok {
			return d.truncated()
		}
		d.keep = d.pos
		n, err := parseRecord(d.buf[d.pos:], d.rec, true)
		for errors.Is(err, errShort) && d.fill() {
			// The record goes on in the next chunk: parse it again whole,
			// which costs little next to a 256 KiB buffer.
			n, err = parseRecord(d.buf[d.pos:], d.rec, true)
		}
		if errors.Is(err, errShort) {
			d.keep = -1
			return d.truncated()
		}
		var it Item
		if err != nil {
			// Skip the bad record by its brackets alone.
			if d.buf[d.pos] != '{' && d.buf[d.pos] != '[' {
				d.keep = -1
				return d.syntaxErr(fmt.Sprintf("unexpected %q in the Records array", d.buf[d.pos]))
			}
			if serr := d.skipComposite(); serr != nil {
				d.keep = -1
				return serr
			}
			it = Item{Kind: RecordItem, Raw: d.buf[d.keep:d.pos], Err: err}
		} else {
			it = Item{Kind: RecordItem, Raw: d.buf[d.pos : d.pos+n], Record: d.rec}
			d.pos += n
		}
		d.keep = -1
		if err := emit(it); err != nil {
			return err
		}
		if end, err := d.nextElement(); end || err != nil {
			return err
		}
	}
}

// value captures the next JSON value and returns its bytes, valid until
// the next call.
func (d *decoder) value() ([]byte, error) {
	c, ok := d.peekNonWS()
	if !ok {
		return nil, d.truncated()
	}
	d.keep = d.pos
	defer func() { d.keep = -1 }()
	switch c {
	case '{', '[':
		if err := d.skipComposite(); err != nil {
			return nil, err
		}
	case '"':
		d.pos++
		if err := d.skipString(); err != nil {
			return nil, err
		}
	default:
		for {
			for d.pos < len(d.buf) {
				switch d.buf[d.pos] {
				case ',', '}', ']', ' ', '\n', '\r', '\t':
					return d.buf[d.keep:d.pos], nil
				}
				d.pos++
			}
			if !d.fill() {
				if err := d.readErr(); err != nil {
					return nil, err
				}
				return d.buf[d.keep:d.pos], nil
			}
		}
	}
	return d.buf[d.keep:d.pos], nil
}

// skipComposite moves past the object or array at pos.
func (d *decoder) skipComposite() error {
	depth := 0
	for {
		for d.pos < len(d.buf) {
			switch d.buf[d.pos] {
			case '"':
				d.pos++
				if err := d.skipString(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					d.pos++
					return nil
				}
			}
			d.pos++
		}
		if !d.fill() {
			return d.truncated()
		}
	}
}

// skipString moves past the closing quote of the string whose opening
// quote was consumed.
func (d *decoder) skipString() error {
	for {
		i := bytes.IndexByte(d.buf[d.pos:], '"')
		if i >= 0 {
			q := d.pos + i
			if !escaped(d.buf, q) {
				d.pos = q + 1
				return nil
			}
			d.pos = q + 1
			continue
		}
		// Keep a trailing run of backslashes in view: it decides whether
		// the next chunk's first quote is escaped.
		j := len(d.buf)
		for j > d.pos && d.buf[j-1] == '\\' {
			j--
		}
		d.pos = j
		if !d.fill() {
			return d.truncated()
		}
	}
}
