package editor

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/internal/golden"
)

// press is a key as the terminal reports it, by its name ("shift+left",
// "ctrl+shift+home", "alt+m", "ctrl+_").
func press(name string) tea.KeyPressMsg {
	var mod tea.KeyMod
	rest := name
	for {
		m, r, ok := strings.Cut(rest, "+")
		if !ok || r == "" {
			break
		}
		switch m {
		case "ctrl":
			mod |= tea.ModCtrl
		case "alt":
			mod |= tea.ModAlt
		case "shift":
			mod |= tea.ModShift
		default:
			panic("modifier " + m)
		}
		rest = r
	}
	codes := map[string]rune{"left": tea.KeyLeft, "right": tea.KeyRight, "up": tea.KeyUp, "down": tea.KeyDown,
		"home": tea.KeyHome, "end": tea.KeyEnd, "enter": tea.KeyEnter, "backspace": tea.KeyBackspace,
		"delete": tea.KeyDelete, "insert": tea.KeyInsert, "tab": tea.KeyTab, "esc": tea.KeyEscape, "space": tea.KeySpace,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "f9": tea.KeyF9}
	code, ok := codes[rest]
	if !ok {
		code = []rune(rest)[0]
	}
	k := tea.KeyPressMsg{Code: code, Mod: mod}
	if k.String() != name {
		panic(fmt.Sprintf("press(%q) makes %q", name, k.String()))
	}
	return k
}

// keysIn sends keys by name, and returns the commands they gave.
func keysIn(m Model, names ...string) (Model, []tea.Cmd) {
	var cmds []tea.Cmd
	for _, n := range names {
		var cmd tea.Cmd
		m, cmd = m.Update(press(n))
		if cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	return m, cmds
}

func withText(w, h int, text string, row, col int) Model {
	m := newEditor(w, h)
	m.SetValue(text)
	m.row, m.col = row, col
	m.setWant()
	m.scroll()
	return m
}

// messages runs cmds (and the commands batched in them).
func messages(cmds ...tea.Cmd) []tea.Msg {
	var out []tea.Msg
	for _, c := range cmds {
		if c == nil {
			continue
		}
		msg := c()
		if b, ok := msg.(tea.BatchMsg); ok {
			out = append(out, messages(b...)...)
			continue
		}
		out = append(out, msg)
	}
	return out
}

// osc52 is what the messages put on the system clipboard, "" when none.
func osc52(msgs []tea.Msg) string {
	for _, m := range msgs {
		if fmt.Sprintf("%T", m) == "tea.setClipboardMsg" {
			return fmt.Sprint(m)
		}
	}
	return ""
}

func notes(msgs []tea.Msg) string {
	var out []string
	for _, m := range msgs {
		if n, ok := m.(NoteMsg); ok {
			out = append(out, n.Text)
		}
	}
	return strings.Join(out, "; ")
}

func TestSelectionByKeys(t *testing.T) {
	tests := []struct {
		name   string
		keys   []string
		sel    string // selected after the keys
		typed  string // then typed
		result string
	}{
		{"shift+right", []string{"shift+right", "shift+right", "shift+right"}, "ELE", "x", "SxCT a, b\nFROM t"},
		{"shift+end", []string{"shift+end"}, "ELECT a, b", "", ""},
		{"shift+home", []string{"end", "shift+home"}, "SELECT a, b", "", ""},
		{"over a line break", []string{"end", "shift+right", "shift+right"}, "\nF", "", ""},
		{"shift+down", []string{"shift+down"}, "ELECT a, b\nF", "", ""},
		{"word", []string{"ctrl+shift+right", "ctrl+shift+right"}, "ELECT a", "", ""},
		{"to the bottom", []string{"ctrl+shift+end"}, "ELECT a, b\nFROM t", "", ""},
		{"select all, then type", []string{"ctrl+a"}, "SELECT a, b\nFROM t", "z", "z"},
		{"backspace removes it", []string{"shift+end", "backspace"}, "", "", "S\nFROM t"},
		{"a plain move drops it, at its edge", []string{"shift+right", "shift+right", "left"}, "", "", ""},
		{"Mark: arrows extend", []string{"alt+m", "right", "right", "down"}, "ELECT a, b\nFRO", "", ""},
		{"a quote wraps the selection", []string{"shift+right", "shift+right"}, "EL", "'", "S'EL'ECT a, b\nFROM t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := withText(40, 5, "SELECT a, b\nFROM t", 0, 1)
			m, _ = keysIn(m, tt.keys...)
			if got := m.Selected(); got != tt.sel {
				t.Fatalf("after %v the selection is %q, want %q", tt.keys, got, tt.sel)
			}
			if tt.typed != "" {
				m = typeIn(m, tt.typed)
			}
			if tt.result != "" && m.Value() != tt.result {
				t.Fatalf("then the buffer is %q, want %q", m.Value(), tt.result)
			}
		})
	}
	// A plain left goes to the selection's start.
	m := withText(40, 5, "SELECT a", 0, 1)
	m, _ = keysIn(m, "shift+right", "shift+right", "left")
	if r, c := m.Cursor(); r != 0 || c != 1 || m.HasSelection() {
		t.Fatalf("left over a selection: cursor %d:%d, selection %v; want 0:1 and none", r, c, m.HasSelection())
	}
	// esc (Close) drops Mark's selection.
	m, _ = keysIn(m, "alt+m", "right")
	if !m.Overlay() || !m.HasSelection() {
		t.Fatal("Mark's selection is not on")
	}
	m.Close()
	if m.HasSelection() || m.Overlay() {
		t.Fatal("Close left Mark's selection")
	}
}

