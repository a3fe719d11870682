package ui

import (
	"encoding/json"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/config"
)

// Layout is what the user chose of the workbench's layout, kept between
// runs in a small JSON file beside the history (Config.LayoutFile): not
// in config.toml, which is the user's own file, written by hand, that
// quiltq never rewrites.
type Layout struct {
	// CatalogWidth is the catalog pane's width in columns, its border
	// included (0: the default, a quarter of the screen).
	CatalogWidth int `json:"catalog_width,omitempty"`
}

// LoadLayout reads the layout kept in path; a file that is missing or
// unreadable gives the default layout (it is a convenience, never a
// reason not to start).
func LoadLayout(path string) Layout {
	var l Layout
	if path == "" {
		return l
	}
	if b, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(b, &l)
	}
	l.CatalogWidth = max(l.CatalogWidth, 0)
	return l
}

// LayoutSavedMsg reports whether the layout was kept.
type LayoutSavedMsg struct{ Err error }

// saveLayout writes l to path (0600, atomically).
func saveLayout(path string, l Layout) tea.Cmd {
	if path == "" {
		return nil
	}
	return func() tea.Msg {
		b, err := json.Marshal(l)
		if err == nil {
			err = config.WritePrivate(path, append(b, '\n'))
		}
		return LayoutSavedMsg{Err: err}
	}
}

// Pane sizes: the catalog's width, the editor's share of the height.
const (
	minCatalogWidth = 16 // the narrowest the user may make it
	defCatalogMin   = 24 // the default is a quarter of the width, within these
	defCatalogMax   = 44
	minRightWidth   = 40 // the editor and the grid keep at least this
	catalogShownAt  = 70 // a narrower screen has no catalog pane
)

// geometry is where each pane goes, outer sizes including borders.
type geometry struct {
	catW, rightW   int
	editH, resultH int
	bodyH          int
}

// geometry lays the screen out: the panes, then the footer line and the
// status line.
func (m Model) geometry() geometry {
	g := geometry{bodyH: max(m.height-2, 3)}
	if m.width >= catalogShownAt {
		g.catW = min(max(m.width/4, defCatalogMin), defCatalogMax)
		if m.chosen.CatalogWidth > 0 {
			g.catW = m.chosen.CatalogWidth
		}
		g.catW = min(max(g.catW, minCatalogWidth), m.width-minRightWidth)
	}
	g.rightW = m.width - g.catW
	g.editH = max(g.bodyH*2/5, 4)
	if m.focus == focusExplain {
		// An explanation is read whole: it takes room from the editor.
		g.editH = max(g.bodyH/4, 4)
	}
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

// resizeCatalog makes the catalog pane w columns wide (within what the
// screen allows), and keeps the width for the next run.
func (m Model) resizeCatalog(w int) (tea.Model, tea.Cmd) {
	if m.width < catalogShownAt {
		m.status.SetNote(fmt.Sprintf("the catalog pane shows from %d columns wide", catalogShownAt))
		return m, nil
	}
	w = min(max(w, minCatalogWidth), m.width-minRightWidth)
	if w == m.geometry().catW && m.chosen.CatalogWidth != 0 {
		return m, nil
	}
	m.chosen.CatalogWidth = w
	m.layout()
	m.status.SetNote(fmt.Sprintf("catalog pane %d columns wide", w))
	return m, saveLayout(m.cfg.LayoutFile, m.chosen)
}
