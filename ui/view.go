package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Pane sizes: the catalog's share of the width, the editor's of the height.
const (
	minCatalogWidth = 24
	maxCatalogWidth = 44
)

// geometry is where each pane goes, outer sizes including borders.
type geometry struct {
	catW, rightW   int
	editH, resultH int
	bodyH          int
}

func (m Model) geometry() geometry {
	g := geometry{bodyH: max(m.height-1, 3)}
	if m.width >= 70 {
		g.catW = min(max(m.width/4, minCatalogWidth), maxCatalogWidth)
	}
	g.rightW = m.width - g.catW
	g.editH = max(g.bodyH*2/5, 4)
	g.resultH = max(g.bodyH-g.editH, 3)
	return g
}

// layout gives every pane its inner size: the outer size less the border
// (2) and the title line (1).
func (m *Model) layout() {
	if m.width == 0 {
		return
	}
	g := m.geometry()
	m.catalog.SetSize(max(g.catW-2, 0), max(g.bodyH-3, 0))
	m.editor.SetSize(max(g.rightW-2, 0), max(g.editH-3, 0))
	m.results.SetSize(max(g.rightW-2, 0), max(g.resultH-3, 0))
	m.explain.SetSize(max(g.rightW-2, 0), max(g.resultH-3, 0))
	m.history.SetSize(max(g.rightW-2, 0), max(g.bodyH-3, 0))
	m.status.SetSize(m.width, 1)
}

// View draws the workbench.
func (m Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
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
		return m.pane("Help", m.helpView(m.width-2, g.bodyH-3), m.width, g.bodyH, true) + "\n" + m.status.View()
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
	return body + "\n" + m.status.View()
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

// helpView lists the keymap, group by group.
func (m Model) helpView(w, h int) string {
	var lines []string
	group := ""
	for _, e := range m.km.Entries() {
		if !e.Binding.Enabled() {
			continue
		}
		if e.Group != group {
			group = e.Group
			lines = append(lines, "", m.th.Title.Render(strings.ToUpper(group[:1])+group[1:]))
		}
		hb := e.Binding.Help()
		lines = append(lines, "  "+m.th.StatusKey.Render(pad(hb.Key, 18))+" "+hb.Desc)
	}
	lines = append(lines, "", m.th.Muted.Render("Keys are remapped in the config; esc, q or ? closes this help."))
	if len(lines) > h && h > 0 {
		// As many columns as the list needs to fit the pane.
		n := (len(lines) + h - 1) / h
		colW := w / n
		out := make([]string, h)
		for c := 0; c < n; c++ {
			for i := 0; i < h && c*h+i < len(lines); i++ {
				out[i] += pad(ansi.Truncate(lines[c*h+i], colW-1, "…"), colW)
			}
		}
		return strings.Join(out, "\n")
	}
	return strings.Join(lines, "\n")
}

func pad(s string, w int) string {
	return s + strings.Repeat(" ", max(w-lipgloss.Width(s), 0))
}
