package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/report"
)

// The row limits of a tool result: a model's context is small, and a
// result is read whole.
const (
	defaultMaxRows = 100
	maxMaxRows     = 10000
)

// QueryInput is athena_query's input.
type QueryInput struct {
	SQL       string `json:"sql" jsonschema:"one Athena (Trino) SQL statement"`
	Catalog   string `json:"catalog,omitempty" jsonschema:"default data catalog for unqualified table names (e.g. AwsDataCatalog, or the Quilt stack's *-tabulator catalog)"`
	Database  string `json:"database,omitempty" jsonschema:"default database for unqualified table names"`
	Workgroup string `json:"workgroup,omitempty" jsonschema:"Athena workgroup to run in (default: the configured one, else the one the user may use)"`
	MaxRows   int    `json:"max_rows,omitempty" jsonschema:"most rows to return (default 100, at most 10000); when the result has more, truncated is true and the rest can be paged with query_results"`
	MaxScan   string `json:"max_scan,omitempty" jsonschema:"stop the query once Athena has scanned more than this, e.g. 500MB, 10GB, 1TiB (binary units, as the CLI's --max-scan: 1 GB = 2^30 bytes); empty means no limit"`
}

// QueryOutput is athena_query's output (and query_results'): the rows,
// or, for a refusal, Refusal.
type QueryOutput struct {
	QueryID string          `json:"query_id,omitempty" jsonschema:"Athena's query execution ID; empty when nothing was sent"`
	State   string          `json:"state" jsonschema:"SUCCEEDED, FAILED, CANCELLED, or REFUSED when refused before sending"`
	Columns []engine.Column `json:"columns" jsonschema:"the result's columns with their Athena types"`
	// Rows are the values in column order, typed as JSON: numbers,
	// booleans, null, exact decimals as numbers, arrays and maps as JSON.
	Rows      [][]any `json:"rows" jsonschema:"the rows, each an array of values in column order"`
	RowCount  int     `json:"row_count" jsonschema:"how many rows are in rows"`
	Offset    int     `json:"offset" jsonschema:"the index of the first row returned (query_results pages by it)"`
	Truncated bool    `json:"truncated" jsonschema:"true when the result has more rows than were returned"`
	// Note says what was left out and how to get it.
	Note    string   `json:"note,omitempty" jsonschema:"what was left out, and how to get it"`
	Stats   *Stats   `json:"stats,omitempty" jsonschema:"what the query scanned, cost and took"`
	Refusal *Refusal `json:"refusal,omitempty" jsonschema:"why the query was refused and what fixes it, when it was"`
	Reason  string   `json:"reason,omitempty" jsonschema:"why the query failed or was stopped"`
	Notes   []string `json:"notes,omitempty" jsonschema:"what the check before sending could not tell"`
}

// Stats are a query's statistics.
type Stats struct {
	QueryID      string  `json:"query_id"`
	Workgroup    string  `json:"workgroup"`
	BytesScanned int64   `json:"bytes_scanned"`
	Scanned      string  `json:"scanned" jsonschema:"bytes scanned, for reading"`
	CostUSD      float64 `json:"cost_usd" jsonschema:"Athena's price for the scan in US dollars (10 MB minimum), at the profile's price per TB"`
	Cost         string  `json:"cost" jsonschema:"the cost, for reading"`
	QueueMs      int64   `json:"queue_ms"`
	EngineMs     int64   `json:"engine_ms"`
	TotalMs      int64   `json:"total_ms"`
	FetchPath    string  `json:"fetch_path,omitempty" jsonschema:"how rows were read: s3 (the result file) or api (GetQueryResults)"`
}

