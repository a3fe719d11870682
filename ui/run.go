package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sqlref"
	"github.com/quiltq/quiltq/ui/editor"
	"github.com/quiltq/quiltq/ui/explain"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/results"
	"github.com/quiltq/quiltq/ui/status"
)

// phase is where the current run stands.
type phase int

const (
	idle       phase = iota // no run under way
	submitting              // StartQueryExecution is on its way
	waiting                 // Athena runs the query
	fetching                // the query succeeded; its rows stream in
	cancelling              // Athena was asked to stop the query
)

// run is the current run: one statement sent (or refused before), or a
// past query's results reopened. A run of several statements (run all,
// or a selection holding more than one) is a run per statement, one
// after the other: rest is what is still to run, and each statement's
// result goes to a result tab of its own.
type run struct {
	id       int // replies of other runs are stale
	phase    phase
	sql      string // "" for a reopen, which history does not record
	span     [2]int // where sql is in the buffer it was taken from
	editor   int    // the ID of the editor it was taken from (0: none)
	tab      int    // the key of the result tab its result goes to
	queryID  string
	started  time.Time
	cancel   context.CancelFunc // stops the run (its query, its fetch)
	ctx      context.Context    // the run's context, which cancel ends
	recorded bool               // its outcome is in the history

	rest   []statement // the statements still to run after this one
	n, of  int         // this is statement n of of (of is 1 for a lone run)
	line   int         // the buffer line the statement starts on (0: not from a buffer)
	col    int         // and its column there
	failed bool        // it ended otherwise than with all its rows
	reopen bool        // a past query's results reopened, not a run
}

// statement is one statement to run: its SQL and where it is in its
// buffer.
type statement struct {
	sql       string
	span      [2]int
	line, col int // where it starts in the buffer, 1-based (col in characters)
}

// pendingRun is a run asked for while another is under way: it waits
// for the user's answer.
type pendingRun struct {
	stmts     []statement // the statements to run, in order
	whole     string      // the buffer they were taken from (to say why nothing runs)
	editor    int         // the editor they are in
	reopenID  string      // reopen this query's results instead
	reopenSQL string      // the SQL of the query reopened, shown beside its result
	preview   string      // put this SQL in the editor and run it
}

// SyntaxMark is a syntax error of a run, where the editor marks it: Span
// is the byte range of the SQL that ran within the buffer it was taken
// from, and Line and Column (1-based, 0 when unknown) are within that
// SQL, as the local parse and Athena count them.
type SyntaxMark struct {
	Span         [2]int
	Line, Column int
	Message      string
}

// requestRun starts p, or, when a run is under way, asks first: a
// running query is never dropped silently.
func (m Model) requestRun(p pendingRun) (tea.Model, tea.Cmd) {
	if m.r.phase == idle {
		return m.begin(p)
	}
	m.confirm = &p
	return m, nil
}

// question is what the workbench asks while a run waits for an answer.
func (m Model) question() string {
	what := "run this"
	switch {
	case m.confirm.reopenID != "":
		what = "reopen " + m.confirm.reopenID
	case m.confirm.preview != "":
		what = "run the preview"
	case len(m.confirm.stmts) > 1:
		what = fmt.Sprintf("run these %d statements", len(m.confirm.stmts))
	}
	yes, no := m.km.Confirm.Yes.Help().Key, m.km.Confirm.No.Help().Key
	switch m.r.phase {
	case idle: // the run ended on its own while the question was open
		return fmt.Sprintf("the last run has ended: %s now? %s/%s", what, yes, no)
	case fetching:
		return fmt.Sprintf("rows are still arriving: stop them and %s? %s/%s", what, yes, no)
	}
	return fmt.Sprintf("a query is running: stop it and %s? %s/%s", what, yes, no)
}

