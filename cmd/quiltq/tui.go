package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
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
	"github.com/quiltq/quiltq/ui/buffers"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/results"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

// tuiEngine is the workbench's engine: the Athena client of a session,
// with where its catalog listing is cached.
type tuiEngine struct {
	a    *app
	s    *querySession
	live liveQueries // queries started and not yet final
	// base is the workbench's context: when it ends (a signal), a
	// query Wait stopped still counts as live, for runTUI to report.
	base     context.Context
	catalog  string
	database string
	browse   athena.BrowseOptions
	cache    *catalogcache.Cache // nil: no cache
	key      catalogcache.Key
	account  string
	// grants is the check before sending, whose known policy ApplyFix
	// refreshes; fixes counts the statements applied to the sandbox.
	grants *grantCheck
	fixes  int
}

var _ ui.Engine = (*tuiEngine)(nil)

// liveQueries are the queries the workbench started that are not final
// yet, so that however it ends (a quit, a signal, a panic) none is left
// running on Athena.
type liveQueries struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (l *liveQueries) add(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ids == nil {
		l.ids = map[string]bool{}
	}
	l.ids[id] = true
}

func (l *liveQueries) remove(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.ids, id)
}

func (l *liveQueries) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.ids))
	for id := range l.ids {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func (e *tuiEngine) Start(ctx context.Context, sql string) (string, error) {
	id, err := e.s.client.Start(ctx, athena.Request{SQL: sql, Catalog: e.catalog, Database: e.database, Workgroup: e.s.workgroup})
	if err == nil {
		e.live.add(id)
	}
	return id, err
}

func (e *tuiEngine) Wait(ctx context.Context, id string, progress func(ui.Progress)) (ui.Progress, error) {
	x, err := e.s.client.Wait(ctx, id, func(x athena.Execution) { progress(e.progress(x)) })
	p := e.progress(x)
	canceled := engine.KindOf(err) == engine.Canceled
	switch {
	case canceled && e.base != nil && e.base.Err() != nil:
		// Stopped because the workbench is ending: runTUI reports it.
	case p.Done() || canceled:
		e.live.remove(id) // final, or cancelled by the user (esc)
	}
	return p, err
}

// stopLive stops on Athena every query the workbench left running, and
// returns their IDs.
func (e *tuiEngine) stopLive(ctx context.Context) []string {
	ids := e.live.list()
	if len(ids) == 0 {
		return nil
	}
	stop, done := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer done()
	for _, id := range ids {
		_ = e.s.client.Stop(stop, id)
	}
	return ids
}

func (e *tuiEngine) Saved(ctx context.Context) ([]history.Saved, int, error) {
	qs, hidden, err := e.s.client.Saved(ctx, e.s.workgroup, 200)
	if err != nil {
		return nil, 0, err
	}
	out := make([]history.Saved, 0, len(qs))
	for _, q := range qs {
		out = append(out, history.Saved{ID: q.ID, Name: q.Name, Description: q.Description, Database: q.Database, SQL: q.SQL})
	}
	return out, hidden, nil
}

// Doctor runs `quiltq doctor`'s probes for the session, as the command
// does, and writes its report.
func (e *tuiEngine) Doctor(ctx context.Context) (string, string, error) {
	start := time.Now()
	d := &doctor{a: e.a, s: e.s}
	rep := d.run(ctx)
	rep.Seconds = time.Since(start).Seconds()
	var b strings.Builder
	writeDoctor(&b, rep, e.s)
	fix := ""
	if rep.Fix != nil {
		fix = rep.Fix.JSON()
	}
	return b.String(), fix, ctx.Err()
}

// ApplyFix adds fix to the sandbox user's role as an inline policy of its
// own, and makes the checks before sending see it. Anywhere else it
// refuses: a real role is changed by its administrator, not by quiltq.
func (e *tuiEngine) ApplyFix(_ context.Context, fix string) (string, error) {
	sb := e.a.sandbox
	if sb == nil {
		return "", errors.New("only the sandbox's roles can be changed from here: give the statement (y copies it) to your AWS administrator")
	}
	user, ok := sandboxUser(sb.Info, e.a.g.sandboxUser)
	if !ok {
		return "", fmt.Errorf("the sandbox has no user %q", e.a.g.sandboxUser)
	}
	e.fixes++
	name := fmt.Sprintf("quiltq-fix-%d", e.fixes)
	if err := sb.PutRolePolicy(user.Role, name, []byte(fix)); err != nil {
		return "", err
	}
	policies := sb.Authorizer().Policies(user.Role)
	if e.s.fix != nil && e.s.fix.known != nil {
		e.s.fix.known.policies = policies
	}
	if e.grants != nil && e.grants.policy != nil {
		e.grants.policy.Policies = policies
	}
	return fmt.Sprintf("added policy %s to the sandbox's role %s: run the query again", name, user.Role), nil
}

func (e *tuiEngine) progress(x athena.Execution) ui.Progress {
	return ui.Progress{ID: x.ID, State: string(x.State), Elapsed: x.TotalTime, Scanned: x.DataScanned, Cost: engine.Cost(x.DataScanned, e.s.pricePerTB)}
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
		// The cache keeps what AWS listed; the grants filter on the way out.
		_, _ = e.cache.Store(e.key, l)
	}
	return e.grants.listingFilter(l), err
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
	if identityCannotFix(d) {
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

// runTUI opens the interactive workbench. Without a Quilt login it opens
// on the login screen, then goes on into the workbench.
func runTUI(ctx context.Context, g *globalFlags, st streams, getenv func(string) string) int {
	// While the workbench owns the screen, what quiltq would write on
	// stderr (a warning) waits, and is written once the terminal is back.
	held := &heldWriter{w: st.Err}
	st.Err = held
	a := newApp(g, st, getenv)
	defer a.close()
	s, err := a.loadSettings()
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitUsage
	}
	look, err := tuiLook(a, s)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitUsage
	}
	base, cancel := context.WithCancel(ctx)
	defer cancel()
	slot := &atomic.Pointer[tuiEngine]{}
	fmt.Fprintln(st.Err, "quiltq: connecting…")
	var model tea.Model
	cfg, err := connectTUI(base, a, s, look, slot)
	switch {
	case err == nil:
		model = ui.New(cfg)
	case a.offersLogin(s, err):
		model = newTUIGate(base, a, s, look, slot, credentialsCause(err))
	default:
		err = credentialsCause(err)
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		if hint := athena.Hint(err); hint != "" {
			fmt.Fprintf(st.Err, "  next:      %s\n", hint)
		}
		return exitCode(err)
	}
	if panicKey != "" {
		model = panicOn{model}
	}
	held.hold()
	p := tea.NewProgram(model, tea.WithContext(base), tea.WithInput(st.In), tea.WithOutput(st.Out))
	// Bubble Tea restores the terminal on a panic and quits on SIGTERM; a
	// hang-up (the terminal closed) gets the same orderly quit.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		if _, ok := <-hup; ok {
			p.Quit()
		}
	}()
	_, err = p.Run()
	held.release()
	var stopped []string
	if eng := slot.Load(); eng != nil {
		// Never leave a query running behind the closed workbench.
		stopped = eng.stopLive(ctx)
	}
	for _, id := range stopped {
		fmt.Fprintf(st.Err, "quiltq: stopped query %s on Athena\n", id)
	}
	switch {
	case errors.Is(err, tea.ErrProgramPanic):
		fmt.Fprintln(st.Err, "quiltq: the workbench crashed (a bug: the trace above says where; please report it); the terminal was restored")
		return exitFailed
	case err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled):
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitFailed
	case len(stopped) > 0:
		return exitInterrupted
	}
	return exitOK
}

