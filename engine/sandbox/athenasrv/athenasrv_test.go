package athenasrv

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/smithy-go"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox/metastore"
	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/sqlrun"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

const (
	account = "123456789012"
	region  = "us-east-1"
	role    = "analyst"
)

// ordersCSV is the one data object of sales.orders: a quoted value with
// quotes, a NULL (\N) and an empty string.
const ordersCSV = "1,alice,\"say \"\"hi\"\"\"\n2,bob,\\N\n3,,x\n"

func testStack() *stack.Stack {
	return &stack.Stack{
		Name: "test", Region: region, AccountID: account,
		Roles: []stack.Role{{Name: role}},
		Users: []stack.User{{Name: "alice", Email: "alice@example.com", Role: role}},
		Buckets: []stack.Bucket{
			{Name: "data", Objects: []stack.Object{{Key: "sales/orders/part-0.csv", Body: ordersCSV}},
				TabulatorTables: []stack.TabulatorTable{{Name: "broken", Config: "schema: [nope"}}},
			{Name: "results"},
			{Name: "other"},
		},
		Databases: []stack.Database{{Name: "sales", Tables: []stack.Table{
			{Name: "orders", Location: "s3://data/sales/orders/", Columns: []stack.Column{
				{Name: "id", Type: "bigint"}, {Name: "name", Type: "string"}, {Name: "note", Type: "string"},
			}},
			{Name: "returns", Location: "s3://data/sales/returns/", Columns: []stack.Column{{Name: "id", Type: "bigint"}}},
		}}},
		Workgroups: []stack.Workgroup{
			{Name: "wg", OutputLocation: "s3://results/athena/", Enforce: true},
			{Name: "open"},
			{Name: "off", State: "DISABLED", OutputLocation: "s3://results/off/"},
		},
		DataCatalogs: []stack.DataCatalog{{Name: "quilt-test-tabulator", Type: "LAMBDA",
			Parameters: map[string]string{"function": "arn:aws:lambda:us-east-1:123456789012:function:quilt-test-tabulator"}}},
		NamedQueries: []stack.NamedQuery{
			{Name: "all orders", Workgroup: "wg", Database: "sales", SQL: "SELECT * FROM orders"},
			{Name: "one order", Workgroup: "wg", Database: "sales", SQL: "SELECT * FROM orders LIMIT 1"},
		},
	}
}

type env struct {
	t      *testing.T
	svc    *Service
	st     *stack.Stack
	store  *objstore.Store
	authz  *principal.Authorizer
	client *athena.Client
	caller principal.Caller
}

// newEnv serves the test stack; tweaks change the service's Config.
func newEnv(t *testing.T, now func() time.Time, tweaks ...func(*Config)) *env {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	st := testStack()
	store := objstore.New(now)
	if err := stack.Populate(st, store); err != nil {
		t.Fatal(err)
	}
	meta, err := metastore.New(st, store, now())
	if err != nil {
		t.Fatal(err)
	}
	sql, err := sqlrun.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sql.Close() })
	e := &env{t: t, st: st, store: store, authz: principal.NewAuthorizer(region, now),
		caller: principal.Caller{User: "alice", Email: "alice@example.com", Role: role, AccountID: account}}
	cfg := Config{Stack: st, Store: store, Meta: meta, SQL: sql, Authz: e.authz, Now: now}
	for _, tw := range tweaks {
		tw(&cfg)
	}
	e.svc = New(cfg)
	t.Cleanup(e.svc.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.svc.ServeAWS(w, r, e.caller)
	}))
	t.Cleanup(srv.Close)
	e.client = athena.New(athena.Options{
		Region: region, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("ASIATEST", "secret", "token"),
	})
	e.grant(allow("athena:*", "*"), allow("glue:*", "*"), allow("s3:*", "*"), allow("lambda:InvokeFunction", "*"))
	return e
}

type statement struct{ action, resource string }

func allow(action, resource string) statement { return statement{action, resource} }

