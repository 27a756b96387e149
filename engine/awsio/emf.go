package awsio

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
)

// EMF settings: the namespace and dimension the operator's dashboards and
// alarms read.
const (
	MetricNamespace   = "secalerts"
	CustomerDimension = "Customer"
	// maxMetricsPerDirective is the embedded metric format's limit: a
	// MetricDirective's Metrics "MUST NOT contain more than 100
	// MetricDefinition objects" (CloudWatch User Guide, "Specification:
	// Embedded metric format").
	maxMetricsPerDirective = 100
)

// EMF is engine.Metrics as CloudWatch embedded metric format documents,
// one JSON object a line, written to w (the function's standard output,
// which Lambda sends to CloudWatch Logs, where the metrics are extracted:
// "On Lambda, you do not need to set this header yourself. Writing JSON to
// standard out in the embedded metric format is sufficient", same
// specification). Counts are summed until Flush, so an invocation that
// delivers to many destinations writes one line per customer. It is safe
// for concurrent use.
type EMF struct {
	mu     sync.Mutex
	w      io.Writer
	now    func() time.Time
	counts map[string]map[string]int
}

// NewEMF returns metrics written to w; now is the clock of the documents'
// timestamps (nil: time.Now).
func NewEMF(w io.Writer, now func() time.Time) *EMF {
	if now == nil {
		now = time.Now
	}
	return &EMF{w: w, now: now, counts: map[string]map[string]int{}}
}

// Count implements engine.Metrics. A metric must be named, and not like the
// dimension or the metadata member: the specification takes both metric
// values and dimension values from the same root members.
func (m *EMF) Count(customer, metric string, n int) {
	if metric == CustomerDimension || metric == "_aws" || metric == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.counts[customer]
	if c == nil {
		c = map[string]int{}
		m.counts[customer] = c
	}
	c[metric] += n
}

// emfDocument is one embedded metric format document. Its root holds the
// dimension and every metric value as target members; the specification's
// schema requires Timestamp (milliseconds since the epoch) and
// CloudWatchMetrics, and each directive's Namespace, Dimensions (an array
// of dimension sets) and Metrics.
type emfDocument map[string]any

type emfMetadata struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// Flush writes what was counted since the last Flush, one line per
// customer (and per 100 metrics), customers and metrics in name order, and
// starts counting afresh. The function flushes at the end of every
// invocation, so the metrics carry the invocation's time.
func (m *EMF) Flush() error {
	m.mu.Lock()
	counts := m.counts
	m.counts = map[string]map[string]int{}
	m.mu.Unlock()

	ts := m.now().UnixMilli()
	customers := make([]string, 0, len(counts))
	for c := range counts {
		customers = append(customers, c)
	}
	sort.Strings(customers)
	var out []byte
	for _, c := range customers {
		names := make([]string, 0, len(counts[c]))
		for name := range counts[c] {
			names = append(names, name)
		}
		sort.Strings(names)
		for len(names) > 0 {
			batch := names[:min(len(names), maxMetricsPerDirective)]
			names = names[len(batch):]
			doc := emfDocument{CustomerDimension: c}
			dir := emfDirective{Namespace: MetricNamespace, Dimensions: [][]string{{CustomerDimension}}}
			for _, name := range batch {
				dir.Metrics = append(dir.Metrics, emfMetric{Name: name, Unit: "Count"})
				doc[name] = counts[c][name]
			}
			doc["_aws"] = emfMetadata{Timestamp: ts, CloudWatchMetrics: []emfDirective{dir}}
			line, err := json.Marshal(doc)
			if err != nil {
				return fmt.Errorf("writing the metrics of %s: %w", c, err)
			}
			out = append(append(out, line...), '\n')
		}
	}
	if len(out) == 0 {
		return nil
	}
	if _, err := m.w.Write(out); err != nil {
		return fmt.Errorf("writing the metrics: %w", err)
	}
	return nil
}