// answer takes the answer to the question: yes stops the current run and
// starts the one waiting, no (or cancel) keeps the current run; any
// other key leaves the question open.
func (m Model) answer(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.km.Confirm.Yes):
		p := *m.confirm
		m.confirm = nil
		if m.r.phase != idle {
			m.abandon()
		}
		return m.begin(p)
	case key.Matches(k, m.km.Confirm.No, m.km.Global.Cancel):
		m.confirm = nil
		if m.r.phase == idle {
			m.status.SetNote("nothing new was started")
		} else {
			m.status.SetNote("kept the running query; nothing new was started")
		}
	}
	return m, nil
}

// abandon gives up the current run for a new one: its query is stopped
// on Athena (Wait stops it when the context ends), its replies are stale
// from the next run on, and it is recorded as cancelled.
func (m *Model) abandon() {
	if m.r.cancel != nil {
		m.r.cancel()
	}
	if m.r.phase != fetching {
		m.record(history.Cancelled, Progress{}, "stopped for a new run")
	}
	m.stop()
}

func (m Model) begin(p pendingRun) (tea.Model, tea.Cmd) {
	if p.reopenID != "" {
		return m.reopen(p.reopenID, p.reopenSQL)
	}
	if p.preview != "" {
		m.openPreview(p.preview)
		p = m.statementRun(false)
	}
	if len(p.stmts) == 0 {
		what := "the editor is empty"
		if strings.TrimSpace(p.whole) != "" {
			what = "the editor holds only comments"
		}
		m.status.SetNote("nothing to run: " + what + "; write a query first")
		return m, nil
	}
	return m.startRun(p.stmts[0], p.stmts[1:], len(p.stmts), p.editor)
}

// openSQL puts sql in the editor: in the active buffer when it is blank,
// else in a new tab called name, so that the user's text is never
// overwritten.
func (m *Model) openSQL(name, sql string) {
	if strings.TrimSpace(m.editor.Value()) == "" {
		m.editor.SetValue(sql)
		return
	}
	m.editor = m.tabs.bar.Add(m.editor, name, sql)
	m.setFocus(m.focus)
}

// openPreview puts a catalog preview's SQL in the editor as openSQL
// does, except that a tab holding the last preview untouched (still named
// preview, its text the one the preview put there) is reused: browsing
// the catalog does not leave a tab per table. Undo brings the previous
// preview back.
func (m *Model) openPreview(sql string) {
	const name = "preview"
	names, active := m.tabs.bar.Names(), m.tabs.bar.Active()
	if active < len(names) && names[active] == name && m.editor.ID() == m.previewed.editor && m.editor.Value() == m.previewed.sql {
		m.editor.SetValue(sql)
	} else {
		m.openSQL(name, sql)
	}
	m.previewed.editor, m.previewed.sql = m.editor.ID(), m.editor.Value()
}

// statementRun is what the run keys run from the active editor: the
// selection when there is one (each of its statements in turn), else the
// statement under the cursor; with all, every statement of the buffer.
func (m Model) statementRun(all bool) pendingRun {
	p := pendingRun{whole: m.editor.Value(), editor: m.editor.ID()}
	var stmts []editor.Statement
	switch {
	case all:
		stmts = m.editor.Statements()
	default:
		sql, span := m.editor.Current()
		if sql == "" {
			break
		}
		// A selection may hold several statements: they run one by one,
		// as Athena takes one statement a query.
		for _, s := range sqlref.Split(sql) {
			stmts = append(stmts, editor.Statement{SQL: s.Text, Span: editor.Span{Start: span.Start + s.Start, End: span.Start + s.End}})
		}
		if len(stmts) == 0 {
			stmts = []editor.Statement{{SQL: sql, Span: span}}
		}
	}
	v := p.whole
	for _, s := range stmts {
		sql, sp := runnable(s.SQL)
		if sql == "" {
			continue
		}
		start := s.Span.Start + sp[0]
		head := v[:min(start, len(v))]
		p.stmts = append(p.stmts, statement{sql: sql, span: [2]int{start, s.Span.Start + sp[1]},
			line: strings.Count(head, "\n") + 1, col: utf8.RuneCountInString(head[strings.LastIndex(head, "\n")+1:]) + 1})
	}
	return p
}

