package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

const (
	icebergDB     = "icebergdatabase-7c4m2x9q0hzt"
	icebergBucket = "sales-prod-icebergbucket-2w8d5n1k7r3f"
)

// rowsOf runs sql (in database db when not "") and returns its rows
// without the header, each cell's text ("NULL" for a null).
func rowsOf(t *testing.T, client *athena.Client, db, sql string) [][]string {
	t.Helper()
	ctx := sandboxtest.Context(t)
	in := &athena.StartQueryExecutionInput{QueryString: aws.String(sql), WorkGroup: aws.String(workgroup)}
	if db != "" {
		in.QueryExecutionContext = &athenatypes.QueryExecutionContext{Catalog: aws.String("AwsDataCatalog"), Database: aws.String(db)}
	}
	start, err := client.StartQueryExecution(ctx, in)
	if err != nil {
		t.Fatalf("StartQueryExecution(%q): %v", sql, err)
	}
	qe := waitQuery(t, client, aws.ToString(start.QueryExecutionId))
	if qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
		t.Fatalf("%s\nended %s: %s", sql, qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	var rows [][]string
	var token *string
	for first := true; ; first = false {
		out, err := client.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: qe.QueryExecutionId, NextToken: token})
		if err != nil {
			t.Fatalf("GetQueryResults: %v", err)
		}
		for i, r := range out.ResultSet.Rows {
			if first && i == 0 {
				continue // the header
			}
			var row []string
			for _, d := range r.Data {
				if d.VarCharValue == nil {
					row = append(row, "NULL")
				} else {
					row = append(row, *d.VarCharValue)
				}
			}
			rows = append(rows, row)
		}
		if token = out.NextToken; token == nil {
			return rows
		}
	}
}

