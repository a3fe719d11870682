package workbench

import tea "charm.land/bubbletea/v2"

// panicOn is the workbench with a key (panicKey) that panics inside
// Update: the crash test's way to prove the terminal is restored. It is
// used only when panicKey is set, in a test build.
type panicOn struct{ m tea.Model }

func (p panicOn) Init() tea.Cmd { return p.m.Init() }

func (p panicOn) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == panicKey {
		panic("quiltq test crash: " + panicKey + " pressed")
	}
	m, cmd := p.m.Update(msg)
	p.m = m
	return p, cmd
}

func (p panicOn) View() tea.View { return p.m.View() }
