// Package config is the typed stack configuration of secalerts: the
// secalerts:hub and secalerts:member objects, parsed and validated before any
// resource is created. It does not import the Pulumi SDK.
package config

import (
	"strings"

	"secalerts/engine"
	"secalerts/severity"
)

// Role is what a stack deploys: secalerts:role.
type Role string

// The two roles a stack can have.
const (
	RoleHub    Role = "hub"
	RoleMember Role = "member"
)

// Hub is secalerts:hub, the operator's central account.
type Hub struct {
	// AccountID is the hub account; providers refuse other credentials.
	AccountID string
	// Region is where the hub's buses, topics and key live (secalerts:hub.region).
	Region    string
	Customers []Customer
	// ArchiveRetentionDays keeps every customer bus's events for replay; 0 keeps them forever.
	ArchiveRetentionDays int
	// AlarmEmails receive delivery-failure alarms.
	AlarmEmails []string
	// KeyAdministrators are IAM ARNs allowed to manage (not use) the keys.
	KeyAdministrators []string
	// KeyAdministratorsMayDisable lets them disable the keys and schedule
	// their deletion, which silences every alert at once.
	KeyAdministratorsMayDisable bool
	// KeyDeletionWindowDays is the KMS key's deletion window (7-30, default 30).
	KeyDeletionWindowDays int
	AllowBudgets          bool
	AllowCostAnomaly      bool
	// MaxEventBuses is the EventBridge "event buses per account" quota of
	// the hub account in its region (default 100); every customer has a
	// bus, so validation fails before it is exceeded.
	MaxEventBuses int
	// ChatbotRegion is where the Chatbot channel configurations are made:
	// the Chatbot API is served in a few regions only, whatever the hub's.
	ChatbotRegion string
	// Heartbeat watches that every member account and region still reports
	// (secalerts:hub.heartbeat).
	Heartbeat HubHeartbeat
	// LogArchive is the central log archive (secalerts:hub.logArchive);
	// nil when the hub keeps none.
	LogArchive *LogArchive
	// DeployerPrincipals are ARN patterns of the roles that deploy the hub
	// (secalerts:hub.deployerPrincipals): the hub's watch over itself
	// leaves their calls alone.
	DeployerPrincipals []string
}

// Customer is one tenant: its accounts and where its alerts go.
type Customer struct {
	// Name is lowercase letters, digits and dashes; it names the bus and topics.
	Name     string
	Accounts []Account
	// OrganizationID admits every account of an AWS Organization (o-xxxxxxxxxx).
	OrganizationID string
	Slack          []SlackChannel
	Teams          []TeamsChannel
	Emails         []Email
	Webhooks       []Webhook
	// Quiet keeps alerts quiet: the engine's type, so the hub's function
	// reads what was validated.
	engine.Quiet
}

// Account is a 12-digit AWS account ID with an optional display name.
type Account struct {
	ID   string
	Name string
}

// SlackChannel is an AWS Chatbot Slack channel.
type SlackChannel struct {
	WorkspaceID string
	ChannelID   string
	MinSeverity severity.Severity
}

// TeamsChannel is an AWS Chatbot Microsoft Teams channel.
type TeamsChannel struct {
	TenantID string
	TeamID   string
	// ChannelID is URL-encoded (19%3A...%40thread.tacv2), the only form the
	// Chatbot API accepts; the config may give it decoded or encoded.
	ChannelID   string
	MinSeverity severity.Severity
}

// DecodedChannelID is the channel ID as Teams shows it in a channel link:
// 19:<id>@thread.tacv2.
func (t TeamsChannel) DecodedChannelID() string {
	return strings.NewReplacer("%3A", ":", "%40", "@").Replace(t.ChannelID)
}

// Email is one address subscribed to a customer's alerts.
type Email struct {
	Address     string
	MinSeverity severity.Severity
}

// WebhookFormat is the body a webhook receives.
type WebhookFormat string

// The webhook body formats.
const (
	FormatSlack WebhookFormat = "slack" // Slack incoming webhook: {"text": ...}
	FormatJSON  WebhookFormat = "json"  // generic JSON document
)

// Webhook is an HTTPS endpoint the delivery function posts alerts to.
type Webhook struct {
	// Name is lowercase letters, digits and dashes, unique within the customer.
	Name string
	// URL is HTTPS and must come from a Pulumi secret.
	URL         string
	Format      WebhookFormat
	MinSeverity severity.Severity
}

// Member is secalerts:member, an account whose events are forwarded.
type Member struct {
	// AccountID is this member account; providers refuse other credentials.
	AccountID string
	// HubEventBusARN is the customer's bus in the hub; empty when HubStack is set.
	HubEventBusARN string
	// HubStack (org/project/stack) and Customer read the bus ARN from the hub
	// stack's outputs through a StackReference.
	HubStack string
	Customer string
	// HomeRegion holds the account-wide resources (IAM role); default us-east-1.
	HomeRegion string
	// Regions is the explicit list; empty with DiscoverRegions true means
	// every region enabled in the account.
	Regions         []string
	DiscoverRegions bool
	// ManagementAccount adds the Organizations detector (us-east-1 only).
	ManagementAccount bool
	// MinSeverity applies to every detector without its own (default MEDIUM).
	MinSeverity severity.Severity
	// Detectors holds per-detector overrides by detector ID.
	Detectors map[string]DetectorSettings
	// Heartbeat is the scheduled event each covered region sends to the hub
	// (secalerts:member.heartbeat).
	Heartbeat MemberHeartbeat
	// Baseline turns on the security services feeding the archive and the
	// detectors (secalerts:member.baseline); nil when the stack adds none.
	Baseline *Baseline
	// DeployerPrincipals are ARN patterns of the roles that deploy
	// secalerts into the account (secalerts:member.deployerPrincipals):
	// the pipeline detectors leave their calls alone, and the protection
	// SCP exempts them.
	DeployerPrincipals []string
}

// DetectorSettings override the member defaults for one detector.
type DetectorSettings struct {
	// Enabled nil keeps the detector's default.
	Enabled *bool
	// MinSeverity nil keeps the member's MinSeverity.
	MinSeverity *severity.Severity
	// ConfigRuleNames restricts the Config detector to these rules.
	ConfigRuleNames []string
}
