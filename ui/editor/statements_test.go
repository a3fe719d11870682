package editor

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

// at puts the cursor at the "|" in text and removes it.
func at(text string) (string, int, int) {
	i := strings.Index(text, "|")
	before := text[:i]
	row := strings.Count(before, "\n")
	col := len(before) - (strings.LastIndex(before, "\n") + 1)
	return text[:i] + text[i+1:], row, col
}

func TestCurrent(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"inside the first", "SEL|ECT 1;\nSELECT 2;", "SELECT 1"},
		{"inside the second", "SELECT 1;\nSELECT |2;", "SELECT 2"},
		{"at the end before the semicolon", "SELECT 1|;\nSELECT 2;", "SELECT 1"},
		{"right after the semicolon", "SELECT 1;|\nSELECT 2;", "SELECT 1"},
		{"a blank line between takes the one before", "SELECT 1;\n|\nSELECT 2;", "SELECT 1"},
		{"after the last semicolon", "SELECT 1;\nSELECT 2;\n\n|", "SELECT 2"},
		{"after a trailing comment", "SELECT 1;\nSELECT 2; -- done|", "SELECT 2"},
		{"before the first", "|\n\nSELECT 1; SELECT 2", "SELECT 1"},
		{"a leading comment is the statement's", "SELECT 1;\n-- the|n\nSELECT 2", "-- then\nSELECT 2"},
		{"no semicolon", "SELECT a\nFROM |t", "SELECT a\nFROM t"},
		{"semicolon in a string", "SELECT ';' AS s|;\nSELECT 2", "SELECT ';' AS s"},
		{"empty", "  |", ""},
		{"comments only", "-- nothing| here", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, row, col := at(tt.text)
			m := withText(40, 5, text, row, col)
			got, span := m.Current()
			if got != tt.want {
				t.Fatalf("Current() = %q, want %q", got, tt.want)
			}
			if v := m.Value(); v[span.Start:span.End] != got {
				t.Fatalf("span %v holds %q, not %q", span, v[span.Start:span.End], got)
			}
		})
	}
}

func TestCurrentIsTheSelection(t *testing.T) {
	m := withText(40, 5, "SELECT 1;\nSELECT a, b FROM t;\nSELECT 3", 1, 0)
	m, _ = keysIn(m, "shift+down")
	got, span := m.Current()
	if got != "SELECT a, b FROM t" || m.Value()[span.Start:span.End] != got {
		t.Fatalf("Current() over a selection = %q (%v), want the selection trimmed of its semicolon and line break", got, span)
	}
	m = withText(40, 5, "SELECT 1;\nSELECT a, b FROM t", 1, 7)
	m, _ = keysIn(m, "shift+right", "shift+right", "shift+right", "shift+right")
	if got, _ := m.Current(); got != "a, b" {
		t.Fatalf("a selection inside a statement runs %q, want %q", got, "a, b")
	}
	// The find bar's match is not a selection to run.
	m = withText(40, 5, "SELECT 1;\nSELECT orders FROM t", 0, 0)
	m, _ = keysIn(m, "ctrl+f")
	m = typeIn(m, "orders")
	if got, _ := m.Current(); got != "SELECT orders FROM t" {
		t.Fatalf("with the find bar on a match, Current() = %q, want the statement", got)
	}
	// A selection of blanks runs the statement under the cursor.
	m = withText(40, 5, "SELECT 1;\n\n\nSELECT 2", 1, 0)
	m, _ = keysIn(m, "shift+down")
	if got, _ := m.Current(); got != "SELECT 1" {
		t.Fatalf("a blank selection runs %q", got)
	}
}

func TestStatements(t *testing.T) {
	m := withText(40, 5, "-- head\nSELECT 1;\n\nSELECT ';' -- x;\n FROM t;\n-- tail only\n;", 0, 0)
	got := m.Statements()
	want := []struct {
		sql       string
		line, col int
	}{{"-- head\nSELECT 1", 1, 1}, {"SELECT ';' -- x;\n FROM t", 4, 1}}
	if len(got) != len(want) {
		t.Fatalf("Statements() = %+v, want %d", got, len(want))
	}
	v := m.Value()
	for i, w := range want {
		if got[i].SQL != w.sql || got[i].Line != w.line || got[i].Col != w.col || v[got[i].Span.Start:got[i].Span.End] != w.sql {
			t.Errorf("statement %d = %+v, want %q at %d:%d", i, got[i], w.sql, w.line, w.col)
		}
	}
}

