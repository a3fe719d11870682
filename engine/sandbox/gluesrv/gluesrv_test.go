package gluesrv_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/smithy-go"

	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox/gluesrv"
	"github.com/quiltq/quiltq/engine/sandbox/metastore"
	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

const (
	region  = "us-east-1"
	account = "123456789012"
	arnBase = "arn:aws:glue:us-east-1:123456789012:"
)

var created = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func testStack() *stack.Stack {
	cols := []stack.Column{{Name: "id", Type: "bigint", Comment: "row id"}, {Name: "name", Type: "string"}}
	return &stack.Stack{
		Name: "test", Region: region, AccountID: account,
		Databases: []stack.Database{
			{Name: "analytics", Description: "the analytics database", Tables: []stack.Table{
				{Name: "sales", Location: "s3://data/sales/", Header: true, Columns: cols},
				{Name: "customers", Location: "s3://data/customers/", Delimiter: "|", Columns: cols},
				{Name: "events", Location: "s3://data/events/", Columns: cols,
					PartitionKeys: []stack.Column{{Name: "year", Type: "string"}, {Name: "month", Type: "string"}},
					Partitions: []stack.Partition{
						{Values: []string{"2024", "01"}, Location: "s3://data/events/year=2024/month=01/"},
						{Values: []string{"2024", "02"}, Location: "s3://data/events/year=2024/month=02/"},
						{Values: []string{"2025", "01"}, Location: "s3://data/events/year=2025/month=01/"},
					}},
				{Name: "sales_view", Type: "VIRTUAL_VIEW", ViewSQL: "SELECT id FROM sales", Columns: cols[:1]},
			}},
			{Name: "default"},
			{Name: "secret", Tables: []stack.Table{{Name: "salaries", Location: "s3://hr/salaries/", Columns: cols}}},
		},
	}
}

// policy parses a one-policy document for the test role.
func policy(t *testing.T, doc string) *iam.Policy {
	t.Helper()
	p, err := iam.Parse("test-policy", []byte(doc))
	if err != nil {
		t.Fatalf("parse policy: %v", err)
	}
	return p
}

const allowAllGlue = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"glue:Get*","Resource":"arn:aws:glue:us-east-1:123456789012:*"}]}`

var caller = principal.Caller{User: "alice", Role: "analyst", AccountID: account}

// newClient serves a Glue endpoint whose every request comes from caller,
// with the role's policy doc, and returns a real SDK client for it.
func newClient(t *testing.T, doc string) *glue.Client {
	t.Helper()
	meta, err := metastore.New(testStack(), objstore.New(time.Now), created)
	if err != nil {
		t.Fatal(err)
	}
	authz := principal.NewAuthorizer(region, time.Now)
	authz.SetPolicies(caller.Role, []*iam.Policy{policy(t, doc)})
	svc := gluesrv.New(gluesrv.Config{Meta: meta, Authz: authz, Region: region, AccountID: account})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc.ServeAWS(w, r, caller) // the sandbox verifies SigV4 before this; tests skip it
	}))
	t.Cleanup(srv.Close)
	return glue.New(glue.Options{
		Region:       region,
		BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "ASIATEST", SecretAccessKey: "secret", SessionToken: "token"}, nil
		}),
		Retryer: sandboxtest.Retryer(),
	})
}

// apiError asserts err is the API error code whose message is msg.
func apiError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got error %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Errorf("got %s: %q\nwant %s: %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func denial(action, resource, clause string) string {
	return "User: arn:aws:sts::123456789012:assumed-role/analyst/alice is not authorized to perform: " +
		action + " on resource: " + resource + " " + clause
}

func implicit(action string) string {
	return "because no identity-based policy allows the " + action + " action"
}

func TestGetDatabase(t *testing.T) {
	c := newClient(t, allowAllGlue)
	out, err := c.GetDatabase(context.Background(), &glue.GetDatabaseInput{Name: aws.String("Analytics")})
	if err != nil {
		t.Fatal(err)
	}
	db := out.Database
	if aws.ToString(db.Name) != "analytics" || aws.ToString(db.Description) != "the analytics database" ||
		aws.ToString(db.CatalogId) != account || !db.CreateTime.Equal(created) {
		t.Errorf("got %s %q %s %v, want analytics, its description, %s, %v",
			aws.ToString(db.Name), aws.ToString(db.Description), aws.ToString(db.CatalogId), db.CreateTime, account, created)
	}
	_, err = c.GetDatabase(context.Background(), &glue.GetDatabaseInput{Name: aws.String("nope")})
	apiError(t, err, "EntityNotFoundException", "Database nope not found.")
	var enf *types.EntityNotFoundException
	if !errors.As(err, &enf) {
		t.Errorf("got %T, want the SDK's modeled *types.EntityNotFoundException", err)
	}
}

func TestGetDatabasesPagesAndFilters(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"all", allowAllGlue, []string{"analytics", "default", "secret"}},
		{"only granted databases are listed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"glue:GetDatabases","Resource":[
			"arn:aws:glue:us-east-1:123456789012:catalog","arn:aws:glue:us-east-1:123456789012:database/analytics","arn:aws:glue:us-east-1:123456789012:database/secret"]}]}`,
			[]string{"analytics", "secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, tt.doc)
			var got []string
			pages := 0
			p := glue.NewGetDatabasesPaginator(c, &glue.GetDatabasesInput{MaxResults: aws.Int32(1)})
			for p.HasMorePages() {
				out, err := p.NextPage(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(out.DatabaseList) > 1 {
					t.Errorf("got a page of %d databases, want at most 1", len(out.DatabaseList))
				}
				for _, db := range out.DatabaseList {
					got = append(got, aws.ToString(db.Name))
				}
				pages++
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if pages != len(tt.want) {
				t.Errorf("got %d pages, want %d", pages, len(tt.want))
			}
		})
	}
}

