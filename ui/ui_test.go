package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/catalogcache"
	engexplain "github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/ui/explain"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/results"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

// fakeEngine is a pane-level stand-in; whole flows run on the real
// engine in cmd/quiltq's tests.
type fakeEngine struct{}

func (fakeEngine) Start(context.Context, Submission) (string, error) { return "id", nil }
func (fakeEngine) Guard(string) Guard                                { return Guard{} }
func (fakeEngine) Reuse() time.Duration                              { return 0 }
func (fakeEngine) Wait(context.Context, string, func(Progress)) (Progress, error) {
	return Progress{}, nil
}
func (fakeEngine) Open(context.Context, string) (results.Rows, error) { return nil, nil }
func (fakeEngine) Listing(context.Context) (engine.Listing, error)    { return engine.Listing{}, nil }
func (fakeEngine) History(context.Context) ([]history.Entry, error)   { return nil, nil }
func (fakeEngine) FixContext() engexplain.Context                     { return engexplain.Context{} }
func (fakeEngine) QueryFix(context.Context, string, error) (string, []string, error) {
	return `{"Statement": "whole"}`, []string{"a note"}, nil
}
func (fakeEngine) Saved(context.Context) ([]history.Saved, int, error) {
	return []history.Saved{{ID: "n1", Name: "Revenue by region", SQL: "SELECT region, sum(x) FROM t GROUP BY 1"}}, 1, nil
}
func (fakeEngine) Doctor(context.Context) (string, string, error) {
	return "quiltq doctor: arn:aws:sts::1:assumed-role/r/ana\n\nCHECK     RESULT  DETAIL\nidentity  ok\n", "", nil
}
func (fakeEngine) ApplyFix(_ context.Context, fix string) (string, error) {
	if fix == "" {
		return "", errors.New("no statement")
	}
	return "applied " + fix, nil
}

func newModel(l *engine.Listing) Model {
	m := New(Config{Engine: &scriptEngine{}, Keys: keys.Default(), Theme: theme.New(theme.Options{NoColor: true}),
		Identity: status.Identity{User: "ana", Role: "r", Workgroup: "wg", Catalog: "AwsDataCatalog"}, Listing: l})
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	return mm.(Model)
}

func TestStaleRepliesAreDropped(t *testing.T) {
	m := newModel(nil)
	mm, _ := m.startRun(statement{sql: "SELECT 1"}, nil, 1, 0)
	m = mm.(Model)
	mm, _ = m.startRun(statement{sql: "SELECT 2"}, nil, 1, 0)
	m = mm.(Model)
	mm, cmd := m.Update(QueryStartedMsg{Run: m.r.id - 1, ID: "old"})
	m = mm.(Model)
	if m.QueryID() == "old" {
		t.Fatalf("a reply of the previous run was taken: query %q", m.QueryID())
	}
	// The query the previous run started as it was given up is stopped.
	eng := m.eng.(*scriptEngine)
	if cmd == nil {
		t.Fatal("the query of a run given up is left running")
	}
	cmd()
	if got := eng.stoppedIDs(); len(got) != 1 || got[0] != "old" {
		t.Fatalf("stopped %v, want the previous run's query old", got)
	}
	mm, cmd = m.Update(QueryStartedMsg{Run: m.r.id, ID: "new"})
	m = mm.(Model)
	if cmd == nil || m.QueryID() != "new" {
		t.Fatalf("the current run's reply was dropped: query %q", m.QueryID())
	}
}

func TestHelpIsGeneratedFromTheKeymap(t *testing.T) {
	m := newModel(nil)
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	mm, _ = mm.Update(tea.KeyPressMsg{Code: tea.KeyF1})
	v := ansi.Strip(mm.(Model).Render())
	for _, want := range []string{"ctrl+enter/f5/ctrl+r", "run the statement under the cursor", "shift+f5/ctrl+g", "run every statement, each in its own result tab", "esc/ctrl+c"} {
		if !strings.Contains(v, want) {
			t.Errorf("help lacks %q:\n%s", want, v)
		}
	}
}

