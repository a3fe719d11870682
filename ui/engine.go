package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/engine"
	engexplain "github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/results"
)

// Engine is what the workbench needs of the query engine. ui/workbench
// implements it over the session (engine/session); the workbench never
// sees the AWS SDK.
type Engine interface {
	// Start submits q and returns Athena's query execution ID.
	Start(ctx context.Context, q Submission) (string, error)
	// Guard says what the workbench must ask before sending sql: whether
	// it is destructive (and what it changes), and how many ? values it
	// wants. It calls nothing.
	Guard(sql string) Guard
	// Reuse is how old a stored result the profile lets Athena answer
	// with (its reuse setting; 0 when none is set).
	Reuse() time.Duration
	// Wait follows query id until it is final, reporting each poll. When
	// ctx ends it stops the query on Athena (StopQueryExecution) and
	// returns an error of kind engine.Canceled.
	Wait(ctx context.Context, id string, progress func(Progress)) (Progress, error)
	// Open streams the results of the finished query id, from the start.
	Open(ctx context.Context, id string) (results.Rows, error)
	// Listing lists the catalog anew (and keeps it in the cache).
	Listing(ctx context.Context) (engine.Listing, error)
	// History is the workgroup's recent queries, newest first.
	History(ctx context.Context) ([]history.Entry, error)
	// Saved is the workgroup's saved (named) queries, and how many of
	// them Athena would not show.
	Saved(ctx context.Context) ([]history.Saved, int, error)
	// Doctor runs `quiltq doctor`'s probes for the session and returns
	// the report as text, and the one statement that fixes every refusal
	// it found ("" when none is needed or possible). It calls AWS, so it
	// runs as a command.
	Doctor(ctx context.Context) (report, fix string, err error)
	// ApplyFix adds the policy statement fix to the role, where quiltq
	// may change it: only the embedded sandbox's roles. It returns what
	// was done, for the status line, or why it could not be.
	ApplyFix(ctx context.Context, fix string) (string, error)
	// FixContext is what the session knows for building fix statements.
	FixContext() engexplain.Context
	// QueryFix works out the statement that fixes the whole query sql,
	// refused with err: every permission it lacks, not only the one the
	// refusal names. It may call AWS (to describe the workgroup and
	// tables), so it runs as a command. fix is the policy JSON ("" when no
	// identity statement can fix it); notes say what could not be told.
	QueryFix(ctx context.Context, sql string, err error) (fix string, notes []string, ferr error)
}

// Submission is a statement as the workbench sends it.
type Submission struct {
	SQL string
	// Params fill its ? placeholders in order (ExecutionParameters), each
	// a SQL literal as -e's --param takes it.
	Params []string
	// Reuse is how old a stored result Athena may answer with; negative
	// for none, 0 for the profile's setting.
	Reuse time.Duration
}

// Guard is what the workbench asks before sending a statement.
type Guard struct {
	// Destructive says it drops, deletes, overwrites or rewrites what
	// exists (DROP, DELETE, INSERT OVERWRITE, ...): the workbench asks
	// before sending it. Change names what it changes ("drops table
	// sales.orders").
	Destructive bool
	Change      string
	// Params is how many values its ? placeholders want (0: none).
	Params int
	// Value checks one value for a placeholder before it is taken, and
	// says what is wrong with a bad one (nil: every value is taken). The
	// value's prompt stays open on a refusal; nothing is sent.
	Value func(v string) error
}

// QueryFixMsg carries the whole-query fix of run's refusal.
type QueryFixMsg struct {
	Run   int
	Fix   string
	Notes []string
	Err   error
}

// queryFix works out the whole-query fix of run's refused sql.
func queryFix(ctx context.Context, eng Engine, run int, sql string, refusal error) tea.Cmd {
	return func() tea.Msg {
		fix, notes, err := eng.QueryFix(ctx, sql, refusal)
		return QueryFixMsg{Run: run, Fix: fix, Notes: notes, Err: err}
	}
}

// Progress is one report of a query's state.
type Progress struct {
	ID    string
	State string
	// StatementType is Athena's DML, DDL or UTILITY ("" until known): a
	// DDL statement is not billed (engine.Billed).
	StatementType string
	Elapsed       time.Duration
	Scanned       int64
	Cost          float64
	// Limit is the scan limit the query runs under, in bytes (the
	// smaller of quiltq's max_scan and the workgroup's cutoff; 0 for
	// none); Reused says Athena answered with a stored result.
	Limit  int64
	Reused bool
}

// Done reports whether the state is final.
func (p Progress) Done() bool {
	return p.State == "SUCCEEDED" || p.State == "FAILED" || p.State == "CANCELLED"
}

// QueryStartedMsg reports that run's query was submitted as ID (or failed
// to be, with Err).
type QueryStartedMsg struct {
	Run int
	ID  string
	Err error
}

// QueryStatusMsg is one progress report of run's query.
type QueryStatusMsg struct {
	Run      int
	Progress Progress
	ch       <-chan tea.Msg
}

// QueryDoneMsg reports that run's query is final.
type QueryDoneMsg struct {
	Run      int
	Progress Progress
	Err      error
}

