// Package catalog is the workbench's catalog tree: data catalogs, their
// databases and tables, and a table's columns on expand, with what could
// not be listed shown where it is missing (what was refused, by which
// action) and what the grants hide counted. Only the expanded part of the
// tree is flattened and only the rows on screen are drawn, so ten
// thousand tables stay quick.
package catalog

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

// InsertMsg asks for the quoted name of a table (or a column) to be
// inserted into the editor.
type InsertMsg struct {
	Catalog, Database, Table, Column string
}

// PreviewMsg asks for a preview of a table (SELECT * ... LIMIT 100).
type PreviewMsg struct {
	Catalog, Database, Table string
}

// RefreshMsg asks for the catalog to be listed anew.
type RefreshMsg struct{}

// ExplainMsg asks for an item that could not be listed (refused, as a
// rule) to be explained.
type ExplainMsg struct{ Refusal engine.ListError }

// DoctorMsg asks for the doctor's probes to be run (why listing is
// refused, and the one statement that fixes it).
type DoctorMsg struct{}

// ResizeMsg asks for the pane to be Delta columns wider (narrower when
// negative).
type ResizeMsg struct{ Delta int }

// resizeStep is the columns one press of the resize keys moves.
const resizeStep = 4

type nodeKind int

const (
	nCatalog nodeKind = iota
	nDatabase
	nTable
	nColumn
	nError
	nNote
)

type node struct {
	kind  nodeKind
	depth int
	label string
	extra string // type, kind, or the refusal
	path  [4]string
}

func (n node) key() string { return strings.Join(n.path[:], "\x00") }

// Model is the tree.
type Model struct {
	keys keys.Catalog
	th   theme.Theme

	listing  *engine.Listing
	source   string // "cached 5m ago", "listed", "listing…"
	expanded map[string]bool
	flat     []node
	cursor   int
	top      int
	filter   string
	input    *textinput.Model

	width, height int
	focused       bool
}

// New returns a tree with nothing listed yet.
func New(km keys.Catalog, th theme.Theme) Model {
	return Model{keys: km, th: th, expanded: map[string]bool{}, source: "listing…"}
}

// SetSize sets the inner size of the pane.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h; m.scroll() }

// Focus gives the tree the keys.
func (m *Model) Focus() { m.focused = true }

// Blur takes the keys away.
func (m *Model) Blur() { m.focused = false }

// Capturing reports whether the filter input takes printable keys.
func (m Model) Capturing() bool { return m.input != nil }

// Overlay reports whether the filter is being typed or applied.
func (m Model) Overlay() bool { return m.input != nil || m.filter != "" }

// Close ends the filter.
func (m *Model) Close() {
	m.input, m.filter = nil, ""
	m.rebuild()
}

// SetListing shows l. fetched is when it was listed, cached whether it
// came from the cache (a refresh is then under way). The expansion state
// and the cursor's item are kept.
func (m *Model) SetListing(l engine.Listing, cached bool, age time.Duration) {
	var at string
	if len(m.flat) > 0 {
		at = m.flat[m.cursor].key()
	}
	m.listing = &l
	switch {
	case cached:
		m.source = "cached " + age.Round(time.Second).String() + " ago · refreshing…"
	default:
		m.source = "listed just now"
	}
	if len(l.Catalogs) == 1 && len(m.expanded) == 0 {
		m.expanded[node{kind: nCatalog, path: [4]string{l.Catalogs[0].Name}}.key()] = true
	}
	m.rebuild()
	for i, n := range m.flat {
		if n.key() == at {
			m.cursor = i
		}
	}
	m.scroll()
}

// SetSource words where the listing stands ("refresh failed: ...").
func (m *Model) SetSource(s string) { m.source = s }

// Len is the number of rows of the flattened tree.
func (m Model) Len() int { return len(m.flat) }