// F1's keys are in a column as wide as the widest key, every
// description starting at the same place; a long description is wrapped
// under itself, never cut.
func TestHelpAlignsKeysAndWrapsDescriptions(t *testing.T) {
	m := newModel(nil)
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
	mm, _ = mm.Update(tea.KeyPressMsg{Code: tea.KeyF1})
	m = mm.(Model)
	_, _, _, colW := m.helpLayout()
	lines := m.helpLines(colW - 1)
	keyW, long := 0, ""
	for _, e := range m.km.Entries() {
		h := e.Binding.Help()
		keyW = max(keyW, len([]rune(h.Key)))
		if len(h.Desc) > len(long) {
			long = h.Desc
		}
	}
	if keyW <= len("pgdown/ctrl+f") {
		t.Fatalf("the widest key is %d wide: this test wants one wider than pgdown/ctrl+f", keyW)
	}
	text := ""
	for _, l := range lines {
		l = ansi.Strip(l)
		if w := ansi.StringWidth(l); w > colW-1 {
			t.Errorf("line %q is %d wide, more than its column's %d", l, w, colW-1)
		}
		if strings.HasPrefix(l, "  ") && (len(l) <= keyW+3 || l[keyW+2] != ' ' || l[keyW+3] == ' ') {
			t.Errorf("line %q: its description does not start at column %d", l, keyW+3)
		}
		text += " " + strings.TrimSpace(l)
	}
	if !strings.Contains(text, long) {
		t.Errorf("the longest description %q is not shown whole:\n%s", long, strings.Join(lines, "\n"))
	}
	v := ansi.Strip(m.Render())
	ls := strings.Split(v, "\n")
	if help := strings.Join(ls[:len(ls)-2], "\n"); strings.Contains(help, "…") || !strings.Contains(help, "lines 1–") {
		t.Errorf("the help cuts a line at 140 columns (or does not scroll there, which this test wants):\n%s", v)
	}
}

