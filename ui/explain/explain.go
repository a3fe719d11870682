// Package explain is the workbench's explanation panel: a refusal (by the
// local grant check before a query runs, or by AWS after) with the
// missing actions, the resources, the principal, the kind of policy that
// refused, who can fix it and the statement that would, which can be
// copied. From the panel a key runs `quiltq doctor`'s probes for the
// session, whose report is shown below the refusal.
package explain

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

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

// Model is the panel.
type Model struct {
	keys keys.Results // scrolling and copying share the grid's keys
	ex   keys.Explain
	th   theme.Theme

	doctor    doctorState
	doctorOut string
	doctorErr error
	doctorFix string // the doctor's statement, once it reported

	source  Source
	err     error
	queryID string
	denial  engexplain.Denial
	remedy  engexplain.Remedy
	fix     *engexplain.Policy // from the refusal's text alone
	// wholeFix is the statement that fixes the whole query, once worked
	// out (QueryFixMsg); notes say what it could not tell.
	wholeFix string
	notes    []string

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
	m.source, m.err, m.queryID, m.top = source, err, queryID, 0
	m.wholeFix, m.notes = "", nil
	// A new refusal makes an earlier doctor's report stale.
	m.doctor, m.doctorOut, m.doctorErr, m.doctorFix = doctorNone, "", nil, ""
	m.denial = engexplain.Parse(err.Error())
	m.remedy = m.denial.Remedy()
	m.fix = engexplain.FixDenial(m.denial, ctx)
}

// SetQueryFix replaces the statement read from the refusal's text with
// the one that fixes the whole query (every permission it lacks), once it
// is worked out. With err, the text's statement stays, with the reason.
func (m *Model) SetQueryFix(fix string, notes []string, err error) {
	if err != nil {
		m.notes = []string{"the whole query's needs could not be worked out: " + err.Error()}
		return
	}
	m.wholeFix, m.notes = fix, notes
}

// Empty reports whether there is nothing to explain.
func (m Model) Empty() bool { return m.err == nil }

// Fix is the fix statement as JSON, "" when there is none: the doctor's
// after it reported, else the whole query's once it is known, else the one
// the refusal's text supports.
func (m Model) Fix() string {
	if m.doctorFix != "" {
		// The doctor's report is the last thing shown: its statement.
		return m.doctorFix
	}
	if m.wholeFix != "" {
		return m.wholeFix
	}
	if m.fix == nil {
		return ""
	}
	return m.fix.JSON()
}

// Update scrolls and copies.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	switch {
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
		if text == "" && m.err != nil {
			text = m.err.Error()
		}
		if text == "" {
			return m, nil
		}
		n := len(text)
		return m, tea.Batch(tea.SetClipboard(text), func() tea.Msg { return CopiedMsg{Bytes: n} })
	}
	return m, nil
}

// Lines is the panel's text, one entry a line, before scrolling.
func (m Model) Lines() []string {
	out := m.refusalLines()
	return append(out, m.doctorLines()...)
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

// doctorLine is the first wrapped line of the doctor's section.
func (m Model) doctorLine() int {
	n := 0
	for _, l := range m.refusalLines() {
		n += len(wrap(l, max(m.width, 1)))
	}
	return n
}

func (m Model) refusalLines() []string {
	if m.err == nil {
		return []string{m.th.Muted.Render("Nothing refused yet. When the grant check or AWS refuses a query, it is explained here.")}
	}
	d := m.denial
	var out []string
	add := func(label, v string) {
		if v != "" {
			out = append(out, m.th.Title.Render(fmt.Sprintf("%-10s", label))+" "+v)
		}
	}
	head := "Refused by " + string(m.source)
	if m.queryID != "" {
		head += " · query " + m.queryID
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
	add("who fixes", m.remedy.Who)
	add("why", m.remedy.Why)
	said := "AWS said:"
	if m.source == Local {
		said = "The grant check said:"
	}
	out = append(out, "", m.th.Muted.Render(said))
	out = append(out, strings.Split(m.err.Error(), "\n")...)
	switch {
	case m.wholeFix != "":
		out = append(out, "", m.th.Title.Render("The statement that fixes the whole query ("+m.keys.CopyCell.Help().Key+" copies it):"))
		out = append(out, strings.Split(m.wholeFix, "\n")...)
	case m.fix != nil:
		out = append(out, "", m.th.Title.Render("The statement that fixes it ("+m.keys.CopyCell.Help().Key+" copies it):"))
		out = append(out, strings.Split(m.fix.JSON(), "\n")...)
	}
	for _, n := range m.notes {
		out = append(out, m.th.Muted.Render("note: "+n))
	}
	out = append(out, "", m.th.Muted.Render("`quiltq explain` explains a pasted error the same way."))
	return out
}

// View draws the panel.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var lines []string
	for _, l := range m.Lines() {
		lines = append(lines, wrap(l, m.width)...)
	}
	top := min(m.top, max(len(lines)-m.height, 0))
	lines = lines[top:min(top+m.height, len(lines))]
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
