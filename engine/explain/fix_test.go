package explain

import (
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
)

const (
	fixWG      = "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"
	fixResults = "s3://sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/"
)

var fixCaller = iam.Caller{ARN: "arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst"}

func fixQuery(kind iam.StatementKind, refs ...engine.Ref) iam.Query {
	return iam.Query{
		Region: "us-east-1", Account: "123456789012", Workgroup: fixWG, OutputLocation: fixResults, Kind: kind, Refs: refs,
		Catalogs: []iam.DataCatalog{{Name: "quilt-sales-prod-tabulator", Type: iam.CatalogLambda, Function: tabFn, Spill: "s3://quilt-sales-prod-spill/spill/"}},
		Tables: map[string]iam.Table{
			"awsdatacatalog.sales.orders": {Location: "s3://quilt-sandbox-bucket/warehouse/sales/orders/"},
			"awsdatacatalog.sales.events": {Location: "s3://quilt-sandbox-bucket/warehouse/sales/events/", Partitioned: true, KMSKey: keyARN},
			"awsdatacatalog.sales.daily":  {Location: "s3://sales-prod-analyticsbucket-0o2h8f5nq4ve/ctas/daily/", Partitioned: true},
		},
		DirectResults: true,
	}
}

func glueRef(db, table string, access engine.Access) engine.Ref {
	return engine.Ref{Catalog: "awsdatacatalog", Database: db, Table: table, Access: access}
}

func mustPolicy(t *testing.T, name, doc string) *iam.Policy {
	t.Helper()
	p, err := iam.Parse(name, []byte(doc))
	if err != nil {
		t.Fatalf("iam.Parse(%s): %v", name, err)
	}
	return p
}

// analystPolicy is the shape of the sandbox analyst's role: the workgroup
// and results, Quilt buckets directly, no Glue and no Lambda.
const analystPolicy = `{"Version": "2012-10-17", "Statement": [
	{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": "arn:aws:s3:::quilt-sandbox-bucket"},
	{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::quilt-sandbox-bucket/*"},
	{"Effect": "Allow", "Action": ["athena:GetWorkGroup", "athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"],
	 "Resource": "arn:aws:athena:us-east-1:123456789012:workgroup/QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"},
	{"Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket"], "Resource": "arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm"},
	{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
	 "Resource": "arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/*"}]}`

