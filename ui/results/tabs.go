package results

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

// maxTitleWidth caps a tab's title on the tab bar.
const maxTitleWidth = 24

// tab is one result of Tabs: its title, the SQL that made it, its grid.
type tab struct {
	key     int // the tab's own number, kept while other tabs open and close
	title   string
	sql     string
	showSQL bool
	grid    Model
}

// Tabs holds several results, one grid each, with a tab bar when there
// are two or more (switched by keys or a click, closed by a key or a
// click on ×), and the SQL that made the result shown above its grid on
// demand. Every method of Model the root uses is here too, for the active
// tab, so that the root holds a Tabs where it held a Model; Add, Select,
// Len, Find and At address the tabs. There is always at least one tab:
// closing the last one empties it.
type Tabs struct {
	keys    keys.Results
	th      theme.Theme
	cap     int
	runKeys string

	tabs          []tab
	nextKey       int
	active        int
	width, height int
	focused       bool
}

// NewTabs returns one empty result tab whose grids hold at most
// displayCap rows (DefaultCap when 0).
func NewTabs(km keys.Results, th theme.Theme, displayCap int) Tabs {
	t := Tabs{keys: km, th: th, cap: displayCap}
	t.tabs = []tab{t.newTab("Result", "")}
	return t
}

func (t *Tabs) newTab(title, sql string) tab {
	g := New(t.keys, t.th, t.cap)
	g.SetRunKeys(t.runKeys)
	t.nextKey++
	return tab{key: t.nextKey, title: title, sql: sql, grid: g}
}

// Key is tab i's own number: it stays the tab's while others open and
// close (its index moves), so that a result still arriving finds its tab
// (Index), or finds it closed.
func (t Tabs) Key(i int) int { return t.tabs[i].key }

// Index is the index of the tab whose key is k, or -1 when it was closed.
func (t Tabs) Index(k int) int {
	for i := range t.tabs {
		if t.tabs[i].key == k {
			return i
		}
	}
	return -1
}

// Clear closes every tab, leaving one empty tab titled title for the
// result of sql, and returns its key.
func (t *Tabs) Clear(title, sql string) int {
	t.tabs = []tab{t.newTab(title, sql)}
	t.active = 0
	t.Select(0)
	return t.tabs[0].key
}

// Len is the number of tabs.
func (t Tabs) Len() int { return len(t.tabs) }

// Active is the index of the tab shown.
func (t Tabs) Active() int { return t.active }

// Add opens a tab titled title for the result of sql, selects it and
// returns its index. Its grid is empty until Reset (or At(i).Reset).
func (t *Tabs) Add(title, sql string) int {
	t.tabs = append(t.tabs, t.newTab(title, sql))
	t.Select(len(t.tabs) - 1)
	return len(t.tabs) - 1
}

// Select shows tab i.
func (t *Tabs) Select(i int) {
	if i < 0 || i >= len(t.tabs) {
		return
	}
	t.tabs[t.active].grid.Blur()
	t.active = i
	if t.focused {
		t.tabs[i].grid.Focus()
	}
	t.relayout()
}

// CloseTab closes tab i; the last tab is emptied rather than closed.
func (t *Tabs) CloseTab(i int) {
	if i < 0 || i >= len(t.tabs) {
		return
	}
	if len(t.tabs) == 1 {
		t.tabs[0] = t.newTab("Result", "")
		t.Select(0)
		return
	}
	a := t.active
	t.tabs = append(t.tabs[:i], t.tabs[i+1:]...)
	switch {
	case i < a:
		a--
	case a >= len(t.tabs):
		a = len(t.tabs) - 1
	}
	t.active = a
	t.Select(a)
}

// Find is the index of the tab holding query id's result, or -1.
func (t Tabs) Find(id string) int {
	for i := range t.tabs {
		if t.tabs[i].grid.queryID == id && id != "" {
			return i
		}
	}
	return -1
}

// At is tab i's grid, to fill a result that is not the active one (the
// rows of each statement of a run to its own tab). Valid until the tabs
// change.
func (t *Tabs) At(i int) *Model { return &t.tabs[i].grid }

// Grid is the active tab's grid.
func (t *Tabs) Grid() *Model { return &t.tabs[t.active].grid }

// Title and SQL are tab i's title and the SQL that made its result.
func (t Tabs) Title(i int) string { return t.tabs[i].title }

// SQL is the SQL that made tab i's result.
func (t Tabs) SQL(i int) string { return t.tabs[i].sql }

// SetTitle retitles tab i.
func (t *Tabs) SetTitle(i int, title string) { t.tabs[i].title = title }

// SetSQL sets the SQL that made tab i's result.
func (t *Tabs) SetSQL(i int, sql string) {
	t.tabs[i].sql = sql
	t.relayout()
}

// ShowSQL shows (or hides) tab i's SQL above its grid: a result reopened
// from history is shown with its SQL.
func (t *Tabs) ShowSQL(i int, on bool) {
	t.tabs[i].showSQL = on
	t.relayout()
}

