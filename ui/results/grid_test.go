package results

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/internal/golden"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

func keysDefault() keys.Results { return keys.Default().Results }
func themeNoColor() theme.Theme { return theme.New(theme.Options{NoColor: true}) }

// Defect 2 of issue 12: widths came from the first 500 rows, so after G
// on a table whose ids grow every id showed as "999…".
func TestWidthsFollowRowsPastTheFirst(t *testing.T) {
	m := grid(40, 6, 0)
	m.Reset("q1", []engine.Column{{Name: "id", Type: "bigint"}, {Name: "name", Type: "varchar"}})
	var rows []engine.Row
	for i := 0; i < 2000; i++ {
		rows = append(rows, engine.Row{{Text: fmt.Sprint(i * 1000)}, {Text: "x"}})
	}
	m.Append(rows)
	m.Finish(nil)
	m, _ = m.Update(press("G"))
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "1999000") || strings.Contains(v, "…") {
		t.Fatalf("after G the last id is not shown whole:\n%s", v)
	}
}

// typed is a small result with a column of each kind the grid sorts
// differently: integers, decimals, text, dates, timestamps.
var typedCols = []engine.Column{
	{Name: "id", Type: "bigint"}, {Name: "name", Type: "varchar"}, {Name: "amount", Type: "decimal(10,2)"},
	{Name: "day", Type: "date"}, {Name: "at", Type: "timestamp"},
}

func typedRows() []engine.Row {
	v := func(s string) engine.Value { return engine.Value{Text: s} }
	null := engine.Value{Null: true}
	return []engine.Row{
		{v("9"), v("delta"), v("12.50"), v("2024-06-01"), v("2024-06-01 10:00:00.000")},
		{v("10"), v("alpha"), null, v("2023-12-31"), v("2024-06-01 09:59:59.999")},
		{v("-3"), null, v("-3.00"), null, v("2024-05-31 23:00:00.000")},
		{v("9"), v("Bravo"), v("100.00"), v("2024-01-15"), null},
		{null, v("charlie"), v("2.5"), v("2024-06-02"), v("2024-06-02 00:00:00.000")},
	}
}

func typedGrid(w, h int) Model {
	m := grid(w, h, 0)
	m.Reset("q1", typedCols)
	m.Append(typedRows())
	m.Finish(nil)
	return m
}

// column is the values of column c in the order shown ("NULL" for NULL).
func column(m Model, c int) []string {
	var out []string
	for pos := 0; pos < m.Shown(); pos++ {
		v := m.rows.Cell(m.ord.at(pos), c)
		if v.Null {
			out = append(out, "NULL")
		} else {
			out = append(out, v.Text)
		}
	}
	return out
}

func hit(m Model, ks ...string) Model {
	for _, k := range ks {
		m, _ = m.Update(press(k))
	}
	return m
}

// Sorting is by type (10 after 9, dates and timestamps in time), NULLs
// last in both directions, stable (the two 9s keep their order), and o
// cycles ascending, descending, off.
func TestSortKeyCyclesAndIsTypeAware(t *testing.T) {
	tests := []struct {
		col        int
		asc, desc  string
		ascIDsTies string // the ids in ascending order, where ties show stability
	}{
		{0, "-3 9 9 10 NULL", "10 9 9 -3 NULL", "-3 9 9 10 NULL"},
		{1, "Bravo alpha charlie delta NULL", "delta charlie alpha Bravo NULL", "9 10 NULL 9 -3"},
		{2, "-3.00 2.5 12.50 100.00 NULL", "100.00 12.50 2.5 -3.00 NULL", "-3 NULL 9 9 10"},
		{3, "2023-12-31 2024-01-15 2024-06-01 2024-06-02 NULL", "2024-06-02 2024-06-01 2024-01-15 2023-12-31 NULL", "10 9 9 NULL -3"},
		{4, "2024-05-31 23:00:00.000 2024-06-01 09:59:59.999 2024-06-01 10:00:00.000 2024-06-02 00:00:00.000 NULL", "", "-3 10 9 NULL 9"},
	}
	for _, tt := range tests {
		m := typedGrid(80, 10)
		for i := 0; i < tt.col; i++ {
			m = hit(m, "right")
		}
		m = hit(m, "o")
		if got := strings.Join(column(m, tt.col), " "); got != tt.asc {
			t.Errorf("column %s ascending: %s, want %s", typedCols[tt.col].Name, got, tt.asc)
		}
		if got := strings.Join(column(m, 0), " "); got != tt.ascIDsTies {
			t.Errorf("column %s ascending, ids: %s, want %s", typedCols[tt.col].Name, got, tt.ascIDsTies)
		}
		m = hit(m, "o")
		if got := strings.Join(column(m, tt.col), " "); tt.desc != "" && got != tt.desc {
			t.Errorf("column %s descending: %s, want %s", typedCols[tt.col].Name, got, tt.desc)
		}
		m = hit(m, "o")
		if got := strings.Join(column(m, 0), " "); got != "9 10 -3 9 NULL" || m.ord.view != nil {
			t.Errorf("column %s sort off: ids %s, want the order the rows came", typedCols[tt.col].Name, got)
		}
	}
}

