package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/sqlref"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/status"
)

// queryOptions are the flags of one-shot query mode.
type queryOptions struct {
	Format          string // table, csv, tsv, json, jsonl, markdown
	NoHeader        bool
	NullString      *string
	Limit           int64 // 0: no limit
	ContinueOnError bool
	Stats           bool
	Catalog         string
	Database        string
}

// querySession is what running queries needs, built by the app.
type querySession struct {
	client     *athena.Client
	workgroup  string
	pricePerTB float64 // USD
	credSource string

	login *login     // how it signed in (registry and catalog with a Quilt login)
	aws   aws.Config // the SDK configuration the client was built on

	fix *fixer // what explaining refusals knows of the role (explainfix.go)
}

// splitStatements cuts a script into statements at the semicolons that
// are not inside strings, quoted names or comments. Empty statements (a
// trailing ";") are dropped.
func splitStatements(sql string) ([]string, error) {
	toks, err := sqlref.Lex(sql)
	if err != nil {
		return nil, err
	}
	var out []string
	start := 0
	flush := func(end int) {
		if s := strings.TrimSpace(sql[start:end]); s != "" && hasCode(s) {
			out = append(out, s)
		}
	}
	for _, t := range toks {
		if t.Kind == sqlref.Op && t.Text == ";" {
			flush(t.Pos)
			start = t.Pos + 1
		}
	}
	flush(len(sql))
	return out, nil
}

// hasCode reports whether s holds more than comments.
func hasCode(s string) bool {
	toks, err := sqlref.Lex(s)
	if err != nil {
		return true // let Athena say what is wrong with it
	}
	for _, t := range toks {
		if t.Kind != sqlref.Comment {
			return true
		}
	}
	return false
}

// runStatements runs each statement in order, printing each result on
// st.Out. It stops at the first failure unless ContinueOnError, and returns
// the exit code of the first failure (or 0).
func runStatements(ctx context.Context, s *querySession, stmts []string, o queryOptions, st streams) int {
	code := exitOK
	for i, sql := range stmts {
		if len(stmts) > 1 {
			fmt.Fprintf(st.Err, "quiltq: statement %d of %d\n", i+1, len(stmts))
		}
		c := runOne(ctx, s, sql, o, st)
		if c == exitInterrupted {
			return c
		}
		if c != exitOK {
			if code == exitOK {
				code = c
			}
			if !o.ContinueOnError {
				if i+1 < len(stmts) {
					fmt.Fprintf(st.Err, "quiltq: stopped after statement %d; %d not run (--continue-on-error runs them anyway)\n", i+1, len(stmts)-i-1)
				}
				return code
			}
		}
	}
	return code
}

// runOne runs one statement and prints its rows.
func runOne(ctx context.Context, s *querySession, sql string, o queryOptions, st streams) int {
	req := athena.Request{SQL: sql, Catalog: o.Catalog, Database: o.Database, Workgroup: s.workgroup}
	if code, ok := preflight(ctx, s, req, st); !ok {
		return code
	}
	prog := newProgress(st, s.pricePerTB)
	x, err := s.client.Run(ctx, req, prog.update)
	prog.done()
	if err != nil {
		return reportFailure(st, s, withRequest(x, req), err, o.Stats, nil)
	}
	return printResult(ctx, s, x, o, st)
}

// printResult prints the rows of the finished query x.
func printResult(ctx context.Context, s *querySession, x athena.Execution, o queryOptions, st streams) int {
	if code, ok := passThrough(ctx, s, x, o, st); ok {
		return code
	}
	rows, err := s.client.Results(ctx, x)
	if err != nil {
		return reportFailure(st, s, x, err, o.Stats, nil)
	}
	defer rows.Close()
	n, truncated, err := printRows(rows, o, st.Out)
	path := rows.Path()
	if path.Fallback != "" {
		fmt.Fprintf(st.Err, "quiltq: results read through GetQueryResults pages: %s\n", path.Fallback)
	}
	if err != nil {
		return reportFailure(st, s, x, err, o.Stats, &fetchInfo{rows: n, path: path})
	}
	if truncated {
		fmt.Fprintf(st.Err, "quiltq: output limited to %d rows (--limit); the result has more\n", o.Limit)
	}
	if o.Stats {
		writeStats(st.Err, s, x, &fetchInfo{rows: n, path: path})
	}
	return exitOK
}

// passThrough prints a CSV result by copying Athena's result file as it
// is: quiltq's csv output has Athena's style (every value quoted, NULL an
// empty unquoted field), so when no --null-string asks for another NULL the
// bytes are the same, without parsing and formatting a million values. It
// reports ok false, having printed nothing, when the file cannot be read
// (no CSV file in S3, S3 refuses, --fetch api): then the rows are fetched
// the usual way.
func passThrough(ctx context.Context, s *querySession, x athena.Execution, o queryOptions, st streams) (int, bool) {
	if o.Format != "csv" || (o.NullString != nil && *o.NullString != "") {
		return 0, false
	}
	f, err := s.client.ResultFile(ctx, x)
	if err != nil {
		if k := engine.KindOf(err); k == engine.Denied || k == engine.Invalid {
			return 0, false
		}
		return reportFailure(st, s, x, err, o.Stats, nil), true
	}
	defer f.Close()
	n, truncated, err := copyCSV(f, st.Out, o.NoHeader, o.Limit, o.Stats)
	info := &fetchInfo{rows: n, path: athena.FetchPath{Via: "s3"}}
	if err != nil {
		return reportFailure(st, s, x, err, o.Stats, info), true
	}
	if truncated {
		fmt.Fprintf(st.Err, "quiltq: output limited to %d rows (--limit); the result has more\n", o.Limit)
	}
	if o.Stats {
		writeStats(st.Err, s, x, info)
	}
	return exitOK, true
}

