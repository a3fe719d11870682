// Package results is the workbench's result grid: a virtualized grid of
// its own (only the cells on screen are rendered, from a compact row
// store), filled as pages arrive, with a row and column cursor,
// horizontal scrolling, NULL shown unlike the empty string, a cell
// inspector, copying of a cell, a row or a selection as TSV, CSV or JSON
// through the terminal's clipboard (OSC 52), and export of the whole
// result to a file. A display cap bounds the rows held; rows past it are
// counted and the cap is announced.
package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

// DefaultCap is the display cap when none is given.
const DefaultCap = 1_000_000

// sampleRows is how many rows decide the column widths.
const sampleRows = 500

// maxColWidth caps a column's width on screen; the inspector shows more.
const maxColWidth = 40

// copyFormats are the clipboard formats, in the order the format key cycles.
var copyFormats = [...]string{"tsv", "csv", "json"}

// CopiedMsg reports what was put on the clipboard.
type CopiedMsg struct {
	What   string // "cell", "row", "3×2 cells"
	Format string
	Bytes  int
}

// ExportRequestMsg asks the root to export the whole result of QueryID to
// Path (the format follows the file's extension).
type ExportRequestMsg struct {
	QueryID string
	Path    string
}

// Model is the grid.
type Model struct {
	keys keys.Results
	th   theme.Theme
	p    paints

	width, height int
	focused       bool

	queryID string
	cols    []engine.Column
	widths  []int
	rows    store
	total   int64 // rows received, including those past the cap
	cap     int
	done    bool
	err     error
	message string // shown when there is no result (e.g. a DDL statement's outcome)
	runKeys string // the run keys, as help writes them

	row, col  int // cursor
	top, left int // first row and column on screen
	anchor    *[2]int
	format    int

	inspecting bool
	inspectTop int
	prompt     *textinput.Model
}

// New returns an empty grid holding at most displayCap rows (DefaultCap
// when 0).
func New(km keys.Results, th theme.Theme, displayCap int) Model {
	if displayCap <= 0 {
		displayCap = DefaultCap
	}
	return Model{keys: km, th: th, p: newPaints(th), cap: displayCap}
}

// SetRunKeys sets the run keys the empty grid names ("ctrl+enter/f5").
func (m *Model) SetRunKeys(k string) { m.runKeys = k }

// SetSize sets the inner size of the pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.scroll()
}

// Focus and Blur set whether keys go to the grid.
func (m *Model) Focus() { m.focused = true }

// Blur takes the focus away.
func (m *Model) Blur() { m.focused = false }

// Capturing reports whether the grid takes printable keys for itself
// (the export prompt is open), so the root leaves them alone.
func (m Model) Capturing() bool { return m.prompt != nil }

// Overlay reports whether an overlay (inspector, prompt, selection) is
// open, which the cancel key closes.
func (m Model) Overlay() bool { return m.inspecting || m.prompt != nil || m.anchor != nil }

// Close closes the open overlay.
func (m *Model) Close() {
	switch {
	case m.prompt != nil:
		m.prompt = nil
	case m.inspecting:
		m.inspecting = false
	default:
		m.anchor = nil
	}
}

// Reset starts the result of query id with cols.
func (m *Model) Reset(id string, cols []engine.Column) {
	*m = Model{keys: m.keys, th: m.th, p: m.p, width: m.width, height: m.height, focused: m.focused, cap: m.cap, format: m.format,
		queryID: id, cols: cols, rows: newStore(len(cols)), widths: make([]int, len(cols))}
	for i, c := range cols {
		m.widths[i] = min(max(textWidth(c.Name), 4), maxColWidth)
	}
}

// SetMessage clears the grid and shows msg instead of rows.
func (m *Model) SetMessage(id, msg string) {
	m.Reset(id, nil)
	m.message = msg
}

// QueryID is the query whose rows the grid holds.
func (m Model) QueryID() string { return m.queryID }

// Append adds rows as they arrive. Rows past the display cap are counted,
// not held.
func (m *Model) Append(rows []engine.Row) {
	for _, r := range rows {
		m.total++
		if m.rows.Len() >= m.cap {
			continue
		}
		if m.rows.Len() < sampleRows {
			for i := 0; i < len(m.cols) && i < len(r); i++ {
				w := 4
				if !r[i].Null {
					w = textWidth(r[i].Text)
				}
				m.widths[i] = min(max(m.widths[i], w), maxColWidth)
			}
		}
		m.rows.Append(r)
	}
}