func TestCompareDecimalIsExact(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"9007199254740993", "9007199254740992", 1}, // equal as float64
		{"-12.50", "-12.5", 0},
		{"-0.00", "0", 0},
		{"-1", "0.5", -1},
		{"-10", "-9", -1},
		{"0012.3", "12.30", 0},
		{"12345678901234567890123456789012.3457", "12345678901234567890123456789012.3456", 1},
	}
	for _, tt := range tests {
		if got := compareDecimal(tt.a, tt.b); (got > 0) != (tt.want > 0) || (got < 0) != (tt.want < 0) {
			t.Errorf("compareDecimal(%s, %s) = %d, want sign %d", tt.a, tt.b, got, tt.want)
		}
	}
	m := grid(40, 6, 0)
	m.Reset("q", []engine.Column{{Name: "n", Type: "bigint"}})
	m.Append([]engine.Row{{{Text: "9007199254740993"}}, {{Text: "9007199254740992"}}})
	m.SortBy(0, 1)
	if got := strings.Join(column(m, 0), " "); got != "9007199254740992 9007199254740993" {
		t.Errorf("bigints past 2^53 sorted %s", got)
	}
}

// The cursor stays on its row when the order changes, and rows that
// arrive while a sort is in force are merged into it.
func TestSortKeepsCursorAndTakesNewRows(t *testing.T) {
	m := grid(80, 10, 0)
	m.Reset("q1", typedCols)
	m.Append(typedRows()[:3])
	m = hit(m, "down") // on id 10
	m = hit(m, "o")    // by id, ascending
	if v, _ := m.Cell(); v.Text != "10" {
		t.Fatalf("after sorting the cursor is on %q, want the row it was on (10)", v.Text)
	}
	m.Append(typedRows()[3:])
	if got := strings.Join(column(m, 0), " "); got != "-3 9 9 10 NULL" {
		t.Errorf("rows arriving into a sort: %s, want -3 9 9 10 NULL", got)
	}
	if got := strings.Join(column(m, 1), " "); !strings.HasPrefix(got, "NULL delta Bravo") {
		t.Errorf("ties among rows that came later keep their order: %s", got)
	}
}

