// Package ui is the workbench's root model: it holds the panes (catalog
// tree, editor, results grid, explanation panel, history), the focus, the
// layout, the global keys, the footer of the focused pane's keys and the
// status line, and routes messages to the pane they are for. The query
// lifecycle lives in the engine; every asynchronous reply carries the run
// it belongs to, so that a re-run or a cancel never shows stale rows.
//
// The root is split by concern: ui.go routes, input.go takes the keys,
// run.go follows a run from the check before sending to its last row,
// guards.go holds it to ask first (a destructive statement, ? values)
// and toggles result reuse,
// panes.go answers the panes' requests, view.go and help.go draw,
// layout.go sizes the panes (and keeps the catalog's width), mouse.go
// takes clicks, the wheel and the border drag.
package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/buffers"
	"github.com/quiltq/quiltq/ui/catalog"
	"github.com/quiltq/quiltq/ui/editor"
	"github.com/quiltq/quiltq/ui/explain"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/results"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

// Config is everything the workbench is built from.
type Config struct {
	Engine   Engine
	Keys     keys.KeyMap
	Theme    theme.Theme
	Identity status.Identity
	// Check is the local grant check, run on the SQL before anything is
	// sent; nil runs none. An error of kind engine.Denied is a refusal;
	// one carrying an *engine.SyntaxError is SQL that does not parse.
	Check func(sql string) error
	// Listing is the cached catalog listing to show at once (nil: none),
	// made Age ago; a refresh starts at once either way.
	Listing *engine.Listing
	Age     time.Duration
	// History keeps the user's queries (nil: not kept).
	History *history.Store
	// LayoutFile keeps the layout the user chose (the catalog pane's
	// width) between runs ("": not kept).
	LayoutFile string
	// DisplayCap bounds the rows the grid holds; FetchLimit the rows read
	// (0: all).
	DisplayCap int
	FetchLimit int64
	// SQL is the editor's initial text.
	SQL string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Context governs every engine call (default context.Background()).
	Context context.Context
	// Mouse turns on clicks (focus a pane, pick a row), the wheel (scroll
	// the grid, the catalog, the explanation, the history) and dragging
	// the catalog's border.
	Mouse bool
	// Buffers keeps the editor's tabs across restarts (nil: not kept).
	Buffers *buffers.Store
	// Getenv reads $VISUAL and $EDITOR for the editor (default os.Getenv).
	Getenv func(string) string
}

type focus int

const (
	focusCatalog focus = iota
	focusEditor
	focusResults
	focusExplain
	focusHistory
)

// Model is the root model.
type Model struct {
	cfg  Config
	km   keys.KeyMap
	th   theme.Theme
	ctx  context.Context
	now  func() time.Time
	eng  Engine
	hist *history.Store

	catalog catalog.Model
	editor  editor.Model // the active tab's editor (tabs.go)
	tabs    tabState
	results results.Tabs
	explain explain.Model
	history history.Model
	status  status.Model

	focus, back   focus
	help          bool
	helpTop       int // first line of the help on screen
	width, height int
	chosen        Layout // the layout the user chose (kept in cfg.LayoutFile)
	dragging      bool   // the catalog's border is being dragged
	doctorRun     int    // the current doctor run; reports of others are stale

	r       run         // the current run
	confirm *pendingRun // a run waiting for the user's answer (a query is running)
	ask     *guardAsk   // the current run's statement, held while the user is asked (guards.go)
	syntax  *SyntaxMark // the last run's syntax error, where it is

	// previewed is the editor tab the last catalog preview went to and
	// the SQL it put there: while the tab holds that SQL untouched, the
	// next preview replaces it rather than open yet another tab.
	previewed struct {
		editor int
		sql    string
	}

	// reuse is how old a stored result the runs let Athena answer with (0:
	// off); reuseAge is what the toggle turns on.
	reuse, reuseAge time.Duration
}

// New builds the workbench.
func New(cfg Config) Model {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	m := Model{cfg: cfg, km: cfg.Keys, th: cfg.Theme, ctx: cfg.Context, now: cfg.Now, eng: cfg.Engine, hist: cfg.History,
		catalog: catalog.New(cfg.Keys.Catalog, cfg.Theme),
		editor:  editor.New(cfg.Keys.Editor, cfg.Theme),
		results: results.NewTabs(cfg.Keys.Results, cfg.Theme, cfg.DisplayCap),
		explain: explain.New(cfg.Keys.Results, cfg.Keys.Explain, cfg.Theme),
		status:  status.New(cfg.Identity, cfg.Theme),
		focus:   focusEditor,
		chosen:  LoadLayout(cfg.LayoutFile),
	}
	var mine []history.Entry
	if cfg.History != nil {
		mine, _ = cfg.History.Load()
	}
	m.history = history.New(cfg.Keys.History, cfg.Theme, mine)
	m.reuseAge = defaultReuse
	if cfg.Engine != nil {
		if age := cfg.Engine.Reuse(); age > 0 {
			m.reuse, m.reuseAge = age, age // the profile's reuse is on from the start
		}
	}
	m.status.SetReuse(m.reuse)
	m.results.SetRunKeys(cfg.Keys.Global.Run.Help().Key)
	if cfg.Listing != nil {
		m.catalog.SetListing(*cfg.Listing, true, cfg.Age)
		m.explain.SetTree(cfg.Listing.Errors)
		m.editor.SetIndex(editor.NewIndex(*cfg.Listing, cfg.Identity.Catalog, cfg.Identity.Database))
	}
	m.startTabs()
	m.editor.Focus()
	return m
}