// runnable is the SQL of text to send, and its byte range in text: text
// less the whitespace around it and a final ";". It is "" when text holds
// nothing but whitespace, comments and semicolons.
func runnable(text string) (sql string, span [2]int) {
	start := len(text) - len(strings.TrimLeft(text, " \t\r\n"))
	end := len(strings.TrimRight(text, " \t\r\n"))
	if start >= end {
		return "", [2]int{}
	}
	sql = strings.TrimSpace(strings.TrimSuffix(text[start:end], ";"))
	if toks, err := sqlref.Lex(sql); err == nil {
		empty := true
		for _, t := range sqlref.Significant(toks) {
			empty = empty && t.IsOp(";")
		}
		if empty {
			return "", [2]int{}
		}
	}
	return sql, [2]int{start, start + len(sql)}
}

// startRun checks statement st locally and submits it (guard: after the
// user's yes to a destructive one, with the values of its ? placeholders)
// as a new run, the
// n-th of a run of of statements with rest still to come. Its result goes
// to a result tab: the one shown for a lone statement, a tab of its own
// for each statement of several.
func (m Model) startRun(st statement, rest []statement, of, editorID int) (tea.Model, tea.Cmd) {
	n := of - len(rest)
	m.r = run{id: m.r.id + 1, sql: st.sql, span: st.span, editor: editorID, started: m.now(), rest: rest, n: n, of: of, line: st.line, col: st.col}
	m.syntax = nil
	m.onEditor(editorID, func(e *editor.Model) {
		e.ClearMark()
		e.SetRunning(editor.Span{Start: st.span[0], End: st.span[1]})
	})
	m.r.tab = m.resultTab(st.sql, of == 1 && m.eng.Guard(st.sql).Destructive)
	if m.cfg.Check != nil {
		if err := m.cfg.Check(st.sql); err != nil {
			return m.notSent(err)
		}
	}
	return m.guard()
}

// resultTab opens the result tab of the current run and returns its key:
// for a lone statement the tab shown (its result replaces the one there),
// unless own (a destructive statement, which asks first and may well not
// run: the result shown stays whatever the answer); for the first of
// several, a fresh set of tabs; for the next ones, a tab each, so that
// every statement's result stays to be compared.
func (m *Model) resultTab(sql string, own bool) int {
	title := tabTitle(sql) // the bar numbers the tabs
	var i int
	switch {
	case m.r.of > 1 && m.r.n == 1:
		i = m.results.Index(m.results.Clear(title, sql))
	case m.r.of > 1, own:
		i = m.results.Add(title, sql)
	default:
		i = m.results.Active()
		m.results.SetTitle(i, title)
		m.results.SetSQL(i, sql)
		m.results.ShowSQL(i, false)
	}
	// Not the last result, nor "no result yet: write a query": this
	// statement's is on its way.
	m.results.At(i).SetMessage("", m.runningMessage())
	return m.results.Key(i)
}

// runningMessage is what the current run's result tab says while its
// result is on its way.
func (m Model) runningMessage() string {
	what := "The statement"
	if m.r.of > 1 {
		what = fmt.Sprintf("Statement %d of %d (line %d)", m.r.n, m.r.of, m.r.line)
	}
	return what + " is running: its result comes here (" + m.km.Global.Cancel.Help().Key + " stops it)."
}

// tabTitle names a result tab after its statement: its words, less the
// comment lines that open it (the tab bar cuts it to its width).
func tabTitle(sql string) string {
	lines := strings.Split(sql, "\n")
	for len(lines) > 1 && strings.HasPrefix(strings.TrimSpace(lines[0]), "--") {
		lines = lines[1:]
	}
	return strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
}