// grant replaces the role's policies with one allowing exactly stmts.
func (e *env) grant(stmts ...statement) {
	e.t.Helper()
	var list []map[string]any
	for _, s := range stmts {
		list = append(list, map[string]any{"Effect": "Allow", "Action": s.action, "Resource": s.resource})
	}
	doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": list})
	p, err := iam.Parse("test", doc)
	if err != nil {
		e.t.Fatal(err)
	}
	e.authz.SetPolicies(role, []*iam.Policy{p})
}

func (e *env) start(sql, workgroup string) string {
	e.t.Helper()
	out, err := e.client.StartQueryExecution(context.Background(), &athena.StartQueryExecutionInput{
		QueryString: aws.String(sql), WorkGroup: aws.String(workgroup),
	})
	if err != nil {
		e.t.Fatalf("StartQueryExecution: %v", err)
	}
	return *out.QueryExecutionId
}

// wait polls until the query is done.
func (e *env) wait(id string) *types.QueryExecution {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		out, err := e.client.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			e.t.Fatalf("GetQueryExecution: %v", err)
		}
		switch out.QueryExecution.Status.State {
		case types.QueryExecutionStateSucceeded, types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			return out.QueryExecution
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.t.Fatalf("query %s did not finish", id)
	return nil
}

// apiError checks that err is the AWS error code with a message
// containing want.
func apiError(t *testing.T, err error, code, want string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got error %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), want) {
		t.Fatalf("got %s: %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, want)
	}
}

func TestQuerySucceedsWithAthenasResults(t *testing.T) {
	e := newEnv(t, nil)
	id := e.start("SELECT id, name, note FROM sales.orders ORDER BY id", "wg")
	qe := e.wait(id)
	if qe.Status.State != types.QueryExecutionStateSucceeded {
		t.Fatalf("got state %s (%s), want SUCCEEDED", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	if got, want := aws.ToString(qe.ResultConfiguration.OutputLocation), "s3://results/athena/"+id+".csv"; got != want {
		t.Errorf("got output location %s, want %s", got, want)
	}
	if qe.StatementType != types.StatementTypeDml || aws.ToString(qe.WorkGroup) != "wg" {
		t.Errorf("got statement type %s in %s, want DML in wg", qe.StatementType, aws.ToString(qe.WorkGroup))
	}
	if qe.Statistics == nil || aws.ToInt64(qe.Statistics.DataScannedInBytes) != int64(len(ordersCSV)) {
		t.Errorf("got statistics %+v, want %d bytes scanned", qe.Statistics, len(ordersCSV))
	}
	if qe.Status.SubmissionDateTime == nil || qe.Status.CompletionDateTime == nil || qe.Status.CompletionDateTime.Before(*qe.Status.SubmissionDateTime) {
		t.Errorf("got submission %v and completion %v", qe.Status.SubmissionDateTime, qe.Status.CompletionDateTime)
	}

	obj, err := e.store.Get("results", "athena/"+id+".csv")
	if err != nil {
		t.Fatal(err)
	}
	want := "\"id\",\"name\",\"note\"\n\"1\",\"alice\",\"say \"\"hi\"\"\"\n\"2\",\"bob\",\n\"3\",\"\",\"x\"\n"
	if string(obj.Data) != want {
		t.Errorf("got result CSV\n%q\nwant\n%q", obj.Data, want)
	}
	meta, err := e.store.Get("results", "athena/"+id+".csv.metadata")
	if err != nil || len(meta.Data) == 0 || meta.Data[0] != 0x0a || !strings.Contains(string(meta.Data), "note") {
		t.Errorf("got metadata object %v (%v), want a message naming the columns", meta, err)
	}

	// Page through two rows at a time: the header row comes first.
	var rows [][]*string
	var token *string
	pages := 0
	for {
		out, err := e.client.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{
			QueryExecutionId: aws.String(id), MaxResults: aws.Int32(2), NextToken: token,
		})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if n := len(out.ResultSet.Rows); n > 2 {
			t.Fatalf("got %d rows on a page, want at most 2", n)
		}
		cols := out.ResultSet.ResultSetMetadata.ColumnInfo
		if len(cols) != 3 || aws.ToString(cols[0].Name) != "id" || aws.ToString(cols[0].Type) != "bigint" ||
			aws.ToString(cols[1].Type) != "varchar" || !cols[1].CaseSensitive || cols[1].Nullable != types.ColumnNullableUnknown {
			t.Fatalf("got column info %+v", cols)
		}
		for _, r := range out.ResultSet.Rows {
			var vals []*string
			for _, d := range r.Data {
				vals = append(vals, d.VarCharValue)
			}
			rows = append(rows, vals)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if pages != 2 || len(rows) != 4 {
		t.Fatalf("got %d rows on %d pages, want 4 rows (header first) on 2", len(rows), pages)
	}
	if got := aws.ToString(rows[0][2]); got != "note" {
		t.Errorf("got header %q, want note", got)
	}
	if rows[2][2] != nil {
		t.Errorf("got %q for NULL, want no VarCharValue", *rows[2][2])
	}
	if rows[3][1] == nil || *rows[3][1] != "" {
		t.Errorf("got %v for the empty string, want \"\"", rows[3][1])
	}
	if got := aws.ToString(rows[1][2]); got != `say "hi"` {
		t.Errorf("got %q, want say \"hi\"", got)
	}
}

func TestGetQueryResultsRefusals(t *testing.T) {
	e := newEnv(t, nil)
	id := e.start("SELECT id FROM sales.orders", "wg")
	e.wait(id)
	_, err := e.client.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(1001)})
	apiError(t, err, "InvalidRequestException", "Member must have value less than or equal to 1000")

	_, err = e.client.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String("nope")})
	apiError(t, err, "InvalidRequestException", "QueryExecution nope was not found")

	// Athena reads the results as the caller.
	e.grant(allow("athena:*", "*"))
	_, err = e.client.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	apiError(t, err, "InvalidRequestException", "You do not seem to have access to the S3 location of your query results.")
}

