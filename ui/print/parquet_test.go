package print

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/quiltq/quiltq/engine"
)

// typedResult is one column of each Athena type the Parquet writer maps,
// with a value, an edge, a NULL and (for varchar) the empty string.
func typedResult() ([]engine.Column, []engine.Row) {
	cols := []engine.Column{
		{Name: "b", Type: "boolean"},
		{Name: "ti", Type: "tinyint"},
		{Name: "si", Type: "smallint"},
		{Name: "i", Type: "integer"},
		{Name: "bi", Type: "bigint"},
		{Name: "r", Type: "real"},
		{Name: "d", Type: "double"},
		{Name: "dec", Type: "decimal(10,2)"},
		{Name: "bigdec", Type: "decimal(38,4)"},
		{Name: "s", Type: "varchar"},
		{Name: "c", Type: "char(3)"},
		{Name: "day", Type: "date"},
		{Name: "ts", Type: "timestamp"},
		{Name: "tz", Type: "timestamp(3) with time zone"},
		{Name: "bin", Type: "varbinary"},
		{Name: "arr", Type: "array(varchar)"},
		{Name: "s", Type: "varchar"}, // a second column of the same name
	}
	v := func(s string) engine.Value { return engine.Value{Text: s} }
	null := engine.Value{Null: true}
	rows := []engine.Row{
		{v("true"), v("-128"), v("32767"), v("-2147483648"), v("9223372036854775807"), v("1.5"), v("NaN"),
			v("-12.50"), v("-12345678901234567890123456789012.3456"), v("héllo"), v("abc"), v("2024-06-01"),
			v("2024-06-01 12:34:56.789"), v("2024-06-01 12:34:56.789 Europe/Paris"), v("68 65 6c 6c 6f"), v("[a, b]"), v("x")},
		{v("false"), v("0"), v("0"), v("0"), v("-1"), v("-Infinity"), v("Infinity"),
			v("0.00"), v("7"), v(""), v(""), v("1970-01-01"),
			v("1969-12-31 23:59:59.000"), v("2024-06-01 10:00:00.000 UTC"), v(""), v("[]"), v("")},
		{null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null},
	}
	return cols, rows
}

func writeParquet(t *testing.T, cols []engine.Column, rows []engine.Row) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := New("parquet", &buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Header(cols); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Rows() != int64(len(rows)) {
		t.Fatalf("Rows() = %d, want %d", w.Rows(), len(rows))
	}
	return buf.Bytes()
}

