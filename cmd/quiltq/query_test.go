package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/athenasrv"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// result is what one in-process run of quiltq did.
type result struct {
	code           int
	stdout, stderr string
}

// quiltq runs the program in-process with args, the environment env (and
// nothing else: no HOME, no real config) and stdin.
func quiltq(t *testing.T, ctx context.Context, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["XDG_CONFIG_HOME"]; !ok {
		env["XDG_CONFIG_HOME"] = t.TempDir()
	}
	var out, errb bytes.Buffer
	st := streams{In: strings.NewReader(stdin), Out: &out, Err: &errb, InTTY: stdin == ""}
	code := run(ctx, args, st, func(k string) string { return env[k] })
	return result{code, out.String(), errb.String()}
}

func TestQueryPrintsEachFormat(t *testing.T) {
	const sql = `SELECT CAST(NULL AS varchar) AS n, '' AS e, 'a,"b"' AS q, 42 AS i, true AS b`
	tests := []struct {
		format string
		want   []string // substrings of stdout
	}{
		{"csv", []string{`"n","e","q","i","b"` + "\n", `,"","a,""b""","42","true"`}},
		{"tsv", []string{"n\te\tq\ti\tb\n", "\t\ta,\"b\"\t42\ttrue"}},
		{"json", []string{`"n":null`, `"e":""`, `"i":42`, `"b":true`}},
		{"jsonl", []string{`"n":null`, `"i":42`}},
		{"markdown", []string{"| n ", "| 42 "}},
		{"table", []string{"42", "true"}},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			r := quiltq(t, context.Background(), nil, "", "--sandbox", "--sandbox-user", "admin", "-o", tc.format, "-e", sql)
			if r.code != exitOK {
				t.Fatalf("exit %d, stderr: %s", r.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout %q lacks %q", r.stdout, w)
				}
			}
		})
	}
}

// typedSQL yields one value of each kind whose output differs by format.
const typedSQL = `SELECT DECIMAL '12345678901234567890.123' AS d, 0.1 + 0.2 AS s, nan() AS n, infinity() AS inf,
  -infinity() AS ninf, 1e0 / 0 AS dz, X'68656c6c6f' AS b, ARRAY[1, 2] AS a, MAP(ARRAY['a'], ARRAY[1]) AS m,
  ROW(1, 'x') AS r, json_parse('{"k":[1,2]}') AS j, CAST(NULL AS integer) AS nul, 2147483648 AS big`

// Each Trino type reaches every output as it should: JSON keeps decimals
// exact, writes NaN and the infinities as strings, varbinary as hex and
// nested values as JSON, through both fetch paths; CSV and table keep
// Athena's own text.
func TestTypedValuesThroughEachFormat(t *testing.T) {
	// One sandbox serves every run (a separately running one, as at
	// `quiltq sandbox serve`).
	sb := sandboxtest.Start(t, sandbox.Options{})
	const wantJSON = `{"d":12345678901234567890.123,"s":0.3,"n":"NaN","inf":"Infinity","ninf":"-Infinity","dz":"Infinity",` +
		`"b":"68656c6c6f","a":[1,2],"m":{"a":1},"r":{"field0":1,"field1":"x"},"j":{"k":[1,2]},"nul":null,"big":2147483648}`
	for _, fetch := range []string{"s3", "api"} {
		t.Run("json via "+fetch, func(t *testing.T) {
			r := quiltq(t, context.Background(), envFor(t, sb, "admin"), "", "--fetch", fetch, "-o", "json", "-e", typedSQL)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if want := "[\n" + wantJSON + "\n]\n"; r.stdout != want {
				t.Errorf("got\n%s\nwant\n%s", r.stdout, want)
			}
			var rows []map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
				t.Errorf("not JSON: %v", err)
			}
		})
	}
	t.Run("csv", func(t *testing.T) {
		r := quiltq(t, context.Background(), envFor(t, sb, "admin"), "", "-o", "csv", "--no-header", "-e", typedSQL)
		want := `"12345678901234567890.123","0.3","NaN","Infinity","-Infinity","Infinity","68 65 6c 6c 6f","[1, 2]","{a=1}","{field0=1, field1=x}","{""k"":[1,2]}",,"2147483648"` + "\n"
		if r.code != exitOK || r.stdout != want {
			t.Errorf("exit %d, got %q, want %q (stderr %s)", r.code, r.stdout, want, r.stderr)
		}
	})
	t.Run("table", func(t *testing.T) {
		r := quiltq(t, context.Background(), envFor(t, sb, "admin"), "", "-o", "table", "-e", typedSQL)
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		for _, w := range []string{"| 12345678901234567890.123 | 0.3 | NaN | Infinity | -Infinity | Infinity | 68 65 6c 6c 6f | [1, 2] | {a=1} | {field0=1, field1=x} | {\"k\":[1,2]} | NULL | 2147483648 |"} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("table lacks %q:\n%s", w, r.stdout)
			}
		}
	})
}

