package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/ui/history"
)

// roRefusal stands for the session's refusal of a write by a read_only
// profile, which the workbench knows by its ReadOnlyProfile method.
type roRefusal struct{}

func (roRefusal) Error() string {
	return `refused before sending: profile "safe" is read_only, and this statement drops table t`
}
func (roRefusal) ReadOnlyProfile() string { return "safe" }

// A write a read_only profile refuses is not sent, and is said as that
// refusal: no explanation panel, no fix to work out.
func TestReadOnlyRefusalNotSent(t *testing.T) {
	eng := &scriptEngine{}
	m := model(eng, 100, 30, func(*Config) {})
	m.cfg.Check = func(string) error { return roRefusal{} }
	m = runSQL(t, m, "DROP TABLE t")
	if q := m.status.Query(); q.State != "REFUSED" || q.Note != "not sent: profile safe is read_only" {
		t.Errorf("status %+v, want REFUSED, not sent for the read_only profile", q)
	}
	if n := len(eng.sentSQL()); n != 0 {
		t.Errorf("%d queries sent, want none", n)
	}
	if v := m.Render(); !strings.Contains(v, "is read_only") || m.focus == focusExplain {
		t.Errorf("the grid does not say why, or the explanation took focus:\n%s", v)
	}
}

// guardOf stands for the session's guards (session.ChangeOf and its ?
// count) in these tests: a DROP or DELETE is destructive, every ? wants
// a value.
func guardOf(sql string) Guard {
	g := Guard{Params: strings.Count(sql, "?"), Value: valueOf}
	for _, w := range []string{"DROP TABLE ", "DELETE FROM "} {
		if name, ok := strings.CutPrefix(sql, w); ok {
			verb := map[string]string{"DROP TABLE ": "drops table ", "DELETE FROM ": "deletes rows of "}[w]
			g.Destructive, g.Change = true, verb+strings.Fields(name)[0]
		}
	}
	return g
}

// valueOf stands for session.CheckParam: a value with an odd number of
// quotes is refused.
func valueOf(v string) error {
	if strings.Count(v, "'")%2 != 0 {
		return errors.New("unterminated string literal")
	}
	return nil
}