func TestCopyCutPaste(t *testing.T) {
	m := withText(40, 5, "SELECT a, b\nFROM t", 0, 7)
	m, cmds := keysIn(m, "shift+right", "shift+right", "ctrl+c")
	msgs := messages(cmds...)
	if got := osc52(msgs); got != "a," {
		t.Fatalf("copy put %q on the system clipboard, want %q", got, "a,")
	}
	if n := notes(msgs); !strings.Contains(n, "copied the selection (2 characters)") {
		t.Fatalf("copy said %q", n)
	}
	m, _ = keysIn(m, "end", "ctrl+v")
	if m.Value() != "SELECT a, ba,\nFROM t" {
		t.Fatalf("paste gives %q", m.Value())
	}
	// Cut with nothing selected cuts the line.
	m, cmds = keysIn(m, "down", "ctrl+x")
	if m.Value() != "SELECT a, ba," || osc52(messages(cmds...)) != "\nFROM t" {
		t.Fatalf("cutting the line leaves %q (clipboard %q)", m.Value(), osc52(messages(cmds...)))
	}
	// Copy with nothing selected does nothing (the root keeps ctrl+c for
	// cancel).
	if _, cmds = keysIn(m, "ctrl+c"); len(cmds) != 0 {
		t.Fatal("copy with no selection gave a command")
	}
	// The clipboard is shared by the editors given it (the tabs).
	other := newEditor(40, 5)
	other.SetClipboard(m.clip)
	other, _ = keysIn(other, "ctrl+v")
	if other.Value() != "\nFROM t" {
		t.Fatalf("another editor pastes %q", other.Value())
	}
	empty := newEditor(40, 5)
	_, cmds = keysIn(empty, "ctrl+v")
	if n := notes(messages(cmds...)); !strings.Contains(n, "terminal's paste") {
		t.Fatalf("paste with nothing copied says %q", n)
	}
}

