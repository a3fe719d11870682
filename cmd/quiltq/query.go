package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/report"
)

// queryOptions are the flags of one-shot query mode.
type queryOptions struct {
	Format          string // table, csv, tsv, json, jsonl, markdown
	NoHeader        bool
	NullString      *string
	Limit           int64 // 0: no limit
	ContinueOnError bool
	Stats           bool
	Params          [][]string // each statement's --param values (guards.go)
}

// runStatements runs each statement in order, printing each result on
// st.Out. It stops at the first failure unless ContinueOnError, and returns
// the exit code of the first failure (or 0).
func runStatements(ctx context.Context, s *session.Session, stmts []string, verdicts []session.Verdict, o queryOptions, st streams) int {
	code := exitOK
	for i, sql := range stmts {
		if len(stmts) > 1 {
			fmt.Fprintf(st.Err, "quiltq: statement %d of %d\n", i+1, len(stmts))
		}
		checkNotes(st, s, verdicts[i])
		c := runOne(ctx, s, session.Statement{SQL: sql, Params: o.paramsOf(i)}, o, st)
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
func runOne(ctx context.Context, s *session.Session, stmt session.Statement, o queryOptions, st streams) int {
	prog := newProgress(st, s)
	x, err := s.Run(ctx, stmt, prog.Update)
	prog.Done()
	if err != nil {
		return reportFailure(st, s, x, err, o.Stats, nil)
	}
	return printResult(ctx, s, x, o, st)
}

// printResult prints the rows of the finished query x.
func printResult(ctx context.Context, s *session.Session, x athena.Execution, o queryOptions, st streams) int {
	if code, ok := passThrough(ctx, s, x, o, st); ok {
		return code
	}
	rows, err := s.Results(ctx, x)
	if err != nil {
		return reportFailure(st, s, x, err, o.Stats, nil)
	}
	defer rows.Close()
	n, truncated, err := print.Rows(rows, o.Format, print.Options{NoHeader: o.NoHeader, NullString: o.NullString}, o.Limit, st.Out)
	path := rows.Path()
	if path.Fallback != "" {
		fmt.Fprintf(st.Err, "quiltq: results read through GetQueryResults pages: %s\n", path.Fallback)
	}
	return printed(st, s, x, o, &fetchInfo{rows: n, path: path}, truncated, err)
}

// printed ends the printing of x's rows: the failure when fetching or
// writing them failed, else the note that --limit cut the result short
// and the --stats object.
func printed(st streams, s *session.Session, x athena.Execution, o queryOptions, info *fetchInfo, truncated bool, err error) int {
	if err != nil {
		return reportFailure(st, s, x, err, o.Stats, info)
	}
	if truncated {
		fmt.Fprintf(st.Err, "quiltq: output limited to %d rows (--limit); the result has more\n", o.Limit)
	}
	if o.Stats {
		writeStats(st.Err, s, x, info)
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
func passThrough(ctx context.Context, s *session.Session, x athena.Execution, o queryOptions, st streams) (int, bool) {
	if o.Format != "csv" || (o.NullString != nil && *o.NullString != "") {
		return 0, false
	}
	f, err := s.ResultFile(ctx, x)
	if err != nil {
		if k := engine.KindOf(err); k == engine.Denied || k == engine.Invalid {
			return 0, false
		}
		return reportFailure(st, s, x, err, o.Stats, nil), true
	}
	defer f.Close()
	n, truncated, err := print.CopyCSV(f, st.Out, o.NoHeader, o.Limit, o.Stats)
	return printed(st, s, x, o, &fetchInfo{rows: n, path: athena.FetchPath{Via: "s3"}}, truncated, err), true
}

// fetchInfo is what the result fetch did.
type fetchInfo struct {
	rows int64
	path athena.FetchPath
}

// reportFailure prints err on stderr (its text whole, then what it names
// and the next step) and returns its exit code.
func reportFailure(st streams, s *session.Session, x athena.Execution, err error, stats bool, f *fetchInfo) int {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Op == "write" {
		// Writing the rows failed here, not AWS: run says so.
		return exitFailed
	}
	fmt.Fprintf(st.Err, "quiltq: %v\n", err)
	if kind := engine.KindOf(err); kind == engine.Denied || kind == engine.Credentials {
		explainRefusal(st.Err, s, x, err)
	}
	if se := engine.SyntaxOf(err); se != nil && se.Line > 0 {
		report.SyntaxPosition(st.Err, x.SQL, se)
	}
	if hint := session.NextStep(err); hint != "" {
		fmt.Fprintf(st.Err, "  next:      %s\n", hint)
	}
	if stats && x.ID != "" {
		writeStats(st.Err, s, x, f)
	}
	return exitCode(err)
}

// exitCode maps an error's kind to the exit codes of ARCHITECTURE.md. SQL
// Athena could not parse is a failed query (1) on both of Athena's paths,
// refused by StartQueryExecution or FAILED with SYNTAX_ERROR, as SQL the
// pre-send check cannot read is.
func exitCode(err error) int {
	if code, ok := guardExit(err); ok {
		return code
	}
	if engine.SyntaxOf(err) != nil {
		return exitFailed
	}
	return exitOfKind(engine.KindOf(err))
}

// exitOfKind is the exit code of a failure of kind k.
func exitOfKind(k engine.Kind) int {
	switch k {
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
func writeStats(w io.Writer, s *session.Session, x athena.Execution, f *fetchInfo) {
	if f != nil {
		report.Stats(w, s.StatsOf(x, &f.rows, f.path))
	} else {
		report.Stats(w, s.StatsOf(x, nil, athena.FetchPath{}))
	}
}

// newProgress is the live progress line on stderr, when stderr is a
// terminal.
func newProgress(st streams, s *session.Session) *report.Progress {
	var w io.Writer
	if st.ErrTTY {
		w = st.progressOut()
	}
	return report.NewProgress(w, s.CostOf, time.Now)
}

// showResults prints the results of an earlier query, waiting for it when
// it is still running: a script can fetch a result again without paying
// for the query twice.
func showResults(ctx context.Context, s *session.Session, id string, o queryOptions, st streams) int {
	prog := newProgress(st, s)
	// quiltq did not start this query: an interrupt detaches from it and
	// leaves it running, as a viewer should.
	x, err := s.Follow(ctx, id, prog.Update)
	prog.Done()
	if engine.KindOf(err) == engine.Canceled && ctx.Err() != nil {
		fmt.Fprintf(st.Err, "quiltq: stopped waiting for query %s; quiltq did not start it, so it was left running (%s when last seen)\n", id, x.State)
		return exitInterrupted
	}
	if err == nil && x.State != athena.Succeeded {
		err = &engine.Error{Op: "query " + id, Kind: engine.Failed, Err: fmt.Errorf("the query ended %s: %s", x.State, x.Reason)}
	}
	if err != nil {
		return reportFailure(st, s, x, err, o.Stats, nil)
	}
	return printResult(ctx, s, x, o, st)
}
