package forecast

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"secalerts/severity"
)

// WriteHTML writes r as one self-contained page: inline CSS and SVG, no
// script and nothing fetched, so it reads the same offline and in a mail
// attachment.
func WriteHTML(w io.Writer, r *Report) error {
	detectors := sortedKeys(r.Total.ByDetector)
	var sevs []string
	for _, s := range severity.All {
		if r.Total.BySeverity[s.String()] > 0 {
			sevs = append(sevs, s.String())
		}
	}
	for _, s := range sortedKeys(r.Total.BySeverity) {
		if !contains(sevs, s) {
			sevs = append(sevs, s)
		}
	}
	data := map[string]any{
		"R":            r,
		"ByDetector":   template.HTML(stackedBars(r.Days, detectors, func(d Day) map[string]int64 { return d.ByDetector })),
		"BySeverity":   template.HTML(stackedBars(r.Days, sevs, func(d Day) map[string]int64 { return d.BySeverity })),
		"Detectors":    sortedCounts(r.Total.ByDetector),
		"Severities":   sortedCounts(r.Total.BySeverity),
		"Destinations": sortedCounts(r.Total.ByDestination),
		"Bytes":        humanBytes(r.Bytes),
		"MonthlyUSD":   fmt.Sprintf("%.2f", r.Cost.MonthlyUSD),
		"Monthly":      fmt.Sprintf("%.0f", r.Cost.MonthlyEvents),
	}
	if q := r.Quiet; q != nil {
		rows := func(m map[string]QuietCounts) []quietRow {
			var out []quietRow
			for _, k := range byBefore(m) {
				out = append(out, quietRow{Key: k, QuietCounts: m[k], Kept: keptText(m[k])})
			}
			return out
		}
		days := []quietRow{}
		for _, d := range append(append([]QuietDay{}, q.Days...), QuietDay{Date: "Total", QuietCounts: q.Total}) {
			days = append(days, quietRow{Key: d.Date, QuietCounts: d.QuietCounts, Kept: keptText(d.QuietCounts)})
		}
		data["Q"], data["QuietSettings"] = q, quietSettings(q)
		data["QuietDetectors"], data["QuietDestinations"], data["QuietDays"] = rows(q.ByDetector), rows(q.ByDestination), days
	}
	return page.Execute(w, data)
}