func TestGetTable(t *testing.T) {
	c := newClient(t, allowAllGlue)
	ctx := context.Background()
	out, err := c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("analytics"), Name: aws.String("SALES")})
	if err != nil {
		t.Fatal(err)
	}
	tb := out.Table
	sd := tb.StorageDescriptor
	if aws.ToString(tb.Name) != "sales" || aws.ToString(tb.DatabaseName) != "analytics" || aws.ToString(tb.TableType) != "EXTERNAL_TABLE" {
		t.Errorf("got %s.%s %s, want analytics.sales EXTERNAL_TABLE", aws.ToString(tb.DatabaseName), aws.ToString(tb.Name), aws.ToString(tb.TableType))
	}
	if aws.ToString(sd.Location) != "s3://data/sales/" || len(sd.Columns) != 2 || aws.ToString(sd.Columns[0].Comment) != "row id" || aws.ToString(sd.Columns[1].Type) != "string" {
		t.Errorf("got storage %+v, want location s3://data/sales/ and columns id, name", sd)
	}
	if got := aws.ToString(sd.SerdeInfo.SerializationLibrary); !strings.HasSuffix(got, "LazySimpleSerDe") {
		t.Errorf("got serde %s, want LazySimpleSerDe", got)
	}
	if tb.Parameters["classification"] != "csv" || tb.Parameters["skip.header.line.count"] != "1" {
		t.Errorf("got parameters %v, want classification csv and one header line", tb.Parameters)
	}
	if aws.ToString(tb.CatalogId) != account || !tb.CreateTime.Equal(created) {
		t.Errorf("got catalog %s created %v, want %s %v", aws.ToString(tb.CatalogId), tb.CreateTime, account, created)
	}

	out, err = c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("analytics"), Name: aws.String("customers")})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Table.StorageDescriptor.SerdeInfo.Parameters["field.delim"]; got != "|" {
		t.Errorf("got field.delim %q, want |", got)
	}
	if _, ok := out.Table.Parameters["skip.header.line.count"]; ok {
		t.Errorf("got skip.header.line.count on a table without a header")
	}

	out, err = c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("analytics"), Name: aws.String("sales_view")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Table.TableType) != "VIRTUAL_VIEW" || !strings.HasPrefix(aws.ToString(out.Table.ViewOriginalText), "/* Presto View: ") ||
		aws.ToString(out.Table.ViewExpandedText) != "/* Presto View */" {
		t.Errorf("got view %s %q %q, want a Presto view", aws.ToString(out.Table.TableType), aws.ToString(out.Table.ViewOriginalText), aws.ToString(out.Table.ViewExpandedText))
	}

	out, err = c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("analytics"), Name: aws.String("events")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Table.PartitionKeys) != 2 || aws.ToString(out.Table.PartitionKeys[1].Name) != "month" {
		t.Errorf("got partition keys %+v, want year, month", out.Table.PartitionKeys)
	}

	_, err = c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("analytics"), Name: aws.String("nope")})
	apiError(t, err, "EntityNotFoundException", "Table nope not found.")
	_, err = c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("nodb"), Name: aws.String("sales")})
	apiError(t, err, "EntityNotFoundException", "Database nodb not found.")
}

