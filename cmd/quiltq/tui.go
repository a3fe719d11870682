package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/catalogcache"
	engexplain "github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/tabulator"
	"github.com/quiltq/quiltq/ui"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/results"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

// tuiEngine is the workbench's engine: the Athena client of a session,
// with where its catalog listing is cached.
type tuiEngine struct {
	s        *querySession
	catalog  string
	database string
	browse   athena.BrowseOptions
	cache    *catalogcache.Cache // nil: no cache
	key      catalogcache.Key
	account  string
}

var _ ui.Engine = (*tuiEngine)(nil)

func (e *tuiEngine) Start(ctx context.Context, sql string) (string, error) {
	return e.s.client.Start(ctx, athena.Request{SQL: sql, Catalog: e.catalog, Database: e.database, Workgroup: e.s.workgroup})
}

func (e *tuiEngine) Wait(ctx context.Context, id string, progress func(ui.Progress)) (ui.Progress, error) {
	x, err := e.s.client.Wait(ctx, id, func(x athena.Execution) { progress(e.progress(x)) })
	return e.progress(x), err
}

func (e *tuiEngine) progress(x athena.Execution) ui.Progress {
	return ui.Progress{ID: x.ID, State: string(x.State), Elapsed: x.TotalTime, Scanned: x.DataScanned, Cost: cost(x.DataScanned, e.s.pricePerTB)}
}

func (e *tuiEngine) Open(ctx context.Context, id string) (results.Rows, error) {
	x, err := e.s.client.Execution(ctx, id)
	if err != nil {
		return nil, err
	}
	if x.State != athena.Succeeded {
		return nil, &engine.Error{Op: "results of query " + id, Kind: engine.Invalid, Err: fmt.Errorf("the query is %s, not SUCCEEDED: it has no results", x.State)}
	}
	return e.s.client.Results(ctx, x)
}

func (e *tuiEngine) Listing(ctx context.Context) (engine.Listing, error) {
	l, err := e.s.client.Browse(ctx, e.browse)
	if err == nil && e.cache != nil {
		_, _ = e.cache.Store(e.key, l)
	}
	return l, err
}

func (e *tuiEngine) History(ctx context.Context) ([]history.Entry, error) {
	xs, err := e.s.client.Recent(ctx, e.s.workgroup, 50)
	if err != nil {
		return nil, err
	}
	out := make([]history.Entry, 0, len(xs))
	for _, x := range xs {
		out = append(out, history.Entry{ID: x.ID, SQL: x.SQL, State: string(x.State), Submitted: x.Submitted, Scanned: x.DataScanned, Workgroup: x.Workgroup})
	}
	return out, nil
}

func (e *tuiEngine) QueryFix(ctx context.Context, sql string, refusal error) (string, []string, error) {
	var local *grants.Refusal
	if errors.As(refusal, &local) && !local.ByIAM() {
		// The Quilt role's buckets or a rules file refused: their managers
		// change them, not an IAM statement.
		return "", []string{"no IAM statement changes this: the Quilt role's buckets are granted by a Quilt admin, a rules file by whoever keeps it"}, nil
	}
	req := athena.Request{SQL: sql, Catalog: e.catalog, Database: e.database, Workgroup: e.s.workgroup}
	d := engexplain.Parse(deniedText(refusal))
	if rem := d.Remedy(); d.Denied && !rem.Fixable && (d.ExplicitDeny || d.PolicyType != "" && d.PolicyType != engexplain.PolicyIdentity) {
		return "", nil, nil // no identity statement helps; the panel says who acts
	}
	wf, err := e.s.wholeFix(ctx, req, d)
	if err != nil {
		return "", wf.needs.notes, err
	}
	notes := wf.needs.notes
	if !wf.known {
		notes = append(notes, fmt.Sprintf("the role's policies are not known here (give --policy FILE): the statement allows all %d permissions the query needs", len(wf.needs.reqs)))
	}
	if wf.fix.Policy == nil {
		return "", notes, nil
	}
	return wf.fix.Policy.JSON(), notes, nil
}

func (e *tuiEngine) FixContext() engexplain.Context {
	return engexplain.Context{Partition: "aws", Region: e.s.aws.Region, Account: e.account, Workgroup: e.s.workgroup, DataCatalog: e.catalog}
}

