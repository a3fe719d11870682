package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"golang.org/x/term"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
)

// secretStore is the store of logins of the given storage kind ("file"
// or "keyring"): the keyring unless the user asked for a plain file.
func (a *app) secretStore(s *config.Settings, storage string) (auth.SecretStore, error) {
	if storage == auth.SourceFile {
		paths, err := config.PathsFrom(a.getenv)
		if paths.CredentialsPath() == "" {
			return nil, &engine.Error{Op: "insecure storage", Kind: engine.Invalid, Err: fmt.Errorf("no config dir for the credentials file: %v", err)}
		}
		return &auth.FileStore{Path: paths.CredentialsPath(), Warn: a.st.Err}, nil
	}
	return &auth.Keyring{
		Timeout: auth.KeyringTimeout(s.KeyringTimeout(), a.st.InTTY && a.st.ErrTTY, a.getenv),
		Getenv:  a.getenv,
	}, nil
}

// loadLogins reads the logins file of the config dir.
func (a *app) loadLogins() (*config.Logins, error) {
	paths, err := config.PathsFrom(a.getenv)
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
func (a *app) storedLogin(ctx context.Context, s *config.Settings, endpoint string) (*login, error) {
	logins, err := a.loadLogins()
	if err != nil {
		return nil, err
	}
	rec, ok := logins.Find(s.Profile, s.CatalogURL())
	if !ok {
		return nil, nil
	}
	store, err := a.secretStore(s, rec.Storage)
	if err != nil {
		return nil, err
	}
	tokens, err := store.Load(ctx, rec.RegistryURL)
	if errors.Is(err, auth.ErrNotStored) {
		return nil, &engine.Error{Op: "login", Kind: engine.Credentials, Err: fmt.Errorf(
			"not logged in: the login to %s is no longer in %s: run `quiltq login`", rec.CatalogURL, store.Where())}
	}
	if err != nil {
		return nil, err
	}
	cat, err := auth.Discover(ctx, a.http, rec.CatalogURL)
	if err != nil {
		return nil, err
	}
	reg := &auth.Registry{URL: cat.RegistryURL, HTTPClient: a.http}
	sess := auth.NewSession(reg, tokens, auth.SessionOptions{
		Source:   store.Name(),
		OnRotate: a.saveRotated(store, rec.RegistryURL),
	})
	region := cat.Region
	if r := s.Region(); r != "" {
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
func (a *app) saveRotated(store auth.SecretStore, key string) func(auth.Tokens) error {
	return func(t auth.Tokens) error {
		// OnRotate has no context: the store's own time-box bounds it.
		if err := store.Save(context.Background(), key, t); err != nil {
			fmt.Fprintf(a.st.Err, "quiltq: warning: could not save the refreshed Quilt login (%v); the stored login stays valid and is used again next time\n", err)
			return err
		}
		return nil
	}
}

// quilt3Offer is a hint, for a "not logged in" error, that quilt3 is
// logged in to catalogURL and its login can be imported.
func (a *app) quilt3Offer(_ context.Context, catalogURL string) string {
	dir, err := config.Quilt3Dir(a.getenv, runtime.GOOS)
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

// loginFlags are the flags of `quiltq login`.
type loginFlags struct {
	tokenStdin, apiKey, fromQuilt3, insecure bool
}

// runLogin is `quiltq login [CATALOG_URL]`.
func runLogin(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
	var lf loginFlags
	fs := flag.NewFlagSet("quiltq login", flag.ContinueOnError)
	connectionFlags(fs, g)
	fs.BoolVar(&lf.tokenStdin, "token-stdin", false, "read the login code (or an API key) from stdin instead of asking for it")
	fs.BoolVar(&lf.apiKey, "api-key", false, "log in with a Quilt API key (qk_...) read from stdin; it is used as is, never refreshed")
	fs.BoolVar(&lf.fromQuilt3, "from-quilt3", false, "import quilt3's login to this catalog (its config.yml and auth.json)")
	fs.BoolVar(&lf.insecure, "insecure-storage", false, "keep the login in a plain 0600 file in the config dir instead of the OS keyring")
	fs.Usage = func() {
		fmt.Fprintln(st.Err, "Usage: quiltq login [CATALOG_URL] [--token-stdin | --api-key | --from-quilt3] [--insecure-storage]")
		fs.PrintDefaults()
	}
	pos, code := parseInterspersed(fs, args, st)
	if code >= 0 {
		return code
	}
	if len(pos) > 1 {
		fmt.Fprintln(st.Err, "quiltq login: give at most one catalog URL")
		return exitUsage
	}
	if n := btoi(lf.tokenStdin) + btoi(lf.apiKey) + btoi(lf.fromQuilt3); n > 1 {
		fmt.Fprintln(st.Err, "quiltq login: give one of --token-stdin, --api-key and --from-quilt3")
		return exitUsage
	}
	if g.sandbox {
		fmt.Fprintln(st.Err, "quiltq login: --sandbox logs in by itself; to log in to a running `quiltq sandbox serve`, give its catalog URL")
		return exitUsage
	}
	a := newApp(g, st, getenv)
	defer a.close()
	catalogURL := ""
	if len(pos) == 1 {
		catalogURL = pos[0]
	}
	if err := a.login(ctx, lf, catalogURL); err != nil {
		fmt.Fprintf(st.Err, "quiltq login: %v\n", err)
		return exitCode(err)
	}
	return exitOK
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (a *app) login(ctx context.Context, lf loginFlags, catalogArg string) error {
	s, err := a.loadSettings()
	if err != nil {
		return err
	}
	var q3 *config.Quilt3
	if lf.fromQuilt3 {
		dir, err := config.Quilt3Dir(a.getenv, runtime.GOOS)
		if err != nil {
			return &engine.Error{Op: "--from-quilt3", Kind: engine.Invalid, Err: err}
		}
		if q3, err = config.ReadQuilt3(dir); err != nil {
			return &engine.Error{Op: "--from-quilt3", Kind: engine.Invalid, Err: err}
		}
		if catalogArg == "" && s.CatalogURL() == "" {
			catalogArg = q3.NavigatorURL
		}
	}
	catalogURL := catalogArg
	if catalogURL == "" {
		catalogURL = s.CatalogURL()
	}
	t, err := a.prepareLogin(ctx, catalogURL, lf.insecure || s.InsecureStorage())
	if err != nil {
		return err
	}
	cat := t.cat

	// The secret: quilt3's refresh token, an API key, or a login code.
	var secret string
	switch {
	case lf.fromQuilt3:
		key, l, ok := q3.LoginKey(cat.RegistryURL)
		if !ok {
			return &engine.Error{Op: "--from-quilt3", Kind: engine.Credentials, Err: fmt.Errorf(
				"quilt3 has no login to the registry %s in %s/auth.json: run `quiltq login %s` instead", cat.RegistryURL, q3.Dir, cat.URL)}
		}
		// A login code of quiltq's own, so that quilt3 stays logged in.
		imp, err := auth.ImportQuilt3(ctx, &auth.Registry{URL: cat.RegistryURL, HTTPClient: a.http}, q3.Dir, key, l)
		if err != nil {
			return err
		}
		secret = imp.Code
		switch {
		case imp.WroteBack:
			fmt.Fprintf(a.st.Err, "quiltq: quilt3's access token had expired: refreshed it and wrote the new login to %s/auth.json, so quilt3 stays logged in\n", q3.Dir)
		case imp.Note != "":
			fmt.Fprintf(a.st.Err, "quiltq: note: %s\n", imp.Note)
		}
		fmt.Fprintln(a.st.Err, "quiltq: imported quilt3's login as a login of quiltq's own; quilt3 stays logged in")
	case lf.apiKey:
		if secret, err = a.readSecret("Quilt API key (qk_...): "); err != nil {
			return err
		}
		if !strings.HasPrefix(secret, auth.APIKeyPrefix) {
			return &engine.Error{Op: "--api-key", Kind: engine.Invalid, Err: errors.New("that is not a Quilt API key: keys start with " + auth.APIKeyPrefix)}
		}
	case lf.tokenStdin:
		if secret, err = readAllSecret(a.st.In); err != nil {
			return err
		}
	default:
		if !a.st.InTTY {
			return &engine.Error{Op: "login", Kind: engine.Invalid, Err: errors.New("stdin is not a terminal, so the code cannot be asked for: pipe it in with --token-stdin")}
		}
		codeURL := cat.URL + "/code"
		if a.openBrowser(cat.RegistryURL + "/login") {
			fmt.Fprintf(a.st.Err, "A browser opened the catalog's login page. If it did not, open %s\n", codeURL)
		} else {
			fmt.Fprintf(a.st.Err, "Open %s in a browser, log in, and copy the code it shows.\n", codeURL)
		}
		if offer := a.quilt3Offer(ctx, cat.URL); offer != "" {
			fmt.Fprintf(a.st.Err, "(%s)\n", strings.TrimPrefix(offer, "; "))
		}
		if secret, err = a.readSecret("Code: "); err != nil {
			return err
		}
	}

	li, err := a.completeLogin(ctx, t, secret)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.st.Out, "Logged in to %s as %s <%s>\n", li.catalogURL, li.name, li.email)
	fmt.Fprintf(a.st.Out, "  role:          %s\n", li.role)
	fmt.Fprintf(a.st.Out, "  AWS principal: %s\n", li.principal)
	fmt.Fprintf(a.st.Out, "  stored in:     %s\n", li.where)
	return nil
}

// loginTarget is where a login goes: the catalog (and its registry) and
// the store that will keep it.
type loginTarget struct {
	s       *config.Settings
	cat     *auth.Catalog
	store   auth.SecretStore
	storage string // auth.SourceKeyring or auth.SourceFile
}

// prepareLogin finds the catalog at catalogURL and the store the login
// will go to (a plain file when insecure), and checks that the store
// works, before anyone is asked for a code.
func (a *app) prepareLogin(ctx context.Context, catalogURL string, insecure bool) (*loginTarget, error) {
	s, err := a.loadSettings()
	if err != nil {
		return nil, err
	}
	if catalogURL == "" {
		return nil, &engine.Error{Op: "login", Kind: engine.Invalid, Err: errors.New("which catalog? give its URL (quiltq login https://catalog.example.com) or set catalog_url in the profile")}
	}
	cat, err := auth.Discover(ctx, a.http, catalogURL)
	if err != nil {
		return nil, err
	}
	storage := auth.SourceKeyring
	if insecure {
		storage = auth.SourceFile
	}
	store, err := a.secretStore(s, storage)
	if err != nil {
		return nil, err
	}
	// Find out now, before asking for a code, whether the store works.
	if _, err := store.Load(ctx, cat.RegistryURL); err != nil && !errors.Is(err, auth.ErrNotStored) {
		return nil, err
	}
	return &loginTarget{s: s, cat: cat, store: store, storage: storage}, nil
}

// loggedIn is who a login verified.
type loggedIn struct {
	catalogURL, name, email, role string
	principal                     string // the AWS principal, or why it is unknown
	where                         string // the store's words for where the login is kept
}

// completeLogin exchanges secret (a login code, a refresh token or an
// API key) with t's registry, verifies the login (AWS credentials, and who
// the registry says the user is), and only then saves it in t's store and
// records it for the profile.
func (a *app) completeLogin(ctx context.Context, t *loginTarget, secret string) (loggedIn, error) {
	cat, s := t.cat, t.s
	reg := &auth.Registry{URL: cat.RegistryURL, HTTPClient: a.http}
	var tokens auth.Tokens
	var err error
	if strings.HasPrefix(secret, auth.APIKeyPrefix) {
		tokens = auth.Tokens{RefreshToken: secret}
	} else if tokens, err = reg.Exchange(ctx, secret); err != nil {
		return loggedIn{}, loginRefused(err, cat.URL+"/code")
	}

	// Verify before saving: AWS credentials, and who the registry says we
	// are. Should the session refresh meanwhile (a short-lived access
	// token), the rotated tokens are the ones to save.
	sess := auth.NewSession(reg, tokens, auth.SessionOptions{Source: t.storage, OnRotate: func(tk auth.Tokens) error {
		tokens = tk
		return nil
	}})
	if _, err := sess.Retrieve(ctx); err != nil {
		return loggedIn{}, loginRefused(err, cat.URL+"/code")
	}
	access, err := sess.AccessToken(ctx)
	if err != nil {
		return loggedIn{}, loginRefused(err, cat.URL+"/code")
	}
	me, err := reg.Me(ctx, access)
	if err != nil {
		return loggedIn{}, loginRefused(err, cat.URL+"/code")
	}

	if err := t.store.Save(ctx, cat.RegistryURL, tokens); err != nil {
		return loggedIn{}, err
	}
	logins, err := a.loadLogins()
	if err != nil {
		return loggedIn{}, err
	}
	logins.Profiles[s.Profile] = config.Login{CatalogURL: cat.URL, RegistryURL: cat.RegistryURL, Storage: t.storage, AWSEndpointURL: a.getenv("AWS_ENDPOINT_URL")}
	if err := logins.Save(); err != nil {
		return loggedIn{}, &engine.Error{Op: "record the login", Kind: engine.Other, Err: err}
	}

	// The AWS principal, for the record; a failure here does not undo the login.
	region := cat.Region
	if r := s.Region(); r != "" {
		region = r
	}
	principal := "unknown"
	if cfg, err := auth.AWSConfig(ctx, auth.AWSParams{Region: region, Endpoint: a.getenv("AWS_ENDPOINT_URL"), Credentials: sess}); err == nil {
		if c, err := auth.CallerIdentity(ctx, cfg); err == nil {
			principal = c.ARN
		} else {
			principal = "unknown (" + err.Error() + ")"
		}
	}
	return loggedIn{catalogURL: cat.URL, name: me.Name, email: me.Email, role: me.Role, principal: principal, where: t.store.Where()}, nil
}

// credentialsCause digs out of err (often wrapped by the AWS SDK as
// "operation error Athena: ..., get identity: get credentials: ...") the
// innermost Credentials error, whose words say what to do; other errors
// are returned as they are.
func credentialsCause(err error) error {
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

// readSecret reads one line without echo from a terminal, else a line
// from stdin.
func (a *app) readSecret(prompt string) (string, error) {
	if f, ok := a.st.In.(*os.File); ok && a.st.InTTY && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.st.Err, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.st.Err)
		if err != nil {
			return "", &engine.Error{Op: "login", Kind: engine.Invalid, Err: fmt.Errorf("reading from the terminal: %v", err)}
		}
		return checkSecret(string(b))
	}
	if a.st.InTTY {
		return "", &engine.Error{Op: "login", Kind: engine.Invalid, Err: errors.New("cannot turn off echo on this input: pipe the secret in with --token-stdin")}
	}
	return readAllSecret(a.st.In)
}

// readAllSecret reads the secret from piped stdin: one line, at most 64 KiB.
func readAllSecret(r io.Reader) (string, error) {
	if r == nil {
		return "", &engine.Error{Op: "login", Kind: engine.Invalid, Err: errors.New("no stdin to read the code from")}
	}
	br := bufio.NewReader(io.LimitReader(r, 64<<10))
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", &engine.Error{Op: "login", Kind: engine.Invalid, Err: fmt.Errorf("reading stdin: %v", err)}
	}
	return checkSecret(line)
}

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

// openBrowser opens url (which carries no secret) in the user's browser
// when there is one to open, and reports whether it did.
func (a *app) openBrowser(url string) bool {
	var name string
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		return false
	default:
		if a.getenv("DISPLAY") == "" && a.getenv("WAYLAND_DISPLAY") == "" {
			return false
		}
		name = "xdg-open"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return false
	}
	cmd := exec.Command(path, url)
	if err := cmd.Start(); err != nil {
		return false
	}
	// Reap it in the background; xdg-open returns once the browser is asked.
	go func() { _ = cmd.Wait() }()
	return true
}

// runLogout is `quiltq logout`: it removes the profile's stored login.
func runLogout(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
	fs := flag.NewFlagSet("quiltq logout", flag.ContinueOnError)
	connectionFlags(fs, g)
	if code := parseFlags(fs, args, st); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(st.Err, "quiltq logout: takes no arguments (choose the login with -P)")
		return exitUsage
	}
	a := newApp(g, st, getenv)
	defer a.close()
	s, err := a.loadSettings()
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq logout: %v\n", err)
		return exitUsage
	}
	logins, err := a.loadLogins()
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq logout: %v\n", err)
		return exitCode(err)
	}
	rec, ok := logins.Find(s.Profile, s.CatalogURL())
	if !ok {
		fmt.Fprintf(st.Err, "quiltq logout: profile %q has no stored login\n", s.Profile)
		if getenv("QUILTQ_TOKEN") != "" {
			fmt.Fprintln(st.Err, "quiltq logout: QUILTQ_TOKEN is set in the environment; quiltq never stores it: unset it yourself")
		}
		return exitCredentials
	}
	for name, lg := range logins.Profiles {
		if lg == rec {
			delete(logins.Profiles, name)
		}
	}
	// The secret goes only when no other profile still uses it.
	if len(logins.UsedBy(rec.RegistryURL, rec.Storage)) == 0 {
		store, err := a.secretStore(s, rec.Storage)
		if err == nil {
			err = store.Delete(ctx, rec.RegistryURL)
		}
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq logout: %v\n", err)
			return exitCode(err)
		}
	}
	if err := logins.Save(); err != nil {
		fmt.Fprintf(st.Err, "quiltq logout: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(st.Out, "Logged out of %s\n", rec.CatalogURL)
	if getenv("QUILTQ_TOKEN") != "" {
		fmt.Fprintln(st.Err, "quiltq: note: QUILTQ_TOKEN is still set in the environment, and later commands use it")
	}
	return exitOK
}
