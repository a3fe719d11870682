package athena

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// The default stack's user workgroup, its result bucket, and the admin
// role the tests run as (it may do anything, until a test says otherwise).
const (
	resultsWorkgroup = "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"
	resultsBucket    = "sales-prod-userathenaresultsbucket-1x7kq3bzr9wm"
	resultsAdminRole = "QuiltAdmin-sales-prod"
)

// adminConfig is an SDK configuration acting as the sandbox's admin, on an
// HTTP transport of its own. The transport's idle connections are closed
// before the sandbox stops: a request cancelled while dialling leaves a
// connection that never sent a request, which the sandbox's graceful
// shutdown would wait five seconds for.
func adminConfig(t testing.TB, env *sandboxtest.Env) aws.Config {
	t.Helper()
	cfg := env.AWSConfig(t, "admin")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	cfg.HTTPClient = &http.Client{Transport: tr}
	t.Cleanup(tr.CloseIdleConnections)
	return cfg
}

// instantSleep stands in for Options.Sleep: retries need no real pause against
// the sandbox, and tests must not depend on the clock.
func instantSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// withStandardRetries gives cfg the SDK's standard retryer, as quiltq runs with,
// with short pauses.
func withStandardRetries(cfg aws.Config) aws.Config {
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = 5 * time.Millisecond })
	}
	return cfg
}

