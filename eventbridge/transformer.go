package eventbridge

// InputTransformer is an EventBridge target's input transformer: the
// InputPathsMap and InputTemplate that turn an event into the text a target
// receives.
type InputTransformer struct {
	// Paths maps placeholder names to JSONPaths into the event.
	Paths map[string]string
	// Template is the input template with <name> placeholders.
	Template string
}
