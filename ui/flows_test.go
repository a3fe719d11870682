package ui

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/quiltq/quiltq/ui/buffers"
)

// ctrl+e hands the terminal to $VISUAL (tea.ExecProcess) with the buffer
// in a 0600 file, and the buffer becomes what it saved; the file is gone
// after.
func TestFlowExternalEditor(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "editor.sh")
	seen := filepath.Join(dir, "seen")
	body := "#!/bin/sh\ncp \"$1\" " + seen + "\nstat -c %a \"$1\" >> " + seen + "\necho \"$1\" >> " + seen + "\nprintf 'SELECT 42 AS from_the_editor\\nFROM t\\n' > \"$1\"\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"VISUAL": script, "EDITOR": "false"}
	f := startFlow(t, Config{Getenv: func(k string) string { return env[k] }})
	f.tm.Type("SELECT 1")
	f.waitFor(20*time.Second, "1 SELECT 1")
	f.tm.Send(tea.KeyPressMsg{Code: 'e', Mod: tea.ModCtrl})
	f.waitFor(20*time.Second, "1 SELECT 42 AS from_the_editor", "2 FROM t", "the buffer now holds the editor's text (2 lines)")
	b, err := os.ReadFile(seen)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || lines[0] != "SELECT 1" || lines[1] != "600" {
		t.Fatalf("the editor was given %q, want the buffer in a 0600 file", lines)
	}
	if _, err := os.Stat(lines[2]); !os.IsNotExist(err) {
		t.Errorf("the temporary file %s is still there (%v)", lines[2], err)
	}
	f.tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// Copying a selection writes it to the terminal as OSC 52 (the system
// clipboard, over SSH too), and the status line says so.
func TestFlowCopyReachesTheTerminal(t *testing.T) {
	f := startFlow(t, Config{})
	f.tm.Type("SELECT 'copied' AS c")
	f.waitFor(20*time.Second, "SELECT 'copied' AS c")
	f.tm.Send(tea.KeyPressMsg{Code: 'a', Mod: tea.ModCtrl})
	f.tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	f.waitFor(20*time.Second, "copied the selection (20 characters)")
	f.tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	out, err := readAll(f.tm.FinalOutput(t, teatest.WithFinalTimeout(10*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("SELECT 'copied' AS c"))
	if !bytes.Contains(out, []byte(want)) {
		t.Fatalf("the terminal got no OSC 52 with the selection (%q)", want)
	}
}

// Tabs in a whole session: two tabs, a quit, and a second session of the
// same principal opens on them.
func TestFlowTabsAcrossSessions(t *testing.T) {
	store := buffers.NewStore(t.TempDir(), principal)
	f := startFlow(t, Config{Buffers: store})
	f.tm.Type("SELECT 'one'")
	f.tm.Send(tea.KeyPressMsg{Code: 'n', Mod: tea.ModCtrl})
	f.waitFor(20*time.Second, "Query  Tab 1 [Tab 2] +")
	f.tm.Type("SELECT 'two'")
	f.waitFor(20*time.Second, "1 SELECT 'two'")
	f.tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))

	g := startFlow(t, Config{Buffers: store})
	g.waitFor(20*time.Second, "Query  Tab 1 [Tab 2] +", "1 SELECT 'two'")
	g.tm.Send(tea.KeyPressMsg{Code: tea.KeyPgUp, Mod: tea.ModCtrl})
	g.waitFor(20*time.Second, "Query [Tab 1] Tab 2 +", "1 SELECT 'one'")
	g.tm.Send(tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl})
	g.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

func readAll(r interface{ Read([]byte) (int, error) }) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}
