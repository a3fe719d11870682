package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/encoding/httpbinding"
)

const (
	testKey    = "ASIATESTTESTTESTTEST"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testToken  = "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/="
)

var signTime = time.Date(2026, 11, 22, 15, 4, 5, 0, time.UTC)

// verdict is what the test server saw.
type verdict struct {
	Service, Region, Token string
	Presigned              bool
	Kind                   string // "" when verified
	BodySHA                string // hash of the body the handler read after Verify
}

// newServer verifies every request against testSecret at time now and
// reports what it found.
func newServer(t *testing.T, now time.Time) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v verdict
		s, err := Parse(r)
		v.Service, v.Region, v.Token, v.Presigned = s.Service, s.Region, s.SessionToken, s.Presigned
		if err == nil {
			err = Verify(r, s, testSecret, now)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %v is not an *Error", err)
			}
			v.Kind = e.Kind.String()
		}
		b, _ := io.ReadAll(r.Body)
		sum := sha256.Sum256(b)
		v.BodySHA = hex.EncodeToString(sum[:])
		_ = json.NewEncoder(w).Encode(v)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, req *http.Request) verdict {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v verdict
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

var creds = aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret, SessionToken: testToken}

// request builds a request to base+path (path unescaped), escaping the
// path as the SDK's S3 serializer does when s3 is true.
func request(t *testing.T, method, base, path, rawQuery, body string, s3 bool) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Path = path
	if s3 {
		req.URL.RawPath = httpbinding.EscapePath(path, false)
	}
	req.URL.RawQuery = rawQuery
	return req
}

func sign(t *testing.T, req *http.Request, payload, service string, at time.Time) {
	t.Helper()
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	if err := signer.SignHTTP(context.Background(), creds, req, payload, service, "us-east-1", at); err != nil {
		t.Fatal(err)
	}
}

func TestVerifySDKSigned(t *testing.T) {
	srv := newServer(t, signTime.Add(3*time.Minute))
	type tc struct {
		name, method, service, path, query, body string
		headers                                  map[string]string
		contentSHA                               string // X-Amz-Content-Sha256 to send ("" for none)
		payload                                  string // payload hash given to the signer ("" = sha of body)
	}
	cases := []tc{
		{name: "athena json", method: "POST", service: "athena", path: "/", body: `{"QueryString":"SELECT 1"}`,
			headers: map[string]string{"X-Amz-Target": "AmazonAthena.StartQueryExecution", "Content-Type": "application/x-amz-json-1.1"}},
		{name: "glue json", method: "POST", service: "glue", path: "/", body: `{"DatabaseName":"db"}`,
			headers: map[string]string{"X-Amz-Target": "AWSGlue.GetTables", "Content-Type": "application/x-amz-json-1.1"}},
		{name: "sts form", method: "POST", service: "sts", path: "/", body: "Action=GetCallerIdentity&Version=2011-06-15",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
		{name: "rest path with space unicode and =", method: "GET", service: "execute-api", path: "/things/a b/ü=x/~ok", query: "q=a%20b&z=1&a=%2F"},
		{name: "header whitespace and repeats", method: "POST", service: "glue", path: "/", body: "{}",
			headers: map[string]string{"X-Amz-Meta-Note": "  two   spaces  ", "Content-Type": "application/x-amz-json-1.1"}},
		{name: "s3 get key with space unicode =", method: "GET", service: "s3", path: "/bucket/dir/a b/ü=1+2.csv", contentSHA: EmptySHA256, payload: EmptySHA256},
		{name: "s3 list query", method: "GET", service: "s3", path: "/bucket", query: "list-type=2&prefix=a%20b%2F&delimiter=%2F&encoding-type=url", contentSHA: EmptySHA256, payload: EmptySHA256},
		{name: "s3 put signed body", method: "PUT", service: "s3", path: "/bucket/k.csv", body: "a,b\n1,2\n", contentSHA: sha("a,b\n1,2\n"), payload: sha("a,b\n1,2\n")},
		{name: "s3 put unsigned payload", method: "PUT", service: "s3", path: "/bucket/k.csv", body: "x", contentSHA: UnsignedPayload, payload: UnsignedPayload},
		{name: "s3 streaming trailer", method: "PUT", service: "s3", path: "/bucket/k", body: "0\r\n\r\n", contentSHA: StreamingUnsignedPayloadTrailer, payload: StreamingUnsignedPayloadTrailer},
		{name: "s3 delete", method: "DELETE", service: "s3", path: "/bucket/a%2Fb", contentSHA: EmptySHA256, payload: EmptySHA256},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := request(t, c.method, srv.URL, c.path, c.query, c.body, c.service == "s3")
			for k, v := range c.headers {
				req.Header.Set(k, v)
			}
			if c.name == "header whitespace and repeats" {
				req.Header.Add("X-Amz-Meta-Note", "second")
			}
			if c.contentSHA != "" {
				req.Header.Set("X-Amz-Content-Sha256", c.contentSHA)
			}
			payload := c.payload
			if payload == "" {
				payload = sha(c.body)
			}
			sign(t, req, payload, c.service, signTime)
			v := do(t, req)
			if v.Kind != "" {
				t.Fatalf("got failure %q, want a verified request", v.Kind)
			}
			if v.Service != c.service || v.Region != "us-east-1" || v.Token != testToken {
				t.Errorf("got service %q region %q token ok=%v, want %q us-east-1 and the token", v.Service, v.Region, v.Token == testToken, c.service)
			}
			if v.BodySHA != sha(c.body) {
				t.Errorf("handler read a body with hash %s after Verify, want %s", v.BodySHA, sha(c.body))
			}
		})
	}
}