// runGrid is the grid of the current run's result tab. A tab the user
// closed meanwhile is opened again (in the empty tab left when the last
// was closed), so that a result never lands in another statement's tab.
func (m *Model) runGrid() *results.Model {
	i := m.results.Index(m.r.tab)
	if i < 0 {
		if m.results.Len() == 1 && m.results.SQL(0) == "" && m.results.QueryID() == "" && len(m.results.Columns()) == 0 {
			i = 0
			m.results.SetTitle(0, tabTitle(m.r.sql))
			m.results.SetSQL(0, m.r.sql)
		} else {
			i = m.results.Add(tabTitle(m.r.sql), m.r.sql)
		}
		m.r.tab = m.results.Key(i)
	}
	return m.results.At(i)
}

// batchNote says where a run of several statements stands ("" for a lone
// statement).
func (m Model) batchNote() string {
	if m.r.of < 2 {
		return ""
	}
	return fmt.Sprintf("statement %d of %d (line %d)", m.r.n, m.r.of, m.r.line)
}

// next starts the next statement of a run of several, once the current
// one has all its rows; it reports false when there is none.
func (m Model) next() (tea.Model, tea.Cmd, bool) {
	if len(m.r.rest) == 0 || m.r.failed {
		return m, nil, false
	}
	mm, cmd := m.startRun(m.r.rest[0], m.r.rest[1:], m.r.of, m.r.editor)
	return mm, cmd, true
}

// batchStopped says, when a run of several statements ends early at the
// current one, which one stopped it and how many were not run.
func (m *Model) batchStopped(why string) {
	m.r.failed = true
	if m.r.of < 2 {
		return
	}
	q := m.status.Query()
	q.Note = fmt.Sprintf("run all stopped at statement %d of %d (line %d): %s", m.r.n, m.r.of, m.r.line, why)
	if n := len(m.r.rest); n > 0 {
		q.Note += fmt.Sprintf("; %d not run", n)
	}
	m.status.SetQuery(q)
}

// readOnlyRefusal is the session's refusal of a write by a read_only
// profile (session.ReadOnlyRefusal), known by its method so that the
// workbench need not import the session.
type readOnlyRefusal interface {
	error
	ReadOnlyProfile() string
}

// notSent ends a run the local check stopped: a syntax error, a refusal
// of the grants (explained, with the statement that would fix it), or SQL
// whose tables cannot be told.
func (m Model) notSent(err error) (tea.Model, tea.Cmd) {
	if se := engine.SyntaxOf(err); se != nil {
		return m.syntaxError(se)
	}
	m.stop()
	msg := firstLine(err)
	var ro readOnlyRefusal
	if errors.As(err, &ro) {
		// Nothing to explain or fix: the profile sends no writes.
		m.status.SetQuery(status.Query{State: history.Refused, Note: "not sent: profile " + ro.ReadOnlyProfile() + " is read_only"})
		m.batchStopped("refused: profile " + ro.ReadOnlyProfile() + " is read_only")
		m.record(history.Refused, Progress{}, msg)
		m.runGrid().SetMessage("", "Not sent: "+ro.Error())
		return m, nil
	}
	note := "not sent: refused by the local grant check"
	if engine.KindOf(err) != engine.Denied {
		note = "not sent: the grant check cannot tell which tables it uses"
	}
	m.status.SetQuery(status.Query{State: history.Refused, Note: note})
	m.batchStopped("refused by the local grant check")
	m.record(history.Refused, Progress{}, msg)
	if engine.KindOf(err) == engine.Denied {
		m.runGrid().SetMessage("", "Not sent: refused by the local grant check; see the explanation ("+m.km.Global.Explain.Help().Key+").")
		m.explain.Set(explain.Local, "", err, m.eng.FixContext())
		m.setFocus(focusExplain)
		return m, queryFix(m.ctx, m.eng, m.r.id, m.r.sql, err)
	}
	m.runGrid().SetMessage("", "Not sent: "+err.Error())
	return m, nil
}

