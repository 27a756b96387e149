package render

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// truncatedMark ends every value the renderers had to shorten, so a reader
// knows there was more.
const truncatedMark = "… [truncated]"

// zwsp is U+200B ZERO WIDTH SPACE: invisible, and enough to stop a parser
// from seeing "](" or "@channel".
const zwsp = "\u200b"

// plain is what every string of a message goes through before any format
// sees it: one clean line (cleanLine) with links and broadcasts neutralised
// (neutralise).
func plain(s string) string {
	return neutralise(cleanLine(s))
}

// cleanLine returns s as one line of valid, visible UTF-8:
//   - each run of invalid UTF-8 becomes U+FFFD REPLACEMENT CHARACTER, as
//     strings.ToValidUTF8 writes it;
//   - every run of white space, line breaks included (\n, \r, U+0085,
//     U+2028, U+2029), becomes one space, so no value can start a line and
//     forge a label, a quote or a list item;
//   - control characters (general category Cc) are removed;
//   - the Bidi_Control characters (U+061C, U+200E, U+200F, U+202A-U+202E,
//     U+2066-U+2069; Unicode UAX #9) are removed, so text cannot be shown
//     reversed ("Trojan Source", CVE-2021-42574);
//   - other invisible format characters (general category Cf: zero width
//     spaces, soft hyphens, tag characters) are removed, so none can split
//     "evil\u200b.com" past the link neutralising and then be ignored by the
//     client; ZERO WIDTH JOINER and NON-JOINER stay between two non-ASCII
//     characters, where emoji sequences and some scripts need them.
func cleanLine(s string) string {
	if isCleanASCII(s) {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	prev := ' '
	for i, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			continue
		case r == '\u200c' || r == '\u200d':
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			if prev < utf8.RuneSelf || next < utf8.RuneSelf {
				continue
			}
		case unicode.Is(unicode.Cf, r):
			continue
		}
		prev = r
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isCleanASCII reports whether s is printable ASCII already in cleanLine's
// form: most values are, and need no copy.
func isCleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c >= utf8.RuneSelf || c == 0x7f || c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// neutralise keeps text a reader sees from acting as a link or a mention in
// any client (Slack and Teams link bare URLs and domains, mail clients link
// URLs):
//   - "scheme://" becomes "scheme[://]" and http(s) becomes hxxp(s), the
//     defanging convention of threat-intelligence sharing (as CyberChef's
//     "Defang URL" writes it): hxxps[://]evil[.]example/x;
//   - a dot between a letter or digit and two letters, the shape of every
//     host name with a top-level domain, becomes "[.]", and so does the dot
//     of "www."; decimals, versions and IPv4 addresses ("3.11", "10.0.0.1")
//     keep theirs;
//   - "](" of a markdown link gets a zero width space between its brackets
//     (CommonMark requires them adjacent);
//   - @channel, @here and @everyone get a zero width space after the "@".
//
// Slack's own <!channel>, <@U123> and <url|text> need "<", which every chat
// format escapes (escapeChat).
func neutralise(s string) string {
	s = defangSchemes(s)
	s = defangDots(s)
	if strings.Contains(s, "](") {
		s = strings.ReplaceAll(s, "](", "]"+zwsp+"(")
	}
	return breakBroadcasts(s)
}

// defangSchemes rewrites every "://".
func defangSchemes(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		head := s[:i]
		if strings.HasSuffix(head, "[") && strings.HasPrefix(s[i+3:], "]") {
			// Already defanged.
			b.WriteString(s[:i+3])
			s = s[i+3:]
			continue
		}
		start := len(head)
		for start > 0 && isSchemeByte(head[start-1]) {
			start--
		}
		b.WriteString(head[:start])
		switch scheme := head[start:]; strings.ToLower(scheme) {
		case "http":
			b.WriteString("hxxp")
		case "https":
			b.WriteString("hxxps")
		default:
			b.WriteString(scheme)
		}
		b.WriteString("[://]")
		s = s[i+3:]
	}
}

// isSchemeByte is a character of a URI scheme (RFC 3986, section 3.1).
func isSchemeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'
}

// isDot is a full stop a browser or IDNA mapping reads as the label
// separator of a host name (UTS #46 maps U+3002, U+FF0E and U+FF61 to ".").
func isDot(r rune) bool {
	return r == '.' || r == '\u3002' || r == '\uff0e' || r == '\uff61'
}

