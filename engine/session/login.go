package session

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
)

// login is how the session signs AWS calls.
type login struct {
	creds    aws.CredentialsProvider // nil: the SDK's default chain
	region   string
	endpoint string
	source   string

	// With a Quilt login (nil with plain AWS credentials): the catalog's
	// config.json, its registry, and the session that holds the tokens.
	catalog  *auth.Catalog
	registry *auth.Registry
	quilt    *auth.Session
	// With a stored login: its store and key there.
	store    auth.SecretStore
	storeKey string
}

// resolveLogin picks the credential source: opts.Login (the sandbox's),
// then a Quilt login from the environment (QUILTQ_TOKEN with
// QUILTQ_CATALOG_URL or the profile's catalog_url), then the login
// `quiltq login` stored (keyring or file), then plain AWS credentials
// when asked for (--aws-profile, aws_profile, AWS_PROFILE or
// AWS_ACCESS_KEY_ID). The keyring is only touched when the logins file
// says it holds this profile's login.
func (s *Session) resolveLogin(ctx context.Context) (*login, error) {
	getenv, st := s.opts.Getenv, s.settings
	catalogURL, token := st.CatalogURL(), getenv("QUILTQ_TOKEN")
	endpoint := getenv("AWS_ENDPOINT_URL")
	source := auth.SourceEnv
	if l := s.opts.Login; l != nil {
		catalogURL, token, endpoint, source = l.CatalogURL, l.RefreshToken, l.AWSEndpointURL, l.Source
	}
	if token != "" && catalogURL != "" {
		discover := s.discover
		if s.opts.Login != nil {
			// A login handed in (the sandbox's) is of a stack that lives as
			// long as the process: nothing to keep for the next run.
			discover = func(ctx context.Context, u string) (*auth.Catalog, error) { return auth.Discover(ctx, s.opts.HTTP, u) }
		}
		cat, err := discover(ctx, catalogURL)
		if err != nil {
			return nil, err
		}
		reg := &auth.Registry{URL: cat.RegistryURL, HTTPClient: s.opts.HTTP}
		sess := auth.NewSession(reg, auth.Tokens{RefreshToken: token}, auth.SessionOptions{Source: source})
		region := cat.Region
		if r := st.Region(); r != "" {
			region = r
		}
		return &login{creds: auth.NewCredentialsCache(sess), region: region, endpoint: endpoint, source: sess.Source(),
			catalog: cat, registry: reg, quilt: sess}, nil
	}
	if token == "" && st.AWSProfile() == "" {
		if l, err := s.storedLogin(ctx, endpoint); l != nil || err != nil {
			return l, err
		}
	}
	if p := st.AWSProfile(); p != "" || getenv("AWS_PROFILE") != "" || getenv("AWS_ACCESS_KEY_ID") != "" {
		return &login{region: st.Region(), endpoint: endpoint, source: auth.AWSParams{AWSProfile: p}.Source()}, nil
	}
	var why string
	switch {
	case token != "":
		why = "QUILTQ_TOKEN is set but no catalog URL is: set QUILTQ_CATALOG_URL or a profile's catalog_url"
	case catalogURL != "":
		why = "a catalog URL is set (" + catalogURL + ") but no login: run `quiltq login`" + quilt3Offer(getenv, catalogURL)
	default:
		why = "run `quiltq login CATALOG_URL` (or set QUILTQ_CATALOG_URL and QUILTQ_TOKEN), use --aws-profile for plain AWS credentials, or try --sandbox"
	}
	return nil, &engine.Error{Op: "login", Kind: engine.Credentials, Err: fmt.Errorf("%w: %s", ErrNotLoggedIn, why)}
}

// ErrNotLoggedIn is in the chain of every error that says there is no
// login at all, as against credentials that were refused: a front end
// then gives the way to log in and says nothing of refusals.
var ErrNotLoggedIn = errors.New("not logged in")

// secretStore is the store of logins of the given storage kind ("file"
// or "keyring"): the keyring unless the user asked for a plain file.
func secretStore(opts Options, storage string) (auth.SecretStore, error) {
	if storage == auth.SourceFile {
		paths, err := config.PathsFrom(opts.Getenv)
		if paths.CredentialsPath() == "" {
			return nil, &engine.Error{Op: "insecure storage", Kind: engine.Invalid, Err: fmt.Errorf("no config dir for the credentials file: %v", err)}
		}
		return &auth.FileStore{Path: paths.CredentialsPath(), Warn: warnWriter(opts.Warn)}, nil
	}
	return &auth.Keyring{
		Timeout: auth.KeyringTimeout(opts.Settings.KeyringTimeout(), opts.Interactive, opts.Getenv),
		Getenv:  opts.Getenv,
	}, nil
}