// Init starts the background refresh of the catalog.
func (m Model) Init() tea.Cmd {
	if m.eng == nil {
		return nil
	}
	return listCatalog(m.ctx, m.eng)
}

// Running reports whether a run is under way (submitted, running on
// Athena, or its rows streaming in).
func (m Model) Running() bool { return m.r.phase != idle }

// update routes msg (Update, in tabs.go, gives the tabs theirs first):
// input to the keys and the mouse, a run's replies to the run, a pane's
// requests to their answers, anything else to the focused pane.
func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseClickMsg, tea.MouseMotionMsg, tea.MouseReleaseMsg, tea.MouseWheelMsg:
		if m.ask != nil {
			return m, nil // the question below waits for keys
		}
		return m.mouse(msg)
	case tea.PasteMsg:
		if m.ask != nil {
			if m.ask.input != nil {
				ti, cmd := m.ask.input.Update(msg)
				m.ask.input = &ti
				return m, cmd
			}
			return m, nil
		}
		if m.focus == focusEditor {
			var cmd tea.Cmd
			m.editor, cmd = m.editor.Update(msg)
			return m, cmd
		}
		return m, nil
	case TickMsg, QueryStartedMsg, QueryStatusMsg, QueryDoneMsg, ResultsOpenedMsg, FetchedMsg, QueryFixMsg:
		return m.query(msg)
	case CatalogMsg, catalog.RefreshMsg, catalog.InsertMsg, catalog.PreviewMsg, catalog.ExplainMsg, catalog.DoctorMsg, catalog.ResizeMsg:
		return m.catalogMsg(msg)
	case explain.CopiedMsg, explain.ApplyRequestMsg, explain.DoctorRequestMsg, explain.OpenMsg, FixAppliedMsg, DoctorMsg:
		return m.explainMsg(msg)
	case results.CopiedMsg, results.ExportRequestMsg, results.ExportedMsg:
		return m.resultsMsg(msg)
	case history.OpenMsg, history.LoadMsg, WorkgroupHistoryMsg, SavedMsg:
		return m.historyMsg(msg)
	case LayoutSavedMsg:
		if msg.Err != nil {
			m.status.SetNote("the layout was not kept: " + msg.Err.Error())
		}
		return m, nil
	}
	return m.toFocused(msg)
}

// mouse routes a mouse message.
func (m Model) mouse(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.MouseClickMsg:
		return m.click(msg.Mouse())
	case tea.MouseMotionMsg:
		return m.drag(msg.Mouse())
	case tea.MouseReleaseMsg:
		return m.release()
	case tea.MouseWheelMsg:
		return m.wheel(msg.Mouse())
	}
	return m, nil
}

func (m Model) toFocused(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.focus {
	case focusCatalog:
		m.catalog, cmd = m.catalog.Update(msg)
	case focusEditor:
		m.editor, cmd = m.editor.Update(msg)
	case focusResults:
		m.results, cmd = m.results.Update(msg)
	case focusExplain:
		m.explain, cmd = m.explain.Update(msg)
	case focusHistory:
		m.history, cmd = m.history.Update(msg)
	}
	return m, cmd
}

func (m *Model) setFocus(f focus) {
	m.catalog.Blur()
	m.editor.Blur()
	m.results.Blur()
	m.explain.Blur()
	m.focus = f
	switch f {
	case focusCatalog:
		m.catalog.Focus()
	case focusEditor:
		m.editor.Focus()
	case focusResults:
		m.results.Focus()
	case focusExplain:
		m.explain.Focus()
	}
	m.layout()
}

// Fix is the explanation panel's fix statement ("" when none), as y
// copies it.
func (m Model) Fix() string { return m.explain.Fix() }

// QueryID is the Athena ID of the current run's query ("" before it is
// submitted).
func (m Model) QueryID() string { return m.r.queryID }

// Syntax is the last run's syntax error and where it is, for the editor
// to mark; ok is false when the last run had none.
func (m Model) Syntax() (mark SyntaxMark, ok bool) {
	if m.syntax == nil {
		return SyntaxMark{}, false
	}
	return *m.syntax, true
}
