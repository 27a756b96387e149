package stack

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/components/hubaccount"
	"secalerts/components/logarchive"
	"secalerts/config"
	"secalerts/functionbuild"
	"secalerts/names"
	"secalerts/plan"
)

// HubPlan reads secalerts:hub and plans the hub: the validation of every
// value and of every AWS limit the configuration can reach.
func HubPlan(c Config) (*plan.Hub, error) {
	hub, err := readHub(c)
	if err != nil {
		return nil, err
	}
	return plan.NewHub(hub)
}

func readHub(c Config) (*config.Hub, error) {
	raw, err := requireObject(c, "hub")
	if err != nil {
		return nil, err
	}
	return config.ParseHub(raw, c.Secret)
}

func runHub(ctx *pulumi.Context) error {
	c := newContextConfig(ctx)
	hub, err := readHub(c)
	if err != nil {
		return err
	}
	// Every problem at once: the plan's and the assumed role's.
	p, planErr := plan.NewHub(hub)
	role, roleErr := readAssumeRole(c, hub.Account())
	if err := errors.Join(planErr, roleErr); err != nil {
		return err
	}
	for _, w := range p.Warnings(time.Now()) {
		if err := ctx.Log.Warn(w, nil); err != nil {
			return err
		}
	}
	document, err := json.Marshal(p.Delivery())
	if err != nil {
		return fmt.Errorf("writing the delivery function's plan: %w", err)
	}
	archive, err := functionbuild.Archive(document)
	if err != nil {
		return err
	}
	// One provider per region the hub uses: its own, the Chatbot API's, and
	// those of its watch over itself.
	providers := map[string]*aws.Provider{}
	providerIn := func(region string) (*aws.Provider, error) {
		if pr, ok := providers[region]; ok {
			return pr, nil
		}
		pr, err := newProvider(ctx, p.Account.In(region), role)
		providers[region] = pr
		return pr, err
	}
	provider, err := providerIn(p.Account.Region)
	if err != nil {
		return err
	}
	var chatbotProvider *aws.Provider
	if p.Chatbot != nil {
		if chatbotProvider, err = providerIn(p.Chatbot.Region); err != nil {
			return err
		}
	}
	watchProviders := map[string]*aws.Provider{}
	for _, r := range p.SelfWatch.Regions() {
		if r == p.Account.Region {
			continue
		}
		if watchProviders[r], err = providerIn(r); err != nil {
			return err
		}
	}
	h, err := hubaccount.NewHubAccount(ctx, names.HubComponent, &hubaccount.HubAccountArgs{
		Plan: p, FunctionArchive: archive, ChatbotProvider: chatbotProvider, WatchProviders: watchProviders,
	}, pulumi.Provider(provider))
	if err != nil {
		return err
	}
	ctx.Export("keyArn", h.KeyArn)
	ctx.Export("alarmTopicArn", h.AlarmTopicArn)
	ctx.Export("functionArn", h.FunctionArn)
	ctx.Export("busArns", h.BusArns)
	if p.Archive == nil {
		return nil
	}
	a, err := logarchive.NewLogArchive(ctx, names.ArchiveComponent, &logarchive.LogArchiveArgs{Plan: p.Archive}, pulumi.Provider(provider))
	if err != nil {
		return err
	}
	// What member stacks read through their StackReference.
	ctx.Export("logArchiveBucket", a.BucketName)
	ctx.Export("logArchiveKeyArn", a.KeyArn)
	ctx.Export("logArchiveObjectLock", a.ObjectLock)
	return nil
}
