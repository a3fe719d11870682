package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// tmuxTerm is a terminal of its own (a tmux server on a private socket)
// running one command.
type tmuxTerm struct {
	t    *testing.T
	sock string
}

func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("QUILTQ_REQUIRE_TOOLS") == "1" {
			t.Fatal("tmux is not installed and QUILTQ_REQUIRE_TOOLS=1")
		}
		t.Skip("tmux is not installed: skipping the terminal test (QUILTQ_REQUIRE_TOOLS=1 makes this fail)")
	}
}

// buildQuiltq builds the binary, with build tags when given.
func buildQuiltq(t *testing.T, tags string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "quiltq")
	args := []string{"build", "-o", bin}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startTerm runs the shell script in a 120×35 tmux pane, which stays
// once the script ends, so that what it printed last can be read.
func startTerm(t *testing.T, script string) *tmuxTerm {
	t.Helper()
	dir := t.TempDir()
	cmd := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(cmd, []byte(script+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	tt := &tmuxTerm{t: t, sock: filepath.Join(dir, "tmux.sock")}
	tt.run("-f", "/dev/null", "new-session", "-d", "-s", "q", "-x", "120", "-y", "35", "sleep 3600")
	t.Cleanup(func() { exec.Command("tmux", "-S", tt.sock, "kill-server").Run() })
	tt.run("set-option", "-t", "q", "remain-on-exit", "on")
	tt.run("respawn-pane", "-k", "-t", "q", cmd)
	return tt
}

func (tt *tmuxTerm) run(args ...string) string {
	tt.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tt.sock}, args...)...).CombinedOutput()
	if err != nil {
		tt.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (tt *tmuxTerm) keys(ks ...string) { tt.run(append([]string{"send-keys", "-t", "q"}, ks...)...) }

func (tt *tmuxTerm) text(s string) { tt.run("send-keys", "-t", "q", "-l", "--", s) }

func (tt *tmuxTerm) screen() string { return tt.run("capture-pane", "-p", "-t", "q") }

// scrollback is the screen with the lines scrolled off it.
func (tt *tmuxTerm) scrollback() string {
	return tt.run("capture-pane", "-p", "-J", "-S", "-500", "-t", "q")
}

// display reads a tmux format of the pane (#{alternate_on}, #{pane_pid}, ...).
func (tt *tmuxTerm) display(format string) string {
	return strings.TrimSpace(tt.run("display-message", "-p", "-t", "q", format))
}

func (tt *tmuxTerm) waitFor(want ...string) string {
	tt.t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for {
		s := tt.screen()
		ok := true
		for _, x := range want {
			ok = ok && strings.Contains(s, x)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			tt.t.Fatalf("the terminal never showed %q; it shows:\n%s", want, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// childOf is the process whose parent is pid (Linux: read from /proc).
func childOf(t *testing.T, pid int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid)); err == nil {
			if f := strings.Fields(string(b)); len(f) == 1 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		} else if os.IsNotExist(err) && runtime.GOOS != "linux" {
			t.Skip("finding quiltq's process needs Linux's /proc")
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d has no single child", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFile waits for the file the script writes when the command ends,
// and returns its trimmed contents.
func (tt *tmuxTerm) waitFile(path string) string {
	tt.t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for {
		if b, err := os.ReadFile(path); err == nil && strings.HasSuffix(string(b), "\n") {
			return strings.TrimSpace(string(b))
		}
		if time.Now().After(deadline) {
			tt.t.Fatalf("the command never ended; the terminal shows:\n%s", tt.scrollback())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A panic inside Update (a key only a test build has) leaves the
// terminal as it was: the alternate screen left, the cursor shown, the
// mouse reporting off, and the line discipline back (echo, canonical
// input); quiltq says it crashed and exits 1.
func TestWorkbenchPanicRestoresTheTerminal(t *testing.T) {
	needTmux(t)
	bin := buildQuiltq(t, "quiltq_testpanic")
	dir := t.TempDir()
	// The shell reports the status and the terminal's modes once quiltq
	// has ended; it does not reset them itself.
	cmd := "env -i PATH=" + os.Getenv("PATH") + " HOME=" + dir + " XDG_CACHE_HOME=" + dir + "/cache XDG_CONFIG_HOME=" + dir + "/config TERM=xterm-256color " +
		bin + " --sandbox --mouse; echo EXIT=$?; stty -a | tr '\\n' ' ' | sed 's/^/STTY: /'; echo; sleep 3600"
	tt := startTerm(t, cmd)
	tt.waitFor("Catalog", "Query", "wg QuiltUserAthena")
	if tt.display("#{alternate_on} #{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}") == "0 000" {
		t.Fatal("the workbench runs neither on the alternate screen nor with the mouse: the test would prove nothing")
	}
	tt.keys("F12")
	tt.waitFor("EXIT=", "STTY:")
	s := tt.scrollback()
	if !strings.Contains(s, "EXIT=1") {
		t.Errorf("exit status after a panic is not 1:\n%s", s)
	}
	for _, want := range []string{"Caught panic", "quiltq test crash", "quiltq: the workbench crashed", "the terminal was restored"} {
		if !strings.Contains(s, want) {
			t.Errorf("the terminal lacks %q:\n%s", want, s)
		}
	}
	if got := tt.display("#{alternate_on} #{cursor_flag} #{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}"); got != "0 1 000" {
		t.Errorf("after the panic: alternate screen, cursor shown, mouse modes = %q, want \"0 1 000\"", got)
	}
	stty := s[strings.Index(s, "STTY:"):]
	stty = strings.Join(strings.Fields(stty), " ")
	for _, mode := range []string{" icanon ", " echo ", " icrnl ", " opost "} {
		if !strings.Contains(stty+" ", mode) {
			t.Errorf("the terminal is left without %q (raw mode not undone): %s", strings.TrimSpace(mode), stty)
		}
	}
}

// SIGHUP (the terminal closed) and SIGTERM quit the workbench in order
// and stop the Athena query it was running: the sandbox, in this test's
// process, sees it CANCELLED.
func TestWorkbenchSignalsStopTheQuery(t *testing.T) {
	needTmux(t)
	bin := buildQuiltq(t, "")
	env := sandboxtest.Start(t, sandbox.Options{})
	admin := athenaClient(t, env)
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			vars := envFor(t, env, "admin")
			var envs []string
			for k, v := range vars {
				envs = append(envs, k+"="+v)
			}
			// The shell (the pane's process) records quiltq's exit status.
			cmd := "env -i PATH=" + os.Getenv("PATH") + " HOME=" + dir + " XDG_CACHE_HOME=" + dir + "/cache XDG_CONFIG_HOME=" + dir + "/config TERM=xterm-256color " +
				strings.Join(envs, " ") + " " + bin + " 2>" + dir + "/stderr; echo $? >" + dir + "/exit"
			tt := startTerm(t, cmd)
			tt.waitFor("Catalog", "Query", "wg QuiltUserAthena")
			tt.text("-- sandbox: run=60s")
			tt.keys("Enter")
			tt.text("SELECT count(*) FROM sales.orders")
			tt.keys("C-r")
			tt.waitFor("RUNNING")
			id := runningQuery(t, admin)
			shell, err := strconv.Atoi(tt.display("#{pane_pid}"))
			if err != nil {
				t.Fatal(err)
			}
			if err := syscall.Kill(childOf(t, shell), sig); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if t.Failed() {
					stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
					t.Logf("quiltq's stderr:\n%s", stderr)
				}
			})
			code := tt.waitFile(filepath.Join(dir, "exit"))
			stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
			if code != strconv.Itoa(exitInterrupted) || !strings.Contains(string(stderr), "stopped query "+id+" on Athena") {
				t.Errorf("after %v: exit %s, stderr %q; want %d and the query named", sig, code, stderr, exitInterrupted)
			}
			out, err := admin.GetQueryExecution(context.Background(), &awsathena.GetQueryExecutionInput{QueryExecutionId: &id})
			if err != nil {
				t.Fatal(err)
			}
			if st := out.QueryExecution.Status.State; st != "CANCELLED" {
				t.Errorf("the Athena query %s is %s after %v, want CANCELLED", id, st, sig)
			}
		})
	}
}

// runningQuery is the workgroup's one RUNNING query.
func runningQuery(t *testing.T, c *awsathena.Client) string {
	t.Helper()
	ctx := context.Background()
	out, err := c.ListQueryExecutions(ctx, &awsathena.ListQueryExecutionsInput{WorkGroup: aws.String("QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup")})
	if err != nil {
		t.Fatal(err)
	}
	var running []string
	if len(out.QueryExecutionIds) > 0 {
		b, err := c.BatchGetQueryExecution(ctx, &awsathena.BatchGetQueryExecutionInput{QueryExecutionIds: out.QueryExecutionIds})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range b.QueryExecutions {
			if x.Status.State == "RUNNING" || x.Status.State == "QUEUED" {
				running = append(running, aws.ToString(x.QueryExecutionId))
			}
		}
	}
	if len(running) != 1 {
		t.Fatalf("the workgroup runs %d queries (%v), want the workbench's one", len(running), running)
	}
	return running[0]
}
