package sandbox_test

import (
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

// Every API the sandbox serves answers through the full stack: a real
// listener, SigV4 verification, IAM authorization and the real SDK clients.
func TestEveryAPIThroughTheListener(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	cfg := env.AWSConfig(t, "admin")
	ctx := sandboxtest.Context(t)
	ath := athena.NewFromConfig(cfg)
	gl := glue.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Athena: workgroups, catalogs, metadata, saved queries, the query lifecycle.
	wgs, err := ath.ListWorkGroups(ctx, &athena.ListWorkGroupsInput{})
	must("ListWorkGroups", err)
	if len(wgs.WorkGroups) < 3 {
		t.Errorf("ListWorkGroups: %d workgroups, want the Quilt one and others", len(wgs.WorkGroups))
	}
	wg, err := ath.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String(workgroup)})
	must("GetWorkGroup", err)
	out := aws.ToString(wg.WorkGroup.Configuration.ResultConfiguration.OutputLocation)
	if !strings.HasPrefix(out, "s3://") || !aws.ToBool(wg.WorkGroup.Configuration.EnforceWorkGroupConfiguration) {
		t.Errorf("GetWorkGroup: output %q, enforced %v; want an enforced s3:// location", out, wg.WorkGroup.Configuration.EnforceWorkGroupConfiguration)
	}
	cats, err := ath.ListDataCatalogs(ctx, &athena.ListDataCatalogsInput{})
	must("ListDataCatalogs", err)
	var catNames []string
	for _, c := range cats.DataCatalogsSummary {
		catNames = append(catNames, aws.ToString(c.CatalogName))
	}
	if got := strings.Join(catNames, ","); !strings.Contains(got, "AwsDataCatalog") || !strings.Contains(got, "quilt-sales-prod-tabulator") {
		t.Errorf("ListDataCatalogs: %s", got)
	}
	dc, err := ath.GetDataCatalog(ctx, &athena.GetDataCatalogInput{Name: aws.String("quilt-sales-prod-tabulator")})
	must("GetDataCatalog", err)
	if dc.DataCatalog.Type != "LAMBDA" {
		t.Errorf("GetDataCatalog: type %s, want LAMBDA", dc.DataCatalog.Type)
	}
	dbs, err := ath.ListDatabases(ctx, &athena.ListDatabasesInput{CatalogName: aws.String("quilt-sales-prod-tabulator")})
	must("ListDatabases", err)
	if len(dbs.DatabaseList) == 0 {
		t.Error("ListDatabases on the Tabulator catalog: no buckets")
	}
	_, err = ath.GetDatabase(ctx, &athena.GetDatabaseInput{CatalogName: aws.String("AwsDataCatalog"), DatabaseName: aws.String("sales")})
	must("GetDatabase", err)
	tms, err := ath.ListTableMetadata(ctx, &athena.ListTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"), DatabaseName: aws.String("sales")})
	must("ListTableMetadata", err)
	if len(tms.TableMetadataList) < 3 {
		t.Errorf("ListTableMetadata sales: %d tables", len(tms.TableMetadataList))
	}
	tm, err := ath.GetTableMetadata(ctx, &athena.GetTableMetadataInput{CatalogName: aws.String("quilt-sales-prod-tabulator"), DatabaseName: aws.String("nextflowtower"), TableName: aws.String("sail")})
	must("GetTableMetadata", err)
	if len(tm.TableMetadata.Columns) == 0 {
		t.Error("GetTableMetadata sail: no columns")
	}
	nq, err := ath.ListNamedQueries(ctx, &athena.ListNamedQueriesInput{WorkGroup: aws.String(workgroup)})
	must("ListNamedQueries", err)
	if len(nq.NamedQueryIds) == 0 {
		t.Fatal("ListNamedQueries: none in the Quilt workgroup")
	}
	bnq, err := ath.BatchGetNamedQuery(ctx, &athena.BatchGetNamedQueryInput{NamedQueryIds: nq.NamedQueryIds})
	must("BatchGetNamedQuery", err)
	if len(bnq.NamedQueries) != len(nq.NamedQueryIds) {
		t.Errorf("BatchGetNamedQuery: %d of %d", len(bnq.NamedQueries), len(nq.NamedQueryIds))
	}
	qe := runQuery(t, ath, "SELECT 1 AS one")
	_, err = ath.StopQueryExecution(ctx, &athena.StopQueryExecutionInput{QueryExecutionId: qe.QueryExecutionId})
	must("StopQueryExecution of a finished query", err)
	lqe, err := ath.ListQueryExecutions(ctx, &athena.ListQueryExecutionsInput{WorkGroup: aws.String(workgroup)})
	must("ListQueryExecutions", err)
	if len(lqe.QueryExecutionIds) == 0 || lqe.QueryExecutionIds[0] != aws.ToString(qe.QueryExecutionId) {
		t.Errorf("ListQueryExecutions: %v, want %s first", lqe.QueryExecutionIds, aws.ToString(qe.QueryExecutionId))
	}
	bqe, err := ath.BatchGetQueryExecution(ctx, &athena.BatchGetQueryExecutionInput{QueryExecutionIds: []string{aws.ToString(qe.QueryExecutionId), "00000000-0000-0000-0000-000000000000"}})
	must("BatchGetQueryExecution", err)
	if len(bqe.QueryExecutions) != 1 || len(bqe.UnprocessedQueryExecutionIds) != 1 {
		t.Errorf("BatchGetQueryExecution: %d found, %d unprocessed; want 1 and 1", len(bqe.QueryExecutions), len(bqe.UnprocessedQueryExecutionIds))
	}

	// Glue.
	_, err = gl.GetDatabases(ctx, &glue.GetDatabasesInput{})
	must("GetDatabases", err)
	_, err = gl.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("sales")})
	must("GetDatabase", err)
	tables, err := gl.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("sales")})
	must("GetTables", err)
	if len(tables.TableList) < 3 {
		t.Errorf("GetTables sales: %d tables", len(tables.TableList))
	}
	tbl, err := gl.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("sales"), Name: aws.String("orders")})
	must("GetTable", err)
	loc := aws.ToString(tbl.Table.StorageDescriptor.Location)
	_, err = gl.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("sales"), TableName: aws.String("events")})
	must("GetPartitions", err)

	// S3: the table's data, a range of it, a write, a listing, the bucket's region.
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(loc, "s3://"), "/")
	list, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	must("ListObjectsV2", err)
	if len(list.Contents) == 0 {
		t.Fatalf("ListObjectsV2 %s: no objects under the orders table", loc)
	}
	key := list.Contents[0].Key // prefer one with data: folder markers are empty
	for _, o := range list.Contents {
		if aws.ToInt64(o.Size) > 10 {
			key = o.Key
		}
	}
	head, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: key})
	must("HeadObject", err)
	part, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: key, Range: aws.String("bytes=0-9")})
	must("GetObject with Range", err)
	b, _ := io.ReadAll(part.Body)
	part.Body.Close()
	if len(b) != 10 || aws.ToInt64(head.ContentLength) <= 10 {
		t.Errorf("GetObject bytes=0-9: %d bytes of an object of %d", len(b), aws.ToInt64(head.ContentLength))
	}
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("scratch/hello.txt"), Body: strings.NewReader("hello")})
	must("PutObject", err)
	locn, err := s3c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: &bucket})
	must("GetBucketLocation", err)
	if locn.LocationConstraint != "" {
		t.Errorf("GetBucketLocation in us-east-1: %q, want empty", locn.LocationConstraint)
	}

	// STS.
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must("GetCallerIdentity", err)
	if !strings.Contains(aws.ToString(id.Arn), ":assumed-role/QuiltAdmin-sales-prod/admin") {
		t.Errorf("GetCallerIdentity: %s", aws.ToString(id.Arn))
	}
}

// A user is found by name or email, in any case; an unknown name is an
// error that lists the users there are.
func TestInfoUser(t *testing.T) {
	in := sandbox.Info{Users: []sandbox.UserInfo{{Name: "analyst", Email: "analyst@example.com"}, {Name: "admin", Email: "admin@example.com"}}}
	for _, name := range []string{"admin", "ADMIN", "Admin@Example.com"} {
		if u, err := in.User(name); err != nil || u.Name != "admin" {
			t.Errorf("User(%q) = %q, %v; want admin", name, u.Name, err)
		}
	}
	_, err := in.User("root")
	if want := `the sandbox has no user "root"; it has analyst, admin`; err == nil || err.Error() != want {
		t.Errorf("User(root): got %v, want %q", err, want)
	}
}
