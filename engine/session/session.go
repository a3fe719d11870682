// Package session is one login's session, shared by every front end of
// quiltq: the command line (`quiltq -e` and the subcommands), the
// workbench and the MCP server. A Session holds the credentials (a Quilt
// login from the keyring or the credentials file, QUILTQ_TOKEN, an API
// key, plain AWS credentials, or a login handed in, as the embedded
// sandbox's), the Athena client, the workgroup, the grant sources and what
// is known of the role's policies. It decides whether a statement may be
// sent and what fixes it (Check, Needs, WholeFix), runs, follows, stops
// and fetches queries, probes what a user needs (Doctor), lists and
// describes the catalog with a cache per principal, reads the workgroup's
// history and saved queries, and says who the user is.
//
// It never prints and knows nothing of terminals: a front end parses its
// input, calls the session and renders what comes back, so that `-e`, the
// workbench and the MCP server decide alike by construction. The embedded
// sandbox is not imported here: a front end that starts one hands its
// login in (Options.Login), with its role's policies (Options.Policies)
// and the means to change them (Options.Roles).
package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/iam"
)

// Options say how to open a session.
type Options struct {
	// Settings are the effective settings: the config file's profile, the
	// environment and the flags over them. Required.
	Settings *config.Settings
	// Getenv reads the environment (QUILTQ_TOKEN, AWS_ENDPOINT_URL, the
	// XDG directories, AWS_PROFILE). Required.
	Getenv func(string) string
	// HTTP is the client for the catalog and the registry (default: one
	// with a 30 s timeout).
	HTTP *http.Client
	// Login, when set, is the login to use, before the environment's and
	// the stored one: the embedded sandbox's user.
	Login *TokenLogin
	// Policies are the role's identity policies, when they are known
	// (--policy files, the sandbox's role): the pre-send check then
	// evaluates every permission a statement needs before sending it.
	Policies *Policies
	// Roles, when set, may change the role's policies (the embedded
	// sandbox); ApplyFix refuses without it.
	Roles RoleEditor
	// GrantsFile is the rules file the table references are checked
	// against; "" means grants.toml in the config dir, when it exists.
	GrantsFile string
	// NoS3 reads results through GetQueryResults pages only (--fetch api).
	NoS3 bool
	// Interactive says a person is at a terminal, who may answer the
	// keyring's unlock prompt (a longer keyring timeout).
	Interactive bool
	// Warn receives warnings (a refreshed login that could not be saved,
	// a login kept in plain text); nil drops them.
	Warn func(string)
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnRetry, when set, hears of each retry of an AWS call as it starts
	// (auth.AWSParams.OnRetry), so that a front end can say what is being
	// retried while it waits. It must not block.
	OnRetry func(auth.Retry)
}

// TokenLogin is a Quilt login handed to the session: a catalog and a
// refresh token (or API key), as the embedded sandbox gives them.
type TokenLogin struct {
	CatalogURL     string
	RefreshToken   string
	AWSEndpointURL string
	// Source names it for `whoami` and --stats (auth.SourceSandbox).
	Source string
	// Place names where the login leads, for the per-principal caches
	// (the listing, a front end's history and tabs), when its URLs are
	// new at each run, as the embedded sandbox's loopback port is; ""
	// keys them by the AWS endpoint and the catalog URL.
	Place string
}

// Policies are the role's identity policy documents, when quiltq knows
// them, and whatever else is known to bear on its requests: the session
// policies its credentials carry, its permissions boundary, the SCPs over
// its account, and the resource policies of buckets, keys and functions
// (the embedded sandbox knows them all; --policy gives only identity
// policies). What is left empty is read as "none".
type Policies struct {
	Documents []*iam.Policy
	Role      string // the role's name, when known
	Source    string // where they came from, for messages

	// Session are the session policies of the credentials (a Quilt
	// managed role's, which the registry passes), Boundary the role's
	// permissions boundary, SCPs the service control policies from the
	// organization's root to the account.
	Session  []*iam.Policy
	Boundary *iam.Policy
	SCPs     [][]*iam.Policy
	// Resources are resource policies and owners, by the ARN that holds
	// them (iam.ResourceOwner).
	Resources map[string]iam.ResourcePolicy
	// Entity is the role's ARN with its path, when known.
	Entity string
}

