//go:build linux

package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// hangingServer accepts connections and never answers, as an endpoint
// that is up but stuck does; accepted receives once per connection.
func hangingServer(t *testing.T) (url string, accepted <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan struct{}, 64)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String(), ch
}

// drained waits until the process has read everything written to the
// pipe whose read end is r (TIOCINQ, FIONREAD, says no byte is left): the process
// is then past its start-up, in its read or in the work after it.
func drained(t *testing.T, r *os.File) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		n, err := unix.IoctlGetInt(int(r.Fd()), unix.TIOCINQ)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("quiltq never read its stdin")
}

// bigScript is 64 statements of 7,800 joins each, just under the SQL
// limit: seconds of lexing and checking after it has been read.
func bigScript() string {
	var stmt strings.Builder
	stmt.WriteString("SELECT * FROM sales.orders x")
	for i := range 7800 {
		stmt.WriteString(" JOIN sales.orders o")
		stmt.WriteString(strings.Repeat("x", i%3))
		stmt.WriteString(" ON true")
	}
	stmt.WriteString(";\n")
	return strings.Repeat(stmt.String(), 64)
}

// The first SIGINT or SIGTERM ends a command with 130 whatever it is doing
// when it comes: reading a pipe that stays open, reading a FIFO no one
// writes, lexing and checking a large script, waiting on an endpoint that
// never answers (issue 17, item 7: check, explain and policy eval read on
// and exited 0; the check of a large script ran to its end and exited 0).
func TestSignalsEndLocalWork(t *testing.T) {
	bin := buildQuiltq(t, "")
	env := sandboxtest.Start(t, sandbox.Options{})
	hang, accepted := hangingServer(t)
	big := bigScript()
	type ready func(t *testing.T, w *os.File, r *os.File)
	// openPipe: a few bytes, then the pipe stays open.
	openPipe := func(t *testing.T, w, r *os.File) {
		if _, err := w.WriteString("SELECT 1 FROM sales.orders"); err != nil {
			t.Fatal(err)
		}
		drained(t, r)
	}
	// wholeBig: the big script, read to its end; the work follows.
	wholeBig := func(t *testing.T, w, r *os.File) {
		if _, err := io.Copy(w, strings.NewReader(big)); err != nil {
			t.Fatal(err)
		}
		w.Close()
		drained(t, r)
	}
	waitAccepted := func(t *testing.T, w, r *os.File) {
		select {
		case <-accepted:
		case <-time.After(60 * time.Second):
			t.Fatal("quiltq never called the endpoint")
		}
	}
	fifo := filepath.Join(t.TempDir(), "policy.json")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// fifoOpen: the policy "file" is a FIFO that gets a reader and a
	// writer who writes half a policy and stops.
	fifoOpen := func(t *testing.T, w, r *os.File) {
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
			if err == nil {
				t.Cleanup(func() { f.Close() })
				if _, err := f.WriteString(`{"Version": "2012-10-17",`); err != nil {
					t.Fatal(err)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("quiltq never opened the FIFO: %v", err)
			}
		}
	}
	login := envFor(t, env, "admin")
	hungAWS := envFor(t, env, "admin")
	hungAWS["AWS_ENDPOINT_URL"] = hang
	hungRegistry := map[string]string{"QUILTQ_CATALOG_URL": hang, "QUILTQ_TOKEN": "a-refresh-token"}
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		ready ready
	}{
		{"check reading", []string{"check", "-"}, login, openPipe},
		{"check computing", []string{"check", "--offline", "-"}, nil, wholeBig},
		{"check computing, logged in", []string{"check", "-"}, login, wholeBig},
		{"explain reading", []string{"explain"}, nil, openPipe},
		{"explain FIFO", []string{"explain", fifo}, nil, fifoOpen},
		{"explain --sql, AWS hung", []string{"explain", "--sql", "SELECT * FROM sales.orders"}, hungAWS, waitAccepted},
		{"policy eval FIFO", []string{"policy", "eval", "--policy", fifo, "--action", "s3:GetObject", "--resource", "*"}, nil, fifoOpen},
		{"query reading", []string{"-w", pipeWorkgroup}, login, openPipe},
		{"query -f FIFO", []string{"-w", pipeWorkgroup, "-f", fifo}, login, fifoOpen},
		{"whoami, registry hung", []string{"whoami"}, hungRegistry, waitAccepted},
		{"whoami, AWS hung", []string{"whoami"}, hungAWS, waitAccepted},
	}
	for _, tt := range tests {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			t.Run(tt.name+"/"+sig.String(), func(t *testing.T) {
				// Drain what an earlier case left.
				for len(accepted) > 0 {
					<-accepted
				}
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				defer w.Close()
				cmd := exec.Command(bin, tt.args...)
				cmd.Env = envList(t, tt.env)
				cmd.Stdin = r
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				tt.ready(t, w, r)
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				code := exitOf(t, cmd)
				if code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") {
					t.Errorf("exit %d, stderr %q; want %d and \"interrupted\"", code, stderr.String(), exitInterrupted)
				}
				for _, wrong := range []string{"the query was stopped", "may still be running", "context canceled"} {
					if strings.Contains(stderr.String(), wrong) {
						t.Errorf("stderr says %q, though no query ran: %q", wrong, stderr.String())
					}
				}
			})
		}
	}
}

// Bad inputs the hunt of issue 17 (cmd/quiltq/testdata/hunt.sh) found
// ending badly: an unknown shell for completion printed help and exited
// 0, check of no SQL exited 0, and a directory given as a file was named
// twice in the error.
func TestHuntFinds(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"", []string{"completion", "tcsh"}, exitUsage, `unknown command "tcsh"`},
		{" \n", []string{"check", "--offline", "-"}, exitUsage, "no SQL to check"},
		{"", []string{"check", "--offline", "  "}, exitUsage, "no SQL to check"},
		{"", []string{"-f", dir}, exitUsage, "read " + dir + ": is a directory"},
	}
	for _, tt := range tests {
		r := quiltq(t, context.Background(), map[string]string{"XDG_CONFIG_HOME": t.TempDir()}, tt.stdin, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, dir) > 1 {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q (once)", tt.args, r.code, r.stderr, tt.code, tt.want)
		}
	}
	if r := quiltq(t, context.Background(), nil, "", "completion", "bash"); r.code != exitOK || !strings.Contains(r.stdout, "bash completion") {
		t.Errorf("completion bash: exit %d, stdout %.60q", r.code, r.stdout)
	}
}
