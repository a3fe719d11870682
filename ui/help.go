package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// helpMinColumn is the narrowest column the help is laid out in, and
// helpMinDesc the narrowest its descriptions are wrapped to (on a very
// narrow screen the line is cut at the screen's edge).
const (
	helpMinColumn = 56
	helpMinDesc   = 16
)

// helpLines lists the keymap, group by group, as the config names them,
// laid out for a column w wide: the keys in a column as wide as the
// widest key, each description wrapped to the rest of the width (never
// cut), its further lines under its first.
func (m Model) helpLines(w int) []string {
	keyW := 0
	for _, e := range m.km.Entries() {
		if e.Binding.Enabled() {
			keyW = max(keyW, ansi.StringWidth(e.Binding.Help().Key))
		}
	}
	indent := strings.Repeat(" ", 2+keyW+1)
	descW := max(w-len(indent), helpMinDesc)
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
		desc := strings.Split(ansi.Wrap(hb.Desc, descW, ""), "\n")
		lines = append(lines, "  "+m.th.StatusKey.Render(pad(hb.Key, keyW))+" "+strings.TrimRight(desc[0], " "))
		for _, d := range desc[1:] {
			lines = append(lines, indent+strings.TrimRight(d, " "))
		}
	}
	return lines
}

// helpHeight is the help's lines on screen: the pane less its title and
// the footer.
func (m Model) helpHeight() int { return max(m.geometry().bodyH-4, 1) }

// helpLayout lays the help out in the fewest columns (at least
// helpMinColumn wide each) that show it whole, or as many as fit the
// width when none does; rows is the lines of each column, which scroll
// when there are more than the pane shows. A column's lines are laid out
// for its width (helpLines), one column of space between columns.
func (m Model) helpLayout() (lines []string, cols, rows, colW int) {
	w, h := max(m.width-2, 1), m.helpHeight()
	most := max(w/helpMinColumn, 1)
	for cols = 1; ; cols++ {
		colW = w / cols
		lines = m.helpLines(colW - 1)
		if len(lines) <= cols*h || cols == most {
			break
		}
	}
	rows = (len(lines) + cols - 1) / cols
	return lines, cols, rows, colW
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
	scroll := ""
	if rows > h {
		scroll = fmt.Sprintf("lines %d–%d of %d · ↑/↓ pgup/pgdn scroll · ", top+1, min(top+h, rows), rows)
	}
	// The remapping hint gives way to the width: its example first.
	w := max(m.width-2, 1)
	foot := scroll + "esc, q or ? closes · keys are remapped in config.toml's [keys] table, as group.action = [\"key\", ...]"
	if ansi.StringWidth(foot) > w {
		foot = scroll + "esc, q or ? closes · keys are remapped in config.toml's [keys] table"
	}
	return strings.Join(out, "\n") + "\n" + m.th.Muted.Render(ansi.Truncate(foot, w, "…"))
}

func pad(s string, w int) string {
	return s + strings.Repeat(" ", max(w-lipgloss.Width(s), 0))
}
