package print

import (
	"testing"

	"github.com/quiltq/quiltq/engine"
)

// benchData is one row of ten typical columns.
func benchData() ([]engine.Column, engine.Row) {
	cols := []engine.Column{
		{Name: "id", Type: "bigint"}, {Name: "name", Type: "varchar"}, {Name: "price", Type: "decimal(10,2)"},
		{Name: "ratio", Type: "double"}, {Name: "ok", Type: "boolean"}, {Name: "day", Type: "date"},
		{Name: "ts", Type: "timestamp"}, {Name: "note", Type: "varchar"}, {Name: "count", Type: "integer"},
		{Name: "city", Type: "varchar"},
	}
	r := engine.Row{
		{Text: "123456789"}, {Text: "s3://quilt-example/data/file.parquet"}, {Text: "1234.56"},
		{Text: "0.123456789"}, {Text: "true"}, {Text: "2024-01-31"},
		{Text: "2024-01-31 12:34:56.789"}, {Null: true}, {Text: "42000"}, {Text: "東京"},
	}
	return cols, r
}

// BenchmarkWrite writes 100,000 rows of 10 columns per format and reports
// rows per second; -benchmem's allocs/op divided by 100,000 is the
// allocations per row.
func BenchmarkWrite(b *testing.B) {
	const rows = 100_000
	cols, r := benchData()
	for _, f := range Formats() {
		b.Run(f, func(b *testing.B) {
			b.ReportAllocs()
			var n int64
			for b.Loop() {
				cw := &countWriter{}
				w, err := New(f, cw, Options{})
				if err != nil {
					b.Fatal(err)
				}
				w.Header(cols)
				for i := 0; i < rows; i++ {
					if err := w.Row(r); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				n = cw.n
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(n)/rows, "B/row")
			b.SetBytes(n)
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
