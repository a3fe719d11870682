package editor

import (
	"fmt"
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/engine/sqlfmt"
)

// copySelection copies the selection to the workbench's clipboard and to
// the system's (OSC 52, which works over SSH), and with cut removes it.
// Cut with nothing selected cuts the cursor's line; copy with nothing
// selected does nothing (the root keeps ctrl+c for cancel then).
func (m *Model) copySelection(cut bool) tea.Cmd {
	a, b, ok := m.selection()
	if !ok && !cut {
		return nil
	}
	what := "the selection"
	if !ok {
		// The whole line, with its line break (the next line's start, or
		// the previous line's end for the last line).
		a, b = pos{m.row, 0}, pos{m.row, len(m.lines[m.row])}
		switch {
		case m.row+1 < len(m.lines):
			b = pos{m.row + 1, 0}
		case m.row > 0:
			a = pos{m.row - 1, len(m.lines[m.row-1])}
		}
		what = "the line"
	}
	text := m.textIn(a, b)
	if text == "" {
		return nil
	}
	m.clip.Text = text
	verb := "copied"
	if cut {
		m.push(editOther)
		m.deleteRange(a, b)
		verb = "cut"
	}
	return tea.Batch(tea.SetClipboard(text), note(fmt.Sprintf("%s %s (%s) to the clipboard", verb, what, size(text))))
}

// size says how much text s is: lines or characters.
func size(s string) string {
	if n := strings.Count(s, "\n"); n > 0 {
		return fmt.Sprintf("%d lines", n+1)
	}
	n := len([]rune(s))
	if n == 1 {
		return "1 character"
	}
	return fmt.Sprintf("%d characters", n)
}

// paste puts what was cut or copied in the workbench at the cursor (over
// the selection). What the system clipboard holds comes by the
// terminal's own paste (bracketed), which Update takes as a PasteMsg.
func (m *Model) paste() tea.Cmd {
	if m.clip == nil || m.clip.Text == "" {
		return note("nothing was cut or copied in quiltq yet; your terminal's paste brings the system clipboard")
	}
	m.push(editOther)
	m.replaceSelection(m.clip.Text)
	return nil
}

// toggleComment comments the cursor's line, or the selected lines, with
// "-- " at their common indent; when every non-blank one is commented
// already, it uncomments them.
func (m *Model) toggleComment() {
	r0, r1 := m.row, m.row
	if a, b, ok := m.selection(); ok {
		r0, r1 = a.row, b.row
		if b.col == 0 && b.row > a.row {
			r1--
		}
	}
	indentOf := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	blank := func(l string) bool { return strings.TrimSpace(l) == "" }
	all, some := true, false
	minIndent := -1
	for r := r0; r <= r1; r++ {
		l := m.lines[r]
		if blank(l) {
			continue
		}
		some = true
		if !strings.HasPrefix(l[indentOf(l):], "--") {
			all = false
		}
		if i := indentOf(l); minIndent < 0 || i < minIndent {
			minIndent = i
		}
	}
	m.push(editOther)
	c := m.cur()
	adjust := func(r, at, delta int) {
		for _, p := range []*pos{&c, &m.anchor} {
			if p.row == r && p.col >= at {
				p.col = max(p.col+delta, at)
			}
		}
	}
	switch {
	case !some:
		// Blank lines only: comment the cursor's line where it is.
		m.lines[m.row] = m.lines[m.row][:m.col] + "-- " + m.lines[m.row][m.col:]
		c.col += 3
	case all:
		for r := r0; r <= r1; r++ {
			l := m.lines[r]
			if blank(l) {
				continue
			}
			i := indentOf(l)
			n := 2
			if strings.HasPrefix(l[i:], "-- ") {
				n = 3
			}
			m.lines[r] = l[:i] + l[i+n:]
			adjust(r, i, -n)
		}
	default:
		for r := r0; r <= r1; r++ {
			l := m.lines[r]
			if blank(l) {
				continue
			}
			m.lines[r] = l[:minIndent] + "-- " + l[minIndent:]
			adjust(r, minIndent, 3)
		}
	}
	m.setCur(c)
	m.setWant()
}

// format formats the SQL of the selection, or of the whole buffer, with
// engine/sqlfmt, as one undoable step. The cursor stays on the same
// character: formatting changes only whitespace (and the case of
// keywords), so the characters before it that are not whitespace are the
// same in number.
func (m *Model) format() tea.Cmd {
	a, b, ok := m.selection()
	whole := !ok
	if whole {
		a, b = pos{0, 0}, pos{len(m.lines) - 1, len(m.lines[len(m.lines)-1])}
	}
	src := m.textIn(a, b)
	out, err := sqlfmt.Format(src)
	if err != nil {
		return note("not formatted: " + err.Error())
	}
	if out == src {
		return note("already formatted")
	}
	c := m.cur()
	if c.before(a) {
		c = a
	}
	if b.before(c) {
		c = b
	}
	nonSpace := countNonSpace(m.textIn(a, c))
	onChar := !unicode.IsSpace(m.runeAt(c)) // the cursor is on a character, not on space
	m.push(editOther)
	m.deleteRange(a, b)
	m.insert(out)
	// Back to the same character in the new text.
	end := m.cur()
	m.setCur(a)
	for nonSpace > 0 && m.cur().before(end) {
		if r := m.runeAt(m.cur()); !unicode.IsSpace(r) {
			nonSpace--
		}
		m.moveRight()
	}
	for onChar && m.cur().before(end) && unicode.IsSpace(m.runeAt(m.cur())) {
		m.moveRight()
	}
	if !whole {
		m.anchor, m.sel = a, true
		m.setCur(end)
	}
	m.setWant()
	return nil
}

func countNonSpace(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// runeAt is the character at p ('\n' at the end of a line).
func (m Model) runeAt(p pos) rune {
	l := m.lines[p.row]
	if p.col >= len(l) {
		return '\n'
	}
	for _, r := range l[p.col:] {
		return r
	}
	return '\n'
}