// Finish marks the stream ended, with err when it failed.
func (m *Model) Finish(err error) { m.done, m.err = true, err }

// Len is the number of rows held; Total the number received.
func (m Model) Len() int { return m.rows.Len() }

// Total is the number of rows received, past the cap included.
func (m Model) Total() int64 { return m.total }

// Capped reports whether rows were received past the display cap.
func (m Model) Capped() bool { return m.total > int64(m.rows.Len()) }

// Cursor is the cursor's row and column.
func (m Model) Cursor() (row, col int) { return m.row, m.col }

// Cell is the value under the cursor.
func (m Model) Cell() (engine.Value, bool) {
	if m.row >= m.rows.Len() || m.col >= len(m.cols) {
		return engine.Value{}, false
	}
	return m.rows.Cell(m.row, m.col), true
}

// Update handles the grid's keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if m.prompt != nil {
		return m.updatePrompt(msg)
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	if m.inspecting {
		switch {
		case key.Matches(k, m.keys.Up):
			m.inspectTop = max(m.inspectTop-1, 0)
		case key.Matches(k, m.keys.Down):
			m.inspectTop++
		case key.Matches(k, m.keys.Inspect):
			m.inspecting = false
		case key.Matches(k, m.keys.CopyCell):
			return m, m.copySelection(false)
		}
		return m, nil
	}
	n := m.rows.Len()
	body := m.bodyHeight()
	switch {
	case key.Matches(k, m.keys.Up):
		m.row--
	case key.Matches(k, m.keys.Down):
		m.row++
	case key.Matches(k, m.keys.Left):
		m.col--
	case key.Matches(k, m.keys.Right):
		m.col++
	case key.Matches(k, m.keys.PageUp):
		m.row -= body
		m.top -= body
	case key.Matches(k, m.keys.PageDown):
		m.row += body
		m.top += body
	case key.Matches(k, m.keys.Top):
		m.row = 0
	case key.Matches(k, m.keys.Bottom):
		m.row = n - 1
	case key.Matches(k, m.keys.First):
		m.col = 0
	case key.Matches(k, m.keys.Last):
		m.col = len(m.cols) - 1
	case key.Matches(k, m.keys.Inspect):
		if _, ok := m.Cell(); ok {
			m.inspecting, m.inspectTop = true, 0
		}
	case key.Matches(k, m.keys.Select):
		if m.anchor == nil {
			m.anchor = &[2]int{m.row, m.col}
		} else {
			m.anchor = nil
		}
	case key.Matches(k, m.keys.CopyCell):
		return m, m.copySelection(false)
	case key.Matches(k, m.keys.CopyRow):
		return m, m.copySelection(true)
	case key.Matches(k, m.keys.CopyFormat):
		m.format = (m.format + 1) % len(copyFormats)
	case key.Matches(k, m.keys.Export):
		if m.queryID != "" && len(m.cols) > 0 {
			ti := textinput.New()
			ti.Prompt = "export to: "
			ti.SetValue("quiltq-" + shortID(m.queryID) + ".csv")
			ti.CursorEnd()
			ti.SetWidth(max(m.width-12, 10))
			ti.Focus()
			m.prompt = &ti
			return m, textinput.Blink
		}
	}
	m.scroll()
	return m, nil
}

func (m Model) updatePrompt(msg tea.Msg) (Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "enter":
			path := strings.TrimSpace(m.prompt.Value())
			m.prompt = nil
			if path == "" {
				return m, nil
			}
			id := m.queryID
			return m, func() tea.Msg { return ExportRequestMsg{QueryID: id, Path: path} }
		case "esc":
			m.prompt = nil
			return m, nil
		}
	}
	ti, cmd := m.prompt.Update(msg)
	m.prompt = &ti
	return m, cmd
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// Click puts the cursor on the cell at x, y of the pane (row 0 is the
// header).
func (m *Model) Click(x, y int) {
	if len(m.cols) == 0 || m.inspecting || m.prompt != nil {
		return
	}
	if y >= 1 && y <= m.bodyHeight() && m.top+y-1 < m.rows.Len() {
		m.row = m.top + y - 1
	}
	w := 0
	for c := m.left; c < len(m.cols); c++ {
		w += m.widths[c] + 1
		if x < w {
			m.col = c
			break
		}
	}
	m.scroll()
}