// rebuild flattens the expanded part of the tree (all of it that matches,
// when filtering).
func (m *Model) rebuild() {
	m.flat = m.flat[:0]
	l := m.listing
	if l == nil {
		return
	}
	f := strings.ToLower(m.filter)
	errs := map[string][]engine.ListError{}
	for _, e := range l.Errors {
		errs[strings.ToLower(e.Item)] = append(errs[strings.ToLower(e.Item)], e)
	}
	shown := map[string]bool{}
	addErrs := func(item string, depth int) {
		for _, e := range errs[strings.ToLower(item)] {
			m.flat = append(m.flat, node{kind: nError, depth: depth, label: "✗ " + e.Action + " " + verb(e), extra: e.Message, path: [4]string{"!", e.Item, e.Action}})
		}
		shown[strings.ToLower(item)] = true
	}
	for _, c := range l.Catalogs {
		cn := node{kind: nCatalog, label: c.Name, extra: strings.ToLower(c.Type), path: [4]string{c.Name}}
		m.flat = append(m.flat, cn)
		addErrs(c.Name, 1)
		if !m.expanded[cn.key()] && f == "" {
			continue
		}
		for _, d := range c.Databases {
			dn := node{kind: nDatabase, depth: 1, label: d.Name, extra: fmt.Sprintf("%d", len(d.Tables)), path: [4]string{c.Name, d.Name}}
			if f != "" && !anyMatch(d, f) {
				continue
			}
			m.flat = append(m.flat, dn)
			addErrs(c.Name+"."+d.Name, 2)
			if !m.expanded[dn.key()] && f == "" {
				continue
			}
			for _, t := range d.Tables {
				if f != "" && !strings.Contains(strings.ToLower(t.Name), f) {
					continue
				}
				tn := node{kind: nTable, depth: 2, label: t.Name, extra: t.Kind, path: [4]string{c.Name, d.Name, t.Name}}
				m.flat = append(m.flat, tn)
				addErrs(c.Name+"."+d.Name+"."+t.Name, 3)
				if t.Error != "" {
					m.flat = append(m.flat, node{kind: nError, depth: 3, label: "✗ config does not parse", extra: t.Error, path: tn.path})
				}
				if !m.expanded[tn.key()] {
					continue
				}
				for _, col := range t.Columns {
					m.flat = append(m.flat, node{kind: nColumn, depth: 3, label: col.Name, extra: col.Type, path: [4]string{c.Name, d.Name, t.Name, col.Name}})
				}
			}
		}
	}
	for _, e := range l.Errors {
		if !shown[strings.ToLower(e.Item)] {
			m.flat = append(m.flat, node{kind: nError, label: "✗ " + e.Item + ": " + e.Action + " " + verb(e), extra: e.Message, path: [4]string{"!", e.Item, e.Action}})
		}
	}
	if l.Hidden > 0 {
		m.flat = append(m.flat, node{kind: nNote, label: fmt.Sprintf("%d hidden by your grants", l.Hidden)})
	}
	m.cursor = min(m.cursor, max(len(m.flat)-1, 0))
}

// verb says whether e was refused or failed otherwise.
func verb(e engine.ListError) string {
	if e.Refused() {
		return "refused"
	}
	return "failed"
}

func anyMatch(d engine.ListedDatabase, f string) bool {
	for _, t := range d.Tables {
		if strings.Contains(strings.ToLower(t.Name), f) {
			return true
		}
	}
	return false
}

// Update handles the tree's keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if m.input != nil {
		if k, ok := msg.(tea.KeyPressMsg); ok {
			switch k.String() {
			case "enter":
				m.input = nil
				return m, nil
			case "esc":
				m.Close()
				return m, nil
			}
		}
		ti, cmd := m.input.Update(msg)
		m.input = &ti
		m.filter = ti.Value()
		m.rebuild()
		m.scroll()
		return m, cmd
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	var cur node
	if len(m.flat) > 0 {
		cur = m.flat[m.cursor]
	}
	switch {
	case key.Matches(k, m.keys.Up):
		m.cursor--
	case key.Matches(k, m.keys.Down):
		m.cursor++
	case key.Matches(k, m.keys.PageUp):
		m.cursor -= m.height - 1
	case key.Matches(k, m.keys.PageDown):
		m.cursor += m.height - 1
	case key.Matches(k, m.keys.Top):
		m.cursor = 0
	case key.Matches(k, m.keys.Bottom):
		m.cursor = len(m.flat) - 1
	case key.Matches(k, m.keys.Expand):
		if cur.kind <= nTable && len(m.flat) > 0 {
			m.expanded[cur.key()] = !m.expanded[cur.key()] || k.String() != "space"
			m.rebuild()
		}
	case key.Matches(k, m.keys.Collapse):
		if m.expanded[cur.key()] {
			delete(m.expanded, cur.key())
			m.rebuild()
		} else {
			// Up to the parent.
			for i := m.cursor - 1; i >= 0; i-- {
				if m.flat[i].depth < cur.depth && m.flat[i].kind != nError {
					m.cursor = i
					break
				}
			}
		}
	case key.Matches(k, m.keys.Insert):
		if cmd := m.activate(); cmd != nil {
			return m, cmd
		}
	case key.Matches(k, m.keys.Preview):
		if cur.kind == nTable || cur.kind == nColumn {
			p := cur.path
			return m, func() tea.Msg { return PreviewMsg{Catalog: p[0], Database: p[1], Table: p[2]} }
		}
	case key.Matches(k, m.keys.Filter):
		ti := textinput.New()
		ti.Prompt = "/"
		ti.SetValue(m.filter)
		ti.SetWidth(max(m.width-3, 5))
		ti.Focus()
		m.input = &ti
		return m, textinput.Blink
	case key.Matches(k, m.keys.Refresh):
		m.source = "listing…"
		return m, func() tea.Msg { return RefreshMsg{} }
	case key.Matches(k, m.keys.Doctor):
		return m, func() tea.Msg { return DoctorMsg{} }
	case key.Matches(k, m.keys.Wider):
		return m, func() tea.Msg { return ResizeMsg{Delta: resizeStep} }
	case key.Matches(k, m.keys.Narrower):
		return m, func() tea.Msg { return ResizeMsg{Delta: -resizeStep} }
	}
	m.scroll()
	return m, nil
}

