package status

import (
	"github.com/quiltq/quiltq/ui/internal/golden"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/theme"
)

func line(w int, q Query) Model {
	m := New(Identity{User: "analyst", Role: "ReadWriteQuiltV2-sales-prod", Workgroup: "QuiltUserAthena", Catalog: "AwsDataCatalog", Database: "sales"}, theme.New(theme.Options{NoColor: true}))
	m.SetSize(w, 1)
	m.SetQuery(q)
	return m
}

func TestGoldenViews(t *testing.T) {
	running := Query{ID: "q1", State: "RUNNING", Elapsed: 2345 * time.Millisecond, Scanned: 3 << 20, Cost: 0.0000143, Rows: 0}
	done := Query{ID: "q1", State: "SUCCEEDED", Elapsed: 4 * time.Second, Scanned: 1536, Cost: 0.0001, Rows: 4200, Note: "copied cell as TSV (6 B)"}
	for _, tt := range []struct {
		name string
		w    int
		q    Query
	}{
		{"idle-100", 100, Query{}},
		{"running-100", 100, running},
		{"done-120", 120, done},
		{"done-60", 60, done}, // the identity gives way to the query's state
		{"limit-140", 140, Query{ID: "q2", State: "RUNNING", Elapsed: time.Second, Scanned: 700 << 20, Cost: engine.Cost(700<<20, 5), Limit: 1 << 30}},
		{"reused-120", 120, Query{ID: "q3", State: "SUCCEEDED", Elapsed: 200 * time.Millisecond, Reused: true, Rows: 1}},
	} {
		golden.Check(t, "status-"+tt.name+".txt", ansi.Strip(line(tt.w, tt.q).View()))
	}
	// Result reuse on: first, with its age.
	m := line(120, Query{ID: "q4", State: "SUCCEEDED", Elapsed: time.Second, Scanned: 10 << 20, Cost: engine.Cost(10<<20, 5)})
	m.SetReuse(time.Hour)
	golden.Check(t, "status-reuse-on-120.txt", ansi.Strip(m.View()))
}

// Reuse shows its age in its largest whole unit, first on the line,
// where a long note does not push it out; nothing when off.
func TestReuseShown(t *testing.T) {
	for _, tc := range []struct {
		age  time.Duration
		want string
	}{{time.Hour, "reuse ≤1h"}, {90 * time.Minute, "reuse ≤90m"}, {45 * time.Second, "reuse ≤45s"}, {0, ""}} {
		m := line(100, Query{State: "SUCCEEDED", Elapsed: time.Second, Note: strings.Repeat("a long note ", 20)})
		m.SetReuse(tc.age)
		v := ansi.Strip(m.View())
		if tc.want == "" {
			if strings.Contains(v, "reuse") {
				t.Errorf("reuse off shows %q", v)
			}
			continue
		}
		if !strings.HasPrefix(v, " "+tc.want+" · ") || ansi.StringWidth(v) != 100 {
			t.Errorf("reuse %v: line %q does not start with %q beside a long note, or is not 100 wide", tc.age, v, tc.want)
		}
	}
}

// The line is exactly the width, however long what it says.
func TestWidthIsKept(t *testing.T) {
	q := Query{State: "FAILED", Note: strings.Repeat("a long note ", 20), Elapsed: time.Second}
	for _, w := range []int{1, 10, 40, 80, 200} {
		v := ansi.Strip(line(w, q).View())
		if got := ansi.StringWidth(v); got != w || strings.Contains(v, "\n") {
			t.Errorf("at width %d the line is %d wide: %q", w, got, v)
		}
	}
}

func TestNoteAndIdentity(t *testing.T) {
	m := line(120, Query{State: "RUNNING"})
	m.SetNote("exporting…")
	if q := m.Query(); q.Note != "exporting…" || q.State != "RUNNING" {
		t.Fatalf("SetNote changed the query to %+v", q)
	}
	m.SetIdentity(Identity{User: "reader", Catalog: "c", Database: "d"})
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "reader · c.d") || strings.Contains(v, "analyst") || !strings.Contains(v, "exporting…") {
		t.Fatalf("line %q", v)
	}
}

func TestCount(t *testing.T) {
	counts := map[int64]string{0: "0", 999: "999", 1000: "1,000", 4200: "4,200", 1234567: "1,234,567", -1234: "-1,234"}
	for n, want := range counts {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

// A note longer than the line keeps its beginning, and the query's state
// stays: the identity and the state's smaller parts give way first.
func TestLongNoteKeepsItsBeginning(t *testing.T) {
	note := "not applied: only the sandbox's roles can be changed from here: give the statement (y copies it) to your AWS administrator"
	q := Query{State: "SUCCEEDED", Elapsed: 4 * time.Second, Scanned: 1536, Cost: 0.0001, Rows: 4200, Note: note}
	for _, w := range []int{60, 80, 120} {
		v := ansi.Strip(line(w, q).View())
		if !strings.Contains(v, "not applied: only the") || !strings.Contains(v, "SUCCEEDED") {
			t.Errorf("at width %d the note's beginning or the state is lost: %q", w, v)
		}
		if got := ansi.StringWidth(v); got != w {
			t.Errorf("at width %d the line is %d wide: %q", w, got, v)
		}
	}
	local := ansi.Strip(line(120, Query{State: "SYNTAX ERROR", Note: "line 1:1: SELEC does not start a statement"}).View())
	if strings.Contains(local, "scanned") || strings.Contains(local, "$") {
		t.Errorf("a run that never reached Athena shows time, data or cost: %q", local)
	}
	one := ansi.Strip(line(120, Query{ID: "q", State: "SUCCEEDED", Rows: 1}).View())
	if !strings.Contains(one, "1 row ") || strings.Contains(one, "1 rows") {
		t.Errorf("one row is worded %q", one)
	}
}

// A query Athena does not bill (a failed one, a DDL statement) says so
// rather than showing a cost.
func TestNotBilled(t *testing.T) {
	q := Query{ID: "q1", State: "FAILED", Elapsed: time.Second, Scanned: 1 << 20, Cost: 0.0000477, NotBilled: true}
	v := ansi.Strip(line(120, q).View())
	if !strings.Contains(v, "1.0 MiB scanned · not billed") || strings.Contains(v, "$") {
		t.Errorf("line %q: want not billed, no cost", v)
	}
}
