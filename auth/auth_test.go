package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// counter is an http.RoundTripper that counts requests by path.
type counter struct {
	tr *http.Transport
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.n[r.URL.Path]++
	c.mu.Unlock()
	return c.tr.RoundTrip(r)
}

func (c *counter) get(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}

const (
	tokenPath = "/registry/api/token"
	credsPath = "/registry/api/auth/get_credentials"
)

// registryFor is a client of env's registry on env's clock that counts
// its requests.
func registryFor(t *testing.T, env *sandboxtest.Env) (*Registry, *counter) {
	c := &counter{tr: http.DefaultTransport.(*http.Transport).Clone(), n: map[string]int{}}
	// Concurrent requests can leave a dialed but unused connection, which
	// the sandbox's shutdown would wait for; close them first (cleanups
	// run in reverse order, so this runs before the sandbox stops).
	t.Cleanup(c.tr.CloseIdleConnections)
	return &Registry{URL: env.Info.RegistryURL, HTTPClient: &http.Client{Transport: c}, Now: env.Clock.Now}, c
}

// wantKind fails unless err is an engine.Error of kind whose text holds
// every one of want and none of secrets.
func wantKind(t *testing.T, err error, kind engine.Kind, want []string, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want a %v error", kind)
	}
	if got := engine.KindOf(err); got != kind {
		t.Errorf("kind %v, want %v (error: %v)", got, kind, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	noSecrets(t, err, secrets...)
}

// noSecrets fails if the error's text, or any error in its chain, holds
// a secret.
func noSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range secrets {
			if s != "" && (strings.Contains(e.Error(), s) || strings.Contains(fmt.Sprintf("%+v %#v", e, e), s)) {
				t.Errorf("error %q reveals a token", e)
			}
		}
	}
}

func TestDiscoverSandbox(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	for _, u := range []string{env.Info.CatalogURL, env.Info.CatalogURL + "//", "  " + env.Info.CatalogURL + "/ "} {
		c, err := Discover(context.Background(), nil, u)
		if err != nil {
			t.Fatalf("Discover(%q): %v", u, err)
		}
		if c.URL != env.Info.CatalogURL || c.RegistryURL != env.Info.RegistryURL || c.Region != env.Info.Region {
			t.Errorf("Discover(%q) = URL %q, registry %q, region %q; want %q, %q, %q", u, c.URL, c.RegistryURL, c.Region, env.Info.CatalogURL, env.Info.RegistryURL, env.Info.Region)
		}
		if c.StackVersion != "1.71.0" || c.Mode != "PRODUCT" {
			t.Errorf("stack version %q, mode %q; want 1.71.0, PRODUCT", c.StackVersion, c.Mode)
		}
		if got, want := c.TabulatorCatalog(), "quilt-sales-prod-tabulator"; got != want {
			t.Errorf("TabulatorCatalog = %q, want %q", got, want)
		}
	}
}

func TestDiscoverReplies(t *testing.T) {
	var reply func(w http.ResponseWriter, r *http.Request)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reply(w, r) }))
	defer srv.Close()

	tests := []struct {
		name   string
		reply  func(w http.ResponseWriter, r *http.Request)
		kind   engine.Kind
		want   []string
		wantOK func(t *testing.T, c *Catalog)
	}{
		{
			name: "login page",
			reply: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, "<!DOCTYPE html><html><body>Sign in</body></html>")
			},
			kind: engine.Invalid,
			want: []string{srv.URL + "/config.json", "HTTP 200", "text/html", "Quilt catalog"},
		},
		{
			name: "proxy error",
			reply: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				fmt.Fprint(w, "<html>502 Bad Gateway</html>")
			},
			kind: engine.Invalid,
			want: []string{"HTTP 502", "text/html"},
		},
		{
			name:  "not found",
			reply: func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			kind:  engine.NotFound,
			want:  []string{"HTTP 404"},
		},
		{
			name: "JSON that is not a config",
			reply: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `["not", "an", "object"]`)
			},
			kind: engine.Invalid,
			want: []string{"not a catalog configuration"},
		},
		{
			name: "truncated JSON",
			reply: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"region": "us-e`)
			},
			kind: engine.Invalid,
			want: []string{"not a catalog configuration"},
		},
		{
			name: "no registryUrl",
			reply: func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"region": "eu-west-1", "analyticsBucket": "nostack"}`)
			},
			wantOK: func(t *testing.T, c *Catalog) {
				if c.RegistryURL != srv.URL || c.Region != "eu-west-1" {
					t.Errorf("registry %q, region %q; want %q, eu-west-1", c.RegistryURL, c.Region, srv.URL)
				}
				if c.TabulatorCatalog() != "" {
					t.Errorf("TabulatorCatalog = %q, want \"\" for an analytics bucket without a stack name", c.TabulatorCatalog())
				}
			},
		},
		{
			name: "relative registryUrl",
			reply: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"registryUrl": "/api-registry/", "region": "eu-west-1"}`)
			},
			wantOK: func(t *testing.T, c *Catalog) {
				if c.RegistryURL != srv.URL+"/api-registry" {
					t.Errorf("registry %q, want %q", c.RegistryURL, srv.URL+"/api-registry")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply = tt.reply
			c, err := Discover(context.Background(), srv.Client(), srv.URL+"/")
			if tt.wantOK != nil {
				if err != nil {
					t.Fatalf("Discover: %v", err)
				}
				tt.wantOK(t, c)
				return
			}
			wantKind(t, err, tt.kind, tt.want)
			if strings.Contains(err.Error(), "invalid character") || strings.Contains(err.Error(), "unexpected end of JSON") {
				t.Errorf("error %q is a JSON decoding error", err)
			}
		})
	}
}

func TestDiscoverUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := Discover(context.Background(), nil, url)
	wantKind(t, err, engine.Other, []string{"cannot reach the Quilt catalog at " + url, "check the address"})

	_, err = Discover(context.Background(), nil, "ftp://catalog.example.com")
	wantKind(t, err, engine.Invalid, []string{"not an http(s) address"})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Discover(ctx, nil, "http://127.0.0.1:1")
	wantKind(t, err, engine.Canceled, nil)
}

func TestStackName(t *testing.T) {
	tests := []struct{ bucket, stack, tabulator string }{
		{"quilt-staging-analyticsbucket-10ort3e91tnoa", "quilt-staging", "quilt-quilt-staging-tabulator"},
		{"tf-stable-analyticsbucket-abc", "tf-stable", "quilt-tf-stable-tabulator"},
		{"Quilt-Prod-AnalyticsBucket-XYZ", "quilt-prod", "quilt-quilt-prod-tabulator"},
		{"quilt-staging-analytics", "", ""},
		{"-analyticsbucket-x", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		c := &Catalog{AnalyticsBucket: tt.bucket}
		if got := c.StackName(); got != tt.stack {
			t.Errorf("StackName(%q) = %q, want %q", tt.bucket, got, tt.stack)
		}
		if got := c.TabulatorCatalog(); got != tt.tabulator {
			t.Errorf("TabulatorCatalog(%q) = %q, want %q", tt.bucket, got, tt.tabulator)
		}
	}
}

func TestExchangeRotates(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{AccessTokenTTL: 10 * time.Minute})
	reg, _ := registryFor(t, env)
	ctx := context.Background()
	t0 := env.User(t, "analyst").RefreshToken

	first, err := reg.Exchange(ctx, t0)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if first.RefreshToken == t0 || first.AccessToken == "" {
		t.Fatalf("Exchange kept the refresh token or gave no access token")
	}
	if d := first.ExpiresAt.Sub(env.Clock.Now()); d < 9*time.Minute || d > 11*time.Minute {
		t.Errorf("access token expires in %v, want about 10m", d)
	}
	second, err := reg.Exchange(ctx, first.RefreshToken)
	if err != nil {
		t.Fatalf("second Exchange with the rotated token: %v", err)
	}
	if second.RefreshToken == first.RefreshToken {
		t.Errorf("the second exchange did not rotate the refresh token")
	}
	// Using the successor revoked the first token.
	_, err = reg.Exchange(ctx, t0)
	wantKind(t, err, engine.Credentials, []string{"the Quilt login is no longer valid (Invalid refresh token)", "quiltq login"},
		t0, first.RefreshToken, first.AccessToken, second.RefreshToken, second.AccessToken)
	_, err = reg.Exchange(ctx, "not-a-token")
	wantKind(t, err, engine.Credentials, []string{"quiltq login"}, "not-a-token")
}

