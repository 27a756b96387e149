package stack

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/hubaccount"
	"secalerts/config"
	"secalerts/policy"
	"secalerts/routing"
)

func runHub(ctx *pulumi.Context) error {
	raw, err := requireObject(ctx, "hub")
	if err != nil {
		return err
	}
	hub, err := config.ParseHub(raw, ctx.IsConfigSecret(Project+":hub"))
	if err != nil {
		return err
	}
	acct := policy.Account{Partition: config.Partition(hub.Region), Region: hub.Region, ID: hub.AccountID}
	// Every AWS limit the design meets is checked here, before the first
	// resource: rules per bus and pattern sizes by the plans, the bus
	// policy size by building each policy.
	var plans []routing.Plan
	var errs []error
	for i, c := range hub.Customers {
		p, err := routing.PlanHubCustomer(hub, c)
		if err != nil {
			errs = append(errs, err)
		}
		plans = append(plans, p)
		var ids []string
		for _, a := range c.Accounts {
			ids = append(ids, a.ID)
		}
		busARN := fmt.Sprintf("arn:%s:events:%s:%s:event-bus/%s", acct.Partition, acct.Region, acct.ID, routing.BusName(c.Name))
		if _, err := policy.EventBusPolicy(busARN, ids, c.OrganizationID); err != nil {
			errs = append(errs, fmt.Errorf("secalerts:hub.customers[%d].accounts: %w", i, err))
		}
	}
	errs = append(errs, checkLogArchive(hub, acct)...)
	role, err := readAssumeRole(ctx, acct)
	if err != nil {
		errs = append(errs, err)
	}
	if err := joinErrors(errs); err != nil {
		return err
	}

	provider, err := newProvider(ctx, acct, role)
	if err != nil {
		return err
	}
	h, err := hubaccount.NewHubAccount(ctx, "secalerts", &hubaccount.HubAccountArgs{
		Account: acct, Config: hub, Plans: plans,
	}, pulumi.Provider(provider))
	if err != nil {
		return err
	}
	ctx.Export("keyArn", h.KeyArn)
	ctx.Export("alarmTopicArn", h.AlarmTopicArn)
	ctx.Export("busArns", h.BusArns)
	ctx.Export("topicArns", h.TopicArns)
	if err := newLogArchive(ctx, hub, acct, provider); err != nil {
		return err
	}
	return nil
}
