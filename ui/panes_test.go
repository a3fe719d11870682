package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/internal/golden"
	"github.com/quiltq/quiltq/ui/keys"
)

// analyst is the listing of the sandbox's analyst, who may list no
// database: two catalogs, each refused.
func analyst() *engine.Listing {
	return &engine.Listing{
		Catalogs: []engine.ListedCatalog{{Name: "AwsDataCatalog", Type: "GLUE"}, {Name: "quilt-sales-prod-tabulator", Type: "LAMBDA"}},
		Errors: []engine.ListError{
			{Item: "AwsDataCatalog", Action: "glue:GetDatabases", Kind: engine.Denied, Message: "MetadataException: User: arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst is not authorized to perform: glue:GetDatabases on resource: arn:aws:glue:us-east-1:123456789012:catalog because no identity-based policy allows the glue:GetDatabases action"},
			{Item: "quilt-sales-prod-tabulator", Action: "lambda:InvokeFunction", Kind: engine.Denied, Message: "MetadataException: User: arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:quilt-sales-prod-tabulator because no identity-based policy allows the lambda:InvokeFunction action"},
		},
	}
}

// The analyst's tree is empty because listing is refused: it says so;
// enter on a refusal opens its explanation; d runs the doctor, whose
// report is in the explanation panel; F8 with no query refused lists the
// tree's refusals, and enter explains the one picked.
func TestRefusedTreeExplainsAndOffersTheDoctor(t *testing.T) {
	m := model(&scriptEngine{}, 80, 24, func(c *Config) { c.Listing = analyst() })
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyF2})
	golden.Check(t, "analyst-tree-80x24.txt", ansi.Strip(m.Render()))

	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyDown}) // the first refusal
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	v := ansi.Strip(strings.Join(m.explain.Lines(), "\n"))
	if m.focus != focusExplain || !strings.Contains(v, "listing AwsDataCatalog (glue:GetDatabases)") || !strings.Contains(m.Fix(), "glue:GetDatabases") {
		t.Fatalf("enter on the refusal: focus %d, fix %q\n%s", m.focus, m.Fix(), v)
	}
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyEscape}) // back to the list of the tree's refusals
	if v := ansi.Strip(strings.Join(m.explain.Lines(), "\n")); !strings.Contains(v, "2 items of the catalog tree could not be listed") {
		t.Fatalf("esc over the tree refusal:\n%s", v)
	}
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyDown})
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	if v := ansi.Strip(strings.Join(m.explain.Lines(), "\n")); !strings.Contains(v, "listing quilt-sales-prod-tabulator (lambda:InvokeFunction)") {
		t.Fatalf("enter on the second refusal in the list:\n%s", v)
	}

	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyF2})
	m = drive(t, m, tea.KeyPressMsg{Code: 'd', Text: "d"})
	if v := ansi.Strip(m.Render()); m.focus != focusExplain || !strings.Contains(v, "identity  ok") {
		t.Fatalf("d in the tree: focus %d\n%s", m.focus, v)
	}

	// F8 in a fresh workbench: the tree's refusals, not "Nothing refused".
	f := model(&scriptEngine{}, 80, 24, func(c *Config) { c.Listing = analyst() })
	f = drive(t, f, tea.KeyPressMsg{Code: tea.KeyF8})
	if v := ansi.Strip(f.Render()); strings.Contains(v, "Nothing refused") || !strings.Contains(v, "✗ AwsDataCatalog: glue:GetDatabases refused") {
		t.Fatalf("F8 with the tree's refusals:\n%s", v)
	}
}

// Applying a statement lists the catalog anew: the role changed.
func TestAppliedFixListsTheCatalogAgain(t *testing.T) {
	m := model(&scriptEngine{}, 80, 24, func(c *Config) { c.Listing = analyst() })
	mm, cmd := m.Update(FixAppliedMsg{Note: "added policy quiltq-fix-1"})
	m = mm.(Model)
	if cmd == nil {
		t.Fatal("an applied fix did not list the catalog again")
	}
	if _, ok := cmd().(CatalogMsg); !ok {
		t.Fatal("the command after an applied fix is not a listing")
	}
}

