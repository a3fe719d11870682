// Package ui is the workbench's root model: it holds the panes (catalog
// tree, editor, results grid, explanation panel, history), the focus, the
// layout, the global keys and the status line, and routes messages to the
// pane they are for. The query lifecycle lives in the engine; every
// asynchronous reply carries the run it belongs to, so that a re-run or a
// cancel never shows stale rows.
package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
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
	// sent; nil runs none. An error of kind engine.Denied is a refusal.
	Check func(sql string) error
	// Listing is the cached catalog listing to show at once (nil: none),
	// made Age ago; a refresh starts at once either way.
	Listing *engine.Listing
	Age     time.Duration
	// History keeps the user's queries (nil: not kept).
	History *history.Store
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
	// Mouse turns on clicks (focus a pane, pick a row) and the wheel
	// (scroll the grid, the catalog, the explanation, the history).
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
	doctorRun     int // the current doctor run; reports of others are stale

	run     int                // the current run; replies of other runs are stale
	cancel  context.CancelFunc // stops the current run
	runCtx  context.Context    // the current run's context, which cancel ends
	running bool
	runSQL  string
	queryID string
	started time.Time
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
	}
	var mine []history.Entry
	if cfg.History != nil {
		mine, _ = cfg.History.Load()
	}
	m.history = history.New(cfg.Keys.History, cfg.Theme, mine)
	m.results.SetRunKeys(cfg.Keys.Global.Run.Help().Key)
	if cfg.Listing != nil {
		m.catalog.SetListing(*cfg.Listing, true, cfg.Age)
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

// Running reports whether a query is running.
func (m Model) Running() bool { return m.running }

// update routes msg (Update, in tabs.go, gives the tabs theirs first).
func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseClickMsg:
		return m.click(msg.Mouse())
	case tea.MouseMotionMsg:
		return m.drag(msg.Mouse())
	case tea.MouseReleaseMsg:
		return m.release(msg.Mouse())
	case tea.MouseWheelMsg:
		return m.wheel(msg.Mouse())
	case TickMsg:
		return m.tick(msg)
	case tea.PasteMsg:
		if m.focus == focusEditor {
			var cmd tea.Cmd
			m.editor, cmd = m.editor.Update(msg)
			return m, cmd
		}
		return m, nil
	case QueryStartedMsg, QueryStatusMsg, QueryDoneMsg, ResultsOpenedMsg, results.RowsMsg:
		return m.query(msg)
	case CatalogMsg:
		if msg.Err != nil {
			m.catalog.SetSource("refresh failed: " + msg.Err.Error())
			return m, nil
		}
		m.catalog.SetListing(msg.Listing, false, 0)
		m.editor.SetIndex(editor.NewIndex(msg.Listing, m.cfg.Identity.Catalog, m.cfg.Identity.Database))
		return m, nil
	case catalog.RefreshMsg:
		return m, listCatalog(m.ctx, m.eng)
	case catalog.InsertMsg:
		name := editor.QualifiedName(msg.Catalog, msg.Database, msg.Table, m.cfg.Identity.Catalog)
		if msg.Column != "" {
			name = editor.Quote(msg.Column)
		}
		m.editor.Insert(name)
		m.setFocus(focusEditor)
		return m, nil
	case catalog.PreviewMsg:
		sql := "SELECT * FROM " + editor.QualifiedName(msg.Catalog, msg.Database, msg.Table, m.cfg.Identity.Catalog) + " LIMIT 100"
		m.editor.SetValue(sql)
		return m.startRun(sql)
	case results.CopiedMsg:
		m.status.SetNote(fmt.Sprintf("copied %s as %s (%s)", msg.What, msg.Format, status.Bytes(int64(msg.Bytes))))
		return m, nil
	case QueryFixMsg:
		if msg.Run == m.run {
			m.explain.SetQueryFix(msg.Fix, msg.Notes, msg.Err)
		}
		return m, nil
	case explain.CopiedMsg:
		m.status.SetNote("copied the fix statement (" + status.Bytes(int64(msg.Bytes)) + ")")
		return m, nil
	case results.ExportRequestMsg:
		m.status.SetNote("exporting to " + msg.Path + "…")
		return m, results.Export(m.ctx, m.eng.Open, msg.QueryID, msg.Path)
	case results.ExportedMsg:
		if msg.Err != nil {
			m.status.SetNote("export failed: " + msg.Err.Error())
		} else {
			m.status.SetNote(fmt.Sprintf("exported %s rows to %s", status.Count(msg.Rows), msg.Path))
		}
		return m, nil
	case WorkgroupHistoryMsg:
		m.history.SetWorkgroup(msg.Entries, msg.Err)
		return m, nil
	case SavedMsg:
		m.history.SetSaved(msg.Queries, msg.Hidden, msg.Err)
		return m, nil
	case explain.ApplyRequestMsg:
		m.status.SetNote("applying the statement…")
		return m, applyFix(m.ctx, m.eng, msg.Fix)
	case FixAppliedMsg:
		if msg.Err != nil {
			m.status.SetNote("not applied: " + msg.Err.Error())
		} else {
			m.status.SetNote(msg.Note)
		}
		return m, nil
	case explain.DoctorRequestMsg:
		if m.eng == nil {
			return m, nil
		}
		m.doctorRun++
		m.explain.SetDoctorRunning()
		m.status.SetNote("running the doctor's probes…")
		return m, runDoctor(m.ctx, m.eng, m.doctorRun)
	case DoctorMsg:
		if msg.Run != m.doctorRun {
			return m, nil
		}
		m.explain.SetDoctor(msg.Report, msg.Fix, msg.Err)
		m.status.SetNote("the doctor's report is in the explanation panel")
		return m, nil
	case history.OpenMsg:
		m.setFocus(m.back)
		return m.reopen(msg.ID)
	case history.LoadMsg:
		m.editor.SetValue(msg.SQL)
		m.setFocus(focusEditor)
		return m, nil
	}
	return m.toFocused(msg)
}

