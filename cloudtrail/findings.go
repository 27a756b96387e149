package cloudtrail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Finding exports are what `aws securityhub get-findings` and
// `aws guardduty get-findings` print: {"Findings": [...], "NextToken": ...}
// (Security Hub API Reference and GuardDuty API Reference, GetFindings).
// Each finding becomes the one event its service puts on the default bus
// for it. An export is a snapshot: one event per finding, in its latest
// state, where the service sent one for every update.
//
// Security Hub CSPM (Security Hub User Guide, "EventBridge event formats
// for Security Hub CSPM", Security Hub Findings - Imported): source
// aws.securityhub, one finding in detail.findings, and resources holding
// the finding's product ARN and ID joined by "/" (the guide's example,
// arn:aws:securityhub:us-west-2::product/aws/macie/arn:aws:macie:..., and
// the value Security Hub keeps in the finding's
// ProductFields."aws/securityhub/FindingId"). account is the finding's
// AwsAccountId, region its Region and time its UpdatedAt. ASFF keys are
// the same in the API, the console and the CLI.
//
// GuardDuty (GuardDuty User Guide, "Processing GuardDuty findings with
// Amazon EventBridge"): source aws.guardduty, detail-type "GuardDuty
// Finding", resources empty, and the whole finding, as the GetFindings
// response writes it, as detail. account is its accountId, region its
// region and time its updatedAt. The API and the console's JSON export
// name fields in camelCase (accountId); the AWS CLI prints the SDK's
// member names (AccountId), which are converted back to the API's.
//
// EventBridge assigns event IDs; a finding's event gets one derived from
// the finding's ID and UpdatedAt, so the same update read twice (two
// overlapping exports) is the same event, and a forecast is reproducible.

// Detail-types of the finding events.
const (
	SecurityHubFindings = "Security Hub Findings - Imported"
	GuardDutyFinding    = "GuardDuty Finding"
)

// findingKind is the service a finding comes from, told by its keys.
type findingKind int

const (
	unknownFinding findingKind = iota
	securityHubFinding
	// guardDutyFinding is written with the API's names (accountId),
	// guardDutyCLIFinding with the SDK's (AccountId).
	guardDutyFinding
	guardDutyCLIFinding
)

func (k findingKind) String() string {
	switch k {
	case securityHubFinding:
		return "a Security Hub finding"
	case guardDutyFinding, guardDutyCLIFinding:
		return "a GuardDuty finding"
	}
	return "neither a Security Hub nor a GuardDuty finding"
}

// errUnknownFindings is why a Findings array is not read.
var errUnknownFindings = errors.New("a Findings array whose first finding is neither a Security Hub finding " +
	"(ASFF: SchemaVersion, ProductArn, AwsAccountId) nor a GuardDuty finding (schemaVersion, accountId, type, " +
	"as the API and the console export write them, or SchemaVersion, AccountId, Type, as the AWS CLI prints them): " +
	"the findings exports read are the output of aws securityhub get-findings and aws guardduty get-findings")

// kindOf tells a finding's service by its top-level keys: ASFF's
// SchemaVersion with ProductArn or AwsAccountId (required in every ASFF
// finding), GuardDuty's schemaVersion, accountId and type (required in
// every GuardDuty finding).
func kindOf(finding []byte) findingKind {
	var keys map[string]json.RawMessage
	if json.Unmarshal(finding, &keys) != nil {
		return unknownFinding
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := keys[n]; !ok {
				return false
			}
		}
		return true
	}
	switch {
	case has("SchemaVersion", "ProductArn") || has("SchemaVersion", "AwsAccountId"):
		return securityHubFinding
	case has("schemaVersion", "accountId", "type"):
		return guardDutyFinding
	case has("SchemaVersion", "AccountId", "Type"):
		return guardDutyCLIFinding
	}
	return unknownFinding
}

// findingEvent is the envelope of a finding's event, in the order AWS
// writes it.
type findingEvent struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// FindingEvent returns the EventBridge event AWS delivers for one finding
// of a Security Hub or GuardDuty GetFindings export.
func FindingEvent(finding []byte) ([]byte, error) {
	k := kindOf(finding)
	if k == unknownFinding {
		return nil, errors.New("not a finding: " + k.String())
	}
	return appendFindingEvent(nil, k, finding)
}

// appendFindingEvent appends the event of a finding of kind k to dst.
func appendFindingEvent(dst []byte, k findingKind, finding []byte) ([]byte, error) {
	var ev findingEvent
	var err error
	switch k {
	case securityHubFinding:
		ev, err = securityHubEvent(finding)
	case guardDutyFinding:
		ev, err = guardDutyEvent(finding)
	case guardDutyCLIFinding:
		var wire []byte
		if wire, err = guardDutyWireJSON(finding); err == nil {
			ev, err = guardDutyEvent(wire)
		}
	default:
		err = errors.New("not a finding: " + k.String())
	}
	if err != nil {
		return dst, err
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return dst, fmt.Errorf("writing the event of a finding: %w", err)
	}
	return append(dst, b...), nil
}

