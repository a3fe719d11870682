package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/quiltq/quiltq/engine"
)

// RefreshMargin is how long before its expires_at an access token is
// replaced, the margin quilt3 and quilt-rs use.
const RefreshMargin = 60 * time.Second

// CredentialsExpiryWindow is how long before their Expiration the cache
// that NewCredentialsCache builds replaces STS credentials: 5 minutes, as
// quilt-mcp-server does, so that a request is never signed with
// credentials about to lapse, and a computer clock a few minutes fast
// does not matter. Credentials that live less than the window (the
// sandbox can issue such) are fetched again for every request.
const CredentialsExpiryWindow = 5 * time.Minute

// Credential source names, for `quiltq whoami` and --stats.
const (
	SourceEnv     = "env QUILTQ_TOKEN"
	SourceSandbox = "sandbox"
	SourceKeyring = "keyring"
	SourceFile    = "file"
)

// APIKeyPrefix starts every Quilt API key.
const APIKeyPrefix = "qk_"

// SessionOptions configure a Session.
type SessionOptions struct {
	// Source names where the login came from ("env QUILTQ_TOKEN",
	// "sandbox", ...). It is the Source of the credentials the session
	// retrieves.
	Source string
	// OnRotate, when set, is called with the new tokens after every
	// exchange, so that the rotated refresh token can be stored, and
	// whenever the AWS credentials kept with them change (new ones from
	// the registry, their principal learned, dropped at a role switch),
	// so that the next run can use them. It is called with the session's
	// lock held, so it must not call the session, and it reports its own
	// failures (a warning): a failed save does not fail the call that
	// exchanged.
	//
	// When it fails, the session uses the new access token but goes on
	// holding the refresh token it had, the one still stored, and
	// exchanges that one next time. The registry keeps a refresh token
	// valid until its successor is first used, and exchanging it again
	// before then returns the same successor, so the chain never moves
	// past what the store holds: a crash, or a store that cannot be
	// written, between an exchange and its save never locks the user out.
	OnRotate func(Tokens) error
	// KeepCredentials makes the session keep the AWS credentials the
	// registry issues with the tokens (Tokens.AWS, handed to OnRotate to
	// be stored), and use the kept ones while they are good for more than
	// CredentialsExpiryWindow, in this process or a later one. Without it
	// every Retrieve asks the registry (within a process the SDK's
	// credentials cache spares the calls).
	KeepCredentials bool
}

// Session is a Quilt login held in memory: a rotating refresh token and
// the access token it last bought. It is an aws.CredentialsProvider that
// refreshes the access token RefreshMargin before it expires and then
// fetches STS credentials from the registry. Wrap it with
// NewCredentialsCache (AWSConfig does) so that those credentials are
// reused until shortly before they expire.
//
// A Session is safe for concurrent use: callers that find the access
// token stale at the same time share one exchange.
type Session struct {
	reg      *Registry
	source   string
	onRotate func(Tokens) error
	keep     bool
	apiKey   bool

	// lock is a one-slot semaphore rather than a mutex, so that a caller
	// waiting behind a slow exchange can give up when its context ends.
	lock   chan struct{}
	tokens Tokens
}

var _ aws.CredentialsProvider = (*Session)(nil)

// NewSession holds a login at reg. t.RefreshToken is required; an
// AccessToken with its ExpiresAt (as stored by an earlier run) saves the
// first exchange. A RefreshToken that starts with "qk_" is an API key: it
// is sent as the bearer itself and never exchanged.
func NewSession(reg *Registry, t Tokens, opts SessionOptions) *Session {
	s := &Session{
		reg:      reg,
		source:   opts.Source,
		onRotate: opts.OnRotate,
		keep:     opts.KeepCredentials,
		lock:     make(chan struct{}, 1),
		tokens:   t,
	}
	if strings.HasPrefix(t.RefreshToken, APIKeyPrefix) {
		s.apiKey = true
		s.tokens = Tokens{AccessToken: t.RefreshToken, RefreshToken: t.RefreshToken, AWS: t.AWS}
	}
	return s
}

