package render

import (
	"reflect"
	"regexp"
	"testing"
)

// placeholderRE is the definition nextPlaceholder implements.
var placeholderRE = regexp.MustCompile(`<([A-Za-z0-9_\-]+)>`)

// FuzzPlaceholders: nextPlaceholder finds what placeholderRE finds, and
// fill replaces what ReplaceAllStringFunc would.
func FuzzPlaceholders(f *testing.F) {
	for _, s := range []string{"", "<", "<>", "<a>", "x<a>y<b-c_9>z", "<<a>>", "<a<b>", "<a b>", "<a>>", "<é>", "<a\xff>",
		"<a>\xff<b>", "<https://x/<id>?q=<q>>", "<a-", "no placeholders", "<A_b-0>"} {
		f.Add(s)
	}
	values := map[string]string{"a": "1", "b": "<a>", "b-c_9": "", "id": "7"}
	f.Fuzz(func(t *testing.T, s string) {
		var got [][]int
		for i := 0; ; {
			start, end, ok := nextPlaceholder(s, i)
			if !ok {
				break
			}
			got = append(got, []int{start, end})
			i = end
		}
		if want := placeholderRE.FindAllStringIndex(s, -1); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: found %v, want %v", s, got, want)
		}
		want := placeholderRE.ReplaceAllStringFunc(s, func(p string) string { return values[p[1:len(p)-1]] })
		if got := fill(s, values); got != want {
			t.Errorf("%q: filled %q, want %q", s, got, want)
		}
	})
}