// SQLShown reports whether tab i's SQL is shown.
func (t Tabs) SQLShown(i int) bool { return t.tabs[i].showSQL && t.tabs[i].sql != "" }

// SetRunKeys sets the run keys the empty grids name.
func (t *Tabs) SetRunKeys(k string) {
	t.runKeys = k
	for i := range t.tabs {
		t.tabs[i].grid.SetRunKeys(k)
	}
}

// SetSize sets the inner size of the pane.
func (t *Tabs) SetSize(w, h int) {
	t.width, t.height = w, h
	t.relayout()
}

// barHeight is the tab bar's lines: none for a lone tab.
func (t Tabs) barHeight() int {
	if len(t.tabs) > 1 {
		return 1
	}
	return 0
}

// sqlLines are the lines of the active tab's SQL shown above its grid:
// at most a third of the pane, the last saying how many more there are.
func (t Tabs) sqlLines() []string {
	tb := t.tabs[t.active]
	if !tb.showSQL || tb.sql == "" || t.height < 6 {
		return nil
	}
	lines := strings.Split(strings.TrimRight(tb.sql, "\n"), "\n")
	room := max((t.height-t.barHeight())/3, 1)
	if len(lines) > room {
		more := len(lines) - room + 1
		lines = append(lines[:room-1:room-1], "… "+strconv.Itoa(more)+" more lines")
	}
	return lines
}

func (t *Tabs) relayout() {
	top := t.barHeight()
	if sql := t.sqlLines(); len(sql) > 0 {
		top += len(sql) + 1 // and a rule under it
	}
	for i := range t.tabs {
		h := t.height - t.barHeight()
		if i == t.active {
			h = t.height - top
		}
		t.tabs[i].grid.SetSize(t.width, max(h, 0))
	}
}

// Focus and Blur set whether keys go to the active grid.
func (t *Tabs) Focus() {
	t.focused = true
	t.tabs[t.active].grid.Focus()
}

// Blur takes the focus away.
func (t *Tabs) Blur() {
	t.focused = false
	t.tabs[t.active].grid.Blur()
}

// Capturing reports whether the active grid takes printable keys.
func (t Tabs) Capturing() bool { return t.tabs[t.active].grid.Capturing() }

// Overlay reports whether the active grid has an overlay open.
func (t Tabs) Overlay() bool { return t.tabs[t.active].grid.Overlay() }

// Close closes the active grid's overlay.
func (t *Tabs) Close() { t.tabs[t.active].grid.Close() }

// Reset starts the active tab's result of query id with cols.
func (t *Tabs) Reset(id string, cols []engine.Column) { t.tabs[t.active].grid.Reset(id, cols) }

// SetMessage clears the active tab's grid and shows msg instead.
func (t *Tabs) SetMessage(id, msg string) { t.tabs[t.active].grid.SetMessage(id, msg) }

// QueryID is the query whose rows the active tab holds.
func (t Tabs) QueryID() string { return t.tabs[t.active].grid.QueryID() }

// Columns are the active result's columns.
func (t Tabs) Columns() []engine.Column { return t.tabs[t.active].grid.Columns() }

// Append adds rows to the active tab's result.
func (t *Tabs) Append(rows []engine.Row) { t.tabs[t.active].grid.Append(rows) }

// Finish marks the active tab's stream ended.
func (t *Tabs) Finish(err error) { t.tabs[t.active].grid.Finish(err) }

// Total is the rows the active tab received.
func (t Tabs) Total() int64 { return t.tabs[t.active].grid.Total() }

// Capped reports whether the active tab's result passed the display cap.
func (t Tabs) Capped() bool { return t.tabs[t.active].grid.Capped() }

// Cursor is the active grid's cursor.
func (t Tabs) Cursor() (row, col int) { return t.tabs[t.active].grid.Cursor() }

// Cell is the value under the active grid's cursor.
func (t Tabs) Cell() (engine.Value, bool) { return t.tabs[t.active].grid.Cell() }

// SetStats shows s above the active tab's grid.
func (t *Tabs) SetStats(s Stats) { t.tabs[t.active].grid.SetStats(s) }

// Update handles the tabs' keys, and hands the others to the active grid.
func (t Tabs) Update(msg tea.Msg) (Tabs, tea.Cmd) {
	g := &t.tabs[t.active].grid
	if k, ok := msg.(tea.KeyPressMsg); ok && t.focused && !g.Capturing() {
		switch {
		case key.Matches(k, t.keys.NextTab):
			t.Select((t.active + 1) % len(t.tabs))
			return t, nil
		case key.Matches(k, t.keys.PrevTab):
			t.Select((t.active + len(t.tabs) - 1) % len(t.tabs))
			return t, nil
		case key.Matches(k, t.keys.CloseTab):
			t.CloseTab(t.active)
			return t, nil
		case key.Matches(k, t.keys.ShowSQL):
			t.ShowSQL(t.active, !t.tabs[t.active].showSQL)
			return t, nil
		}
	}
	var cmd tea.Cmd
	*g, cmd = g.Update(msg)
	return t, cmd
}

