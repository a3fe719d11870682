package sandbox_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

const (
	workgroup  = "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"
	sailQuery  = `SELECT * FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail" LIMIT 5`
	analystARN = "arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst"
)

// runQuery starts sql in the Quilt workgroup and polls until it ends.
func runQuery(t *testing.T, client *athena.Client, sql string) *athenatypes.QueryExecution {
	t.Helper()
	ctx := sandboxtest.Context(t)
	start, err := client.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
		QueryString: aws.String(sql),
		WorkGroup:   aws.String(workgroup),
	})
	if err != nil {
		t.Fatalf("StartQueryExecution(%q): %v", sql, err)
	}
	return waitQuery(t, client, *start.QueryExecutionId)
}

func waitQuery(t *testing.T, client *athena.Client, id string) *athenatypes.QueryExecution {
	t.Helper()
	ctx := sandboxtest.Context(t)
	for {
		out, err := client.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			t.Fatalf("GetQueryExecution(%s): %v", id, err)
		}
		switch out.QueryExecution.Status.State {
		case athenatypes.QueryExecutionStateSucceeded, athenatypes.QueryExecutionStateFailed, athenatypes.QueryExecutionStateCancelled:
			return out.QueryExecution
		}
		select {
		case <-ctx.Done():
			t.Fatalf("query %s did not end: %v", id, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// The seed story: the analyst's role lacks what a Tabulator query needs,
// the admin's does not.
func TestTabulatorQueryFailsForAnalystAndSucceedsForAdmin(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})

	analyst := athena.NewFromConfig(env.AWSConfig(t, "analyst"))
	qe := runQuery(t, analyst, sailQuery)
	if qe.Status.State != athenatypes.QueryExecutionStateFailed {
		t.Fatalf("analyst's query ended %s, want FAILED", qe.Status.State)
	}
	reason := aws.ToString(qe.Status.StateChangeReason)
	if !strings.Contains(reason, analystARN) {
		t.Errorf("reason %q does not name the analyst's principal %s", reason, analystARN)
	}
	if !strings.Contains(reason, "lambda:InvokeFunction") && !strings.Contains(reason, "glue:") {
		t.Errorf("reason %q names no missing Glue or Lambda action", reason)
	}
	if qe.Status.AthenaError == nil || qe.Status.AthenaError.ErrorType == nil {
		t.Errorf("a failed query has no AthenaError type: %+v", qe.Status.AthenaError)
	}

	admin := athena.NewFromConfig(env.AWSConfig(t, "admin"))
	qe = runQuery(t, admin, sailQuery)
	if qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
		t.Fatalf("admin's query ended %s (%s), want SUCCEEDED", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	res, err := admin.GetQueryResults(sandboxtest.Context(t), &athena.GetQueryResultsInput{QueryExecutionId: qe.QueryExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.ResultSet.Rows) - 1; got != 5 {
		t.Errorf("admin got %d data rows, want 5", got)
	}
	cols := res.ResultSet.ResultSetMetadata.ColumnInfo
	var names []string
	for _, c := range cols {
		names = append(names, aws.ToString(c.Name))
	}
	if !strings.Contains(strings.Join(names, ","), "$pkg_name") {
		t.Errorf("sail's columns %v lack $pkg_name", names)
	}
}

// Results are written as Athena writes them: every value quoted, NULL as an
// empty unquoted field; GetQueryResults keeps NULL apart from "".
func TestResultFileKeepsNullApartFromEmptyString(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	cfg := env.AWSConfig(t, "admin")
	client := athena.NewFromConfig(cfg)
	qe := runQuery(t, client, `SELECT CAST(NULL AS varchar) AS n, '' AS e, 'say "hi", ok' AS q, 7 AS i`)
	if qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
		t.Fatalf("query ended %s: %s", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	loc := aws.ToString(qe.ResultConfiguration.OutputLocation)
	bucket, key, ok := strings.Cut(strings.TrimPrefix(loc, "s3://"), "/")
	if !ok || !strings.HasSuffix(key, ".csv") {
		t.Fatalf("output location %q is not s3://bucket/<id>.csv", loc)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	obj, err := s3c.GetObject(sandboxtest.Context(t), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("GetObject %s: %v", loc, err)
	}
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	want := "\"n\",\"e\",\"q\",\"i\"\n,\"\",\"say \"\"hi\"\", ok\",\"7\"\n"
	if string(body) != want {
		t.Errorf("result file:\n got %q\nwant %q", body, want)
	}

	res, err := client.GetQueryResults(sandboxtest.Context(t), &athena.GetQueryResultsInput{QueryExecutionId: qe.QueryExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.ResultSet.Rows) != 2 {
		t.Fatalf("got %d rows, want a header and one row", len(res.ResultSet.Rows))
	}
	row := res.ResultSet.Rows[1].Data
	if row[0].VarCharValue != nil {
		t.Errorf("NULL came back as %q, want no VarCharValue", *row[0].VarCharValue)
	}
	if row[1].VarCharValue == nil || *row[1].VarCharValue != "" {
		t.Errorf("the empty string came back as %v, want \"\"", row[1].VarCharValue)
	}
}

// GetQueryResults pages through a table of thousands of rows.
func TestQueryResultsPaging(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	client := athena.NewFromConfig(env.AWSConfig(t, "admin"))
	count := runQuery(t, client, `SELECT count(*) FROM sales.orders`)
	res, err := client.GetQueryResults(sandboxtest.Context(t), &athena.GetQueryResultsInput{QueryExecutionId: count.QueryExecutionId})
	if err != nil || len(res.ResultSet.Rows) != 2 {
		t.Fatalf("count(*): %v, %d rows", err, len(res.ResultSet.Rows))
	}
	want := aws.ToString(res.ResultSet.Rows[1].Data[0].VarCharValue)

	all := runQuery(t, client, `SELECT * FROM sales.orders`)
	pages := athena.NewGetQueryResultsPaginator(client, &athena.GetQueryResultsInput{QueryExecutionId: all.QueryExecutionId, MaxResults: aws.Int32(1000)})
	rows, n := 0, 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(sandboxtest.Context(t))
		if err != nil {
			t.Fatal(err)
		}
		rows += len(page.ResultSet.Rows)
		n++
	}
	if got := rows - 1; want != strconv.Itoa(got) {
		t.Errorf("paged %d rows in %d pages, count(*) says %s", got, n, want)
	}
	if n < 2 {
		t.Errorf("sales.orders fit in %d page; the default stack should have results worth paging", n)
	}

	_, err = client.GetQueryResults(sandboxtest.Context(t), &athena.GetQueryResultsInput{QueryExecutionId: all.QueryExecutionId, MaxResults: aws.Int32(1001)})
	if apiCode(err) != "InvalidRequestException" {
		t.Errorf("MaxResults 1001: got %v, want InvalidRequestException", err)
	}
}

// StopQueryExecution cancels a running query.
func TestStopQueryExecutionCancels(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	client := athena.NewFromConfig(env.AWSConfig(t, "admin"))
	ctx := sandboxtest.Context(t)
	start, err := client.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
		QueryString: aws.String("-- sandbox: run=60s\nSELECT count(*) FROM sales.orders"),
		WorkGroup:   aws.String(workgroup),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.StopQueryExecution(ctx, &athena.StopQueryExecutionInput{QueryExecutionId: start.QueryExecutionId}); err != nil {
		t.Fatal(err)
	}
	qe := waitQuery(t, client, *start.QueryExecutionId)
	if qe.Status.State != athenatypes.QueryExecutionStateCancelled {
		t.Errorf("stopped query ended %s, want CANCELLED", qe.Status.State)
	}
}

// Signature, unknown-key and expiry failures get each protocol's own codes.
func TestCredentialFailuresPerProtocol(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{CredentialTTL: 10 * time.Minute})
	good := env.Credentials(t, "analyst")

	wrongSecret := good
	wrongSecret.SecretAccessKey = strings.Repeat("x", 40)
	unknown := good
	unknown.AccessKeyID = "ASIAUNKNOWNUNKNOWN12"

	tests := []struct {
		name                string
		creds               func() aws.Credentials
		athena, sts, s3code string
	}{
		{"wrong secret", func() aws.Credentials { return wrongSecret }, "InvalidSignatureException", "SignatureDoesNotMatch", "SignatureDoesNotMatch"},
		{"unknown key", func() aws.Credentials { return unknown }, "UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			codes := callAll(t, env, tc.creds())
			want := [3]string{tc.athena, tc.sts, tc.s3code}
			if codes != want {
				t.Errorf("got %v, want %v", codes, want)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		env.Clock.Advance(11 * time.Minute) // past the TTL, within the 15-minute signing skew
		codes := callAll(t, env, good)
		want := [3]string{"ExpiredTokenException", "ExpiredToken", "ExpiredToken"}
		if codes != want {
			t.Errorf("got %v, want %v", codes, want)
		}
	})
}

// callAll makes one Athena, STS and S3 call with c and returns their
// error codes.
func callAll(t *testing.T, env *sandboxtest.Env, c aws.Credentials) [3]string {
	t.Helper()
	cfg := env.ConfigFor(c)
	ctx := sandboxtest.Context(t)
	_, errA := athena.NewFromConfig(cfg).ListWorkGroups(ctx, &athena.ListWorkGroupsInput{})
	_, errS := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	_, errB := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("nextflowtower")})
	return [3]string{apiCode(errA), apiCode(errS), apiCode(errB)}
}

// STS names the assumed role; Glue refuses the analyst and serves the admin.
func TestIdentityAndGlue(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	ctx := sandboxtest.Context(t)
	id, err := sts.NewFromConfig(env.AWSConfig(t, "analyst")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(id.Arn); got != analystARN {
		t.Errorf("GetCallerIdentity Arn = %s, want %s", got, analystARN)
	}

	_, err = glue.NewFromConfig(env.AWSConfig(t, "analyst")).GetDatabases(ctx, &glue.GetDatabasesInput{})
	if apiCode(err) != "AccessDeniedException" || !strings.Contains(err.Error(), "glue:GetDatabases") || !strings.Contains(err.Error(), analystARN) {
		t.Errorf("analyst GetDatabases: got %v, want AccessDeniedException naming glue:GetDatabases and %s", err, analystARN)
	}

	admin := glue.NewFromConfig(env.AWSConfig(t, "admin"))
	dbs, err := admin.GetDatabases(ctx, &glue.GetDatabasesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range dbs.DatabaseList {
		names = append(names, aws.ToString(d.Name))
	}
	if !strings.Contains(strings.Join(names, " "), "sales") {
		t.Errorf("admin's databases %v lack sales", names)
	}
	parts, err := admin.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("sales"), TableName: aws.String("events")})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.Partitions) < 2 {
		t.Errorf("sales.events has %d partitions, want several", len(parts.Partitions))
	}
}

// A HEAD refused by S3 has no body; the SDK sees only the status.
func TestS3HeadRefusalHasNoBody(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	creds := env.Credentials(t, "reader")
	cfg := env.ConfigFor(creds)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.HeadObject(sandboxtest.Context(t), &s3.HeadObjectInput{Bucket: aws.String("nextflowtower"), Key: aws.String("no/such/key")})
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
		t.Fatalf("reader HEAD on nextflowtower: got %v, want HTTP 403", err)
	}
}

// Faults cut bodies short: a client reading the reply sees an error, not a
// short success.
func TestFaultCutEndsBodyEarly(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Faults: sandbox.Faults{Cut: 1}})
	cfg := env.AWSConfig(t, "admin")
	_, err := athena.NewFromConfig(cfg).ListWorkGroups(context.Background(), &athena.ListWorkGroupsInput{})
	if err == nil {
		t.Fatal("ListWorkGroups succeeded although every reply is cut")
	}
}