func TestCredentials(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{CredentialTTL: 30 * time.Minute})
	reg, _ := registryFor(t, env)
	ctx := context.Background()
	tok, err := reg.Exchange(ctx, env.User(t, "reader").RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := reg.Credentials(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("Credentials: %v", err)
	}
	if d := creds.Expires.Sub(env.Clock.Now()); !creds.CanExpire || d < 29*time.Minute || d > 31*time.Minute {
		t.Errorf("credentials expire in %v (can expire %v), want about 30m", d, creds.CanExpire)
	}
	// The credentials are the reader's, as STS says.
	out, err := sts.NewFromConfig(env.ConfigFor(creds)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if arn := aws.ToString(out.Arn); !strings.Contains(arn, "assumed-role/ReadOnlyQuilt/reader") {
		t.Errorf("caller %s, want the reader in ReadOnlyQuilt", arn)
	}

	_, err = reg.Credentials(ctx, "garbage")
	wantKind(t, err, engine.Credentials, []string{"Token could not be deserialized", "quiltq login"}, "garbage")

	// A clock two hours fast finds the credentials expired already.
	fast := *reg
	fast.Now = func() time.Time { return env.Clock.Now().Add(2 * time.Hour) }
	tok2, err := reg.Exchange(ctx, tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	_, err = fast.Credentials(ctx, tok2.AccessToken)
	wantKind(t, err, engine.Credentials, []string{"already past", "check that the computer's clock"}, tok2.AccessToken)
}

func TestSessionRefreshesBeforeExpiry(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{AccessTokenTTL: 2 * time.Minute})
	reg, count := registryFor(t, env)
	var rotated []Tokens
	s := NewSession(reg, Tokens{RefreshToken: env.User(t, "analyst").RefreshToken}, SessionOptions{
		Source:   SourceSandbox,
		OnRotate: func(t Tokens) error { rotated = append(rotated, t); return nil },
	})
	ctx := context.Background()
	retrieve := func(wantExchanges int) {
		t.Helper()
		c, err := s.Retrieve(ctx)
		if err != nil {
			t.Fatalf("Retrieve: %v", err)
		}
		if c.Source != SourceSandbox || c.AccessKeyID == "" {
			t.Errorf("credentials from %q with key %q, want sandbox and a key", c.Source, c.AccessKeyID)
		}
		if got := count.get(tokenPath); got != wantExchanges {
			t.Errorf("%d exchanges, want %d", got, wantExchanges)
		}
		if len(rotated) != wantExchanges {
			t.Errorf("OnRotate called %d times, want %d", len(rotated), wantExchanges)
		}
	}
	retrieve(1)
	env.Clock.Advance(30 * time.Second) // 90 s left: fresh
	retrieve(1)
	env.Clock.Advance(31 * time.Second) // 59 s left: inside the margin
	retrieve(2)
	if rotated[0].RefreshToken == rotated[1].RefreshToken {
		t.Errorf("the refresh did not rotate the refresh token")
	}
	env.Clock.Advance(5 * time.Minute) // long expired
	retrieve(3)
	if got := count.get(credsPath); got != 4 {
		t.Errorf("%d credential requests, want 4", got)
	}
	tok, err := s.AccessToken(ctx)
	if err != nil || tok != rotated[2].AccessToken {
		t.Errorf("AccessToken = the latest? %v (err %v)", tok == rotated[2].AccessToken, err)
	}
	if str := fmt.Sprintf("%v %+v %#v", s, s, s); strings.Contains(str, tok) || strings.Contains(str, rotated[2].RefreshToken) {
		t.Errorf("printing the session reveals a token: %s", str)
	}
}

func TestSessionRevokedToken(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	reg, _ := registryFor(t, env)
	ctx := context.Background()
	t0 := env.User(t, "analyst").RefreshToken
	t1, err := reg.Exchange(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Exchange(ctx, t1.RefreshToken); err != nil { // revokes t0
		t.Fatal(err)
	}
	s := NewSession(reg, Tokens{RefreshToken: t0}, SessionOptions{Source: SourceEnv})
	_, err = s.Retrieve(ctx)
	wantKind(t, err, engine.Credentials, []string{"quiltq login"}, t0, t1.RefreshToken, t1.AccessToken)
	// Through the SDK, as queries meet it.
	cfg, err := AWSConfig(ctx, AWSParams{Region: env.Info.Region, Endpoint: env.Info.AWSEndpointURL, Credentials: s})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil || !strings.Contains(err.Error(), "quiltq login") || engine.KindOf(err) != engine.Credentials {
		t.Errorf("GetCallerIdentity = %v, want a Credentials error saying how to log in again", err)
	}
	noSecrets(t, err, t0, t1.RefreshToken, t1.AccessToken)
}

func TestSessionConcurrentRetrieve(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	reg, count := registryFor(t, env)
	s := NewSession(reg, Tokens{RefreshToken: env.User(t, "admin").RefreshToken}, SessionOptions{Source: SourceEnv})
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Retrieve(context.Background()); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Retrieve: %v", err)
	}
	if got := count.get(tokenPath); got != 1 {
		t.Errorf("%d exchanges for %d concurrent Retrieves, want 1", got, n)
	}
	if got := count.get(credsPath); got != n {
		t.Errorf("%d credential requests, want %d", got, n)
	}
}

// TestSessionRegistryClockAhead: when the registry finds an access token
// outdated that the client's clock calls fresh, the session exchanges
// once more and retries.
func TestSessionRegistryClockAhead(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{AccessTokenTTL: 2 * time.Minute})
	reg, count := registryFor(t, env)
	reg.Now = time.Now // the client's clock stays behind the sandbox's
	s := NewSession(reg, Tokens{RefreshToken: env.User(t, "analyst").RefreshToken}, SessionOptions{})
	if _, err := s.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(3 * time.Minute)
	if _, err := s.Retrieve(context.Background()); err != nil {
		t.Fatalf("Retrieve after the registry's clock moved on: %v", err)
	}
	if got := count.get(tokenPath); got != 2 {
		t.Errorf("%d exchanges, want 2", got)
	}
}

