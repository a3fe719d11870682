package results

import (
	"context"
	"errors"
	"github.com/quiltq/quiltq/ui/internal/golden"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

// golden compares got with testdata/name, or rewrites it with -update.

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown, Mod: tea.ModCtrl}
	}
	if c, ok := strings.CutPrefix(s, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: []rune(c)[0], Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func grid(w, h, capRows int) Model {
	m := New(keys.Default().Results, theme.New(theme.Options{NoColor: true}), capRows)
	m.SetSize(w, h)
	m.Focus()
	return m
}

var cols = []engine.Column{{Name: "id", Type: "bigint"}, {Name: "name", Type: "varchar"}, {Name: "doc", Type: "varchar"}}

func sample() []engine.Row {
	return []engine.Row{
		{{Text: "1"}, {Text: "alpha"}, {Text: `{"a":1,"b":[1,2]}`}},
		{{Text: "2"}, {Text: ""}, {Null: true}},
		{{Text: "3"}, {Null: true}, {Text: "line one\nline two"}},
	}
}

func TestStoreKeepsNullApartFromEmpty(t *testing.T) {
	s := newStore(2)
	rows := []engine.Row{{{Text: ""}, {Null: true}}, {{Text: "é"}, {Text: "x"}}, {{Text: "short"}}}
	for i := 0; i < chunkRows+2; i++ {
		s.Append(rows[i%3])
	}
	for i := 0; i < s.Len(); i++ {
		want := rows[i%3]
		for j := 0; j < 2; j++ {
			w := engine.Value{Null: true}
			if j < len(want) {
				w = want[j]
			}
			if got := s.Cell(i, j); got != w {
				t.Fatalf("cell %d,%d = %+v, want %+v", i, j, got, w)
			}
		}
	}
}

func TestViewGolden(t *testing.T) {
	m := grid(40, 6, 0)
	m.Reset("q1", cols)
	m.Append(sample())
	m.Finish(nil)
	golden.Check(t, "grid-40x6.txt", ansi.Strip(m.View()))
	m, _ = m.Update(press("right"))
	m, _ = m.Update(press("down"))
	m, _ = m.Update(press("enter"))
	golden.Check(t, "inspect-null-40x6.txt", ansi.Strip(m.View()))
}

func TestNullAndEmptyLookDifferent(t *testing.T) {
	m := grid(40, 6, 0)
	m.Reset("q1", cols)
	m.Append(sample())
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if !strings.Contains(lines[2], "NULL") || strings.Contains(lines[1], "NULL") {
		t.Fatalf("row 2 (empty name, NULL doc) is %q; row 1 is %q: want NULL only where the value is NULL", lines[2], lines[1])
	}
}

func TestInspectorPrettyPrintsJSON(t *testing.T) {
	m := grid(40, 10, 0)
	m.Reset("q1", cols)
	m.Append(sample())
	m, _ = m.Update(press("$"))
	m, _ = m.Update(press("enter"))
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "\"a\": 1,") || !strings.Contains(v, "\"b\": [") {
		t.Fatalf("inspector shows:\n%s\nwant the JSON indented", v)
	}
}

func TestCopyFormats(t *testing.T) {
	tests := []struct {
		format string
		v      engine.Value
		col    engine.Column
		want   string
	}{
		{"tsv", engine.Value{Text: "a,b"}, cols[1], "a,b"},
		{"csv", engine.Value{Text: "a,b"}, cols[1], `"a,b"`},
		{"csv", engine.Value{Text: ""}, cols[1], `""`},
		{"csv", engine.Value{Null: true}, cols[1], ``},
		{"json", engine.Value{Text: "42"}, cols[0], `42`},
		{"json", engine.Value{Null: true}, cols[0], `null`},
	}
	for _, tt := range tests {
		if got := CellText(tt.v, tt.col, tt.format); got != tt.want {
			t.Errorf("CellText(%+v, %s) = %q, want %q", tt.v, tt.format, got, tt.want)
		}
	}
	got := Format(cols[:2], []engine.Row{{{Text: "1"}, {Text: "x"}}}, "json")
	if !strings.Contains(got, `"id": 1`) && !strings.Contains(got, `"id":1`) {
		t.Errorf("Format json = %q, want an object with id 1", got)
	}
}

