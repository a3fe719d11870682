package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
)

// The fix-in-one proof: for each way a Quilt role falls short, a query is
// refused, the statement quiltq prints is added to the role in the running
// sandbox, and the same query then succeeds on the very next try. Each
// scenario runs twice: with the role's policies unknown (AWS refuses, and
// the statement covers everything the query needs) and with them known
// through --policy (quiltq refuses before sending, and the statement
// covers exactly what is missing).

const (
	fixRole    = "ReadWriteQuiltV2-sales-prod"
	fixWG      = "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"
	tabulatorQ = `SELECT name, tpm FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail" LIMIT 5`
)

// analystDocs are the analyst role's policy documents in the built-in
// stack: Quilt buckets, the user workgroup and its results; no Glue, no
// Lambda.
func analystDocs(t *testing.T) map[string]string {
	t.Helper()
	st, err := stack.Default()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range st.Roles {
		if r.Name == fixRole {
			for _, p := range r.Policies {
				out[p.Name] = string(p.Document)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("the built-in stack has no role %s", fixRole)
	}
	return out
}

// withoutStatements removes the statements with the given Sids from doc.
func withoutStatements(t *testing.T, doc string, sids ...string) string {
	t.Helper()
	var p struct {
		Version   string
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatal(err)
	}
	var kept []map[string]any
	for _, st := range p.Statement {
		drop := false
		for _, sid := range sids {
			if st["Sid"] == sid {
				drop = true
			}
		}
		if !drop {
			kept = append(kept, st)
		}
	}
	p.Statement = kept
	b, _ := json.Marshal(p)
	return string(b)
}

// glueViaAthena is a policy allowing actions on resources through Athena.
func glueViaAthena(actions []string, resources ...string) string {
	a, _ := json.Marshal(actions)
	r, _ := json.Marshal(resources)
	return fmt.Sprintf(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": %s, "Resource": %s,
		"Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}}]}`, a, r)
}

const (
	glueCatalogARN = "arn:aws:glue:us-east-1:123456789012:catalog"
	glueDefaultARN = "arn:aws:glue:us-east-1:123456789012:database/default"
	glueSalesARN   = "arn:aws:glue:us-east-1:123456789012:database/sales"
)

var glueRead = []string{"glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"}

type fixScenario struct {
	name string
	// docs are the role's policies for the scenario (name → JSON).
	docs func(t *testing.T) map[string]string
	sql  string
	args []string
	// noStatement: the refusal must offer no statement, and the fix is to
	// drop the policy named remove (an explicit Deny).
	noStatement bool
	remove      string
	// sessionRefusal: refused while choosing the workgroup, before the
	// pre-send check runs.
	sessionRefusal bool
	// check runs on the successful retry.
	check func(t *testing.T, r result)
	skip  string
}

func fixScenarios() []fixScenario {
	base := func(extra map[string]string) func(t *testing.T) map[string]string {
		return func(t *testing.T) map[string]string {
			docs := analystDocs(t)
			for k, v := range extra {
				docs[k] = v
			}
			return docs
		}
	}
	return []fixScenario{
		{name: "glue missing on the catalog", docs: base(nil), sql: "SELECT order_id FROM sales.orders ORDER BY order_id LIMIT 3"},
		{name: "glue missing on the database",
			docs: base(map[string]string{"glue": glueViaAthena(glueRead, glueCatalogARN, glueDefaultARN)}),
			sql:  "SELECT order_id FROM sales.orders LIMIT 3"},
		{name: "glue missing on the table",
			docs: base(map[string]string{"glue": glueViaAthena(glueRead, glueCatalogARN, glueDefaultARN, glueSalesARN,
				"arn:aws:glue:us-east-1:123456789012:table/sales/customers")}),
			sql: "SELECT order_id FROM sales.orders LIMIT 3"},
		{name: "partitions",
			docs: base(map[string]string{"glue": glueViaAthena([]string{"glue:GetDatabase", "glue:GetTable"}, glueCatalogARN, glueDefaultARN, glueSalesARN,
				"arn:aws:glue:us-east-1:123456789012:table/sales/*")}),
			sql: "SELECT dt, count(*) AS n FROM sales.events GROUP BY dt"},
		{name: "show databases",
			docs: base(map[string]string{"glue": glueViaAthena([]string{"glue:GetDatabase", "glue:GetTable", "glue:GetTables"}, glueCatalogARN, glueDefaultARN, glueSalesARN)}),
			sql:  "SHOW DATABASES",
			check: func(t *testing.T, r result) {
				if !strings.Contains(r.stdout, "sales") {
					t.Errorf("SHOW DATABASES after the fix lacks sales: %q", r.stdout)
				}
			}},
		{name: "show tables",
			docs: base(map[string]string{"glue": glueViaAthena([]string{"glue:GetDatabase", "glue:GetTable"}, glueCatalogARN, glueDefaultARN, glueSalesARN)}),
			sql:  "SHOW TABLES IN sales",
			check: func(t *testing.T, r result) {
				if !strings.Contains(r.stdout, "orders") {
					t.Errorf("SHOW TABLES after the fix lacks orders: %q", r.stdout)
				}
			}},
		{name: "results bucket write",
			docs: func(t *testing.T) map[string]string {
				docs := analystDocs(t)
				docs["QuiltUserAthena"] = withoutStatements(t, docs["QuiltUserAthena"], "AthenaResultsObjects")
				docs["results-read"] = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
					"Resource": "arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/*"}]}`
				return docs
			},
			sql: "SELECT 42 AS answer"},
		{name: "results read for the fast path",
			docs: func(t *testing.T) map[string]string {
				docs := analystDocs(t)
				docs["QuiltUserAthena"] = withoutStatements(t, docs["QuiltUserAthena"], "AthenaResultsObjects")
				docs["results-write"] = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
					"Resource": "arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/*"}]}`
				return docs
			},
			sql: "SELECT 42 AS answer", args: []string{"--stats", "-o", "csv"},
			check: func(t *testing.T, r result) {
				if !strings.Contains(r.stderr, `"fetch_path":"s3"`) {
					t.Errorf("after the fix the rows did not come from the result file (fast path): %s", r.stderr)
				}
			}},
		{name: "tabulator lambda", docs: base(nil), sql: tabulatorQ},
		{name: "a workgroup the role may not use",
			docs: func(t *testing.T) map[string]string {
				docs := analystDocs(t)
				docs["QuiltUserAthena"] = withoutStatements(t, docs["QuiltUserAthena"], "AthenaUserWorkgroup", "AthenaStackWorkgroupsRead")
				return docs
			},
			sql: "SELECT 1", args: []string{"-w", fixWG}, sessionRefusal: true},
		// The analyst may read sales through Athena but not create tables.
		{name: "ctas",
			docs: base(map[string]string{"glue": glueViaAthena(glueRead, glueCatalogARN, glueDefaultARN, glueSalesARN, "arn:aws:glue:us-east-1:123456789012:table/sales/*")}),
			sql:  "CREATE TABLE sales.big_orders AS SELECT order_id, amount FROM sales.orders WHERE amount > 100"},
		// The analyst may read sales and write its objects, but not abort
		// multipart uploads, which Athena's writer needs on the table's data.
		{name: "insert",
			docs: base(map[string]string{"glue": glueViaAthena(glueRead, glueCatalogARN, glueDefaultARN, glueSalesARN, "arn:aws:glue:us-east-1:123456789012:table/sales/*")}),
			sql:  "INSERT INTO sales.customers SELECT * FROM sales.customers LIMIT 2"},
		{name: "an explicit deny",
			docs: base(map[string]string{
				"glue": glueViaAthena(glueRead, glueCatalogARN, glueDefaultARN, glueSalesARN, "arn:aws:glue:us-east-1:123456789012:table/sales/*"),
				"deny": `{"Version": "2012-10-17", "Statement": [{"Sid": "NoOrders", "Effect": "Deny", "Action": "glue:GetTable",
					"Resource": "arn:aws:glue:us-east-1:123456789012:table/sales/orders"}]}`,
			}),
			sql: "SELECT order_id FROM sales.orders LIMIT 3", noStatement: true, remove: "deny"},
	}
}