func TestFind(t *testing.T) {
	m := withText(60, 6, "select a from t;\nSELECT b FROM u;\n-- Selected", 0, 0)
	m, _ = keysIn(m, "ctrl+f")
	m = typeIn(m, "sel")
	if !strings.Contains(ansi.Strip(m.View()), "find: sel   1 of 3 · case: off") {
		t.Fatalf("find bar:\n%s", ansi.Strip(m.View()))
	}
	if m.Selected() != "sel" {
		t.Fatalf("the first match is not selected: %q", m.Selected())
	}
	m, _ = keysIn(m, "enter", "enter")
	if r, _ := m.Cursor(); r != 2 || m.Selected() != "Sel" {
		t.Fatalf("after two nexts the cursor is on line %d with %q selected, want the third match", r+1, m.Selected())
	}
	m, _ = keysIn(m, "enter")
	if r, c := m.Cursor(); r != 0 || c != 3 {
		t.Fatalf("next after the last match: cursor %d:%d, want back at the first (wraps)", r, c)
	}
	m, _ = keysIn(m, "up")
	if r, _ := m.Cursor(); r != 2 {
		t.Fatalf("previous from the first: line %d, want the last match", r+1)
	}
	m, _ = keysIn(m, "alt+c")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "1 of 1 · case: on") {
		t.Fatalf("with case on:\n%s", v)
	}
	m = typeIn(m, "x")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "no match") {
		t.Fatalf("no match not said:\n%s", v)
	}
	m, _ = keysIn(m, "backspace", "alt+c")
	m.Close()
	if _, open := m.FindQuery(); open {
		t.Fatal("Close left the find bar open")
	}
	// Closing leaves the cursor on the match with nothing selected (a run
	// after a search runs the statement, not the word found).
	r, c := m.Cursor()
	if m.HasSelection() || r != 2 || c != 3 {
		t.Fatalf("after closing: cursor %d:%d, selection %q; want 2:3 and none", r, c, m.Selected())
	}
	m = typeIn(m, "the ")
	if !strings.HasSuffix(m.Value(), "-- the Selected") {
		t.Fatalf("typing after closing gives %q", m.Value())
	}
	// A key that is not the find bar's closes it and does its work.
	m, _ = keysIn(m, "ctrl+f", "right")
	if _, open := m.FindQuery(); open {
		t.Fatal("an arrow left the find bar open")
	}
}

func TestFindFoldsCase(t *testing.T) {
	got := findAll([]string{"Straße STRASSE ǅx", "ÉÉ éé"}, "é", false)
	if len(got) != 4 || got[0].at != (pos{1, 0}) || got[0].n != 2 {
		t.Fatalf("matches %v", got)
	}
	if got := findAll([]string{"aaaa"}, "aa", true); len(got) != 2 {
		t.Fatalf("matches overlap: %v", got)
	}
}

func TestToggleComment(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		keys     []string
		want     string
		row, col int // the cursor after
	}{
		{"the line", "SELECT 1\nFROM t", []string{"ctrl+_"}, "-- SELECT 1\nFROM t", 0, 5},
		{"ctrl+/ too", "SELECT 1", []string{"ctrl+/"}, "-- SELECT 1", 0, 5},
		{"selected lines at their common indent", "  SELECT 1\n    FROM t\n\n  WHERE x", []string{"ctrl+shift+end", "alt+;"}, "  -- SELECT 1\n  --   FROM t\n\n  -- WHERE x", 3, 12},
		{"uncomment", "-- SELECT 1\n  --FROM t", []string{"shift+down", "ctrl+_"}, "SELECT 1\n  FROM t", 1, 2},
		{"mixed lines get commented", "-- SELECT 1\nFROM t", []string{"shift+down", "ctrl+_"}, "-- -- SELECT 1\n-- FROM t", 1, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := withText(40, 5, tt.text, 0, 2)
			m, _ = keysIn(m, tt.keys...)
			if m.Value() != tt.want {
				t.Fatalf("got %q, want %q", m.Value(), tt.want)
			}
			if r, c := m.Cursor(); r != tt.row || c != tt.col {
				t.Errorf("cursor %d:%d, want %d:%d", r, c, tt.row, tt.col)
			}
			m, _ = keysIn(m, "ctrl+z")
			if m.Value() != tt.text {
				t.Errorf("undo gives %q", m.Value())
			}
		})
	}
}

func TestFormatKey(t *testing.T) {
	src := "select a, b from t where x = 1"
	m := withText(60, 8, src, 0, strings.Index(src, "t where"))
	m, _ = keysIn(m, "f9")
	want := "SELECT\n  a,\n  b\nFROM t\nWHERE x = 1"
	if m.Value() != want {
		t.Fatalf("formatted:\n%s\nwant\n%s", m.Value(), want)
	}
	if r, c := m.Cursor(); r != 3 || c != 5 {
		t.Errorf("cursor %d:%d after formatting, want on the same t (3:5)", r, c)
	}
	m, _ = keysIn(m, "ctrl+z")
	if m.Value() != src {
		t.Fatalf("undo after format: %q", m.Value())
	}
	m = withText(60, 8, "select 'open", 0, 0)
	_, cmds := keysIn(m, "alt+q")
	if n := notes(messages(cmds...)); !strings.Contains(n, "not formatted") || !strings.Contains(n, "unterminated string") {
		t.Fatalf("formatting what does not lex says %q", n)
	}
}

