// Package results is the workbench's result grid: a virtualized grid of
// its own (only the cells on screen are rendered, from a compact row
// store), filled as pages arrive, with a row and column cursor,
// horizontal scrolling, NULL shown unlike the empty string, a cell
// inspector, copying of a cell, a row or a selection as TSV, CSV or JSON
// through the terminal's clipboard (OSC 52), and export of the whole
// result to a file. A display cap bounds the rows held; rows past it are
// counted and the cap is announced.
//
// On the rows it holds the grid sorts by a column (type-aware, NULLs
// last, stable: an index permutation, the rows never copied), filters
// (text in any column, or column=value), freezes the first column, lets
// each column be widened or narrowed, shows one row as a record (a
// column a line, as psql's \x does), and shows the statement's
// statistics above the rows. Tabs holds several results, each with the
// SQL that made it.
//
// Column widths are the widest value seen so far in each column, capped
// at maxColWidth, rather than the widest on screen: a column then keeps
// its width while the rows scroll (nothing jumps under the cursor), and
// keeping it costs one length comparison per cell as rows arrive. A value
// wider than its column ends in "…" and the inspector (enter) or the
// record view (x) shows it whole.
package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

// DefaultCap is the display cap when none is given.
const DefaultCap = 1_000_000

// maxColWidth caps a column's automatic width on screen; the inspector
// and the record view show more, and widen (>) goes past it.
const maxColWidth = 40

// minColWidth is the narrowest automatic width (room for NULL).
const minColWidth = 4

// resizeStep is how many columns one widen or narrow changes.
const resizeStep = 2

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

// promptKind is what the line at the foot of the grid is asking for.
type promptKind int

const (
	promptExport promptKind = iota + 1
	promptFilter
)

// Model is the grid.
type Model struct {
	keys keys.Results
	th   theme.Theme
	p    paints

	width, height int
	focused       bool

	queryID string
	cols    []engine.Column
	autoW   []int  // widest value seen, per column, within minColWidth..maxColWidth
	userW   []int  // the width the user chose (0: automatic)
	right   []bool // numbers, right-aligned
	rows    store
	total   int64 // rows received, including those past the cap
	cap     int
	done    bool
	err     error
	message string // shown when there is no result (e.g. a DDL statement's outcome)
	runKeys string // the run keys, as help writes them
	stats   Stats
	hasStat bool

	ord    order // the rows shown and their order
	frozen bool  // the first column stays when scrolling right

	row, col  int // cursor: the row's position in the order, the column
	top, left int // first row on screen (a position), first scrolling column
	anchor    *[2]int
	format    int

	inspecting bool
	inspectTop int
	record     bool // the row shown as a record, a column a line
	recTop     int  // the record at the top of the record view (a position)
	recOff     int  // lines of it scrolled past
	prompt     *textinput.Model
	promptFor  promptKind
	promptErr  string
}

