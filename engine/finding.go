package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// findingIdentity is what names one finding across its updates, for the
// services that update findings: Security Hub and GuardDuty re-send every
// update of a finding as a new event, Access Analyzer sends a new event
// when a finding changes, and AWS Config one for each compliance change of
// a rule and resource. "" for events that are not about a finding.
func findingIdentity(detector string, event []byte) string {
	var e struct {
		Account string `json:"account"`
		Region  string `json:"region"`
		Detail  struct {
			ID       string `json:"id"`
			Findings []struct {
				ID           string `json:"Id"`
				ProductArn   string `json:"ProductArn"`
				AwsAccountID string `json:"AwsAccountId"`
			} `json:"findings"`
			ConfigRuleName string `json:"configRuleName"`
			ResourceType   string `json:"resourceType"`
			ResourceID     string `json:"resourceId"`
			AwsAccountID   string `json:"awsAccountId"`
			AwsRegion      string `json:"awsRegion"`
		} `json:"detail"`
	}
	if json.Unmarshal(event, &e) != nil {
		return ""
	}
	d := e.Detail
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
			return e.Account + "|" + e.Region + "|" + d.ID
		}
	case "config-compliance":
		if d.ConfigRuleName != "" {
			account, region := d.AwsAccountID, d.AwsRegion
			if account == "" {
				account, region = e.Account, e.Region
			}
			return account + "|" + region + "|" + d.ConfigRuleName + "|" + d.ResourceType + "|" + d.ResourceID
		}
	}
	return ""
}

// threadID groups the notifications about one finding in one Chatbot
// thread; events that are not about a finding are threads of their own.
func threadID(detector string, event []byte) string {
	id := findingIdentity(detector, event)
	if id == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(detector + "|" + id))
	return detector + "-" + hex.EncodeToString(sum[:12])
}