func TestCopySelectionEmitsClipboardAndReport(t *testing.T) {
	m := grid(40, 6, 0)
	m.Reset("q1", cols)
	m.Append(sample())
	m, _ = m.Update(press("v"))
	m, _ = m.Update(press("down"))
	m, _ = m.Update(press("right"))
	m, cmd := m.Update(press("y"))
	if cmd == nil {
		t.Fatal("copy returned no command")
	}
	var report *CopiedMsg
	for _, msg := range runBatch(cmd) {
		if c, ok := msg.(CopiedMsg); ok {
			report = &c
		}
	}
	if report == nil || report.What != "2×2 cells" || report.Format != "TSV" {
		t.Fatalf("copy report = %+v, want 2×2 cells as TSV", report)
	}
}

func runBatch(cmd tea.Cmd) []tea.Msg {
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			if c != nil {
				out = append(out, runBatch(c)...)
			}
		}
		return out
	}
	return []tea.Msg{msg}
}

func TestDisplayCapIsAnnounced(t *testing.T) {
	m := grid(120, 6, 2)
	m.Reset("q1", cols)
	m.Append(sample())
	m.Finish(nil)
	if m.Len() != 2 || m.Total() != 3 || !m.Capped() {
		t.Fatalf("held %d of %d rows (capped %v), want 2 of 3", m.Len(), m.Total(), m.Capped())
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "display cap 2 reached") {
		t.Fatalf("view does not announce the cap:\n%s", v)
	}
}

// sliceRows is a result stream over rows.
type sliceRows struct {
	rows   []engine.Row
	closed bool
}

func (s *sliceRows) Columns() []engine.Column { return cols }
func (s *sliceRows) Next() (engine.Row, error) {
	if len(s.rows) == 0 {
		return nil, io.EOF
	}
	r := s.rows[0]
	s.rows = s.rows[1:]
	return r, nil
}
func (s *sliceRows) Close() error { s.closed = true; return nil }

func TestFetchBatchesAndLimit(t *testing.T) {
	src := &sliceRows{rows: sample()}
	msg := Fetch("q", src, 2, 0, 0)().(RowsMsg)
	if len(msg.Rows) != 2 || msg.Done || msg.QueryID != "q" {
		t.Fatalf("first batch: %d rows, done %v, id %q; want 2, false, q", len(msg.Rows), msg.Done, msg.QueryID)
	}
	msg = Fetch("q", src, 2, 2, 0)().(RowsMsg)
	if len(msg.Rows) != 1 || !msg.Done || msg.Err != nil || !src.closed {
		t.Fatalf("second batch: %d rows, done %v, err %v, closed %v; want 1, true, nil, true", len(msg.Rows), msg.Done, msg.Err, src.closed)
	}
	src = &sliceRows{rows: sample()}
	msg = Fetch("q", src, 10, 0, 2)().(RowsMsg)
	var le *LimitError
	if len(msg.Rows) != 2 || !errors.As(msg.Err, &le) {
		t.Fatalf("limited fetch: %d rows, err %v; want 2 and the limit", len(msg.Rows), msg.Err)
	}
}

func TestExportWritesWholeResultAndNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.tsv")
	open := func(_ context.Context, id string) (Rows, error) { return &sliceRows{rows: sample()}, nil }
	msg := Export(context.Background(), open, "q", path)().(ExportedMsg)
	if msg.Err != nil || msg.Rows != 3 {
		t.Fatalf("export: %d rows, %v; want 3 rows", msg.Rows, msg.Err)
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), "id\tname\tdoc\n1\talpha\t") {
		t.Fatalf("export wrote %q, want TSV with a header", b)
	}
	msg = Export(context.Background(), open, "q", path)().(ExportedMsg)
	if msg.Err == nil || !strings.Contains(msg.Err.Error(), "exists") {
		t.Fatalf("second export: %v, want a refusal to overwrite", msg.Err)
	}
}

