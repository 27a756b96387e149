package detectors

// apiCallDetectors are the CloudTrail API-call detectors (owned by apicalls.go).
var apiCallDetectors []Detector
