// Package policy builds every IAM, KMS key, SNS topic, SQS queue and event-bus
// policy of secalerts from typed structs, and evaluates them for tests and the
// offline tool. It is pure Go: no Pulumi, no AWS SDK, no network. All resource
// names in secalerts are deterministic, so every ARN arrives here as a plain
// string computed by the caller.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"

	"secalerts/names"
)

// accountIDPattern is a 12-digit AWS account ID.
var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// Version is the only policy language version AWS documents for policies
// that use condition keys and policy variables.
const Version = "2012-10-17"

// Effects of a statement.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// Document is an IAM policy document in AWS's JSON shape.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Document. An empty Principal is omitted
// from the JSON (identity policies have none); an empty Resource is omitted
// too (trust policies have none).
type Statement struct {
	Sid       string
	Effect    string
	Principal Principal
	Action    []string
	Resource  []string
	Condition Conditions
}

// Principal is the Principal element: "*" when Any, otherwise
// {"AWS": [...], "Service": [...], "Federated": [...]} with empty lists left
// out. Federated names an identity provider (the GitHub OIDC provider of the
// CI roles' trust policies).
type Principal struct {
	Any       bool
	AWS       []string
	Service   []string
	Federated []string
}

// Conditions is the Condition element: operator -> condition key -> values.
// Values of one key are ORed; keys and operators are ANDed.
type Conditions map[string]map[string][]string

// JSON marshals the document compactly, the form AWS stores and counts
// against size quotas.
func (d Document) JSON() (string, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("marshalling policy document: %w", err)
	}
	return string(b), nil
}

// ParseDocument reads a policy in any shape AWS accepts: single strings or
// lists for Action, Resource, principals and condition values.
func ParseDocument(s string) (Document, error) {
	var d Document
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return Document{}, fmt.Errorf("parsing policy document: %w", err)
	}
	return d, nil
}

// IsZero reports a Principal with nothing in it, which is left out of JSON.
func (p Principal) IsZero() bool {
	return !p.Any && len(p.AWS) == 0 && len(p.Service) == 0 && len(p.Federated) == 0
}

// MarshalJSON writes "*" or {"AWS": [...], "Service": [...], "Federated": [...]}.
func (p Principal) MarshalJSON() ([]byte, error) {
	if p.Any {
		return []byte(`"*"`), nil
	}
	return json.Marshal(struct {
		AWS       []string `json:"AWS,omitempty"`
		Service   []string `json:"Service,omitempty"`
		Federated []string `json:"Federated,omitempty"`
	}{p.AWS, p.Service, p.Federated})
}