// key handles the global keys, then hands the key to the focused pane.
func (m Model) key(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	g := m.km.Global
	if m.help {
		hk := m.km.Help
		switch {
		case key.Matches(k, g.Help, g.Cancel, g.Quit) || k.String() == "q":
			m.help = false
		case key.Matches(k, hk.Up):
			m.helpTop--
		case key.Matches(k, hk.Down):
			m.helpTop++
		case key.Matches(k, hk.PageUp):
			m.helpTop -= m.helpHeight()
		case key.Matches(k, hk.PageDown):
			m.helpTop += m.helpHeight()
		}
		m.helpTop = max(min(m.helpTop, m.helpMaxTop()), 0)
		return m, nil
	}
	// A printable key is text for a pane that takes text.
	printable := k.Text != "" && k.Mod&^tea.ModShift == 0
	if printable && m.capturing() {
		return m.toFocused(k)
	}
	switch {
	case key.Matches(k, g.Quit):
		if m.cancel != nil {
			m.cancel()
		}
		return m, tea.Quit
	case key.Matches(k, g.Run):
		return m.startRun(m.editor.Value())
	case key.Matches(k, g.Cancel):
		return m.cancelKey()
	case key.Matches(k, g.Help):
		m.help, m.helpTop = true, 0
		return m, nil
	case key.Matches(k, g.FocusCatalog):
		m.setFocus(focusCatalog)
		return m, nil
	case key.Matches(k, g.FocusEditor):
		m.setFocus(focusEditor)
		return m, nil
	case key.Matches(k, g.FocusResults):
		m.setFocus(focusResults)
		return m, nil
	case key.Matches(k, g.History):
		if m.focus == focusHistory {
			m.setFocus(m.back)
			return m, nil
		}
		m.back = m.focus
		m.setFocus(focusHistory)
		if m.eng != nil {
			return m, tea.Batch(readHistory(m.ctx, m.eng), readSaved(m.ctx, m.eng))
		}
		return m, nil
	case key.Matches(k, g.Explain):
		if m.focus == focusExplain {
			m.setFocus(focusResults)
		} else {
			m.setFocus(focusExplain)
		}
		return m, nil
	case key.Matches(k, g.NextPane) && m.focus != focusEditor && m.focus != focusHistory:
		m.setFocus([]focus{focusEditor, focusResults, focusEditor, focusCatalog, focusEditor}[m.focus])
		return m, nil
	case key.Matches(k, g.PrevPane):
		m.setFocus([]focus{focusResults, focusCatalog, focusEditor, focusEditor, focusEditor}[m.focus])
		return m, nil
	}
	return m.toFocused(k)
}