func TestFixInOne(t *testing.T) {
	for _, sc := range fixScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			if sc.skip != "" {
				t.Skip(sc.skip)
			}
			for _, known := range []bool{false, true} {
				mode := "policies unknown"
				if known {
					mode = "policies known"
				}
				t.Run(mode, func(t *testing.T) { fixInOne(t, sc, known) })
			}
		})
	}
}

func fixInOne(t *testing.T, sc fixScenario, known bool) {
	env := sandboxtest.Start(t, sandbox.Options{})
	ctx := sandboxtest.Context(t)
	docs := sc.docs(t)
	dir := t.TempDir()
	var policyArgs []string
	if known {
		for name, doc := range docs {
			path := filepath.Join(dir, name+".json")
			if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
				t.Fatal(err)
			}
			policyArgs = append(policyArgs, "--policy", path)
		}
	}
	setPolicies(t, env, docs)
	args := append(append(append([]string{}, policyArgs...), sc.args...), "-e", sc.sql)

	r := quiltq(t, ctx, envFor(t, env, "analyst"), "", args...)
	t.Logf("first try, stderr:\n%s", r.stderr)
	if r.code != exitDenied {
		t.Fatalf("first try: exit %d, want %d (refused); stderr:\n%s", r.code, exitDenied, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("a refusal wrote %q on stdout", r.stdout)
	}
	if known && !sc.sessionRefusal && !strings.Contains(r.stderr, "refused before sending") {
		t.Errorf("with the policies known the query was not refused before sending:\n%s", r.stderr)
	}
	if !known && !strings.Contains(r.stderr, "not authorized") && !strings.Contains(r.stderr, "Access denied") && !strings.Contains(r.stderr, "access denied") {
		t.Errorf("the refusal's original text is missing:\n%s", r.stderr)
	}
	fix, found := statementIn(t, r.stderr)
	if sc.noStatement {
		if found {
			t.Fatalf("an explicit Deny was answered with a statement:\n%s", r.stderr)
		}
		if !strings.Contains(r.stderr, "explicit Deny") {
			t.Errorf("the message does not say an explicit Deny is why no statement helps:\n%s", r.stderr)
		}
		delete(docs, sc.remove)
		setPolicies(t, env, docs)
		policyArgs = nil
	} else {
		if !found {
			t.Fatalf("no statement in the refusal:\n%s", r.stderr)
		}
		docs["quiltq-fix"] = fix
		setPolicies(t, env, docs)
		if known {
			path := filepath.Join(dir, "quiltq-fix.json")
			if err := os.WriteFile(path, []byte(fix), 0o600); err != nil {
				t.Fatal(err)
			}
			policyArgs = append(policyArgs, "--policy", path)
		}
	}
	if known && sc.noStatement {
		for name, doc := range docs {
			path := filepath.Join(dir, "after-"+name+".json")
			if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
				t.Fatal(err)
			}
			policyArgs = append(policyArgs, "--policy", path)
		}
	}
	args = append(append(append([]string{}, policyArgs...), sc.args...), "-e", sc.sql)
	r = quiltq(t, ctx, envFor(t, env, "analyst"), "", args...)
	if r.code != exitOK {
		t.Fatalf("the next try after applying the fix: exit %d, stderr:\n%s\nthe fix was:\n%s", r.code, r.stderr, fix)
	}
	if sc.check != nil {
		sc.check(t, r)
	}
}

