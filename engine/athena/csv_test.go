package athena

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/quiltq/quiltq/engine"
)

// writeAthenaCSV renders records as Athena writes its result CSV: every
// value quoted with quotes doubled, NULL as an empty unquoted field, "\n"
// after each record. It is the test's reference writer, written apart from
// the reader it checks.
func writeAthenaCSV(w *bytes.Buffer, records ...engine.Row) {
	for _, rec := range records {
		for i, v := range rec {
			if i > 0 {
				w.WriteByte(',')
			}
			if v.Null {
				continue
			}
			w.WriteByte('"')
			w.WriteString(strings.ReplaceAll(v.Text, `"`, `""`))
			w.WriteByte('"')
		}
		w.WriteByte('\n')
	}
}

// csvReadAll reads every record of data with a reader of the given buffer
// size over r.
func csvReadAll(r io.Reader, size int) ([]engine.Row, error) {
	c := newCSVReaderSize(r, size)
	var out []engine.Row
	for {
		rec, err := c.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

// showRows renders records with NULL visible, for messages.
func showRows(recs []engine.Row) string {
	var b strings.Builder
	for _, r := range recs {
		b.WriteByte('[')
		for i, v := range r {
			if i > 0 {
				b.WriteByte(' ')
			}
			if v.Null {
				b.WriteString("NULL")
			} else {
				fmt.Fprintf(&b, "%q", v.Text)
			}
		}
		b.WriteByte(']')
	}
	return b.String()
}

func csvText(s string) engine.Value { return engine.Value{Text: s} }

var csvNull = engine.Value{Null: true}

func TestCSVReader(t *testing.T) {
	tests := []struct {
		name, in string
		want     []engine.Row
	}{
		{"empty input", "", nil},
		{"header and row", "\"a\",\"b\"\n\"1\",\"2\"\n", []engine.Row{{csvText("a"), csvText("b")}, {csvText("1"), csvText("2")}}},
		{"NULL apart from empty", "\"x\",,\"\"\n,\"\",\n", []engine.Row{{csvText("x"), csvNull, csvText("")}, {csvNull, csvText(""), csvNull}}},
		{"one NULL column is an empty line", "\"c\"\n\n\"v\"\n\n", []engine.Row{{csvText("c")}, {csvNull}, {csvText("v")}, {csvNull}}},
		{"quotes, commas, newlines inside", "\"say \"\"hi\"\"\",\"a,b\",\"two\nlines\"\n",
			[]engine.Row{{csvText(`say "hi"`), csvText("a,b"), csvText("two\nlines")}}},
		{"only quotes", "\"\"\"\"\"\",\"\"\"\"\n", []engine.Row{{csvText(`""`), csvText(`"`)}}},
		{"CRLF line ends", "\"a\",\"b\"\r\n,\"c\"\r\n", []engine.Row{{csvText("a"), csvText("b")}, {csvNull, csvText("c")}}},
		{"CRLF inside quotes is text", "\"a\r\nb\"\n", []engine.Row{{csvText("a\r\nb")}}},
		{"no final line end", "\"a\",\"b\"", []engine.Row{{csvText("a"), csvText("b")}}},
		{"final comma at the end", "\"a\",", []engine.Row{{csvText("a"), csvNull}}},
		{"unquoted values", "a,b c,\n", []engine.Row{{csvText("a"), csvText("b c"), csvNull}}},
		{"lone CR in an unquoted value", "a\rb,c\r", []engine.Row{{csvText("a\rb"), csvText("c\r")}}},
		{"unquoted CRLF", "a\r\n,b\r\n", []engine.Row{{csvText("a")}, {csvNull, csvText("b")}}},
		{"unicode", "\"ünïcödé ✓\",\"café\"\n", []engine.Row{{csvText("ünïcödé ✓"), csvText("café")}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Small buffers put every boundary inside quotes, doubled
			// quotes and CRLFs somewhere.
			for _, size := range []int{1, 2, 3, 5, 64 << 10} {
				for name, r := range map[string]io.Reader{
					"whole":    strings.NewReader(tc.in),
					"one byte": iotest.OneByteReader(strings.NewReader(tc.in)),
				} {
					got, err := csvReadAll(r, size)
					if err != nil {
						t.Fatalf("buffer %d, %s reads: %v", size, name, err)
					}
					if showRows(got) != showRows(tc.want) {
						t.Errorf("buffer %d, %s reads: got %s, want %s", size, name, showRows(got), showRows(tc.want))
					}
				}
			}
		})
	}
}

func TestCSVReaderErrors(t *testing.T) {
	tests := []struct {
		name, in   string
		line, off  int64
		msg        string
		rowsBefore int
	}{
		{"never closed", "\"a\"\n\"b\n\nc", 2, 4, "quoted value never closed", 1},
		{"text after closing quote", "\"a\"x\n", 1, 3, `unexpected 'x' after a quoted value`, 0},
		{"quote in unquoted value", "\"a\"\nab\"c\"\n", 2, 6, "quote inside an unquoted value", 1},
		{"CR alone after quote", "\"a\"\r\"b\"\n", 1, 3, "CR not followed by LF", 0},
		{"line counts newlines in quotes", "\"a\nb\nc\",\"d\"\n\"e\"z", 4, 15, "unexpected 'z'", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, size := range []int{1, 4, 1024} {
				got, err := csvReadAll(strings.NewReader(tc.in), size)
				var ce *CSVError
				if !errors.As(err, &ce) {
					t.Fatalf("buffer %d: got %v, want a *CSVError", size, err)
				}
				if ce.Line != tc.line || ce.Offset != tc.off || !strings.Contains(ce.Msg, tc.msg) {
					t.Errorf("buffer %d: got line %d offset %d %q, want line %d offset %d %q", size, ce.Line, ce.Offset, ce.Msg, tc.line, tc.off, tc.msg)
				}
				if len(got) != tc.rowsBefore {
					t.Errorf("buffer %d: got %d records before the error, want %d", size, len(got), tc.rowsBefore)
				}
			}
		})
	}
}

// A read error mid-record is the record's error: a cut stream never reads
// as a shorter file.
func TestCSVReaderPassesReadErrorsOn(t *testing.T) {
	cut := errors.New("connection cut")
	for _, in := range []string{"\"a\",\"b\"\n\"c\",\"d", "\"a\",\"b\"\n\"c\",", "\"a\",\"b\"\n\"c\"", "\"a\",\"b\"\nc", "\"a\",\"b\"\n"} {
		r := io.MultiReader(strings.NewReader(in), iotest.ErrReader(cut))
		got, err := csvReadAll(r, 3)
		if !errors.Is(err, cut) {
			t.Errorf("%q then an error: got %v, want the error", in, err)
		}
		if len(got) != 1 {
			t.Errorf("%q then an error: got records %s, want the first only", in, showRows(got))
		}
	}
}

// FuzzCSV checks that the reader never panics, reads the same whatever
// its buffer size, and that what it reads, written back as Athena writes,
// reads the same again; and that records built from the input survive the
// writer and the reader unchanged.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"", "\n", "\"a\",,\"\"\n", "\"x\"\"y\",\"1,2\",\"l1\nl2\"\r\n", "a,b\r\nc", "\"a\"x", "\"open",
		",,,\n,\n", "\"\"\"\"", "a\rb\r", "\"ü\",\"✓\"\n\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, errWhole := csvReadAll(bytes.NewReader(data), 64<<10)
		small, errSmall := csvReadAll(iotest.OneByteReader(bytes.NewReader(data)), 3)
		if (errWhole == nil) != (errSmall == nil) || showRows(whole) != showRows(small) {
			t.Fatalf("buffer sizes disagree on %q: %s (%v) and %s (%v)", data, showRows(whole), errWhole, showRows(small), errSmall)
		}
		if errWhole != nil {
			var ce *CSVError
			if !errors.As(errWhole, &ce) || ce.Line < 1 || ce.Offset < 0 || ce.Offset > int64(len(data)) {
				t.Fatalf("error %v on %q is not a CSVError within the input", errWhole, data)
			}
		} else {
			var buf bytes.Buffer
			writeAthenaCSV(&buf, whole...)
			again, err := csvReadAll(&buf, 7)
			if err != nil || showRows(again) != showRows(whole) {
				t.Fatalf("round trip of %s: got %s, %v", showRows(whole), showRows(again), err)
			}
		}
		// Records from the input: lines are records, 0x1f separates values,
		// a value starting with 0x00 is NULL.
		var recs []engine.Row
		for _, line := range bytes.Split(data, []byte{0x1e}) {
			var rec engine.Row
			for _, v := range bytes.Split(line, []byte{0x1f}) {
				if len(v) > 0 && v[0] == 0 {
					rec = append(rec, csvNull)
				} else {
					rec = append(rec, csvText(string(v)))
				}
			}
			recs = append(recs, rec)
		}
		var buf bytes.Buffer
		writeAthenaCSV(&buf, recs...)
		got, err := csvReadAll(&buf, 5)
		if err != nil || showRows(got) != showRows(recs) {
			t.Fatalf("records %s written and read: got %s, %v", showRows(recs), showRows(got), err)
		}
	})
}

func BenchmarkCSVReader(b *testing.B) {
	var buf bytes.Buffer
	row := engine.Row{csvText("12345"), csvNull, csvText("3.25"), csvText(`the "best" one`), csvText(""), csvText("comma, here"), csvText("true"), csvText("2024-01-31"), csvText("2024-01-31 12:00:00.000"), csvText("line one\nline two")}
	for range 10000 {
		writeAthenaCSV(&buf, row)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c := newCSVReader(bytes.NewReader(data))
		for {
			if _, err := c.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
