// Package engine is the hub's delivery engine: the core of the one Go
// function that receives every event of every customer bus, decides which
// detector and severity it is and who gets it, renders the messages,
// delivers them exactly once per destination, and watches the members'
// heartbeats. Its stores and senders are small interfaces: the function
// gives it DynamoDB, SNS and HTTPS; the offline tool gives it memory and a
// recorder, so replay shows the bytes the function would send.
package engine

import (
	"encoding/json"
	"fmt"

	"secalerts/severity"
)

// Config is what the function knows of the hub: the document the program
// builds from the hub's plan and packages with the function (plan.json).
// It holds no secret: webhook URLs are read at run time from the parameter
// each webhook names.
type Config struct {
	// Hub is the hub account and region; its own reports carry its account.
	Hub Hub `json:"hub"`
	// Heartbeat is nil when the hub does not watch heartbeats.
	Heartbeat *HeartbeatSettings `json:"heartbeat,omitempty"`
	Customers []Customer         `json:"customers"`
}

// Hub is the hub account, and the operator's topic.
type Hub struct {
	Account   string `json:"account"`
	Region    string `json:"region"`
	Partition string `json:"partition"`
	// OperatorTopic receives the hub's own reports (silent members) next
	// to the customer's destinations.
	OperatorTopic string `json:"operatorTopic"`
}

// HeartbeatSettings configure the heartbeat watch.
type HeartbeatSettings struct {
	MissingAfterMinutes int `json:"missingAfterMinutes"`
	RemindEveryHours    int `json:"remindEveryHours"`
	ForgetAfterDays     int `json:"forgetAfterDays"`
}

// Customer is one tenant as the function sees it.
type Customer struct {
	Name     string    `json:"name"`
	Accounts []Account `json:"accounts"`
	// OrganizationID admits every account of an organization: an event of
	// an account the customer does not list is then accepted, the bus
	// policy having checked the organization.
	OrganizationID string        `json:"organizationId,omitempty"`
	Destinations   []Destination `json:"destinations"`
	Quiet
}

// Quiet is how a customer's alerts are kept quiet: the settings the stack
// configures (config.Customer) and the plan passes on as they are.
type Quiet struct {
	// RemindAfterDays reminds of a finding still open that many days after
	// it was last sent; 0 never.
	RemindAfterDays int           `json:"remindAfterDays"`
	Flood           Flood         `json:"flood"`
	Suppressions    []Suppression `json:"suppressions,omitempty"`
	// CanaryMaxSeverity is the highest severity of canary delivered: any
	// principal of a member account can put one on its default bus, and a
	// test must not page anyone who did not ask for it.
	CanaryMaxSeverity severity.Severity `json:"canaryMaxSeverity"`
}

// Account is an account of a customer, with its display name.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Destination kinds.
const (
	Slack   = "slack"
	Teams   = "teams"
	Email   = "email"
	Webhook = "webhook"
)

// Destination is one place alerts go.
type Destination struct {
	// ID names the destination as the user wrote it: slack:<workspace>/
	// <channel>, teams:<team>/<channel>, email:<address>, webhook:<name>.
	ID          string            `json:"id"`
	Kind        string            `json:"kind"`
	MinSeverity severity.Severity `json:"minSeverity"`
	// Topic is the SNS topic a Chatbot channel reads, or the customer's
	// e-mail topic (each address's subscription filters on severity).
	Topic string `json:"topic,omitempty"`
	// Parameter is the encrypted parameter holding a webhook's URL; Format
	// is its body (slack or json).
	Parameter string `json:"parameter,omitempty"`
	Format    string `json:"format,omitempty"`
}

// ParseConfig reads the document and checks what the engine relies on.
func ParseConfig(data []byte) (*Config, error) {
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("reading the delivery plan: %w", err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("reading the delivery plan: %w", err)
	}
	return &c, nil
}

func (c *Config) check() error {
	if c.Hub.Account == "" || c.Hub.Region == "" || c.Hub.Partition == "" {
		return fmt.Errorf("the hub's account, region and partition are required")
	}
	// A zero would report every member at each tick, remind at each tick,
	// or forget a heartbeat as soon as it is recorded.
	if hb := c.Heartbeat; hb != nil {
		for _, s := range []struct {
			key string
			n   int
		}{{"missingAfterMinutes", hb.MissingAfterMinutes}, {"remindEveryHours", hb.RemindEveryHours}, {"forgetAfterDays", hb.ForgetAfterDays}} {
			if s.n <= 0 {
				return fmt.Errorf("heartbeat.%s is %d: it must be a whole number above 0", s.key, s.n)
			}
		}
	}
	seen := map[string]bool{}
	for _, cu := range c.Customers {
		if cu.Name == "" || seen[cu.Name] {
			return fmt.Errorf("customer %q is unnamed or listed twice", cu.Name)
		}
		seen[cu.Name] = true
		for _, d := range cu.Destinations {
			switch d.Kind {
			case Slack, Teams, Email:
				if d.Topic == "" {
					return fmt.Errorf("destination %s of %s has no topic", d.ID, cu.Name)
				}
			case Webhook:
				if d.Parameter == "" || (d.Format != "slack" && d.Format != "json") {
					return fmt.Errorf("webhook %s of %s needs a parameter and a format", d.ID, cu.Name)
				}
			default:
				return fmt.Errorf("destination %s of %s has unknown kind %q", d.ID, cu.Name, d.Kind)
			}
		}
	}
	return nil
}

// customer returns the customer called name.
func (c *Config) customer(name string) *Customer {
	for i := range c.Customers {
		if c.Customers[i].Name == name {
			return &c.Customers[i]
		}
	}
	return nil
}

// admits reports whether an event of account may alert customer c: one
// of its accounts, or any account when it admits an organization (whose
// membership the bus policy checked).
func (c *Customer) admits(account string) bool {
	if c.OrganizationID != "" {
		return true
	}
	for _, a := range c.Accounts {
		if a.ID == account {
			return true
		}
	}
	return false
}

// accountName is the display name of account, "" when it has none.
func (c *Customer) accountName(account string) string {
	for _, a := range c.Accounts {
		if a.ID == account {
			return a.Name
		}
	}
	return ""
}