// A path typed as ~/name is under the home directory, as a shell (and
// harlequin's export) reads it: quiltq once tried a directory named "~"
// under the working directory and failed. The message names the file
// written.
func TestExportExpandsHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	open := func(_ context.Context, id string) (Rows, error) { return &sliceRows{rows: sample()}, nil }
	msg := Export(context.Background(), open, "q", "~/out.csv")().(ExportedMsg)
	want := filepath.Join(home, "out.csv")
	if msg.Err != nil || msg.Rows != 3 || msg.Path != want {
		t.Fatalf("export to ~/out.csv: %d rows to %q, %v; want 3 rows to %s", msg.Rows, msg.Path, msg.Err, want)
	}
	if _, err := os.Stat(want); err != nil {
		t.Fatalf("nothing at %s: %v", want, err)
	}
	// ~name (another user's home) and a ~ inside a name are left alone.
	if got := expandHome("~bob/x.csv"); got != "~bob/x.csv" {
		t.Errorf("~bob/x.csv became %q", got)
	}
	if got := expandHome("a/~/x.csv"); got != "a/~/x.csv" {
		t.Errorf("a/~/x.csv became %q", got)
	}
}

// Defect 6 of issue 12: export to x.parquet wrote CSV and said it had
// exported. The format follows the extension; an unknown one is refused
// before the result is read, naming the extensions allowed.
func TestExportFormatFollowsExtension(t *testing.T) {
	dir := t.TempDir()
	opened := 0
	open := func(_ context.Context, id string) (Rows, error) { opened++; return &sliceRows{rows: sample()}, nil }
	for _, tt := range []struct{ name, prefix string }{
		{"x.parquet", "PAR1"},
		{"x.csv", "\"id\",\"name\",\"doc\"\n\"1\",\"alpha\""},
		{"x.jsonl", `{"id":1,"name":"alpha"`},
		{"x.md", "| id | name"},
	} {
		path := filepath.Join(dir, tt.name)
		msg := Export(context.Background(), open, "q", path)().(ExportedMsg)
		b, _ := os.ReadFile(path)
		if msg.Err != nil || msg.Rows != 3 || !strings.HasPrefix(string(b), tt.prefix) {
			t.Errorf("%s: %d rows, %v, file starts %q; want 3 rows starting %q", tt.name, msg.Rows, msg.Err, b[:min(len(b), 24)], tt.prefix)
		}
	}
	opened = 0
	msg := Export(context.Background(), open, "q", filepath.Join(dir, "x.xlsx"))().(ExportedMsg)
	if msg.Err == nil || !strings.Contains(msg.Err.Error(), ".parquet") || opened != 0 {
		t.Errorf("x.xlsx: %v (result opened %d times); want a refusal naming the extensions, nothing read", msg.Err, opened)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.xlsx")); err == nil {
		t.Error("x.xlsx was written")
	}
}

// failingRows fails after its first row.
type failingRows struct{ sliceRows }

func (f *failingRows) Next() (engine.Row, error) {
	if len(f.rows) < 3 {
		return nil, errors.New("connection reset by peer")
	}
	return f.sliceRows.Next()
}

func TestExportFailureSaysSoAndKeepsNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.parquet")
	open := func(_ context.Context, id string) (Rows, error) { return &failingRows{sliceRows{rows: sample()}}, nil }
	msg := Export(context.Background(), open, "q", path)().(ExportedMsg)
	if msg.Err == nil || !strings.Contains(msg.Err.Error(), "connection reset") {
		t.Fatalf("export with a failing read: %v, want the failure said", msg.Err)
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("files left: %v", names)
	}
}