// TestFixMakesEveryPairAllowed is the fix-in-one property, checked with
// engine/iam alone: whatever a role lacks for a query, the fix added to
// its policies allows every pair the query needs, unless a Deny blocks it.
func TestFixMakesEveryPairAllowed(t *testing.T) {
	queries := map[string]iam.Query{
		"select":         fixQuery(iam.Select, glueRef("sales", "orders", engine.Read)),
		"partitions+kms": fixQuery(iam.Select, glueRef("sales", "events", engine.Read)),
		"show databases": fixQuery(iam.ShowDatabases, glueRef("*", "*", engine.Metadata)),
		"show tables":    fixQuery(iam.ShowTables, glueRef("sales", "*", engine.Metadata)),
		"ctas":           fixQuery(iam.CTAS, glueRef("sales", "daily", engine.Write), glueRef("sales", "orders", engine.Read)),
		"insert":         fixQuery(iam.Insert, glueRef("sales", "events", engine.Write), glueRef("sales", "orders", engine.Read)),
		"tabulator": fixQuery(iam.Select, engine.Ref{Catalog: "quilt-sales-prod-tabulator", Database: "quilt-sandbox-bucket", Table: "regional_orders", Access: engine.Read},
			glueRef("sales", "orders", engine.Read)),
		"quilt iceberg tables": func() iam.Query {
			tag, entry := glueRef("quilt_sales_prod_iceberg", "quilt-sandbox-bucket_package_tag", engine.Read), glueRef("quilt_sales_prod_iceberg", "quilt-sandbox-bucket_package_entry", engine.Read)
			q := fixQuery(iam.Select, tag, entry)
			for _, r := range []engine.Ref{tag, entry} {
				loc := "s3://sales-prod-icebergbucket-7q2w9e/quilt_sales_prod_iceberg/" + r.Table + "/"
				q.Tables[iam.TableKey(r)] = iam.Table{Iceberg: true, Location: loc, MetadataLocation: loc + "metadata/00007-1c2d.metadata.json"}
			}
			q.LakeFormation = true
			return q
		}(),
		"encrypted results": func() iam.Query {
			q := fixQuery(iam.Select, glueRef("sales", "orders", engine.Read))
			q.Encryption, q.KMSKey, q.LakeFormation = iam.SSEKMS, keyARN, true
			return q
		}(),
	}
	policies := map[string]string{
		"nothing":  `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}`,
		"analyst":  analystPolicy,
		"wildcard": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["athena:*", "s3:*"], "Resource": "*"}]}`,
	}
	for qn, q := range queries {
		reqs, err := iam.Requirements(q)
		if err != nil {
			t.Fatalf("%s: Requirements: %v", qn, err)
		}
		for pn, doc := range policies {
			t.Run(qn+"/"+pn, func(t *testing.T) {
				role := mustPolicy(t, pn, doc)
				missing := iam.Missing(reqs, fixCaller, role)
				if len(missing) == 0 {
					t.Fatalf("nothing missing; the case tests nothing")
				}
				fix := Fix(reqs, missing)
				if len(fix.Blocked) != 0 || fix.Policy == nil {
					t.Fatalf("Fix: blocked %v, policy %v; want a policy and nothing blocked", fix.Blocked, fix.Policy)
				}
				added := mustPolicy(t, "fix", fix.Policy.JSON())
				if still := iam.Missing(reqs, fixCaller, role, added); len(still) != 0 {
					t.Errorf("after the fix, still missing:\n%s\nfix:\n%s", gaps(still), fix.Policy.JSON())
				}
				checkOnlyNeeded(t, fix.Policy, missing)
			})
		}
	}
}

// checkOnlyNeeded asserts that a fix grants no pair that was not missing,
// except pairs that grant nothing on their own (iam.Effective).
func checkOnlyNeeded(t *testing.T, p *Policy, missing []iam.Gap) {
	t.Helper()
	needed := map[[2]string]bool{}
	for _, g := range missing {
		needed[[2]string{g.Action, g.Resource}] = true
	}
	sids := map[string]bool{}
	for _, st := range p.Statement {
		if sids[st.Sid] {
			t.Errorf("Sid %q used twice", st.Sid)
		}
		sids[st.Sid] = true
		for _, a := range st.Action {
			for _, r := range st.Resource {
				if !needed[[2]string{a, r}] && iam.Effective(a, r) {
					t.Errorf("statement %s grants %s on %s, which was not missing", st.Sid, a, r)
				}
			}
		}
	}
}

func gaps(gs []iam.Gap) string {
	var b strings.Builder
	for _, g := range gs {
		b.WriteString("  " + g.Action + " on " + g.Resource + " via " + g.Via + ": " + g.Result.Decision.String() + "\n")
	}
	return b.String()
}

// The analyst's first query: what is missing is Glue, all through Athena,
// and the fix is one statement, conditioned as Quilt conditions Glue.
func TestFixAnalystSelect(t *testing.T) {
	reqs, err := iam.Requirements(fixQuery(iam.Select, glueRef("sales", "orders", engine.Read)))
	if err != nil {
		t.Fatal(err)
	}
	missing := iam.Missing(reqs, fixCaller, mustPolicy(t, "analyst", analystPolicy))
	for _, g := range missing {
		if !strings.HasPrefix(g.Action, "glue:") {
			t.Errorf("missing %s on %s; the analyst lacks only Glue (and direct S3 reads are not conditioned)", g.Action, g.Resource)
		}
	}
	fix := Fix(reqs, missing)
	if fix.Policy == nil || len(fix.Policy.Statement) != 1 {
		t.Fatalf("fix:\n%v\nwant one statement", fix.Policy)
	}
	st := fix.Policy.Statement[0]
	want := Statement{
		Sid: "QuiltqGlueCatalogViaAthena", Effect: "Allow",
		Action: []string{"glue:GetDatabase", "glue:GetTable"},
		Resource: []string{
			"arn:aws:glue:us-east-1:123456789012:catalog",
			"arn:aws:glue:us-east-1:123456789012:database/default",
			"arn:aws:glue:us-east-1:123456789012:database/sales",
			"arn:aws:glue:us-east-1:123456789012:table/sales/orders",
		},
		Condition: map[string]map[string][]string{"ForAnyValue:StringEquals": {"aws:CalledVia": {"athena.amazonaws.com"}}},
	}
	if got, wantJSON := (&Policy{Statement: []Statement{st}}).JSON(), (&Policy{Statement: []Statement{want}}).JSON(); got != wantJSON {
		t.Errorf("statement:\n%s\nwant:\n%s", got, wantJSON)
	}
}

// From nothing, a SELECT needs four statements: Athena, Glue through
// Athena, table data through Athena, and results (unconditioned, since
// quiltq reads them itself).
func TestFixFromNothing(t *testing.T) {
	reqs, err := iam.Requirements(fixQuery(iam.Select, glueRef("sales", "orders", engine.Read)))
	if err != nil {
		t.Fatal(err)
	}
	fix := Fix(reqs, nil)
	var sids []string
	for _, st := range fix.Policy.Statement {
		sids = append(sids, st.Sid)
		conditioned := st.Condition != nil
		wantCond := strings.HasSuffix(st.Sid, "ViaAthena")
		if conditioned != wantCond {
			t.Errorf("%s: conditioned %v, want %v", st.Sid, conditioned, wantCond)
		}
	}
	want := "QuiltqAthenaWorkgroup QuiltqGlueCatalogViaAthena QuiltqTableDataViaAthena QuiltqQueryResults"
	if got := strings.Join(sids, " "); got != want {
		t.Errorf("statements %s, want %s", got, want)
	}
	added := mustPolicy(t, "fix", fix.Policy.JSON())
	if still := iam.Missing(reqs, fixCaller, added); len(still) != 0 {
		t.Errorf("still missing:\n%s", gaps(still))
	}
	if got := Fix(reqs, []iam.Gap{}); got.Policy != nil || got.Blocked != nil {
		t.Errorf("Fix with nothing missing = %+v, want no policy", got)
	}
}

// An explicit Deny is not fixed by an Allow: it comes back in Blocked,
// and the rest of the fix still works.
func TestFixBlockedByDeny(t *testing.T) {
	reqs, err := iam.Requirements(fixQuery(iam.Select, glueRef("sales", "events", engine.Read)))
	if err != nil {
		t.Fatal(err)
	}
	role := mustPolicy(t, "deny", `{"Version": "2012-10-17", "Statement": [
		{"Sid": "NoPartitions", "Effect": "Deny", "Action": "glue:GetPartitions", "Resource": "*"}]}`)
	missing := iam.Missing(reqs, fixCaller, role)
	fix := Fix(reqs, missing)
	if len(fix.Blocked) != 3 {
		t.Fatalf("blocked %d pairs, want 3 (GetPartitions on catalog, database, table):\n%s", len(fix.Blocked), gaps(fix.Blocked))
	}
	for _, g := range fix.Blocked {
		if g.Action != "glue:GetPartitions" || g.Result.Statement == nil || g.Result.Statement.Sid != "NoPartitions" {
			t.Errorf("blocked %s on %s by %+v, want glue:GetPartitions by NoPartitions", g.Action, g.Resource, g.Result.Statement)
		}
	}
	still := iam.Missing(reqs, fixCaller, role, mustPolicy(t, "fix", fix.Policy.JSON()))
	if len(still) != 3 {
		t.Errorf("after the fix, missing:\n%s\nwant only the 3 denied pairs", gaps(still))
	}
}

func TestRemedy(t *testing.T) {
	tests := []struct {
		in      string
		fixable bool
		who     string // a part of Who
	}{
		{"User: " + bob + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog because no identity-based policy allows the glue:GetTable action", true, "role ReadWriteQuiltV2-sales-prod"},
		{"You are not authorized to perform: athena:GetWorkGroup on the resource." + advice, true, "administrator"},
		{"User: " + bob + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/NoGlue", false, "arn:aws:iam::123456789012:policy/NoGlue"},
		{"User: " + bob + " is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::d/x\" with an explicit deny in a service control policy", false, "Organizations"},
		{"User: " + bob + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog because no permissions boundary allows the glue:GetTable action", false, "permissions boundary"},
		{"User: " + bob + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog because no session policy allows the glue:GetTable action", false, "session"},
		{"User: " + bob + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:210987654321:catalog because no resource-based policy allows the glue:GetTable action", false, "account 210987654321"},
		{"User: " + bob + " is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::res/q.csv\" because no resource-based policy allows the s3:PutObject action", false, "bucket res"},
		{"User: " + bob + " is not authorized to perform: kms:Decrypt on resource: " + keyARN + " because no resource-based policy allows the kms:Decrypt action", false, "KMS key " + keyARN},
		{"User: " + bob + " is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::d/x\" because no VPC endpoint policy allows the s3:GetObject action", false, "VPC endpoint"},
		{"Insufficient Lake Formation permission(s): Required Select on orders", false, "Lake Formation"},
		{"GENERIC_USER_ERROR: Encountered an exception[com.amazonaws.services.s3.model.AmazonS3Exception] from your LambdaFunction[" + tabFn + "] executed in context[S3SpillLocation] with message[Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)]", false, "connector " + tabFn},
		{"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", false, "administrator"},
		{"ExpiredTokenException: The security token included in the request is expired", false, "quiltq login"},
		{"TABLE_NOT_FOUND: Table 'a.b' does not exist", false, ""},
		// The IAM User Guide's wordings for a session policy and a
		// permissions boundary, as the sandbox words its refusals.
		{"User: " + bob + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog with an explicit deny in a session policy", false, "session"},
		{"User: " + bob + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:catalog with an explicit deny in a permissions boundary", false, "permissions boundary"},
		// A Quilt managed role's session policy: the Quilt admin grants
		// the bucket the refused resource belongs to.
		{"User: " + bob + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:table/icebergdatabase-x/my-bucket_package_entry because no session policy allows the glue:GetTable action", false,
			"your Quilt admin: grant bucket my-bucket to Quilt role ReadWriteQuiltV2-sales-prod"},
		{"User: " + bob + " is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:table/userathenadatabase-k3/my-bucket_objects-view because no session policy allows the glue:GetTable action", false,
			"grant bucket my-bucket to Quilt role"},
		{"User: " + bob + " is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::my-bucket/data/x.csv\" because no session policy allows the s3:GetObject action", false,
			"grant bucket my-bucket to Quilt role"},
		{"User: " + bob + " is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::stack-icebergbucket-1/my-bucket_package_tag/data/0.parquet\" because no session policy allows the s3:GetObject action", false,
			"grant bucket my-bucket to Quilt role"},
		{"User: " + bob + " is not authorized to perform: lambda:InvokeFunction on resource: " + tabFn + " because no session policy allows the lambda:InvokeFunction action", false,
			"whoever issues the session (for a Quilt role, the Quilt admin"},
		{"User: " + bob + " is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::res/q.csv\" with an explicit deny in a resource control policy", false, "Organizations"},
		{"User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: sts:AssumeRole with an explicit deny in the role trust policy", false, "owner"},
		{"UnauthorizedOperation: You are not authorized to perform this operation. Encoded authorization failure message: rHU-pVHMSckD0OAc5l3r9-gKN1XZjZ2X9J3w0fZ31", false, "administrator"},
		{"Unable to verify/create output bucket quilt-athena-results", false, "you"},
		{"An error occurred (InvalidRequestException) when calling the StartQueryExecution operation: The Create Table As Select query failed because it was submitted with an 'external_location' property to an Athena Workgroup that enforces a centralized output location for all queries. Please remove the 'external_location' property and resubmit the query.", false, "you"},
		// Only an implied action: a statement is still built from it.
		{"Access denied when writing output to url: s3://res/athena/1.csv . Please ensure you are allowed to access the S3 bucket.", true, "administrator"},
	}
	for _, tt := range tests {
		d := Parse(tt.in)
		r := d.Remedy()
		if d.Encoded != "" && !strings.Contains(r.Why, "aws sts decode-authorization-message --encoded-message "+d.Encoded) {
			t.Errorf("Parse(%.80q).Remedy().Why = %q, want the decode command", tt.in, r.Why)
		}
		if d.MaybeDenied && !strings.Contains(r.Why, "aws s3api get-bucket-location --bucket quilt-athena-results") {
			t.Errorf("Parse(%.80q).Remedy().Why = %q, want how to tell a missing bucket from a refusal", tt.in, r.Why)
		}
		if r.Fixable != tt.fixable || !strings.Contains(r.Who, tt.who) || (tt.who == "") != (r.Who == "") {
			t.Errorf("Parse(%.80q).Remedy() = %+v, want Fixable %v and Who containing %q", tt.in, r, tt.fixable, tt.who)
		}
		if fix := FixDenial(d, Context{}); (fix != nil) != tt.fixable {
			t.Errorf("FixDenial(%.80q) = %v, want a policy: %v", tt.in, fix, tt.fixable)
		}
	}
}

func TestFixDenial(t *testing.T) {
	catalogARN := "arn:aws:glue:us-east-1:123456789012:"
	tests := []struct {
		name string
		in   string
		ctx  Context
		// what the fix must allow, and whether through Athena
		allow [][2]string
		via   bool
		want  string // the statement's JSON must contain this
	}{
		{
			name:  "Glue catalog in a query: the whole hierarchy, through Athena",
			in:    "Insufficient permissions to execute the query. User: " + bob + " is not authorized to perform: glue:GetTables on resource: " + catalogARN + "catalog because no identity-based policy allows the glue:GetTables action",
			allow: [][2]string{{"glue:GetTables", catalogARN + "catalog"}, {"glue:GetTables", catalogARN + "database/sales"}, {"glue:GetTables", catalogARN + "table/sales/orders"}},
			via:   true,
			want:  `"aws:CalledVia"`,
		},
		{
			name:  "a direct Glue call: no condition",
			in:    "An error occurred (AccessDeniedException) when calling the GetTable operation: User: " + bob + " is not authorized to perform: glue:GetTable on resource: " + catalogARN + "table/sales/orders because no identity-based policy allows the glue:GetTable action",
			allow: [][2]string{{"glue:GetTable", catalogARN + "catalog"}, {"glue:GetTable", catalogARN + "database/sales"}, {"glue:GetTable", catalogARN + "table/sales/orders"}},
			want:  `"arn:aws:glue:us-east-1:123456789012:table/sales/orders"`,
		},
		{
			name:  "results write: objects of the bucket",
			in:    "Access denied when writing output to url: s3://sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/1b2c.csv . Please ensure you are allowed to access the S3 bucket.",
			allow: [][2]string{{"s3:PutObject", "arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/2f.csv"}},
			want:  `"arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/*"`,
		},
		{
			name:  "ListBucket named on an object: the bucket",
			in:    "User: " + bob + " is not authorized to perform: s3:ListBucket on resource: \"arn:aws:s3:::quilt-sandbox-bucket\" because no identity-based policy allows the s3:ListBucket action",
			allow: [][2]string{{"s3:ListBucket", "arn:aws:s3:::quilt-sandbox-bucket"}},
			want:  `"Resource": [` + "\n" + `        "arn:aws:s3:::quilt-sandbox-bucket"` + "\n",
		},
		{
			name:  "Athena's short denial with the workgroup known",
			in:    "operation error Athena: StartQueryExecution, https response error StatusCode: 400, " + reqID + "api error AccessDeniedException: You are not authorized to perform: athena:StartQueryExecution on the resource." + advice,
			ctx:   Context{Region: "us-east-1", Account: "123456789012", Workgroup: fixWG},
			allow: [][2]string{{"athena:StartQueryExecution", "arn:aws:athena:us-east-1:123456789012:workgroup/" + fixWG}},
			want:  `"arn:aws:athena:us-east-1:123456789012:workgroup/` + fixWG + `"`,
		},
		{
			name:  "Athena's short denial, nothing known",
			in:    "You are not authorized to perform: athena:GetDataCatalog on the resource." + advice,
			allow: [][2]string{{"athena:GetDataCatalog", "arn:aws:athena:eu-west-1:999999999999:datacatalog/x"}},
			want:  `"arn:aws:athena:*:*:datacatalog/*"`,
		},
		{
			name:  "the Tabulator Lambda from a query",
			in:    "Failed to invoke lambda function due to com.amazonaws.services.lambda.model.AWSLambdaException: User: " + bob + " is not authorized to perform: lambda:InvokeFunction on resource: " + tabFn + " because no identity-based policy allows the lambda:InvokeFunction action (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: 5e6f; Proxy: null)",
			allow: [][2]string{{"lambda:InvokeFunction", tabFn}},
			via:   true,
			want:  `"QuiltqConnectorViaAthena"`,
		},
		{
			name:  "GetDataAccess takes *",
			in:    "User: " + bob + " is not authorized to perform: lakeformation:GetDataAccess because no identity-based policy allows the lakeformation:GetDataAccess action",
			allow: [][2]string{{"lakeformation:GetDataAccess", "*"}},
			want:  `"Resource": [` + "\n" + `        "*"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fix := FixDenial(Parse(tt.in), tt.ctx)
			if fix == nil {
				t.Fatal("no fix")
			}
			js := fix.JSON()
			if !strings.Contains(js, tt.want) {
				t.Errorf("fix:\n%s\nwant it to contain %s", js, tt.want)
			}
			p := mustPolicy(t, "fix", js)
			for _, pair := range tt.allow {
				req := iam.Requirement{Action: pair[0], Resource: pair[1]}
				if tt.via {
					req.Via = iam.ViaAthena
				}
				if d := iam.Evaluate(req.Request(fixCaller), p).Decision; d != iam.Allowed {
					t.Errorf("%s on %s: %v under\n%s", pair[0], pair[1], d, js)
				}
			}
		})
	}
}
