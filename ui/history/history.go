// Package history is the workbench's query history: the user's own
// queries, kept on disk per principal and searchable, and the
// workgroup's Athena history, whose results can be reopened without
// running the query again.
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

	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

// Entry is one past query.
type Entry struct {
	ID        string    `json:"id"`
	SQL       string    `json:"sql"`
	State     string    `json:"state"`
	Submitted time.Time `json:"submitted"`
	Scanned   int64     `json:"scanned"`
	Workgroup string    `json:"workgroup,omitempty"`
}

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

// OpenMsg asks for the results of query ID, without running it again.
type OpenMsg struct{ ID string }

// LoadMsg asks for SQL to be put in the editor.
type LoadMsg struct{ SQL string }

// Model is the history list: the user's queries or the workgroup's.
type Model struct {
	keys keys.History
	th   theme.Theme

	mine, workgroup []Entry
	wgErr           error
	wgLoaded        bool
	showWorkgroup   bool
	query           string
	shown           []Entry
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

// Add puts a new entry of the user's at the top.
func (m *Model) Add(e Entry) {
	m.mine = append([]Entry{e}, m.mine...)
	m.refilter()
}

// SetWorkgroup sets the workgroup's history (or why it could not be read).
func (m *Model) SetWorkgroup(es []Entry, err error) {
	m.workgroup, m.wgErr, m.wgLoaded = es, err, true
	m.refilter()
}

// ShowingWorkgroup reports whether the workgroup's history is shown.
func (m Model) ShowingWorkgroup() bool { return m.showWorkgroup }

// Shown is the entries that match the search, in order.
func (m Model) Shown() []Entry { return m.shown }

func (m *Model) refilter() {
	src := m.mine
	if m.showWorkgroup {
		src = m.workgroup
	}
	m.shown = m.shown[:0]
	q := strings.ToLower(m.query)
	for _, e := range src {
		if q == "" || strings.Contains(strings.ToLower(e.SQL), q) || strings.HasPrefix(e.ID, q) {
			m.shown = append(m.shown, e)
		}
	}
	m.cursor = max(min(m.cursor, len(m.shown)-1), 0)
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
		m.cursor = min(m.cursor+1, max(len(m.shown)-1, 0))
	case key.Matches(k, m.keys.Switch):
		m.showWorkgroup = !m.showWorkgroup
		m.cursor, m.top = 0, 0
		m.refilter()
	case key.Matches(k, m.keys.Open):
		if len(m.shown) > 0 {
			e := m.shown[m.cursor]
			if e.State == "SUCCEEDED" && e.ID != "" {
				return m, func() tea.Msg { return OpenMsg{ID: e.ID} }
			}
			return m, func() tea.Msg { return LoadMsg{SQL: e.SQL} }
		}
	case key.Matches(k, m.keys.Load):
		if len(m.shown) > 0 {
			sql := m.shown[m.cursor].SQL
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
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if h := m.bodyHeight(); m.cursor >= m.top+h {
		m.top = m.cursor - h + 1
	}
	return m, nil
}

func (m Model) bodyHeight() int { return max(m.height-3, 1) }

// View draws the list.
func (m Model) View() string {
	tab := func(name string, on bool) string {
		if on {
			return m.th.Title.Render("[" + name + "]")
		}
		return m.th.Muted.Render(" " + name + " ")
	}
	lines := []string{tab("your queries", !m.showWorkgroup) + " " + tab("workgroup", m.showWorkgroup) + m.th.Muted.Render("  tab switches · enter reopens results · ctrl+o loads the SQL"),
		"search: " + m.query + "▏"}
	switch {
	case m.showWorkgroup && !m.wgLoaded:
		lines = append(lines, m.th.Muted.Render("reading the workgroup's history…"))
	case m.showWorkgroup && m.wgErr != nil:
		lines = append(lines, m.th.Error.Render("the workgroup's history could not be read: "+m.wgErr.Error()))
	case len(m.shown) == 0:
		lines = append(lines, m.th.Muted.Render("no queries"))
	}
	for i := m.top; i < len(m.shown) && len(lines) < m.height; i++ {
		e := m.shown[i]
		when := ""
		if !e.Submitted.IsZero() {
			when = e.Submitted.Local().Format("01-02 15:04")
		}
		sql := strings.Join(strings.Fields(e.SQL), " ")
		line := fmt.Sprintf("%-11s %-9s %9s  %s", when, e.State, status.Bytes(e.Scanned), sql)
		line = clip(line, m.width)
		if i == m.cursor {
			line = m.th.TreeCursor.Render(line + strings.Repeat(" ", max(m.width-lipgloss.Width(line), 0)))
		}
		lines = append(lines, line)
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
