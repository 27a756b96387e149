package detectors

// findingDetectors are the detectors of findings (Security Hub, GuardDuty,
// IAM Access Analyzer, AWS Config), console sign-ins, the pipeline's own
// alarms and heartbeats, and the canary. Each lives in its own findings_<idea>.go file.
var findingDetectors = []Detector{
	securityHubDetector,
	guardDutyDetector,
	accessAnalyzerDetector,
	configComplianceDetector,
	rootSignInDetector,
	consoleSignInFailureDetector,
	consoleSignInNoMFADetector,
	pipelineAlarmDetector,
	canaryDetector,
	heartbeatMissingDetector,
}

// awsEvent is a pattern that pins source and detail-type, the two envelope
// fields an account cannot forge for aws.* sources, and matches detail.
func awsEvent(source, detailType string, detail map[string]any) Pattern {
	return Pattern{
		"source":      []any{source},
		"detail-type": []any{detailType},
		"detail":      detail,
	}
}

// anythingBut matches a present field whose value is none of values.
// EventBridge requires the field to exist: "for an event pattern to match an
// event, the event must contain all the field names listed in the event
// pattern" (EventBridge User Guide, Creating event patterns).
func anythingBut(values ...string) []any {
	if len(values) == 1 {
		return []any{map[string]any{"anything-but": values[0]}}
	}
	return []any{map[string]any{"anything-but": values}}
}

// absentOrNot matches an event whose field at path is missing or holds none
// of values. Anything-but alone drops events without the field (see
// anythingBut), so the absent case is a second branch of an EventBridge $or
// ("Or" matching, EventBridge User Guide, Comparison operators); exists only
// works on leaf nodes, so the branch names the leaf. path is the nesting
// below the object the $or sits in, leaf last.
func absentOrNot(path []string, values ...string) []any {
	return []any{
		nest(path, anythingBut(values...)),
		nest(path, []any{map[string]any{"exists": false}}),
	}
}

// nest wraps leaf in one object per element of path.
func nest(path []string, leaf any) map[string]any {
	out := map[string]any{path[len(path)-1]: leaf}
	for i := len(path) - 2; i >= 0; i-- {
		out = map[string]any{path[i]: out}
	}
	return out
}

// cloudTrailEventURL opens a CloudTrail event in the console's event history.
const cloudTrailEventURL = "https://<region>.console.aws.amazon.com/cloudtrail/home?region=<region>#/events/<eventId>"