// The filter keeps rows holding the text in any column (case aside) or,
// as column=value, rows whose column is the value; the footer says n of m
// rows; rows arriving later are filtered too; an empty filter clears it.
func TestFilter(t *testing.T) {
	m := typedGrid(100, 10)
	m = hit(m, "/")
	if !m.Capturing() {
		t.Fatal("/ opened no filter bar")
	}
	for _, r := range "BRAV" {
		m, _ = m.Update(press(string(r)))
	}
	m = hit(m, "enter")
	if got := strings.Join(column(m, 1), " "); got != "Bravo" {
		t.Errorf("filter BRAV: %s, want Bravo", got)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, `filter "BRAV": 1 of 5 rows`) {
		t.Errorf("footer does not say 1 of 5 rows:\n%s", v)
	}
	m.SetFilter("id=9")
	if got := strings.Join(column(m, 1), " "); got != "delta Bravo" {
		t.Errorf("filter id=9: %s, want delta Bravo", got)
	}
	m.Append([]engine.Row{{{Text: "9"}, {Text: "echo"}, {Null: true}, {Null: true}, {Null: true}}, {{Text: "8"}, {Text: "foxtrot"}, {Null: true}, {Null: true}, {Null: true}}})
	if got := strings.Join(column(m, 1), " "); got != "delta Bravo echo" {
		t.Errorf("filter id=9 on rows arriving later: %s, want delta Bravo echo", got)
	}
	m.SetFilter("2024-06")
	if got := m.Shown(); got != 3 {
		t.Errorf("filter 2024-06 (any column): %d rows, want 3", got)
	}
	m.SetFilter("nothing like it")
	if v := ansi.Strip(m.View()); m.Shown() != 0 || !strings.Contains(v, "no row matches") || !strings.Contains(v, "0 of 7 rows") {
		t.Errorf("a filter matching nothing:\n%s", v)
	}
	m = hit(m, "/")
	for m.prompt.Value() != "" {
		m, _ = m.Update(press("backspace"))
	}
	m = hit(m, "enter")
	if m.Shown() != 7 || m.ord.view != nil {
		t.Errorf("an empty filter shows %d rows, want all 7", m.Shown())
	}
}

// The grid shows NULL as NULL, so column=NULL finds the rows where the
// column is NULL (it found none: NULL cells never matched); column= (an
// empty value) still finds the empty strings, shown blank.
func TestFilterColumnIsNull(t *testing.T) {
	m := typedGrid(100, 10)
	for _, f := range []string{"amount=NULL", "amount=null", `"AMOUNT" = NULL`} {
		m.SetFilter(f)
		if got := strings.Join(column(m, 1), " "); got != "alpha" {
			t.Errorf("filter %s: %q, want alpha (the row whose amount is NULL)", f, got)
		}
	}
	m.Append([]engine.Row{{{Text: "7"}, {Text: ""}, {Text: "1"}, {Null: true}, {Null: true}}})
	m.SetFilter("name=")
	if got := strings.Join(column(m, 0), " "); got != "7" {
		t.Errorf("filter name=: ids %q, want 7 (the empty name, not the NULL one)", got)
	}
}

// Freezing keeps the first column on screen when the others scroll, with
// a bar at its edge.
func TestFreezeFirstColumn(t *testing.T) {
	m := wideGrid(30, 6)
	m = hit(m, "F", "$")
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if !strings.HasPrefix(strings.TrimLeft(lines[0], "‹0123456789 "), "c0") || !strings.Contains(lines[0], "│") || !strings.Contains(lines[0], "c11") {
		t.Fatalf("frozen first column not kept at the last column:\n%s", strings.Join(lines, "\n"))
	}
	m = hit(m, "F")
	if v := ansi.Strip(m.View()); strings.Contains(v, "│") || strings.Contains(strings.Split(v, "\n")[0], "c0 ") {
		t.Fatalf("unfrozen, the first column is still shown:\n%s", v)
	}
}

func wideGrid(w, h int) Model {
	m := grid(w, h, 0)
	var cs []engine.Column
	r := engine.Row{}
	for i := 0; i < 12; i++ {
		cs = append(cs, engine.Column{Name: fmt.Sprintf("c%d", i), Type: "varchar"})
		r = append(r, engine.Value{Text: fmt.Sprintf("v%d", i)})
	}
	m.Reset("q1", cs)
	m.Append([]engine.Row{r, r})
	m.Finish(nil)
	return m
}

// The header counts the columns hidden on either side.
func TestHiddenColumnMarkers(t *testing.T) {
	m := wideGrid(30, 6)
	head := func() string { return strings.Split(ansi.Strip(m.View()), "\n")[0] }
	if h := head(); strings.Contains(h, "‹") || !strings.HasSuffix(h, " 7›") {
		t.Errorf("at the first column the header is %q, want 7 hidden on the right only", h)
	}
	m = hit(m, "$")
	if h := head(); !strings.HasPrefix(h, "‹7 ") || strings.Contains(h, "›") {
		t.Errorf("at the last column the header is %q, want 7 hidden on the left only", h)
	}
}

