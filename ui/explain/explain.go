// Package explain is the workbench's explanation panel: a refusal (by the
// local grant check before a query runs, or by AWS after) with the
// missing actions, the resources, the principal, the kind of policy that
// refused, who can fix it and the statement that would, which can be
// copied. With no refusal of a query it lists the catalog tree's
// refusals, and explains the one picked. From the panel a key runs
// `quiltq doctor`'s probes for the session, whose report is shown below
// the refusal; the keys it offers are named at its top.
package explain

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	engexplain "github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

// Source says who refused.
type Source string

// The two sources of a refusal.
const (
	Local Source = "the local grant check (nothing was sent to AWS)"
	AWS   Source = "AWS"
)

// CopiedMsg reports that the fix statement was put on the clipboard.
type CopiedMsg struct{ Bytes int }

// DoctorRequestMsg asks for the doctor's probes to be run for the
// session; the root runs them and hands the report to SetDoctor.
type DoctorRequestMsg struct{}

// doctorState is where the doctor's report is.
type doctorState int

const (
	doctorNone doctorState = iota
	doctorRunning
	doctorDone
)

// refusal is one refusal explained: a query's, or an item of the catalog
// tree that could not be listed.
type refusal struct {
	source  Source
	err     error
	queryID string
	listing *engine.ListError // set for a tree refusal
	denial  engexplain.Denial
	remedy  engexplain.Remedy
	fix     *engexplain.Policy // from the refusal's text alone
	// wholeFix is the statement that fixes the whole query, once worked
	// out (QueryFixMsg); notes say what it could not tell.
	wholeFix string
	notes    []string
}

func newRefusal(source Source, queryID string, err error, ctx engexplain.Context) *refusal {
	r := &refusal{source: source, err: err, queryID: queryID}
	r.denial = engexplain.Parse(err.Error())
	r.remedy = r.denial.Remedy()
	r.fix = engexplain.FixDenial(r.denial, ctx)
	return r
}

// Model is the panel.
type Model struct {
	keys keys.Results // scrolling and copying share the grid's keys
	ex   keys.Explain
	th   theme.Theme

	doctor    doctorState
	doctorOut string
	doctorErr error
	doctorFix string // the doctor's statement, once it reported

	// r is the refusal shown (nil: none); back is what closing it shows
	// again (a tree refusal opened over a query's keeps the query's).
	r, back *refusal
	// tree is the catalog tree's refusals, listed (and picked with the
	// cursor pick) when no refusal is shown.
	tree []engine.ListError
	pick int

	top           int
	width, height int
	focused       bool
}

// New returns an empty panel.
func New(km keys.Results, ex keys.Explain, th theme.Theme) Model {
	return Model{keys: km, ex: ex, th: th}
}

// SetDoctorRunning says the doctor's probes are running.
func (m *Model) SetDoctorRunning() {
	m.doctor, m.doctorOut, m.doctorErr, m.doctorFix = doctorRunning, "", nil, ""
	m.top = m.doctorLine()
}

// SetDoctor shows the doctor's report (or why it could not be made), and
// scrolls to it; fix is its statement, which y copies and a applies from
// then on.
func (m *Model) SetDoctor(report, fix string, err error) {
	m.doctor, m.doctorOut, m.doctorErr, m.doctorFix = doctorDone, strings.TrimRight(report, "\n"), err, fix
	m.top = m.doctorLine()
}

// OpenMsg asks for the tree refusal Item to be explained (the root
// explains it with the session's context: SetListing).
type OpenMsg struct{ Item engine.ListError }

// ApplyRequestMsg asks for the statement Fix to be added to the role
// (which only the sandbox allows).
type ApplyRequestMsg struct{ Fix string }

// DoctorRunning reports whether the doctor's probes are running.
func (m Model) DoctorRunning() bool { return m.doctor == doctorRunning }

// Wheel scrolls n lines (negative: up).
func (m *Model) Wheel(n int) { m.top = max(m.top+n, 0) }

// SetSize sets the inner size of the pane.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Focus gives the panel the keys.
func (m *Model) Focus() { m.focused = true }

// Blur takes the keys away.
func (m *Model) Blur() { m.focused = false }

// Set explains err, a refusal of query queryID ("" when it never ran) by
// source, with what the session knows (region, account, workgroup) to
// build the fix statement.
func (m *Model) Set(source Source, queryID string, err error, ctx engexplain.Context) {
	m.r, m.back, m.top = newRefusal(source, queryID, err, ctx), nil, 0
	// A new refusal makes an earlier doctor's report stale.
	m.doctor, m.doctorOut, m.doctorErr, m.doctorFix = doctorNone, "", nil, ""
}

// SetTree lists the catalog tree's refusals, shown (and picked from)
// when no refusal is.
func (m *Model) SetTree(errs []engine.ListError) {
	m.tree = errs
	m.pick = max(min(m.pick, len(errs)-1), 0)
}

// SetListing explains e, an item of the catalog tree that AWS refused to
// list. Closing it (Close) shows again what was shown before.
func (m *Model) SetListing(e engine.ListError, ctx engexplain.Context) {
	back := m.r
	if back != nil && back.listing != nil {
		back = m.back
	}
	m.r = newRefusal(AWS, "", errors.New(e.Message), ctx)
	m.r.listing = &e
	m.back, m.top = back, 0
}