func TestResizeKeepsTheScreenInBounds(t *testing.T) {
	m := newModel(nil)
	for _, size := range [][2]int{{60, 15}, {200, 60}, {80, 24}} {
		mm, _ := m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		lines := strings.Split(ansi.Strip(mm.(Model).Render()), "\n")
		if len(lines) != size[1] {
			t.Errorf("at %dx%d the screen has %d lines", size[0], size[1], len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > size[0] {
				t.Errorf("at %dx%d line %d is %d wide", size[0], size[1], i, w)
			}
		}
	}
}

func bigListing() engine.Listing {
	var dbs []engine.ListedDatabase
	for d := 0; d < 100; d++ {
		var ts []engine.ListedTable
		for i := 0; i < 100; i++ {
			ts = append(ts, engine.ListedTable{Name: fmt.Sprintf("table_%03d", i), Kind: "table",
				Columns: []engine.Column{{Name: "id", Type: "bigint"}, {Name: "name", Type: "varchar"}, {Name: "at", Type: "timestamp"}}})
		}
		dbs = append(dbs, engine.ListedDatabase{Name: fmt.Sprintf("db_%03d", d), Tables: ts})
	}
	return engine.Listing{Catalogs: []engine.ListedCatalog{{Name: "AwsDataCatalog", Type: "GLUE", Databases: dbs}}, Errors: []engine.ListError{}}
}

// BenchmarkFirstFrame is the start of the workbench with a cached catalog
// of 100 databases and 10,000 tables: reading the cache file, building the
// model, sizing it and rendering the first screen. Goal: at most 50 ms.
func BenchmarkFirstFrame(b *testing.B) {
	cache := &catalogcache.Cache{Dir: b.TempDir()}
	key := catalogcache.Key{Principal: "arn:aws:sts::1:assumed-role/r/u", Region: "us-east-1"}
	if _, err := cache.Store(key, bigListing()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		e, ok, err := cache.Load(key)
		if !ok || err != nil {
			b.Fatal(ok, err)
		}
		m := New(Config{Engine: fakeEngine{}, Keys: keys.Default(), Theme: theme.New(theme.Options{Dark: true}),
			Listing: &e.Listing, Age: time.Minute, Identity: status.Identity{User: "u", Catalog: "AwsDataCatalog"}})
		mm, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
		if mm.(Model).View().Content == "" {
			b.Fatal("empty first frame")
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// A refusal's whole-query fix replaces the statement read from the text
// once it arrives, unless it belongs to an earlier run.
func TestQueryFixReachesThePanel(t *testing.T) {
	m := newModel(nil)
	refusal := &engine.Error{Op: "grant check", Kind: engine.Denied, Err: errors.New("refused before sending")}
	m.cfg.Check = func(string) error { return refusal }
	mm, cmd := m.startRun(statement{sql: "SELECT * FROM t"}, nil, 1, 0)
	m = mm.(Model)
	if cmd == nil {
		t.Fatal("a local refusal asked for no whole-query fix")
	}
	msg, ok := cmd().(QueryFixMsg)
	if !ok || msg.Run != m.r.id || msg.Fix == "" {
		t.Fatalf("got %#v, want the QueryFixMsg of run %d", msg, m.r.id)
	}
	stale := msg
	stale.Run, stale.Fix = m.r.id-1, `{"Statement": "stale"}`
	mm, _ = m.Update(stale)
	m = mm.(Model)
	if strings.Contains(m.explain.Fix(), "stale") {
		t.Errorf("a fix of an earlier run reached the panel: %s", m.explain.Fix())
	}
	mm, _ = m.Update(msg)
	m = mm.(Model)
	if got := m.explain.Fix(); got != msg.Fix {
		t.Errorf("panel fix %q, want %q", got, msg.Fix)
	}
	text := strings.Join(m.explain.Lines(), "\n")
	for _, want := range []string{"fixes the whole query", "note: a note", "The grant check said:"} {
		if !strings.Contains(text, want) {
			t.Errorf("the panel lacks %q:\n%s", want, text)
		}
	}
}

// drive updates m with msg and follows the commands that come back, to a
// depth; a command that takes longer than a moment (a tick, which waits
// 200 ms) is left behind.
func drive(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	mm, cmd := m.Update(msg)
	m = mm.(Model)
	for depth := 0; cmd != nil && depth < 6; depth++ {
		var cmds []tea.Cmd
		for _, r := range quick(cmd) {
			mm, c := m.Update(r)
			m = mm.(Model)
			cmds = append(cmds, c)
		}
		cmd = tea.Batch(cmds...)
	}
	return m
}

// quick runs cmd (each command of a batch) and returns the messages that
// arrive within 100 ms, in the batch's order.
func quick(cmd tea.Cmd) []tea.Msg {
	msg := cmd()
	b, ok := msg.(tea.BatchMsg)
	if !ok {
		if msg == nil {
			return nil
		}
		return []tea.Msg{msg}
	}
	chans := make([]chan tea.Msg, len(b))
	for i, c := range b {
		chans[i] = make(chan tea.Msg, 1)
		go func(c tea.Cmd, ch chan tea.Msg) {
			if c != nil {
				ch <- c()
			}
		}(c, chans[i])
	}
	var out []tea.Msg
	deadline := time.Now().Add(100 * time.Millisecond)
	for _, ch := range chans {
		select {
		case r := <-ch:
			if r != nil {
				out = append(out, r)
			}
		case <-time.After(time.Until(deadline)):
		}
	}
	return out
}

// The elapsed time on the status line moves while the query runs (a tick
// of the current run), and stops with it; a tick of another run is
// dropped.
func TestElapsedTicksWhileTheQueryRuns(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	m := New(Config{Engine: fakeEngine{}, Keys: keys.Default(), Theme: theme.New(theme.Options{NoColor: true}), Now: clock})
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m = mm.(Model)
	mm, cmd := m.startRun(statement{sql: "SELECT 1"}, nil, 1, 0)
	m = mm.(Model)
	if cmd == nil {
		t.Fatal("starting a run gave no command")
	}
	now = now.Add(2500 * time.Millisecond)
	mm, next := m.Update(TickMsg{Run: m.r.id})
	m = mm.(Model)
	if got := m.status.Query().Elapsed; got != 2500*time.Millisecond || next == nil {
		t.Fatalf("after a tick: elapsed %v (next tick %v), want 2.5s and another tick", got, next != nil)
	}
	if !strings.Contains(ansi.Strip(m.status.View()), "2.5s") {
		t.Errorf("the status line does not show 2.5s: %q", ansi.Strip(m.status.View()))
	}
	now = now.Add(time.Second)
	if _, c := m.Update(TickMsg{Run: m.r.id - 1}); c != nil {
		t.Error("a tick of an earlier run asked for another")
	}
	mm, _ = m.Update(QueryDoneMsg{Run: m.r.id, Progress: Progress{ID: "id", State: "FAILED", Elapsed: 3 * time.Second}, Err: errors.New("boom")})
	m = mm.(Model)
	now = now.Add(time.Minute)
	mm, next = m.Update(TickMsg{Run: m.r.id})
	m = mm.(Model)
	if got := m.status.Query().Elapsed; got != 3*time.Second || next != nil {
		t.Fatalf("after the query ended: elapsed %v (next tick %v), want Athena's 3s and no more ticks", got, next != nil)
	}
}

// The doctor runs from the explanation panel and its report shows there;
// the report of an earlier run is dropped.
func TestDoctorFromTheExplanationPanel(t *testing.T) {
	m := newModel(nil)
	mm, _ := m.Update(tea.KeyPressMsg{Code: tea.KeyF8})
	m = mm.(Model)
	if !strings.Contains(ansi.Strip(m.Render()), "d/f6 runs `quiltq doctor`") {
		t.Fatalf("the panel does not offer the doctor:\n%s", ansi.Strip(m.Render()))
	}
	mm, cmd := m.Update(tea.KeyPressMsg{Code: 'd', Text: "d"})
	m = mm.(Model)
	req, ok := cmd().(explain.DoctorRequestMsg)
	if !ok {
		t.Fatalf("d gave %T, want a doctor request", req)
	}
	mm, cmd = m.Update(req)
	m = mm.(Model)
	if !strings.Contains(ansi.Strip(m.Render()), "running the probes") || cmd == nil {
		t.Fatalf("the panel does not say the probes run:\n%s", ansi.Strip(m.Render()))
	}
	rep := cmd().(DoctorMsg)
	if rep.Run != m.doctorRun {
		t.Fatalf("the report is of run %d, want %d", rep.Run, m.doctorRun)
	}
	stale := DoctorMsg{Run: rep.Run - 1, Report: "STALE REPORT"}
	mm, _ = m.Update(stale)
	m = mm.(Model)
	mm, _ = m.Update(rep)
	m = mm.(Model)
	v := ansi.Strip(m.Render())
	if !strings.Contains(v, "identity  ok") || !strings.Contains(v, "Doctor (d/f6 runs it again)") || strings.Contains(v, "STALE") {
		t.Fatalf("the panel does not show the current report alone:\n%s", v)
	}
}

// Help scrolls when it does not fit, and shows a remapped key.
func TestHelpScrollsAndShowsRemappedKeys(t *testing.T) {
	km := keys.Default()
	if err := km.Remap(map[string][]string{"global.run": {"f9", "ctrl+g"}}); err != nil {
		t.Fatal(err)
	}
	m := New(Config{Engine: fakeEngine{}, Keys: km, Theme: theme.New(theme.Options{NoColor: true})})
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 20})
	mm, _ = mm.Update(tea.KeyPressMsg{Code: tea.KeyF1})
	m = mm.(Model)
	first := ansi.Strip(m.Render())
	if !strings.Contains(first, "f9/ctrl+g") || strings.Contains(first, "ctrl+enter/f5") {
		t.Fatalf("help does not show the remapped run keys:\n%s", first)
	}
	if !strings.Contains(first, "lines 1–") || m.helpMaxTop() == 0 {
		t.Fatalf("help at 80x20 does not say it scrolls (max top %d):\n%s", m.helpMaxTop(), first)
	}
	if strings.Contains(first, "Help") && strings.Contains(first, "scroll down") {
		t.Fatalf("the help's own keys, at the end, are on the first screen:\n%s", first)
	}
	for i := 0; i < 20; i++ {
		mm, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyPgDown})
		m = mm.(Model)
	}
	last := ansi.Strip(m.Render())
	if m.helpTop != m.helpMaxTop() || !strings.Contains(last, "scroll down") {
		t.Fatalf("paging down did not reach the end (top %d of %d):\n%s", m.helpTop, m.helpMaxTop(), last)
	}
	if n := len(strings.Split(last, "\n")); n != 20 {
		t.Errorf("the scrolled help is %d lines, want 20", n)
	}
}