// TestSessionOnRotateFails: when the rotated refresh token cannot be
// saved, the call still succeeds and the session goes on exchanging the
// refresh token the store holds, so the chain never moves past it: the
// stored token stays good, and a later run that loads it is not locked
// out.
func TestSessionOnRotateFails(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{AccessTokenTTL: 2 * time.Minute})
	reg, count := registryFor(t, env)
	stored := env.User(t, "analyst").RefreshToken
	failing := true
	var saved []Tokens
	s := NewSession(reg, Tokens{RefreshToken: stored}, SessionOptions{
		OnRotate: func(t Tokens) error {
			if failing {
				return errors.New("keyring locked")
			}
			saved = append(saved, t)
			return nil
		},
	})
	ctx := context.Background()
	if _, err := s.Retrieve(ctx); err != nil {
		t.Fatalf("Retrieve with a failing save: %v", err)
	}
	// The access token bought is used: no second exchange while it is fresh.
	if _, err := s.Retrieve(ctx); err != nil || count.get(tokenPath) != 1 {
		t.Fatalf("second Retrieve: %v, %d exchanges; want no error and 1", err, count.get(tokenPath))
	}
	// Expire it: the session exchanges the stored token again, and the
	// registry accepts it (its successor was never used).
	env.Clock.Advance(3 * time.Minute)
	if _, err := s.Retrieve(ctx); err != nil {
		t.Fatalf("Retrieve after expiry with the save still failing: %v", err)
	}
	// The stored token is still good for a new process.
	if _, err := reg.Exchange(ctx, stored); err != nil {
		t.Fatalf("the stored refresh token was revoked although no successor was saved: %v", err)
	}
	// Once the store works, the rotated token is saved and the chain moves on.
	failing = false
	env.Clock.Advance(3 * time.Minute)
	if _, err := s.Retrieve(ctx); err != nil {
		t.Fatal(err)
	}
	if len(saved) != 1 || saved[0].RefreshToken == stored {
		t.Fatalf("%d saves, want 1 of a new refresh token", len(saved))
	}
	env.Clock.Advance(3 * time.Minute)
	if _, err := s.Retrieve(ctx); err != nil {
		t.Fatal(err)
	}
	if len(saved) != 2 {
		t.Fatalf("%d saves, want 2", len(saved))
	}
	if _, err := reg.Exchange(ctx, saved[1].RefreshToken); err != nil {
		t.Errorf("the last saved refresh token does not work: %v", err)
	}
}

// fakeRegistry is a registry that knows one API key and echoes what it
// was sent in its refusals, as a careless server might.
func fakeRegistry(t *testing.T, key string, expiration string) (*httptest.Server, *atomic.Int32) {
	var exchanges atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/token", func(w http.ResponseWriter, r *http.Request) {
		exchanges.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"message": "no such token: %s"}`, r.PostFormValue("refresh_token"))
	})
	mux.HandleFunc("GET /api/auth/get_credentials", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if got := r.Header.Get("Authorization"); got != "Bearer "+key {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"message": "bad bearer %s"}`, strings.TrimPrefix(got, "Bearer "))
			return
		}
		fmt.Fprintf(w, `{"AccessKeyId": "ASIAFAKE", "SecretAccessKey": "s3cr3t", "SessionToken": "st", "Expiration": %q}`, expiration)
	})
	mux.HandleFunc("POST /graphql", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data": null, "errors": [{"message": "first"}, {"message": "second"}]}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &exchanges
}

