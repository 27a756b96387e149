package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"secalerts/config"
	"secalerts/detectors"
	"secalerts/names"
	"secalerts/preview"
	"secalerts/severity"
	"secalerts/stack"
)

// canaryDetailType is the detail-type the canary detector matches.
const canaryDetailType = "secalerts canary"

// pingTimeout bounds the two AWS calls, so a wrong endpoint fails instead
// of hanging.
const pingTimeout = 30 * time.Second

var pingHelp = help{
	env: []envVar{
		{"AWS_PROFILE", "the profile of the member account's credentials (default AWS credential chain)"},
		{"AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN", "credentials of the member account"},
		{"AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE", "where the profiles are"},
		{"AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_EVENTBRIDGE", "other endpoints, e.g. a local AWS emulator"},
		{"AWS_CA_BUNDLE, AWS_EC2_METADATA_DISABLED", "as for every AWS SDK"},
		{"AWS_REGION, AWS_DEFAULT_REGION", "ignored: the canary goes to --region, default the member's home region"},
	},
	exits: []exitCode{
		{exitOK, "the canary was sent; its event ID and what to expect are printed"},
		{exitFailed, "not sent: the member stack would not forward it (region, severity, canary detector off), the credentials are another account's, or AWS refused the call; the reason is on stderr"},
		usageExit,
	},
}

type pingOptions struct {
	member, severity, region string
}

// newPingCmd puts a canary event on a member region's default bus with the
// caller's credentials, so it travels the real pipeline: the member's
// forwarding rule, the hub bus, the hub's canary rules, the destinations.
func newPingCmd(c *cli) *cobra.Command {
	var o pingOptions
	cmd := &cobra.Command{
		Use:   "ping --member MEMBER_STACK_FILE [--severity SEVERITY] [--region REGION]",
		Short: "send a canary through the deployed pipeline",
		Long: `Put one canary event (source secalerts.canary) on the default bus of the
member account, with the member account's AWS credentials, so it travels the
deployed pipeline: the member's forwarding rule, the hub bus, the customer's
rules, every destination that takes its severity. It checks first, without
calling AWS, that the member stack would forward it (region known and covered,
canary detector on, severity at or above the member's minimum), then that the
credentials are the member account's (STS GetCallerIdentity). It needs
events:PutEvents on the default bus and sts:GetCallerIdentity.

The canary carries its severity and nothing else: any principal of the member
account could put one, so its message quotes no text of the sender's. The
hub delivers canaries up to each customer's canaryMaxSeverity (HIGH unless
the hub stack says otherwise), so a test pages no CRITICAL-only destination
unless the customer asked for it.`,
		Example: `  AWS_PROFILE=acme-prod secalerts ping --member Pulumi.acme-prod.yaml
  secalerts ping --member Pulumi.acme-prod.yaml --severity MEDIUM --region eu-west-1`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef(cmd, "takes no arguments, got %q", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := needFlags(cmd, "member"); err != nil {
				return err
			}
			p, err := planPing(o)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
			defer cancel()
			id, err := p.send(ctx)
			if err != nil {
				return err
			}
			p.report(c.stdout, id)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.member, "member", "", "the member stack file")
	f.StringVar(&o.severity, "severity", severity.High.String(), "the canary's severity: INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL")
	f.StringVar(&o.region, "region", "", "the region whose default bus gets the canary")
	flagValue(cmd, "member", "MEMBER_STACK_FILE")
	flagValue(cmd, "severity", "SEVERITY")
	flagValue(cmd, "region", "REGION")
	required(cmd, "member")
	defaultText(cmd, "region", "the member's home region")
	return cmd
}

// ping is one canary to send.
type ping struct {
	member   *config.Member
	region   string
	severity severity.Severity
}

// planPing reads the member stack file and checks, before any AWS call,
// that the member would forward the canary at all.
func planPing(o pingOptions) (*ping, error) {
	st, err := preview.LoadStackFile(o.member)
	if err != nil {
		return nil, err
	}
	if err := checkRole(o.member, st, config.RoleMember, "--member"); err != nil {
		return nil, err
	}
	m, err := config.ParseMember([]byte(st.Config[stack.Project+":member"]))
	if err != nil {
		return nil, inFile(o.member, err)
	}
	p := &ping{member: m, region: m.HomeRegion}
	if p.severity, err = severity.Parse(o.severity); err != nil {
		return nil, fmt.Errorf("--severity: %w", err)
	}
	if r := o.region; r != "" {
		if !config.IsKnownRegion(r) {
			return nil, fmt.Errorf("--region %s: not a known AWS region (e.g. us-east-1, eu-west-1); the member's home region is %s", r, m.HomeRegion)
		}
		p.region = r
	}
	if !m.DiscoverRegions && !slices.Contains(m.Regions, p.region) {
		return nil, fmt.Errorf("--region %s: the member stack covers %v (secalerts:member.regions), so nothing there would forward the canary", p.region, m.Regions)
	}
	on, min := canarySettings(m)
	if !on {
		return nil, inFile(o.member, fmt.Errorf("the canary detector is switched off (secalerts:member.detectors.canary.enabled), so the canary would stay in the account"))
	}
	if p.severity < min {
		return nil, fmt.Errorf("--severity %s: the member forwards canaries of %s or higher only (secalerts:member minSeverity), so this one would stay in the account", p.severity, min)
	}
	return p, nil
}

// canarySettings is whether the member forwards canaries and from which
// severity, by the same rules as plan.PlanMember.
func canarySettings(m *config.Member) (bool, severity.Severity) {
	d, err := detectors.ByID("canary")
	if err != nil {
		return false, 0
	}
	on, min := d.DefaultOn, m.MinSeverity
	if s, ok := m.Detectors[d.ID]; ok {
		if s.Enabled != nil {
			on = *s.Enabled
		}
		if s.MinSeverity != nil {
			min = *s.MinSeverity
		}
	}
	return on, min
}

// send checks that the credentials are the member account's and puts the
// canary. The default credential chain and its settings apply, endpoint
// overrides (AWS_ENDPOINT_URL) included.
func (p *ping) send(ctx context.Context) (string, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(p.region))
	if err != nil {
		return "", fmt.Errorf("loading AWS credentials: %w", err)
	}
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("checking the AWS credentials with STS GetCallerIdentity: %w", err)
	}
	if got := aws.ToString(who.Account); got != p.member.AccountID {
		return "", fmt.Errorf("the AWS credentials are for account %s (%s), but the member stack is account %s: "+
			"use the member account's credentials (AWS_PROFILE, or a role in it), since only its own default bus carries the canary to its forwarding rule",
			got, aws.ToString(who.Arn), p.member.AccountID)
	}
	detail, err := json.Marshal(map[string]string{"severity": p.severity.String()})
	if err != nil {
		return "", fmt.Errorf("encoding the canary: %w", err)
	}
	out, err := eventbridge.NewFromConfig(cfg).PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source:       aws.String(detectors.CanarySource),
		DetailType:   aws.String(canaryDetailType),
		Detail:       aws.String(string(detail)),
		EventBusName: aws.String("default"),
	}}})
	if err != nil {
		return "", fmt.Errorf("putting the canary on the default bus of %s in %s: %w", p.member.AccountID, p.region, err)
	}
	if out.FailedEntryCount > 0 || len(out.Entries) != 1 || out.Entries[0].EventId == nil {
		code, msg := "", ""
		if len(out.Entries) == 1 {
			code, msg = aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage)
		}
		return "", fmt.Errorf("putting the canary on the default bus of %s in %s: EventBridge refused it: %s %s", p.member.AccountID, p.region, code, msg)
	}
	return aws.ToString(out.Entries[0].EventId), nil
}

