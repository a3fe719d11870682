package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/quiltq/quiltq/auth"
	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui/print"
)

// app wires a command to the session: it reads the settings (config, then
// the flags over it), starts the embedded sandbox for --sandbox, and opens
// the session with them. Each step runs only when a command asks for it,
// so that `quiltq --version` or a usage error touches nothing.
type app struct {
	g      *globalFlags
	st     streams
	getenv func(string) string

	settings *config.Settings
	sandbox  *sandbox.Running
	user     sandbox.UserInfo
	opts     *session.Options
}

func newApp(g *globalFlags, st streams, getenv func(string) string) *app {
	return &app{g: g, st: st, getenv: getenv}
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
	for _, f := range append([]struct{ name, value, flag string }{
		{"output", a.g.format, "-o"},
		{"workgroup", a.g.workgroup, "-w"},
		{"catalog", a.g.catalog, "-c"},
		{"database", a.g.database, "-d"},
		{"aws_profile", a.g.awsProfile, "--aws-profile"},
	}, a.g.guards.settings()...) {
		if f.value == "" {
			continue
		}
		if err := s.Set(f.name, f.value, "flag "+f.flag); err != nil {
			// err names the flag already (its source).
			return nil, &engine.Error{Kind: engine.Invalid, Err: err}
		}
	}
	a.settings = s
	return s, nil
}

// options are the session's options from the flags, the settings and the
// environment; --sandbox starts the embedded stack here and hands the
// session its user's login, its role's policies and the means to change
// them.
func (a *app) options() (session.Options, error) {
	if a.opts != nil {
		return *a.opts, nil
	}
	s, err := a.loadSettings()
	if err != nil {
		return session.Options{}, err
	}
	o := session.Options{
		Settings: s, Getenv: a.getenv, GrantsFile: a.g.grants,
		Interactive: a.st.InTTY && a.st.ErrTTY,
		Warn:        func(msg string) { fmt.Fprintf(a.st.Err, "quiltq: %s\n", msg) },
		// Say what is being retried while it retries (a slow or failing
		// endpoint), rather than wait in silence.
		OnRetry: func(r auth.Retry) { fmt.Fprintf(a.st.Err, "quiltq: %s\n", r) },
	}
	switch a.g.fetch {
	case "auto", "s3", "":
	case "api":
		o.NoS3 = true
	default:
		return session.Options{}, &engine.Error{Op: "flag --fetch", Kind: engine.Invalid, Err: fmt.Errorf("%q is not a fetch mode: use auto, s3 or api", a.g.fetch)}
	}
	if len(a.g.policies) > 0 {
		ps, err := session.ReadPolicyFiles(a.g.policies)
		if err != nil {
			return session.Options{}, err
		}
		o.Policies = &session.Policies{Documents: ps, Source: "--policy " + strings.Join(a.g.policies, ", ")}
	}
	if a.g.sandbox {
		run, err := sandbox.Start("127.0.0.1:0", sandbox.Options{SyntaxErrors: a.g.syntaxErrors.at})
		if err != nil {
			return session.Options{}, &engine.Error{Op: "sandbox", Kind: engine.Other, Err: err}
		}
		a.sandbox = run
		user, err := run.Info.User(a.g.sandboxUser)
		if err != nil {
			return session.Options{}, &engine.Error{Op: "--sandbox-user", Kind: engine.Invalid, Err: err}
		}
		a.user = user
		o.Login = &session.TokenLogin{CatalogURL: run.Info.CatalogURL, RefreshToken: user.RefreshToken, AWSEndpointURL: run.Info.AWSEndpointURL, Source: auth.SourceSandbox,
			// Its port is new each run; the stack is always the default one.
			Place: sandboxPlace}
		if o.Policies == nil {
			o.Policies = session.PoliciesOf(run.Known(user.Role), user.Role, "the sandbox's role "+user.Role)
		}
		// The workbench's `a` applies a fix statement to its roles.
		o.Roles = run
	}
	a.opts = &o
	return o, nil
}

// open opens the session.
func (a *app) open(ctx context.Context) (*session.Session, error) {
	o, err := a.options()
	if err != nil {
		return nil, err
	}
	return session.Open(ctx, o)
}

// runQueryMode is quiltq's one-shot query mode: SQL from -e, -f or stdin,
// rows on stdout, everything else on stderr.
func runQueryMode(ctx context.Context, g *globalFlags, st streams, getenv func(string) string) int {
	sql, ok, err := readSQL(ctx, g, st)
	if engine.KindOf(err) == engine.Canceled {
		return interrupted(st, "")
	}
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
	stmts, err := session.SplitStatements(sql)
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
	if g.format == "" && !st.OutTTY && s.IsDefault("output") {
		format = "csv" // data for a script, unless the user chose
	}
	if !slices.Contains(print.Formats(), format) {
		fmt.Fprintf(st.Err, "quiltq: %q is not an output format: use %s\n", format, strings.Join(print.Formats(), ", "))
		return exitUsage
	}
	for _, sql := range stmts {
		if err := engine.CheckStatement(sql); err != nil {
			fmt.Fprintf(st.Err, "quiltq: %v\n", err)
			return exitUsage
		}
	}
	sess, err := a.open(ctx)
	if err != nil {
		return sessionFailed(st, nil, stmts, err)
	}
	opts := queryOptions{
		Format: format, NoHeader: g.noHeader, NullString: g.nullString.s, Limit: g.limit,
		ContinueOnError: g.continueOnError, Stats: g.stats,
	}
	if g.results != "" {
		return showResults(ctx, sess, g.results, opts, st)
	}
	if code := guardStatements(sess, g, stmts, &opts, st); code >= 0 {
		return code
	}
	// Every statement is checked before any runs: a script is not started
	// when one of its statements would be refused.
	verdicts := make([]session.Verdict, len(stmts))
	for i, sql := range stmts {
		v, err := sess.Check(ctx, session.Statement{SQL: sql})
		if err != nil {
			code := refused(st, sess, err)
			if code < 0 {
				return sessionFailed(st, sess, stmts, err)
			}
			if len(stmts) > 1 && code != exitInterrupted {
				fmt.Fprintln(st.Err, "quiltq: no statement of the script was run")
			}
			return code
		}
		verdicts[i] = v
	}
	// The workgroup is chosen after the check, so that a query the
	// grants refuse costs no AWS call at all.
	if _, err := sess.Workgroup(ctx); err != nil {
		return sessionFailed(st, sess, stmts, err)
	}
	return runStatements(ctx, sess, stmts, verdicts, opts, st)
}

// sessionFailed says why a session could not be set up (a login, the
// workgroup), explains a refusal as a query's is, gives the next step and
// returns the exit code.
func sessionFailed(st streams, sess *session.Session, stmts []string, err error) int {
	err = session.CredentialsCause(err)
	fmt.Fprintf(st.Err, "quiltq: %v\n", err)
	explainSessionFailure(st.Err, sess, stmts, err)
	if hint := session.NextStep(err); hint != "" {
		fmt.Fprintf(st.Err, "  next:      %s\n", hint)
	}
	return exitCode(err)
}

// sandboxPlace is where the embedded sandbox's calls go, for the caches:
// its port is new each run, and the stack is always the default one.
const sandboxPlace = "the embedded sandbox"