func TestTextResultsForShow(t *testing.T) {
	e := newEnv(t, nil)
	id := e.start("SHOW TABLES IN sales", "wg")
	qe := e.wait(id)
	if qe.Status.State != types.QueryExecutionStateSucceeded {
		t.Fatalf("got %s (%s)", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	if got := aws.ToString(qe.ResultConfiguration.OutputLocation); !strings.HasSuffix(got, id+".txt") || qe.StatementType != types.StatementTypeUtility {
		t.Errorf("got %s %s, want a .txt UTILITY result", got, qe.StatementType)
	}
	out, err := e.client.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range out.ResultSet.Rows {
		names = append(names, aws.ToString(r.Data[0].VarCharValue))
	}
	if strings.Join(names, ",") != "orders,returns" {
		t.Errorf("got rows %v, want orders,returns without a header", names)
	}
}

// blockingSQL stands in for the engine to watch cancellation reach the SQL.
type blockingSQL struct {
	started     chan struct{}
	interrupted chan struct{}
}

func (b *blockingSQL) Run(ctx context.Context, q sqlrun.Query, cat sqlrun.Catalog, out sqlrun.Output) (sqlrun.Stats, error) {
	close(b.started)
	<-ctx.Done()
	close(b.interrupted)
	return sqlrun.Stats{}, ctx.Err()
}

func TestStopCancelsAndInterruptsTheSQL(t *testing.T) {
	e := newEnv(t, nil)
	b := &blockingSQL{started: make(chan struct{}), interrupted: make(chan struct{})}
	e.svc.sql = b
	id := e.start("SELECT 1", "wg")
	select {
	case <-b.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the SQL never started")
	}
	if _, err := e.client.StopQueryExecution(context.Background(), &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.interrupted:
	case <-time.After(10 * time.Second):
		t.Fatal("the SQL was not interrupted")
	}
	qe := e.wait(id)
	if qe.Status.State != types.QueryExecutionStateCancelled || qe.Status.CompletionDateTime == nil {
		t.Fatalf("got %s completed %v, want CANCELLED with a completion time", qe.Status.State, qe.Status.CompletionDateTime)
	}
	// Stopping a finished query changes nothing.
	if _, err := e.client.StopQueryExecution(context.Background(), &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if again := e.wait(id); !again.Status.CompletionDateTime.Equal(*qe.Status.CompletionDateTime) {
		t.Errorf("got completion %v after a second stop, want %v", again.Status.CompletionDateTime, qe.Status.CompletionDateTime)
	}
	_, err := e.client.GetQueryResults(context.Background(), &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)})
	apiError(t, err, "InvalidRequestException", "Query did not finish successfully. Final query state: CANCELLED")
	e.svc.Close() // returns only when no query goroutine is left
}

func TestQueryTimeRefusals(t *testing.T) {
	principalARN := "arn:aws:sts::123456789012:assumed-role/analyst/alice"
	athenaAll := allow("athena:*", "*")
	results := []statement{allow("s3:GetBucketLocation", "arn:aws:s3:::results"), allow("s3:PutObject", "arn:aws:s3:::results/*")}
	tests := []struct {
		name     string
		sql      string
		grants   []statement
		prefix   string
		contains string
		errType  int32
	}{{
		name:   "glue missing",
		sql:    "SELECT * FROM sales.orders",
		grants: append([]statement{athenaAll, allow("s3:*", "*")}, results...),
		prefix: "Insufficient permissions to execute the query. User: " + principalARN +
			" is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog because no identity-based policy allows the glue:GetTable action (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException; Request ID: ",
		errType: 1500,
	}, {
		name:     "S3 read missing",
		sql:      "SELECT * FROM sales.orders",
		grants:   append([]statement{athenaAll, allow("glue:*", "*"), allow("s3:ListBucket", "arn:aws:s3:::data")}, results...),
		prefix:   "Permission denied on S3 path: s3://data/sales/orders/part-0.csv. User: " + principalARN,
		contains: `s3:GetObject on resource: "arn:aws:s3:::data/sales/orders/part-0.csv" because no identity-based policy allows the s3:GetObject action (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied;`,
		errType:  1501,
	}, {
		name:    "results write missing",
		sql:     "SELECT * FROM sales.orders",
		grants:  []statement{athenaAll, allow("glue:*", "*"), allow("s3:GetObject", "arn:aws:s3:::data/*"), allow("s3:ListBucket", "*"), allow("s3:GetBucketLocation", "*")},
		prefix:  "Access denied when writing output to url: s3://results/athena/",
		errType: 401,
	}, {
		name:   "lambda missing for Tabulator",
		sql:    `SELECT * FROM "quilt-test-tabulator"."data"."broken"`,
		grants: append([]statement{athenaAll, allow("glue:*", "*"), allow("s3:*", "*")}, results...),
		prefix: "Failed to invoke lambda function due to com.amazonaws.services.lambda.model.AWSLambdaException: User: " + principalARN +
			" is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:quilt-test-tabulator because no identity-based policy allows the lambda:InvokeFunction action (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException;",
		errType: 1500,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.grant(tt.grants...)
			qe := e.wait(e.start(tt.sql, "wg"))
			reason := aws.ToString(qe.Status.StateChangeReason)
			if qe.Status.State != types.QueryExecutionStateFailed || !strings.HasPrefix(reason, tt.prefix) || !strings.Contains(reason, tt.contains) {
				t.Fatalf("got %s: %q\nwant FAILED: %q...%q", qe.Status.State, reason, tt.prefix, tt.contains)
			}
			ae := qe.Status.AthenaError
			if ae == nil || aws.ToInt32(ae.ErrorType) != tt.errType || aws.ToInt32(ae.ErrorCategory) != 2 || aws.ToString(ae.ErrorMessage) != reason {
				t.Errorf("got AthenaError %+v, want type %d, category 2 and the reason", ae, tt.errType)
			}
		})
	}
}