// New returns an empty grid holding at most displayCap rows (DefaultCap
// when 0).
func New(km keys.Results, th theme.Theme, displayCap int) Model {
	if displayCap <= 0 {
		displayCap = DefaultCap
	}
	return Model{keys: km, th: th, p: newPaints(km, th), cap: displayCap}
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
// (the export or filter prompt is open), so the root leaves them alone.
func (m Model) Capturing() bool { return m.prompt != nil }

// Overlay reports whether an overlay (prompt, inspector, record view,
// selection) is open, which the cancel key closes.
func (m Model) Overlay() bool {
	return m.inspecting || m.prompt != nil || m.anchor != nil || m.record
}

// Close closes the open overlay.
func (m *Model) Close() {
	switch {
	case m.prompt != nil:
		m.prompt, m.promptErr = nil, ""
	case m.inspecting:
		m.inspecting = false
	case m.record:
		m.closeRecord()
	default:
		m.anchor = nil
	}
}

// Reset starts the result of query id with cols. The statistics are kept
// when they were set for the same query (the root sets them when the
// query ends, before its rows are opened).
func (m *Model) Reset(id string, cols []engine.Column) {
	st, has := m.stats, m.hasStat && m.stats.QueryID == id && id != ""
	*m = Model{keys: m.keys, th: m.th, p: m.p, width: m.width, height: m.height, focused: m.focused, cap: m.cap, format: m.format,
		runKeys: m.runKeys, queryID: id, cols: cols, rows: newStore(len(cols)),
		autoW: make([]int, len(cols)), userW: make([]int, len(cols)), right: make([]bool, len(cols))}
	if has {
		m.stats, m.hasStat = st, true
	}
	for i, c := range cols {
		m.autoW[i] = min(max(textWidth(c.Name), minColWidth), maxColWidth)
		m.right[i] = print.Numeric(c.Type)
	}
}

// SetMessage clears the grid and shows msg instead of rows.
func (m *Model) SetMessage(id, msg string) {
	m.Reset(id, nil)
	m.message = msg
}

// QueryID is the query whose rows the grid holds.
func (m Model) QueryID() string { return m.queryID }

// Columns are the result's columns.
func (m Model) Columns() []engine.Column { return m.cols }

// Append adds rows as they arrive. Rows past the display cap are counted,
// not held. A sort or filter in force takes the new rows in.
func (m *Model) Append(rows []engine.Row) {
	from := m.rows.Len()
	for _, r := range rows {
		m.total++
		if m.rows.Len() >= m.cap {
			continue
		}
		for i := 0; i < len(m.cols) && i < len(r); i++ {
			// A value's screen width is at most its length in bytes, so a
			// value no longer than its column needs no measuring: this
			// keeps the widths exact at one comparison per cell.
			if w := m.autoW[i]; w < maxColWidth && len(r[i].Text) > w {
				m.autoW[i] = min(textWidth(r[i].Text), maxColWidth)
			}
		}
		m.rows.Append(r)
	}
	m.extendOrder(from)
}

// Finish marks the stream ended, with err when it failed.
func (m *Model) Finish(err error) { m.done, m.err = true, err }

// Len is the number of rows held; Total the number received.
func (m Model) Len() int { return m.rows.Len() }

// Shown is the number of rows shown: those the filter keeps, or all.
func (m Model) Shown() int { return m.ord.shown(m.rows.Len()) }

// Total is the number of rows received, past the cap included.
func (m Model) Total() int64 { return m.total }

// Capped reports whether rows were received past the display cap.
func (m Model) Capped() bool { return m.total > int64(m.rows.Len()) }

// Cursor is the cursor's row (its position in the order shown) and
// column.
func (m Model) Cursor() (row, col int) { return m.row, m.col }

// Cell is the value under the cursor.
func (m Model) Cell() (engine.Value, bool) {
	if m.row >= m.Shown() || m.col >= len(m.cols) {
		return engine.Value{}, false
	}
	return m.rows.Cell(m.ord.at(m.row), m.col), true
}

// Frozen reports whether the first column is frozen.
func (m Model) Frozen() bool { return m.frozen }

// ColumnWidth is column c's width on screen: the user's, or the
// automatic one (the sorted column's with room for its arrow).
func (m Model) ColumnWidth(c int) int {
	if m.userW[c] > 0 {
		return m.userW[c]
	}
	if m.ord.dir != unsorted && m.ord.sortCol == c {
		return min(max(m.autoW[c], textWidth(m.cols[c].Name)+1), maxColWidth)
	}
	return m.autoW[c]
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
	switch {
	case m.inspecting:
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
	case m.record:
		return m.updateRecord(k)
	}
	n := m.Shown()
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
	case key.Matches(k, m.keys.Record):
		if _, ok := m.Cell(); ok {
			m.record, m.recTop, m.recOff = true, m.row, 0
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
	case key.Matches(k, m.keys.Sort):
		if len(m.cols) > 0 {
			m.cycleSort(m.col)
		}
	case key.Matches(k, m.keys.Filter):
		if len(m.cols) > 0 {
			return m, m.openPrompt(promptFilter, "filter: ", m.ord.filter.text)
		}
	case key.Matches(k, m.keys.Freeze):
		m.frozen = !m.frozen
	case key.Matches(k, m.keys.Widen):
		m.resize(resizeStep)
	case key.Matches(k, m.keys.Narrow):
		m.resize(-resizeStep)
	case key.Matches(k, m.keys.AutoWidth):
		if m.col < len(m.userW) {
			m.userW[m.col] = 0
		}
	case key.Matches(k, m.keys.Export):
		if m.queryID != "" && len(m.cols) > 0 {
			return m, m.openPrompt(promptExport, "export to: ", "quiltq-"+shortID(m.queryID)+".csv")
		}
	}
	m.scroll()
	return m, nil
}

// resize changes the cursor's column's width by d, from 1 to the pane's
// width; the width is kept for this result.
func (m *Model) resize(d int) {
	if m.col >= len(m.cols) {
		return
	}
	w := m.ColumnWidth(m.col) + d
	m.userW[m.col] = max(min(w, max(m.width-1, 1)), 1)
}

// openPrompt opens the line at the foot of the grid, asking for kind.
func (m *Model) openPrompt(kind promptKind, prompt, value string) tea.Cmd {
	ti := textinput.New()
	ti.Prompt = prompt
	ti.SetValue(value)
	ti.CursorEnd()
	ti.SetWidth(max(m.width-len(prompt)-2, 10))
	ti.Focus()
	m.prompt, m.promptFor, m.promptErr = &ti, kind, ""
	return textinput.Blink
}

func (m Model) updatePrompt(msg tea.Msg) (Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "enter":
			value := strings.TrimSpace(m.prompt.Value())
			if m.promptFor == promptFilter {
				m.prompt = nil
				m.setFilter(value)
				return m, nil
			}
			if value == "" {
				m.prompt = nil
				return m, nil
			}
			if _, err := print.FormatOf(value); err != nil {
				m.promptErr = err.Error() // the prompt stays open to fix the name
				return m, nil
			}
			m.prompt, m.promptErr = nil, ""
			id := m.queryID
			return m, func() tea.Msg { return ExportRequestMsg{QueryID: id, Path: value} }
		case "esc":
			m.prompt, m.promptErr = nil, ""
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

// Click puts the cursor on the cell at x, y of the pane (the header's
// line picks the column).
func (m *Model) Click(x, y int) {
	if len(m.cols) == 0 || m.inspecting || m.prompt != nil || m.record {
		return
	}
	y -= m.statsHeight()
	if y >= 1 && y <= m.bodyHeight() && m.top+y-1 < m.Shown() {
		m.row = m.top + y - 1
	}
	for _, s := range m.layout().spans {
		if x >= s.x && x < s.x+s.w+1 {
			m.col = s.col
			break
		}
	}
	m.scroll()
}

// Wheel scrolls n rows (negative: up), the cursor moving with the rows;
// in the cell inspector it scrolls the value, in the record view the
// lines.
func (m *Model) Wheel(n int) {
	switch {
	case m.inspecting:
		m.inspectTop = max(m.inspectTop+n, 0)
		return
	case m.record:
		m.scrollRecord(n)
		return
	}
	m.row += n
	m.top += n
	m.scroll()
}

// scroll keeps the cursor inside the data and on screen.
func (m *Model) scroll() {
	n := m.Shown()
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
	first := 0
	if m.frozenOn() {
		first = 1
	}
	m.left = max(m.left, first)
	if m.col >= first && m.col < m.left {
		m.left = m.col
	}
	for m.left < m.col && !m.layout().shows(m.col) {
		m.left++
	}
}

// frozenOn reports whether the first column is drawn frozen: there must
// be another column to scroll.
func (m Model) frozenOn() bool { return m.frozen && len(m.cols) > 1 }

// bodyHeight is the rows of data on screen: the pane less the statistics
// line, the header and the footer (and a refused export name's error).
func (m Model) bodyHeight() int {
	h := m.height - 2 - m.statsHeight()
	if m.promptErr != "" {
		h--
	}
	return max(h, 1)
}

// selection is the rectangle of selected cells (the cursor's cell when
// nothing is selected), positions r0..r1 and columns c0..c1 inclusive.
func (m Model) selection() (r0, r1, c0, c1 int) {
	r0, r1, c0, c1 = m.row, m.row, m.col, m.col
	if a := m.anchor; a != nil {
		r0, r1 = min(a[0], m.row), max(a[0], m.row)
		c0, c1 = min(a[1], m.col), max(a[1], m.col)
	}
	return
}

// copySelection puts the cell (or the selection, or with wholeRow the
// cursor's rows) on the clipboard in the chosen format, rows in the
// order shown.
func (m *Model) copySelection(wholeRow bool) tea.Cmd {
	if m.Shown() == 0 {
		return nil
	}
	r0, r1, c0, c1 := m.selection()
	if wholeRow {
		c0, c1 = 0, len(m.cols)-1
	}
	format := copyFormats[m.format]
	text, what := "", ""
	if r0 == r1 && c0 == c1 && !wholeRow {
		text, what = CellText(m.rows.Cell(m.ord.at(r0), c0), m.cols[c0], format), "cell"
	} else {
		rows := make([]engine.Row, 0, r1-r0+1)
		for r := r0; r <= r1; r++ {
			rows = append(rows, m.rows.Row(m.ord.at(r))[c0:c1+1])
		}
		text = Format(m.cols[c0:c1+1], rows, format)
		switch {
		case wholeRow:
			what = countOf(int64(r1-r0+1), "row")
		default:
			what = fmt.Sprintf("%d×%d cells", r1-r0+1, c1-c0+1)
		}
	}
	m.anchor = nil
	msg := CopiedMsg{What: what, Format: strings.ToUpper(format), Bytes: len(text)}
	return tea.Batch(tea.SetClipboard(text), func() tea.Msg { return msg })
}

// countOf is n and the word, singular for one: "1 row", "4,200 rows".
func countOf(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return status.Count(n) + " " + word + "s"
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