// activate is what enter does on the row under the cursor: a table or a
// column is inserted into the editor, a catalog or database opens or
// closes, a refusal is explained.
func (m *Model) activate() tea.Cmd {
	if len(m.flat) == 0 {
		return nil
	}
	cur := m.flat[m.cursor]
	switch cur.kind {
	case nTable, nColumn:
		p := cur.path
		return func() tea.Msg { return InsertMsg{Catalog: p[0], Database: p[1], Table: p[2], Column: p[3]} }
	case nCatalog, nDatabase:
		m.expanded[cur.key()] = !m.expanded[cur.key()]
		m.rebuild()
		m.scroll()
	case nError:
		for _, e := range m.listing.Errors {
			if cur.path == [4]string{"!", e.Item, e.Action} {
				return func() tea.Msg { return ExplainMsg{Refusal: e} }
			}
		}
	}
	return nil
}

// Click acts on row y of the pane: the first click puts the cursor on the
// row, a second click on it does what enter does.
func (m *Model) Click(y int) tea.Cmd {
	y -= len(m.headerLines())
	i := m.top + y
	if y < 0 || y >= m.bodyHeight() || i >= len(m.flat) {
		return nil
	}
	if i == m.cursor {
		return m.activate()
	}
	m.cursor = i
	m.scroll()
	return nil
}

// Wheel scrolls n rows (negative: up), the cursor moving with the rows.
func (m *Model) Wheel(n int) {
	m.cursor += n
	m.top += n
	m.scroll()
}

func (m *Model) scroll() {
	m.cursor = max(min(m.cursor, len(m.flat)-1), 0)
	h := m.bodyHeight()
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+h {
		m.top = m.cursor - h + 1
	}
	m.top = max(min(m.top, len(m.flat)-h), 0)
}

// bodyHeight is the rows of the tree on screen: the pane less the
// footer, the header (a notice) and the cursor's full name when cut.
func (m Model) bodyHeight() int {
	return max(m.height-1-len(m.headerLines())-len(m.detailLines()), 1)
}

// refusedOnly reports whether the listing is empty because AWS refused
// to list it: no database anywhere, and refusals.
func (m Model) refusedOnly() bool {
	if m.listing == nil {
		return false
	}
	refused := false
	for _, e := range m.listing.Errors {
		refused = refused || e.Refused()
	}
	if !refused {
		return false
	}
	for _, c := range m.listing.Catalogs {
		if len(c.Databases) > 0 {
			return false
		}
	}
	return true
}

// headerLines are the lines above the tree: that it is being listed, or
// that there is nothing to browse because listing was refused, with the
// keys that explain it and run the doctor.
func (m Model) headerLines() []string {
	switch {
	case m.listing == nil:
		return []string{m.th.Muted.Render("listing the catalog…")}
	case m.filter == "" && m.refusedOnly():
		var offer []string
		if m.keys.Insert.Enabled() {
			offer = append(offer, m.keys.Insert.Help().Key+" on a ✗ explains why")
		}
		if m.keys.Doctor.Enabled() {
			offer = append(offer, m.keys.Doctor.Help().Key+" runs the doctor")
		}
		text := "Nothing to browse: AWS refused to list the databases"
		if len(offer) > 0 {
			text += ": " + strings.Join(offer, ", ")
		}
		return wrapLines(m.th.Warning, text+".", m.width, 5)
	}
	return nil
}

