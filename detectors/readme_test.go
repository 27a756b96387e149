package detectors

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEListsEveryDetector keeps the user's reference in step with the
// catalogue.
func TestREADMEListsEveryDetector(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range IDs() {
		if !strings.Contains(string(readme), "| `"+id+"` |") {
			t.Errorf("README.md has no row for detector %s", id)
		}
	}
}
