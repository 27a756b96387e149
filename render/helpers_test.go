package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/severity"
)

// sample is one sample event of the catalogue with the variant that matches
// it.
type sample struct {
	name     string // "<detector>/<file>"
	detector detectors.Detector
	variant  detectors.Variant
	event    []byte
}

// sampleFileRE names the samples a variant matches: "<SEVERITY>--x.json".
// "none--" and "elsewhere--" files are matched by nothing here.
var sampleFileRE = regexp.MustCompile(`^(INFORMATIONAL|LOW|MEDIUM|HIGH|CRITICAL)--.*\.json$`)

// catalogueSamples returns every matching sample under ../testdata/events
// whose directory is a detector ID, each with the variant whose pattern
// matches it (the one EventBridge would route it by).
func catalogueSamples(t testing.TB) []sample {
	t.Helper()
	dirs, err := os.ReadDir(filepath.Join("..", "testdata", "events"))
	if err != nil {
		t.Fatal(err)
	}
	var out []sample
	for _, dir := range dirs {
		d, err := detectors.ByID(dir.Name())
		if err != nil {
			continue
		}
		files, err := filepath.Glob(filepath.Join("..", "testdata", "events", d.ID, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			base := filepath.Base(f)
			m := sampleFileRE.FindStringSubmatch(base)
			if m == nil {
				continue
			}
			event, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			v, ok := matchingVariant(t, d, event)
			if !ok {
				t.Fatalf("%s/%s: no variant of %s matches it", d.ID, base, d.ID)
			}
			if v.Severity.String() != m[1] {
				t.Fatalf("%s/%s: matched by %s of severity %s", d.ID, base, v.Name, v.Severity)
			}
			out = append(out, sample{name: d.ID + "/" + base, detector: d, variant: v, event: event})
		}
	}
	if len(out) == 0 {
		t.Fatal("no sample events found")
	}
	return out
}

// matchingVariant returns the first variant of d whose pattern matches event.
func matchingVariant(t testing.TB, d detectors.Detector, event []byte) (detectors.Variant, bool) {
	t.Helper()
	for _, v := range d.Build(detectors.Options{}) {
		p, err := json.Marshal(v.Pattern)
		if err != nil {
			t.Fatal(err)
		}
		ok, err := eventbridge.MatchPattern(p, event)
		if err != nil {
			t.Fatalf("matching %s/%s: %v", d.ID, v.Name, err)
		}
		if ok {
			return v, true
		}
	}
	return detectors.Variant{}, false
}

// readSample reads one sample event.
func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustDetector returns the catalogue's detector id.
func mustDetector(t testing.TB, id string) detectors.Detector {
	t.Helper()
	d, err := detectors.ByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// variantOf returns the variant of d with severity s.
func variantOf(t testing.TB, d detectors.Detector, s severity.Severity) detectors.Variant {
	t.Helper()
	for _, v := range d.Build(detectors.Options{}) {
		if v.Severity == s {
			return v
		}
	}
	t.Fatalf("%s has no %s variant", d.ID, s)
	return detectors.Variant{}
}

// testContext is the caller's context of the tests.
var testContext = Context{Customer: "Acme", AccountName: "Production", ThreadID: "securityhub/111122223333/finding-1"}

// chatbotOut is the part of the custom notification schema tests read.
type chatbotOut struct {
	Version string `json:"version"`
	Source  string `json:"source"`
	ID      string `json:"id"`
	Content struct {
		TextType    string   `json:"textType"`
		Title       string   `json:"title"`
		Description string   `json:"description"`
		NextSteps   []string `json:"nextSteps"`
		Keywords    []string `json:"keywords"`
	} `json:"content"`
	Metadata struct {
		ThreadID          string            `json:"threadId"`
		Summary           string            `json:"summary"`
		EventType         string            `json:"eventType"`
		AdditionalContext map[string]string `json:"additionalContext"`
	} `json:"metadata"`
}

// webhookOut is the secalerts/v1 document as a receiver reads it.
type webhookOut struct {
	Schema       string            `json:"schema"`
	Kind         string            `json:"kind"`
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
	EventOmitted string            `json:"eventOmitted"`
}

// rendered is one output with the texts a person reads, split by how they
// are written.
type rendered struct {
	format Format
	out    Output
	// title is the first thing shown: the Chatbot title, the Slack text's
	// first line, the e-mail body's first line, the document's title.
	title string
	// chat are texts in Slack mrkdwn / client-markdown; plain are texts
	// without markup.
	chat, plain []string
	chatbot     chatbotOut
	webhook     webhookOut
}

// all returns every text of r.
func (r rendered) all() string {
	return strings.Join(append(append([]string{}, r.chat...), r.plain...), "\n")
}

// renderAll renders m in every format and checks what every output must
// satisfy (checkOutput).
func renderAll(t testing.TB, m Message) map[Format]rendered {
	t.Helper()
	out := map[Format]rendered{}
	for _, f := range Formats {
		o, err := Render(f, m)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		r, err := checkOutput(f, o, m)
		if err != nil {
			t.Fatalf("%s: %v\nsubject: %q\n%s", f, err, o.Subject, o.Body)
		}
		out[f] = r
	}
	return out
}

var (
	// liveLinkRE finds what a client could link besides the console URL:
	// a scheme, "www.", or a host name with a top-level domain.
	liveLinkRE = regexp.MustCompile(`(?i)[a-z][a-z0-9+.\-]*://|\bwww[.。．｡]|[\p{L}\p{N}][.。．｡][\p{L}\p{Mn}]{2}`)
	// broadcastRE finds a channel-wide mention.
	broadcastRE = regexp.MustCompile(`(?i)@(channel|here|everyone)`)
	// entityRE is the only "&" sequences chat text may hold.
	entityRE = regexp.MustCompile(`&(amp|lt|gt);`)
	// unfilledRE finds a placeholder left in the text.
	unfilledRE = regexp.MustCompile(`<[A-Za-z0-9_\-]+>`)
)

// checkOutput checks what every output must satisfy whatever m holds, and
// returns its readable texts.
func checkOutput(f Format, o Output, m Message) (rendered, error) {
	r := rendered{format: f, out: o}
	if !utf8.Valid(o.Body) {
		return r, errors.New("body is not valid UTF-8")
	}
	switch f {
	case FormatChatbot:
		if len(o.Body) > maxSNSMessage {
			return r, fmt.Errorf("notification is %d bytes, over %d", len(o.Body), maxSNSMessage)
		}
		if err := json.Unmarshal(o.Body, &r.chatbot); err != nil {
			return r, fmt.Errorf("notification is not JSON: %w", err)
		}
		c := r.chatbot
		if c.Version != "1.0" || c.Source != "custom" || c.Content.TextType != "client-markdown" {
			return r, fmt.Errorf("envelope is %q %q %q", c.Version, c.Source, c.Content.TextType)
		}
		if n := utf16Len(c.Content.Title); n > maxChatbotTitle || n == 0 {
			return r, fmt.Errorf("title is %d long", n)
		}
		if n := utf16Len(c.Content.Description); n > maxChatbotDescription {
			return r, fmt.Errorf("description is %d long", n)
		}
		if c.Metadata.EventType == "" || c.Metadata.Summary != c.Content.Title {
			return r, fmt.Errorf("metadata %+v", c.Metadata)
		}
		r.title = c.Content.Title
		r.chat = append([]string{c.Content.Title, c.Content.Description, c.Metadata.Summary}, c.Content.NextSteps...)
		r.chat = append(r.chat, c.Content.Keywords...)
		for _, v := range c.Metadata.AdditionalContext {
			r.plain = append(r.plain, v)
		}
		r.plain = append(r.plain, c.ID, c.Metadata.ThreadID, c.Metadata.EventType)
	case FormatSlack:
		var b struct {
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(o.Body, &b); err != nil || b.Text == nil {
			return r, fmt.Errorf("body is not {\"text\": ...}: %v", err)
		}
		if n := utf16Len(*b.Text); n > maxSlackText {
			return r, fmt.Errorf("text is %d long, over %d", n, maxSlackText)
		}
		first, _, _ := strings.Cut(*b.Text, "\n")
		r.title = first
		r.chat = []string{*b.Text}
	case FormatEmail:
		if len(o.Body) > maxEmailBody {
			return r, fmt.Errorf("body is %d bytes, over %d", len(o.Body), maxEmailBody)
		}
		if err := checkSubject(o.Subject); err != nil {
			return r, err
		}
		first, _, _ := strings.Cut(string(o.Body), "\n")
		r.title = first
		r.plain = []string{string(o.Body)}
	case FormatJSON:
		if len(o.Body) > maxWebhookDocument {
			return r, fmt.Errorf("document is %d bytes, over %d", len(o.Body), maxWebhookDocument)
		}
		if err := json.Unmarshal(o.Body, &r.webhook); err != nil {
			return r, fmt.Errorf("document is not JSON: %w", err)
		}
		w := r.webhook
		if w.Schema != Schema || w.Kind == "" || w.Severity != m.Severity.String() || w.Fields == nil || w.NextSteps == nil {
			return r, fmt.Errorf("document lacks its fixed keys: %+v", w)
		}
		if (string(w.Event) == "null") == (w.EventOmitted == "") && len(m.Event) > 0 {
			return r, fmt.Errorf("event %.40q is null exactly when eventOmitted %q is empty", w.Event, w.EventOmitted)
		}
		if w.ConsoleURL != "" && w.ConsoleURL != consoleURL(m.ConsoleURL) {
			return r, fmt.Errorf("consoleUrl %q is not the message's console URL", w.ConsoleURL)
		}
		r.title = w.Title
		r.plain = []string{w.Customer, w.Detector, w.Title, w.Account, w.Region, w.Time, w.EventID, w.ThreadID, w.Summary}
		if w.AccountName != nil {
			r.plain = append(r.plain, *w.AccountName)
		}
		for k, v := range w.Fields {
			r.plain = append(r.plain, k, v)
		}
		r.plain = append(append(r.plain, w.NextSteps...), w.Notes...)
	}
	console := consoleURL(m.ConsoleURL)
	for _, s := range r.chat {
		if err := checkText(s, console, "&amp;"); err != nil {
			return r, fmt.Errorf("chat text: %w\n%s", err, s)
		}
		if strings.ContainsAny(s, "<>") {
			return r, fmt.Errorf("chat text holds an unescaped angle bracket:\n%s", s)
		}
		if strings.Count(s, "&") != len(entityRE.FindAllString(s, -1)) {
			return r, fmt.Errorf("chat text holds an \"&\" that is not one of its entities:\n%s", s)
		}
		if strings.ContainsAny(s, "`~") {
			return r, fmt.Errorf("chat text holds mrkdwn formatting from a value:\n%s", s)
		}
	}
	for _, s := range r.plain {
		if err := checkText(s, console, "&"); err != nil {
			return r, fmt.Errorf("text: %w\n%s", err, s)
		}
	}
	return r, nil
}

// checkText checks one text a person reads: visible characters only, no
// live link but the console URL, no broadcast, no markdown link.
func checkText(s, console, amp string) error {
	for _, c := range s {
		if c != '\n' && (unicode.IsControl(c) || unicode.Is(unicode.Bidi_Control, c)) {
			return fmt.Errorf("control character %U", c)
		}
	}
	if console != "" {
		s = strings.ReplaceAll(s, strings.ReplaceAll(console, "&", amp), "")
	}
	if l := liveLinkRE.FindString(s); l != "" {
		return fmt.Errorf("live link %q", l)
	}
	if b := broadcastRE.FindString(s); b != "" {
		return fmt.Errorf("broadcast %q", b)
	}
	if strings.Contains(s, "](") {
		return errors.New("markdown link")
	}
	return nil
}

// checkSubject checks the SNS Subject constraints (emailSubject).
func checkSubject(s string) error {
	if s == "" || len(s) > maxEmailSubject {
		return fmt.Errorf("subject %q is %d characters", s, len(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return fmt.Errorf("subject %q holds byte %#x", s, s[i])
		}
	}
	if c := rune(s[0]); !unicode.IsLetter(c) && !unicode.IsDigit(c) && !unicode.IsPunct(c) {
		return fmt.Errorf("subject %q does not begin with a letter, number or punctuation", s)
	}
	if l := liveLinkRE.FindString(s); l != "" {
		return fmt.Errorf("subject %q holds live link %q", s, l)
	}
	return nil
}
