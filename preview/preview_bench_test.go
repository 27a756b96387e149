package preview_test

import (
	"fmt"
	"strings"
	"testing"

	"secalerts/internal/stacktest"
	"secalerts/preview"
	"secalerts/stack"
)

// Benchmarks of the program itself under the mocks, one stack per op:
//
//	go test ./preview -run '^$' -bench . -benchtime 5x
//
// They report milliseconds per stack (ns/op), resources per stack, and
// allocations.

// benchHubFile writes a hub stack with n customers, each with two
// accounts, two Slack channels, an e-mail address and a webhook.
func benchHubFile(b *testing.B, n int) string {
	var s strings.Builder
	s.WriteString(`config:
  pulumi:disable-default-providers:
    - aws
  secalerts:role: hub
  secalerts:hub:
    accountId: "999999999999"
    region: us-east-1
    alarmEmails:
      - secops@example.com
    # The event-buses-per-account quota, raised in Service Quotas.
    maxEventBuses: 400
    customers:
`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&s, `      - name: customer%03d
        accounts:
          - id: "%012d"
          - id: "%012d"
        slack:
          - workspaceId: T%010d
            channelId: C%010d
            minSeverity: HIGH
          - workspaceId: T%010d
            channelId: D%010d
            minSeverity: MEDIUM
        emails:
          - address: soc%03d@example.com
            minSeverity: CRITICAL
        webhooks:
          - name: pager
            format: json
            minSeverity: CRITICAL
            url:
              secure: v1:AAAAAAAAAAAAAAAA:bench-only
`, i, 100000000000+2*i, 100000000001+2*i, i, i, i, i, i)
	}
	return stacktest.StackFile(b, "bighub", s.String())
}

func benchmarkPreview(b *testing.B, path string) {
	st, err := preview.LoadStackFile(path)
	if err != nil {
		b.Fatal(err)
	}
	opts := stacktest.Options()
	b.ReportAllocs()
	b.ResetTimer()
	resources := 0
	for i := 0; i < b.N; i++ {
		rs, err := preview.Run(st, opts, stack.Run)
		if err != nil {
			b.Fatal(err)
		}
		resources = len(rs)
	}
	b.ReportMetric(float64(resources), "resources/op")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}

// BenchmarkPreviewHub300Customers previews a hub with 300 customers.
func BenchmarkPreviewHub300Customers(b *testing.B) {
	benchmarkPreview(b, benchHubFile(b, 300))
}

// BenchmarkPreviewMemberAllRegions previews the example member, which
// deploys to every default region (regions: enabled).
func BenchmarkPreviewMemberAllRegions(b *testing.B) {
	benchmarkPreview(b, stacktest.Path(b, stacktest.MemberFile))
}
