package results

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

// span is one column on screen: its index, where it starts, its width.
type span struct{ col, x, w int }

// screen is which columns are on screen and how many are hidden on
// either side, as the header's markers (‹2 … 3›) count them.
type screen struct {
	spans            []span
	hiddenL, hiddenR int
	frozen           bool // spans[0] is the frozen first column
	markL            int  // width of the left marker ("‹2 "), 0 when none
}

func (s screen) shows(col int) bool {
	for _, sp := range s.spans {
		if sp.col == col {
			return true
		}
	}
	return false
}

func leftMarker(n int) string  { return "‹" + strconv.Itoa(n) + " " }
func rightMarker(n int) string { return " " + strconv.Itoa(n) + "›" }

// layout places the columns: the frozen first column when it is frozen,
// then whole columns from m.left while they fit, leaving room for the
// markers of columns hidden on either side. Only a column wider than the
// whole pane is shown cut (its values end in "…").
func (m Model) layout() screen {
	var sc screen
	n := len(m.cols)
	if n == 0 || m.width <= 0 {
		return sc
	}
	sc.frozen = m.frozenOn()
	first := m.left
	if sc.frozen {
		first = max(first, 1)
		sc.hiddenL = first - 1
	} else {
		sc.hiddenL = first
	}
	if sc.hiddenL > 0 {
		sc.markL = textWidth(leftMarker(sc.hiddenL))
	}
	// The right marker's room: its count is at most n-first.
	reserve := 0
	for pass := 0; pass < 2; pass++ {
		sc.spans = sc.spans[:0]
		avail := m.width - reserve
		x := sc.markL
		if sc.frozen {
			w := min(m.ColumnWidth(0), max(avail-x-1, 1))
			sc.spans = append(sc.spans, span{0, x, w})
			x += w + 1
		}
		last := first - 1
		for c := first; c < n; c++ {
			w := m.ColumnWidth(c)
			if x+w > avail {
				if c == first && x < avail {
					sc.spans = append(sc.spans, span{c, x, avail - x})
					last = c
				}
				break
			}
			sc.spans = append(sc.spans, span{c, x, w})
			last = c
			x += w + 1
		}
		sc.hiddenR = n - 1 - last
		if sc.hiddenR == 0 || reserve > 0 {
			break
		}
		reserve = textWidth(rightMarker(n - first))
	}
	return sc
}

// View renders the grid: the statistics line, the header, the rows on
// screen and a footer; or the inspector, or the record view.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if len(m.cols) == 0 {
		msg := m.message
		if msg == "" {
			msg = "No result yet: write a query and run it."
			if m.runKeys != "" {
				msg = "No result yet: write a query and run it (" + m.runKeys + ")."
			}
		}
		if m.err != nil {
			msg = m.th.Error.Render(m.err.Error())
		}
		return lipgloss.NewStyle().Width(m.width).Height(m.height).MaxHeight(m.height).Render(msg)
	}
	switch {
	case m.inspecting:
		return m.inspectView()
	case m.record:
		return m.recordView()
	}
	var b strings.Builder
	b.Grow(m.width * m.height * 2)
	if m.hasStat {
		b.WriteString(truncateTo(m.th.Muted.Render(m.stats.line()), m.width))
		b.WriteByte('\n')
	}
	sc := m.layout()
	m.header(&b, sc)
	body := m.bodyHeight()
	shown := m.Shown()
	r0, r1, c0, c1 := m.selection()
	for i := 0; i < body; i++ {
		b.WriteByte('\n')
		pos := m.top + i
		if pos >= shown {
			b.WriteString(strings.Repeat(" ", m.width))
			continue
		}
		r := m.ord.at(pos)
		w := gutter(&b, sc.markL, "", m.p.marker)
		for k, s := range sc.spans {
			w = sep(&b, w, s.x, sc.frozen && k == 1, m.p.marker)
			v := m.rows.Cell(r, s.col)
			pt := m.p.cell
			switch {
			case pos == m.row && s.col == m.col && m.focused:
				pt = m.p.cursor
			case m.anchor != nil && pos >= r0 && pos <= r1 && s.col >= c0 && s.col <= c1:
				pt = m.p.selected
			case v.Null:
				pt = m.p.null
			}
			b.WriteString(pt.pre)
			switch {
			case v.Null:
				fitAligned(&b, "NULL", s.w, m.right[s.col])
			default:
				fitAligned(&b, v.Text, s.w, m.right[s.col])
			}
			b.WriteString(pt.post)
			w += s.w
		}
		b.WriteString(strings.Repeat(" ", max(m.width-w, 0)))
	}
	b.WriteByte('\n')
	b.WriteString(m.footer())
	return b.String()
}

