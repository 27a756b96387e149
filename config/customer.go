package config

import (
	"encoding/json"
	"regexp"
	"strings"
)

var customerKeys = []string{"name", "accounts", "organizationId", "slack", "teams", "emails", "webhooks", "remindAfterDays", "flood", "suppressions", "canaryMaxSeverity"}

// organizationIDShape is AWS Organizations' organization ID pattern
// (Organizations API, Organization.Id: ^o-[a-z0-9]{10,32}$).
var organizationIDShape = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// maxAccountNameLen is AWS's limit on an account name (Organizations
// CreateAccount, AccountName: 1-50 characters); names label messages.
const maxAccountNameLen = 50

// readCustomer reads one customer. ok is false when raw is not an object.
func readCustomer(p *problems, path string, raw json.RawMessage, secret Secrets) (Customer, bool) {
	o, ok := readObject(p, path, raw, customerKeys...)
	if !ok {
		return Customer{}, false
	}
	var c Customer
	c.Name, _ = o.str(p, "name")
	checkCustomerName(p, o.key("name"), c.Name)
	label := c.Name
	if label == "" {
		label = path
	}

	c.Accounts = readAccounts(p, o)
	if id, ok := o.str(p, "organizationId"); ok {
		c.OrganizationID = id
		if !organizationIDShape.MatchString(id) {
			p.addf(o.key("organizationId"), "%q is not an AWS Organizations ID (expected o- and 10-32 lowercase letters or digits, e.g. o-a1b2c3d4e5)", id)
		}
	}
	if len(c.Accounts) == 0 && c.OrganizationID == "" {
		p.addf(path, "customer %q admits no account: set accounts (12-digit account IDs) or organizationId (o-...), or both", label)
	}

	c.Slack = readSlack(p, o)
	c.Teams = readTeams(p, o)
	c.Emails = readEmails(p, o)
	c.Webhooks = readWebhooks(p, o, c.Name, secret)
	if len(c.Slack)+len(c.Teams)+len(c.Emails)+len(c.Webhooks) == 0 {
		p.addf(path, "customer %q has no destination: add at least one of slack, teams, emails or webhooks", label)
	}
	readQuiet(p, o, &c)
	c.CanaryMaxSeverity = readSeverity(p, o, "canaryMaxSeverity", DefaultCanaryMaxSeverity)
	return c, true
}

// readAccounts reads accounts, each either "111111111111" or
// {"id": "111111111111", "name": "acme-prod"}.
func readAccounts(p *problems, o object) []Account {
	items, _ := o.list(p, "accounts")
	var out []Account
	seen := map[string]string{}
	for i, raw := range items {
		path := index(o.key("accounts"), i)
		var a Account
		if kind(raw) == "an object" {
			ao, ok := readObject(p, path, raw, "id", "name")
			if !ok {
				continue
			}
			a.ID = readAccountID(p, ao, "id")
			a.Name, _ = ao.str(p, "name")
			if len(a.Name) > maxAccountNameLen || !printable(a.Name) {
				p.addf(ao.key("name"), "%q is not a usable account name (expected at most %d printable characters)", a.Name, maxAccountNameLen)
			}
		} else if kind(raw) == "a string" || kind(raw) == "a number" {
			a.ID = accountIDValue(p, path, raw)
		} else {
			p.addf(path, "expected an account ID string or {\"id\": ..., \"name\": ...}, got %s", kind(raw))
			continue
		}
		if first, dup := seen[a.ID]; dup && a.ID != "" {
			p.addf(path, "account %s is listed twice (also at %s)", a.ID, first)
			continue
		}
		seen[a.ID] = path
		out = append(out, a)
	}
	return out
}

// Slack IDs. AWS Chatbot itself accepts any [A-Za-z0-9]+ (Chatbot API,
// SlackChannelId and SlackTeamId), which lets a channel name such as
// "general" through to fail at deployment; Slack's own IDs are stricter.
var (
	// A workspace (team) ID is T and 8-11 upper-case letters or digits.
	slackWorkspaceShape = regexp.MustCompile(`^T[A-Z0-9]{8,11}$`)
	// Public channels start with C, private ones with G (older) and direct
	// messages with D; current IDs are 11 characters, older ones 9.
	slackChannelShape = regexp.MustCompile(`^[CGD][A-Z0-9]{8,10}$`)
)

func readSlack(p *problems, o object) []SlackChannel {
	items, _ := o.list(p, "slack")
	var out []SlackChannel
	seen := map[string]string{}
	for i, raw := range items {
		path := index(o.key("slack"), i)
		so, ok := readObject(p, path, raw, "workspaceId", "channelId", "minSeverity")
		if !ok {
			continue
		}
		var s SlackChannel
		s.WorkspaceID, _ = so.str(p, "workspaceId")
		if !slackWorkspaceShape.MatchString(s.WorkspaceID) {
			p.addf(so.key("workspaceId"), "%q is not a Slack workspace ID (expected T and 8-11 upper-case letters and digits, e.g. T0123456789, shown in the AWS Chatbot console after authorizing the workspace)", s.WorkspaceID)
		}
		s.ChannelID, _ = so.str(p, "channelId")
		if !slackChannelShape.MatchString(s.ChannelID) {
			p.addf(so.key("channelId"), "%q is not a Slack channel ID (expected 9-11 upper-case letters and digits starting with C, G or D, e.g. C0123456789)", s.ChannelID)
		}
		s.MinSeverity = readSeverity(p, so, "minSeverity", DefaultMinSeverity)
		key := s.WorkspaceID + "/" + s.ChannelID
		if first, dup := seen[key]; dup {
			p.addf(path, "Slack channel %s is listed twice (also at %s): it would get every alert twice", s.ChannelID, first)
			continue
		}
		seen[key] = path
		out = append(out, s)
	}
	return out
}