// tuiLook is the workbench's keymap, theme and mouse, from the defaults,
// the config and the environment.
type tuiLookT struct {
	keys  keys.KeyMap
	theme theme.Theme
	mouse bool
}

func tuiLook(a *app, s *config.Settings) (tuiLookT, error) {
	km := keys.Default()
	for _, o := range s.UI.Keys {
		if err := km.Remap(map[string][]string{o.Name: o.Keys}); err != nil {
			var re *keys.RemapError
			why := err
			if errors.As(err, &re) {
				why = re.Err
			}
			where := s.Path
			if o.Line > 0 {
				where = fmt.Sprintf("%s:%d", s.Path, o.Line)
			}
			return tuiLookT{}, &engine.Error{Op: "config", Kind: engine.Invalid, Err: fmt.Errorf("%s: [keys] %q: %v", where, o.Name, why)}
		}
	}
	th := theme.New(theme.Options{Dark: s.UI.Theme != "light", NoColor: a.getenv("NO_COLOR") != ""})
	return tuiLookT{keys: km, theme: th, mouse: a.g.mouse || s.UI.Mouse}, nil
}

// connectTUI builds the session and the workbench's configuration, and
// puts the engine in slot (for runTUI to stop its queries at the end).
func connectTUI(ctx context.Context, a *app, s *config.Settings, look tuiLookT, slot *atomic.Pointer[tuiEngine]) (ui.Config, error) {
	sess, err := a.session(ctx, true)
	if err != nil {
		return ui.Config{}, err
	}
	cfg, eng, err := tuiConfig(ctx, a, s, sess)
	if err != nil {
		return ui.Config{}, err
	}
	if cfg.Check, err = tuiGrants(ctx, a, s, sess, eng); err != nil {
		if engine.KindOf(err) == engine.Other {
			err = &engine.Error{Op: "grants", Kind: engine.Invalid, Err: err}
		}
		return ui.Config{}, err
	}
	if cfg.Listing != nil {
		l := eng.grants.listingFilter(*cfg.Listing)
		cfg.Listing = &l
	}
	cfg.Keys, cfg.Theme, cfg.Mouse, cfg.Context = look.keys, look.theme, look.mouse, ctx
	eng.base = ctx
	slot.Store(eng)
	return cfg, nil
}

