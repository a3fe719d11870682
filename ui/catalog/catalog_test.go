package catalog

import (
	"fmt"
	"github.com/quiltq/quiltq/ui/internal/golden"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

func listing() engine.Listing {
	return engine.Listing{
		Catalogs: []engine.ListedCatalog{
			{Name: "AwsDataCatalog", Type: "GLUE", Databases: []engine.ListedDatabase{{Name: "sales", Tables: []engine.ListedTable{
				{Name: "orders", Kind: "table", Columns: []engine.Column{{Name: "order_id", Type: "bigint"}}},
				{Name: "customers", Kind: "table"},
			}}}},
			{Name: "quilt-x-tabulator", Type: "LAMBDA", Databases: []engine.ListedDatabase{}},
		},
		Errors: []engine.ListError{{Item: "quilt-x-tabulator", Action: "lambda:InvokeFunction", Kind: engine.Denied, Message: "not authorized"}},
		Hidden: 3,
	}
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

func tree() Model {
	m := New(keys.Default().Catalog, theme.New(theme.Options{NoColor: true}))
	m.SetSize(44, 9)
	m.Focus()
	m.SetListing(listing(), false, 0)
	return m
}

func TestViewShowsRefusalsAndHidden(t *testing.T) {
	m := tree()
	m, _ = m.Update(press("l")) // expand AwsDataCatalog
	m, _ = m.Update(press("down"))
	m, _ = m.Update(press("l")) // expand sales
	golden.Check(t, "tree-44x9.txt", ansi.Strip(m.View()))
}

func TestEnterInsertsAndPPreviews(t *testing.T) {
	m := tree()
	for _, k := range []string{"l", "down", "l", "down"} {
		m, _ = m.Update(press(k))
	}
	_, cmd := m.Update(press("enter"))
	if got, ok := cmd().(InsertMsg); !ok || got.Table != "orders" || got.Database != "sales" {
		t.Fatalf("enter on orders sends %#v, want InsertMsg for sales.orders", cmd())
	}
	_, cmd = m.Update(press("p"))
	if got, ok := cmd().(PreviewMsg); !ok || got.Table != "orders" {
		t.Fatalf("p on orders sends %#v, want PreviewMsg", cmd())
	}
}

func TestFilterFindsTablesInCollapsedDatabases(t *testing.T) {
	m := tree()
	m, _ = m.Update(press("/"))
	for _, r := range "cust" {
		m, _ = m.Update(press(string(r)))
	}
	found := false
	for _, n := range m.flat {
		if n.kind == nTable {
			if n.label != "customers" {
				t.Fatalf("filter cust shows table %s", n.label)
			}
			found = true
		}
	}
	if !found {
		t.Fatal("filter cust shows no table")
	}
}

// BenchmarkTenThousandTables is one cursor step in a tree with a
// database of 10,000 tables expanded.
func BenchmarkTenThousandTables(b *testing.B) {
	var ts []engine.ListedTable
	for i := 0; i < 10000; i++ {
		ts = append(ts, engine.ListedTable{Name: fmt.Sprintf("table_%05d", i), Kind: "table"})
	}
	l := engine.Listing{Catalogs: []engine.ListedCatalog{{Name: "AwsDataCatalog", Databases: []engine.ListedDatabase{{Name: "big", Tables: ts}}}}}
	m := New(keys.Default().Catalog, theme.New(theme.Options{}))
	m.SetSize(40, 50)
	m.Focus()
	m.SetListing(l, false, 0)
	m, _ = m.Update(press("l"))
	m, _ = m.Update(press("down"))
	m, _ = m.Update(press("l"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, _ = m.Update(press("down"))
		_ = m.View()
	}
}

// Two long names of one database never look alike: the tree cuts them in
// the middle, keeping the end where they differ, and shows the cursor's
// whole name under the tree.
func TestLongNamesStayDistinct(t *testing.T) {
	l := engine.Listing{Catalogs: []engine.ListedCatalog{{Name: "AwsDataCatalog", Type: "GLUE", Databases: []engine.ListedDatabase{{Name: "nextflowtower", Tables: []engine.ListedTable{
		{Name: "nextflowtower_packages_manifests", Kind: "table"},
		{Name: "nextflowtower_packages_entries", Kind: "view"},
	}}}}}}
	m := New(keys.Default().Catalog, theme.New(theme.Options{NoColor: true}))
	m.SetSize(28, 8)
	m.Focus()
	m.SetListing(l, false, 0)
	for _, k := range []string{"down", "l", "down"} {
		m, _ = m.Update(press(k))
	}
	v := ansi.Strip(m.View())
	golden.Check(t, "long-names-28x8.txt", v)
	rows := strings.Split(v, "\n")
	if rows[2] == rows[3] || !strings.Contains(v, "manifests") || !strings.Contains(v, "entries") {
		t.Fatalf("the two tables look alike:\n%s", v)
	}
	if !strings.Contains(strings.ReplaceAll(v, "\n", ""), "nextflowtower_packages_manifests") {
		t.Errorf("the cursor's whole name is not shown:\n%s", v)
	}
}

// The analyst's tree: every database listing refused. The tree says so,
// enter on a refusal asks for its explanation, d for the doctor, and the
// resize keys for a wider or narrower pane.
func TestRefusedTreeOffersExplanationAndDoctor(t *testing.T) {
	l := engine.Listing{
		Catalogs: []engine.ListedCatalog{{Name: "AwsDataCatalog", Type: "GLUE"}, {Name: "quilt-sales-prod-tabulator", Type: "LAMBDA"}},
		Errors: []engine.ListError{
			{Item: "AwsDataCatalog", Action: "glue:GetDatabases", Kind: engine.Denied, Message: "AccessDeniedException: not authorized to perform: glue:GetDatabases"},
			{Item: "quilt-sales-prod-tabulator", Action: "lambda:InvokeFunction", Kind: engine.Denied, Message: "not authorized to perform: lambda:InvokeFunction"},
		},
	}
	m := New(keys.Default().Catalog, theme.New(theme.Options{NoColor: true}))
	m.SetSize(30, 10)
	m.Focus()
	m.SetListing(l, false, 0)
	golden.Check(t, "refused-30x10.txt", ansi.Strip(m.View()))
	m, _ = m.Update(press("down")) // the first refusal
	_, cmd := m.Update(press("enter"))
	if got, ok := cmd().(ExplainMsg); !ok || got.Refusal.Action != "glue:GetDatabases" || got.Refusal.Message != l.Errors[0].Message {
		t.Fatalf("enter on the refusal sends %#v, want ExplainMsg of glue:GetDatabases", cmd())
	}
	// A click on the refusal's row (below the notice) picks it too.
	m.cursor = 0
	header := len(m.headerLines())
	if m.Click(header+1) != nil || m.cursor != 1 {
		t.Fatalf("a click on row %d put the cursor on %d, want 1", header+1, m.cursor)
	}
	if _, ok := m.Click(header + 1)().(ExplainMsg); !ok {
		t.Fatal("a second click on the refusal does not explain it")
	}
	m, _ = m.Update(press("G"))
	if m.cursor != len(m.flat)-1 {
		t.Errorf("G put the cursor on %d, want the last row %d", m.cursor, len(m.flat)-1)
	}
	m, _ = m.Update(press("g"))
	if m.cursor != 0 {
		t.Errorf("g put the cursor on %d, want 0", m.cursor)
	}
	for k, want := range map[string]tea.Msg{"d": DoctorMsg{}, ">": ResizeMsg{Delta: resizeStep}, "<": ResizeMsg{Delta: -resizeStep}} {
		if _, cmd := m.Update(press(k)); cmd == nil || cmd() != want {
			t.Errorf("%s sends %v, want %#v", k, cmd, want)
		}
	}
}
