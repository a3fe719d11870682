package editor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// ExternalEditedMsg is the end of an $EDITOR session on the buffer ID: the
// file's text when the editor exited 0, else why not.
type ExternalEditedMsg struct {
	ID   int
	Text string
	Err  error
}

// editExternally opens the buffer in the user's editor: the text goes to a
// temporary file (0600, removed after), the workbench hands the terminal
// to the editor (tea.ExecProcess) and takes it back when it exits.
func (m *Model) editExternally() tea.Cmd {
	f, err := os.CreateTemp("", "quiltq-*.sql") // 0600
	if err != nil {
		return note("cannot open an editor: " + err.Error())
	}
	path := f.Name()
	_, err = f.WriteString(m.Value() + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return note("cannot open an editor: " + err.Error())
	}
	id := m.id
	name, cmd := ExternalCommand(m.getenv, path)
	return tea.ExecProcess(cmd, func(err error) tea.Msg { return FinishExternal(id, name, path, err) })
}

// ExternalCommand is the command that edits path: $VISUAL, else $EDITOR,
// else vi, run by the shell as git runs them (so that "code --wait" or a
// path with arguments works), with the file as its last argument. name is
// the editor as the user set it, for messages.
func ExternalCommand(getenv func(string) string, path string) (name string, cmd *exec.Cmd) {
	name = strings.TrimSpace(getenv("VISUAL"))
	if name == "" {
		name = strings.TrimSpace(getenv("EDITOR"))
	}
	if name == "" {
		name = "vi"
	}
	if runtime.GOOS == "windows" {
		f := strings.Fields(name)
		return name, exec.Command(f[0], append(f[1:], path)...)
	}
	return name, exec.Command("sh", "-c", name+` "$1"`, "quiltq-editor", path)
}

// FinishExternal reads back the file the editor was given once it exited
// (err is how it exited), and removes it. The text replaces the buffer
// only when the editor exited 0.
func FinishExternal(id int, name, path string, err error) ExternalEditedMsg {
	defer os.Remove(path)
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return ExternalEditedMsg{ID: id, Err: fmt.Errorf("%s exited with status %d: the buffer is unchanged", name, exit.ExitCode())}
		}
		return ExternalEditedMsg{ID: id, Err: fmt.Errorf("%s did not run (%v): set $VISUAL or $EDITOR to your editor", name, err)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ExternalEditedMsg{ID: id, Err: fmt.Errorf("reading back what %s saved: %w", name, err)}
	}
	text := strings.TrimSuffix(string(b), "\n") // the line end editors add at the end of a file
	text = strings.TrimSuffix(text, "\r")
	return ExternalEditedMsg{ID: id, Text: text}
}

// externalEdited replaces the buffer with what the editor saved (an
// undoable step), keeping the cursor where it was as far as the new text
// allows.
func (m Model) externalEdited(msg ExternalEditedMsg) (Model, tea.Cmd) {
	if msg.Err != nil {
		return m, note(msg.Err.Error())
	}
	text := clean(msg.Text)
	if text == m.Value() {
		return m, note("the editor left the buffer unchanged")
	}
	rev := m.rev
	m.push(editOther)
	m.lines = strings.Split(text, "\n")
	m.sel, m.marking, m.comp, m.find = false, false, nil, nil
	m.row = min(m.row, len(m.lines)-1)
	m.col = min(m.col, len(m.lines[m.row]))
	m.col = colAt(m.lines[m.row], textWidthOf(m.lines[m.row][:m.col]))
	m.setWant()
	m.edited(rev)
	m.scroll()
	return m, note(fmt.Sprintf("the buffer now holds the editor's text (%s)", size(text)))
}