// PoliciesOf are the policies of an iam.Known, as a front end that knows
// them all (the embedded sandbox's administrator view) hands them in.
func PoliciesOf(k iam.Known, role, source string) *Policies {
	return &Policies{Documents: k.Identity, Role: role, Source: source,
		Session: k.Session, Boundary: k.Boundary, SCPs: k.SCPs, Resources: k.Resources, Entity: k.Entity}
}

// all is p as iam.Known, for deciding requirements.
func (p *Policies) all() *iam.Known {
	return &iam.Known{Identity: p.Documents, Session: p.Session, Boundary: p.Boundary, SCPs: p.SCPs, Resources: p.Resources, Entity: p.Entity}
}

// Beyond names the policy types known beyond the identity policies
// ("session policy, permissions boundary ..."), "" when none.
func (p *Policies) Beyond() string {
	var out []string
	if len(p.Session) > 0 {
		out = append(out, "session policy")
	}
	if p.Boundary != nil {
		out = append(out, "permissions boundary")
	}
	if len(p.SCPs) > 0 {
		out = append(out, "SCPs")
	}
	n := 0
	for _, r := range p.Resources {
		if r.Policy != nil {
			n++
		}
	}
	if n > 0 {
		out = append(out, fmt.Sprintf("%d resource policies", n))
	}
	return strings.Join(out, ", ")
}

// RoleEditor changes a role's identity policies, where quiltq may: only
// the embedded sandbox's roles. A real role is changed by its
// administrator.
type RoleEditor interface {
	// PutRolePolicy adds (or replaces) the inline policy name of role.
	PutRolePolicy(role, name string, document []byte) error
	// Policies are role's identity policies as they are now.
	Policies(role string) []*iam.Policy
}

// Session is one login's session. Its methods are safe for concurrent
// use (the workbench calls them from several commands at once).
type Session struct {
	opts     Options
	settings *config.Settings
	paths    config.Paths

	login  *login     // nil for an Offline session
	aws    aws.Config // the SDK configuration the client was built on
	client *athena.Client
	grants *grantCheck

	mu        sync.Mutex
	known     *Policies // the role's policies, when known; ApplyFix refreshes them
	callerARN string
	wg        *athena.Workgroup // the chosen workgroup, once chosen
	wgCached  bool              // wg came from the cache
	keptCreds bool              // the credentials in use were kept by an earlier run
	fixes     int               // statements ApplyFix added
	live      liveQueries
}

