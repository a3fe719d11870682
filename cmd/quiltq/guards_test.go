package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/session"
)

// This file tests the guards of issue 18 end to end: quiltq in-process
// against a sandbox on loopback, through the SDK.

// quiltqAt runs quiltq as quiltq does, with tty saying whether stdin is a
// terminal (a person who types stdin).
func quiltqAt(t *testing.T, env map[string]string, stdin string, tty bool, args ...string) result {
	t.Helper()
	if _, ok := env["XDG_CONFIG_HOME"]; !ok {
		env["XDG_CONFIG_HOME"] = t.TempDir()
	}
	if _, ok := env["XDG_CACHE_HOME"]; !ok {
		env["XDG_CACHE_HOME"] = t.TempDir()
	}
	var out, errb bytes.Buffer
	st := streams{In: strings.NewReader(stdin), Out: &out, Err: &errb, InTTY: tty}
	code := run(context.Background(), args, st, func(k string) string { return env[k] })
	return result{code, out.String(), errb.String()}
}

// statsOf reads the --stats objects on stderr.
func statsOf(t *testing.T, stderr string) []session.Stats {
	t.Helper()
	var out []session.Stats
	for _, line := range strings.Split(stderr, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var s session.Stats
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("a --stats line does not parse: %v\n%s", err, line)
		}
		out = append(out, s)
	}
	return out
}

