package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/ui/print"
)

// app builds what a command needs in dependency order: settings, then a
// login, then the AWS configuration, then the engine. Each step runs only
// when a command asks for it, so that `quiltq --version` or a usage error
// touches nothing.
type app struct {
	g      *globalFlags
	st     streams
	getenv func(string) string
	http   *http.Client

	settings *config.Settings
	sandbox  *sandbox.Running
	built    *querySession // the last session built, even when choosing its workgroup failed
}

func newApp(g *globalFlags, st streams, getenv func(string) string) *app {
	return &app{g: g, st: st, getenv: getenv, http: &http.Client{Timeout: 30 * time.Second}}
}

// close stops what the app started (the in-process sandbox).
func (a *app) close() {
	if a.sandbox != nil {
		if err := a.sandbox.Close(); err != nil {
			fmt.Fprintf(a.st.Err, "quiltq: stopping the sandbox: %v\n", err)
		}
	}
}

// loadSettings reads the config and applies the flags over it.
func (a *app) loadSettings() (*config.Settings, error) {
	if a.settings != nil {
		return a.settings, nil
	}
	s, err := config.Load(a.getenv, a.g.profile)
	if err != nil {
		return nil, &engine.Error{Op: "config", Kind: engine.Invalid, Err: err}
	}
	for _, f := range []struct{ name, value, flag string }{
		{"output", a.g.format, "-o"},
		{"workgroup", a.g.workgroup, "-w"},
		{"catalog", a.g.catalog, "-c"},
		{"database", a.g.database, "-d"},
		{"aws_profile", a.g.awsProfile, "--aws-profile"},
	} {
		if f.value == "" {
			continue
		}
		if err := s.Set(f.name, f.value, "flag "+f.flag); err != nil {
			return nil, &engine.Error{Op: "flag " + f.flag, Kind: engine.Invalid, Err: err}
		}
	}
	a.settings = s
	return s, nil
}

// login is how the app signs AWS calls.
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

// resolveLogin picks the credential source: --sandbox, then a Quilt login
// (QUILTQ_TOKEN with QUILTQ_CATALOG_URL or the profile's catalog_url),
// then the login `quiltq login` stored (keyring or file), then plain AWS
// credentials when asked for (--aws-profile, aws_profile, AWS_PROFILE or
// AWS_ACCESS_KEY_ID). The keyring is only touched when the logins file
// says it holds this profile's login.
func (a *app) resolveLogin(ctx context.Context, s *config.Settings) (*login, error) {
	catalogURL, token := s.CatalogURL(), a.getenv("QUILTQ_TOKEN")
	endpoint := a.getenv("AWS_ENDPOINT_URL")
	source := auth.SourceEnv
	if a.g.sandbox {
		run, err := sandbox.Start("127.0.0.1:0", sandbox.Options{})
		if err != nil {
			return nil, &engine.Error{Op: "sandbox", Kind: engine.Other, Err: err}
		}
		a.sandbox = run
		user, ok := sandboxUser(run.Info, a.g.sandboxUser)
		if !ok {
			return nil, &engine.Error{Op: "--sandbox-user", Kind: engine.Invalid, Err: fmt.Errorf("the sandbox has no user %q; it has %s", a.g.sandboxUser, sandboxUserNames(run.Info))}
		}
		catalogURL, token, endpoint, source = run.Info.CatalogURL, user.RefreshToken, run.Info.AWSEndpointURL, auth.SourceSandbox
	}
	if token != "" && catalogURL != "" {
		cat, err := auth.Discover(ctx, a.http, catalogURL)
		if err != nil {
			return nil, err
		}
		reg := &auth.Registry{URL: cat.RegistryURL, HTTPClient: a.http}
		sess := auth.NewSession(reg, auth.Tokens{RefreshToken: token}, auth.SessionOptions{Source: source})
		region := cat.Region
		if r := s.Region(); r != "" {
			region = r
		}
		return &login{creds: auth.NewCredentialsCache(sess), region: region, endpoint: endpoint, source: sess.Source(),
			catalog: cat, registry: reg, quilt: sess}, nil
	}
	if token == "" && s.AWSProfile() == "" {
		if l, err := a.storedLogin(ctx, s, endpoint); l != nil || err != nil {
			return l, err
		}
	}
	if p := s.AWSProfile(); p != "" || a.getenv("AWS_PROFILE") != "" || a.getenv("AWS_ACCESS_KEY_ID") != "" {
		return &login{region: s.Region(), endpoint: endpoint, source: auth.AWSParams{AWSProfile: p}.Source()}, nil
	}
	var why string
	switch {
	case token != "":
		why = "QUILTQ_TOKEN is set but no catalog URL is: set QUILTQ_CATALOG_URL or a profile's catalog_url"
	case catalogURL != "":
		why = "a catalog URL is set (" + catalogURL + ") but no login: run `quiltq login`" + a.quilt3Offer(ctx, catalogURL)
	default:
		why = "run `quiltq login CATALOG_URL` (or set QUILTQ_CATALOG_URL and QUILTQ_TOKEN), use --aws-profile for plain AWS credentials, or try --sandbox"
	}
	return nil, &engine.Error{Op: "login", Kind: engine.Credentials, Err: errors.New("not logged in: " + why)}
}