func TestAthenaRefusalsAreAccessDenied(t *testing.T) {
	e := newEnv(t, nil)
	e.grant(allow("glue:*", "*"))
	_, err := e.client.GetWorkGroup(context.Background(), &athena.GetWorkGroupInput{WorkGroup: aws.String("wg")})
	apiError(t, err, "AccessDeniedException", "You are not authorized to perform: athena:GetWorkGroup on the resource. After your AWS administrator or you have updated your permissions, please try again.")
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusBadRequest {
		t.Errorf("got %v, want HTTP 400", err)
	}
	_, err = e.client.StartQueryExecution(context.Background(), &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1")})
	apiError(t, err, "AccessDeniedException", "athena:StartQueryExecution")
	_, err = e.client.ListWorkGroups(context.Background(), &athena.ListWorkGroupsInput{})
	apiError(t, err, "AccessDeniedException", "athena:ListWorkGroups")
}

func TestMetadataRefusalsAreMetadataExceptions(t *testing.T) {
	e := newEnv(t, nil)
	e.grant(allow("athena:*", "*"))
	ctx := context.Background()
	_, err := e.client.ListDatabases(ctx, &athena.ListDatabasesInput{CatalogName: aws.String("AwsDataCatalog")})
	apiError(t, err, "MetadataException", "is not authorized to perform: glue:GetDatabases on resource: arn:aws:glue:us-east-1:123456789012:catalog")
	_, err = e.client.GetTableMetadata(ctx, &athena.GetTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"), DatabaseName: aws.String("sales"), TableName: aws.String("orders")})
	apiError(t, err, "MetadataException", "glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog")
	_, err = e.client.ListTableMetadata(ctx, &athena.ListTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"), DatabaseName: aws.String("sales")})
	apiError(t, err, "MetadataException", "glue:GetTables")
	_, err = e.client.ListDatabases(ctx, &athena.ListDatabasesInput{CatalogName: aws.String("quilt-test-tabulator")})
	apiError(t, err, "MetadataException", "Failed to invoke lambda function due to com.amazonaws.services.lambda.model.AWSLambdaException: User: arn:aws:sts::123456789012:assumed-role/analyst/alice is not authorized to perform: lambda:InvokeFunction")

	// Granted database by database, Glue lists only what the caller may see.
	e.grant(allow("athena:*", "*"), allow("glue:GetDatabases", "arn:aws:glue:us-east-1:123456789012:catalog"))
	out, err := e.client.ListDatabases(ctx, &athena.ListDatabasesInput{CatalogName: aws.String("AwsDataCatalog")})
	if err != nil || len(out.DatabaseList) != 0 {
		t.Errorf("got %v, %v; want no databases", out, err)
	}
}

func TestCatalogBrowsing(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	cats, err := e.client.ListDataCatalogs(ctx, &athena.ListDataCatalogsInput{})
	if err != nil || len(cats.DataCatalogsSummary) != 2 || aws.ToString(cats.DataCatalogsSummary[0].CatalogName) != "AwsDataCatalog" {
		t.Fatalf("got %+v, %v; want AwsDataCatalog and the Tabulator catalog", cats, err)
	}
	dc, err := e.client.GetDataCatalog(ctx, &athena.GetDataCatalogInput{Name: aws.String("quilt-test-tabulator")})
	if err != nil || dc.DataCatalog.Type != types.DataCatalogTypeLambda || dc.DataCatalog.Parameters["function"] == "" {
		t.Fatalf("got %+v, %v; want a LAMBDA catalog with its function", dc, err)
	}
	dbs, err := e.client.ListDatabases(ctx, &athena.ListDatabasesInput{CatalogName: aws.String("quilt-test-tabulator")})
	if err != nil || len(dbs.DatabaseList) != 1 || aws.ToString(dbs.DatabaseList[0].Name) != "data" {
		t.Fatalf("got %+v, %v; want the bucket data", dbs, err)
	}
	tabs, err := e.client.ListTableMetadata(ctx, &athena.ListTableMetadataInput{CatalogName: aws.String("quilt-test-tabulator"), DatabaseName: aws.String("data")})
	if err != nil || len(tabs.TableMetadataList) != 1 {
		t.Fatalf("got %+v, %v", tabs, err)
	}
	if tm := tabs.TableMetadataList[0]; len(tm.Columns) != 0 || tm.Parameters["sandbox.error"] == "" {
		t.Errorf("got %+v, want a broken table without columns saying why", tm)
	}
	glue, err := e.client.ListTableMetadata(ctx, &athena.ListTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"), DatabaseName: aws.String("sales"), Expression: aws.String("ord*"), MaxResults: aws.Int32(50)})
	if err != nil || len(glue.TableMetadataList) != 1 || len(glue.TableMetadataList[0].Columns) != 3 {
		t.Fatalf("got %+v, %v; want orders alone", glue, err)
	}
	tm, err := e.client.GetTableMetadata(ctx, &athena.GetTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"), DatabaseName: aws.String("sales"), TableName: aws.String("orders")})
	if err != nil || aws.ToString(tm.TableMetadata.TableType) != "EXTERNAL_TABLE" || tm.TableMetadata.Parameters["location"] != "s3://data/sales/orders/" {
		t.Fatalf("got %+v, %v", tm, err)
	}
	_, err = e.client.GetTableMetadata(ctx, &athena.GetTableMetadataInput{CatalogName: aws.String("AwsDataCatalog"), DatabaseName: aws.String("sales"), TableName: aws.String("nope")})
	apiError(t, err, "MetadataException", "Table nope not found.")
}

func TestWorkgroupRules(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	// An enforcing workgroup's location wins over the client's.
	out, err := e.client.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
		QueryString: aws.String("SELECT 1"), WorkGroup: aws.String("wg"),
		ResultConfiguration: &types.ResultConfiguration{OutputLocation: aws.String("s3://other/mine/")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(e.wait(*out.QueryExecutionId).ResultConfiguration.OutputLocation); !strings.HasPrefix(got, "s3://results/athena/") {
		t.Errorf("got output location %s, want the workgroup's", got)
	}
	// A workgroup without one takes the client's.
	out, err = e.client.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
		QueryString: aws.String("SELECT 1"), WorkGroup: aws.String("open"),
		ResultConfiguration: &types.ResultConfiguration{OutputLocation: aws.String("s3://other/mine")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(e.wait(*out.QueryExecutionId).ResultConfiguration.OutputLocation); got != "s3://other/mine/"+*out.QueryExecutionId+".csv" {
		t.Errorf("got output location %s, want the client's", got)
	}
	tests := []struct {
		workgroup, location, want string
	}{
		{"off", "", "WorkGroup off is disabled."},
		{"nope", "", "WorkGroup nope is not found."},
		{"open", "", "No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input."},
		{"", "", "No output location provided."}, // primary, which has none
		{"open", "s3://missing-bucket/x/", "Unable to verify/create output bucket missing-bucket"},
	}
	for _, tt := range tests {
		in := &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1")}
		if tt.workgroup != "" {
			in.WorkGroup = aws.String(tt.workgroup)
		}
		if tt.location != "" {
			in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(tt.location)}
		}
		_, err := e.client.StartQueryExecution(ctx, in)
		apiError(t, err, "InvalidRequestException", tt.want)
	}
	// An output bucket the caller may not verify reads as a missing one.
	e.grant(allow("athena:*", "*"))
	_, err = e.client.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1"), WorkGroup: aws.String("wg")})
	apiError(t, err, "InvalidRequestException", "Unable to verify/create output bucket results")

	wg, err := e.client.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String("wg")})
	if err != nil || !aws.ToBool(wg.WorkGroup.Configuration.EnforceWorkGroupConfiguration) ||
		aws.ToString(wg.WorkGroup.Configuration.ResultConfiguration.OutputLocation) != "s3://results/athena/" {
		t.Errorf("got %+v, %v", wg, err)
	}
}

func TestListingsPage(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	var names []string
	p := athena.NewListWorkGroupsPaginator(e.client, &athena.ListWorkGroupsInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, wg := range page.WorkGroups {
			names = append(names, aws.ToString(wg.Name))
		}
	}
	if got := strings.Join(names, ","); got != "off,open,primary,wg" {
		t.Errorf("got workgroups %s, want off,open,primary,wg", got)
	}
	_, err := e.client.ListWorkGroups(ctx, &athena.ListWorkGroupsInput{MaxResults: aws.Int32(51)})
	apiError(t, err, "InvalidRequestException", "less than or equal to 50")

	var started []string
	for range 5 {
		started = append(started, e.start("SELECT 1", "wg"))
	}
	var listed []string
	qp := athena.NewListQueryExecutionsPaginator(e.client, &athena.ListQueryExecutionsInput{WorkGroup: aws.String("wg"), MaxResults: aws.Int32(2)})
	for qp.HasMorePages() {
		page, err := qp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, page.QueryExecutionIds...)
	}
	for i, id := range started {
		if j := len(started) - 1 - i; j >= len(listed) || listed[j] != id {
			t.Fatalf("got %v, want %v newest first", listed, started)
		}
	}

	o, err := e.client.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1"), WorkGroup: aws.String("open"),
		ResultConfiguration: &types.ResultConfiguration{OutputLocation: aws.String("s3://other/")}})
	if err != nil {
		t.Fatal(err)
	}
	other := *o.QueryExecutionId
	e.grant(allow("athena:*", "arn:aws:athena:us-east-1:123456789012:workgroup/wg"))
	batch, err := e.client.BatchGetQueryExecution(ctx, &athena.BatchGetQueryExecutionInput{QueryExecutionIds: []string{started[0], "nope", other}})
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.QueryExecutions) != 1 || aws.ToString(batch.QueryExecutions[0].QueryExecutionId) != started[0] || len(batch.UnprocessedQueryExecutionIds) != 2 {
		t.Fatalf("got %d executions and %d unprocessed, want 1 and 2", len(batch.QueryExecutions), len(batch.UnprocessedQueryExecutionIds))
	}
	if u := batch.UnprocessedQueryExecutionIds[1]; aws.ToString(u.QueryExecutionId) != other || aws.ToString(u.ErrorCode) != "AccessDeniedException" {
		t.Errorf("got %+v, want the other workgroup's query refused", u)
	}

	ids, err := e.client.ListNamedQueries(ctx, &athena.ListNamedQueriesInput{WorkGroup: aws.String("wg")})
	if err != nil || len(ids.NamedQueryIds) != 2 {
		t.Fatalf("got %+v, %v", ids, err)
	}
	nq, err := e.client.BatchGetNamedQuery(ctx, &athena.BatchGetNamedQueryInput{NamedQueryIds: append(ids.NamedQueryIds, "nope")})
	if err != nil || len(nq.NamedQueries) != 2 || len(nq.UnprocessedNamedQueryIds) != 1 || aws.ToString(nq.NamedQueries[0].Database) != "sales" {
		t.Fatalf("got %+v, %v", nq, err)
	}
}

