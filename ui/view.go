package ui

import (
	"fmt"
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
		return m.pane("Help", m.helpView(), m.width, g.bodyH, true) + "\n" + m.status.View()
	case m.focus == focusHistory:
		right = m.pane("History", m.history.View(), g.rightW, g.bodyH, true)
	default:
		bottom := m.pane(m.resultsTitle(), m.results.View(), g.rightW, g.resultH, m.focus == focusResults)
		if m.focus == focusExplain {
			bottom = m.pane("Explanation", m.explain.View(), g.rightW, g.resultH, true)
		}
		right = m.editorPane(g.rightW, g.editH) + "\n" + bottom
	}
	body := right
	if g.catW > 0 {
		body = joinRight(m.pane("Catalog", m.catalog.View(), g.catW, g.bodyH, m.focus == focusCatalog), right)
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
	t := m.th.Title.Render(title)
	if !focused {
		t = m.th.Muted.Render(title)
	}
	return m.frame(t+"\n"+content, w, h, focused)
}

// frame draws content in a border of outer size w×h: each line padded to
// the inner width, a longer one wrapped as lipgloss wraps, and cut to the
// inner height. The workbench is redrawn at every keystroke: measuring
// each line once here, rather than in each of lipgloss's passes (wrap,
// align, border) and again in its joins, keeps a frame within the
// keystroke budget.
func (m Model) frame(content string, w, h int, focused bool) string {
	st := m.th.Pane
	if focused {
		st = m.th.FocusedPane
	}
	bd := st.GetBorderStyle()
	pre, post, _ := strings.Cut(lipgloss.NewStyle().Foreground(st.GetBorderTopForeground()).Render("\x00"), "\x00")
	iw, ih := max(w-2, 0), max(h-2, 0)
	var b strings.Builder
	b.Grow(w * h * 4)
	b.WriteString(pre + bd.TopLeft + strings.Repeat(bd.Top, iw) + bd.TopRight + post)
	n := 0
	for rest := content; n < ih; {
		line, more, ok := strings.Cut(rest, "\n")
		rest = more
		parts := []string{line}
		line = strings.ReplaceAll(line, "\t", "    ")
		lw := ansi.StringWidth(line)
		if lw > iw && iw > 0 {
			parts = strings.Split(lipgloss.Wrap(line, iw, ""), "\n")
		} else {
			parts[0] = line + strings.Repeat(" ", max(iw-lw, 0))
		}
		for _, p := range parts {
			if n == ih {
				break
			}
			if len(parts) > 1 {
				p += strings.Repeat(" ", max(iw-ansi.StringWidth(p), 0))
			}
			b.WriteString("\n" + pre + bd.Left + post + p + pre + bd.Right + post)
			n++
		}
		if !ok {
			break
		}
	}
	for ; n < ih; n++ {
		b.WriteString("\n" + pre + bd.Left + post + strings.Repeat(" ", iw) + pre + bd.Right + post)
	}
	b.WriteString("\n" + pre + bd.BottomLeft + strings.Repeat(bd.Bottom, iw) + bd.BottomRight + post)
	return b.String()
}

// joinRight puts block b right of block a, line by line (both as tall,
// each line of a as wide as the block).
func joinRight(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var sb strings.Builder
	sb.Grow(len(a) + len(b))
	for i := range max(len(al), len(bl)) {
		if i > 0 {
			sb.WriteByte('\n')
		}
		if i < len(al) {
			sb.WriteString(al[i])
		}
		if i < len(bl) {
			sb.WriteString(bl[i])
		}
	}
	return sb.String()
}

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
