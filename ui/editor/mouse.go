package editor

// posAt is the place of the text under x, y of the pane (the line numbers
// are left of the text). A y above or below the text gives the line just
// off screen there, so that a drag past the edge scrolls.
func (m Model) posAt(x, y int) pos {
	switch {
	case y < 0:
		y = -1
	case y >= m.textHeight():
		y = m.textHeight()
	}
	row := max(min(m.top+y, len(m.lines)-1), 0)
	return pos{row, colAt(m.lines[row], max(x-gutter, 0)+m.left)}
}

// Click puts the cursor at x, y of the pane and starts a selection that
// Drag extends while the button is held.
func (m *Model) Click(x, y int) {
	if y >= m.textHeight() {
		return // the find bar or the error line
	}
	m.comp = nil
	m.setCur(m.posAt(x, y))
	m.anchor, m.sel, m.marking, m.dragging = m.cur(), false, false, true
	m.setWant()
	m.scroll()
}

// Drag moves the cursor to x, y with the button held, selecting from where
// it was clicked; past the top or bottom of the pane it scrolls a line.
func (m *Model) Drag(x, y int) {
	if !m.dragging {
		return
	}
	m.setCur(m.posAt(x, y))
	m.sel = true
	m.setWant()
	m.scroll()
}

// Release ends a drag.
func (m *Model) Release() { m.dragging = false }
