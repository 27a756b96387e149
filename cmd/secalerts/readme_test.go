package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEExamples runs every `console` example of the README, from the
// repository's root as the README does, and checks that what it prints
// holds every line the README shows, in order ("..." stands for lines left
// out), so the README cannot drift from what the tool prints.
func TestREADMEExamples(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	examples := consoleExamples(string(readme))
	if len(examples) < 5 {
		t.Fatalf("the README has %d console examples; this test reads ```console blocks of \"$ ./secalerts ...\" lines", len(examples))
	}
	t.Chdir(filepath.Join("..", ".."))
	for _, ex := range examples {
		t.Run(strings.Join(ex.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			run(ex.args, &out, &out)
			got := strings.Split(out.String(), "\n")
			at := 0
			for _, want := range ex.want {
				if want == "..." {
					continue
				}
				for at < len(got) && strings.TrimRight(got[at], " ") != want {
					at++
				}
				if at == len(got) {
					t.Errorf("the output lacks, in the README's order, the line\n  %s\nit printed:\n%s", want, out.String())
					return
				}
				at++
			}
		})
	}
}

type example struct {
	args []string
	want []string
}

// consoleExamples reads the README's ```console blocks: each "$ ./secalerts
// ARGS" line, then the lines it prints.
func consoleExamples(readme string) []example {
	var out []example
	in := false
	for _, line := range strings.Split(readme, "\n") {
		switch {
		case line == "```console":
			in = true
		case in && line == "```":
			in = false
		case in && strings.HasPrefix(line, "$ ./secalerts "):
			out = append(out, example{args: strings.Fields(strings.TrimPrefix(line, "$ ./secalerts "))})
		case in && len(out) > 0:
			out[len(out)-1].want = append(out[len(out)-1].want, strings.TrimRight(line, " "))
		}
	}
	return out
}
