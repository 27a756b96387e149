package forecast

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Price of the forwarded traffic. A member's rules send the matching
// events from its default bus to the customer's bus in the hub account;
// "events sent to another event bus are billed as per custom events
// pricing" (EventBridge What's New, 19 May 2021), and custom events cost
// USD 1.00 per million, each 64 KB chunk billed as one event (EventBridge
// pricing page, us-east-1, as read on 2026-05-01). Data transfer between
// regions is billed on top at standard AWS rates and is not estimated.
const (
	PricePerMillion = 1.00
	PriceSource     = "Amazon EventBridge pricing, custom events (events sent to another account's bus), us-east-1"
	PriceDate       = "2026-05-01"
	// daysPerMonth is 365.25/12.
	daysPerMonth = 30.4375
)

// topN is how many principals and API calls a report lists.
const topN = 10

// Report is a forecast.
type Report struct {
	Account string   `json:"memberAccount"`
	Regions []string `json:"memberRegions"`
	Files   int      `json:"files"`
	Bytes   int64    `json:"bytes"`
	// FilesFailed were skipped whole (unreadable, corrupt, truncated).
	FilesFailed int   `json:"filesFailed"`
	Days        []Day `json:"days"`
	Total       Day   `json:"total"`
	// NotDelivered records have no EventBridge form (network activity
	// events, records without eventSource or eventType).
	NotDelivered int64 `json:"notDelivered"`
	// ReadOnlySkipped are read-only Describe/Get/List management calls,
	// which rules in the ENABLED state never receive.
	ReadOnlySkipped int64 `json:"readOnlySkipped"`
	// OtherAccounts were recorded in another account than the member's
	// and counted as if in the member, as replay does.
	OtherAccounts int64 `json:"otherAccounts"`
	// CrossRegion forwarded events go to a bus in another region.
	CrossRegion int64 `json:"crossRegionForwarded"`
	// FindingsRead are the findings of Security Hub and GuardDuty
	// exports among the events read.
	FindingsRead  int64   `json:"findingsRead"`
	TopPrincipals []Count `json:"topPrincipals"`
	TopAPICalls   []Count `json:"topApiCalls"`
	// TopApproximate is true when more distinct principals or API calls
	// alerted than are counted exactly.
	TopApproximate bool     `json:"topApproximate"`
	Cost           Cost     `json:"cost"`
	ErrorCount     int      `json:"errorCount"`
	Errors         []string `json:"errors"`
	// Quiet is the forecast after the quiet rules: Days, Total and the
	// counts above are before them.
	Quiet *QuietReport `json:"quiet"`
}

// Cost is the estimated EventBridge bill of the forwarded traffic.
type Cost struct {
	PricePerMillionUSD float64 `json:"pricePerMillionUsd"`
	PriceSource        string  `json:"priceSource"`
	PriceDate          string  `json:"priceDate"`
	// DaysCovered is the span from the first to the last dated day.
	DaysCovered       int     `json:"daysCovered"`
	BilledEvents      int64   `json:"billedEvents"`
	MonthlyEvents     float64 `json:"monthlyBilledEvents"`
	MonthlyUSD        float64 `json:"monthlyUsd"`
	CrossRegionEvents int64   `json:"crossRegionEvents"`
	Note              string  `json:"note"`
}

func (t *tally) report() *Report {
	r := &Report{Total: *newDay("total"), FilesFailed: t.filesFailed, NotDelivered: t.notDelivered,
		ReadOnlySkipped: t.readOnlySkipped, OtherAccounts: t.otherAccounts, CrossRegion: t.crossRegion, FindingsRead: t.findings,
		ErrorCount: t.errorCount, Errors: append([]string{}, t.errors...), Days: []Day{}}
	for _, date := range sortedKeys(t.days) {
		d := t.days[date]
		r.Days = append(r.Days, *d)
		r.Total.merge(d)
	}
	r.TopPrincipals = t.principals.top(topN)
	r.TopAPICalls = t.apis.top(topN)
	r.TopApproximate = t.principals.approximate || t.apis.approximate
	r.Cost = cost(r.Days, r.Total.BilledEvents, t.crossRegion)
	return r
}