// runTUI opens the interactive workbench.
func runTUI(ctx context.Context, g *globalFlags, st streams, getenv func(string) string) int {
	a := newApp(g, st, getenv)
	defer a.close()
	s, err := a.loadSettings()
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitUsage
	}
	fmt.Fprintln(st.Err, "quiltq: connecting…")
	sess, err := a.session(ctx, true)
	if err != nil {
		err = credentialsCause(err)
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		if hint := athena.Hint(err); hint != "" {
			fmt.Fprintf(st.Err, "  next:      %s\n", hint)
		}
		return exitCode(err)
	}
	cfg, eng, err := tuiConfig(ctx, a, s, sess)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitCode(err)
	}
	if cfg.Check, err = tuiGrants(ctx, a, s, sess); err != nil {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitUsage
	}
	base, cancel := context.WithCancel(ctx)
	defer cancel()
	cfg.Context = base
	p := tea.NewProgram(ui.New(cfg), tea.WithContext(base), tea.WithInput(st.In), tea.WithOutput(st.Out))
	// Bubble Tea restores the terminal on a panic and on SIGTERM; a hang-up
	// (the terminal closed) gets the same orderly quit.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		if _, ok := <-hup; ok {
			p.Quit()
		}
	}()
	final, err := p.Run()
	if m, ok := final.(ui.Model); ok && m.Running() && m.QueryID() != "" {
		// Never leave a query running behind the closed workbench.
		stop, done := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer done()
		_ = eng.s.client.Stop(stop, m.QueryID())
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// tuiGrants is the workbench's grant check: every source, the known
// policy included, with the Quilt role's buckets read now.
func tuiGrants(ctx context.Context, a *app, s *config.Settings, sess *querySession) (func(string) error, error) {
	gc, err := a.localGrants()
	if err != nil {
		return nil, err
	}
	a.sessionGrants(ctx, gc, sess, true)
	gc.preload()
	return func(sql string) error { return gc.checkSQL(ctx, sql, s.Catalog(), s.Database()) }, nil
}

// tuiConfig builds the workbench's configuration: identity, keymap,
// theme, the cached listing and the history store.
func tuiConfig(ctx context.Context, a *app, s *config.Settings, sess *querySession) (ui.Config, *tuiEngine, error) {
	arn, err := sess.client.CallerARN(ctx)
	if err != nil {
		return ui.Config{}, nil, err
	}
	eng := &tuiEngine{s: sess, catalog: s.Catalog(), database: s.Database(), key: catalogcache.Key{Principal: arn, Region: sess.aws.Region}}
	if parsed, err := iam.ParseARN(arn); err == nil {
		eng.account = parsed.Account
	}
	if l := sess.login; l != nil {
		if l.catalog != nil {
			eng.browse.TabulatorCatalog = l.catalog.TabulatorCatalog()
		}
		if l.registry != nil && l.quilt != nil {
			eng.browse.Tabulator = &tabulator.RegistrySource{Registry: l.registry, AccessToken: l.quilt.AccessToken}
		}
	}
	cfg := ui.Config{Engine: eng, Keys: keys.Default(), Identity: identityOf(arn, sess.workgroup, s.Catalog(), s.Database())}
	cfg.Theme = theme.New(theme.Options{Dark: a.getenv("QUILTQ_THEME") != "light", NoColor: a.getenv("NO_COLOR") != ""})
	if p, err := config.PathsFrom(a.getenv); err == nil && p.CacheDir != "" {
		eng.cache = &catalogcache.Cache{Dir: filepath.Join(p.CacheDir, "catalog")}
		if e, ok, _ := eng.cache.Load(eng.key); ok {
			cfg.Listing, cfg.Age = &e.Listing, e.Age(time.Now())
		}
		cfg.History = history.NewStore(filepath.Join(p.CacheDir, "history"), arn+"\x00"+sess.aws.Region)
	}
	return cfg, eng, nil
}

// identityOf reads the user and role from an STS caller ARN
// (arn:aws:sts::<account>:assumed-role/<role>/<user>).
func identityOf(arn, workgroup, catalog, database string) status.Identity {
	id := status.Identity{User: arn, Workgroup: workgroup, Catalog: catalog, Database: database}
	if parsed, err := iam.ParseARN(arn); err == nil {
		if rest, ok := strings.CutPrefix(parsed.Resource, "assumed-role/"); ok {
			role, user, _ := strings.Cut(rest, "/")
			id.User, id.Role = user, role
		}
	}
	if id.Catalog == "" {
		id.Catalog = athena.GlueCatalog
	}
	return id
}