// Throttling and 500 faults answer with each service's own codes, so that
// clients' retry logic meets what AWS sends.
func TestFaultsUseEachServicesCodes(t *testing.T) {
	tests := []struct {
		name   string
		faults sandbox.Faults
		want   [3]string // athena, sts, s3
	}{
		{"throttle", sandbox.Faults{Throttle: 1}, [3]string{"ThrottlingException", "Throttling", "SlowDown"}},
		{"server error", sandbox.Faults{ServerError: 1}, [3]string{"InternalServerException", "InternalFailure", "InternalError"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := sandboxtest.Start(t, sandbox.Options{Faults: tc.faults})
			if got := callAll(t, env, env.Credentials(t, "admin")); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// A view runs with the invoker's rights: its base tables are authorized as
// the caller.
func TestViewRunsWithInvokersRights(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	const sql = `SELECT customer_id, orders, revenue FROM sales.order_totals ORDER BY revenue DESC LIMIT 3`
	admin := athena.NewFromConfig(env.AWSConfig(t, "admin"))
	qe := runQuery(t, admin, sql)
	if qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
		t.Fatalf("admin's view query ended %s: %s", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	res, err := admin.GetQueryResults(sandboxtest.Context(t), &athena.GetQueryResultsInput{QueryExecutionId: qe.QueryExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.ResultSet.Rows); got != 4 {
		t.Errorf("got %d rows, want a header and 3", got)
	}

	reader := athena.NewFromConfig(env.AWSConfig(t, "reader"))
	qe = runQuery(t, reader, sql)
	reason := aws.ToString(qe.Status.StateChangeReason)
	if qe.Status.State != athenatypes.QueryExecutionStateFailed || !strings.Contains(reason, "glue:GetTable") {
		t.Errorf("reader's view query ended %s (%s), want FAILED naming glue:GetTable", qe.Status.State, reason)
	}
}