// syntaxError ends the run on SQL that does not parse (locally, or as
// Athena said): its own state, the message with its position, the line
// with a caret, and the error marked in the editor, at its place in the
// buffer (Athena counts lines within the statement sent).
func (m Model) syntaxError(se *engine.SyntaxError) (tea.Model, tea.Cmd) {
	span := m.r.span
	m.onEditor(m.r.editor, func(e *editor.Model) {
		if s, ok := e.Running(); ok {
			span = [2]int{s.Start, s.End} // the statement, moved by the edits made while it ran
		}
	})
	m.stop()
	m.syntax = &SyntaxMark{Span: span, Line: se.Line, Column: se.Column, Message: se.Message}
	where := ""
	if se.Line > 0 {
		where = m.bufferPlace(se.Line, se.Column) + ": "
	}
	m.status.SetQuery(status.Query{ID: m.r.queryID, State: history.SyntaxError, Elapsed: m.status.Query().Elapsed, Note: where + se.Message})
	m.batchStopped("syntax error at " + strings.TrimSuffix(where, ": "))
	bl, bc := m.bufferPos(se.Line, se.Column)
	m.runGrid().SetMessage(m.r.queryID, syntaxText(m.r.sql, se, bl, bc))
	m.record(history.SyntaxError, Progress{}, se.Error())
	m.onEditor(m.r.editor, func(e *editor.Model) {
		e.MarkError(editor.Span{Start: span[0], End: span[1]}, se.Line, se.Column, se.Message)
	})
	m.setFocus(focusEditor)
	return m, nil
}

// bufferPlace words where line:col of the statement run is in its
// buffer: Athena and the local parse count within the statement, the
// user reads the buffer. "line 4:3 (2:3 in the statement)", or "line
// 2:3" when the two agree.
func (m Model) bufferPlace(line, col int) string {
	bl, bc := m.bufferPos(line, col)
	if bl == line && bc == col {
		return fmt.Sprintf("line %d:%d", line, col)
	}
	return fmt.Sprintf("line %d:%d (%d:%d in the statement)", bl, bc, line, col)
}

// bufferPos is line:col of the statement run as a line and column of
// its buffer.
func (m Model) bufferPos(line, col int) (int, int) {
	if m.r.line < 1 {
		return line, col
	}
	if line == 1 {
		col += m.r.col - 1
	}
	return m.r.line + line - 1, col
}

// syntaxText words a syntax error for the grid: where it is in the
// buffer (line bl, column bc), and in the statement when that differs,
// what is wrong, and the line of the SQL with a caret under the column,
// numbered as in the buffer.
func syntaxText(sql string, se *engine.SyntaxError, bl, bc int) string {
	if se.Line < 1 {
		return "Syntax error: " + se.Message
	}
	where := fmt.Sprintf("line %d, column %d", bl, bc)
	if bl != se.Line || bc != se.Column {
		where += fmt.Sprintf(" (line %d, column %d of the statement)", se.Line, se.Column)
	}
	out := fmt.Sprintf("Syntax error at %s: %s", where, se.Message)
	lines := strings.Split(sql, "\n")
	if se.Line > len(lines) {
		return out
	}
	// The statement's first line is shown at its column in the buffer,
	// so that the line and the caret read as the editor shows them.
	line := strings.Repeat(" ", max(bc-se.Column, 0)) + strings.ReplaceAll(lines[se.Line-1], "\t", " ")
	gutter := fmt.Sprintf("%d │ ", bl)
	caret := strings.Repeat(" ", len([]rune(gutter))-2) + "│ " + strings.Repeat(" ", max(bc-1, 0)) + "^"
	return out + "\n\n" + gutter + line + "\n" + caret
}

// firstLine is err's text up to its first line break.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// reopen shows the results of a past query without running it again, in
// the result tab shown, with the SQL that made them above the grid.
func (m Model) reopen(id, sql string) (tea.Model, tea.Cmd) {
	m.r = run{id: m.r.id + 1, queryID: id, started: m.now(), phase: waiting, n: 1, of: 1, reopen: true}
	i := m.results.Active()
	m.results.SetTitle(i, "reopened "+shortQueryID(id))
	m.results.SetSQL(i, sql)
	m.results.ShowSQL(i, sql != "")
	m.r.tab = m.results.Key(i)
	m.r.ctx, m.r.cancel = context.WithCancel(m.ctx)
	m.status.SetQuery(status.Query{ID: id, State: "REOPENING", Note: "reopening " + id + ", not running it again"})
	return m, tea.Batch(waitQuery(m.r.ctx, m.eng, m.r.id, id), tick(m.r.id))
}

