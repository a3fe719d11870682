package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/quiltq/quiltq/engine"
)

// Registry is a client of a Quilt registry's API. Its zero HTTPClient
// and Now mean http.DefaultClient and time.Now. It is safe for concurrent
// use.
type Registry struct {
	// URL is the registry's address (Catalog.RegistryURL).
	URL string
	// HTTPClient sends the requests.
	HTTPClient *http.Client
	// Now is the clock that expiry times are checked against.
	Now func() time.Time
}

// Tokens are a Quilt login: a refresh token, which rotates at every
// exchange, and an access token valid until ExpiresAt; with them, the AWS
// credentials the registry last issued for the login, kept so that a
// later run need not ask again while they are good.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time
	// AWS are the last AWS credentials the registry issued (nil: none).
	AWS *AWSCredentials
}

// AWSCredentials are AWS credentials the registry issued for a login, and
// who they act as when that is known.
type AWSCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time
	// Principal is the STS caller ARN of these credentials, "" until
	// someone asked STS.
	Principal string
}

func (r *Registry) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Registry) endpoint(path string) string {
	return strings.TrimRight(r.URL, "/") + path
}

// refusal marks a reply in which the registry refused a token, so that
// a Session can tell an outdated access token from other failures.
type refusal struct {
	status int
	msg    string
}

func (e *refusal) Error() string { return e.msg }

// loginInvalid is the error of a refused refresh token.
func loginInvalid(op string, status int, msg string) error {
	if msg == "" {
		msg = fmt.Sprintf("HTTP %d", status)
	}
	return &engine.Error{Op: op, Kind: engine.Credentials, Err: fmt.Errorf("the Quilt login is no longer valid (%w): run `quiltq login` to log in again", &refusal{status, msg})}
}

// Exchange trades a refresh token (or the code the catalog's /code page
// shows, which is one) for an access token and the next refresh token.
// The registry rotates refresh tokens, so the caller must keep the one
// returned. A refused token is an engine.Error of Kind Credentials.
func (r *Registry) Exchange(ctx context.Context, refreshToken string) (Tokens, error) {
	const op = "refresh the Quilt login"
	// The registry accepts only a form-encoded body.
	form := url.Values{"refresh_token": {refreshToken}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint("/api/token"), strings.NewReader(form.Encode()))
	if err != nil {
		return Tokens{}, &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("registry URL %q is not usable: %v", r.URL, err)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	rep, err := do(r.HTTPClient, req)
	if err != nil {
		return Tokens{}, netError(ctx, op, "the Quilt registry at "+r.URL, err)
	}
	switch {
	case rep.status == http.StatusForbidden:
		return Tokens{}, forbidden(op, rep, refreshToken)
	case rep.status == http.StatusBadRequest || rep.status == http.StatusUnauthorized:
		return Tokens{}, loginInvalid(op, rep.status, rep.message(refreshToken))
	case rep.status != http.StatusOK || !rep.isJSON():
		return Tokens{}, badReply(op, rep, refreshToken)
	}
	var body struct {
		AccessToken  string   `json:"access_token"`
		RefreshToken string   `json:"refresh_token"`
		ExpiresAt    *float64 `json:"expires_at"`
		Error        string   `json:"error"`
	}
	if err := json.Unmarshal(rep.body, &body); err != nil {
		return Tokens{}, badReply(op, rep, refreshToken)
	}
	if body.Error != "" {
		// quilt3 documents a 200 with {"error": ...} as a refusal too.
		return Tokens{}, loginInvalid(op, rep.status, redact(body.Error, refreshToken))
	}
	if body.AccessToken == "" || body.RefreshToken == "" || body.ExpiresAt == nil {
		return Tokens{}, &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("%s but left out access_token, refresh_token or expires_at", rep.describe())}
	}
	sec, frac := math.Modf(*body.ExpiresAt)
	return Tokens{
		AccessToken:  body.AccessToken,
		RefreshToken: body.RefreshToken,
		ExpiresAt:    time.Unix(int64(sec), int64(frac*1e9)),
	}, nil
}

// Credentials fetches AWS credentials for the user's current Quilt role.
// Credentials whose Expiration has already passed by Now are refused
// with advice to check the computer's clock, as the Quilt catalog does.
func (r *Registry) Credentials(ctx context.Context, accessToken string) (aws.Credentials, error) {
	const op = "get AWS credentials from the Quilt registry"
	rep, err := r.get(ctx, op, "/api/auth/get_credentials", accessToken)
	if err != nil {
		return aws.Credentials{}, err
	}
	if rep.status != http.StatusOK || !rep.isJSON() {
		return aws.Credentials{}, badReply(op, rep, accessToken)
	}
	var body struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string `json:"SecretAccessKey"`
		SessionToken    string `json:"SessionToken"`
		Expiration      string `json:"Expiration"`
	}
	if err := json.Unmarshal(rep.body, &body); err != nil || body.AccessKeyID == "" || body.SecretAccessKey == "" {
		return aws.Credentials{}, &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("%s but not with AWS credentials", rep.describe())}
	}
	exp, err := parseExpiration(body.Expiration)
	if err != nil {
		return aws.Credentials{}, &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("the credentials' Expiration %q is not an RFC 3339 time", redact(body.Expiration, accessToken))}
	}
	if now := r.now(); !exp.After(now) {
		return aws.Credentials{}, &engine.Error{Op: op, Kind: engine.Credentials, Err: fmt.Errorf(
			"the registry issued AWS credentials that expire at %s, which is already past by this computer's clock (%s): check that the computer's clock and time zone are right",
			exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))}
	}
	return aws.Credentials{
		AccessKeyID:     body.AccessKeyID,
		SecretAccessKey: body.SecretAccessKey,
		SessionToken:    body.SessionToken,
		Source:          "quilt registry",
		CanExpire:       true,
		Expires:         exp,
	}, nil
}

