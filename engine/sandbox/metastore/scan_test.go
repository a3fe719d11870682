package metastore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

func fixedNow() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }

// defaultStore is the default stack, populated, with a small bench table.
func defaultStore(t testing.TB, benchRows int) (*Store, *objstore.Store) {
	t.Helper()
	st, err := stack.Default()
	if err != nil {
		t.Fatal(err)
	}
	st.BenchRows = benchRows
	objs := objstore.New(fixedNow)
	if err := stack.Populate(st, objs); err != nil {
		t.Fatal(err)
	}
	s, err := New(st, objs, fixedNow())
	if err != nil {
		t.Fatal(err)
	}
	return s, objs
}

// storeOf loads a stack from YAML text and populates it.
func storeOf(t *testing.T, doc string) *Store {
	t.Helper()
	st, err := stack.Load(fstest.MapFS{"s.yaml": {Data: []byte(doc)}}, "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs := objstore.New(fixedNow)
	if err := stack.Populate(st, objs); err != nil {
		t.Fatal(err)
	}
	s, err := New(st, objs, fixedNow())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func scanAll(t *testing.T, s *Store, tb Table) []engine.Row {
	t.Helper()
	var rows []engine.Row
	if err := s.Scan(context.Background(), tb, func(r engine.Row) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatalf("Scan %s.%s: %v", tb.Database, tb.Name, err)
	}
	return rows
}

func table(t *testing.T, s *Store, db, name string) Table {
	t.Helper()
	tb, err := s.Table(db, name)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// TestEveryDefaultTableScans scans every Glue table of the default stack
// and checks its row count and row width.
func TestEveryDefaultTableScans(t *testing.T) {
	const bench = 5000
	s, _ := defaultStore(t, bench)
	want := map[string]int{
		"sales.orders":       4200,
		"sales.customers":    240,
		"sales.events":       517,
		"benchmarks.numbers": bench,
		// Pointers: sales/orders-2024q1 2 + latest, 2024q2 1 + latest,
		// examples/iris-measurements 1 + latest.
		"userathenadatabase-k3v9q2m7xw1p.quilt-sandbox-bucket_packages": 7,
		// Entries: 4 + 4 + 3 + 1.
		"userathenadatabase-k3v9q2m7xw1p.quilt-sandbox-bucket_objects-view": 12,
		"userathenadatabase-k3v9q2m7xw1p.nextflowtower_packages":            7,
		"userathenadatabase-k3v9q2m7xw1p.nextflowtower_objects-view":        14,
		// The Iceberg package index: a revision per timestamped pointer,
		// a tag per "latest" pointer, a manifest per revision, its
		// entries.
		"icebergdatabase-7c4m2x9q0hzt.quilt-sandbox-bucket_package_revision": 4,
		"icebergdatabase-7c4m2x9q0hzt.quilt-sandbox-bucket_package_tag":      3,
		"icebergdatabase-7c4m2x9q0hzt.quilt-sandbox-bucket_package_manifest": 4,
		"icebergdatabase-7c4m2x9q0hzt.quilt-sandbox-bucket_package_entry":    12,
		"icebergdatabase-7c4m2x9q0hzt.nextflowtower_package_revision":        4,
		"icebergdatabase-7c4m2x9q0hzt.nextflowtower_package_tag":             3,
		"icebergdatabase-7c4m2x9q0hzt.nextflowtower_package_manifest":        4,
		"icebergdatabase-7c4m2x9q0hzt.nextflowtower_package_entry":           14,
	}
	seen := 0
	for _, d := range s.Databases() {
		tables, err := s.Tables(d.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			if tb.Type == "VIRTUAL_VIEW" {
				if err := s.Scan(context.Background(), tb, func(engine.Row) error { return nil }); !errors.Is(err, ErrView) {
					t.Errorf("scanning view %s: got %v, want ErrView", tb.Name, err)
				}
				continue
			}
			rows := scanAll(t, s, tb)
			name := d.Name + "." + tb.Name
			if n, ok := want[name]; !ok {
				t.Errorf("table %s has no expected count", name)
			} else if len(rows) != n {
				t.Errorf("%s: %d rows, want %d", name, len(rows), n)
			}
			seen++
			for i, r := range rows {
				if len(r) != len(tb.Columns)+len(tb.PartitionKeys) {
					t.Fatalf("%s row %d has %d values, want %d", name, i, len(r), len(tb.Columns)+len(tb.PartitionKeys))
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("scanned %d tables, want %d", seen, len(want))
	}
}

func TestScanNullConvention(t *testing.T) {
	s, _ := defaultStore(t, 0)
	byID := map[string]engine.Row{}
	for _, r := range scanAll(t, s, table(t, s, "sales", "customers")) {
		byID[r[0].Text] = r
	}
	if _, ok := byID["customer_id"]; ok {
		t.Errorf("the header line was read as a row")
	}
	cases := []struct {
		id   string
		col  int
		want engine.Value
	}{
		{"C00029", 3, engine.Value{Text: ""}},                        // empty string column: ""
		{"C00041", 4, engine.Value{Null: true}},                      // \N
		{"C00053", 5, engine.Value{Null: true}},                      // empty timestamp: NULL
		{"C00001", 5, engine.Value{Text: "2023-11-13 00:25:00.000"}}, // plain
		{"C00041", 1, engine.Value{Text: "Milo O'Neil"}},
	}
	for _, c := range cases {
		if got := byID[c.id][c.col]; got != c.want {
			t.Errorf("%s column %d: got %+v, want %+v", c.id, c.col, got, c.want)
		}
	}
	var nullAmount, nullNotes, emptyNotes, multiline int
	for _, r := range scanAll(t, s, table(t, s, "sales", "orders")) {
		if r[4].Null {
			nullAmount++
		}
		switch {
		case r[8].Null:
			nullNotes++
		case r[8].Text == "":
			emptyNotes++
		case strings.Contains(r[8].Text, "\n"):
			multiline++
		}
	}
	// Counted in the data files: 44 empty amounts, 1263 \N notes, 890 empty ones.
	if nullAmount != 44 || nullNotes != 1263 || emptyNotes != 890 || multiline == 0 {
		t.Errorf("orders: %d NULL amounts, %d NULL notes, %d empty notes, %d multi-line; want 44, 1263, 890, > 0", nullAmount, nullNotes, emptyNotes, multiline)
	}
}

func TestScanPartitions(t *testing.T) {
	s, _ := defaultStore(t, 0)
	tb := table(t, s, "sales", "events")
	perDay := map[string]int{}
	for _, r := range scanAll(t, s, tb) {
		dt := r[len(r)-1]
		if dt.Null || !strings.HasPrefix(r[0].Text, "e-"+strings.ReplaceAll(dt.Text, "-", "")) {
			t.Fatalf("row %v carries partition %+v", r[0], dt)
		}
		perDay[dt.Text]++
	}
	want := map[string]int{"2024-06-01": 140, "2024-06-02": 165, "2024-06-03": 152, "2024-06-04": 60}
	for d, n := range want {
		if perDay[d] != n {
			t.Errorf("dt=%s: %d rows, want %d", d, perDay[d], n)
		}
	}
	refs, err := s.Objects(tb)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 4 || refs[3].Key != "warehouse/sales/events-backfill/dt=2024-06-04/events-0001.csv" {
		t.Errorf("events objects %+v, want 4 with the backfill partition's last", refs)
	}
}

func TestObjects(t *testing.T) {
	s, objs := defaultStore(t, 0)
	refs, err := s.Objects(table(t, s, "sales", "orders"))
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 {
		t.Fatalf("orders objects %+v, want 2 (the _SUCCESS marker skipped)", refs)
	}
	for _, r := range refs {
		o, err := objs.Get(r.Bucket, r.Key)
		if err != nil || o.Size() != r.Size || o.ETag != r.ETag || r.Size == 0 {
			t.Errorf("ref %+v does not describe the object (%v)", r, err)
		}
	}
	if _, err := s.Objects(table(t, s, "sales", "order_totals")); !errors.Is(err, ErrView) {
		t.Errorf("Objects of a view: got %v, want ErrView", err)
	}
}

const badCSVStack = `
stack: s
region: us-east-1
account_id: "123456789012"
buckets:
  - name: b
    objects:
      - key: t/part-1.csv
        body: "1,a\n2,b\n3,c,extra\n"
      - key: q/part-1.csv
        body: "1,\"unterminated\n"
      - key: tsv/part-1.tsv
        body: "1\t\"a, b\"\n2\t\\N\n"
databases:
  - name: db
    tables:
      - name: t
        location: s3://b/t/
        columns: [{name: id, type: bigint}, {name: v, type: string}]
      - name: q
        location: s3://b/q
        columns: [{name: id, type: bigint}, {name: v, type: string}]
      - name: tsv
        location: s3://b/tsv/
        delimiter: "\t"
        columns: [{name: id, type: bigint}, {name: v, type: string}]
`

func TestScanErrorsNameObjectAndLine(t *testing.T) {
	s := storeOf(t, badCSVStack)
	for _, c := range []struct{ table, want string }{
		{"t", "s3://b/t/part-1.csv: record on line 3: wrong number of fields"},
		{"q", "s3://b/q/part-1.csv: parse error on line 1"},
	} {
		err := s.Scan(context.Background(), table(t, s, "db", c.table), func(engine.Row) error { return nil })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("table %s: got %v, want %q", c.table, err, c.want)
		}
	}
	rows := scanAll(t, s, table(t, s, "db", "tsv"))
	if len(rows) != 2 || rows[0][1].Text != "a, b" || !rows[1][1].Null {
		t.Errorf("tab-delimited rows %+v", rows)
	}
}

func TestScanStopsOnEmitErrorAndCancel(t *testing.T) {
	s, _ := defaultStore(t, 0)
	stop := errors.New("stop")
	n := 0
	err := s.Scan(context.Background(), table(t, s, "sales", "orders"), func(engine.Row) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Errorf("got %v after %d rows, want stop after 10", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = s.Scan(ctx, table(t, s, "sales", "orders"), func(engine.Row) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled scan: got %v", err)
	}
}

func BenchmarkScanBench(b *testing.B) {
	s, objs := defaultStore(b, 1_000_000)
	tb, err := s.Table(stack.BenchDatabase, stack.BenchTable)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := objs.Get("sales-prod-analyticsbucket-0o2h8f5nq4ve", stack.BenchKey); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		n := 0
		if err := s.Scan(context.Background(), tb, func(engine.Row) error { n++; return nil }); err != nil || n != 1_000_000 {
			b.Fatal(n, err)
		}
	}
}