// warnWriter passes what is written to warn, one warning a write,
// without the "quiltq: " a store puts before its own.
type warnWriter func(string)

func (w warnWriter) Write(p []byte) (int, error) {
	if w != nil {
		w(strings.TrimPrefix(strings.TrimRight(string(p), "\n"), "quiltq: "))
	}
	return len(p), nil
}

// loadLogins reads the logins file of the config dir.
func loadLogins(getenv func(string) string) (*config.Logins, error) {
	paths, err := config.PathsFrom(getenv)
	if err != nil && paths.ConfigDir == "" {
		return nil, &engine.Error{Op: "logins", Kind: engine.Invalid, Err: err}
	}
	l, err := config.LoadLogins(paths.LoginsPath())
	if err != nil {
		return nil, &engine.Error{Op: "logins", Kind: engine.Invalid, Err: err}
	}
	return l, nil
}

// storedLogin is the login `quiltq login` stored for the profile, or nil
// when there is none. endpoint is AWS_ENDPOINT_URL; when empty, the one
// the login was verified against is used.
func (s *Session) storedLogin(ctx context.Context, endpoint string) (*login, error) {
	logins, err := loadLogins(s.opts.Getenv)
	if err != nil {
		return nil, err
	}
	rec, ok := logins.Find(s.settings.Profile, s.settings.CatalogURL())
	if !ok {
		return nil, nil
	}
	store, err := secretStore(s.opts, rec.Storage)
	if err != nil {
		return nil, err
	}
	tokens, err := store.Load(ctx, rec.RegistryURL)
	if errors.Is(err, auth.ErrNotStored) {
		return nil, &engine.Error{Op: "login", Kind: engine.Credentials, Err: fmt.Errorf(
			"%w: the login to %s is no longer in %s: run `quiltq login`", ErrNotLoggedIn, rec.CatalogURL, store.Where())}
	}
	if err != nil {
		return nil, err
	}
	cat, err := s.discover(ctx, rec.CatalogURL)
	if err != nil {
		return nil, err
	}
	reg := &auth.Registry{URL: cat.RegistryURL, HTTPClient: s.opts.HTTP}
	// The login keeps the AWS credentials the registry issues, beside
	// itself in the store, so that the next run uses them until 5 minutes
	// before they expire rather than asking the registry again.
	sess := auth.NewSession(reg, tokens, auth.SessionOptions{
		Source:          store.Name(),
		OnRotate:        s.saveRotated(store, rec.RegistryURL),
		KeepCredentials: true,
	})
	s.keptCreds = tokens.AWS != nil && s.opts.Now().Add(auth.CredentialsExpiryWindow).Before(tokens.AWS.Expires)
	region := cat.Region
	if r := s.settings.Region(); r != "" {
		region = r
	}
	if endpoint == "" {
		endpoint = rec.AWSEndpointURL
	}
	return &login{creds: auth.NewCredentialsCache(sess), region: region, endpoint: endpoint, source: sess.Source(),
		catalog: cat, registry: reg, quilt: sess, store: store, storeKey: rec.RegistryURL}, nil
}

// saveRotated stores every rotated login. A failure is a warning: the
// session then keeps exchanging the token the store still holds, which
// the registry keeps valid (see auth.SessionOptions.OnRotate).
func (s *Session) saveRotated(store auth.SecretStore, key string) func(auth.Tokens) error {
	return func(t auth.Tokens) error {
		// OnRotate has no context: the store's own time-box bounds it.
		if err := store.Save(context.Background(), key, t); err != nil {
			s.warn("warning: could not save the refreshed Quilt login (%v); the stored login stays valid and is used again next time", err)
			return err
		}
		return nil
	}
}

