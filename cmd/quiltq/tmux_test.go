package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxTerm is a program running in a real terminal (a detached tmux
// session with a socket of its own), driven as a person would.
type tmuxTerm struct {
	t    *testing.T
	sock string
}

// needTmux skips t without tmux, unless QUILTQ_REQUIRE_TOOLS=1.
func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("QUILTQ_REQUIRE_TOOLS") == "1" {
			t.Fatal("tmux is not installed and QUILTQ_REQUIRE_TOOLS=1")
		}
		t.Skip("tmux is not installed: skipping the terminal test (QUILTQ_REQUIRE_TOOLS=1 makes this fail)")
	}
}

// buildQuiltq builds the quiltq binary into a temporary directory.
func buildQuiltq(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "quiltq")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startTmux runs the shell command cmd in a 120×35 terminal.
func startTmux(t *testing.T, cmd string) *tmuxTerm {
	t.Helper()
	needTmux(t)
	tt := &tmuxTerm{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock")}
	tt.run("new-session", "-d", "-s", "q", "-x", "120", "-y", "35", cmd)
	t.Cleanup(func() { exec.Command("tmux", "-S", tt.sock, "kill-server").Run() })
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

// send types keys: with literal, text as is; else tmux key names (F5, C-r, Enter).
func (tt *tmuxTerm) send(literal bool, keys ...string) {
	tt.t.Helper()
	args := []string{"send-keys", "-t", "q"}
	if literal {
		args = append(args, "-l")
	}
	tt.run(append(args, keys...)...)
}

// screenHas waits until the screen shows every string of want, and
// returns it.
func (tt *tmuxTerm) screenHas(want ...string) string {
	tt.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := tt.run("capture-pane", "-p", "-t", "q")
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
