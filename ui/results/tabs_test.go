package results

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func threeTabs() Tabs {
	ts := NewTabs(keysDefault(), themeNoColor(), 0)
	ts.SetSize(80, 10)
	ts.Focus()
	for i, title := range []string{"first", "second", "third"} {
		if i > 0 {
			ts.Add(title, "SELECT "+title)
		} else {
			ts.SetTitle(0, title)
			ts.SetSQL(0, "SELECT first")
		}
		id := "q-" + title
		ts.Reset(id, cols)
		ts.Append(sample()[:i+1])
		ts.Finish(nil)
	}
	return ts
}

func tabKeys(ts Tabs, ks ...string) Tabs {
	for _, k := range ks {
		ts, _ = ts.Update(press(k))
	}
	return ts
}

// Add selects the new tab; ] and [ (and ctrl+pgdown) switch, wrapping; X
// closes the active tab, and the last one is emptied, not removed.
func TestTabsKeys(t *testing.T) {
	ts := threeTabs()
	if ts.Len() != 3 || ts.Active() != 2 || ts.QueryID() != "q-third" || ts.Title(1) != "second" || ts.SQL(1) != "SELECT second" {
		t.Fatalf("after three: %d tabs, active %d (%s)", ts.Len(), ts.Active(), ts.QueryID())
	}
	ts = tabKeys(ts, "]")
	if ts.Active() != 0 || ts.QueryID() != "q-first" {
		t.Errorf("] from the last tab: active %d, want 0", ts.Active())
	}
	ts = tabKeys(ts, "[")
	if ts.Active() != 2 {
		t.Errorf("[ from the first tab: active %d, want 2", ts.Active())
	}
	ts = tabKeys(ts, "ctrl+pgdown")
	if ts.Active() != 0 {
		t.Errorf("ctrl+pgdown: active %d, want 0", ts.Active())
	}
	ts = tabKeys(ts, "]", "X")
	if ts.Len() != 2 || ts.Active() != 1 || ts.QueryID() != "q-third" {
		t.Errorf("closing the second tab: %d tabs, active %d (%s); want 2, the third shown", ts.Len(), ts.Active(), ts.QueryID())
	}
	ts = tabKeys(ts, "ctrl+w", "ctrl+w")
	if ts.Len() != 1 || ts.QueryID() != "" || ts.Grid().Len() != 0 {
		t.Errorf("closing every tab leaves %d tabs holding %q", ts.Len(), ts.QueryID())
	}
	if v := ansi.Strip(ts.View()); !strings.Contains(v, "No result yet") || strings.Contains(v, "×") {
		t.Errorf("the emptied last tab:\n%s", v)
	}
}

// Keys other than the tabs' go to the active grid only.
func TestTabsKeysGoToTheActiveGrid(t *testing.T) {
	ts := threeTabs()
	ts = tabKeys(ts, "down", "down")
	if r, _ := ts.Cursor(); r != 2 {
		t.Errorf("cursor of the active grid on row %d, want 2", r)
	}
	if r, _ := ts.At(0).Cursor(); r != 0 {
		t.Errorf("another tab's cursor moved to %d", r)
	}
	// While the filter bar takes text, ] is text, not the next tab.
	ts = tabKeys(ts, "/", "]")
	if ts.Active() != 2 || !ts.Capturing() {
		t.Errorf("] in the filter bar switched tabs")
	}
}

// Rows of a query go to its tab, whichever is shown.
func TestTabsFindRoutesRows(t *testing.T) {
	ts := threeTabs()
	i := ts.Find("q-first")
	if i != 0 || ts.Find("nope") != -1 || ts.Find("") != -1 {
		t.Fatalf("Find: %d", i)
	}
	ts.At(i).Append(sample()[1:])
	if ts.At(0).Len() != 3 || ts.Grid().Len() != 3 || ts.Active() != 2 {
		t.Errorf("rows for the first tab: it holds %d, the active one %d", ts.At(0).Len(), ts.Grid().Len())
	}
}

