// Package status is the workbench's status line: who is querying (user,
// role), where (workgroup, catalog and database), and the state of the
// current query with its elapsed time, data scanned and cost.
package status

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/theme"
)

// Identity is who and where the session queries.
type Identity struct {
	User, Role, Workgroup, Catalog, Database string
}

// Query is what the status line shows of the current query.
type Query struct {
	ID      string
	State   string // QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, CHECKING, ...
	Elapsed time.Duration
	Scanned int64   // bytes
	Cost    float64 // USD
	Rows    int64   // rows received so far
	Note    string  // a one-line message (copied, exported, refused)
	// Limit is the scan limit the query runs under (bytes; 0 for none),
	// shown beside the data scanned; Reused says Athena answered with a
	// stored result, shown instead of a cost.
	Limit  int64
	Reused bool
	// NotBilled says Athena bills nothing for the query (engine.Billed):
	// "not billed" is shown instead of the cost.
	NotBilled bool
}

// Model is the status line.
type Model struct {
	id    Identity
	q     Query
	width int
	th    theme.Theme
	reuse time.Duration // result reuse of the workbench's runs (0: off)
}

// New returns a status line for id.
func New(id Identity, th theme.Theme) Model { return Model{id: id, th: th} }

// SetSize sets the width (the status line is one row).
func (m *Model) SetSize(w, _ int) { m.width = w }

// SetQuery replaces what is shown of the current query.
func (m *Model) SetQuery(q Query) { m.q = q }

// Query is what is shown of the current query.
func (m Model) Query() Query { return m.q }

// SetNote sets the one-line message.
func (m *Model) SetNote(s string) { m.q.Note = s }

// SetIdentity replaces the identity (after a catalog or database change).
func (m *Model) SetIdentity(id Identity) { m.id = id }

// SetReuse shows that the workbench's runs let Athena answer with a
// stored result up to age old ("reuse ≤1h", first on the line, where it
// stays however long the note); 0
// shows reuse off (nothing).
func (m *Model) SetReuse(age time.Duration) { m.reuse = age }

// Identity is the identity shown.
func (m Model) Identity() Identity { return m.id }

// minNote is the least room a note is given beside the query's state
// before the state's smaller parts (rows, cost, scanned, elapsed) give way.
const minNote = 24

// View renders the line, exactly the width wide: the identity on the
// left, the note and the query's state on the right. What does not fit
// is cut at its end, never its start: first the identity gives way, then
// the state's smaller parts (rows, cost, data scanned, elapsed) make room
// for the note, whose end is cut last; the state itself stays.
func (m Model) View() string {
	var left []string
	if m.id.User != "" {
		left = append(left, m.id.User)
	}
	if m.id.Role != "" {
		left = append(left, "role "+m.id.Role)
	}
	if m.id.Workgroup != "" {
		left = append(left, "wg "+m.id.Workgroup)
	}
	where := m.id.Catalog
	if m.id.Database != "" {
		where += "." + m.id.Database
	}
	if where != "" {
		left = append(left, where)
	}
	var parts []string
	if m.q.State != "" {
		parts = append(parts, m.q.State)
	}
	// A run stopped before it reached Athena (a syntax error, a local
	// refusal) has no time, data or cost to show.
	if m.q.State != "" && (m.q.ID != "" || m.q.Elapsed > 0) {
		scanned := engine.FormatBytes(m.q.Scanned) + " scanned"
		if m.q.Limit > 0 {
			scanned = engine.FormatBytes(m.q.Scanned) + " of " + engine.FormatBytes(m.q.Limit) + " limit scanned"
		}
		cost := engine.FormatUSD(m.q.Cost)
		switch {
		case m.q.Reused:
			cost = "reused result, " + engine.FormatUSD(0)
		case m.q.NotBilled:
			cost = "not billed"
		}
		parts = append(parts, m.q.Elapsed.Truncate(100*time.Millisecond).String(), scanned, cost)
		if m.q.Rows > 0 {
			parts = append(parts, Count(m.q.Rows)+" "+plural(m.q.Rows, "row", "rows"))
		}
	}
	note := strings.Join(strings.Fields(m.q.Note), " ")
	w := m.width
	// Result reuse, when on, leads the line and never gives way: it
	// changes what every run costs.
	flag := ""
	if m.reuse > 0 && w > 40 {
		flag = " reuse ≤" + Age(m.reuse) + " ·"
		w -= lipgloss.Width(flag)
	}
	state := strings.Join(parts, " · ")
	// room is what the note has beside the state: the line less a space
	// at each end and " · " between them.
	room := func() int { return w - 2 - lipgloss.Width(state) - 3 }
	if note != "" {
		for k := len(parts) - 1; k >= 1 && room() < min(lipgloss.Width(note), minNote); k-- {
			state = strings.Join(parts[:k], " · ")
		}
	}
	right := state
	switch {
	case note != "" && state != "":
		right = cutEnd(note, max(room(), 1)) + " · " + state
	case note != "":
		right = note
	}
	right = cutEnd(right, max(w-2, 1)) + " "
	l := " " + strings.Join(left, " · ")
	if room := w - lipgloss.Width(right) - 1; lipgloss.Width(l) > room {
		l = cutEnd(l, max(room, 0))
	}
	line := l + strings.Repeat(" ", max(w-lipgloss.Width(l)-lipgloss.Width(right), 0)) + right
	line = flag + cutEnd(line, w)
	return m.th.Status.Width(m.width).MaxWidth(m.width).Render(line)
}

// Age words a duration in its largest whole unit: 1h, 90m, 45s.
func Age(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// plural is one when n is 1, else many.
func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// cutEnd cuts s to at most w columns, its end replaced by "…" when cut.
func cutEnd(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Count writes n with thousands separators.
func Count(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
