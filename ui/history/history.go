// Package history is the workbench's query history: the user's own
// queries, kept on disk per principal and searchable; the workgroup's
// Athena history, whose results can be reopened without running the query
// again; and the workgroup's saved (named) queries, which open into the
// editor.
package history

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

// Entry is one past query. A run of the user's is kept however it ended:
// State is its outcome (one of the outcomes below; the workgroup's
// entries carry Athena's states), ID is empty when nothing reached Athena,
// and Message says why a run did not succeed.
type Entry struct {
	ID        string    `json:"id"`
	SQL       string    `json:"sql"`
	State     string    `json:"state"`
	Submitted time.Time `json:"submitted"`
	Scanned   int64     `json:"scanned"`
	Workgroup string    `json:"workgroup,omitempty"`
	Message   string    `json:"message,omitempty"`
}

// The outcomes of a run, as Entry.State records them.
const (
	Succeeded   = "SUCCEEDED"
	Failed      = "FAILED"
	Cancelled   = "CANCELLED"
	Refused     = "REFUSED"      // by the local grant check, or by AWS
	SyntaxError = "SYNTAX ERROR" // by the local parse, or by Athena
	NotRun      = "NOT RUN"      // held before sending, and the user said no (or gave no values)
)

// Store keeps one principal's queries in a file of JSON lines, newest
// last. Its file is named by a hash of the principal and written 0600.
type Store struct {
	path string
}

// maxEntries is how many queries Load keeps (the newest).
const maxEntries = 1000

// NewStore returns the store of principal (an STS caller ARN) in dir.
func NewStore(dir, principal string) *Store {
	h := sha256.Sum256([]byte(principal))
	return &Store{path: filepath.Join(dir, "history-"+hex.EncodeToString(h[:12])+".jsonl")}
}

// Path is the store's file.
func (s *Store) Path() string { return s.path }

// Load reads the entries, newest first.
func (s *Store) Load() ([]Entry, error) {
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e Entry
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.SQL != "" {
			out = append(out, e)
		}
	}
	if len(out) > maxEntries {
		out = out[len(out)-maxEntries:]
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, sc.Err()
}

// Add appends e.
func (s *Store) Add(e Entry) error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	b, _ := json.Marshal(e)
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Saved is one of the workgroup's saved (named) queries.
type Saved struct {
	ID, Name, Description, Database, SQL string
}

// OpenMsg asks for the results of query ID, without running it again.
type OpenMsg struct {
	ID  string
	SQL string // the SQL that made the results, to show beside them
}

// LoadMsg asks for SQL to be put in the editor.
type LoadMsg struct{ SQL string }

// Tab is which list is shown.
type Tab int

// The lists.
const (
	Mine Tab = iota
	Workgroup
	SavedQueries
)

// Model is the history list: the user's queries, the workgroup's, or the
// workgroup's saved queries.
type Model struct {
	keys keys.History
	th   theme.Theme

	mine, workgroup []Entry
	wgErr           error
	wgLoaded        bool
	saved           []Saved
	savedHidden     int
	savedErr        error
	savedLoaded     bool
	tab             Tab
	query           string
	shown           []Entry
	shownSaved      []Saved
	cursor, top     int
	width, height   int
}

// New returns the list with the user's entries.
func New(km keys.History, th theme.Theme, mine []Entry) Model {
	m := Model{keys: km, th: th, mine: mine}
	m.refilter()
	return m
}

// SetSize sets the inner size.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Add puts a new entry of the user's at the top, and the cursor on it
// when the user's list is shown: the query just run is the one F7 then
// enter reopens, not whichever entry slid under the cursor's old place.
func (m *Model) Add(e Entry) {
	m.mine = append([]Entry{e}, m.mine...)
	if m.tab == Mine {
		m.cursor, m.top = 0, 0
	}
	m.refilter()
}

// SetWorkgroup sets the workgroup's history (or why it could not be read).
func (m *Model) SetWorkgroup(es []Entry, err error) {
	m.workgroup, m.wgErr, m.wgLoaded = es, err, true
	m.refilter()
}

// SetSaved sets the workgroup's saved queries (or why they could not be
// read); hidden counts those Athena would not show.
func (m *Model) SetSaved(qs []Saved, hidden int, err error) {
	m.saved, m.savedHidden, m.savedErr, m.savedLoaded = qs, hidden, err, true
	m.refilter()
}