func securityHubEvent(finding []byte) (findingEvent, error) {
	var f struct {
		ID           string `json:"Id"`
		ProductArn   string `json:"ProductArn"`
		AwsAccountID string `json:"AwsAccountId"`
		Region       string `json:"Region"`
		UpdatedAt    string `json:"UpdatedAt"`
	}
	if err := json.Unmarshal(finding, &f); err != nil {
		return findingEvent{}, fmt.Errorf("not a Security Hub finding: %w", err)
	}
	if f.ID == "" || f.ProductArn == "" || f.AwsAccountID == "" || f.UpdatedAt == "" {
		return findingEvent{}, errors.New("a Security Hub finding without Id, ProductArn, AwsAccountId or UpdatedAt, which ASFF requires")
	}
	region := f.Region
	if region == "" {
		// Security Hub fills Region on every finding it stores; one
		// without it is from the product's own Region, in its ARN
		// (arn:aws:securityhub:<region>::product/...).
		if parts := strings.SplitN(f.ProductArn, ":", 5); len(parts) == 5 {
			region = parts[3]
		}
	}
	if region == "" {
		return findingEvent{}, fmt.Errorf("the Security Hub finding %s has no Region, and its ProductArn %s names none", f.ID, f.ProductArn)
	}
	at, err := eventTime(f.UpdatedAt)
	if err != nil {
		return findingEvent{}, fmt.Errorf("the Security Hub finding %s: UpdatedAt %w", f.ID, err)
	}
	detail, err := compactJSON(append(append([]byte(`{"findings":[`), finding...), "]}"...))
	if err != nil {
		return findingEvent{}, err
	}
	return findingEvent{Version: "0", ID: eventID("securityhub", f.ProductArn, f.ID, f.UpdatedAt),
		DetailType: SecurityHubFindings, Source: "aws.securityhub", Account: f.AwsAccountID, Time: at, Region: region,
		Resources: []string{f.ProductArn + "/" + f.ID}, Detail: detail}, nil
}

func guardDutyEvent(finding []byte) (findingEvent, error) {
	var f struct {
		ID        string `json:"id"`
		AccountID string `json:"accountId"`
		Region    string `json:"region"`
		UpdatedAt string `json:"updatedAt"`
	}
	if err := json.Unmarshal(finding, &f); err != nil {
		return findingEvent{}, fmt.Errorf("not a GuardDuty finding: %w", err)
	}
	if f.ID == "" || f.AccountID == "" || f.Region == "" || f.UpdatedAt == "" {
		return findingEvent{}, errors.New("a GuardDuty finding without id, accountId, region or updatedAt, which GuardDuty always sets")
	}
	at, err := eventTime(f.UpdatedAt)
	if err != nil {
		return findingEvent{}, fmt.Errorf("the GuardDuty finding %s: updatedAt %w", f.ID, err)
	}
	detail, err := compactJSON(finding)
	if err != nil {
		return findingEvent{}, err
	}
	return findingEvent{Version: "0", ID: eventID("guardduty", f.AccountID+"|"+f.Region, f.ID, f.UpdatedAt),
		DetailType: GuardDutyFinding, Source: "aws.guardduty", Account: f.AccountID, Time: at, Region: f.Region,
		Resources: []string{}, Detail: detail}, nil
}

// eventTime is an RFC 3339 time as EventBridge writes an event's time:
// UTC, to the second.
func eventTime(s string) (string, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "", fmt.Errorf("%q is not a date and time (expected RFC 3339, e.g. 2026-03-04T05:06:07.000Z)", s)
	}
	return t.UTC().Format("2006-01-02T15:04:05Z"), nil
}

// eventID derives an event ID, shaped as EventBridge's, from what names
// one update of a finding.
func eventID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	h := hex.EncodeToString(sum[:16])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func compactJSON(b []byte) (json.RawMessage, error) {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	return out.Bytes(), nil
}

// The AWS CLI prints a GuardDuty finding with the SDK's member names; the
// API, and so the event, names each member by its JSON name, the member
// name with a lower-case first letter but for the members below: the
// GetFindings response syntax of the GuardDuty API Reference against the
// SDK's member names of the same API version (2017-11-28).
var (
	// guardDutyRenames are the JSON names that are not the member name
	// lower-cased, by the key of the member's parent (a list's key for
	// its elements).
	guardDutyRenames = map[[2]string]string{
		{"ProductCodes", "Code"}:                           "productCodeId",
		{"ProductCodes", "ProductType"}:                    "productCodeType",
		{"Ec2Instance", "IamInstanceProfile"}:              "IamInstanceProfile",
		{"KubernetesWorkload", "KubernetesResourcesTypes"}: "type",
		{"Location", "Latitude"}:                           "lat",
		{"Location", "Longitude"}:                          "lon",
		{"RdsLoginAttemptAction", "LoginAttributes"}:       "LoginAttributes",
		{"Account", "Name"}:                                "account",
		{"KubernetesApiCallAction", "SourceIps"}:           "sourceIPs",
		{"TaskDetails", "TaskCreatedAt"}:                   "createdAt",
	}
	// guardDutyMaps are the members whose values are maps: that many
	// levels of their keys are data, kept as written.
	guardDutyMaps = map[string]int{"AffectedResources": 1, "Profiles": 2, "Behavior": 2}
)

// guardDutyWireJSON rewrites a finding the AWS CLI printed with the API's
// names.
func guardDutyWireJSON(finding []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(finding))
	dec.UseNumber() // severity 8 stays 8, not 8.0 or 8e0
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not a GuardDuty finding: %w", err)
	}
	return json.Marshal(wireNames(v, ""))
}

func wireNames(v any, parent string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			name, ok := guardDutyRenames[[2]string{parent, k}]
			if !ok {
				name = lowerFirst(k)
			}
			if depth, isMap := guardDutyMaps[k]; isMap {
				out[name] = dataKeys(val, depth, k)
				continue
			}
			out[name] = wireNames(val, k)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = wireNames(e, parent)
		}
		return out
	}
	return v
}

// dataKeys keeps depth levels of a map's keys and renames below them.
func dataKeys(v any, depth int, parent string) any {
	m, ok := v.(map[string]any)
	if !ok || depth == 0 {
		return wireNames(v, parent)
	}
	out := make(map[string]any, len(m))
	for k, val := range m {
		out[k] = dataKeys(val, depth-1, parent)
	}
	return out
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