// quilt3Offer is a hint, for a "not logged in" error, that quilt3 is
// logged in to catalogURL and its login can be imported.
func quilt3Offer(getenv func(string) string, catalogURL string) string {
	dir, err := config.Quilt3Dir(getenv, runtime.GOOS)
	if err != nil {
		return ""
	}
	q, err := config.ReadQuilt3(dir)
	if err != nil || q.RegistryURL == "" || (catalogURL != "" && q.NavigatorURL != catalogURL) {
		return ""
	}
	if _, ok := q.Login(q.RegistryURL); !ok {
		return ""
	}
	return fmt.Sprintf("; quilt3 is logged in to %s: `quiltq login --from-quilt3` imports that login", q.NavigatorURL)
}

// Quilt3Offer is the hint quiltq gives at login when quilt3 is logged in
// to catalogURL: its login can be imported ("" when it is not).
func Quilt3Offer(getenv func(string) string, catalogURL string) string {
	return strings.TrimPrefix(quilt3Offer(getenv, catalogURL), "; ")
}

// CanLogIn reports whether there is a login to try, so that a command
// that works without one (`quiltq check`) stays quiet and offline when
// there is none. sandbox says a login is handed in.
func CanLogIn(opts Options) bool {
	st, getenv := opts.Settings, opts.Getenv
	if opts.Login != nil || getenv("QUILTQ_TOKEN") != "" || st.CatalogURL() != "" || st.AWSProfile() != "" || getenv("AWS_PROFILE") != "" {
		return true
	}
	logins, err := loadLogins(getenv)
	if err != nil {
		return false
	}
	_, ok := logins.Find(st.Profile, "")
	return ok
}

// OffersLogin reports whether err, from opening a session, is the want of
// a Quilt login that a login screen can give: not with a login handed in
// (the sandbox), QUILTQ_TOKEN or plain AWS credentials, which a stored
// login would not replace.
func OffersLogin(opts Options, err error) bool {
	getenv := opts.Getenv
	return engine.KindOf(CredentialsCause(err)) == engine.Credentials && opts.Login == nil && getenv("QUILTQ_TOKEN") == "" &&
		opts.Settings.AWSProfile() == "" && getenv("AWS_PROFILE") == "" && getenv("AWS_ACCESS_KEY_ID") == ""
}

// LoginTarget is where a login goes: the catalog (and its registry) and
// the store that will keep it.
type LoginTarget struct {
	opts    Options
	Catalog *auth.Catalog
	store   auth.SecretStore
	storage string // auth.SourceKeyring or auth.SourceFile
}