func readParquet(t *testing.T, b []byte) (*parquet.File, []parquet.Row) {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	r := parquet.NewReader(f)
	defer r.Close()
	var rows []parquet.Row
	for {
		buf := make([]parquet.Row, 10)
		n, err := r.ReadRows(buf)
		rows = append(rows, buf[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return f, rows
}

// TestParquetRoundTrip writes a result of every type and reads it back
// with the same library: column order and names, physical and logical
// types, values, NULL apart from the empty string.
func TestParquetRoundTrip(t *testing.T) {
	cols, rows := typedResult()
	f, got := readParquet(t, writeParquet(t, cols, rows))

	wantSchema := []struct{ name, typ string }{
		{"b", "BOOLEAN"},
		{"ti", "INT(8,true)"},
		{"si", "INT(16,true)"},
		{"i", "INT(32,true)"},
		{"bi", "INT(64,true)"},
		{"r", "FLOAT"},
		{"d", "DOUBLE"},
		{"dec", "DECIMAL(10,2)"},
		{"bigdec", "DECIMAL(38,4)"},
		{"s", "STRING"},
		{"c", "STRING"},
		{"day", "DATE"},
		{"ts", "TIMESTAMP(isAdjustedToUTC=false,unit=MICROS)"},
		{"tz", "TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)"},
		{"bin", "BYTE_ARRAY"},
		{"arr", "STRING"},
		{"s_2", "STRING"},
	}
	fields := f.Schema().Fields()
	if len(fields) != len(wantSchema) {
		t.Fatalf("%d columns, want %d", len(fields), len(wantSchema))
	}
	for i, w := range wantSchema {
		fd := fields[i]
		if fd.Name() != w.name || fd.Type().String() != w.typ || !fd.Optional() {
			t.Errorf("column %d: %s %s (optional %v), want optional %s %s", i, fd.Name(), fd.Type(), fd.Optional(), w.name, w.typ)
		}
	}
	if k := fields[7].Type().Kind(); k != parquet.Int64 {
		t.Errorf("decimal(10,2) is stored as %v, want INT64", k)
	}
	if k, n := fields[8].Type().Kind(), fields[8].Type().Length(); k != parquet.FixedLenByteArray || n != 16 {
		t.Errorf("decimal(38,4) is stored as %v of %d bytes, want FIXED_LEN_BYTE_ARRAY of 16", k, n)
	}
	if len(got) != 3 {
		t.Fatalf("read %d rows, want 3", len(got))
	}
	r0, r1 := got[0], got[1]
	check := func(name string, ok bool) {
		t.Helper()
		if !ok {
			t.Errorf("%s: row 0 %v, row 1 %v", name, r0, r1)
		}
	}
	check("boolean", r0[0].Boolean() && !r1[0].Boolean())
	check("tinyint", r0[1].Int32() == -128)
	check("smallint", r0[2].Int32() == 32767)
	check("integer", r0[3].Int32() == math.MinInt32)
	check("bigint", r0[4].Int64() == math.MaxInt64 && r1[4].Int64() == -1)
	check("real", r0[5].Float() == 1.5 && math.IsInf(float64(r1[5].Float()), -1))
	check("double", math.IsNaN(r0[6].Double()) && math.IsInf(r1[6].Double(), 1))
	check("decimal(10,2)", r0[7].Int64() == -1250 && r1[7].Int64() == 0)
	bd := r0[8].ByteArray()
	check("decimal(38,4) as 16 bytes of two's complement", len(bd) == 16 && bd[0] == 0xff && twosComplementString(bd) == "-123456789012345678901234567890123456")
	check("varchar", string(r0[9].ByteArray()) == "héllo")
	check("date", r0[11].Int32() == 19875 && r1[11].Int32() == 0)
	check("timestamp", r0[12].Int64() == 1717245296789000 && r1[12].Int64() == -1000000)
	check("timestamp with time zone, in UTC", r0[13].Int64() == 1717238096789000 && r1[13].Int64() == 1717236000000000)
	check("varbinary", string(r0[14].ByteArray()) == "hello")
	check("array as Athena's text", string(r0[15].ByteArray()) == "[a, b]")

	// NULL is a null; the empty string is a value, empty.
	for i := range cols {
		if !got[2][i].IsNull() {
			t.Errorf("column %s: NULL read back as %v", cols[i].Name, got[2][i])
		}
	}
	for _, i := range []int{9, 10, 14, 16} {
		if r1[i].IsNull() || len(r1[i].ByteArray()) != 0 {
			t.Errorf("column %s: the empty value read back as %v, want an empty, non-null value", cols[i].Name, r1[i])
		}
	}
}

// twosComplementString reads a big-endian two's complement as decimal
// digits.
func twosComplementString(b []byte) string {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n.String()
}

// TestParquetRefusesWhatIsNotItsType: a value that does not read as its
// column's type stops the file with the row, column and value, rather
// than writing a wrong value.
func TestParquetRefusesWhatIsNotItsType(t *testing.T) {
	tests := []struct {
		typ, text, want string
	}{
		{"bigint", "12x", `row 1, column "c" (bigint): "12x" is not a 64-bit integer`},
		{"tinyint", "300", `"300" is not a 8-bit integer`},
		{"decimal(5,2)", "1234.5", `"1234.5" has more than 5 digits`},
		{"decimal(5,2)", "1.234", `"1.234" has more than 2 decimals`},
		{"date", "June 1", `"June 1" is not a date`},
		{"boolean", "yes", `"yes" is not a boolean`},
		{"varbinary", "zz", `"zz" is not varbinary`},
		{"timestamp with time zone", "2024-06-01 10:00:00.000 Mars/Olympus", `unknown time zone "Mars/Olympus"`},
	}
	for _, tt := range tests {
		w, _ := New("parquet", io.Discard, Options{})
		w.Header([]engine.Column{{Name: "c", Type: tt.typ}})
		err := w.Row(engine.Row{{Text: tt.text}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %q: error %v, want one saying %s", tt.typ, tt.text, err, tt.want)
		}
		if cerr := w.Close(); cerr == nil {
			t.Errorf("%s %q: Close after a refused row returned no error", tt.typ, tt.text)
		}
	}
}

// TestParquetRowGroups: a long result is written in row groups of
// parquetRowGroup rows, so the writer's memory stays bounded.
func TestParquetRowGroups(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 250,000 rows")
	}
	cols := []engine.Column{{Name: "n", Type: "bigint"}}
	var buf bytes.Buffer
	w, _ := New("parquet", &buf, Options{})
	w.Header(cols)
	r := engine.Row{{Text: "42"}}
	for i := 0; i < 2*parquetRowGroup+50_000; i++ {
		if err := w.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if n, g := f.NumRows(), len(f.RowGroups()); n != 250_000 || g != 3 {
		t.Errorf("%d rows in %d row groups, want 250,000 in 3", n, g)
	}
}

func TestFormatOf(t *testing.T) {
	tests := []struct{ path, format, err string }{
		{"out.csv", "csv", ""},
		{"dir.x/OUT.TSV", "tsv", ""},
		{"a.json", "json", ""},
		{"a.jsonl", "jsonl", ""},
		{"a.ndjson", "jsonl", ""},
		{"x.parquet", "parquet", ""},
		{"notes.md", "markdown", ""},
		{"x.xlsx", "", `x.xlsx: extension ".xlsx" names no format; use .csv, .tsv, .json, .jsonl, .ndjson, .parquet or .md`},
		{"results", "", "results: no extension to name the format; use .csv"},
	}
	for _, tt := range tests {
		got, err := FormatOf(tt.path)
		if got != tt.format || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("FormatOf(%q) = %q, %v; want %q, %q", tt.path, got, err, tt.format, tt.err)
		}
	}
}

// sliceSource is a Source over rows; failAt > 0 fails the read of that row.
type sliceSource struct {
	cols   []engine.Column
	rows   []engine.Row
	failAt int
	n      int
}

func (s *sliceSource) Columns() []engine.Column { return s.cols }
func (s *sliceSource) Next() (engine.Row, error) {
	s.n++
	if s.failAt > 0 && s.n == s.failAt {
		return nil, errors.New("connection reset")
	}
	if s.n > len(s.rows) {
		return nil, io.EOF
	}
	return s.rows[s.n-1], nil
}

// TestWriteFileEachFormat writes the typed result to a file of each
// extension and reads it back: the format follows the extension.
func TestWriteFileEachFormat(t *testing.T) {
	cols, rows := typedResult()
	dir := t.TempDir()
	for _, ext := range Extensions() {
		path := filepath.Join(dir, "out"+ext)
		n, err := WriteFile(path, &sliceSource{cols: cols, rows: rows})
		if err != nil || n != 3 {
			t.Fatalf("%s: %d rows, %v", ext, n, err)
		}
		b, _ := os.ReadFile(path)
		format, _ := FormatOf(path)
		var want bytes.Buffer
		if format != "parquet" {
			w, _ := New(format, &want, Options{})
			w.Header(cols)
			for _, r := range rows {
				w.Row(r)
			}
			w.Close()
			if !bytes.Equal(b, want.Bytes()) {
				t.Errorf("%s: the file differs from the %s writer's output:\n%s", ext, format, b)
			}
			continue
		}
		if !bytes.HasPrefix(b, []byte("PAR1")) {
			t.Errorf("%s: the file does not start with Parquet's magic: %q", ext, b[:min(len(b), 8)])
		}
		_, got := readParquet(t, b)
		if len(got) != 3 || string(got[0][9].ByteArray()) != "héllo" || !got[2][9].IsNull() {
			t.Errorf("%s: read back %v", ext, got)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*partial"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestWriteFileNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.csv")
	os.WriteFile(path, []byte("keep me"), 0o644)
	cols, rows := typedResult()
	if _, err := WriteFile(path, &sliceSource{cols: cols, rows: rows}); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("writing over a file: %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Errorf("the file was changed: %q", b)
	}
	if _, err := WriteFile(filepath.Join(dir, "x.xls"), &sliceSource{cols: cols, rows: rows}); err == nil {
		t.Error("an unknown extension was written")
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Errorf("files in the directory: %v, want only x.csv", names)
	}
}

// TestWriteFileFailureLeavesNothing: a read that fails midway, and a disk
// that is full (writes go to /dev/full, which fails every write with
// ENOSPC), each say so and leave no file under the name asked for.
func TestWriteFileFailureLeavesNothing(t *testing.T) {
	cols, rows := typedResult()
	dir := t.TempDir()
	path := filepath.Join(dir, "broken.csv")
	_, err := WriteFile(path, &sliceSource{cols: cols, rows: rows, failAt: 2})
	if err == nil || !strings.Contains(err.Error(), "connection reset") || !strings.Contains(err.Error(), "nothing was kept") {
		t.Errorf("a failed read: %v, want it said", err)
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("files left after a failed read: %v", names)
	}

	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full here: %v", err)
	}
	defer full.Close()
	for _, ext := range []string{".csv", ".parquet", ".json"} {
		path := filepath.Join(dir, "full"+ext)
		f, err := Create(path)
		if err != nil {
			t.Fatal(err)
		}
		f.w = full
		format, _ := FormatOf(path)
		many := make([]engine.Row, 0, 30000)
		for i := 0; i < 10000; i++ {
			many = append(many, rows...)
		}
		_, err = writeTo(f, format, &sliceSource{cols: cols, rows: many})
		if err == nil || !strings.Contains(err.Error(), "no space left on device") {
			t.Errorf("%s on a full disk: %v, want ENOSPC said", ext, err)
		}
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("files left after a full disk: %v", names)
	}
}
