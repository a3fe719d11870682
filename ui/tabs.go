package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/ui/buffers"
	"github.com/quiltq/quiltq/ui/editor"
)

// The editor's tabs in the root model. m.editor is always the active
// tab's editor (the run flow reads it); the other tabs are parked in
// m.tabs.bar, and every switch parks m.editor there and takes the next
// one out. The tabs are saved to the principal's store a moment after a
// change (saveDelay), and at once when the workbench quits.

// saveDelay is how long after a change the tabs are saved: changes in
// between are saved together.
const saveDelay = time.Second

// tabState is the root's part of the tabs.
type tabState struct {
	bar    buffers.Model
	store  *buffers.Store // nil: not kept
	seen   saveSig        // the tabs as last saved (or restored)
	queued bool           // a saveTickMsg is on its way
	gen    uint64         // the generation of the newest save started
}

// saveSig tells whether the tabs changed since the last save.
type saveSig struct {
	gen           uint64
	id, rev       int
	row, col, len int
}

func (m Model) saveSig() saveSig {
	r, c := m.editor.Cursor()
	return saveSig{gen: m.tabs.bar.Gen(), id: m.editor.ID(), rev: m.editor.Rev(), row: r, col: c, len: m.tabs.bar.Len()}
}

// saveTickMsg is the debounced save's turn.
type saveTickMsg struct{}

// buffersSavedMsg is the end of a save.
type buffersSavedMsg struct{ err error }

// startTabs builds the tabs: from the principal's store when it holds
// some, else one tab; the editor's initial SQL (Config.SQL) goes in a tab
// of its own after restored ones.
func (m *Model) startTabs() {
	getenv := m.cfg.Getenv
	st, ok := buffers.State{}, false
	if m.cfg.Buffers != nil {
		var err error
		st, ok, err = m.cfg.Buffers.Load()
		if err != nil {
			m.status.SetNote(err.Error() + " (starting with an empty tab)")
		}
	}
	ix := m.editor.Index()
	m.tabs = tabState{store: m.cfg.Buffers}
	m.tabs.bar, m.editor = buffers.New(m.km.Editor, m.th, buffers.Options{Getenv: getenv}, st, ok)
	m.editor.SetIndex(ix)
	if m.cfg.SQL != "" {
		if ok {
			m.editor = m.tabs.bar.Add(m.editor, "", m.cfg.SQL)
		} else {
			m.editor.SetValue(m.cfg.SQL)
		}
	}
	m.tabs.seen = m.saveSig()
}

// Update routes msg: first to the tabs (their keys, prompts, saves and
// the editor's replies), then to the rest of the workbench; then it
// schedules a save when the tabs changed.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	mm, cmd, done := m.tabsUpdate(msg)
	if !done {
		shown := mm.results.Key(mm.results.Active())
		next, c := mm.update(msg)
		after := next.(Model)
		if k := after.results.Key(after.results.Active()); k != shown && k != after.r.tab {
			// A result tab other than the run's is shown: the note said
			// something of the one before (statusLine shows the tab's own
			// figures).
			after.status.SetNote("")
			next = after
		}
		if after.saveDue() {
			return after.queueSave(c)
		}
		return next, c // as update boxed it: the workbench is large to box again
	}
	return mm.queueSave(cmd)
}

// saveDue reports whether the tabs changed since the last save and no
// save is queued.
func (m Model) saveDue() bool {
	return m.tabs.store != nil && !m.tabs.queued && m.saveSig() != m.tabs.seen
}