func sandboxUser(in sandbox.Info, name string) (sandbox.UserInfo, bool) {
	for _, u := range in.Users {
		if strings.EqualFold(u.Name, name) || strings.EqualFold(u.Email, name) {
			return u, true
		}
	}
	return sandbox.UserInfo{}, false
}

func sandboxUserNames(in sandbox.Info) string {
	var names []string
	for _, u := range in.Users {
		names = append(names, u.Name)
	}
	return strings.Join(names, ", ")
}

// session builds what running queries needs: a login, the AWS SDK
// configuration, the engine and, when queries will be started, a workgroup.
func (a *app) session(ctx context.Context, needWorkgroup bool) (*querySession, error) {
	s, err := a.loadSettings()
	if err != nil {
		return nil, err
	}
	l, err := a.resolveLogin(ctx, s)
	if err != nil {
		return nil, err
	}
	cfg, err := auth.AWSConfig(ctx, auth.AWSParams{Region: l.region, Endpoint: l.endpoint, Credentials: l.creds, AWSProfile: s.AWSProfile(), HTTPClient: nil})
	if err != nil {
		return nil, err
	}
	opts := athena.Options{}
	switch a.g.fetch {
	case "auto", "s3":
	case "api":
		opts.NoS3 = true
	default:
		return nil, &engine.Error{Op: "flag --fetch", Kind: engine.Invalid, Err: fmt.Errorf("%q is not a fetch mode: use auto, s3 or api", a.g.fetch)}
	}
	client := athena.New(cfg, opts)
	qs := &querySession{client: client, pricePerTB: s.PricePerTB(), credSource: l.source, login: l, aws: cfg}
	if qs.fix, err = a.newFixer(); err != nil {
		return nil, err
	}
	a.built = qs
	if needWorkgroup {
		if err := a.chooseWorkgroup(ctx, qs); err != nil {
			return nil, err
		}
	}
	return qs, nil
}

// chooseWorkgroup picks the session's workgroup: the configured one, else
// the one the user may use.
func (a *app) chooseWorkgroup(ctx context.Context, qs *querySession) error {
	wg, err := qs.client.ChooseWorkgroup(ctx, a.settings.Workgroup())
	if err != nil {
		return err
	}
	if wg.Fallback != "" {
		fmt.Fprintf(a.st.Err, "quiltq: workgroup %s: %s\n", wg.Name, wg.Fallback)
	}
	qs.workgroup = wg.Name
	return nil
}