// runResultsQuery runs sql to the end through the real Athena client, retrying
// what the sandbox's faults break (the same ClientRequestToken keeps a
// retried start from starting twice), and returns its Execution.
func runResultsQuery(t testing.TB, cfg aws.Config, sql string) Execution {
	t.Helper()
	client := awsathena.NewFromConfig(withStandardRetries(cfg))
	ctx := sandboxtest.Context(t)
	try := func(what string, call func() error) {
		t.Helper()
		var err error
		for range 20 {
			if err = call(); err == nil {
				return
			}
		}
		t.Fatalf("%s: %v", what, err)
	}
	token := fmt.Sprintf("quiltq-results-test-%020d", time.Now().UnixNano())
	var id string
	try("StartQueryExecution", func() error {
		out, err := client.StartQueryExecution(ctx, &awsathena.StartQueryExecutionInput{
			QueryString: aws.String(sql), WorkGroup: aws.String(resultsWorkgroup), ClientRequestToken: aws.String(token),
		})
		if err == nil {
			id = aws.ToString(out.QueryExecutionId)
		}
		return err
	})
	for {
		var qe *types.QueryExecution
		try("GetQueryExecution", func() error {
			out, err := client.GetQueryExecution(ctx, &awsathena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
			if err == nil {
				qe = out.QueryExecution
			}
			return err
		})
		switch qe.Status.State {
		case types.QueryExecutionStateSucceeded:
			return Execution{
				ID: id, SQL: sql, State: Succeeded, StatementType: string(qe.StatementType), Workgroup: resultsWorkgroup,
				OutputLocation: aws.ToString(qe.ResultConfiguration.OutputLocation),
			}
		case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			t.Fatalf("%s: %s: %s", sql, qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
		}
		if err := instantSleep(ctx, 0); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		time.Sleep(2 * time.Millisecond) // a poll interval, not a timing assertion
	}
}

// fetchedResult is a whole result as a test sees it.
type fetchedResult struct {
	cols []engine.Column
	rows []engine.Row
	path FetchPath
}

// fetchResult reads every row of x's results. On an error it returns what was
// read so far with the error.
func fetchResult(t testing.TB, c *Client, x Execution) (fetchedResult, error) {
	t.Helper()
	rows, err := c.Results(sandboxtest.Context(t), x)
	if err != nil {
		return fetchedResult{}, err
	}
	defer rows.Close()
	f := fetchedResult{cols: rows.Columns(), path: rows.Path()}
	for {
		row, err := rows.Next()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return f, err
		}
		f.rows = append(f.rows, row)
	}
}

func mustFetchResult(t testing.TB, c *Client, x Execution) fetchedResult {
	t.Helper()
	f, err := fetchResult(t, c, x)
	if err != nil {
		t.Fatalf("results of %s: %v", x.SQL, err)
	}
	return f
}

// rawResult is the result object as the sandbox stored it.
func rawResult(t testing.TB, env *sandboxtest.Env, x Execution) []byte {
	t.Helper()
	obj, err := parseS3URL(x.OutputLocation)
	if err != nil {
		t.Fatal(err)
	}
	o, err := env.Store().Get(obj.Bucket, obj.Key)
	if err != nil {
		t.Fatalf("the result object: %v", err)
	}
	return o.Data
}

// renderResult writes a CSV result back as Athena writes it: the header from the
// columns, then the rows. It equals the result file byte for byte exactly
// when every value, NULL and "" among them, came through unchanged.
func renderResult(f fetchedResult) []byte {
	var buf bytes.Buffer
	header := make(engine.Row, len(f.cols))
	for i, c := range f.cols {
		header[i] = csvText(c.Name)
	}
	writeAthenaCSV(&buf, header)
	writeAthenaCSV(&buf, f.rows...)
	return buf.Bytes()
}

// rowsChecksum digests rows, NULL apart from "".
func rowsChecksum(rows []engine.Row) string {
	h := sha256.New()
	var n [8]byte
	for _, r := range rows {
		binary.LittleEndian.PutUint64(n[:], uint64(len(r)))
		h.Write(n[:])
		for _, v := range r {
			if v.Null {
				h.Write([]byte{0})
				continue
			}
			binary.LittleEndian.PutUint64(n[:], uint64(len(v.Text)))
			h.Write([]byte{1})
			h.Write(n[:])
			h.Write([]byte(v.Text))
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// bytesDiff describes where two byte strings part, for messages.
func bytesDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return fmt.Sprintf("lengths %d and %d, first difference at byte %d: %q vs %q",
		len(a), len(b), i, a[i:min(i+40, len(a))], b[i:min(i+40, len(b))])
}

func TestResultsBothPathsGiveTheFile(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{BenchRows: 20000})
	cfg := adminConfig(t, env)
	tests := []struct {
		sql   string
		rows  int
		types map[string]string
	}{
		{"SELECT * FROM sales.orders", 4200, map[string]string{"order_id": "bigint", "amount": "double", "quantity": "integer", "notes": "varchar", "order_date": "date"}},
		{"SELECT * FROM benchmarks.numbers", 20000, map[string]string{"id": "bigint", "grp": "integer", "active": "boolean", "ts": "timestamp", "note": "varchar"}},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			x := runResultsQuery(t, cfg, tc.sql)
			raw := rawResult(t, env, x)
			variants := []struct {
				name string
				opts Options
				via  string
			}{
				{"s3, 4 parallel parts of 64 KiB", Options{S3Concurrency: 4, S3PartSize: 64 << 10, Sleep: instantSleep}, "s3"},
				{"s3, 1 part at a time", Options{S3Concurrency: 1, S3PartSize: 64 << 10, Sleep: instantSleep}, "s3"},
				{"s3, defaults", Options{Sleep: instantSleep}, "s3"},
				{"api", Options{NoS3: true, Sleep: instantSleep}, "api"},
			}
			var first fetchedResult
			for i, v := range variants {
				f := mustFetchResult(t, New(cfg, v.opts), x)
				if f.path.Via != v.via {
					t.Errorf("%s: got path %+v, want %s", v.name, f.path, v.via)
				}
				if len(f.rows) != tc.rows {
					t.Errorf("%s: got %d rows, want %d", v.name, len(f.rows), tc.rows)
				}
				if got := renderResult(f); !bytes.Equal(got, raw) {
					t.Errorf("%s: rows rendered back differ from the result file: %s", v.name, bytesDiff(got, raw))
				}
				for _, c := range f.cols {
					if want, ok := tc.types[c.Name]; ok && c.Type != want {
						t.Errorf("%s: column %s has type %q, want %q", v.name, c.Name, c.Type, want)
					}
				}
				if i == 0 {
					first = f
					continue
				}
				if fmt.Sprint(f.cols) != fmt.Sprint(first.cols) || rowsChecksum(f.rows) != rowsChecksum(first.rows) {
					t.Errorf("%s: columns %v and rows differ from %s's (%v)", v.name, f.cols, variants[0].name, first.cols)
				}
			}
		})
	}
}

