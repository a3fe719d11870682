package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/session"
)

// This file words a query while it runs and once it has run: the live
// line `quiltq -e` keeps on a terminal (the MCP server's progress
// notifications say the same), and the --stats object.

// Running words a running query in one line: its state, how long it has
// run, what it has scanned and what that costs.
func Running(x athena.Execution, elapsed time.Duration, cost float64) string {
	return fmt.Sprintf("%s %s · %s scanned · %s", x.State, elapsed, engine.FormatBytes(x.DataScanned), engine.FormatUSD(cost))
}

// Progress shows a query's state on one terminal line while it runs,
// rewriting the line in place (at most every 100 ms, and at once when
// the query ends), and clears it when Done. It writes nothing unless the
// line goes to a terminal, so a log never holds carriage returns.
type Progress struct {
	w      io.Writer // nil: not a terminal
	cost   func(athena.Execution) float64
	now    func() time.Time
	shown  bool
	lastAt time.Time
}

// NewProgress is a progress line on w, nil when w is no terminal; cost is
// what a query costs so far (session.CostOf), now the clock.
func NewProgress(w io.Writer, cost func(athena.Execution) float64, now func() time.Time) *Progress {
	return &Progress{w: w, cost: cost, now: now}
}

// Update shows x, the query as last polled.
func (p *Progress) Update(x athena.Execution) {
	if p.w == nil {
		return
	}
	now := p.now()
	if p.shown && now.Sub(p.lastAt) < 100*time.Millisecond && !x.State.Done() {
		return
	}
	p.lastAt = now
	elapsed := time.Duration(0)
	if !x.Submitted.IsZero() {
		elapsed = now.Sub(x.Submitted).Truncate(100 * time.Millisecond)
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", Running(x, elapsed, p.cost(x)))
	p.shown = true
}

// Done clears the line, when one was shown.
func (p *Progress) Done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// Stats writes the --stats object: st as JSON on one line.
func Stats(w io.Writer, st session.Stats) {
	b, _ := json.Marshal(st)
	fmt.Fprintf(w, "%s\n", b)
}