func TestVerifyRejectsTampering(t *testing.T) {
	now := signTime.Add(time.Minute)
	srv := newServer(t, now)
	cases := []struct {
		name   string
		build  func() *http.Request
		want   Kind
		secret string
	}{
		{name: "body changed after signing", want: Mismatch, build: func() *http.Request {
			req := request(t, "POST", srv.URL, "/", "", `{"a":1}`, false)
			sign(t, req, sha(`{"a":1}`), "athena", signTime)
			req.Body = io.NopCloser(strings.NewReader(`{"a":2}`))
			return req
		}},
		{name: "query changed", want: Mismatch, build: func() *http.Request {
			req := request(t, "GET", srv.URL, "/bucket", "prefix=a", "", true)
			req.Header.Set("X-Amz-Content-Sha256", EmptySHA256)
			sign(t, req, EmptySHA256, "s3", signTime)
			req.URL.RawQuery = "prefix=b"
			return req
		}},
		{name: "path changed", want: Mismatch, build: func() *http.Request {
			req := request(t, "GET", srv.URL, "/bucket/a", "", "", true)
			req.Header.Set("X-Amz-Content-Sha256", EmptySHA256)
			sign(t, req, EmptySHA256, "s3", signTime)
			req.URL.Path, req.URL.RawPath = "/bucket/b", ""
			return req
		}},
		{name: "signed header changed", want: Mismatch, build: func() *http.Request {
			req := request(t, "POST", srv.URL, "/", "", "{}", false)
			req.Header.Set("X-Amz-Target", "AWSGlue.GetTables")
			sign(t, req, sha("{}"), "glue", signTime)
			req.Header.Set("X-Amz-Target", "AWSGlue.DeleteTable")
			return req
		}},
		{name: "session token changed", want: Mismatch, build: func() *http.Request {
			req := request(t, "POST", srv.URL, "/", "", "{}", false)
			sign(t, req, sha("{}"), "glue", signTime)
			req.Header.Set("X-Amz-Security-Token", "other")
			return req
		}},
		{name: "wrong secret", want: Mismatch, build: func() *http.Request {
			req := request(t, "POST", srv.URL, "/", "", "{}", false)
			signer := v4.NewSigner()
			bad := creds
			bad.SecretAccessKey = "not-the-secret"
			if err := signer.SignHTTP(context.Background(), bad, req, sha("{}"), "athena", "us-east-1", signTime); err != nil {
				t.Fatal(err)
			}
			return req
		}},
		{name: "signed 20 minutes ago", want: Skewed, build: func() *http.Request {
			req := request(t, "POST", srv.URL, "/", "", "{}", false)
			sign(t, req, sha("{}"), "athena", now.Add(-20*time.Minute))
			return req
		}},
		{name: "signed 20 minutes ahead", want: Skewed, build: func() *http.Request {
			req := request(t, "POST", srv.URL, "/", "", "{}", false)
			sign(t, req, sha("{}"), "athena", now.Add(20*time.Minute))
			return req
		}},
		{name: "declared hash not the body's", want: ContentMismatch, build: func() *http.Request {
			req := request(t, "PUT", srv.URL, "/bucket/k", "", "actual", true)
			req.Header.Set("X-Amz-Content-Sha256", sha("declared"))
			sign(t, req, sha("declared"), "s3", signTime)
			return req
		}},
		{name: "s3 without content sha", want: MissingContentSHA256, build: func() *http.Request {
			req := request(t, "GET", srv.URL, "/bucket/k", "", "", true)
			sign(t, req, EmptySHA256, "s3", signTime)
			return req
		}},
		{name: "garbage content sha", want: Malformed, build: func() *http.Request {
			req := request(t, "GET", srv.URL, "/bucket/k", "", "", true)
			req.Header.Set("X-Amz-Content-Sha256", "SIGNED-PLEASE")
			sign(t, req, "SIGNED-PLEASE", "s3", signTime)
			return req
		}},
		{name: "no signed headers parameter", want: Malformed, build: func() *http.Request {
			req := request(t, "POST", srv.URL, "/", "", "{}", false)
			req.Header.Set("X-Amz-Date", signTime.Format(TimeFormat))
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testKey+"/20261122/us-east-1/athena/aws4_request, Signature=00")
			return req
		}},
		{name: "scope date differs from request date", want: Malformed, build: func() *http.Request {
			req := request(t, "POST", srv.URL, "/", "", "{}", false)
			sign(t, req, sha("{}"), "athena", signTime)
			req.Header.Set("X-Amz-Date", signTime.Add(-24*time.Hour).Format(TimeFormat))
			return req
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := do(t, c.build())
			if v.Kind != c.want.String() {
				t.Errorf("got %q, want %q", v.Kind, c.want)
			}
		})
	}
}

