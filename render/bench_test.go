package render

import (
	"testing"

	"secalerts/severity"
)

// BenchmarkRender extracts a Security Hub event and renders it in all four
// formats, the delivery function's work for one event and four
// destinations.
func BenchmarkRender(b *testing.B) {
	d := mustDetector(b, "securityhub")
	v := variantOf(b, d, severity.High)
	event := readSample(b, "securityhub/HIGH--s3-block-public-access-control-failed.json")
	b.ReportAllocs()
	for b.Loop() {
		x, err := Extract(d, v, event)
		if err != nil {
			b.Fatal(err)
		}
		m := FromEvent(x, testContext)
		for _, f := range Formats {
			if _, err := Render(f, m); err != nil {
				b.Fatal(err)
			}
		}
	}
}
