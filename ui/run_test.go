package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/results"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

// scriptEngine is fakeEngine with the query lifecycle scripted by a test:
// each hook, when set, replaces the fake's answer. It records the queries
// started and those stopped (a Wait whose context had ended), as the real
// engine stops them.
type scriptEngine struct {
	fakeEngine
	start func(ctx context.Context, sql string) (string, error)
	wait  func(ctx context.Context, id string) (Progress, error)
	open  func(ctx context.Context, id string) (results.Rows, error)
	guard func(sql string) Guard
	reuse time.Duration // the profile's reuse

	mu      sync.Mutex
	sent    []string
	subs    []Submission
	stopped []string
}

func (e *scriptEngine) Start(ctx context.Context, q Submission) (string, error) {
	e.mu.Lock()
	e.sent = append(e.sent, q.SQL)
	e.subs = append(e.subs, q)
	n := len(e.sent)
	e.mu.Unlock()
	if e.start != nil {
		return e.start(ctx, q.SQL)
	}
	return fmt.Sprintf("q%d", n), nil
}

func (e *scriptEngine) Guard(sql string) Guard {
	if e.guard != nil {
		return e.guard(sql)
	}
	return Guard{}
}

func (e *scriptEngine) Reuse() time.Duration { return e.reuse }

// submissions are the statements started, as they were sent.
func (e *scriptEngine) submissions() []Submission {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Submission(nil), e.subs...)
}

func (e *scriptEngine) Wait(ctx context.Context, id string, progress func(Progress)) (Progress, error) {
	if ctx.Err() != nil {
		e.mu.Lock()
		e.stopped = append(e.stopped, id)
		e.mu.Unlock()
		return Progress{ID: id, State: "CANCELLED"}, &engine.Error{Op: "wait", Kind: engine.Canceled, Err: ctx.Err()}
	}
	if e.wait != nil {
		p, err := e.wait(ctx, id)
		if engine.KindOf(err) == engine.Canceled {
			e.mu.Lock()
			e.stopped = append(e.stopped, id)
			e.mu.Unlock()
		}
		return p, err
	}
	return Progress{ID: id, State: "SUCCEEDED", Elapsed: time.Second, Scanned: 1 << 20, Cost: engine.Cost(1<<20, 5)}, nil
}

func (e *scriptEngine) Open(ctx context.Context, id string) (results.Rows, error) {
	if e.open != nil {
		return e.open(ctx, id)
	}
	return &slowRows{ctx: ctx, n: 3}, nil
}

func (e *scriptEngine) sentSQL() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.sent...)
}

func (e *scriptEngine) stoppedIDs() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.stopped...)
}

// untilCancelled is a Wait that runs until its context ends, as a long
// query does, and is then stopped.
func untilCancelled(ctx context.Context, id string) (Progress, error) {
	<-ctx.Done()
	return Progress{ID: id, State: "CANCELLED"}, &engine.Error{Op: "wait", Kind: engine.Canceled, Err: ctx.Err()}
}

// slowRows is a result stream of n rows, one every delay, that ends with
// its context as the engine's streams do (their reads are requests bound
// to it).
type slowRows struct {
	ctx    context.Context
	n, i   int
	delay  time.Duration
	closed atomic.Bool
}

func (r *slowRows) Columns() []engine.Column { return []engine.Column{{Name: "n", Type: "bigint"}} }

func (r *slowRows) Next() (engine.Row, error) {
	if r.i >= r.n {
		return nil, io.EOF
	}
	select {
	case <-r.ctx.Done():
		return nil, &engine.Error{Op: "read results", Kind: engine.Canceled, Err: r.ctx.Err()}
	case <-time.After(r.delay):
	}
	r.i++
	return engine.Row{{Text: fmt.Sprint(r.i)}}, nil
}

func (r *slowRows) Close() error { r.closed.Store(true); return nil }

// watched wraps the workbench for teatest: what it shows after each
// update is kept for the test to read (teatest's output holds the
// renderer's diffs, not screens).
type watched struct {
	m    Model
	last *atomic.Pointer[string]
	esc  *atomic.Pointer[string] // the screen right after the last esc
}

func (w watched) Init() tea.Cmd { return w.m.Init() }

