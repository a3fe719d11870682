package ui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/ui/keys"
)

// View draws the workbench.
func (m Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	if m.cfg.Mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "quiltq"
	return v
}

// Render is the screen as a string (View without the terminal settings).
func (m Model) Render() string {
	if m.width == 0 || m.height == 0 {
		return ""
	}
	g := m.geometry()
	var right string
	switch {
	case m.help:
		return m.pane("Help", m.helpView(), m.width, g.bodyH, true) + "\n" + m.footer() + "\n" + m.status.View()
	case m.focus == focusHistory:
		right = m.pane("History", m.history.View(), g.rightW, g.bodyH, true)
	default:
		bottom := m.pane(m.resultsTitle(), m.results.View(), g.rightW, g.resultH, m.focus == focusResults)
		if m.focus == focusExplain {
			bottom = m.pane("Explanation", m.explain.View(), g.rightW, g.resultH, true)
		}
		right = lipgloss.JoinVertical(lipgloss.Left,
			m.pane("Query", m.editor.View(), g.rightW, g.editH, m.focus == focusEditor),
			bottom)
	}
	body := right
	if g.catW > 0 {
		body = lipgloss.JoinHorizontal(lipgloss.Top, m.pane("Catalog", m.catalog.View(), g.catW, g.bodyH, m.focus == focusCatalog), right)
	}
	return body + "\n" + m.footer() + "\n" + m.status.View()
}

// footer is the line above the status line: the question the workbench
// asks, when it asks one, else the focused pane's most useful keys,
// generated from the keymap (so remapped keys show remapped).
func (m Model) footer() string {
	if m.confirm != nil {
		return m.th.Warning.Render(ansi.Truncate(" "+m.question(), m.width, "…"))
	}
	p := keys.PaneEditor
	switch {
	case m.help:
		p = keys.PaneHelp
	case m.focus == focusCatalog:
		p = keys.PaneCatalog
	case m.focus == focusResults:
		p = keys.PaneResults
	case m.focus == focusExplain:
		p = keys.PaneExplain
	case m.focus == focusHistory:
		p = keys.PaneHistory
	}
	h := help.New()
	h.Styles.ShortKey, h.Styles.ShortDesc = m.th.StatusKey, m.th.Muted
	h.Styles.ShortSeparator, h.Styles.Ellipsis = m.th.Muted, m.th.Muted
	h.ShortSeparator = " · "
	h.SetWidth(max(m.width-1, 0))
	running := m.Running() && !m.help
	// ShortHelpView can overrun its width by an item when the ellipsis
	// does not fit: the line is cut to the screen.
	return ansi.Truncate(" "+h.ShortHelpView(m.km.Footer(p, running)), m.width, "")
}

func (m Model) resultsTitle() string {
	if id := m.results.QueryID(); id != "" {
		return "Results · " + id
	}
	return "Results"
}

// pane draws content in a border of outer size w×h with a title line.
func (m Model) pane(title, content string, w, h int, focused bool) string {
	st := m.th.Pane
	if focused {
		st = m.th.FocusedPane
	}
	inner := lipgloss.NewStyle().Width(w - 2).Height(h - 2).MaxWidth(w - 2).MaxHeight(h - 2)
	t := m.th.Title.Render(title)
	if !focused {
		t = m.th.Muted.Render(title)
	}
	return st.Render(inner.Render(t + "\n" + content))
}
