package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui"
	loginui "github.com/quiltq/quiltq/ui/login"
)

// tuiGate is the workbench behind the login screen: the screen until a
// login is made and the session built, then the workbench itself.
type tuiGate struct {
	ctx  context.Context
	a    *app
	s    *config.Settings
	look tuiLookT
	slot *atomic.Pointer[tuiEngine]

	login         loginui.Model
	wb            *ui.Model
	width, height int
}

// tuiConnectedMsg carries the workbench's configuration, built after the
// login (or why it could not be).
type tuiConnectedMsg struct {
	cfg ui.Config
	err error
}

func newTUIGate(ctx context.Context, a *app, s *config.Settings, look tuiLookT, slot *atomic.Pointer[tuiEngine], why error) tuiGate {
	o := loginui.Options{
		CatalogURL: s.CatalogURL(),
		File:       s.InsecureStorage(),
		Why:        "quiltq has no usable Quilt login for this profile (" + reason(why) + "): log in here, as `quiltq login` would.",
		Login:      a.tuiLogin,
		Context:    ctx,
	}
	return tuiGate{ctx: ctx, a: a, s: s, look: look, slot: slot, login: loginui.New(o, look.theme)}
}

// tuiLogin is `quiltq login`'s exchange, verification and save, for the
// login screen.
func (a *app) tuiLogin(ctx context.Context, catalogURL, code string, file bool) (string, error) {
	opts, err := a.options()
	if err != nil {
		return "", err
	}
	t, err := session.PrepareLogin(ctx, opts, catalogURL, file)
	if err != nil {
		return "", err
	}
	li, err := session.CompleteLogin(ctx, t, code)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s <%s>, role %s", li.Name, li.Email, li.Role), nil
}

// connectAfterLogin builds the session with the login just made.
func connectAfterLogin(ctx context.Context, a *app, s *config.Settings, look tuiLookT, slot *atomic.Pointer[tuiEngine]) tea.Cmd {
	return func() tea.Msg {
		cfg, err := connectTUI(ctx, a, s, look, slot)
		return tuiConnectedMsg{cfg: cfg, err: err}
	}
}

func (g tuiGate) Init() tea.Cmd { return g.login.Init() }

func (g tuiGate) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if g.wb != nil {
		m, cmd := g.wb.Update(msg)
		wb := m.(ui.Model)
		g.wb = &wb
		return g, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		g.width, g.height = msg.Width, msg.Height
	case loginui.QuitMsg:
		return g, tea.Quit
	case loginui.DoneMsg:
		var cmd tea.Cmd
		g.login, cmd = g.login.Update(msg)
		if msg.Err == nil {
			return g, connectAfterLogin(g.ctx, g.a, g.s, g.look, g.slot)
		}
		return g, cmd
	case tuiConnectedMsg:
		if msg.err != nil {
			var cmd tea.Cmd
			g.login, cmd = g.login.Update(loginui.DoneMsg{Err: fmt.Errorf("logged in, but the workbench could not connect: %v", session.CredentialsCause(msg.err))})
			return g, cmd
		}
		m, _ := ui.New(msg.cfg).Update(tea.WindowSizeMsg{Width: g.width, Height: g.height})
		wb := m.(ui.Model)
		g.wb = &wb
		return g, wb.Init()
	}
	var cmd tea.Cmd
	g.login, cmd = g.login.Update(msg)
	return g, cmd
}

func (g tuiGate) View() tea.View {
	if g.wb != nil {
		return g.wb.View()
	}
	v := tea.NewView(g.login.View())
	v.AltScreen = true
	v.WindowTitle = "quiltq: log in"
	return v
}

// Render is the screen as a string, for tests.
func (g tuiGate) Render() string {
	if g.wb != nil {
		return g.wb.Render()
	}
	return g.login.View()
}

// reason is the words of err without its operation's name.
func reason(err error) string {
	var e *engine.Error
	if errors.As(err, &e) && e.Err != nil {
		return e.Err.Error()
	}
	return err.Error()
}