// tabsUpdate handles what is the tabs': done is false for the rest.
func (m Model) tabsUpdate(msg tea.Msg) (Model, tea.Cmd, bool) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case saveTickMsg:
		m.tabs.queued = false
		if m.tabs.store == nil || m.saveSig() == m.tabs.seen {
			return m, nil, true
		}
		m.tabs.seen = m.saveSig()
		m.tabs.gen++
		return m, saveBuffers(m.tabs.store, m.tabs.gen, m.tabs.bar.State(m.editor)), true
	case buffersSavedMsg:
		if msg.err != nil {
			m.status.SetNote("the tabs were not saved: " + msg.err.Error())
		}
		return m, nil, true
	case editor.NoteMsg:
		m.status.SetNote(msg.Text)
		return m, nil, true
	case buffers.NoteMsg:
		m.status.SetNote(msg.Text)
		return m, nil, true
	case editor.ExternalEditedMsg:
		if msg.ID == m.editor.ID() {
			m.editor, cmd = m.editor.Update(msg)
		} else {
			cmd, _ = m.tabs.bar.Deliver(msg)
		}
		return m, cmd, true
	case tea.KeyPressMsg:
		if key.Matches(msg, m.km.Global.Quit) {
			m.saveTabsNow()
			return m, nil, false // and the workbench quits
		}
		if m.focus != focusEditor || m.help || m.confirm != nil || m.ask != nil {
			return m, nil, false // a question asked takes its answer keys alone
		}
		// ctrl+c copies when text is selected, and cancels otherwise.
		if key.Matches(msg, m.km.Editor.Copy) && m.editor.HasSelection() {
			m.editor, cmd = m.editor.Update(msg)
			return m, cmd, true
		}
		return m.tabKey(msg)
	case tea.PasteMsg:
		if m.focus == focusEditor && m.tabs.bar.Prompting() {
			return m.tabKey(msg)
		}
	}
	return m, nil, false
}

// tabKey gives msg to the tabs.
func (m Model) tabKey(msg tea.Msg) (Model, tea.Cmd, bool) {
	bar, ed, cmd, ok := m.tabs.bar.Update(msg, m.editor)
	if !ok {
		return m, nil, false
	}
	m.tabs.bar, m.editor = bar, ed
	m.layout()
	return m, cmd, true
}

// queueSave schedules a save when the tabs changed since the last one.
func (m Model) queueSave(cmd tea.Cmd) (tea.Model, tea.Cmd) {
	if !m.saveDue() {
		return m, cmd
	}
	m.tabs.queued = true
	return m, tea.Batch(cmd, tea.Tick(saveDelay, func(time.Time) tea.Msg { return saveTickMsg{} }))
}

// saveBuffers writes st as generation gen of the store.
func saveBuffers(s *buffers.Store, gen uint64, st buffers.State) tea.Cmd {
	return func() tea.Msg { return buffersSavedMsg{err: s.Save(gen, st)} }
}

// saveTabsNow saves the tabs before the workbench quits.
func (m *Model) saveTabsNow() {
	if m.tabs.store == nil {
		return
	}
	m.tabs.gen++
	if err := m.tabs.store.Save(m.tabs.gen, m.tabs.bar.State(m.editor)); err == nil {
		m.tabs.seen = m.saveSig()
	}
}

// editorPane draws the editor in its border, under the tab bar.
func (m Model) editorPane(w, h int) string {
	focused := m.focus == focusEditor
	return m.frame(m.tabs.bar.View(max(w-2, 0), focused)+"\n"+m.editor.View(), w, h, focused)
}

// clickTabBar acts on a click at screen cell x, y when it is on the tab
// bar (the editor pane's top line), and reports whether it was.
func (m *Model) clickTabBar(x, y int) bool {
	g := m.geometry()
	if m.help || m.focus == focusHistory || y != 1 || x <= g.catW || x >= g.catW+g.rightW-1 {
		return false
	}
	if m.focus != focusEditor {
		m.setFocus(focusEditor)
	}
	m.editor = m.tabs.bar.Click(m.editor, x-g.catW-1, g.rightW-2)
	m.layout()
	return true
}

// Tabs are the names of the editor's tabs and the index of the active
// one.
func (m Model) Tabs() (names []string, active int) {
	return m.tabs.bar.Names(), m.tabs.bar.Active()
}

// onEditor calls f on the editor of buffer id (editor.Model.ID): the
// active tab's, or a parked one's. A run remembers the ID of the editor
// it started from, so that its running highlight is cleared, and its
// syntax error marked, in that tab even after a switch.
func (m *Model) onEditor(id int, f func(*editor.Model)) bool {
	if m.editor.ID() == id {
		f(&m.editor)
		return true
	}
	return m.tabs.bar.Apply(id, f)
}

// Editor is the active tab's editor.
func (m Model) Editor() editor.Model { return m.editor }
