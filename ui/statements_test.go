package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/catalog"
	"github.com/quiltq/quiltq/ui/editor"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/results"
)

// settle sends msg and follows every reply of the commands it gives, and
// theirs, until none is left (ticks of the elapsed time aside) or steps
// rounds have passed.
func settle(t *testing.T, m Model, msg tea.Msg, steps int) Model {
	t.Helper()
	mm, cmd := m.Update(msg)
	return follow(t, mm.(Model), cmd, steps)
}

var f5 = tea.KeyPressMsg{Code: tea.KeyF5}
var shiftF5 = tea.KeyPressMsg{Code: tea.KeyF5, Mod: tea.ModShift}

// F5 runs the statement under the cursor, not the buffer; with a
// selection, the selection. A cursor on a blank line between two
// statements runs the one before it, as harlequin does.
func TestRunTakesTheStatementUnderTheCursor(t *testing.T) {
	const buf = "SELECT 1;\n\nSELECT 2\nFROM t;\n\nSELECT 3"
	for _, c := range []struct {
		name     string
		row, col int
		sel      int // shift+left presses after placing the cursor
		want     string
	}{
		{"on the first", 0, 3, 0, "SELECT 1"},
		{"on the second's last line", 3, 2, 0, "SELECT 2\nFROM t"},
		{"on the blank line after the second", 4, 0, 0, "SELECT 2\nFROM t"},
		{"at the end", 5, 8, 0, "SELECT 3"},
		{"a selection", 2, 8, 1, "2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			eng := &scriptEngine{}
			m := model(eng, 100, 30, nil)
			m.editor.Restore(buf, c.row, c.col)
			for range c.sel {
				m, _ = do(m, tea.KeyPressMsg{Code: tea.KeyLeft, Mod: tea.ModShift})
			}
			m = settle(t, m, f5, 10)
			if got := eng.sentSQL(); len(got) != 1 || got[0] != c.want {
				t.Errorf("sent %q, want [%q]", got, c.want)
			}
			if m.Running() {
				t.Error("the run never ended")
			}
			if _, on := m.editor.Running(); on {
				t.Error("the statement is still highlighted as running after its run ended")
			}
		})
	}
}

// heldEngine is an engine whose queries succeed once release is closed
// (or their context ends).
func heldEngine() (*scriptEngine, chan struct{}) {
	release := make(chan struct{})
	return &scriptEngine{wait: func(ctx context.Context, id string) (Progress, error) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return Progress{ID: id, State: "SUCCEEDED"}, nil
	}}, release
}

// The statement that runs is highlighted in the editor while it runs,
// at its place in the buffer, and the highlight goes when it ends.
func TestTheRunningStatementIsHighlighted(t *testing.T) {
	eng, release := heldEngine()
	m := model(eng, 100, 30, nil)
	const buf = "SELECT 1;\nSELECT 22;"
	m.editor.Restore(buf, 1, 3)
	mm, cmd := m.Update(f5)
	m = mm.(Model)
	if v := ansi.Strip(m.Render()); !strings.Contains(v, "The statement is running: its result comes here (esc/ctrl+c stops it).") {
		t.Errorf("the result pane does not say the statement is running:\n%s", v)
	}
	span, on := m.editor.Running()
	if want := (editor.Span{Start: 10, End: 19}); !on || span != want || buf[span.Start:span.End] != "SELECT 22" {
		t.Fatalf("running highlight %v (%v), want %v", span, on, want)
	}
	close(release)
	m = follow(t, m, cmd, 10)
	if _, on := m.editor.Running(); on || m.Running() {
		t.Errorf("after the run: highlight %v, running %v; want neither", on, m.Running())
	}
}

// follow is settle for a command already given.
func follow(t *testing.T, m Model, cmd tea.Cmd, steps int) Model {
	t.Helper()
	for i := 0; cmd != nil && i < steps; i++ {
		var cmds []tea.Cmd
		for _, r := range quick(cmd) {
			if _, tick := r.(TickMsg); tick {
				continue
			}
			mm, c := m.Update(r)
			m = mm.(Model)
			cmds = append(cmds, c)
		}
		cmd = tea.Batch(cmds...)
	}
	return m
}