// setPolicies replaces the analyst role's policies in the running sandbox.
func setPolicies(t *testing.T, env *sandboxtest.Env, docs map[string]string) {
	t.Helper()
	var ps []*iam.Policy
	for name, doc := range docs {
		p, err := iam.Parse(name, []byte(doc))
		if err != nil {
			t.Fatalf("policy %s: %v", name, err)
		}
		ps = append(ps, p)
	}
	env.Authorizer().SetPolicies(fixRole, ps)
}

// statementIn finds the policy JSON quiltq printed after "statement that
// fixes".
func statementIn(t *testing.T, stderr string) (string, bool) {
	t.Helper()
	i := strings.Index(stderr, "statement that fixes")
	if i < 0 {
		return "", false
	}
	j := strings.Index(stderr[i:], "\n{")
	if j < 0 {
		t.Fatalf("no JSON after the statement's heading:\n%s", stderr)
	}
	dec := json.NewDecoder(strings.NewReader(stderr[i+j+1:]))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("the statement does not parse: %v\n%s", err, stderr)
	}
	if _, err := iam.Parse("fix", raw); err != nil {
		t.Fatalf("the statement is not a policy IAM would accept: %v\n%s", err, raw)
	}
	return string(raw), true
}

// Expired credentials are never answered with a policy: the next step is
// a new login, and with fresh credentials the same query runs.
func TestFixInOneExpiredCredentials(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	ctx := sandboxtest.Context(t)
	// Credentials issued two hours ago have expired by now.
	env.Clock.Advance(-2 * time.Hour)
	creds := env.Credentials(t, "admin")
	env.Clock.Advance(2 * time.Hour)
	awsEnv := func(accessKey, secret, token string) map[string]string {
		t.Setenv("AWS_ACCESS_KEY_ID", accessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
		t.Setenv("AWS_SESSION_TOKEN", token)
		t.Setenv("AWS_REGION", env.Info.Region)
		t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
		return map[string]string{"AWS_ACCESS_KEY_ID": accessKey, "AWS_ENDPOINT_URL": env.Info.AWSEndpointURL}
	}
	r := quiltq(t, ctx, awsEnv(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken), "", "-w", fixWG, "-e", "SELECT 1")
	t.Logf("expired, stderr:\n%s", r.stderr)
	if r.code != exitCredentials {
		t.Fatalf("expired credentials: exit %d, want %d; stderr:\n%s", r.code, exitCredentials, r.stderr)
	}
	if !strings.Contains(r.stderr, "log in again") {
		t.Errorf("the next step is not to log in again:\n%s", r.stderr)
	}
	if _, found := statementIn(t, r.stderr); found || strings.Contains(r.stderr, `"Statement"`) {
		t.Errorf("expired credentials were answered with a policy:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, creds.SecretAccessKey) || strings.Contains(r.stderr, creds.SessionToken) {
		t.Error("a secret appears in the output")
	}
	fresh := env.Credentials(t, "admin")
	r = quiltq(t, ctx, awsEnv(fresh.AccessKeyID, fresh.SecretAccessKey, fresh.SessionToken), "", "-w", fixWG, "-e", "SELECT 1")
	if r.code != exitOK {
		t.Fatalf("with fresh credentials: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// The fast path alone: a role whose result objects only Athena may read
// gets its rows through GetQueryResults, with a note and the statement
// that lets quiltq read the result file itself; with it, the next run
// reads the file.
func TestFixInOneFastPathOnly(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	ctx := sandboxtest.Context(t)
	docs := analystDocs(t)
	docs["QuiltUserAthena"] = withoutStatements(t, docs["QuiltUserAthena"], "AthenaResultsObjects")
	docs["results-via-athena"] = glueViaAthena([]string{"s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"},
		"arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/*")
	setPolicies(t, env, docs)
	dir := t.TempDir()
	var policyArgs []string
	for name, doc := range docs {
		path := filepath.Join(dir, name+".json")
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		policyArgs = append(policyArgs, "--policy", path)
	}
	args := append(append([]string{}, policyArgs...), "--stats", "-o", "csv", "-e", "SELECT 42 AS answer")
	r := quiltq(t, ctx, envFor(t, env, "analyst"), "", args...)
	if r.code != exitOK || !strings.Contains(r.stderr, `"fetch_path":"api"`) || !strings.Contains(r.stderr, "GetQueryResults pages") {
		t.Fatalf("first run: exit %d, stderr:\n%s\nwant 0, rows through the API and a note", r.code, r.stderr)
	}
	fix, found := statementIn(t, r.stderr)
	if !found {
		t.Fatalf("no statement with the note:\n%s", r.stderr)
	}
	docs["quiltq-fix"] = fix
	setPolicies(t, env, docs)
	path := filepath.Join(dir, "quiltq-fix.json")
	if err := os.WriteFile(path, []byte(fix), 0o600); err != nil {
		t.Fatal(err)
	}
	args = append([]string{"--policy", path}, args...)
	r = quiltq(t, ctx, envFor(t, env, "analyst"), "", args...)
	if r.code != exitOK || !strings.Contains(r.stderr, `"fetch_path":"s3"`) || strings.Contains(r.stderr, "note:") {
		t.Errorf("after the fix: exit %d, stderr:\n%s\nwant the result file read directly, no note", r.code, r.stderr)
	}
}