// capturing reports whether the focused pane takes printable keys as text.
func (m Model) capturing() bool {
	switch m.focus {
	case focusEditor, focusHistory:
		return true
	case focusResults:
		return m.results.Capturing()
	case focusCatalog:
		return m.catalog.Capturing()
	}
	return false
}

// cancelKey closes the focused pane's overlay, else stops the running
// query, else closes the panel that is open.
func (m Model) cancelKey() (tea.Model, tea.Cmd) {
	switch {
	case m.focus == focusEditor && m.editor.Overlay():
		m.editor.Close()
	case m.focus == focusResults && m.results.Overlay():
		m.results.Close()
	case m.focus == focusCatalog && m.catalog.Overlay():
		m.catalog.Close()
	case m.running && m.cancel != nil:
		m.cancel()
		q := m.status.Query()
		q.State = "CANCELLING"
		m.status.SetQuery(q)
	case m.focus == focusExplain:
		m.setFocus(focusResults)
	case m.focus == focusHistory:
		m.setFocus(m.back)
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

// startRun checks sql locally and submits it as a new run.
func (m Model) startRun(sql string) (tea.Model, tea.Cmd) {
	sql = strings.TrimSpace(sql)
	sql = strings.TrimSuffix(sql, ";")
	if sql == "" {
		m.status.SetNote("nothing to run: write a query first")
		return m, nil
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.run++
	m.runSQL, m.queryID, m.started = sql, "", m.now()
	if m.cfg.Check != nil {
		if err := m.cfg.Check(sql); err != nil {
			m.running, m.cancel = false, nil
			m.status.SetQuery(status.Query{State: "REFUSED", Note: "refused by the local grant check"})
			if engine.KindOf(err) == engine.Denied {
				m.explain.Set(explain.Local, "", err, m.eng.FixContext())
				m.setFocus(focusExplain)
				return m, queryFix(m.ctx, m.eng, m.run, sql, err)
			}
			m.results.SetMessage("", "The local grant check failed: "+err.Error())
			return m, nil
		}
	}
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancel, m.runCtx, m.running = cancel, ctx, true
	m.status.SetQuery(status.Query{State: "SUBMITTING"})
	return m, tea.Batch(startQuery(ctx, m.eng, m.run, sql), tick(m.run))
}

// reopen shows the results of a past query without running it again.
func (m Model) reopen(id string) (tea.Model, tea.Cmd) {
	if m.cancel != nil {
		m.cancel()
	}
	m.run++
	m.runSQL, m.queryID, m.started = "", id, m.now()
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancel, m.runCtx, m.running = cancel, ctx, true
	m.status.SetQuery(status.Query{ID: id, State: "REOPENING", Note: "reopening " + id + ", not running it again"})
	return m, tea.Batch(waitQuery(ctx, m.eng, m.run, id), tick(m.run))
}

// tick moves the elapsed time on the status line while the run's query
// is not final; Athena's own figure replaces it at each report.
func (m Model) tick(msg TickMsg) (tea.Model, tea.Cmd) {
	q := m.status.Query()
	if msg.Run != m.run || !m.running || finalState(q.State) {
		return m, nil // the ticking of that run stops here
	}
	q.Elapsed = max(q.Elapsed, m.now().Sub(m.started))
	m.status.SetQuery(q)
	return m, tick(m.run)
}

// finalState reports whether a query in state s has stopped running.
func finalState(s string) bool {
	switch s {
	case "SUCCEEDED", "FAILED", "CANCELLED", "REFUSED":
		return true
	}
	return false
}

// query follows the current run through its messages; replies of other
// runs are dropped (their result streams closed).
func (m Model) query(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case QueryStartedMsg:
		if msg.Run != m.run {
			return m, nil
		}
		if msg.Err != nil {
			return m.failed(msg.Err)
		}
		m.queryID = msg.ID
		m.status.SetQuery(status.Query{ID: msg.ID, State: "QUEUED"})
		return m, waitQuery(m.runContext(), m.eng, m.run, msg.ID)
	case QueryStatusMsg:
		next := listen(msg.ch)
		if msg.Run != m.run {
			return m, next
		}
		q := m.status.Query()
		if q.State != "CANCELLING" {
			q.State = msg.Progress.State
		}
		q.ID, q.Scanned, q.Cost = msg.Progress.ID, msg.Progress.Scanned, msg.Progress.Cost
		q.Elapsed = max(msg.Progress.Elapsed, m.now().Sub(m.started))
		m.status.SetQuery(q)
		return m, next
	case QueryDoneMsg:
		if msg.Run != m.run {
			return m, nil
		}
		p := msg.Progress
		q := status.Query{ID: p.ID, State: p.State, Elapsed: p.Elapsed, Scanned: p.Scanned, Cost: p.Cost}
		if m.runSQL == "" {
			q.Note = "reopened, not run again"
		}
		m.status.SetQuery(q)
		m.remember(p)
		if msg.Err != nil {
			return m.failed(msg.Err)
		}
		return m, openResults(m.runContext(), m.eng, m.run, p.ID)
	case ResultsOpenedMsg:
		if msg.Run != m.run {
			if msg.Stream != nil {
				msg.Stream.Close()
			}
			return m, nil
		}
		if msg.Err != nil {
			return m.failed(msg.Err)
		}
		m.results.Reset(msg.ID, msg.Stream.Columns())
		return m, results.Fetch(msg.ID, msg.Stream, results.FirstBatch, 0, m.cfg.FetchLimit)
	case results.RowsMsg:
		if msg.QueryID != m.results.QueryID() || !m.running {
			if msg.Stream != nil {
				msg.Stream.Close()
			}
			return m, nil
		}
		m.results.Append(msg.Rows)
		q := m.status.Query()
		q.Rows = m.results.Total()
		m.status.SetQuery(q)
		if !msg.Done {
			return m, results.Fetch(msg.QueryID, msg.Stream, results.Batch, m.results.Total(), m.cfg.FetchLimit)
		}
		var limit *results.LimitError
		if errors.As(msg.Err, &limit) {
			m.results.Finish(nil)
			m.status.SetNote(limit.Error())
		} else {
			m.results.Finish(msg.Err)
		}
		m.running, m.cancel = false, nil
	}
	return m, nil
}

// runContext is the context of the current run (the base context when
// the run has ended).
func (m Model) runContext() context.Context {
	if m.runCtx == nil {
		return m.ctx
	}
	return m.runCtx
}

// failed ends the run with err: a refusal goes to the explanation panel,
// a cancel is said on the status line, anything else in the grid.
func (m Model) failed(err error) (tea.Model, tea.Cmd) {
	m.running, m.cancel = false, nil
	q := m.status.Query()
	switch engine.KindOf(err) {
	case engine.Canceled:
		q.State = "CANCELLED"
		q.Note = "stopped on Athena"
		m.status.SetQuery(q)
		m.results.SetMessage(m.queryID, "The query was cancelled; Athena was asked to stop it.")
	case engine.Denied, engine.Credentials:
		if q.State == "" || q.State == "SUBMITTING" {
			q.State = "REFUSED"
		}
		m.status.SetQuery(q)
		m.explain.Set(explain.AWS, m.queryID, err, m.eng.FixContext())
		m.results.SetMessage(m.queryID, "Refused: see the explanation ("+m.km.Global.Explain.Help().Key+").")
		m.setFocus(focusExplain)
		if engine.KindOf(err) == engine.Denied {
			return m, queryFix(m.ctx, m.eng, m.run, m.runSQL, err)
		}
	default:
		if q.State == "" || q.State == "SUBMITTING" {
			q.State = "FAILED"
		}
		m.status.SetQuery(q)
		m.results.SetMessage(m.queryID, "The query failed: "+err.Error())
	}
	return m, nil
}

// remember keeps the finished query in the user's history.
func (m *Model) remember(p Progress) {
	if m.runSQL == "" {
		return
	}
	e := history.Entry{ID: p.ID, SQL: m.runSQL, State: p.State, Submitted: m.started, Scanned: p.Scanned, Workgroup: m.cfg.Identity.Workgroup}
	m.history.Add(e)
	if m.hist != nil {
		if err := m.hist.Add(e); err != nil {
			m.status.SetNote(err.Error())
		}
	}
}

// Fix is the explanation panel's fix statement ("" when none), as y
// copies it.
func (m Model) Fix() string { return m.explain.Fix() }

// QueryID is the Athena ID of the current run's query ("" before it is
// submitted).
func (m Model) QueryID() string { return m.queryID }