// Wheel scrolls n rows (negative: up), the cursor moving with the rows;
// in the cell inspector it scrolls the value.
func (m *Model) Wheel(n int) {
	if m.inspecting {
		m.inspectTop = max(m.inspectTop+n, 0)
		return
	}
	m.row += n
	m.top += n
	m.scroll()
}

// scroll keeps the cursor inside the data and on screen.
func (m *Model) scroll() {
	n := m.rows.Len()
	m.row = max(min(m.row, n-1), 0)
	m.col = max(min(m.col, len(m.cols)-1), 0)
	body := m.bodyHeight()
	m.top = max(min(m.top, n-body), 0)
	if m.row < m.top {
		m.top = m.row
	}
	if m.row >= m.top+body {
		m.top = m.row - body + 1
	}
	if m.col < m.left {
		m.left = m.col
	}
	for m.left < m.col && m.spanWidth(m.left, m.col) > m.width {
		m.left++
	}
}

// spanWidth is the screen width of columns from..to, separators included.
func (m Model) spanWidth(from, to int) int {
	w := 0
	for i := from; i <= to; i++ {
		w += m.widths[i] + 1
	}
	return w
}

// bodyHeight is the rows of data on screen: the pane less the header and
// the footer.
func (m Model) bodyHeight() int { return max(m.height-2, 1) }

// selection is the rectangle of selected cells (the cursor's cell when
// nothing is selected), rows r0..r1 and columns c0..c1 inclusive.
func (m Model) selection() (r0, r1, c0, c1 int) {
	r0, r1, c0, c1 = m.row, m.row, m.col, m.col
	if a := m.anchor; a != nil {
		r0, r1 = min(a[0], m.row), max(a[0], m.row)
		c0, c1 = min(a[1], m.col), max(a[1], m.col)
	}
	return
}

// copySelection puts the cell (or the selection, or with wholeRow the
// cursor's rows) on the clipboard in the chosen format.
func (m *Model) copySelection(wholeRow bool) tea.Cmd {
	if m.rows.Len() == 0 {
		return nil
	}
	r0, r1, c0, c1 := m.selection()
	if wholeRow {
		c0, c1 = 0, len(m.cols)-1
	}
	format := copyFormats[m.format]
	text, what := "", ""
	if r0 == r1 && c0 == c1 && !wholeRow {
		text, what = CellText(m.rows.Cell(r0, c0), m.cols[c0], format), "cell"
	} else {
		rows := make([]engine.Row, 0, r1-r0+1)
		for r := r0; r <= r1; r++ {
			rows = append(rows, m.rows.Row(r)[c0:c1+1])
		}
		text = Format(m.cols[c0:c1+1], rows, format)
		switch {
		case wholeRow && r0 == r1:
			what = "row"
		case wholeRow:
			what = fmt.Sprintf("%d rows", r1-r0+1)
		default:
			what = fmt.Sprintf("%d×%d cells", r1-r0+1, c1-c0+1)
		}
	}
	m.anchor = nil
	msg := CopiedMsg{What: what, Format: strings.ToUpper(format), Bytes: len(text)}
	return tea.Batch(tea.SetClipboard(text), func() tea.Msg { return msg })
}

// CellText is one value as the format writes a lone value: TSV the text
// as it is, CSV a quoted field when it needs quotes, JSON a typed value;
// NULL is empty in TSV and CSV and null in JSON.
func CellText(v engine.Value, col engine.Column, format string) string {
	switch format {
	case "json":
		b, _ := json.Marshal(v.Typed(col.Type))
		return string(b)
	case "csv":
		if v.Null {
			return ""
		}
		if strings.ContainsAny(v.Text, ",\"\r\n") || v.Text == "" {
			return `"` + strings.ReplaceAll(v.Text, `"`, `""`) + `"`
		}
	}
	return v.Text
}

