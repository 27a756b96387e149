// Package render turns security events into the messages secalerts delivers:
// AWS Chatbot (Amazon Q Developer in chat applications) custom notifications,
// plain-text e-mail, Slack incoming-webhook bodies and the secalerts/v1 JSON
// webhook document.
//
// It replaces the EventBridge input transformers of package messages, which
// paste event values into JSON templates unescaped: a quote in a finding
// title broke the Chatbot JSON, and a value could rewrite the message or
// carry Slack mentions and links. Here every value is data:
//
//   - Extract resolves a detector's placeholders against the raw event.
//   - FromEvent builds a Message, the format-independent content, still
//     holding the values as the event gave them.
//   - Each renderer cleans every string it writes (valid UTF-8, one line, no
//     control or bidi characters), neutralises what a chat or mail client
//     would turn into a link or a mention, escapes the destination's markup,
//     keeps within the destination's size limits with visible truncation,
//     and builds its output with encoding/json from Go values.
//
// The only link a message carries is the detector's AWS console URL, filled
// with URL-escaped values and dropped unless it is https on an AWS console
// host (see consoleURL).
//
// The package is pure Go: no AWS SDK and no Pulumi, so the delivery function,
// the offline tool and tests share it as is.
package render