// PrepareLogin finds the catalog at catalogURL and the store the login
// will go to (a plain file when insecure), and checks that the store
// works, before anyone is asked for a code.
func PrepareLogin(ctx context.Context, opts Options, catalogURL string, insecure bool) (*LoginTarget, error) {
	if catalogURL == "" {
		return nil, &engine.Error{Op: "login", Kind: engine.Invalid, Err: errors.New("which catalog? give its URL (quiltq login https://catalog.example.com) or set catalog_url in the profile")}
	}
	if opts.HTTP == nil {
		opts.HTTP = defaultHTTP()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// Read anew, and kept for the commands that follow.
	paths, _ := config.PathsFrom(opts.Getenv)
	dir := ""
	if paths.CacheDir != "" {
		dir = filepath.Join(paths.CacheDir, "catalogs")
	}
	cat, err := discoverCached(ctx, opts, dir, catalogURL, true)
	if err != nil {
		return nil, err
	}
	storage := auth.SourceKeyring
	if insecure {
		storage = auth.SourceFile
	}
	store, err := secretStore(opts, storage)
	if err != nil {
		return nil, err
	}
	// Find out now, before asking for a code, whether the store works.
	if err := store.CanSave(ctx, cat.RegistryURL); err != nil {
		return nil, err
	}
	return &LoginTarget{opts: opts, Catalog: cat, store: store, storage: storage}, nil
}

// LoginMethod is how a login's secret is had.
type LoginMethod int

const (
	// LoginCode is a login code from the catalog's /code page (or a
	// refresh token), asked of the front end (LoginRequest.Secret).
	LoginCode LoginMethod = iota
	// LoginAPIKey is a Quilt API key (qk_...), asked of the front end.
	LoginAPIKey
	// LoginQuilt3 takes over quilt3's login (ImportQuilt3); nothing is
	// asked of the front end.
	LoginQuilt3
)

// LoginRequest is one login, as `quiltq login` and the workbench's login
// screen make it.
type LoginRequest struct {
	// CatalogURL is the catalog to log in to: "" for the profile's, or,
	// with LoginQuilt3 and none in the profile, the one quilt3 is logged
	// in to.
	CatalogURL string
	// Insecure keeps the login in the 0600 credentials file rather than
	// the OS keyring.
	Insecure bool
	Method   LoginMethod
	// Secret asks for the code or key, once the catalog is found and its
	// store is known to save: nobody is asked for a code that could not
	// be kept. The target says where the code page is (Catalog.URL +
	// "/code").
	Secret func(ctx context.Context, t *LoginTarget) (string, error)
	// Note shows what the login did on the way (quilt3's login refreshed
	// and written back), a line a call; nil drops them.
	Note func(string)
}

// Login logs in as r asks: it finds the catalog and the store
// (PrepareLogin), has the secret (asked of the front end, or quilt3's
// login imported), checks its form, then exchanges, verifies and saves it
// (CompleteLogin). Nothing is saved unless every check passed.
func Login(ctx context.Context, opts Options, r LoginRequest) (LoggedIn, error) {
	var q3 *config.Quilt3
	if r.Method == LoginQuilt3 {
		var err error
		if q3, err = ReadQuilt3(opts.Getenv); err != nil {
			return LoggedIn{}, err
		}
		if r.CatalogURL == "" && opts.Settings.CatalogURL() == "" {
			r.CatalogURL = q3.NavigatorURL
		}
	}
	if r.CatalogURL == "" {
		r.CatalogURL = opts.Settings.CatalogURL()
	}
	t, err := PrepareLogin(ctx, opts, r.CatalogURL, r.Insecure)
	if err != nil {
		return LoggedIn{}, err
	}
	var secret string
	if r.Method == LoginQuilt3 {
		imp, err := ImportQuilt3(ctx, t, q3)
		if err != nil {
			return LoggedIn{}, err
		}
		for _, n := range imp.Notes {
			if r.Note != nil {
				r.Note(n)
			}
		}
		secret = imp.Secret
	} else {
		if secret, err = r.Secret(ctx, t); err != nil {
			return LoggedIn{}, err
		}
		if secret, err = checkSecret(secret); err != nil {
			return LoggedIn{}, err
		}
		if r.Method == LoginAPIKey && !strings.HasPrefix(secret, auth.APIKeyPrefix) {
			return LoggedIn{}, &engine.Error{Op: "--api-key", Kind: engine.Invalid, Err: errors.New("that is not a Quilt API key: keys start with " + auth.APIKeyPrefix)}
		}
	}
	return CompleteLogin(ctx, t, secret)
}

// checkSecret is s, as typed or pasted, without the space around it; a
// secret that is empty or has spaces in it is refused before the
// registry is asked.
func checkSecret(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &engine.Error{Op: "login", Kind: engine.Invalid, Err: errors.New("no code given: paste the code the catalog's /code page shows")}
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return "", &engine.Error{Op: "login", Kind: engine.Invalid, Err: errors.New("the code has spaces in it: paste only the code the catalog's /code page shows")}
	}
	return s, nil
}

// LoggedIn is who a login verified.
type LoggedIn struct {
	CatalogURL, Name, Email, Role string
	Principal                     string // the AWS principal, or why it is unknown
	Where                         string // the store's words for where the login is kept
}

