package athena

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// calls are the AWS calls the translation tests make, each through the
// real SDK client.
func getWorkGroup(name string) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error {
		_, err := c.athena.GetWorkGroup(ctx, &awsathena.GetWorkGroupInput{WorkGroup: aws.String(name)}, withErrorBody)
		return err
	}
}

func getObject(bucket, key string) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error {
		_, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}, s3WithErrorBody)
		return err
	}
}

func headObject(bucket, key string) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error {
		_, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}, s3WithErrorBody)
		return err
	}
}

const (
	auditBucket = "sales-prod-audittrailbucket-5c2rnx81zk0d"
	dataBucket  = "quilt-sandbox-bucket"
	fakeSecret  = "wJalrXUtnFEMI-not-a-real-secret-K7MDENG"
)

func TestTranslateSandboxErrors(t *testing.T) {
	tests := []struct {
		name string
		opts sandbox.Options
		user string // "" for made-up credentials
		// advance moves the sandbox clock before the call.
		advance time.Duration
		call    func(context.Context, *Client) error
		kind    engine.Kind
		code    string // the AWS code in the chain
	}{
		{name: "athena refusal", user: "analyst", call: getWorkGroup("primary"), kind: engine.Denied, code: "AccessDeniedException"},
		{name: "s3 refusal (XML)", user: "analyst", call: getObject(auditBucket, "athena/x.csv"), kind: engine.Denied, code: "AccessDenied"},
		{name: "s3 HEAD refusal (no body)", user: "analyst", call: headObject(auditBucket, "athena/x.csv"), kind: engine.Denied, code: "Forbidden"},
		{name: "athena expired credentials", opts: sandbox.Options{CredentialTTL: 10 * time.Minute}, user: "analyst", advance: 11 * time.Minute,
			call: getWorkGroup(userWG), kind: engine.Credentials, code: "ExpiredTokenException"},
		{name: "s3 expired credentials", opts: sandbox.Options{CredentialTTL: 10 * time.Minute}, user: "analyst", advance: 11 * time.Minute,
			call: getObject(dataBucket, "warehouse/sales/orders/_SUCCESS"), kind: engine.Credentials, code: "ExpiredToken"},
		{name: "athena unknown key", call: getWorkGroup(userWG), kind: engine.Credentials, code: "UnrecognizedClientException"},
		{name: "s3 unknown key", call: getObject(dataBucket, "x"), kind: engine.Credentials, code: "InvalidAccessKeyId"},
		{name: "athena unknown workgroup", user: "admin", call: getWorkGroup("nope"), kind: engine.NotFound, code: "InvalidRequestException"},
		{name: "s3 no such key", user: "admin", call: getObject(dataBucket, "nope"), kind: engine.NotFound, code: "NoSuchKey"},
		{name: "s3 no such bucket", user: "admin", call: getObject("no-such-bucket-here", "x"), kind: engine.NotFound, code: "NoSuchBucket"},
		{name: "athena throttled", opts: sandbox.Options{Faults: sandbox.Faults{Throttle: 1}}, user: "analyst",
			call: getWorkGroup(userWG), kind: engine.Throttled, code: "ThrottlingException"},
		{name: "s3 slow down", opts: sandbox.Options{Faults: sandbox.Faults{Throttle: 1}}, user: "analyst",
			call: getObject(dataBucket, "x"), kind: engine.Throttled, code: "SlowDown"},
		{name: "athena 500", opts: sandbox.Options{Faults: sandbox.Faults{ServerError: 1}}, user: "analyst",
			call: getWorkGroup(userWG), kind: engine.Other, code: "InternalServerException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := sandboxtest.Start(t, tt.opts)
			var c *Client
			if tt.user != "" {
				c, _ = client(t, env, tt.user, Options{})
			} else {
				c = New(env.ConfigFor(aws.Credentials{AccessKeyID: "ASIAQUILTQNOTAKEY000", SecretAccessKey: fakeSecret, SessionToken: "not-a-token"}), Options{})
			}
			env.Clock.Advance(tt.advance)
			raw := tt.call(sandboxtest.Context(t), c)
			err := translate("test op", raw)
			var e *engine.Error
			if !errors.As(err, &e) || e.Op != "test op" || e.Kind != tt.kind {
				t.Fatalf("got %#v (%v), want kind %s", err, err, tt.kind)
			}
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tt.code {
				t.Errorf("code: got %v, want %s kept in the chain", api, tt.code)
			}
			if !errors.Is(err, raw) {
				t.Errorf("the SDK's error is not kept whole under %v", err)
			}
			if strings.Contains(err.Error(), fakeSecret) {
				t.Errorf("the secret key leaked into %q", err)
			}
			if Hint(err) == "" {
				t.Errorf("no hint for %v", err)
			}
			if tt.kind == engine.Credentials && !strings.Contains(Hint(err), "quiltq login") {
				t.Errorf("hint: got %q, want how to log in again", Hint(err))
			}
			if tt.kind == engine.Credentials && transient(raw) {
				t.Errorf("credentials errors must not be retried")
			}
		})
	}
}

