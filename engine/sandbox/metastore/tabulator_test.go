package metastore

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

func scanTab(t *testing.T, s *Store, bucket, table string) []engine.Row {
	t.Helper()
	var rows []engine.Row
	if err := s.ScanTabulator(context.Background(), bucket, table, func(r engine.Row) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatalf("ScanTabulator %s.%s: %v", bucket, table, err)
	}
	return rows
}

func TestTabulatorListing(t *testing.T) {
	s, _ := defaultStore(t, 0)
	if got := s.TabulatorCatalog(); got != "quilt-sales-prod-tabulator" {
		t.Errorf("TabulatorCatalog = %q", got)
	}
	if got := s.TabulatorDatabases(); !slices.Equal(got, []string{"nextflowtower", "quilt-sandbox-bucket"}) {
		t.Errorf("TabulatorDatabases = %v", got)
	}
	tables, err := s.TabulatorTables("quilt-sandbox-bucket")
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 2 || tables[0].Name != "regional_orders" || tables[1].Name != "shipments_tsv" {
		t.Fatalf("tables %+v, want regional_orders and shipments_tsv", tables)
	}
	if tables[0].Err != nil || len(tables[0].Columns) != 6+2+5 {
		t.Errorf("regional_orders: %v, %d columns, want 13", tables[0].Err, len(tables[0].Columns))
	}
	broken := tables[1]
	const want = `tabulator table quilt-sandbox-bucket.shipments_tsv: config: line 11: parser.format: "tsv" is not a format: use format: csv with delimiter: "\t"`
	if broken.Err == nil || broken.Err.Error() != want || broken.Columns != nil || broken.Config == "" {
		t.Errorf("broken table: err %v, columns %v\nwant err %s", broken.Err, broken.Columns, want)
	}
	if _, err := s.TabulatorTables("no-such-bucket"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown bucket: got %v, want ErrNotFound", err)
	}
	if tt, err := s.TabulatorTables("sales-prod-analyticsbucket-0o2h8f5nq4ve"); err != nil || len(tt) != 0 {
		t.Errorf("bucket without tables: %v %v", tt, err)
	}
	err = s.ScanTabulator(context.Background(), "quilt-sandbox-bucket", "shipments_tsv", func(engine.Row) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `"tsv" is not a format`) {
		t.Errorf("scanning the broken table: got %v", err)
	}
	if err := s.ScanTabulator(context.Background(), "nextflowtower", "nope", func(engine.Row) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown table: got %v", err)
	}
}

