// Package registry is the sandbox's Quilt catalog and registry: the
// catalog's /config.json and login-code page, and the registry API that
// turns a login code into tokens and tokens into AWS credentials, plus the
// GraphQL subset quiltq uses (me, buckets, bucketConfig, switchRole).
//
// Tokens. A login code is a refresh token. POST /api/token exchanges a
// refresh token for an access token (a JWT carrying only id, uuid and exp,
// as the real registry's do, signed HS256 with a key drawn when the
// registry starts) and a new refresh token: refresh tokens rotate.
// Rotation must not lock out a client that crashes after the exchange but
// before it saved the new token, so the rule is:
//
//   - A refresh token stays valid until its successor is first used.
//   - Exchanging it again before then returns the same successor (and a
//     fresh access token): the exchange is idempotent.
//   - The first exchange of the successor revokes its predecessor.
//
// So at most two tokens of one chain are valid at a time, and a client
// that lost the answer can simply retry with the token it has.
//
// Nothing here logs or returns in an error a token, key or secret.
package registry

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

// Config configures a registry.
type Config struct {
	Stack *stack.Stack
	// Keys issues the AWS credentials get_credentials returns.
	Keys *principal.Keys
	// Now is the clock (default time.Now).
	Now func() time.Time
	// AccessTokenTTL is the lifetime of access tokens (default 1h).
	AccessTokenTTL time.Duration
	// Log receives request logs (default: discarded).
	Log *slog.Logger
}

// Registry is the catalog and registry of one sandbox stack. It is safe
// for concurrent use.
type Registry struct {
	stack  *stack.Stack
	keys   *principal.Keys
	now    func() time.Time
	ttl    time.Duration
	log    *slog.Logger
	jwtKey []byte

	mu      sync.Mutex
	users   map[string]*userState // by user name
	byID    map[string]string     // user id (the JWT's id) -> user name
	refresh map[string]*refreshToken
	apiKeys map[string]apiKey // by secret
	// granted are the buckets of each managed role; GrantBucket changes
	// them.
	granted map[string][]string
	// sessions are the session policies the credentials issued for a
	// role carry, by role name (none for a role absent): built by
	// setSession alone, from the role's session_policies and, for a
	// managed role, the scope of its granted buckets.
	sessions map[string]*principal.Session
}

// apiKey is a Quilt API key: a "qk_" secret the owner sends as a Bearer,
// acting as the owner (in their current role) until it expires.
type apiKey struct {
	user    string
	expires time.Time
}

type userState struct {
	user   stack.User
	id     string // a UUID, the JWT's id claim
	role   string // the current role; switchRole changes it
	latest string // the newest refresh token issued to the user
}

type refreshToken struct {
	user string
	// successor is the token this one was exchanged for, "" until then.
	successor string
	// predecessor is revoked when this token is first exchanged.
	predecessor string
}

// New builds the registry of cfg.Stack and issues every user an initial
// refresh token (the stack's RefreshToken when it sets one).
func New(cfg Config) (*Registry, error) {
	if cfg.Stack == nil {
		return nil, errors.New("registry: no stack")
	}
	if cfg.Keys == nil {
		return nil, errors.New("registry: no credential store")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	reg := &Registry{
		stack: cfg.Stack, keys: cfg.Keys, now: cfg.Now, ttl: cfg.AccessTokenTTL, log: cfg.Log,
		jwtKey:   randomBytes(32),
		users:    map[string]*userState{},
		byID:     map[string]string{},
		refresh:  map[string]*refreshToken{},
		apiKeys:  map[string]apiKey{},
		granted:  map[string][]string{},
		sessions: map[string]*principal.Session{},
	}
	for _, r := range cfg.Stack.Roles {
		if err := reg.setSession(r, r.Buckets); err != nil {
			return nil, err
		}
	}
	for _, u := range cfg.Stack.Users {
		st := &userState{user: u, id: newUUID(), role: u.Role}
		reg.users[u.Name] = st
		reg.byID[st.id] = u.Name
		tok := u.RefreshToken
		if tok == "" {
			tok = newRefreshToken()
		}
		if _, dup := reg.refresh[tok]; dup {
			return nil, errors.New("registry: two users share a refresh token")
		}
		reg.refresh[tok] = &refreshToken{user: u.Name}
		st.latest = tok
	}
	return reg, nil
}

// APIKeyPrefix starts every API key's secret, as on a Quilt stack.
const APIKeyPrefix = "qk_"

// IssueAPIKey creates an API key for user (a name or an email) that
// expires after ttl, as GraphQL apiKeyCreate does on a Quilt stack, and
// returns its secret.
func (reg *Registry) IssueAPIKey(user string, ttl time.Duration) (string, bool) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	for name, st := range reg.users {
		if name == user || strings.EqualFold(st.user.Email, user) {
			secret := APIKeyPrefix + newRefreshToken()
			reg.apiKeys[secret] = apiKey{user: name, expires: reg.now().Add(ttl)}
			return secret, true
		}
	}
	return "", false
}

// apiKeyUser is the owner of an API key's secret or, when it is refused,
// the registry's message saying why.
func (reg *Registry) apiKeyUser(secret string) (user, refusal string) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	k, ok := reg.apiKeys[secret]
	switch {
	case !ok:
		return "", "Invalid API key"
	case !reg.now().Before(k.expires):
		return "", "API key expired: create a new one"
	}
	return k.user, ""
}