// waitSent waits for n statements to have been started.
func waitSent(t *testing.T, eng *scriptEngine, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(eng.sentSQL()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("sent %q, want %d statements", eng.sentSQL(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitIdle waits for the run to end: SUCCEEDED, its rows all in (the
// footer no longer offers to cancel).
func (f *flow) waitIdle() {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := f.screen()
		lines := strings.Split(s, "\n")
		if strings.Contains(s, "SUCCEEDED") && len(lines) > 2 && !strings.Contains(lines[len(lines)-2], "esc cancel") {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("the run never ended; the screen shows:\n%s", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A destructive statement waits for a yes that names what it changes: n
// and esc send nothing and say so; y sends it.
func TestFlowDestructiveAsks(t *testing.T) {
	eng := &scriptEngine{guard: guardOf}
	store := history.NewStore(t.TempDir(), "arn:aws:sts::123456789012:assumed-role/r/ana")
	f := startFlow(t, Config{Engine: eng, History: store})
	f.tm.Type("DROP TABLE sales.customers")
	for _, no := range []tea.KeyPressMsg{{Code: 'n', Text: "n"}, {Code: tea.KeyEscape}} {
		f.key(tea.KeyF5)
		f.waitFor(5*time.Second, "this statement drops table sales.customers: run it? y/n")
		f.tm.Send(tea.KeyPressMsg{Code: 'x', Text: "x"})        // not an answer: the question stays
		f.tm.Send(tea.KeyPressMsg{Code: 'n', Mod: tea.ModCtrl}) // nor a new tab under the question
		f.tm.Send(no)
		f.waitFor(5*time.Second, "NOT RUN", "not run: you said no to this statement, which drops table sales.customers", "Nothing was sent to Athena.")
		if got := eng.sentSQL(); len(got) != 0 {
			t.Fatalf("after %q: sent %q, want nothing", no.String(), got)
		}
	}
	// Both declined runs are in the history, with what was declined.
	kept, err := store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 2 || kept[0].State != history.NotRun || kept[0].SQL != "DROP TABLE sales.customers" || !strings.Contains(kept[1].Message, "drops table sales.customers") {
		t.Fatalf("history after two noes: %+v, want both as NOT RUN with what they change", kept)
	}
	if s := f.screen(); strings.Contains(s, "DROP TABLE sales.customersx") || strings.Contains(s, "Tab 2") {
		t.Errorf("a key pressed while asked reached the editor or its tabs:\n%s", s)
	}
	f.key(tea.KeyF5)
	f.waitFor(5*time.Second, "run it? y/n")
	f.tm.Type("y")
	f.waitFor(5*time.Second, "SUCCEEDED")
	if got := eng.sentSQL(); len(got) != 1 || got[0] != "DROP TABLE sales.customers" {
		t.Fatalf("after y: sent %q, want the DROP once", got)
	}
}

// In a run of every statement the question comes when the destructive
// statement is reached: the statements before it have run; n stops the
// run there, and says so.
func TestFlowRunAllAsksWhenReached(t *testing.T) {
	eng := &scriptEngine{guard: guardOf}
	f := startFlow(t, Config{Engine: eng})
	f.tm.Type("SELECT 1;\nDROP TABLE t;\nSELECT 2;")
	f.tm.Send(tea.KeyPressMsg{Code: tea.KeyF5, Mod: tea.ModShift})
	f.waitFor(5*time.Second, "statement 2 of 3 (line 2) drops table t: run it? y/n")
	if got := eng.sentSQL(); len(got) != 1 || got[0] != "SELECT 1" {
		t.Fatalf("when asked: sent %q, want the first statement alone", got)
	}
	f.tm.Type("n")
	f.waitFor(5*time.Second, "run all stopped at statement 2 of 3 (line 2): not run (you said no); 1 not run")
	if got := eng.sentSQL(); len(got) != 1 {
		t.Fatalf("after n: sent %q, want the first statement alone", got)
	}
	f.tm.Send(tea.KeyPressMsg{Code: tea.KeyF5, Mod: tea.ModShift})
	f.waitFor(5*time.Second, "statement 2 of 3 (line 2) drops table t: run it?")
	f.tm.Type("y")
	f.waitFor(5*time.Second, "ran all 3 statements")
	if got := eng.sentSQL(); strings.Join(got, "|") != "SELECT 1|SELECT 1|DROP TABLE t|SELECT 2" {
		t.Fatalf("after y: sent %q, want the whole buffer after the first try", got)
	}
}

// A statement with ? placeholders asks for their values, one line each,
// and sends them as its parameters; an empty value, or one the engine's
// check refuses, is not taken (the line stays open to correct it); esc
// sends nothing. A destructive one is asked about first.
func TestFlowPlaceholdersAskForValues(t *testing.T) {
	eng := &scriptEngine{guard: guardOf}
	f := startFlow(t, Config{Engine: eng})
	f.tm.Type("SELECT ? + ? AS n")
	f.key(tea.KeyF5)
	f.waitFor(5*time.Second, "? value 1 of 2 (a SQL literal; enter takes it, esc sends nothing)", "has 2 ? placeholders")
	f.tm.Type("40")
	f.key(tea.KeyEnter)
	f.waitFor(5*time.Second, "? value 2 of 2")
	f.key(tea.KeyEnter)
	f.waitFor(5*time.Second, "give a value (a SQL literal")
	f.tm.Type("'two")
	f.key(tea.KeyEnter)
	f.waitFor(5*time.Second, "value 2 of 2, 'two, is not taken: unterminated string literal", "? value 2 of 2")
	if n := len(eng.sentSQL()); n != 0 {
		t.Fatalf("a refused value: %d statements sent, want none", n)
	}
	f.tm.Type("'")
	f.key(tea.KeyEnter)
	f.waitIdle()
	subs := eng.submissions()
	if len(subs) != 1 || subs[0].SQL != "SELECT ? + ? AS n" || strings.Join(subs[0].Params, "|") != "40|'two'" {
		t.Fatalf("sent %+v, want the statement with params 40 and 'two'", subs)
	}

	f.key(tea.KeyF5)
	f.waitFor(5*time.Second, "? value 1 of 2")
	f.tm.Type("1")
	f.key(tea.KeyEnter)
	f.waitFor(5*time.Second, "? value 2 of 2")
	f.key(tea.KeyEscape)
	f.waitFor(5*time.Second, "NOT RUN", "not run: no values were given for its 2 ? placeholders")
	if n := len(eng.sentSQL()); n != 1 {
		t.Fatalf("after esc: %d statements sent, want the first alone", n)
	}

	f.tm.Send(tea.KeyPressMsg{Code: 'a', Mod: tea.ModCtrl})
	f.tm.Type("DELETE FROM t WHERE id = ?")
	f.key(tea.KeyF5)
	f.waitFor(5*time.Second, "this statement deletes rows of t: run it? y/n")
	f.tm.Type("y")
	f.waitFor(5*time.Second, "? value 1 of 1")
	f.tm.Type("7")
	f.key(tea.KeyEnter)
	waitSent(t, eng, 2)
	if subs := eng.submissions(); subs[1].SQL != "DELETE FROM t WHERE id = ?" || strings.Join(subs[1].Params, "|") != "7" {
		t.Fatalf("sent %+v, want the DELETE with param 7", subs[1])
	}
}

// The reuse key turns result reuse on (an hour when the profile sets
// none) and off, shown on the status line; runs are sent with it, and a
// reused result says so.
func TestFlowReuseToggle(t *testing.T) {
	eng := &scriptEngine{guard: guardOf, wait: func(_ context.Context, id string) (Progress, error) {
		return Progress{ID: id, State: "SUCCEEDED", Elapsed: time.Second, Reused: id == "q2"}, nil
	}}
	f := startFlow(t, Config{Engine: eng})
	f.tm.Type("SELECT 1")
	f.key(tea.KeyF5)
	f.waitIdle()
	if s := f.screen(); strings.Contains(s, "reuse ≤") {
		t.Errorf("reuse shown on with no profile setting:\n%s", s)
	}
	alt := tea.KeyPressMsg{Code: 'u', Mod: tea.ModAlt}
	f.tm.Send(alt)
	f.waitFor(5*time.Second, " reuse ≤1h · ", "result reuse on: Athena may answer a")
	f.key(tea.KeyF5)
	f.waitFor(5*time.Second, "reused result, $0.00")
	f.waitIdle()
	f.tm.Send(alt)
	f.waitFor(5*time.Second, "result reuse off")
	f.key(tea.KeyF5)
	waitSent(t, eng, 3)
	subs := eng.submissions()
	if subs[0].Reuse >= 0 || subs[1].Reuse != time.Hour || subs[2].Reuse >= 0 {
		t.Errorf("reuse sent %v, %v, %v; want none, 1h, none", subs[0].Reuse, subs[1].Reuse, subs[2].Reuse)
	}

	// The profile's reuse is on from the start, at its age.
	m := model(&scriptEngine{reuse: 30 * time.Minute}, 100, 30, nil)
	if v := ansi.Strip(m.Render()); !strings.Contains(v, "reuse ≤30m") {
		t.Errorf("the profile's reuse is not shown:\n%s", v)
	}
}

// A destructive statement run on its own asks first, and its answer may
// be no: it takes a result tab of its own, so that the result shown
// before stays whatever the answer (saying n used to leave "Not run" in
// its place, the rows gone).
func TestDestructiveKeepsTheResultShown(t *testing.T) {
	eng := &scriptEngine{guard: guardOf}
	m := runSQL(t, model(eng, 120, 30, nil), "SELECT * FROM sales.orders")
	if m.results.Len() != 1 || m.results.At(0).Total() != 3 {
		t.Fatalf("the first result: %d tabs, %d rows", m.results.Len(), m.results.At(0).Total())
	}
	m = runSQL(t, m, "DROP TABLE sales.customers")
	m = drive(t, m, tea.KeyPressMsg{Code: 'n', Text: "n"})
	if m.status.Query().State != history.NotRun {
		t.Fatalf("after n: state %q", m.status.Query().State)
	}
	if m.results.Len() != 2 || m.results.At(0).Total() != 3 || m.results.SQL(0) != "SELECT * FROM sales.orders" {
		t.Errorf("after n: %d tabs, the first with %d rows of %q; want the SELECT's 3 rows kept beside the DROP's tab",
			m.results.Len(), m.results.At(0).Total(), m.results.SQL(0))
	}
	// A statement with ? values is no less a plain run: it replaces the
	// result shown, as any lone statement does.
	m = runSQL(t, m, "SELECT * FROM sales.orders WHERE id = ?")
	if m.results.Len() != 2 {
		t.Errorf("a statement with ? opened a tab: %d tabs, want 2", m.results.Len())
	}
}
