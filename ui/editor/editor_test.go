package editor

import (
	"fmt"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/ui/internal/golden"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

var named = map[string]tea.KeyPressMsg{
	"enter":      {Code: tea.KeyEnter},
	"backspace":  {Code: tea.KeyBackspace},
	"tab":        {Code: tea.KeyTab},
	"left":       {Code: tea.KeyLeft},
	"ctrl+z":     {Code: 'z', Mod: tea.ModCtrl},
	"ctrl+y":     {Code: 'y', Mod: tea.ModCtrl},
	"ctrl+space": {Code: tea.KeySpace, Mod: tea.ModCtrl},
}

// typeIn sends each key: a name from named, else each rune typed.
func typeIn(m Model, ks ...string) Model {
	for _, k := range ks {
		if msg, ok := named[k]; ok {
			m, _ = m.Update(msg)
			continue
		}
		for _, r := range k {
			m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
	}
	return m
}

func newEditor(w, h int) Model {
	m := New(keys.Default().Editor, theme.New(theme.Options{NoColor: true}))
	m.SetSize(w, h)
	m.Focus()
	return m
}

func TestPairsBracketsAndQuotes(t *testing.T) {
	tests := []struct {
		keys []string
		want string
	}{
		{[]string{"count("}, "count()"},
		{[]string{"count(x)"}, "count(x)"},
		{[]string{"where a = 'b'"}, "where a = 'b'"},
		{[]string{"don't"}, "don't"},
		{[]string{"(", "backspace"}, ""},
		{[]string{`"my-table"`}, `"my-table"`},
	}
	for _, tt := range tests {
		if got := typeIn(newEditor(40, 5), tt.keys...).Value(); got != tt.want {
			t.Errorf("typing %q gives %q, want %q", tt.keys, got, tt.want)
		}
	}
}

func TestUndoRedoAndIndent(t *testing.T) {
	m := typeIn(newEditor(40, 5), "select", " ", "x", "enter", "  from")
	if got := m.Value(); got != "select x\n  from" {
		t.Fatalf("value %q", got)
	}
	m = typeIn(m, "enter", "t")
	if got := m.Value(); got != "select x\n  from\n  t" {
		t.Fatalf("newline kept no indent: %q", got)
	}
	m = typeIn(m, "ctrl+z", "ctrl+z")
	if got := m.Value(); got != "select x\n  from" {
		t.Fatalf("after two undos %q, want the text before the newline", got)
	}
	m = typeIn(m, "ctrl+y")
	if got := m.Value(); got != "select x\n  from\n  " {
		t.Fatalf("after redo %q", got)
	}
}

// Every undo undoes something visible: a typed space joins the step
// of what was typed before it. It was a step of its own, so after typing
// "WHERE x = 1" every other ctrl+z seemed to do nothing (it removed a
// trailing space).
func TestUndoTakesSpacesWithTheWordBefore(t *testing.T) {
	m := typeIn(newEditor(40, 5), "SELECT a", "enter", "WHERE x = 1")
	want := []string{"SELECT a\nWHERE x = ", "SELECT a\nWHERE x ", "SELECT a\nWHERE ", "SELECT a\n", "SELECT a"}
	for i, w := range want {
		m = typeIn(m, "ctrl+z")
		if got := m.Value(); got != w {
			t.Fatalf("after %d undos %q, want %q", i+1, got, w)
		}
	}
	m = typeIn(m, "ctrl+y", "ctrl+y", "ctrl+y")
	if got := m.Value(); got != "SELECT a\nWHERE x " {
		t.Errorf("after three redos %q", got)
	}
}

func listing() engine.Listing {
	return engine.Listing{Catalogs: []engine.ListedCatalog{{Name: "AwsDataCatalog", Databases: []engine.ListedDatabase{{
		Name: "sales", Tables: []engine.ListedTable{
			{Name: "orders", Columns: []engine.Column{{Name: "order_id", Type: "bigint"}, {Name: "region", Type: "varchar"}}},
			{Name: "customers", Columns: []engine.Column{{Name: "customer_id", Type: "bigint"}, {Name: "Name", Type: "varchar"}}},
		}}}}}}
}

func TestCompletionIsAliasAware(t *testing.T) {
	m := newEditor(60, 8)
	m.SetIndex(NewIndex(listing(), "AwsDataCatalog", "sales"))
	m.SetValue("SELECT  FROM orders o JOIN customers AS c ON true")
	m.row, m.col = 0, len("SELECT ")
	m = typeIn(m, "c.")
	got := m.Popup()
	if len(got) != 2 || got[0] != "customer_id" || got[1] != `"Name"` {
		t.Fatalf("after c. the popup offers %q, want customers' columns", got)
	}
	m = typeIn(m, "tab")
	if !strings.HasPrefix(m.Value(), "SELECT c.customer_id FROM") {
		t.Fatalf("accepting gives %q", m.Value())
	}
	m = typeIn(m, ", o.re")
	if got := m.Popup(); len(got) != 1 || got[0] != "region" {
		t.Fatalf("after o.re the popup offers %q, want region", got)
	}
}

func TestCompletionOfKeywordsAndTables(t *testing.T) {
	m := newEditor(60, 8)
	m.SetIndex(NewIndex(listing(), "AwsDataCatalog", "sales"))
	m = typeIn(m, "sel")
	if got := m.Popup(); len(got) == 0 || got[0] != "SELECT" {
		t.Fatalf("after sel the popup offers %q, want SELECT first", got)
	}
	m = typeIn(m, "tab", " * from sales.")
	if got := m.Popup(); len(got) != 2 {
		t.Fatalf("after sales. the popup offers %q, want its two tables", got)
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{"orders": "orders", "my-bucket": `"my-bucket"`, "Name": `"Name"`, "select": `"select"`, `a"b`: `"a""b"`} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	if got := QualifiedName("quilt-x-tabulator", "bucket-1", "t", "AwsDataCatalog"); got != `"quilt-x-tabulator"."bucket-1".t` {
		t.Errorf("QualifiedName = %s", got)
	}
}

// A name from the catalog is set apart from a word, a quoted name or a
// bracket it would be glued to, and goes in as it is after a space, the
// start of a line, an opening bracket, a comma or a dot (a qualified name
// being written).
func TestInsertNameIsNotGluedToAWord(t *testing.T) {
	for _, tt := range []struct{ before, name, want string }{
		{"SELECT * FROM sales.customers", "name", "SELECT * FROM sales.customers name"},
		{"SELECT c", `"Name"`, `SELECT c "Name"`},
		{`SELECT "a"`, "b", `SELECT "a" b`},
		{"SELECT count(*)", "n", "SELECT count(*) n"},
		{"SELECT ", "name", "SELECT name"},
		{"", "sales.orders", "sales.orders"},
		{"SELECT count(", "name", "SELECT count(name"},
		{"SELECT a,", "name", "SELECT a,name"},
		{"SELECT c.", "name", "SELECT c.name"},
		{"WHERE a=", "name", "WHERE a=name"},
		{"SELECT\n", "name", "SELECT\nname"},
	} {
		m := newEditor(60, 5)
		m.SetValue(tt.before)
		m.InsertName(tt.name)
		if got := m.Value(); got != tt.want {
			t.Errorf("after %q, InsertName(%s) gives %q, want %q", tt.before, tt.name, got, tt.want)
		}
	}
	// Over a selection, the text before the selection decides.
	m := newEditor(60, 5)
	m.SetValue("SELECT x")
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyLeft, Mod: tea.ModShift})
	m.InsertName("name")
	if got := m.Value(); got != "SELECT name" {
		t.Errorf("over a selection: %q, want SELECT name", got)
	}
}

func TestViewGolden(t *testing.T) {
	m := newEditor(40, 5)
	m.SetValue("SELECT o.id, 'a''b' -- note\nFROM sales.orders o\nWHERE x > 1.5")
	golden.Check(t, "editor-40x5.txt", ansi.Strip(m.View()))
	m.SetIndex(NewIndex(listing(), "AwsDataCatalog", "sales"))
	m = typeIn(m, " AND o.")
	golden.Check(t, "editor-popup-40x5.txt", ansi.Strip(m.View()))
}

func TestHighlightMarksKinds(t *testing.T) {
	m := newEditor(40, 3)
	m.SetValue("SELECT 'x' -- c")
	k := m.highlight(0, 1)[0]
	if k[0] != kKeyword || k[7] != kString || k[11] != kComment || k[6] != kPlain {
		t.Fatalf("kinds %v", k)
	}
}

// A comment, a string or a quoted name opened far above the screen is
// still coloured as one on the lines that show, and the line that closes
// it goes back to SQL after the closing delimiter.
func TestHighlightCarriesStateFromAboveTheScreen(t *testing.T) {
	filler := strings.Repeat("SELECT 1\n", 40)
	tests := []struct {
		name, sql string
		want      byte
	}{
		{"block comment", "/* opened here\n" + filler + "still comment */ SELECT", kComment},
		{"string", "SELECT 'opened here\n" + filler + "still string' FROM", kString},
		{"quoted name", "SELECT \"opened here\n" + filler + "still name\" FROM", kIdent},
	}
	for _, tt := range tests {
		m := newEditor(60, 5)
		m.SetValue(tt.sql) // the cursor (and the screen) at the end
		if m.top < 30 {
			t.Fatalf("%s: the screen starts at line %d; the opening line must be far above it", tt.name, m.top)
		}
		last := len(m.lines) - 1
		ks := m.highlight(m.top, last+1)
		mid := ks[0] // a "SELECT 1" line inside the construct
		for i, k := range mid {
			if k != tt.want {
				t.Errorf("%s: line %d byte %d is kind %d, want %d (inside the construct)", tt.name, m.top+1, i, k, tt.want)
				break
			}
		}
		end := ks[len(ks)-1]
		line := m.lines[last]
		kw := strings.LastIndex(line, " ") + 1
		if end[0] != tt.want || end[kw] != kKeyword {
			t.Errorf("%s: closing line %q has kinds %v; want the construct up to its end, then a keyword", tt.name, line, end)
		}
	}
}

// An edit far above the screen that opens a comment recolours the lines
// on screen (the cached states are rescanned from the edited line).
func TestHighlightFollowsAnEditAbove(t *testing.T) {
	m := newEditor(60, 5)
	m.SetValue(strings.Repeat("SELECT 1\n", 40) + "SELECT 2")
	if k := m.highlight(m.top, m.top+1)[0]; k[0] != kKeyword {
		t.Fatalf("before the edit: kinds %v", k)
	}
	m.lines[3] = "/* " + m.lines[3]
	if k := m.highlight(m.top, m.top+1)[0]; k[0] != kComment {
		t.Fatalf("after opening a comment on line 4: kinds %v, want a comment", k)
	}
	m.lines[3] = m.lines[3] + " */"
	if k := m.highlight(m.top, m.top+1)[0]; k[0] != kKeyword {
		t.Fatalf("after closing it on the same line: kinds %v, want a keyword", k)
	}
}

func TestScanLineFollowsTheLexer(t *testing.T) {
	tests := []struct {
		in   lexState
		line string
		want lexState
	}{
		{inSQL, "SELECT 1 -- 'not a string", inSQL},
		{inSQL, "SELECT 'a''b' /* open", inComment},
		{inComment, "still */ 'x", inString},
		{inString, "it''s", inString},
		{inString, "end' \"name", inQuoted},
		{inQuoted, "a\"\"b\" `x", inBacktick},
		{inSQL, "/* a */ /* b */", inSQL},
	}
	for _, tt := range tests {
		if got := scanLine(tt.in, tt.line); got != tt.want {
			t.Errorf("scanLine(%d, %q) = %d, want %d", tt.in, tt.line, got, tt.want)
		}
	}
}

// BenchmarkKeystroke1000Lines is one typed character (Update and View)
// in a query of 1,000 lines. Goal: at most 5 ms.
func BenchmarkKeystroke1000Lines(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 1000; i++ {
		sb.WriteString("SELECT o.order_id, c.name, 'literal' AS l, 42 FROM sales.orders o JOIN sales.customers c ON o.id = c.id -- line\n")
	}
	m := newEditor(120, 30)
	m.SetIndex(NewIndex(listing(), "AwsDataCatalog", "sales"))
	m.SetValue(sb.String())
	m.row, m.col = 500, 10
	m.scroll()
	keys := []tea.KeyPressMsg{{Code: 'x', Text: "x"}, {Code: tea.KeyBackspace}}
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		m, _ = m.Update(keys[i%2])
		if len(m.View()) == 0 {
			b.Fatal("empty view")
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// The cached reading of the lines around the cursor gives the aliases
// reading the whole window gives, wherever the cursor is and whatever the
// lines hold (comments, strings and quoted names over line breaks, lines
// that do not lex), through edits.
func TestAliasesMatchTheWholeWindow(t *testing.T) {
	text := strings.Join([]string{
		"SELECT a FROM sales.orders o",
		"/* a comment FROM x y",
		"over lines */ JOIN customers AS c ON true",
		"WHERE s = 'a string",
		"FROM fake f' AND 1 = 1",
		`JOIN "Quoted ` + "\n" + `Name" q ON true`,
		"-- FROM commented cm",
		"LEFT JOIN db.t2 t ON x",
	}, "\n")
	m := newEditor(60, 5)
	// Longer than the window, a line that does not lex at the end: the
	// windows near the top take the cached reading, those near the end
	// the whole one.
	m.SetValue(strings.Repeat(text+"\n", 20) + "'open")
	for step := 0; step < 3; step++ {
		for r := 0; r < len(m.lines); r += 7 {
			for _, c := range []int{0, len(m.lines[r]) / 2, len(m.lines[r])} {
				m.row, m.col = r, c
				got, want := m.aliases(), aliasesOf(m.around())
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("step %d, cursor %d:%d: cached %v, whole window %v", step, r, c, got, want)
				}
			}
		}
		// An edit: the cached lines must not be taken for the new ones.
		m.row, m.col = 4+step, 0
		m = typeIn(m, "FROM z zz ")
	}
	// Lines above and below change with the cursor on the same line (an
	// undo, a paste, the formatter do that).
	m = newEditor(60, 5)
	m.SetValue("SELECT a\nFROM one o\nWHERE x\nAND y\nJOIN two t ON 1")
	m.row, m.col = 2, 0
	before := m.aliases()
	m.lines[1] = "FROM changed_above ca"
	m.lines[4] = "JOIN changed_below cb ON true"
	if got, want := m.aliases(), aliasesOf(m.around()); fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(got) == fmt.Sprint(before) {
		t.Fatalf("after lines around the cursor changed: cached %v, whole window %v", got, want)
	}
}

// Backspace in a line's leading spaces goes back to the previous indent
// stop (the width tab inserts), in one undo step; elsewhere, or after a
// non-space, it removes one character.
func TestBackspaceInIndentGoesToTheStop(t *testing.T) {
	w := len(indentUnit)
	tests := []struct {
		name    string
		text    string
		col     int
		want    string
		wantCol int
	}{
		{"two stops deep", "    from t", 2 * w, strings.Repeat(" ", w) + "from t", w},
		{"between stops", "     from t", 2*w + 1, strings.Repeat(" ", 2*w) + "from t", 2 * w},
		{"one stop", strings.Repeat(" ", w) + "x", w, "x", 0},
		{"inside the indent, not at its end", "      x", w, strings.Repeat(" ", 4) + "x", 0},
		{"after text, one space", "a    b", 5, "a   b", 4},
		{"blank line of spaces", "      ", 6, "    ", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := withText(40, 5, "select 1\n"+tt.text, 1, tt.col)
			m = typeIn(m, "backspace")
			if got := m.Value(); got != "select 1\n"+tt.want {
				t.Fatalf("backspace at col %d of %q gives %q, want %q", tt.col, tt.text, got, "select 1\n"+tt.want)
			}
			if m.col != tt.wantCol {
				t.Fatalf("cursor at col %d, want %d", m.col, tt.wantCol)
			}
			m = typeIn(m, "ctrl+z")
			if got := m.Value(); got != "select 1\n"+tt.text {
				t.Fatalf("one undo gives %q, want %q", got, "select 1\n"+tt.text)
			}
		})
	}
}

// After auto-indent, tab then backspace returns to the same indent.
func TestTabThenBackspaceUndoesTheIndent(t *testing.T) {
	m := typeIn(newEditor(40, 5), "select x", "enter", "tab", "tab", "backspace", "y")
	want := "select x\n" + indentUnit + "y"
	if got := m.Value(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