// shortQueryID is the head of a query ID, enough to tell tabs apart.
func shortQueryID(id string) string {
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}

// cancelRun is the cancel key while a run is under way: a running query
// is stopped on Athena (CANCELLED once Athena says so); rows streaming in
// stop at once, and those received stay. A run of several statements
// stops there: the next ones are not run.
func (m Model) cancelRun() (tea.Model, tea.Cmd) {
	switch m.r.phase {
	case fetching:
		mm := m.stopFetch("")
		mm.batchStopped("stopped by the user")
		return mm, nil
	case cancelling:
		m.status.SetNote("waiting for Athena to stop the query…")
		return m, nil
	}
	m.r.cancel()
	m.r.phase = cancelling
	m.r.failed = true
	q := m.status.Query()
	q.State, q.Note = "CANCELLING", "asking Athena to stop the query…"
	m.status.SetQuery(q)
	return m, nil
}

// stopFetch ends the fetch of the current run's rows where it is: those
// received stay, and the status line says how many.
func (m Model) stopFetch(why string) Model {
	m.stop()
	g := m.runGrid()
	g.Finish(nil)
	n := g.Total()
	q := m.status.Query()
	q.Rows = n
	q.Note = why + fmt.Sprintf("fetch stopped, %s %s kept", status.Count(n), plural(n, "row", "rows"))
	m.status.SetQuery(q)
	return m
}

// stop ends the current run's work (its context), marks it idle and
// takes the running highlight off its statement.
func (m *Model) stop() {
	if m.r.cancel != nil {
		m.r.cancel()
	}
	m.r.phase, m.r.cancel = idle, nil
	m.onEditor(m.r.editor, func(e *editor.Model) { e.ClearRunning() })
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// tick moves the elapsed time on the status line while the run's query
// is not final; Athena's own figure replaces it at each report.
func (m Model) tick(msg TickMsg) (tea.Model, tea.Cmd) {
	if msg.Run != m.r.id || m.r.phase == idle || m.r.phase == fetching {
		return m, nil // the ticking of that run stops here
	}
	q := m.status.Query()
	q.Elapsed = max(q.Elapsed, m.now().Sub(m.r.started))
	m.status.SetQuery(q)
	return m, tick(m.r.id)
}

// query follows the current run through its replies; replies of other
// runs are dropped (a query they started is stopped, their result
// streams closed).
func (m Model) query(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case TickMsg:
		return m.tick(msg)
	case QueryFixMsg:
		if msg.Run == m.r.id {
			m.explain.SetQueryFix(msg.Fix, msg.Notes, msg.Err)
		}
		return m, nil
	case QueryStartedMsg:
		if msg.Run != m.r.id {
			if msg.Err == nil && msg.ID != "" {
				return m, stopQuery(m.ctx, m.eng, msg.ID) // started as it was abandoned
			}
			return m, nil
		}
		if msg.Err != nil {
			return m.failed(msg.Err)
		}
		m.r.queryID = msg.ID
		q := m.status.Query()
		q.ID = msg.ID
		if m.r.phase == submitting {
			m.r.phase, q.State = waiting, "QUEUED"
		}
		m.status.SetQuery(q)
		// Cancelled meanwhile, the context has ended: Wait stops it.
		return m, waitQuery(m.r.ctx, m.eng, m.r.id, msg.ID)
	case QueryStatusMsg:
		next := listen(msg.ch)
		if msg.Run != m.r.id {
			return m, next
		}
		q := m.status.Query()
		if m.r.phase != cancelling {
			q.State = msg.Progress.State
		}
		q.ID, q.Scanned, q.Cost = msg.Progress.ID, msg.Progress.Scanned, msg.Progress.Cost
		q.Limit, q.Reused = msg.Progress.Limit, msg.Progress.Reused
		q.Elapsed = max(msg.Progress.Elapsed, m.now().Sub(m.r.started))
		m.status.SetQuery(q)
		return m, next
	case QueryDoneMsg:
		if msg.Run != m.r.id {
			return m, nil
		}
		return m.done(msg)
	case ResultsOpenedMsg:
		if msg.Run != m.r.id || m.r.phase != fetching {
			if msg.Stream != nil {
				msg.Stream.Close()
			}
			return m, nil
		}
		if msg.Err != nil {
			return m.failed(msg.Err)
		}
		g := m.runGrid()
		g.Reset(msg.ID, msg.Stream.Columns())
		if pr, ok := msg.Stream.(results.PathRows); ok {
			if st, ok := g.Stats(); ok && st.QueryID == msg.ID {
				st.FetchPath, st.Fallback = pr.FetchPath()
				g.SetStats(st)
			}
		}
		return m, fetch(m.r.id, msg.ID, msg.Stream, results.FirstBatch, 0, m.cfg.FetchLimit)
	case FetchedMsg:
		return m.fetched(msg)
	}
	return m, nil
}

