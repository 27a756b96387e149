package detectors

// findingDetectors are the detectors of findings and sign-ins (owned by findings.go).
var findingDetectors []Detector
