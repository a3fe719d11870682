package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// key handles the global keys, then hands the key to the focused pane.
// While a question is asked (a query is running: replace it? run this
// destructive statement?), the answer keys and quit alone count; while a
// ? value is asked, its line takes the keys.
func (m Model) key(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	g := m.km.Global
	if m.help {
		return m.helpKey(k)
	}
	if m.confirm != nil {
		if key.Matches(k, g.Quit) {
			return m.quit()
		}
		return m.answer(k)
	}
	if m.ask != nil {
		if key.Matches(k, g.Quit) {
			return m.quit()
		}
		return m.askKey(k)
	}
	// A printable key is text for a pane that takes text.
	printable := k.Text != "" && k.Mod&^tea.ModShift == 0
	if printable && m.capturing() {
		return m.toFocused(k)
	}
	switch {
	case key.Matches(k, g.Quit):
		return m.quit()
	case key.Matches(k, g.Run):
		return m.requestRun(m.statementRun(false))
	case key.Matches(k, g.RunAll):
		return m.requestRun(m.statementRun(true))
	case key.Matches(k, g.Cancel):
		return m.cancelKey(k)
	case key.Matches(k, g.Help):
		m.help, m.helpTop = true, 0
		return m, nil
	case key.Matches(k, g.Reuse):
		return m.toggleReuse()
	case key.Matches(k, g.FocusCatalog):
		m.setFocus(focusCatalog)
		return m, nil
	case key.Matches(k, g.FocusEditor):
		m.setFocus(focusEditor)
		return m, nil
	case key.Matches(k, g.FocusResults):
		m.setFocus(focusResults)
		return m, nil
	case key.Matches(k, g.History):
		return m.toggleHistory()
	case key.Matches(k, g.Explain):
		if m.focus == focusExplain {
			m.setFocus(focusResults)
		} else {
			m.setFocus(focusExplain)
		}
		return m, nil
	// The editor takes tab (indent, completion) and the history (its
	// lists); elsewhere tab and shift+tab go round the panes.
	case key.Matches(k, g.NextPane) && m.focus != focusEditor && m.focus != focusHistory:
		m.setFocus(m.nextPane(1))
		return m, nil
	case key.Matches(k, g.PrevPane) && m.focus != focusHistory:
		m.setFocus(m.nextPane(-1))
		return m, nil
	}
	return m.toFocused(k)
}

// nextPane is the pane step places round from the focused one: the
// catalog (when shown), the editor, and the bottom pane (the results, or
// the explanation when it has the focus).
func (m Model) nextPane(step int) focus {
	bottom := focusResults
	if m.focus == focusExplain {
		bottom = focusExplain
	}
	ring := []focus{focusEditor, bottom}
	if m.geometry().catW > 0 {
		ring = append([]focus{focusCatalog}, ring...)
	}
	i := 0
	for j, f := range ring {
		if f == m.focus {
			i = j
		}
	}
	return ring[(i+step+len(ring))%len(ring)]
}

// quit stops the current run (Athena is asked to stop its query) and
// ends the program.
func (m Model) quit() (tea.Model, tea.Cmd) {
	if m.r.cancel != nil {
		m.r.cancel()
	}
	return m, tea.Quit
}

// toggleHistory opens the history (reading the workgroup's lists) or
// closes it.
func (m Model) toggleHistory() (tea.Model, tea.Cmd) {
	if m.focus == focusHistory {
		m.setFocus(m.back)
		return m, nil
	}
	m.back = m.focus
	m.setFocus(focusHistory)
	if m.eng != nil {
		return m, tea.Batch(readHistory(m.ctx, m.eng), readSaved(m.ctx, m.eng))
	}
	return m, nil
}

// helpKey scrolls and closes the help.
func (m Model) helpKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	g, hk := m.km.Global, m.km.Help
	switch {
	case key.Matches(k, g.Help, g.Cancel, g.Quit) || k.String() == "q":
		m.help = false
	case key.Matches(k, hk.Up):
		m.helpTop--
	case key.Matches(k, hk.Down):
		m.helpTop++
	case key.Matches(k, hk.PageUp):
		m.helpTop -= m.helpHeight()
	case key.Matches(k, hk.PageDown):
		m.helpTop += m.helpHeight()
	}
	m.helpTop = max(min(m.helpTop, m.helpMaxTop()), 0)
	return m, nil
}

// capturing reports whether the focused pane takes printable keys as text.
func (m Model) capturing() bool {
	switch m.focus {
	case focusEditor, focusHistory:
		return true
	case focusResults:
		return m.results.Capturing()
	case focusCatalog:
		return m.catalog.Capturing()
	}
	return false
}

// cancelKey closes the focused pane's overlay, else stops the current
// run (its query on Athena, or the fetch of its rows), else closes the
// panel that is open; with nothing to do, it says how to quit and copy.
func (m Model) cancelKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case m.focus == focusEditor && m.editor.Overlay():
		m.editor.Close()
	case m.focus == focusResults && m.results.Overlay():
		m.results.Close()
	case m.focus == focusCatalog && m.catalog.Overlay():
		m.catalog.Close()
	case m.focus == focusExplain && m.explain.Overlay():
		m.explain.Close()
	case m.r.phase != idle:
		return m.cancelRun()
	case m.focus == focusExplain:
		m.setFocus(focusResults)
	case m.focus == focusHistory:
		m.setFocus(m.back)
	default:
		g, r := m.km.Global, m.km.Results
		m.status.SetNote("nothing is running (" + k.String() + " cancels a query) · " + g.Quit.Help().Key + " quits · in the results (" +
			g.FocusResults.Help().Key + ") " + r.CopyCell.Help().Key + " copies a cell, " + r.CopyRow.Help().Key + " a row")
	}
	return m, nil
}