// A reply that is no AWS error at all must say what it was: the status and
// the body's words, never the decoder's complaint.
func TestTranslateForeignReplies(t *testing.T) {
	const html = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`
	const s3xml = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R1</RequestId></Error>`
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		call        func(context.Context, *Client) error
		kind        engine.Kind
		want        string
	}{
		{"html to athena", 502, "text/html", html, getWorkGroup("x"), engine.Other,
			`HTTP 502 (Bad Gateway): an HTML page titled "502 Bad Gateway"`},
		{"html to athena, no middleware", 502, "text/html", html, func(ctx context.Context, c *Client) error {
			_, err := c.athena.GetWorkGroup(ctx, &awsathena.GetWorkGroupInput{WorkGroup: aws.String("x")})
			return err
		}, engine.Other, `HTTP 502 (Bad Gateway): an HTML page titled "502 Bad Gateway"`},
		{"html to s3", 502, "text/html", html, getObject("b", "k"), engine.Other,
			`HTTP 502 (Bad Gateway): an HTML page titled "502 Bad Gateway"`},
		{"html 403 from a proxy", 403, "text/html; charset=utf-8", "<html><head><title>Blocked by policy</title></head></html>",
			getWorkGroup("x"), engine.Denied, `HTTP 403 (Forbidden): an HTML page titled "Blocked by policy"`},
		{"s3 xml to athena", 403, "application/xml", s3xml, getWorkGroup("x"), engine.Denied,
			"HTTP 403 (Forbidden): AccessDenied: Access Denied"},
		{"plain text 503", 503, "text/plain", "upstream connect error or disconnect/reset before headers", getWorkGroup("x"), engine.Other,
			`HTTP 503 (Service Unavailable): "upstream connect error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			c := New(aws.Config{
				Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
				Credentials: credentials.NewStaticCredentialsProvider("AKIDQUILTQ", fakeSecret, ""),
				Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
			}, Options{})
			raw := tt.call(sandboxtest.Context(t), c)
			err := translate("test op", raw)
			if engine.KindOf(err) != tt.kind {
				t.Errorf("kind: got %s, want %s", engine.KindOf(err), tt.kind)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to say %q", err, tt.want)
			}
			for _, bad := range []string{"deserializ", "decode", "invalid character", "XML syntax"} {
				if strings.Contains(err.Error(), bad) {
					t.Errorf("%q hides the reply behind %q", err, bad)
				}
			}
			var re *ReplyError
			if !errors.As(err, &re) || re.Status != tt.status || !errors.Is(err, raw) {
				t.Errorf("got %#v, want a ReplyError of status %d over the SDK's error", re, tt.status)
			}
		})
	}
}

func TestTranslateKinds(t *testing.T) {
	api := func(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }
	tests := []struct {
		err  error
		kind engine.Kind
	}{
		{api("InvalidRequestException", "Unable to verify/create output bucket sales-results"), engine.Denied},
		{api("InvalidRequestException", "line 1:8: mismatched input"), engine.Invalid},
		{api("InvalidRequestException", "WorkGroup x is not found."), engine.NotFound},
		{api("MetadataException", "User: arn:aws:sts::1:assumed-role/R/u is not authorized to perform: glue:GetTable"), engine.Denied},
		{api("MetadataException", "Database sales does not exist"), engine.Other},
		{api("AccessDeniedException", "The security token included in the request is expired"), engine.Credentials},
		{api("TooManyRequestsException", "Rate exceeded"), engine.Throttled},
		{api("ThrottlingNewStyleException", ""), engine.Throttled},
		{api("RequestTimeTooSkewed", ""), engine.Credentials},
		{api("EntityNotFoundException", ""), engine.NotFound},
		{api("SomethingElse", ""), engine.Other},
		{context.Canceled, engine.Canceled},
		{fmt.Errorf("op: %w", context.DeadlineExceeded), engine.Other},
		{&engine.Error{Kind: engine.Failed}, engine.Failed}, // translated once only
	}
	for _, tt := range tests {
		if got := engine.KindOf(translate("op", tt.err)); got != tt.kind {
			t.Errorf("translate(%v): got %s, want %s", tt.err, got, tt.kind)
		}
	}
	if translate("op", nil) != nil {
		t.Errorf("translate(nil) is not nil")
	}
}

func TestIsRefusal(t *testing.T) {
	tests := map[string]bool{
		"Access denied when writing output to url: s3://b/p":                                        true,
		"Permission denied on S3 path: s3://b/p":                                                    true,
		"User: arn:aws:sts::1:assumed-role/R/u is not authorized to perform: lambda:InvokeFunction": true,
		"Insufficient permissions to execute the query.":                                            true,
		"Insufficient Lake Formation permission(s) on orders":                                       true,
		"Access denied for user 'app'@'10.0.0.1' (using password: YES)":                             false,
		"TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sales.nope' does not exist":              false,
		// Athena's text for a column that does not exist (as for one Lake
		// Formation hides): mostly a misspelt name, not a refusal.
		"COLUMN_NOT_FOUND: line 1:8: Column 'nosuchcol' cannot be resolved or requester is not authorized to access requested resources": false,
	}
	for text, want := range tests {
		if got := isRefusal(text); got != want {
			t.Errorf("isRefusal(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestHintPerKind(t *testing.T) {
	seen := map[string]engine.Kind{}
	for k := engine.Other; k <= engine.Failed; k++ {
		h := Hint(&engine.Error{Kind: k, Err: errors.New("x")})
		if h == "" {
			t.Errorf("kind %s has no hint", k)
		}
		if prev, dup := seen[h]; dup {
			t.Errorf("kinds %s and %s share the hint %q", prev, k, h)
		}
		seen[h] = k
	}
	if got := Hint(&engine.Error{Kind: engine.Credentials, Err: &smithy.GenericAPIError{Code: "RequestTimeTooSkewed"}}); !strings.Contains(got, "clock") {
		t.Errorf("skewed clock: got %q, want a hint about the clock", got)
	}
	if Hint(nil) != "" {
		t.Errorf("Hint(nil) is not empty")
	}
}