// ResultsOpenedMsg carries the result stream of run's query.
type ResultsOpenedMsg struct {
	Run    int
	ID     string
	Stream results.Rows
	Err    error
}

// CatalogMsg carries a fresh listing (or why there is none).
type CatalogMsg struct {
	Listing engine.Listing
	Err     error
}

// WorkgroupHistoryMsg carries the workgroup's history.
type WorkgroupHistoryMsg struct {
	Entries []history.Entry
	Err     error
}

// startQuery submits q as run.
func startQuery(ctx context.Context, eng Engine, run int, q Submission) tea.Cmd {
	return func() tea.Msg {
		id, err := eng.Start(ctx, q)
		return QueryStartedMsg{Run: run, ID: id, Err: err}
	}
}

// waitQuery follows query id of run on a goroutine of its own, whose
// reports arrive one by one through listen.
func waitQuery(ctx context.Context, eng Engine, run int, id string) tea.Cmd {
	ch := make(chan tea.Msg, 16)
	go func() {
		defer close(ch)
		p, err := eng.Wait(ctx, id, func(p Progress) {
			select {
			case ch <- QueryStatusMsg{Run: run, Progress: p, ch: ch}:
			default: // the screen is behind: a later report replaces this one
			}
		})
		if p.ID == "" {
			p.ID = id
		}
		ch <- QueryDoneMsg{Run: run, Progress: p, Err: err}
	}()
	return listen(ch)
}

// listen receives the next report of a waiting query.
func listen(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

// openResults opens the result stream of run's query id.
func openResults(ctx context.Context, eng Engine, run int, id string) tea.Cmd {
	return func() tea.Msg {
		rows, err := eng.Open(ctx, id)
		return ResultsOpenedMsg{Run: run, ID: id, Stream: rows, Err: err}
	}
}

// listCatalog lists the catalog anew.
func listCatalog(ctx context.Context, eng Engine) tea.Cmd {
	return func() tea.Msg {
		l, err := eng.Listing(ctx)
		return CatalogMsg{Listing: l, Err: err}
	}
}

// readHistory reads the workgroup's history.
func readHistory(ctx context.Context, eng Engine) tea.Cmd {
	return func() tea.Msg {
		es, err := eng.History(ctx)
		return WorkgroupHistoryMsg{Entries: es, Err: err}
	}
}

// SavedMsg carries the workgroup's saved queries.
type SavedMsg struct {
	Queries []history.Saved
	Hidden  int
	Err     error
}

// readSaved reads the workgroup's saved queries.
func readSaved(ctx context.Context, eng Engine) tea.Cmd {
	return func() tea.Msg {
		qs, hidden, err := eng.Saved(ctx)
		return SavedMsg{Queries: qs, Hidden: hidden, Err: err}
	}
}

// DoctorMsg carries the report of doctor run Run.
type DoctorMsg struct {
	Run    int
	Report string
	Fix    string
	Err    error
}

// runDoctor runs the doctor's probes as doctor run run.
func runDoctor(ctx context.Context, eng Engine, run int) tea.Cmd {
	return func() tea.Msg {
		rep, fix, err := eng.Doctor(ctx)
		return DoctorMsg{Run: run, Report: rep, Fix: fix, Err: err}
	}
}

// FixAppliedMsg says how applying a fix statement went.
type FixAppliedMsg struct {
	Note string
	Err  error
}

// applyFix adds fix to the role through the engine.
func applyFix(ctx context.Context, eng Engine, fix string) tea.Cmd {
	return func() tea.Msg {
		note, err := eng.ApplyFix(ctx, fix)
		return FixAppliedMsg{Note: note, Err: err}
	}
}

// TickMsg advances the elapsed time of run on the status line while its
// query runs.
type TickMsg struct{ Run int }

// tickEvery is how often the status line's elapsed time moves.
const tickEvery = 200 * time.Millisecond

// tick asks for the next TickMsg of run.
func tick(run int) tea.Cmd {
	return tea.Tick(tickEvery, func(time.Time) tea.Msg { return TickMsg{Run: run} })
}

// FetchedMsg carries a batch of the rows of run's query (results.Fetch's
// reply, tagged with the run, so that a batch of a run given up is never
// shown, even for the same query reopened).
type FetchedMsg struct {
	Run  int
	Rows results.RowsMsg
}

// fetch reads the next batch of run's rows (results.Fetch).
func fetch(run int, id string, stream results.Rows, n int, already, limit int64) tea.Cmd {
	read := results.Fetch(id, stream, n, already, limit)
	return func() tea.Msg {
		rows, _ := read().(results.RowsMsg)
		return FetchedMsg{Run: run, Rows: rows}
	}
}

// stopQuery stops query id on Athena: a query that was started for a run
// given up meanwhile. Wait stops a query whose context has ended.
func stopQuery(ctx context.Context, eng Engine, id string) tea.Cmd {
	return func() tea.Msg {
		ended, cancel := context.WithCancel(ctx)
		cancel()
		_, _ = eng.Wait(ended, id, func(Progress) {})
		return nil
	}
}