// barItem is one tab's place on the bar: from x, w wide, its × at closeX.
type barItem struct{ tab, x, w, closeX int }

// bar lays the tab bar out from the first tab that lets the active one
// be seen, and renders it.
func (t Tabs) bar() (string, []barItem) {
	labels := make([]string, len(t.tabs))
	for i, tb := range t.tabs {
		title := strings.ReplaceAll(tb.title, "\n", " ")
		var b strings.Builder
		if textWidth(title) > maxTitleWidth {
			fit(&b, title, maxTitleWidth)
			title = strings.TrimRight(b.String(), " ")
		} else {
			fit(&b, title, textWidth(title))
			title = b.String()
		}
		// The active tab is bracketed, so that it shows without colour.
		open, end := " ", " "
		if i == t.active {
			open, end = "[", "]"
		}
		labels[i] = open + strconv.Itoa(i+1) + " " + title + " ×" + end
	}
	first := 0
	for first < t.active {
		w := 2 // room for the "‹ " marker
		for i := first; i <= t.active; i++ {
			w += textWidth(labels[i]) + 1
		}
		if w <= t.width {
			break
		}
		first++
	}
	var b strings.Builder
	var items []barItem
	x := 0
	if first > 0 {
		b.WriteString(t.th.Muted.Render("‹ "))
		x = 2
	}
	for i := first; i < len(t.tabs); i++ {
		lw, sepW := textWidth(labels[i]), min(i-first, 1)
		if x+sepW+lw > t.width {
			b.WriteString(t.th.Muted.Render("›"))
			break
		}
		if sepW > 0 {
			b.WriteString(t.th.Muted.Render("│"))
			x++
		}
		st := t.th.Muted
		if i == t.active {
			st = t.th.Title.Reverse(true)
		}
		b.WriteString(st.Render(labels[i]))
		items = append(items, barItem{tab: i, x: x, w: lw, closeX: x + lw - 2})
		x += lw
	}
	return lipgloss.NewStyle().MaxWidth(t.width).Render(b.String()), items
}

// View renders the tab bar (two tabs or more), the active tab's SQL when
// shown, and its grid.
func (t Tabs) View() string {
	if t.width <= 0 || t.height <= 0 {
		return ""
	}
	var parts []string
	if t.barHeight() > 0 {
		s, _ := t.bar()
		parts = append(parts, s)
	}
	if sql := t.sqlLines(); len(sql) > 0 {
		for _, l := range sql {
			var b strings.Builder
			fit(&b, strings.ReplaceAll(l, "\t", "    "), t.width)
			parts = append(parts, t.th.Muted.Render(b.String()))
		}
		parts = append(parts, t.th.Muted.Render(strings.Repeat("─", t.width)))
	}
	parts = append(parts, t.tabs[t.active].grid.View())
	return strings.Join(parts, "\n")
}

// Click selects the tab clicked on the bar (or closes it, on its ×), or
// hands the click to the active grid.
func (t *Tabs) Click(x, y int) {
	if t.barHeight() > 0 {
		if y == 0 {
			_, items := t.bar()
			for _, it := range items {
				if x >= it.x && x < it.x+it.w {
					if x == it.closeX {
						t.CloseTab(it.tab)
					} else {
						t.Select(it.tab)
					}
					return
				}
			}
			return
		}
		y--
	}
	if sql := t.sqlLines(); len(sql) > 0 {
		y -= len(sql) + 1
		if y < 0 {
			return
		}
	}
	t.tabs[t.active].grid.Click(x, y)
}

// Wheel scrolls the active grid.
func (t *Tabs) Wheel(n int) { t.tabs[t.active].grid.Wheel(n) }

// ShortHelp is the bindings a footer of the focused pane names.
func (t Tabs) ShortHelp() []key.Binding {
	bs := []key.Binding{t.keys.Inspect, t.keys.Record, t.keys.Sort, t.keys.Filter, t.keys.Export}
	if len(t.tabs) > 1 {
		bs = append(bs, t.keys.NextTab, t.keys.CloseTab)
	}
	return bs
}

// FullHelp is every binding of the results, in groups.
func (t Tabs) FullHelp() [][]key.Binding {
	k := t.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Left, k.Right, k.PageUp, k.PageDown, k.Top, k.Bottom, k.First, k.Last},
		{k.Inspect, k.Record, k.Select, k.CopyCell, k.CopyRow, k.CopyFormat, k.Export},
		{k.Sort, k.Filter, k.Freeze, k.Widen, k.Narrow, k.AutoWidth},
		{k.ShowSQL, k.NextTab, k.PrevTab, k.CloseTab},
	}
}