// runQueryMode is quiltq's one-shot query mode: SQL from -e, -f or stdin,
// rows on stdout, everything else on stderr.
func runQueryMode(ctx context.Context, g *globalFlags, st streams, getenv func(string) string) int {
	sql, ok, err := readSQL(g, st)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitUsage
	}
	if g.results != "" {
		if ok {
			fmt.Fprintln(st.Err, "quiltq: give --results or SQL, not both")
			return exitUsage
		}
		sql, ok = "", true
	}
	if !ok {
		if !st.InTTY || !st.OutTTY {
			fmt.Fprintln(st.Err, "quiltq: no SQL: give it with -e, -f or on stdin, or run quiltq in a terminal for the interactive workbench (see 'quiltq -h')")
			return exitUsage
		}
		return runTUI(ctx, g, st, getenv)
	}
	stmts, err := splitStatements(sql)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: the SQL cannot be read: %v\n", err)
		return exitFailed
	}
	if len(stmts) == 0 && g.results == "" {
		fmt.Fprintln(st.Err, "quiltq: no SQL statement to run")
		return exitUsage
	}
	a := newApp(g, st, getenv)
	defer a.close()
	s, err := a.loadSettings()
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitUsage
	}
	format := s.Output()
	if g.format == "" && !st.OutTTY && settingIsDefault(s, "output") {
		format = "csv" // data for a script, unless the user chose
	}
	if !slices.Contains(print.Formats(), format) {
		fmt.Fprintf(st.Err, "quiltq: %q is not an output format: use %s\n", format, strings.Join(print.Formats(), ", "))
		return exitUsage
	}
	for _, sql := range stmts {
		if len(sql) > athena.MaxQueryBytes {
			fmt.Fprintf(st.Err, "quiltq: a statement is %d bytes; Athena takes at most %d bytes (262144): split it or move data into a table\n", len(sql), athena.MaxQueryBytes)
			return exitUsage
		}
	}
	gc, err := a.localGrants()
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitUsage
	}
	// The workgroup is chosen after the grant check, so that a refused
	// query costs no AWS call at all.
	sess, err := a.session(ctx, false)
	if err != nil {
		return a.sessionFailed(st, stmts, err)
	}
	opts := queryOptions{
		Format: format, NoHeader: g.noHeader, NullString: g.nullString.s, Limit: g.limit,
		ContinueOnError: g.continueOnError, Stats: g.stats, Catalog: s.Catalog(), Database: s.Database(),
	}
	if g.results != "" {
		return showResults(ctx, sess, g.results, opts, st)
	}
	a.sessionGrants(ctx, gc, sess, false)
	// Every statement is checked before any runs: a script is not started
	// when one of its statements would be refused.
	for _, sql := range stmts {
		if code := gc.checkStatement(ctx, sql, opts, st); code >= 0 {
			if len(stmts) > 1 {
				fmt.Fprintln(st.Err, "quiltq: no statement of the script was run")
			}
			return code
		}
	}
	if err := a.chooseWorkgroup(ctx, sess); err != nil {
		return a.sessionFailed(st, stmts, err)
	}
	return runStatements(ctx, sess, stmts, opts, st)
}

// sessionFailed says why a session could not be set up (a login, the
// workgroup), explains a refusal as a query's is, gives the next step and
// returns the exit code.
func (a *app) sessionFailed(st streams, stmts []string, err error) int {
	err = credentialsCause(err)
	fmt.Fprintf(st.Err, "quiltq: %v\n", err)
	explainSessionFailure(st.Err, a, stmts, err)
	if hint := athena.Hint(err); hint != "" {
		fmt.Fprintf(st.Err, "  next:      %s\n", hint)
	}
	return exitCode(err)
}

// settingIsDefault reports whether nobody set the setting name.
func settingIsDefault(s *config.Settings, name string) bool {
	v, ok := s.Get(name)
	return !ok || v.Source == config.SourceDefault
}