// defangDots rewrites the dots of host names (see neutralise).
func defangDots(s string) string {
	var b *strings.Builder
	last := 0
	for i, r := range s {
		if !isDot(r) || i == 0 {
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		after := s[i+utf8.RuneLen(r):]
		next, n := utf8.DecodeRuneInString(after)
		next2, _ := utf8.DecodeRuneInString(after[n:])
		if !(isAlnum(prev) && isLetterish(next) && isLetterish(next2)) && !isWWW(s[:i]) {
			continue
		}
		if b == nil {
			b = &strings.Builder{}
			b.Grow(len(s) + 8)
		}
		b.WriteString(s[last:i])
		b.WriteString("[.]")
		last = i + utf8.RuneLen(r)
	}
	if b == nil {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// isLetterish is a letter or a combining mark, which can be part of an
// internationalised top-level domain.
func isLetterish(r rune) bool { return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) }

// isWWW reports whether before ends with "www".
func isWWW(before string) bool {
	return len(before) >= 3 && strings.EqualFold(before[len(before)-3:], "www")
}

// broadcasts are the words Slack and Teams read as notifying a whole
// channel (Slack, "Formatting text for app surfaces", special mentions).
var broadcasts = []string{"channel", "here", "everyone"}

// breakBroadcasts puts a zero width space after the "@" of each broadcast.
func breakBroadcasts(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '@')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+1])
		s = s[i+1:]
		for _, w := range broadcasts {
			if len(s) >= len(w) && strings.EqualFold(s[:len(w)], w) {
				b.WriteString(zwsp)
				break
			}
		}
	}
}

// escapeChat makes plain text literal in Slack mrkdwn and in the
// client-markdown Chatbot hands to Slack and Microsoft Teams:
//   - "&", "<" and ">" become "&amp;", "&lt;" and "&gt;", the escaping Slack
//     requires for them ("Formatting text for app surfaces", Escaping text);
//     this also disarms <!channel>, <@U123>, <#C123>, <!subteam^S1> and
//     <url|text>;
//   - Slack has no escape for its formatting characters, so "*", "~" and
//     "`" become look-alikes (∗ ∼ ‵), and "_" becomes ＿ where it could open
//     or close italics, at the edge of a word ("AWS_SERVICE_ROLE" keeps its
//     underscores). None of the look-alikes is a letter, so escaping cannot
//     complete a host name that neutralise left alone. Only the renderer's
//     own *labels* are bold.
func escapeChat(s string) string {
	if !strings.ContainsAny(s, "&<>*~`_") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	prev := ' '
	for i, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '*':
			b.WriteRune('∗')
		case '~':
			b.WriteRune('∼')
		case '`':
			b.WriteRune('‵')
		case '_':
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			if !isAlnum(prev) || !isAlnum(next) {
				b.WriteRune('＿')
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// utf16Len counts UTF-16 code units, the unit of JavaScript string lengths
// and the larger of the usual ways to count "characters": a limit kept in
// it is kept however Slack counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(1, utf16.RuneLen(r))
	}
	return n
}

func byteLen(s string) int { return len(s) }

// style is how one format writes text: its escaping, how it writes the
// console URL, and how its limits count.
type style struct {
	esc     func(string) string
	url     func(string) string
	measure func(string) int
}

var (
	// chatStyle is Slack mrkdwn and Chatbot's client-markdown. A console
	// URL only needs its "&" escaped; the look-alikes of escapeChat would
	// break it.
	chatStyle = style{
		esc:     escapeChat,
		url:     func(u string) string { return strings.ReplaceAll(u, "&", "&amp;") },
		measure: utf16Len,
	}
	// plainStyle is e-mail text and JSON strings: nothing to escape, limits
	// in bytes like SNS's.
	plainStyle = style{esc: identity, url: identity, measure: byteLen}
)

func identity(s string) string { return s }

// Shorten returns s cut to at most max bytes at a rune boundary, marked
// with truncatedMark when cut: for keeping a value, not for showing it
// (the renderers clean, escape and fit every value they write).
func Shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + truncatedMark
}

// piece returns s cleaned (plain) and escaped for st, shortened with
// truncatedMark so that it measures at most max.
func (st style) piece(s string, max int) string {
	// No unit of any style is under a byte nor any rune over four bytes, so
	// a value much longer than max cannot fit: cut it before cleaning, so a
	// megabyte value costs no more than a short one, and mark it whatever
	// the cleaning leaves.
	if limit := 4*max + 64; len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return st.fitMarked(plain(s[:cut]), max)
	}
	return st.fit(plain(s), max)
}

// fit escapes p, shortening it first if needed so the result measures at
// most max. Escaping maps each rune on its own, so the escaped length of a
// prefix only grows with it and a binary search finds the longest.
func (st style) fit(p string, max int) string {
	out := st.esc(p)
	if st.measure(out) <= max {
		return out
	}
	return st.fitMarked(p, max)
}

// fitMarked is fit for a p known to be cut already: it always ends with
// truncatedMark.
func (st style) fitMarked(p string, max int) string {
	room := max - st.measure(truncatedMark)
	if room <= 0 {
		return ""
	}
	// Every rune measures at least one, so no more than room runes fit.
	rs := []rune(p)
	if len(rs) > room {
		rs = rs[:room]
	}
	lo, hi := 0, len(rs)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if st.measure(st.esc(string(rs[:mid]))) <= room {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return st.esc(strings.TrimRight(string(rs[:lo]), " ")) + truncatedMark
}
