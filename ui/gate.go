package ui

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	loginui "github.com/quiltq/quiltq/ui/login"
	"github.com/quiltq/quiltq/ui/theme"
)

// Gate is the workbench behind the login screen: the screen until a login
// is made and the workbench's configuration built, then the workbench
// itself.
type Gate struct {
	connect func(context.Context) (Config, error)

	login         loginui.Model
	wb            *Model
	width, height int
}

// ConnectedMsg carries the workbench's configuration, built after the
// login (or why it could not be), for the login screen's wait ID.
type ConnectedMsg struct {
	ID     int
	Config Config
	Err    error
}

// NewGate is the login screen of o, whose successful login is followed
// by connect (on a command of its own, under a context the screen's esc
// and timeout end), which builds the workbench.
func NewGate(o loginui.Options, th theme.Theme, connect func(context.Context) (Config, error)) Gate {
	return Gate{connect: connect, login: loginui.New(o, th)}
}

// connectCmd builds the workbench's configuration with connect.
func connectCmd(ctx context.Context, id int, connect func(context.Context) (Config, error)) tea.Cmd {
	return func() tea.Msg {
		cfg, err := connect(ctx)
		return ConnectedMsg{ID: id, Config: cfg, Err: err}
	}
}

// open begins the login screen's wait for the workbench.
func (g Gate) open() (Gate, tea.Cmd) {
	var ctx context.Context
	var id int
	g.login, ctx, id = g.login.Begin(loginui.WaitWorkbench)
	return g, connectCmd(ctx, id, g.connect)
}

// Init starts the login screen.
func (g Gate) Init() tea.Cmd { return g.login.Init() }

// Update routes to the login screen, then to the workbench.
func (g Gate) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if g.wb != nil {
		m, cmd := g.wb.Update(msg)
		wb := m.(Model)
		g.wb = &wb
		return g, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		g.width, g.height = msg.Width, msg.Height
	case loginui.QuitMsg:
		return g, tea.Quit
	case loginui.DoneMsg:
		stale := msg.ID != g.login.WaitID() || !g.login.Busy()
		var cmd tea.Cmd
		g.login, cmd = g.login.Update(msg)
		if msg.Err == nil && !stale && g.login.Err() == "" {
			return g.open()
		}
		return g, cmd
	case loginui.RetryMsg:
		return g.open()
	case ConnectedMsg:
		if msg.ID != g.login.WaitID() || !g.login.Busy() {
			return g, nil // canceled (esc) or given up: its late reply
		}
		if msg.Err != nil {
			var cmd tea.Cmd
			g.login, cmd = g.login.Update(loginui.DoneMsg{ID: msg.ID, Err: fmt.Errorf("logged in, but the workbench could not connect: %v", msg.Err)})
			return g, cmd
		}
		// The wait ends, its context kept for the workbench (unless the
		// time limit passed meanwhile).
		g.login, _ = g.login.Update(loginui.DoneMsg{ID: msg.ID})
		if g.login.Err() != "" {
			return g, nil
		}
		m, _ := New(msg.Config).Update(tea.WindowSizeMsg{Width: g.width, Height: g.height})
		wb := m.(Model)
		g.wb = &wb
		return g, wb.Init()
	}
	var cmd tea.Cmd
	g.login, cmd = g.login.Update(msg)
	return g, cmd
}

// View draws the login screen, then the workbench.
func (g Gate) View() tea.View {
	if g.wb != nil {
		return g.wb.View()
	}
	v := tea.NewView(g.login.View())
	v.AltScreen = true
	v.WindowTitle = "quiltq: log in"
	return v
}

// Render is the screen as a string, for tests.
func (g Gate) Render() string {
	if g.wb != nil {
		return g.wb.Render()
	}
	return g.login.View()
}
