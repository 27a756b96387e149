package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/go-multierror"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/internal/stacktest"
)

func reported(err error) string {
	var b bytes.Buffer
	report(&b, err)
	return b.String()
}

func TestReport(t *testing.T) {
	a, b, c := errors.New("secalerts:hub.accountId: bad"), errors.New("secalerts:hub.region: bad"), errors.New("secalerts:hub.alarmEmails[0]: bad")
	three := errors.Join(a, b, c)
	list := "error: 3 problems in Pulumi.hub.yaml:\n  - secalerts:hub.accountId: bad\n  - secalerts:hub.region: bad\n  - secalerts:hub.alarmEmails[0]: bad\n"
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"one error", errors.New("reading events: open x.json: no such file"), "error: reading events: open x.json: no such file\n"},
		{"one problem in a file", inFile("Pulumi.hub.yaml", a), "error: Pulumi.hub.yaml: secalerts:hub.accountId: bad\n"},
		{"a joined list", inFile("Pulumi.hub.yaml", three), list},
		{"nested joins, nils dropped", inFile("Pulumi.hub.yaml", errors.Join(errors.Join(a, nil), nil, errors.Join(b, c))), list},
		{"the SDK's multierror", inFile("Pulumi.hub.yaml", multierror.Append(nil, three)), list},
		{"the SDK's wrappers", inFile("Pulumi.hub.yaml", fmt.Errorf("waiting for RPCs: %w", multierror.Append(nil,
			fmt.Errorf("marshaling properties: %w", fmt.Errorf("awaiting input property %q: %w", "policy", three))))), list},
		{"a path as the context", fmt.Errorf("%s: %w", "Pulumi.hub.yaml", three), list},
		{"problems naming their file again", inFile("fleet.yaml", errors.Join(errors.New("fleet.yaml: org: bad"), errors.New("fleet.yaml: project: bad"))),
			"error: 2 problems in fleet.yaml:\n  - org: bad\n  - project: bad\n"},
		{"context over a list", fmt.Errorf("planning the hub: %w", errors.Join(a, b)),
			"error: 2 problems:\n  - planning the hub: secalerts:hub.accountId: bad\n  - planning the hub: secalerts:hub.region: bad\n"},
		{"multierror's text alone", inFile("Pulumi.hub.yaml", errors.New("waiting for RPCs: 2 errors occurred:\n\t* secalerts:hub.accountId: bad\nsecalerts:hub.region: bad\n\t* secalerts:hub.alarmEmails[0]: bad\n\n")), list},
		{"multierror's text after a path", errors.New("Pulumi.hub.yaml: 1 error occurred:\n\t* secalerts:hub.accountId: bad\n\n"),
			"error: Pulumi.hub.yaml: secalerts:hub.accountId: bad\n"},
		{"a problem of several lines", inFile("Pulumi.hub.yaml", multierror.Append(nil, errors.New("building the delivery function: exit status 1\nstat cmd/delivery: directory not found\n"))),
			"error: Pulumi.hub.yaml: building the delivery function: exit status 1\n  stat cmd/delivery: directory not found\n"},
		{"two files", errors.Join(inFile("Pulumi.hub.yaml", a), inFile("Pulumi.member.yaml", errors.Join(b, c))),
			"error: Pulumi.hub.yaml: secalerts:hub.accountId: bad\nerror: 2 problems in Pulumi.member.yaml:\n  - secalerts:hub.region: bad\n  - secalerts:hub.alarmEmails[0]: bad\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := reported(tc.err); got != tc.want {
				t.Errorf("report:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

type failingMocks struct{}

func (failingMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return args.Name + "-id", args.Inputs, nil
}

func (failingMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// TestReportOfAPulumiProgram runs real programs under the SDK's mocks, so
// the wrappers report removes are the SDK's own, as a preview meets them.
func TestReportOfAPulumiProgram(t *testing.T) {
	problems := errors.Join(errors.New("secalerts:hub.accountId: bad"), errors.New("secalerts:hub.region: bad"), errors.New("secalerts:hub.alarmEmails[0]: bad"))
	for name, program := range map[string]pulumi.RunFunc{
		"the program's error": func(ctx *pulumi.Context) error { return problems },
		"an input that fails": func(ctx *pulumi.Context) error {
			bad := pulumi.String("x").ToStringOutput().ApplyT(func(string) (string, error) { return "", problems }).(pulumi.StringOutput)
			var res pulumi.CustomResourceState
			return ctx.RegisterResource("aws:sns/topic:Topic", "t", pulumi.Map{"policy": bad}, &res)
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := pulumi.RunErr(program, pulumi.WithMocks("secalerts", "hub", failingMocks{}))
			if err == nil {
				t.Fatal("the program did not fail")
			}
			got := reported(inFile("Pulumi.hub.yaml", err))
			want := "error: 3 problems in Pulumi.hub.yaml:\n  - secalerts:hub.accountId: bad\n  - secalerts:hub.region: bad\n  - secalerts:hub.alarmEmails[0]: bad\n"
			if got != want {
				t.Errorf("the SDK's error %q\nreported as:\n%s\nwant:\n%s", err, got, want)
			}
			for _, wrapper := range []string{"error occurred", "errors occurred", "waiting for RPCs", "marshaling properties", "awaiting input property", "<nil>", "\t"} {
				if strings.Contains(got, wrapper) {
					t.Errorf("the report shows %q", wrapper)
				}
			}
		})
	}
}

// TestInvalidHubStackReportsEveryProblem: an invalid stack file's problems
// are listed once each, under the file, by preview and by replay.
func TestInvalidHubStackReportsEveryProblem(t *testing.T) {
	example, err := os.ReadFile(hubFile)
	if err != nil {
		t.Fatal(err)
	}
	content := string(example)
	for _, edit := range [][2]string{
		{`accountId: "999999999999"`, `accountId: "99999"`},
		{"minSeverity: HIGH", "minSeverity: URGENT"},
		{"- secops@example.com", "- Sec Ops <secops@example.com>"},
	} {
		if !strings.Contains(content, edit[0]) {
			t.Fatalf("Pulumi.hub.yaml has no %q; update this test", edit[0])
		}
		content = strings.Replace(content, edit[0], edit[1], 1)
	}
	path := stacktest.StackFile(t, "bad", content)
	event := eventsDir + "/canary/HIGH--test-high.json"
	for _, args := range [][]string{{"preview", path}, {"replay", "--hub", path, "--member", memberFile, event}} {
		out := runCLI(args...)
		lines := strings.Split(strings.TrimSuffix(out.stderr, "\n"), "\n")
		if out.code != exitFailed || len(lines) != 4 || lines[0] != "error: 3 problems in "+path+":" {
			t.Errorf("%v: exit %d, stderr:\n%s", args[0], out.code, out.stderr)
			continue
		}
		for i, key := range []string{"secalerts:hub.accountId: ", "secalerts:hub.customers[0].slack[0].minSeverity: ", "secalerts:hub.alarmEmails[0]: "} {
			if !strings.HasPrefix(lines[i+1], "  - "+key) {
				t.Errorf("%v: line %d is %q, want the problem with %s", args[0], i+2, lines[i+1], key)
			}
		}
	}
}
