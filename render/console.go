package render

import (
	"net/url"
	"regexp"
	"strings"
)

// regionRE is the shape of an AWS Region code: "us-east-1", "eu-central-2",
// "us-gov-west-1", "us-iso-east-1", "us-isob-east-1" (AWS General Reference,
// "AWS Regions": codes are a geography, an optional partition infix, a
// direction and a number).
var regionRE = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)

// consoleDomain is the AWS Management Console's domain: the console is
// served from console.aws.amazon.com and from one <region>.console.aws.amazon.com
// host per Region (AWS Management Console Getting Started Guide, "Choosing a
// Region").
const consoleDomain = "console.aws.amazon.com"

// maxConsoleURL bounds a console URL: the catalogue's are under 200
// characters, so a longer one means a value stuffed into it.
const maxConsoleURL = 2000

// buildConsoleURL fills the placeholders of a detector's ConsoleURL with
// URL-escaped values and returns it if it is a console URL (consoleURL),
// else "".
func buildConsoleURL(tmpl string, values map[string]string) string {
	if tmpl == "" {
		return ""
	}
	var b strings.Builder
	last := 0
	for {
		start, end, ok := nextPlaceholder(tmpl, last)
		if !ok {
			break
		}
		b.WriteString(tmpl[last:start])
		b.WriteString(escapeURLValue(values[tmpl[start+1:end-1]], urlPartAt(tmpl[:start])))
		last = end
	}
	b.WriteString(tmpl[last:])
	return consoleURL(b.String())
}

// urlPart is where in a URL a value goes, which decides its escaping.
type urlPart int

const (
	inPath urlPart = iota
	inQuery
)

// urlPartAt tells where text following prefix sits. The console's pages
// route on the fragment ("#/findings?macros=current&fId=..."), so a
// fragment with a '?' is read as a query too.
func urlPartAt(prefix string) urlPart {
	if i := strings.IndexByte(prefix, '#'); i >= 0 {
		if strings.Contains(prefix[i:], "?") {
			return inQuery
		}
		return inPath
	}
	if strings.Contains(prefix, "?") {
		return inQuery
	}
	return inPath
}

// escapeURLValue escapes v so it stays one path segment or one query value
// (RFC 3986, section 2: "/", "?", "#", "&", "=" are delimiters). "." and
// ".." would still move up a path, so they are escaped as well.
func escapeURLValue(v string, part urlPart) string {
	if part == inQuery {
		return url.QueryEscape(v)
	}
	if v == "." || v == ".." {
		return strings.ReplaceAll(v, ".", "%2E")
	}
	return url.PathEscape(v)
}

// consoleURL returns u when it is a link into the AWS console and "" when
// it is anything else: scheme https, no user or port, host exactly
// console.aws.amazon.com or <region>.console.aws.amazon.com with a
// Region-shaped <region>, and only the characters RFC 3986 allows in a URL
// (so no space, quote or angle bracket can end it early in any format).
func consoleURL(u string) string {
	if u == "" || len(u) > maxConsoleURL {
		return ""
	}
	for i := 0; i < len(u); i++ {
		if !isURLByte(u[i]) {
			return ""
		}
	}
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" || p.User != nil || p.Opaque != "" {
		return ""
	}
	host := p.Host
	if host != consoleDomain {
		region, ok := strings.CutSuffix(host, "."+consoleDomain)
		if !ok || !regionRE.MatchString(region) {
			return ""
		}
	}
	return u
}

// isURLByte reports whether c may appear in a URL (RFC 3986, section 2:
// unreserved, reserved and '%' of percent-encoding).
func isURLByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", c) >= 0
}