// sandboxState is what the sandbox's Athena says of query id, asked as
// user through the SDK.
func sandboxState(t *testing.T, env *sandboxtest.Env, user, id string) (string, int64) {
	t.Helper()
	c := awsathena.NewFromConfig(env.AWSConfig(t, user))
	out, err := c.GetQueryExecution(context.Background(), &awsathena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
	if err != nil {
		t.Fatalf("GetQueryExecution %s: %v", id, err)
	}
	return string(out.QueryExecution.Status.State), aws.ToInt64(out.QueryExecution.Statistics.DataScannedInBytes)
}

// --max-scan stops the query on Athena as soon as a poll reports more
// scanned, exits 5 and says how much was scanned; the sandbox holds the
// query CANCELLED, stopped by StopQueryExecution well before its run
// time, having scanned less than the whole table.
func TestMaxScanStopsTheQuery(t *testing.T) {
	log := &awsLog{}
	env := sandboxtest.Start(t, sandbox.Options{Log: slog.New(slog.NewTextHandler(log, nil))})
	vars := envFor(t, env, "admin")
	full := quiltqAt(t, envFor(t, env, "admin"), "", false, "--stats", "-e", "SELECT count(*) FROM sales.orders")
	whole := statsOf(t, full.stderr)
	if full.code != exitOK || len(whole) != 1 {
		t.Fatalf("the whole scan: exit %d, stderr %s", full.code, full.stderr)
	}
	r := quiltqAt(t, vars, "", false, "--max-scan", "2KB", "--stats", "-e", "SELECT * FROM sales.orders -- sandbox: run=5s")
	if r.code != exitScanLimit {
		t.Fatalf("exit %d, want %d; stderr %s", r.code, exitScanLimit, r.stderr)
	}
	st := statsOf(t, r.stderr)
	if len(st) != 1 {
		t.Fatalf("%d --stats objects, want 1: %s", len(st), r.stderr)
	}
	s := st[0]
	if s.State != "CANCELLED" || s.BytesScanned <= 2048 || s.BytesScanned >= whole[0].BytesScanned || s.MaxScan != 2048 {
		t.Errorf("stats: state %s, scanned %d, max_scan %d; want CANCELLED, over 2048 and under the whole %d, 2048", s.State, s.BytesScanned, s.MaxScan, whole[0].BytesScanned)
	}
	if s.TotalMs >= 5000 {
		t.Errorf("the query ran %d ms: it was not stopped before its 5 s run", s.TotalMs)
	}
	for _, want := range []string{"stopped query " + s.QueryID, "over the scan limit of 2.0 KiB (2048 bytes", "next:      narrow the query"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if state, scanned := sandboxState(t, env, "admin", s.QueryID); state != "CANCELLED" || scanned != s.BytesScanned {
		t.Errorf("the sandbox holds the query %s having scanned %d; want CANCELLED, %d", state, scanned, s.BytesScanned)
	}
	if n := log.callsOf("StopQueryExecution"); n != 1 {
		t.Errorf("%d StopQueryExecution calls, want 1", n)
	}
	// A limit the query stays under changes nothing.
	r = quiltqAt(t, envFor(t, env, "admin"), "", false, "--max-scan", "1GB", "-e", "SELECT count(*) AS n FROM sales.orders")
	if r.code != exitOK || r.stdout != "\"n\"\n\"4200\"\n" {
		t.Errorf("under the limit: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	// A size that is not one is a usage error saying what to write.
	r = quiltqAt(t, envFor(t, env, "admin"), "", false, "--max-scan", "lots", "-e", "SELECT 1")
	if r.code != exitUsage || !strings.Contains(r.stderr, "such as 500MB") {
		t.Errorf("--max-scan lots: exit %d, stderr %s", r.code, r.stderr)
	}
}

// A profile's max_scan is the limit when no flag gives one.
func TestMaxScanFromProfile(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	vars := envFor(t, env, "admin")
	vars["XDG_CONFIG_HOME"] = configWith(t, "[profiles.default]\nmax_scan = \"1KB\"\n")
	r := quiltqAt(t, vars, "", false, "-e", "SELECT * FROM sales.orders -- sandbox: run=5s")
	if r.code != exitScanLimit || !strings.Contains(r.stderr, "over the scan limit of 1.0 KiB") {
		t.Errorf("exit %d, want %d; stderr %s", r.code, exitScanLimit, r.stderr)
	}
}

// configWith writes a config file and returns the XDG config dir.
func configWith(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "quiltq"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "quiltq", "config.toml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A query Athena cancels for passing the workgroup's
// BytesScannedCutoffPerQuery is explained as that limit, with its number
// (exit 5); quiltq stopped nothing; --stats shows the cutoff on every
// query of the workgroup.
func TestWorkgroupCutoffExplained(t *testing.T) {
	st, err := stack.Default()
	if err != nil {
		t.Fatal(err)
	}
	for i := range st.Workgroups {
		if st.Workgroups[i].Name == "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup" {
			st.Workgroups[i].BytesScannedCutoff = 4096
		}
	}
	log := &awsLog{}
	env := sandboxtest.Start(t, sandbox.Options{Stack: st, Log: slog.New(slog.NewTextHandler(log, nil))})
	r := quiltqAt(t, envFor(t, env, "admin"), "", false, "--stats", "-e", "SELECT * FROM sales.orders -- sandbox: run=2s")
	if r.code != exitScanLimit {
		t.Fatalf("exit %d, want %d; stderr %s", r.code, exitScanLimit, r.stderr)
	}
	for _, want := range []string{
		"Athena cancelled query",
		"workgroup QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup's limit of 4.0 KiB a query (BytesScannedCutoffPerQuery = 4096 bytes)",
		"next:      narrow the query (a partition filter, fewer columns), or run it in a workgroup with a higher limit",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	stats := statsOf(t, r.stderr)
	if len(stats) != 1 || stats[0].State != "CANCELLED" || stats[0].WorkgroupCutoff != 4096 || stats[0].BytesScanned != 4096 {
		t.Errorf("stats %+v; want CANCELLED at the 4096-byte cutoff, which they name", stats)
	}
	if n := log.callsOf("StopQueryExecution"); n != 0 {
		t.Errorf("quiltq made %d StopQueryExecution calls; Athena stopped the query", n)
	}
	// The doctor names the cutoff (and quiltq's own limit).
	r = quiltqAt(t, envFor(t, env, "admin"), "", false, "--max-scan", "1MB", "doctor")
	if !strings.Contains(r.stdout, "the workgroup cancels a query past 4.0 KiB (BytesScannedCutoffPerQuery), quiltq stops one past 1.0 MiB (max_scan)") {
		t.Errorf("the doctor does not name the limits:\n%s%s", r.stdout, r.stderr)
	}
	// A query under the cutoff runs, and its stats name the cutoff.
	r = quiltqAt(t, envFor(t, env, "admin"), "", false, "--stats", "-e", "SELECT 1")
	if stats := statsOf(t, r.stderr); r.code != exitOK || len(stats) != 1 || stats[0].WorkgroupCutoff != 4096 {
		t.Errorf("under the cutoff: exit %d, stats %+v, stderr %s", r.code, stats, r.stderr)
	}
}

// --reuse lets Athena answer a repeat with the stored result: --stats
// says reused, with nothing scanned and no cost; without it the same
// query runs again and is billed.
func TestReuseReported(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	const sql = "SELECT count(*) AS n FROM sales.orders"
	first := quiltqAt(t, envFor(t, env, "admin"), "", false, "--reuse", "1h", "--stats", "-e", sql)
	again := quiltqAt(t, envFor(t, env, "admin"), "", false, "--reuse", "1h", "--stats", "-e", sql)
	plain := quiltqAt(t, envFor(t, env, "admin"), "", false, "--stats", "-e", sql)
	for _, r := range []result{first, again, plain} {
		if r.code != exitOK || r.stdout != "\"n\"\n\"4200\"\n" {
			t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
		}
	}
	a, b, c := statsOf(t, first.stderr)[0], statsOf(t, again.stderr)[0], statsOf(t, plain.stderr)[0]
	if a.Reused || a.CostUSD == 0 {
		t.Errorf("first run: reused %v, cost %v; want a billed run", a.Reused, a.CostUSD)
	}
	if !b.Reused || b.CostUSD != 0 || b.BytesScanned != 0 || b.QueryID == a.QueryID {
		t.Errorf("repeat with --reuse: reused %v, cost %v, scanned %d, id %s; want reused, free, nothing scanned, its own id", b.Reused, b.CostUSD, b.BytesScanned, b.QueryID)
	}
	if c.Reused || c.CostUSD == 0 {
		t.Errorf("repeat without --reuse: reused %v, cost %v; want a billed run", c.Reused, c.CostUSD)
	}
	r := quiltqAt(t, envFor(t, env, "admin"), "", false, "--reuse", "30s", "-e", sql)
	if r.code != exitUsage || !strings.Contains(r.stderr, "from 1m to 168h") {
		t.Errorf("--reuse 30s: exit %d, stderr %s", r.code, r.stderr)
	}
}

// --param fills the ? placeholders through ExecutionParameters, in
// order; a count that does not match, or a value that is not one SQL
// literal or expression, is refused before sending (exit 2); and the
// check before sending still sees the tables of a placeholder query.
func TestParamsFillPlaceholders(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	r := quiltqAt(t, envFor(t, env, "admin"), "", false, "-e", "SELECT count(*) AS n FROM sales.orders WHERE quantity > ? AND region = ?; SELECT ? AS s", "--param", "0", "--param", "'us-east'", "--param", "'x'")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	literal := quiltqAt(t, envFor(t, env, "admin"), "", false, "-e", "SELECT count(*) AS n FROM sales.orders WHERE quantity > 0 AND region = 'us-east'")
	if want := literal.stdout + "\"s\"\n\"x\"\n"; r.stdout != want || strings.Contains(literal.stdout, "\"0\"") {
		t.Errorf("stdout %q, want %q (the literal query's count, which is not 0, then x)", r.stdout, want)
	}
	for _, tc := range []struct {
		params []string
		want   string
	}{
		{[]string{"--param", "1"}, "more ? placeholders than values"},
		{[]string{"--param", "1", "--param", "2", "--param", "3"}, "3 --param values were given for 2 ? placeholders"},
		{[]string{"--param", "1", "--param", "'eu-west"}, `value 2 of 2 given with --param, "'eu-west", is not sent: unterminated string literal`},
		{[]string{"--param", "1 2", "--param", "3"}, `value 1 of 2 given with --param, "1 2", is not sent: it holds two values`},
	} {
		r := quiltqAt(t, envFor(t, env, "admin"), "", false, append([]string{"-e", "SELECT ?, ?"}, tc.params...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %s; want %d and %q", tc.params, r.code, r.stderr, exitUsage, tc.want)
		}
	}
	// The sandbox's analyst may not read sales.orders: the placeholder
	// query is refused before sending, by the table it names.
	r = quiltqAt(t, map[string]string{}, "", false, "--sandbox", "-e", "SELECT * FROM sales.orders WHERE region = ?", "--param", "'us-east'")
	if r.code != exitDenied || !strings.Contains(r.stderr, "refused before sending") || !strings.Contains(r.stderr, "glue:GetTable") {
		t.Errorf("analyst: exit %d, want %d, refused before sending for glue:GetTable; stderr %s", r.code, exitDenied, r.stderr)
	}
}

// A DROP is refused without --yes where no terminal can be asked (exit 2,
// nothing sent); at a terminal quiltq asks, and only "y" runs it; --yes
// runs it unasked.
func TestDestructiveNeedsYes(t *testing.T) {
	log := &awsLog{}
	env := sandboxtest.Start(t, sandbox.Options{Log: slog.New(slog.NewTextHandler(log, nil))})
	exists := func(table string) bool {
		r := quiltqAt(t, envFor(t, env, "admin"), "", false, "-e", "SELECT count(*) FROM "+table)
		return r.code == exitOK
	}
	r := quiltqAt(t, envFor(t, env, "admin"), "", false, "-e", "DROP TABLE sales.customers")
	if r.code != exitUsage || !strings.Contains(r.stderr, "this statement drops table sales.customers; give --yes") {
		t.Errorf("no terminal, no --yes: exit %d, stderr %s", r.code, r.stderr)
	}
	if n := log.callsOf("StartQueryExecution"); n != 0 {
		t.Errorf("%d StartQueryExecution calls for a refused DROP, want none", n)
	}
	r = quiltqAt(t, envFor(t, env, "admin"), "n\n", true, "-e", "DROP TABLE sales.customers")
	if r.code != exitUsage || !strings.Contains(r.stderr, "run it? [y/N]") || !strings.Contains(r.stderr, "not run") {
		t.Errorf("at a terminal, answered n: exit %d, stderr %s", r.code, r.stderr)
	}
	if !exists("sales.customers") {
		t.Fatal("sales.customers is gone after two refused DROPs")
	}
	r = quiltqAt(t, envFor(t, env, "admin"), "y\n", true, "-e", "DROP TABLE sales.customers")
	if r.code != exitOK || exists("sales.customers") {
		t.Errorf("at a terminal, answered y: exit %d, stderr %s; the table should be gone", r.code, r.stderr)
	}
	r = quiltqAt(t, envFor(t, env, "admin"), "", false, "--yes", "-e", "DROP TABLE sales.orders")
	if r.code != exitOK || exists("sales.orders") || strings.Contains(r.stderr, "run it?") {
		t.Errorf("--yes: exit %d, stderr %s; the table should be gone, unasked", r.code, r.stderr)
	}
}

// A read_only profile refuses a write before sending (exit 3, no AWS
// call at all), and still runs reads.
func TestReadOnlyRefusesWrites(t *testing.T) {
	log := &awsLog{}
	env := sandboxtest.Start(t, sandbox.Options{Log: slog.New(slog.NewTextHandler(log, nil))})
	cfg := configWith(t, "[profiles.safe]\nread_only = true\n")
	vars := envFor(t, env, "admin")
	vars["XDG_CONFIG_HOME"] = cfg
	r := quiltqAt(t, vars, "", false, "-P", "safe", "--yes", "-e", "INSERT INTO sales.orders SELECT * FROM sales.orders")
	if r.code != exitDenied {
		t.Fatalf("exit %d, want %d; stderr %s", r.code, exitDenied, r.stderr)
	}
	for _, want := range []string{`profile "safe" is read_only`, "inserts into sales.orders", "nothing was sent to Athena"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if n := log.calls(""); n != 0 {
		t.Errorf("%d AWS calls for a refused write, want none", n)
	}
	// `quiltq check` says so too.
	vars = envFor(t, env, "admin")
	vars["XDG_CONFIG_HOME"] = cfg
	r = quiltqAt(t, vars, "", false, "-P", "safe", "check", "DELETE FROM sales.orders WHERE amount < 0")
	if r.code != exitDenied || !strings.Contains(r.stderr, `profile "safe" is read_only, and this statement deletes rows of sales.orders`) {
		t.Errorf("check under read_only: exit %d, stderr %s", r.code, r.stderr)
	}
	vars = envFor(t, env, "admin")
	vars["XDG_CONFIG_HOME"] = cfg
	r = quiltqAt(t, vars, "", false, "-P", "safe", "-e", "SELECT count(*) AS n FROM sales.orders")
	if r.code != exitOK || r.stdout != "\"n\"\n\"4200\"\n" {
		t.Errorf("a read under read_only: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
}

// callsOf counts the logged AWS calls of operation op.
func (l *awsLog) callsOf(op string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range strings.Split(l.buf.String(), "\n") {
		if strings.Contains(line, "msg=aws") && (strings.Contains(line, " op="+op+" ") || strings.HasSuffix(line, " op="+op)) {
			n++
		}
	}
	return n
}
