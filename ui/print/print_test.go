package print

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func ptr(s string) *string { return &s }

func null() engine.Value                { return engine.Value{Null: true} }
func text(s string) engine.Value        { return engine.Value{Text: s} }
func row(vs ...engine.Value) engine.Row { return engine.Row(vs) }

// fixture is one result exercising every escaping rule: NULL against "",
// quotes, commas, tabs, newlines, pipes, backslashes, wide and combining
// Unicode, emoji, typed values, and a repeated column name.
func fixture() ([]engine.Column, []engine.Row) {
	cols := []engine.Column{
		{Name: "id", Type: "bigint"},
		{Name: "name", Type: "varchar"},
		{Name: "price", Type: "decimal(10,2)"},
		{Name: "ratio", Type: "double"},
		{Name: "ok", Type: "boolean"},
		{Name: "day", Type: "date"},
		{Name: "name", Type: "varchar"},
	}
	rows := []engine.Row{
		row(text("1"), text("plain"), text("12.50"), text("0.25"), text("true"), text("2024-01-31"), text("x")),
		row(text("2"), text(""), text("0.00"), text("-1.5E-7"), text("false"), text("2024-02-29"), null()),
		row(null(), null(), null(), null(), null(), null(), text("")),
		row(text("4"), text(`say "hi", then go`), text("99999999.99"), text("1.0E22"), text("true"), text("1970-01-01"), text("a,b")),
		row(text("5"), text("tab\there"), text("-3.10"), text("NaN"), text("false"), text("2000-12-31"), text("line1\nline2")),
		row(text("6"), text("pipe | and \\ slash"), text("1.00"), text("Infinity"), text("true"), text("2024-06-01"), text("crlf\r\nend")),
		row(text("7"), text("東京タワー"), text("2.00"), text("3.0"), text("false"), text("2024-07-04"), text("한국어")),
		row(text("8"), text("emoji 🎉🚀"), text("3.00"), text("42"), text("true"), text("2024-08-08"), text("e\u0301te\u0301 cafe\u0301")),
		row(text("9"), text("NULL"), text("4.00"), text("1e-300"), text("true"), text("2024-09-09"), text("a very long value that a narrow table has to truncate")),
	}
	return cols, rows
}