// NULL and the empty string stay apart through both fetch paths.
func TestNullAndEmptySurviveBothFetchPaths(t *testing.T) {
	const sql = `SELECT CAST(NULL AS varchar) AS n, '' AS e`
	for _, fetch := range []string{"s3", "api"} {
		t.Run(fetch, func(t *testing.T) {
			r := quiltq(t, context.Background(), nil, "", "--sandbox", "--sandbox-user", "admin", "--fetch", fetch, "-o", "json", "-e", sql)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var rows []map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
				t.Fatalf("json output %q: %v", r.stdout, err)
			}
			if len(rows) != 1 || rows[0]["n"] != nil || rows[0]["e"] != "" {
				t.Errorf("got %v, want [{n: null, e: \"\"}]", rows)
			}
			if _, ok := rows[0]["n"]; !ok {
				t.Error("the NULL column is missing instead of null")
			}
			r = quiltq(t, context.Background(), nil, "", "--sandbox", "--sandbox-user", "admin", "--fetch", fetch, "-o", "csv", "--null-string", "NULL", "-e", sql)
			if want := "\"n\",\"e\"\nNULL,\"\"\n"; r.code != exitOK || r.stdout != want {
				t.Errorf("csv with --null-string NULL: exit %d, %q; want %q", r.code, r.stdout, want)
			}
			// By default CSV keeps them apart too: NULL unquoted, "" quoted.
			r = quiltq(t, context.Background(), nil, "", "--sandbox", "--sandbox-user", "admin", "--fetch", fetch, "-o", "csv", "-e", sql)
			if want := "\"n\",\"e\"\n,\"\"\n"; r.code != exitOK || r.stdout != want {
				t.Errorf("csv: exit %d, %q; want %q", r.code, r.stdout, want)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"success", []string{"--sandbox", "--sandbox-user", "admin", "-e", "SELECT 1"}, exitOK, ""},
		{"query failed", []string{"--sandbox", "--sandbox-user", "admin", "-e", "SELECT * FROM sales.nope"}, exitFailed, "TABLE_NOT_FOUND"},
		{"bad format", []string{"--sandbox", "-o", "xml", "-e", "SELECT 1"}, exitUsage, "xml"},
		{"-e and -f", []string{"-e", "SELECT 1", "-f", "x.sql"}, exitUsage, "not both"},
		{"unknown flag", []string{"--nope"}, exitUsage, "nope"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"denied before sending", []string{"--sandbox", "-e", `SELECT * FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail" LIMIT 5`}, exitDenied, "assumed-role/ReadWriteQuiltV2-sales-prod/analyst"},
		{"not logged in", []string{"-e", "SELECT 1"}, exitCredentials, "QUILTQ_TOKEN"},
		{"too long", []string{"--sandbox", "-e", "SELECT '" + strings.Repeat("x", 262145) + "'"}, exitUsage, "Athena takes at most 262,144 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := quiltq(t, context.Background(), nil, "", tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tc.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr %q lacks %q", r.stderr, tc.stderr)
			}
			if tc.code != exitOK && r.stdout != "" {
				t.Errorf("a failure wrote %q on stdout", r.stdout)
			}
		})
	}
}

