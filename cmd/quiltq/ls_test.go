package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
)

const tabCatalog = "quilt-sales-prod-tabulator"

func decodeListing(t *testing.T, r result) engine.Listing {
	t.Helper()
	var l engine.Listing
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil {
		t.Fatalf("stdout is not a listing (%v): %s\nstderr: %s", err, r.stdout, r.stderr)
	}
	return l
}

func itemsOf(l engine.Listing) []string {
	var out []string
	for _, e := range l.Errors {
		out = append(out, e.Item+" "+e.Action)
	}
	return out
}

func TestLsAdminJSON(t *testing.T) {
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	r := quiltq(t, context.Background(), env, "", "--sandbox", "--sandbox-user", "admin", "ls", "--json")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// The shape is the documented one, key for key.
	var raw map[string]any
	json.Unmarshal([]byte(r.stdout), &raw)
	if _, ok := raw["catalogs"]; !ok || len(raw) != 2 {
		t.Errorf("top-level keys of %v, want catalogs and errors", raw)
	}
	l := decodeListing(t, r)
	if len(l.Catalogs) != 2 || l.Catalogs[0].Name != "AwsDataCatalog" || l.Catalogs[1].Name != tabCatalog {
		t.Fatalf("catalogs %+v", l.Catalogs)
	}
	for _, tb := range []string{"quilt-sandbox-bucket_packages", "quilt-sandbox-bucket_objects-view", "nextflowtower_packages", "nextflowtower_objects-view"} {
		if got, ok := l.Find("AwsDataCatalog", "userathenadatabase-k3v9q2m7xw1p", tb); !ok || got.Kind != "table" || len(got.Columns) == 0 {
			t.Errorf("per-bucket table %s: %+v %v", tb, got, ok)
		}
	}
	regional, ok := l.Find(tabCatalog, "quilt-sandbox-bucket", "regional_orders")
	var names []string
	for _, c := range regional.Columns {
		names = append(names, c.Name)
	}
	want := []string{"order_id", "order_date", "sku", "quantity", "unit_price", "discounted", "quarter", "region", "$pkg_name", "$logical_key", "$physical_key", "$top_hash", "$issue"}
	if !ok || regional.Kind != "tabulator" || !slices.Equal(names, want) {
		t.Errorf("regional_orders %v, want columns %v", names, want)
	}
	broken, _ := l.Find(tabCatalog, "quilt-sandbox-bucket", "shipments_tsv")
	if !strings.Contains(broken.Error, "tsv") {
		t.Errorf("shipments_tsv %+v, want its parse error", broken)
	}
	if got := itemsOf(l); !slices.Equal(got, []string{tabCatalog + ".quilt-sandbox-bucket.shipments_tsv tabulator:config"}) {
		t.Errorf("errors %v", got)
	}
}

func TestLsAnalystNamesRefusals(t *testing.T) {
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	r := quiltq(t, context.Background(), env, "", "--sandbox", "ls", "--json") // the analyst is the default user
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	l := decodeListing(t, r)
	if len(l.Catalogs) != 2 || l.Tables() != 0 {
		t.Errorf("catalogs %+v, want both, with nothing inside", l.Catalogs)
	}
	want := []string{"AwsDataCatalog glue:GetDatabases", tabCatalog + " lambda:InvokeFunction"}
	if got := itemsOf(l); !slices.Equal(got, want) {
		t.Errorf("errors %v, want %v", got, want)
	}
	// Text mode: the tree on stdout, the refusals on stderr.
	r = quiltq(t, context.Background(), env, "", "--sandbox", "ls", "--refresh")
	if !strings.Contains(r.stdout, "AwsDataCatalog") || !strings.Contains(r.stderr, "glue:GetDatabases") || strings.Contains(r.stdout, "glue:") {
		t.Errorf("stdout %q\nstderr %q", r.stdout, r.stderr)
	}
}

// One cache directory, two users: each sees only their own listing, and
// the second run of the same user is served from the cache.
func TestLsCacheIsPerPrincipal(t *testing.T) {
	cache := t.TempDir()
	env := map[string]string{"XDG_CACHE_HOME": cache}
	ctx := context.Background()
	admin := quiltq(t, ctx, env, "", "--sandbox", "--sandbox-user", "admin", "ls", "--json")
	if admin.code != exitOK || strings.Contains(admin.stderr, "from the cache") {
		t.Fatalf("first admin run: exit %d, %s", admin.code, admin.stderr)
	}
	analyst := quiltq(t, ctx, env, "", "--sandbox", "--sandbox-user", "analyst", "ls", "--json")
	if strings.Contains(analyst.stderr, "from the cache") || decodeListing(t, analyst).Tables() != 0 {
		t.Errorf("the analyst was served the admin's listing: %s", analyst.stderr)
	}
	again := quiltq(t, ctx, env, "", "--sandbox", "--sandbox-user", "admin", "ls", "--json")
	if !strings.Contains(again.stderr, "from the cache") || again.stdout != admin.stdout {
		t.Errorf("second admin run not from the cache, or different: %s", again.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(cache, "quiltq", "catalog", "catalog-*.gob"))
	if len(files) != 2 {
		t.Errorf("cache files %v, want one per principal", files)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v %v", f, fi.Mode(), err)
		}
	}
	// --max-age 0 never serves the cache.
	fresh := quiltq(t, ctx, env, "", "--sandbox", "--sandbox-user", "admin", "ls", "--max-age", "0")
	if strings.Contains(fresh.stderr, "from the cache") {
		t.Errorf("--max-age 0 served the cache: %s", fresh.stderr)
	}
}

