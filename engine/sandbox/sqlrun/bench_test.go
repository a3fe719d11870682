package sqlrun

import (
	"context"
	"strconv"
	"testing"

	"github.com/quiltq/quiltq/engine"
)

// numbers is a generated table of n rows × 10 columns, the shape of the
// sandbox's benchmarks.numbers, without holding the rows in memory.
func numbers(n int, version string) *Table {
	cols := []engine.Column{{Name: "id", Type: "bigint"}}
	for i := 1; i < 10; i++ {
		typ := "double"
		if i%3 == 0 {
			typ = "varchar"
		}
		cols = append(cols, engine.Column{Name: "c" + strconv.Itoa(i), Type: typ})
	}
	return &Table{Columns: cols, Version: version, Size: int64(n) * 100,
		Scan: func(ctx context.Context, emit func(engine.Row) error) error {
			row := make(engine.Row, 10)
			for i := 0; i < n; i++ {
				row[0] = engine.Value{Text: strconv.Itoa(i)}
				for c := 1; c < 10; c++ {
					row[c] = engine.Value{Text: strconv.FormatFloat(float64(i)*1.25+float64(c), 'f', -1, 64)}
				}
				if err := emit(row); err != nil {
					return err
				}
			}
			return nil
		}}
}

type benchCatalog struct{ t *Table }

func (c benchCatalog) Table(context.Context, TableRef) (*Table, error) { return c.t, nil }
func (c benchCatalog) Databases(context.Context, string) ([]string, error) {
	return []string{"benchmarks"}, nil
}
func (c benchCatalog) Tables(context.Context, string, string) ([]string, error) {
	return []string{"numbers"}, nil
}

type discard struct{ rows int }

func (d *discard) Columns([]engine.Column) error { return nil }
func (d *discard) Row(engine.Row) error          { d.rows++; return nil }

const benchRows = 100_000

// BenchmarkLoad measures copying 100k rows × 10 columns into SQLite: each
// iteration is a new version, so each loads.
func BenchmarkLoad(b *testing.B) {
	e, err := New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		cat := benchCatalog{numbers(benchRows, "v"+strconv.Itoa(i))}
		if _, err := e.Run(ctx, Query{SQL: "SELECT count(*) FROM benchmarks.numbers"}, cat, &discard{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkSelectAll measures streaming SELECT * of a loaded 100k-row table.
func BenchmarkSelectAll(b *testing.B) {
	e, err := New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	cat := benchCatalog{numbers(benchRows, "v1")}
	if _, err := e.Run(ctx, Query{SQL: "SELECT count(*) FROM benchmarks.numbers"}, cat, &discard{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		d := &discard{}
		if _, err := e.Run(ctx, Query{SQL: "SELECT * FROM benchmarks.numbers"}, cat, d); err != nil {
			b.Fatal(err)
		}
		if d.rows != benchRows {
			b.Fatalf("got %d rows, want %d", d.rows, benchRows)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkFilter measures a filter over a loaded 100k-row table: on a
// double column against a literal and against another column, whose
// comparisons must treat NaN as Trino does (never equal, less or
// greater), beside the same filter on the bigint column.
func BenchmarkFilter(b *testing.B) {
	e, err := New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	cat := benchCatalog{numbers(benchRows, "v1")}
	if _, err := e.Run(ctx, Query{SQL: "SELECT count(*) FROM benchmarks.numbers"}, cat, &discard{}); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, sql string }{
		{"bigint", "SELECT count(*) FROM benchmarks.numbers WHERE id > 50000"},
		{"double", "SELECT count(*) FROM benchmarks.numbers WHERE c1 > 62500e0"},
		{"double-columns", "SELECT count(*) FROM benchmarks.numbers WHERE c2 > c1"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := e.Run(ctx, Query{SQL: c.sql}, cat, &discard{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