// Picking reports whether the catalog tree's refusals are listed to
// pick one from (no query refused).
func (m Model) Picking() bool { return m.r == nil && len(m.tree) > 0 }

// Overlay reports whether a tree refusal is shown, which Close closes.
func (m Model) Overlay() bool { return m.r != nil && m.r.listing != nil }

// Close closes the tree refusal shown, back to what was shown before it
// (the query's refusal, or the list of the tree's).
func (m *Model) Close() {
	if m.Overlay() {
		m.r, m.back, m.top = m.back, nil, 0
	}
}

// SetQueryFix replaces the statement read from the query's refusal with
// the one that fixes the whole query (every permission it lacks), once it
// is worked out. With err, the text's statement stays, with the reason.
func (m *Model) SetQueryFix(fix string, notes []string, err error) {
	r := m.r
	if r == nil || r.listing != nil {
		r = m.back
	}
	if r == nil {
		return
	}
	if err != nil {
		r.notes = []string{"the whole query's needs could not be worked out: " + err.Error()}
		return
	}
	r.wholeFix, r.notes = fix, notes
}

// Empty reports whether there is nothing to explain.
func (m Model) Empty() bool { return m.r == nil }

// Fix is the fix statement as JSON, "" when there is none: the doctor's
// after it reported, else the whole query's once it is known, else the one
// the refusal's text supports.
func (m Model) Fix() string {
	if m.doctorFix != "" {
		// The doctor's report is the last thing shown: its statement.
		return m.doctorFix
	}
	switch {
	case m.r == nil:
		return ""
	case m.r.wholeFix != "":
		return m.r.wholeFix
	case m.r.fix != nil:
		return m.r.fix.JSON()
	}
	return ""
}

// Update scrolls and copies.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	listing := m.Picking()
	switch {
	case listing && key.Matches(k, m.keys.Up):
		m.pick = max(m.pick-1, 0)
	case listing && key.Matches(k, m.keys.Down):
		m.pick = min(m.pick+1, len(m.tree)-1)
	case listing && key.Matches(k, m.ex.Open):
		e := m.tree[m.pick]
		return m, func() tea.Msg { return OpenMsg{Item: e} }
	case key.Matches(k, m.keys.Up):
		m.top = max(m.top-1, 0)
	case key.Matches(k, m.keys.Down):
		m.top++
	case key.Matches(k, m.keys.PageUp):
		m.top = max(m.top-m.height, 0)
	case key.Matches(k, m.keys.PageDown):
		m.top += m.height
	case key.Matches(k, m.ex.Doctor):
		if m.doctor == doctorRunning {
			return m, nil
		}
		return m, func() tea.Msg { return DoctorRequestMsg{} }
	case key.Matches(k, m.ex.Apply):
		fix := m.Fix()
		if fix == "" {
			return m, nil
		}
		return m, func() tea.Msg { return ApplyRequestMsg{Fix: fix} }
	case key.Matches(k, m.keys.CopyCell), key.Matches(k, m.keys.CopyRow):
		text := m.Fix()
		if text == "" && m.r != nil {
			text = m.r.err.Error()
		}
		if text == "" {
			return m, nil
		}
		n := len(text)
		return m, tea.Batch(tea.SetClipboard(text), func() tea.Msg { return CopiedMsg{Bytes: n} })
	}
	return m, nil
}

// Lines is the panel's text, one entry a line, before scrolling: the
// keys it offers, the refusal (or the tree's refusals to pick from), the
// doctor's section.
func (m Model) Lines() []string {
	out := []string{m.keysLine(), ""}
	out = append(out, m.refusalLines()...)
	return append(out, m.doctorLines()...)
}

// keysLine names the keys the panel offers, from the keymap.
func (m Model) keysLine() string {
	var ks []string
	add := func(b key.Binding, what string) {
		if b.Enabled() {
			ks = append(ks, b.Help().Key+" "+what)
		}
	}
	switch {
	case m.Picking():
		add(m.ex.Open, "explain the refusal picked")
	case m.Fix() != "":
		add(m.keys.CopyCell, "copy the statement")
		add(m.ex.Apply, "apply it (sandbox only)")
	case m.r != nil:
		add(m.keys.CopyCell, "copy the refusal")
	}
	add(m.ex.Doctor, "doctor")
	return m.th.Muted.Render("keys: " + strings.Join(ks, " · "))
}

// doctorLines is the doctor's section: a hint, the probes running, or
// their report.
func (m Model) doctorLines() []string {
	keysHelp := m.ex.Doctor.Help().Key
	switch m.doctor {
	case doctorRunning:
		return []string{"", m.th.Title.Render("Doctor"), m.th.Muted.Render("running the probes: identity, registry, workgroups, catalogs, a query…")}
	case doctorDone:
		out := []string{"", m.th.Title.Render("Doctor (" + keysHelp + " runs it again)")}
		if m.doctorErr != nil {
			out = append(out, m.th.Error.Render("the probes did not finish: "+m.doctorErr.Error()))
		}
		if m.doctorOut != "" {
			out = append(out, strings.Split(m.doctorOut, "\n")...)
		}
		return out
	}
	if !m.ex.Doctor.Enabled() {
		return nil
	}
	return []string{"", m.th.Muted.Render(keysHelp + " runs `quiltq doctor`'s probes for this session: what works, what is refused, and one statement that fixes it all.")}
}