func TestAPIKeySession(t *testing.T) {
	const key = "qk_0123456789abcdef"
	exp := time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000000") // naive, as Python may write it
	srv, exchanges := fakeRegistry(t, key, exp)
	s := NewSession(&Registry{URL: srv.URL}, Tokens{RefreshToken: key}, SessionOptions{Source: SourceEnv})
	c, err := s.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if c.AccessKeyID != "ASIAFAKE" || exchanges.Load() != 0 {
		t.Errorf("key %q after %d exchanges, want ASIAFAKE after none", c.AccessKeyID, exchanges.Load())
	}
	if d := time.Until(c.Expires); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("expires in %v, want about 1h (a naive Expiration is UTC)", d)
	}
	if tok, _ := s.AccessToken(context.Background()); tok != key {
		t.Errorf("AccessToken is not the API key")
	}
}

func TestNoTokenInErrors(t *testing.T) {
	srv, _ := fakeRegistry(t, "qk_right", time.Now().Add(-time.Minute).UTC().Format(time.RFC3339))
	reg := &Registry{URL: srv.URL}
	ctx := context.Background()
	const refresh, access, key = "refresh-SECRET-1", "access-SECRET-2", "qk_wrong-SECRET-3"

	_, err := reg.Exchange(ctx, refresh)
	wantKind(t, err, engine.Credentials, []string{"no such token: [redacted]", "quiltq login"}, refresh)
	_, err = reg.Credentials(ctx, access)
	wantKind(t, err, engine.Credentials, []string{"bad bearer [redacted]"}, access)
	_, err = NewSession(reg, Tokens{RefreshToken: key}, SessionOptions{}).Retrieve(ctx)
	wantKind(t, err, engine.Credentials, nil, key)
	_, err = NewSession(reg, Tokens{RefreshToken: refresh}, SessionOptions{}).Retrieve(ctx)
	wantKind(t, err, engine.Credentials, nil, refresh)
	// Credentials already expired: the clock advice, and no key.
	_, err = reg.Credentials(ctx, "qk_right")
	wantKind(t, err, engine.Credentials, []string{"clock"}, "qk_right", "s3cr3t")
}

func TestGraphQL(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	reg, _ := registryFor(t, env)
	ctx := context.Background()
	tok, err := reg.Exchange(ctx, env.User(t, "analyst").RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Me struct {
			Name  string
			Email string
			Role  struct{ Name string }
		}
	}
	if err := reg.GraphQL(ctx, tok.AccessToken, `query Me { me { name email role { name } } }`, nil, &out); err != nil {
		t.Fatalf("GraphQL: %v", err)
	}
	if out.Me.Name != "analyst" || out.Me.Role.Name != "ReadWriteQuiltV2-sales-prod" {
		t.Errorf("me = %+v, want analyst in ReadWriteQuiltV2-sales-prod", out.Me)
	}
	var bc struct{ BucketConfig *struct{ Name string } }
	err = reg.GraphQL(ctx, tok.AccessToken, `query B($b: String!) { bucketConfig(name: $b) { name } }`, map[string]any{"b": "no-such-bucket"}, &bc)
	if err != nil || bc.BucketConfig != nil {
		t.Errorf("bucketConfig(no-such-bucket) = %+v, %v; want null, no error", bc.BucketConfig, err)
	}

	err = reg.GraphQL(ctx, tok.AccessToken, `query { me { nosuchfield } }`, nil, &out)
	wantKind(t, err, engine.Other, []string{"nosuchfield"}, tok.AccessToken)
	err = reg.GraphQL(ctx, "bad-token", `query { me { name } }`, nil, &out)
	wantKind(t, err, engine.Credentials, []string{"quiltq login"}, "bad-token")

	srv, _ := fakeRegistry(t, "", "")
	err = (&Registry{URL: srv.URL}).GraphQL(ctx, "x", `query { me { name } }`, nil, nil)
	wantKind(t, err, engine.Other, []string{"first; second"})
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		env        map[string]string
		token, url string
		ok         bool
	}{
		{map[string]string{"QUILTQ_TOKEN": "t", "QUILTQ_CATALOG_URL": "http://127.0.0.1:1"}, "t", "http://127.0.0.1:1", true},
		{map[string]string{"QUILTQ_TOKEN": " t\n", "QUILTQ_CATALOG_URL": "c"}, "t", "c", true},
		{map[string]string{"QUILTQ_TOKEN": "t"}, "t", "", false},
		{map[string]string{"QUILTQ_CATALOG_URL": "c"}, "", "c", false},
		{map[string]string{}, "", "", false},
	}
	for _, tt := range tests {
		tok, url, ok := FromEnv(func(k string) string { return tt.env[k] })
		if tok != tt.token || url != tt.url || ok != tt.ok {
			t.Errorf("FromEnv(%v) = %q, %q, %v; want %q, %q, %v", tt.env, tok, url, ok, tt.token, tt.url, tt.ok)
		}
	}
}