// Tab is the list shown.
func (m Model) Tab() Tab { return m.tab }

// ShowingWorkgroup reports whether the workgroup's history is shown.
func (m Model) ShowingWorkgroup() bool { return m.tab == Workgroup }

// Shown is the entries that match the search, in order (none on the
// saved queries' tab: see ShownSaved).
func (m Model) Shown() []Entry { return m.shown }

// ShownSaved is the saved queries that match the search, in order.
func (m Model) ShownSaved() []Saved { return m.shownSaved }

func (m *Model) refilter() {
	q := strings.ToLower(m.query)
	m.shown, m.shownSaved = m.shown[:0], m.shownSaved[:0]
	n := 0
	if m.tab == SavedQueries {
		for _, s := range m.saved {
			if q == "" || strings.Contains(strings.ToLower(s.Name), q) || strings.Contains(strings.ToLower(s.SQL), q) || strings.Contains(strings.ToLower(s.Description), q) {
				m.shownSaved = append(m.shownSaved, s)
			}
		}
		n = len(m.shownSaved)
	} else {
		src := m.mine
		if m.tab == Workgroup {
			src = m.workgroup
		}
		for _, e := range src {
			if q == "" || strings.Contains(strings.ToLower(e.SQL), q) || strings.HasPrefix(e.ID, q) {
				m.shown = append(m.shown, e)
			}
		}
		n = len(m.shown)
	}
	m.cursor = max(min(m.cursor, n-1), 0)
}

func (m Model) count() int {
	if m.tab == SavedQueries {
		return len(m.shownSaved)
	}
	return len(m.shown)
}

// open is what enter does on the row under the cursor: reopen a past
// query's results, or load its SQL (a saved query, or one without results).
func (m Model) open() tea.Cmd {
	if m.count() == 0 {
		return nil
	}
	if m.tab == SavedQueries {
		sql := m.shownSaved[m.cursor].SQL
		return func() tea.Msg { return LoadMsg{SQL: sql} }
	}
	e := m.shown[m.cursor]
	if e.State == "SUCCEEDED" && e.ID != "" {
		return func() tea.Msg { return OpenMsg{ID: e.ID, SQL: e.SQL} }
	}
	return func() tea.Msg { return LoadMsg{SQL: e.SQL} }
}

// Click acts on row y of the pane (0 is its first line, the tabs): the
// first click puts the cursor on a row, a second click on it opens it.
func (m *Model) Click(y int) tea.Cmd {
	i := m.top + y - m.headerLines()
	if y < m.headerLines() || i >= m.count() {
		return nil
	}
	if i == m.cursor {
		return m.open()
	}
	m.cursor = i
	return nil
}

// Wheel moves the cursor n rows (negative: up).
func (m *Model) Wheel(n int) {
	m.cursor = max(min(m.cursor+n, m.count()-1), 0)
	m.follow()
}

// headerLines is the lines above the first row: the tabs, the search
// and, when there is one, the message line.
func (m Model) headerLines() int {
	if m.message() != "" {
		return 3
	}
	return 2
}

// Update handles the list's keys; printable keys edit the search.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(k, m.keys.Down):
		m.cursor = min(m.cursor+1, max(m.count()-1, 0))
	case key.Matches(k, m.keys.Switch):
		m.tab = (m.tab + 1) % 3
		m.cursor, m.top = 0, 0
		m.refilter()
	case key.Matches(k, m.keys.Open):
		return m, m.open()
	case key.Matches(k, m.keys.Load):
		if m.count() > 0 {
			sql := ""
			if m.tab == SavedQueries {
				sql = m.shownSaved[m.cursor].SQL
			} else {
				sql = m.shown[m.cursor].SQL
			}
			return m, func() tea.Msg { return LoadMsg{SQL: sql} }
		}
	case k.String() == "backspace":
		if r := []rune(m.query); len(r) > 0 {
			m.query = string(r[:len(r)-1])
			m.refilter()
		}
	case k.Text != "" && !key.Matches(k, m.keys.Search):
		m.query += k.Text
		m.refilter()
	}
	m.follow()
	return m, nil
}

// follow keeps the cursor's row on screen.
func (m *Model) follow() {
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if h := m.bodyHeight(); m.cursor >= m.top+h {
		m.top = m.cursor - h + 1
	}
}

