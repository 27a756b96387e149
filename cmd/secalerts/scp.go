package main

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"secalerts/config"
	"secalerts/policy"
	"secalerts/preview"
	"secalerts/stack"
)

var scpHelp = help{
	env: noEnv,
	exits: []exitCode{
		{exitOK, "the policy was printed on stdout, its size on stderr"},
		{exitFailed, "no deployer was given, a stack file or pattern is invalid, or the policy would exceed the 5,120-character SCP size"},
		usageExit,
	},
}

func newSCPCmd(c *cli) *cobra.Command {
	var members, deployers []string
	var denySuppression bool
	cmd := &cobra.Command{
		Use:   "scp [--member MEMBER_STACK_FILE]... [--deployer ROLE_ARN_PATTERN]... [--deny-finding-suppression]",
		Short: "print a service control policy that keeps member admins from silencing secalerts",
		Long: `Print, as compact JSON, an AWS Organizations service control policy that
denies everyone in the accounts it is attached to, the root user and
administrators included, but the deployer roles: changing or deleting
secalerts' rules, targets, forwarding role, dead-letter queues and alarms,
and the calls that disable or blind GuardDuty, Security Hub, AWS Config,
IAM Access Analyzer and CloudTrail, open the default event bus to other
accounts, or enable or disable regions. Detection tells you after the fact;
the SCP stops the change.

The deployers are the secalerts:member.deployerPrincipals of the member stack
files given, and the --deployer patterns: IAM role ARN patterns, * the only
wildcard (an IAM Identity Center role needs its aws-reserved/sso.amazonaws.com/
path). At least one is needed: a policy that exempts nobody would stop
pulumi up too.

Attach it to the organizational units of member accounts, not to the hub
account (whose bus policies are managed with events:PutPermission) nor the
management account (which SCPs never restrict):

  secalerts scp --member Pulumi.acme-prod.yaml > scp.json
  aws organizations create-policy --type SERVICE_CONTROL_POLICY --name secalerts-protect --content file://scp.json
  aws organizations attach-policy --policy-id p-... --target-id ou-...

Try it on a test OU first, and check it with IAM Access Analyzer
(aws accessanalyzer validate-policy --policy-type SERVICE_CONTROL_POLICY).`,
		Example: `  secalerts scp --member Pulumi.member.yaml
  secalerts scp --deployer 'arn:aws:iam::*:role/secalerts-deploy' --deny-finding-suppression`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef(cmd, "takes no arguments, got %q", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			all := slices.Clone(deployers)
			for _, f := range members {
				d, err := memberDeployers(f)
				if err != nil {
					return err
				}
				all = append(all, d...)
			}
			if len(all) == 0 {
				return fmt.Errorf("no deployer: give --member stack files that set secalerts:member.deployerPrincipals, or --deployer patterns")
			}
			doc, err := policy.ProtectionSCPWith(policy.ProtectionInput{Deployers: all, DenyFindingSuppression: denySuppression})
			if err != nil {
				return err
			}
			text, err := doc.JSON()
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, text)
			fmt.Fprintf(c.stderr, "%d of %d characters\n", len(text), policy.ServiceControlPolicyMaxChars)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&members, "member", nil, "a member stack file whose deployerPrincipals the policy exempts (repeatable)")
	f.StringArrayVar(&deployers, "deployer", nil, "an IAM role ARN pattern the policy exempts (repeatable)")
	f.BoolVar(&denySuppression, "deny-finding-suppression", false, "also deny setting Security Hub findings to SUPPRESSED (analysts can still mark them NOTIFIED or RESOLVED)")
	flagValue(cmd, "member", "MEMBER_STACK_FILE")
	flagValue(cmd, "deployer", "ROLE_ARN_PATTERN")
	defaultText(cmd, "member", "none")
	defaultText(cmd, "deployer", "none")
	return cmd
}

// memberDeployers reads the deployerPrincipals of a member stack file.
func memberDeployers(path string) ([]string, error) {
	st, err := preview.LoadStackFile(path)
	if err != nil {
		return nil, err
	}
	if err := checkRole(path, st, config.RoleMember, "--member"); err != nil {
		return nil, err
	}
	m, err := stack.ReadMember(st)
	if err != nil {
		return nil, inFile(path, err)
	}
	if len(m.DeployerPrincipals) == 0 {
		return nil, inFile(path, fmt.Errorf("secalerts:member.deployerPrincipals is not set: name the roles that deploy secalerts, or give them with --deployer"))
	}
	return m.DeployerPrincipals, nil
}
