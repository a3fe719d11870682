package results

import (
	"fmt"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine"
)

// Stats is what the line above the grid says of the statement that made
// the result. The root sets it when the query ends (SetStats).
type Stats struct {
	// QueryID is the query the figures are of; Reset keeps them for the
	// same query.
	QueryID string
	// Scanned is the bytes Athena scanned.
	Scanned int64
	// Cost is what Athena bills, in US dollars: engine.Cost, with its
	// 10 MB minimum.
	Cost float64
	// NotBilled says Athena bills nothing for the statement (a DDL
	// statement, a failed query: engine.Billed): the line says so rather
	// than a cost.
	NotBilled bool
	// Elapsed is Athena's time for the query, queue included.
	Elapsed time.Duration
	// State is the query's final state (SUCCEEDED, FAILED, CANCELLED);
	// Limit the scan limit it ran under (bytes, 0 for none); Reused says
	// Athena answered with a stored result. The line above the grid does
	// not show them: the status line does, for the tab shown.
	State  string
	Limit  int64
	Reused bool
	// FetchPath is how the rows come: "s3" (the result file) or "api"
	// (GetQueryResults pages), with Fallback saying why not s3.
	FetchPath, Fallback string
}

// SetStats shows s above the grid.
func (m *Model) SetStats(s Stats) {
	m.stats, m.hasStat = s, true
	m.scroll()
}

// Stats is what the statistics line shows, and whether it is shown.
func (m Model) Stats() (Stats, bool) { return m.stats, m.hasStat }

// statsHeight is the lines the statistics take.
func (m Model) statsHeight() int {
	if m.hasStat && len(m.cols) > 0 {
		return 1
	}
	return 0
}

// line is the statistics as one line: "3.0 MiB scanned · $0.000048
// (10 MB minimum) · 2.3s · rows from the S3 result file".
func (s Stats) line() string {
	parts := []string{engine.FormatBytes(s.Scanned) + " scanned"}
	cost := engine.FormatUSD(s.Cost)
	switch {
	case s.NotBilled:
		cost = "not billed"
	case s.Cost > 0 && s.Scanned < engine.MinBilledBytes:
		cost += " (10 MB minimum)"
	}
	parts = append(parts, cost)
	if s.Elapsed > 0 {
		parts = append(parts, duration(s.Elapsed))
	}
	switch s.FetchPath {
	case "s3":
		parts = append(parts, "rows from the S3 result file")
	case "api":
		via := "rows from GetQueryResults pages"
		if s.Fallback != "" {
			via += " (" + s.Fallback + ")"
		}
		parts = append(parts, via)
	case "":
	default:
		parts = append(parts, "rows via "+s.FetchPath)
	}
	return strings.Join(parts, " · ")
}

// duration words d for people: 850ms, 2.3s, 1m05s.
func duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}
