package history

import (
	"errors"
	"github.com/quiltq/quiltq/ui/internal/golden"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

// at is a time shown the same in every time zone (the list shows local
// times).
func at(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 30, 0, 0, time.Local) }

func mine() []Entry {
	return []Entry{
		{ID: "a1", SQL: "SELECT order_id,\n  region FROM sales.orders", State: "SUCCEEDED", Submitted: at(2, 9), Scanned: 2048},
		{ID: "a2", SQL: "SELECT * FROM sales.nope", State: "FAILED", Submitted: at(1, 17)},
		{ID: "", SQL: "SELECT * FROM secret.t", State: "REFUSED", Submitted: at(1, 8), Message: "the Quilt role does not grant bucket secret"},
		{ID: "", SQL: "SELEC 1", State: SyntaxError, Submitted: at(1, 7), Message: "syntax error at line 1:1: SELEC does not start a statement"},
	}
}

func saved() []Saved {
	return []Saved{
		{ID: "n1", Name: "Latest package revisions", Description: "every package's latest", SQL: "SELECT pkg_name FROM packages"},
		{ID: "n2", Name: "Revenue by region", SQL: "SELECT region, sum(total) FROM sales.orders GROUP BY 1"},
	}
}

func newList(w, h int) Model {
	m := New(keys.Default().History, theme.New(theme.Options{NoColor: true}), mine())
	m.SetSize(w, h)
	return m
}

func press(m Model, ks ...tea.KeyPressMsg) (Model, tea.Msg) {
	var msg tea.Msg
	for _, k := range ks {
		var cmd tea.Cmd
		m, cmd = m.Update(k)
		msg = nil
		if cmd != nil {
			msg = cmd()
		}
	}
	return m, msg
}

func typed(s string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

var (
	tab   = tea.KeyPressMsg{Code: tea.KeyTab}
	enter = tea.KeyPressMsg{Code: tea.KeyEnter}
	down  = tea.KeyPressMsg{Code: tea.KeyDown}
	ctrlO = tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl}
)

func TestGoldenViews(t *testing.T) {
	m := newList(72, 7)
	golden.Check(t, "mine-72x7.txt", ansi.Strip(m.View()))
	m, _ = press(m, tab)
	golden.Check(t, "workgroup-reading-72x7.txt", ansi.Strip(m.View()))
	m.SetWorkgroup(nil, errors.New("AccessDenied: not allowed to list"))
	golden.Check(t, "workgroup-refused-72x7.txt", ansi.Strip(m.View()))
	m, _ = press(m, tab)
	m.SetSaved(saved(), 2, nil)
	golden.Check(t, "saved-72x7.txt", ansi.Strip(m.View()))
}

func TestEnterReopensOrLoads(t *testing.T) {
	m := newList(80, 10)
	// A query that succeeded: its results, without running it again, and
	// the SQL that made them, to show beside them.
	if _, msg := press(m, enter); msg != (OpenMsg{ID: "a1", SQL: "SELECT order_id,\n  region FROM sales.orders"}) {
		t.Errorf("enter on a succeeded query gave %#v, want OpenMsg a1 with its SQL", msg)
	}
	// One that failed has no results: its SQL goes to the editor.
	if _, msg := press(m, down, enter); msg != (LoadMsg{SQL: "SELECT * FROM sales.nope"}) {
		t.Errorf("enter on a failed query gave %#v, want its SQL loaded", msg)
	}
	// ctrl+o loads the SQL even of one that succeeded.
	if _, msg := press(m, ctrlO); msg != (LoadMsg{SQL: mine()[0].SQL}) {
		t.Errorf("ctrl+o gave %#v", msg)
	}
	// A saved query opens into the editor.
	m, _ = press(m, tab, tab)
	m.SetSaved(saved(), 0, nil)
	if _, msg := press(m, down, enter); msg != (LoadMsg{SQL: saved()[1].SQL}) {
		t.Errorf("enter on a saved query gave %#v", msg)
	}
}