// A click on a tab selects it, on its × closes it; clicks below go to the
// grid, less the bar's line.
func TestTabsClick(t *testing.T) {
	ts := threeTabs()
	_, items := ts.bar()
	ts.Click(items[0].x+2, 0)
	if ts.Active() != 0 {
		t.Fatalf("click on the first tab: active %d", ts.Active())
	}
	ts.Click(1, 3) // bar, header, row 1, row 2
	if r, _ := ts.Cursor(); r != 0 {
		t.Errorf("a click on the first tab's only row put the cursor on %d", r)
	}
	ts.Select(2)
	ts.Click(1, 3)
	if r, _ := ts.Cursor(); r != 1 {
		t.Errorf("a click on the second row put the cursor on %d, want 1", r)
	}
	_, items = ts.bar()
	ts.Click(items[1].closeX, 0)
	if ts.Len() != 2 || ts.Title(1) != "third" {
		t.Errorf("click on the second tab's ×: %d tabs, titles %s %s", ts.Len(), ts.Title(0), ts.Title(1))
	}
}

// Q shows the SQL that made the result above it, and hides it again;
// the grid gives up the lines.
func TestTabsShowSQL(t *testing.T) {
	ts := threeTabs()
	if strings.Contains(ansi.Strip(ts.View()), "SELECT third") {
		t.Fatal("the SQL is shown before it is asked for")
	}
	before := ts.Grid().bodyHeight()
	ts = tabKeys(ts, "Q")
	if v := ansi.Strip(ts.View()); !strings.Contains(v, "SELECT third") || !ts.SQLShown(2) {
		t.Fatalf("Q does not show the SQL:\n%s", v)
	}
	if after := ts.Grid().bodyHeight(); after != before-2 {
		t.Errorf("the grid has %d rows with the SQL shown, want %d", after, before-2)
	}
	if got := strings.Count(ts.View(), "\n") + 1; got != 10 {
		t.Errorf("the view is %d lines, want the pane's 10", got)
	}
	ts = tabKeys(ts, "Q")
	if strings.Contains(ansi.Strip(ts.View()), "SELECT third") {
		t.Error("a second Q does not hide the SQL")
	}
}

// The root's calls reach the active tab: Reset, SetMessage, Append,
// Finish, SetStats, Total, Capped, Overlay, Close, Wheel.
func TestTabsDelegate(t *testing.T) {
	ts := NewTabs(keysDefault(), themeNoColor(), 2)
	ts.SetSize(60, 8)
	ts.Focus()
	ts.SetRunKeys("f5")
	if v := ansi.Strip(ts.View()); !strings.Contains(v, "(f5)") {
		t.Errorf("empty tab: %s", v)
	}
	ts.SetStats(Stats{QueryID: "q", Scanned: 1})
	ts.Reset("q", cols)
	ts.Append(sample())
	ts.Finish(nil)
	if ts.Total() != 3 || !ts.Capped() || ts.Columns()[0].Name != "id" {
		t.Errorf("total %d capped %v", ts.Total(), ts.Capped())
	}
	if _, ok := ts.Grid().Stats(); !ok {
		t.Error("the statistics set before Reset of the same query were lost")
	}
	ts.Wheel(1)
	ts, _ = ts.Update(press("x"))
	if !ts.Overlay() {
		t.Error("no overlay after x")
	}
	ts.Close()
	if ts.Overlay() {
		t.Error("Close left the overlay open")
	}
	ts.SetMessage("q2", "done: 3 rows inserted")
	if v := ansi.Strip(ts.View()); !strings.Contains(v, "3 rows inserted") || ts.QueryID() != "q2" {
		t.Errorf("message: %s", v)
	}
	if v, ok := ts.Cell(); ok {
		t.Errorf("a message has a cell: %v", v)
	}
}

// A tab's key stays its own while other tabs close, so that a result
// still arriving finds its tab, or finds it closed; Clear leaves one
// fresh tab with a key never used before.
func TestTabsKeysOutliveIndexes(t *testing.T) {
	ts := threeTabs()
	third := ts.Key(2)
	ts.CloseTab(0)
	if i := ts.Index(third); i != 1 || ts.Title(i) != "third" {
		t.Errorf("after closing the first tab, the third's key is at %d (%q), want 1", i, ts.Title(max(i, 0)))
	}
	ts.CloseTab(1)
	if i := ts.Index(third); i != -1 {
		t.Errorf("a closed tab's key is at %d, want -1", i)
	}
	k := ts.Clear("fresh", "SELECT 1")
	if ts.Len() != 1 || ts.Index(k) != 0 || k == third || ts.Title(0) != "fresh" || ts.QueryID() != "" {
		t.Errorf("Clear: %d tabs, key %d at %d, title %q, query %q", ts.Len(), k, ts.Index(k), ts.Title(0), ts.QueryID())
	}
}