func TestLsNarrowed(t *testing.T) {
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	ctx := context.Background()
	r := quiltq(t, ctx, env, "", "--sandbox", "--sandbox-user", "admin", "ls", `"quilt-sales-prod-tabulator".nextflowtower`, "--json")
	l := decodeListing(t, r)
	if r.code != exitOK || len(l.Catalogs) != 1 || len(l.Catalogs[0].Databases) != 1 || l.Catalogs[0].Databases[0].Name != "nextflowtower" || len(l.Errors) != 0 {
		t.Errorf("exit %d, %+v", r.code, l)
	}
	r = quiltq(t, ctx, env, "", "--sandbox", "--sandbox-user", "admin", "ls", "sales-warehouse")
	if r.code != exitFailed || !strings.Contains(r.stderr, "no data catalog sales-warehouse") {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
	r = quiltq(t, ctx, env, "", "--sandbox", "ls", "a.b.c")
	if r.code != exitUsage {
		t.Errorf("three parts: exit %d", r.code)
	}
}

func TestDescribeNames(t *testing.T) {
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	ctx := context.Background()
	tests := []struct {
		args []string
		want string // catalog.database.table(kind) of the one table
		cols int
	}{
		{[]string{"-d", "sales", "orders"}, "AwsDataCatalog.sales.orders(table)", 10},
		{[]string{"sales.orders"}, "AwsDataCatalog.sales.orders(table)", 10},
		{[]string{`SALES."orders"`}, "AwsDataCatalog.sales.orders(table)", 10},
		{[]string{`"AwsDataCatalog"."sales"."order_totals"`}, "AwsDataCatalog.sales.order_totals(view)", 4},
		{[]string{`"userathenadatabase-k3v9q2m7xw1p"."quilt-sandbox-bucket_packages"`}, "AwsDataCatalog.userathenadatabase-k3v9q2m7xw1p.quilt-sandbox-bucket_packages(table)", 6},
		{[]string{`"quilt-sales-prod-tabulator"."nextflowtower"."sail"`}, tabCatalog + ".nextflowtower.sail(tabulator)", 12},
		{[]string{"-c", tabCatalog, "-d", "nextflowtower", "multiqc_stats"}, tabCatalog + ".nextflowtower.multiqc_stats(tabulator)", 9},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{"--sandbox", "--sandbox-user", "admin", "describe", "--json"}, tt.args...)
			r := quiltq(t, ctx, env, "", args...)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			l := decodeListing(t, r)
			if len(l.Catalogs) != 1 || len(l.Catalogs[0].Databases) != 1 || len(l.Catalogs[0].Databases[0].Tables) != 1 {
				t.Fatalf("want one table, got %s", r.stdout)
			}
			c, d := l.Catalogs[0], l.Catalogs[0].Databases[0]
			tb := d.Tables[0]
			if got := c.Name + "." + d.Name + "." + tb.Name + "(" + tb.Kind + ")"; got != tt.want || len(tb.Columns) != tt.cols {
				t.Errorf("got %s with %d columns, want %s with %d", got, len(tb.Columns), tt.want, tt.cols)
			}
		})
	}
}

func TestDescribeFailures(t *testing.T) {
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	ctx := context.Background()
	// A broken Tabulator configuration: the table, its error, no columns.
	r := quiltq(t, ctx, env, "", "--sandbox", "--sandbox-user", "admin", "describe", `"quilt-sales-prod-tabulator"."quilt-sandbox-bucket".shipments_tsv`)
	if r.code != exitOK || !strings.Contains(r.stdout, "shipments_tsv") || !strings.Contains(r.stdout, `error: line 11: parser.format: "tsv" is not a format`) {
		t.Errorf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	r = quiltq(t, ctx, env, "", "--sandbox", "--sandbox-user", "admin", "describe", "sales.nope")
	if r.code != exitFailed || !strings.Contains(r.stderr, "AwsDataCatalog.sales.nope") {
		t.Errorf("missing table: exit %d, %s", r.code, r.stderr)
	}
	r = quiltq(t, ctx, env, "", "--sandbox", "describe", "sales.orders")
	if r.code != exitDenied || !strings.Contains(r.stderr, "glue:GetTable") {
		t.Errorf("analyst: exit %d, %s", r.code, r.stderr)
	}
	for _, bad := range [][]string{{}, {"a", "b"}, {`"unterminated`}, {"a.b.c.d"}} {
		r = quiltq(t, ctx, env, "", append([]string{"--sandbox", "describe"}, bad...)...)
		if r.code != exitUsage {
			t.Errorf("describe %q: exit %d, want %d", bad, r.code, exitUsage)
		}
	}
}
