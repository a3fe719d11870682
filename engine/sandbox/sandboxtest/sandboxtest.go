// Package sandboxtest starts a sandbox stack for a test and logs its users
// in the way a client does: over HTTP, through the registry's token
// exchange and credentials endpoint. Tests of client code get real AWS
// SDK configurations pointed at the sandbox from it.
package sandboxtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

// Env is a running sandbox for one test.
type Env struct {
	*sandbox.Running
	Clock *Clock
}

// Start runs a sandbox on loopback for the length of t. Unless opts.Now is
// set, the sandbox reads the time from the Env's Clock, which a test can
// move forward to expire credentials.
func Start(t testing.TB, opts sandbox.Options) *Env {
	t.Helper()
	clock := &Clock{}
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	if opts.ScratchDir == "" {
		opts.ScratchDir = t.TempDir()
	}
	run, err := sandbox.Start("127.0.0.1:0", opts)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	t.Cleanup(func() {
		if err := run.Close(); err != nil {
			t.Errorf("stopping the sandbox: %v", err)
		}
	})
	return &Env{Running: run, Clock: clock}
}

// Clock is a settable clock: the real time plus an offset.
type Clock struct{ offset atomic.Int64 }

// Now is the clock's time.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// User returns the sandbox's Info about user (a name or an email).
func (e *Env) User(t testing.TB, user string) sandbox.UserInfo {
	t.Helper()
	u, err := e.Info.User(user)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Tokens are the registry's reply to a token exchange.
type Tokens struct {
	AccessToken  string  `json:"access_token"`
	RefreshToken string  `json:"refresh_token"`
	ExpiresAt    float64 `json:"expires_at"`
}

// Login exchanges user's refresh token at the registry, as quiltq does,
// and returns the tokens.
func (e *Env) Login(t testing.TB, user string) Tokens {
	t.Helper()
	form := url.Values{"refresh_token": {e.User(t, user).RefreshToken}}
	resp, err := http.Post(e.Info.RegistryURL+"/api/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("token exchange: %v", err)
	}
	var tok Tokens
	decode(t, resp, &tok)
	if tok.AccessToken == "" {
		t.Fatalf("token exchange for %s gave no access token", user)
	}
	return tok
}

// Credentials logs user in and fetches AWS credentials from the registry.
func (e *Env) Credentials(t testing.TB, user string) aws.Credentials {
	t.Helper()
	tok := e.Login(t, user)
	req, err := http.NewRequest(http.MethodGet, e.Info.RegistryURL+"/api/auth/get_credentials", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("get_credentials: %v", err)
	}
	var c struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      time.Time
	}
	decode(t, resp, &c)
	return aws.Credentials{
		AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		CanExpire: true, Expires: c.Expiration, Source: "sandboxtest",
	}
}

// AWSConfig is an SDK configuration that acts as user against the
// sandbox's AWS endpoint, with the SDK's retries turned off so that a test
// sees every reply.
func (e *Env) AWSConfig(t testing.TB, user string) aws.Config {
	t.Helper()
	return e.ConfigFor(e.Credentials(t, user))
}

// ConfigFor is an SDK configuration with the given credentials.
func (e *Env) ConfigFor(c aws.Credentials) aws.Config {
	return aws.Config{
		Region:       e.Info.Region,
		BaseEndpoint: aws.String(e.Info.AWSEndpointURL),
		Credentials:  credentials.StaticCredentialsProvider{Value: c},
		Retryer:      Retryer,
	}
}

// Retryer retries nothing a test could be asserting on, only the race that
// loopback makes common: the SDK closes a request's body as soon as the
// reply's headers arrive, and when net/http's writer is still checking that
// body for bytes past its Content-Length, the connection is closed under
// the reply being read ("use of closed network connection" at status 200).
// The SDK's standard retryer retries that error for the same reason
// (aws/aws-sdk-go-v2#2737, fixed by retrying net.ErrClosed in #2949); a
// test with no retries at all would fail on it now and then.
func Retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			return aws.BoolTernary(errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "use of closed network connection"))
		})}
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		o.RateLimiter = ratelimit.None
	})
}

func decode(t testing.TB, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: reading the reply: %v", resp.Request.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d: %s", resp.Request.URL.Path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%s: %v in %s", resp.Request.URL.Path, err, body)
	}
}

// Context is a context for one test call, bounded so that a hung
// sandbox fails the test instead of the whole run.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// String shows the Env's endpoint, for test logs.
func (e *Env) String() string { return fmt.Sprintf("sandbox at %s", e.Info.CatalogURL) }

// TwoStacks is the sandbox's stack in an account that holds a second
// Quilt stack, "alpha", whose Tabulator catalog and workgroup sort before
// this stack's: what tests of the Quilt catalog's choices start from.
func TwoStacks(t testing.TB) *stack.Stack {
	t.Helper()
	st, err := stack.Default()
	if err != nil {
		t.Fatal(err)
	}
	st.DataCatalogs = append(st.DataCatalogs, stack.DataCatalog{Name: "quilt-alpha-tabulator", Type: "LAMBDA",
		Parameters: map[string]string{"function": "arn:aws:lambda:us-east-1:123456789012:function:quilt-alpha-tabulator"}})
	st.Workgroups = append(st.Workgroups, stack.Workgroup{Name: "QuiltUserAthena-alpha-NonManagedRoleWorkgroup", State: "ENABLED",
		OutputLocation: "s3://alpha-userathenaresultsbucket-0000/athena-results/"})
	return st
}

// Failure runs sql in workgroup as user, straight through the SDK (no
// quiltq code in between), and returns the reason Athena gives for its
// failure: the text a user would paste. A query that succeeds fails the
// test.
func (e *Env) Failure(t testing.TB, user, sql, workgroup string) string {
	t.Helper()
	ctx := context.Background()
	client := awsathena.NewFromConfig(e.AWSConfig(t, user))
	start, err := client.StartQueryExecution(ctx, &awsathena.StartQueryExecutionInput{QueryString: aws.String(sql), WorkGroup: aws.String(workgroup)})
	if err != nil {
		t.Fatal(err)
	}
	for {
		out, err := client.GetQueryExecution(ctx, &awsathena.GetQueryExecutionInput{QueryExecutionId: start.QueryExecutionId})
		if err != nil {
			t.Fatal(err)
		}
		switch out.QueryExecution.Status.State {
		case athenatypes.QueryExecutionStateFailed:
			return aws.ToString(out.QueryExecution.Status.StateChangeReason)
		case athenatypes.QueryExecutionStateSucceeded, athenatypes.QueryExecutionStateCancelled:
			t.Fatalf("%s's query ended %s, want it to fail: %s", user, out.QueryExecution.Status.State, sql)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