func TestClientRequestTokenIsIdempotent(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	token := "0123456789abcdef0123456789abcdef"
	start := func(sql string) (*athena.StartQueryExecutionOutput, error) {
		return e.client.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String(sql), WorkGroup: aws.String("wg"), ClientRequestToken: aws.String(token)})
	}
	a, err := start("SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := start("SELECT 1")
	if err != nil || *a.QueryExecutionId != *b.QueryExecutionId {
		t.Fatalf("got %v (%v), want the same id %s", b, err, *a.QueryExecutionId)
	}
	_, err = start("SELECT 2")
	apiError(t, err, "InvalidRequestException", "Idempotent parameters do not match")
	// The SDK fills a fresh token itself, so plain calls are new queries.
	if e.start("SELECT 1", "wg") == e.start("SELECT 1", "wg") {
		t.Error("got the same id for two requests without a token")
	}
}

func TestOverlongQueryIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	sql := "SELECT 1 -- " + strings.Repeat("x", maxQueryBytes)
	_, err := e.client.StartQueryExecution(context.Background(), &athena.StartQueryExecutionInput{QueryString: aws.String(sql), WorkGroup: aws.String("wg")})
	apiError(t, err, "InvalidRequestException", "at 'queryString' failed to satisfy constraint: Member must have length less than or equal to 262144")
}

