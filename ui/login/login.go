// Package login is the workbench's login screen, shown when quiltq has no
// Quilt login for the profile: it asks for the catalog's URL (prefilled
// from the config) and the code the catalog's /code page shows (never
// echoed), and runs the same exchange, verification and save as `quiltq
// login` through the function it is given.
package login

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/quiltq/quiltq/ui/theme"
)

// Func logs in to catalogURL with code, keeping the login in a plain file
// when file is true (else the OS keyring), and returns who is logged in.
// It is `quiltq login`'s own exchange, verification and save.
type Func func(ctx context.Context, catalogURL, code string, file bool) (who string, err error)

// DoneMsg reports a login attempt: who is logged in, or why not.
type DoneMsg struct {
	Who string
	Err error
}

// QuitMsg asks to leave without logging in.
type QuitMsg struct{}

// Options build the screen.
type Options struct {
	CatalogURL string // prefilled
	File       bool   // keep the login in a plain file (the config's insecure_storage)
	Why        string // why a login is asked for
	Login      Func
	Context    context.Context
}

// Model is the login screen.
type Model struct {
	o      Options
	th     theme.Theme
	url    textinput.Model
	code   textinput.Model
	field  int // 0: the URL, 1: the code
	file   bool
	busy   bool
	err    string
	who    string
	width  int
	height int
}

// New returns the screen.
func New(o Options, th theme.Theme) Model {
	if o.Context == nil {
		o.Context = context.Background()
	}
	url := textinput.New()
	url.Prompt = ""
	url.Placeholder = "https://catalog.example.com"
	url.SetValue(o.CatalogURL)
	url.CursorEnd()
	code := textinput.New()
	code.Prompt = ""
	code.EchoMode = textinput.EchoNone // the code is a secret: nothing of it is shown
	code.Placeholder = "paste the code (it is not shown)"
	m := Model{o: o, th: th, url: url, code: code, file: o.File}
	if o.CatalogURL != "" {
		m.field = 1
	}
	m.focusField()
	return m
}

func (m *Model) focusField() {
	m.url.Blur()
	m.code.Blur()
	if m.field == 0 {
		m.url.Focus()
	} else {
		m.code.Focus()
	}
}

// SetSize sets the screen's size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.url.SetWidth(max(w-20, 10))
	m.code.SetWidth(max(w-20, 10))
}

// Busy reports whether a login is being verified.
func (m Model) Busy() bool { return m.busy }

// Init blinks the cursor.
func (m Model) Init() tea.Cmd { return textinput.Blink }

// attempt runs fn as a command with explicit inputs.
func attempt(ctx context.Context, fn Func, url, code string, file bool) tea.Cmd {
	return func() tea.Msg {
		who, err := fn(ctx, url, code, file)
		return DoneMsg{Who: who, Err: err}
	}
}

// Update handles the keys and the login's outcome.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
		return m, nil
	case DoneMsg:
		m.busy = false
		if msg.Err != nil {
			m.err = msg.Err.Error()
			m.code.SetValue("") // a code works once
			m.field = 1
			m.focusField()
			return m, nil
		}
		m.err, m.who = "", msg.Who
		return m, nil
	case tea.KeyPressMsg:
		if m.busy {
			if msg.String() == "ctrl+c" {
				return m, func() tea.Msg { return QuitMsg{} }
			}
			return m, nil
		}
		switch msg.String() {
		case "esc", "ctrl+c", "ctrl+q":
			return m, func() tea.Msg { return QuitMsg{} }
		case "tab", "shift+tab", "up", "down":
			m.field = 1 - m.field
			m.focusField()
			return m, nil
		case "ctrl+t":
			m.file = !m.file
			return m, nil
		case "enter":
			url, code := strings.TrimSpace(m.url.Value()), strings.TrimSpace(m.code.Value())
			switch {
			case url == "":
				m.err, m.field = "give the catalog's URL first", 0
				m.focusField()
				return m, nil
			case m.field == 0 && code == "":
				m.field = 1
				m.focusField()
				return m, nil
			case code == "":
				m.err = "paste the code the catalog's /code page shows"
				return m, nil
			case strings.ContainsAny(code, " \t"):
				m.err = "the code has spaces in it: paste only the code the catalog's /code page shows"
				m.code.SetValue("")
				return m, nil
			}
			m.busy, m.err = true, ""
			return m, attempt(m.o.Context, m.o.Login, url, code, m.file)
		}
	}
	var cmd tea.Cmd
	if m.field == 0 {
		m.url, cmd = m.url.Update(msg)
	} else {
		m.code, cmd = m.code.Update(msg)
	}
	return m, cmd
}

// View draws the screen.
func (m Model) View() string {
	th := m.th
	url := strings.TrimRight(m.url.Value(), "/")
	codePage := "the catalog's /code page"
	if url != "" {
		codePage = url + "/code"
	}
	lines := []string{
		th.Title.Render("Log in to Quilt"),
		"",
	}
	if m.o.Why != "" {
		lines = append(lines, th.Muted.Render(m.o.Why), "")
	}
	lines = append(lines,
		"1. Open "+codePage+" in a browser and log in.",
		"2. Paste the code it shows below: it is not shown as you type.",
		"",
		label(th, "Catalog URL", m.field == 0)+m.url.View(),
		label(th, "Code", m.field == 1)+m.code.View(),
	)
	where := "the OS keyring"
	other := "a plain 0600 file instead"
	if m.file {
		where, other = "a plain 0600 file in the config dir (anyone who can read it can act as you)", "the OS keyring instead"
	}
	lines = append(lines, label(th, "Keep it in", false)+where, "", th.Muted.Render("enter logs in · tab: next field · ctrl+t: "+other+" · esc quits"))
	switch {
	case m.busy:
		lines = append(lines, "", th.Muted.Render("checking the code with the registry and AWS…"))
	case m.who != "":
		lines = append(lines, "", th.OK.Render("Logged in as "+m.who+"; opening the workbench…"))
	case m.err != "":
		lines = append(lines, "", th.Error.Render(m.err))
		if !m.file {
			lines = append(lines, th.Muted.Render("(ctrl+t keeps the login in a plain 0600 file instead of the OS keyring)"))
		}
	}
	box := lipgloss.NewStyle().Padding(1, 2).Width(max(min(m.width, 100), 20)).Render(strings.Join(lines, "\n"))
	if m.width == 0 || m.height == 0 {
		return box
	}
	return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, box)
}

func label(th theme.Theme, s string, on bool) string {
	l := s + ":" + strings.Repeat(" ", max(13-len(s), 1))
	if on {
		return th.Title.Render(l)
	}
	return th.Muted.Render(l)
}