// Widen and narrow change the column's width, kept for the result
// while the cursor moves; = gives it its automatic width again.
func TestResizeColumn(t *testing.T) {
	m := typedGrid(80, 8)
	m = hit(m, "right")
	auto := m.ColumnWidth(1)
	m = hit(m, ">", ">", "+")
	if got := m.ColumnWidth(1); got != auto+3*resizeStep {
		t.Errorf("widened three times: %d, want %d", got, auto+3*resizeStep)
	}
	m = hit(m, "right", "down", "left")
	if got := m.ColumnWidth(1); got != auto+3*resizeStep {
		t.Errorf("the width was not kept while moving: %d", got)
	}
	m = hit(m, "<", "-", "-", "-", "-", "-", "-")
	if got := m.ColumnWidth(1); got != 1 {
		t.Errorf("narrowed past nothing: %d, want 1", got)
	}
	if line := strings.Split(ansi.Strip(m.View()), "\n")[2]; !strings.Contains(line, " … ") && !strings.Contains(line, "…") {
		t.Errorf("a value cut by narrowing shows no marker: %q", line)
	}
	m = hit(m, "=")
	if got := m.ColumnWidth(1); got != auto {
		t.Errorf("= gave %d, want the automatic %d", got, auto)
	}
}

// A value wider than its column (past maxColWidth) ends in a marker, and
// the inspector shows it whole.
func TestWideValueIsMarkedAndInspectable(t *testing.T) {
	long := strings.Repeat("0123456789", 6)
	m := grid(80, 6, 0)
	m.Reset("q", []engine.Column{{Name: "note", Type: "varchar"}})
	m.Append([]engine.Row{{{Text: long}}})
	if line := ansi.Strip(strings.Split(m.View(), "\n")[1]); !strings.Contains(line, "…") || strings.Contains(line, long) {
		t.Errorf("a value wider than the column is shown %q, want it cut with …", line)
	}
	m = hit(m, "enter")
	if v := ansi.Strip(m.View()); !strings.Contains(strings.ReplaceAll(v, "\n", ""), long) {
		t.Errorf("the inspector does not show the value whole:\n%s", v)
	}
}

// x shows the row as a record; down scrolls on into the next row, page
// down goes a row at a time, and leaving puts the cursor on the record's
// row.
func TestRecordView(t *testing.T) {
	m := typedGrid(40, 8)
	m = hit(m, "x")
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "── row 1 of 5") || !strings.Contains(v, "amount │ 12.50") || !strings.Contains(v, "day    │ 2024-06-01") {
		t.Fatalf("record view:\n%s", v)
	}
	m = hit(m, "pgdown")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "── row 2 of 5") || !strings.Contains(v, "amount │ NULL") {
		t.Errorf("page down in the record view:\n%s", v)
	}
	for i := 0; i < 6; i++ { // past row 2's six lines
		m = hit(m, "down")
	}
	if !strings.HasPrefix(ansi.Strip(m.View()), "── row 3 of 5") {
		t.Errorf("scrolling down did not reach row 3:\n%s", ansi.Strip(m.View()))
	}
	if !m.Overlay() {
		t.Error("the record view is not an overlay the cancel key closes")
	}
	m.Close()
	if r, _ := m.Cursor(); r != 2 || m.record {
		t.Errorf("after the record view the cursor is on row %d, want 2", r)
	}
}

// The statistics line says what was scanned, the cost with Athena's
// 10 MB minimum (never $0.0000), the time and the fetch path; Reset keeps
// it for the same query only.
func TestStatsLine(t *testing.T) {
	m := grid(140, 6, 0)
	m.SetStats(Stats{QueryID: "q1", Scanned: 1536, Cost: engine.Cost(1536, 5), Elapsed: 2345e6, FetchPath: "api", Fallback: "the result file is not readable"})
	m.Reset("q1", cols)
	m.Append(sample())
	first := ansi.Strip(strings.Split(m.View(), "\n")[0])
	want := "1.5 KiB scanned · $0.000048 (10 MB minimum) · 2.3s · rows from GetQueryResults pages (the result file is not readable)"
	if strings.TrimSpace(first) != want {
		t.Errorf("stats line %q, want %q", first, want)
	}
	m.Reset("q2", cols)
	if _, ok := m.Stats(); ok {
		t.Error("another query's result kept the statistics")
	}
}