// CompleteLogin exchanges secret (a login code, a refresh token or an
// API key) with t's registry, verifies the login (AWS credentials, who the
// registry says the user is, and who AWS STS says the credentials belong
// to), and only then saves it in t's store and records it for the profile.
func CompleteLogin(ctx context.Context, t *LoginTarget, secret string) (LoggedIn, error) {
	cat, opts := t.Catalog, t.opts
	st := opts.Settings
	reg := &auth.Registry{URL: cat.RegistryURL, HTTPClient: opts.HTTP}
	var tokens auth.Tokens
	var err error
	if strings.HasPrefix(secret, auth.APIKeyPrefix) {
		tokens = auth.Tokens{RefreshToken: secret}
	} else if tokens, err = reg.Exchange(ctx, secret); err != nil {
		return LoggedIn{}, loginRefused(err, cat.URL+"/code")
	}

	// Verify before saving: AWS credentials, and who the registry says we
	// are. Should the session refresh meanwhile (a short-lived access
	// token), the rotated tokens are the ones to save.
	sess := auth.NewSession(reg, tokens, auth.SessionOptions{Source: t.storage, KeepCredentials: true, OnRotate: func(tk auth.Tokens) error {
		tokens = tk
		return nil
	}})
	if _, err := sess.Retrieve(ctx); err != nil {
		return LoggedIn{}, loginRefused(err, cat.URL+"/code")
	}
	access, err := sess.AccessToken(ctx)
	if err != nil {
		return LoggedIn{}, loginRefused(err, cat.URL+"/code")
	}
	me, err := reg.Me(ctx, access)
	if err != nil {
		return LoggedIn{}, loginRefused(err, cat.URL+"/code")
	}

	// And who AWS says the credentials belong to: a login whose
	// credentials STS refuses (or cannot be asked about) is not saved.
	region := cat.Region
	if r := st.Region(); r != "" {
		region = r
	}
	cfg, err := auth.AWSConfig(ctx, auth.AWSParams{Region: region, Endpoint: opts.Getenv("AWS_ENDPOINT_URL"), Credentials: sess, OnRetry: opts.OnRetry})
	if err != nil {
		return LoggedIn{}, err
	}
	caller, err := auth.CallerIdentity(ctx, cfg)
	if err != nil {
		return LoggedIn{}, &engine.Error{Op: "login", Kind: engine.KindOf(err), Err: fmt.Errorf(
			"the AWS credentials the registry issued could not be verified with AWS STS, so nothing was saved (%w): check AWS_ENDPOINT_URL and the network, then log in again", err)}
	}

	// The credentials just verified are saved with the login, with who
	// they act as: the first command after login need ask for neither.
	sess.SetPrincipal(caller.ARN)

	if err := t.store.Save(ctx, cat.RegistryURL, tokens); err != nil {
		return LoggedIn{}, err
	}
	logins, err := loadLogins(opts.Getenv)
	if err != nil {
		return LoggedIn{}, err
	}
	logins.Profiles[st.Profile] = config.Login{CatalogURL: cat.URL, RegistryURL: cat.RegistryURL, Storage: t.storage, AWSEndpointURL: opts.Getenv("AWS_ENDPOINT_URL")}
	if err := logins.Save(); err != nil {
		return LoggedIn{}, &engine.Error{Op: "record the login", Kind: engine.Other, Err: err}
	}
	principal := caller.ARN
	return LoggedIn{CatalogURL: cat.URL, Name: me.Name, Email: me.Email, Role: me.Role, Principal: principal, Where: t.store.Where()}, nil
}

// LoggedOut is what Logout did: the catalog logged out of, the profiles
// whose login to it was dropped, and what each store held and removed.
type LoggedOut struct {
	CatalogURL string
	Profiles   []string
	Forgotten  []auth.Forgotten
}

// Logout removes the profile's login: every secret quiltq stored for its
// catalog, under every registry a login to it was recorded with, from
// every store (the OS keyring and the plain-text file alike, whichever the
// login was last made in), and the records of every profile logged in to
// that catalog, whose secrets these were. It tries every store even when
// one fails; a failure of the store the login was recorded in is an
// error, another store's is only reported (in Forgotten).
func Logout(ctx context.Context, opts Options) (LoggedOut, error) {
	st := opts.Settings
	logins, err := loadLogins(opts.Getenv)
	if err != nil {
		return LoggedOut{}, err
	}
	rec, ok := logins.Find(st.Profile, st.CatalogURL())
	if !ok {
		return LoggedOut{}, &engine.Error{Kind: engine.Credentials, Err: fmt.Errorf("profile %q has no stored login", st.Profile)}
	}
	out := LoggedOut{CatalogURL: rec.CatalogURL}
	keys := append(logins.Registries(rec.CatalogURL), rec.RegistryURL)
	var stores []auth.SecretStore
	for _, storage := range []string{auth.SourceKeyring, auth.SourceFile} {
		store, err := secretStore(opts, storage)
		if err != nil {
			if storage == rec.Storage {
				return LoggedOut{}, err
			}
			continue // no config dir: no file to hold a secret
		}
		stores = append(stores, store)
	}
	out.Forgotten = auth.Forget(ctx, keys, stores...)
	for _, f := range out.Forgotten {
		if f.Err != nil && f.Store == rec.Storage {
			return out, f.Err
		}
	}
	want := strings.TrimRight(rec.CatalogURL, "/")
	for name, lg := range logins.Profiles {
		if strings.TrimRight(lg.CatalogURL, "/") == want {
			delete(logins.Profiles, name)
			out.Profiles = append(out.Profiles, name)
		}
	}
	slices.Sort(out.Profiles)
	if err := logins.Save(); err != nil {
		return out, &engine.Error{Kind: engine.Failed, Err: err}
	}
	return out, nil
}

