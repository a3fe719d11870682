package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// awsLog collects the sandbox's request log, to count AWS calls.
type awsLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *awsLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// calls counts the logged AWS calls of service ("" for all).
func (l *awsLog) calls(service string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range strings.Split(l.buf.String(), "\n") {
		if strings.Contains(line, "msg=aws") && (service == "" || strings.Contains(line, "service="+service+" ")) {
			n++
		}
	}
	return n
}

func loggedSandbox(t *testing.T) (*sandboxtest.Env, *awsLog) {
	log := &awsLog{}
	env := sandboxtest.Start(t, sandbox.Options{Log: slog.New(slog.NewTextHandler(log, nil))})
	return env, log
}

// A query naming a bucket the user's Quilt role does not grant is refused
// before any AWS call, naming the reference, the source and the reason,
// and offering only what the user can see.
func TestGrantRefusalSendsNothing(t *testing.T) {
	env, log := loggedSandbox(t)
	vars := envFor(t, env, "reader")
	r := quiltq(t, context.Background(), vars, "", "-e", `SELECT * FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail" s JOIN "quilt-sales-prod-tabulator"."quilt-sandbox-bucket"."regional_orders" o ON true`)
	if r.code != exitDenied {
		t.Fatalf("exit %d, want %d; stderr %s", r.code, exitDenied, r.stderr)
	}
	for _, want := range []string{
		"refused before sending: 1 table reference not granted",
		`"quilt-sales-prod-tabulator"."nextflowtower"."sail" (read)`,
		"Quilt role ReadOnlyQuilt: it does not grant bucket nextflowtower",
		"instead: Quilt role ReadOnlyQuilt grants buckets quilt-sandbox-bucket",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "regional_orders") {
		t.Errorf("the granted reference is reported as refused:\n%s", r.stderr)
	}
	if n := log.calls(""); n != 0 {
		t.Errorf("%d AWS calls were made for a refused query, want none:\n%s", n, log.buf.String())
	}
	// A script with one refused statement runs none of them.
	r = quiltq(t, context.Background(), vars, "", "-e", `SELECT 1; SELECT * FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail"`)
	if r.code != exitDenied || !strings.Contains(r.stderr, "no statement of the script was run") || r.stdout != "" {
		t.Errorf("script: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	if n := log.calls("athena"); n != 0 {
		t.Errorf("%d Athena calls for a refused script, want none", n)
	}
	// The granted bucket runs.
	r = quiltq(t, context.Background(), vars, "", "-o", "csv", "-e", `SELECT count(*) AS n FROM "quilt-sales-prod-tabulator"."quilt-sandbox-bucket"."regional_orders"`)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "\"n\"\n") {
		t.Errorf("granted: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
}

// With --sandbox the role's policy is known: -e refuses a table its Glue
// grants do not cover before sending, and check and ls decide with it too.
func TestRolePolicyDecidesBeforeSending(t *testing.T) {
	r := quiltq(t, context.Background(), nil, "", "--sandbox", "-e", "SELECT * FROM sales.orders LIMIT 1")
	for _, want := range []string{
		"refused before sending",
		"principal: arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst",
		"glue:GetTable",
		"arn:aws:glue:us-east-1:123456789012:table/sales/orders",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.code != exitDenied {
		t.Errorf("exit %d, want %d", r.code, exitDenied)
	}
	// The admin's policy allows it.
	if r := quiltq(t, context.Background(), nil, "", "--sandbox", "--sandbox-user", "admin", "-e", "SELECT 1 FROM sales.orders LIMIT 1"); r.code != exitOK {
		t.Errorf("admin: exit %d, stderr %s", r.code, r.stderr)
	}
	r = quiltq(t, context.Background(), nil, "", "--sandbox", "check", "SELECT * FROM sales.orders")
	for _, want := range []string{"denied", "role ReadWriteQuiltV2-sales-prod's policy (for arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst)", "does not allow glue:GetTable on"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check: stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != exitDenied {
		t.Errorf("check: exit %d, want %d", r.code, exitDenied)
	}
}

const teamRules = `[[allow]]
database = "sales"
access = ["read", "metadata"]
reason = "the sales warehouse"

[[deny]]
database = "sales"
table = "cust*"
reason = "personal data"
`

// A rules file in the config dir (or --grants) is applied with deny
// winning and wildcards; a named file that cannot be read is a usage
// error, not a silently skipped check.
func TestGrantRulesFile(t *testing.T) {
	env, log := loggedSandbox(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "quiltq"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "quiltq", "grants.toml"), []byte(teamRules), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := envFor(t, env, "admin")
	vars["XDG_CONFIG_HOME"] = dir
	tests := []struct {
		sql  string
		code int
		want string
	}{
		{"SELECT count(*) FROM sales.orders", exitOK, ""},
		{"SELECT * FROM sales.customers", exitDenied, "rules file " + filepath.Join(dir, "quiltq", "grants.toml") + ": denied by deny rule *.sales.cust* (line 6): personal data"},
		{"SELECT * FROM sales.orders o JOIN sales.customers c ON o.customer_id = c.customer_id", exitDenied, `"awsdatacatalog"."sales"."customers" (read)`},
		{"SELECT * FROM benchmarks.numbers LIMIT 1", exitDenied, "no allow rule covers read access"},
		{"SELECT * FROM userathenadatabase-x.t", exitFailed, "syntax error at line 1:33: expected the end of the statement"},
		{"SELECT * FROM TABLE(foo(1))", exitFailed, "cannot be told"},
	}
	for _, tc := range tests {
		before := log.calls("athena")
		r := quiltq(t, context.Background(), vars, "", "-o", "csv", "-e", tc.sql)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: exit %d, want %d; stderr %s (want %q)", tc.sql, r.code, tc.code, r.stderr, tc.want)
		}
		if tc.code != exitOK && log.calls("athena") != before {
			t.Errorf("%s: refused, yet Athena was called", tc.sql)
		}
	}
	if r := quiltq(t, context.Background(), vars, "", "--grants", filepath.Join(dir, "none.toml"), "-e", "SELECT 1"); r.code != exitUsage || !strings.Contains(r.stderr, "none.toml") {
		t.Errorf("missing --grants file: exit %d, stderr %s", r.code, r.stderr)
	}
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[[allow]]\ntable = [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := quiltq(t, context.Background(), vars, "", "--grants", bad, "-e", "SELECT 1"); r.code != exitUsage || !strings.Contains(r.stderr, "bad.toml:") {
		t.Errorf("malformed --grants file: exit %d, stderr %s", r.code, r.stderr)
	}
}

type checkOutput struct {
	Refs []struct {
		Catalog, Database, Table, Access, Verdict, Reason string
	} `json:"refs"`
	Error *string `json:"error"`
}

func TestCheckCommand(t *testing.T) {
	decode := func(t *testing.T, r result) checkOutput {
		t.Helper()
		var out checkOutput
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("check --json: %v in %q (stderr %s)", err, r.stdout, r.stderr)
		}
		return out
	}
	// No login at all: references only, verdicts unknown.
	r := quiltq(t, context.Background(), nil, "", "check", "--json", "-d", "sales", "SELECT * FROM orders o JOIN \"Other\".t USING (id)")
	out := decode(t, r)
	if r.code != exitOK || out.Error != nil || len(out.Refs) != 2 ||
		out.Refs[0].Catalog != "awsdatacatalog" || out.Refs[0].Database != "sales" || out.Refs[0].Table != "orders" ||
		out.Refs[1].Database != "other" || out.Refs[0].Verdict != "unknown" || out.Refs[0].Access != "read" {
		t.Errorf("no login: exit %d, %+v, stderr %s", r.code, out, r.stderr)
	}
	// SQL from stdin; undeterminable references exit 1 with the error.
	r = quiltq(t, context.Background(), nil, "EXECUTE stmt USING 1", "check", "--json", "-")
	out = decode(t, r)
	if r.code != exitFailed || out.Error == nil || !strings.Contains(*out.Error, "EXECUTE") || len(out.Refs) != 0 {
		t.Errorf("EXECUTE: exit %d, %+v", r.code, out)
	}
	// The sandbox's reader: the role refuses the bucket it lacks, exit 3.
	r = quiltq(t, context.Background(), nil, "", "--sandbox", "--sandbox-user", "reader", "check", "--json",
		`SELECT * FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail"`)
	out = decode(t, r)
	if r.code != exitDenied || len(out.Refs) != 1 || out.Refs[0].Verdict != "denied" || !strings.Contains(out.Refs[0].Reason, "does not grant bucket nextflowtower") {
		t.Errorf("reader: exit %d, %+v, stderr %s", r.code, out, r.stderr)
	}
	// Text output: one line a reference.
	r = quiltq(t, context.Background(), nil, "", "check", "SHOW TABLES IN sales")
	if r.code != exitOK || !strings.Contains(r.stdout, `"awsdatacatalog"."sales" (every table)  metadata  unknown`) {
		t.Errorf("text: exit %d, stdout %q", r.code, r.stdout)
	}
}

// ls shows only what the grants allow, with a count of what was hidden.
func TestLsHidesWhatGrantsDeny(t *testing.T) {
	r := quiltq(t, context.Background(), nil, "", "--sandbox", "--sandbox-user", "reader", "ls", "--json", "--refresh")
	var l engine.Listing
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil {
		t.Fatalf("ls --json: %v in %q (stderr %s)", err, r.stdout, r.stderr)
	}
	if l.Hidden == 0 {
		t.Errorf("nothing hidden for the reader: %+v", l)
	}
	for _, c := range l.Catalogs {
		for _, d := range c.Databases {
			if d.Name == "nextflowtower" {
				t.Errorf("the reader's listing shows bucket nextflowtower, which the role does not grant")
			}
			for _, tb := range d.Tables {
				if strings.HasPrefix(tb.Name, "nextflowtower_") {
					t.Errorf("the reader's listing shows %s.%s", d.Name, tb.Name)
				}
			}
		}
	}
}

// With the role's policies known, check also lists every permission the
// SQL needs that they lack (the check before sending refuses on those),
// with the statement that fixes them; a role that lacks nothing gets an
// empty list, and without known policies the list is null.
func TestCheckListsWhatThePoliciesLack(t *testing.T) {
	type out struct {
		Refs    []json.RawMessage `json:"refs"`
		Missing *[]struct{ Action, Resource string }
		Fix     json.RawMessage `json:"fix"`
	}
	decode := func(r result) out {
		t.Helper()
		var o out
		if err := json.Unmarshal([]byte(r.stdout), &o); err != nil {
			t.Fatalf("check --json: %v in %q (stderr %s)", err, r.stdout, r.stderr)
		}
		return o
	}
	r := quiltq(t, context.Background(), nil, "", "--sandbox", "check", "--json", "SELECT * FROM sales.orders")
	o := decode(r)
	if r.code != exitDenied || o.Missing == nil || string(o.Fix) == "null" {
		t.Fatalf("analyst: exit %d, %s", r.code, r.stdout)
	}
	found := false
	for _, m := range *o.Missing {
		found = found || m.Action == "glue:GetTable" && m.Resource == "arn:aws:glue:us-east-1:123456789012:table/sales/orders"
	}
	if !found {
		t.Errorf("analyst: missing lacks glue:GetTable on sales/orders: %s", r.stdout)
	}
	r = quiltq(t, context.Background(), nil, "", "--sandbox", "--sandbox-user", "admin", "check", "--json", "SELECT * FROM sales.orders")
	if o := decode(r); r.code != exitOK || o.Missing == nil || len(*o.Missing) != 0 || string(o.Fix) != "null" {
		t.Errorf("admin: exit %d, %s", r.code, r.stdout)
	}
	r = quiltq(t, context.Background(), nil, "", "check", "--json", "SELECT * FROM sales.orders")
	if o := decode(r); r.code != exitOK || o.Missing != nil {
		t.Errorf("no login: exit %d, %s", r.code, r.stdout)
	}
	r = quiltq(t, context.Background(), nil, "", "--sandbox", "check", "SELECT * FROM sales.orders")
	if r.code != exitDenied || !strings.Contains(r.stdout, "lacks") || !strings.Contains(r.stdout, "statement that fixes the whole query") {
		t.Errorf("analyst, text: exit %d, %s", r.code, r.stdout)
	}
}
