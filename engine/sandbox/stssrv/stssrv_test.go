package stssrv

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
)

var caller = principal.Caller{User: "alice", Email: "alice@example.com", Role: "ReadWriteQuiltV2-sales-prod", AccountID: "123456789012"}

// newServer serves STS as if every request came, verified, from caller.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	svc := New(Config{Keys: principal.NewKeys(0, nil)})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc.ServeAWS(w, r, caller)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGetCallerIdentityWithSDK(t *testing.T) {
	srv := newServer(t)
	client := sts.New(sts.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("ASIAEXAMPLE", "secret", "token"),
	})
	out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.Arn), "arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/alice"; got != want {
		t.Errorf("got Arn %q, want %q", got, want)
	}
	if got := aws.ToString(out.Account); got != "123456789012" {
		t.Errorf("got Account %q, want 123456789012", got)
	}
	if got := aws.ToString(out.UserId); got != caller.UserID() || !strings.HasPrefix(got, "AROA") || !strings.HasSuffix(got, ":alice") {
		t.Errorf("got UserId %q, want %q", got, caller.UserID())
	}
}

type errorResponse struct {
	Error struct {
		Type, Code, Message string
	}
	RequestID string `xml:"RequestId"`
}

func TestQueryRequests(t *testing.T) {
	srv := newServer(t)
	cases := []struct {
		name       string
		method     string
		query      string
		body       string
		wantStatus int
		wantCode   string
	}{
		{name: "presigned-style GET", method: "GET", query: "Action=GetCallerIdentity&Version=2011-06-15", wantStatus: 200},
		{name: "unknown action", method: "POST", body: "Action=AssumeRoot&Version=2011-06-15", wantStatus: 400, wantCode: "InvalidAction"},
		{name: "no action", method: "POST", body: "Version=2011-06-15", wantStatus: 400, wantCode: "MissingAction"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, srv.URL+"/?"+c.query, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != c.wantStatus {
				t.Fatalf("got status %d, want %d", resp.StatusCode, c.wantStatus)
			}
			if c.wantCode == "" {
				var ok getCallerIdentityResponse
				if err := xml.NewDecoder(resp.Body).Decode(&ok); err != nil || ok.Result.Arn != caller.ARN() {
					t.Errorf("got %+v (%v), want the caller's ARN", ok, err)
				}
				return
			}
			var e errorResponse
			if err := xml.NewDecoder(resp.Body).Decode(&e); err != nil {
				t.Fatal(err)
			}
			if e.Error.Code != c.wantCode || e.Error.Type != "Sender" || e.RequestID == "" {
				t.Errorf("got %+v, want code %s, type Sender and a request id", e, c.wantCode)
			}
		})
	}
}
