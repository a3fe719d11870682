package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// helpMinColumn is the narrowest column the help is laid out in.
const helpMinColumn = 56

// helpLines lists the keymap, group by group, as the config names them.
func (m Model) helpLines() []string {
	var lines []string
	group := ""
	for _, e := range m.km.Entries() {
		if !e.Binding.Enabled() {
			continue
		}
		if e.Group != group {
			if group != "" {
				lines = append(lines, "")
			}
			group = e.Group
			lines = append(lines, m.th.Title.Render(strings.ToUpper(group[:1])+group[1:]))
		}
		hb := e.Binding.Help()
		lines = append(lines, "  "+m.th.StatusKey.Render(pad(hb.Key, 18))+" "+hb.Desc)
	}
	return lines
}

// helpHeight is the help's lines on screen: the pane less its title and
// the footer.
func (m Model) helpHeight() int { return max(m.geometry().bodyH-4, 1) }

// helpLayout lays the help out in as many columns as fit the width (at
// least helpMinColumn wide each) and the list needs; rows is the lines of
// each column, which scroll when there are more than the pane shows.
func (m Model) helpLayout() (lines []string, cols, rows, colW int) {
	lines = m.helpLines()
	w, h := max(m.width-2, 1), m.helpHeight()
	cols = max(min((len(lines)+h-1)/h, w/helpMinColumn), 1)
	rows = (len(lines) + cols - 1) / cols
	return lines, cols, rows, w / cols
}

// helpMaxTop is the furthest the help scrolls.
func (m Model) helpMaxTop() int {
	_, _, rows, _ := m.helpLayout()
	return max(rows-m.helpHeight(), 0)
}

// helpView is the help's screen: its columns from the scrolled line, and
// a footer saying how to scroll and close it.
func (m Model) helpView() string {
	lines, cols, rows, colW := m.helpLayout()
	h := m.helpHeight()
	top := max(min(m.helpTop, rows-h), 0)
	out := make([]string, 0, h+1)
	for i := top; i < min(top+h, rows); i++ {
		var row strings.Builder
		for c := 0; c < cols; c++ {
			if k := c*rows + i; k < len(lines) {
				row.WriteString(pad(ansi.Truncate(lines[k], colW-1, "…"), colW))
			}
		}
		out = append(out, strings.TrimRight(row.String(), " "))
	}
	for len(out) < h {
		out = append(out, "")
	}
	foot := "esc, q or ? closes · keys are remapped in config.toml's [keys] table, as group.action = [\"key\", ...]"
	if rows > h {
		foot = fmt.Sprintf("lines %d–%d of %d · ↑/↓ pgup/pgdn scroll · ", top+1, min(top+h, rows), rows) + foot
	}
	return strings.Join(out, "\n") + "\n" + m.th.Muted.Render(ansi.Truncate(foot, max(m.width-2, 1), "…"))
}

func pad(s string, w int) string {
	return s + strings.Repeat(" ", max(w-lipgloss.Width(s), 0))
}