// With KeepCredentials, the AWS credentials the registry issues are kept
// with the tokens (saved through OnRotate) and used, in this session and
// in a later one made from the saved tokens, until 5 minutes before their
// Expiration; their principal is saved with them, and a role switch drops
// them.
func TestSessionKeepsCredentials(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{CredentialTTL: time.Hour})
	reg, count := registryFor(t, env)
	var saved []Tokens
	opts := SessionOptions{Source: SourceKeyring, KeepCredentials: true, OnRotate: func(tk Tokens) error { saved = append(saved, tk); return nil }}
	s := NewSession(reg, Tokens{RefreshToken: env.User(t, "analyst").RefreshToken}, opts)
	ctx := context.Background()
	first, err := s.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Retrieve(ctx); err != nil || count.get(credsPath) != 1 {
		t.Fatalf("second Retrieve: %v, %d credential requests, want 1", err, count.get(credsPath))
	}
	last := saved[len(saved)-1]
	if last.AWS == nil || last.AWS.AccessKeyID != first.AccessKeyID || !last.AWS.Expires.Equal(first.Expires) {
		t.Fatalf("the credentials were not handed to OnRotate: %+v", last.AWS)
	}
	if s.Principal() != "" {
		t.Errorf("principal %q before anyone asked STS", s.Principal())
	}
	s.SetPrincipal("arn:aws:sts::123456789012:assumed-role/R/analyst")
	if p := saved[len(saved)-1].AWS.Principal; p != "arn:aws:sts::123456789012:assumed-role/R/analyst" {
		t.Errorf("saved principal %q", p)
	}

	// A later run, from what was saved (through a store, as on disk):
	// no call to the registry at all while the credentials are good.
	store := &FileStore{Path: filepath.Join(t.TempDir(), "credentials.json")}
	if err := store.Save(ctx, reg.URL, saved[len(saved)-1]); err != nil {
		t.Fatal(err)
	}
	loaded, err := store.Load(ctx, reg.URL)
	if err != nil {
		t.Fatal(err)
	}
	before := count.get(credsPath) + count.get(tokenPath)
	later := NewSession(reg, loaded, opts)
	again, err := later.Retrieve(ctx)
	if err != nil || again.AccessKeyID != first.AccessKeyID || again.Source != SourceKeyring {
		t.Fatalf("later Retrieve: %v, key kept %v, source %q", err, again.AccessKeyID == first.AccessKeyID, again.Source)
	}
	if n := count.get(credsPath) + count.get(tokenPath); n != before {
		t.Errorf("the later session made %d registry calls, want none", n-before)
	}
	if later.Principal() == "" {
		t.Error("the saved principal was lost")
	}

	// 5 minutes before Expiration they are no longer used.
	env.Clock.Advance(first.Expires.Sub(env.Clock.Now()) - CredentialsExpiryWindow + time.Second)
	fresh, err := later.Retrieve(ctx)
	if err != nil || fresh.AccessKeyID == first.AccessKeyID || count.get(credsPath) != 2 {
		t.Fatalf("near expiry: %v, same key %v, %d credential requests", err, fresh.AccessKeyID == first.AccessKeyID, count.get(credsPath))
	}
	if later.Principal() != "" {
		t.Errorf("the old credentials' principal %q outlived them", later.Principal())
	}

	// A role switch drops them, in the store too.
	later.DropCredentials()
	if saved[len(saved)-1].AWS != nil {
		t.Error("dropped credentials were saved still")
	}
	if _, err := later.Retrieve(ctx); err != nil || count.get(credsPath) != 3 {
		t.Errorf("after the drop: %v, %d credential requests, want 3", err, count.get(credsPath))
	}
	if str := fmt.Sprintf("%v %+v %#v", later, later, later); strings.Contains(str, first.SecretAccessKey) {
		t.Error("printing the session reveals the secret key")
	}
}