func cost(days []Day, billed, crossRegion int64) Cost {
	c := Cost{PricePerMillionUSD: PricePerMillion, PriceSource: PriceSource, PriceDate: PriceDate,
		BilledEvents: billed, CrossRegionEvents: crossRegion,
		Note: "forwarded events only; AWS service events on the member's default bus are free; inter-region data transfer not included"}
	var first, last time.Time
	for _, d := range days {
		t, err := time.Parse("2006-01-02", d.Date)
		if err != nil {
			continue
		}
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	if first.IsZero() {
		return c
	}
	c.DaysCovered = int(last.Sub(first).Hours()/24) + 1
	c.MonthlyEvents = float64(billed) / float64(c.DaysCovered) * daysPerMonth
	c.MonthlyUSD = c.MonthlyEvents / 1e6 * PricePerMillion
	return c
}

// WriteJSON writes r as one JSON document.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes r for a person.
func WriteText(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "Forecast for member account %s (%d regions), %d files, %s\n\n", r.Account, len(r.Regions), r.Files, humanBytes(r.Bytes))
	fmt.Fprintln(tw, "day\tevents read\tforwarded\talerts\tmessages\t")
	for _, d := range append(append([]Day{}, r.Days...), r.Total) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", d.Date, d.Events, d.Forwarded, d.Alerts, d.Messages)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nNot delivered to EventBridge: %d (no EventBridge form); read-only Describe/Get/List calls skipped by ENABLED rules: %d\n",
		r.NotDelivered, r.ReadOnlySkipped)
	if r.OtherAccounts > 0 {
		fmt.Fprintf(w, "Events from other accounts counted as the member's: %d\n", r.OtherAccounts)
	}
	fmt.Fprintf(w, "Forwarded but alerting nobody (below every destination's minimum): %d\n", r.Total.NotAlerting)
	section := func(title string, m map[string]int64) {
		fmt.Fprintf(w, "\n%s\n", title)
		if len(m) == 0 {
			fmt.Fprintln(w, "  (none)")
			return
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range sortedCounts(m) {
			fmt.Fprintf(tw, "  %s\t%d\t%.1f/day\n", c.Key, c.Count, perDay(c.Count, r.Cost.DaysCovered))
		}
		tw.Flush()
	}
	section("Alerts per detector", r.Total.ByDetector)
	section("Alerts per severity", r.Total.BySeverity)
	section("Messages per destination", r.Total.ByDestination)
	if r.Quiet != nil {
		if err := writeQuietText(w, r.Quiet); err != nil {
			return err
		}
	}
	list := func(title string, cs []Count) {
		fmt.Fprintf(w, "\n%s\n", title)
		if len(cs) == 0 {
			fmt.Fprintln(w, "  (none)")
			return
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range cs {
			fmt.Fprintf(tw, "  %s\t%d\n", c.Key, c.Count)
		}
		tw.Flush()
	}
	approx := ""
	if r.TopApproximate {
		approx = " (approximate: too many distinct keys to count exactly)"
	}
	list("Noisiest principals (alerts)"+approx, r.TopPrincipals)
	list("Noisiest API calls (alerts)"+approx, r.TopAPICalls)
	c := r.Cost
	fmt.Fprintf(w, "\nCost of forwarded events: %d billed events over %d days, about %.0f a month = USD %.2f/month\n",
		c.BilledEvents, c.DaysCovered, c.MonthlyEvents, c.MonthlyUSD)
	fmt.Fprintf(w, "  at USD %.2f per million (%s, %s); %s; %d cross-region\n",
		c.PricePerMillionUSD, c.PriceSource, c.PriceDate, c.Note, c.CrossRegionEvents)
	return nil
}

func perDay(n int64, days int) float64 {
	if days == 0 {
		return 0
	}
	return float64(n) / float64(days)
}

func sortedCounts(m map[string]int64) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{Key: k, Count: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func humanBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0") + " " + units[i]
}
