package athena

import (
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// BenchmarkResults fetches every row of benchmarks.numbers (10 columns of
// mixed types) through the real SDK from the sandbox: from the result file
// in S3 (4 parallel parts, then 1) and from GetQueryResults pages, on
// loopback and with 10 ms added to every AWS request, as a nearby region
// would. It reports rows/s.
//
// The table has 100,000 rows by default; QUILTQ_BENCH_ROWS sets another
// count. The full million:
//
//	QUILTQ_BENCH_ROWS=1000000 go test -run '^$' -bench BenchmarkResults -benchtime 3x ./engine/athena/
func BenchmarkResults(b *testing.B) {
	rows := 100_000
	if s := os.Getenv("QUILTQ_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("QUILTQ_BENCH_ROWS=%q: want a positive row count", s)
		}
		rows = n
	}
	for _, latency := range []time.Duration{0, 10 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			env := sandboxtest.Start(b, sandbox.Options{BenchRows: rows, Latency: latency})
			cfg := adminConfig(b, env)
			x := runResultsQuery(b, cfg, "SELECT * FROM benchmarks.numbers")
			size := len(rawResult(b, env, x))
			for _, v := range []struct {
				name string
				opts Options
			}{
				{"s3/parallel=4", Options{S3Concurrency: 4}},
				{"s3/parallel=1", Options{S3Concurrency: 1}},
				{"api", Options{NoS3: true}},
			} {
				b.Run(v.name, func(b *testing.B) {
					c := New(cfg, v.opts)
					b.SetBytes(int64(size))
					b.ReportAllocs()
					for b.Loop() {
						if n := countRows(b, c, x); n != rows {
							b.Fatalf("got %d rows, want %d", n, rows)
						}
					}
					b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		})
	}
}

// countRows reads every row of x, keeping none.
func countRows(b *testing.B, c *Client, x Execution) int {
	r, err := c.Results(sandboxtest.Context(b), x)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}
