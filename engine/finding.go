package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// findingFields are the fields of an event that name the finding it is
// about. ok is false when the event did not decode into them: no event
// of such a shape is about a finding.
type findingFields struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Detail  struct {
		ID             string       `json:"id"`
		Findings       []findingRef `json:"findings"`
		ConfigRuleName string       `json:"configRuleName"`
		ResourceType   string       `json:"resourceType"`
		ResourceID     string       `json:"resourceId"`
		AwsAccountID   string       `json:"awsAccountId"`
		AwsRegion      string       `json:"awsRegion"`
	} `json:"detail"`
	ok bool
}

// findingRef is what names a Security Hub finding.
type findingRef struct {
	ID           string `json:"Id"`
	ProductArn   string `json:"ProductArn"`
	AwsAccountID string `json:"AwsAccountId"`
}

func readFinding(event []byte) findingFields {
	var f findingFields
	f.ok = json.Unmarshal(event, &f) == nil
	return f
}

// identity is what names one finding across its updates, for the services
// that update findings: Security Hub and GuardDuty re-send every update of
// a finding as a new event, Access Analyzer sends a new event when a
// finding changes, and AWS Config one for each compliance change of a rule
// and resource. "" for events that are not about a finding.
func (f findingFields) identity(detector string) string {
	if !f.ok {
		return ""
	}
	d := f.Detail
	switch detector {
	case "securityhub":
		// ASFF: Id is unique for the product that made the finding
		// (AWS Security Finding Format, Id and ProductArn).
		if len(d.Findings) > 0 && d.Findings[0].ID != "" {
			return d.Findings[0].ProductArn + "|" + d.Findings[0].ID
		}
	case "guardduty", "access-analyzer":
		// GuardDuty's and Access Analyzer's finding IDs are unique within
		// the account and region that made them.
		if d.ID != "" {
			return f.Account + "|" + f.Region + "|" + d.ID
		}
	case "config-compliance":
		if d.ConfigRuleName != "" {
			account, region := d.AwsAccountID, d.AwsRegion
			if account == "" {
				account, region = f.Account, f.Region
			}
			return account + "|" + region + "|" + d.ConfigRuleName + "|" + d.ResourceType + "|" + d.ResourceID
		}
	}
	return ""
}

// threadID groups the notifications about one finding, whose identity is
// id, in one Chatbot thread; events that are not about a finding (id "")
// are threads of their own.
func threadID(detector, id string) string {
	if id == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(detector + "|" + id))
	return detector + "-" + hex.EncodeToString(sum[:12])
}