// offersLogin reports whether err, from building the session, is the
// want of a Quilt login that the login screen can give: not with
// --sandbox, QUILTQ_TOKEN or plain AWS credentials, which a stored login
// would not replace.
func (a *app) offersLogin(s *config.Settings, err error) bool {
	return engine.KindOf(credentialsCause(err)) == engine.Credentials && !a.g.sandbox && a.getenv("QUILTQ_TOKEN") == "" &&
		s.AWSProfile() == "" && a.getenv("AWS_PROFILE") == "" && a.getenv("AWS_ACCESS_KEY_ID") == ""
}

// heldWriter passes writes through, except while held, when it keeps them
// until release.
type heldWriter struct {
	mu   sync.Mutex
	w    io.Writer
	held bool
	buf  bytes.Buffer
}

func (h *heldWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held {
		return h.buf.Write(p)
	}
	return h.w.Write(p)
}

func (h *heldWriter) hold() {
	h.mu.Lock()
	h.held = true
	h.mu.Unlock()
}

func (h *heldWriter) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held = false
	_, _ = h.w.Write(h.buf.Bytes())
	h.buf.Reset()
}

// tuiGrants is the workbench's grant check: every source, the known
// policy included, with the Quilt role's buckets read now.
func tuiGrants(ctx context.Context, a *app, s *config.Settings, sess *querySession, eng *tuiEngine) (func(string) error, error) {
	gc, err := a.localGrants()
	if err != nil {
		return nil, err
	}
	a.sessionGrants(ctx, gc, sess, true)
	gc.preload()
	eng.grants = gc
	return func(sql string) error { return gc.checkSQL(ctx, sql, s.Catalog(), s.Database()) }, nil
}

// tuiConfig builds the workbench's configuration: identity, keymap,
// theme, the cached listing and the history store.
func tuiConfig(ctx context.Context, a *app, s *config.Settings, sess *querySession) (ui.Config, *tuiEngine, error) {
	arn, err := sess.client.CallerARN(ctx)
	if err != nil {
		return ui.Config{}, nil, err
	}
	eng := &tuiEngine{a: a, s: sess, catalog: s.Catalog(), database: s.Database(), key: catalogcache.Key{Principal: arn, Region: sess.aws.Region}}
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
	cfg.Theme = theme.New(theme.Options{Dark: s.UI.Theme != "light", NoColor: a.getenv("NO_COLOR") != ""})
	if p, err := config.PathsFrom(a.getenv); err == nil && p.CacheDir != "" {
		eng.cache = &catalogcache.Cache{Dir: filepath.Join(p.CacheDir, "catalog")}
		if e, ok, _ := eng.cache.Load(eng.key); ok {
			cfg.Listing, cfg.Age = &e.Listing, e.Age(time.Now())
		}
		cfg.History = history.NewStore(filepath.Join(p.CacheDir, "history"), arn+"\x00"+sess.aws.Region)
		cfg.Buffers = buffers.NewStore(filepath.Join(p.CacheDir, "buffers"), arn+"\x00"+sess.aws.Region)
		// Beside the history: the layout the user chose, for every login.
		cfg.LayoutFile = filepath.Join(p.CacheDir, "workbench.json")
	}
	cfg.Getenv = a.getenv
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
