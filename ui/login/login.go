// Package login is the workbench's login screen, shown when quiltq has no
// Quilt login for the profile: it asks for the catalog's URL (prefilled
// from the config) and the code the catalog's /code page shows (never
// echoed), and runs the same exchange, verification and save as `quiltq
// login` through the function it is given.
package login

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/quiltq/quiltq/ui/theme"
)

// Func logs in to catalogURL with code, keeping the login in a plain file
// when file is true (else the OS keyring), and returns who is logged in.
// It is `quiltq login`'s own exchange, verification and save.
type Func func(ctx context.Context, catalogURL, code string, file bool) (who string, err error)

// DoneMsg reports the end of a wait: a login attempt (who is logged in,
// or why not) or, sent by the gate, the opening of the workbench after
// it. ID is the wait's (Model.Begin): the reply of a wait that was
// canceled is ignored.
type DoneMsg struct {
	ID  int
	Who string
	Err error
}

// QuitMsg asks to leave without logging in.
type QuitMsg struct{}

// RetryMsg asks the gate to open the workbench again, after an opening
// that was canceled or failed (the login itself is saved).
type RetryMsg struct{}

// DefaultTimeout bounds each wait of the screen: AWS calls give up within
// 70 s (quiltq's retry budget, see the README), the registry's sooner; a
// wait past this is given up whatever is stuck.
const DefaultTimeout = 2 * time.Minute

// The waits of the screen, as shown while they last.
const (
	// WaitLogin is the wait of a login attempt.
	WaitLogin = "the registry to take the code and AWS STS to confirm the credentials it issues"
	// WaitWorkbench is the wait after the login, for what the workbench
	// opens with.
	WaitWorkbench = "AWS: the Athena workgroup and the data catalogs the workbench opens with"
)

// Options build the screen.
type Options struct {
	CatalogURL string // prefilled
	File       bool   // keep the login in a plain file (the config's insecure_storage)
	Why        string // why a login is asked for
	Login      Func
	Context    context.Context
	// Timeout bounds each wait (DefaultTimeout when zero).
	Timeout time.Duration
}

// Model is the login screen.
type Model struct {
	o     Options
	th    theme.Theme
	url   textinput.Model
	code  textinput.Model
	field int // 0: the URL, 1: the code
	file  bool
	busy  bool
	err   string
	// The wait under way: its ID, what it waits for, its context and how
	// to cancel it.
	waitID  int
	waitFor string
	waitCtx context.Context
	cancel  context.CancelCauseFunc
	timer   *time.Timer
	who     string
	width   int
	height  int
}

// New returns the screen.
func New(o Options, th theme.Theme) Model {
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
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

// errGaveUp is the cause of a wait's context ended by its timeout.
var errGaveUp = errors.New("the wait passed its time limit")

// Begin starts a wait for what (WaitLogin, WaitWorkbench): the screen
// says what it waits for, esc cancels it, and it gives up after the
// timeout; both end ctx. The work done under ctx replies with a DoneMsg
// of id. ctx outlives a wait that succeeds (the workbench's session is
// opened under it), and ends with the screen's context then.
func (m Model) Begin(what string) (_ Model, ctx context.Context, id int) {
	m.abandon()
	m.waitID++
	m.waitCtx, m.cancel = context.WithCancelCause(m.o.Context)
	cancel := m.cancel
	m.timer = time.AfterFunc(m.o.Timeout, func() { cancel(errGaveUp) })
	m.busy, m.waitFor, m.err = true, what, ""
	return m, m.waitCtx, m.waitID
}

// Err is what the screen says went wrong last ("" when nothing did).
func (m Model) Err() string { return m.err }

// WaitID is the ID of the last wait begun.
func (m Model) WaitID() int { return m.waitID }

// finish ends the wait under way, which succeeded: its context lives on.
func (m *Model) finish() {
	if m.timer != nil {
		m.timer.Stop()
	}
	m.busy, m.cancel, m.timer = false, nil, nil
}

// abandon ends the wait under way and its context.
func (m *Model) abandon() {
	if m.cancel != nil {
		m.cancel(context.Canceled)
	}
	m.finish()
}

// attempt runs fn as a command with explicit inputs.
func attempt(ctx context.Context, id int, fn Func, url, code string, file bool) tea.Cmd {
	return func() tea.Msg {
		who, err := fn(ctx, url, code, file)
		return DoneMsg{ID: id, Who: who, Err: err}
	}
}

// Update handles the keys and the login's outcome.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
		return m, nil
	case DoneMsg:
		if msg.ID != m.waitID || !m.busy {
			return m, nil // a canceled wait's late reply
		}
		timedOut := errors.Is(context.Cause(m.waitCtx), errGaveUp)
		if msg.Err == nil && !timedOut {
			m.finish()
		} else {
			m.abandon()
		}
		if msg.Err != nil || timedOut {
			if msg.Err == nil {
				msg.Err = errGaveUp
			}
			m.err = msg.Err.Error()
			if timedOut {
				m.err = fmt.Sprintf("gave up after %s waiting for %s: check the network and AWS_ENDPOINT_URL, then try again", m.o.Timeout, m.waitFor)
			}
			if m.who == "" {
				m.code.SetValue("") // a code works once
				m.field = 1
				m.focusField()
			}
			return m, nil
		}
		if m.who == "" {
			m.err, m.who = "", msg.Who
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.busy {
			switch msg.String() {
			case "ctrl+c":
				m.abandon()
				return m, func() tea.Msg { return QuitMsg{} }
			case "esc":
				// Back to the screen, with what was given up; the work
				// under the canceled context ends on its own.
				m.abandon()
				m.err = "canceled while waiting for " + m.waitFor
				if m.who == "" {
					m.code.SetValue("")
					m.field = 1
					m.focusField()
					m.err += ": paste a new code to try again"
				}
			}
			return m, nil
		}
		if m.who != "" {
			// Logged in; the workbench did not open.
			switch msg.String() {
			case "esc", "ctrl+c", "ctrl+q":
				return m, func() tea.Msg { return QuitMsg{} }
			case "enter":
				return m, func() tea.Msg { return RetryMsg{} }
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
			var ctx context.Context
			var id int
			m, ctx, id = m.Begin(WaitLogin)
			return m, attempt(ctx, id, m.o.Login, url, code, m.file)
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
	if m.who != "" {
		lines = append(lines, "", th.OK.Render("Logged in as "+m.who+"."))
	}
	switch {
	case m.busy:
		if m.who != "" {
			lines = append(lines, th.Muted.Render("Opening the workbench…"))
		}
		lines = append(lines, th.Muted.Render(fmt.Sprintf("waiting for %s (gives up after %s; esc cancels)", m.waitFor, m.o.Timeout)))
	case m.who != "":
		if m.err != "" {
			lines = append(lines, th.Error.Render(m.err))
		}
		lines = append(lines, th.Muted.Render("enter opens the workbench again · esc quits"))
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