func TestCompletionLabelsViewsAndTabulatorTables(t *testing.T) {
	l := engine.Listing{Catalogs: []engine.ListedCatalog{{Name: "AwsDataCatalog", Databases: []engine.ListedDatabase{{
		Name: "sales", Tables: []engine.ListedTable{
			{Name: "orders", Kind: engine.KindTable},
			{Name: "orders_view", Kind: engine.KindView},
		}}}}, {Name: "quilt-x-tabulator", Databases: []engine.ListedDatabase{{Name: "bucket", Tables: []engine.ListedTable{
		{Name: "reads", Kind: engine.KindTabulator}}}}}}}
	m := newEditor(60, 8)
	m.SetIndex(NewIndex(l, "AwsDataCatalog", "sales"))
	m = typeIn(m, "select * from sales.")
	labels := map[string]string{}
	for _, it := range m.comp.items {
		labels[it.text] = it.detail
	}
	if labels["orders"] != "table" || labels["orders_view"] != "view" {
		t.Fatalf("labels %v, want orders a table and orders_view a view", labels)
	}
	m = typeIn(m, " rea")
	labels = map[string]string{}
	for _, it := range m.comp.items {
		labels[it.text] = it.detail
	}
	if labels["reads"] != "tabulator table" {
		t.Fatalf("labels %v, want reads a tabulator table", labels)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "tabulator table") {
		t.Fatalf("the popup does not show the label:\n%s", v)
	}
}

func TestExternalEditorCommand(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	tests := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"VISUAL": "nano -w", "EDITOR": "ed"}, "nano -w"},
		{map[string]string{"EDITOR": "ed"}, "ed"},
		{map[string]string{}, "vi"},
	}
	for _, tt := range tests {
		name, cmd := ExternalCommand(env(tt.vars), "/tmp/x.sql")
		if name != tt.want || cmd.Args[len(cmd.Args)-1] != "/tmp/x.sql" || !strings.Contains(strings.Join(cmd.Args, " "), tt.want) {
			t.Errorf("env %v: editor %q, args %q; want %q on the file", tt.vars, name, cmd.Args, tt.want)
		}
	}
}

// The editor session itself: a script stands for the editor, run as
// tea.ExecProcess would run it; what it saves replaces the buffer when it
// exits 0, the buffer is kept otherwise, the file is 0600 and removed.
func TestExternalEditorSession(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "ed.sh")
	perms := filepath.Join(dir, "perms")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nstat -c %a \"$1\" > "+perms+"\nprintf 'SELECT 2\\r\\n\\tFROM t\\n' > \"$1\"\nexit ${ED_EXIT:-0}\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, exit := range []string{"0", "3"} {
		m := withText(40, 5, "SELECT 1", 0, 3)
		m.SetID(7)
		m.SetEnv(func(k string) string { return map[string]string{"EDITOR": script}[k] })
		path := filepath.Join(dir, "buf-"+exit+".sql")
		if err := os.WriteFile(path, []byte(m.Value()+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		name, cmd := ExternalCommand(m.getenv, path)
		cmd.Env = append(os.Environ(), "ED_EXIT="+exit)
		msg := FinishExternal(m.ID(), name, path, cmd.Run())
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("exit %s: the file is still there (%v)", exit, err)
		}
		if b, _ := os.ReadFile(perms); strings.TrimSpace(string(b)) != "600" {
			t.Errorf("the editor saw the file with mode %q, want 600", b)
		}
		m, cmdOut := m.Update(msg)
		n := notes(messages(cmdOut))
		if exit == "0" {
			if m.Value() != "SELECT 2\n  FROM t" || !strings.Contains(n, "editor's text") {
				t.Fatalf("after the editor exited 0 the buffer is %q (%s)", m.Value(), n)
			}
			m, _ = keysIn(m, "ctrl+z")
			if m.Value() != "SELECT 1" {
				t.Fatalf("undo after the editor: %q", m.Value())
			}
		} else if m.Value() != "SELECT 1" || !strings.Contains(n, "exited with status 3: the buffer is unchanged") {
			t.Fatalf("after the editor exited 3 the buffer is %q (%s)", m.Value(), n)
		}
	}
	// A message for another buffer is not this one's.
	m := withText(40, 5, "SELECT 1", 0, 0)
	m.SetID(1)
	m, _ = m.Update(ExternalEditedMsg{ID: 2, Text: "other"})
	if m.Value() != "SELECT 1" {
		t.Fatal("a message for buffer 2 changed buffer 1")
	}
}

