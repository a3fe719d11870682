package ui

import (
	tea "charm.land/bubbletea/v2"
)

// wheelStep is how many rows one notch of the wheel scrolls.
const wheelStep = 3

// paneAt is the pane under screen cell x, y and the cell's position
// inside the pane's content (below its border and title line); ok is
// false outside every pane (the status line, a border).
func (m Model) paneAt(x, y int) (f focus, ix, iy int, ok bool) {
	g := m.geometry()
	if y >= g.bodyH {
		return 0, 0, 0, false
	}
	x0, y0 := g.catW, 0
	switch {
	case x < g.catW:
		f, x0 = focusCatalog, 0
	case m.focus == focusHistory:
		f = focusHistory
	case y < g.editH:
		f = focusEditor
	default:
		f, y0 = focusResults, g.editH
		if m.focus == focusExplain {
			f = focusExplain
		}
	}
	ix, iy = x-x0-1, y-y0-2 // less the border, and the border and title
	return f, ix, iy, ix >= 0 && iy >= 0
}

// click focuses the pane clicked and picks the row (or cell) under the
// pointer.
func (m Model) click(ms tea.Mouse) (tea.Model, tea.Cmd) {
	if !m.cfg.Mouse || m.help || ms.Button != tea.MouseLeft {
		return m, nil
	}
	if m.clickTabBar(ms.X, ms.Y) {
		return m, nil
	}
	if g := m.geometry(); g.catW > 0 && ms.Y < g.bodyH && (ms.X == g.catW-1 || ms.X == g.catW) {
		m.dragging = true // on the border between the catalog and the rest
		return m, nil
	}
	f, x, y, ok := m.paneAt(ms.X, ms.Y)
	if !ok {
		return m, nil
	}
	if f != m.focus {
		m.setFocus(f)
	}
	switch f {
	case focusCatalog:
		return m, m.catalog.Click(y)
	case focusEditor:
		m.editor.Click(x, y)
	case focusResults:
		m.results.Click(x, y)
	case focusHistory:
		return m, m.history.Click(y)
	}
	return m, nil
}

// wheel scrolls the pane under the pointer (the help, when it is open).
func (m Model) wheel(ms tea.Mouse) (tea.Model, tea.Cmd) {
	if !m.cfg.Mouse {
		return m, nil
	}
	n := 0
	switch ms.Button {
	case tea.MouseWheelUp:
		n = -wheelStep
	case tea.MouseWheelDown:
		n = wheelStep
	default:
		return m, nil
	}
	if m.help {
		m.helpTop = max(min(m.helpTop+n, m.helpMaxTop()), 0)
		return m, nil
	}
	f, _, _, ok := m.paneAt(ms.X, ms.Y)
	if !ok {
		return m, nil
	}
	switch f {
	case focusCatalog:
		m.catalog.Wheel(n)
	case focusResults:
		m.results.Wheel(n)
	case focusExplain:
		m.explain.Wheel(n)
	case focusHistory:
		m.history.Wheel(n)
	}
	return m, nil
}

// drag moves the catalog's border with the pointer while it is dragged,
// and otherwise extends the editor's selection while the left button is
// held: the editor takes the pointer's place relative to its pane, even
// outside it (above or below, it scrolls).
func (m Model) drag(ms tea.Mouse) (tea.Model, tea.Cmd) {
	if !m.cfg.Mouse || m.help {
		return m, nil
	}
	if m.dragging {
		if m.width < catalogShownAt {
			return m, nil
		}
		m.chosen.CatalogWidth = min(max(ms.X+1, minCatalogWidth), m.width-minRightWidth)
		m.layout()
		return m, nil
	}
	if m.focus != focusEditor {
		return m, nil
	}
	g := m.geometry()
	m.editor.Drag(ms.X-g.catW-1, ms.Y-2)
	return m, nil
}

// release ends a drag: of the catalog's border, whose width is then kept,
// or of the editor's selection.
func (m Model) release() (tea.Model, tea.Cmd) {
	if !m.dragging {
		m.editor.Release()
		return m, nil
	}
	m.dragging = false
	return m, saveLayout(m.cfg.LayoutFile, m.chosen)
}
