package config

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"secalerts/names"
)

// hubKey is the config key ParseHub reads; every hub error path starts with it.
const hubKey = "secalerts:hub"

// Hub defaults.
const (
	DefaultArchiveRetentionDays  = 30
	DefaultKeyDeletionWindowDays = 30
	// DefaultMaxEventBuses is EventBridge's default "event buses per
	// account" quota in a region (EventBridge User Guide, "Amazon
	// EventBridge quotas": 100, adjustable).
	DefaultMaxEventBuses = 100
	// DefaultChatbotRegion serves the Chatbot API.
	DefaultChatbotRegion = "us-east-2"
)

// Bounds of the hub's numeric settings.
const (
	// KMS ScheduleKeyDeletion: PendingWindowInDays is 7-30.
	minKeyDeletionWindowDays = 7
	maxKeyDeletionWindowDays = 30
	// maxMaxEventBuses keeps a mistyped quota (a stray zero) from passing;
	// it is well above any quota increase seen in practice.
	maxMaxEventBuses = 10000
)

var hubKeys = []string{
	"accountId", "region", "customers", "archiveRetentionDays", "alarmEmails",
	"keyAdministrators", "keyAdministratorsMayDisable", "keyDeletionWindowDays", "allowBudgets", "allowCostAnomaly", "maxEventBuses", "chatbotRegion",
	"heartbeat", "logArchive", deployersKey,
}

// Secrets reports whether the value at a full key path
// ("secalerts:hub.customers[0].webhooks[0].url") is stored as a Pulumi
// secret.
type Secrets func(path string) bool

// ParseHub parses and validates secalerts:hub. data is the key's JSON, as
// the Pulumi CLI hands structured config to the program; secret says which
// values are secrets, so each webhook URL can be required to be one itself.
// Absent settings take the Default* values; an explicit
// archiveRetentionDays of 0 stays 0 (keep forever). The error joins every
// problem found, each naming its full key path.
func ParseHub(data []byte, secret Secrets) (*Hub, error) {
	var p problems
	h := readHub(&p, data, secret)
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	return h, nil
}

// hasChat reports whether any customer has a Slack or Teams channel.
func (h *Hub) hasChat() bool {
	for _, c := range h.Customers {
		if len(c.Slack)+len(c.Teams) > 0 {
			return true
		}
	}
	return false
}

// Account is the hub account in the hub region, where its ARNs live.
func (h *Hub) Account() names.Account {
	return names.Account{Partition: Partition(h.Region), Region: h.Region, ID: h.AccountID}
}

func readHub(p *problems, data []byte, secret Secrets) *Hub {
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		p.addf(hubKey, "not valid JSON: %v", err)
		return nil
	}
	o, ok := readObject(p, hubKey, data, hubKeys...)
	if !ok {
		return nil
	}
	h := &Hub{AccountID: readAccountID(p, o, "accountId")}

	// partition stays empty while the region is in doubt, so a bad region
	// is reported once rather than again through every ARN.
	partition := ""
	h.Region, _ = o.str(p, "region")
	if h.Region == "" {
		p.addf(o.key("region"), "not set: expected the hub's AWS region, e.g. us-east-1")
	} else if checkRegion(p, o.key("region"), h.Region) {
		partition = Partition(h.Region)
	}

	h.Customers = readCustomers(p, o, secret)

	h.ArchiveRetentionDays = DefaultArchiveRetentionDays
	if n, ok := o.integer(p, "archiveRetentionDays"); ok && n != nil {
		h.ArchiveRetentionDays = *n
		if *n < 0 {
			p.addf(o.key("archiveRetentionDays"), "%d is negative (expected a number of days, or 0 to keep events forever)", *n)
		}
	}

	h.AlarmEmails = readAlarmEmails(p, o)

	admins, _ := o.list(p, "keyAdministrators")
	for i, raw := range admins {
		path := index(o.key("keyAdministrators"), i)
		if arn, ok := stringItem(p, path, raw); ok {
			h.KeyAdministrators = append(h.KeyAdministrators, arn)
			checkIAMPrincipal(p, path, arn, partition)
		}
	}

	h.KeyDeletionWindowDays = DefaultKeyDeletionWindowDays
	if n, ok := o.integer(p, "keyDeletionWindowDays"); ok && n != nil {
		h.KeyDeletionWindowDays = *n
		if *n < minKeyDeletionWindowDays || *n > maxKeyDeletionWindowDays {
			p.addf(o.key("keyDeletionWindowDays"), "%d is out of range (expected %d to %d days, KMS's pending deletion window)",
				*n, minKeyDeletionWindowDays, maxKeyDeletionWindowDays)
		}
	}

	if b, _ := o.boolean(p, "keyAdministratorsMayDisable"); b != nil {
		h.KeyAdministratorsMayDisable = *b
	}
	if b, _ := o.boolean(p, "allowBudgets"); b != nil {
		h.AllowBudgets = *b
	}
	if b, _ := o.boolean(p, "allowCostAnomaly"); b != nil {
		h.AllowCostAnomaly = *b
	}

	h.MaxEventBuses = DefaultMaxEventBuses
	if n, ok := o.integer(p, "maxEventBuses"); ok && n != nil {
		h.MaxEventBuses = *n
		if *n < 1 || *n > maxMaxEventBuses {
			p.addf(o.key("maxEventBuses"), "%d is out of range (expected 1 to %d: the hub account's EventBridge event-buses-per-account quota, %d unless raised)",
				*n, maxMaxEventBuses, DefaultMaxEventBuses)
		}
	}
	// One bus per customer, and the account's default bus, which the
	// quota may count too (EventBridge quotas say "event buses per
	// account" without saying whether the default is one of them).
	if n := len(h.Customers); n+1 > h.MaxEventBuses {
		p.addf(o.key("customers"), "%d customers need %d event buses with the default bus, over the %d of %s (EventBridge's event-buses-per-account quota): raise the quota in Service Quotas and maxEventBuses with it, or split the customers over hub stacks",
			n, n+1, h.MaxEventBuses, o.key("maxEventBuses"))
	}
	h.ChatbotRegion = DefaultChatbotRegion
	if r, ok := o.str(p, "chatbotRegion"); ok {
		h.ChatbotRegion = r
		if !slices.Contains(ChatbotRegions, r) {
			p.addf(o.key("chatbotRegion"), "%q does not serve the AWS Chatbot API (expected one of %s)", r, strings.Join(ChatbotRegions, ", "))
		}
	}
	if partition != "" && h.hasChat() && slices.Contains(ChatbotRegions, h.ChatbotRegion) && Partition(h.ChatbotRegion) != partition {
		p.addf(o.key("chatbotRegion"), "%q is in partition %s, but the hub region is in %s: Chatbot channels cannot reach its topics",
			h.ChatbotRegion, Partition(h.ChatbotRegion), partition)
	}
	h.Heartbeat = readHubHeartbeat(p, o)
	h.LogArchive = readLogArchive(p, o, h.AccountID, h.Region, partition)
	h.DeployerPrincipals = readDeployers(p, o, validAccountID(h.AccountID), partition)
	return h
}