// printRows writes rows in the chosen format, up to o.Limit rows. It
// reports how many it wrote and whether rows were left unprinted.
func printRows(rows athena.Rows, o queryOptions, out io.Writer) (int64, bool, error) {
	w, err := print.New(o.Format, out, print.Options{NoHeader: o.NoHeader, NullString: o.NullString})
	if err != nil {
		return 0, false, err
	}
	if err := w.Header(rows.Columns()); err != nil {
		return 0, false, err
	}
	var n int64
	truncated := false
	for {
		r, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			w.Close()
			return n, false, err
		}
		if o.Limit > 0 && n == o.Limit {
			truncated = true
			break
		}
		if err := w.Row(r); err != nil {
			return n, false, err
		}
		n++
	}
	return n, truncated, w.Close()
}

// fetchInfo is what the result fetch did.
type fetchInfo struct {
	rows int64
	path athena.FetchPath
}

// reportFailure prints err on stderr (its text whole, then what it names
// and the next step) and returns its exit code.
func reportFailure(st streams, s *querySession, x athena.Execution, err error, stats bool, f *fetchInfo) int {
	fmt.Fprintf(st.Err, "quiltq: %v\n", err)
	if kind := engine.KindOf(err); kind == engine.Denied || kind == engine.Credentials {
		explainRefusal(st.Err, s, x, err)
	}
	if hint := athena.Hint(err); hint != "" {
		fmt.Fprintf(st.Err, "  next:      %s\n", hint)
	}
	if stats && x.ID != "" {
		writeStats(st.Err, s, x, f)
	}
	return exitCode(err)
}

// exitCode maps an error's kind to the exit codes of ARCHITECTURE.md.
func exitCode(err error) int {
	switch engine.KindOf(err) {
	case engine.Denied:
		return exitDenied
	case engine.Credentials:
		return exitCredentials
	case engine.Canceled:
		return exitInterrupted
	case engine.Invalid:
		return exitUsage
	}
	return exitFailed
}

// writeStats prints the --stats JSON object.
func writeStats(w io.Writer, s *querySession, x athena.Execution, f *fetchInfo) {
	v := map[string]any{
		"query_id":      x.ID,
		"state":         x.State,
		"workgroup":     x.Workgroup,
		"statement":     x.StatementType,
		"queue_ms":      x.QueueTime.Milliseconds(),
		"engine_ms":     x.EngineTime.Milliseconds(),
		"total_ms":      x.TotalTime.Milliseconds(),
		"bytes_scanned": x.DataScanned,
		"cost_usd":      engine.Cost(x.DataScanned, s.pricePerTB),
		"polls":         x.Polls,
		"credentials":   s.credSource,
	}
	if !x.Submitted.IsZero() {
		v["submitted"] = x.Submitted.UTC().Format(time.RFC3339Nano)
	}
	if !x.Completed.IsZero() {
		v["completed"] = x.Completed.UTC().Format(time.RFC3339Nano)
	}
	if f != nil {
		v["rows"] = f.rows
		v["fetch_path"] = f.path.Via
		if f.path.Fallback != "" {
			v["fetch_fallback"] = f.path.Fallback
		}
	}
	b, _ := json.Marshal(v)
	fmt.Fprintf(w, "%s\n", b)
}

// progress shows the query's state on one stderr line while it runs, when
// stderr is a terminal.
type progress struct {
	st     streams
	price  float64
	shown  bool
	lastAt time.Time
}

func newProgress(st streams, price float64) *progress { return &progress{st: st, price: price} }

func (p *progress) update(x athena.Execution) {
	if !p.st.ErrTTY {
		return
	}
	now := time.Now()
	if p.shown && now.Sub(p.lastAt) < 100*time.Millisecond && !x.State.Done() {
		return
	}
	p.lastAt = now
	elapsed := time.Duration(0)
	if !x.Submitted.IsZero() {
		elapsed = now.Sub(x.Submitted).Truncate(100 * time.Millisecond)
	}
	fmt.Fprintf(p.st.Err, "\r\x1b[K%s %s · %s scanned · %s", x.State, elapsed, status.Bytes(x.DataScanned), engine.FormatCost(engine.Cost(x.DataScanned, p.price)))
	p.shown = true
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.st.Err, "\r\x1b[K")
	}
}

// showResults prints the results of an earlier query, waiting for it when
// it is still running: a script can fetch a result again without paying
// for the query twice.
func showResults(ctx context.Context, s *querySession, id string, o queryOptions, st streams) int {
	prog := newProgress(st, s.pricePerTB)
	x, err := s.client.Wait(ctx, id, prog.update)
	prog.done()
	if err == nil && x.State != athena.Succeeded {
		err = &engine.Error{Op: "query " + id, Kind: engine.Failed, Err: fmt.Errorf("the query ended %s: %s", x.State, x.Reason)}
	}
	if err != nil {
		return reportFailure(st, s, x, err, o.Stats, nil)
	}
	return printResult(ctx, s, x, o, st)
}
