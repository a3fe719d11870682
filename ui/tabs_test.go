package ui

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine/catalogcache"
	"github.com/quiltq/quiltq/ui/buffers"
	"github.com/quiltq/quiltq/ui/editor"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/status"
	"github.com/quiltq/quiltq/ui/theme"
)

const principal = "arn:aws:sts::1:assumed-role/r/ana\x00us-east-1"

func withStore(t testing.TB, store *buffers.Store, mouse bool) Model {
	m := New(Config{Engine: fakeEngine{}, Keys: keys.Default(), Theme: theme.New(theme.Options{NoColor: true}),
		Identity: status.Identity{User: "ana", Role: "r", Workgroup: "wg", Catalog: "AwsDataCatalog"}, Buffers: store, Mouse: mouse})
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	return mm.(Model)
}

// do sends msgs through the root's Update; the commands they give are
// returned (not run).
func do(m Model, msgs ...tea.Msg) (Model, []tea.Cmd) {
	var cmds []tea.Cmd
	for _, msg := range msgs {
		mm, cmd := m.Update(msg)
		m = mm.(Model)
		if cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	return m, cmds
}

func text(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

var (
	ctrlN = tea.KeyPressMsg{Code: 'n', Mod: tea.ModCtrl}
	ctrlK = tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl}
	ctrlW = tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl}
	ctrlC = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	ctrlQ = tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl}
	esc   = tea.KeyPressMsg{Code: tea.KeyEscape}
)

// Tabs through the root: the keys reach the tabs while the editor has the
// focus, each tab keeps its text, the bar shows them.
func TestTabsInTheWorkbench(t *testing.T) {
	m := withStore(t, nil, false)
	m, _ = do(m, text("SELECT 1")...)
	m, _ = do(m, ctrlN)
	m, _ = do(m, text("SELECT 2")...)
	names, active := m.Tabs()
	if strings.Join(names, ",") != "Tab 1,Tab 2" || active != 1 || m.Editor().Value() != "SELECT 2" {
		t.Fatalf("tabs %q active %d, editor %q", names, active, m.Editor().Value())
	}
	screen := ansi.Strip(m.Render())
	if !strings.Contains(screen, "Query  Tab 1 [Tab 2] +") {
		t.Fatalf("the tab bar is not on screen:\n%s", screen)
	}
	m, _ = do(m, ctrlK)
	if m.Editor().Value() != "SELECT 1" {
		t.Fatalf("after next tab the editor holds %q", m.Editor().Value())
	}
	// Closing a tab with text asks; esc keeps it.
	m, _ = do(m, ctrlW)
	if !strings.Contains(ansi.Strip(m.Render()), "Close “Tab 1”?") {
		t.Fatalf("closing asks nothing:\n%s", ansi.Strip(m.Render()))
	}
	m, _ = do(m, esc)
	if names, _ := m.Tabs(); len(names) != 2 {
		t.Fatalf("esc closed the tab: %q", names)
	}
	// Outside the editor, the tab keys are not the tabs'.
	m.setFocus(focusResults)
	m, _ = do(m, ctrlN)
	if names, _ := m.Tabs(); len(names) != 2 {
		t.Fatalf("ctrl+n in the results opened a tab: %q", names)
	}
}

// ctrl+c copies when text is selected, and is the global cancel
// otherwise.
func TestCtrlCCopiesASelection(t *testing.T) {
	m := withStore(t, nil, false)
	m, _ = do(m, text("SELECT 1")...)
	m, _ = do(m, tea.KeyPressMsg{Code: tea.KeyLeft, Mod: tea.ModShift})
	m, cmds := do(m, ctrlC)
	if len(cmds) != 1 {
		t.Fatalf("copy gave %d commands", len(cmds))
	}
	m, _ = do(m, messagesOf(cmds[0])...)
	if !strings.Contains(ansi.Strip(m.Render()), "copied the selection (1 character)") {
		t.Fatalf("the status line does not say what was copied:\n%s", ansi.Strip(m.Render()))
	}
	// A query running, no selection: ctrl+c cancels it.
	m, _ = do(m, tea.KeyPressMsg{Code: tea.KeyRight})
	mm, _ := m.startRun(statement{sql: "SELECT 1"}, nil, 1, 0)
	m = mm.(Model)
	m, _ = do(m, ctrlC)
	if q := m.status.Query(); q.State != "CANCELLING" {
		t.Fatalf("ctrl+c with no selection while running: state %q, want CANCELLING", q.State)
	}
}

func messagesOf(cmd tea.Cmd) []tea.Msg {
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			if c != nil {
				out = append(out, messagesOf(c)...)
			}
		}
		return out
	}
	return []tea.Msg{msg}
}