// doctorLine is the first wrapped line of the doctor's section, below
// the keys line, which does not scroll.
func (m Model) doctorLine() int {
	n := 0
	for _, l := range append([]string{""}, m.refusalLines()...) {
		n += len(wrap(l, max(m.width, 1)))
	}
	return n
}

func (m Model) refusalLines() []string {
	if m.r == nil {
		return m.treeLines()
	}
	r := m.r
	d := r.denial
	var out []string
	add := func(label, v string) {
		if v != "" {
			out = append(out, m.th.Title.Render(fmt.Sprintf("%-10s", label))+" "+v)
		}
	}
	head := "Refused by " + string(r.source)
	said := "AWS said:"
	switch {
	case r.queryID != "":
		head += " · query " + r.queryID
	case r.listing != nil && !r.listing.Refused():
		head, said = "Not listed: "+r.listing.Item+" ("+r.listing.Action+" failed; not a refusal)", "The listing said:"
	case r.listing != nil:
		head += " · listing " + r.listing.Item + " (" + r.listing.Action + ")"
	}
	out = append(out, m.th.Error.Render(head), "")
	add("missing", strings.Join(d.Needed(), ", "))
	add("resource", strings.Join(d.Resources, ", "))
	add("principal", d.Principal)
	if d.PolicyType != "" || d.Denied {
		pt := d.PolicyType
		if pt == "" {
			pt = "not named"
		}
		if d.ExplicitDeny {
			pt += " (an explicit Deny)"
		} else if d.Denied {
			pt += " (no statement allows it)"
		}
		add("policy", pt)
	}
	add("who fixes", r.remedy.Who)
	add("why", r.remedy.Why)
	if r.source == Local {
		said = "The grant check said:"
	}
	out = append(out, "", m.th.Muted.Render(said))
	out = append(out, strings.Split(r.err.Error(), "\n")...)
	switch {
	case r.wholeFix != "":
		out = append(out, "", m.th.Title.Render("The statement that fixes the whole query ("+m.keys.CopyCell.Help().Key+" copies it):"))
		out = append(out, strings.Split(r.wholeFix, "\n")...)
	case r.fix != nil:
		out = append(out, "", m.th.Title.Render("The statement that fixes it ("+m.keys.CopyCell.Help().Key+" copies it):"))
		out = append(out, strings.Split(r.fix.JSON(), "\n")...)
	}
	for _, n := range r.notes {
		out = append(out, m.th.Muted.Render("note: "+n))
	}
	if r.listing != nil && m.back != nil {
		out = append(out, "", m.th.Muted.Render("esc goes back to the query's refusal."))
	} else if r.listing != nil && len(m.tree) > 0 {
		out = append(out, "", m.th.Muted.Render("esc goes back to the tree's refusals."))
	}
	out = append(out, "", m.th.Muted.Render("`quiltq explain` explains a pasted error the same way."))
	return out
}

// treeLines is what the panel shows with no refusal: the catalog tree's
// refusals to pick from, or that nothing was refused.
func (m Model) treeLines() []string {
	if len(m.tree) == 0 {
		return []string{m.th.Muted.Render("Nothing refused yet. When the grant check or AWS refuses a query, or the catalog cannot be listed, it is explained here.")}
	}
	n := fmt.Sprintf("%d items", len(m.tree))
	if len(m.tree) == 1 {
		n = "1 item"
	}
	n = strings.ToUpper(n[:1]) + n[1:]
	out := []string{m.th.Title.Render("No query was refused. " + n + " of the catalog tree could not be listed:"), ""}
	for i, e := range m.tree {
		verb := "refused"
		if !e.Refused() {
			verb = "failed"
		}
		line := "✗ " + e.Item + ": " + e.Action + " " + verb
		if i == m.pick {
			out = append(out, m.th.TreeCursor.Render("▸ "+line))
			continue
		}
		out = append(out, "  "+line)
	}
	return out
}

// View draws the panel.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	// The keys stay on the first line; the rest scrolls below them.
	head := wrap(m.keysLine(), m.width)
	h := max(m.height-len(head), 1)
	var lines []string
	for _, l := range m.Lines()[1:] {
		lines = append(lines, wrap(l, m.width)...)
	}
	top := min(m.top, max(len(lines)-h, 0))
	lines = append(head, lines[top:min(top+h, len(lines))]...)
	return lipgloss.NewStyle().Width(m.width).Height(m.height).MaxHeight(m.height).Render(strings.Join(lines, "\n"))
}

// wrap cuts a line into pieces of at most w columns, at spaces where it
// can (long ARNs are cut where they must), keeping styles intact.
func wrap(s string, w int) []string {
	if lipgloss.Width(s) <= w {
		return []string{s}
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}