// rowsOf is a stream of the one-column rows vals.
type rowsOf struct {
	vals []string
	i    int
}

func (r *rowsOf) Columns() []engine.Column { return []engine.Column{{Name: "v", Type: "varchar"}} }
func (r *rowsOf) Next() (engine.Row, error) {
	if r.i >= len(r.vals) {
		return nil, io.EOF
	}
	r.i++
	return engine.Row{{Text: r.vals[r.i-1]}}, nil
}
func (r *rowsOf) Close() error { return nil }

// shift+F5 runs every statement in order, each result in its own tab,
// the statement's SQL as its title.
func TestRunAllGivesEachStatementItsTab(t *testing.T) {
	eng := &scriptEngine{}
	eng.open = func(_ context.Context, id string) (results.Rows, error) {
		return &rowsOf{vals: []string{"row of " + id}}, nil
	}
	m := model(eng, 100, 30, nil)
	m.editor.Restore("SELECT 'a';\n-- between\nSELECT 'b';\n", 0, 0)
	m = settle(t, m, shiftF5, 30)
	// A statement keeps the comment above it (Athena takes comments).
	if got := eng.sentSQL(); len(got) != 2 || got[0] != "SELECT 'a'" || got[1] != "-- between\nSELECT 'b'" {
		t.Fatalf("sent %q, want both statements in order", got)
	}
	if n := m.results.Len(); n != 2 {
		t.Fatalf("%d result tabs, want 2", n)
	}
	for i, id := range []string{"q1", "q2"} {
		g := m.results.At(i)
		if g.QueryID() != id || g.Total() != 1 {
			t.Errorf("tab %d holds query %q with %d rows, want %s with 1", i, g.QueryID(), g.Total(), id)
		}
		if want := fmt.Sprintf("SELECT '%c'", 'a'+i); m.results.Title(i) != want {
			t.Errorf("tab %d is titled %q", i, m.results.Title(i))
		}
	}
	if v := ansi.Strip(m.Render()); m.results.Active() != 1 || !strings.Contains(v, "row of q2") || !strings.Contains(v, " 1 SELECT 'a' × │[2 SELECT 'b' ×]") {
		t.Errorf("the last statement's tab is not the one shown:\n%s", ansi.Strip(m.Render()))
	}
	if _, on := m.editor.Running(); on || m.Running() {
		t.Error("the run all never ended")
	}
	if note := m.status.Query().Note; note != "ran all 2 statements, each in its result tab" {
		t.Errorf("status note %q at the end of the run all", note)
	}
}

// A reply that arrives late, for a statement of the run before, never
// lands in another statement's tab: rows are routed by run and query ID.
func TestALateReplyLandsInNoOtherTab(t *testing.T) {
	eng := &scriptEngine{}
	eng.open = func(_ context.Context, id string) (results.Rows, error) {
		return &rowsOf{vals: []string{"row of " + id}}, nil
	}
	m := model(eng, 100, 30, nil)
	m.editor.Restore("SELECT 'a';\nSELECT 'b';", 0, 0)
	m = settle(t, m, shiftF5, 30)
	before := m.results.At(1).Total()
	stale := FetchedMsg{Run: m.r.id - 1, Rows: results.RowsMsg{QueryID: "q1", Rows: []engine.Row{{{Text: "late"}}}}}
	m, _ = do(m, stale)
	stale = FetchedMsg{Run: m.r.id, Rows: results.RowsMsg{QueryID: "q1", Rows: []engine.Row{{{Text: "late"}}}}}
	m, _ = do(m, stale)
	if m.results.At(0).Total() != 1 || m.results.At(1).Total() != before {
		t.Errorf("a late batch changed the tabs: %d and %d rows", m.results.At(0).Total(), m.results.At(1).Total())
	}
}

