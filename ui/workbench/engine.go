package workbench

import (
	"context"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	engexplain "github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/report"
	"github.com/quiltq/quiltq/ui/results"
)

// Engine is the workbench's engine: the session, seen through the
// workbench's types. It holds no logic of its own.
type Engine struct {
	s *session.Session
	// base is the workbench's context: when it ends (a signal), a query
	// Wait stopped still counts as live, for the front end to report.
	base context.Context
}

var _ ui.Engine = (*Engine)(nil)

// NewEngine is the session s as the workbench's engine.
func NewEngine(s *session.Session) *Engine { return &Engine{s: s} }

func (e *Engine) Start(ctx context.Context, q ui.Submission) (string, error) {
	id, _, err := e.s.Start(ctx, session.Statement{SQL: q.SQL, Params: q.Params, Reuse: q.Reuse})
	return id, err
}

// Guard is what the workbench asks before sending sql: the guards -e
// applies (session.ChangeOf for a destructive statement, the ? values
// Start wants, each checked by session.CheckParam as Start checks it).
func (e *Engine) Guard(sql string) ui.Guard {
	c := session.ChangeOf(sql)
	return ui.Guard{Destructive: c.Destructive, Change: c.What, Params: max(session.ParamsWanted(sql), 0), Value: session.CheckParam}
}

// Reuse is the profile's reuse setting (0: none).
func (e *Engine) Reuse() time.Duration { return e.s.Reuse() }

func (e *Engine) Wait(ctx context.Context, id string, progress func(ui.Progress)) (ui.Progress, error) {
	x, err := e.s.Wait(ctx, id, func(x athena.Execution) { progress(e.progress(x)) })
	if engine.KindOf(err) == engine.Canceled && (e.base == nil || e.base.Err() == nil) {
		e.s.Forget(id) // cancelled by the user (esc), not by the workbench ending
	}
	return e.progress(x), err
}

// StopLive stops on Athena every query the workbench left running, and
// returns their IDs.
func (e *Engine) StopLive(ctx context.Context) []string { return e.s.StopLive(ctx) }

func (e *Engine) Saved(ctx context.Context) ([]history.Saved, int, error) {
	qs, hidden, err := e.s.Saved(ctx, 200)
	if err != nil {
		return nil, 0, err
	}
	out := make([]history.Saved, 0, len(qs))
	for _, q := range qs {
		out = append(out, history.Saved{ID: q.ID, Name: q.Name, Description: q.Description, Database: q.Database, SQL: q.SQL})
	}
	return out, hidden, nil
}

// Doctor runs `quiltq doctor`'s probes for the session and writes its
// report as the command does.
func (e *Engine) Doctor(ctx context.Context) (string, string, error) {
	rep, err := e.s.Doctor(ctx, session.DoctorOptions{})
	if err != nil {
		return "", "", err
	}
	var b strings.Builder
	report.Doctor(&b, rep, e.s.RoleName())
	fix := ""
	if rep.Fix != nil {
		fix = rep.Fix.JSON()
	}
	return b.String(), fix, ctx.Err()
}

// ApplyFix adds fix to the role where quiltq may (the sandbox's).
func (e *Engine) ApplyFix(ctx context.Context, fix string) (string, error) {
	return e.s.ApplyFix(ctx, fix)
}

// progress is x as the workbench's progress report, with the scan limit
// the query runs under and whether its result was reused (then it cost
// nothing: session.CostOf).
func (e *Engine) progress(x athena.Execution) ui.Progress {
	return ui.Progress{ID: x.ID, State: string(x.State), StatementType: x.StatementType, Elapsed: x.TotalTime, Scanned: x.DataScanned,
		Cost: e.s.CostOf(x), Limit: e.s.ScanLimit(), Reused: x.Reused}
}

func (e *Engine) Open(ctx context.Context, id string) (results.Rows, error) {
	rows, err := e.s.ResultsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	return pathRows{rows}, nil
}

// pathRows is a result stream that tells the workbench how its rows come
// (results.PathRows), for the statistics line above the grid.
type pathRows struct{ athena.Rows }

func (r pathRows) FetchPath() (via, fallback string) {
	p := r.Path()
	return p.Via, p.Fallback
}

func (e *Engine) Listing(ctx context.Context) (engine.Listing, error) { return e.s.Listing(ctx) }

func (e *Engine) History(ctx context.Context) ([]history.Entry, error) {
	xs, err := e.s.Recent(ctx, 50)
	if err != nil {
		return nil, err
	}
	out := make([]history.Entry, 0, len(xs))
	for _, x := range xs {
		out = append(out, history.Entry{ID: x.ID, SQL: x.SQL, State: string(x.State), Submitted: x.Submitted, Scanned: x.DataScanned, Workgroup: x.Workgroup})
	}
	return out, nil
}

func (e *Engine) QueryFix(ctx context.Context, sql string, refusal error) (string, []string, error) {
	return e.s.QueryFix(ctx, session.Statement{SQL: sql}, refusal)
}

func (e *Engine) FixContext() engexplain.Context { return e.s.FixContext() }