func (w watched) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := w.m.Update(msg)
	w.m = m.(Model)
	text := ansi.Strip(w.m.Render())
	w.last.Store(&text)
	if k, ok := msg.(tea.KeyPressMsg); ok && k.Code == tea.KeyEscape {
		w.esc.Store(&text)
	}
	return w, cmd
}

func (w watched) View() tea.View { return w.m.View() }

// flow is the workbench on eng driven by teatest at 100×30.
type flow struct {
	t         *testing.T
	tm        *teatest.TestModel
	last, esc *atomic.Pointer[string]
}

func startFlow(t *testing.T, cfg Config) *flow {
	t.Helper()
	if cfg.Keys.Global.Run.Keys() == nil {
		cfg.Keys = keys.Default()
	}
	if cfg.Engine == nil {
		cfg.Engine = fakeEngine{}
	}
	cfg.Theme = theme.New(theme.Options{NoColor: true})
	cfg.Identity = status.Identity{User: "ana", Role: "r", Workgroup: "wg", Catalog: "AwsDataCatalog"}
	f := &flow{t: t, last: &atomic.Pointer[string]{}, esc: &atomic.Pointer[string]{}}
	f.tm = teatest.NewTestModel(t, watched{m: New(cfg), last: f.last, esc: f.esc}, teatest.WithInitialTermSize(100, 30))
	t.Cleanup(func() { f.tm.Quit() })
	return f
}

func (f *flow) screen() string {
	if p := f.last.Load(); p != nil {
		return *p
	}
	return ""
}

