package buffers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/ui/editor"
	"github.com/quiltq/quiltq/ui/internal/golden"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

func newTabs(st State, ok bool) (Model, editor.Model) {
	b, ed := New(keys.Default().Editor, theme.New(theme.Options{NoColor: true}), Options{}, st, ok)
	ed.Focus()
	return b, ed
}

func three() State {
	return State{Active: 1, Buffers: []Buffer{{Name: "orders", Text: "SELECT 1"}, {Name: "scratch", Text: "SELECT 2\nFROM t", Row: 1, Col: 4}, {Name: "", Text: ""}}}
}

func TestStoreRoundTripAndPrincipals(t *testing.T) {
	dir := t.TempDir()
	a := NewStore(dir, "arn:aws:sts::1:assumed-role/r/ana\x00us-east-1")
	if _, ok, err := a.Load(); ok || err != nil {
		t.Fatalf("an empty store loads %v, %v", ok, err)
	}
	if err := a.Save(1, three()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(a.Path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the file is %v (%v), want 0600", fi.Mode(), err)
	}
	if di, _ := os.Stat(dir); di.Mode().Perm()&0o077 != 0 && filepath.Dir(a.Path()) != dir {
		t.Fatalf("the directory is %v", di.Mode())
	}
	st, ok, err := a.Load()
	if !ok || err != nil || len(st.Buffers) != 3 || st.Active != 1 || st.Buffers[1].Text != "SELECT 2\nFROM t" || st.Buffers[1].Col != 4 {
		t.Fatalf("loaded %+v, %v, %v", st, ok, err)
	}
	// An older save arriving late does not go back in time.
	old := three()
	old.Buffers[0].Text = "stale"
	if err := a.Save(0, old); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := a.Load(); st.Buffers[0].Text != "SELECT 1" {
		t.Fatalf("a late older save replaced the newer: %q", st.Buffers[0].Text)
	}
	// Another principal's file is never read: not by its name, and not
	// when copied under this principal's name.
	b := NewStore(dir, "arn:aws:sts::1:assumed-role/r/bob\x00us-east-1")
	if b.Path() == a.Path() {
		t.Fatal("two principals share a file")
	}
	if _, ok, _ := b.Load(); ok {
		t.Fatal("bob reads ana's tabs")
	}
	data, _ := os.ReadFile(a.Path())
	if err := os.WriteFile(b.Path(), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if st, ok, err := b.Load(); ok || err != nil {
		t.Fatalf("ana's file copied to bob's name loads for bob: %+v %v", st, err)
	}
	// A file that does not parse is an error, not a silent start.
	if err := os.WriteFile(a.Path(), []byte("not gob"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Load(); err == nil || !strings.Contains(err.Error(), a.Path()) {
		t.Fatalf("a broken file: %v", err)
	}
}

func TestRestore(t *testing.T) {
	b, ed := newTabs(three(), true)
	if got := b.Names(); strings.Join(got, ",") != "orders,scratch,Tab 3" || b.Active() != 1 {
		t.Fatalf("names %q, active %d", got, b.Active())
	}
	if r, c := ed.Cursor(); ed.Value() != "SELECT 2\nFROM t" || r != 1 || c != 4 {
		t.Fatalf("active editor %q at %d:%d", ed.Value(), r, c)
	}
	if st := b.State(ed); st.Active != 1 || st.Buffers[0].Text != "SELECT 1" || st.Buffers[2].Name != "Tab 3" {
		t.Fatalf("state %+v", st)
	}
	b, _ = newTabs(State{}, false)
	if b.Len() != 1 || b.Names()[0] != "Tab 1" {
		t.Fatalf("nothing kept: %d tabs %q", b.Len(), b.Names())
	}
}

func keyOf(name string) tea.KeyPressMsg {
	switch name {
	case "ctrl+n":
		return tea.KeyPressMsg{Code: 'n', Mod: tea.ModCtrl}
	case "ctrl+w":
		return tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl}
	case "ctrl+k":
		return tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl}
	case "ctrl+pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp, Mod: tea.ModCtrl}
	case "ctrl+o":
		return tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

func send(t *testing.T, b Model, ed editor.Model, names ...string) (Model, editor.Model) {
	t.Helper()
	for _, n := range names {
		var ok bool
		b, ed, _, ok = b.Update(keyOf(n), ed)
		if !ok && len(n) > 1 && n != "enter" && n != "backspace" {
			t.Fatalf("the tabs did not take %s", n)
		}
		if !ok {
			ed, _ = ed.Update(keyOf(n))
		}
	}
	return b, ed
}

func TestTabKeys(t *testing.T) {
	b, ed := newTabs(three(), true)
	b, ed = send(t, b, ed, "ctrl+n")
	if b.Len() != 4 || b.Active() != 3 || ed.Value() != "" || !ed.Focused() {
		t.Fatalf("new tab: %d tabs, active %d, text %q, focused %v", b.Len(), b.Active(), ed.Value(), ed.Focused())
	}
	b, ed = send(t, b, ed, "x")
	b, ed = send(t, b, ed, "ctrl+k")
	if b.Active() != 0 || ed.Value() != "SELECT 1" {
		t.Fatalf("next after the last: active %d %q, want the first", b.Active(), ed.Value())
	}
	b, ed = send(t, b, ed, "ctrl+pgup")
	if b.Active() != 3 || ed.Value() != "x" {
		t.Fatalf("previous from the first: active %d %q, want the last with its text", b.Active(), ed.Value())
	}
	// Rename: type, backspace, enter.
	b, ed = send(t, b, ed, "ctrl+o", "backspace", "backspace", "backspace", "backspace", "backspace", "m", "y", " ", "q", "enter")
	if b.Names()[3] != "my q" {
		t.Fatalf("renamed to %q", b.Names()[3])
	}
	b, ed = send(t, b, ed, "ctrl+o", "z", "esc")
	if b.Names()[3] != "my q" || b.Prompting() {
		t.Fatalf("esc renamed to %q", b.Names()[3])
	}
	// Closing a tab with text asks; n keeps it, y closes it.
	b, ed = send(t, b, ed, "ctrl+w")
	if !b.Prompting() || !strings.Contains(ansi.Strip(b.View(100, true)), "Close “my q”? It holds text (1 line)") {
		t.Fatalf("closing a tab with text does not ask:\n%s", ansi.Strip(b.View(100, true)))
	}
	b, ed = send(t, b, ed, "n")
	if b.Len() != 4 || b.Prompting() {
		t.Fatalf("n closed the tab (%d tabs)", b.Len())
	}
	b, ed = send(t, b, ed, "ctrl+w", "y")
	if b.Len() != 3 || strings.Join(b.Names(), ",") != "orders,scratch,Tab 3" || b.Active() != 2 {
		t.Fatalf("after y: %q active %d", b.Names(), b.Active())
	}
	// An empty tab closes at once.
	b, ed = send(t, b, ed, "ctrl+w")
	if b.Len() != 2 || b.Prompting() || ed.Value() != "SELECT 2\nFROM t" {
		t.Fatalf("closing the empty tab: %d tabs, prompting %v, now %q", b.Len(), b.Prompting(), ed.Value())
	}
	// The last tab closed leaves an empty one.
	b, ed = send(t, b, ed, "ctrl+w", "y", "ctrl+w", "y")
	if b.Len() != 1 || ed.Value() != "" || !ed.Focused() {
		t.Fatalf("after closing every tab: %d tabs, %q", b.Len(), ed.Value())
	}
}

// Each tab keeps its own text, cursor and undo history.
func TestTabsKeepTheirOwnUndo(t *testing.T) {
	b, ed := newTabs(State{}, false)
	b, ed = send(t, b, ed, "a", "b", " ", "c")
	b, ed = send(t, b, ed, "ctrl+n", "z")
	b, ed = send(t, b, ed, "ctrl+k")
	ed, _ = ed.Update(tea.KeyPressMsg{Code: 'z', Mod: tea.ModCtrl})
	if ed.Value() != "ab " {
		t.Fatalf("undo in the first tab gives %q", ed.Value())
	}
	b, ed = send(t, b, ed, "ctrl+k")
	if ed.Value() != "z" {
		t.Fatalf("the second tab holds %q", ed.Value())
	}
}

func TestClickOnTheBar(t *testing.T) {
	b, ed := newTabs(three(), true)
	// "Query [orders]..." — find where "orders" is.
	bar := ansi.Strip(b.View(80, true))
	x := strings.Index(bar, "orders")
	ed = b.Click(ed, x, 80)
	if b.Active() != 0 || ed.Value() != "SELECT 1" {
		t.Fatalf("a click on orders: active %d", b.Active())
	}
	plus := strings.LastIndex(ansi.Strip(b.View(80, true)), "+")
	ed = b.Click(ed, plus, 80)
	if b.Len() != 4 || b.Active() != 3 || ed.Value() != "" {
		t.Fatalf("a click on +: %d tabs, active %d", b.Len(), b.Active())
	}
	if got := b.At(0, 80); got != HitNone {
		t.Fatalf("the title is hit %d", got)
	}
}

func TestBarGolden(t *testing.T) {
	b, ed := newTabs(three(), true)
	golden.Check(t, "bar-60.txt", ansi.Strip(b.View(60, true)))
	for i := 0; i < 8; i++ {
		ed = b.Add(ed, "query "+string(rune('a'+i)), "")
	}
	golden.Check(t, "bar-overflow-60.txt", ansi.Strip(b.View(60, true)))
	b, ed = send(t, b, ed, "ctrl+o", "!")
	golden.Check(t, "bar-rename-60.txt", ansi.Strip(b.View(60, true)))
	b, ed = send(t, b, ed, "esc")
	ed.SetValue("SELECT 1\nFROM t")
	b, _ = send(t, b, ed, "ctrl+w")
	golden.Check(t, "bar-close-90.txt", ansi.Strip(b.View(90, true)))
}
