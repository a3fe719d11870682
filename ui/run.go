package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sqlref"
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
// past query's results reopened.
type run struct {
	id       int // replies of other runs are stale
	phase    phase
	sql      string // "" for a reopen, which history does not record
	span     [2]int // where sql is in the text it was taken from
	queryID  string
	started  time.Time
	cancel   context.CancelFunc // stops the run (its query, its fetch)
	ctx      context.Context    // the run's context, which cancel ends
	recorded bool               // its outcome is in the history
}

// pendingRun is a run asked for while another is under way: it waits
// for the user's answer.
type pendingRun struct {
	sql      string
	reopenID string // reopen this query's results instead
	preview  bool   // put sql in the editor when it starts
}

// SyntaxMark is a syntax error of a run, where the editor marks it: Span
// is the byte range of the SQL that ran within the text it was taken
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
	case m.confirm.preview:
		what = "run the preview"
	}
	running := "a query is running"
	if m.r.phase == fetching {
		running = "rows are still arriving"
	}
	yes, no := m.km.Confirm.Yes.Help().Key, m.km.Confirm.No.Help().Key
	return fmt.Sprintf("%s: stop it and %s? %s/%s", running, what, yes, no)
}

// answer takes the answer to the question: yes stops the current run and
// starts the one waiting, no (or cancel) keeps the current run; any
// other key leaves the question open.
func (m Model) answer(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.km.Confirm.Yes):
		p := *m.confirm
		m.confirm = nil
		m.abandon()
		return m.begin(p)
	case key.Matches(k, m.km.Confirm.No, m.km.Global.Cancel):
		m.confirm = nil
		m.status.SetNote("kept the running query; nothing new was started")
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
	m.r.phase, m.r.cancel = idle, nil
}

func (m Model) begin(p pendingRun) (tea.Model, tea.Cmd) {
	if p.reopenID != "" {
		return m.reopen(p.reopenID)
	}
	if p.preview {
		m.editor.SetValue(p.sql)
	}
	return m.startRun(p.sql)
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

// startRun checks text locally and submits it as a new run.
func (m Model) startRun(text string) (tea.Model, tea.Cmd) {
	sql, span := runnable(text)
	if sql == "" {
		what := "the editor is empty"
		if strings.TrimSpace(text) != "" {
			what = "the editor holds only comments"
		}
		m.status.SetNote("nothing to run: " + what + "; write a query first")
		return m, nil
	}
	m.r = run{id: m.r.id + 1, sql: sql, span: span, started: m.now()}
	m.syntax = nil
	if m.cfg.Check != nil {
		if err := m.cfg.Check(sql); err != nil {
			return m.notSent(err)
		}
	}
	m.r.ctx, m.r.cancel = context.WithCancel(m.ctx)
	m.r.phase = submitting
	m.status.SetQuery(status.Query{State: "SUBMITTING"})
	return m, tea.Batch(startQuery(m.r.ctx, m.eng, m.r.id, sql), tick(m.r.id))
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
	msg := firstLine(err)
	var ro readOnlyRefusal
	if errors.As(err, &ro) {
		// Nothing to explain or fix: the profile sends no writes.
		m.status.SetQuery(status.Query{State: history.Refused, Note: "not sent: profile " + ro.ReadOnlyProfile() + " is read_only"})
		m.record(history.Refused, Progress{}, msg)
		m.results.SetMessage("", "Not sent: "+ro.Error())
		return m, nil
	}
	note := "not sent: refused by the local grant check"
	if engine.KindOf(err) != engine.Denied {
		note = "not sent: the grant check cannot tell which tables it uses"
	}
	m.status.SetQuery(status.Query{State: history.Refused, Note: note})
	m.record(history.Refused, Progress{}, msg)
	if engine.KindOf(err) == engine.Denied {
		m.explain.Set(explain.Local, "", err, m.eng.FixContext())
		m.setFocus(focusExplain)
		return m, queryFix(m.ctx, m.eng, m.r.id, m.r.sql, err)
	}
	m.results.SetMessage("", "Not sent: "+err.Error())
	return m, nil
}

// syntaxError ends the run on SQL that does not parse (locally, or as
// Athena said): its own state, the message with its position, the line
// with a caret, and the mark kept for the editor.
func (m Model) syntaxError(se *engine.SyntaxError) (tea.Model, tea.Cmd) {
	m.stop()
	m.syntax = &SyntaxMark{Span: m.r.span, Line: se.Line, Column: se.Column, Message: se.Message}
	where := ""
	if se.Line > 0 {
		where = fmt.Sprintf("line %d:%d: ", se.Line, se.Column)
	}
	m.status.SetQuery(status.Query{ID: m.r.queryID, State: history.SyntaxError, Elapsed: m.status.Query().Elapsed, Note: where + se.Message})
	m.results.SetMessage(m.r.queryID, syntaxText(m.r.sql, se))
	m.record(history.SyntaxError, Progress{}, se.Error())
	m.setFocus(focusEditor)
	return m, nil
}

// syntaxText words a syntax error for the grid: where it is, what is
// wrong, and the line of the SQL with a caret under the column.
func syntaxText(sql string, se *engine.SyntaxError) string {
	if se.Line < 1 {
		return "Syntax error: " + se.Message
	}
	out := fmt.Sprintf("Syntax error at line %d, column %d: %s", se.Line, se.Column, se.Message)
	lines := strings.Split(sql, "\n")
	if se.Line > len(lines) {
		return out
	}
	line := strings.ReplaceAll(lines[se.Line-1], "\t", " ")
	gutter := fmt.Sprintf("%d │ ", se.Line)
	caret := strings.Repeat(" ", len([]rune(gutter))-2) + "│ " + strings.Repeat(" ", max(se.Column-1, 0)) + "^"
	return out + "\n\n" + gutter + line + "\n" + caret
}

// firstLine is err's text up to its first line break.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// reopen shows the results of a past query without running it again.
func (m Model) reopen(id string) (tea.Model, tea.Cmd) {
	m.r = run{id: m.r.id + 1, queryID: id, started: m.now(), phase: waiting}
	m.r.ctx, m.r.cancel = context.WithCancel(m.ctx)
	m.status.SetQuery(status.Query{ID: id, State: "REOPENING", Note: "reopening " + id + ", not running it again"})
	return m, tea.Batch(waitQuery(m.r.ctx, m.eng, m.r.id, id), tick(m.r.id))
}

// cancelRun is the cancel key while a run is under way: a running query
// is stopped on Athena (CANCELLED once Athena says so); rows streaming in
// stop at once, and those received stay.
func (m Model) cancelRun() (tea.Model, tea.Cmd) {
	switch m.r.phase {
	case fetching:
		return m.stopFetch(""), nil
	case cancelling:
		m.status.SetNote("waiting for Athena to stop the query…")
		return m, nil
	}
	m.r.cancel()
	m.r.phase = cancelling
	q := m.status.Query()
	q.State, q.Note = "CANCELLING", "asking Athena to stop the query…"
	m.status.SetQuery(q)
	return m, nil
}

// stopFetch ends the fetch of the current run's rows where it is: those
// received stay, and the status line says how many.
func (m Model) stopFetch(why string) Model {
	m.stop()
	m.results.Finish(nil)
	n := m.results.Total()
	q := m.status.Query()
	q.Rows = n
	q.Note = why + fmt.Sprintf("fetch stopped, %s %s kept", status.Count(n), plural(n, "row", "rows"))
	m.status.SetQuery(q)
	return m
}

// stop ends the current run's work (its context) and marks it idle.
func (m *Model) stop() {
	if m.r.cancel != nil {
		m.r.cancel()
	}
	m.r.phase, m.r.cancel = idle, nil
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
		m.results.Reset(msg.ID, msg.Stream.Columns())
		return m, fetch(m.r.id, msg.ID, msg.Stream, results.FirstBatch, 0, m.cfg.FetchLimit)
	case FetchedMsg:
		return m.fetched(msg)
	}
	return m, nil
}

