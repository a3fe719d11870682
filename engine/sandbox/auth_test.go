package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/registry"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/sandbox/stssrv"
)

func TestAuthenticate(t *testing.T) {
	start := time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
	now := start
	keys := principal.NewKeys(time.Hour, func() time.Time { return now })
	alice := principal.Caller{User: "alice", Email: "alice@example.com", Role: "Analyst", AccountID: "123456789012"}
	cr := keys.Issue(alice)
	good := aws.Credentials{AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken}

	sign := func(t *testing.T, service string, c aws.Credentials, at time.Time) *http.Request {
		t.Helper()
		body := ""
		switch service {
		case "sts":
			body = "Action=GetCallerIdentity&Version=2011-06-15"
		case "athena", "glue":
			body = "{}"
		}
		r := httptest.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader(body))
		payload := sha256.Sum256([]byte(body))
		hash := hex.EncodeToString(payload[:])
		if service == "s3" {
			r = httptest.NewRequest("GET", "http://127.0.0.1:4566/bucket/key", nil)
			r.Header.Set("X-Amz-Content-Sha256", hash)
		}
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
		if err := signer.SignHTTP(context.Background(), c, r, hash, service, "us-east-1", at); err != nil {
			t.Fatal(err)
		}
		return r
	}
	with := func(f func(*aws.Credentials)) aws.Credentials {
		c := good
		f(&c)
		return c
	}

	type want struct {
		status int
		code   string
	}
	cases := []struct {
		name  string
		creds aws.Credentials
		at    time.Duration // signing time after start
		now   time.Duration // server time after start
		want  map[string]want
	}{
		{name: "valid", creds: good, want: map[string]want{"athena": {}, "glue": {}, "sts": {}, "s3": {}}},
		{name: "unknown key", creds: with(func(c *aws.Credentials) { c.AccessKeyID = "ASIAUNKNOWNUNKNOWN12" }), want: map[string]want{
			"athena": {400, "UnrecognizedClientException"}, "sts": {403, "InvalidClientTokenId"}, "s3": {403, "InvalidAccessKeyId"}}},
		{name: "wrong session token", creds: with(func(c *aws.Credentials) { c.SessionToken = "IQoJother" }), want: map[string]want{
			"athena": {400, "UnrecognizedClientException"}, "sts": {403, "InvalidClientTokenId"}, "s3": {400, "InvalidToken"}}},
		{name: "no session token", creds: with(func(c *aws.Credentials) { c.SessionToken = "" }), want: map[string]want{
			"glue": {400, "UnrecognizedClientException"}, "sts": {403, "InvalidClientTokenId"}, "s3": {403, "InvalidAccessKeyId"}}},
		{name: "wrong secret", creds: with(func(c *aws.Credentials) { c.SecretAccessKey = "wrong" }), want: map[string]want{
			"athena": {400, "InvalidSignatureException"}, "sts": {403, "SignatureDoesNotMatch"}, "s3": {403, "SignatureDoesNotMatch"}}},
		{name: "expired credentials", creds: good, at: 61 * time.Minute, now: 61 * time.Minute, want: map[string]want{
			"athena": {400, "ExpiredTokenException"}, "glue": {400, "ExpiredTokenException"}, "sts": {403, "ExpiredToken"}, "s3": {400, "ExpiredToken"}}},
		{name: "clock skew", creds: good, at: 0, now: 20 * time.Minute, want: map[string]want{
			"athena": {400, "InvalidSignatureException"}, "sts": {403, "SignatureDoesNotMatch"}, "s3": {403, "RequestTimeTooSkewed"}}},
	}
	for _, c := range cases {
		for service, w := range c.want {
			t.Run(c.name+"/"+service, func(t *testing.T) {
				now = start.Add(c.now)
				r := sign(t, service, c.creds, start.Add(c.at))
				got, gotService, fail := authenticate(keys, r)
				if gotService != service {
					t.Errorf("got service %q, want %q", gotService, service)
				}
				if w.code == "" {
					if fail != nil {
						t.Fatalf("got %v, want success", fail)
					}
					if got != alice {
						t.Errorf("got caller %+v, want %+v", got, alice)
					}
					return
				}
				if fail == nil {
					t.Fatalf("got success, want %s", w.code)
				}
				if fail.Code != w.code || fail.Status != w.status {
					t.Errorf("got %d %s, want %d %s", fail.Status, fail.Code, w.status, w.code)
				}
				for _, secret := range []string{cr.SecretAccessKey, cr.SessionToken, c.creds.SecretAccessKey} {
					if secret != "" && strings.Contains(fail.Message, secret) {
						t.Errorf("error message %q carries a secret", fail.Message)
					}
				}
			})
		}
	}
}