func (s *Server) addQueryTools() {
	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:  "athena_query",
		Title: "Run SQL on Athena",
		Description: `Run one SQL statement on Amazon Athena as the logged-in Quilt user and return its rows.
Before anything is sent, every table the SQL names is checked against the user's grants and, when the role's policies are known, every IAM permission the query needs.
A refusal (before sending, or by AWS) is a tool error whose structured content has refusal.missing_actions, resources, principal, policy_type, who_must_act and fix_statement: the one policy statement that fixes the whole query. Do not retry a refused query unchanged.
Rows come back as structured content (columns, rows) and as a text table; at most max_rows (default 100), with truncated=true when there are more (page on with query_results and the query_id).
stats give bytes scanned, cost in USD, time and the query ID. Cancelling the call stops the query on Athena. Progress notifications are sent while it runs when the request carries a progress token.`,
		Annotations: &mcp.ToolAnnotations{OpenWorldHint: ptr(true)},
	}, s.athenaQuery)

	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:  "query_results",
		Title: "Page through a query's results",
		Description: `Read rows of an earlier, SUCCEEDED Athena query by its query_id (from athena_query or query_history) without running it again.
offset skips rows (use the previous call's offset + row_count), max_rows caps how many come back (default 100, at most 10000).`,
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}, s.queryResults)

	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:        "query_history",
		Title:       "Recent queries",
		Description: `The workgroup's recent queries, newest first: query_id, state, SQL, when, bytes scanned and cost. Use query_results to read the rows of a SUCCEEDED one.`,
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}, s.queryHistory)

	if s.opts.CanApplyFix {
		mcp.AddTool(s.mcp, &mcp.Tool{
			Name:  "sandbox_apply_fix",
			Title: "Apply a fix statement (sandbox only)",
			Description: `Sandbox only: add a fix_statement (from a refusal, athena_check or permissions_doctor) to the sandbox role's identity policies, as the user's AWS administrator would, so that the refused query can be run again.
It never changes a real AWS role; this tool exists only when quiltq serves its embedded sandbox.`,
		}, s.applyFix)
	}
}

func ptr[T any](v T) *T { return &v }

