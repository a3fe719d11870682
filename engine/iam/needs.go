package iam

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/quiltq/quiltq/engine"
)

// This file is the catalog of what a query needs: given what quiltq knows
// of a statement (its table references and kind, the workgroup, the data
// catalogs, the tables' locations), every (action, resource) pair AWS
// checks on the caller's credentials to run it and read its results. The
// facts are those of reference/aws-permissions.md, Part 1: Athena acts
// with the caller's credentials (forward access sessions), Glue checks the
// whole catalog > database > table hierarchy, and results, data, Lambda
// connectors and KMS keys are the caller's to be allowed.

// ViaAthena is the aws:CalledVia value of the calls Athena makes for the
// caller.
const ViaAthena = "athena.amazonaws.com"

// The encryption options of a workgroup's results.
const (
	SSES3  = "SSE_S3"
	SSEKMS = "SSE_KMS"
	CSEKMS = "CSE_KMS"
)

// The data catalog types that change what a query needs.
const (
	CatalogGlue   = "GLUE"
	CatalogLambda = "LAMBDA"
)

// DefaultCatalog is the name of the account's Glue Data Catalog in Athena.
const DefaultCatalog = "AwsDataCatalog"

// StatementKind is what a statement does, as far as permissions go. The
// table references say which tables it reads and writes; the kind says
// which Glue and S3 actions a write (or a listing) takes.
type StatementKind string

// The statement kinds the catalog knows.
const (
	Select         StatementKind = "SELECT"          // SELECT, WITH, VALUES, UNLOAD, EXPLAIN ANALYZE
	ShowDatabases  StatementKind = "SHOW DATABASES"  // SHOW DATABASES / SHOW SCHEMAS
	ShowTables     StatementKind = "SHOW TABLES"     // SHOW TABLES [IN db]
	Describe       StatementKind = "DESCRIBE"        // DESCRIBE, SHOW COLUMNS, SHOW CREATE TABLE|VIEW, SHOW TBLPROPERTIES, EXPLAIN
	ShowPartitions StatementKind = "SHOW PARTITIONS" // SHOW PARTITIONS
	CreateTable    StatementKind = "CREATE TABLE"    // CREATE [EXTERNAL] TABLE
	CreateView     StatementKind = "CREATE VIEW"     // CREATE [OR REPLACE] VIEW
	CTAS           StatementKind = "CTAS"            // CREATE TABLE ... AS SELECT
	Insert         StatementKind = "INSERT"          // INSERT INTO
	Modify         StatementKind = "MODIFY"          // DELETE, UPDATE, MERGE INTO (Iceberg rewrites files)
	AlterTable     StatementKind = "ALTER TABLE"     // ALTER TABLE other than ADD PARTITION
	AddPartition   StatementKind = "ADD PARTITION"   // ALTER TABLE ADD PARTITION
	RepairTable    StatementKind = "MSCK REPAIR"     // MSCK REPAIR TABLE
	DropTable      StatementKind = "DROP TABLE"      // DROP TABLE, DROP VIEW
	CreateDatabase StatementKind = "CREATE DATABASE" // CREATE DATABASE / SCHEMA
	DropDatabase   StatementKind = "DROP DATABASE"   // DROP DATABASE / SCHEMA [CASCADE]
)

// Purpose says why a requirement exists, so that a fix can group and name
// its statements and decide where Quilt's aws:CalledVia convention applies.
type Purpose string

// The purposes of requirements.
const (
	PurposeWorkgroup     Purpose = "workgroup"     // Athena actions on the workgroup
	PurposeCatalog       Purpose = "catalog"       // Athena actions on a data catalog
	PurposeMetadata      Purpose = "metadata"      // Glue catalog, databases, tables, partitions
	PurposeData          Purpose = "data"          // S3 objects of the tables queried or written
	PurposeResults       Purpose = "results"       // S3 objects of the query results
	PurposeConnector     Purpose = "connector"     // a Lambda catalog's function
	PurposeSpill         Purpose = "spill"         // a Lambda connector's spill location
	PurposeKey           Purpose = "key"           // KMS keys of results or data
	PurposeLakeFormation Purpose = "lakeformation" // Lake Formation's credential vending
)