// The tabs are saved a moment after a change, and at once on quit; the
// next start restores them, the active one and the cursors.
func TestTabsSavedAndRestored(t *testing.T) {
	dir := t.TempDir()
	store := buffers.NewStore(dir, principal)
	m := withStore(t, store, false)
	m, cmds := do(m, text("SELECT 1")...)
	if len(cmds) == 0 {
		t.Fatal("a change scheduled no save")
	}
	m, _ = do(m, ctrlN)
	m, _ = do(m, text("SELECT 2")...)
	m, cmds = do(m, saveTickMsg{})
	if len(cmds) != 1 {
		t.Fatalf("the save tick gave %d commands, want the save", len(cmds))
	}
	if msg := cmds[0](); msg.(buffersSavedMsg).err != nil {
		t.Fatal(msg.(buffersSavedMsg).err)
	}
	st, ok, err := store.Load()
	if !ok || err != nil || len(st.Buffers) != 2 || st.Buffers[1].Text != "SELECT 2" || st.Active != 1 {
		t.Fatalf("saved %+v, %v, %v", st, ok, err)
	}
	// Nothing changed: the next tick saves nothing.
	if _, cmds = do(m, saveTickMsg{}); len(cmds) != 0 {
		t.Fatal("a tick with nothing changed saved")
	}
	// Quit saves what changed since, at once.
	m, _ = do(m, ctrlK, tea.KeyPressMsg{Code: tea.KeyHome})
	m, _ = do(m, text("-- ")...)
	_, cmds = do(m, ctrlQ)
	if st, _, _ = store.Load(); st.Buffers[0].Text != "-- SELECT 1" || st.Active != 0 || st.Buffers[0].Col != 3 {
		t.Fatalf("after quit the store holds %+v", st)
	}
	// The next start has them back.
	m = withStore(t, store, false)
	names, active := m.Tabs()
	if len(names) != 2 || active != 0 || m.Editor().Value() != "-- SELECT 1" {
		t.Fatalf("restored %q active %d editor %q", names, active, m.Editor().Value())
	}
	if r, c := m.Editor().Cursor(); r != 0 || c != 3 {
		t.Fatalf("restored cursor %d:%d, want 0:3", r, c)
	}
	// Another principal starts empty.
	other := withStore(t, buffers.NewStore(dir, "arn:aws:sts::1:assumed-role/r/bob\x00us-east-1"), false)
	if names, _ := other.Tabs(); len(names) != 1 || other.Editor().Value() != "" {
		t.Fatalf("bob sees %q, %q", names, other.Editor().Value())
	}
}

// With the mouse: a click on a tab switches to it, on + opens one; a
// drag in the editor selects.
func TestTabsAndSelectionByMouse(t *testing.T) {
	m := withStore(t, nil, true)
	m, _ = do(m, text("SELECT 1")...)
	m, _ = do(m, ctrlN)
	g := m.geometry()
	bar := ansi.Strip(strings.Split(m.Render(), "\n")[1])
	x := ansi.StringWidth(bar[:strings.Index(bar, "Tab 1")])
	m, _ = do(m, tea.MouseClickMsg{X: x, Y: 1, Button: tea.MouseLeft})
	if _, active := m.Tabs(); active != 0 || m.Editor().Value() != "SELECT 1" {
		t.Fatalf("a click on Tab 1: active %d", active)
	}
	bar = ansi.Strip(strings.Split(m.Render(), "\n")[1])
	plus := ansi.StringWidth(bar[:strings.LastIndex(bar, "+")])
	m, _ = do(m, tea.MouseClickMsg{X: plus, Y: 1, Button: tea.MouseLeft})
	if names, active := m.Tabs(); len(names) != 3 || active != 2 {
		t.Fatalf("a click on +: %q active %d", names, active)
	}
	m, _ = do(m, ctrlK)
	// The text starts at the pane's left border + 1 + the gutter (5).
	x0 := g.catW + 1 + 5
	m, _ = do(m, tea.MouseClickMsg{X: x0 + 2, Y: 2, Button: tea.MouseLeft},
		tea.MouseMotionMsg{X: x0 + 6, Y: 2, Button: tea.MouseLeft}, tea.MouseReleaseMsg{X: x0 + 6, Y: 2, Button: tea.MouseLeft})
	if got := m.Editor().Selected(); got != "LECT" {
		t.Fatalf("a drag selects %q, want LECT", got)
	}
}

// tenTabs is a store holding ten tabs of 1,000 lines each.
func tenTabs(t testing.TB) *buffers.Store {
	var sb strings.Builder
	for i := 0; i < 1000; i++ {
		sb.WriteString("SELECT o.order_id, c.name, 'literal' AS l, 42 FROM sales.orders o JOIN sales.customers c ON o.id = c.id -- line\n")
	}
	st := buffers.State{Active: 0}
	for i := 0; i < 10; i++ {
		st.Buffers = append(st.Buffers, buffers.Buffer{Name: fmt.Sprintf("tab %d", i), Text: sb.String(), Row: 500, Col: 10})
	}
	store := buffers.NewStore(t.TempDir(), principal)
	if err := store.Save(1, st); err != nil {
		t.Fatal(err)
	}
	return store
}