// The sandbox's Iceberg database holds, per Quilt bucket, the four tables
// Quilt documents, as Iceberg tables (table_type, metadata_location, a
// real metadata file), filled from the buckets' packages; the example
// queries of Quilt's docs run on them and return rows.
func TestIcebergPackageTables(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	ctx := sandboxtest.Context(t)
	if env.Info.IcebergDatabase != icebergDB || env.Info.UserAthenaDatabase != userDB {
		t.Errorf("Info: iceberg database %q, user database %q; want the stack outputs %s, %s", env.Info.IcebergDatabase, env.Info.UserAthenaDatabase, icebergDB, userDB)
	}
	cfg := env.AWSConfig(t, "admin")
	client := athena.NewFromConfig(cfg)

	// Listed through Athena's metadata API: eight tables, each Iceberg.
	list, err := client.ListTableMetadata(ctx, &athena.ListTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"), DatabaseName: aws.String(icebergDB)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range list.TableMetadataList {
		names = append(names, aws.ToString(m.Name))
		if m.Parameters["table_type"] != "ICEBERG" || !strings.HasPrefix(m.Parameters["metadata_location"], "s3://"+icebergBucket+"/"+aws.ToString(m.Name)+"/metadata/") {
			t.Errorf("%s: parameters %v, want table_type ICEBERG and its metadata file", aws.ToString(m.Name), m.Parameters)
		}
	}
	var want []string
	for _, b := range []string{"nextflowtower", "quilt-sandbox-bucket"} {
		for _, k := range []string{"entry", "manifest", "revision", "tag"} {
			want = append(want, b+"_package_"+k)
		}
	}
	if !slices.Equal(names, want) {
		t.Errorf("tables %v, want %v", names, want)
	}
	// Glue says the same, and the metadata file is there to read.
	gt, err := glue.NewFromConfig(cfg).GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String(icebergDB), Name: aws.String("quilt-sandbox-bucket_package_entry")})
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range gt.Table.StorageDescriptor.Columns {
		cols = append(cols, aws.ToString(c.Name)+" "+aws.ToString(c.Type))
	}
	if want := []string{"top_hash string", "logical_key string", "physical_key string", "hash_type string", "hash_value string", "size bigint", "metadata string"}; !slices.Equal(cols, want) {
		t.Errorf("package_entry columns %v, want %v (quiltdata/quilt iceberg_queries.py)", cols, want)
	}
	metaKey := strings.TrimPrefix(gt.Table.Parameters["metadata_location"], "s3://"+icebergBucket+"/")
	obj, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(icebergBucket), Key: aws.String(metaKey)})
	if err != nil {
		t.Fatalf("the metadata file: %v", err)
	}
	body, _ := io.ReadAll(obj.Body)
	var meta struct {
		Format   int    `json:"format-version"`
		Location string `json:"location"`
	}
	if json.Unmarshal(body, &meta) != nil || meta.Format != 2 || meta.Location != "s3://"+icebergBucket+"/quilt-sandbox-bucket_package_entry" {
		t.Errorf("metadata file %s: %s", metaKey, body)
	}

	// iceberg-tables.md: entries and metadata of the latest version of a
	// package (names unqualified, in the Iceberg database).
	rows := rowsOf(t, client, icebergDB, `SELECT e.logical_key, e.physical_key, e.size, e.metadata
FROM "quilt-sandbox-bucket_package_tag" t
JOIN "quilt-sandbox-bucket_package_entry" e
  ON t.top_hash = e.top_hash
WHERE t.pkg_name = 'sales/orders-2024q1'
  AND t.tag_name = 'latest'
ORDER BY e.logical_key`)
	if len(rows) != 4 || rows[3][0] != "orders/us-east.csv" || rows[3][3] != `{"rows_added":14}` ||
		!strings.HasPrefix(rows[3][1], "s3://quilt-sandbox-bucket/") {
		t.Errorf("latest entries: %v; want the 4 entries of the second revision, us-east's with its metadata", rows)
	}
	// iceberg-tables.md: latest packages matching metadata.
	rows = rowsOf(t, client, icebergDB, `SELECT t.pkg_name, t.tag_name, m.metadata
FROM "quilt-sandbox-bucket_package_tag" t
JOIN "quilt-sandbox-bucket_package_manifest" m
  ON t.top_hash = m.top_hash
WHERE t.tag_name = 'latest'
  AND json_extract_scalar(m.metadata, '$.source') = 'erp-export'
  AND json_extract_scalar(m.metadata, '$.revision_note') = 'late postings'`)
	if len(rows) != 1 || rows[0][0] != "sales/orders-2024q1" || rows[0][1] != "latest" {
		t.Errorf("packages matching metadata: %v, want sales/orders-2024q1's latest", rows)
	}
	// iceberg-tables.md: cross-bucket UNION ALL.
	rows = rowsOf(t, client, icebergDB, `SELECT 'quilt-sandbox-bucket' AS bucket, pkg_name, tag_name, top_hash
FROM "quilt-sandbox-bucket_package_tag"
WHERE tag_name = 'latest'
UNION ALL
SELECT 'nextflowtower' AS bucket, pkg_name, tag_name, top_hash
FROM "nextflowtower_package_tag"
WHERE tag_name = 'latest'`)
	if len(rows) != 6 {
		t.Errorf("latest tags across both buckets: %d rows, want 6 (3 packages each): %v", len(rows), rows)
	}
	// tabulator.md: a Tabulator table joined with the package metadata,
	// the Iceberg table qualified with its database.
	rows = rowsOf(t, client, "", `SELECT "sail".name, "sail".sample_id, m.metadata
FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail"
JOIN "`+icebergDB+`"."nextflowtower_package_manifest" m
  ON "sail"."$top_hash" = m.top_hash`)
	if len(rows) == 0 || !strings.Contains(rows[0][2], `"pipeline":"nf-core/rnaseq"`) {
		t.Errorf("sail joined with its packages' metadata: %d rows (%v), want each with its package's metadata", len(rows), rows[:min(len(rows), 2)])
	}
	// The catalog's editor placeholder, and a revision per pushed revision.
	rows = rowsOf(t, client, icebergDB, `SELECT pkg_name, top_hash FROM "nextflowtower_package_tag" WHERE tag_name = 'latest' LIMIT 10`)
	if len(rows) != 3 {
		t.Errorf("the editor's example: %v, want nextflowtower's 3 packages", rows)
	}
	rows = rowsOf(t, client, icebergDB, `SELECT pkg_name, count(*) FROM "nextflowtower_package_revision" GROUP BY pkg_name ORDER BY pkg_name`)
	if want := [][]string{{"nf-core/rnaseq-2024-05-02", "1"}, {"nf-core/rnaseq-2024-06-11", "2"}, {"ops/tower-runs", "1"}}; !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("revisions per package: %v, want %v", rows, want)
	}
	// The older per-bucket tables are still there.
	if n := rowsOf(t, client, userDB, `SELECT count(*) FROM "nextflowtower_objects-view"`); len(n) != 1 || n[0][0] == "0" {
		t.Errorf("the older objects-view: %v", n)
	}
}