// SQL Athena cannot parse exits 1 on both of Athena's paths, its error
// text whole, the position shown under the statement and the next step
// naming it.
func TestSyntaxErrorsExitOne(t *testing.T) {
	const sql = "SELECT *\n  FORM sales.orders"
	run := sandboxtest.Start(t, sandbox.Options{SyntaxErrors: athenasrv.SyntaxAtRun})
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"refused at start", nil, []string{"--sandbox", "--sandbox-user", "admin"}, "InvalidRequestException: line 2:3: mismatched input 'FORM'"},
		{"failed when run", envFor(t, run, "admin"), nil, "SYNTAX_ERROR: line 2:3: mismatched input 'FORM'"},
		{"refused at start, embedded, --syntax-errors start", nil, []string{"--sandbox", "--sandbox-user", "admin", "--syntax-errors", "start"}, "InvalidRequestException: line 2:3: mismatched input 'FORM'"},
		{"failed when run, embedded, --syntax-errors run", nil, []string{"--sandbox", "--sandbox-user", "admin", "--syntax-errors", "run"}, "SYNTAX_ERROR: line 2:3: mismatched input 'FORM'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := quiltq(t, context.Background(), tc.env, "", append(tc.args, "-e", sql)...)
			if r.code != exitFailed {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, exitFailed, r.stderr)
			}
			for _, want := range []string{tc.want, "  at:        line 2, column 3\n               FORM sales.orders\n               ^\n", "next:      fix the SQL at line 2, column 3"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("a failure wrote %q on stdout", r.stdout)
			}
		})
	}
}

// --syntax-errors belongs to --sandbox and takes serve's values.
func TestSyntaxErrorsFlagUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--syntax-errors", "run", "-e", "SELECT 1"}, "--syntax-errors chooses how the embedded sandbox refuses SQL: give it with --sandbox"},
		{[]string{"--sandbox", "--syntax-errors", "later", "-e", "SELECT 1"}, "want start (refused by StartQueryExecution) or run"},
	}
	for _, tc := range tests {
		r := quiltq(t, context.Background(), nil, "", tc.args...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d; stderr: %s", tc.args, r.code, exitUsage, r.stderr)
		}
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: stderr %q does not say %q", tc.args, r.stderr, tc.want)
		}
	}
}

// --syntax-errors completes to its two values.
func TestSyntaxErrorsFlagCompletes(t *testing.T) {
	r := quiltq(t, context.Background(), nil, "", "__complete", "--sandbox", "--syntax-errors", "")
	if got := strings.Fields(r.stdout); len(got) < 2 || got[0] != "start" || got[1] != "run" {
		t.Errorf("completing --syntax-errors: %q, want start and run", r.stdout)
	}
}

