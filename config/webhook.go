package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"secalerts/names"
)

// secretPlaceholder stands for a webhook URL in every message: such URLs
// usually carry their own credential (a Slack incoming webhook is one).
const secretPlaceholder = "<secret>"

// maxWebhookURLLen bounds a webhook URL: the delivery function reads it
// from an SSM SecureString parameter (4 KB in the standard tier: Systems
// Manager quotas), and URLs past 2,048 characters are refused by many
// servers and proxies.
const maxWebhookURLLen = 2048

// webhookURLShape is a URL written as HTTP sends it: ASCII, spaces and
// other reserved characters percent-encoded, no #fragment (which is never
// sent). Anything else would reach the server other than as written.
var webhookURLShape = regexp.MustCompile(`^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@&=+$,A-Za-z0-9])+)([).!';/?:,])?$`)

func readWebhooks(p *problems, o object, customer string, secret Secrets) []Webhook {
	items, _ := o.list(p, "webhooks")
	var out []Webhook
	seen := map[string]string{}
	for i, raw := range items {
		path := index(o.key("webhooks"), i)
		wo, ok := readObject(p, path, raw, "name", "url", "format", "minSeverity")
		if !ok {
			continue
		}
		var w Webhook
		w.Name, _ = wo.str(p, "name")
		checkWebhookName(p, wo.key("name"), customer, w.Name)
		if first, dup := seen[w.Name]; dup && w.Name != "" {
			p.addf(wo.key("name"), "%q is already the name of %s (webhook names must be unique within a customer)", w.Name, first)
		} else {
			seen[w.Name] = path
		}

		w.URL, _ = wo.str(p, "url")
		// The URL itself, not only some value beside it: Pulumi marks a
		// whole key secret as soon as any value under it is one.
		if checkWebhookURL(p, wo.key("url"), w.URL) && !secret(wo.key("url")) {
			p.addf(wo.key("url"), "%s is not a Pulumi secret; a webhook URL is a credential, so set it with: pulumi config set --secret --path '%s' https://...",
				secretPlaceholder, strings.TrimPrefix(wo.key("url"), "secalerts:"))
		}

		w.Format = FormatJSON
		if f, ok := wo.str(p, "format"); ok {
			w.Format = WebhookFormat(f)
			if w.Format != FormatJSON && w.Format != FormatSlack {
				p.addf(wo.key("format"), "%q is not a webhook format (expected %s or %s)", f, FormatSlack, FormatJSON)
			}
		}
		w.MinSeverity = readSeverity(p, wo, "minSeverity", DefaultMinSeverity)
		out = append(out, w)
	}
	return out
}

// checkWebhookName records an error unless name can name a webhook of
// customer: it becomes part of the name of the parameter holding its URL.
func checkWebhookName(p *problems, path, customer, name string) {
	problem, tooLong := names.WebhookNameTooLong(customer, name)
	switch {
	case name == "":
		p.addf(path, "not set: expected a webhook name of lowercase letters, digits and dashes, e.g. pager")
	case !nameShape.MatchString(name):
		p.addf(path, "%q is not a valid webhook name (expected lowercase letters, digits and dashes, not starting or ending with a dash, e.g. pager)", name)
	case tooLong:
		p.addf(path, "%q is too long: %s", name, problem)
	}
}

// checkWebhookURL records an error unless raw is an HTTPS URL an API
// destination accepts. Its messages never contain the URL or any part of it.
func checkWebhookURL(p *problems, path, raw string) bool {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		p.addf(path, "not set: expected the webhook's https:// URL, set with: pulumi config set --secret --path '%s' https://...", strings.TrimPrefix(path, "secalerts:"))
	case err != nil:
		p.addf(path, "%s is not a valid URL (expected https://host/path)", secretPlaceholder)
	case u.Scheme != "https":
		p.addf(path, "%s is not an https:// URL (the delivery function calls webhooks over HTTPS only: the URL and the alert are credentials and security data)", secretPlaceholder)
	case u.Host == "":
		p.addf(path, "%s has no host (expected https://host/path)", secretPlaceholder)
	case len(raw) > maxWebhookURLLen:
		p.addf(path, "%s is %d characters, over the %d a webhook URL may have", secretPlaceholder, len(raw), maxWebhookURLLen)
	case !webhookURLShape.MatchString(raw):
		p.addf(path, "%s has characters a URL must percent-encode (spaces, non-ASCII, ...) or a #fragment, which is never sent: percent-encode them, drop the fragment", secretPlaceholder)
	default:
		return true
	}
	return false
}

// String keeps a Webhook, or a Hub holding one, printed with %v from
// showing the URL.
func (w Webhook) String() string {
	return fmt.Sprintf("{%s %s %s %s}", w.Name, secretPlaceholder, w.Format, w.MinSeverity)
}
