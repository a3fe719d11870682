package athenasrv

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// clock is a settable clock for the service.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func newClock() *clock { return &clock{at: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.at = c.at.Add(d)
	c.mu.Unlock()
}

func (e *env) startWith(in *athena.StartQueryExecutionInput) (string, error) {
	e.t.Helper()
	if in.WorkGroup == nil {
		in.WorkGroup = aws.String("wg")
	}
	out, err := e.client.StartQueryExecution(context.Background(), in)
	if err != nil {
		return "", err
	}
	return *out.QueryExecutionId, nil
}

// rows reads a finished query's result rows (header first).
func (e *env) rows(id string) ([][]string, []types.ColumnInfo) {
	e.t.Helper()
	out, err := e.client.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	if err != nil {
		e.t.Fatalf("GetQueryResults: %v", err)
	}
	var rows [][]string
	for _, r := range out.ResultSet.Rows {
		var row []string
		for _, d := range r.Data {
			if d.VarCharValue == nil {
				row = append(row, "<null>")
			} else {
				row = append(row, *d.VarCharValue)
			}
		}
		rows = append(rows, row)
	}
	return rows, out.ResultSet.ResultSetMetadata.ColumnInfo
}

func TestSyntaxErrorsAtStartOrRun(t *testing.T) {
	tests := []struct {
		name, sql string
		// startMsg is the refusal at start ("" when the query starts);
		// runReason the failure when syntax errors wait for the run.
		startMsg, runReason string
	}{
		{"a misspelt keyword", "SELECT * FORM sales.orders",
			"line 1:10: mismatched input 'FORM'", "SYNTAX_ERROR: line 1:10: mismatched input 'FORM'"},
		{"an unterminated string", "SELECT 'abc",
			"line 1:8: ", "SYNTAX_ERROR: line 1:8: "},
		{"two statements", "SELECT 1; SELECT 2",
			"Only one sql statement is allowed. Got: SELECT 1; SELECT 2", "SYNTAX_ERROR: line 1:11: mismatched input 'SELECT'"},
		{"a bad statement in a CTAS", "CREATE TABLE sales.t AS SELECT FROM sales.orders",
			"line 1:32: mismatched input 'FROM'", ""},
		// Names are resolved when the query runs, never at start.
		{"an unknown table parses", "SELECT * FROM sales.nope", "", "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sales.nope' does not exist"},
		{"a trailing semicolon is one statement", "SELECT 1;", "", ""},
		{"SHOW parses", "SHOW TABLES IN sales", "", ""},
	}
	start := newEnv(t, nil)
	run := newEnv(t, nil, func(c *Config) { c.SyntaxErrors = SyntaxAtRun })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := start.startWith(&athena.StartQueryExecutionInput{QueryString: aws.String(tt.sql)})
			if tt.startMsg != "" {
				apiError(t, err, "InvalidRequestException", tt.startMsg)
				if strings.Contains(err.Error(), "SYNTAX_ERROR") || strings.Contains(err.Error(), "AthenaErrorCode") {
					t.Errorf("the refusal %q carries the run-time error name", err)
				}
			} else {
				if err != nil {
					t.Fatalf("StartQueryExecution refused %q: %v", tt.sql, err)
				}
				qe := start.wait(id)
				if got := aws.ToString(qe.Status.StateChangeReason); !strings.HasPrefix(got, tt.runReason) || (tt.runReason == "") != (qe.Status.State == types.QueryExecutionStateSucceeded) {
					t.Errorf("got %s %q, want reason %q", qe.Status.State, got, tt.runReason)
				}
			}
			if tt.runReason == "" {
				return
			}
			id, err = run.startWith(&athena.StartQueryExecutionInput{QueryString: aws.String(tt.sql)})
			if err != nil {
				t.Fatalf("with syntax errors at run, StartQueryExecution refused %q: %v", tt.sql, err)
			}
			qe := run.wait(id)
			if qe.Status.State != types.QueryExecutionStateFailed || !strings.HasPrefix(aws.ToString(qe.Status.StateChangeReason), tt.runReason) {
				t.Errorf("got %s %q, want FAILED %q", qe.Status.State, aws.ToString(qe.Status.StateChangeReason), tt.runReason)
			}
			if ae := qe.Status.AthenaError; ae == nil || aws.ToInt32(ae.ErrorCategory) != 2 {
				t.Errorf("got AthenaError %+v, want a user error (category 2)", ae)
			}
		})
	}
	if _, err := ParseSyntaxErrors("later"); err == nil || !strings.Contains(err.Error(), "want start") {
		t.Errorf("ParseSyntaxErrors(later) = %v, want an error naming the choices", err)
	}
}

