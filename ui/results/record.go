package results

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/quiltq/quiltq/ui/status"
)

// The record view shows rows as records, as psql's \x does: a title line
// per row, then one line per column, "name │ value", a long value wrapped
// and a multi-line one on its lines. It scrolls line by line from the
// cursor's row on through the rows after it; page keys go a row at a
// time.

// recordLines are the lines of the row shown at position pos.
func (m Model) recordLines(pos int) []string {
	r := m.ord.at(pos)
	nameW := 0
	for _, c := range m.cols {
		nameW = max(nameW, textWidth(c.Name))
	}
	nameW = min(nameW, max(m.width/3, 8))
	valW := max(m.width-nameW-3, 8)
	title := fmt.Sprintf("── row %s of %s ", status.Count(int64(pos+1)), status.Count(int64(m.Shown())))
	lines := []string{m.th.Title.Render(title + strings.Repeat("─", max(m.width-textWidth(title), 0)))}
	for c, col := range m.cols {
		var name strings.Builder
		fitAligned(&name, col.Name, nameW, false)
		prefix := m.th.Header.Render(name.String()) + " │ "
		cont := strings.Repeat(" ", nameW) + " │ "
		v := m.rows.Cell(r, c)
		if v.Null {
			lines = append(lines, prefix+m.th.Null.Render("NULL"))
			continue
		}
		first := true
		for _, part := range strings.Split(v.Text, "\n") {
			for _, seg := range strings.Split(wrap(part, valW), "\n") {
				var cell strings.Builder
				fit(&cell, seg, textWidth(seg))
				p := cont
				if first {
					p, first = prefix, false
				}
				lines = append(lines, p+cell.String())
			}
		}
	}
	return lines
}

func (m *Model) closeRecord() {
	m.record = false
	m.row = m.recTop
	m.scroll()
}

// scrollRecord moves the record view n lines (negative: up), across rows.
func (m *Model) scrollRecord(n int) {
	m.recOff += n
	for m.recOff < 0 {
		if m.recTop == 0 {
			m.recOff = 0
			break
		}
		m.recTop--
		m.recOff += len(m.recordLines(m.recTop))
	}
	for {
		l := len(m.recordLines(m.recTop))
		if m.recOff < l {
			break
		}
		if m.recTop+1 >= m.Shown() {
			m.recOff = l - 1
			break
		}
		m.recOff -= l
		m.recTop++
	}
}

// updateRecord handles keys in the record view: lines up and down, a row
// at a time with the page keys, first and last row, copy the row, leave.
func (m Model) updateRecord(k tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Up):
		m.scrollRecord(-1)
	case key.Matches(k, m.keys.Down):
		m.scrollRecord(1)
	case key.Matches(k, m.keys.PageUp):
		if m.recOff == 0 {
			m.recTop = max(m.recTop-1, 0)
		}
		m.recOff = 0
	case key.Matches(k, m.keys.PageDown):
		m.recTop, m.recOff = min(m.recTop+1, max(m.Shown()-1, 0)), 0
	case key.Matches(k, m.keys.Top):
		m.recTop, m.recOff = 0, 0
	case key.Matches(k, m.keys.Bottom):
		m.recTop, m.recOff = max(m.Shown()-1, 0), 0
	case key.Matches(k, m.keys.Record), key.Matches(k, m.keys.Inspect):
		m.closeRecord()
	case key.Matches(k, m.keys.CopyRow), key.Matches(k, m.keys.CopyCell):
		m.row = m.recTop
		return m, m.copySelection(true)
	}
	m.row = m.recTop
	return m, nil
}

// recordView renders the records from the top one's scrolled line.
func (m Model) recordView() string {
	h := max(m.height-1, 1)
	var out []string
	for pos, off := m.recTop, m.recOff; pos < m.Shown() && len(out) < h; pos, off = pos+1, 0 {
		lines := m.recordLines(pos)
		out = append(out, lines[min(off, len(lines)):]...)
	}
	if len(out) > h {
		out = out[:h]
	}
	for len(out) < h {
		out = append(out, "")
	}
	for i, l := range out {
		out[i] = truncateTo(l, m.width)
	}
	foot := fmt.Sprintf("record view · row %s of %s · ↑↓ scroll · %s/%s previous/next row · %s copies the row · %s or esc: back to the grid",
		status.Count(int64(m.recTop+1)), status.Count(int64(m.Shown())), firstKey(m.keys.PageUp), firstKey(m.keys.PageDown),
		shortKey(m.keys.CopyRow), shortKey(m.keys.Record))
	return lipgloss.NewStyle().Width(m.width).Height(m.height).MaxHeight(m.height).
		Render(strings.Join(out, "\n") + "\n" + truncateTo(m.th.Muted.Render(foot), m.width))
}

// firstKey is the binding's first key ("" when it is unbound).
func firstKey(b key.Binding) string {
	if ks := b.Keys(); b.Enabled() && len(ks) > 0 {
		return ks[0]
	}
	return ""
}
