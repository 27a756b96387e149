package stack_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/baseline"
	"secalerts/components/hubaccount"
	"secalerts/components/logarchive"
	"secalerts/components/memberforwarder"
	"secalerts/config"
	"secalerts/internal/stacktest"
	"secalerts/names"
	"secalerts/plan"
	"secalerts/preview"
)

// TestComponentsCheckTheirArguments: each component refuses arguments it
// cannot build from, before it registers anything, with an error naming
// the component and what is missing.
func TestComponentsCheckTheirArguments(t *testing.T) {
	hub := stacktest.HubPlan(t, stacktest.Path(t, stacktest.HubFile))
	member, _ := stacktest.MemberPlan(t, stacktest.Path(t, stacktest.MemberFile), hub)
	for _, tc := range []struct {
		name, want string
		build      func(ctx *pulumi.Context) error
	}{
		{"hub without args", "a plan with at least one customer", func(ctx *pulumi.Context) error {
			_, err := hubaccount.NewHubAccount(ctx, "h", nil)
			return err
		}},
		{"hub without customers", "a plan with at least one customer", func(ctx *pulumi.Context) error {
			_, err := hubaccount.NewHubAccount(ctx, "h", &hubaccount.HubAccountArgs{Plan: &plan.Hub{}})
			return err
		}},
		{"member without a bus", "a hub bus ARN", func(ctx *pulumi.Context) error {
			_, err := memberforwarder.NewMemberForwarder(ctx, "m", &memberforwarder.MemberForwarderArgs{Plan: member})
			return err
		}},
		{"member without providers", "no provider for region", func(ctx *pulumi.Context) error {
			_, err := memberforwarder.NewMemberForwarder(ctx, "m", &memberforwarder.MemberForwarderArgs{
				Plan: member, HubBusArn: pulumi.String(hub.Customers[0].Bus.ARN)})
			return err
		}},
		{"archive without a plan", "a plan is required", func(ctx *pulumi.Context) error {
			_, err := logarchive.NewLogArchive(ctx, "a", &logarchive.LogArchiveArgs{})
			return err
		}},
		{"baseline without regions", "at least one region", func(ctx *pulumi.Context) error {
			_, err := baseline.NewSecurityBaseline(ctx, "b", &baseline.SecurityBaselineArgs{Config: &config.Baseline{}})
			return err
		}},
		{"baseline without the archive", "archive bucket and key", func(ctx *pulumi.Context) error {
			_, err := baseline.NewSecurityBaseline(ctx, "b", &baseline.SecurityBaselineArgs{
				Config: &config.Baseline{CloudTrail: true, GlobalRegion: "us-east-1"}, Regions: []string{"us-east-1"},
				Providers: map[string]*aws.Provider{}})
			return err
		}},
		{"baseline outside its global region", "global region eu-west-1", func(ctx *pulumi.Context) error {
			_, err := baseline.NewSecurityBaseline(ctx, "b", &baseline.SecurityBaselineArgs{
				Account: names.Account{Region: "us-east-1"}, Config: &config.Baseline{SecurityHub: true, GlobalRegion: "eu-west-1"},
				Regions: []string{"us-east-1"}})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mocks := preview.NewMocks("secalerts", "test", preview.Options{})
			err := pulumi.RunErr(tc.build, pulumi.WithMocks("secalerts", "test", mocks))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if rs := mocks.Resources(); len(rs) != 0 {
				t.Errorf("%d resources registered before the error", len(rs))
			}
		})
	}
}
