package stack

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// The benchmark table: database, table and the key of its one data object
// in BenchBucket.
const (
	BenchDatabase = "benchmarks"
	BenchTable    = "numbers"
	BenchKey      = "benchmarks/numbers/numbers-0000.csv"
)

// BenchBucket is the bucket that holds the benchmark data: the analytics
// bucket, or quilt-sandbox-benchmarks when the stack has none.
func (s *Stack) BenchBucket() string {
	if s.AnalyticsBucket != "" {
		return s.AnalyticsBucket
	}
	return "quilt-sandbox-benchmarks"
}

// BenchColumns are the ten columns of benchmarks.numbers, in file order.
func BenchColumns() []Column {
	return []Column{
		{Name: "id", Type: "bigint", Comment: "1..rows, in order"},
		{Name: "grp", Type: "int", Comment: "0..999; NULL in about 2% of rows"},
		{Name: "amount", Type: "double", Comment: "two decimals; NULL in about 1%"},
		{Name: "ratio", Type: "double", Comment: "0..1; NULL in about 5%"},
		{Name: "label", Type: "string", Comment: "text with quotes, commas and line breaks"},
		{Name: "category", Type: "string", Comment: "a few values, the empty string and NULL among them"},
		{Name: "active", Type: "boolean", Comment: "NULL in about 3%"},
		{Name: "day", Type: "date", Comment: "2020-01-01 .. 2024-12-30"},
		{Name: "ts", Type: "timestamp", Comment: "millisecond precision"},
		{Name: "note", Type: "string", Comment: "NULL in about 10%, empty in about 10%"},
	}
}

// WithBench adds the benchmark table to the Glue catalog of s when
// BenchRows > 0: database benchmarks, table numbers over
// s3://<BenchBucket>/benchmarks/numbers/. It does nothing when the table is
// already there, so calling it twice is harmless. Populate calls it, which
// is how the metastore built after Populate comes to list the table.
func (s *Stack) WithBench() {
	if s.BenchRows <= 0 {
		return
	}
	table := Table{
		Name:        BenchTable,
		Type:        "EXTERNAL_TABLE",
		Location:    "s3://" + s.BenchBucket() + "/benchmarks/numbers/",
		Columns:     BenchColumns(),
		Description: "Generated benchmark data: " + strconv.Itoa(s.BenchRows) + " rows of mixed types.",
	}
	for i := range s.Databases {
		d := &s.Databases[i]
		if d.Name != BenchDatabase {
			continue
		}
		for _, t := range d.Tables {
			if t.Name == BenchTable {
				return
			}
		}
		d.Tables = append(d.Tables, table)
		return
	}
	s.Databases = append(s.Databases, Database{
		Name:        BenchDatabase,
		Description: "Generated data for benchmarks (the sandbox's bench_rows).",
		Tables:      []Table{table},
	})
}

// BenchCSV generates the benchmark table's data: rows lines of CSV in the
// sandbox's convention (no header; `\N` and empty non-string fields are
// NULL), the same bytes for the same rows on every call.
func BenchCSV(rows int) []byte {
	rng := rand.New(rand.NewPCG(0x5EED, 0xBE7C4))
	quote := func(s string) string {
		if strings.ContainsAny(s, ",\"\n\r") {
			return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
		return s
	}
	pool := func(texts ...string) []string {
		out := make([]string, len(texts))
		for i, t := range texts {
			out[i] = quote(t)
		}
		return out
	}
	labels := pool("plain", "widget, large", `the "best" one`, "two\nlines", "comma,quote\",newline\nall three",
		"café au lait", "trailing space ", " leading space", "tab\there", "semicolon; not special",
		"back\\slash", "'single' quotes", "a,b,c,d", `""`, "ünïcödé ✓", "CRLF\r\ninside")
	categories := pool("hardware", "software", "services", "", `\N`, "support, premium", "other")
	notes := pool("ok", "check with \"finance\"", "line one\nline two", "n/a", "refund, partial", "see ticket #4412")

	// Dates and their text, made once: formatting per row would dominate.
	const days = 1826
	dayText := make([]string, days)
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range dayText {
		dayText[i] = start.AddDate(0, 0, i).Format(time.DateOnly)
	}

	buf := make([]byte, 0, rows*112) // about 104 bytes a row
	for i := 0; i < rows; i++ {
		a, b := rng.Uint64(), rng.Uint64()
		buf = strconv.AppendInt(buf, int64(i+1), 10)
		buf = append(buf, ',')
		if a%50 != 0 { // grp
			buf = strconv.AppendInt(buf, int64(a>>8%1000), 10)
		}
		buf = append(buf, ',')
		if a>>20%100 == 0 { // amount
			buf = append(buf, `\N`...)
		} else {
			buf = strconv.AppendFloat(buf, float64(int64(a>>24%10_000_000)-500_000)/100, 'f', 2, 64)
		}
		buf = append(buf, ',')
		if b%20 != 0 { // ratio
			buf = strconv.AppendFloat(buf, float64(b>>11%1_000_000)/1_000_000, 'f', -1, 64)
		}
		buf = append(buf, ',')
		buf = append(buf, labels[b>>5%uint64(len(labels))]...)
		buf = append(buf, ',')
		buf = append(buf, categories[b>>9%uint64(len(categories))]...)
		buf = append(buf, ',')
		switch b >> 13 % 100 {
		case 0, 1, 2:
		default:
			buf = strconv.AppendBool(buf, b>>20&1 == 1)
		}
		buf = append(buf, ',')
		d := int(a >> 32 % days)
		buf = append(buf, dayText[d]...)
		buf = append(buf, ',')
		// ts: a day near the date column's, a time of day in milliseconds.
		buf = append(buf, dayText[(d+int(b>>24%3))%days]...)
		ms := b >> 28 % 86_400_000
		buf = append(buf, ' ')
		buf = append2(buf, ms/3_600_000)
		buf = append(buf, ':')
		buf = append2(buf, ms/60_000%60)
		buf = append(buf, ':')
		buf = append2(buf, ms/1000%60)
		buf = append(buf, '.')
		buf = append(buf, byte('0'+ms%1000/100), byte('0'+ms%100/10), byte('0'+ms%10))
		buf = append(buf, ',')
		switch n := b >> 56 % 10; n {
		case 0:
			buf = append(buf, `\N`...)
		case 1:
		default:
			buf = append(buf, notes[int(n)%len(notes)]...)
		}
		buf = append(buf, '\n')
	}
	return buf
}

// append2 appends n as two digits.
func append2(buf []byte, n uint64) []byte {
	return append(buf, byte('0'+n/10), byte('0'+n%10))
}