// CredentialsCause digs out of err (often wrapped by the AWS SDK as
// "operation error Athena: ..., get identity: get credentials: ...") the
// innermost Credentials error, whose words say what to do; other errors
// are returned as they are.
func CredentialsCause(err error) error {
	var found *engine.Error
	for e := err; e != nil; {
		var ee *engine.Error
		if !errors.As(e, &ee) {
			break
		}
		if ee.Kind == engine.Credentials {
			found = ee
		}
		e = ee.Err
	}
	if found == nil {
		return err
	}
	return found
}

// loginRefused words a refused code or key for the login command
// itself, where "run `quiltq login`" would send the user in a circle.
func loginRefused(err error, codeURL string) error {
	if engine.KindOf(err) == engine.Credentials {
		return &engine.Error{Op: "login", Kind: engine.Credentials, Err: fmt.Errorf(
			"the registry refused the code or key (%s): get a fresh code from %s (a code works once)", refusalText(err), codeURL)}
	}
	return err
}

// refusalText is the registry's reason in err: the text inside its first
// parentheses, which auth fills with the server's (redacted) message.
func refusalText(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "("); i >= 0 {
		if j := strings.Index(msg[i:], ")"); j > 0 {
			return msg[i+1 : i+j]
		}
	}
	return "refused"
}

// ReadQuilt3 reads quilt3's login files (its config.yml and auth.json),
// for `quiltq login --from-quilt3`: Quilt3.NavigatorURL is the catalog
// to log in to when none is given.
func ReadQuilt3(getenv func(string) string) (*config.Quilt3, error) {
	dir, err := config.Quilt3Dir(getenv, runtime.GOOS)
	if err != nil {
		return nil, &engine.Error{Op: "--from-quilt3", Kind: engine.Invalid, Err: err}
	}
	q3, err := config.ReadQuilt3(dir)
	if err != nil {
		return nil, &engine.Error{Op: "--from-quilt3", Kind: engine.Invalid, Err: err}
	}
	return q3, nil
}

// Quilt3Import is quilt3's login taken over for t: Secret is a login code
// of quiltq's own for CompleteLogin, and Notes say what was done to
// quilt3's login (refreshed and written back, or why not), for the front
// end to show.
type Quilt3Import struct {
	Secret string
	Notes  []string
}

// ImportQuilt3 takes over quilt3's login to t's registry without logging
// quilt3 out: quiltq asks the registry for a login code of its own with
// quilt3's access token, refreshing quilt3's login first (and writing it
// back to auth.json atomically) when that token has expired; see
// auth.ImportQuilt3.
func ImportQuilt3(ctx context.Context, t *LoginTarget, q3 *config.Quilt3) (Quilt3Import, error) {
	cat := t.Catalog
	key, l, ok := q3.LoginKey(cat.RegistryURL)
	if !ok {
		return Quilt3Import{}, &engine.Error{Op: "--from-quilt3", Kind: engine.Credentials, Err: fmt.Errorf(
			"quilt3 has no login to the registry %s in %s/auth.json: run `quiltq login %s` instead", cat.RegistryURL, q3.Dir, cat.URL)}
	}
	imp, err := auth.ImportQuilt3(ctx, &auth.Registry{URL: cat.RegistryURL, HTTPClient: t.opts.HTTP}, q3.Dir, key, l)
	if err != nil {
		return Quilt3Import{}, err
	}
	out := Quilt3Import{Secret: imp.Code}
	switch {
	case imp.WroteBack:
		out.Notes = append(out.Notes, fmt.Sprintf("quilt3's access token had expired: refreshed it and wrote the new login to %s/auth.json, so quilt3 stays logged in", q3.Dir))
	case imp.Note != "":
		out.Notes = append(out.Notes, "note: "+imp.Note)
	}
	out.Notes = append(out.Notes, "imported quilt3's login as a login of quiltq's own; quilt3 stays logged in")
	return out, nil
}
