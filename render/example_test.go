package render_test

import (
	"fmt"

	"secalerts/render"
	"secalerts/severity"
)

// The engine builds summaries itself: a Message needs no detector or event,
// and every empty part is left out.
func ExampleMessage_floodSummary() {
	m := render.Message{
		Kind:      render.KindSummary,
		Severity:  severity.High,
		Customer:  "Acme",
		AccountID: "111122223333",
		Region:    "eu-west-1",
		Time:      "2026-03-04T06:00:00Z",
		Title:     "GuardDuty: 240 findings in 10 minutes",
		Summary:   "Alerts for this account were grouped to keep the channel readable.",
		Fields: []render.Field{
			{Label: "UnauthorizedAccess:EC2/SSHBruteForce", Value: "200"},
			{Label: "Recon:EC2/PortProbeUnprotectedPort", Value: "40"},
		},
		ConsoleURL: "https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings",
		ThreadID:   "flood/111122223333/eu-west-1",
	}
	out, err := render.Render(render.FormatSlack, m)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out.Body))
	// Output:
	// {"text":"*🔴 HIGH · GuardDuty: 240 findings in 10 minutes*\n\n*Customer:* Acme\n*Account:* 111122223333\n*Region:* eu-west-1\n*Time:* 2026-03-04T06:00:00Z\n\nAlerts for this account were grouped to keep the channel readable.\n\n*UnauthorizedAccess:EC2/SSHBruteForce:* 200\n*Recon:EC2/PortProbeUnprotectedPort:* 40\n\n*Console:* https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings"}
}

// A reminder is the alert's message with another kind and a note.
func ExampleEmailMessage_reminder() {
	m := render.Message{
		Kind:       render.KindReminder,
		DetectorID: "guardduty",
		Severity:   severity.Critical,
		Customer:   "Acme",
		AccountID:  "111122223333",
		Title:      "GuardDuty: credentials used from a Tor exit node",
		Notes:      []string{"Open for 9 days."},
	}
	e := render.EmailMessage(m)
	fmt.Println(e.Subject)
	fmt.Println(e.Body)
	// Output:
	// [CRITICAL] Reminder: GuardDuty: credentials used from a Tor exit node
	// 🚨 CRITICAL · Reminder: GuardDuty: credentials used from a Tor exit node
	// Note: Open for 9 days.
	//
	// Customer: Acme
	// Account: 111122223333
	//
	// -- secalerts, detector guardduty
}