func TestSearchFilters(t *testing.T) {
	m := newList(80, 10)
	m, _ = press(m, typed("orders")...)
	if got := m.Shown(); len(got) != 1 || got[0].ID != "a1" {
		t.Fatalf("search orders shows %+v", got)
	}
	m, _ = press(m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	m, _ = press(m, typed("X")...) // case-insensitive: "orderX" matches nothing
	if got := m.Shown(); len(got) != 0 || !strings.Contains(ansi.Strip(m.View()), "no queries") {
		t.Fatalf("search orderX shows %+v", got)
	}
	// The search carries over to the saved tab, by name, description or SQL.
	m, _ = press(m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	for range "order" {
		m, _ = press(m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	m, _ = press(m, append([]tea.KeyPressMsg{tab, tab}, typed("revenue")...)...)
	m.SetSaved(saved(), 0, nil)
	if got := m.ShownSaved(); len(got) != 1 || got[0].ID != "n2" || m.Tab() != SavedQueries {
		t.Fatalf("saved search revenue shows %+v on tab %d", got, m.Tab())
	}
}

func TestMouseClickAndWheel(t *testing.T) {
	m := newList(80, 10)
	// Rows start under the tabs and the search (y 2).
	if cmd := m.Click(3); cmd != nil || m.cursor != 1 {
		t.Fatalf("a click on row 2: cursor %d, cmd %v", m.cursor, cmd != nil)
	}
	if cmd := m.Click(3); cmd == nil || cmd() != (LoadMsg{SQL: "SELECT * FROM sales.nope"}) {
		t.Fatal("a second click on the row did not open it")
	}
	if cmd := m.Click(0); cmd != nil || m.cursor != 1 {
		t.Fatal("a click on the tabs moved the cursor")
	}
	m.Wheel(5)
	if m.cursor != 3 {
		t.Errorf("the wheel moved the cursor to %d, want the last row 3", m.cursor)
	}
	m.Wheel(-9)
	if m.cursor != 0 {
		t.Errorf("the wheel up moved the cursor to %d, want 0", m.cursor)
	}
}

func TestStoreKeepsNewestFirst(t *testing.T) {
	dir := t.TempDir()
	s := NewStore(dir, "arn:aws:sts::1:assumed-role/r/ana\x00us-east-1")
	if es, err := s.Load(); err != nil || len(es) != 0 {
		t.Fatalf("an empty store loads %v, %v", es, err)
	}
	for i, sql := range []string{"SELECT 1", "SELECT 2", "SELECT 3"} {
		if err := s.Add(Entry{ID: string(rune('a' + i)), SQL: sql, State: "SUCCEEDED"}); err != nil {
			t.Fatal(err)
		}
	}
	es, err := s.Load()
	if err != nil || len(es) != 3 || es[0].SQL != "SELECT 3" || es[2].SQL != "SELECT 1" {
		t.Fatalf("Load = %+v, %v; want newest first", es, err)
	}
	fi, err := os.Stat(s.Path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the history file's mode is %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if strings.Contains(s.Path(), "ana") {
		t.Errorf("the file name %s gives the principal away", s.Path())
	}
	if other := NewStore(dir, "arn:aws:sts::1:assumed-role/r/bob\x00us-east-1"); other.Path() == s.Path() {
		t.Error("two principals share a history file")
	}
	// A damaged line is skipped, not fatal.
	f, _ := os.OpenFile(s.Path(), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("{not json\n")
	f.Close()
	if es, err := s.Load(); err != nil || len(es) != 3 {
		t.Errorf("with a damaged line: %d entries, %v", len(es), err)
	}
}

// Every outcome is listed, and the line under the list says why the run
// under the cursor did not succeed, and whether it reached Athena.
func TestOutcomesAreShown(t *testing.T) {
	m := newList(90, 8)
	m, _ = press(m, tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyDown})
	v := ansi.Strip(m.View())
	golden.Check(t, "outcomes-90x8.txt", v)
	for _, want := range []string{"SUCCEEDED", "FAILED", "REFUSED", "SYNTAX ERROR", "not sent to Athena · syntax error at line 1:1: SELEC"} {
		if !strings.Contains(v, want) {
			t.Errorf("the list lacks %q:\n%s", want, v)
		}
	}
	// Enter on a run that never reached Athena loads its SQL.
	if _, msg := press(m, tea.KeyPressMsg{Code: tea.KeyEnter}); msg != (LoadMsg{SQL: "SELEC 1"}) {
		t.Errorf("enter on the syntax error gave %#v, want its SQL loaded", msg)
	}
	// The message is kept on disk.
	st := NewStore(t.TempDir(), "arn:aws:sts::1:assumed-role/r/u")
	if err := st.Add(mine()[3]); err != nil {
		t.Fatal(err)
	}
	got, err := st.Load()
	if err != nil || len(got) != 1 || got[0].Message != mine()[3].Message || got[0].State != SyntaxError {
		t.Errorf("loaded %+v, %v; want the syntax error with its message", got, err)
	}
}

// A query run after the list was last looked at goes on top, and the
// cursor with it: F7 then enter reopens what was just run, never the
// entry that happens to sit where the cursor was left.
func TestNewEntryTakesTheCursor(t *testing.T) {
	m := newList(80, 10)
	m, _ = press(m, down, down) // left on a3 (REFUSED)
	m.Add(Entry{ID: "b1", SQL: "SELECT 1", State: "SUCCEEDED", Submitted: at(3, 9)})
	if _, msg := press(m, enter); msg != (OpenMsg{ID: "b1", SQL: "SELECT 1"}) {
		t.Errorf("enter after a new query gave %#v, want the new query b1 reopened", msg)
	}
	// While the workgroup's list is shown, the cursor is that list's.
	m, _ = press(m, tab, down)
	m.SetWorkgroup([]Entry{{ID: "w1", SQL: "SELECT 2", State: "SUCCEEDED"}, {ID: "w2", SQL: "SELECT 3", State: "SUCCEEDED"}}, nil)
	m, _ = press(m, down)
	m.Add(Entry{ID: "b2", SQL: "SELECT 4", State: "SUCCEEDED", Submitted: at(3, 10)})
	if _, msg := press(m, enter); msg != (OpenMsg{ID: "w2", SQL: "SELECT 3"}) {
		t.Errorf("enter on the workgroup's list after a new query of mine gave %#v, want w2 still", msg)
	}
}