// athenaQuery runs athena_query.
func (s *Server) athenaQuery(ctx context.Context, req *mcp.CallToolRequest, in QueryInput) (*mcp.CallToolResult, QueryOutput, error) {
	s.calls.Add(1)
	defer s.calls.Done()
	out := QueryOutput{Columns: []engine.Column{}, Rows: [][]any{}}
	stmt := session.Statement{SQL: strings.TrimSpace(in.SQL), Catalog: in.Catalog, Database: in.Database, Workgroup: in.Workgroup}
	maxRows, err := rowLimit(in.MaxRows)
	if err != nil {
		return nil, out, err
	}
	var maxScan int64
	if in.MaxScan != "" {
		if maxScan, err = config.ParseSize(in.MaxScan); err != nil {
			return nil, out, fmt.Errorf("max_scan: %w", err)
		}
	}
	stmts, err := session.SplitStatements(stmt.SQL)
	switch {
	case err != nil:
		return nil, out, fmt.Errorf("the SQL cannot be read: %w", err)
	case len(stmts) == 0:
		return nil, out, errors.New("sql holds no statement: give one SQL statement")
	case len(stmts) > 1:
		return nil, out, fmt.Errorf("sql holds %d statements: Athena runs one at a time, so call athena_query once for each", len(stmts))
	}
	if err := engine.CheckStatement(stmt.SQL); err != nil {
		return nil, out, err
	}

	v, err := s.sess.Check(ctx, stmt)
	if err != nil {
		if ref := s.refusalOf(ctx, stmt, athena.Execution{}, err); ref != nil {
			out.State, out.Refusal = "REFUSED", ref
			s.logTo(ctx, req.Session, slog.LevelWarn, "query refused before sending (%s): %s", ref.Stage, strings.Join(ref.MissingActions, ", "))
			return refusedResult(ref), out, nil
		}
		return nil, out, failure(err)
	}
	out.Notes = v.Notes

	id, x, err := s.sess.Start(ctx, stmt)
	if err != nil {
		if ref := s.refusalOf(ctx, stmt, x, err); ref != nil {
			out.State, out.Refusal = "REFUSED", ref
			s.logTo(ctx, req.Session, slog.LevelWarn, "Athena refused to start the query: %s", strings.Join(ref.MissingActions, ", "))
			return refusedResult(ref), out, nil
		}
		return nil, out, failure(err)
	}
	out.QueryID = id
	s.logTo(ctx, req.Session, slog.LevelInfo, "query %s started in workgroup %s", id, x.Workgroup)

	token := req.Params.GetProgressToken()
	got, err := s.sess.WaitWithin(ctx, id, maxScan, func(p athena.Execution) {
		if token != nil {
			_ = req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{
				ProgressToken: token, Progress: float64(p.Polls),
				Message: "query " + id + " " + report.Running(p, p.TotalTime.Round(100*time.Millisecond), s.sess.CostOf(p)),
			})
		}
	})
	got = session.Asked(got, x)
	if err != nil {
		s.sess.Forget(id) // stopped on purpose (a cancelled call, the scan limit), or final
		switch {
		case ctx.Err() != nil:
			s.logTo(context.WithoutCancel(ctx), req.Session, slog.LevelInfo, "query %s stopped: the call was cancelled", id)
			return nil, out, ctx.Err()
		case session.ScanLimitOf(err) != nil:
			over := session.ScanLimitOf(err)
			out.State, out.Stats = string(got.State), s.stats(got, "")
			out.Reason = over.Error() + "; " + over.Next()
			s.logTo(ctx, req.Session, slog.LevelWarn, "query %s stopped: %s", id, out.Reason)
			return errorResult(out.Reason), out, nil
		}
		if ref := s.refusalOf(ctx, stmt, got, err); ref != nil {
			out.State, out.Refusal, out.Stats = string(got.State), ref, s.stats(got, "")
			s.logTo(ctx, req.Session, slog.LevelWarn, "query %s refused by AWS: %s", id, strings.Join(ref.MissingActions, ", "))
			return refusedResult(ref), out, nil
		}
		out.State, out.Stats, out.Reason = string(got.State), s.stats(got, ""), failure(err).Error()
		s.logTo(ctx, req.Session, slog.LevelWarn, "query %s %s", id, got.State)
		return errorResult("the query " + strings.ToLower(string(got.State)) + ": " + out.Reason), out, nil
	}
	s.logTo(ctx, req.Session, slog.LevelInfo, "query %s SUCCEEDED: %s scanned", id, engine.FormatBytes(got.DataScanned))
	rows, err := s.sess.Results(ctx, got)
	if err != nil {
		return nil, out, failure(err)
	}
	return s.page(got, rows, 0, maxRows, out)
}

// queryResults runs query_results.
func (s *Server) queryResults(ctx context.Context, _ *mcp.CallToolRequest, in ResultsInput) (*mcp.CallToolResult, QueryOutput, error) {
	out := QueryOutput{Columns: []engine.Column{}, Rows: [][]any{}, QueryID: in.QueryID}
	maxRows, err := rowLimit(in.MaxRows)
	if err != nil {
		return nil, out, err
	}
	if in.Offset < 0 {
		return nil, out, fmt.Errorf("offset %d is negative: give 0 or more", in.Offset)
	}
	x, err := s.sess.Execution(ctx, in.QueryID)
	if err != nil {
		return nil, out, failure(err)
	}
	if x.State != athena.Succeeded {
		return nil, out, fmt.Errorf("query %s is %s, not SUCCEEDED: it has no results to read", in.QueryID, x.State)
	}
	rows, err := s.sess.Results(ctx, x)
	if err != nil {
		return nil, out, failure(err)
	}
	return s.page(x, rows, in.Offset, maxRows, out)
}

// ResultsInput is query_results' input.
type ResultsInput struct {
	QueryID string `json:"query_id" jsonschema:"the query execution ID"`
	Offset  int    `json:"offset,omitempty" jsonschema:"rows to skip first (default 0)"`
	MaxRows int    `json:"max_rows,omitempty" jsonschema:"most rows to return (default 100, at most 10000)"`
}

