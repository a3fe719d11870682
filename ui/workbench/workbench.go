// Package workbench puts the interactive workbench (package ui) over one
// login's session (engine/session): Engine is the session seen through
// ui.Engine; a Workbench opens the session, builds the workbench's
// configuration from the settings (identity, cached listing, history and
// editor tabs, keymap and theme), and, when the profile has no usable
// Quilt login, puts the login screen in front of it.
//
// It sits beside the panes rather than among them: the panes and the
// root model know nothing of the session (and so of the AWS SDK), while
// this package may import engine/session. Running the program on a
// terminal (signals, stderr held while the workbench owns the screen, the
// exit code) is the front end's (cmd/quiltq).
package workbench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui"
	"github.com/quiltq/quiltq/ui/buffers"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

// Look is the workbench's keymap, theme and mouse.
type Look struct {
	Keys  keys.KeyMap
	Theme theme.Theme
	Mouse bool
}

// LookOf is the workbench's look from the defaults and the config s,
// with noColor (NO_COLOR is set) and mouse (--mouse) from the front end.
// A bad [keys] entry is an Invalid error naming the file and line.
func LookOf(s *config.Settings, noColor, mouse bool) (Look, error) {
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
			return Look{}, &engine.Error{Op: "config", Kind: engine.Invalid, Err: fmt.Errorf("%s: [keys] %q: %v", where, o.Name, why)}
		}
	}
	th := theme.New(theme.Options{Dark: s.UI.Theme != "light", NoColor: noColor})
	return Look{Keys: km, Theme: th, Mouse: mouse || s.UI.Mouse}, nil
}

// Workbench opens the session for the workbench, and keeps the engine it
// connected, for the front end to stop the queries left running when the
// workbench closes.
type Workbench struct {
	opts session.Options
	look Look
	live atomic.Pointer[Engine]
}

// New is the workbench over the session opts opens, with look.
func New(opts session.Options, look Look) *Workbench {
	return &Workbench{opts: opts, look: look}
}

// Open is the workbench to run: connected to the session, or, when the
// session wants a Quilt login that the login screen can give, that
// screen in front of it. The error is why it is neither (in the words of
// session.CredentialsCause).
func (w *Workbench) Open(ctx context.Context) (tea.Model, error) {
	var m tea.Model
	cfg, err := w.Connect(ctx)
	switch {
	case err == nil:
		m = ui.New(cfg)
	case session.OffersLogin(w.opts, err):
		m = w.Gate(ctx, session.CredentialsCause(err))
	default:
		return nil, session.CredentialsCause(err)
	}
	if panicKey != "" {
		m = panicOn{m}
	}
	return m, nil
}

// Engine is the engine of the workbench Connect built last, nil before.
func (w *Workbench) Engine() *Engine { return w.live.Load() }

// Connect opens the session, chooses its workgroup and builds the
// workbench's configuration, and keeps its engine (Engine).
func (w *Workbench) Connect(ctx context.Context) (ui.Config, error) {
	sess, err := session.Open(ctx, w.opts)
	if err != nil {
		return ui.Config{}, err
	}
	if _, err := sess.Workgroup(ctx); err != nil {
		return ui.Config{}, err
	}
	cfg, eng, err := Config(ctx, sess, w.opts.Getenv)
	if err != nil {
		return ui.Config{}, err
	}
	cfg.Check = Check(ctx, sess)
	cfg.Keys, cfg.Theme, cfg.Mouse, cfg.Context = w.look.Keys, w.look.Theme, w.look.Mouse, ctx
	eng.base = ctx
	w.live.Store(eng)
	return cfg, nil
}

// Check is the workbench's check before sending, the one `-e` makes,
// with every source read now (the Quilt role's buckets), rather than on
// the first query.
func Check(ctx context.Context, sess *session.Session) func(string) error {
	sess.PreloadGrants(ctx)
	return func(sql string) error {
		_, err := sess.Check(ctx, session.Statement{SQL: sql})
		return err
	}
}

// Config is the workbench's configuration for the open session sess:
// identity, default keymap, theme, the cached listing (filtered by the
// grants), the history and the editor's tabs (stores keyed by
// session.StoreKey), and the environment the editor's $EDITOR is read
// from; and its engine.
func Config(ctx context.Context, sess *session.Session, getenv func(string) string) (ui.Config, *Engine, error) {
	arn, err := sess.Principal(ctx)
	if err != nil {
		return ui.Config{}, nil, err
	}
	s := sess.Settings()
	eng := NewEngine(sess)
	cfg := ui.Config{Engine: eng, Keys: keys.Default(), Identity: identityOf(arn, sess.WorkgroupName(), s.Catalog(), s.Database())}
	cfg.Theme = theme.New(theme.Options{Dark: s.UI.Theme != "light", NoColor: getenv("NO_COLOR") != ""})
	if l, age, ok := sess.CachedListing(ctx); ok {
		l = sess.FilterListing(ctx, l)
		cfg.Listing, cfg.Age = &l, age
	}
	if p, err := config.PathsFrom(getenv); err == nil && p.CacheDir != "" {
		key, err := sess.StoreKey(ctx)
		if err != nil {
			return ui.Config{}, nil, err
		}
		cfg.History = history.NewStore(filepath.Join(p.CacheDir, "history"), key)
		cfg.Buffers = buffers.NewStore(filepath.Join(p.CacheDir, "buffers"), key)
		// Beside the history: the layout the user chose, for every login.
		cfg.LayoutFile = filepath.Join(p.CacheDir, "workbench.json")
	}
	cfg.Getenv = getenv
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