// header writes the column names (numbers' names right-aligned, as their
// values), the sorted column's arrow, and the markers of hidden columns.
func (m Model) header(b *strings.Builder, sc screen) {
	mark := ""
	if sc.hiddenL > 0 {
		mark = leftMarker(sc.hiddenL)
	}
	w := gutter(b, sc.markL, mark, m.p.marker)
	for k, s := range sc.spans {
		w = sep(b, w, s.x, sc.frozen && k == 1, m.p.marker)
		name := m.cols[s.col].Name
		if m.ord.dir != unsorted && m.ord.sortCol == s.col {
			name = m.ord.dir.arrow() + name
		}
		b.WriteString(m.p.header.pre)
		fitAligned(b, name, s.w, m.right[s.col])
		b.WriteString(m.p.header.post)
		w += s.w
	}
	if sc.hiddenR > 0 {
		rm := rightMarker(sc.hiddenR)
		pad := m.width - w - textWidth(rm)
		b.WriteString(strings.Repeat(" ", max(pad, 0)))
		b.WriteString(m.p.marker.pre + rm + m.p.marker.post)
		return
	}
	b.WriteString(strings.Repeat(" ", max(m.width-w, 0)))
}

// gutter writes the left marker's room (the marker itself, painted mk,
// on the header) and returns the width written. (Functions rather than
// methods: they run once a cell, and a method would copy the Model.)
func gutter(b *strings.Builder, width int, mark string, mk paint) int {
	if width == 0 {
		return 0
	}
	if mark == "" {
		spaces(b, width)
	} else {
		b.WriteString(mk.pre)
		b.WriteString(mark)
		b.WriteString(mk.post)
	}
	return width
}

// sep pads from w to x, the frozen column's edge drawn as a bar.
func sep(b *strings.Builder, w, x int, afterFrozen bool, mk paint) int {
	if w >= x {
		return w
	}
	if afterFrozen {
		spaces(b, x-w-1)
		b.WriteString(mk.pre)
		b.WriteString("│")
		b.WriteString(mk.post)
		return x
	}
	spaces(b, x-w)
	return x
}

// spaces writes n spaces.
func spaces(b *strings.Builder, n int) {
	for ; n > 0; n-- {
		b.WriteByte(' ')
	}
}

// hint is a key the footer names, rendered once: its width, and the
// footer's hints up to and including it, joined.
type hint struct {
	width  int
	joined string
}

// footerHints are the keys the footer names, most useful first, as far
// as the width allows, from the keymap (remapped keys included).
func footerHints(km keys.Results, th theme.Theme) []hint {
	named := []struct {
		b     key.Binding
		label string
	}{
		{km.Inspect, "inspect"}, {km.Record, "record"}, {km.Sort, "sort"}, {km.Filter, "filter"},
		{km.CopyCell, "copy"}, {km.Export, "export"}, {km.Freeze, "freeze"}, {km.Widen, "wider"},
		{km.Narrow, "narrower"},
	}
	var out []hint
	joined := ""
	for _, nb := range named {
		k := shortKey(nb.b)
		if k == "" {
			continue
		}
		if joined != "" {
			joined += "  "
		}
		joined += th.StatusKey.Render(k) + " " + th.Muted.Render(nb.label)
		out = append(out, hint{width: textWidth(k) + 1 + len(nb.label), joined: joined})
	}
	return out
}