// The mouse is off unless asked for: clicks then focus panes and pick
// rows, the wheel scrolls the pane under the pointer.
func TestMouse(t *testing.T) {
	l := bigListing()
	m := newModel(&l)
	if m.View().MouseMode != tea.MouseModeNone {
		t.Fatal("the mouse is on by default")
	}
	if mm, _ := m.Update(tea.MouseClickMsg{X: 2, Y: 4, Button: tea.MouseLeft}); mm.(Model).focus != focusEditor {
		t.Fatal("a click changed the focus with the mouse off")
	}
	m.cfg.Mouse = true
	if m.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("Mouse does not turn the terminal's mouse reporting on")
	}
	// The catalog is 25 columns wide at 100x30; its rows start at y 2.
	mm, _ := m.Update(tea.MouseClickMsg{X: 3, Y: 2, Button: tea.MouseLeft})
	m = mm.(Model)
	if m.focus != focusCatalog {
		t.Fatalf("a click on the catalog left the focus on %d", m.focus)
	}
	m = drive(t, m, tea.MouseClickMsg{X: 3, Y: 2, Button: tea.MouseLeft}) // again: opens the catalog
	m = drive(t, m, tea.MouseClickMsg{X: 3, Y: 3, Button: tea.MouseLeft}) // db_000
	if v := ansi.Strip(m.catalog.View()); !strings.Contains(v, "▾ AwsDataCatalog") || !strings.Contains(v, "db_000") {
		t.Fatalf("a second click did not open the catalog:\n%s", v)
	}
	before := m.catalog.View()
	mm, _ = m.Update(tea.MouseWheelMsg{X: 3, Y: 10, Button: tea.MouseWheelDown})
	m = mm.(Model)
	if m.catalog.View() == before {
		t.Error("the wheel over the catalog did not scroll it")
	}
	// A click in the editor focuses it and moves the cursor there.
	m.editor.SetValue("SELECT 1\nFROM t")
	mm, _ = m.Update(tea.MouseClickMsg{X: 25 + 1 + 5 + 2, Y: 2, Button: tea.MouseLeft})
	m = mm.(Model)
	if row, col := m.editor.Cursor(); m.focus != focusEditor || row != 0 || col != 2 {
		t.Fatalf("a click in the editor: focus %d, cursor %d:%d; want the editor at 0:2", m.focus, row, col)
	}
}

