package awsio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Webhook call settings.
const (
	// webhookTimeout bounds one call, connection to the end of the answer
	// (http.Client.Timeout), so a slow endpoint cannot use up the
	// function's 60 seconds that other destinations need.
	webhookTimeout = 10 * time.Second
	// urlCacheFor is how long a URL read from its parameter is used: a
	// warm function reads each parameter at most every five minutes, and a
	// URL changed in the parameter is used within five minutes.
	urlCacheFor = 5 * time.Minute
	// maxAnswer is how much of an answer is read (and dropped) so the
	// connection can be reused; an endpoint answering more is not waited
	// for.
	maxAnswer = 64 << 10
)

type cachedURL struct {
	url   string
	until time.Time
}

// webhookClient follows no redirect: Go's client would send the body to
// wherever the endpoint points and set Referer to the webhook URL (net/http
// Client: a followed redirect carries "Referer" from the previous URL),
// handing the credential a webhook URL carries to another host.
// http.ErrUseLastResponse returns the 3xx answer itself, which Post counts
// as a failure.
func webhookClient(t http.RoundTripper) *http.Client {
	return &http.Client{
		Transport: t,
		Timeout:   webhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Post implements engine.Sender: it sends body as JSON to the HTTPS URL
// held in the SecureString parameter. Only a 2xx answer is a delivery. The
// URL is never logged nor put in an error, since it is the webhook's
// credential (Slack's incoming-webhook guide treats it as a token, to keep
// out of source code; the stack keeps it in an encrypted parameter for the
// same reason). A failed call forgets the
// cached URL, so the retry reads the parameter again and picks up a
// replaced URL at once.
func (s *Sender) Post(ctx context.Context, parameter string, body []byte) error {
	u, err := s.webhookURL(ctx, parameter)
	if err != nil {
		return err
	}
	if err := s.post(ctx, u, body); err != nil {
		s.mu.Lock()
		delete(s.urls, parameter)
		s.mu.Unlock()
		return fmt.Errorf("calling the webhook whose URL is in %s: %w", parameter, err)
	}
	return nil
}

// webhookURL reads the URL in parameter, or the one read less than
// urlCacheFor ago. WithDecryption returns a SecureString's plain value
// (Systems Manager API Reference, GetParameter, WithDecryption).
func (s *Sender) webhookURL(ctx context.Context, parameter string) (string, error) {
	now := s.now()
	s.mu.Lock()
	c, ok := s.urls[parameter]
	s.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.url, nil
	}
	out, err := s.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(parameter), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("reading webhook parameter %s: %w", parameter, err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil || *out.Parameter.Value == "" {
		return "", fmt.Errorf("reading webhook parameter %s: it has no value", parameter)
	}
	u := *out.Parameter.Value
	s.mu.Lock()
	s.urls[parameter] = cachedURL{url: u, until: now.Add(urlCacheFor)}
	s.mu.Unlock()
	return u, nil
}

// post makes one call. Its errors never contain the URL: url.Error, which
// net/http wraps every request error in, prints it, so only the cause
// inside is kept.
func (s *Sender) post(ctx context.Context, rawURL string, body []byte) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return errors.New("the parameter does not hold a URL")
	}
	// The stack only accepts https:// webhooks; a parameter changed to
	// http:// would send the alert, and the URL's credential, in clear.
	if u.Scheme != "https" {
		return errors.New("the parameter does not hold an https:// URL")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return errors.New("the parameter does not hold a URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return fmt.Errorf("posting to the webhook: %w", ue.Err)
		}
		return fmt.Errorf("posting to the webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the webhook answered HTTP %d", resp.StatusCode)
	}
	return nil
}