// UnmarshalJSON reads "*" or an object whose values are a string or a list.
// A principal kind it does not know (CanonicalUser) is an error rather than
// dropped: dropped, the statement would read as an identity policy that
// applies to every caller.
func (p *Principal) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		if s != "*" {
			return fmt.Errorf("principal %q: only \"*\" may be a bare string", s)
		}
		*p = Principal{Any: true}
		return nil
	}
	var o struct {
		AWS       stringList `json:"AWS"`
		Service   stringList `json:"Service"`
		Federated stringList `json:"Federated"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return fmt.Errorf("principal: %w", err)
	}
	*p = Principal{AWS: o.AWS, Service: o.Service, Federated: o.Federated}
	return nil
}

type statementJSON struct {
	Sid       string     `json:"Sid,omitempty"`
	Effect    string     `json:"Effect"`
	Principal *Principal `json:"Principal,omitempty"`
	Action    stringList `json:"Action,omitempty"`
	Resource  stringList `json:"Resource,omitempty"`
	Condition Conditions `json:"Condition,omitempty"`
}

// MarshalJSON leaves out the empty elements so identity and trust policies
// keep the shape AWS documents.
func (s Statement) MarshalJSON() ([]byte, error) {
	j := statementJSON{Sid: s.Sid, Effect: s.Effect, Action: s.Action, Resource: s.Resource, Condition: s.Condition}
	if !s.Principal.IsZero() {
		p := s.Principal
		j.Principal = &p
	}
	return json.Marshal(j)
}

// UnmarshalJSON accepts the string-or-list forms AWS accepts.
func (s *Statement) UnmarshalJSON(b []byte) error {
	var j statementJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Statement{Sid: j.Sid, Effect: j.Effect, Action: j.Action, Resource: j.Resource, Condition: j.Condition}
	if j.Principal != nil {
		s.Principal = *j.Principal
	}
	return nil
}

// UnmarshalJSON accepts a single string or a list for each condition value.
func (c *Conditions) UnmarshalJSON(b []byte) error {
	var raw map[string]map[string]stringList
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("condition: %w", err)
	}
	out := Conditions{}
	for op, keys := range raw {
		out[op] = map[string][]string{}
		for k, v := range keys {
			out[op][k] = v
		}
	}
	*c = out
	return nil
}

// stringList is a JSON list that may also be written as one string.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*l = stringList{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*l = list
	return nil
}

// Condition operators and keys this package writes.
const (
	opStringEquals = "StringEquals"
	opStringLike   = "StringLike"
	opArnLike      = "ArnLike"
	opArnEquals    = "ArnEquals"
	opBool         = "Bool"

	keySourceAccount    = "aws:SourceAccount"
	keySourceArn        = "aws:SourceArn"
	keySecureTransport  = "aws:SecureTransport"
	keyPrincipalOrgID   = "aws:PrincipalOrgID"
	keyPrincipalAccount = "aws:PrincipalAccount"
	keyPrincipalArn     = "aws:PrincipalArn"
)

// add sets one condition, creating the maps as needed.
func (c Conditions) add(op, key string, values ...string) Conditions {
	if c[op] == nil {
		c[op] = map[string][]string{}
	}
	c[op][key] = append(c[op][key], values...)
	return c
}

// sourceAccount is the confused-deputy guard that a service acts for this
// account only (IAM User Guide, "The confused deputy problem" and
// "aws:SourceAccount").
func sourceAccount(a names.Account) Conditions {
	return Conditions{}.add(opStringEquals, keySourceAccount, a.ID)
}

// denyInsecureTransport refuses any request to resource made without TLS.
// Bool on a key that is absent does not match, so service-to-service calls
// that carry no aws:SecureTransport are not denied (IAM User Guide,
// "aws:SecureTransport"; SNS and SQS security best practices).
func denyInsecureTransport(sid, action, resource string) Statement {
	return Statement{
		Sid:       sid,
		Effect:    Deny,
		Principal: Principal{Any: true},
		Action:    []string{action},
		Resource:  []string{resource},
		Condition: Conditions{}.add(opBool, keySecureTransport, "false"),
	}
}

// sourceConditionExemptions lists the Sids of Allow statements for a service
// principal that cannot carry aws:SourceAccount / aws:SourceArn, and why. The
// tests require every other service statement to carry one of them.
var sourceConditionExemptions = map[string]string{
	// SNS Developer Guide, "Managing Amazon SNS encryption keys" ->
	// compatibility with AWS services: "Adding the aws:SourceAccount,
	// aws:SourceArn, and aws:SourceOrgID to a AWS KMS policy is not supported
	// for EventBridge-to-encrypted topics." Narrowed by the SNS encryption
	// context instead.
	sidEventsTopics: "EventBridge to encrypted SNS topics: source keys unsupported in the KMS request",
	// EventBridge User Guide, "Encrypting EventBridge archives with AWS KMS
	// keys": the documented archive statement is conditioned on the bus
	// encryption context only. Narrowed by that context, which names buses of
	// this account.
	sidEventsArchives: "EventBridge archives: documented with the bus encryption context only",
	// AWS Chatbot / Amazon Q Developer in chat applications documents no
	// confused-deputy condition for its channel role; roles cannot be passed
	// across accounts, and the guardrail caps the role to read-only actions.
	sidChatbotAssume: "Chatbot channel role: no documented source condition",
	// Lambda documents no confused-deputy condition for the execution role
	// it assumes, and a role can only be passed within its account.
	sidLambdaAssume: "Lambda execution role: no documented source condition",
}