// benchmarks.numbers holds NULLs, empty strings, and text with quotes,
// commas, CR, LF: each must come through both paths as itself.
func TestResultsKeepNullsAndAwkwardText(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{BenchRows: 2000})
	cfg := adminConfig(t, env)
	x := runResultsQuery(t, cfg, "SELECT id, label, category, note FROM benchmarks.numbers")
	for _, opts := range []Options{{S3PartSize: 4096, Sleep: instantSleep}, {NoS3: true, Sleep: instantSleep}} {
		f := mustFetchResult(t, New(cfg, opts), x)
		nulls, empties := 0, 0
		labels := map[string]bool{}
		for _, r := range f.rows {
			switch {
			case r[3].Null:
				nulls++
			case r[3].Text == "":
				empties++
			}
			labels[r[1].Text] = true
		}
		if nulls == 0 || empties == 0 {
			t.Errorf("%s: note has %d NULLs and %d empty strings, want some of each", f.path.Via, nulls, empties)
		}
		for _, want := range []string{"comma,quote\",newline\nall three", `""`, "two\nlines", "widget, large", " leading space", "tab\there"} {
			if !labels[want] {
				t.Errorf("%s: no label %q among %d rows", f.path.Via, want, len(f.rows))
			}
		}
	}
}

// Values made in SQL: CR, LF, quotes, commas, NULL and "" side by side.
func TestResultsOfLiterals(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	cfg := adminConfig(t, env)
	x := runResultsQuery(t, cfg, `SELECT 'a,b' AS comma, 'say "hi"' AS quote, NULL AS absent, '' AS empty, `+
		`'cr' || chr(13) || 'lf' || chr(10) || 'crlf' || chr(13) || chr(10) AS breaks, '"' AS q, ',' AS c`)
	want := engine.Row{csvText("a,b"), csvText(`say "hi"`), csvNull, csvText(""), csvText("cr\rlf\ncrlf\r\n"), csvText(`"`), csvText(",")}
	for _, opts := range []Options{{Sleep: instantSleep}, {NoS3: true, Sleep: instantSleep}} {
		f := mustFetchResult(t, New(cfg, opts), x)
		if len(f.rows) != 1 || showRows(f.rows) != showRows([]engine.Row{want}) {
			t.Errorf("%s: got %s, want %s", f.path.Via, showRows(f.rows), showRows([]engine.Row{want}))
		}
	}
}

func TestTextResults(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	cfg := adminConfig(t, env)
	x := runResultsQuery(t, cfg, "SHOW TABLES IN sales")
	if !strings.HasSuffix(x.OutputLocation, ".txt") {
		t.Fatalf("got output %s, want a .txt result", x.OutputLocation)
	}
	want := strings.Split(strings.TrimSuffix(string(rawResult(t, env, x)), "\n"), "\n")
	if len(want) < 2 {
		t.Fatalf("the sandbox lists %q; want several tables", want)
	}
	for _, opts := range []Options{{Sleep: instantSleep}, {NoS3: true, Sleep: instantSleep}} {
		f := mustFetchResult(t, New(cfg, opts), x)
		if len(f.cols) != 1 {
			t.Errorf("%s: got columns %v, want one", f.path.Via, f.cols)
		}
		var got []string
		for _, r := range f.rows {
			if len(r) != 1 || r[0].Null {
				t.Fatalf("%s: got row %s, want one value", f.path.Via, showRows([]engine.Row{r}))
			}
			got = append(got, r[0].Text)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: got %q, want %q", f.path.Via, got, want)
		}
	}
}

// setAdminPolicies replaces the admin role's policies for the rest of the test.
func setAdminPolicies(t *testing.T, env *sandboxtest.Env, docs ...string) {
	t.Helper()
	var policies []*iam.Policy
	for i, d := range docs {
		p, err := iam.Parse(fmt.Sprintf("test-%d", i), []byte(d))
		if err != nil {
			t.Fatal(err)
		}
		policies = append(policies, p)
	}
	env.Authorizer().SetPolicies(resultsAdminRole, policies)
}

const allowAllPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`

func TestResultsFallBackToTheAPIWhenS3Refuses(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	cfg := adminConfig(t, env)
	x := runResultsQuery(t, cfg, "SELECT * FROM sales.orders")
	raw := rawResult(t, env, x)
	// The caller may read results only through Athena: a Deny on direct
	// reads, which Athena's reads (aws:CalledVia) escape.
	setAdminPolicies(t, env, allowAllPolicy, `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject",
		"Resource": "arn:aws:s3:::`+resultsBucket+`/*", "Condition": {"Null": {"aws:CalledVia": "true"}}}]}`)
	f := mustFetchResult(t, New(cfg, Options{Sleep: instantSleep}), x)
	if f.path.Via != "api" || !strings.Contains(f.path.Fallback, "refused s3:GetObject on "+x.OutputLocation) {
		t.Errorf("got path %+v, want api because S3 refused %s", f.path, x.OutputLocation)
	}
	if got := renderResult(f); !bytes.Equal(got, raw) {
		t.Errorf("rows rendered back differ from the result file: %s", bytesDiff(got, raw))
	}

	// Without an output location, the API is the only way.
	noLoc := x
	noLoc.OutputLocation = ""
	f = mustFetchResult(t, New(cfg, Options{Sleep: instantSleep}), noLoc)
	if f.path.Via != "api" || !strings.Contains(f.path.Fallback, "no OutputLocation") || len(f.rows) != 4200 {
		t.Errorf("without an output location: got path %+v and %d rows, want api, no OutputLocation, 4200 rows", f.path, len(f.rows))
	}
}

func TestResultsRefusedEverywhereSaySo(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	cfg := adminConfig(t, env)
	x := runResultsQuery(t, cfg, "SELECT * FROM sales.orders")
	setAdminPolicies(t, env, allowAllPolicy, `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject",
		"Resource": "arn:aws:s3:::`+resultsBucket+`/*"}]}`)
	rows, err := New(cfg, Options{Sleep: instantSleep}).Results(sandboxtest.Context(t), x)
	if err == nil {
		rows.Close()
		t.Fatal("got rows, want an error")
	}
	t.Logf("both refused: %v", err)
	if engine.KindOf(err) != engine.Denied {
		t.Errorf("got kind %v, want denied", engine.KindOf(err))
	}
	for _, want := range []string{"S3 refused s3:GetObject on " + x.OutputLocation, "GetQueryResults failed too", "your credentials", "s3:GetObject on arn:aws:s3:::" + resultsBucket + "/athena-results/*."} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to say %q", err, want)
		}
	}
}

func TestResultsOfAnUnfinishedQueryAreRefused(t *testing.T) {
	c := New(aws.Config{Region: "us-east-1"}, Options{})
	_, err := c.Results(context.Background(), Execution{ID: "q1", State: Running, OutputLocation: "s3://b/q1.csv"})
	if engine.KindOf(err) != engine.Invalid || !strings.Contains(err.Error(), "RUNNING, not SUCCEEDED") {
		t.Errorf("got %v, want an invalid error saying the query is RUNNING", err)
	}
}

// Under faults, a fetch gives exactly the file, or fails saying where:
// never fewer rows.
func TestResultsUnderFaults(t *testing.T) {
	const rows = 20000
	for _, tc := range []struct {
		name   string
		faults sandbox.Faults
	}{
		{"cut bodies", sandbox.Faults{Cut: 0.2, Seed: 7}},
		{"throttling and 5xx", sandbox.Faults{Throttle: 0.2, ServerError: 0.1, Seed: 11}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := sandboxtest.Start(t, sandbox.Options{BenchRows: rows, Faults: tc.faults})
			cfg := adminConfig(t, env)
			x := runResultsQuery(t, cfg, "SELECT * FROM benchmarks.numbers")
			raw := rawResult(t, env, x)
			want, err := csvReadAll(bytes.NewReader(raw), 64<<10)
			if err != nil || len(want) != rows+1 {
				t.Fatalf("the raw file: %d records, %v", len(want), err)
			}
			want = want[1:]
			for _, opts := range []Options{
				{S3Concurrency: 4, S3PartSize: 32 << 10, Sleep: instantSleep},
				{S3Concurrency: 1, S3PartSize: 256 << 10, Sleep: instantSleep},
				{NoS3: true, Sleep: instantSleep},
			} {
				f, err := fetchResult(t, New(withStandardRetries(cfg), opts), x)
				if err != nil {
					// Allowed, if it says what failed; a short result is not.
					if !strings.Contains(err.Error(), "gave up after") {
						t.Errorf("%+v: got %v, want an error saying it gave up", opts, err)
					}
					t.Logf("%+v: failed after %d rows: %v", opts, len(f.rows), err)
					continue
				}
				if len(f.rows) != rows || rowsChecksum(f.rows) != rowsChecksum(want) {
					t.Errorf("%+v via %s: got %d rows (rowsChecksum %s), want %d (rowsChecksum %s)", opts, f.path.Via, len(f.rows), rowsChecksum(f.rows)[:12], rows, rowsChecksum(want)[:12])
				}
			}
		})
	}
}

// putResult stores data as a result object in env's S3, for tests whose
// faults leave no way to run a query.
func putResult(t *testing.T, env *sandboxtest.Env, key string, data []byte) Execution {
	t.Helper()
	if _, err := env.Store().Put(resultsBucket, key, data, "text/csv"); err != nil {
		t.Fatal(err)
	}
	return Execution{ID: "test-query", State: Succeeded, StatementType: "DML", OutputLocation: "s3://" + resultsBucket + "/" + key}
}

func sampleResultCSV(rows int) []byte {
	var buf bytes.Buffer
	writeAthenaCSV(&buf, engine.Row{csvText("n"), csvText("s")})
	for i := range rows {
		writeAthenaCSV(&buf, engine.Row{csvText(fmt.Sprint(i)), csvText(strings.Repeat("x", i%50))})
	}
	return buf.Bytes()
}

func TestResultsGiveUpSayingWhere(t *testing.T) {
	t.Run("every body cut", func(t *testing.T) {
		env := sandboxtest.Start(t, sandbox.Options{Faults: sandbox.Faults{Cut: 1}})
		x := putResult(t, env, "athena-results/cut.csv", sampleResultCSV(2000))
		_, err := fetchResult(t, New(adminConfig(t, env), Options{S3PartSize: 16 << 10, Sleep: instantSleep}), x)
		for _, want := range []string{"reading " + x.OutputLocation + " bytes 0-16383 of ", "gave up after 10 attempts", "still missing", "unexpected EOF"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want an error saying %q", err, want)
			}
		}
	})
	t.Run("every request fails", func(t *testing.T) {
		env := sandboxtest.Start(t, sandbox.Options{Faults: sandbox.Faults{ServerError: 1}})
		x := putResult(t, env, "athena-results/fail.csv", sampleResultCSV(10))
		cfg := withStandardRetries(adminConfig(t, env))
		_, err := fetchResult(t, New(cfg, Options{Sleep: instantSleep}), x)
		if err == nil || !strings.Contains(err.Error(), "reading "+x.OutputLocation+" bytes 0-") || !strings.Contains(err.Error(), "gave up after 10 attempts") {
			t.Errorf("s3: got %v, want the first GET giving up", err)
		}
		_, err = fetchResult(t, New(cfg, Options{NoS3: true, Sleep: instantSleep}), x)
		if err == nil || !strings.Contains(err.Error(), "GetQueryResults test-query: gave up after 10 attempts") {
			t.Errorf("api: got %v, want GetQueryResults giving up", err)
		}
	})
}

// A result file rewritten while it is read is an error, not a mix of two
// files.
func TestResultsRewrittenMidReadIsAnError(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	x := putResult(t, env, "athena-results/rewritten.csv", sampleResultCSV(2000))
	rows, err := New(adminConfig(t, env), Options{S3Concurrency: 1, S3PartSize: 1024, Sleep: instantSleep}).Results(sandboxtest.Context(t), x)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if _, err := rows.Next(); err != nil {
		t.Fatal(err)
	}
	putResult(t, env, "athena-results/rewritten.csv", sampleResultCSV(2001))
	n := 1
	for {
		_, err = rows.Next()
		if err != nil {
			break
		}
		n++
	}
	if err == io.EOF || !strings.Contains(err.Error(), "changed while it was read") {
		t.Errorf("after %d rows got %v, want an error saying the file changed", n, err)
	}
}

// A file that is not Athena CSV fails with the object, line and offset.
func TestResultsReportMalformedFiles(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	cfg := adminConfig(t, env)
	for _, tc := range []struct{ data, want string }{
		{"\"a\",\"b\"\n\"1\",\"2\"\n\"3\"\n", "line 3 (byte 16): a row of 1 values, want 2"},
		{"\"a\",\"b\"\n\"1\"x,\"2\"\n", "line 2 (byte 11): unexpected 'x'"},
		{"", "the result file is empty"},
	} {
		x := putResult(t, env, "athena-results/bad.csv", []byte(tc.data))
		_, err := fetchResult(t, New(cfg, Options{Sleep: instantSleep}), x)
		if err == nil || !strings.Contains(err.Error(), x.OutputLocation) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error naming %s and saying %q", tc.data, err, x.OutputLocation, tc.want)
		}
	}
}