func TestScanTabulatorSail(t *testing.T) {
	s, objs := defaultStore(t, 0)
	tables, err := s.TabulatorTables("nextflowtower")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(tables, func(tt TabulatorTable) bool { return tt.Name == "sail" })
	var names []string
	for _, c := range tables[i].Columns {
		names = append(names, c.Name+" "+c.Type)
	}
	wantCols := []string{"name varchar", "length integer", "effective_length double", "tpm double", "num_reads double",
		"run_date varchar", "sample_id varchar",
		"$pkg_name varchar", "$logical_key varchar", "$physical_key varchar", "$top_hash varchar", "$issue varchar"}
	if !slices.Equal(names, wantCols) {
		t.Errorf("sail columns\n got %v\nwant %v", names, wantCols)
	}

	rows := scanTab(t, s, "nextflowtower", "sail")
	// 2024-05-02: three samples of 20 transcripts. 2024-06-11 (latest
	// revision): SRR1039508 re-run and SRR1039509, 20 each, and SRR1039512,
	// whose NA fails the double column: one $issue row.
	if len(rows) != 101 {
		t.Fatalf("%d rows, want 101", len(rows))
	}
	latest := func(pkg string) string {
		o, err := objs.Get("nextflowtower", stack.NamedPackagesPrefix+pkg+"/latest")
		if err != nil {
			t.Fatal(err)
		}
		return string(o.Data)
	}
	perRun := map[string]int{}
	var issues []engine.Row
	for _, r := range rows {
		if len(r) != len(wantCols) {
			t.Fatalf("row of %d values, want %d", len(r), len(wantCols))
		}
		run, sample := r[5].Text, r[6].Text
		pkg := "nf-core/rnaseq-" + run
		lk := "salmon/" + sample + "/quant.sf"
		if r[7].Text != pkg || r[8].Text != lk || r[10].Text != latest(pkg) {
			t.Errorf("$ columns %v, want %s %s %s", r[7:11], pkg, lk, latest(pkg))
		}
		if !r[11].Null {
			issues = append(issues, r)
			continue
		}
		perRun[run+"/"+sample]++
		if r[0].Null || r[1].Null {
			t.Errorf("data row with NULL name or length: %v", r)
		}
	}
	wantRuns := map[string]int{
		"2024-05-02/SRR1039508": 20, "2024-05-02/SRR1039509": 20, "2024-05-02/SRR1039512": 20,
		"2024-06-11/SRR1039508": 20, "2024-06-11/SRR1039509": 20,
	}
	for k, n := range wantRuns {
		if perRun[k] != n {
			t.Errorf("%s: %d rows, want %d", k, perRun[k], n)
		}
	}
	if len(issues) != 1 {
		t.Fatalf("%d $issue rows, want 1", len(issues))
	}
	is := issues[0]
	if is[5].Text != "2024-06-11" || is[6].Text != "SRR1039512" || !is[0].Null || !is[4].Null ||
		!strings.Contains(is[11].Text, `line 6: column num_reads: "NA" is not a valid double`) {
		t.Errorf("issue row %v", is)
	}
	// The re-run revision's SRR1039508 is the one read, at the canonical key.
	for _, r := range rows {
		if r[5].Text == "2024-06-11" && r[6].Text == "SRR1039508" {
			if r[9].Text != "s3://nextflowtower/nf-core/rnaseq-2024-06-11/salmon/SRR1039508/quant.sf" {
				t.Errorf("$physical_key %s", r[9].Text)
			}
			break
		}
	}

	refs, err := s.TabulatorObjects("nextflowtower", "sail")
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 6 {
		t.Errorf("TabulatorObjects: %d files, want 6", len(refs))
	}
	for _, r := range refs {
		if r.Bucket != "nextflowtower" || !strings.HasSuffix(r.Key, "/quant.sf") || r.Size == 0 || r.ETag == "" {
			t.Errorf("object %+v", r)
		}
	}
}

func TestScanTabulatorRegionalOrders(t *testing.T) {
	s, _ := defaultStore(t, 0)
	rows := scanTab(t, s, "quilt-sandbox-bucket", "regional_orders")
	if len(rows) != 212 {
		t.Errorf("%d rows, want 212 (latest revisions' files, headers skipped)", len(rows))
	}
	quarters := map[string]int{}
	for _, r := range rows {
		quarters[r[6].Text+"/"+r[7].Text]++
		if r[5].Text != "true" && r[5].Text != "false" {
			t.Errorf("discounted %+v is not a boolean", r[5])
		}
	}
	if quarters["2024q1/us-east"] != 38 {
		t.Errorf("2024q1/us-east has %d rows, want 38 (the corrected revision)", quarters["2024q1/us-east"])
	}
}

const tabStack = `
stack: t
region: us-east-1
account_id: "123456789012"
buckets:
  - name: b
    packages:
      - name: team/data
        entries:
          - {logical_key: a.csv, body: "1,x\n2,y\n"}
          - {logical_key: bad.csv, body: "1,x\nseven,y\n"}
    tabulator_tables:
      - name: strict
        config: |
          schema: [{name: n, type: INT}, {name: s, type: STRING}]
          source: {type: quilt-packages, package_name: ^team/, logical_key: \.csv$}
          parser: {format: csv}
      - name: pq
        config: |
          schema: [{name: n, type: INT}]
          source: {type: quilt-packages, package_name: ^team/, logical_key: \.parquet$}
          parser: {format: parquet}
`

func TestScanTabulatorFailures(t *testing.T) {
	s := storeOf(t, tabStack)
	err := s.ScanTabulator(context.Background(), "b", "strict", func(engine.Row) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `s3://b/team/data/bad.csv line 2: column n: "seven" is not a valid integer`) {
		t.Errorf("got %v, want the file, line and column named", err)
	}
	err = s.ScanTabulator(context.Background(), "b", "pq", func(engine.Row) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "the sandbox does not read parquet") {
		t.Errorf("parquet: got %v", err)
	}
}
