package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// workbenchCmd is the shell command that runs the workbench on the
// embedded sandbox in a clean environment under dir, then prints how it
// exited.
func workbenchCmd(bin, dir string) string {
	return "env -i PATH=" + os.Getenv("PATH") + " HOME=" + dir + " XDG_CACHE_HOME=" + dir + "/cache XDG_CONFIG_HOME=" + dir +
		"/config TERM=xterm-256color " + bin + " --sandbox; echo EXIT=$?"
}

// The editor in a real terminal (one build of quiltq for both).
func TestWorkbenchEditorInTmux(t *testing.T) {
	needTmux(t)
	bin := buildQuiltq(t, "")
	t.Run("paste", func(t *testing.T) { pasteInTmux(t, bin) })
	t.Run("tabs survive a restart", func(t *testing.T) { tabsSurviveARestart(t, bin) })
	t.Run("statements", func(t *testing.T) { statementsInTmux(t, bin) })
}

// Statements in a real terminal: F5 runs the statement under the cursor
// alone, shift+F5 (as tmux sends it) every statement, each in its result
// tab, and Athena's syntax error in the third statement is marked at its
// line in the buffer, not at the line Athena counts within the statement.
func statementsInTmux(t *testing.T, bin string) {
	dir := t.TempDir()
	tt := startTerm(t, workbenchCmd(bin, dir))
	tt.waitFor("Catalog", "Query", "wg QuiltUserAthena")
	// A semicolon at the end of a tmux argument separates tmux commands:
	// it goes as its byte.
	tt.text("SELECT 'first' AS a")
	tt.run("send-keys", "-t", "q", "-H", "3b")
	tt.keys("Enter")
	tt.text("SELECT 'second' AS b")
	tt.run("send-keys", "-t", "q", "-H", "3b")
	tt.keys("Up")
	tt.keys("F5")
	// One statement ran: one row, and no result tabs (those are run all's).
	s := tt.waitFor("SUCCEEDED", "first", "1 row")
	if strings.Contains(s, "×") {
		t.Fatalf("F5 on the first statement ran more than it:\n%s", s)
	}
	tt.keys("S-F5")
	tt.waitFor(" 1 SELECT 'first' AS a × │[2 SELECT 'second' AS b ×]", "SUCCEEDED")
	tt.keys("C-End", "Enter", "Enter")
	tt.text("SELECT * FORM sales.orders")
	tt.keys("F5")
	tt.waitFor("SYNTAX ERROR", "✗ line 4:10 (1:10 in the statement)")
	tt.keys("C-q")
	tt.waitFor("EXIT=0")
}

// A multi-line paste as tmux sends it (bracketed, with CR between the
// lines; and with CR LF), lands as lines: the screen shows each on its own
// numbered line, a tab as the indent, and the query runs (issue 12, defect
// 1: it landed on line 1 with the CRs in it and garbled the screen).
func pasteInTmux(t *testing.T, bin string) {
	dir := t.TempDir()
	tt := startTerm(t, workbenchCmd(bin, dir))
	tt.waitFor("Catalog", "Query", "wg QuiltUserAthena")
	// LF in the buffer: paste-buffer sends each as CR (what xterm and VTE
	// send too), between the bracketed-paste marks. Were the paste not
	// bracketed, the editor would take it as typing, pair the bracket and
	// indent the new lines: the lines below prove it was a paste.
	paste := filepath.Join(dir, "paste.sql")
	if err := os.WriteFile(paste, []byte("SELECT 7 AS pasted_a, (\n\t8) AS pasted_b\n-- end of the paste"), 0o600); err != nil {
		t.Fatal(err)
	}
	tt.run("load-buffer", "-b", "p", paste)
	tt.run("paste-buffer", "-p", "-b", "p", "-t", "q")
	s := tt.waitFor("   3 -- end of the paste")
	for _, want := range []string{"   1 SELECT 7 AS pasted_a, ( ", "   2   8) AS pasted_b "} {
		if !strings.Contains(s, want) {
			t.Fatalf("the pasted lines are not each on their own line (want %q):\n%s", want, s)
		}
	}
	tt.keys("F5")
	s = tt.waitFor("SUCCEEDED", "pasted_b")
	// CR LF, sent as it is (-r: no LF to CR), after the text above.
	tt.keys("F3", "C-a", "Delete")
	if err := os.WriteFile(paste, []byte("SELECT 'crlf' AS x\r\nFROM (VALUES 1)\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tt.run("load-buffer", "-b", "p", paste)
	tt.run("paste-buffer", "-p", "-r", "-b", "p", "-t", "q")
	s = tt.waitFor("   2 FROM (VALUES 1)", "   3 ")
	if !strings.Contains(s, "   1 SELECT 'crlf' AS x") || strings.Contains(s, "   4 ") {
		t.Fatalf("a CR LF paste is not two lines and an empty third:\n%s", s)
	}
	tt.keys("C-q")
	tt.waitFor("EXIT=0")
}

// The editor's tabs survive a restart: two tabs with text (one renamed)
// are there again, with their names and texts, when quiltq starts again
// for the same principal.
func tabsSurviveARestart(t *testing.T, bin string) {
	dir := t.TempDir()
	run := workbenchCmd(bin, dir)
	// The second run waits for a key, so that the first run's end can be
	// seen before the second's screen covers it.
	tt := startTerm(t, run+"; echo FIRST_DONE; read -r _; "+run+"; sleep 3600")
	tt.waitFor("Catalog", "Query [Tab 1] +", "wg QuiltUserAthena")
	tt.text("SELECT 1 AS first_tab")
	tt.keys("C-n")
	tt.waitFor("Query  Tab 1 [Tab 2] +")
	tt.text("SELECT 2 AS second_tab")
	tt.keys("C-o", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace")
	tt.text("counts")
	tt.keys("Enter")
	tt.waitFor("Query  Tab 1 [counts] +")
	tt.keys("C-q")
	tt.waitFor("FIRST_DONE")
	tt.keys("Enter")
	// The second run: the same tabs, the renamed one active with its text.
	s := tt.waitFor("Query  Tab 1 [counts] +", "SELECT 2 AS second_tab")
	if strings.Contains(s, "first_tab") {
		t.Fatalf("the active tab shows the other tab's text:\n%s", s)
	}
	tt.keys("C-k")
	tt.waitFor("Query [Tab 1] counts +", "SELECT 1 AS first_tab")
	// The store is the principal's file, private.
	files, _ := filepath.Glob(filepath.Join(dir, "cache", "quiltq", "buffers", "buffers-*.gob"))
	if len(files) != 1 {
		t.Fatalf("buffer files %q, want one", files)
	}
	if fi, err := os.Stat(files[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the buffer file is %v (%v), want 0600", fi.Mode(), err)
	}
	tt.keys("C-q")
	tt.waitFor("EXIT=0")
}