// newSession is what every session starts from: the settings, the paths
// and the rules file. A rules file that does not parse is an error: a
// team's curation silently ignored would be a hole.
func newSession(opts Options) (*Session, error) {
	if opts.Settings == nil {
		return nil, &engine.Error{Op: "session", Kind: engine.Invalid, Err: errors.New("no settings")}
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if opts.HTTP == nil {
		opts.HTTP = defaultHTTP()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// PathsFrom may fail on one directory alone; the other still serves.
	paths, _ := config.PathsFrom(opts.Getenv)
	s := &Session{opts: opts, settings: opts.Settings, paths: paths}
	if opts.Policies != nil {
		known := *opts.Policies
		s.known = &known
	}
	gc, err := s.localGrants()
	if err != nil {
		return nil, err
	}
	s.grants = gc
	return s, nil
}

// Offline is a session with no login: only the rules file decides its
// checks, and every call that needs AWS fails saying so. `quiltq check`
// uses it when there is nobody to log in as.
func Offline(opts Options) (*Session, error) {
	return newSession(opts)
}

// Open opens the session: the settings and the rules file, then a login
// (opts.Login, QUILTQ_TOKEN, the stored login, plain AWS credentials),
// then the AWS configuration and the Athena client. It sends nothing to
// AWS: the workgroup is chosen when a query first needs it.
func Open(ctx context.Context, opts Options) (*Session, error) {
	s, err := newSession(opts)
	if err != nil {
		return nil, err
	}
	l, err := s.resolveLogin(ctx)
	if err != nil {
		return nil, err
	}
	s.login = l
	cfg, err := auth.AWSConfig(ctx, auth.AWSParams{Region: l.region, Endpoint: l.endpoint, Credentials: l.creds, AWSProfile: s.settings.AWSProfile(), OnRetry: opts.OnRetry})
	if err != nil {
		return nil, err
	}
	s.aws = cfg
	s.client = athena.New(cfg, athena.Options{NoS3: opts.NoS3})
	s.grants.addLogin(ctx, l)
	return s, nil
}

// defaultHTTP is the client for the catalog and the registry when none is
// given: their calls are small, and none may hang a command.
func defaultHTTP() *http.Client { return &http.Client{Timeout: 30 * time.Second} }

// ready reports whether the session has a login, as an error: an Offline
// session has none.
func (s *Session) ready() error {
	if s.client == nil {
		return &engine.Error{Op: "session", Kind: engine.Credentials, Err: fmt.Errorf("%w: this needs a login (run `quiltq login`)", ErrNotLoggedIn)}
	}
	return nil
}

// Settings are the session's effective settings.
func (s *Session) Settings() *config.Settings { return s.settings }

// Region is the AWS region the session calls.
func (s *Session) Region() string { return s.aws.Region }

// Source names where the credentials come from: "keyring", "file",
// "env QUILTQ_TOKEN", "sandbox", "aws profile NAME", "aws default chain".
func (s *Session) Source() string {
	if s.login == nil {
		return ""
	}
	return s.login.source
}

// PricePerTB is the price Athena charges per terabyte scanned, in USD.
func (s *Session) PricePerTB() float64 { return s.settings.PricePerTB() }

// TabulatorCatalog is the stack's Tabulator data catalog
// ("quilt-<stack>-tabulator"), "" without a Quilt login.
func (s *Session) TabulatorCatalog() string {
	if s.login == nil || s.login.catalog == nil {
		return ""
	}
	return s.login.catalog.TabulatorCatalog()
}

// Known is what the session knows of the role's policies (nil when
// nothing is known).
func (s *Session) Known() *Policies {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.known == nil {
		return nil
	}
	k := *s.known
	return &k
}

// cacheDir is the directory of the session's caches under name, "" when
// the cache directory cannot be told.
func (s *Session) cacheDir(name string) string {
	if s.paths.CacheDir == "" {
		return ""
	}
	return filepath.Join(s.paths.CacheDir, name)
}

// place is where the session's calls go: the AWS endpoint ("" for
// AWS's own) and the Quilt catalog of the login ("" with plain AWS
// credentials), or the Place of a login handed in. The same principal
// elsewhere (a sandbox, a proxy, another catalog) sees another world, so
// the per-principal caches keep it apart.
func (s *Session) place() (endpoint, catalogURL string) {
	if s.login == nil {
		return "", ""
	}
	if l := s.opts.Login; l != nil && l.Place != "" {
		return l.Place, ""
	}
	if s.login.catalog != nil {
		catalogURL = strings.TrimRight(s.login.catalog.URL, "/")
	}
	return strings.TrimRight(s.login.endpoint, "/"), catalogURL
}

// StoreKey names the principal's own stores of a front end (the
// workbench's history and editor tabs): the STS caller ARN, the region,
// the AWS endpoint and the Quilt catalog, NUL-separated, as the catalog
// cache keys its listings.
func (s *Session) StoreKey(ctx context.Context) (string, error) {
	arn, err := s.Principal(ctx)
	if err != nil {
		return "", err
	}
	endpoint, catalogURL := s.place()
	return strings.Join([]string{arn, s.aws.Region, endpoint, catalogURL}, "\x00"), nil
}

func (s *Session) warn(format string, args ...any) {
	if s.opts.Warn != nil {
		s.opts.Warn(fmt.Sprintf(format, args...))
	}
}