// detailLines is the full name of the row under the cursor when the tree
// cuts it (names are cut in the middle, so that two long names keep what
// tells them apart; this line shows the whole).
func (m Model) detailLines() []string {
	if !m.focused || len(m.flat) == 0 || m.cursor >= len(m.flat) {
		return nil
	}
	n := m.flat[m.cursor]
	if n.kind == nError || n.kind == nNote {
		return nil
	}
	if _, _, cut := m.rowText(n); !cut {
		return nil
	}
	return wrapLines(m.th.Title, n.label, m.width, 3)
}

// rowText is row n as the tree draws it, without styles: the name and,
// when both fit, its kind or type on the right (extra, "" when left out).
// A name too long for the pane is cut in the middle (cut is true): its
// start and its end stay, which is where two names of one database
// differ.
func (m Model) rowText(n node) (text, extra string, cut bool) {
	marker := "  "
	switch n.kind {
	case nCatalog, nDatabase, nTable:
		marker = "▸ "
		if m.expanded[n.key()] || (m.filter != "" && n.kind != nTable) {
			marker = "▾ "
		}
	}
	prefix := strings.Repeat("  ", n.depth) + marker
	room := m.width - lipgloss.Width(prefix)
	switch {
	case n.kind == nError:
		return clip(prefix+n.label+": "+n.extra, m.width), "", false
	case room <= 0:
		return clip(prefix, m.width), "", true
	case n.extra != "" && lipgloss.Width(n.label)+1+lipgloss.Width(n.extra) <= room:
		return prefix + n.label + strings.Repeat(" ", room-lipgloss.Width(n.label)-lipgloss.Width(n.extra)), n.extra, false
	case lipgloss.Width(n.label) <= room:
		return prefix + n.label, "", false
	}
	return prefix + clipMiddle(n.label, room), "", true
}

// wrapLines wraps text to w columns, at most limit lines (the last cut
// at its end), each rendered with st.
func wrapLines(st lipgloss.Style, text string, w, limit int) []string {
	if w <= 0 {
		return nil
	}
	lines := strings.Split(ansi.Wrap(text, w, ""), "\n")
	if len(lines) > limit {
		lines = lines[:limit]
		lines[limit-1] = clip(lines[limit-1]+" …", w)
	}
	for i, l := range lines {
		lines[i] = st.Render(l)
	}
	return lines
}

// clipMiddle cuts s to w columns by taking out its middle, marked "…",
// keeping more of the end than of the start: names of one database share
// their start more often than their end.
func clipMiddle(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	if w <= 1 {
		return clip(s, w)
	}
	rs := []rune(s)
	head := (w - 1) / 3
	tail := w - 1 - head
	return string(rs[:head]) + "…" + string(rs[len(rs)-tail:])
}

// View draws the rows on screen and a footer saying where the listing
// comes from; above the rows, a notice when listing was refused; below
// them, the cursor's full name when the tree cuts it.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := m.headerLines()
	h := m.bodyHeight()
	for i := m.top; i < len(m.flat) && i < m.top+h; i++ {
		n := m.flat[i]
		text, extra, _ := m.rowText(n)
		var line string
		switch {
		case i == m.cursor && m.focused:
			line = m.th.TreeCursor.Render(pad(text+extra, m.width))
		case n.kind == nError:
			line = m.th.Refused.Render(text)
		case n.kind == nNote:
			line = m.th.Muted.Render(text)
		default:
			// The kind or type, muted, on the right.
			line = text + m.th.Muted.Render(extra)
		}
		lines = append(lines, line)
	}
	for len(lines) < m.height-1-len(m.detailLines()) {
		lines = append(lines, "")
	}
	lines = append(lines, m.detailLines()...)
	foot := m.source
	if m.input != nil {
		foot = m.input.View()
	} else if m.filter != "" {
		foot = "/" + m.filter + " · esc clears"
	}
	lines = append(lines, m.th.Muted.Render(clip(foot, m.width)))
	return lipgloss.NewStyle().Width(m.width).MaxWidth(m.width).Render(strings.Join(lines, "\n"))
}

func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && lipgloss.Width(string(rs)) > w-1 {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

func pad(s string, w int) string {
	return s + strings.Repeat(" ", max(w-lipgloss.Width(s), 0))
}
