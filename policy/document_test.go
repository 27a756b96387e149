package policy

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Every Allow to a service principal carries a confused-deputy condition, or
// is a documented exemption that still narrows by encryption context (or is
// the one Chatbot trust statement).
func TestEveryServiceStatementHasConfusedDeputyGuard(t *testing.T) {
	seen := 0
	for name, d := range allDocuments(t) {
		for _, s := range d.Statement {
			if s.Effect != Allow || len(s.Principal.Service) == 0 {
				continue
			}
			seen++
			if hasConditionKey(s.Condition, keySourceAccount) || hasConditionKey(s.Condition, keySourceArn) {
				continue
			}
			reason, ok := sourceConditionExemptions[s.Sid]
			if !ok {
				t.Errorf("%s: statement %q for %v has neither aws:SourceAccount nor aws:SourceArn", name, s.Sid, s.Principal.Service)
				continue
			}
			if s.Sid != sidChatbotAssume && s.Sid != sidLambdaAssume && !hasConditionKey(s.Condition, "kms:EncryptionContext:") {
				t.Errorf("%s: exempt statement %q (%s) has no encryption-context narrowing", name, s.Sid, reason)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("checked only %d service statements: the document list is not exercising the builders", seen)
	}
}

// A Deny to everyone needs no condition: it only ever takes access away (the
// archive's "nobody deletes" statement).
func TestNoWildcardPrincipalWithoutCondition(t *testing.T) {
	for name, d := range allDocuments(t) {
		for _, s := range d.Statement {
			wild := s.Effect == Allow && s.Principal.Any
			for _, a := range s.Principal.AWS {
				wild = wild || a == "*"
			}
			if wild && len(s.Condition) == 0 {
				t.Errorf("%s: statement %q has Principal * and no condition", name, s.Sid)
			}
		}
	}
}

func TestDocumentsAreValidAndRoundTrip(t *testing.T) {
	for name, d := range allDocuments(t) {
		js, err := d.JSON()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		back, err := ParseDocument(js)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(back, d) {
			t.Errorf("%s: round trip changed the document\n got %+v\nwant %+v", name, back, d)
		}
		if d.Version != Version {
			t.Errorf("%s: version %q", name, d.Version)
		}
		sids := map[string]bool{}
		for _, s := range d.Statement {
			if s.Sid == "" || sids[s.Sid] {
				t.Errorf("%s: empty or duplicate Sid %q", name, s.Sid)
			}
			sids[s.Sid] = true
			if len(s.Action) == 0 {
				t.Errorf("%s: statement %q has no action", name, s.Sid)
			}
		}
	}
}

func TestJSONShape(t *testing.T) {
	d := Document{Version: Version, Statement: []Statement{
		{Sid: "A", Effect: Allow, Principal: Principal{AWS: []string{"arn:aws:iam::111111111111:root"}}, Action: []string{"x:Y"}, Resource: []string{"*"}},
		{Sid: "S", Effect: Allow, Principal: Principal{Service: []string{"events.amazonaws.com"}}, Action: []string{"x:Y"},
			Condition: Conditions{"StringEquals": {"aws:SourceAccount": {"111111111111"}}}},
		{Sid: "W", Effect: Deny, Principal: Principal{Any: true}, Action: []string{"x:Y"}, Resource: []string{"r"},
			Condition: Conditions{"Bool": {"aws:SecureTransport": {"false"}}}},
		{Sid: "I", Effect: Allow, Action: []string{"x:Y"}, Resource: []string{"r"}},
	}}
	got, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"A","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root"]},"Action":["x:Y"],"Resource":["*"]},` +
		`{"Sid":"S","Effect":"Allow","Principal":{"Service":["events.amazonaws.com"]},"Action":["x:Y"],"Condition":{"StringEquals":{"aws:SourceAccount":["111111111111"]}}},` +
		`{"Sid":"W","Effect":"Deny","Principal":"*","Action":["x:Y"],"Resource":["r"],"Condition":{"Bool":{"aws:SecureTransport":["false"]}}},` +
		`{"Sid":"I","Effect":"Allow","Action":["x:Y"],"Resource":["r"]}]}`
	if got != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
}

func TestParseAcceptsAWSStringForms(t *testing.T) {
	in := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},` +
		`"Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:111111111111:t","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}}}`
	// A single statement object is legal IAM but not our Document shape;
	// wrap it as AWS also accepts.
	in = strings.Replace(in, `"Statement":{`, `"Statement":[{`, 1)
	in = strings.TrimSuffix(in, "}") + "]}"
	d, err := ParseDocument(in)
	if err != nil {
		t.Fatal(err)
	}
	s := d.Statement[0]
	if !reflect.DeepEqual(s.Principal.AWS, []string{"111111111111"}) || !reflect.DeepEqual(s.Action, []string{"sns:Publish"}) ||
		!reflect.DeepEqual(s.Condition["StringEquals"]["aws:SourceAccount"], []string{"111111111111"}) {
		t.Errorf("parsed %+v", s)
	}
	if _, err := ParseDocument(`{"Statement":[{"Principal":"someone"}]}`); err == nil {
		t.Error("a bare principal other than * was accepted")
	}
	var p Principal
	if err := json.Unmarshal([]byte(`"*"`), &p); err != nil || !p.Any {
		t.Errorf("\"*\" parsed as %+v, %v", p, err)
	}
	provider := "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
	fed := Principal{Federated: []string{provider}}
	js, err := json.Marshal(fed)
	if err != nil || string(js) != `{"Federated":["`+provider+`"]}` {
		t.Errorf("federated principal marshalled as %s, %v", js, err)
	}
	if err := json.Unmarshal([]byte(`{"Federated":"`+provider+`"}`), &p); err != nil || !reflect.DeepEqual(p, fed) {
		t.Errorf("federated principal parsed as %+v, %v", p, err)
	}
	// Dropped, an unknown kind would leave an empty principal, which the
	// evaluator reads as "whoever holds this identity policy".
	if err := json.Unmarshal([]byte(`{"CanonicalUser":"abc"}`), &p); err == nil {
		t.Error("a principal of an unknown kind was accepted")
	}
}
