package render

import (
	"strings"
	"testing"
)

func TestCleanLine(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "S3.8 buckets", "S3.8 buckets"},
		{"line breaks", "a\nb\r\nc\u2028d\u2029e\u0085f", "a b c d e f"},
		{"white space runs", "  a \t\v\f b  ", "a b"},
		{"controls", "a\x00b\x1b[31mc\x7f\u009bd", "ab[31mcd"},
		{"bidi", "a\u202ecba\u202c \u2066x\u2069\u200e\u200f\u061c", "acba x"},
		{"invisible", "ev\u200bil\u00ad.\ufeffcom\U000E0041", "evil.com"},
		{"invalid UTF-8", "a\xffb\xc3", "a\ufffdb\ufffd"},
		{"joiners between emoji", "👩\u200d💻", "👩\u200d💻"},
		{"joiner next to ASCII", "a\u200db", "ab"},
		{"quotes and backslashes stay", `"x" \ 'y'`, `"x" \ 'y'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cleanLine(tc.in); got != tc.want {
				t.Errorf("cleanLine(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNeutralise(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"https", "see https://evil.example/x?y=1", "see hxxps[://]evil[.]example/x?y=1"},
		{"http upper case", "HTTP://evil.example", "hxxp[://]evil[.]example"},
		{"other scheme", "ftp://evil.example/f", "ftp[://]evil[.]example/f"},
		{"www", "www.evil.example", "www[.]evil[.]example"},
		{"www with digits", "WWW.1evil.2x", "WWW[.]1evil.2x"},
		{"bare domain", "visit evil.com now", "visit evil[.]com now"},
		{"e-mail", "alice@example.com", "alice@example[.]com"},
		{"ideographic dot", "evil。com", "evil[.]com"},
		{"idn", "пример.рф", "пример[.]рф"},
		{"decimals stay", "Python/3.11.6 S3.8 10.0.0.1 v2.0", "Python/3.11.6 S3.8 10.0.0.1 v2.0"},
		{"abbreviations stay", "e.g. i.e. U.S.", "e.g. i.e. U.S."},
		{"markdown link", "[Approve](x)", "[Approve]\u200b(x)"},
		{"channel", "@channel @Here @EVERYONE", "@\u200bchannel @\u200bHere @\u200bEVERYONE"},
		{"other mentions stay", "@alice user@host", "@alice user@host"},
		{"idempotent", "hxxps[://]evil[.]example", "hxxps[://]evil[.]example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := neutralise(tc.in)
			if got != tc.want {
				t.Errorf("neutralise(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := neutralise(got); again != got {
				t.Errorf("neutralise is not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestEscapeChat(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"entities", "a & b <!channel> x>y", "a &amp; b &lt;!channel&gt; x&gt;y"},
		{"entity text stays text", "&lt;!here&gt;", "&amp;lt;!here&amp;gt;"},
		{"link", "<https://x|Open>", "&lt;https://x|Open&gt;"},
		{"bold and code", "*URGENT* `rm` ~x~", "∗URGENT∗ ‵rm‵ ∼x∼"},
		{"italics", "_approved_ by", "＿approved＿ by"},
		{"identifier underscores stay", "AWS_SERVICE_ROLE a_b", "AWS_SERVICE_ROLE a_b"},
		{"iam wildcard", `s3:* "*"`, `s3:∗ "∗"`},
		{"look-alikes are no letters", "0000.A` x.b_", "0000.A‵ x.b＿"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := escapeChat(tc.in); got != tc.want {
				t.Errorf("escapeChat(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   style
		in   string
		max  int
		want string
	}{
		{"fits", chatStyle, "short", 10, "short"},
		{"cut", plainStyle, "abcdefghijklmnopqrstuvwxyz", 20, "abcde" + truncatedMark},
		{"entity not split", chatStyle, "a&&&&&&&&&&&&&&&", 20, "a&amp;" + truncatedMark},
		{"utf16 units", chatStyle, strings.Repeat("😀", 20), 19, "😀😀😀" + truncatedMark},
		{"no room", plainStyle, "abcdefghijklmnopqrstuvwxyz", 5, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.st.fit(tc.in, tc.max)
			if got != tc.want {
				t.Errorf("fit = %q, want %q", got, tc.want)
			}
			if tc.st.measure(got) > tc.max {
				t.Errorf("fit = %q measures %d, over %d", got, tc.st.measure(got), tc.max)
			}
		})
	}
}

func TestEmailSubject(t *testing.T) {
	for _, tc := range []struct {
		name, title, want string
	}{
		{"plain", "GuardDuty: crypto mining", "[HIGH] GuardDuty: crypto mining"},
		{"typography", "“a” ‘b’ – c…", `[HIGH] "a" 'b' - c...`},
		{"other scripts", "Ünïcode 日本", "[HIGH] ?n?code ??"},
		{"line breaks and controls", "a\r\nBcc: x\x00", "[HIGH] a Bcc: x"},
		{"links", "see https://evil.example", "[HIGH] see hxxps[://]evil[.]example"},
		{"empty", "", "[HIGH]"},
		{"long", strings.Repeat("abcdefghij", 20), "[HIGH] " + strings.Repeat("abcdefghij", 8) + "abcdefghi..."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := emailSubject(Message{Severity: 3, Title: tc.title})
			if got != tc.want {
				t.Errorf("subject = %q, want %q", got, tc.want)
			}
			if err := checkSubject(got); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestShorten(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijk", 4, "abcd" + truncatedMark},
		{"ééé", 3, "é" + truncatedMark}, // never half a rune
	} {
		if got := Shorten(tc.in, tc.max); got != tc.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}