// Requirement is one (action, resource) pair a query needs.
type Requirement struct {
	Action string // "glue:GetTable"
	// Resource is an ARN. A resource ending in * after an S3 prefix
	// ("arn:aws:s3:::bucket/prefix/*") stands for every object under it;
	// "*" is for actions that have no resource type.
	Resource string
	// Via is the service that makes the call with the caller's
	// credentials (ViaAthena), or "" for a call quiltq makes itself.
	Via     string
	Purpose Purpose
	// Context holds the request's own condition keys (s3:prefix of a
	// ListBucket), beyond the caller's and Via's.
	Context map[string][]string
	// Why says in a few words what needs it, for people reading a fix.
	Why string
}

// DataCatalog is an Athena data catalog a query touches.
type DataCatalog struct {
	Name string // as registered: "AwsDataCatalog", "quilt-sales-prod-tabulator"
	Type string // CatalogGlue or CatalogLambda
	// Function is the connector's Lambda function ARN (LAMBDA catalogs).
	Function string
	// Spill is the connector's spill location, s3://bucket/prefix, when
	// known: Athena reads spilled results from it as the caller.
	Spill string
}

// Table is what is known of a table beyond its name.
type Table struct {
	Location    string // s3://bucket/prefix/ of its data; "" when unknown
	Partitioned bool   // it has partition keys
	KMSKey      string // the KMS key ARN its data is encrypted with, if any
	// Iceberg is true for an Apache Iceberg table: Glue table parameter
	// table_type=ICEBERG (Athena User Guide, "Create Iceberg tables"), as
	// Quilt's per-bucket package tables are (see QuiltIcebergTable).
	Iceberg bool
	// MetadataLocation is an Iceberg table's current metadata file, the
	// Glue table parameter metadata_location that each commit swaps.
	MetadataLocation string
}

// The per-bucket tables Quilt (1.70 and later) keeps in its Iceberg Glue
// database, named {bucket}_package_revision, _package_tag,
// _package_manifest and _package_entry (quiltdata/quilt,
// docs/advanced-features/iceberg-tables.md).
var quiltIcebergSuffixes = []string{"_package_revision", "_package_tag", "_package_manifest", "_package_entry"}

// QuiltIcebergTable reports whether table is one of Quilt's per-bucket
// Iceberg package tables, and of which bucket. The name alone cannot prove
// it (any Glue table may be so named), so callers use it only where the
// table's own metadata cannot be read.
func QuiltIcebergTable(table string) (bucket string, ok bool) {
	for _, suf := range quiltIcebergSuffixes {
		if b, found := strings.CutSuffix(strings.ToLower(table), suf); found && b != "" {
			return b, true
		}
	}
	return "", false
}

// Query is what a statement needs to be checked against: its references
// and kind, and where and how Athena runs it.
type Query struct {
	Partition string // "aws" when empty
	Region    string
	Account   string

	Workgroup string
	// OutputLocation is the workgroup's (enforced) or the request's result
	// location, s3://bucket/prefix/. Empty for managed query results.
	OutputLocation string
	Encryption     string // "", SSES3, SSEKMS or CSEKMS
	KMSKey         string // the key ARN of SSEKMS and CSEKMS results

	Kind StatementKind
	Refs []engine.Ref
	// Catalogs describes the data catalogs the references name, matched
	// by name without case. AwsDataCatalog needs no entry.
	Catalogs []DataCatalog
	// Tables holds what is known of tables, keyed by the reference's
	// lower-case "catalog.database.table".
	Tables map[string]Table

	// DirectResults: quiltq reads the result file from S3 itself (its
	// fast path) besides Athena's GetQueryResults.
	DirectResults bool
	// LakeFormation: the tables are governed by Lake Formation, which
	// vends their data credentials (lakeformation:GetDataAccess).
	LakeFormation bool
}

// TableKey is the key of Query.Tables for a reference.
func TableKey(r engine.Ref) string {
	return strings.ToLower(r.Catalog + "." + r.Database + "." + r.Table)
}

// needs collects requirements without repeats.
type needs struct {
	list []Requirement
	seen map[string]bool
}

func (n *needs) add(r Requirement) {
	k := r.Action + "\x00" + r.Resource + "\x00" + r.Via
	if n.seen[k] {
		return
	}
	n.seen[k] = true
	n.list = append(n.list, r)
}

