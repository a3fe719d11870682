package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/status"
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
		return m.pane("Help", m.helpView(), m.width, g.bodyH, true) + "\n" + m.footer() + "\n" + m.statusLine()
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
	return body + "\n" + m.footer() + "\n" + m.statusLine()
}

// footer is the line above the status line: the question the workbench
// asks, when it asks one, else the focused pane's most useful keys,
// generated from the keymap (so remapped keys show remapped).
func (m Model) footer() string {
	if m.confirm != nil {
		return m.th.Warning.Render(ansi.Truncate(" "+m.question(), m.width, "…"))
	}
	if m.ask != nil {
		return m.ask.question(m)
	}
	if ks := m.tabs.bar.PromptKeys(); ks != "" && m.focus == focusEditor && !m.help {
		// The tab bar asks: every key goes to its question.
		return m.th.Warning.Render(ansi.Truncate(" "+ks, m.width, "…"))
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
		p = m.explainPane()
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

// statusLine is the status line. Its query part is of the result tab
// shown: the current run's (live, or as it ended) on the run's tab, and
// on another tab the figures of the query that filled it (results.Stats,
// its rows), saying which tab they are of.
func (m Model) statusLine() string {
	i := m.results.Active()
	if m.r.tab == 0 || m.results.Key(i) == m.r.tab {
		return m.status.View()
	}
	s := m.status
	s.SetQuery(m.tabQuery(i, s.Query().Note))
	return s.View()
}

// tabQuery is the status line's query part for result tab i: the
// figures its grid keeps of the query that filled it, with note (or,
// without one, which tab they are of).
func (m Model) tabQuery(i int, note string) status.Query {
	g := m.results.At(i)
	st, ok := g.Stats()
	if note == "" {
		note = fmt.Sprintf("result tab %d of %d", i+1, m.results.Len())
		if !ok {
			note += ": no query figures (nothing finished on Athena for it)"
		}
	}
	if !ok {
		return status.Query{Note: note}
	}
	return status.Query{ID: st.QueryID, State: st.State, Elapsed: st.Elapsed, Scanned: st.Scanned, Cost: st.Cost,
		Rows: g.Total(), Limit: st.Limit, Reused: st.Reused, NotBilled: st.NotBilled, Note: note}
}

// explainPane is the footer's pane for the explanation: its keys
// depend on what it shows, as the panel's own first line does.
// A refusal of the tree opened over another view (the query's refusal,
// the list of the tree's) says that the cancel key goes back to it.
func (m Model) explainPane() keys.Pane {
	back := m.explain.Overlay()
	switch {
	case m.explain.Fix() != "" && back:
		return keys.PaneExplainBack
	case m.explain.Fix() != "":
		return keys.PaneExplain
	case m.explain.Picking():
		return keys.PaneExplainPick
	case m.explain.Empty():
		return keys.PaneExplainEmpty
	case back:
		return keys.PaneExplainRefusalBack
	}
	return keys.PaneExplainRefusal
}

func (m Model) resultsTitle() string {
	if id := m.results.QueryID(); id != "" {
		return "Results · " + id
	}
	return "Results"
}

// pane draws content in a border of outer size w×h with a title line,
// the title cut to the inner width (with …): a wrapped title would push
// the content down, out of a small pane.
func (m Model) pane(title, content string, w, h int, focused bool) string {
	title = ansi.Truncate(title, max(w-2, 0), "…")
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