// Source names where the login came from.
func (s *Session) Source() string { return s.source }

// AccessToken returns an access token that is good for at least
// RefreshMargin, exchanging the refresh token first when needed. Use it
// for the registry's GraphQL API.
func (s *Session) AccessToken(ctx context.Context) (string, error) {
	return s.accessToken(ctx, "")
}

// Retrieve returns AWS credentials for the login's current role: those
// the session keeps (from the store) while they are good for more than
// CredentialsExpiryWindow, else new ones from the registry, which it then
// keeps (see SessionOptions.OnRotate). It implements
// aws.CredentialsProvider.
func (s *Session) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if !s.keep {
		return s.fetch(ctx)
	}
	if c, ok := s.kept(); ok {
		return c, nil
	}
	creds, err := s.fetch(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	s.store(creds)
	return creds, nil
}

// kept returns the credentials the session keeps, when they are good for
// more than CredentialsExpiryWindow.
func (s *Session) kept() (aws.Credentials, bool) {
	s.lock <- struct{}{}
	defer func() { <-s.lock }()
	c := s.tokens.AWS
	if c == nil || !s.reg.now().Add(CredentialsExpiryWindow).Before(c.Expires) {
		return aws.Credentials{}, false
	}
	return aws.Credentials{
		AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		Source: s.source, CanExpire: true, Expires: c.Expires,
	}, true
}

// store makes creds the credentials the session keeps, and has them saved.
func (s *Session) store(creds aws.Credentials) {
	s.lock <- struct{}{}
	defer func() { <-s.lock }()
	s.tokens.AWS = &AWSCredentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken, Expires: creds.Expires}
	s.save()
}

// save hands the tokens to OnRotate; the lock is held. An API key is
// handed as it is stored: the key alone, as its refresh token.
func (s *Session) save() {
	if s.onRotate == nil {
		return
	}
	t := s.tokens
	if s.apiKey {
		t = Tokens{RefreshToken: t.RefreshToken, AWS: t.AWS}
	}
	_ = s.onRotate(t)
}

// Principal is the STS caller ARN of the credentials the session keeps,
// when it is known and they are still good for more than
// CredentialsExpiryWindow (then they are the ones the next call signs
// with); "" otherwise.
func (s *Session) Principal() string {
	s.lock <- struct{}{}
	defer func() { <-s.lock }()
	c := s.tokens.AWS
	if c == nil || !s.reg.now().Add(CredentialsExpiryWindow).Before(c.Expires) {
		return ""
	}
	return c.Principal
}

// SetPrincipal records arn as the principal of the credentials the
// session keeps, and has it saved with them.
func (s *Session) SetPrincipal(arn string) {
	s.lock <- struct{}{}
	defer func() { <-s.lock }()
	if c := s.tokens.AWS; s.keep && c != nil && c.Principal != arn {
		c.Principal = arn
		s.save()
	}
}

// DropCredentials forgets the AWS credentials the session keeps (and has
// the store forget them), so that the next call asks the registry: after
// a role switch, the kept ones act in the old role.
func (s *Session) DropCredentials() {
	s.lock <- struct{}{}
	defer func() { <-s.lock }()
	if s.keep && s.tokens.AWS != nil {
		s.tokens.AWS = nil
		s.save()
	}
}

// fetch asks the registry for AWS credentials.
func (s *Session) fetch(ctx context.Context) (aws.Credentials, error) {
	tok, err := s.accessToken(ctx, "")
	if err != nil {
		return aws.Credentials{}, err
	}
	creds, err := s.reg.Credentials(ctx, tok)
	if err != nil && isRefused(err) && !s.apiKey {
		// The registry's clock may run ahead of ours, so a token we think
		// good can be outdated there: exchange once more and retry.
		if tok, err = s.accessToken(ctx, tok); err != nil {
			return aws.Credentials{}, err
		}
		creds, err = s.reg.Credentials(ctx, tok)
	}
	if err != nil {
		return aws.Credentials{}, err
	}
	if s.source != "" {
		creds.Source = s.source
	}
	return creds, nil
}

