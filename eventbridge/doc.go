// Package eventbridge reproduces, offline, the parts of Amazon EventBridge that
// secalerts relies on: event-pattern matching (on top of quamina, with the
// differences from EventBridge handled and pinned by tests), pattern limits,
// and input-transformer rendering. It does not import the Pulumi SDK.
package eventbridge
