package results

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/theme"
)

// benchRows makes n rows of ten columns of varied widths, like an orders
// table: ids, names, amounts, dates, a NULL now and then.
func benchRows(n int) ([]engine.Column, func(i int) engine.Row) {
	var cs []engine.Column
	for j := 0; j < 10; j++ {
		cs = append(cs, engine.Column{Name: fmt.Sprintf("column_%d", j), Type: "varchar"})
	}
	return cs, func(i int) engine.Row {
		r := make(engine.Row, 10)
		r[0] = engine.Value{Text: fmt.Sprint(i)}
		r[1] = engine.Value{Text: fmt.Sprintf("customer-%05d", i%50000)}
		r[2] = engine.Value{Text: fmt.Sprintf("%d.%02d", i%9973, i%100)}
		r[3] = engine.Value{Text: "2024-06-01"}
		r[4] = engine.Value{Text: []string{"eu-west", "us-east", "ap-northeast"}[i%3]}
		r[5] = engine.Value{Null: i%7 == 0, Text: map[bool]string{true: "", false: "shipped"}[i%7 == 0]}
		r[6] = engine.Value{Text: fmt.Sprint(i % 12)}
		r[7] = engine.Value{Text: "SKU-" + fmt.Sprint(i%977)}
		r[8] = engine.Value{Text: ""}
		r[9] = engine.Value{Text: fmt.Sprintf("note %d", i%31)}
		return r
	}
}

func loaded(b *testing.B, n int) Model {
	cs, row := benchRows(n)
	m := New(keys.Default().Results, theme.New(theme.Options{Dark: true}), n)
	m.SetSize(200, 50)
	m.Focus()
	m.Reset("bench", cs)
	batch := make([]engine.Row, 0, 10000)
	for i := 0; i < n; i++ {
		batch = append(batch, row(i))
		if len(batch) == cap(batch) {
			m.Append(batch)
			batch = batch[:0]
		}
	}
	m.Append(batch)
	m.Finish(nil)
	return m
}

// BenchmarkScrollStep is one step of the grid (a key, Update and View)
// with 1,000,000 rows of 10 columns loaded. Goal: at most 2 ms.
func BenchmarkScrollStep(b *testing.B) {
	m := loaded(b, 1_000_000)
	down, right := press("down"), press("right")
	m, _ = m.Update(press("pgdown"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := down
		if i%10 == 9 {
			k = right
		}
		m, _ = m.Update(k)
		if len(m.View()) == 0 {
			b.Fatal("empty view")
		}
	}
}

// BenchmarkRowMemory loads 1,000,000 rows of 10 columns and reports the
// heap they take beside the size of the same rows as Athena's CSV. Goal:
// at most 1.5 times.
func BenchmarkRowMemory(b *testing.B) {
	const n = 1_000_000
	cs, row := benchRows(n)
	var csv bytes.Buffer
	empty := ""
	w, _ := print.New("csv", &csv, print.Options{NullString: &empty})
	w.Header(cs)
	for i := 0; i < n; i++ {
		w.Row(row(i))
	}
	w.Close()
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m := loaded(b, n)
		runtime.GC()
		runtime.ReadMemStats(&after)
		held := float64(after.HeapAlloc) - float64(before.HeapAlloc)
		b.ReportMetric(held/float64(csv.Len()), "x-csv")
		b.ReportMetric(held/(1<<20), "MiB")
		b.ReportMetric(float64(csv.Len())/(1<<20), "csv-MiB")
		runtime.KeepAlive(m)
	}
}

// typedBench makes n rows of an orders-like result with typed columns,
// the ids in a scrambled order so that sorting them is real work.
func typedBench(n int) ([]engine.Column, []engine.Row) {
	cs := []engine.Column{
		{Name: "id", Type: "bigint"}, {Name: "customer", Type: "varchar"}, {Name: "amount", Type: "decimal(10,2)"},
		{Name: "ordered_at", Type: "timestamp"}, {Name: "region", Type: "varchar"}, {Name: "note", Type: "varchar"},
	}
	rows := make([]engine.Row, n)
	for i := range rows {
		k := (i * 7919) % n
		rows[i] = engine.Row{
			{Text: fmt.Sprint(k)},
			{Text: fmt.Sprintf("customer-%05d", (k*31)%50000)},
			{Text: fmt.Sprintf("%d.%02d", k%9973, k%100)},
			{Text: fmt.Sprintf("2024-%02d-%02d %02d:%02d:%02d.%03d", 1+k%12, 1+k%28, k%24, k%60, (k/60)%60, k%1000)},
			{Text: []string{"eu-west", "us-east", "ap-northeast"}[k%3]},
			{Null: k%11 == 0, Text: fmt.Sprintf("note %d", k%31)},
		}
	}
	return cs, rows
}

// BenchmarkSort100k sorts 100,000 loaded rows by one column (o), from
// reading the column's keys to the new order. Goal: at most 300 ms.
func BenchmarkSort100k(b *testing.B) {
	cs, rows := typedBench(100_000)
	for _, col := range []int{0, 1, 2, 3} {
		b.Run(cs[col].Type, func(b *testing.B) {
			m := New(keys.Default().Results, theme.New(theme.Options{Dark: true}), 0)
			m.SetSize(200, 50)
			m.Reset("bench", cs)
			m.Append(rows)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.SortBy(col, 1)
				if m.Shown() != len(rows) {
					b.Fatal("rows lost")
				}
				b.StopTimer()
				m.SortBy(col, 0)
				b.StartTimer()
			}
		})
	}
}

// BenchmarkFilter100k filters 100,000 loaded rows for a text in any
// column.
func BenchmarkFilter100k(b *testing.B) {
	cs, rows := typedBench(100_000)
	m := New(keys.Default().Results, theme.New(theme.Options{Dark: true}), 0)
	m.SetSize(200, 50)
	m.Reset("bench", cs)
	m.Append(rows)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.SetFilter("US-EAST")
		if m.Shown() == 0 {
			b.Fatal("nothing matched")
		}
		m.SetFilter("")
	}
}

// BenchmarkScrollStepSorted is BenchmarkScrollStep with the 1,000,000
// rows sorted by a column: the order's indirection costs the step nothing
// that shows.
func BenchmarkScrollStepSorted(b *testing.B) {
	m := loaded(b, 1_000_000)
	m.SortBy(1, -1)
	down, right := press("down"), press("right")
	m, _ = m.Update(press("pgdown"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := down
		if i%10 == 9 {
			k = right
		}
		m, _ = m.Update(k)
		if len(m.View()) == 0 {
			b.Fatal("empty view")
		}
	}
}
