package engine

import (
	"encoding/json"
	"sort"
	"strings"
)

// facts are what suppressions match and flood summaries count: read from
// the event by fixed paths of the services' documented shapes, never
// interpreted.
type facts struct {
	// Principal is who acted: a CloudTrail record's userIdentity.arn (or
	// its session issuer's for an assumed role, both kept).
	Principals []string
	// Resources are the ARNs and IDs the event is about: the envelope's
	// resources and the services' own resource fields.
	Resources []string
	// Types are the finding type, generator and control IDs, the Config
	// rule and the API call's name.
	Types []string
	// ResourceType is the kind of resource, for counts.
	ResourceType string
}

// factsFields are the fields of an event its facts are read from.
type factsFields struct {
	Resources []string `json:"resources"`
	Detail    struct {
		// CloudTrail records (AWS CloudTrail User Guide, record
		// contents): who called which API on what.
		EventName         string                     `json:"eventName"`
		EventSource       string                     `json:"eventSource"`
		UserIdentity      userIdentity               `json:"userIdentity"`
		RequestParameters map[string]json.RawMessage `json:"requestParameters"`
		// Security Hub findings (ASFF).
		Findings []factsFinding `json:"findings"`
		// GuardDuty findings: type and resource.
		Type     string `json:"type"`
		Resource json.RawMessage
		// Access Analyzer findings (resource is an ARN string there,
		// an object in GuardDuty's).
		ResourceType string `json:"resourceType"`
		// AWS Config compliance changes.
		ConfigRuleName string `json:"configRuleName"`
		ResourceID     string `json:"resourceId"`
	} `json:"detail"`
}

type userIdentity struct {
	ARN            string `json:"arn"`
	SessionContext struct {
		SessionIssuer struct {
			ARN string `json:"arn"`
		} `json:"sessionIssuer"`
	} `json:"sessionContext"`
}

// factsFinding is what the facts read of a Security Hub finding.
type factsFinding struct {
	GeneratorID string   `json:"GeneratorId"`
	Types       []string `json:"Types"`
	Compliance  struct {
		SecurityControlID string `json:"SecurityControlId"`
	} `json:"Compliance"`
	Resources []struct {
		ID   string `json:"Id"`
		Type string `json:"Type"`
	} `json:"Resources"`
}

// readFacts reads the facts of event: none when it does not decode into
// factsFields.
func readFacts(event []byte) facts {
	var e factsFields
	if json.Unmarshal(event, &e) != nil {
		return facts{}
	}
	return e.facts()
}

func (e *factsFields) facts() facts {
	var f facts
	d := e.Detail
	add := func(list *[]string, v string) {
		if v != "" {
			*list = append(*list, v)
		}
	}
	add(&f.Principals, d.UserIdentity.ARN)
	add(&f.Principals, d.UserIdentity.SessionContext.SessionIssuer.ARN)
	for _, r := range e.Resources {
		add(&f.Resources, r)
	}
	add(&f.Types, d.EventName)
	add(&f.Types, d.Type)
	add(&f.Types, d.ConfigRuleName)
	add(&f.Resources, d.ResourceID)
	f.ResourceType = d.ResourceType
	for _, fi := range d.Findings {
		add(&f.Types, fi.GeneratorID)
		add(&f.Types, fi.Compliance.SecurityControlID)
		for _, t := range fi.Types {
			add(&f.Types, t)
		}
		for _, r := range fi.Resources {
			add(&f.Resources, r.ID)
			if f.ResourceType == "" {
				f.ResourceType = r.Type
			}
		}
	}
	// Access Analyzer names its resource by ARN; GuardDuty describes it
	// (resource.resourceType, resource.instanceDetails.instanceId, ...).
	var arn string
	if json.Unmarshal(d.Resource, &arn) == nil {
		add(&f.Resources, arn)
	} else {
		var gd struct {
			ResourceType    string `json:"resourceType"`
			InstanceDetails struct {
				InstanceID string `json:"instanceId"`
			} `json:"instanceDetails"`
			AccessKeyDetails struct {
				AccessKeyID string `json:"accessKeyId"`
				UserName    string `json:"userName"`
			} `json:"accessKeyDetails"`
			S3BucketDetails []struct {
				Arn  string `json:"arn"`
				Name string `json:"name"`
			} `json:"s3BucketDetails"`
		}
		if json.Unmarshal(d.Resource, &gd) == nil {
			if f.ResourceType == "" {
				f.ResourceType = gd.ResourceType
			}
			add(&f.Resources, gd.InstanceDetails.InstanceID)
			add(&f.Resources, gd.AccessKeyDetails.AccessKeyID)
			add(&f.Principals, gd.AccessKeyDetails.UserName)
			for _, b := range gd.S3BucketDetails {
				add(&f.Resources, b.Arn)
				add(&f.Resources, b.Name)
			}
		}
	}
	// An API call is about what its request names: every string value of
	// requestParameters whose key says it names a resource (groupId,
	// bucketName, roleName, name, keyId, ...).
	keys := make([]string, 0, len(d.RequestParameters))
	for k := range d.RequestParameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		lk := strings.ToLower(k)
		if lk == "name" || strings.HasSuffix(lk, "id") || strings.HasSuffix(lk, "name") || strings.HasSuffix(lk, "arn") || strings.HasSuffix(lk, "url") {
			var s string
			if json.Unmarshal(d.RequestParameters[k], &s) == nil {
				add(&f.Resources, s)
			}
		}
	}
	if f.ResourceType == "" && d.EventSource != "" {
		f.ResourceType = d.EventSource
	}
	return f
}
