package render

import "fmt"

// Format is the shape of what a destination receives. The values are those
// of the stack configuration's destination formats.
type Format string

// The destination formats.
const (
	// FormatChatbot is an AWS Chatbot custom notification, published to
	// the SNS topic Chatbot reads.
	FormatChatbot Format = "chatbot"
	// FormatEmail is a plain-text e-mail published to an SNS topic with
	// e-mail subscriptions.
	FormatEmail Format = "email"
	// FormatSlack is the body of a Slack incoming webhook.
	FormatSlack Format = "slack"
	// FormatJSON is the secalerts/v1 document of a generic webhook.
	FormatJSON Format = "json"
)

// Formats lists every format in a stable order.
var Formats = []Format{FormatChatbot, FormatEmail, FormatSlack, FormatJSON}

// Output is one rendered message.
type Output struct {
	// Subject is the SNS Subject of an e-mail, "" for other formats.
	Subject string
	// Body is the SNS message or the HTTP request body.
	Body []byte
}

// Render renders m in format f.
func Render(f Format, m Message) (Output, error) {
	var (
		b   []byte
		err error
	)
	switch f {
	case FormatChatbot:
		b, err = Chatbot(m)
	case FormatSlack:
		b, err = Slack(m)
	case FormatJSON:
		b, err = JSONWebhook(m)
	case FormatEmail:
		e := EmailMessage(m)
		return Output{Subject: e.Subject, Body: []byte(e.Body)}, nil
	default:
		return Output{}, fmt.Errorf("rendering message for %s: unknown format %q: valid are %v", m.DetectorID, f, Formats)
	}
	if err != nil {
		return Output{}, err
	}
	return Output{Body: b}, nil
}
