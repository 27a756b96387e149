package names

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestMaxCustomerName(t *testing.T) {
	// The EventBridge archive name (48 characters) is the tightest limit.
	if MaxCustomerName != 48-len(Prefix) {
		t.Errorf("MaxCustomerName = %d, want %d", MaxCustomerName, 48-len(Prefix))
	}
	if _, tooLong := CustomerNameTooLong(strings.Repeat("a", MaxCustomerName)); tooLong {
		t.Error("a name of MaxCustomerName characters is too long")
	}
	problem, tooLong := CustomerNameTooLong(strings.Repeat("a", MaxCustomerName+1))
	if !tooLong || !strings.Contains(problem, "archive name") {
		t.Errorf("one character more: %q, %v", problem, tooLong)
	}
}

func TestWebhookNameTooLong(t *testing.T) {
	// /secalerts/acme/webhooks/ is 25 characters: 986 are left of the 1,011.
	if _, tooLong := WebhookNameTooLong("acme", strings.Repeat("w", 985)); tooLong {
		t.Error("49 characters refused")
	}
	if problem, tooLong := WebhookNameTooLong("acme", strings.Repeat("w", 990)); !tooLong || !strings.Contains(problem, "1011") {
		t.Errorf("50 characters: %q, %v", problem, tooLong)
	}
}

func TestParseEventBusARN(t *testing.T) {
	for _, tc := range []struct {
		arn       string
		ok        bool
		acct, bus string
	}{
		{"arn:aws:events:us-east-1:999999999999:event-bus/secalerts-acme", true, "999999999999", "secalerts-acme"},
		{"arn:aws-us-gov:events:us-gov-west-1:999999999999:event-bus/default", true, "999999999999", "default"},
		{"arn:aws:events:us-east-1:99999999999:event-bus/x", false, "", ""},
		{"arn:aws:events:us-east-1:999999999999:rule/x", false, "", ""},
		{"arn:aws:events:us-east-1:999999999999:event-bus/a/b", false, "", ""},
		{"arn:aws:events:us-east-1:999999999999:event-bus/" + strings.Repeat("b", 257), false, "", ""},
	} {
		a, bus, ok := ParseEventBusARN(tc.arn)
		if ok != tc.ok || a.ID != tc.acct || bus != tc.bus {
			t.Errorf("%s: %+v %q %v", tc.arn, a, bus, ok)
		}
		if ok && a.EventBusARN(bus) != tc.arn {
			t.Errorf("%s does not round-trip: %s", tc.arn, a.EventBusARN(bus))
		}
	}
}

// TestNoNameFormattingOutsideNames holds the tree to the rule that no
// package but names formats a secalerts name or an ARN: it reads every Go
// source outside names and the tests and refuses string literals that
// start a secalerts name or spell an ARN's structure.
func TestNoNameFormattingOutsideNames(t *testing.T) {
	root := filepath.Join("..")
	forbidden := regexp.MustCompile(`"secalerts-|event-bus/|"arn:[a-z%*$<]|arn:%s`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == ".git" || name == "testdata" || path == filepath.Join(root, "names") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if trimmed := strings.TrimSpace(line); strings.HasPrefix(trimmed, "//") {
				continue
			}
			if m := forbidden.FindString(line); m != "" {
				t.Errorf("%s:%d formats a name or ARN (%q) outside package names:\n\t%s", path, i+1, m, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
