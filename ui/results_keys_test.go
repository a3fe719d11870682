package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
)

// The root hands the results' keys to its tabs: o sorts, / opens the
// filter bar, which then takes printable keys (? included) as text; esc
// closes it without quitting the pane.
func TestRootRoutesResultKeys(t *testing.T) {
	m := newModel(nil)
	m.results.Reset("q1", []engine.Column{{Name: "n", Type: "bigint"}, {Name: "s", Type: "varchar"}})
	m.results.Append([]engine.Row{{{Text: "10"}, {Text: "a?"}}, {{Text: "9"}, {Text: "b"}}})
	m.results.Finish(nil)
	press := func(k tea.KeyPressMsg) {
		mm, _ := m.Update(k)
		m = mm.(Model)
	}
	text := func(s string) {
		for _, r := range s {
			press(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
	}
	press(tea.KeyPressMsg{Code: tea.KeyF4})
	text("o")
	if v, _ := m.results.Cell(); v.Text != "10" {
		t.Fatalf("after o the cursor is on %q, want it kept on 10", v.Text)
	}
	if r, _ := m.results.Cursor(); r != 1 {
		t.Errorf("after o (ascending) 10 is at row %d, want 1 (9 sorts first)", r)
	}
	text("/?")
	if m.help || !m.results.Capturing() {
		t.Fatalf("? in the filter bar opened help (%v), or the bar is closed", m.help)
	}
	press(tea.KeyPressMsg{Code: tea.KeyEnter})
	if got := m.results.Grid().Shown(); got != 1 {
		t.Errorf("filter ? shows %d rows, want 1", got)
	}
	if v := ansi.Strip(m.Render()); !strings.Contains(v, `filter "?": 1 of 2 rows`) {
		t.Errorf("the screen does not say 1 of 2 rows:\n%s", v)
	}
	text("/")
	press(tea.KeyPressMsg{Code: tea.KeyEscape})
	if m.results.Capturing() || m.focus != focusResults {
		t.Errorf("esc did not close the filter bar in place")
	}
}
