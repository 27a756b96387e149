package replay_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"secalerts/internal/stacktest"
	"secalerts/replay"
)

// readOnlyCalls are CloudTrail management events no detector takes: what
// most of a real trail is.
var readOnlyCalls = []struct{ source, name string }{
	{"ec2", "DescribeInstances"}, {"s3", "ListBuckets"}, {"iam", "ListRoles"},
	{"sts", "GetCallerIdentity"}, {"cloudtrail", "DescribeTrails"}, {"kms", "ListKeys"},
	{"lambda", "ListFunctions"}, {"ec2", "DescribeSecurityGroups"},
}

// writeCloudTrailLines writes n CloudTrail events as JSON lines: read-only
// calls, and every matchEvery-th a StopLogging, which alerts (CRITICAL).
func writeCloudTrailLines(tb testing.TB, n, matchEvery int) string {
	tb.Helper()
	var template, stop map[string]any
	for file, into := range map[string]*map[string]any{
		"none--describe-trails.json":  &template,
		"CRITICAL--stop-logging.json": &stop,
	} {
		data, err := os.ReadFile(stacktest.Path(tb, filepath.Join("testdata", "events", "cloudtrail-changes", file)))
		if err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal(data, into); err != nil {
			tb.Fatal(err)
		}
	}
	path := filepath.Join(tb.TempDir(), "trail.jsonl")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		ev, alerting := template, i%matchEvery == matchEvery-1
		if alerting {
			ev = stop
		}
		detail := ev["detail"].(map[string]any)
		if !alerting {
			call := readOnlyCalls[i%len(readOnlyCalls)]
			ev["source"] = "aws." + call.source
			detail["eventSource"] = call.source + ".amazonaws.com"
			detail["eventName"] = call.name
		}
		at := start.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		ev["id"] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		detail["eventID"] = fmt.Sprintf("10000000-0000-4000-8000-%012d", i)
		ev["time"], detail["eventTime"] = at, at
		line, err := json.Marshal(ev)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(line)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkStream streams a JSON-lines file of CloudTrail events through
// the example pipeline, as secalerts replay does, and reports events a
// second of wall time and of the process's CPU time (all threads, the
// garbage collector's included: what one core has to give, and steady on a
// busy machine), and the peak heap (sampled every 1,000 events): the same
// for 10 times the events, since nothing is kept. Run it on one core:
//
//	go test ./replay -run '^$' -bench Stream -cpu 1
func BenchmarkStream(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			path := writeCloudTrailLines(b, n, 100)
			info, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			p := stacktest.ExamplePipeline(b)
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			base, peak := ms.HeapAlloc, ms.HeapAlloc
			alerts := 0
			b.SetBytes(info.Size())
			cpuStart := cpuTime(b)
			b.ResetTimer()
			for b.Loop() {
				alerts = 0
				s, err := p.NewSession()
				if err != nil {
					b.Fatal(err)
				}
				err = replay.Stream(path, func(i int, ev []byte) error {
					rs := s.Replay(path, i, ev)
					res := rs[len(rs)-1]
					if res.Error != "" {
						return fmt.Errorf("%s", res.Error)
					}
					if len(res.Deliveries) > 0 {
						alerts++
					}
					if i%1000 == 0 {
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc)
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			cpu := cpuTime(b) - cpuStart
			if want := n / 100; alerts != want {
				b.Fatalf("%d events alert, want %d", alerts, want)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "events/cpu-s")
			b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MiB")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
