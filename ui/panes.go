package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/catalog"
	"github.com/quiltq/quiltq/ui/editor"
	"github.com/quiltq/quiltq/ui/explain"
	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/results"
	"github.com/quiltq/quiltq/ui/status"
)

// catalogMsg answers the catalog tree's requests and takes its listings.
func (m Model) catalogMsg(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case CatalogMsg:
		if msg.Err != nil {
			m.catalog.SetSource("refresh failed: " + msg.Err.Error())
			return m, nil
		}
		m.catalog.SetListing(msg.Listing, false, 0)
		m.explain.SetTree(msg.Listing.Errors)
		m.editor.SetIndex(editor.NewIndex(msg.Listing, m.cfg.Identity.Catalog, m.cfg.Identity.Database))
	case catalog.RefreshMsg:
		return m, listCatalog(m.ctx, m.eng)
	case catalog.InsertMsg:
		name := editor.QualifiedName(msg.Catalog, msg.Database, msg.Table, m.cfg.Identity.Catalog)
		if msg.Column != "" {
			name = editor.Quote(msg.Column)
		}
		m.editor.InsertName(name)
		m.setFocus(focusEditor)
	case catalog.PreviewMsg:
		sql := "SELECT * FROM " + editor.QualifiedName(msg.Catalog, msg.Database, msg.Table, m.cfg.Identity.Catalog) + " LIMIT 100"
		return m.requestRun(pendingRun{preview: sql})
	case catalog.ExplainMsg:
		m.explain.SetListing(msg.Refusal, m.eng.FixContext())
		m.setFocus(focusExplain)
	case catalog.DoctorMsg:
		m.setFocus(focusExplain)
		return m.startDoctor()
	case catalog.ResizeMsg:
		return m.resizeCatalog(m.geometry().catW + msg.Delta)
	}
	return m, nil
}

// explainMsg answers the explanation panel's requests: copy, apply the
// statement, run the doctor, explain a refusal of the tree.
func (m Model) explainMsg(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case explain.CopiedMsg:
		m.status.SetNote("copied the fix statement (" + engine.FormatBytes(int64(msg.Bytes)) + ")")
	case explain.ApplyRequestMsg:
		m.status.SetNote("applying the statement…")
		return m, applyFix(m.ctx, m.eng, msg.Fix)
	case FixAppliedMsg:
		if msg.Err != nil {
			m.status.SetNote("not applied: " + msg.Err.Error())
			return m, nil
		}
		// The role changed: what the tree could not list may list now.
		m.status.SetNote(msg.Note)
		m.catalog.SetSource("listing…")
		return m, listCatalog(m.ctx, m.eng)
	case explain.OpenMsg:
		m.explain.SetListing(msg.Item, m.eng.FixContext())
	case explain.DoctorRequestMsg:
		return m.startDoctor()
	case DoctorMsg:
		if msg.Run != m.doctorRun {
			return m, nil
		}
		m.explain.SetDoctor(msg.Report, msg.Fix, msg.Err)
		m.status.SetNote("the doctor's report is in the explanation panel")
	}
	return m, nil
}

// startDoctor runs the doctor's probes; the explanation panel shows them
// running, then their report.
func (m Model) startDoctor() (tea.Model, tea.Cmd) {
	if m.eng == nil || m.explain.DoctorRunning() {
		return m, nil
	}
	m.doctorRun++
	m.explain.SetDoctorRunning()
	m.status.SetNote("running the doctor's probes…")
	return m, runDoctor(m.ctx, m.eng, m.doctorRun)
}

// resultsMsg answers the grid's requests: copy, export.
func (m Model) resultsMsg(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case results.CopiedMsg:
		m.status.SetNote(fmt.Sprintf("copied %s as %s (%s)", msg.What, msg.Format, engine.FormatBytes(int64(msg.Bytes))))
	case results.ExportRequestMsg:
		m.status.SetNote("exporting to " + msg.Path + "…")
		return m, results.Export(m.ctx, m.eng.Open, msg.QueryID, msg.Path)
	case results.ExportedMsg:
		if msg.Err != nil {
			m.status.SetNote("export failed: " + msg.Err.Error())
		} else {
			m.status.SetNote(fmt.Sprintf("exported %s rows to %s", status.Count(msg.Rows), msg.Path))
		}
	}
	return m, nil
}

// historyMsg answers the history's requests (reopen, load) and takes the
// workgroup's lists.
func (m Model) historyMsg(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case WorkgroupHistoryMsg:
		m.history.SetWorkgroup(msg.Entries, msg.Err)
	case SavedMsg:
		m.history.SetSaved(msg.Queries, msg.Hidden, msg.Err)
	case history.OpenMsg:
		m.setFocus(m.back)
		return m.requestRun(pendingRun{reopenID: msg.ID, reopenSQL: msg.SQL})
	case history.LoadMsg:
		m.openSQL("loaded", msg.SQL)
		m.setFocus(focusEditor)
	}
	return m, nil
}
