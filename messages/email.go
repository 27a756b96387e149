package messages

import (
	"strconv"
	"strings"
)

// emailTemplate builds the plain-text body of an SNS e-mail.
//
// EventBridge passes a non-JSON template to SNS as text, and the user guide
// (EventBridge User Guide, "Amazon EventBridge input transformation",
// eb-transform-target-input.html, Common issues) says: "For Strings, quotes
// are required" and "For (non-JSON) text output as multi-line strings, wrap
// each separate line in your input template in double quotes." So every line
// of the body is its own quoted string on its own template line, with quotes
// and backslashes in it escaped (API Reference, InputTransformer: "To have the
// InputTemplate include quote marks within a JSON string, escape each quote
// marks with a slash"). The guide's "Simple string" example shows the output
// keeping its outer quotes ("instance i-0123456789 is in RUNNING"), so a
// mail client may show each line in quotes; the guide does not show the
// multi-line output, see the package report.
func emailTemplate(t text) string {
	lines := []string{t.headline(), ""}
	for _, f := range t.context() {
		lines = append(lines, f.Label+": "+f.Value)
	}
	if t.summary != "" {
		lines = append(lines, "", t.summary)
	}
	if len(t.fields) > 0 {
		lines = append(lines, "")
		for _, f := range t.fields {
			lines = append(lines, f.Label+": "+f.Value)
		}
	}
	if t.console != "" {
		lines = append(lines, "", "Open in the AWS console:", t.console)
	}
	if len(t.nextSteps) > 0 {
		lines = append(lines, "", "Next steps:")
		for i, s := range t.nextSteps {
			lines = append(lines, strconv.Itoa(i+1)+". "+s)
		}
	}
	lines = append(lines, "", "-- secalerts, detector "+t.detector)

	var out []string
	for _, l := range lines {
		// A line break inside a quoted line would not survive; split it.
		for _, part := range strings.Split(l, "\n") {
			out = append(out, jsonString(part))
		}
	}
	return strings.Join(out, "\n")
}