// The workgroup's saved queries are listed in the history and open into
// the editor.
func TestSavedQueryOpensIntoTheEditor(t *testing.T) {
	m := newModel(nil)
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyF7})
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyTab})
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyTab})
	v := ansi.Strip(m.Render())
	if !strings.Contains(v, "[saved]") || !strings.Contains(v, "Revenue by region") || !strings.Contains(v, "1 saved queries are not shown") {
		t.Fatalf("the saved tab:\n%s", v)
	}
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	if m.focus != focusEditor || m.editor.Value() != "SELECT region, sum(x) FROM t GROUP BY 1" {
		t.Fatalf("enter on a saved query: focus %d, editor %q", m.focus, m.editor.Value())
	}
}

// a in the explanation panel applies the statement shown through the
// engine (the doctor's once it reported), and the outcome reaches the
// status line.
func TestApplyFixFromThePanel(t *testing.T) {
	m := newModel(nil)
	m.cfg.Check = func(string) error {
		return &engine.Error{Op: "grant check", Kind: engine.Denied, Err: errors.New("refused before sending")}
	}
	mm, cmd := m.startRun(statement{sql: "SELECT * FROM t"}, nil, 1, 0)
	m = mm.(Model)
	mm, _ = m.Update(cmd())
	m = mm.(Model)
	mm, cmd = m.Update(tea.KeyPressMsg{Code: 'a', Text: "a"})
	m = mm.(Model)
	if cmd == nil {
		t.Fatal("a in the explanation panel asked for nothing")
	}
	req, ok := cmd().(explain.ApplyRequestMsg)
	if !ok || req.Fix != `{"Statement": "whole"}` {
		t.Fatalf("got %#v, want the whole-query statement applied", req)
	}
	mm, cmd = m.Update(req)
	m = mm.(Model)
	mm, _ = m.Update(cmd())
	m = mm.(Model)
	if v := m.Render(); !strings.Contains(v, "applied") {
		t.Errorf("the status line does not say it was applied:\n%s", v)
	}
	// After the doctor reported, its statement is the one applied.
	mm, _ = m.Update(DoctorMsg{Run: m.doctorRun, Report: "report", Fix: `{"Statement": "doctor"}`})
	m = mm.(Model)
	_, cmd = m.Update(tea.KeyPressMsg{Code: 'a', Text: "a"})
	if req, ok := cmd().(explain.ApplyRequestMsg); !ok || req.Fix != `{"Statement": "doctor"}` {
		t.Errorf("after the doctor: got %#v, want its statement", req)
	}
}

