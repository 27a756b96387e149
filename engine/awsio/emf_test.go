package awsio_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"secalerts/engine"
	"secalerts/engine/awsio"
)

// emfLine is an embedded metric format document as CloudWatch Logs reads
// it (CloudWatch User Guide, "Specification: Embedded metric format").
type emfLine struct {
	AWS struct {
		Timestamp         *int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	} `json:"_aws"`
	root map[string]any
}

func readEMF(t *testing.T, out string) []emfLine {
	t.Helper()
	var lines []emfLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l emfLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, sc.Text())
		}
		if err := json.Unmarshal(sc.Bytes(), &l.root); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	return lines
}

// check holds a document to the specification: a timestamp in
// milliseconds, one directive of at most 100 metrics, each metric and
// dimension a member of the root, numbers and a string.
func (l emfLine) check(t *testing.T, wantTS int64) (customer string, counts map[string]float64) {
	t.Helper()
	if l.AWS.Timestamp == nil || *l.AWS.Timestamp != wantTS {
		t.Errorf("timestamp %v, want %d", l.AWS.Timestamp, wantTS)
	}
	if len(l.AWS.CloudWatchMetrics) != 1 {
		t.Fatalf("%d directives", len(l.AWS.CloudWatchMetrics))
	}
	d := l.AWS.CloudWatchMetrics[0]
	if d.Namespace != "secalerts" || fmt.Sprint(d.Dimensions) != "[[Customer]]" || len(d.Metrics) == 0 || len(d.Metrics) > 100 {
		t.Errorf("directive %+v", d)
	}
	customer, ok := l.root["Customer"].(string)
	if !ok {
		t.Errorf("dimension Customer is %v, not a string member of the root", l.root["Customer"])
	}
	counts = map[string]float64{}
	for _, m := range d.Metrics {
		v, ok := l.root[m.Name].(float64)
		if !ok || m.Unit != "Count" {
			t.Errorf("metric %+v: root member %v", m, l.root[m.Name])
		}
		counts[m.Name] = v
	}
	if len(l.root) != len(d.Metrics)+2 {
		t.Errorf("root members %v beyond the metrics, the dimension and _aws", l.root)
	}
	return customer, counts
}

func TestEMF(t *testing.T) {
	var buf bytes.Buffer
	c := &clock{t: t0}
	m := awsio.NewEMF(&buf, c.Now)
	m.Count("globex", engine.MetricDelivered, 1)
	m.Count("acme", engine.MetricDelivered, 2)
	m.Count("acme", engine.MetricDelivered, 3)
	m.Count("acme", engine.MetricFailed, 1)
	m.Count("acme", "Customer", 1) // would overwrite the dimension
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := readEMF(t, buf.String())
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per customer:\n%s", len(lines), buf.String())
	}
	got := map[string]map[string]float64{}
	for _, l := range lines {
		cust, counts := l.check(t, t0.UnixMilli())
		got[cust] = counts
	}
	if fmt.Sprint(got) != "map[acme:map[Delivered:5 DeliveryFailed:1] globex:map[Delivered:1]]" {
		t.Errorf("counts %v", got)
	}

	// Nothing counted since: nothing written.
	buf.Reset()
	if err := m.Flush(); err != nil || buf.Len() != 0 {
		t.Errorf("an empty flush wrote %q, %v", buf.String(), err)
	}

	// More metrics than a directive may hold: several lines.
	for i := range 150 {
		m.Count("acme", fmt.Sprintf("M%03d", i), i)
	}
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	lines = readEMF(t, buf.String())
	if len(lines) != 2 {
		t.Fatalf("150 metrics in %d lines, want 2", len(lines))
	}
	total := 0
	for _, l := range lines {
		_, counts := l.check(t, t0.UnixMilli())
		total += len(counts)
	}
	if total != 150 {
		t.Errorf("%d metrics written, want 150", total)
	}
}