// Format writes rows with a header in format (tsv, csv, json) through the
// same writers as `quiltq -e`; JSON is an array of objects.
func Format(cols []engine.Column, rows []engine.Row, format string) string {
	var buf bytes.Buffer
	w, err := print.New(format, &buf, print.Options{})
	if err != nil {
		return err.Error()
	}
	_ = w.Header(cols)
	for _, r := range rows {
		_ = w.Row(r)
	}
	_ = w.Close()
	return buf.String()
}

// View renders the grid: the header, the rows on screen and a footer.
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
	if m.inspecting {
		return m.inspectView()
	}
	var b strings.Builder
	b.Grow(m.width * m.height * 2)
	last := m.lastVisible()
	// Header.
	w := 0
	for c := m.left; c <= last; c++ {
		cw := min(m.widths[c], m.width-w)
		b.WriteString(m.p.header.pre)
		fit(&b, m.cols[c].Name, cw)
		b.WriteString(m.p.header.post)
		w += cw
		if w < m.width {
			b.WriteByte(' ')
			w++
		}
	}
	b.WriteString(strings.Repeat(" ", max(m.width-w, 0)))
	body := m.bodyHeight()
	r0, r1, c0, c1 := m.selection()
	for i := 0; i < body; i++ {
		b.WriteByte('\n')
		r := m.top + i
		if r >= m.rows.Len() {
			b.WriteString(strings.Repeat(" ", m.width))
			continue
		}
		w := 0
		for c := m.left; c <= last; c++ {
			cw := min(m.widths[c], m.width-w)
			v := m.rows.Cell(r, c)
			pt := m.p.cell
			switch {
			case r == m.row && c == m.col && m.focused:
				pt = m.p.cursor
			case m.anchor != nil && r >= r0 && r <= r1 && c >= c0 && c <= c1:
				pt = m.p.selected
			case v.Null:
				pt = m.p.null
			}
			b.WriteString(pt.pre)
			if v.Null {
				fit(&b, "NULL", cw)
			} else {
				fit(&b, v.Text, cw)
			}
			b.WriteString(pt.post)
			w += cw
			if w < m.width {
				b.WriteByte(' ')
				w++
			}
		}
		b.WriteString(strings.Repeat(" ", max(m.width-w, 0)))
	}
	b.WriteByte('\n')
	b.WriteString(m.footer())
	return b.String()
}

// lastVisible is the last column that starts on screen.
func (m Model) lastVisible() int {
	w, last := 0, m.left
	for c := m.left; c < len(m.cols); c++ {
		if w >= m.width {
			break
		}
		last = c
		w += m.widths[c] + 1
	}
	return last
}

func (m Model) footer() string {
	if m.prompt != nil {
		return truncateTo(m.prompt.View(), m.width)
	}
	parts := []string{}
	if n := m.rows.Len(); n > 0 {
		parts = append(parts, fmt.Sprintf("row %s/%s", status.Count(int64(m.row+1)), status.Count(int64(n))))
	} else {
		parts = append(parts, "0 rows")
	}
	if len(m.cols) > 0 {
		c := m.cols[m.col]
		parts = append(parts, fmt.Sprintf("col %d/%d %s %s", m.col+1, len(m.cols), c.Name, c.Type))
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
		parts = append(parts, m.th.Warning.Render(fmt.Sprintf("display cap %s reached: the result has %s rows; export (s) writes them all",
			status.Count(int64(m.cap)), status.Count(m.total))))
	}
	return truncateTo(m.th.Muted.Render(strings.Join(parts, " · ")), m.width)
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

// Pretty is s indented when it is JSON (an object or an array), else s.
func Pretty(s string) string {
	t := strings.TrimSpace(s)
	if (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
		var buf bytes.Buffer
		if json.Indent(&buf, []byte(t), "", "  ") == nil {
			return buf.String()
		}
	}
	return s
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

type paints struct{ header, cell, null, cursor, selected paint }

func newPaints(th theme.Theme) paints {
	mk := func(s lipgloss.Style) paint {
		out := s.Render("\x00")
		pre, post, _ := strings.Cut(out, "\x00")
		return paint{pre, post}
	}
	return paints{header: mk(th.Header), cell: mk(th.Cell), null: mk(th.Null), cursor: mk(th.CursorCell), selected: mk(th.Selected)}
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
		if used+rw > w || (used+rw == w && i+size < len(s)) {
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

// textWidth is the screen width of s as fit writes it.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
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