// Microsoft Teams IDs as AWS Chatbot accepts them (Chatbot API,
// TeamsChannelConfiguration): tenant and team are UUIDs; the channel ID is
// URL-encoded, X%3AY%40Z, with X, Y and Z in [A-Za-z0-9-_=+/.,].
var (
	guidShape = regexp.MustCompile(`^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$`)
	// teamsChannelShape is the channel ID decoded, as Teams shows it in a
	// channel link: 19:<id>@thread.tacv2 (or @thread.skype for old teams).
	teamsChannelShape = regexp.MustCompile(`^19:([A-Za-z0-9_=+/.,-]+)@(thread\.[a-z0-9]+)$`)
)

// teamsChannelID checks a Teams channel ID given decoded (19:x@thread.tacv2)
// or URL-encoded (19%3Ax%40thread.tacv2, as in a channel link) and returns
// the encoded form, the only one the Chatbot API accepts.
func teamsChannelID(id string) (string, bool) {
	decoded := strings.NewReplacer("%3A", ":", "%3a", ":", "%40", "@").Replace(id)
	m := teamsChannelShape.FindStringSubmatch(decoded)
	if m == nil {
		return "", false
	}
	return "19%3A" + m[1] + "%40" + m[2], true
}

func readTeams(p *problems, o object) []TeamsChannel {
	items, _ := o.list(p, "teams")
	var out []TeamsChannel
	seen := map[string]string{}
	for i, raw := range items {
		path := index(o.key("teams"), i)
		to, ok := readObject(p, path, raw, "tenantId", "teamId", "channelId", "minSeverity")
		if !ok {
			continue
		}
		var t TeamsChannel
		t.TenantID, _ = to.str(p, "tenantId")
		if !guidShape.MatchString(t.TenantID) {
			p.addf(to.key("tenantId"), "%q is not a Microsoft Teams tenant ID (expected a GUID, e.g. 00000000-0000-4000-8000-000000000001)", t.TenantID)
		}
		t.TeamID, _ = to.str(p, "teamId")
		if !guidShape.MatchString(t.TeamID) {
			p.addf(to.key("teamId"), "%q is not a Microsoft Teams team ID (expected a GUID, e.g. 00000000-0000-4000-8000-000000000002, the groupId of a channel link)", t.TeamID)
		}
		raw, _ := to.str(p, "channelId")
		if id, ok := teamsChannelID(raw); ok {
			t.ChannelID = id
		} else {
			t.ChannelID = raw
			hint := ""
			if strings.Contains(raw, "/channel/") {
				hint = "; from a channel link, copy only the part between /channel/ and the next /"
			}
			p.addf(to.key("channelId"), "%q is not a Microsoft Teams channel ID (expected 19:<id>@thread.tacv2, or its URL-encoded form 19%%3A<id>%%40thread.tacv2, where <id> is letters, digits and -_=+/.,%s)", raw, hint)
		}
		t.MinSeverity = readSeverity(p, to, "minSeverity", DefaultMinSeverity)
		key := t.TeamID + "/" + t.ChannelID
		if first, dup := seen[key]; dup {
			p.addf(path, "Teams channel %s is listed twice (also at %s): it would get every alert twice", raw, first)
			continue
		}
		seen[key] = path
		out = append(out, t)
	}
	return out
}

// readEmails reads emails, each "soc@example.com" or
// {"address": "soc@example.com", "minSeverity": "HIGH"}.
func readEmails(p *problems, o object) []Email {
	items, _ := o.list(p, "emails")
	var out []Email
	seen := map[string]string{}
	for i, raw := range items {
		path := index(o.key("emails"), i)
		e := Email{MinSeverity: DefaultMinSeverity}
		addrPath := path
		switch kind(raw) {
		case "an object":
			eo, ok := readObject(p, path, raw, "address", "minSeverity")
			if !ok {
				continue
			}
			addrPath = eo.key("address")
			e.Address, _ = eo.str(p, "address")
			e.MinSeverity = readSeverity(p, eo, "minSeverity", DefaultMinSeverity)
		case "a string":
			e.Address, _ = stringItem(p, path, raw)
		default:
			p.addf(path, "expected an address string or {\"address\": ..., \"minSeverity\": ...}, got %s", kind(raw))
			continue
		}
		if !checkEmail(p, addrPath, e.Address) {
			continue
		}
		// Mailboxes are case-insensitive in practice; SNS would send twice.
		if first, dup := seen[strings.ToLower(e.Address)]; dup {
			p.addf(addrPath, "%q is listed twice (also at %s)", e.Address, first)
			continue
		}
		seen[strings.ToLower(e.Address)] = path
		out = append(out, e)
	}
	return out
}
