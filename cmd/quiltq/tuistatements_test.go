package main

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/athenasrv"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// typeLines types lines into the editor, enter between them.
func (w *tuiDriver) typeLines(lines ...string) {
	for i, l := range lines {
		if i > 0 {
			w.key(tea.KeyEnter, 0)
		}
		w.tm.Type(l)
	}
}

// Statements on the sandbox: F5 with the cursor on the first statement
// sends that statement alone; shift+F5 runs them all, each result in a
// tab of its own, with the statistics line above the grid.
func TestWorkbenchStatementsOnTheSandbox(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	athena := athenaClient(t, env)
	w := startWorkbench(t, env, "admin", false)
	w.typeLines("SELECT 'first' AS a;", "", "SELECT count(*) AS n FROM sales.orders;")
	w.key(tea.KeyUp, 0)
	w.key(tea.KeyUp, 0)
	before := started(t, athena)
	w.key(tea.KeyF5, 0)
	s := w.waitFor("SUCCEEDED", "first", "rows from the S3 result file")
	w.waitIdle() // the rows are on screen before their stream has ended
	if strings.Contains(s, "4200") {
		t.Fatalf("F5 on the first statement ran the second too:\n%s", s)
	}
	if n := started(t, athena) - before; n != 1 {
		t.Fatalf("F5 sent %d queries, want 1", n)
	}
	w.key(tea.KeyF5, tea.ModShift)
	s = w.waitFor(" 1 SELECT 'first' AS a ×", "[2 SELECT count(*) AS n FR", "4200")
	if !strings.Contains(s, "scanned ·") {
		t.Errorf("no statistics line above the second statement's grid:\n%s", s)
	}
	if n := started(t, athena) - before; n != 3 {
		t.Errorf("%d queries sent in all, want 3 (one, then both)", n)
	}
}

// A syntax error Athena finds is marked in the editor at its place in the
// buffer, though Athena counts within the statement sent: the statement
// on line 3 of the buffer, wrong at its column 10, is marked at 3:10. Both
// of the sandbox's paths: refused by StartQueryExecution (400, "line
// 1:10: ..."), and a query that starts and fails with SYNTAX_ERROR.
func TestWorkbenchMarksAthenasSyntaxErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		at   athenasrv.SyntaxErrors
	}{
		{"start", athenasrv.SyntaxAtStart},
		{"run", athenasrv.SyntaxAtRun},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := sandboxtest.Start(t, sandbox.Options{SyntaxErrors: c.at})
			w := startWorkbench(t, env, "admin", false)
			w.typeLines("SELECT 1 AS one;", "", "SELECT * FORM sales.orders;")
			w.key(tea.KeyF5, 0)
			w.waitFor("SYNTAX ERROR", "✗ line 3:10 (1:10 in the statement): mismatched input 'FORM'")
		})
	}
}