// page reads rows[offset:offset+limit] of x into out, with a text table
// as the result's content.
func (s *Server) page(x athena.Execution, rows athena.Rows, offset, limit int, out QueryOutput) (*mcp.CallToolResult, QueryOutput, error) {
	defer rows.Close()
	cols := rows.Columns()
	out.Columns = nonNil(cols)
	out.State, out.QueryID, out.Offset = string(x.State), x.ID, offset
	var kept []engine.Row
	for i := 0; ; i++ {
		r, err := rows.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, out, failure(err)
		}
		if i < offset {
			continue
		}
		if len(kept) == limit {
			out.Truncated = true
			break
		}
		kept = append(kept, r)
	}
	for _, r := range kept {
		vals := make([]any, len(r))
		for i, v := range r {
			typ := ""
			if i < len(cols) {
				typ = cols[i].Type
			}
			vals[i] = v.Typed(typ)
		}
		out.Rows = append(out.Rows, vals)
	}
	out.RowCount = len(kept)
	out.Stats = s.stats(x, rows.Path().Via)
	if out.Truncated {
		out.Note = fmt.Sprintf("truncated: rows %d to %d of more are shown; call query_results with query_id %q and offset %d for the next ones", offset+1, offset+len(kept), x.ID, offset+len(kept))
	}
	var b bytes.Buffer
	if _, _, err := print.Rows(&sliceSource{cols: cols, rows: kept}, "table", print.Options{MaxWidth: 60}, 0, &b); err != nil {
		return nil, out, err
	}
	st := out.Stats
	fmt.Fprintf(&b, "%d row(s)", len(kept))
	if out.Truncated {
		fmt.Fprintf(&b, " (truncated: more rows exist; query_results with offset %d reads on)", offset+len(kept))
	}
	fmt.Fprintf(&b, "; query %s; scanned %s, cost %s, %d ms\n", x.ID, st.Scanned, st.Cost, st.TotalMs)
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: b.String()}}}, out, nil
}

// stats are x's statistics, with the price per TB of the session.
func (s *Server) stats(x athena.Execution, via string) *Stats {
	st := s.sess.StatsOf(x, nil, athena.FetchPath{})
	return &Stats{QueryID: st.QueryID, Workgroup: st.Workgroup, BytesScanned: st.BytesScanned, Scanned: engine.FormatBytes(st.BytesScanned),
		CostUSD: st.CostUSD, Cost: engine.FormatUSD(st.CostUSD), QueueMs: st.QueueMs, EngineMs: st.EngineMs, TotalMs: st.TotalMs, FetchPath: via}
}

// rowLimit checks max_rows.
func rowLimit(n int) (int, error) {
	switch {
	case n == 0:
		return defaultMaxRows, nil
	case n < 0 || n > maxMaxRows:
		return 0, fmt.Errorf("max_rows %d is out of range: give 1 to %d", n, maxMaxRows)
	}
	return n, nil
}

// refusedResult is the tool error of a refusal: its structured content
// is the output holding the refusal, its text what a model reads first.
func refusedResult(r *Refusal) *mcp.CallToolResult {
	var b strings.Builder
	if r.Sent {
		b.WriteString("AWS refused the query.\n")
	} else {
		b.WriteString("Refused before sending: nothing was sent to AWS.\n")
	}
	fmt.Fprintf(&b, "%s\n", r.Message)
	if len(r.MissingActions) > 0 {
		fmt.Fprintf(&b, "missing actions: %s\n", strings.Join(r.MissingActions, ", "))
	}
	if r.Principal != "" {
		fmt.Fprintf(&b, "principal: %s\n", r.Principal)
	}
	fmt.Fprintf(&b, "who must act: %s\n", r.WhoMustAct)
	if r.FixStatement != nil {
		fmt.Fprintf(&b, "statement that fixes the whole query (add it to %s's identity policies):\n%s\n", r.FixRole, r.FixStatement.JSON())
	}
	return errorResult(b.String())
}