// shortKey is the binding's shortest key, as the footer names it.
func shortKey(b key.Binding) string {
	if !b.Enabled() {
		return ""
	}
	best := ""
	for _, k := range b.Keys() {
		if best == "" || len(k) < len(best) {
			best = k
		}
	}
	return best
}

func (m Model) footer() string {
	if m.prompt != nil {
		line := truncateTo(m.prompt.View(), m.width)
		if m.promptErr != "" {
			// The error takes the line above the prompt.
			line = truncateTo(m.th.Error.Render(m.promptErr), m.width) + "\n" + line
		}
		return line
	}
	parts := []string{}
	n := m.Shown()
	switch {
	case n > 0:
		parts = append(parts, fmt.Sprintf("row %s/%s", status.Count(int64(m.row+1)), status.Count(int64(n))))
	case m.ord.filter.active():
		parts = append(parts, "no row matches")
	default:
		parts = append(parts, "0 rows")
	}
	if m.ord.filter.active() {
		parts = append(parts, fmt.Sprintf("filter %q: %s of %s", m.ord.filter.text, status.Count(int64(n)), countOf(int64(m.rows.Len()), "row")))
	}
	if len(m.cols) > 0 {
		c := m.cols[m.col]
		parts = append(parts, fmt.Sprintf("col %d/%d %s %s", m.col+1, len(m.cols), c.Name, c.Type))
	}
	if m.ord.dir != unsorted {
		parts = append(parts, "sorted by "+m.cols[m.ord.sortCol].Name+" "+m.ord.dir.String())
	}
	if m.frozen {
		parts = append(parts, "first column frozen")
	}
	parts = append(parts, "copy "+strings.ToUpper(copyFormats[m.format]))
	if m.anchor != nil {
		r0, r1, c0, c1 := m.selection()
		parts = append(parts, fmt.Sprintf("selecting %d×%d", r1-r0+1, c1-c0+1))
	}
	switch {
	case m.err != nil:
		parts = append(parts, m.th.Error.Render("fetch failed: "+m.err.Error()))
	case !m.done:
		parts = append(parts, "receiving…")
	}
	if m.Capped() {
		parts = append(parts, m.th.Warning.Render(fmt.Sprintf("display cap %s reached: the result has %s; export (%s) writes them all",
			status.Count(int64(m.cap)), countOf(m.total, "row"), shortKey(m.keys.Export))))
	}
	text := strings.Join(parts, " · ")
	line := m.th.Muted.Render(text)
	// The keys fill what room is left, most useful first.
	room, n := m.width-textWidth(text)-3, 0
	for _, h := range m.p.hints {
		if h.width+2 > room {
			break
		}
		room -= h.width + 2
		n++
	}
	if n > 0 {
		line += "   " + m.p.hints[n-1].joined
	}
	return truncateTo(line, m.width)
}

func truncateTo(s string, w int) string {
	return lipgloss.NewStyle().MaxWidth(w).Render(s)
}

// inspectView shows the cursor's cell whole, JSON pretty-printed.
func (m Model) inspectView() string {
	v, _ := m.Cell()
	col := m.cols[m.col]
	title := m.th.Title.Render(fmt.Sprintf("%s (%s) · row %d", col.Name, col.Type, m.row+1))
	var body string
	switch {
	case v.Null:
		body = m.th.Null.Render("NULL") + "  (SQL NULL: no value)"
	case v.Text == "":
		body = m.th.Muted.Render(`""  (the empty string, not NULL)`)
	default:
		body = Pretty(v.Text)
	}
	lines := strings.Split(wrap(body, m.width), "\n")
	top := min(m.inspectTop, max(len(lines)-1, 0))
	h := max(m.height-2, 1)
	lines = lines[top:min(top+h, len(lines))]
	hint := m.th.Muted.Render("enter/esc close · y copy · ↑↓ scroll")
	return lipgloss.NewStyle().Width(m.width).Height(m.height).MaxHeight(m.height).
		Render(title + "\n" + strings.Join(lines, "\n") + "\n" + hint)
}