// A refusal is printed with its original text whole, then what it names.
// (A separately running sandbox, so that no policy is known locally and the
// refusal comes from AWS.)
func TestDeniedNamesActionResourcePrincipal(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	r := quiltq(t, context.Background(), envFor(t, env, "analyst"), "", "-e", `SELECT * FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail" LIMIT 5`)
	if r.code != exitDenied {
		t.Errorf("exit %d, want %d", r.code, exitDenied)
	}
	for _, want := range []string{"is not authorized to perform:", "missing:", "principal: arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

// quiltq pointed at a separately running sandbox, as at `quiltq sandbox serve`.
func envFor(t *testing.T, env *sandboxtest.Env, user string) map[string]string {
	return map[string]string{
		"QUILTQ_CATALOG_URL": env.Info.CatalogURL,
		"QUILTQ_TOKEN":       env.User(t, user).RefreshToken,
		"AWS_ENDPOINT_URL":   env.Info.AWSEndpointURL,
	}
}

func TestEnvironmentLoginAndBadToken(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	r := quiltq(t, context.Background(), envFor(t, env, "admin"), "", "-o", "csv", "-e", "SELECT count(*) AS n FROM sales.orders")
	if r.code != exitOK || r.stdout != "\"n\"\n\"4200\"\n" {
		t.Errorf("env login: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	bad := envFor(t, env, "admin")
	bad["QUILTQ_TOKEN"] = "not-a-token"
	r = quiltq(t, context.Background(), bad, "", "-e", "SELECT 1")
	if r.code != exitCredentials || !strings.Contains(r.stderr, "quiltq login") {
		t.Errorf("bad token: exit %d, stderr %q; want %d and how to log in again", r.code, r.stderr, exitCredentials)
	}
	if strings.Contains(r.stderr, "not-a-token") {
		t.Error("the token appears in the error")
	}
}

// Ctrl-C while the query runs stops the Athena query and exits 130.
func TestInterruptStopsTheAthenaQuery(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() {
		done <- quiltq(t, ctx, envFor(t, env, "admin"), "", "-e", "-- sandbox: run=60s\nSELECT count(*) FROM sales.orders")
	}()
	client := awsathena.NewFromConfig(env.AWSConfig(t, "admin"))
	wg := aws.String("QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup")
	var id string
	deadline := time.Now().Add(20 * time.Second)
	for id == "" && time.Now().Before(deadline) {
		out, err := client.ListQueryExecutions(context.Background(), &awsathena.ListQueryExecutionsInput{WorkGroup: wg})
		if err == nil && len(out.QueryExecutionIds) > 0 {
			id = out.QueryExecutionIds[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if id == "" {
		t.Fatal("the query never reached Athena")
	}
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("quiltq did not return after the interrupt")
	}
	if r.code != exitInterrupted {
		t.Errorf("exit %d, want %d; stderr: %s", r.code, exitInterrupted, r.stderr)
	}
	out, err := client.GetQueryExecution(context.Background(), &awsathena.GetQueryExecutionInput{QueryExecutionId: &id})
	if err != nil {
		t.Fatal(err)
	}
	if s := out.QueryExecution.Status.State; s != athenatypes.QueryExecutionStateCancelled {
		t.Errorf("the Athena query is %s after the interrupt, want CANCELLED", s)
	}
}

func TestStatementsStopAtFirstFailureUnlessAsked(t *testing.T) {
	const script = "SELECT 1 AS a; SELECT * FROM sales.nope; SELECT 3 AS c;"
	r := quiltq(t, context.Background(), nil, "", "--sandbox", "--sandbox-user", "admin", "-o", "csv", "-e", script)
	if r.code != exitFailed || !strings.Contains(r.stdout, "\"a\"\n\"1\"\n") || strings.Contains(r.stdout, "\"c\"") {
		t.Errorf("default: exit %d, stdout %q; want 1, the first result only", r.code, r.stdout)
	}
	if !strings.Contains(r.stderr, "1 not run") {
		t.Errorf("stderr does not say a statement was not run: %s", r.stderr)
	}
	r = quiltq(t, context.Background(), nil, "", "--sandbox", "--sandbox-user", "admin", "-o", "csv", "--continue-on-error", "-e", script)
	if r.code != exitFailed || !strings.Contains(r.stdout, "\"c\"\n\"3\"\n") {
		t.Errorf("--continue-on-error: exit %d, stdout %q; want 1 and the third result", r.code, r.stdout)
	}
	// Semicolons inside strings, quoted names and comments do not split.
	r = quiltq(t, context.Background(), nil, "", "--sandbox", "--sandbox-user", "admin", "-o", "csv", "-e", "SELECT 'a;b' AS \"x;y\" -- ; not here\n;")
	if r.code != exitOK || r.stdout != "\"x;y\"\n\"a;b\"\n" {
		t.Errorf("quoted semicolons: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestLimitIsAnnounced(t *testing.T) {
	r := quiltq(t, context.Background(), nil, "", "--sandbox", "--sandbox-user", "admin", "-o", "csv", "--no-header", "--limit", "5", "-e", "SELECT order_id FROM sales.orders")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := strings.Count(r.stdout, "\n"); n != 5 {
		t.Errorf("%d lines printed, want 5", n)
	}
	if !strings.Contains(r.stderr, "limited to 5 rows") {
		t.Errorf("stderr does not announce the limit: %q", r.stderr)
	}
}

func TestStatsAndSQLSources(t *testing.T) {
	file := filepath.Join(t.TempDir(), "q.sql")
	if err := os.WriteFile(file, []byte("SELECT 7 AS seven"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"-f file": {"-f", file},
		"-f -":    {"-f", "-"},
		"stdin":   {},
	} {
		t.Run(name, func(t *testing.T) {
			stdin := ""
			if name != "-f file" {
				stdin = "SELECT 7 AS seven"
			}
			r := quiltq(t, context.Background(), nil, stdin, append([]string{"--sandbox", "--sandbox-user", "admin", "-o", "csv", "--stats"}, args...)...)
			if r.code != exitOK || r.stdout != "\"seven\"\n\"7\"\n" {
				t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
			}
			var stats map[string]any
			line := strings.TrimSpace(r.stderr[strings.LastIndex(strings.TrimSpace(r.stderr), "\n")+1:])
			if err := json.Unmarshal([]byte(line), &stats); err != nil {
				t.Fatalf("--stats line %q: %v", line, err)
			}
			for _, k := range []string{"query_id", "state", "bytes_scanned", "cost_usd", "fetch_path", "rows", "polls"} {
				if _, ok := stats[k]; !ok {
					t.Errorf("--stats lacks %q: %v", k, stats)
				}
			}
			if stats["state"] != "SUCCEEDED" || stats["rows"] != float64(1) {
				t.Errorf("--stats: %v", stats)
			}
		})
	}
}

// --results prints an earlier query's rows again, without running it.
func TestResultsOfAnEarlierQuery(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	vars := envFor(t, env, "admin")
	// -w: the admin may use three workgroups, and quiltq would say on
	// stderr which it took; stderr is to hold the --stats line alone.
	first := quiltq(t, context.Background(), vars, "", "-w", "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup", "-o", "csv", "--stats", "-e", "SELECT order_id, amount FROM sales.orders ORDER BY order_id LIMIT 50")
	if first.code != exitOK {
		t.Fatalf("exit %d: %s", first.code, first.stderr)
	}
	var stats struct {
		QueryID string `json:"query_id"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(first.stderr)), &stats); err != nil || stats.QueryID == "" {
		t.Fatalf("--stats %q: %v", first.stderr, err)
	}
	client := awsathena.NewFromConfig(env.AWSConfig(t, "admin"))
	before, _ := client.ListQueryExecutions(context.Background(), &awsathena.ListQueryExecutionsInput{WorkGroup: aws.String("QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup")})
	for _, fetch := range []string{"s3", "api"} {
		again := quiltq(t, context.Background(), vars, "", "-o", "csv", "--fetch", fetch, "--results", stats.QueryID)
		if again.code != exitOK || again.stdout != first.stdout {
			t.Errorf("--results %s via %s: exit %d, stdout differs: %q vs %q (%s)", stats.QueryID, fetch, again.code, again.stdout, first.stdout, again.stderr)
		}
	}
	after, _ := client.ListQueryExecutions(context.Background(), &awsathena.ListQueryExecutionsInput{WorkGroup: aws.String("QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup")})
	if len(after.QueryExecutionIds) != len(before.QueryExecutionIds) {
		t.Errorf("--results started a query: %d executions before, %d after", len(before.QueryExecutionIds), len(after.QueryExecutionIds))
	}
	bad := quiltq(t, context.Background(), vars, "", "--results", "00000000-0000-0000-0000-000000000000")
	if bad.code == exitOK || bad.stdout != "" {
		t.Errorf("--results of an unknown id: exit %d, stdout %q", bad.code, bad.stdout)
	}
	if r := quiltq(t, context.Background(), vars, "", "--results", stats.QueryID, "-e", "SELECT 1"); r.code != exitUsage {
		t.Errorf("--results with -e: exit %d, want %d", r.code, exitUsage)
	}
}

// The CSV pass-through (the result file copied as it is) gives exactly the
// bytes of the parse-and-format path, with and without a header and a limit.
func TestCSVPassThroughMatchesFormattedRows(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	vars := envFor(t, env, "admin")
	first := quiltq(t, context.Background(), vars, "", "-w", "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup", "-o", "csv", "--stats", "-e", "SELECT * FROM sales.orders")
	var stats struct {
		QueryID string `json:"query_id"`
		Path    string `json:"fetch_path"`
		Rows    int64  `json:"rows"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(first.stderr)), &stats); err != nil || first.code != exitOK {
		t.Fatalf("exit %d, --stats %q: %v", first.code, first.stderr, err)
	}
	if stats.Path != "s3" || stats.Rows != 4200 {
		t.Errorf("--stats: path %q rows %d, want s3 and 4200", stats.Path, stats.Rows)
	}
	for _, extra := range [][]string{nil, {"--no-header"}, {"--limit", "7"}, {"--no-header", "--limit", "1"}, {"--limit", "4200"}} {
		args := append([]string{"-o", "csv", "--results", stats.QueryID}, extra...)
		fast := quiltq(t, context.Background(), vars, "", append(args, "--fetch", "s3")...)
		slow := quiltq(t, context.Background(), vars, "", append(args, "--fetch", "api")...)
		if fast.code != exitOK || slow.code != exitOK || fast.stdout != slow.stdout {
			t.Errorf("%v: pass-through and formatted output differ (exit %d/%d):\n%.300q\n%.300q", extra, fast.code, slow.code, fast.stdout, slow.stdout)
		}
		if announced := strings.Contains(fast.stderr, "limited to"); announced != strings.Contains(slow.stderr, "limited to") {
			t.Errorf("%v: the limit is announced on one path only: %q vs %q", extra, fast.stderr, slow.stderr)
		}
	}
}
