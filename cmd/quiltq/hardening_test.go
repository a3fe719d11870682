package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// endless is an input that never ends (/dev/zero, a pipe that keeps
// writing), counting what was read from it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.n += int64(len(p))
	return len(p), nil
}

// Every input is read with a bound, enforced while reading: SQL on stdin
// (-f -, piped), `check -` and the text `explain` reads stop at their
// limit with a usage error naming it (issue 17, item 8).
func TestInputsAreBounded(t *testing.T) {
	tests := []struct {
		args  []string
		limit int64
		want  string
	}{
		{[]string{"-f", "-"}, 64 * 262144, "more than quiltq reads of SQL"},
		{[]string{"-o", "csv"}, 64 * 262144, "more than quiltq reads of SQL"},
		{[]string{"check", "-"}, 64 * 262144, "more than quiltq reads of SQL"},
		{[]string{"explain"}, 1 << 20, "more than quiltq reads of an error text"},
	}
	for _, tt := range tests {
		in := &endless{}
		var out, errb bytes.Buffer
		st := streams{In: in, Out: &out, Err: &errb}
		env := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
		code := run(context.Background(), tt.args, st, func(k string) string { return env[k] })
		if code != exitUsage || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%v on an endless stdin: exit %d, stderr %q; want %d and %q", tt.args, code, errb.String(), exitUsage, tt.want)
		}
		if in.n > tt.limit+64<<10 {
			t.Errorf("%v read %d bytes of an endless stdin, want about %d", tt.args, in.n, tt.limit)
		}
	}
	// Files too: a policy over IAM's size, an -f script over the limit.
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"`+strings.Repeat("a", 11000)+`"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "big.sql")
	if err := os.WriteFile(script, bytes.Repeat([]byte("SELECT 1;\n"), 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"policy", "eval", "--policy", big, "--action", "s3:GetObject", "--resource", "*"},
		{"--sandbox", "--policy", big, "-e", "SELECT 1"},
		{"-f", script},
	} {
		r := quiltq(t, context.Background(), nil, "", args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "more than") {
			t.Errorf("%v: exit %d, stderr %q; want %d and the limit", args, r.code, r.stderr, exitUsage)
		}
	}
}

// `check` refuses a statement over Athena's size as -e does (it used to
// say all was well and exit 0).
func TestCheckRefusesAStatementOverTheLimit(t *testing.T) {
	sql := "SELECT '" + strings.Repeat("x", 262145) + "'"
	r := quiltq(t, context.Background(), nil, "", "check", "--offline", sql)
	if r.code != exitUsage || !strings.Contains(r.stderr, "262,144") {
		t.Errorf("exit %d, stderr %q; want %d and Athena's limit", r.code, r.stderr, exitUsage)
	}
}

// `--results ID` of a query quiltq did not start: an interrupt detaches
// and leaves the query running, and says so (issue 17, item 5: it used to
// cancel someone else's query).
func TestResultsDetachesOnInterrupt(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	client := awsathena.NewFromConfig(env.AWSConfig(t, "admin"))
	start, err := client.StartQueryExecution(context.Background(), &awsathena.StartQueryExecutionInput{
		QueryString: aws.String("-- sandbox: run=60s\nSELECT count(*) FROM sales.orders"),
		WorkGroup:   aws.String("QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(start.QueryExecutionId)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- quiltq(t, ctx, envFor(t, env, "admin"), "", "--results", id) }()
	time.Sleep(500 * time.Millisecond)
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("quiltq did not return after the interrupt")
	}
	if r.code != exitInterrupted || !strings.Contains(r.stderr, "did not start it, so it was left running") {
		t.Errorf("exit %d, stderr %q; want %d and that the query was left running", r.code, r.stderr, exitInterrupted)
	}
	if strings.Contains(r.stderr, "stopped (") || strings.Contains(r.stderr, "was stopped") {
		t.Errorf("stderr says the query was stopped: %q", r.stderr)
	}
	if s := queryState(t, client, id); s != athenatypes.QueryExecutionStateRunning && s != athenatypes.QueryExecutionStateQueued {
		t.Errorf("the query is %s after the viewer left, want it still running", s)
	}
}

// Retries are said on stderr while they happen (issue 17, item 6).
func TestRetriesAreNarrated(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Faults: sandbox.Faults{ServerError: 0.4, Seed: 7}})
	r := quiltq(t, context.Background(), envFor(t, env, "admin"), "", "-o", "csv", "-e", "SELECT count(*) AS n FROM sales.orders")
	if r.code != exitOK || r.stdout != "\"n\"\n\"4200\"\n" {
		t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "; retrying (attempt 2 of") {
		t.Errorf("stderr %q does not say what was retried", r.stderr)
	}
}