func render(t testing.TB, format string, opts Options, cols []engine.Column, rows []engine.Row) string {
	t.Helper()
	var out bytes.Buffer
	w, err := New(format, &out, opts)
	if err != nil {
		t.Fatalf("New(%q): %v", format, err)
	}
	if err := w.Header(cols); err != nil {
		t.Fatalf("Header: %v", err)
	}
	for _, r := range rows {
		if err := w.Row(r); err != nil {
			t.Fatalf("Row: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := w.Rows(); got != int64(len(rows)) {
		t.Errorf("Rows() = %d, want %d", got, len(rows))
	}
	return out.String()
}

var goldenCases = []struct {
	name   string
	format string
	opts   Options
}{
	{"csv", "csv", Options{}},
	{"csv_nullstring", "csv", Options{NullString: ptr("")}},
	{"csv_null_marker_noheader", "csv", Options{NullString: ptr("NULL"), NoHeader: true}},
	{"tsv", "tsv", Options{}},
	{"tsv_null_backslash_n", "tsv", Options{NullString: ptr(`\N`)}},
	{"json", "json", Options{}},
	{"jsonl", "jsonl", Options{}},
	{"markdown", "markdown", Options{}},
	{"markdown_nullstring", "markdown", Options{NullString: ptr("∅")}},
	{"table", "table", Options{}},
	{"table_maxwidth", "table", Options{MaxWidth: 12}},
	{"table_sample3", "table", Options{SampleRows: 3}},
	{"table_noheader_color", "table", Options{NoHeader: true, Color: true, MaxWidth: 20}},
}

func TestGolden(t *testing.T) {
	cols, rows := fixture()
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, tc.format, tc.opts, cols, rows)
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./ui/print -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update if the change is meant):\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

// wantObjects is the fixture as JSON should carry it, keys deduplicated.
func wantObjects(cols []engine.Column, rows []engine.Row) []map[string]any {
	keys := uniqueNames(cols)
	var out []map[string]any
	for _, r := range rows {
		o := map[string]any{}
		for i, v := range r {
			o[keys[i]] = v.Typed(cols[i].Type)
		}
		out = append(out, o)
	}
	return out
}

// sameJSON compares a decoded value (numbers as json.Number) with the
// value Typed gave.
func sameJSON(got, want any, text string) bool {
	switch w := want.(type) {
	case int64:
		n, ok := got.(json.Number)
		i, err := n.Int64()
		return ok && err == nil && i == w
	case float64:
		if n, ok := got.(json.Number); ok {
			f, err := n.Float64()
			return err == nil && f == w
		}
		// NaN and infinities travel as their text.
		return got == text
	case json.Number:
		return got == w
	}
	return got == want
}

func TestJSONParsesBack(t *testing.T) {
	cols, rows := fixture()
	want := wantObjects(cols, rows)
	check := func(t *testing.T, got []map[string]any) {
		if len(got) != len(want) {
			t.Fatalf("got %d objects, want %d", len(got), len(want))
		}
		keys := uniqueNames(cols)
		for i := range want {
			if len(got[i]) != len(want[i]) {
				t.Errorf("object %d has %d keys, want %d: %v", i, len(got[i]), len(want[i]), got[i])
			}
			for j, k := range keys {
				g, ok := got[i][k]
				if !ok {
					t.Errorf("object %d: key %q missing", i, k)
					continue
				}
				if !sameJSON(g, want[i][k], rows[i][j].Text) {
					t.Errorf("object %d key %q: got %#v, want %#v", i, k, g, want[i][k])
				}
			}
		}
	}
	t.Run("json", func(t *testing.T) {
		dec := json.NewDecoder(strings.NewReader(render(t, "json", Options{}, cols, rows)))
		dec.UseNumber()
		var got []map[string]any
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("output is not one JSON array: %v", err)
		}
		if dec.More() {
			t.Error("data after the array")
		}
		check(t, got)
	})
	t.Run("jsonl", func(t *testing.T) {
		out := render(t, "jsonl", Options{}, cols, rows)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		var got []map[string]any
		for _, l := range lines {
			dec := json.NewDecoder(strings.NewReader(l))
			dec.UseNumber()
			var o map[string]any
			if err := dec.Decode(&o); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			got = append(got, o)
		}
		check(t, got)
	})
}