func TestTimestampsFollowTheClock(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	e := newEnv(t, func() time.Time { return at })
	qe := e.wait(e.start("SELECT id FROM sales.orders", "wg"))
	for name, got := range map[string]*time.Time{"submission": qe.Status.SubmissionDateTime, "completion": qe.Status.CompletionDateTime} {
		// The SDK reads epoch seconds as a float; allow its rounding.
		if got == nil || got.Sub(at).Abs() > time.Millisecond {
			t.Errorf("got %s %v, want %v", name, got, at)
		}
	}
	if got := aws.ToInt64(qe.Statistics.TotalExecutionTimeInMillis); got != 0 {
		t.Errorf("got total time %d ms on a stopped clock, want 0", got)
	}
}

func TestTimingComment(t *testing.T) {
	tests := []struct {
		sql        string
		queue, run time.Duration
		bad        bool
	}{
		{"SELECT 1", time.Second, 2 * time.Second, false},
		{"SELECT 1 -- sandbox: queue=0s run=3s", 0, 3 * time.Second, false},
		{"-- sandbox: run=250ms\nSELECT 1", time.Second, 250 * time.Millisecond, false},
		{"SELECT 1 -- sandbox: run=soon", 0, 0, true},
		{"SELECT 1 -- sandbox: wait=1s", 0, 0, true},
	}
	for _, tt := range tests {
		q, r, err := timing(tt.sql, time.Second, 2*time.Second)
		if (err != nil) != tt.bad || !tt.bad && (q != tt.queue || r != tt.run) {
			t.Errorf("timing(%q) = %v, %v, %v; want %v, %v (error: %v)", tt.sql, q, r, err, tt.queue, tt.run, tt.bad)
		}
	}

	// A query held RUNNING by its comment is seen running.
	e := newEnv(t, nil)
	id := e.start("SELECT 1 -- sandbox: queue=0s run=300ms", "wg")
	deadline := time.Now().Add(5 * time.Second)
	var seen types.QueryExecutionState
	for time.Now().Before(deadline) && seen != types.QueryExecutionStateRunning {
		out, err := e.client.GetQueryExecution(context.Background(), &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		seen = out.QueryExecution.Status.State
	}
	if seen != types.QueryExecutionStateRunning {
		t.Fatalf("got %s, want RUNNING while the comment holds it", seen)
	}
	if qe := e.wait(id); qe.Status.State != types.QueryExecutionStateSucceeded {
		t.Errorf("got %s, want SUCCEEDED", qe.Status.State)
	}
}

func TestReadRecordKeepsNullApartFromEmpty(t *testing.T) {
	data := []byte("\"a\",,\"\",\"x\"\"y\"\n\"b\"\n")
	rec, next, err := readRecord(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []field{{text: "a"}, {null: true}, {text: ""}, {text: `x"y`}}
	if len(rec) != len(want) {
		t.Fatalf("got %v, want %v", rec, want)
	}
	for i := range want {
		if rec[i] != want[i] {
			t.Errorf("field %d: got %+v, want %+v", i, rec[i], want[i])
		}
	}
	if rec, _, _ := readRecord(data, next); len(rec) != 1 || rec[0].text != "b" {
		t.Errorf("got second record %v, want [b]", rec)
	}
	if _, _, err := readRecord([]byte(`"open`), 0); err == nil {
		t.Error("got no error for an unterminated field")
	}
	w := &resultWriter{}
	w.Columns([]engine.Column{{Name: "c"}})
	w.Row(engine.Row{{Null: true}})
	if got := w.csv.String(); got != "\"c\"\n\n" {
		t.Errorf("got %q for a NULL row, want an empty line", got)
	}
}

// BenchmarkGetQueryResultsPage measures one page deep in a large result:
// its cost must not grow with the rows before it.
func BenchmarkGetQueryResultsPage(b *testing.B) {
	w := &resultWriter{}
	w.Columns([]engine.Column{{Name: "n", Type: "bigint"}})
	for i := range 1_000_000 {
		w.Row(engine.Row{{Text: strings.Repeat("9", i%7+1)}})
	}
	data := w.csv.Bytes()
	off := len(data) - 200_000
	for data[off-1] != '\n' {
		off++
	}
	b.ResetTimer()
	for range b.N {
		o := off
		for range 1000 {
			_, next, err := readRecord(data, o)
			if err != nil {
				b.Fatal(err)
			}
			o = next
		}
	}
}