// The status line's query part is of the result tab shown: after a run
// all whose second statement failed, the first tab shows its own
// SUCCEEDED with its scan, cost and rows, saying which tab; back on the
// failed one, FAILED again.
func TestStatusFollowsTheResultTabShown(t *testing.T) {
	eng := &scriptEngine{wait: func(_ context.Context, id string) (Progress, error) {
		if id == "q2" {
			return Progress{ID: id, State: "FAILED", Scanned: 0}, &engine.Error{Op: "query", Kind: engine.Failed, Err: errors.New("HIVE_BAD_DATA: bad")}
		}
		return Progress{ID: id, State: "SUCCEEDED", Scanned: 3 << 20, Cost: engine.Cost(3<<20, 5), StatementType: "DML"}, nil
	}}
	m := model(eng, 140, 30, nil)
	m.editor.Restore("SELECT 1;\nSELECT broken;", 0, 0)
	m = settle(t, m, shiftF5, 30)
	if line := ansi.Strip(m.statusLine()); !strings.Contains(line, "FAILED") {
		t.Fatalf("after the run: status %q, want FAILED (the failed statement's tab is shown)", line)
	}
	m, _ = do(m, tea.KeyPressMsg{Code: tea.KeyF4}, tea.KeyPressMsg{Code: '[', Text: "["})
	if m.results.Active() != 0 {
		t.Fatalf("[ did not show the first result tab (tab %d shown)", m.results.Active())
	}
	line := ansi.Strip(m.statusLine())
	for _, want := range []string{"SUCCEEDED", "3.0 MiB scanned", "3 rows", "result tab 1 of 2"} {
		if !strings.Contains(line, want) {
			t.Errorf("on the first tab: status %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "FAILED") || strings.Contains(line, "stopped at statement 2") {
		t.Errorf("on the first tab: status %q still says the failed run", line)
	}
	m, _ = do(m, tea.KeyPressMsg{Code: ']', Text: "]"})
	if line := ansi.Strip(m.statusLine()); !strings.Contains(line, "FAILED") || strings.Contains(line, "SUCCEEDED") {
		t.Errorf("back on the failed tab: status %q, want FAILED", line)
	}
}

// A statement of a run all that fails stops it there: the status line
// says which statement (its number and line) and how many were not run.
// A refusal of the local check does the same.
func TestRunAllStopsAtTheFailingStatement(t *testing.T) {
	const buf = "SELECT 1;\nSELECT broken;\nSELECT 3;"
	t.Run("failed on Athena", func(t *testing.T) {
		eng := &scriptEngine{wait: func(_ context.Context, id string) (Progress, error) {
			if id == "q2" {
				return Progress{ID: id, State: "FAILED"}, &engine.Error{Op: "query", Kind: engine.Failed, Err: errors.New("HIVE_BAD_DATA: bad")}
			}
			return Progress{ID: id, State: "SUCCEEDED"}, nil
		}}
		m := model(eng, 120, 30, nil)
		m.editor.Restore(buf, 0, 0)
		m = settle(t, m, shiftF5, 30)
		if got := eng.sentSQL(); len(got) != 2 {
			t.Fatalf("sent %q, want the first two only", got)
		}
		if note := m.status.Query().Note; !strings.Contains(note, "run all stopped at statement 2 of 3 (line 2)") || !strings.Contains(note, "1 not run") {
			t.Errorf("status note %q does not say which statement stopped the run", note)
		}
	})
	t.Run("the last one", func(t *testing.T) {
		eng := &scriptEngine{wait: func(_ context.Context, id string) (Progress, error) {
			if id == "q3" {
				return Progress{ID: id, State: "FAILED"}, &engine.Error{Op: "query", Kind: engine.Failed, Err: errors.New("HIVE_BAD_DATA: bad")}
			}
			return Progress{ID: id, State: "SUCCEEDED"}, nil
		}}
		m := model(eng, 120, 30, nil)
		m.editor.Restore(buf, 0, 0)
		m = settle(t, m, shiftF5, 30)
		if note := m.status.Query().Note; note != "run all stopped at statement 3 of 3 (line 3): it failed" {
			t.Errorf("status note %q", note)
		}
	})
	t.Run("refused by the local check", func(t *testing.T) {
		eng := &scriptEngine{}
		m := model(eng, 120, 30, func(c *Config) {
			c.Check = func(sql string) error {
				if strings.Contains(sql, "broken") {
					return &engine.Error{Op: "grant check", Kind: engine.Denied, Err: errors.New("no grant on broken")}
				}
				return nil
			}
		})
		m.editor.Restore(buf, 0, 0)
		m = settle(t, m, shiftF5, 30)
		if got := eng.sentSQL(); len(got) != 1 {
			t.Fatalf("sent %q, want the first only", got)
		}
		if note := m.status.Query().Note; !strings.Contains(note, "statement 2 of 3 (line 2): refused by the local grant check") {
			t.Errorf("status note %q does not say which statement was refused", note)
		}
		if g := m.results.At(1); !strings.Contains(ansi.Strip(g.View()), "Not sent: refused by the local grant check") {
			t.Errorf("the refused statement's tab says:\n%s", ansi.Strip(g.View()))
		}
		if sh := m.history.Shown(); len(sh) != 2 || sh[0].State != history.Refused {
			t.Errorf("history %+v: want the refusal recorded after the success", sh)
		}
	})
}

// Esc during a run all stops the running statement on Athena and runs
// none of the next.
func TestEscStopsARunAll(t *testing.T) {
	eng := &scriptEngine{wait: untilCancelled}
	m := model(eng, 120, 30, nil)
	m.editor.Restore("SELECT 1;\nSELECT 2;", 0, 0)
	mm, cmd := m.Update(shiftF5)
	m = mm.(Model)
	var wait tea.Cmd // the listen for the query's reports, which blocks until it ends
	for _, r := range quick(cmd) {
		if _, ok := r.(QueryStartedMsg); ok {
			mm, wait = m.Update(r)
			m = mm.(Model)
		}
	}
	if m.r.phase != waiting || wait == nil {
		t.Fatalf("phase %d, want waiting", m.r.phase)
	}
	if v := ansi.Strip(m.Render()); !strings.Contains(v, "Statement 1 of 2 (line 1) is running: its result comes here") {
		t.Errorf("the running statement's tab does not say it is on its way:\n%s", v)
	}
	mm, _ = m.Update(esc)
	m = follow(t, mm.(Model), wait, 10)
	if got := eng.sentSQL(); len(got) != 1 {
		t.Errorf("sent %q after esc, want the first only", got)
	}
	if q := m.status.Query(); q.State != "CANCELLED" || !strings.Contains(q.Note, "statement 1 of 2") {
		t.Errorf("status %+v: want CANCELLED, naming the statement stopped", q)
	}
	if _, on := m.editor.Running(); on {
		t.Error("the cancelled statement is still highlighted")
	}
}

// A syntax error is marked in the editor at its place in the buffer:
// Athena counts lines and columns within the statement it was sent, so
// when one statement of several ran, the mark is offset by where that
// statement starts. Each of the three paths is marked alike.
func TestSyntaxErrorIsMarkedInTheBuffer(t *testing.T) {
	const buf = "SELECT 1;\n\nSELECT *\n  FORM t;"
	// (and a statement indented on its first line, below)
	local := func(string) error {
		return &engine.Error{Op: "grant check", Kind: engine.Invalid, Err: &engine.SyntaxError{Line: 2, Column: 3, Message: "FORM is not a keyword here"}}
	}
	for _, c := range []struct {
		name  string
		eng   *scriptEngine
		check func(string) error
	}{
		{"local parse", &scriptEngine{}, local},
		{"at StartQueryExecution", &scriptEngine{start: func(context.Context, string) (string, error) {
			return "", &engine.Error{Op: "start query", Kind: engine.Invalid, Err: errors.New("InvalidRequestException: line 2:3: mismatched input 'FORM'")}
		}}, nil},
		{"FAILED with SYNTAX_ERROR", &scriptEngine{wait: func(_ context.Context, id string) (Progress, error) {
			return Progress{ID: id, State: "FAILED"}, &engine.Error{Op: "query", Kind: engine.Failed, Err: errors.New("SYNTAX_ERROR: line 2:3: mismatched input 'FORM'")}
		}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := model(c.eng, 100, 30, func(cfg *Config) { cfg.Check = c.check })
			m.editor.Restore(buf, 2, 2)
			m = settle(t, m, f5, 10)
			off, msg, ok := m.editor.Mark()
			want := strings.Index(buf, "FORM")
			if !ok || off != want {
				t.Fatalf("mark at %d (%v) %q, want at %d (FORM, line 4 of the buffer)", off, ok, msg, want)
			}
			if mark, _ := m.Syntax(); mark.Span != [2]int{11, len(buf) - 1} {
				t.Errorf("syntax span %v, want the second statement's [11 %d]", mark.Span, len(buf)-1)
			}
			if v := ansi.Strip(m.Render()); !strings.Contains(v, "✗ line 4:3 (2:3 in the statement)") {
				t.Errorf("the editor does not say where in the buffer:\n%s", v)
			}
			// The status line and the grid count as the editor does.
			if note := m.status.Query().Note; !strings.HasPrefix(note, "line 4:3 (2:3 in the statement): ") {
				t.Errorf("status note %q does not place it in the buffer", note)
			}
			if g := ansi.Strip(m.results.Grid().View()); !strings.Contains(g, "Syntax error at line 4, column 3 (line 2, column 3 of the statement)") || !strings.Contains(g, "4 │   FORM t") {
				t.Errorf("the grid does not place it in the buffer:\n%s", g)
			}
		})
	}
}

// The statistics line above the grid is filled for a run from the
// engine's figures: data scanned, cost, time and the fetch path; a
// failed query is said not to be billed on the status line.
func TestStatsLineIsFilled(t *testing.T) {
	eng := &scriptEngine{}
	eng.wait = func(_ context.Context, id string) (Progress, error) {
		return Progress{ID: id, State: "SUCCEEDED", StatementType: "DML", Elapsed: 2300 * time.Millisecond, Scanned: 3 << 20, Cost: engine.Cost(3<<20, 5)}, nil
	}
	eng.open = func(_ context.Context, id string) (results.Rows, error) {
		return pathStream{&rowsOf{vals: []string{"x"}}, "api", "s3:GetObject refused"}, nil
	}
	m := model(eng, 180, 30, nil)
	m = runSQL(t, m, "SELECT 1")
	v := ansi.Strip(m.Render())
	if want := "3.0 MiB scanned · $0.000048 (10 MB minimum) · 2.3s · rows from GetQueryResults pages (s3:GetObject refused)"; !strings.Contains(v, want) {
		t.Errorf("the statistics line does not say %q:\n%s", want, v)
	}

	failing := &scriptEngine{wait: func(_ context.Context, id string) (Progress, error) {
		return Progress{ID: id, State: "FAILED", StatementType: "DML", Scanned: 0}, &engine.Error{Op: "query", Kind: engine.Failed, Err: errors.New("HIVE_BAD_DATA: bad")}
	}}
	m = runSQL(t, model(failing, 140, 30, nil), "SELECT 1")
	if q := m.status.Query(); !q.NotBilled || !strings.Contains(ansi.Strip(m.Render()), "not billed") {
		t.Errorf("a failed query: status %+v, want not billed", q)
	}
}

// pathStream is a stream that says how its rows come.
type pathStream struct {
	results.Rows
	via, fallback string
}

func (p pathStream) FetchPath() (string, string) { return p.via, p.fallback }

// Reopening a query from the history shows its SQL above its result.
func TestReopenShowsTheSQL(t *testing.T) {
	eng := &scriptEngine{}
	m := model(eng, 120, 30, nil)
	m = settle(t, m, history.OpenMsg{ID: "a1b2c3d4e5", SQL: "SELECT region\nFROM sales.orders"}, 10)
	i := m.results.Active()
	if !m.results.SQLShown(i) || m.results.SQL(i) != "SELECT region\nFROM sales.orders" {
		t.Fatalf("tab %d: SQL %q shown %v", i, m.results.SQL(i), m.results.SQLShown(i))
	}
	if v := ansi.Strip(m.Render()); !strings.Contains(v, "FROM sales.orders") || m.results.At(i).Total() != 3 {
		t.Errorf("the reopened result is not shown with its SQL:\n%s", v)
	}
	if len(eng.sentSQL()) != 0 {
		t.Errorf("reopening ran %q", eng.sentSQL())
	}
}

// A result that cannot be reopened (Athena keeps a query 45 days; the
// query ID is unknown to it) is not a query that failed: the grid said
// "The query failed: ..." and the status line FAILED for a query that
// had succeeded. It says the result could not be reopened, and how to
// run the SQL again; nothing is recorded as a run.
func TestReopenFailureIsNotAFailedQuery(t *testing.T) {
	eng := &scriptEngine{wait: func(_ context.Context, id string) (Progress, error) {
		return Progress{}, &engine.Error{Op: "wait for query", Kind: engine.Other,
			Err: errors.New("InvalidRequestException: QueryExecution " + id + " was not found")}
	}}
	m := model(eng, 140, 30, nil)
	before := len(m.history.Shown())
	m = settle(t, m, history.OpenMsg{ID: "a1b2c3d4e5", SQL: "SELECT region FROM sales.orders"}, 10)
	v := ansi.Strip(m.Render())
	if strings.Contains(v, "The query failed") || m.status.Query().State == history.Failed {
		t.Errorf("a reopen that failed is said as a failed query (state %q):\n%s", m.status.Query().State, v)
	}
	for _, want := range []string{"could not be reopened", "was not found", "45 days", "ctrl+o"} {
		if !strings.Contains(v, want) {
			t.Errorf("the screen lacks %q:\n%s", want, v)
		}
	}
	if got := len(m.history.Shown()); got != before {
		t.Errorf("the history has %d entries after a failed reopen, want %d (a reopen is not a run)", got, before)
	}
}

// A catalog preview never overwrites the user's text: with text in the
// buffer it opens a tab of its own, and runs there.
func TestPreviewKeepsTheBuffer(t *testing.T) {
	eng := &scriptEngine{}
	m := model(eng, 120, 30, nil)
	m.editor.SetValue("SELECT 42 AS mine")
	m = settle(t, m, catalog.PreviewMsg{Catalog: "AwsDataCatalog", Database: "sales", Table: "orders"}, 10)
	names, active := m.Tabs()
	if len(names) != 2 || active != 1 || names[1] != "preview" {
		t.Fatalf("tabs %q, active %d; want the preview in a second tab", names, active)
	}
	if got := eng.sentSQL(); len(got) != 1 || got[0] != "SELECT * FROM sales.orders LIMIT 100" {
		t.Errorf("sent %q", got)
	}
	m, _ = do(m, ctrlK)
	if v := m.editor.Value(); v != "SELECT 42 AS mine" {
		t.Errorf("the first tab holds %q, want the user's text", v)
	}
}

// Browsing the catalog with p does not pile up tabs: a preview replaces
// the preview tab's text when it is shown and holds the last preview
// untouched (nothing of the user's is lost, and undo brings it back);
// once edited, or renamed, it is the user's and the next preview opens a
// tab of its own.
func TestPreviewReusesItsUntouchedTab(t *testing.T) {
	eng := &scriptEngine{}
	m := model(eng, 120, 30, nil)
	m.editor.SetValue("SELECT 42 AS mine")
	m = settle(t, m, catalog.PreviewMsg{Catalog: "AwsDataCatalog", Database: "sales", Table: "orders"}, 10)
	m = settle(t, m, catalog.PreviewMsg{Catalog: "AwsDataCatalog", Database: "sales", Table: "customers"}, 10)
	names, active := m.Tabs()
	if len(names) != 2 || active != 1 || m.editor.Value() != "SELECT * FROM sales.customers LIMIT 100" {
		t.Fatalf("tabs %q (active %d) holding %q after two previews; want the second in the first's tab", names, active, m.editor.Value())
	}
	if got := eng.sentSQL(); len(got) != 2 || got[1] != "SELECT * FROM sales.customers LIMIT 100" {
		t.Errorf("sent %q", got)
	}
	m, _ = do(m, tea.KeyPressMsg{Code: tea.KeyF3}, tea.KeyPressMsg{Code: ' ', Text: " "}) // the preview edited: the user's now
	m = settle(t, m, catalog.PreviewMsg{Catalog: "AwsDataCatalog", Database: "sales", Table: "events"}, 10)
	if names, active := m.Tabs(); len(names) != 3 || active != 2 {
		t.Fatalf("tabs %q (active %d) after a preview over an edited one; want a third tab", names, active)
	}
	m, _ = do(m, ctrlK) // back to the first tab, the user's
	if v := m.editor.Value(); v != "SELECT 42 AS mine" {
		t.Errorf("the first tab holds %q, want the user's text", v)
	}
}

// SQL loaded from the history (ctrl+o, or a saved query) never
// overwrites the user's text either; into a blank buffer it goes there.
func TestLoadKeepsTheBuffer(t *testing.T) {
	m := model(&scriptEngine{}, 120, 30, nil)
	m, _ = do(m, history.LoadMsg{SQL: "SELECT 1 AS loaded"})
	if names, _ := m.Tabs(); len(names) != 1 || m.editor.Value() != "SELECT 1 AS loaded" {
		t.Fatalf("into a blank buffer: tabs %q, text %q", names, m.editor.Value())
	}
	m, _ = do(m, history.LoadMsg{SQL: "SELECT 2 AS again"})
	names, active := m.Tabs()
	if len(names) != 2 || active != 1 || names[1] != "loaded" || m.editor.Value() != "SELECT 2 AS again" {
		t.Fatalf("tabs %q (active %d), text %q: want a second tab with the loaded SQL", names, active, m.editor.Value())
	}
}

// Closing the running statement's result tab does not send its result
// elsewhere: it comes back in a tab of its own (the empty one left when
// the last tab was closed), not beside a stray empty tab.
func TestClosedRunningTabComesBack(t *testing.T) {
	eng, release := heldEngine()
	m := model(eng, 120, 30, nil)
	m.editor.SetValue("SELECT 1 AS one")
	mm, cmd := m.Update(f5)
	m = mm.(Model)
	m.results.CloseTab(0)
	close(release)
	m = follow(t, m, cmd, 10)
	if n := m.results.Len(); n != 1 || m.results.Title(0) != "SELECT 1 AS one" || m.results.QueryID() != "q1" || m.results.Total() != 3 {
		t.Errorf("%d tabs, the first %q with query %q and %d rows; want one, the statement's", n, m.results.Title(0), m.results.QueryID(), m.results.Total())
	}
}

// The grid shows the line of a syntax error as the buffer holds it: an
// indented statement's first line keeps its indent, and the caret is
// under the buffer's column.
func TestSyntaxErrorLineAsInTheBuffer(t *testing.T) {
	m := model(&scriptEngine{}, 100, 30, func(c *Config) {
		c.Check = func(string) error {
			return &engine.Error{Op: "grant check", Kind: engine.Invalid, Err: &engine.SyntaxError{Line: 1, Column: 10, Message: "expected an expression"}}
		}
	})
	m.editor.Restore("SELECT 1 AS ok;\n  SELECT a,, b FROM t", 1, 4)
	m = settle(t, m, f5, 10)
	g := ansi.Strip(m.results.Grid().View())
	if !strings.Contains(g, "2 │   SELECT a,, b FROM t") || !strings.Contains(g, "  │            ^") {
		t.Errorf("the line and caret are not as in the buffer:\n%s", g)
	}
}
