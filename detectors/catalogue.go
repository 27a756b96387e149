package detectors

import "fmt"

// CanarySource is the event source of test events sent through the pipeline.
// It is not an aws.* source, so any admitted account can send it; messages
// for it are always labelled as tests.
const CanarySource = "secalerts.canary"

// All returns the whole catalogue in a stable order.
func All() []Detector {
	out := append([]Detector{}, findingDetectors...)
	return append(out, apiCallDetectors...)
}

// ByID returns the detector with that ID.
func ByID(id string) (Detector, error) {
	for _, d := range All() {
		if d.ID == id {
			return d, nil
		}
	}
	return Detector{}, fmt.Errorf("unknown detector %q: valid are %v", id, IDs())
}

// IDs lists every detector ID in catalogue order.
func IDs() []string {
	var ids []string
	for _, d := range All() {
		ids = append(ids, d.ID)
	}
	return ids
}