func TestExecutionParameters(t *testing.T) {
	e := newEnv(t, nil)
	params := []string{"2", "'bob'"}
	id, err := e.startWith(&athena.StartQueryExecutionInput{
		QueryString:         aws.String("SELECT id, name FROM sales.orders WHERE id = ? AND name = ?"),
		ExecutionParameters: params,
	})
	if err != nil {
		t.Fatal(err)
	}
	qe := e.wait(id)
	if qe.Status.State != types.QueryExecutionStateSucceeded {
		t.Fatalf("got %s %q", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	if strings.Join(qe.ExecutionParameters, "|") != "2|'bob'" {
		t.Errorf("GetQueryExecution echoes %q, want %q", qe.ExecutionParameters, params)
	}
	if rows, _ := e.rows(id); len(rows) != 2 || strings.Join(rows[1], ",") != "2,bob" {
		t.Errorf("got rows %q, want the header and 2,bob", rows)
	}

	// Too few values fail the query; an empty value is refused at once.
	id, err = e.startWith(&athena.StartQueryExecutionInput{QueryString: aws.String("SELECT ? + ?"), ExecutionParameters: []string{"1"}})
	if err != nil {
		t.Fatal(err)
	}
	if qe := e.wait(id); !strings.Contains(aws.ToString(qe.Status.StateChangeReason), "Incorrect number of parameters: expected 2 but found 1") {
		t.Errorf("got %s %q, want the parameter count failure", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	_, err = e.startWith(&athena.StartQueryExecutionInput{QueryString: aws.String("SELECT ?"), ExecutionParameters: []string{""}})
	apiError(t, err, "InvalidRequestException", "'executionParameters' failed to satisfy constraint")
}

func TestResultReuse(t *testing.T) {
	clk := newClock()
	e := newEnv(t, clk.now)
	const sql = "SELECT id, name FROM sales.orders ORDER BY id"
	reuse := func(minutes *int32) *types.ResultReuseConfiguration {
		return &types.ResultReuseConfiguration{ResultReuseByAgeConfiguration: &types.ResultReuseByAgeConfiguration{Enabled: true, MaxAgeInMinutes: minutes}}
	}
	run := func(sql string, cfg *types.ResultReuseConfiguration, params ...string) *types.QueryExecution {
		t.Helper()
		in := &athena.StartQueryExecutionInput{QueryString: aws.String(sql), ResultReuseConfiguration: cfg}
		if len(params) > 0 {
			in.ExecutionParameters = params
		}
		id, err := e.startWith(in)
		if err != nil {
			t.Fatal(err)
		}
		return e.wait(id)
	}
	reused := func(qe *types.QueryExecution) bool {
		return qe.Statistics != nil && qe.Statistics.ResultReuseInformation != nil && qe.Statistics.ResultReuseInformation.ReusedPreviousResult
	}

	first := run(sql, reuse(nil))
	if reused(first) || aws.ToInt64(first.Statistics.DataScannedInBytes) != int64(len(ordersCSV)) {
		t.Fatalf("the first run: reused %v, scanned %d; want a real run", reused(first), aws.ToInt64(first.Statistics.DataScannedInBytes))
	}
	if c := first.ResultReuseConfiguration; c == nil || !c.ResultReuseByAgeConfiguration.Enabled {
		t.Errorf("GetQueryExecution does not echo ResultReuseConfiguration: %+v", c)
	}
	clk.advance(30 * time.Minute)
	second := run(sql, reuse(nil))
	if !reused(second) {
		t.Fatalf("a repeat within the default 60 minutes was not reused")
	}
	if aws.ToString(second.QueryExecutionId) == aws.ToString(first.QueryExecutionId) {
		t.Error("the reusing query has the first one's id")
	}
	if got, want := aws.ToString(second.ResultConfiguration.OutputLocation), aws.ToString(first.ResultConfiguration.OutputLocation); got != want {
		t.Errorf("the reusing query points at %s, want the stored result %s", got, want)
	}
	if got := aws.ToInt64(second.Statistics.DataScannedInBytes); got != 0 {
		t.Errorf("the reusing query scanned %d bytes, want 0", got)
	}
	a, _ := e.rows(aws.ToString(first.QueryExecutionId))
	b, cols := e.rows(aws.ToString(second.QueryExecutionId))
	if len(b) != 4 || strings.Join(b[1], ",") != strings.Join(a[1], ",") || len(cols) != 2 {
		t.Errorf("the reused result reads %q (%d columns), want the first's %q", b, len(cols), a)
	}

	cases := []struct {
		name string
		qe   func() *types.QueryExecution
	}{
		// First: each real run below stores a fresh result.
		{"older than MaxAgeInMinutes", func() *types.QueryExecution { return run(sql, reuse(aws.Int32(10))) }},
		{"reuse not asked for", func() *types.QueryExecution { return run(sql, nil) }},
		{"another query string", func() *types.QueryExecution { return run(sql+" ", reuse(nil)) }},
		{"other parameters", func() *types.QueryExecution {
			run("SELECT name FROM sales.orders WHERE id = ?", nil, "1")
			return run("SELECT name FROM sales.orders WHERE id = ?", reuse(nil), "2")
		}},
	}
	clk.advance(20 * time.Minute) // the last real run is 20 minutes old (the reusing one ran nothing)
	for _, c := range cases {
		if qe := c.qe(); reused(qe) {
			t.Errorf("%s: the result was reused", c.name)
		}
	}

	// The caller must still be allowed every table: without Glue, the
	// repeat runs (and fails) instead of serving the stored rows.
	e.grant(allow("athena:*", "*"), allow("s3:*", "*"))
	if qe := run(sql, reuse(nil)); reused(qe) || qe.Status.State != types.QueryExecutionStateFailed {
		t.Errorf("without glue:GetTable: reused %v, state %s; want a real run that fails", reused(qe), qe.Status.State)
	}
	_, err := e.startWith(&athena.StartQueryExecutionInput{QueryString: aws.String(sql), ResultReuseConfiguration: reuse(aws.Int32(10081))})
	apiError(t, err, "InvalidRequestException", "less than or equal to 10080")
}

func TestNamedQueries(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	list, err := e.client.ListNamedQueries(ctx, &athena.ListNamedQueriesInput{WorkGroup: aws.String("wg")})
	if err != nil || len(list.NamedQueryIds) != 2 {
		t.Fatalf("ListNamedQueries: %v, %v", list, err)
	}
	got, err := e.client.GetNamedQuery(ctx, &athena.GetNamedQueryInput{NamedQueryId: aws.String(list.NamedQueryIds[0])})
	if err != nil || got.NamedQuery == nil || aws.ToString(got.NamedQuery.WorkGroup) != "wg" || aws.ToString(got.NamedQuery.Database) != "sales" {
		t.Fatalf("GetNamedQuery: %+v, %v", got, err)
	}

	token := "0123456789abcdef0123456789abcdef"
	in := &athena.CreateNamedQueryInput{Name: aws.String("big orders"), Database: aws.String("sales"),
		QueryString: aws.String("SELECT * FROM orders WHERE id > 1"), Description: aws.String("over one"),
		WorkGroup: aws.String("wg"), ClientRequestToken: aws.String(token)}
	made, err := e.client.CreateNamedQuery(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(made.NamedQueryId)
	again, err := e.client.CreateNamedQuery(ctx, in)
	if err != nil || aws.ToString(again.NamedQueryId) != id {
		t.Errorf("the same token again: %v, %v; want the same id %s", again, err, id)
	}
	in.QueryString = aws.String("SELECT 2")
	_, err = e.client.CreateNamedQuery(ctx, in)
	apiError(t, err, "InvalidRequestException", "Idempotent parameters do not match")

	got, err = e.client.GetNamedQuery(ctx, &athena.GetNamedQueryInput{NamedQueryId: aws.String(id)})
	if err != nil || aws.ToString(got.NamedQuery.Name) != "big orders" || aws.ToString(got.NamedQuery.Description) != "over one" ||
		aws.ToString(got.NamedQuery.QueryString) != "SELECT * FROM orders WHERE id > 1" {
		t.Errorf("GetNamedQuery of the new one: %+v, %v", got.NamedQuery, err)
	}
	list, _ = e.client.ListNamedQueries(ctx, &athena.ListNamedQueriesInput{WorkGroup: aws.String("wg")})
	if len(list.NamedQueryIds) != 3 {
		t.Errorf("ListNamedQueries lists %d, want 3 with the new one", len(list.NamedQueryIds))
	}
	batch, err := e.client.BatchGetNamedQuery(ctx, &athena.BatchGetNamedQueryInput{NamedQueryIds: []string{id}})
	if err != nil || len(batch.NamedQueries) != 1 {
		t.Errorf("BatchGetNamedQuery of the new one: %+v, %v", batch, err)
	}

	_, err = e.client.GetNamedQuery(ctx, &athena.GetNamedQueryInput{NamedQueryId: aws.String("00000000-0000-4000-8000-000000000000")})
	apiError(t, err, "InvalidRequestException", "NamedQuery 00000000-0000-4000-8000-000000000000 was not found")
	_, err = e.client.CreateNamedQuery(ctx, &athena.CreateNamedQueryInput{Name: aws.String(strings.Repeat("n", 129)), Database: aws.String("sales"), QueryString: aws.String("SELECT 1")})
	apiError(t, err, "InvalidRequestException", "'name' failed to satisfy constraint: Member must have length less than or equal to 128")
	_, err = e.client.CreateNamedQuery(ctx, &athena.CreateNamedQueryInput{Name: aws.String("x"), Database: aws.String("sales"), QueryString: aws.String("SELECT 1"), WorkGroup: aws.String("nope")})
	apiError(t, err, "InvalidRequestException", "nope")

	e.grant(allow("athena:ListNamedQueries", "*"))
	_, err = e.client.GetNamedQuery(ctx, &athena.GetNamedQueryInput{NamedQueryId: aws.String(id)})
	apiError(t, err, "AccessDeniedException", "athena:GetNamedQuery")
	_, err = e.client.CreateNamedQuery(ctx, &athena.CreateNamedQueryInput{Name: aws.String("x"), Database: aws.String("sales"), QueryString: aws.String("SELECT 1"), WorkGroup: aws.String("wg")})
	apiError(t, err, "AccessDeniedException", "athena:CreateNamedQuery")
}

func TestListEngineVersions(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	out, err := e.client.ListEngineVersions(ctx, &athena.ListEngineVersionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range out.EngineVersions {
		got = append(got, aws.ToString(v.SelectedEngineVersion)+"->"+aws.ToString(v.EffectiveEngineVersion))
	}
	if want := "AUTO->Athena engine version 3,Athena engine version 3->Athena engine version 3"; strings.Join(got, ",") != want {
		t.Errorf("got %q, want %s", got, want)
	}
	page, err := e.client.ListEngineVersions(ctx, &athena.ListEngineVersionsInput{MaxResults: aws.Int32(1)})
	if err != nil || len(page.EngineVersions) != 1 || page.NextToken == nil {
		t.Fatalf("a page of one: %+v, %v", page, err)
	}
	next, err := e.client.ListEngineVersions(ctx, &athena.ListEngineVersionsInput{MaxResults: aws.Int32(1), NextToken: page.NextToken})
	if err != nil || len(next.EngineVersions) != 1 || aws.ToString(next.EngineVersions[0].SelectedEngineVersion) != "Athena engine version 3" || next.NextToken != nil {
		t.Errorf("the second page: %+v, %v", next, err)
	}
	e.grant(allow("athena:GetWorkGroup", "*"))
	_, err = e.client.ListEngineVersions(ctx, &athena.ListEngineVersionsInput{})
	apiError(t, err, "AccessDeniedException", "athena:ListEngineVersions")
}

// TestScanGrowsWhileRunning follows DataScannedInBytes and the runtime
// statistics of a query held RUNNING for ten minutes of a stopped clock:
// the scan is paced over the run time, never above what was read, and a
// stopped query keeps what it had reported.
func TestScanGrowsWhileRunning(t *testing.T) {
	clk := newClock()
	e := newEnv(t, clk.now)
	ctx := context.Background()
	total := int64(len(ordersCSV))
	id := e.start("SELECT count(*) FROM sales.orders -- sandbox: queue=0s run=10m", "wg")
	// Wait until the SQL has read the table (the clock does not move).
	x := e.svc.lookup(id)
	deadline := time.Now().Add(10 * time.Second)
	for x.read.Load() < total && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	if got := x.read.Load(); got != total {
		t.Fatalf("the engine read %d bytes, want %d", got, total)
	}
	scanned := func() (int64, int64, types.QueryExecutionState) {
		qe, err := e.client.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		rs, err := e.client.GetQueryRuntimeStatistics(ctx, &athena.GetQueryRuntimeStatisticsInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToInt64(qe.QueryExecution.Statistics.DataScannedInBytes), aws.ToInt64(rs.QueryRuntimeStatistics.Rows.InputBytes), qe.QueryExecution.Status.State
	}
	for _, step := range []struct {
		advance time.Duration
		want    int64
	}{{0, 0}, {150 * time.Second, total / 4}, {150 * time.Second, total / 2}} {
		clk.advance(step.advance)
		got, input, state := scanned()
		if state != types.QueryExecutionStateRunning || got != step.want || input != step.want {
			t.Errorf("after %v more: %s, DataScannedInBytes %d, InputBytes %d; want RUNNING, %d", step.advance, state, got, input, step.want)
		}
	}
	if _, err := e.client.StopQueryExecution(ctx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Hour)
	if got, input, state := scanned(); state != types.QueryExecutionStateCancelled || got != total/2 || input != total/2 {
		t.Errorf("stopped: %s, scanned %d, input %d; want CANCELLED keeping %d", state, got, input, total/2)
	}

	// A finished query reports its whole scan and its output.
	id = e.start("SELECT id FROM sales.orders", "wg")
	e.wait(id)
	rs, err := e.client.GetQueryRuntimeStatistics(ctx, &athena.GetQueryRuntimeStatisticsInput{QueryExecutionId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	r := rs.QueryRuntimeStatistics.Rows
	if r == nil || aws.ToInt64(r.InputBytes) != total || aws.ToInt64(r.OutputRows) != 3 || aws.ToInt64(r.OutputBytes) != int64(len("\"id\"\n\"1\"\n\"2\"\n\"3\"\n")) {
		t.Errorf("got rows %+v, want %d bytes in, 3 rows out", r, total)
	}
	if st := rs.QueryRuntimeStatistics.OutputStage; st == nil || aws.ToString(st.State) != "FINISHED" || aws.ToInt64(st.OutputRows) != 3 {
		t.Errorf("got output stage %+v", st)
	}
	e.grant(allow("athena:GetQueryExecution", "*"))
	_, err = e.client.GetQueryRuntimeStatistics(ctx, &athena.GetQueryRuntimeStatisticsInput{QueryExecutionId: aws.String(id)})
	apiError(t, err, "AccessDeniedException", "athena:GetQueryRuntimeStatistics")
}

// TestColumnInfoOfTrinoTypes checks GetQueryResults' ColumnInfo and
// Athena's text for the structural and exact types.
func TestColumnInfoOfTrinoTypes(t *testing.T) {
	e := newEnv(t, nil)
	id := e.start(`SELECT ARRAY[1, 2] AS a, MAP(ARRAY['k'], ARRAY[1]) AS m, ROW(1, 'x') AS r,
	  DECIMAL '1.20' AS d, CAST('abc' AS varchar(3)) AS v, CAST('ab' AS char(4)) AS c, X'00ff' AS b,
	  NULL AS n, json_parse('[1,"a"]') AS j, CAST(1.5 AS real) AS f, 0.1 + 0.2 AS s`, "wg")
	if qe := e.wait(id); qe.Status.State != types.QueryExecutionStateSucceeded {
		t.Fatalf("got %s %q", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	rows, cols := e.rows(id)
	want := []struct {
		typ       string
		precision int32
		scale     int32
		text      string
	}{
		{"array", 0, 0, "[1, 2]"},
		{"map", 0, 0, "{k=1}"},
		{"row", 0, 0, "{field0=1, field1=x}"},
		{"decimal", 3, 2, "1.20"},
		{"varchar", 3, 0, "abc"},
		{"char", 4, 0, "ab  "},
		{"varbinary", 0, 0, "00 ff"},
		{"unknown", 0, 0, "<null>"},
		{"json", 0, 0, `[1,"a"]`},
		{"real", 7, 0, "1.5"},
		{"decimal", 2, 1, "0.3"},
	}
	if len(cols) != len(want) || len(rows) != 2 {
		t.Fatalf("got %d columns and rows %q", len(cols), rows)
	}
	for i, w := range want {
		c := cols[i]
		if aws.ToString(c.Type) != w.typ || c.Precision != w.precision || c.Scale != w.scale || rows[1][i] != w.text {
			t.Errorf("column %s: got %s(%d,%d) %q, want %s(%d,%d) %q", aws.ToString(c.Name), aws.ToString(c.Type), c.Precision, c.Scale, rows[1][i], w.typ, w.precision, w.scale, w.text)
		}
	}
}