// RefreshToken returns the newest valid refresh token of user (a name or
// an email), for `sandbox serve` to print.
func (reg *Registry) RefreshToken(user string) (string, bool) {
	u, ok := reg.stack.User(user)
	if !ok {
		return "", false
	}
	reg.mu.Lock()
	defer reg.mu.Unlock()
	st := reg.users[u.Name]
	if st == nil || reg.refresh[st.latest] == nil {
		return "", false
	}
	return st.latest, true
}

// issueCode mints a new login code (a fresh refresh token) for user.
func (reg *Registry) issueCode(user string) string {
	tok := newRefreshToken()
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.refresh[tok] = &refreshToken{user: user}
	reg.users[user].latest = tok
	return tok
}

var errBadRefreshToken = errors.New("invalid refresh token")

// exchange applies the rotation rule of the package comment: it returns
// the user and the successor of tok.
func (reg *Registry) exchange(tok string) (user, successor string, err error) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	rt := reg.refresh[tok]
	if rt == nil {
		return "", "", errBadRefreshToken
	}
	if rt.predecessor != "" {
		delete(reg.refresh, rt.predecessor)
		rt.predecessor = ""
	}
	if rt.successor == "" || reg.refresh[rt.successor] == nil {
		rt.successor = newRefreshToken()
		reg.refresh[rt.successor] = &refreshToken{user: rt.user, predecessor: tok}
	}
	reg.users[rt.user].latest = rt.successor
	return rt.user, rt.successor, nil
}

// state returns a copy of user's state.
func (reg *Registry) state(user string) (userState, bool) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	st, ok := reg.users[user]
	if !ok {
		return userState{}, false
	}
	return *st, true
}

// setRole makes role the user's current role.
func (reg *Registry) setRole(user, role string) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.users[user].role = role
}

// caller is the principal of credentials issued to the user in their
// current role, carrying the role's session policies when it takes them.
func (reg *Registry) caller(st userState) principal.Caller {
	return principal.Caller{User: st.user.Name, Email: st.user.Email, Role: st.role, AccountID: reg.stack.AccountID,
		Session: reg.Session(st.role)}
}

// Session is the session policies that credentials issued now for role
// carry (nil when none), as setSession decided them.
func (reg *Registry) Session(role string) *principal.Session {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	return reg.sessions[role]
}

// setSession is the one way the registry decides the session policies
// that credentials issued for role r carry, as STS's AssumeRole Policy
// parameter does: for a managed role, the scope of the buckets it is
// granted (stack.ManagedSessionPolicy; the real registry applies one,
// quiltdata/quilt, docs/advanced-features/iceberg-tables.md), with the
// role's session_policies beside it; for another role, its
// session_policies alone. A role with neither carries none. buckets are
// a managed role's granted buckets, recorded for GraphQL buckets.
func (reg *Registry) setSession(r stack.Role, buckets []string) error {
	var policies []*iam.Policy
	if r.Managed {
		p, err := iam.Parse(r.Name+" session policy (Quilt managed role)", reg.stack.ManagedSessionPolicy(buckets))
		if err != nil {
			return fmt.Errorf("registry: the session policy of managed role %s: %w", r.Name, err)
		}
		policies = append(policies, p)
	}
	for _, sp := range r.SessionPolicies {
		p, err := iam.Parse(r.Name+" session policy "+sp.Name, sp.Document)
		if err != nil {
			return fmt.Errorf("registry: role %s: session policy: %w", r.Name, err)
		}
		policies = append(policies, p)
	}
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if r.Managed {
		reg.granted[r.Name] = append([]string(nil), buckets...)
	}
	if len(policies) == 0 {
		delete(reg.sessions, r.Name)
		return nil
	}
	reg.sessions[r.Name] = &principal.Session{Policies: policies}
	return nil
}

// GrantBucket grants bucket to the managed role, as a Quilt admin does
// in the catalog's admin page: the role's users see the bucket from now
// on, and credentials issued from now on carry a session policy that
// allows it. Credentials issued before keep the session policy they were
// issued with until they expire, as STS credentials do.
func (reg *Registry) GrantBucket(role, bucket string) error {
	r, ok := reg.stack.Role(role)
	switch {
	case !ok:
		return fmt.Errorf("registry: no role %q", role)
	case !r.Managed:
		return fmt.Errorf("registry: role %s is not a managed role: its users see every bucket of the stack already", role)
	case !slices.Contains(reg.stack.QuiltBuckets(), bucket):
		return fmt.Errorf("registry: bucket %q is not a bucket of stack %s", bucket, reg.stack.Name)
	}
	reg.mu.Lock()
	buckets := append([]string(nil), reg.granted[role]...)
	reg.mu.Unlock()
	if slices.Contains(buckets, bucket) {
		return nil
	}
	return reg.setSession(r, append(buckets, bucket))
}

// roleBuckets are the buckets GraphQL buckets shows the user's current
// role: a managed role's granted buckets, every bucket of the stack for
// an unmanaged role.
func (reg *Registry) roleBuckets(st userState) []string {
	reg.mu.Lock()
	buckets, managed := reg.granted[st.role]
	reg.mu.Unlock()
	if managed {
		return buckets
	}
	return reg.stack.RoleBuckets(st.role)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("registry: no randomness: " + err.Error())
	}
	return b
}

func newRefreshToken() string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(32))
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// baseURL is the listener's address as the client reached it.
func baseURL(r *http.Request) string {
	return "http://" + r.Host
}

// registryURL is where the registry API is mounted.
func registryURL(r *http.Request) string {
	return baseURL(r) + "/registry"
}