// done takes the final state of the current run's query: its figures go
// to the status line and above its grid, and its results are opened when
// it succeeded (unless the run was cancelled meanwhile).
func (m Model) done(msg QueryDoneMsg) (tea.Model, tea.Cmd) {
	p := msg.Progress
	billed := engine.Billed(p.StatementType, p.State, p.Scanned)
	q := status.Query{ID: p.ID, State: p.State, Elapsed: p.Elapsed, Scanned: p.Scanned, Cost: p.Cost, Limit: p.Limit, Reused: p.Reused, NotBilled: !billed, Note: m.batchNote()}
	if m.r.sql == "" {
		q.Note = "reopened, not run again"
	}
	m.status.SetQuery(q)
	m.runGrid().SetStats(results.Stats{QueryID: p.ID, Scanned: p.Scanned, Cost: p.Cost, NotBilled: !billed, Elapsed: p.Elapsed,
		State: p.State, Limit: p.Limit, Reused: p.Reused})
	if msg.Err != nil {
		return m.failed(msg.Err)
	}
	m.record(p.State, p, "")
	if m.r.phase == cancelling {
		// It finished before Athena could stop it: nothing is fetched.
		m.runGrid().SetMessage(p.ID, "The query had finished before it could be stopped; its rows were not fetched. Reopen it from the history ("+m.km.Global.History.Help().Key+") to see them.")
		mm := m.stopFetch("the query had finished: ")
		mm.batchStopped("stopped by the user")
		return mm, nil
	}
	m.r.phase = fetching
	return m, openResults(m.r.ctx, m.eng, m.r.id, p.ID)
}

// fetched takes a batch of the current run's rows and asks for the next;
// the last batch of a statement of several starts the next statement.
func (m Model) fetched(msg FetchedMsg) (tea.Model, tea.Cmd) {
	g := m.runGrid()
	if msg.Run != m.r.id || m.r.phase != fetching || msg.Rows.QueryID != g.QueryID() {
		if msg.Rows.Stream != nil {
			msg.Rows.Stream.Close()
		}
		return m, nil
	}
	rows := msg.Rows
	g.Append(rows.Rows)
	q := m.status.Query()
	q.Rows = g.Total()
	m.status.SetQuery(q)
	if !rows.Done {
		return m, fetch(m.r.id, rows.QueryID, rows.Stream, results.Batch, g.Total(), m.cfg.FetchLimit)
	}
	var limit *results.LimitError
	switch {
	case errors.As(rows.Err, &limit):
		g.Finish(nil)
		m.status.SetNote(limit.Error())
	case rows.Err != nil:
		g.Finish(rows.Err)
		m.batchStopped("its rows could not be read")
	default:
		g.Finish(nil)
	}
	m.stop()
	if next, cmd, ok := m.next(); ok {
		return next, cmd
	}
	if m.r.of > 1 && !m.r.failed && m.status.Query().Note == m.batchNote() {
		q := m.status.Query()
		q.Note = fmt.Sprintf("ran all %d statements, each in its result tab", m.r.of)
		m.status.SetQuery(q)
	}
	return m, nil
}