// Requirements lists every (action, resource) pair q needs, in a stable
// order: Athena, then Glue, S3, Lambda, KMS and Lake Formation. It fails
// when q lacks what the ARNs are built from, or names a catalog it does
// not describe.
func Requirements(q Query) ([]Requirement, error) {
	var missing []string
	if q.Region == "" {
		missing = append(missing, "Region")
	}
	if q.Account == "" {
		missing = append(missing, "Account")
	}
	if q.Workgroup == "" {
		missing = append(missing, "Workgroup")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("requirements: the query context has no %s; ARNs are built from them", strings.Join(missing, ", "))
	}
	if q.Partition == "" {
		q.Partition = "aws"
	}
	if (q.Encryption == SSEKMS || q.Encryption == CSEKMS) && q.KMSKey == "" {
		return nil, fmt.Errorf("requirements: results are encrypted with %s but no KMS key ARN was given; read it from the workgroup's EncryptionConfiguration", q.Encryption)
	}
	n := &needs{seen: map[string]bool{}}
	a := arns{q.Partition, q.Region, q.Account}

	wg := a.arn("athena", "workgroup/"+q.Workgroup)
	for _, act := range []string{"StartQueryExecution", "GetQueryExecution", "GetQueryResults", "StopQueryExecution", "GetWorkGroup"} {
		n.add(Requirement{Action: "athena:" + act, Resource: wg, Purpose: PurposeWorkgroup, Why: "running the query in workgroup " + q.Workgroup})
	}

	var errs []error
	glue := false
	for _, ref := range q.Refs {
		cat, err := q.catalog(ref.Catalog)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		switch cat.Type {
		case CatalogLambda:
			if err := lambdaNeeds(n, a, cat); err != nil {
				errs = append(errs, err)
			}
		default:
			glue = true
			q.glueNeeds(n, a, ref)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if glue {
		// Athena checks the default database of the Region's catalog on
		// every query (Athena User Guide, fine-grained access: "Access
		// policy to the Default database and catalog per AWS Region").
		for _, r := range []string{a.glueCatalog(), a.glueDatabase("default")} {
			n.add(Requirement{Action: "glue:GetDatabase", Resource: r, Via: ViaAthena, Purpose: PurposeMetadata, Why: "Athena's check of the default database"})
		}
	}

	if q.OutputLocation != "" {
		bucket, prefix, err := splitS3(q.OutputLocation)
		if err != nil {
			return nil, fmt.Errorf("requirements: output location: %w", err)
		}
		b, objs := a.s3Bucket(bucket), a.s3Objects(bucket, prefix)
		why := "the query results under " + q.OutputLocation
		n.add(Requirement{Action: "s3:GetBucketLocation", Resource: b, Via: ViaAthena, Purpose: PurposeResults, Why: why})
		n.add(Requirement{Action: "s3:ListBucket", Resource: b, Via: ViaAthena, Purpose: PurposeResults, Why: why, Context: prefixContext(prefix)})
		for _, act := range []string{"PutObject", "GetObject", "AbortMultipartUpload", "ListMultipartUploadParts"} {
			n.add(Requirement{Action: "s3:" + act, Resource: objs, Via: ViaAthena, Purpose: PurposeResults, Why: why})
		}
		if q.DirectResults {
			n.add(Requirement{Action: "s3:GetObject", Resource: objs, Purpose: PurposeResults, Why: "quiltq reading the result file itself"})
		}
	}
	if q.KMSKey != "" && (q.Encryption == SSEKMS || q.Encryption == CSEKMS) {
		for _, act := range []string{"GenerateDataKey", "Decrypt"} {
			n.add(Requirement{Action: "kms:" + act, Resource: q.KMSKey, Purpose: PurposeKey, Why: "results encrypted with " + q.Encryption})
		}
	}
	if q.LakeFormation {
		n.add(Requirement{Action: "lakeformation:GetDataAccess", Resource: "*", Via: ViaAthena, Purpose: PurposeLakeFormation, Why: "Lake Formation vending the tables' data credentials"})
	}

	sort.SliceStable(n.list, func(i, j int) bool { return serviceRank(n.list[i].Action) < serviceRank(n.list[j].Action) })
	return n.list, nil
}

// catalog finds the data catalog of a reference.
func (q Query) catalog(name string) (DataCatalog, error) {
	for _, c := range q.Catalogs {
		if strings.EqualFold(c.Name, name) {
			if c.Type == "" {
				c.Type = CatalogGlue
			}
			return c, nil
		}
	}
	if name == "" || strings.EqualFold(name, DefaultCatalog) {
		return DataCatalog{Name: DefaultCatalog, Type: CatalogGlue}, nil
	}
	return DataCatalog{}, fmt.Errorf("requirements: data catalog %q is not described; give its type (GLUE or LAMBDA, with the function ARN) in Query.Catalogs, as athena GetDataCatalog returns it", name)
}

// lambdaNeeds adds what a query on a federated (Lambda) catalog needs.
func lambdaNeeds(n *needs, a arns, cat DataCatalog) error {
	if cat.Function == "" {
		return fmt.Errorf("requirements: data catalog %q is a LAMBDA catalog without a function ARN; read it from GetDataCatalog's Parameters", cat.Name)
	}
	why := "the federated catalog " + cat.Name
	n.add(Requirement{Action: "athena:GetDataCatalog", Resource: a.arn("athena", "datacatalog/"+cat.Name), Via: ViaAthena, Purpose: PurposeCatalog, Why: why})
	n.add(Requirement{Action: "lambda:InvokeFunction", Resource: cat.Function, Via: ViaAthena, Purpose: PurposeConnector, Why: why})
	if cat.Spill != "" {
		bucket, prefix, err := splitS3(cat.Spill)
		if err != nil {
			return fmt.Errorf("requirements: spill location of %q: %w", cat.Name, err)
		}
		why := "results " + cat.Name + " spills to " + cat.Spill
		n.add(Requirement{Action: "s3:GetObject", Resource: a.s3Objects(bucket, prefix), Via: ViaAthena, Purpose: PurposeSpill, Why: why})
		n.add(Requirement{Action: "s3:ListBucket", Resource: a.s3Bucket(bucket), Via: ViaAthena, Purpose: PurposeSpill, Why: why, Context: prefixContext(prefix)})
		n.add(Requirement{Action: "s3:GetBucketLocation", Resource: a.s3Bucket(bucket), Via: ViaAthena, Purpose: PurposeSpill, Why: why})
	}
	return nil
}

// glueNeeds adds the Glue and S3 actions a reference into a Glue catalog
// takes, per its access and the statement's kind (aws-permissions.md 1.4).
func (q Query) glueNeeds(n *needs, a arns, ref engine.Ref) {
	db, table := strings.ToLower(ref.Database), strings.ToLower(ref.Table)
	onDB := func(act, why string) {
		for _, r := range []string{a.glueCatalog(), a.glueDatabase(db)} {
			n.add(Requirement{Action: "glue:" + act, Resource: r, Via: ViaAthena, Purpose: PurposeMetadata, Why: why})
		}
	}
	onTable := func(why string, acts ...string) {
		for _, act := range acts {
			for _, r := range []string{a.glueCatalog(), a.glueDatabase(db), a.glueTable(db, table)} {
				n.add(Requirement{Action: "glue:" + act, Resource: r, Via: ViaAthena, Purpose: PurposeMetadata, Why: why})
			}
		}
	}
	switch {
	case db == "*" || db == "":
		// A catalog-level reference: SHOW DATABASES.
		for _, r := range []string{a.glueCatalog(), a.glueDatabase("*")} {
			n.add(Requirement{Action: "glue:GetDatabases", Resource: r, Via: ViaAthena, Purpose: PurposeMetadata, Why: "listing the databases"})
		}
		return
	case (table == "*" || table == "") && ref.Access == engine.Write && q.Kind == CreateDatabase:
		onDB("CreateDatabase", "creating database "+db)
		return
	case (table == "*" || table == "") && ref.Access == engine.Write && q.Kind == DropDatabase:
		// With CASCADE Athena also lists and deletes every table.
		why := "dropping database " + db
		onDB("GetDatabase", why)
		onDB("DeleteDatabase", why)
		onTable(why, "GetTables", "DeleteTable")
		return
	case table == "*" || table == "":
		// A database-level reference: SHOW TABLES, or a listing.
		why := "listing the tables of " + db
		onDB("GetDatabase", why)
		onTable(why, "GetTables")
		return
	}

	name := db + "." + table
	info := q.Tables[TableKey(ref)]
	if info.Iceberg {
		q.icebergNeeds(n, a, ref, name, info, onDB, onTable)
		return
	}
	onDB("GetDatabase", "the database of "+name)
	var acts []string
	var dataActs []string // S3 object actions on the table's location
	switch ref.Access {
	case engine.Metadata:
		acts = []string{"GetTable"}
		if q.Kind == ShowPartitions {
			acts = append(acts, "GetPartitions")
		}
	case engine.Write:
		switch q.Kind {
		case CTAS, CreateTable:
			acts = []string{"GetTable", "CreateTable"}
			if info.Partitioned {
				acts = append(acts, "BatchCreatePartition", "CreatePartition")
			}
			if q.Kind == CTAS {
				dataActs = []string{"PutObject", "AbortMultipartUpload"}
			}
		case CreateView:
			acts = []string{"GetTable", "CreateTable", "UpdateTable"}
		case Insert:
			acts = []string{"GetTable"}
			if info.Partitioned {
				acts = append(acts, "GetPartitions", "BatchCreatePartition")
			}
			dataActs = []string{"PutObject", "AbortMultipartUpload"}
		case Modify:
			acts = []string{"GetTable", "UpdateTable"}
			dataActs = []string{"GetObject", "PutObject", "DeleteObject", "AbortMultipartUpload"}
		case AddPartition:
			acts = []string{"GetTable", "BatchCreatePartition", "CreatePartition"}
		case RepairTable:
			acts = []string{"GetTable", "GetPartitions", "GetPartition", "BatchCreatePartition"}
		case DropTable:
			acts = []string{"GetTable", "DeleteTable"}
			if info.Partitioned {
				acts = append(acts, "GetPartitions", "GetPartition", "DeletePartition", "BatchDeletePartition")
			}
		default: // AlterTable and writes of kinds not listed
			acts = []string{"GetTable", "UpdateTable"}
		}
	default: // engine.Read
		acts = []string{"GetTable"}
		if info.Partitioned {
			acts = append(acts, "GetPartitions", "GetPartition", "BatchGetPartition")
		}
		dataActs = []string{"GetObject"}
	}
	why := string(ref.Access) + " of " + name
	onTable(why, acts...)

	if len(dataActs) == 0 || info.Location == "" {
		return
	}
	bucket, prefix, err := splitS3(info.Location)
	if err != nil {
		return // a location that is not S3 (federated): no S3 actions
	}
	why = "the data of " + name + " under " + info.Location
	for _, act := range dataActs {
		n.add(Requirement{Action: "s3:" + act, Resource: a.s3Objects(bucket, prefix), Via: ViaAthena, Purpose: PurposeData, Why: why})
	}
	n.add(Requirement{Action: "s3:ListBucket", Resource: a.s3Bucket(bucket), Via: ViaAthena, Purpose: PurposeData, Why: why, Context: prefixContext(prefix)})
	n.add(Requirement{Action: "s3:GetBucketLocation", Resource: a.s3Bucket(bucket), Via: ViaAthena, Purpose: PurposeData, Why: why})
	if info.KMSKey != "" {
		n.add(Requirement{Action: "kms:Decrypt", Resource: info.KMSKey, Purpose: PurposeKey, Why: "the data of " + name + " is encrypted"})
		if ref.Access == engine.Write {
			n.add(Requirement{Action: "kms:GenerateDataKey", Resource: info.KMSKey, Purpose: PurposeKey, Why: "writing encrypted data to " + name})
		}
	}
}

// icebergNeeds adds what a reference to an Iceberg table takes. Athena
// reads an Iceberg table through Glue's GetTable (the table's
// metadata_location) and then Iceberg's own files with the caller's
// credentials: the metadata JSON, the manifest lists and manifests under
// <location>/metadata/, and the data files under <location>/data/
// (Apache Iceberg table spec; Athena User Guide, "Query Apache Iceberg
// tables"). Partitions live in Iceberg's manifests, not in Glue, so no
// Glue partition action is taken. A write commits a new metadata file and
// swaps metadata_location with glue:UpdateTable.
func (q Query) icebergNeeds(n *needs, a arns, ref engine.Ref, name string, info Table, onDB func(act, why string), onTable func(why string, acts ...string)) {
	onDB("GetDatabase", "the database of "+name)
	acts := []string{"GetTable"}
	dataActs := []string{"GetObject"}
	if ref.Access == engine.Write {
		switch q.Kind {
		case Insert, CTAS, CreateTable:
			acts = append(acts, "UpdateTable")
			dataActs = append(dataActs, "PutObject", "AbortMultipartUpload")
			if q.Kind != Insert {
				acts = append(acts, "CreateTable")
			}
		case DropTable:
			acts = append(acts, "DeleteTable")
			dataActs = nil
		default: // MERGE, UPDATE, DELETE, OPTIMIZE, VACUUM, ALTER
			acts = append(acts, "UpdateTable")
			dataActs = append(dataActs, "PutObject", "DeleteObject", "AbortMultipartUpload")
		}
	}
	if ref.Access == engine.Metadata {
		dataActs = nil
	}
	onTable(string(ref.Access)+" of the Iceberg table "+name, acts...)
	locations := []string{info.Location}
	if m := info.MetadataLocation; m != "" {
		// The metadata file's folder, when it lies outside the table's
		// location (a relocated or registered table).
		dir := m[:strings.LastIndexByte(m, '/')+1]
		if info.Location == "" || !strings.HasPrefix(dir, strings.TrimSuffix(info.Location, "/")+"/") {
			locations = append(locations, dir)
		}
	}
	for _, loc := range locations {
		if loc == "" || len(dataActs) == 0 {
			continue
		}
		bucket, prefix, err := splitS3(loc)
		if err != nil {
			continue
		}
		why := "the Iceberg metadata and data files of " + name + " under " + loc
		for _, act := range dataActs {
			n.add(Requirement{Action: "s3:" + act, Resource: a.s3Objects(bucket, prefix), Via: ViaAthena, Purpose: PurposeData, Why: why})
		}
		n.add(Requirement{Action: "s3:ListBucket", Resource: a.s3Bucket(bucket), Via: ViaAthena, Purpose: PurposeData, Why: why, Context: prefixContext(prefix)})
		n.add(Requirement{Action: "s3:GetBucketLocation", Resource: a.s3Bucket(bucket), Via: ViaAthena, Purpose: PurposeData, Why: why})
	}
	if info.KMSKey != "" && len(dataActs) > 0 {
		n.add(Requirement{Action: "kms:Decrypt", Resource: info.KMSKey, Purpose: PurposeKey, Why: "the data of " + name + " is encrypted"})
		if ref.Access == engine.Write {
			n.add(Requirement{Action: "kms:GenerateDataKey", Resource: info.KMSKey, Purpose: PurposeKey, Why: "writing encrypted data to " + name})
		}
	}
}

// arns builds the ARNs of one partition, Region and account.
type arns struct{ partition, region, account string }

func (a arns) arn(service, resource string) string {
	return "arn:" + a.partition + ":" + service + ":" + a.region + ":" + a.account + ":" + resource
}
func (a arns) glueCatalog() string           { return a.arn("glue", "catalog") }
func (a arns) glueDatabase(db string) string { return a.arn("glue", "database/"+db) }
func (a arns) glueTable(db, t string) string { return a.arn("glue", "table/"+db+"/"+t) }
func (a arns) s3Bucket(b string) string      { return "arn:" + a.partition + ":s3:::" + b }

// s3Objects is every object under prefix.
func (a arns) s3Objects(bucket, prefix string) string {
	return "arn:" + a.partition + ":s3:::" + bucket + "/" + prefix + "*"
}

// splitS3 splits s3://bucket/prefix into its bucket and prefix.
func splitS3(loc string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(loc, "s3://")
	if !ok {
		rest, ok = strings.CutPrefix(loc, "s3a://")
	}
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3:// location", loc)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket", loc)
	}
	return bucket, prefix, nil
}

// prefixContext is the s3:prefix of a ListBucket under prefix, or nil.
func prefixContext(prefix string) map[string][]string {
	if prefix == "" {
		return nil
	}
	return map[string][]string{"s3:prefix": {prefix}}
}

// serviceRank orders requirements by service.
func serviceRank(action string) int {
	svc, _, _ := strings.Cut(action, ":")
	switch svc {
	case "athena":
		return 0
	case "glue":
		return 1
	case "s3":
		return 2
	case "lambda":
		return 3
	case "kms":
		return 4
	}
	return 5
}