// report says what was sent and what should happen next, and where to look
// when it does not.
func (p *ping) report(w io.Writer, id string) {
	m := p.member
	hub := m.HubEventBusARN
	if hub == "" {
		hub = fmt.Sprintf("the bus of customer %s in hub stack %s", m.Customer, m.HubStack)
	}
	fmt.Fprintf(w, "sent canary %s (%s) to the default bus of account %s in %s\n", id, p.severity, m.AccountID, p.region)
	fmt.Fprintf(w, "expect:\n")
	fmt.Fprintf(w, "  - a %s rule of the member in %s forwards it to %s\n", names.ForwardRules, p.region, hub)
	fmt.Fprintf(w, "  - every destination of the customer whose minSeverity is %s or lower gets a message titled \"[TEST] secalerts canary (%s) from account %s\",\n"+
		"    if the customer's canaryMaxSeverity in the hub stack is %s or higher (HIGH by default)\n", p.severity, p.severity, m.AccountID, p.severity)
	fmt.Fprintf(w, "  - it usually arrives within a minute; e-mail may take a few\n")
	fmt.Fprintf(w, "if nothing arrives:\n")
	fmt.Fprintf(w, "  - member: queue %s in %s holds events the hub refused (bus policy, forwarding role)\n", names.ForwardDLQ, p.region)
	fmt.Fprintf(w, "  - hub: queues %s and %s, the delivery function's log group %s, and the alarms on %s\n",
		names.BusDLQ, names.DeliveryDLQ, names.DeliveryLogGroup, names.AlarmTopic)
	fmt.Fprintf(w, "  - offline: secalerts replay --hub HUB_STACK_FILE --member MEMBER_STACK_FILE EVENT_FILE shows what a canary should reach\n")
	fmt.Fprintf(w, "event id: %s\n", id)
}
