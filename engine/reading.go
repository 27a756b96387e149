package engine

import (
	"encoding/json"
	"fmt"

	"secalerts/eventbridge"
)

// reading is one event as Handle, Report and Decide read it. Each part is
// read once and passed along: an alert needs the envelope, the document
// the matchers and the message read, the finding's identity and the
// facts, and reading the JSON again for each cost more than the rest of
// the delivery.
type reading struct {
	raw    []byte
	env    envelope
	envErr error
	// parsed is the document of the matchers, read when first needed.
	parsed *eventbridge.Event
	// finding and facts are read with the envelope by readAlert, else
	// when first asked for.
	finding *findingFields
	facts   *facts
}

// readDecision reads what a decision needs first: the envelope.
func readDecision(event []byte) *reading {
	r := &reading{raw: event}
	r.env, r.envErr = readEnvelope(event)
	return r
}

// readAlert reads the envelope, the finding's fields and the facts of an
// event Handle delivers, in one pass when the event decodes into all of
// them (alertFields). One that does not is read part by part, as each
// part always was: a field of the wrong type spoils only its own part.
func readAlert(event []byte) *reading {
	var u alertFields
	if json.Unmarshal(event, &u) != nil {
		return readDecision(event)
	}
	r := &reading{raw: event, env: u.envelope}
	r.envErr = r.env.check()
	fi, fa := u.finding(), u.facts()
	r.finding, r.facts = &fi, &fa
	return r
}

// doc is the event parsed for the matchers, and for the message after.
func (r *reading) doc() (*eventbridge.Event, error) {
	if r.parsed == nil {
		ev, err := eventbridge.ParseEvent(r.raw)
		if err != nil {
			// As the matcher says it: this is the parse it would make.
			return nil, fmt.Errorf("matching event: %w", err)
		}
		r.parsed = ev
	}
	return r.parsed, nil
}

// identity is the identity of the finding the event is about, for
// detector; "" when it is about none.
func (r *reading) identity(detector string) string {
	if r.finding == nil {
		f := readFinding(r.raw)
		r.finding = &f
	}
	return r.finding.identity(detector)
}

// eventFacts are the facts of the event.
func (r *reading) eventFacts() facts {
	if r.facts == nil {
		f := readFacts(r.raw)
		r.facts = &f
	}
	return *r.facts
}

// alertFields are envelope, findingFields and factsFields in one. Each
// field is declared as it is in its part, which
// TestAlertFieldsAreItsParts checks: an event that decodes into
// alertFields decodes into each part alike.
type alertFields struct {
	envelope
	Detail struct {
		ID           string `json:"id"`
		AwsAccountID string `json:"awsAccountId"`
		AwsRegion    string `json:"awsRegion"`
		Findings     []struct {
			findingRef
			factsFinding
		} `json:"findings"`
		ConfigRuleName    string                     `json:"configRuleName"`
		ResourceType      string                     `json:"resourceType"`
		ResourceID        string                     `json:"resourceId"`
		EventName         string                     `json:"eventName"`
		EventSource       string                     `json:"eventSource"`
		UserIdentity      userIdentity               `json:"userIdentity"`
		RequestParameters map[string]json.RawMessage `json:"requestParameters"`
		Type              string                     `json:"type"`
		Resource          json.RawMessage
	} `json:"detail"`
}

func (u *alertFields) finding() findingFields {
	f := findingFields{Account: u.Account, Region: u.Region, ok: true}
	d := &f.Detail
	d.ID, d.ConfigRuleName, d.ResourceType, d.ResourceID = u.Detail.ID, u.Detail.ConfigRuleName, u.Detail.ResourceType, u.Detail.ResourceID
	d.AwsAccountID, d.AwsRegion = u.Detail.AwsAccountID, u.Detail.AwsRegion
	if u.Detail.Findings != nil {
		d.Findings = make([]findingRef, len(u.Detail.Findings))
		for i, x := range u.Detail.Findings {
			d.Findings[i] = x.findingRef
		}
	}
	return f
}

func (u *alertFields) facts() facts {
	f := factsFields{Resources: u.Resources}
	d := &f.Detail
	d.EventName, d.EventSource, d.UserIdentity, d.RequestParameters = u.Detail.EventName, u.Detail.EventSource, u.Detail.UserIdentity, u.Detail.RequestParameters
	d.Type, d.Resource, d.ResourceType = u.Detail.Type, u.Detail.Resource, u.Detail.ResourceType
	d.ConfigRuleName, d.ResourceID = u.Detail.ConfigRuleName, u.Detail.ResourceID
	if u.Detail.Findings != nil {
		d.Findings = make([]factsFinding, len(u.Detail.Findings))
		for i, x := range u.Detail.Findings {
			d.Findings[i] = x.factsFinding
		}
	}
	return f.facts()
}
