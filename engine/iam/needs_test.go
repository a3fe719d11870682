package iam

import (
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
)

const (
	acct    = "123456789012"
	glueARN = "arn:aws:glue:us-east-1:123456789012:"
	wgName  = "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup"
	results = "s3://sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/"
	tabFn   = "arn:aws:lambda:us-east-1:123456789012:function:quilt-sales-prod-tabulator"
	key     = "arn:aws:kms:us-east-1:123456789012:key/0f3c6a1e-5b2d-4e8f-9a7c-2d1b0e9f8a6c"
)

func baseQuery(kind StatementKind, refs ...engine.Ref) Query {
	return Query{
		Region: "us-east-1", Account: acct, Workgroup: wgName, OutputLocation: results,
		Kind: kind, Refs: refs,
		Catalogs: []DataCatalog{{Name: "quilt-sales-prod-tabulator", Type: CatalogLambda, Function: tabFn}},
		Tables: map[string]Table{
			"awsdatacatalog.sales.orders": {Location: "s3://quilt-sandbox-bucket/warehouse/sales/orders/"},
			"awsdatacatalog.sales.events": {Location: "s3://quilt-sandbox-bucket/warehouse/sales/events/", Partitioned: true},
			"awsdatacatalog.sales.daily":  {Location: "s3://sales-prod-analyticsbucket-0o2h8f5nq4ve/ctas/daily/", Partitioned: true},
		},
	}
}

func ref(db, table string, access engine.Access) engine.Ref {
	return engine.Ref{Catalog: "awsdatacatalog", Database: db, Table: table, Access: access}
}

// has reports whether reqs hold action on resource.
func has(reqs []Requirement, action, resource string) bool {
	for _, r := range reqs {
		if r.Action == action && r.Resource == resource {
			return true
		}
	}
	return false
}