// waitFor waits up to within for the screen to show every one of want.
func (f *flow) waitFor(within time.Duration, want ...string) string {
	f.t.Helper()
	deadline := time.Now().Add(within)
	for {
		s := f.screen()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("within %v the screen never showed %q; it shows:\n%s", within, want, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (f *flow) key(code rune) { f.tm.Send(tea.KeyPressMsg{Code: code}) }

// Esc while rows stream in stops the fetch at once (the screen drawn
// for the esc itself says so: no reply of the stream is awaited, however
// slow it is), keeps the rows received and says so: the query had
// finished, so it is not CANCELLING, and the fetch did not fail. The
// stream is closed.
func TestEscWhileRowsStreamStopsTheFetch(t *testing.T) {
	var stream atomic.Pointer[slowRows]
	eng := &scriptEngine{open: func(ctx context.Context, id string) (results.Rows, error) {
		r := &slowRows{ctx: ctx, n: 100000, delay: 2 * time.Millisecond}
		stream.Store(r)
		return r, nil
	}}
	f := startFlow(t, Config{Engine: eng})
	f.tm.Type("SELECT n FROM numbers")
	f.key(tea.KeyF5)
	f.waitFor(10*time.Second, "SUCCEEDED", "rows", "receiving…")
	f.key(tea.KeyEscape)
	f.waitFor(5*time.Second, "fetch stopped,", "rows kept")
	s := ""
	if p := f.esc.Load(); p != nil {
		s = *p
	}
	if !strings.Contains(s, "fetch stopped,") || !strings.Contains(s, "rows kept") {
		t.Errorf("the screen drawn for esc does not say the fetch stopped:\n%s", s)
	}
	s = f.screen()
	for _, bad := range []string{"CANCELLING", "fetch failed", "receiving…"} {
		if strings.Contains(s, bad) {
			t.Errorf("after esc the screen says %q:\n%s", bad, s)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for r := stream.Load(); !r.closed.Load(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the result stream was never closed")
		}
	}
}

// Esc while the query runs stops it on Athena and ends as CANCELLED,
// recorded in the history as cancelled.
func TestEscWhileTheQueryRunsCancelsIt(t *testing.T) {
	eng := &scriptEngine{wait: untilCancelled}
	f := startFlow(t, Config{Engine: eng})
	f.tm.Type("SELECT 1")
	f.key(tea.KeyF5)
	f.waitFor(5*time.Second, "QUEUED")
	f.key(tea.KeyEscape)
	f.waitFor(5*time.Second, "CANCELLED", "stopped on Athena")
	if got := eng.stoppedIDs(); len(got) != 1 || got[0] != "q1" {
		t.Errorf("stopped %v, want q1", got)
	}
	f.key(tea.KeyF7)
	f.waitFor(5*time.Second, "CANCELLED", "SELECT 1", "cancelled by the user")
}

// askWhileRunning runs SELECT 1 on eng and presses F5 again while its
// query is queued: the workbench asks before it stops it.
func askWhileRunning(t *testing.T, eng Engine) *flow {
	f := startFlow(t, Config{Engine: eng})
	f.tm.Type("SELECT 1")
	f.key(tea.KeyF5)
	f.waitFor(5*time.Second, "QUEUED", "esc cancel")
	f.key(tea.KeyF5)
	f.waitFor(5*time.Second, "a query is running: stop it and run this? y/n")
	return f
}

// F5 while a query runs asks before it stops it: no keeps it running and
// starts nothing; yes stops it (on Athena), records it as cancelled and
// runs the new SQL.
func TestRunWhileRunningAsks(t *testing.T) {
	eng := &scriptEngine{wait: func(ctx context.Context, id string) (Progress, error) {
		if id == "q1" {
			return untilCancelled(ctx, id)
		}
		return Progress{ID: id, State: "SUCCEEDED"}, nil
	}}
	f := askWhileRunning(t, eng)
	f.tm.Type("n")
	f.waitFor(5*time.Second, "kept the running query")
	if got := eng.sentSQL(); len(got) != 1 || len(eng.stoppedIDs()) != 0 {
		t.Fatalf("after n: sent %q, stopped %v; want the first query alone, still running", got, eng.stoppedIDs())
	}
	f.key(tea.KeyF5)
	f.waitFor(5*time.Second, "stop it and run this?")
	f.tm.Type("x") // not an answer: the question stays, the key is not typed
	f.tm.Type("y")
	f.waitFor(5*time.Second, "SUCCEEDED")
	if got := eng.sentSQL(); len(got) != 2 || got[1] != "SELECT 1" {
		t.Fatalf("after y: sent %q, want the query twice", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(eng.stoppedIDs()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the replaced query q1 was never stopped")
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.key(tea.KeyF7)
	f.waitFor(5*time.Second, "CANCELLED", "SUCCEEDED")
}

// A run that ends on its own while the question about it is open changes
// the question (nothing is left to stop), and yes then runs the new SQL
// without stopping or recording anything of the run that ended.
func TestQuestionOutlivesTheRun(t *testing.T) {
	release := make(chan struct{})
	eng := &scriptEngine{wait: func(ctx context.Context, id string) (Progress, error) {
		if id == "q1" {
			select {
			case <-release:
			case <-ctx.Done():
				return Progress{ID: id, State: "CANCELLED"}, ctx.Err()
			}
		}
		return Progress{ID: id, State: "SUCCEEDED"}, nil
	}}
	f := askWhileRunning(t, eng)
	close(release)
	f.waitFor(5*time.Second, "the last run has ended: run this now? y/n")
	f.tm.Type("y")
	f.waitFor(5*time.Second, "SUCCEEDED")
	deadline := time.Now().Add(5 * time.Second)
	for len(eng.sentSQL()) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("after y: sent %q, want the query twice", eng.sentSQL())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := eng.stoppedIDs(); len(got) != 0 {
		t.Fatalf("stopped %v; the first run had ended, nothing was to be stopped", got)
	}
}

// model is the workbench on eng at w×h, sized, without teatest.
func model(eng Engine, w, h int, edit func(*Config)) Model {
	cfg := Config{Engine: eng, Keys: keys.Default(), Theme: theme.New(theme.Options{NoColor: true}),
		Identity: status.Identity{User: "ana", Role: "r", Workgroup: "wg", Catalog: "AwsDataCatalog"}}
	if edit != nil {
		edit(&cfg)
	}
	mm, _ := New(cfg).Update(tea.WindowSizeMsg{Width: w, Height: h})
	return mm.(Model)
}

// run types sql into the editor and runs it (F5), following every reply.
func runSQL(t *testing.T, m Model, sql string) Model {
	t.Helper()
	m.editor.SetValue(sql)
	m.setFocus(focusEditor)
	return drive(t, m, tea.KeyPressMsg{Code: tea.KeyF5})
}

// A syntax error is a syntax error, whoever finds it: the local parse
// (the grant check's *engine.SyntaxError), Athena refusing the statement
// at StartQueryExecution, or Athena failing it with SYNTAX_ERROR. Each
// has its state, the message with its position, the line with a caret,
// the mark kept for the editor, and its place in the history; none is
// shown as REFUSED.
func TestSyntaxErrorsAreSyntaxErrors(t *testing.T) {
	local := func(*Config) {}
	for _, c := range []struct {
		name      string
		eng       *scriptEngine
		check     func(string) error
		sql       string
		line, col int
		message   string
		sent      int
		// where the status line and the grid place it in the buffer,
		// when that is not where it is in the statement
		where, gridWhere string
		caretCol         int // the caret's column in the buffer (0: col)
	}{
		{"local", &scriptEngine{}, func(string) error {
			return &engine.Error{Op: "grant check", Kind: engine.Invalid, Err: &engine.SyntaxError{Line: 1, Column: 1, Message: "SELEC does not start a statement"}}
		}, "\n  SELEC 1", 1, 1, "SELEC does not start a statement", 0, "line 2:3 (1:1 in the statement)", "line 2, column 3 (line 1, column 1 of the statement)", 3},
		{"at StartQueryExecution", &scriptEngine{start: func(context.Context, string) (string, error) {
			return "", &engine.Error{Op: "start query", Kind: engine.Invalid, Err: errors.New("InvalidRequestException: line 1:10: mismatched input 'FORM'. Expecting: <EOF>")}
		}}, nil, "SELECT * FORM t", 1, 10, "mismatched input 'FORM'. Expecting: <EOF>", 1, "", "", 0},
		{"FAILED with SYNTAX_ERROR", &scriptEngine{wait: func(_ context.Context, id string) (Progress, error) {
			return Progress{ID: id, State: "FAILED"}, &engine.Error{Op: "query " + id, Kind: engine.Failed, Err: errors.New("SYNTAX_ERROR: line 2:8: Column 'x' cannot be resolved")}
		}}, nil, "SELECT 1\nWHERE x = 1;\n", 2, 8, "Column 'x' cannot be resolved", 1, "", "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := model(c.eng, 100, 30, local)
			m.cfg.Check = c.check
			m = runSQL(t, m, c.sql)
			v := m.Render()
			where, gridWhere := fmt.Sprintf("line %d:%d", c.line, c.col), fmt.Sprintf("line %d, column %d", c.line, c.col)
			if c.where != "" {
				where, gridWhere = c.where, c.gridWhere
			}
			if q := m.status.Query(); q.State != "SYNTAX ERROR" || !strings.Contains(q.Note, where+": "+c.message) {
				t.Errorf("status %+v, want SYNTAX ERROR with line %d:%d", q, c.line, c.col)
			}
			if strings.Contains(v, "REFUSED") || strings.Contains(v, "Refused") {
				t.Errorf("a syntax error is shown as a refusal:\n%s", v)
			}
			if want := "Syntax error at " + gridWhere + ": "; !strings.Contains(v, want) {
				t.Errorf("the grid does not say %q:\n%s", want, v)
			}
			cc := c.col
			if c.caretCol > 0 {
				cc = c.caretCol
			}
			caret := strings.Repeat(" ", cc-1) + "^"
			if !strings.Contains(v, "│ "+caret) {
				t.Errorf("no caret under column %d:\n%s", c.col, v)
			}
			mark, ok := m.Syntax()
			if !ok || mark.Line != c.line || mark.Column != c.col || mark.Message != c.message {
				t.Errorf("mark %+v (%v), want %d:%d %q", mark, ok, c.line, c.col, c.message)
			}
			if start := strings.Index(c.sql, strings.TrimSpace(c.sql)); mark.Span != [2]int{start, start + len(strings.TrimSuffix(strings.TrimSpace(c.sql), ";"))} {
				t.Errorf("span %v: not where the SQL run is in the editor's text %q", mark.Span, c.sql)
			}
			if got := len(c.eng.sentSQL()); got != c.sent {
				t.Errorf("%d queries sent, want %d", got, c.sent)
			}
			if sh := m.history.Shown(); len(sh) != 1 || sh[0].State != history.SyntaxError || m.focus != focusEditor {
				t.Errorf("history %+v, focus %d; want one SYNTAX ERROR entry and the editor focused", sh, m.focus)
			}
		})
	}
}

// An editor with nothing but whitespace, comments and semicolons runs
// nothing, and says so.
func TestEmptyBufferRunsNothing(t *testing.T) {
	for text, want := range map[string]string{
		"":                        "nothing to run: the editor is empty",
		"  \n\t":                  "nothing to run: the editor is empty",
		"-- a note\n/* more */ ;": "nothing to run: the editor holds only comments",
	} {
		eng := &scriptEngine{}
		m := runSQL(t, model(eng, 100, 30, nil), text)
		if note := m.status.Query().Note; note != want+"; write a query first" || len(eng.sentSQL()) != 0 || m.Running() {
			t.Errorf("%q: note %q, sent %q; want %q and nothing sent", text, note, eng.sentSQL(), want)
		}
	}
}

// Every run is recorded with its outcome, its time and its query ID when
// it has one: refused locally, refused by AWS, failed, succeeded, and
// kept on disk.
func TestEveryRunIsRecorded(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	store := history.NewStore(t.TempDir(), "arn:aws:sts::1:assumed-role/r/ana")
	eng := &scriptEngine{wait: func(_ context.Context, id string) (Progress, error) {
		switch id {
		case "q1":
			return Progress{ID: id, State: "FAILED"}, &engine.Error{Op: "query q1", Kind: engine.Failed, Err: errors.New("HIVE_BAD_DATA: bad row")}
		case "q2":
			return Progress{ID: id, State: "FAILED"}, &engine.Error{Op: "query q2", Kind: engine.Denied, Err: errors.New("AccessDeniedException: not authorized to perform: glue:GetTable")}
		}
		return Progress{ID: id, State: "SUCCEEDED", Scanned: 2048}, nil
	}}
	m := model(eng, 100, 30, func(c *Config) {
		c.History = store
		c.Now = func() time.Time { return now }
		c.Check = func(sql string) error {
			if strings.Contains(sql, "secret") {
				return &engine.Error{Op: "grant check", Kind: engine.Denied, Err: errors.New("the Quilt role does not grant bucket secret")}
			}
			return nil
		}
	})
	for _, sql := range []string{"SELECT * FROM secret.t", "SELECT bad", "SELECT * FROM sales.orders", "SELECT 1"} {
		m = runSQL(t, m, sql)
	}
	want := []history.Entry{
		{ID: "q3", SQL: "SELECT 1", State: "SUCCEEDED", Scanned: 2048},
		{ID: "q2", SQL: "SELECT * FROM sales.orders", State: "REFUSED", Message: "AccessDeniedException: not authorized to perform: glue:GetTable"},
		{ID: "q1", SQL: "SELECT bad", State: "FAILED", Message: "query q1: HIVE_BAD_DATA: bad row"},
		{SQL: "SELECT * FROM secret.t", State: "REFUSED", Message: "grant check: the Quilt role does not grant bucket secret"},
	}
	kept, err := store.Load()
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]history.Entry{"shown": m.history.Shown(), "kept": kept} {
		if len(got) != len(want) {
			t.Fatalf("%s: %d entries %+v, want %d", name, len(got), got, len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.ID != w.ID || g.SQL != w.SQL || g.State != w.State || g.Scanned != w.Scanned || !strings.Contains(g.Message, w.Message) || !g.Submitted.Equal(now) || g.Workgroup != "wg" {
				t.Errorf("%s entry %d: got %+v, want %+v at %v in wg", name, i, g, w, now)
			}
		}
	}
}

// ctrl+c with nothing running says how to quit and how to copy.
func TestCtrlCWithNothingRunningGivesAHint(t *testing.T) {
	m := model(&scriptEngine{}, 100, 30, nil)
	m = drive(t, m, tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	note := m.status.Query().Note
	for _, want := range []string{"nothing is running", "ctrl+q/f10 quits", "y copies a cell"} {
		if !strings.Contains(note, want) {
			t.Errorf("the hint %q lacks %q", note, want)
		}
	}
}