func TestAuthenticateSkewMessage(t *testing.T) {
	start := time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
	keys := principal.NewKeys(time.Hour, func() time.Time { return start.Add(20 * time.Minute) })
	cr := keys.Issue(principal.Caller{User: "u", Role: "R", AccountID: "123456789012"})
	r := httptest.NewRequest("POST", "http://127.0.0.1/", strings.NewReader("{}"))
	sum := sha256.Sum256([]byte("{}"))
	err := v4.NewSigner().SignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken},
		r, hex.EncodeToString(sum[:]), "athena", "us-east-1", start)
	if err != nil {
		t.Fatal(err)
	}
	_, _, fail := authenticate(keys, r)
	want := "Signature expired: 20261122T150000Z is now earlier than 20261122T150500Z (20261122T152000Z - 15 min.)"
	if fail == nil || fail.Message != want {
		t.Errorf("got %v, want message %q", fail, want)
	}
}

func TestAuthenticateMalformed(t *testing.T) {
	keys := principal.NewKeys(time.Hour, time.Now)
	for service, code := range map[string]string{"athena": "IncompleteSignatureException", "sts": "IncompleteSignature", "s3": "AuthorizationHeaderMalformed"} {
		r := httptest.NewRequest("GET", "http://127.0.0.1/", nil)
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/"+service+"/aws4_request, SignedHeaders=host")
		_, gotService, fail := authenticate(keys, r)
		if gotService != service || fail == nil || fail.Code != code || fail.Status != http.StatusBadRequest {
			t.Errorf("%s: got service %q error %v, want 400 %s", service, gotService, fail, code)
		}
	}
}

// TestSTSThroughRegistryCredentials runs the whole login chain over HTTP:
// a login code from the catalog, tokens and credentials from the registry,
// then the real STS client, whose requests authenticate verifies.
func TestSTSThroughRegistryCredentials(t *testing.T) {
	// The SDK signs with the wall clock, so the server's starts there.
	now := time.Now().UTC()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	keys := principal.NewKeys(time.Hour, clock)
	st := &stack.Stack{
		Name: "sales-prod", Region: "us-east-1", AccountID: "123456789012",
		Users: []stack.User{{Name: "alice", Email: "alice@example.com", Role: "Analyst", Roles: []string{"Analyst", "Engineer"}}},
		Roles: []stack.Role{{Name: "Analyst"}, {Name: "Engineer"}},
	}
	reg, err := registry.New(registry.Config{Stack: st, Keys: keys, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	stsSvc := stssrv.New(stssrv.Config{Keys: keys})
	api := http.StripPrefix(RegistryPath, reg.APIHandler())
	catalog := reg.CatalogHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case isSigned(r):
			caller, service, fail := authenticate(keys, r)
			if fail != nil {
				writeError(w, r, service, fail)
				return
			}
			if service != "sts" {
				t.Errorf("got service %q, want sts", service)
			}
			stsSvc.ServeAWS(w, r, caller)
		case strings.HasPrefix(r.URL.Path, RegistryPath+"/"):
			api.ServeHTTP(w, r)
		default:
			catalog.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()

	refresh, ok := reg.RefreshToken("alice")
	if !ok {
		t.Fatal("alice has no refresh token")
	}
	resp, err := http.PostForm(srv.URL+RegistryPath+"/api/token", url.Values{"refresh_token": {refresh}})
	if err != nil {
		t.Fatal(err)
	}
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tokens)
	resp.Body.Close()
	if err != nil || tokens.AccessToken == "" {
		t.Fatalf("token exchange: %v %+v", err, tokens)
	}
	getCreds := func() aws.Credentials {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+RegistryPath+"/api/auth/get_credentials", nil)
		req.Header.Set("Authorization", "Bearer "+tokens.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var c struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
			t.Fatal(err)
		}
		return aws.Credentials{AccessKeyID: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	}
	identity := func(c aws.Credentials) (*sts.GetCallerIdentityOutput, error) {
		client := sts.New(sts.Options{
			Region:       "us-east-1",
			BaseEndpoint: aws.String(srv.URL),
			Credentials:  credentials.StaticCredentialsProvider{Value: c},
			Retryer:      aws.NopRetryer{},
		})
		return client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	}

	good := getCreds()
	out, err := identity(good)
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if got, want := aws.ToString(out.Arn), "arn:aws:sts::123456789012:assumed-role/Analyst/alice"; got != want {
		t.Errorf("got Arn %q, want %q", got, want)
	}

	apiCode := func(err error) string {
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			return fmt.Sprintf("no API error (%v)", err)
		}
		return ae.ErrorCode()
	}
	wrongSecret := good
	wrongSecret.SecretAccessKey = "not-the-secret"
	unknown := good
	unknown.AccessKeyID = "ASIAUNKNOWNUNKNOWN12"
	for name, c := range map[string]struct {
		creds aws.Credentials
		want  string
	}{
		"wrong secret": {wrongSecret, "SignatureDoesNotMatch"},
		"unknown key":  {unknown, "InvalidClientTokenId"},
	} {
		if _, err := identity(c.creds); apiCode(err) != c.want {
			t.Errorf("%s: got %s, want %s", name, apiCode(err), c.want)
		}
	}

	mu.Lock()
	now = now.Add(61 * time.Minute)
	mu.Unlock()
	_, err = identity(good)
	if apiCode(err) != "ExpiredToken" {
		t.Errorf("expired credentials: got %s, want ExpiredToken", apiCode(err))
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != http.StatusForbidden {
		t.Errorf("expired credentials: got status %d, want 403", re.HTTPStatusCode())
	}
}
