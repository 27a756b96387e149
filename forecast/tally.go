package forecast

import (
	"strings"

	"secalerts/replay"
)

// chunkSize is the unit EventBridge bills a payload in: "each 64 KB chunk of
// a payload is billed as one event" (EventBridge pricing page).
const chunkSize = 64 << 10

// tally is what one worker (or one file) has counted. Its size depends on
// the number of days, detectors and destinations, and on topK's bound,
// never on the number of records.
type tally struct {
	files, filesFailed int
	notDelivered       int64
	readOnlySkipped    int64
	otherAccounts      int64
	crossRegion        int64
	findings           int64
	days               map[string]*Day
	principals, apis   *topK
	errors             []string
	errorCount         int
}

func newTally() *tally {
	return &tally{days: map[string]*Day{}, principals: newTopK(topKCapacity), apis: newTopK(topKCapacity)}
}

func (t *tally) day(date string) *Day {
	d := t.days[date]
	if d == nil {
		d = newDay(date)
		t.days[date] = d
	}
	return d
}

func (t *tally) fail(msg string) {
	t.errorCount++
	if len(t.errors) < maxErrors {
		t.errors = append(t.errors, msg)
	}
}

// add counts an event the member forwards.
func (t *tally) add(d *Day, out replay.Outcome, size int, region, principal, api string) {
	d.Forwarded++
	d.BilledEvents += int64((size + chunkSize - 1) / chunkSize)
	if busRegion(out.Target) != region {
		t.crossRegion++
	}
	if len(out.Destinations) == 0 {
		d.NotAlerting++
		return
	}
	d.Alerts++
	d.Messages += int64(len(out.Destinations))
	d.ByDetector[out.Detector]++
	d.BySeverity[out.Severity]++
	for _, dest := range out.Destinations {
		d.ByDestination[dest]++
	}
	t.principals.add(principal, 1)
	t.apis.add(api, 1)
}

// busRegion is the region of an event bus ARN.
func busRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

func (t *tally) merge(o *tally) {
	t.files += o.files
	t.filesFailed += o.filesFailed
	t.notDelivered += o.notDelivered
	t.readOnlySkipped += o.readOnlySkipped
	t.otherAccounts += o.otherAccounts
	t.crossRegion += o.crossRegion
	t.findings += o.findings
	for date, od := range o.days {
		t.day(date).merge(od)
	}
	t.principals.merge(o.principals)
	t.apis.merge(o.apis)
	t.errorCount += o.errorCount
	for _, e := range o.errors {
		if len(t.errors) < maxErrors {
			t.errors = append(t.errors, e)
		}
	}
}

// Day is the forecast of one UTC day (or of the whole run, for the total).
type Day struct {
	Date string `json:"date"`
	// Events are the records and events read.
	Events int64 `json:"events"`
	// Forwarded events leave the member account for the hub bus.
	Forwarded int64 `json:"forwarded"`
	// BilledEvents counts forwarded events in 64 KB chunks, as billed.
	BilledEvents int64 `json:"billedEvents"`
	// NotAlerting are forwarded events the hub delivers to nobody.
	NotAlerting int64 `json:"forwardedWithoutAlert"`
	// Alerts are events delivered to at least one destination; Messages
	// counts each destination once.
	Alerts        int64            `json:"alerts"`
	Messages      int64            `json:"messages"`
	ByDetector    map[string]int64 `json:"alertsByDetector"`
	BySeverity    map[string]int64 `json:"alertsBySeverity"`
	ByDestination map[string]int64 `json:"messagesByDestination"`
}

func newDay(date string) *Day {
	return &Day{Date: date, ByDetector: map[string]int64{}, BySeverity: map[string]int64{}, ByDestination: map[string]int64{}}
}

func (d *Day) merge(o *Day) {
	d.Events += o.Events
	d.Forwarded += o.Forwarded
	d.BilledEvents += o.BilledEvents
	d.NotAlerting += o.NotAlerting
	d.Alerts += o.Alerts
	d.Messages += o.Messages
	for k, v := range o.ByDetector {
		d.ByDetector[k] += v
	}
	for k, v := range o.BySeverity {
		d.BySeverity[k] += v
	}
	for k, v := range o.ByDestination {
		d.ByDestination[k] += v
	}
}
