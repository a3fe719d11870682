package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// startedQuery waits for the query the process started to reach Athena
// and returns its ID.
func startedQuery(t *testing.T, client *awsathena.Client) string {
	t.Helper()
	wg := aws.String("QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup")
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		out, err := client.ListQueryExecutions(context.Background(), &awsathena.ListQueryExecutionsInput{WorkGroup: wg})
		if err == nil && len(out.QueryExecutionIds) > 0 {
			return out.QueryExecutionIds[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the query never reached Athena")
	return ""
}

// queryState is the Athena state of query id.
func queryState(t *testing.T, client *awsathena.Client, id string) athenatypes.QueryExecutionState {
	t.Helper()
	out, err := client.GetQueryExecution(context.Background(), &awsathena.GetQueryExecutionInput{QueryExecutionId: &id})
	if err != nil {
		t.Fatal(err)
	}
	return out.QueryExecution.Status.State
}

// exitOf waits for cmd and returns its exit code.
func exitOf(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("quiltq did not end")
		return -1
	}
}

// `quiltq -e ... | head -1` while the query still runs: when the reader
// of stdout goes away, quiltq stops the Athena query, says nothing and
// exits 141 at once.
func TestStdoutClosedStopsTheQuery(t *testing.T) {
	bin := buildQuiltq(t, "")
	env := sandboxtest.Start(t, sandbox.Options{})
	client := awsathena.NewFromConfig(env.AWSConfig(t, "admin"))
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	// A configured workgroup: none of the fallback's note on stderr.
	cmd := exec.Command(bin, "-w", pipeWorkgroup, "-e", "-- sandbox: run=60s\nSELECT count(*) FROM sales.orders")
	cmd.Env = envList(t, envFor(t, env, "admin"))
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	id := startedQuery(t, client)
	r.Close() // the reader goes away while the query runs
	if code := exitOf(t, cmd); code != exitPipe {
		t.Errorf("exit %d, want %d; stderr %q", code, exitPipe, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr %q, want nothing", stderr.String())
	}
	if s := queryState(t, client, id); s != athenatypes.QueryExecutionStateCancelled {
		t.Errorf("the Athena query is %s after stdout closed, want CANCELLED", s)
	}
}

// The rows of a finished query into `head -1`: no "broken pipe" on
// stderr, exit 141 (what pipefail reports for any tool SIGPIPE ends).
func TestHeadOneIsQuiet(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	bin := buildQuiltq(t, "")
	// 50,000 rows (about 4 MB of CSV) outgrow any pipe buffer many times over;
	// the stack's million would only make the in-process sandbox (slow
	// under -race) generate rows no one reads.
	env := sandboxtest.Start(t, sandbox.Options{BenchRows: 50000})
	cmd := exec.Command(bash, "-c", `set -o pipefail; "$0" -w "$1" -o csv -e 'SELECT * FROM benchmarks.numbers' 2>stderr.txt | head -1; echo "exit=$?"; cat stderr.txt`, bin, pipeWorkgroup)
	cmd.Dir = t.TempDir()
	cmd.Env = append(envList(t, envFor(t, env, "admin")), "PATH="+os.Getenv("PATH"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimRight(out, "\n"), []byte("\n"))
	if len(lines) != 2 || string(lines[1]) != "exit=141" {
		t.Errorf("got %q; want one row, exit=141 and nothing on stderr", out)
	}
}

// pipeWorkgroup is the sandbox's Quilt workgroup, named so that quiltq
// says nothing of choosing one.
const pipeWorkgroup = "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"

// envList is env as os/exec takes it, with its own config and cache.
func envList(t *testing.T, env map[string]string) []string {
	dir := t.TempDir()
	out := []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir + "/config", "XDG_CACHE_HOME=" + dir + "/cache"}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// SIGHUP, SIGINT and SIGTERM to `quiltq -e` stop the Athena query it
// started and exit 130 (issue 17, item 4: SIGHUP used to end quiltq with
// 129 and leave the query running).
func TestSignalsStopTheQuery(t *testing.T) {
	bin := buildQuiltq(t, "")
	env := sandboxtest.Start(t, sandbox.Options{})
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			client := awsathena.NewFromConfig(env.AWSConfig(t, "admin"))
			before, err := client.ListQueryExecutions(context.Background(), &awsathena.ListQueryExecutionsInput{WorkGroup: aws.String("QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup")})
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			// A configured workgroup: none of the fallback's note on stderr.
			cmd := exec.Command(bin, "-w", pipeWorkgroup, "-e", "-- sandbox: run=60s\nSELECT count(*) FROM sales.orders")
			cmd.Env = envList(t, envFor(t, env, "admin"))
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var id string
			for deadline := time.Now().Add(60 * time.Second); id == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				out, err := client.ListQueryExecutions(context.Background(), &awsathena.ListQueryExecutionsInput{WorkGroup: aws.String("QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup")})
				if err == nil && len(out.QueryExecutionIds) > len(before.QueryExecutionIds) {
					id = out.QueryExecutionIds[0]
				}
			}
			if id == "" {
				_ = cmd.Process.Kill()
				t.Fatal("the query never reached Athena")
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := exitOf(t, cmd); code != exitInterrupted {
				t.Errorf("exit %d, want %d; stderr %q", code, exitInterrupted, stderr.String())
			}
			if s := queryState(t, client, id); s != athenatypes.QueryExecutionStateCancelled {
				t.Errorf("the Athena query is %s after %s, want CANCELLED", s, sig)
			}
			if strings.Contains(stderr.String(), "may still be running") {
				t.Errorf("stderr says the query may still be running: %q", stderr.String())
			}
		})
	}
}

// A write of results that fails ends the run non-zero with what failed:
// stdout closed before the start (`>&-`, which used to exit 0 having
// written nothing), a full disk (which used to say "check the network")
// (issue 17, item 11).
func TestFailedWritesFail(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	bin := buildQuiltq(t, "")
	env := sandboxtest.Start(t, sandbox.Options{})
	tests := []struct{ redirect, want string }{
		{">&-", "stdout was closed before quiltq started"},
		{">/dev/full", "no space left on device"},
	}
	for _, tt := range tests {
		if _, err := os.Stat("/dev/full"); err != nil && tt.redirect == ">/dev/full" {
			continue
		}
		cmd := exec.Command(bash, "-c", `"$0" -e 'SELECT 1' `+tt.redirect+`; echo "exit=$?" >&2`, bin)
		cmd.Env = append(envList(t, envFor(t, env, "admin")), "PATH="+os.Getenv("PATH"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stderr.String(), "exit=1") || !strings.Contains(stderr.String(), tt.want) || strings.Contains(stderr.String(), "network") {
			t.Errorf("%s: stderr %q; want exit=1 and %q", tt.redirect, stderr.String(), tt.want)
		}
	}
}