// The catalog pane is resized with its keys and by dragging its border,
// and keeps its width for the next run.
func TestCatalogWidthIsResizedAndKept(t *testing.T) {
	file := filepath.Join(t.TempDir(), "workbench.json")
	withFile := func(c *Config) { c.LayoutFile = file; c.Mouse = true }
	m := model(&scriptEngine{}, 100, 30, withFile)
	if got := m.geometry().catW; got != 25 {
		t.Fatalf("default width %d, want 25 (a quarter of 100)", got)
	}
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyF2})
	m = drive(t, m, tea.KeyPressMsg{Code: '>', Text: ">"})
	m = drive(t, m, tea.KeyPressMsg{Code: '>', Text: ">"})
	if got := m.geometry().catW; got != 33 {
		t.Fatalf("after > >: width %d, want 33", got)
	}
	if got := model(&scriptEngine{}, 100, 30, withFile).geometry().catW; got != 33 {
		t.Fatalf("a new workbench starts %d wide, want the kept 33", got)
	}
	// Drag the border (the catalog's right edge, x 32) to x 49.
	m = drive(t, m, tea.MouseClickMsg{X: 32, Y: 5, Button: tea.MouseLeft})
	m = drive(t, m, tea.MouseMotionMsg{X: 40, Y: 5, Button: tea.MouseLeft})
	m = drive(t, m, tea.MouseMotionMsg{X: 49, Y: 6, Button: tea.MouseLeft})
	m = drive(t, m, tea.MouseReleaseMsg{X: 49, Y: 6, Button: tea.MouseLeft})
	if got := m.geometry().catW; got != 50 {
		t.Fatalf("after the drag: width %d, want 50", got)
	}
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), `"catalog_width":50`) {
		t.Fatalf("kept %q (%v), want width 50", b, err)
	}
	// The screen bounds win: never so wide that the editor is squeezed.
	m = drive(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if g := m.geometry(); g.catW != 40 || g.rightW != 40 {
		t.Fatalf("at 80 columns: catalog %d, right %d; want 40 and 40", g.catW, g.rightW)
	}
	lines := strings.Split(ansi.Strip(m.Render()), "\n")
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %d is %d wide", i, w)
		}
	}
}

// tab and shift+tab go round the panes outside the editor: catalog,
// editor, results; shift+tab leaves the editor too, whose tab indents.
func TestTabGoesRoundThePanes(t *testing.T) {
	m := model(&scriptEngine{}, 100, 30, nil)
	tab, back := tea.KeyPressMsg{Code: tea.KeyTab}, tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	steps := []struct {
		k    tea.KeyPressMsg
		want focus
	}{
		{back, focusCatalog}, {tab, focusEditor}, {tab, focusEditor}, // tab in the editor indents
		{back, focusCatalog}, {back, focusResults}, {tab, focusCatalog}, {tab, focusEditor},
	}
	for i, s := range steps {
		m = drive(t, m, s.k)
		if m.focus != s.want {
			t.Fatalf("step %d (%s): focus %d, want %d", i, s.k, m.focus, s.want)
		}
	}
}

// The footer names the focused pane's keys, from the keymap: remapped
// keys show remapped; while a query runs, cancel comes first; a question
// replaces it.
func TestFooter(t *testing.T) {
	km := keys.Default()
	if err := km.Remap(map[string][]string{"global.run": {"f9"}}); err != nil {
		t.Fatal(err)
	}
	m := model(&scriptEngine{}, 100, 30, func(c *Config) { c.Keys = km; c.Listing = analyst() })
	var b strings.Builder
	for _, f := range []tea.KeyPressMsg{{Code: tea.KeyF3}, {Code: tea.KeyF2}, {Code: tea.KeyF4}, {Code: tea.KeyF8}, {Code: tea.KeyF7}} {
		m = drive(t, m, f)
		b.WriteString(ansi.Strip(m.footer()) + "\n")
		m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyF3})
	}
	m.r.phase = waiting
	b.WriteString(ansi.Strip(m.footer()) + "\n")
	m.confirm = &pendingRun{stmts: []statement{{sql: "SELECT 2"}}}
	b.WriteString(ansi.Strip(m.footer()) + "\n")
	// The guards' questions: a destructive statement, then a ? value.
	m.confirm, m.r.phase, m.r.of = nil, idle, 1
	m.ask = &guardAsk{change: "drops table sales.orders", params: 1}
	b.WriteString(ansi.Strip(m.footer()) + "\n")
	m.ask.change = ""
	m.ask.next()
	m.ask.input.SetValue("'us-east'")
	b.WriteString(ansi.Strip(m.footer()) + "\n")
	got := b.String()
	golden.Check(t, "footers-100.txt", got)
	if !strings.HasPrefix(got, " f9 run") {
		t.Errorf("the editor's footer does not show the remapped run key:\n%s", got)
	}
}

