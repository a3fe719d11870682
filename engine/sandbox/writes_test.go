package sandbox_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/sqlref"
)

const (
	analystRole = "ReadWriteQuiltV2-sales-prod"
	resultsURL  = "s3://sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/"
	ordersURL   = "s3://quilt-sandbox-bucket/warehouse/sales/orders/"
	notesURL    = "s3://quilt-sandbox-bucket/warehouse/sales/notes/"
)

// mustSucceed runs sql and fails the test unless it succeeds.
func mustSucceed(t *testing.T, client *athena.Client, sql string) *athenatypes.QueryExecution {
	t.Helper()
	qe := runQuery(t, client, sql)
	if qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
		t.Fatalf("%s ended %s: %s", sql, qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	return qe
}

// scalar runs a one-value query and returns the value.
func scalar(t *testing.T, client *athena.Client, sql string) string {
	t.Helper()
	qe := mustSucceed(t, client, sql)
	res, err := client.GetQueryResults(sandboxtest.Context(t), &athena.GetQueryResultsInput{QueryExecutionId: qe.QueryExecutionId})
	if err != nil {
		t.Fatalf("GetQueryResults of %s: %v", sql, err)
	}
	if len(res.ResultSet.Rows) != 2 || len(res.ResultSet.Rows[1].Data) != 1 {
		t.Fatalf("%s: got %d rows, want a header and one value", sql, len(res.ResultSet.Rows))
	}
	return aws.ToString(res.ResultSet.Rows[1].Data[0].VarCharValue)
}

func TestAdminWritesAndReadsBack(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	admin := athena.NewFromConfig(env.AWSConfig(t, "admin"))

	// CTAS without external_location lands under the workgroup's results.
	qe := mustSucceed(t, admin, `CREATE TABLE sales.big_orders AS SELECT order_id, amount, region FROM sales.orders WHERE amount > 500`)
	if got := string(qe.StatementType); got != "DML" {
		t.Errorf("CTAS StatementType = %s, want DML", got)
	}
	res, err := admin.GetQueryResults(sandboxtest.Context(t), &athena.GetQueryResultsInput{QueryExecutionId: qe.QueryExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	want := scalar(t, admin, `SELECT count(*) FROM sales.orders WHERE amount > 500`)
	if n, _ := strconv.Atoi(want); n == 0 || res.UpdateCount == nil || strconv.FormatInt(*res.UpdateCount, 10) != want {
		t.Errorf("CTAS UpdateCount = %v, want %s (and more than 0)", res.UpdateCount, want)
	}
	if got := scalar(t, admin, `SELECT count(*) FROM sales.big_orders`); got != want {
		t.Errorf("rows in the new table: got %s, want %s", got, want)
	}
	if got, want := scalar(t, admin, `SELECT round(sum(amount), 2) FROM sales.big_orders`), scalar(t, admin, `SELECT round(sum(amount), 2) FROM sales.orders WHERE amount > 500`); got != want {
		t.Errorf("sum over the new table: got %s, want %s", got, want)
	}
	id := aws.ToString(qe.QueryExecutionId)
	objs, err := env.Store().List("sales-prod-userathenaresultsbucket-1x7kq3bzr9wm", "athena-results/tables/"+id+"/", "")
	if err != nil || len(objs) != 1 {
		t.Errorf("objects under athena-results/tables/%s/: %d (%v), want 1 data file", id, len(objs), err)
	}
	// The table is in Glue as any other: Athena's metadata API sees it.
	meta, err := admin.GetTableMetadata(sandboxtest.Context(t), &athena.GetTableMetadataInput{
		CatalogName: aws.String("AwsDataCatalog"), DatabaseName: aws.String("sales"), TableName: aws.String("big_orders"),
	})
	if err != nil {
		t.Fatalf("GetTableMetadata of the new table: %v", err)
	}
	if cols := meta.TableMetadata.Columns; len(cols) != 3 || aws.ToString(cols[1].Type) != "double" {
		t.Errorf("new table's columns: %+v, want order_id, amount (double), region", cols)
	}

	// CTAS of the same name again: refused, and IF NOT EXISTS is a no-op.
	qe = runQuery(t, admin, `CREATE TABLE sales.big_orders AS SELECT 1 AS x`)
	if !strings.Contains(aws.ToString(qe.Status.StateChangeReason), "TABLE_ALREADY_EXISTS") {
		t.Errorf("second CTAS: %s %s, want TABLE_ALREADY_EXISTS", qe.Status.State, aws.ToString(qe.Status.StateChangeReason))
	}
	mustSucceed(t, admin, `CREATE TABLE IF NOT EXISTS sales.big_orders AS SELECT 1 AS x`)

	// A Hive table over a new location, then INSERT ... VALUES and SELECT.
	mustSucceed(t, admin, "CREATE EXTERNAL TABLE IF NOT EXISTS `sales`.`notes` (id bigint, note string COMMENT 'free text', noted date)\n"+
		"ROW FORMAT DELIMITED FIELDS TERMINATED BY ','\nSTORED AS TEXTFILE\nLOCATION '"+notesURL+"'")
	if got := scalar(t, admin, `SELECT count(*) FROM sales.notes`); got != "0" {
		t.Errorf("new empty table has %s rows, want 0", got)
	}
	qe = mustSucceed(t, admin, `INSERT INTO sales.notes VALUES (1, 'say "hi", twice', DATE '2024-06-01'), (2, NULL, NULL)`)
	mustSucceed(t, admin, `INSERT INTO sales.notes (note, id) SELECT region, order_id FROM sales.orders WHERE amount > 500`)
	if got, want := scalar(t, admin, `SELECT count(*) FROM sales.notes`), strconv.Itoa(2+atoi(t, want)); got != want {
		t.Errorf("rows after two INSERTs: got %s, want %s", got, want)
	}
	if got := scalar(t, admin, `SELECT note FROM sales.notes WHERE id = 1`); got != `say "hi", twice` {
		t.Errorf("quoted value read back as %q", got)
	}
	if got := scalar(t, admin, `SELECT count(*) FROM sales.notes WHERE note IS NULL AND noted IS NULL`); got != "1" {
		t.Errorf("NULLs read back: %s rows, want 1", got)
	}
	if got := scalar(t, admin, `SELECT CAST(noted AS varchar) FROM sales.notes WHERE id = 1`); got != "2024-06-01" {
		t.Errorf("date read back as %q", got)
	}

	// A view over the new table, replaced, then dropped.
	mustSucceed(t, admin, `CREATE VIEW sales.note_ids AS SELECT id FROM sales.notes WHERE id < 3`)
	if got := scalar(t, admin, `SELECT count(DISTINCT id) FROM sales.note_ids`); got != "2" {
		t.Errorf("distinct view rows: %s, want 2", got)
	}
	qe = runQuery(t, admin, `CREATE VIEW sales.note_ids AS SELECT 1 AS id`)
	if !strings.Contains(aws.ToString(qe.Status.StateChangeReason), "already exists") {
		t.Errorf("CREATE VIEW over a view: %s, want already exists", aws.ToString(qe.Status.StateChangeReason))
	}
	mustSucceed(t, admin, `CREATE OR REPLACE VIEW sales.note_ids AS SELECT id FROM sales.notes WHERE id = 1`)
	if got := scalar(t, admin, `SELECT count(*) FROM sales.note_ids`); got != "1" {
		t.Errorf("replaced view rows: %s, want 1", got)
	}
	mustSucceed(t, admin, `DROP VIEW sales.note_ids`)

	// DROP TABLE: gone from the catalog, its data left in S3.
	mustSucceed(t, admin, `DROP TABLE sales.notes`)
	qe = runQuery(t, admin, `SELECT count(*) FROM sales.notes`)
	if !strings.Contains(aws.ToString(qe.Status.StateChangeReason), "TABLE_NOT_FOUND") {
		t.Errorf("SELECT after DROP: %s, want TABLE_NOT_FOUND", aws.ToString(qe.Status.StateChangeReason))
	}
	if objs, _ := env.Store().List("quilt-sandbox-bucket", "warehouse/sales/notes/", ""); len(objs) != 2 {
		t.Errorf("data files left after DROP TABLE: %d, want the 2 INSERTs wrote", len(objs))
	}
	qe = runQuery(t, admin, `DROP TABLE sales.notes`)
	if !strings.Contains(aws.ToString(qe.Status.StateChangeReason), "Table not found") {
		t.Errorf("second DROP: %s, want Hive's Table not found", aws.ToString(qe.Status.StateChangeReason))
	}
	mustSucceed(t, admin, `DROP TABLE IF EXISTS sales.notes`)

	// Databases.
	mustSucceed(t, admin, `CREATE DATABASE scratch`)
	mustSucceed(t, admin, `CREATE TABLE scratch.t AS SELECT 1 AS one`)
	qe = runQuery(t, admin, `DROP DATABASE scratch`)
	if !strings.Contains(aws.ToString(qe.Status.StateChangeReason), "is not empty") {
		t.Errorf("DROP of a database with tables: %s, want not empty", aws.ToString(qe.Status.StateChangeReason))
	}
	mustSucceed(t, admin, `DROP DATABASE scratch CASCADE`)
	qe = runQuery(t, admin, `SHOW TABLES IN scratch`)
	if qe.Status.State != athenatypes.QueryExecutionStateFailed {
		t.Errorf("SHOW TABLES in a dropped database ended %s", qe.Status.State)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// writeCase is a write statement, what engine/iam says it needs, and how
// to see that it took effect.
type writeCase struct {
	name   string
	setup  []string // run by the admin first
	sql    string
	kind   iam.StatementKind
	tables map[string]iam.Table
	check  func(t *testing.T, admin *athena.Client)
}

func writeCases() []writeCase {
	tables := map[string]iam.Table{
		"awsdatacatalog.sales.orders": {Location: ordersURL},
		"awsdatacatalog.sales.notes":  {Location: notesURL},
	}
	notes := "CREATE EXTERNAL TABLE sales.notes (id bigint, note string) LOCATION '" + notesURL + "'"
	return []writeCase{
		{
			name: "CTAS", kind: iam.CTAS, tables: tables,
			sql: `CREATE TABLE sales.top_orders AS SELECT order_id, amount FROM sales.orders WHERE amount > 1000`,
			check: func(t *testing.T, admin *athena.Client) {
				if got, want := scalar(t, admin, `SELECT count(*) FROM sales.top_orders`), scalar(t, admin, `SELECT count(*) FROM sales.orders WHERE amount > 1000`); got != want {
					t.Errorf("rows in the CTAS table: got %s, want %s", got, want)
				}
			},
		},
		{
			name: "INSERT", kind: iam.Insert, tables: tables, setup: []string{notes},
			sql: `INSERT INTO sales.notes SELECT order_id, region FROM sales.orders WHERE amount > 1000`,
			check: func(t *testing.T, admin *athena.Client) {
				if got, want := scalar(t, admin, `SELECT count(*) FROM sales.notes`), scalar(t, admin, `SELECT count(*) FROM sales.orders WHERE amount > 1000`); got != want {
					t.Errorf("rows after INSERT: got %s, want %s", got, want)
				}
			},
		},
		{
			name: "CREATE TABLE", kind: iam.CreateTable, tables: tables, sql: notes,
			check: func(t *testing.T, admin *athena.Client) { scalar(t, admin, `SELECT count(*) FROM sales.notes`) },
		},
		{
			name: "CREATE VIEW", kind: iam.CreateView, tables: tables,
			sql: `CREATE OR REPLACE VIEW sales.top_regions AS SELECT region FROM sales.orders WHERE amount > 1000`,
			check: func(t *testing.T, admin *athena.Client) {
				if got, want := scalar(t, admin, `SELECT count(*) FROM sales.top_regions`), scalar(t, admin, `SELECT count(*) FROM sales.orders WHERE amount > 1000`); got != want {
					t.Errorf("rows of the view: got %s, want %s", got, want)
				}
			},
		},
		{
			name: "DROP TABLE", kind: iam.DropTable, tables: tables, setup: []string{notes},
			sql: `DROP TABLE sales.notes`,
			check: func(t *testing.T, admin *athena.Client) {
				qe := runQuery(t, admin, `SELECT count(*) FROM sales.notes`)
				if !strings.Contains(aws.ToString(qe.Status.StateChangeReason), "TABLE_NOT_FOUND") {
					t.Errorf("SELECT after DROP: %s", aws.ToString(qe.Status.StateChangeReason))
				}
			},
		},
	}
}

// requirements is what engine/iam's catalog says c needs in the Quilt
// workgroup.
func (c writeCase) requirements(t *testing.T) []iam.Requirement {
	t.Helper()
	refs, err := sqlref.Extract(c.sql, sqlref.Defaults{Catalog: "AwsDataCatalog", Database: "default"})
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := iam.Requirements(iam.Query{
		Region: "us-east-1", Account: "123456789012", Workgroup: workgroup,
		OutputLocation: resultsURL, Encryption: iam.SSES3,
		Kind: c.kind, Refs: refs, Tables: c.tables,
	})
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}

// notEnforced are the catalog's pairs the sandbox does not check while
// running a statement: the Athena control-plane actions it is not calling
// (the test needs GetQueryExecution to poll), the results reads that only
// GetQueryResults makes, and two read-path checks the sandbox leaves out
// (the default database rule and s3:GetBucketLocation on a data bucket),
// and s3:ListBucket and s3:AbortMultipartUpload on the results but for a
// CTAS (the result file itself is one PutObject).
func notEnforced(kind iam.StatementKind, r iam.Requirement) bool {
	switch {
	case strings.HasPrefix(r.Action, "athena:"):
		return true
	case r.Resource == "arn:aws:glue:us-east-1:123456789012:database/default":
		return true
	case r.Purpose == iam.PurposeData && r.Action == "s3:GetBucketLocation":
		return true
	case r.Purpose == iam.PurposeResults && (r.Action == "s3:GetObject" || r.Action == "s3:ListMultipartUploadParts"):
		return true
	case r.Purpose == iam.PurposeResults && (r.Action == "s3:ListBucket" || r.Action == "s3:AbortMultipartUpload"):
		// Enforced for a CTAS, whose table lands under the results: the
		// catalog's results pair is then also its data's.
		return kind != iam.CTAS
	}
	return false
}

// policyOf allows exactly reqs, each as Athena's call for the caller.
func policyOf(t *testing.T, reqs []iam.Requirement) []byte {
	t.Helper()
	var stmts []map[string]any
	for _, r := range reqs {
		s := map[string]any{"Effect": "Allow", "Action": r.Action, "Resource": r.Resource}
		if r.Via != "" {
			s["Condition"] = map[string]any{"ForAnyValue:StringEquals": map[string]any{"aws:CalledVia": r.Via}}
		}
		stmts = append(stmts, s)
	}
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// grantOnly makes the analyst's role hold exactly doc.
func grantOnly(t *testing.T, env *sandboxtest.Env, doc []byte) {
	t.Helper()
	p, err := iam.Parse(analystRole+"/only", doc)
	if err != nil {
		t.Fatal(err)
	}
	env.Authorizer().SetPolicies(analystRole, []*iam.Policy{p})
}

// The sandbox demands what engine/iam's catalog says a write needs: with
// every pair granted the statement succeeds (no more is needed), and with
// any one enforced pair taken away it is refused naming that action (no
// less is checked).
func TestWritesNeedWhatTheCatalogSays(t *testing.T) {
	for _, c := range writeCases() {
		t.Run(c.name, func(t *testing.T) {
			env := sandboxtest.Start(t, sandbox.Options{})
			admin := athena.NewFromConfig(env.AWSConfig(t, "admin"))
			analyst := athena.NewFromConfig(env.AWSConfig(t, "analyst"))
			for _, s := range c.setup {
				mustSucceed(t, admin, s)
			}
			reqs := c.requirements(t)
			// The test itself polls, so the role keeps its Athena actions.
			var base []iam.Requirement
			for _, r := range reqs {
				if strings.HasPrefix(r.Action, "athena:") {
					base = append(base, r)
				}
			}
			checked := 0
			for i, r := range reqs {
				if notEnforced(c.kind, r) {
					continue
				}
				checked++
				without := slices.Concat(base, reqs[:i], reqs[i+1:])
				grantOnly(t, env, policyOf(t, without))
				reason, refused := attempt(t, analyst, c.sql)
				if !refused {
					t.Fatalf("without %s on %s the statement did not fail: the sandbox does not check a pair the catalog lists", r.Action, r.Resource)
				}
				if !strings.Contains(reason, "output bucket") {
					// What engine/explain reads in the refusal is the action taken away.
					if d := explain.Parse(reason); !d.Denied || !slices.Contains(d.Needed(), r.Action) {
						t.Errorf("explain reads %q as denied=%v actions=%v, want a denial of %s", reason, d.Denied, d.Needed(), r.Action)
					}
				}
			}
			if checked == 0 {
				t.Fatal("no requirement was checked")
			}
			grantOnly(t, env, policyOf(t, reqs))
			mustSucceed(t, analyst, c.sql)
			c.check(t, admin)
		})
	}
}

// attempt runs sql and reports why it was refused: a failed query's
// reason or StartQueryExecution's error.
func attempt(t *testing.T, client *athena.Client, sql string) (string, bool) {
	t.Helper()
	start, err := client.StartQueryExecution(sandboxtest.Context(t), &athena.StartQueryExecutionInput{
		QueryString: aws.String(sql), WorkGroup: aws.String(workgroup),
	})
	if err != nil {
		return err.Error(), true
	}
	qe := waitQuery(t, client, aws.ToString(start.QueryExecutionId))
	if qe.Status.State == athenatypes.QueryExecutionStateSucceeded {
		return "", false
	}
	return aws.ToString(qe.Status.StateChangeReason), true
}

// The analyst's role (no Glue at all) is refused a CTAS; the statement
// engine/explain derives from the catalog and the role's own policies,
// applied with PutRolePolicy, makes the same CTAS succeed on the next try.
func TestCTASFixInOne(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	analyst := athena.NewFromConfig(env.AWSConfig(t, "analyst"))
	c := writeCases()[0]
	reason, refused := attempt(t, analyst, c.sql)
	if !refused || !strings.Contains(reason, "glue:") {
		t.Fatalf("analyst's CTAS: refused=%v %q, want a Glue refusal", refused, reason)
	}
	reqs := c.requirements(t)
	gaps := iam.Missing(reqs, iam.Caller{ARN: analystARN}, env.Authorizer().Policies(analystRole)...)
	fix := explain.Fix(reqs, gaps)
	if fix.Policy == nil || len(fix.Blocked) > 0 {
		t.Fatalf("no fix: %+v", fix)
	}
	if err := env.PutRolePolicy(analystRole, "QuiltqFix", []byte(fix.Policy.JSON())); err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, analyst, c.sql)
	c.check(t, athena.NewFromConfig(env.AWSConfig(t, "admin")))
}

// The refusals of the two gaps the issue names, worded as Athena words
// them: a Glue CreateTable refusal and an S3 PutObject refusal, each
// fixed by adding the one missing statement.
func TestWriteRefusalsAndTheirFix(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	analyst := athena.NewFromConfig(env.AWSConfig(t, "analyst"))
	ctas := writeCases()[0]
	reqs := ctas.requirements(t)
	var without []iam.Requirement
	for _, r := range reqs {
		if r.Action != "glue:CreateTable" {
			without = append(without, r)
		}
	}
	grantOnly(t, env, policyOf(t, without))
	start, err := analyst.StartQueryExecution(sandboxtest.Context(t), &athena.StartQueryExecutionInput{QueryString: aws.String(ctas.sql), WorkGroup: aws.String(workgroup)})
	if err != nil {
		t.Fatal(err)
	}
	qe := waitQuery(t, analyst, aws.ToString(start.QueryExecutionId))
	reason := aws.ToString(qe.Status.StateChangeReason)
	wantGlue := "Insufficient permissions to execute the query. User: " + analystARN +
		" is not authorized to perform: glue:CreateTable on resource: arn:aws:glue:us-east-1:123456789012:catalog because no identity-based policy allows the glue:CreateTable action (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException"
	if qe.Status.State != athenatypes.QueryExecutionStateFailed || !strings.HasPrefix(reason, wantGlue) {
		t.Errorf("CTAS without glue:CreateTable: %s %q, want FAILED %q...", qe.Status.State, reason, wantGlue)
	}
	if ae := qe.Status.AthenaError; ae == nil || aws.ToInt32(ae.ErrorCategory) != 2 || aws.ToInt32(ae.ErrorType) != 1500 {
		t.Errorf("AthenaError = %+v, want category 2 (USER), type 1500 (permission)", qe.Status.AthenaError)
	}
	if err := env.PutRolePolicy(analystRole, "AddCreateTable", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"glue:CreateTable",
		"Resource":["arn:aws:glue:us-east-1:123456789012:catalog","arn:aws:glue:us-east-1:123456789012:database/sales","arn:aws:glue:us-east-1:123456789012:table/sales/top_orders"],
		"Condition":{"ForAnyValue:StringEquals":{"aws:CalledVia":"athena.amazonaws.com"}}}]}`)); err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, analyst, ctas.sql)

	// INSERT into a table whose location the role may read but not write.
	admin := athena.NewFromConfig(env.AWSConfig(t, "admin"))
	ins := writeCases()[1]
	for _, s := range ins.setup {
		mustSucceed(t, admin, s)
	}
	reqs = ins.requirements(t)
	without = nil
	for _, r := range reqs {
		if r.Action != "s3:PutObject" || r.Purpose != iam.PurposeData {
			without = append(without, r)
		}
	}
	grantOnly(t, env, policyOf(t, without))
	start, err = analyst.StartQueryExecution(sandboxtest.Context(t), &athena.StartQueryExecutionInput{QueryString: aws.String(ins.sql), WorkGroup: aws.String(workgroup)})
	if err != nil {
		t.Fatal(err)
	}
	qe = waitQuery(t, analyst, aws.ToString(start.QueryExecutionId))
	reason = aws.ToString(qe.Status.StateChangeReason)
	key := "warehouse/sales/notes/" + aws.ToString(start.QueryExecutionId) + ".csv"
	wantS3 := "Access denied when writing to location: s3://quilt-sandbox-bucket/" + key + ". User: " + analystARN +
		` is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::quilt-sandbox-bucket/` + key + `" because no identity-based policy allows the s3:PutObject action (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied;`
	if !strings.HasPrefix(reason, wantS3) {
		t.Errorf("INSERT without s3:PutObject: %q, want %q...", reason, wantS3)
	}
	if ae := qe.Status.AthenaError; ae == nil || aws.ToInt32(ae.ErrorType) != 1501 {
		t.Errorf("AthenaError = %+v, want type 1501 (S3 permission)", qe.Status.AthenaError)
	}
	if objs, _ := env.Store().List("quilt-sandbox-bucket", "warehouse/sales/notes/", ""); len(objs) != 0 {
		t.Errorf("a refused INSERT left %d objects behind", len(objs))
	}
	if err := env.PutRolePolicy(analystRole, "AddPutObject", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject",
		"Resource":"arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/notes/*"}]}`)); err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, analyst, ins.sql)
	ins.check(t, admin)
}

func TestPutRolePolicyRefusesWhatIsWrong(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	if err := env.PutRolePolicy("NoSuchRole", "p", []byte(`{"Version":"2012-10-17","Statement":[]}`)); err == nil || !strings.Contains(err.Error(), "NoSuchRole") {
		t.Errorf("unknown role: %v, want an error naming it", err)
	}
	if err := env.PutRolePolicy(analystRole, "p", []byte(`{not json`)); err == nil {
		t.Error("a document that does not parse was accepted")
	}
	before := len(env.Authorizer().Policies(analystRole))
	doc := []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"glue:GetTable","Resource":"*"}]}`)
	for range 2 {
		if err := env.PutRolePolicy(analystRole, "p", doc); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(env.Authorizer().Policies(analystRole)); got != before+1 {
		t.Errorf("after putting one policy twice the role has %d policies, want %d", got, before+1)
	}
}

// The analyst's reads are as they were: refused for want of Glue.
func TestAnalystReadsUnchanged(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	analyst := athena.NewFromConfig(env.AWSConfig(t, "analyst"))
	reason, refused := attempt(t, analyst, `SELECT count(*) FROM sales.orders`)
	if !refused || !strings.Contains(reason, "glue:GetTable") {
		t.Errorf("analyst's SELECT: refused=%v %q, want a glue:GetTable refusal", refused, reason)
	}
}