// BenchmarkKeystrokeTenTabs is one typed character (the workbench's
// Update and View) in a 1,000-line buffer with ten such tabs open. Goal:
// at most 5 ms.
func BenchmarkKeystrokeTenTabs(b *testing.B) {
	m := New(Config{Engine: fakeEngine{}, Keys: keys.Default(), Theme: theme.New(theme.Options{Dark: true}),
		Listing: ptr(bigListing()), Identity: status.Identity{User: "u", Catalog: "AwsDataCatalog"}, Buffers: tenTabs(b)})
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	m = mm.(Model)
	if names, _ := m.Tabs(); len(names) != 10 {
		b.Fatalf("%d tabs", len(names))
	}
	keys := []tea.KeyPressMsg{{Code: 'x', Text: "x"}, {Code: tea.KeyBackspace}}
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		mm, _ = m.Update(keys[i%2])
		m = mm.(Model)
		if m.View().Content == "" {
			b.Fatal("empty view")
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

func ptr[T any](v T) *T { return &v }

// BenchmarkFirstFrameTenTabs is the start of the workbench with ten
// restored tabs of 1,000 lines and a cached catalog of 10,000 tables:
// reading both files, building the model, sizing it and rendering the
// first screen. Goal: at most 50 ms.
func BenchmarkFirstFrameTenTabs(b *testing.B) {
	store := tenTabs(b)
	cache := &catalogcache.Cache{Dir: b.TempDir()}
	key := catalogcache.Key{Principal: "arn:aws:sts::1:assumed-role/r/u", Region: "us-east-1"}
	if _, err := cache.Store(key, bigListing()); err != nil {
		b.Fatal(err)
	}
	if fi, err := os.Stat(store.Path()); err != nil || fi.Size() < 1e6 {
		b.Fatalf("the store holds %v bytes (%v)", fi, err)
	}
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		e, ok, err := cache.Load(key)
		if !ok || err != nil {
			b.Fatal(ok, err)
		}
		m := New(Config{Engine: fakeEngine{}, Keys: keys.Default(), Theme: theme.New(theme.Options{Dark: true}),
			Listing: &e.Listing, Age: time.Minute, Identity: status.Identity{User: "u", Catalog: "AwsDataCatalog"}, Buffers: store})
		mm, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
		if v := mm.(Model).View().Content; !strings.Contains(v, "tab 9") {
			b.Fatal("the first frame lacks the tabs")
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkKeystrokeOneTab is BenchmarkKeystrokeTenTabs with the one
// buffer given as Config.SQL (the cursor at its end): the same figure for
// a workbench without tabs kept, and runnable as it is on round one's
// code, for a baseline from the same run.
func BenchmarkKeystrokeOneTab(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 1000; i++ {
		sb.WriteString("SELECT o.order_id, c.name, 'literal' AS l, 42 FROM sales.orders o JOIN sales.customers c ON o.id = c.id -- line\n")
	}
	l := bigListing()
	m := New(Config{Engine: fakeEngine{}, Keys: keys.Default(), Theme: theme.New(theme.Options{Dark: true}),
		Listing: &l, Identity: status.Identity{User: "u", Catalog: "AwsDataCatalog"}, SQL: sb.String()})
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	m = mm.(Model)
	keys := []tea.KeyPressMsg{{Code: 'x', Text: "x"}, {Code: tea.KeyBackspace}}
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		mm, _ = m.Update(keys[i%2])
		m = mm.(Model)
		if m.View().Content == "" {
			b.Fatal("empty view")
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// A run's highlight and error mark reach the tab it started from, even
// after a switch to another tab.
func TestOnEditorReachesAParkedTab(t *testing.T) {
	m := withStore(t, nil, false)
	m, _ = do(m, text("SELECT 1; SELEC 2")...)
	first := m.Editor().ID()
	sql, span := m.editor.Current()
	m.editor.SetRunning(span)
	m, _ = do(m, ctrlN)
	if !m.onEditor(first, func(e *editor.Model) { e.ClearRunning(); e.MarkError(span, 1, 1, "mismatched input 'SELEC'") }) {
		t.Fatal("the first tab's editor was not found")
	}
	if m.onEditor(999, func(*editor.Model) {}) {
		t.Fatal("an unknown ID was found")
	}
	m, _ = do(m, ctrlK)
	if _, running := m.Editor().Running(); running {
		t.Fatal("the first tab still shows its statement running")
	}
	if off, msg, ok := m.Editor().Mark(); !ok || off != strings.Index(m.Editor().Value(), "SELEC 2") || msg != "mismatched input 'SELEC'" || sql != "SELEC 2" {
		t.Fatalf("mark %d %q %v (statement %q)", off, msg, ok, sql)
	}
}
