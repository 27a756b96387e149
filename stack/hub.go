package stack

import (
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
	var plans []routing.Plan
	var errs []error
	for _, c := range hub.Customers {
		p, err := routing.PlanCustomer(c, hub.MaxRulesPerBus)
		if err != nil {
			errs = append(errs, err)
		}
		plans = append(plans, p)
	}
	if err := joinErrors(errs); err != nil {
		return err
	}

	acct := policy.Account{Partition: partition(hub.Region), Region: hub.Region, ID: hub.AccountID}
	provider, err := newProvider(ctx, acct)
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
	return nil
}
