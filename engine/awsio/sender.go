package awsio

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Sender is engine.Sender on SNS (chat and e-mail topics) and HTTPS
// (webhooks, whose URLs it reads from Systems Manager). It is safe for
// concurrent use.
type Sender struct {
	sns  *sns.Client
	ssm  *ssm.Client
	http *http.Client
	now  func() time.Time

	mu   sync.Mutex
	urls map[string]cachedURL
}

// SenderOptions adjust a Sender; the zero value is what the function uses.
type SenderOptions struct {
	// Transport carries webhook calls; nil is http.DefaultTransport.
	Transport http.RoundTripper
	// Now is the clock of the URL cache; nil is time.Now.
	Now func() time.Time
}

// NewSender returns a Sender with the SDK configuration cfg.
func NewSender(cfg aws.Config, o SenderOptions) *Sender {
	s := &Sender{sns: sns.NewFromConfig(cfg), ssm: ssm.NewFromConfig(cfg), now: o.Now, urls: map[string]cachedURL{}}
	if s.now == nil {
		s.now = time.Now
	}
	s.http = webhookClient(o.Transport)
	return s
}

// Publish implements engine.Sender. The subject is only sent when there is
// one: it is the Subject line of e-mail endpoints and is copied into the
// JSON that other endpoints get (SNS API Reference, Publish, Subject), and
// a Chatbot message has none. Attributes are of data type Number, which an
// e-mail subscription's numeric filter compares (SNS Developer Guide,
// "Numeric value matching": its examples match attributes of "Type":
// "Number").
func (s *Sender) Publish(ctx context.Context, topic, subject string, body []byte, attrs map[string]int) error {
	in := &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(string(body))}
	if subject != "" {
		in.Subject = aws.String(subject)
	}
	if len(attrs) > 0 {
		in.MessageAttributes = make(map[string]snstypes.MessageAttributeValue, len(attrs))
		for name, n := range attrs {
			in.MessageAttributes[name] = snstypes.MessageAttributeValue{
				DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(n)),
			}
		}
	}
	if _, err := s.sns.Publish(ctx, in); err != nil {
		return fmt.Errorf("publishing to topic %s: %w", topic, err)
	}
	return nil
}
