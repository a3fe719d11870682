package athena

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine/catalogcache"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

// The generated catalog of the browsing benchmarks: 100 databases holding
// 10,000 tables (100 each), beside the default stack's own.
const (
	benchDatabases = 100
	benchTables    = 10_000
)

// catalogBench starts a sandbox serving the default stack plus the
// generated catalog, with QUILTQ_BENCH_LATENCY (a duration, default 0)
// added to every AWS call, and returns an admin client of it.
func catalogBench(b *testing.B) (*sandboxtest.Env, *Client) {
	b.Helper()
	st, err := stack.Default()
	if err != nil {
		b.Fatal(err)
	}
	st.CatalogBench = stack.CatalogBench{Databases: benchDatabases, Tables: benchTables}
	var latency time.Duration
	if s := os.Getenv("QUILTQ_BENCH_LATENCY"); s != "" {
		if latency, err = time.ParseDuration(s); err != nil {
			b.Fatalf("QUILTQ_BENCH_LATENCY: %v", err)
		}
	}
	env := sandboxtest.Start(b, sandbox.Options{Stack: st, Latency: latency})
	cfg := env.AWSConfig(b, "admin")
	return env, New(cfg, Options{})
}

// BenchmarkBrowseCold lists the whole stack anew: both data catalogs,
// 104 Glue databases with 10,013 tables and their columns, and the
// Tabulator tables from the registry.
func BenchmarkBrowseCold(b *testing.B) {
	env, c := catalogBench(b)
	opts := BrowseOptions{Tabulator: tabulatorFor(b, env, "admin")}
	ctx := context.Background()
	tables := 0
	for b.Loop() {
		l, err := c.Browse(ctx, opts)
		if err != nil || len(l.Errors) != 1 { // the broken Tabulator config
			b.Fatalf("%v %+v", err, l.Errors)
		}
		tables = l.Tables()
	}
	b.ReportMetric(float64(tables), "tables")
}

// BenchmarkBrowseCached reads the same listing back from the disk cache,
// as a second start does.
func BenchmarkBrowseCached(b *testing.B) {
	env, c := catalogBench(b)
	ctx := context.Background()
	l, err := c.Browse(ctx, BrowseOptions{Tabulator: tabulatorFor(b, env, "admin")})
	if err != nil {
		b.Fatal(err)
	}
	cache := &catalogcache.Cache{Dir: filepath.Join(b.TempDir(), "catalog")}
	key := catalogcache.Key{Principal: "arn:aws:sts::123456789012:assumed-role/QuiltAdmin-sales-prod/admin", Region: "us-east-1"}
	if _, err := cache.Store(key, l); err != nil {
		b.Fatal(err)
	}
	tables := 0
	for b.Loop() {
		e, ok, err := cache.Load(key)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
		tables = e.Listing.Tables()
	}
	b.ReportMetric(float64(tables), "tables")
}

// BenchmarkInformationSchemaTables is what a listing by query costs: an
// Athena query of information_schema.tables on the same stack, run,
// waited for and read to the last row (names and types only, no columns).
func BenchmarkInformationSchemaTables(b *testing.B) {
	_, c := catalogBench(b)
	ctx := context.Background()
	req := Request{SQL: "SELECT table_schema, table_name, table_type FROM information_schema.tables", Workgroup: userWG}
	rows := 0
	for b.Loop() {
		x, err := c.Run(ctx, req, nil)
		if err != nil {
			b.Fatal(err)
		}
		rs, err := c.Results(ctx, x)
		if err != nil {
			b.Fatal(err)
		}
		rows = 0
		for {
			_, err := rs.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
		rs.Close()
	}
	if rows < benchTables {
		b.Fatalf("%d rows, want at least %d", rows, benchTables)
	}
	b.ReportMetric(float64(rows), "tables")
}
