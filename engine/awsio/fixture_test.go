package awsio_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"secalerts/engine"
	"secalerts/engine/awsio"
	"secalerts/severity"
)

var serial atomic.Int64

// uniqueName makes a resource name of the test's own.
func uniqueName(t *testing.T, what string) string {
	name := regexp.MustCompile(`[^a-zA-Z0-9-]+`).ReplaceAllString(t.Name(), "-")
	if len(name) > 40 {
		name = name[:40]
	}
	return fmt.Sprintf("%s-%s-%d", what, name, serial.Add(1))
}

// newTable creates a state table as the stack does: string keys pk and sk.
func newTable(t *testing.T, cfg aws.Config) string {
	t.Helper()
	name := uniqueName(t, "state")
	_, err := dynamodb.NewFromConfig(cfg).CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
		},
		KeySchema: []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange},
		},
	})
	if err != nil {
		t.Fatalf("creating table %s: %v", name, err)
	}
	return name
}

// topic is an SNS topic with an SQS queue subscribed to it, as a
// subscriber sees it: RawMessageDelivery off, so each message is the SNS
// envelope with its subject and attributes.
type topic struct {
	arn, queue string
}

func newTopic(t *testing.T, cfg aws.Config, what string) topic {
	t.Helper()
	ctx := context.Background()
	name := uniqueName(t, what)
	tp, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(cfg)
	qu, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	qa, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: qu.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: tp.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qa.Attributes["QueueArn"]),
		Attributes: map[string]string{"RawMessageDelivery": "false"},
	}); err != nil {
		t.Fatal(err)
	}
	return topic{arn: *tp.TopicArn, queue: *qu.QueueUrl}
}

// envelope is the SNS message an SQS subscriber receives.
type envelope struct {
	Type              string
	TopicArn          string
	Subject           *string
	Message           string
	MessageAttributes map[string]struct{ Type, Value string }
}

// messages reads every message waiting in the topic's queue. It is called
// once per queue, after the deliveries: what it reads stays invisible.
func (tp topic) messages(t *testing.T, cfg aws.Config) []envelope {
	t.Helper()
	var out []envelope
	for {
		r, err := sqs.NewFromConfig(cfg).ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(tp.queue), MaxNumberOfMessages: 10, VisibilityTimeout: 600,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Messages) == 0 {
			return out
		}
		for _, m := range r.Messages {
			var e envelope
			if err := json.Unmarshal([]byte(*m.Body), &e); err != nil {
				t.Fatalf("not an SNS envelope: %v\n%s", err, *m.Body)
			}
			out = append(out, e)
		}
	}
}

// putURL stores a webhook URL as the stack does: a SecureString parameter.
func putURL(t *testing.T, cfg aws.Config, name, url string) {
	t.Helper()
	if _, err := ssm.NewFromConfig(cfg).PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(name), Value: aws.String(url), Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(true),
	}); err != nil {
		t.Fatal(err)
	}
}

// receiver is a webhook endpoint over TLS. Its URL path holds a token, as
// a Slack incoming webhook's does, which must never show in an error.
type receiver struct {
	srv   *httptest.Server
	url   string
	token string
	// status answers the nth call (from 1); nil answers 200.
	status func(n int) int

	mu    sync.Mutex
	calls []call
}

type call struct {
	path, contentType string
	body              []byte
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	r := &receiver{status: status, token: "T0KEN-" + uniqueName(t, "secret")}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.calls = append(r.calls, call{path: req.URL.Path, contentType: req.Header.Get("Content-Type"), body: body})
		n := len(r.calls)
		r.mu.Unlock()
		code := http.StatusOK
		if r.status != nil {
			code = r.status(n)
		}
		w.WriteHeader(code)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(r.srv.Close)
	r.url = r.srv.URL + "/services/" + r.token
	return r
}

func (r *receiver) received() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

// noURL fails if err shows the webhook's URL or its token.
func (r *receiver) noURL(t *testing.T, err error) {
	t.Helper()
	if err != nil && (strings.Contains(err.Error(), r.token) || strings.Contains(err.Error(), r.srv.URL)) {
		t.Errorf("the error shows the webhook URL: %v", err)
	}
}

// The customer of the delivery tests and the accounts of the samples.
const (
	customer       = "acme"
	memberAccount  = "111122223333"
	webhookID      = "webhook:ops"
	chatID         = "slack:acme/alerts"
	emailLow       = "email:soc@example.com"
	emailHigh      = "email:ciso@example.com"
	heartbeatHours = 3
)

// hub is a hub on moto: its state table, a customer with a Chatbot
// channel's topic, two e-mail addresses on one e-mail topic (each with
// its own minimum severity), a webhook, and the operator's topic.
type hub struct {
	cfg                   aws.Config
	table                 string
	chat, email, operator topic
	webhook               *receiver
	parameter             string
	plan                  *engine.Config
}

func newHub(t *testing.T, webhookStatus func(n int) int) *hub {
	t.Helper()
	cfg := awsConfig(t)
	h := &hub{cfg: cfg, table: newTable(t, cfg), chat: newTopic(t, cfg, "chat"), email: newTopic(t, cfg, "email"),
		operator: newTopic(t, cfg, "operator"), webhook: newReceiver(t, webhookStatus)}
	h.parameter = "/secalerts/" + customer + "/webhooks/" + uniqueName(t, "ops")
	putURL(t, cfg, h.parameter, h.webhook.url)
	h.plan = &engine.Config{
		Hub:       engine.Hub{Account: hubAccount, Region: hubRegion, Partition: "aws", OperatorTopic: h.operator.arn},
		Heartbeat: &engine.HeartbeatSettings{MissingAfterMinutes: heartbeatHours * 60, RemindEveryHours: 24, ForgetAfterDays: 8},
		Customers: []engine.Customer{{
			Name:     customer,
			Accounts: []engine.Account{{ID: memberAccount, Name: "production"}},
			Destinations: []engine.Destination{
				{ID: chatID, Kind: engine.Slack, MinSeverity: severity.Low, Topic: h.chat.arn},
				{ID: emailLow, Kind: engine.Email, MinSeverity: severity.Low, Topic: h.email.arn},
				{ID: emailHigh, Kind: engine.Email, MinSeverity: severity.High, Topic: h.email.arn},
				{ID: webhookID, Kind: engine.Webhook, MinSeverity: severity.Medium, Parameter: h.parameter, Format: "json"},
			},
		}},
	}
	// The document the function reads is JSON: the plan must survive it.
	data, err := json.Marshal(h.plan)
	if err != nil {
		t.Fatal(err)
	}
	if h.plan, err = engine.ParseConfig(data); err != nil {
		t.Fatal(err)
	}
	return h
}

// engine is a new engine on the hub's table, with a store and sender of its
// own: what a new process of the function would build.
func (h *hub) engine(t *testing.T, now func() time.Time) *engine.Engine {
	t.Helper()
	e, err := engine.New(h.plan, engine.Options{
		Store:  awsio.NewDynamoStore(h.cfg, h.table),
		Sender: awsio.NewSender(h.cfg, awsio.SenderOptions{Transport: h.webhook.srv.Client().Transport}),
		Now:    now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// sample reads a sample event of testdata/events, as a member of the
// customer sent it.
func sample(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["account"] != memberAccount {
		t.Fatalf("%s is of account %v, not the customer's %s", name, doc["account"], memberAccount)
	}
	return data
}
