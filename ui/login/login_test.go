package login

import (
	"context"
	"errors"
	"github.com/quiltq/quiltq/ui/internal/golden"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/ui/theme"
)

// calls records the logins asked for.
type calls struct{ got []string }

func (c *calls) login(_ context.Context, url, code string, file bool) (string, error) {
	c.got = append(c.got, url+" "+code+" "+map[bool]string{true: "file", false: "keyring"}[file])
	if code == "good" {
		return "ana <ana@example.com>", nil
	}
	return "", errors.New("the registry refused the code")
}

func newScreen(c *calls, url string) Model {
	m := New(Options{CatalogURL: url, Why: "quiltq has no login.", Login: c.login}, theme.New(theme.Options{NoColor: true}))
	m.SetSize(90, 24)
	return m
}

func typed(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

// press sends k and runs the command it gives back once, feeding its
// message (a login's outcome) to the model.
func press(m Model, k tea.KeyPressMsg) (Model, tea.Msg) {
	m, cmd := m.Update(k)
	if cmd == nil {
		return m, nil
	}
	msg := cmd()
	if d, ok := msg.(DoneMsg); ok {
		m, _ = m.Update(d)
	}
	return m, msg
}

var enter = tea.KeyPressMsg{Code: tea.KeyEnter}

func TestGoldenViews(t *testing.T) {
	c := &calls{}
	m := newScreen(c, "https://catalog.example.com")
	golden.Check(t, "prefilled-90x24.txt", ansi.Strip(m.View()))
	m = typed(m, "bad-code")
	m, _ = press(m, enter)
	golden.Check(t, "refused-90x24.txt", ansi.Strip(m.View()))
}

func TestTheCodeIsNeverShown(t *testing.T) {
	m := typed(newScreen(&calls{}, "https://c.example.com"), "s3cr3t-code")
	if v := m.View(); strings.Contains(v, "s3cr3t") || strings.Contains(v, "*") {
		t.Fatalf("the code (or a mask of its length) is shown:\n%s", ansi.Strip(v))
	}
}

func TestLoginRunsWithWhatWasTyped(t *testing.T) {
	c := &calls{}
	m := newScreen(c, "")
	// No URL: the cursor starts in it, and enter asks for one.
	m, _ = press(m, enter)
	if !strings.Contains(ansi.Strip(m.View()), "give the catalog's URL first") || len(c.got) != 0 {
		t.Fatalf("enter with no URL: %v\n%s", c.got, ansi.Strip(m.View()))
	}
	m = typed(m, "https://c.example.com")
	m, _ = press(m, enter) // to the code
	m, _ = press(m, enter) // no code yet
	if !strings.Contains(ansi.Strip(m.View()), "paste the code") || len(c.got) != 0 {
		t.Fatalf("enter with no code: %v", c.got)
	}
	m = typed(m, "bad")
	m, msg := press(m, enter)
	if d, ok := msg.(DoneMsg); !ok || d.Err == nil || c.got[0] != "https://c.example.com bad keyring" {
		t.Fatalf("a refused code: %#v, calls %v", msg, c.got)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "the registry refused the code") || !strings.Contains(v, "ctrl+t keeps the login in a plain 0600 file") || m.code.Value() != "" {
		t.Fatalf("after a refusal the screen shows:\n%s\n(code field %q, want it emptied: a code works once)", v, m.code.Value())
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 't', Mod: tea.ModCtrl})
	m = typed(m, "good")
	m, msg = press(m, enter)
	if d, ok := msg.(DoneMsg); !ok || d.Err != nil || c.got[1] != "https://c.example.com good file" {
		t.Fatalf("the good code with the file chosen: %#v, calls %v", msg, c.got)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Logged in as ana <ana@example.com>") {
		t.Fatalf("after the login:\n%s", v)
	}
	if _, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEscape}); cmd == nil || cmd() != (QuitMsg{}) {
		t.Error("esc does not ask to quit")
	}
}

// blocked is a login that waits for its context to end, as one whose AWS
// endpoint accepts and never answers does; started receives its context.
func blocked(started chan<- context.Context) Func {
	return func(ctx context.Context, _, _ string, _ bool) (string, error) {
		started <- ctx
		<-ctx.Done()
		return "", ctx.Err()
	}
}

// Every wait of the screen says what it waits for, esc cancels it (its
// context ends) and brings back the screen with what was given up, and
// the canceled attempt's late reply changes nothing (issue 17, item 13).
func TestEscCancelsTheWait(t *testing.T) {
	started := make(chan context.Context, 1)
	m := New(Options{CatalogURL: "https://catalog.example.com", Login: blocked(started)}, theme.New(theme.Options{NoColor: true}))
	m.SetSize(120, 30)
	m = typed(m, "a-code")
	m, cmd := m.Update(enter)
	if !m.Busy() || cmd == nil {
		t.Fatal("enter with a code began no wait")
	}
	if v := flat(m.View()); !strings.Contains(v, "waiting for "+WaitLogin) || !strings.Contains(v, "esc cancels") || !strings.Contains(v, "gives up after 2m0s") {
		t.Errorf("the wait does not say what it waits for, its bound and how to cancel:\n%s", v)
	}
	reply := make(chan tea.Msg, 1)
	go func() { reply <- cmd() }()
	ctx := <-started
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if m.Busy() {
		t.Error("esc left the screen waiting")
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("esc did not end the login's context")
	}
	if v := flat(m.View()); !strings.Contains(v, "canceled while waiting for "+WaitLogin) || !strings.Contains(v, "paste a new code") {
		t.Errorf("after esc the screen does not say what was canceled and what to do:\n%s", v)
	}
	// The canceled attempt's reply comes late and is dropped.
	before := flat(m.View())
	m, _ = m.Update((<-reply).(DoneMsg))
	if after := flat(m.View()); after != before {
		t.Errorf("the canceled attempt's reply changed the screen:\n%s", after)
	}
	// esc again quits.
	if _, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEscape}); cmd == nil {
		t.Error("esc on the idle screen does not quit")
	} else if _, ok := cmd().(QuitMsg); !ok {
		t.Error("esc on the idle screen does not quit")
	}
}

// A wait that outlasts its bound is given up: its context ends and the
// screen says what it waited for and what to check.
func TestWaitGivesUp(t *testing.T) {
	started := make(chan context.Context, 1)
	m := New(Options{CatalogURL: "https://catalog.example.com", Login: blocked(started), Timeout: 50 * time.Millisecond}, theme.New(theme.Options{NoColor: true}))
	m.SetSize(120, 30)
	m = typed(m, "a-code")
	m, cmd := m.Update(enter)
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		m, _ = m.Update(msg.(DoneMsg))
	case <-time.After(30 * time.Second):
		t.Fatal("the wait was never given up")
	}
	v := flat(m.View())
	if m.Busy() || !strings.Contains(v, "gave up after 50ms waiting for "+WaitLogin) || !strings.Contains(v, "AWS_ENDPOINT_URL") {
		t.Errorf("busy %v; the screen does not say the wait was given up:\n%s", m.Busy(), v)
	}
}

// flat is the screen's words, one space apart (the box wraps long lines).
func flat(view string) string { return strings.Join(strings.Fields(ansi.Strip(view)), " ") }
