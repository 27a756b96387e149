package forecast_test

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"secalerts/cloudtrail"
	"secalerts/detectors"
	"secalerts/eventbridge"
	"secalerts/forecast"
	"secalerts/severity"
)

// The benchmarks share one generated trail, sized by SECALERTS_BENCH_BYTES
// (uncompressed bytes; default 16 MiB so CI stays quick, 1 GiB for the
// README numbers):
//
//	SECALERTS_BENCH_BYTES=1073741824 go test ./forecast -run '^$' -bench . -benchtime 1x -timeout 60m
//
// Each reports MB/s of uncompressed CloudTrail JSON; ratios of those are
// the figures in the README. The naive engine is slow enough that it reads
// only the first SECALERTS_NAIVE_BYTES of the trail (default 1 MiB: the
// first file); its MB/s is over what it read.

var (
	benchOnce  sync.Once
	benchDir   string
	benchTruth *truth
	benchFiles []cloudtrail.File
)

func envBytes(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil && v > 0 {
		return v
	}
	return def
}

func benchCorpus(b *testing.B) ([]cloudtrail.File, *truth) {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "forecast-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = dir
		start := time.Now()
		// Files of 2000 records (~2.5 MB) are what a busy account's trail
		// delivers every five minutes; 2% security-relevant calls is a noisy
		// account.
		benchTruth = generate(b, dir, genConfig{seed: 7, bytes: envBytes("SECALERTS_BENCH_BYTES", 16<<20), days: 30,
			recordsPerFile: 2000, securityShare: 0.02})
		benchFiles, _ = cloudtrail.Walk([]string{dir})
		var disk int64
		for _, f := range benchFiles {
			disk += f.Size
		}
		fmt.Fprintf(os.Stderr, "generated %d files, %.0f MB of CloudTrail JSON (%.0f MB gzipped) in %s\n",
			len(benchFiles), float64(benchTruth.bytes)/1e6, float64(disk)/1e6, time.Since(start).Round(time.Second))
	})
	return benchFiles, benchTruth
}

// peakMemory samples the Go heap while a benchmark runs and reports its
// peak, and the process's peak resident set (ru_maxrss) at the end. It
// also reports the CPU time the process used per op: on a shared machine
// wall time depends on the neighbours, CPU time much less.
func peakMemory(b *testing.B) (stop func()) {
	runtime.GC()
	cpu0 := cpuTime()
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse + ms.StackInuse; v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		b.ReportMetric(float64(peak.Load())/1e6, "peak-heap-MB")
		var ru syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
			b.ReportMetric(float64(ru.Maxrss)/1e3, "maxrss-MB")
		}
		b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	}
}

// cpuTime is the user and system time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecompress is the floor: gunzip every file, on as many workers
// as the forecast uses, and throw the bytes away.
func BenchmarkDecompress(b *testing.B) {
	files, tr := benchCorpus(b)
	b.SetBytes(tr.bytes)
	stop := peakMemory(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		jobs := make(chan string)
		var wg sync.WaitGroup
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 256<<10)
				for path := range jobs {
					in, err := cloudtrail.Open(path, nil)
					if err != nil {
						b.Error(err)
						continue
					}
					if _, err := io.CopyBuffer(io.Discard, in, buf); err != nil {
						b.Error(err)
					}
					in.Close()
				}
			}()
		}
		for _, f := range files {
			jobs <- f.Path
		}
		close(jobs)
		wg.Wait()
	}
	b.StopTimer()
	stop()
}

// BenchmarkForecast is the engine as `secalerts forecast` runs it.
func BenchmarkForecast(b *testing.B) {
	_, tr := benchCorpus(b)
	e := engine(b, forecast.Options{})
	b.SetBytes(tr.bytes)
	stop := peakMemory(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := e.Run([]string{benchDir}, nil)
		if r.ErrorCount != 0 || r.Total.Events == 0 {
			b.Fatalf("forecast failed: %v", r.Errors)
		}
	}
	b.StopTimer()
	stop()
}

// BenchmarkNaive is the obvious engine: decode each file with
// encoding/json into maps, build each record's event, marshal it, and test
// every detector variant's pattern one by one with eventbridge.MatchPattern.
func BenchmarkNaive(b *testing.B) {
	files, _ := benchCorpus(b)
	limit := envBytes("SECALERTS_NAIVE_BYTES", 1<<20)
	type variant struct {
		detector string
		sev      severity.Severity
		pattern  []byte
	}
	var variants []variant
	for _, d := range detectors.All() {
		for _, v := range d.Build(detectors.Options{}) {
			p, err := json.Marshal(v.Pattern)
			if err != nil {
				b.Fatal(err)
			}
			variants = append(variants, variant{d.ID, v.Severity, p})
		}
	}
	stop := peakMemory(b)
	b.ResetTimer()
	var read int64
	for i := 0; i < b.N; i++ {
		read = 0
		alerts := 0
		for _, f := range files {
			if read >= limit {
				break
			}
			in, err := cloudtrail.Open(f.Path, nil)
			if err != nil {
				b.Fatal(err)
			}
			data, err := io.ReadAll(in)
			in.Close()
			if err != nil {
				b.Fatal(err)
			}
			read += int64(len(data))
			var file struct {
				Records []map[string]any `json:"Records"`
			}
			if err := json.Unmarshal(data, &file); err != nil {
				b.Fatal(err)
			}
			for _, rec := range file.Records {
				es, _ := rec["eventSource"].(string)
				et, _ := rec["eventType"].(string)
				dt, ok := cloudtrail.DetailType(et)
				if !ok {
					continue
				}
				ev, err := json.Marshal(map[string]any{"version": "0", "id": rec["eventID"], "detail-type": dt,
					"source": cloudtrail.Source(es), "account": rec["recipientAccountId"], "time": rec["eventTime"],
					"region": rec["awsRegion"], "resources": []any{}, "detail": rec})
				if err != nil {
					b.Fatal(err)
				}
				best := severity.Severity(-1)
				for _, v := range variants {
					ok, err := eventbridge.MatchPattern(v.pattern, ev)
					if err != nil {
						b.Fatal(err)
					}
					if ok && v.sev > best {
						best = v.sev
					}
				}
				if best >= severity.Medium {
					alerts++
				}
			}
		}
		if alerts == 0 {
			b.Fatal("the naive engine found no alert")
		}
	}
	b.SetBytes(read)
	b.StopTimer()
	stop()
}