// The footer under the explanation offers only the keys that do
// something there: the statement's copy and apply when there is a
// statement, the refusal's copy when there is none (a table whose
// configuration does not parse is not a refusal, and has no statement),
// and the pick while the tree's refusals are listed. Over that list, esc
// goes back to it, and the footer says so.
func TestExplainFooterOffersWhatWorks(t *testing.T) {
	l := analyst()
	l.Errors = append(l.Errors, engine.ListError{Item: "quilt-sales-prod-tabulator.b.shipments_tsv", Action: "tabulator:config", Kind: engine.Other,
		Message: `the table's configuration does not parse: line 11: parser.format: "tsv" is not a format`})
	m := model(&scriptEngine{}, 120, 30, func(c *Config) { c.Listing = l })
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyF8})
	tests := []struct {
		name      string
		want, not []string
	}{
		{"the tree's refusals listed", []string{"enter explain", "d doctor", "esc close"}, []string{"copy statement", "apply"}},
		{"a refusal with its statement", []string{"y copy statement", "a apply (sandbox)", "d doctor", "esc back"}, []string{"enter explain", "esc close"}},
		{"a failure without a statement", []string{"y copy refusal", "d doctor", "esc back"}, []string{"copy statement", "apply", "esc close"}},
	}
	for i, tt := range tests {
		switch i {
		case 1:
			m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyEnter}) // the first: glue:GetDatabases refused
		case 2:
			m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyEscape})
			m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyDown})
			m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyDown})
			m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
			if m.Fix() != "" {
				t.Fatalf("the configuration error has a statement %q", m.Fix())
			}
		}
		f := ansi.Strip(m.footer())
		for _, w := range tt.want {
			if !strings.Contains(f, w) {
				t.Errorf("%s: footer %q lacks %q", tt.name, f, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(f, n) {
				t.Errorf("%s: footer %q offers %q, which does nothing there", tt.name, f, n)
			}
		}
	}
}

// While the editor's tab bar asks (close a tab holding text? its new
// name?), the keys go to the question: the footer names its answers, not
// run and the panes, which do nothing then.
func TestFooterUnderTheTabBarsQuestion(t *testing.T) {
	m := model(&scriptEngine{}, 120, 30, nil)
	m.editor.SetValue("SELECT 1")
	m, _ = do(m, ctrlW)
	if f := ansi.Strip(m.footer()); strings.Contains(f, "run") || !strings.Contains(f, "y close") || !strings.Contains(f, "n keep") {
		t.Errorf("footer while closing a tab asks: %q", f)
	}
	m, _ = do(m, tea.KeyPressMsg{Code: 'n', Text: "n"}, tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl})
	if f := ansi.Strip(m.footer()); strings.Contains(f, "run") || !strings.Contains(f, "enter rename") || !strings.Contains(f, "esc keep") {
		t.Errorf("footer while renaming a tab: %q", f)
	}
	m, _ = do(m, tea.KeyPressMsg{Code: tea.KeyEscape})
	if f := ansi.Strip(m.footer()); !strings.Contains(f, "run") {
		t.Errorf("footer after the question: %q", f)
	}
}

// At a small terminal a pane's title is cut to the pane's width with an
// ellipsis, on one line: it never wraps, so the grid stays in view below
// it. At 40x10 the results pane holds its title and one line (the grid's
// header); at 40x11 one more, the grid's first row.
func TestPaneTitleIsCutNeverWrapped(t *testing.T) {
	const id = "3f1c0a52-0000-4000-8000-000000000000"
	for _, tc := range []struct {
		h    int
		want string // the grid's line that must be in view under the title
	}{
		{10, "v"},
		{11, "first-row"},
	} {
		m := model(&scriptEngine{}, 40, tc.h, nil)
		m.results.Reset(id, []engine.Column{{Name: "v", Type: "varchar"}})
		m.results.Append([]engine.Row{{{Text: "first-row"}}, {{Text: "second-row"}}})
		m.results.Finish(nil)
		m.setFocus(focusResults)
		screen := ansi.Strip(m.Render())
		lines := strings.Split(screen, "\n")
		if len(lines) != tc.h {
			t.Fatalf("at 40x%d the screen has %d lines:\n%s", tc.h, len(lines), screen)
		}
		title := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "Results") })
		if title < 0 || title+2 >= len(lines) {
			t.Fatalf("at 40x%d no Results title with lines under it:\n%s", tc.h, screen)
		}
		if l := lines[title]; !strings.Contains(l, "…") || strings.Contains(l, id) || ansi.StringWidth(l) > 40 {
			t.Errorf("at 40x%d the title line %q is not cut with … to 40 columns", tc.h, l)
		}
		// One title line: what follows it is the grid, none of the title.
		if next := lines[title+1]; strings.Contains(next, id[len(id)-8:]) {
			t.Errorf("at 40x%d the title wrapped onto the next line:\n%s", tc.h, screen)
		}
		var grid []string
		for _, l := range lines[title+1:] {
			grid = append(grid, strings.TrimSpace(strings.Trim(l, "┃│ ")))
		}
		if !slices.Contains(grid, tc.want) {
			t.Errorf("at 40x%d the grid's %q is not in view under the title:\n%s", tc.h, tc.want, screen)
		}
	}
}