// The running highlight stays on its statement while the buffer is
// edited above it, inside it and below it.
func TestRunningFollowsEdits(t *testing.T) {
	m := withText(40, 8, "SELECT 1;\nSELECT a,\n  b FROM t;\nSELECT 3", 0, 0)
	span := m.Statements()[1].Span
	m.SetRunning(span)
	check := func(step, want string) {
		t.Helper()
		s, ok := m.Running()
		if !ok || m.Value()[s.Start:s.End] != want {
			t.Fatalf("%s: the running span %v holds %q, want %q", step, s, m.Value()[s.Start:min(s.End, len(m.Value()))], want)
		}
	}
	check("at first", "SELECT a,\n  b FROM t")
	m = typeIn(m, "-- new line", "enter")
	check("after a line typed above", "SELECT a,\n  b FROM t")
	m, _ = keysIn(m, "ctrl+z", "ctrl+z")
	check("after undo", "SELECT a,\n  b FROM t")
	m.row, m.col = 1, 9
	m = typeIn(m, "z")
	check("after typing inside it", "SELECT a,z\n  b FROM t")
	m.row, m.col = 3, 0
	m = typeIn(m, "x")
	check("after typing below it", "SELECT a,z\n  b FROM t")
	// A line typed at the statement's very start goes before it, as a
	// line typed above does.
	m.row, m.col = 1, 0
	m = typeIn(m, "-- at its start", "enter")
	check("after a line typed at its start", "SELECT a,z\n  b FROM t")
	m.ClearRunning()
	if _, ok := m.Running(); ok {
		t.Fatal("ClearRunning left the highlight")
	}
}

func TestMarkError(t *testing.T) {
	tests := []struct {
		name, text string
		stmt       int
		line, col  int
		wantRow    int
		wantCol    int // byte offset in the line
	}{
		{"first line of an indented statement", "SELECT 1;\n  SELEC x", 1, 1, 1, 1, 2},
		{"second line counts from its own start", "SELECT 1;\n\n  SELECT a,\n    b FORM t;", 1, 2, 7, 3, 6},
		{"columns count characters", "SELECT 'é', 'ü' FORM t", 0, 1, 17, 0, 18},
		{"a column past the line's end marks its end", "SELECT a\nFROM", 0, 1, 40, 0, 8},
		{"no position: the statement's start", "SELECT 1;  SELEC", 1, 0, 0, 0, 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := withText(80, 4, tt.text, 0, 0)
			span := m.Statements()[tt.stmt].Span
			m.MarkError(span, tt.line, tt.col, "mismatched input")
			off, msg, ok := m.Mark()
			p := m.posOf(off)
			if !ok || p.row != tt.wantRow || p.col != tt.wantCol || msg != "mismatched input" {
				t.Fatalf("mark at %d:%d (%q, %v), want %d:%d", p.row, p.col, msg, ok, tt.wantRow, tt.wantCol)
			}
			if r, c := m.Cursor(); r != tt.wantRow || c != tt.wantCol {
				t.Errorf("cursor %d:%d, want on the mark", r, c)
			}
			if v := ansi.Strip(m.View()); !strings.Contains(v, "✗ line") || !strings.Contains(v, "mismatched input") {
				t.Errorf("the view does not show the error:\n%s", v)
			}
		})
	}
	// Far down a long buffer, the mark is scrolled into view.
	long := strings.Repeat("SELECT 1;\n", 50) + "SELECT x FORM t"
	m := withText(40, 5, long, 0, 0)
	stmts := m.Statements()
	m.MarkError(stmts[len(stmts)-1].Span, 1, 10, "mismatched input 'FORM'")
	if v := marked(m); !strings.Contains(v, "  51✗SELECT x ⟦F⟧ORM t") {
		t.Fatalf("the mark is not on screen:\n%s", v)
	}
	// The next edit clears it; so does ClearMark.
	m = typeIn(m, "x")
	if _, _, ok := m.Mark(); ok {
		t.Fatal("an edit left the mark")
	}
	m.MarkError(stmts[0].Span, 1, 1, "x")
	m.ClearMark()
	if _, _, ok := m.Mark(); ok || strings.Contains(ansi.Strip(m.View()), "✗") {
		t.Fatal("ClearMark left the mark")
	}
}

// A buffer restored before the pane has a size shows its text once sized:
// the cursor far right on its line does not leave the view scrolled
// sideways past the text.
func TestRestoreBeforeSize(t *testing.T) {
	m := New(keys.Default().Editor, theme.New(theme.Options{NoColor: true}))
	m.Restore("SELECT 2 AS second_tab\nFROM t", 0, 22)
	m.SetSize(60, 4)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "1 SELECT 2 AS second_tab") {
		t.Fatalf("the restored text is not on screen:\n%s", v)
	}
}
