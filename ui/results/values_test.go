package results

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

// typedValues is one value of each Trino type whose rendering differs by
// output, as Athena writes them in its result and as ColumnInfo types
// them (what the sandbox now returns for the same SQL).
var typedValues = []struct {
	col      engine.Column
	v        engine.Value
	json     string // CellText in JSON
	csvField string // CellText in CSV
}{
	{engine.Column{Name: "d", Type: "decimal(23,3)"}, engine.Value{Text: "12345678901234567890.123"}, `12345678901234567890.123`, `12345678901234567890.123`},
	{engine.Column{Name: "n", Type: "double"}, engine.Value{Text: "NaN"}, `"NaN"`, `NaN`},
	{engine.Column{Name: "inf", Type: "double"}, engine.Value{Text: "-Infinity"}, `"-Infinity"`, `-Infinity`},
	{engine.Column{Name: "b", Type: "varbinary"}, engine.Value{Text: "68 65 6c"}, `"68656c"`, `68 65 6c`},
	{engine.Column{Name: "a", Type: "array"}, engine.Value{Text: "[1, 2]"}, `[1,2]`, `"[1, 2]"`},
	{engine.Column{Name: "m", Type: "map"}, engine.Value{Text: "{a=1}"}, `{"a":1}`, `{a=1}`},
	{engine.Column{Name: "r", Type: "row"}, engine.Value{Text: "{field0=1, field1=x}"}, `{"field0":1,"field1":"x"}`, `"{field0=1, field1=x}"`},
	{engine.Column{Name: "j", Type: "json"}, engine.Value{Text: `{"k":[1,2]}`}, `{"k":[1,2]}`, `"{""k"":[1,2]}"`},
	{engine.Column{Name: "ts", Type: "timestamp with time zone"}, engine.Value{Text: "2026-01-02 03:04:05.678 UTC"}, `"2026-01-02 03:04:05.678 UTC"`, `2026-01-02 03:04:05.678 UTC`},
	{engine.Column{Name: "nul", Type: "integer"}, engine.Value{Null: true}, `null`, ``},
}

// TestGridShowsAthenasTextAndCopiesTypedValues feeds the grid one row of
// typed values: the cells show Athena's text (NULL marked), a copied
// value is typed in JSON and quoted as needed in CSV, and a copied row in
// JSON is what `quiltq -e -o json` writes.
func TestGridShowsAthenasTextAndCopiesTypedValues(t *testing.T) {
	var cols []engine.Column
	var row engine.Row
	for _, tv := range typedValues {
		cols = append(cols, tv.col)
		row = append(row, tv.v)
	}
	m := New(keys.Default().Results, theme.New(theme.Options{NoColor: true}), 0)
	m.SetSize(400, 5)
	m.Reset("q1", cols)
	m.Append([]engine.Row{row})
	m.Finish(nil)
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if len(lines) < 2 {
		t.Fatalf("view has %d lines", len(lines))
	}
	for _, tv := range typedValues {
		want := tv.v.Text
		if tv.v.Null {
			want = "NULL"
		}
		if !strings.Contains(lines[1], want) {
			t.Errorf("the row %q lacks %s's text %q", lines[1], tv.col.Name, want)
		}
	}

	obj := map[string]json.RawMessage{}
	for _, tv := range typedValues {
		if got := CellText(tv.v, tv.col, "json"); got != tv.json {
			t.Errorf("CellText(%s, json) = %s, want %s", tv.col.Name, got, tv.json)
		}
		if got := CellText(tv.v, tv.col, "csv"); got != tv.csvField {
			t.Errorf("CellText(%s, csv) = %s, want %s", tv.col.Name, got, tv.csvField)
		}
		obj[tv.col.Name] = json.RawMessage(tv.json)
	}
	var rows []map[string]json.RawMessage
	got := Format(cols, []engine.Row{row}, "json")
	if err := json.Unmarshal([]byte(got), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("Format json = %q: %v", got, err)
	}
	for k, want := range obj {
		if string(rows[0][k]) != string(want) {
			t.Errorf("Format json: %s is %s, want %s", k, rows[0][k], want)
		}
	}
}