func TestJSONEmpty(t *testing.T) {
	tests := []struct {
		name   string
		format string
		header bool
		want   string
	}{
		{"json no rows", "json", true, "[]\n"},
		{"json no header", "json", false, "[]\n"},
		{"jsonl no rows", "jsonl", true, ""},
		{"csv no rows", "csv", true, "\"a\"\n"},
		{"table no rows", "table", true, "+---+\n| a |\n+---+\n+---+\n"},
		{"table no header", "table", false, ""},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		w, err := New(tc.format, &out, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if tc.header {
			if err := w.Header([]engine.Column{{Name: "a", Type: "bigint"}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, out.String(), tc.want)
		}
	}
}

func TestUniqueNames(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{[]string{"a", "b"}, []string{"a", "b"}},
		{[]string{"a", "a", "a"}, []string{"a", "a_2", "a_3"}},
		{[]string{"a", "a", "a_2"}, []string{"a", "a_3", "a_2"}},
		{[]string{"_col0", "_col0"}, []string{"_col0", "_col0_2"}},
		{[]string{"", ""}, []string{"", "_2"}},
	}
	for _, tc := range tests {
		var cols []engine.Column
		for _, n := range tc.in {
			cols = append(cols, engine.Column{Name: n})
		}
		if got := uniqueNames(cols); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("uniqueNames(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestJSONFloats(t *testing.T) {
	for _, f := range []float64{0, 1, -1.5, 1e-7, 1.5e-7, 1e20, 1e21, 1.0e22, 123456.789, 5e-324} {
		want, _ := json.Marshal(f)
		if got := appendFloat(nil, f); string(got) != string(want) {
			t.Errorf("appendFloat(%v) = %s, want %s (encoding/json)", f, got, want)
		}
	}
}

func TestJSONStrings(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s`, "\x00\x01\x1f", "tab\tnl\ncr\r", "東京 🎉 e\u0301", "\u2028\u2029", "bad\xffutf8", "<&>"} {
		got := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("appendJSONString(%q) = %s: not JSON: %v", s, got, err)
			continue
		}
		if want := strings.ToValidUTF8(s, "\ufffd"); back != want {
			t.Errorf("appendJSONString(%q) read back as %q, want %q", s, back, want)
		}
	}
}

func TestCSVReadsBack(t *testing.T) {
	cols, rows := fixture()
	for _, opts := range []Options{{}, {NullString: ptr("")}, {NullString: ptr("NULL")}} {
		out := render(t, "csv", opts, cols, rows)
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("encoding/csv cannot read the output: %v", err)
		}
		if len(recs) != len(rows)+1 {
			t.Fatalf("got %d records, want %d", len(recs), len(rows)+1)
		}
		for i, r := range rows {
			for j, v := range r {
				// encoding/csv drops the CR of a CR LF even inside quotes
				// (its documented behaviour); the output keeps it.
				want := strings.ReplaceAll(v.Text, "\r\n", "\n")
				if v.Null && opts.NullString != nil {
					want = *opts.NullString
				}
				if got := recs[i+1][j]; got != want {
					t.Errorf("record %d field %d: got %q, want %q", i+1, j, got, want)
				}
			}
		}
	}
}

// TestCSVNullDistinct checks that a set NullString keeps NULL and a value
// equal to it apart for a quote-aware reader: the value is quoted, NULL is
// not.
func TestCSVNullDistinct(t *testing.T) {
	cols := []engine.Column{{Name: "a"}, {Name: "b"}}
	tests := []struct {
		null *string
		want string
	}{
		// NULL is unquoted, every value quoted: "" stays apart by default.
		{nil, "\"a\",\"b\"\n,\"\"\n"},
		{ptr(""), "\"a\",\"b\"\n,\"\"\n"},
		{ptr("NULL"), "\"a\",\"b\"\nNULL,\"\"\n"},
	}
	for _, tc := range tests {
		r := row(null(), text(""))
		got := render(t, "csv", Options{NullString: tc.null}, cols, []engine.Row{r})
		if got != tc.want {
			t.Errorf("NullString %v: got %q, want %q", tc.null, got, tc.want)
		}
	}
	got := render(t, "csv", Options{NullString: ptr("NULL")}, cols, []engine.Row{row(null(), text("NULL"))})
	if want := "\"a\",\"b\"\nNULL,\"NULL\"\n"; got != want {
		t.Errorf("value equal to NullString: got %q, want %q", got, want)
	}
}

// unescapeTSV reverses the tsv escaping rule, as a reader would.
func unescapeTSV(s string) string {
	r := strings.NewReplacer(`\\`, `\`, `\t`, "\t", `\n`, "\n", `\r`, "\r")
	return r.Replace(s)
}

func TestTSVReadsBack(t *testing.T) {
	cols, rows := fixture()
	out := render(t, "tsv", Options{NullString: ptr(`\N`)}, cols, rows)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(rows)+1 {
		t.Fatalf("got %d lines, want %d: every row must be one line", len(lines), len(rows)+1)
	}
	for i, r := range rows {
		fields := strings.Split(lines[i+1], "\t")
		if len(fields) != len(cols) {
			t.Fatalf("line %d has %d fields, want %d", i+1, len(fields), len(cols))
		}
		for j, v := range r {
			if v.Null {
				if fields[j] != `\N` {
					t.Errorf("line %d field %d: NULL written as %q, want \\N", i+1, j, fields[j])
				}
				continue
			}
			if got := unescapeTSV(fields[j]); got != v.Text {
				t.Errorf("line %d field %d: read back %q, want %q", i+1, j, got, v.Text)
			}
		}
	}
}

func TestMarkdownShape(t *testing.T) {
	cols, rows := fixture()
	out := render(t, "markdown", Options{}, cols, rows)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(rows)+2 {
		t.Fatalf("got %d lines, want %d", len(lines), len(rows)+2)
	}
	for i, l := range lines {
		// Unescaped pipes separate cells: one more than there are columns.
		n := strings.Count(l, "|") - strings.Count(l, `\|`)
		if n != len(cols)+1 {
			t.Errorf("line %d has %d cell separators, want %d: %q", i, n, len(cols)+1, l)
		}
	}
	if _, err := New("markdown", &bytes.Buffer{}, Options{NoHeader: true}); err == nil {
		t.Error("markdown with NoHeader: got no error")
	}
}

// TestTableAligned checks the table's invariant: every line has the same
// display width, whatever the sample size, width cap and content.
func TestTableAligned(t *testing.T) {
	cols, rows := fixture()
	for _, opts := range []Options{{}, {MaxWidth: 5}, {MaxWidth: 1}, {SampleRows: 1}, {SampleRows: 2, MaxWidth: 8}, {NoHeader: true}} {
		out := render(t, "table", opts, cols, rows)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		want := stringWidth(lines[0])
		for i, l := range lines {
			if got := stringWidth(l); got != want {
				t.Errorf("%+v: line %d is %d wide, want %d: %q", opts, i, got, want, l)
			}
		}
		header := 4
		if opts.NoHeader {
			header = 2
		}
		if len(lines) != len(rows)+header {
			t.Errorf("%+v: got %d lines, want %d", opts, len(lines), len(rows)+header)
		}
	}
}

func TestTableTruncatesAfterSample(t *testing.T) {
	cols := []engine.Column{{Name: "v", Type: "varchar"}}
	rows := []engine.Row{row(text("abc")), row(text("abcdef")), row(text("東京タワー"))}
	got := render(t, "table", Options{SampleRows: 1}, cols, rows)
	want := "+-----+\n| v   |\n+-----+\n| abc |\n| ab… |\n| 東… |\n+-----+\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestTableNull(t *testing.T) {
	cols := []engine.Column{{Name: "a", Type: "varchar"}, {Name: "n", Type: "bigint"}}
	rows := []engine.Row{row(null(), null()), row(text(""), text("12345"))}
	got := render(t, "table", Options{Color: true}, cols, rows)
	want := "+------+-------+\n" +
		"| a    |     n |\n" +
		"+------+-------+\n" +
		"| \x1b[2mNULL\x1b[22m |  \x1b[2mNULL\x1b[22m |\n" +
		"|      | 12345 |\n" +
		"+------+-------+\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"東京", 4},
		{"ｱ", 1}, // halfwidth katakana
		{"Ａ", 2}, // fullwidth A
		{"한국어", 6},
		{"e\u0301", 1},
		{"🎉", 2},
		{"❤\ufe0f", 1}, // text-default heart with a variation selector
		{"a\u200db", 2},
		{"\x07", 0},
		{"ß", 1},
	}
	for _, tc := range tests {
		if got := stringWidth(tc.s); got != tc.want {
			t.Errorf("stringWidth(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s     string
		width int
		want  string
		w     int
	}{
		{"abcdef", 6, "abcdef", 6},
		{"abcdef", 4, "abc…", 4},
		{"東京タワー", 4, "東…", 3},
		{"東京タワー", 5, "東京…", 5},
		{"e\u0301e\u0301e\u0301", 2, "e\u0301…", 2},
		{"abc", 0, "", 0},
		{"abc", 1, "…", 1},
	}
	for _, tc := range tests {
		b, w := truncate(nil, tc.s, tc.width)
		if string(b) != tc.want || w != tc.w {
			t.Errorf("truncate(%q, %d) = %q, %d; want %q, %d", tc.s, tc.width, b, w, tc.want, tc.w)
		}
	}
}

func TestCallOrder(t *testing.T) {
	cols := []engine.Column{{Name: "a"}}
	for _, f := range Formats() {
		w, err := New(f, &bytes.Buffer{}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Row(row(text("x"))); err == nil {
			t.Errorf("%s: Row before Header: got no error", f)
		}
		if err := w.Header(cols); err != nil {
			t.Fatal(err)
		}
		if err := w.Header(cols); err == nil {
			t.Errorf("%s: Header twice: got no error", f)
		}
		if err := w.Row(row(text("x"), text("y"))); err == nil {
			t.Errorf("%s: row of 2 values for 1 column: got no error", f)
		}
		if err := w.Close(); err != nil {
			t.Errorf("%s: Close: %v", f, err)
		}
		if err := w.Close(); err != nil {
			t.Errorf("%s: second Close: %v", f, err)
		}
		if err := w.Row(row(text("x"))); err == nil {
			t.Errorf("%s: Row after Close: got no error", f)
		}
	}
	if _, err := New("xml", &bytes.Buffer{}, Options{}); err == nil {
		t.Error("New(xml): got no error")
	}
	if _, err := New("table", &bytes.Buffer{}, Options{MaxWidth: -1}); err == nil {
		t.Error("MaxWidth -1: got no error")
	}
}

type failWriter struct{ n int }

var errDisk = errors.New("disk full")

func (f *failWriter) Write(p []byte) (int, error) {
	f.n++
	return 0, errDisk
}

// TestWriteError checks that an output error comes back, from Row once the
// buffer spills or from Close at the latest, and sticks.
func TestWriteError(t *testing.T) {
	cols, rows := fixture()
	for _, f := range Formats() {
		fw := &failWriter{}
		w, err := New(f, fw, Options{SampleRows: 1})
		if err != nil {
			t.Fatal(err)
		}
		w.Header(cols)
		var rowErr error
		// Enough rows to overflow the 64 KiB buffer.
		for i := 0; i < 5000 && rowErr == nil; i++ {
			rowErr = w.Row(rows[i%len(rows)])
		}
		if !errors.Is(rowErr, errDisk) {
			t.Errorf("%s: Row error = %v, want %v", f, rowErr, errDisk)
		}
		if err := w.Close(); !errors.Is(err, errDisk) {
			t.Errorf("%s: Close error = %v, want %v", f, err, errDisk)
		}
		if fw.n != 1 {
			t.Errorf("%s: %d writes to a failed output, want 1", f, fw.n)
		}
	}
}

// TestRowAllocs checks that streaming does not allocate per row beyond
// what engine.Value.Typed does for JSON numbers (boxing into an
// interface), so memory cannot grow with the number of rows.
func TestRowAllocs(t *testing.T) {
	cols, r := benchData()
	for _, f := range Formats() {
		w, err := New(f, discard{}, Options{SampleRows: 10})
		if err != nil {
			t.Fatal(err)
		}
		w.Header(cols)
		for i := 0; i < 20; i++ { // past the table's sample
			w.Row(r)
		}
		allocs := testing.AllocsPerRun(200, func() { w.Row(r) })
		limit := 0.0
		if strings.HasPrefix(f, "json") {
			limit = float64(len(cols))
		}
		if allocs > limit {
			t.Errorf("%s: %.1f allocations per row, want at most %.0f", f, allocs, limit)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