func TestGetTablesPagesAndExpression(t *testing.T) {
	tests := []struct {
		name, doc, expr string
		want            []string
	}{
		{"all", allowAllGlue, "", []string{"customers", "events", "sales", "sales_view"}},
		{"pattern", allowAllGlue, "sales*", []string{"sales", "sales_view"}},
		{"alternatives ignore case", allowAllGlue, "EVENTS|cust*", []string{"customers", "events"}},
		{"ungranted tables are left out", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"glue:GetTables","Resource":[
			"arn:aws:glue:us-east-1:123456789012:catalog","arn:aws:glue:us-east-1:123456789012:database/analytics",
			"arn:aws:glue:us-east-1:123456789012:table/analytics/sales*"]}]}`, "", []string{"sales", "sales_view"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, tt.doc)
			in := &glue.GetTablesInput{DatabaseName: aws.String("analytics"), MaxResults: aws.Int32(3)}
			if tt.expr != "" {
				in.Expression = aws.String(tt.expr)
			}
			var got []string
			p := glue.NewGetTablesPaginator(c, in)
			for p.HasMorePages() {
				out, err := p.NextPage(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(out.TableList) > 3 {
					t.Errorf("got a page of %d tables, want at most 3", len(out.TableList))
				}
				for _, tb := range out.TableList {
					got = append(got, aws.ToString(tb.Name))
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGetPartitions(t *testing.T) {
	c := newClient(t, allowAllGlue)
	var got [][]string
	p := glue.NewGetPartitionsPaginator(c, &glue.GetPartitionsInput{DatabaseName: aws.String("analytics"), TableName: aws.String("events"), MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, part := range out.Partitions {
			got = append(got, part.Values)
			if aws.ToString(part.TableName) != "events" || !strings.HasPrefix(aws.ToString(part.StorageDescriptor.Location), "s3://data/events/year=") {
				t.Errorf("got partition of %s at %s, want events' under s3://data/events/", aws.ToString(part.TableName), aws.ToString(part.StorageDescriptor.Location))
			}
		}
	}
	want := [][]string{{"2024", "01"}, {"2024", "02"}, {"2025", "01"}}
	if !reflect.DeepEqual(got, want) || pages != 2 {
		t.Errorf("got %v in %d pages, want %v in 2", got, pages, want)
	}

	out, err := c.GetPartitions(context.Background(), &glue.GetPartitionsInput{DatabaseName: aws.String("analytics"), TableName: aws.String("events"),
		Expression: aws.String("year = '2024' AND month='02'")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Partitions) != 1 || !reflect.DeepEqual(out.Partitions[0].Values, []string{"2024", "02"}) {
		t.Errorf("got %+v, want the one partition 2024/02", out.Partitions)
	}
	_, err = c.GetPartitions(context.Background(), &glue.GetPartitionsInput{DatabaseName: aws.String("analytics"), TableName: aws.String("nope")})
	apiError(t, err, "EntityNotFoundException", "Table nope not found.")
}

// TestDenials checks that each refusal names the first resource Glue
// finds denied, catalog before database before table.
func TestDenials(t *testing.T) {
	onlyTable := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["glue:GetTable","glue:GetPartitions"],"Resource":[
		"arn:aws:glue:us-east-1:123456789012:database/analytics","arn:aws:glue:us-east-1:123456789012:table/analytics/*"]}]}`
	noTable := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["glue:GetTable","glue:GetTables","glue:GetDatabase"],"Resource":[
		"arn:aws:glue:us-east-1:123456789012:catalog","arn:aws:glue:us-east-1:123456789012:database/analytics",
		"arn:aws:glue:us-east-1:123456789012:table/analytics/sales"]}]}`
	deny := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"glue:*","Resource":"*"},
		{"Effect":"Deny","Action":"glue:GetTable","Resource":"arn:aws:glue:us-east-1:123456789012:table/secret/*"}]}`
	ctx := context.Background()
	tests := []struct {
		name string
		doc  string
		call func(*glue.Client) error
		msg  string
	}{
		{"GetTable denied on the catalog first", onlyTable, func(c *glue.Client) error {
			_, err := c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("analytics"), Name: aws.String("sales")})
			return err
		}, denial("glue:GetTable", arnBase+"catalog", implicit("glue:GetTable"))},
		{"GetTable denied on the table", noTable, func(c *glue.Client) error {
			_, err := c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("analytics"), Name: aws.String("customers")})
			return err
		}, denial("glue:GetTable", arnBase+"table/analytics/customers", implicit("glue:GetTable"))},
		{"GetTable on a missing table is denied before it is found missing", noTable, func(c *glue.Client) error {
			_, err := c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("analytics"), Name: aws.String("nope")})
			return err
		}, denial("glue:GetTable", arnBase+"table/analytics/nope", implicit("glue:GetTable"))},
		{"GetDatabase denied on the database", noTable, func(c *glue.Client) error {
			_, err := c.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("default")})
			return err
		}, denial("glue:GetDatabase", arnBase+"database/default", implicit("glue:GetDatabase"))},
		{"GetTables denied on the database", noTable, func(c *glue.Client) error {
			_, err := c.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("secret")})
			return err
		}, denial("glue:GetTables", arnBase+"database/secret", implicit("glue:GetTables"))},
		{"GetDatabases denied on the catalog", onlyTable, func(c *glue.Client) error {
			_, err := c.GetDatabases(ctx, &glue.GetDatabasesInput{})
			return err
		}, denial("glue:GetDatabases", arnBase+"catalog", implicit("glue:GetDatabases"))},
		{"GetPartitions denied on the catalog", onlyTable, func(c *glue.Client) error {
			_, err := c.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("analytics"), TableName: aws.String("events")})
			return err
		}, denial("glue:GetPartitions", arnBase+"catalog", implicit("glue:GetPartitions"))},
		{"explicit deny", deny, func(c *glue.Client) error {
			_, err := c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("secret"), Name: aws.String("salaries")})
			return err
		}, denial("glue:GetTable", arnBase+"table/secret/salaries", "with an explicit deny in an identity-based policy")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(newClient(t, tt.doc))
			apiError(t, err, "AccessDeniedException", tt.msg)
			var re interface{ HTTPStatusCode() int }
			if errors.As(err, &re) && re.HTTPStatusCode() != http.StatusBadRequest {
				t.Errorf("got HTTP %d, want 400", re.HTTPStatusCode())
			}
		})
	}
}

// TestAuthorizeTableViaAthena checks the exported hierarchy check with a
// policy that, like Quilt's, only allows Glue reads made through Athena.
func TestAuthorizeTableViaAthena(t *testing.T) {
	authz := principal.NewAuthorizer(region, time.Now)
	authz.SetPolicies(caller.Role, []*iam.Policy{policy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"glue:GetTable","Resource":"*",
		"Condition":{"ForAnyValue:StringEquals":{"aws:CalledVia":"athena.amazonaws.com"}}}]}`)})
	if d := gluesrv.AuthorizeTable(authz, caller, principal.Call{Via: "athena.amazonaws.com"}, region, account, "glue:GetTable", "Analytics", "Sales"); d != nil {
		t.Errorf("got %v through Athena, want allowed", d)
	}
	d := gluesrv.AuthorizeTable(authz, caller, principal.Call{SourceIP: "127.0.0.1"}, region, account, "glue:GetTable", "analytics", "sales")
	if d == nil || d.Resource != arnBase+"catalog" {
		t.Errorf("got %v directly, want a denial on the catalog", d)
	}
	if got, want := gluesrv.TableARN(region, account, "Analytics", "Sales"), arnBase+"table/analytics/sales"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