// Help lists every binding of every group that is bound, so that every
// action can be found from F1.
func TestHelpListsEveryBinding(t *testing.T) {
	km := keys.Default()
	if err := km.Remap(map[string][]string{"results.export": nil}); err != nil {
		t.Fatal(err)
	}
	m := New(Config{Engine: fakeEngine{}, Keys: km, Theme: theme.New(theme.Options{NoColor: true})})
	text := ansi.Strip(strings.Join(m.helpLines(1000), "\n"))
	keyW := 0
	for _, e := range km.Entries() {
		if e.Binding.Enabled() {
			keyW = max(keyW, len([]rune(e.Binding.Help().Key)))
		}
	}
	for _, e := range km.Entries() {
		h := e.Binding.Help()
		line := h.Key + strings.Repeat(" ", max(keyW-len([]rune(h.Key)), 0)) + " " + h.Desc
		if got := strings.Contains(text, line); got != e.Binding.Enabled() {
			t.Errorf("%s.%s (bound %v): listed %v", e.Group, e.Name, e.Binding.Enabled(), got)
		}
	}
	for _, g := range []string{"Global", "Editor", "Results", "Catalog", "History", "Explain", "Confirm", "Help"} {
		if !strings.Contains(text, "\n"+g+"\n") && !strings.HasPrefix(text, g+"\n") {
			t.Errorf("help has no group %s", g)
		}
	}
}
