// Package status is the workbench's status line: who is querying (user,
// role), where (workgroup, catalog and database), and the state of the
// current query with its elapsed time, data scanned and cost.
package status

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

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
}

// Model is the status line.
type Model struct {
	id    Identity
	q     Query
	width int
	th    theme.Theme
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

// Identity is the identity shown.
func (m Model) Identity() Identity { return m.id }

// View renders the line, at most the width wide.
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
	var right []string
	if m.q.Note != "" {
		right = append(right, m.q.Note)
	}
	if m.q.State != "" {
		right = append(right, m.q.State)
		right = append(right, m.q.Elapsed.Truncate(100*time.Millisecond).String())
		right = append(right, Bytes(m.q.Scanned)+" scanned")
		right = append(right, engine.FormatUSD(m.q.Cost))
		if m.q.Rows > 0 {
			right = append(right, Count(m.q.Rows)+" rows")
		}
	}
	l, r := " "+strings.Join(left, " · "), strings.Join(right, " · ")+" "
	if room := m.width - lipgloss.Width(r) - 1; lipgloss.Width(l) > room {
		// The query's state matters more than the full identity.
		l = truncate(l, max(room, 1))
	}
	gap := m.width - lipgloss.Width(l) - lipgloss.Width(r)
	line := l + strings.Repeat(" ", max(gap, 1)) + r
	if lipgloss.Width(line) > m.width {
		line = truncate(line, m.width)
	}
	return m.th.Status.Width(m.width).MaxWidth(m.width).Render(line)
}

func truncate(s string, w int) string {
	rs := []rune(s)
	if w <= 0 {
		return ""
	}
	if len(rs) > w {
		return string(rs[:w-1]) + "…"
	}
	return s
}

// Bytes words a size: 512 B, 1.5 KiB, 3.2 GiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
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