// wrap cuts lines longer than w.
func wrap(s string, w int) string {
	if w <= 0 {
		return s
	}
	var out []string
	for _, line := range strings.Split(s, "\n") {
		rs := []rune(line)
		for len(rs) > w {
			out = append(out, string(rs[:w]))
			rs = rs[w:]
		}
		out = append(out, string(rs))
	}
	return strings.Join(out, "\n")
}

// paint is a style as the escape codes before and after the text, worked
// out once, so that painting a cell is two string writes rather than a
// lipgloss render.
type paint struct{ pre, post string }

// paints are the grid's styles worked out once, and its footer's hints.
type paints struct {
	header, cell, null, cursor, selected, marker paint
	hints                                        []hint
}

func newPaints(km keys.Results, th theme.Theme) paints {
	mk := func(s lipgloss.Style) paint {
		out := s.Render("\x00")
		pre, post, _ := strings.Cut(out, "\x00")
		return paint{pre, post}
	}
	return paints{header: mk(th.Header), cell: mk(th.Cell), null: mk(th.Null), cursor: mk(th.CursorCell), selected: mk(th.Selected),
		marker: mk(th.Warning), hints: footerHints(km, th)}
}

// fitAligned writes s in exactly w screen columns, right-aligned when
// right (numbers) and it fits; see fit.
func fitAligned(b *strings.Builder, s string, w int, right bool) {
	if right {
		if tw := textWidth(s); tw < w {
			spaces(b, w-tw)
			fit(b, s, tw)
			return
		}
	}
	fit(b, s, w)
}

// fit writes s in exactly w screen columns: control characters shown as
// visible marks, cut with "…" when too long, padded with spaces.
func fit(b *strings.Builder, s string, w int) {
	if w <= 0 {
		return
	}
	used := 0
	for i := 0; i < len(s); {
		c := s[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		rw := runeWidth(r)
		if used+rw > w || (used+rw == w && i+size < len(s) && textWidth(s[i+size:]) > 0) {
			if used < w {
				b.WriteString("…")
				used++
			}
			break
		}
		switch {
		case r == '\n':
			b.WriteString("⏎")
		case r == '\t':
			b.WriteString("→")
		case r < 0x20 || r == 0x7f:
			b.WriteString("·")
		default:
			if size == 1 {
				b.WriteByte(c)
			} else {
				b.WriteString(s[i : i+size])
			}
		}
		used += rw
		i += size
	}
	for ; used < w; used++ {
		b.WriteByte(' ')
	}
}

// textWidth is the screen width of s as fit writes it: at most len(s),
// which Append relies on.
func textWidth(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < utf8.RuneSelf {
			n++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		n += runeWidth(r)
		i += size - 1
	}
	return n
}

// runeWidth is how many screen columns r takes: 2 for the wide East Asian
// ranges, 0 for combining marks, 1 otherwise (control characters are shown
// as one-column marks).
func runeWidth(r rune) int {
	switch {
	case r < 0x300:
		return 1
	case r >= 0x300 && r <= 0x36f, r == 0x200b, r >= 0xfe00 && r <= 0xfe0f:
		return 0
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0xa4cf, r >= 0xac00 && r <= 0xd7a3,
		r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f, r >= 0xff00 && r <= 0xff60,
		r >= 0xffe0 && r <= 0xffe6, r >= 0x1f300 && r <= 0x1f64f, r >= 0x1f900 && r <= 0x1f9ff,
		r >= 0x20000 && r <= 0x3fffd:
		return 2
	}
	return 1
}