// Defect 9 of issue 12: "1 rows".
func TestOneRowIsSingular(t *testing.T) {
	m := grid(120, 6, 1)
	m.Reset("q1", cols)
	m.Append(sample()[:1])
	m.SetFilter("alpha")
	m.Finish(nil)
	v := ansi.Strip(m.View())
	if strings.Contains(v, "1 rows") || !strings.Contains(v, "1 of 1 row") {
		t.Errorf("one row is not said as one:\n%s", v)
	}
	m.Append(sample()[1:])
	if v := ansi.Strip(m.View()); !strings.Contains(v, "the result has 3 rows") {
		t.Errorf("cap note:\n%s", v)
	}
	m = hit(m, "Y")
	_, cmd := m.Update(press("Y"))
	for _, msg := range runBatch(cmd) {
		if c, ok := msg.(CopiedMsg); ok && c.What != "1 row" {
			t.Errorf("copying one row says %q", c.What)
		}
	}
}

// Numbers are right-aligned as -o table aligns them (print.Numeric
// decides), their header too; text stays left.
func TestNumbersRightAligned(t *testing.T) {
	m := typedGrid(60, 8)
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if !strings.HasPrefix(lines[0], "  id ") || !strings.HasPrefix(lines[1], "   9 delta") || !strings.HasPrefix(lines[2], "  10 alpha") {
		t.Errorf("ids not right-aligned:\n%s", strings.Join(lines[:3], "\n"))
	}
	if !strings.Contains(lines[1], "  12.50 ") || !strings.Contains(lines[2], "   NULL ") {
		t.Errorf("decimals (and their NULLs) not right-aligned:\n%s", strings.Join(lines[:3], "\n"))
	}
}

// The export prompt refuses a name whose extension says no format, and
// stays open to fix it.
func TestExportPromptChecksTheExtension(t *testing.T) {
	m := typedGrid(120, 6)
	m = hit(m, "s")
	for m.prompt.Value() != "" {
		m, _ = m.Update(press("backspace"))
	}
	for _, r := range "out.xlsx" {
		m, _ = m.Update(press(string(r)))
	}
	m, cmd := m.Update(press("enter"))
	if cmd != nil || !m.Capturing() || !strings.Contains(ansi.Strip(m.View()), ".parquet") {
		t.Fatalf("out.xlsx was accepted, or the refusal does not name the extensions:\n%s", ansi.Strip(m.View()))
	}
	for range 4 {
		m, _ = m.Update(press("backspace"))
	}
	for _, r := range "parquet" {
		m, _ = m.Update(press(string(r)))
	}
	m, cmd = m.Update(press("enter"))
	if cmd == nil || m.Capturing() {
		t.Fatal("out.parquet was not exported")
	}
	if req, ok := cmd().(ExportRequestMsg); !ok || req.Path != "out.parquet" || req.QueryID != "q1" {
		t.Errorf("export request %+v", req)
	}
}

// The footer names the most useful keys, from the keymap, as the width
// allows.
func TestFooterNamesKeys(t *testing.T) {
	m := typedGrid(160, 6)
	foot := ansi.Strip(strings.Split(m.View(), "\n")[5])
	for _, want := range []string{"enter inspect", "x record", "o sort", "/ filter", "s export"} {
		if !strings.Contains(foot, want) {
			t.Errorf("footer %q does not name %q", foot, want)
		}
	}
	narrow := typedGrid(40, 6)
	if foot := ansi.Strip(strings.Split(narrow.View(), "\n")[5]); strings.Contains(foot, "inspect") {
		t.Errorf("a narrow footer %q gives its room to keys before the cursor's place", foot)
	}
}

