package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/ui/history"
	"github.com/quiltq/quiltq/ui/status"
)

// This file holds the workbench's guards before sending (issue 18), the
// ones -e has: a destructive statement waits for a yes, naming what it
// changes; a statement with ? placeholders waits for their values; and
// result reuse is turned on and off for the runs. The engine says what a
// statement is (Engine.Guard); the session enforces the rest.

// defaultReuse is the reuse the toggle turns on when the profile sets
// none.
const defaultReuse = 60 * time.Minute

// guardAsk is the statement of the current run held before sending,
// while the user is asked: first a yes to a destructive statement, then
// the values of its ? placeholders, one at a time.
type guardAsk struct {
	change string             // what it changes, while the yes is awaited ("" once given, or when not destructive)
	params int                // how many values its placeholders want
	check  func(string) error // checks a value before it is taken (nil: none)
	values []string           // the values given so far
	input  *textinput.Model   // the line a value is typed in (nil while the yes is awaited)
}

// guard sends the current run's statement, or holds it to ask first:
// whether to run a destructive statement, and the values of its ?
// placeholders.
func (m Model) guard() (tea.Model, tea.Cmd) {
	g := m.eng.Guard(m.r.sql)
	if !g.Destructive && g.Params == 0 {
		return m.send(nil)
	}
	m.ask = &guardAsk{params: g.Params, check: g.Value}
	what := "This statement"
	if m.r.of > 1 {
		what = fmt.Sprintf("Statement %d of %d (line %d)", m.r.n, m.r.of, m.r.line)
	}
	m.status.SetQuery(status.Query{Note: m.batchNote()})
	if g.Destructive {
		m.ask.change = g.Change
		m.runGrid().SetMessage("", what+" "+g.Change+": it waits for your answer below; nothing is sent before it.")
		return m, nil
	}
	m.runGrid().SetMessage("", fmt.Sprintf("%s has %d ? %s: give %s below; nothing is sent before.", what, g.Params,
		plural(int64(g.Params), "placeholder", "placeholders"), plural(int64(g.Params), "its value", "their values")))
	return m, m.ask.next()
}

// next opens the line for the next value.
func (a *guardAsk) next() tea.Cmd {
	ti := textinput.New()
	ti.Prompt = ""
	ti.Placeholder = "'text', 42, DATE '2024-01-01'"
	ti.Focus()
	a.input = &ti
	return textinput.Blink
}

// send submits the current run's statement with params, under the reuse
// the toggle says.
func (m Model) send(params []string) (tea.Model, tea.Cmd) {
	m.ask = nil
	m.r.ctx, m.r.cancel = context.WithCancel(m.ctx)
	m.r.phase = submitting
	m.status.SetQuery(status.Query{State: "SUBMITTING", Note: m.batchNote()})
	m.runGrid().SetMessage("", m.runningMessage())
	q := Submission{SQL: m.r.sql, Params: params, Reuse: -1}
	if m.reuse > 0 {
		q.Reuse = m.reuse
	}
	return m, tea.Batch(startQuery(m.r.ctx, m.eng, m.r.id, q), tick(m.r.id))
}

// askKey takes a key while a statement waits: y runs a destructive one
// (then its values are asked, when it has placeholders); n or cancel
// sends nothing; enter takes a value, cancel drops them all.
func (m Model) askKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	a := m.ask
	if a.input == nil {
		switch {
		case key.Matches(k, m.km.Confirm.Yes):
			change := a.change
			a.change = ""
			if a.params == 0 {
				return m.send(nil)
			}
			m.status.SetNote("you said yes: it " + change + "; now the values of its ? placeholders")
			return m, a.next()
		case key.Matches(k, m.km.Confirm.No, m.km.Global.Cancel):
			return m.notRun("you said no to this statement, which "+a.change, "not run (you said no)")
		}
		return m, nil // not an answer: the question stays
	}
	switch {
	case key.Matches(k, m.km.Global.Cancel):
		return m.notRun(fmt.Sprintf("no values were given for its %d ? %s", a.params, plural(int64(a.params), "placeholder", "placeholders")), "not run (its ? values were not given)")
	case k.Code == tea.KeyEnter:
		v := strings.TrimSpace(a.input.Value())
		if v == "" {
			m.status.SetNote("give a value (a SQL literal: 'text', 42, NULL), or " + m.km.Global.Cancel.Help().Key + " to send nothing")
			return m, nil
		}
		if a.check != nil {
			if err := a.check(v); err != nil {
				msg := fmt.Sprintf("value %d of %d, %s, is not taken: %v; correct it, or %s to send nothing", len(a.values)+1, a.params, v, err, m.km.Global.Cancel.Help().Key)
				m.status.SetNote(msg)
				m.runGrid().SetMessage("", msg+". Nothing was sent.")
				return m, nil
			}
		}
		a.values = append(a.values, v)
		if len(a.values) == a.params {
			return m.send(a.values)
		}
		m.status.SetNote("")
		return m, a.next()
	}
	ti, cmd := a.input.Update(k)
	a.input = &ti
	return m, cmd
}

// notRun ends the current run without sending its statement, saying why,
// and keeps it in the history (its SQL is found there again); a run of
// several statements stops there.
func (m Model) notRun(why, batch string) (tea.Model, tea.Cmd) {
	m.ask = nil
	m.record(history.NotRun, Progress{}, why)
	m.stop()
	m.status.SetQuery(status.Query{State: "NOT RUN", Note: "not run: " + why + "; nothing was sent to Athena"})
	m.batchStopped(batch)
	m.runGrid().SetMessage("", "Not run: "+why+". Nothing was sent to Athena.")
	return m, nil
}

// question is what the footer asks while a statement waits: the yes to a
// destructive statement, or the next value (with the line it is typed
// in).
func (a *guardAsk) question(m Model) string {
	who := "this statement"
	if m.r.of > 1 {
		who = fmt.Sprintf("statement %d of %d (line %d)", m.r.n, m.r.of, m.r.line)
	}
	if a.input == nil {
		yes, no := m.km.Confirm.Yes.Help().Key, m.km.Confirm.No.Help().Key
		return m.th.Warning.Render(ansi.Truncate(fmt.Sprintf(" %s %s: run it? %s/%s", who, a.change, yes, no), m.width, "…"))
	}
	where := ""
	if m.r.of > 1 {
		where = " " + who + ","
	}
	esc := m.km.Global.Cancel.Help().Key
	if ks := m.km.Global.Cancel.Keys(); len(ks) > 0 {
		esc = ks[0]
	}
	prompt := fmt.Sprintf("%s ? value %d of %d (a SQL literal; enter takes it, %s sends nothing): ", where, len(a.values)+1, a.params, esc)
	in := *a.input // drawing changes nothing of the model
	in.SetWidth(max(m.width-ansi.StringWidth(prompt)-1, 10))
	return ansi.Truncate(m.th.Warning.Render(prompt)+in.View(), m.width, "")
}

// toggleReuse turns result reuse on (the profile's age, or an hour) or
// off for the workbench's next runs.
func (m Model) toggleReuse() (tea.Model, tea.Cmd) {
	if m.reuse > 0 {
		m.reuse = 0
		m.status.SetReuse(0)
		m.status.SetNote("result reuse off: every run is run again on Athena")
		return m, nil
	}
	m.reuse = m.reuseAge
	m.status.SetReuse(m.reuse)
	m.status.SetNote("result reuse on: Athena may answer a repeat with a stored result up to " + status.Age(m.reuse) + " old (nothing scanned, no cost)")
	return m, nil
}