// Control characters from SQL, names, AWS messages and pasted texts reach
// no terminal raw: stderr, and the text of check and explain, show them
// escaped (issue 17, item 3).
func TestTerminalOutputIsEscaped(t *testing.T) {
	const evil = "no\x1b[2J\x1b]0;owned\x07pe"
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"an AWS error naming the table", "", []string{"--sandbox", "--sandbox-user", "admin", "-e", `SELECT * FROM sales."` + evil + `"`}},
		{"check's listing", "", []string{"check", "--offline", `SELECT * FROM "` + evil + `".t`}},
		{"explain's text", "User: arn:aws:sts::1:assumed-role/R/" + evil + " is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/" + evil, []string{"explain"}},
		{"a usage error", "", []string{"describe", "a.b.c." + evil}},
	}
	for _, tt := range tests {
		r := quiltq(t, context.Background(), nil, tt.stdin, tt.args...)
		all := r.stdout + r.stderr
		if strings.ContainsAny(all, "\x1b\x07") {
			t.Errorf("%s: a raw control character reached the output: %q", tt.name, all)
		}
		if !strings.Contains(strings.ToLower(all), `\x1b[2j`) { // names are lowercased
			t.Errorf("%s: the escaped name is not shown: %q", tt.name, all)
		}
	}
}

// Values out of range are usage errors (exit 2) naming the value and the
// rule, where they used to be taken silently (issue 17, Validation).
func TestValidation(t *testing.T) {
	dir := t.TempDir()
	keysConfig := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(keysConfig, []byte("[keys]\nrun = [\"ctrl+shfit+r\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"--limit 0", nil, []string{"--limit", "0", "-e", "SELECT 1"}, []string{"--limit 0", "1 or more"}},
		{"--limit -5", nil, []string{"--limit", "-5", "-e", "SELECT 1"}, []string{"--limit -5", "1 or more"}},
		{"negative --max-age", nil, []string{"ls", "--max-age", "-1s"}, []string{"--max-age -1s", "0 or more"}},
		{"--fault-cut NaN", nil, []string{"sandbox", "serve", "--fault-cut", "NaN"}, []string{"--fault-cut NaN", "fault fractions are between 0 and 1"}},
		{"--fault-500 above 1", nil, []string{"sandbox", "serve", "--fault-500", "1.5"}, []string{"--fault-500 1.5", "fault fractions are between 0 and 1"}},
		{"--bench-rows -1", nil, []string{"sandbox", "serve", "--bench-rows", "-1"}, []string{"--bench-rows -1", "0 or more"}},
		{"--latency -1s", nil, []string{"sandbox", "serve", "--latency", "-1s"}, []string{"--latency -1s", "0 or more"}},
		{"--stack missing", nil, []string{"sandbox", "serve", "--stack", "/nonexistent/world.yaml"}, []string{"/nonexistent/world.yaml", "no such file"}},
		{"config with [keys] the workbench refuses", map[string]string{"QUILTQ_CONFIG": keysConfig}, []string{"config"}, []string{"config.toml:2", "[keys]"}},
	}
	for _, tt := range tests {
		r := quiltq(t, context.Background(), tt.env, "", tt.args...)
		if r.code != exitUsage {
			t.Errorf("%s: exit %d, want %d; stderr %q", tt.name, r.code, exitUsage, r.stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr %q lacks %q", tt.name, r.stderr, w)
			}
		}
	}
}

// A command interrupted (its context ended by a signal) exits 130
// whatever it was doing, and ls says nothing of a stopped query, since it
// runs none (issue 17, item 7).
func TestInterruptedCommandsExit130(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	tests := []struct {
		stdin string
		args  []string
	}{
		{"", []string{"whoami"}},
		{"", []string{"check", "--offline", "SELECT * FROM sales.orders"}},
		{"User: arn:aws:sts::1:assumed-role/R/a is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k", []string{"explain"}},
		{"", []string{"explain", "--sql", "SELECT 1", "-w", "primary"}},
		{"", []string{"ls"}},
		{"", []string{"describe", "sales.orders"}},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := quiltq(t, ctx, envFor(t, env, "admin"), tt.stdin, tt.args...)
		if r.code != exitInterrupted {
			t.Errorf("%v interrupted: exit %d, want %d; stderr %q", tt.args, r.code, exitInterrupted, r.stderr)
		}
		if strings.Contains(r.stderr, "query was stopped") {
			t.Errorf("%v interrupted: stderr speaks of a stopped query: %q", tt.args, r.stderr)
		}
	}
}

// After an interrupt whose stop could not be confirmed, the message says
// the query may still be running and nothing says it was stopped (issue
// 17, item 6).
func TestInterruptMessageDoesNotContradictItself(t *testing.T) {
	var errb bytes.Buffer
	err := &engine.Error{Op: "wait for query", Kind: engine.Canceled, Err: errors.New("stopping query q-1: no reply (it may still be running: stop it in the Athena console)")}
	code := reportFailure(streams{Err: &errb}, nil, athena.Execution{}, err, false, nil)
	if code != exitInterrupted || !strings.Contains(errb.String(), "may still be running") || strings.Contains(errb.String(), "was stopped") {
		t.Errorf("exit %d, stderr %q; want %d, \"may still be running\" and nothing saying it was stopped", code, errb.String(), exitInterrupted)
	}
}