// TestGoldenViews keeps the grid's views at fixed sizes (testdata/,
// rewritten with -update).
func TestGoldenViews(t *testing.T) {
	bigIDs := func() Model {
		m := grid(40, 6, 0)
		m.Reset("q1", []engine.Column{{Name: "id", Type: "bigint"}, {Name: "name", Type: "varchar"}})
		var rows []engine.Row
		for i := 0; i < 2000; i++ {
			rows = append(rows, engine.Row{{Text: fmt.Sprint(i * 1000)}, {Text: "x"}})
		}
		m.Append(rows)
		m.Finish(nil)
		return m
	}
	tabs := func() Tabs {
		ts := NewTabs(keysDefault(), themeNoColor(), 0)
		ts.SetSize(60, 10)
		ts.Focus()
		ts.Reset("q0", cols)
		ts.Append(sample())
		ts.Finish(nil)
		ts.SetTitle(0, "orders")
		i := ts.Add("SELECT id, name FROM sales.customers", "SELECT id, name\nFROM sales.customers\nWHERE id < 3")
		ts.At(i).Reset("q1", cols[:2])
		ts.At(i).Append(sample())
		ts.At(i).Finish(nil)
		ts.Add("count", "SELECT count(*) FROM t")
		ts.Select(1)
		ts.ShowSQL(1, true)
		return ts
	}
	for _, tt := range []struct {
		name string
		view func() string
	}{
		{"widths-after-G-40x6", func() string { return hit(bigIDs(), "G").View() }},
		{"numbers-right-60x8", func() string { return typedGrid(60, 8).View() }},
		{"hidden-markers-30x6", func() string {
			return hit(wideGrid(30, 6), "right", "right", "right", "right", "right", "right").View()
		}},
		{"sorted-desc-60x8", func() string { return hit(typedGrid(60, 8), "right", "right", "o", "o").View() }},
		{"filtered-80x6", func() string { m := typedGrid(80, 6); m.SetFilter("2024-06"); return m.View() }},
		{"frozen-30x6", func() string { return hit(wideGrid(30, 6), "F", "$").View() }},
		{"resized-60x8", func() string { return hit(typedGrid(60, 8), "right", ">", ">", ">", "right", "<").View() }},
		{"record-40x10", func() string { return hit(typedGrid(40, 10), "down", "x").View() }},
		{"stats-90x6", func() string {
			m := grid(90, 6, 0)
			m.SetStats(Stats{QueryID: "q1", Scanned: 3 << 30, Cost: engine.Cost(3<<30, 5), Elapsed: 83 * 1e9, FetchPath: "s3"})
			m.Reset("q1", cols)
			m.Append(sample())
			m.Finish(nil)
			return m.View()
		}},
		{"tabs-60x10", func() string { return tabs().View() }},
	} {
		golden.Check(t, tt.name+".txt", ansi.Strip(tt.view()))
	}
}

// A click picks the cell under the pointer, the frozen column's too, the
// statistics line and the markers counted out.
func TestClickPicksCell(t *testing.T) {
	m := wideGrid(30, 8)
	m.SetStats(Stats{QueryID: "q1"})
	m = hit(m, "F", "$")
	sc := m.layout()
	m.Click(sc.spans[0].x, 2) // stats, header, first row
	if r, c := m.Cursor(); r != 0 || c != 0 {
		t.Errorf("click on the frozen column's first row: %d,%d", r, c)
	}
	last := sc.spans[len(sc.spans)-1]
	m.Click(last.x+1, 3)
	if r, c := m.Cursor(); r != 1 || c != last.col {
		t.Errorf("click on the last column's second row: %d,%d, want 1,%d", r, c, last.col)
	}
}

// The statistics line of a statement Athena does not bill says so
// rather than showing a cost; a billed one under 10 MB names the minimum.
func TestStatsLineBilling(t *testing.T) {
	for _, c := range []struct {
		s    Stats
		want string
	}{
		{Stats{Scanned: 1 << 20, Cost: engine.Cost(1<<20, 5), NotBilled: true}, "1.0 MiB scanned · not billed"},
		{Stats{Scanned: 1 << 20, Cost: engine.Cost(1<<20, 5)}, "1.0 MiB scanned · $0.000048 (10 MB minimum)"},
	} {
		if got := c.s.line(); got != c.want {
			t.Errorf("line %q, want %q", got, c.want)
		}
	}
}