// errorResult is a tool error with text; the generic handler adds the
// structured content.
func errorResult(text string) *mcp.CallToolResult {
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: text}}}
}

// sliceSource is rows held in memory, as ui/print reads a result.
type sliceSource struct {
	cols []engine.Column
	rows []engine.Row
	i    int
}

func (s *sliceSource) Columns() []engine.Column { return s.cols }

func (s *sliceSource) Next() (engine.Row, error) {
	if s.i >= len(s.rows) {
		return nil, io.EOF
	}
	s.i++
	return s.rows[s.i-1], nil
}

// HistoryInput is query_history's input.
type HistoryInput struct {
	Max int `json:"max,omitempty" jsonschema:"most queries to return (default 20, at most 200)"`
}

// HistoryOutput is query_history's output.
type HistoryOutput struct {
	Workgroup string         `json:"workgroup"`
	Queries   []HistoryEntry `json:"queries"`
}

// HistoryEntry is one earlier query.
type HistoryEntry struct {
	QueryID      string  `json:"query_id"`
	State        string  `json:"state"`
	SQL          string  `json:"sql"`
	Submitted    string  `json:"submitted,omitempty" jsonschema:"RFC 3339"`
	BytesScanned int64   `json:"bytes_scanned"`
	CostUSD      float64 `json:"cost_usd"`
	Reason       string  `json:"reason,omitempty" jsonschema:"why it failed or was cancelled"`
}

func (s *Server) queryHistory(ctx context.Context, _ *mcp.CallToolRequest, in HistoryInput) (*mcp.CallToolResult, HistoryOutput, error) {
	out := HistoryOutput{Queries: []HistoryEntry{}}
	n := in.Max
	switch {
	case n == 0:
		n = 20
	case n < 0 || n > 200:
		return nil, out, fmt.Errorf("max %d is out of range: give 1 to 200", n)
	}
	xs, err := s.sess.Recent(ctx, n)
	if err != nil {
		return nil, out, failure(err)
	}
	out.Workgroup = s.sess.WorkgroupName()
	for _, x := range xs {
		e := HistoryEntry{QueryID: x.ID, State: string(x.State), SQL: x.SQL, BytesScanned: x.DataScanned, CostUSD: s.sess.CostOf(x), Reason: x.Reason}
		if !x.Submitted.IsZero() {
			e.Submitted = x.Submitted.UTC().Format(time.RFC3339)
		}
		out.Queries = append(out.Queries, e)
	}
	return nil, out, nil
}

// ApplyFixInput is sandbox_apply_fix's input.
type ApplyFixInput struct {
	FixStatement any `json:"fix_statement" jsonschema:"the fix_statement object (an IAM policy document) exactly as a refusal, athena_check or permissions_doctor gave it"`
}

// ApplyFixOutput is sandbox_apply_fix's output.
type ApplyFixOutput struct {
	Done string `json:"done" jsonschema:"what was done"`
}

func (s *Server) applyFix(ctx context.Context, req *mcp.CallToolRequest, in ApplyFixInput) (*mcp.CallToolResult, ApplyFixOutput, error) {
	var doc []byte
	switch v := in.FixStatement.(type) {
	case string:
		doc = []byte(v)
	case nil:
		return nil, ApplyFixOutput{}, errors.New("fix_statement is missing: pass the fix_statement object a refusal gave")
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, ApplyFixOutput{}, err
		}
		doc = b
	}
	done, err := s.sess.ApplyFix(ctx, string(doc))
	if err != nil {
		return nil, ApplyFixOutput{}, err
	}
	s.logTo(ctx, req.Session, slog.LevelInfo, "%s", done)
	return nil, ApplyFixOutput{Done: done}, nil
}