// accessToken returns a fresh access token. When stale is not empty it
// is a token the registry refused: it is replaced even if it looks fresh,
// unless another caller has replaced it already.
func (s *Session) accessToken(ctx context.Context, stale string) (string, error) {
	select {
	case s.lock <- struct{}{}:
	case <-ctx.Done():
		return "", &engine.Error{Op: "refresh the Quilt login", Kind: engine.Canceled, Err: ctx.Err()}
	}
	defer func() { <-s.lock }()

	if s.apiKey {
		return s.tokens.AccessToken, nil
	}
	t := s.tokens
	fresh := t.AccessToken != "" && s.reg.now().Add(RefreshMargin).Before(t.ExpiresAt)
	if fresh && (stale == "" || t.AccessToken != stale) {
		return t.AccessToken, nil
	}
	next, err := s.reg.Exchange(ctx, t.RefreshToken)
	if err != nil {
		if s.keep && s.tokens.AWS != nil && engine.KindOf(err) == engine.Credentials {
			// The login is refused (revoked, expired): the AWS credentials
			// it bought are not to be used on its behalf any more.
			s.tokens.AWS = nil
			s.save()
		}
		return "", err
	}
	next.AWS = t.AWS // the credentials do not change with the token
	s.tokens = next
	if s.onRotate != nil && s.onRotate(next) != nil {
		// Keep the stored refresh token: see SessionOptions.OnRotate.
		s.tokens.RefreshToken = t.RefreshToken
	}
	return next.AccessToken, nil
}

// Expiry is when the access token the session holds expires: the zero
// time before the first exchange and for an API key.
func (s *Session) Expiry() time.Time {
	s.lock <- struct{}{}
	defer func() { <-s.lock }()
	if s.apiKey {
		return time.Time{}
	}
	return s.tokens.ExpiresAt
}

// APIKey reports whether the login is an API key (no refresh, no expiry).
func (s *Session) APIKey() bool { return s.apiKey }

// Registry is the registry the session logs in to.
func (s *Session) Registry() *Registry { return s.reg }

// NewCredentialsCache wraps p in the SDK's credentials cache with
// CredentialsExpiryWindow, so that STS credentials are fetched again
// shortly before their Expiration rather than after it.
func NewCredentialsCache(p aws.CredentialsProvider) *aws.CredentialsCache {
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) {
		o.ExpiryWindow = CredentialsExpiryWindow
	})
}

// FromEnv reads a login from the environment: QUILTQ_CATALOG_URL and
// QUILTQ_TOKEN (a refresh token or an API key). It lets CI, and a client
// pointed at a running `quiltq sandbox serve`, log in with no stored
// state. ok is false unless both are set. QUILTQ_TOKEN is only read:
// the rotated token is never written back.
func FromEnv(getenv func(string) string) (refreshToken, catalogURL string, ok bool) {
	refreshToken = strings.TrimSpace(getenv("QUILTQ_TOKEN"))
	catalogURL = strings.TrimSpace(getenv("QUILTQ_CATALOG_URL"))
	return refreshToken, catalogURL, refreshToken != "" && catalogURL != ""
}

// String describes the session without its tokens, so that printing one
// by mistake leaks nothing.
func (s *Session) String() string {
	kind := "login"
	if s.apiKey {
		kind = "API key"
	}
	return fmt.Sprintf("Quilt %s at %s (%s)", kind, s.reg.URL, s.source)
}

// GoString is String, so that %#v leaks no token either.
func (s *Session) GoString() string { return s.String() }