// parseExpiration reads the registry's Expiration: RFC 3339, possibly
// with microseconds; a time without an offset is taken as UTC, as
// Python's isoformat writes naive UTC times.
func parseExpiration(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC)
}

// GraphQL runs query with vars at the registry's /graphql and decodes the
// reply's data into out (unless out is nil). Errors in the reply's
// errors[] are joined into one error.
func (r *Registry) GraphQL(ctx context.Context, accessToken, query string, vars map[string]any, out any) error {
	const op = "query the Quilt registry"
	payload, err := json.Marshal(struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables,omitempty"`
	}{query, vars})
	if err != nil {
		return &engine.Error{Op: op, Kind: engine.Invalid, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint("/graphql"), bytes.NewReader(payload))
	if err != nil {
		return &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("registry URL %q is not usable: %v", r.URL, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+accessToken)
	rep, err := do(r.HTTPClient, req)
	if err != nil {
		return netError(ctx, op, "the Quilt registry at "+r.URL, err)
	}
	switch rep.status {
	case http.StatusUnauthorized:
		return tokenRefused(op, rep, accessToken)
	case http.StatusForbidden:
		return forbidden(op, rep, accessToken)
	}
	if !rep.isJSON() {
		return badReply(op, rep, accessToken)
	}
	var body struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(rep.body, &body); err != nil {
		return badReply(op, rep, accessToken)
	}
	if len(body.Errors) > 0 {
		msgs := make([]string, len(body.Errors))
		for i, e := range body.Errors {
			msgs[i] = redact(e.Message, accessToken)
		}
		return &engine.Error{Op: op, Kind: engine.Other, Err: errors.New(strings.Join(msgs, "; "))}
	}
	if rep.status != http.StatusOK {
		return badReply(op, rep, accessToken)
	}
	if out != nil && len(body.Data) > 0 && string(body.Data) != "null" {
		if err := json.Unmarshal(body.Data, out); err != nil {
			return &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("the reply's data does not fit: %v", err)}
		}
	}
	return nil
}

// get sends an authorized GET and turns a refused token into a
// Credentials error.
func (r *Registry) get(ctx context.Context, op, path, accessToken string) (*reply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.endpoint(path), nil)
	if err != nil {
		return nil, &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("registry URL %q is not usable: %v", r.URL, err)}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+accessToken)
	rep, err := do(r.HTTPClient, req)
	if err != nil {
		return nil, netError(ctx, op, "the Quilt registry at "+r.URL, err)
	}
	switch rep.status {
	case http.StatusUnauthorized:
		return nil, tokenRefused(op, rep, accessToken)
	case http.StatusForbidden:
		return nil, forbidden(op, rep, accessToken)
	}
	return rep, nil
}

// tokenRefused is the error of a refused access token.
func tokenRefused(op string, rep *reply, accessToken string) error {
	msg := rep.message(accessToken)
	if msg == "" {
		msg = fmt.Sprintf("HTTP %d", rep.status)
	}
	return &engine.Error{Op: op, Kind: engine.Credentials, Err: fmt.Errorf("the registry refused the Quilt login (%w): run `quiltq login` to log in again", &refusal{rep.status, msg})}
}

// forbidden is the error of a 403: the registry knows who is asking and
// refuses what was asked (HTTP's "authenticated but forbidden", RFC 9110
// section 15.5.4: repeating the request with the same or new credentials
// will not help). It is not a refused login, so it carries no refusal:
// a Session does not swap its token and try again, and no one is told to
// log in again. quilt-mcp-server reads get_credentials' 403 the same way,
// as "Access denied" beside 401's "JWT token invalid or expired"
// (quiltdata/quilt-mcp-server, src/quilt_mcp/services/jwt_auth_service.py).
func forbidden(op string, rep *reply, secret string) error {
	msg := rep.message(secret)
	if msg == "" {
		msg = "HTTP 403 Forbidden"
	}
	return &engine.Error{Op: op, Kind: engine.Denied, Err: fmt.Errorf(
		"the Quilt registry knows who you are but refuses this (%s): logging in again will not change it; ask your Quilt admin whether your user and role may do it", msg)}
}

// badReply is the error of a reply that is not what the protocol says.
func badReply(op string, rep *reply, secret string) error {
	s := rep.describe()
	if msg := rep.message(secret); msg != "" {
		s += ": " + msg
	}
	kind := engine.Invalid
	if rep.status >= 500 {
		kind = engine.Other
	}
	return &engine.Error{Op: op, Kind: kind, Err: errors.New(s)}
}

// isRefused reports whether err is the registry refusing a token.
func isRefused(err error) bool {
	var r *refusal
	return errors.As(err, &r)
}