func TestParseKeepsServiceOnFailure(t *testing.T) {
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/sts/aws4_request")
	s, err := Parse(r)
	var e *Error
	if !errors.As(err, &e) || e.Kind != Malformed {
		t.Fatalf("got %v, want a Malformed error", err)
	}
	if s.Service != "sts" || s.AccessKeyID != "AKID" {
		t.Errorf("got service %q key %q, want sts and AKID", s.Service, s.AccessKeyID)
	}
	if strings.Contains(err.Error(), "AKID") {
		t.Errorf("error %q names the access key", err)
	}
}

func presign(t *testing.T, req *http.Request, service, payload string, expires time.Duration, at time.Time) *http.Request {
	t.Helper()
	if expires > 0 {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
		req.URL.RawQuery = q.Encode()
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	u, hdr, err := signer.PresignHTTP(context.Background(), creds, req, payload, service, "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(req.Method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		if k != "Host" {
			out.Header[k] = vs
		}
	}
	return out
}

func TestPresigned(t *testing.T) {
	cases := []struct {
		name    string
		service string
		path    string
		expires time.Duration
		now     time.Time
		want    string
	}{
		{name: "s3 get within expiry", service: "s3", path: "/bucket/a b/ü=1.csv", expires: time.Hour, now: signTime.Add(59 * time.Minute)},
		{name: "s3 get expired", service: "s3", path: "/bucket/k", expires: time.Hour, now: signTime.Add(61 * time.Minute), want: Expired.String()},
		{name: "s3 get signed in the future", service: "s3", path: "/bucket/k", expires: time.Hour, now: signTime.Add(-time.Hour), want: NotYetValid.String()},
		{name: "s3 without expires", service: "s3", path: "/bucket/k", now: signTime, want: Malformed.String()},
		{name: "sts get caller identity", service: "sts", path: "/", expires: time.Minute, now: signTime.Add(30 * time.Second)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newServer(t, c.now)
			q := ""
			payload := UnsignedPayload
			if c.service == "sts" {
				q = "Action=GetCallerIdentity&Version=2011-06-15"
				payload = EmptySHA256
			}
			req := request(t, "GET", srv.URL, c.path, q, "", c.service == "s3")
			v := do(t, presign(t, req, c.service, payload, c.expires, signTime))
			if v.Kind != c.want {
				t.Errorf("got %q, want %q", v.Kind, c.want)
			}
			if !v.Presigned || v.Token != testToken {
				t.Errorf("got presigned %v token ok %v, want both", v.Presigned, v.Token == testToken)
			}
		})
	}
}

func TestCanonicalQuerySortsAfterEncoding(t *testing.T) {
	// "a/b" encodes to "a%2Fb", which sorts before "a-b" once encoded.
	got := canonicalQuery("k=a-b&k=a%2Fb&b=x+y&c", false)
	want := "b=x%20y&c=&k=a%2Fb&k=a-b"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRemoveDotSegments(t *testing.T) {
	for in, want := range map[string]string{
		"/":            "/",
		"/a/./b":       "/a/b",
		"/a/b/../c":    "/a/c",
		"/a/..":        "/",
		"/a/b/.":       "/a/b/",
		"/../a":        "/a",
		"/file.v1.txt": "/file.v1.txt",
	} {
		if got := removeDotSegments(in); got != want {
			t.Errorf("removeDotSegments(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParse checks that no Authorization header or query makes Parse or
// Verify panic.
func FuzzParse(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20261122%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20261122T150405Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=60")
	f.Add("AWS4-HMAC-SHA256 Credential=//, Signature=", "a=%zz&&=")
	f.Fuzz(func(t *testing.T, auth, query string) {
		r := httptest.NewRequest("GET", "http://127.0.0.1/x", nil)
		r.URL.RawQuery = query
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		r.Header.Set("X-Amz-Date", "20261122T150405Z")
		s, err := Parse(r)
		if err == nil {
			_ = Verify(r, s, "secret", signTime)
		}
	})
}