func TestRequirements(t *testing.T) {
	orders := glueARN + "table/sales/orders"
	events := glueARN + "table/sales/events"
	daily := glueARN + "table/sales/daily"
	data := "arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/orders/*"
	resObjs := "arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/*"
	resBucket := "arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm"
	wg := "arn:aws:athena:us-east-1:123456789012:workgroup/" + wgName

	tests := []struct {
		name        string
		q           Query
		want, wantN [][2]string // pairs that must and must not be required
	}{
		{
			name: "SELECT from an unpartitioned table",
			q:    baseQuery(Select, ref("sales", "orders", engine.Read)),
			want: [][2]string{
				{"athena:StartQueryExecution", wg}, {"athena:GetQueryExecution", wg}, {"athena:GetQueryResults", wg},
				{"athena:StopQueryExecution", wg}, {"athena:GetWorkGroup", wg},
				{"glue:GetDatabase", glueARN + "catalog"}, {"glue:GetDatabase", glueARN + "database/sales"}, {"glue:GetDatabase", glueARN + "database/default"},
				{"glue:GetTable", glueARN + "catalog"}, {"glue:GetTable", glueARN + "database/sales"}, {"glue:GetTable", orders},
				{"s3:GetObject", data}, {"s3:ListBucket", "arn:aws:s3:::quilt-sandbox-bucket"}, {"s3:GetBucketLocation", "arn:aws:s3:::quilt-sandbox-bucket"},
				{"s3:PutObject", resObjs}, {"s3:GetObject", resObjs}, {"s3:AbortMultipartUpload", resObjs}, {"s3:ListMultipartUploadParts", resObjs},
				{"s3:GetBucketLocation", resBucket}, {"s3:ListBucket", resBucket},
			},
			wantN: [][2]string{{"glue:GetPartitions", orders}, {"s3:PutObject", data}, {"glue:CreateTable", orders}},
		},
		{
			name:  "SELECT from a partitioned table",
			q:     baseQuery(Select, ref("sales", "events", engine.Read)),
			want:  [][2]string{{"glue:GetPartitions", events}, {"glue:GetPartition", events}, {"glue:BatchGetPartition", events}, {"glue:GetPartitions", glueARN + "catalog"}},
			wantN: [][2]string{{"glue:BatchCreatePartition", events}},
		},
		{
			name: "SHOW DATABASES",
			q:    baseQuery(ShowDatabases, engine.Ref{Catalog: "awsdatacatalog", Database: "*", Table: "*", Access: engine.Metadata}),
			want: [][2]string{{"glue:GetDatabases", glueARN + "catalog"}, {"glue:GetDatabases", glueARN + "database/*"}},
		},
		{
			name:  "SHOW TABLES",
			q:     baseQuery(ShowTables, ref("sales", "*", engine.Metadata)),
			want:  [][2]string{{"glue:GetTables", glueARN + "catalog"}, {"glue:GetTables", glueARN + "database/sales"}, {"glue:GetTables", glueARN + "table/sales/*"}, {"glue:GetDatabase", glueARN + "database/sales"}},
			wantN: [][2]string{{"glue:GetDatabases", glueARN + "catalog"}},
		},
		{
			name:  "DESCRIBE reads no data",
			q:     baseQuery(Describe, ref("sales", "orders", engine.Metadata)),
			want:  [][2]string{{"glue:GetTable", orders}},
			wantN: [][2]string{{"s3:GetObject", data}},
		},
		{
			name: "CTAS into a partitioned table from another",
			q:    baseQuery(CTAS, ref("sales", "daily", engine.Write), ref("sales", "orders", engine.Read)),
			want: [][2]string{
				{"glue:CreateTable", daily}, {"glue:CreateTable", glueARN + "database/sales"}, {"glue:CreateTable", glueARN + "catalog"},
				{"glue:BatchCreatePartition", daily}, {"glue:CreatePartition", daily}, {"glue:GetTable", orders},
				{"s3:PutObject", "arn:aws:s3:::sales-prod-analyticsbucket-0o2h8f5nq4ve/ctas/daily/*"},
				{"s3:GetBucketLocation", "arn:aws:s3:::sales-prod-analyticsbucket-0o2h8f5nq4ve"},
				{"s3:GetObject", data},
			},
			wantN: [][2]string{{"glue:CreateTable", orders}, {"s3:PutObject", data}, {"s3:DeleteObject", "arn:aws:s3:::sales-prod-analyticsbucket-0o2h8f5nq4ve/ctas/daily/*"}},
		},
		{
			name:  "INSERT into a partitioned table",
			q:     baseQuery(Insert, ref("sales", "events", engine.Write)),
			want:  [][2]string{{"glue:BatchCreatePartition", events}, {"glue:GetTable", events}, {"s3:PutObject", "arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/events/*"}},
			wantN: [][2]string{{"glue:CreateTable", events}, {"s3:GetObject", "arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/events/*"}},
		},
		{
			name: "DELETE rewrites files",
			q:    baseQuery(Modify, ref("sales", "orders", engine.Write)),
			want: [][2]string{{"glue:UpdateTable", orders}, {"s3:DeleteObject", data}, {"s3:PutObject", data}, {"s3:GetObject", data}},
		},
		{
			name:  "DROP TABLE of a partitioned table",
			q:     baseQuery(DropTable, ref("sales", "events", engine.Write)),
			want:  [][2]string{{"glue:DeleteTable", events}, {"glue:DeletePartition", events}, {"glue:GetPartitions", events}},
			wantN: [][2]string{{"s3:DeleteObject", "arn:aws:s3:::quilt-sandbox-bucket/warehouse/sales/events/*"}},
		},
		{
			name: "Tabulator table through its Lambda catalog",
			q: func() Query {
				q := baseQuery(Select, engine.Ref{Catalog: "quilt-sales-prod-tabulator", Database: "quilt-sandbox-bucket", Table: "regional_orders", Access: engine.Read})
				q.Catalogs[0].Spill = "s3://quilt-sales-prod-spill/athena-spill/"
				return q
			}(),
			want: [][2]string{
				{"athena:GetDataCatalog", "arn:aws:athena:us-east-1:123456789012:datacatalog/quilt-sales-prod-tabulator"},
				{"lambda:InvokeFunction", tabFn},
				{"s3:GetObject", "arn:aws:s3:::quilt-sales-prod-spill/athena-spill/*"},
			},
			wantN: [][2]string{{"glue:GetDatabase", glueARN + "database/default"}, {"glue:GetTable", glueARN + "table/quilt-sandbox-bucket/regional_orders"}},
		},
		{
			name: "KMS-encrypted results",
			q: func() Query {
				q := baseQuery(Select, ref("sales", "orders", engine.Read))
				q.Encryption, q.KMSKey = SSEKMS, key
				return q
			}(),
			want: [][2]string{{"kms:GenerateDataKey", key}, {"kms:Decrypt", key}},
		},
		{
			name: "SSE-S3 results need no key",
			q: func() Query {
				q := baseQuery(Select, ref("sales", "orders", engine.Read))
				q.Encryption = SSES3
				return q
			}(),
			wantN: [][2]string{{"kms:Decrypt", key}},
		},
		{
			name: "managed results: no results bucket",
			q: func() Query {
				q := baseQuery(Select, ref("sales", "orders", engine.Read))
				q.OutputLocation = ""
				return q
			}(),
			wantN: [][2]string{{"s3:PutObject", resObjs}, {"s3:GetBucketLocation", resBucket}},
		},
		{
			name: "Lake Formation",
			q: func() Query {
				q := baseQuery(Select, ref("sales", "orders", engine.Read))
				q.LakeFormation = true
				return q
			}(),
			want: [][2]string{{"lakeformation:GetDataAccess", "*"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, err := Requirements(tt.q)
			if err != nil {
				t.Fatalf("Requirements: %v", err)
			}
			for _, p := range tt.want {
				if !has(reqs, p[0], p[1]) {
					t.Errorf("missing requirement %s on %s", p[0], p[1])
				}
			}
			for _, p := range tt.wantN {
				if has(reqs, p[0], p[1]) {
					t.Errorf("unexpected requirement %s on %s", p[0], p[1])
				}
			}
			seen := map[string]bool{}
			for _, r := range reqs {
				k := r.Action + " " + r.Resource + " " + r.Via
				if seen[k] {
					t.Errorf("requirement %s listed twice", k)
				}
				seen[k] = true
				if r.Purpose == "" || r.Why == "" {
					t.Errorf("requirement %s has no purpose or why", k)
				}
				if r.Resource != "*" {
					if _, err := ParseARN(r.Resource); err != nil {
						t.Errorf("requirement %s: %v", k, err)
					}
				}
			}
		})
	}
}

func TestRequirementsVia(t *testing.T) {
	q := baseQuery(Select, ref("sales", "orders", engine.Read))
	q.DirectResults = true
	reqs, err := Requirements(q)
	if err != nil {
		t.Fatal(err)
	}
	resObjs := "arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/*"
	var direct, via bool
	for _, r := range reqs {
		svc, _, _ := strings.Cut(r.Action, ":")
		switch {
		case svc == "glue" && r.Via != ViaAthena:
			t.Errorf("%s on %s: Via = %q, want Athena (Glue is reached through Athena)", r.Action, r.Resource, r.Via)
		case svc == "athena" && r.Purpose == PurposeWorkgroup && r.Via != "":
			t.Errorf("%s: Via = %q, want a direct call", r.Action, r.Via)
		case r.Action == "s3:GetObject" && r.Resource == resObjs:
			direct = direct || r.Via == ""
			via = via || r.Via == ViaAthena
		}
	}
	if !direct || !via {
		t.Errorf("results GetObject: direct %v, via Athena %v; want both (fast path and GetQueryResults)", direct, via)
	}
}

func TestRequirementsErrors(t *testing.T) {
	tests := []struct {
		name string
		q    Query
		want string
	}{
		{"no region", Query{Account: acct, Workgroup: "w"}, "Region"},
		{"no workgroup", Query{Region: "us-east-1", Account: acct}, "Workgroup"},
		{"unknown catalog", Query{Region: "us-east-1", Account: acct, Workgroup: "w", Refs: []engine.Ref{{Catalog: "elsewhere", Database: "d", Table: "t", Access: engine.Read}}}, `"elsewhere" is not described`},
		{"lambda without function", Query{Region: "us-east-1", Account: acct, Workgroup: "w", Catalogs: []DataCatalog{{Name: "fed", Type: CatalogLambda}},
			Refs: []engine.Ref{{Catalog: "fed", Database: "d", Table: "t", Access: engine.Read}}}, "without a function ARN"},
		{"KMS without key", Query{Region: "us-east-1", Account: acct, Workgroup: "w", Encryption: SSEKMS}, "no KMS key"},
		{"bad output location", Query{Region: "us-east-1", Account: acct, Workgroup: "w", OutputLocation: "https://bucket/x"}, "not an s3:// location"},
	}
	for _, tt := range tests {
		_, err := Requirements(tt.q)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestMissing(t *testing.T) {
	// The sandbox reader's shape: Glue only through Athena, on the
	// default database and one user database.
	p := mustParse(t, "reader", `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["athena:*"], "Resource": "arn:aws:athena:us-east-1:123456789012:workgroup/`+wgName+`"},
		{"Effect": "Allow", "Action": ["glue:GetDatabase", "glue:GetTable"], "Resource": [
			"arn:aws:glue:us-east-1:123456789012:catalog", "arn:aws:glue:us-east-1:123456789012:database/default",
			"arn:aws:glue:us-east-1:123456789012:database/sales", "arn:aws:glue:us-east-1:123456789012:table/sales/*"],
		 "Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}},
		{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm", "arn:aws:s3:::sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/athena-results/*"]},
		{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"], "Resource": ["arn:aws:s3:::quilt-sandbox-bucket", "arn:aws:s3:::quilt-sandbox-bucket/*"]},
		{"Effect": "Deny", "Action": "glue:GetPartitions", "Resource": "*"}]}`)
	c := Caller{ARN: "arn:aws:sts::123456789012:assumed-role/ReadOnlyQuilt/reader"}

	reqs, err := Requirements(baseQuery(Select, ref("sales", "orders", engine.Read)))
	if err != nil {
		t.Fatal(err)
	}
	if got := Missing(reqs, c, p); len(got) != 0 {
		t.Errorf("orders: missing %v, want nothing", got)
	}

	reqs, err = Requirements(baseQuery(Select, ref("sales", "events", engine.Read)))
	if err != nil {
		t.Fatal(err)
	}
	got := Missing(reqs, c, p)
	decisions := map[string]Decision{}
	for _, g := range got {
		decisions[g.Action+" "+g.Resource] = g.Result.Decision
	}
	events := glueARN + "table/sales/events"
	for _, want := range []struct {
		pair string
		d    Decision
	}{
		{"glue:GetPartitions " + events, ExplicitlyDenied},
		{"glue:GetPartitions " + glueARN + "catalog", ExplicitlyDenied},
		{"glue:GetPartition " + events, ImplicitlyDenied},
		{"glue:BatchGetPartition " + glueARN + "database/sales", ImplicitlyDenied},
	} {
		if decisions[want.pair] != want.d {
			t.Errorf("%s: got %v, want %v", want.pair, decisions[want.pair], want.d)
		}
	}
	if len(got) != 9 {
		t.Errorf("events: %d missing, want 9 (three partition actions on catalog, database and table): %v", len(got), decisions)
	}
	// The same role calling Glue itself is refused: the statements hold
	// only through Athena.
	direct := Requirement{Action: "glue:GetTable", Resource: glueARN + "table/sales/orders"}
	if d := Evaluate(direct.Request(c), p).Decision; d != ImplicitlyDenied {
		t.Errorf("direct glue:GetTable: got %v, want ImplicitlyDenied", d)
	}
	if got := Missing(nil, c, p); got == nil || len(got) != 0 {
		t.Errorf("Missing(nil) = %#v, want an empty, non-nil list", got)
	}
}

func TestAppliesTo(t *testing.T) {
	tests := []struct {
		action, resource string
		want             bool
	}{
		{"glue:GetDatabase", glueARN + "table/sales/orders", false},
		{"glue:GetDatabase", glueARN + "database/sales", true},
		{"glue:GetTable", glueARN + "catalog", true},
		{"s3:ListBucket", "arn:aws:s3:::b/prefix/*", false},
		{"s3:GetObject", "arn:aws:s3:::b", false},
		{"s3:GetObject", "arn:aws:s3:::b/k", true},
		{"athena:GetDataCatalog", "arn:aws:athena:us-east-1:1:workgroup/w", false},
		{"lambda:InvokeFunction", glueARN + "catalog", false},
		{"s3:GetObject", "*", true},
		{"ec2:RunInstances", "arn:aws:s3:::b", true},
		{"s3:GetObject", "arn:aws:s3:::b*", true},
	}
	for _, tt := range tests {
		if got := AppliesTo(tt.action, tt.resource); got != tt.want {
			t.Errorf("AppliesTo(%s, %s) = %v, want %v", tt.action, tt.resource, got, tt.want)
		}
	}
}

func TestEffective(t *testing.T) {
	tests := []struct {
		action, resource string
		want             bool
	}{
		{"glue:GetTable", glueARN + "database/default", false},
		{"glue:GetTable", glueARN + "catalog", false},
		{"glue:GetTable", glueARN + "table/sales/orders", true},
		{"glue:GetDatabase", glueARN + "database/default", true},
		{"glue:GetDatabases", glueARN + "catalog", true},
		{"glue:GetDatabase", glueARN + "table/sales/orders", false},
		{"s3:GetObject", "arn:aws:s3:::b/*", true},
		{"s3:GetObject", "arn:aws:s3:::b", false},
	}
	for _, tt := range tests {
		if got := Effective(tt.action, tt.resource); got != tt.want {
			t.Errorf("Effective(%s, %s) = %v, want %v", tt.action, tt.resource, got, tt.want)
		}
	}
}

// Database DDL needs the database actions themselves, which a listing's
// reading of a database-level reference would never give.
func TestDatabaseDDLNeeds(t *testing.T) {
	for _, tc := range []struct {
		kind StatementKind
		want []string
	}{
		{CreateDatabase, []string{"glue:CreateDatabase arn:aws:glue:us-east-1:123456789012:database/scratch"}},
		{DropDatabase, []string{
			"glue:DeleteDatabase arn:aws:glue:us-east-1:123456789012:database/scratch",
			"glue:DeleteTable arn:aws:glue:us-east-1:123456789012:table/scratch/*",
			"glue:GetTables arn:aws:glue:us-east-1:123456789012:table/scratch/*",
		}},
	} {
		reqs, err := Requirements(Query{Region: "us-east-1", Account: "123456789012", Workgroup: "wg", Kind: tc.kind,
			Refs: []engine.Ref{{Catalog: "awsdatacatalog", Database: "scratch", Table: "*", Access: engine.Write}}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, r := range reqs {
			got[r.Action+" "+r.Resource] = true
		}
		for _, w := range tc.want {
			if !got[w] {
				t.Errorf("%s: no %s in %v", tc.kind, w, got)
			}
		}
		if tc.kind == CreateDatabase && got["glue:GetTables arn:aws:glue:us-east-1:123456789012:table/scratch/*"] {
			t.Errorf("CREATE DATABASE asks for a table listing")
		}
	}
}

// Quilt's per-bucket Iceberg package tables: Glue's GetTable (never the
// partition actions: Iceberg keeps partitions in its manifests), S3 reads
// of the metadata and data files under the table's location and of a
// metadata file kept elsewhere, Lake Formation's credential vending where
// the account enforces it, and UpdateTable for a write's commit.
func TestIcebergNeeds(t *testing.T) {
	const (
		db        = "quilt_sales_prod_iceberg"
		entry     = "quilt-sandbox-bucket_package_entry"
		loc       = "s3://sales-prod-icebergbucket-7q2w9e/quilt_sales_prod_iceberg/quilt-sandbox-bucket_package_entry/"
		elsewhere = "s3://sales-prod-icebergmeta-1a2b3c/entry/metadata/00042-9f1e.metadata.json"
	)
	tableARN := glueARN + "table/" + db + "/" + entry
	dataObjs := "arn:aws:s3:::sales-prod-icebergbucket-7q2w9e/quilt_sales_prod_iceberg/quilt-sandbox-bucket_package_entry/*"
	metaObjs := "arn:aws:s3:::sales-prod-icebergmeta-1a2b3c/entry/metadata/*"
	tests := []struct {
		name        string
		kind        StatementKind
		access      engine.Access
		table       Table
		lf          bool
		want, wantN [][2]string
	}{
		{
			name: "read: GetTable, files under the location, no partition actions",
			kind: Select, access: engine.Read,
			table: Table{Iceberg: true, Location: loc, Partitioned: true, MetadataLocation: loc + "metadata/00042-9f1e.metadata.json"},
			want: [][2]string{{"glue:GetTable", tableARN}, {"glue:GetTable", glueARN + "catalog"}, {"glue:GetDatabase", glueARN + "database/" + db},
				{"s3:GetObject", dataObjs}, {"s3:ListBucket", "arn:aws:s3:::sales-prod-icebergbucket-7q2w9e"},
				{"s3:GetBucketLocation", "arn:aws:s3:::sales-prod-icebergbucket-7q2w9e"}},
			wantN: [][2]string{{"glue:GetPartitions", tableARN}, {"glue:GetPartition", tableARN}, {"glue:BatchGetPartition", tableARN},
				{"s3:GetObject", metaObjs}, {"s3:PutObject", dataObjs}, {"glue:UpdateTable", tableARN},
				{"lakeformation:GetDataAccess", "*"}},
		},
		{
			name: "read: a metadata file outside the location, Lake Formation enforced",
			kind: Select, access: engine.Read, lf: true,
			table: Table{Iceberg: true, Location: loc, MetadataLocation: elsewhere},
			want: [][2]string{{"s3:GetObject", dataObjs}, {"s3:GetObject", metaObjs},
				{"s3:ListBucket", "arn:aws:s3:::sales-prod-icebergmeta-1a2b3c"}, {"lakeformation:GetDataAccess", "*"}},
		},
		{
			name: "insert: the commit swaps metadata_location",
			kind: Insert, access: engine.Write,
			table: Table{Iceberg: true, Location: loc},
			want:  [][2]string{{"glue:UpdateTable", tableARN}, {"s3:PutObject", dataObjs}, {"s3:GetObject", dataObjs}, {"s3:AbortMultipartUpload", dataObjs}},
			wantN: [][2]string{{"glue:BatchCreatePartition", tableARN}, {"s3:DeleteObject", dataObjs}},
		},
		{
			name: "merge: rewrites and deletes files",
			kind: Modify, access: engine.Write,
			table: Table{Iceberg: true, Location: loc},
			want:  [][2]string{{"glue:UpdateTable", tableARN}, {"s3:DeleteObject", dataObjs}, {"s3:PutObject", dataObjs}},
		},
		{
			name: "describe: metadata only",
			kind: Describe, access: engine.Metadata,
			table: Table{Iceberg: true, Location: loc},
			want:  [][2]string{{"glue:GetTable", tableARN}},
			wantN: [][2]string{{"s3:GetObject", dataObjs}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ref(db, entry, tt.access)
			q := baseQuery(tt.kind, r)
			q.Tables[TableKey(r)] = tt.table
			q.LakeFormation = tt.lf
			reqs, err := Requirements(q)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tt.want {
				if !has(reqs, p[0], p[1]) {
					t.Errorf("missing %s on %s", p[0], p[1])
				}
			}
			for _, p := range tt.wantN {
				if has(reqs, p[0], p[1]) {
					t.Errorf("needs %s on %s, which an Iceberg %s does not take", p[0], p[1], tt.kind)
				}
			}
		})
	}
}

func TestQuiltIcebergTable(t *testing.T) {
	tests := []struct {
		table, bucket string
		ok            bool
	}{
		{"quilt-sandbox-bucket_package_revision", "quilt-sandbox-bucket", true},
		{"my-bucket_package_tag", "my-bucket", true},
		{"My-Bucket_Package_Manifest", "my-bucket", true},
		{"b_package_entry", "b", true},
		{"_package_entry", "", false},
		{"quilt-sandbox-bucket_packages", "", false},
		{"quilt-sandbox-bucket_manifests", "", false},
		{"orders", "", false},
	}
	for _, tt := range tests {
		b, ok := QuiltIcebergTable(tt.table)
		if b != tt.bucket || ok != tt.ok {
			t.Errorf("QuiltIcebergTable(%q) = %q, %v; want %q, %v", tt.table, b, ok, tt.bucket, tt.ok)
		}
	}
}