// failed ends the run with err: a syntax error is said as one; a refusal
// goes to the explanation panel; a cancel is said on the status line;
// anything else in the grid. The outcome goes to the history, and a run
// of several statements stops here.
func (m Model) failed(err error) (tea.Model, tea.Cmd) {
	if se := engine.SyntaxOf(err); se != nil {
		return m.syntaxError(se)
	}
	fetchingRows := m.r.phase == fetching
	m.stop()
	q := m.status.Query()
	g := m.runGrid()
	if kind := engine.KindOf(err); m.r.reopen && kind != engine.Canceled && kind != engine.Denied && kind != engine.Credentials {
		// Not a query that failed: its result could not be had again
		// (Athena keeps a query 45 days: ListQueryExecutions' reference,
		// docs.aws.amazon.com/athena/latest/APIReference).
		q.State, q.Note, q.NotBilled = "NOT REOPENED", "could not reopen "+m.r.queryID+"; its SQL can be run again", true
		m.status.SetQuery(q)
		load := m.km.History.Load.Help().Key
		g.SetMessage(m.r.queryID, "The result of query "+m.r.queryID+" could not be reopened: "+err.Error()+
			". Athena keeps a query's history for 45 days; "+load+" in the history ("+m.km.Global.History.Help().Key+") loads its SQL to run it again.")
		return m, nil
	}
	switch engine.KindOf(err) {
	case engine.Canceled:
		q.State, q.Note = "CANCELLED", "stopped on Athena"
		m.status.SetQuery(q)
		m.batchStopped("cancelled")
		g.SetMessage(m.r.queryID, "The query was cancelled; Athena was asked to stop it.")
		m.record(history.Cancelled, Progress{Scanned: q.Scanned}, "cancelled by the user")
	case engine.Denied, engine.Credentials:
		if q.State == "" || q.State == "SUBMITTING" {
			q.State = history.Refused
		}
		m.status.SetQuery(q)
		m.batchStopped("refused by AWS")
		m.explain.Set(explain.AWS, m.r.queryID, err, m.eng.FixContext())
		g.SetMessage(m.r.queryID, "Refused: see the explanation ("+m.km.Global.Explain.Help().Key+").")
		m.record(history.Refused, Progress{Scanned: q.Scanned}, firstLine(err))
		m.setFocus(focusExplain)
		if engine.KindOf(err) == engine.Denied {
			return m, queryFix(m.ctx, m.eng, m.r.id, m.r.sql, err)
		}
	default:
		if q.State == "" || q.State == "SUBMITTING" {
			q.State = history.Failed
		}
		m.status.SetQuery(q)
		m.batchStopped("it failed")
		what := "The query failed: "
		if fetchingRows {
			what = "Its results could not be read: "
		}
		g.SetMessage(m.r.queryID, what+err.Error())
		m.record(history.Failed, Progress{Scanned: q.Scanned}, firstLine(err))
	}
	return m, nil
}

// record keeps the current run in the user's history with its outcome,
// once (a reopen is not a run of its own).
func (m *Model) record(outcome string, p Progress, message string) {
	if m.r.recorded || m.r.sql == "" {
		return
	}
	m.r.recorded = true
	e := history.Entry{ID: m.r.queryID, SQL: m.r.sql, State: outcome, Submitted: m.r.started, Scanned: p.Scanned,
		Workgroup: m.cfg.Identity.Workgroup, Message: message}
	m.history.Add(e)
	if m.hist != nil {
		if err := m.hist.Add(e); err != nil {
			m.status.SetNote(err.Error())
		}
	}
}
