package awsio_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// The account and region the tests' AWS is: the hub's.
const (
	hubAccount = "999999999999"
	hubRegion  = "eu-west-1"
)

// moto is one moto_server for the whole test binary: the tests create
// their resources under names of their own, so they share it, and it is
// started once (a few seconds) rather than per test.
var moto struct {
	once  sync.Once
	url   string
	skip  string
	err   error
	cmd   *exec.Cmd
	front *httptest.Server
	logs  bytes.Buffer
}

func TestMain(m *testing.M) {
	code := m.Run()
	if moto.front != nil {
		moto.front.Close()
	}
	if moto.cmd != nil {
		moto.cmd.Process.Kill()
		moto.cmd.Wait()
	}
	os.Exit(code)
}

// awsConfig returns the SDK configuration the function loads
// (config.LoadDefaultConfig), pointed at moto by AWS_ENDPOINT_URL as the
// hub's account. The test is skipped, saying why, when moto_server is not
// installed.
func awsConfig(t *testing.T) aws.Config {
	t.Helper()
	moto.once.Do(startMoto)
	if moto.skip != "" {
		t.Skip(moto.skip)
	}
	if moto.err != nil {
		t.Fatal(moto.err)
	}
	t.Setenv("AWS_ENDPOINT_URL", moto.url)
	// moto takes a 12-digit access key ID as the caller's account.
	t.Setenv("AWS_ACCESS_KEY_ID", hubAccount)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "moto")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", hubRegion)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startMoto starts moto_server on a free local port and puts a front in
// front of it that passes one request at a time. DynamoDB applies each
// conditional write atomically (DynamoDB Developer Guide, "Condition
// expressions"); moto evaluates the condition and then writes, without a
// lock, on a threaded server, so two concurrent PutItems could both pass
// their condition. One request at a time restores DynamoDB's guarantee;
// the engine's own races (Get, then a conditional Put, from many
// invocations) still interleave freely between requests.
func startMoto() {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		moto.skip = "moto_server is not installed (pip install 'moto[server]'): the DynamoDB, SNS, SQS and SSM integration tests need a local AWS API"
		return
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		moto.err = err
		return
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	// Recent moto versions take a 12-digit access key ID as the account
	// (awsConfig sets one); MOTO_ACCOUNT_ID makes older ones agree.
	cmd.Env = append(os.Environ(), "MOTO_ACCOUNT_ID="+hubAccount)
	cmd.Stdout, cmd.Stderr = &moto.logs, &moto.logs
	if err := cmd.Start(); err != nil {
		moto.err = fmt.Errorf("starting moto_server: %w", err)
		return
	}
	moto.cmd = cmd
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	// Readiness, not timing: poll until moto answers or give up.
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 300 {
			moto.err = fmt.Errorf("moto_server did not start: %w\n%s", err, moto.logs.String())
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	target, _ := url.Parse(base)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var one sync.Mutex
	moto.front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		one.Lock()
		defer one.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	moto.url = moto.front.URL
}