// done takes the final state of the current run's query: its results are
// opened when it succeeded (unless the run was cancelled meanwhile).
func (m Model) done(msg QueryDoneMsg) (tea.Model, tea.Cmd) {
	p := msg.Progress
	q := status.Query{ID: p.ID, State: p.State, Elapsed: p.Elapsed, Scanned: p.Scanned, Cost: p.Cost, Limit: p.Limit, Reused: p.Reused}
	if m.r.sql == "" {
		q.Note = "reopened, not run again"
	}
	m.status.SetQuery(q)
	if msg.Err != nil {
		return m.failed(msg.Err)
	}
	m.record(p.State, p, "")
	if m.r.phase == cancelling {
		// It finished before Athena could stop it: nothing is fetched.
		m.results.SetMessage(p.ID, "The query had finished before it could be stopped; its rows were not fetched. Reopen it from the history ("+m.km.Global.History.Help().Key+") to see them.")
		return m.stopFetch("the query had finished: "), nil
	}
	m.r.phase = fetching
	return m, openResults(m.r.ctx, m.eng, m.r.id, p.ID)
}

// fetched takes a batch of the current run's rows and asks for the next.
func (m Model) fetched(msg FetchedMsg) (tea.Model, tea.Cmd) {
	if msg.Run != m.r.id || m.r.phase != fetching || msg.Rows.QueryID != m.results.QueryID() {
		if msg.Rows.Stream != nil {
			msg.Rows.Stream.Close()
		}
		return m, nil
	}
	rows := msg.Rows
	m.results.Append(rows.Rows)
	q := m.status.Query()
	q.Rows = m.results.Total()
	m.status.SetQuery(q)
	if !rows.Done {
		return m, fetch(m.r.id, rows.QueryID, rows.Stream, results.Batch, m.results.Total(), m.cfg.FetchLimit)
	}
	var limit *results.LimitError
	if errors.As(rows.Err, &limit) {
		m.results.Finish(nil)
		m.status.SetNote(limit.Error())
	} else {
		m.results.Finish(rows.Err)
	}
	m.stop()
	return m, nil
}

// failed ends the run with err: a syntax error is said as one; a refusal
// goes to the explanation panel; a cancel is said on the status line;
// anything else in the grid. The outcome goes to the history.
func (m Model) failed(err error) (tea.Model, tea.Cmd) {
	if se := engine.SyntaxOf(err); se != nil {
		return m.syntaxError(se)
	}
	fetchingRows := m.r.phase == fetching
	m.stop()
	q := m.status.Query()
	switch engine.KindOf(err) {
	case engine.Canceled:
		q.State, q.Note = "CANCELLED", "stopped on Athena"
		m.status.SetQuery(q)
		m.results.SetMessage(m.r.queryID, "The query was cancelled; Athena was asked to stop it.")
		m.record(history.Cancelled, Progress{Scanned: q.Scanned}, "cancelled by the user")
	case engine.Denied, engine.Credentials:
		if q.State == "" || q.State == "SUBMITTING" {
			q.State = history.Refused
		}
		m.status.SetQuery(q)
		m.explain.Set(explain.AWS, m.r.queryID, err, m.eng.FixContext())
		m.results.SetMessage(m.r.queryID, "Refused: see the explanation ("+m.km.Global.Explain.Help().Key+").")
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
		what := "The query failed: "
		if fetchingRows {
			what = "Its results could not be read: "
		}
		m.results.SetMessage(m.r.queryID, what+err.Error())
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
