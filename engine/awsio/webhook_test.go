package awsio_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"secalerts/engine/awsio"
)

// TestWebhookFailures: what a webhook call refuses or counts as failed,
// and that no error shows the URL.
func TestWebhookFailures(t *testing.T) {
	cfg := awsConfig(t)
	elsewhere := newReceiver(t, nil)
	redirect := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.url, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a webhook was called over plain HTTP")
	}))
	t.Cleanup(plain.Close)
	// One transport trusting every test server's certificate: they share
	// httptest's.
	transport := elsewhere.srv.Client().Transport

	for _, tc := range []struct {
		name   string
		url    string
		status func(int) int
		want   string
	}{
		{"redirect", redirect.URL + "/services/T0KEN-redirect", nil, "HTTP 307"},
		{"not found", "", func(int) int { return 404 }, "HTTP 404"},
		{"server error", "", func(int) int { return 503 }, "HTTP 503"},
		{"plain http", plain.URL + "/services/T0KEN-plain", nil, "https://"},
		{"not a URL", "T0KEN-not-a-url", nil, "does not hold a URL"},
		{"nothing listening", "https://127.0.0.1:1/services/T0KEN-closed", nil, "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReceiver(t, tc.status)
			u := tc.url
			if u == "" {
				u = r.url
			}
			param := "/secalerts/acme/webhooks/" + uniqueName(t, "hook")
			putURL(t, cfg, param, u)
			err := awsio.NewSender(cfg, awsio.SenderOptions{Transport: transport}).Post(context.Background(), param, []byte(`{}`))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), param) {
				t.Fatalf("got %v, want an error naming %q and the parameter", err, tc.want)
			}
			// Every URL's path holds a token; a network error may name the
			// host and port it could not reach, never the path.
			r.noURL(t, err)
			elsewhere.noURL(t, err)
			if strings.Contains(err.Error(), "T0KEN") || strings.Contains(err.Error(), u) {
				t.Errorf("the error shows the URL: %v", err)
			}
		})
	}
	if n := len(elsewhere.received()); n != 0 {
		t.Errorf("the redirect was followed: %d calls", n)
	}
}

// TestWebhookURLCache: a URL is read once per five minutes, and again at
// once after a failed call, so a replaced URL is used without waiting.
func TestWebhookURLCache(t *testing.T) {
	cfg := awsConfig(t)
	first := newReceiver(t, func(n int) int {
		if n == 3 {
			return 410 // the endpoint was removed
		}
		return 200
	})
	second := newReceiver(t, nil)
	param := "/secalerts/acme/webhooks/" + uniqueName(t, "hook")
	putURL(t, cfg, param, first.url)
	c := &clock{t: t0}
	s := awsio.NewSender(cfg, awsio.SenderOptions{Transport: first.srv.Client().Transport, Now: c.Now})
	post := func() error { return s.Post(context.Background(), param, []byte(`{"n":1}`)) }

	if err := post(); err != nil {
		t.Fatal(err)
	}
	putURL(t, cfg, param, second.url)
	c.set(t0.Add(4 * time.Minute))
	if err := post(); err != nil {
		t.Fatal(err)
	}
	if len(first.received()) != 2 || len(second.received()) != 0 {
		t.Errorf("within five minutes: %d calls to the first URL, %d to the second", len(first.received()), len(second.received()))
	}
	c.set(t0.Add(5 * time.Minute))
	if err := post(); err != nil {
		t.Fatal(err)
	}
	if len(second.received()) != 1 {
		t.Errorf("after five minutes the new URL got %d calls", len(second.received()))
	}

	// The first URL again, failing: the next call reads the parameter.
	putURL(t, cfg, param, first.url)
	c.set(t0.Add(11 * time.Minute))
	if err := post(); err == nil {
		t.Fatal("the removed endpoint's 410 was taken as a delivery")
	}
	putURL(t, cfg, param, second.url)
	if err := post(); err != nil {
		t.Fatal(err)
	}
	if len(second.received()) != 2 {
		t.Errorf("after a failure the replaced URL got %d calls, want it at once", len(second.received()))
	}
}

// TestWebhookLongAnswer: an endpoint that answers at length is not read
// to its end.
func TestWebhookLongAnswer(t *testing.T) {
	cfg := awsConfig(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		chunk := []byte(strings.Repeat("x", 1<<16))
		for range 512 { // 32 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	param := "/secalerts/acme/webhooks/" + uniqueName(t, "hook")
	putURL(t, cfg, param, srv.URL+"/long")
	if err := awsio.NewSender(cfg, awsio.SenderOptions{Transport: srv.Client().Transport}).Post(context.Background(), param, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
}