// readCustomers reads every customer and checks what no single customer
// can: unique names, and each account sending to one customer only.
func readCustomers(p *problems, o object, secret Secrets) []Customer {
	items, _ := o.list(p, "customers")
	if len(items) == 0 {
		p.addf(o.key("customers"), "no customers: add at least one, e.g. [{\"name\": \"acme\", \"accounts\": [\"111111111111\"], \"emails\": [\"soc@example.com\"]}]")
		return nil
	}
	var customers []Customer
	names := map[string]string{}    // name -> path of its first use
	accounts := map[string]string{} // account ID -> path of its first use
	orgs := map[string]string{}     // organization ID -> path of its first use
	for i, raw := range items {
		path := index(o.key("customers"), i)
		c, ok := readCustomer(p, path, raw, secret)
		if !ok {
			continue
		}
		if first, dup := names[c.Name]; dup && c.Name != "" {
			p.addf(path+".name", "%q is already the name of %s (customer names must be unique: they name the customer's bus)", c.Name, first)
		} else if c.Name != "" {
			names[c.Name] = path
		}
		for j, a := range c.Accounts {
			apath := index(path+".accounts", j)
			first, seen := accounts[a.ID]
			switch {
			case a.ID == "":
			case !seen:
				accounts[a.ID] = apath
			case !strings.HasPrefix(first, path+"."):
				p.addf(apath, "account %s is already in %s (an account's events go to exactly one customer)", a.ID, first)
			}
		}
		// Every account of an organization could raise the alerts of each
		// customer admitting it: one organization, one customer.
		if org := c.OrganizationID; org != "" {
			if first, dup := orgs[org]; dup {
				p.addf(path+".organizationId", "organization %s is already admitted by %s: every account of it could then raise the alerts of both customers; give one customer the organization and list the other's accounts instead", org, first)
			} else {
				orgs[org] = path + ".organizationId"
			}
		}
		customers = append(customers, c)
	}
	return customers
}

// readAlarmEmails reads the required list of addresses that receive the
// pipeline's own delivery-failure alarms.
func readAlarmEmails(p *problems, o object) []string {
	items, _ := o.list(p, "alarmEmails")
	if len(items) == 0 {
		p.addf(o.key("alarmEmails"), "no addresses: add at least one, e.g. [\"secops@example.com\"], so failed deliveries are noticed")
		return nil
	}
	var out []string
	seen := map[string]string{}
	for i, raw := range items {
		path := index(o.key("alarmEmails"), i)
		addr, ok := stringItem(p, path, raw)
		if !ok {
			continue
		}
		out = append(out, addr)
		if !checkEmail(p, path, addr) {
			continue
		}
		if first, dup := seen[strings.ToLower(addr)]; dup {
			p.addf(path, "%q is listed twice (also at %s)", addr, first)
		} else {
			seen[strings.ToLower(addr)] = path
		}
	}
	return out
}