// quietRow is one row of a before-and-after table.
type quietRow struct {
	Key string
	QuietCounts
	Kept string
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// palette is colour-blind friendly (Okabe-Ito), for up to eight series;
// more get hues a golden angle apart, so no two detectors share a colour.
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"}

// severityColours keep the usual reading of severities.
var severityColours = map[string]string{"INFORMATIONAL": "#999999", "LOW": "#56B4E9", "MEDIUM": "#E69F00", "HIGH": "#D55E00", "CRITICAL": "#7B0000"}

// stackedBars draws one bar per day, stacked by series, with a legend.
func stackedBars(days []Day, series []string, values func(Day) map[string]int64) string {
	const (
		height, top, bottom, left = 220.0, 10.0, 40.0, 50.0
		barMax                    = 28.0
	)
	if len(days) == 0 || len(series) == 0 {
		return `<p class="none">No alerts.</p>`
	}
	var max int64
	for _, d := range days {
		var sum int64
		for _, v := range values(d) {
			sum += v
		}
		if sum > max {
			max = sum
		}
	}
	if max == 0 {
		return `<p class="none">No alerts.</p>`
	}
	step := 720.0 / float64(len(days))
	if step > barMax+6 {
		step = barMax + 6
	}
	bar := step * 0.8
	width := left + step*float64(len(days)) + 10
	colour := func(i int, name string) string {
		if c, ok := severityColours[name]; ok {
			return c
		}
		if len(series) <= len(palette) {
			return palette[i]
		}
		return fmt.Sprintf("hsl(%d,65%%,%d%%)", i*137%360, 38+i%3*12)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" role="img">`, width, height+top+bottom)
	scale := height / float64(max)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#888"/>`, left, top+height, width, top+height)
	for _, tick := range []int64{0, max / 2, max} {
		y := top + height - float64(tick)*scale
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="11" text-anchor="end">%d</text>`, left-4, y+4, tick)
	}
	for i, d := range days {
		x := left + float64(i)*step + (step-bar)/2
		y := top + height
		vals := values(d)
		for si, s := range series {
			v := vals[s]
			if v == 0 {
				continue
			}
			h := float64(v) * scale
			y -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`,
				x, y, bar, h, colour(si, s), template.HTMLEscapeString(d.Date), template.HTMLEscapeString(s), v)
		}
		if len(days) <= 31 || i%(len(days)/15+1) == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="10" transform="rotate(45 %.1f %.0f)">%s</text>`,
				x, top+height+12, x, top+height+12, template.HTMLEscapeString(shortDate(d.Date)))
		}
	}
	b.WriteString(`</svg><ul class="legend">`)
	for i, s := range series {
		fmt.Fprintf(&b, `<li><span style="background:%s"></span>%s</li>`, colour(i, s), template.HTMLEscapeString(s))
	}
	b.WriteString(`</ul>`)
	return b.String()
}

func shortDate(d string) string {
	if len(d) == 10 {
		return d[5:]
	}
	return d
}

var page = template.Must(template.New("forecast").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>secalerts forecast for {{.R.Account}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{padding:2px 10px;border-bottom:1px solid #ddd}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:12px;font-size:13px}
.legend span{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
.none{color:#777}.err{color:#a00}
</style></head><body>
<h1>Alert forecast for member account {{.R.Account}}</h1>
<p>{{.R.Files}} files ({{.Bytes}}), {{.R.Total.Events}} events read, {{.R.Total.Forwarded}} would leave the member account,
<strong>{{.R.Total.Alerts}} alerts</strong> ({{.R.Total.Messages}} messages) over {{.R.Cost.DaysCovered}} days.</p>
<h2>Alerts per day, by detector</h2>
{{.ByDetector}}
<h2>Alerts per day, by severity</h2>
{{.BySeverity}}
<h2>Totals</h2>
<table><tr><th>Detector</th><th>Alerts</th></tr>{{range .Detectors}}<tr><td>{{.Key}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>
<table><tr><th>Severity</th><th>Alerts</th></tr>{{range .Severities}}<tr><td>{{.Key}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>
<table><tr><th>Destination</th><th>Messages</th></tr>{{range .Destinations}}<tr><td>{{.Key}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>
{{with .Q}}<h2>Before and after the quiet rules</h2>
<p><strong>{{.Total.Before}} alerts before, {{.Total.After}} after</strong>: {{.Events}} events replayed in time order through the
delivery function's own code, with its state and its tick. {{$.QuietSettings}}.</p>
<table><tr><th>Detector</th><th>Alerts before</th><th>After</th><th>Sent</th><th>Flood summaries</th><th>Reminders</th><th>Kept quiet</th></tr>{{range $.QuietDetectors}}{{template "quiet" .}}{{end}}</table>
<table><tr><th>Destination</th><th>Messages before</th><th>After</th><th>Sent</th><th>Flood summaries</th><th>Reminders</th><th>Kept quiet</th></tr>{{range $.QuietDestinations}}{{template "quiet" .}}{{end}}</table>
<table><tr><th>Day</th><th>Alerts before</th><th>After</th><th>Sent</th><th>Flood summaries</th><th>Reminders</th><th>Kept quiet</th></tr>{{range $.QuietDays}}{{template "quiet" .}}{{end}}</table>
<h3>Suppressions</h3>
{{if .Suppressions}}<table><tr><th>Suppression</th><th>Alerts kept quiet</th><th>Reason</th><th>Until</th></tr>{{range .Suppressions}}<tr><td>{{.Name}}</td><td class="n">{{if .Matched}}{{.Matched}}{{else}}matched nothing{{end}}</td><td>{{.Reason}}</td><td>{{.Until}}</td></tr>{{end}}</table>{{else}}<p class="none">None.</p>{{end}}
<p>The function's own reports, not counted above: {{.HeartbeatReports}} of a silent member rule, {{.WeeklyReports}} weekly reports of what was kept quiet.</p>
{{range .Notes}}<p>{{.}}</p>{{end}}{{end}}
<h2>Noisiest principals{{if .R.TopApproximate}} (approximate){{end}}</h2>
<table><tr><th>Principal</th><th>Alerts</th></tr>{{range .R.TopPrincipals}}<tr><td>{{.Key}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>
<h2>Noisiest API calls</h2>
<table><tr><th>API call</th><th>Alerts</th></tr>{{range .R.TopAPICalls}}<tr><td>{{.Key}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>
<h2>Per day</h2>
<table><tr><th>Day</th><th>Events read</th><th>Forwarded</th><th>Alerts</th><th>Messages</th></tr>
{{range .R.Days}}<tr><td>{{.Date}}</td><td class="n">{{.Events}}</td><td class="n">{{.Forwarded}}</td><td class="n">{{.Alerts}}</td><td class="n">{{.Messages}}</td></tr>{{end}}
<tr><th>Total</th><td class="n">{{.R.Total.Events}}</td><td class="n">{{.R.Total.Forwarded}}</td><td class="n">{{.R.Total.Alerts}}</td><td class="n">{{.R.Total.Messages}}</td></tr></table>
<h2>Cost</h2>
<p>{{.R.Cost.BilledEvents}} billed events forwarded over {{.R.Cost.DaysCovered}} days: about {{.Monthly}} a month,
<strong>USD {{.MonthlyUSD}} a month</strong> at USD {{.R.Cost.PricePerMillionUSD}} per million ({{.R.Cost.PriceSource}}, {{.R.Cost.PriceDate}}).
{{.R.Cost.Note}}; {{.R.Cost.CrossRegionEvents}} forwarded events cross regions.</p>
{{if .R.ErrorCount}}<h2 class="err">{{.R.ErrorCount}} errors</h2><ul>{{range .R.Errors}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body></html>
{{define "quiet"}}<tr><td>{{.Key}}</td><td class="n">{{.Before}}</td><td class="n">{{.After}}</td><td class="n">{{.Sent}}</td><td class="n">{{.FloodSummaries}}</td><td class="n">{{.Reminders}}</td><td>{{.Kept}}</td></tr>{{end}}`))