func TestMouseSelects(t *testing.T) {
	m := withText(40, 3, "SELECT a\nFROM t\nWHERE x\nLIMIT 1", 0, 0)
	m.Click(gutter+2, 0)
	m.Drag(gutter+3, 1)
	m.Release()
	if got := m.Selected(); got != "LECT a\nFRO" {
		t.Fatalf("click and drag selects %q", got)
	}
	m.Drag(gutter, 2)
	if got := m.Selected(); got != "LECT a\nFRO" {
		t.Fatal("a drag after the release changed the selection")
	}
	// A drag below the pane scrolls and selects on.
	m.Click(gutter, 0)
	m.Drag(gutter+1, 5)
	m.Drag(gutter+1, 5)
	if m.top == 0 || !strings.HasPrefix(m.Selected(), "SELECT a\nFROM t\nWHERE x\n") {
		t.Fatalf("dragging past the bottom: top %d, selection %q", m.top, m.Selected())
	}
}

// marked is the view with the selection «», find matches ‹› (the
// current one ⟪⟫), the error ⟦⟧ and the cursor | shown as text.
func marked(m Model) string {
	p := *m.p
	m.p = &p
	m.p.table[dSel] = paint{"«", "»"}
	m.p.table[dMatch] = paint{"‹", "›"}
	m.p.table[dCurMatch] = paint{"⟪", "⟫"}
	m.p.table[dErr] = paint{"⟦", "⟧"}
	m.p.cursor = paint{"|", ""}
	return ansi.Strip(m.View())
}

func TestViewsGolden(t *testing.T) {
	m := withText(40, 5, "SELECT a,\n  b\nFROM t", 0, 7)
	m, _ = keysIn(m, "shift+down", "shift+right")
	golden.Check(t, "selection-40x5.txt", marked(m))

	m = withText(50, 5, "select a from t;\nSELECT b FROM u;\n-- Selected", 0, 0)
	m, _ = keysIn(m, "ctrl+f")
	m = typeIn(m, "sel")
	m, _ = keysIn(m, "enter")
	golden.Check(t, "find-50x5.txt", marked(m))

	m = withText(50, 6, "SELECT 1;\n\n  SELECT a,\n    b FORM t;\nSELECT 3", 4, 3)
	stmts := m.Statements()
	m.MarkError(stmts[1].Span, 2, 7, "mismatched input 'FORM'. Expecting: ',', 'FROM'")
	golden.Check(t, "error-50x6.txt", marked(m))

	m = withText(40, 5, "SELECT 1;\nSELECT a,\n  b FROM t;\nSELECT 3", 3, 0)
	m.SetRunning(m.Statements()[1].Span)
	golden.Check(t, "running-40x5.txt", marked(m))
}

// When the text shrinks (an undo of a format, a cut), the view shows as
// much of it as fits rather than leaving lines above scrolled off over
// an empty screen: after undoing a format, the whole query is in view.
func TestShrinkingTextScrollsBack(t *testing.T) {
	src := "select a,\nb, c, d, e, f\nfrom t"
	m := withText(40, 4, src, 2, len("from t"))
	m, _ = keysIn(m, "f9")
	if strings.Count(m.Value(), "\n") < 5 {
		t.Fatalf("formatted into %q: too few lines to scroll", m.Value())
	}
	m, _ = keysIn(m, "ctrl+z")
	if m.Value() != src {
		t.Fatalf("undo gave %q", m.Value())
	}
	view := ansi.Strip(m.View())
	for _, line := range strings.Split(src, "\n") {
		if !strings.Contains(view, line) {
			t.Errorf("after undo the view lacks %q although the 3 lines fit in 4:\n%s", line, view)
		}
	}
}
