package main

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// fileError attributes an error's problems to the file they are in:
// report lists them under it.
type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string { return e.path + ": " + e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// inFile is err, attributed to the file at path; nil stays nil.
func inFile(path string, err error) error {
	if err == nil {
		return nil
	}
	return &fileError{path: path, err: err}
}

// problem is one thing wrong, in file when it is known.
type problem struct {
	file, text string
}

// report prints err as a list of its problems: "error: FILE: problem"
// when there is one, else "error: N problems in FILE:" and one "  - "
// line each. Every command prints its errors with it.
func report(w io.Writer, err error) {
	ps := problems(err)
	var files []string
	byFile := map[string][]string{}
	for _, p := range ps {
		if _, seen := byFile[p.file]; !seen {
			files = append(files, p.file)
		}
		byFile[p.file] = append(byFile[p.file], p.text)
	}
	var b strings.Builder
	for _, f := range files {
		texts := byFile[f]
		if len(texts) == 1 {
			b.WriteString("error: ")
			if f != "" {
				b.WriteString(f + ": ")
			}
			b.WriteString(indentRest(texts[0], "  ") + "\n")
			continue
		}
		fmt.Fprintf(&b, "error: %d problems", len(texts))
		if f != "" {
			b.WriteString(" in " + f)
		}
		b.WriteString(":\n")
		for _, t := range texts {
			b.WriteString("  - " + indentRest(t, "    ") + "\n")
		}
	}
	fmt.Fprint(w, b.String())
}

// indentRest indents every line of text but the first.
func indentRest(text, indent string) string {
	return strings.ReplaceAll(text, "\n", "\n"+indent)
}

// problems flattens err into its problems: the errors of errors.Join
// trees and of hashicorp/go-multierror (which the Pulumi SDK wraps a
// program's error in), each with the context its wrappers add, but without
// the SDK's own wrappers; multierror's text form when the structure is
// gone.
func problems(err error) []problem {
	ps := flatten(err, "")
	for i := range ps {
		// A problem that names its file again, under that file.
		if ps[i].file != "" {
			ps[i].text = strings.TrimPrefix(ps[i].text, ps[i].file+": ")
		}
	}
	return ps
}

func flatten(err error, file string) []problem {
	if err == nil {
		return nil
	}
	if fe, ok := err.(*fileError); ok {
		return flatten(fe.err, fe.path)
	}
	var children []error
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		children = e.Unwrap()
	case interface{ WrappedErrors() []error }: // hashicorp/go-multierror
		children = e.WrappedErrors()
	}
	if children != nil {
		var out []problem
		for _, c := range children {
			out = append(out, flatten(c, file)...)
		}
		return out
	}
	if inner := errors.Unwrap(err); inner != nil {
		if prefix, ok := strings.CutSuffix(err.Error(), inner.Error()); ok {
			ps := flatten(inner, file)
			prefix = strings.TrimSuffix(strings.TrimSpace(prefix), ":")
			switch {
			case prefix == "" || sdkWrapper.MatchString(prefix+": "):
			case file == "" && looksLikePath(prefix):
				for i := range ps {
					if ps[i].file == "" {
						ps[i].file = prefix
					}
				}
			default:
				for i := range ps {
					ps[i].text = prefix + ": " + ps[i].text
				}
			}
			return ps
		}
	}
	return fromText(err.Error(), file)
}

// sdkWrapper matches the context the Pulumi SDK adds to a program's error,
// which says nothing to the user.
var sdkWrapper = regexp.MustCompile(`^((waiting for RPCs|marshaling properties|awaiting input property "[^"]*"|\d+ errors? occurred:?)(: |\n|$))+`)

// multierrorHeader is how hashicorp/go-multierror starts its text.
var multierrorHeader = regexp.MustCompile(`(?m)^(.*?)(\d+) errors? occurred:\n`)

// fromText splits an error known only by its text: multierror's list
// ("N errors occurred:", then "\t* " items) becomes its items, and each
// line of an item, which errors.Join wrote, a problem of its own.
func fromText(text, file string) []problem {
	text = strings.TrimRight(text, "\n")
	loc := multierrorHeader.FindStringSubmatchIndex(text)
	if loc == nil {
		return []problem{{file: file, text: sdkWrapper.ReplaceAllString(text, "")}}
	}
	prefix := strings.TrimSuffix(strings.TrimSpace(sdkWrapper.ReplaceAllString(text[loc[2]:loc[3]], "")), ":")
	var out []problem
	for _, line := range strings.Split(text[loc[1]:], "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "* ")
		line = sdkWrapper.ReplaceAllString(line, "")
		if line == "" {
			continue
		}
		if prefix != "" {
			line = prefix + ": " + line
		}
		out = append(out, problem{file: file, text: line})
	}
	return out
}

// looksLikePath reports whether a wrapper's context is the path of a file
// the user gave (a stack file, an inventory) rather than words or a config
// key.
func looksLikePath(s string) bool {
	if strings.ContainsAny(s, " \t\n") {
		return false
	}
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}