// bucketsOf is what GraphQL buckets shows user's role.
func bucketsOf(t *testing.T, env *sandboxtest.Env, user string) []string {
	t.Helper()
	tok := env.Login(t, user).AccessToken
	req, _ := http.NewRequest(http.MethodPost, env.Info.RegistryURL+"/graphql", strings.NewReader(`{"query": "query { buckets { name } }"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct{ Buckets []struct{ Name string } }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range out.Data.Buckets {
		names = append(names, b.Name)
	}
	return names
}

// A managed role (the reader's) sees its granted buckets and its
// credentials carry the registry's session policy: another bucket's
// Iceberg table is refused by the session policy, in AWS's words, though
// the role's own policies allow every Iceberg table; an unmanaged role
// sees every bucket and carries none. When the Quilt admin grants the
// bucket, new credentials read it.
func TestManagedRoleScopedToItsBuckets(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	if got := bucketsOf(t, env, "reader"); !slices.Equal(got, []string{"quilt-sandbox-bucket"}) {
		t.Errorf("the managed role's buckets: %v", got)
	}
	if got := bucketsOf(t, env, "analyst"); !slices.Equal(got, []string{"nextflowtower", "quilt-sandbox-bucket"}) {
		t.Errorf("an unmanaged role's buckets: %v, want every bucket of the stack", got)
	}
	reader := athena.NewFromConfig(env.AWSConfig(t, "reader"))
	if rows := rowsOf(t, reader, icebergDB, `SELECT count(*) FROM "quilt-sandbox-bucket_package_tag"`); len(rows) != 1 || rows[0][0] != "3" {
		t.Errorf("the granted bucket's tags: %v, want 3", rows)
	}
	list, err := reader.ListTableMetadata(sandboxtest.Context(t), &athena.ListTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"), DatabaseName: aws.String(icebergDB)})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list.TableMetadataList {
		if !strings.HasPrefix(aws.ToString(m.Name), "quilt-sandbox-bucket_") {
			t.Errorf("the reader lists %s", aws.ToString(m.Name))
		}
	}

	sql := `SELECT pkg_name, top_hash FROM "` + icebergDB + `"."nextflowtower_package_tag" WHERE tag_name = 'latest'`
	qe := runQuery(t, reader, sql)
	reason := aws.ToString(qe.Status.StateChangeReason)
	want := "User: arn:aws:sts::123456789012:assumed-role/ReadOnlyQuilt/reader is not authorized to perform: glue:GetTable on resource: " +
		"arn:aws:glue:us-east-1:123456789012:table/" + icebergDB + "/nextflowtower_package_tag because no session policy allows the glue:GetTable action"
	if qe.Status.State != athenatypes.QueryExecutionStateFailed || !strings.Contains(reason, want) {
		t.Fatalf("another bucket's Iceberg table: %s (%s), want FAILED saying\n%s", qe.Status.State, reason, want)
	}
	explained(t, reason, explain.PolicySession, false)
	d := explain.Parse(reason)
	if rem := d.Remedy(); rem.Fixable || !strings.Contains(rem.Who, "grant bucket nextflowtower to Quilt role ReadOnlyQuilt") {
		t.Errorf("remedy %+v, want the Quilt admin granting nextflowtower to ReadOnlyQuilt, and no statement", rem)
	}

	// The analyst's unmanaged role carries no session policy: its
	// stack-wide Iceberg access reads every bucket's tables.
	if rows := rowsOf(t, athena.NewFromConfig(env.AWSConfig(t, "analyst")), "", sql); len(rows) != 3 {
		t.Errorf("the analyst (unmanaged): %v, want nextflowtower's 3 latest tags", rows)
	}

	// The Quilt admin grants the bucket: credentials issued before keep
	// their session policy, new ones read the table.
	if err := env.GrantBucket("ReadOnlyQuilt", "nextflowtower"); err != nil {
		t.Fatal(err)
	}
	if qe := runQuery(t, reader, sql); qe.Status.State != athenatypes.QueryExecutionStateFailed {
		t.Errorf("the old credentials after the grant: %s, want still refused", qe.Status.State)
	}
	if got := bucketsOf(t, env, "reader"); !slices.Equal(got, []string{"quilt-sandbox-bucket", "nextflowtower"}) {
		t.Errorf("the managed role's buckets after the grant: %v", got)
	}
	if rows := rowsOf(t, athena.NewFromConfig(env.AWSConfig(t, "reader")), "", sql); len(rows) != 3 {
		t.Errorf("new credentials after the grant: %v, want nextflowtower's 3 latest tags", rows)
	}
	if err := env.GrantBucket("ReadWriteQuiltV2-sales-prod", "nextflowtower"); err == nil || !strings.Contains(err.Error(), "not a managed role") {
		t.Errorf("granting to an unmanaged role: %v", err)
	}
}

// Reading an Iceberg package table needs what engine/iam's catalog says
// it needs (Glue's GetDatabase and GetTable through Athena, no partition
// actions; the table's metadata and data files under its location): with
// exactly those pairs the analyst's query succeeds, and without any one
// the sandbox checks it is refused naming that action. So the statement
// quiltq prints for these tables is the one that fixes them.
func TestIcebergReadNeedsWhatTheCatalogSays(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	analyst := athena.NewFromConfig(env.AWSConfig(t, "analyst"))
	table := "nextflowtower_package_tag"
	loc := "s3://" + icebergBucket + "/" + table + "/"
	sql := `SELECT pkg_name, top_hash FROM "` + icebergDB + `"."` + table + `" WHERE tag_name = 'latest'`
	c := writeCase{sql: sql, kind: iam.Select, tables: map[string]iam.Table{
		"awsdatacatalog." + icebergDB + "." + table: {Location: loc, Iceberg: true, MetadataLocation: loc + "metadata/00000-x.metadata.json"},
	}}
	reqs := c.requirements(t)
	var base []iam.Requirement
	for _, r := range reqs {
		if strings.HasPrefix(r.Action, "athena:") {
			base = append(base, r)
		}
		if strings.Contains(r.Action, "Partition") {
			t.Errorf("an Iceberg table needs no Glue partition action, yet the catalog lists %s", r.Action)
		}
	}
	checked := 0
	for i, r := range reqs {
		if notEnforced(c.kind, r) {
			continue
		}
		checked++
		grantOnly(t, env, policyOf(t, slices.Concat(base, reqs[:i], reqs[i+1:])))
		reason, refused := attempt(t, analyst, sql)
		if !refused {
			t.Errorf("without %s on %s the query did not fail: the sandbox does not check a pair the catalog lists", r.Action, r.Resource)
			continue
		}
		// Athena words a refused results bucket as "Unable to verify/create
		// output bucket", naming no action.
		if d := explain.Parse(reason); !strings.Contains(reason, "output bucket") && (!d.Denied || !slices.Contains(d.Needed(), r.Action)) {
			t.Errorf("explain reads %q as denied=%v actions=%v, want a denial of %s", reason, d.Denied, d.Needed(), r.Action)
		}
	}
	if checked < 5 {
		t.Errorf("%d requirements checked, want the Glue and S3 ones", checked)
	}
	grantOnly(t, env, policyOf(t, reqs))
	if rows := rowsOf(t, analyst, "", sql); len(rows) != 3 {
		t.Errorf("with every pair granted: %v, want 3 rows", rows)
	}
}