func (m Model) bodyHeight() int { return max(m.height-m.headerLines()-len(m.detail()), 1) }

// detail is the line under the list about the entry under the cursor:
// its query ID and why it did not succeed ("" when there is neither).
func (m Model) detail() []string {
	if m.tab == SavedQueries || m.count() == 0 {
		return nil
	}
	e := m.shown[m.cursor]
	var parts []string
	switch {
	case e.ID != "":
		parts = append(parts, "query "+e.ID)
	case m.tab == Mine:
		parts = append(parts, "not sent to Athena")
	}
	if e.Message != "" {
		parts = append(parts, strings.Join(strings.Fields(e.Message), " "))
	}
	if len(parts) == 0 {
		return nil
	}
	return []string{m.th.Muted.Render(clip(strings.Join(parts, " · "), m.width))}
}

// message is the line under the search saying why the list is empty or
// incomplete ("" when none).
func (m Model) message() string {
	switch {
	case m.tab == Workgroup && !m.wgLoaded:
		return m.th.Muted.Render("reading the workgroup's history…")
	case m.tab == Workgroup && m.wgErr != nil:
		return m.th.Error.Render("the workgroup's history could not be read: " + m.wgErr.Error())
	case m.tab == SavedQueries && !m.savedLoaded:
		return m.th.Muted.Render("reading the workgroup's saved queries…")
	case m.tab == SavedQueries && m.savedErr != nil:
		return m.th.Error.Render("the workgroup's saved queries could not be read: " + m.savedErr.Error())
	case m.count() == 0:
		return m.th.Muted.Render("no queries")
	case m.tab == SavedQueries && m.savedHidden > 0:
		return m.th.Muted.Render(fmt.Sprintf("%d saved queries are not shown: Athena refused to read them", m.savedHidden))
	}
	return ""
}

// View draws the list.
func (m Model) View() string {
	tab := func(name string, on bool) string {
		if on {
			return m.th.Title.Render("[" + name + "]")
		}
		return m.th.Muted.Render(" " + name + " ")
	}
	sw, open, load := m.keys.Switch.Help().Key, m.keys.Open.Help().Key, m.keys.Load.Help().Key
	hint := "  " + sw + " switches · " + open + " reopens results · " + load + " loads the SQL"
	if m.tab == SavedQueries {
		hint = "  " + sw + " switches · " + open + " opens the query in the editor"
	}
	lines := []string{ansi.Truncate(tab("your queries", m.tab == Mine)+" "+tab("workgroup", m.tab == Workgroup)+" "+tab("saved", m.tab == SavedQueries)+m.th.Muted.Render(hint), m.width, "…"),
		"search: " + m.query + "▏"}
	if msg := m.message(); msg != "" {
		lines = append(lines, msg)
	}
	for i := m.top; i < m.count() && len(lines) < m.height-len(m.detail()); i++ {
		var line string
		if m.tab == SavedQueries {
			q := m.shownSaved[i]
			line = q.Name
			if q.Description != "" {
				line += " — " + q.Description
			}
			line = fmt.Sprintf("%-40s  %s", line, strings.Join(strings.Fields(q.SQL), " "))
		} else {
			e := m.shown[i]
			when := ""
			if !e.Submitted.IsZero() {
				when = e.Submitted.Local().Format("01-02 15:04")
			}
			scanned := ""
			if e.ID != "" {
				scanned = engine.FormatBytes(e.Scanned)
			}
			line = fmt.Sprintf("%-11s %-12s %9s  %s", when, e.State, scanned, strings.Join(strings.Fields(e.SQL), " "))
		}
		line = clip(line, m.width)
		if i == m.cursor {
			line = m.th.TreeCursor.Render(line + strings.Repeat(" ", max(m.width-lipgloss.Width(line), 0)))
		}
		lines = append(lines, line)
	}
	if d := m.detail(); len(d) > 0 {
		for len(lines) < m.height-len(d) {
			lines = append(lines, "")
		}
		lines = append(lines, d...)
	}
	return lipgloss.NewStyle().Width(m.width).Height(m.height).MaxHeight(m.height).Render(strings.Join(lines, "\n"))
}

func clip(s string, w int) string {
	rs := []rune(s)
	if len(rs) > w && w > 0 {
		return string(rs[:w-1]) + "…"
	}
	return s
}
