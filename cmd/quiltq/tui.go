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
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	engexplain "github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui"
	"github.com/quiltq/quiltq/ui/buffers"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/report"
	"github.com/quiltq/quiltq/ui/results"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

// tuiEngine is the workbench's engine: the session, seen through the
// workbench's types. It holds no logic of its own.
type tuiEngine struct {
	s *session.Session
	// base is the workbench's context: when it ends (a signal), a query
	// Wait stopped still counts as live, for runTUI to report.
	base context.Context
}

var _ ui.Engine = (*tuiEngine)(nil)

func (e *tuiEngine) Start(ctx context.Context, q ui.Submission) (string, error) {
	id, _, err := e.s.Start(ctx, session.Statement{SQL: q.SQL, Params: q.Params, Reuse: q.Reuse})
	return id, err
}

// Guard is what the workbench asks before sending sql: the guards -e
// applies (session.ChangeOf for a destructive statement, the ? values
// Start wants).
func (e *tuiEngine) Guard(sql string) ui.Guard {
	c := session.ChangeOf(sql)
	return ui.Guard{Destructive: c.Destructive, Change: c.What, Params: max(session.ParamsWanted(sql), 0)}
}

// Reuse is the profile's reuse setting (0: none).
func (e *tuiEngine) Reuse() time.Duration { return e.s.Reuse() }

func (e *tuiEngine) Wait(ctx context.Context, id string, progress func(ui.Progress)) (ui.Progress, error) {
	x, err := e.s.Wait(ctx, id, func(x athena.Execution) { progress(e.progress(x)) })
	if engine.KindOf(err) == engine.Canceled && (e.base == nil || e.base.Err() == nil) {
		e.s.Forget(id) // cancelled by the user (esc), not by the workbench ending
	}
	return e.progress(x), err
}

// stopLive stops on Athena every query the workbench left running, and
// returns their IDs.
func (e *tuiEngine) stopLive(ctx context.Context) []string { return e.s.StopLive(ctx) }

func (e *tuiEngine) Saved(ctx context.Context) ([]history.Saved, int, error) {
	qs, hidden, err := e.s.Saved(ctx, 200)
	if err != nil {
		return nil, 0, err
	}
	out := make([]history.Saved, 0, len(qs))
	for _, q := range qs {
		out = append(out, history.Saved{ID: q.ID, Name: q.Name, Description: q.Description, Database: q.Database, SQL: q.SQL})
	}
	return out, hidden, nil
}

// Doctor runs `quiltq doctor`'s probes for the session and writes its
// report as the command does.
func (e *tuiEngine) Doctor(ctx context.Context) (string, string, error) {
	rep, err := e.s.Doctor(ctx, session.DoctorOptions{})
	if err != nil {
		return "", "", err
	}
	var b strings.Builder
	report.Doctor(&b, rep, e.s.RoleName())
	fix := ""
	if rep.Fix != nil {
		fix = rep.Fix.JSON()
	}
	return b.String(), fix, ctx.Err()
}

// ApplyFix adds fix to the role where quiltq may (the sandbox's).
func (e *tuiEngine) ApplyFix(ctx context.Context, fix string) (string, error) {
	return e.s.ApplyFix(ctx, fix)
}

func (e *tuiEngine) progress(x athena.Execution) ui.Progress {
	return ui.Progress{ID: x.ID, State: string(x.State), StatementType: x.StatementType, Elapsed: x.TotalTime, Scanned: x.DataScanned, Cost: e.s.CostOf(x), Limit: e.s.ScanLimit(), Reused: x.Reused}
}

func (e *tuiEngine) Open(ctx context.Context, id string) (results.Rows, error) {
	rows, err := e.s.ResultsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	return pathRows{rows}, nil
}

// pathRows is a result stream that tells the workbench how its rows come
// (results.PathRows), for the statistics line above the grid.
type pathRows struct{ athena.Rows }

func (r pathRows) FetchPath() (via, fallback string) {
	p := r.Path()
	return p.Via, p.Fallback
}

func (e *tuiEngine) Listing(ctx context.Context) (engine.Listing, error) { return e.s.Listing(ctx) }

func (e *tuiEngine) History(ctx context.Context) ([]history.Entry, error) {
	xs, err := e.s.Recent(ctx, 50)
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
	return e.s.QueryFix(ctx, session.Statement{SQL: sql}, refusal)
}

func (e *tuiEngine) FixContext() engexplain.Context { return e.s.FixContext() }

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
		model = newTUIGate(base, a, s, look, slot, session.CredentialsCause(err))
	default:
		err = session.CredentialsCause(err)
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		if hint := nextStep(err); hint != "" {
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

// connectTUI opens the session, chooses its workgroup and builds the
// workbench's configuration, and puts the engine in slot (for runTUI to
// stop its queries at the end).
func connectTUI(ctx context.Context, a *app, s *config.Settings, look tuiLookT, slot *atomic.Pointer[tuiEngine]) (ui.Config, error) {
	sess, err := a.open(ctx)
	if err != nil {
		return ui.Config{}, err
	}
	if _, err := sess.Workgroup(ctx); err != nil {
		return ui.Config{}, err
	}
	cfg, eng, err := tuiConfig(ctx, a, s, sess)
	if err != nil {
		return ui.Config{}, err
	}
	cfg.Check = tuiCheck(ctx, sess)
	cfg.Keys, cfg.Theme, cfg.Mouse, cfg.Context = look.keys, look.theme, look.mouse, ctx
	eng.base = ctx
	slot.Store(eng)
	return cfg, nil
}

// offersLogin reports whether err, from opening the session, is the want
// of a Quilt login that the login screen can give: not with --sandbox,
// whose login is its own.
func (a *app) offersLogin(s *config.Settings, err error) bool {
	return !a.g.sandbox && session.OffersLogin(session.Options{Settings: s, Getenv: a.getenv}, err)
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

// tuiCheck is the workbench's check before sending, the one `-e` makes,
// with every source read now (the Quilt role's buckets), rather than on
// the first query.
func tuiCheck(ctx context.Context, sess *session.Session) func(string) error {
	sess.PreloadGrants(ctx)
	return func(sql string) error {
		_, err := sess.Check(ctx, session.Statement{SQL: sql})
		return err
	}
}

// tuiConfig builds the workbench's configuration: identity, keymap,
// theme, the cached listing (filtered by the grants), the history and
// the editor's tabs (stores keyed by session.StoreKey), and the
// environment the editor's $EDITOR is read from.
func tuiConfig(ctx context.Context, a *app, s *config.Settings, sess *session.Session) (ui.Config, *tuiEngine, error) {
	arn, err := sess.Principal(ctx)
	if err != nil {
		return ui.Config{}, nil, err
	}
	eng := &tuiEngine{s: sess}
	cfg := ui.Config{Engine: eng, Keys: keys.Default(), Identity: identityOf(arn, sess.WorkgroupName(), s.Catalog(), s.Database())}
	cfg.Theme = theme.New(theme.Options{Dark: s.UI.Theme != "light", NoColor: a.getenv("NO_COLOR") != ""})
	if l, age, ok := sess.CachedListing(ctx); ok {
		l = sess.FilterListing(ctx, l)
		cfg.Listing, cfg.Age = &l, age
	}
	if p, err := config.PathsFrom(a.getenv); err == nil && p.CacheDir != "" {
		key, err := sess.StoreKey(ctx)
		if err != nil {
			return ui.Config{}, nil, err
		}
		cfg.History = history.NewStore(filepath.Join(p.CacheDir, "history"), key)
		cfg.Buffers = buffers.NewStore(filepath.Join(p.CacheDir, "buffers"), key)
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
