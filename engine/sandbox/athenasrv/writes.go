package athenasrv

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox/gluesrv"
	"github.com/quiltq/quiltq/engine/sandbox/metastore"
	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/sqlrun"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// This file runs the statements that write: CTAS, INSERT INTO, CREATE
// TABLE, CREATE VIEW, DROP TABLE/VIEW, CREATE/DROP DATABASE. Each checks,
// as the caller via Athena, what engine/iam's requirements catalog
// (Requirements) says its kind needs, in the order Athena's engine meets
// the calls, and fails at the first refusal worded as Athena words it.
// Every check is made before anything is written, so that a refused
// statement leaves nothing behind and the same statement can be run again
// once the role is fixed. (Athena itself may leave a CTAS's or INSERT's
// files behind when a late step fails; see the package comment.)

// writeResult is what a write statement reports.
type writeResult struct {
	statementType string
	text          bool  // results are <id>.txt (DDL)
	updateCount   int64 // rows written by CTAS and INSERT
	scanned       int64
}

// writer carries out one write statement for x's caller.
type writer struct {
	s *Service
	x *execution
	w *sqlrun.Write
}

func (s *Service) runWrite(ctx context.Context, x *execution, w *sqlrun.Write) (writeResult, error) {
	res := writeResult{statementType: w.Kind.StatementType(), text: w.Kind.StatementType() == "DDL"}
	if s.kindOf(w.Target.Catalog) != glueKind {
		if s.kindOf(w.Target.Catalog) == noCatalog {
			return res, userError("CATALOG_NOT_FOUND", 1301, w.Line, w.Col, "Catalog '"+w.Target.Catalog+"' does not exist")
		}
		return res, userError("NOT_SUPPORTED", 1200, w.Line, w.Col, "This connector does not support "+strings.ToLower(string(w.Kind))+" (catalog "+w.Target.Catalog+" is a Lambda catalog)")
	}
	wr := &writer{s: s, x: x, w: w}
	var err error
	switch w.Kind {
	case sqlrun.CreateTableAs:
		res.updateCount, res.scanned, err = wr.createTableAs(ctx)
	case sqlrun.InsertInto:
		res.updateCount, res.scanned, err = wr.insert(ctx)
	case sqlrun.CreateTable:
		err = wr.createTable()
	case sqlrun.CreateView:
		err = wr.createView(ctx)
	case sqlrun.DropTable, sqlrun.DropView:
		err = wr.drop()
	case sqlrun.CreateDatabase:
		err = wr.createDatabase()
	case sqlrun.DropDatabase:
		err = wr.dropDatabase()
	default:
		err = userError("NOT_SUPPORTED", 1200, w.Line, w.Col, string(w.Kind)+" is not supported by the sandbox")
	}
	return res, err
}

// userError is a failure in Trino's "NAME: line l:c: message" form.
func userError(name string, typ, line, col int, msg string) *failure {
	if line > 0 {
		msg = fmt.Sprintf("line %d:%d: %s", line, col, msg)
	}
	return &failure{category: sqlrun.CategoryUser, typ: typ, reason: name + ": " + msg}
}

// hiveError is a failure of a statement Athena runs as Hive DDL.
func hiveError(typ int, msg string) *failure {
	return &failure{category: sqlrun.CategoryUser, typ: typ, reason: "FAILED: " + msg}
}

// hiveDDLTask words a Hive DDL task's failure, as Athena reports them.
func hiveDDLTask(typ int, msg string) *failure {
	return hiveError(typ, "Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. "+msg)
}

// refused words a Glue refusal as Athena's engine reports it: Trino's
// "Insufficient permissions" for its own statements, Hive's MetaException
// for Hive DDL.
func (wr *writer) refused(d *principal.Denial) *failure {
	if !wr.w.Kind.Hive() {
		return glueFailure(d)
	}
	return hiveDDLTask(1500, "MetaException(message:"+d.Error()+
		" (Service: AmazonDataCatalog; Status Code: 400; Error Code: AccessDeniedException; Request ID: "+wire.RequestID()+"; Proxy: null))")
}

func (wr *writer) glueOnDatabase(action, db string) *failure {
	st := wr.s.cfg.Stack
	if d := gluesrv.AuthorizeDatabase(wr.s.cfg.Authz, wr.x.caller, viaAthena(), st.Region, st.AccountID, action, db); d != nil {
		return wr.refused(d)
	}
	return nil
}

// glueOnTable checks actions, in order, on a table and its ancestors.
func (wr *writer) glueOnTable(db, table string, actions ...string) *failure {
	st := wr.s.cfg.Stack
	for _, action := range actions {
		if d := gluesrv.AuthorizeTable(wr.s.cfg.Authz, wr.x.caller, viaAthena(), st.Region, st.AccountID, action, db, table); d != nil {
			return wr.refused(d)
		}
	}
	return nil
}

// target checks glue:GetDatabase on the target's database and that it
// exists, then glue:GetTable on the target, and returns the table when it
// exists.
func (wr *writer) target() (*metastore.Table, error) {
	w, meta := wr.w, wr.s.cfg.Meta
	db, name := w.Target.Database, w.Target.Table
	if f := wr.glueOnDatabase("glue:GetDatabase", db); f != nil {
		return nil, f
	}
	if _, err := meta.Database(db); err != nil {
		if w.Kind.Hive() {
			return nil, hiveError(1301, "SemanticException [Error 10072]: Database does not exist: "+db)
		}
		return nil, userError("SCHEMA_NOT_FOUND", 1301, w.Line, w.Col, "Schema '"+db+"' does not exist")
	}
	if f := wr.glueOnTable(db, name, "glue:GetTable"); f != nil {
		return nil, f
	}
	t, err := meta.Table(db, name)
	if errors.Is(err, metastore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// run runs the statement's query as the caller, every table it reads
// authorized as a SELECT's are.
func (wr *writer) run(ctx context.Context) (*viewRows, sqlrun.Stats, error) {
	x := wr.x
	// Internal: the rows are stored as table data that the engine reads
	// back, so they keep its own form (arrays as JSON, ...).
	q := x.query()
	q.SQL, q.Internal = wr.w.Query, true
	var rows viewRows
	stats, err := wr.s.sql.Run(ctx, q, &queryCatalog{svc: wr.s, caller: x.caller}, &rows)
	return &rows, stats, err
}

// dataObject is a data file a statement is about to write.
type dataObject struct {
	bucket, key string
	data        []byte
}

// location checks what writing under loc takes (aws-permissions.md 1.5
// and the catalog: s3:GetBucketLocation and s3:ListBucket on the bucket,
// s3:PutObject and s3:AbortMultipartUpload on each object) and, for a
// CTAS, that loc holds no data yet. It returns the bucket and the prefix.
func (wr *writer) location(loc string, mustBeEmpty bool, objectKey string) (string, string, error) {
	a, c := wr.s.cfg.Authz, wr.x.caller
	bucket, prefix, err := objstore.ParseURI(loc)
	if err != nil {
		return "", "", userError("INVALID_TABLE_PROPERTY", 1100, wr.w.Line, wr.w.Col, "location "+err.Error())
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	if !wr.s.cfg.Store.BucketExists(bucket) {
		return "", "", &failure{category: sqlrun.CategoryUser, typ: 1306, reason: "The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: NoSuchBucket; Request ID: " +
			requestID16() + "; Proxy: null) (Path: " + loc + ")"}
	}
	if d := a.Authorize(c, "s3:GetBucketLocation", "arn:aws:s3:::"+bucket, viaAthena()); d != nil {
		return "", "", s3WriteFailure(d, loc)
	}
	list := principal.Call{Via: viaAthena().Via, Context: map[string][]string{"s3:prefix": {prefix}}}
	if d := a.Authorize(c, "s3:ListBucket", "arn:aws:s3:::"+bucket, list); d != nil {
		return "", "", s3WriteFailure(d, loc)
	}
	if mustBeEmpty {
		objs, err := wr.s.cfg.Store.List(bucket, prefix, "")
		if err != nil {
			return "", "", err
		}
		if len(objs) > 0 {
			return "", "", &failure{category: sqlrun.CategoryUser, typ: 1000, reason: fmt.Sprintf(
				"HIVE_PATH_ALREADY_EXISTS: Target directory for table '%s.%s' already exists: %s. You may need to manually clean the data at location '%s' before retrying. Athena will not delete data in your account.",
				wr.w.Target.Database, wr.w.Target.Table, loc, loc)}
		}
	}
	arn := "arn:aws:s3:::" + bucket + "/" + prefix + objectKey
	for _, action := range []string{"s3:PutObject", "s3:AbortMultipartUpload"} {
		if d := a.Authorize(c, action, arn, viaAthena()); d != nil {
			return "", "", s3WriteFailure(d, "s3://"+bucket+"/"+prefix+objectKey)
		}
	}
	return bucket, prefix, nil
}

// s3WriteFailure words a refused write of table data.
func s3WriteFailure(d *principal.Denial, path string) *failure {
	return &failure{category: sqlrun.CategoryUser, typ: 1501, reason: "Access denied when writing to location: " + path + ". " + d.S3Message() +
		" (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: " + requestID16() + "; S3 Extended Request ID: " + wire.RequestID() + "; Proxy: null)"}
}

// resultsWritable checks, before a statement commits, that its results
// can be written, so that a refused result write does not follow a
// committed change.
func (wr *writer) resultsWritable() *failure {
	x := wr.x
	key := x.prefix + x.id + ".csv"
	if wr.w.Kind.StatementType() == "DDL" {
		key = x.prefix + x.id + ".txt"
	}
	for _, k := range []string{key, key + ".metadata"} {
		if wr.s.cfg.Authz.Authorize(x.caller, "s3:PutObject", "arn:aws:s3:::"+x.bucket+"/"+k, viaAthena()) != nil {
			return &failure{category: sqlrun.CategoryUser, typ: 401, reason: "Access denied when writing output to url: s3://" + x.bucket + "/" + k +
				" . Please ensure you are allowed to access the S3 bucket. If you are encrypting query results with KMS key, please ensure you are allowed to access your KMS key"}
		}
	}
	return nil
}

// dataKey names the data file a statement writes: one per query, named by
// the query id, as Athena names its files by query.
func (wr *writer) dataKey() string { return wr.x.id + ".csv" }

func (wr *writer) createTableAs(ctx context.Context) (int64, int64, error) {
	w, x := wr.w, wr.x
	existing, err := wr.target()
	if err != nil {
		return 0, 0, err
	}
	if existing != nil {
		if w.IfNotExists {
			return 0, 0, nil
		}
		return 0, 0, userError("TABLE_ALREADY_EXISTS", 1000, w.Line, w.Col, "Destination table '"+w.Target.String()+"' already exists")
	}
	if f := wr.glueOnTable(w.Target.Database, w.Target.Table, "glue:CreateTable"); f != nil {
		return 0, 0, f
	}
	for _, p := range []string{"partitioned_by", "bucketed_by", "bucket_count"} {
		if _, ok := w.Properties[p]; ok {
			return 0, 0, userError("NOT_SUPPORTED", 1200, w.Line, w.Col, "the sandbox does not write partitioned or bucketed tables ("+p+")")
		}
	}
	loc, explicit := w.Properties["external_location"]
	if explicit {
		if wg, ok := lookupWorkgroup(wr.s.cfg.Stack, x.workgroup); ok && wg.Enforce {
			return 0, 0, userError("INVALID_TABLE_PROPERTY", 1100, w.Line, w.Col,
				"external_location cannot be set in workgroup "+x.workgroup+", which enforces its query result location; leave it out and the table is written under the workgroup's location")
		}
		if !strings.HasSuffix(loc, "/") {
			loc += "/"
		}
	} else {
		loc = "s3://" + x.bucket + "/" + x.prefix + "tables/" + x.id + "/"
	}
	delim := ","
	if d, ok := w.Properties["field_delimiter"]; ok {
		delim = d
	}
	rows, stats, err := wr.run(ctx)
	if err != nil {
		return 0, 0, err
	}
	cols := make([]metastoreColumn, len(rows.cols))
	for i, c := range rows.cols {
		if strings.HasPrefix(c.Name, "_col") {
			return 0, 0, userError("MISSING_COLUMN_NAME", 1006, w.Line, w.Col, fmt.Sprintf("Column name not specified at position %d", i+1))
		}
		cols[i] = metastoreColumn{Name: strings.ToLower(c.Name), Type: sqlrun.HiveType(c.Type)}
	}
	if w.WithNoData {
		rows.rows = nil
	}
	bucket, prefix, err := wr.location(loc, true, wr.dataKey())
	if err != nil {
		return 0, 0, err
	}
	data, err := encodeRows(rows.rows, delim, nil)
	if err != nil {
		return 0, 0, err
	}
	if f := wr.resultsWritable(); f != nil {
		return 0, 0, f
	}
	if _, err := wr.s.cfg.Store.Put(bucket, prefix+wr.dataKey(), data, "text/csv"); err != nil {
		return 0, 0, err
	}
	t := metastore.Table{
		Database: w.Target.Database, Name: w.Target.Table, Type: "EXTERNAL_TABLE", Description: w.Comment,
		Location: loc, Delimiter: delim, Columns: cols, CreateTime: wr.s.cfg.Now(),
	}
	if err := wr.s.cfg.Meta.CreateTable(t, false); err != nil {
		if errors.Is(err, metastore.ErrExists) { // created meanwhile by another query
			return 0, 0, userError("TABLE_ALREADY_EXISTS", 1000, w.Line, w.Col, "Destination table '"+w.Target.String()+"' already exists")
		}
		return 0, 0, err
	}
	return int64(len(rows.rows)), stats.DataScannedBytes, nil
}

func (wr *writer) insert(ctx context.Context) (int64, int64, error) {
	w := wr.w
	t, err := wr.target()
	if err != nil {
		return 0, 0, err
	}
	if t == nil {
		return 0, 0, userError("TABLE_NOT_FOUND", 1110, w.Line, w.Col, "Table '"+w.Target.String()+"' does not exist")
	}
	if t.Type == "VIRTUAL_VIEW" {
		return 0, 0, userError("NOT_SUPPORTED", 1200, w.Line, w.Col, "Inserting into views is not supported")
	}
	if len(t.PartitionKeys) > 0 {
		return 0, 0, userError("NOT_SUPPORTED", 1200, w.Line, w.Col, "the sandbox does not insert into partitioned tables")
	}
	// Where each of the table's columns comes from in the query's rows.
	from := make([]int, len(t.Columns))
	if len(w.Columns) == 0 {
		for i := range from {
			from[i] = i
		}
	} else {
		for i := range from {
			from[i] = -1
		}
		for j, c := range w.Columns {
			i := columnIndex(t.Columns, c.Name)
			if i < 0 {
				return 0, 0, userError("COLUMN_NOT_FOUND", 1006, w.Line, w.Col, "Insert column name does not exist: "+c.Name)
			}
			from[i] = j
		}
	}
	rows, stats, err := wr.run(ctx)
	if err != nil {
		return 0, 0, err
	}
	want := len(t.Columns)
	if len(w.Columns) > 0 {
		want = len(w.Columns)
	}
	if len(rows.cols) != want {
		var tt, qt []string
		for _, c := range t.Columns {
			tt = append(tt, athenaType(c.Type))
		}
		for _, c := range rows.cols {
			qt = append(qt, c.Type)
		}
		return 0, 0, userError("TYPE_MISMATCH", 1100, w.Line, w.Col, "Insert query has mismatched column types: Table: ["+strings.Join(tt, ", ")+"], Query: ["+strings.Join(qt, ", ")+"]")
	}
	out := make([]engine.Row, len(rows.rows))
	for n, r := range rows.rows {
		row := make(engine.Row, len(t.Columns))
		for i, j := range from {
			if j < 0 {
				row[i] = engine.Value{Null: true}
			} else {
				row[i] = r[j]
			}
		}
		out[n] = row
	}
	loc := t.Location
	if t.Iceberg() {
		loc = strings.TrimSuffix(loc, "/") + "/data/" // where its scan reads
	}
	bucket, prefix, err := wr.location(loc, false, wr.dataKey())
	if err != nil {
		return 0, 0, err
	}
	var header []string
	if t.Header {
		for _, c := range t.Columns {
			header = append(header, c.Name)
		}
	}
	data, err := encodeRows(out, t.Delimiter, header)
	if err != nil {
		return 0, 0, err
	}
	if f := wr.resultsWritable(); f != nil {
		return 0, 0, f
	}
	if _, err := wr.s.cfg.Store.Put(bucket, prefix+wr.dataKey(), data, "text/csv"); err != nil {
		return 0, 0, err
	}
	return int64(len(out)), stats.DataScannedBytes, nil
}

func (wr *writer) createTable() error {
	w := wr.w
	existing, err := wr.target()
	if err != nil {
		return err
	}
	if existing != nil {
		if w.IfNotExists {
			return nil
		}
		return hiveDDLTask(1000, "AlreadyExistsException(message:Table "+w.Target.Table+" already exists)")
	}
	actions := []string{"glue:CreateTable"}
	if len(w.PartitionKeys) > 0 {
		actions = append(actions, "glue:BatchCreatePartition", "glue:CreatePartition")
	}
	if f := wr.glueOnTable(w.Target.Database, w.Target.Table, actions...); f != nil {
		return f
	}
	if len(w.Columns) == 0 {
		return hiveError(1006, "SemanticException [Error 10043]: Either list of columns or a custom serializer should be specified")
	}
	if w.Location == "" {
		return hiveError(1100, "SemanticException the sandbox needs a LOCATION 's3://bucket/prefix/' for table "+w.Target.Table+": its data is the CSV objects under it")
	}
	if _, _, err := objstore.ParseURI(w.Location); err != nil {
		return hiveError(1100, "SemanticException "+err.Error())
	}
	delim := w.Delimiter
	if sep, ok := w.Properties["separatorchar"]; ok {
		delim = sep
	}
	if delim == "" {
		delim = ","
	}
	if f, ok := w.Properties["field.delim"]; ok {
		delim = f
	}
	t := metastore.Table{
		Database: w.Target.Database, Name: w.Target.Table, Type: "EXTERNAL_TABLE", Description: w.Comment,
		Location: w.Location, Delimiter: delim, Header: w.Properties["skip.header.line.count"] == "1",
		Columns: toMetastore(w.Columns), PartitionKeys: toMetastore(w.PartitionKeys), CreateTime: wr.s.cfg.Now(),
	}
	if f := wr.resultsWritable(); f != nil {
		return f
	}
	if err := wr.s.cfg.Meta.CreateTable(t, false); err != nil {
		if errors.Is(err, metastore.ErrExists) {
			return hiveDDLTask(1000, "AlreadyExistsException(message:Table "+w.Target.Table+" already exists)")
		}
		return err
	}
	return nil
}

func (wr *writer) createView(ctx context.Context) error {
	w := wr.w
	existing, err := wr.target()
	if err != nil {
		return err
	}
	if existing != nil {
		if existing.Type != "VIRTUAL_VIEW" {
			return userError("TABLE_ALREADY_EXISTS", 1000, w.Line, w.Col, "Table '"+w.Target.String()+"' already exists")
		}
		if !w.OrReplace {
			return userError("ALREADY_EXISTS", 1000, w.Line, w.Col, "View already exists: '"+w.Target.String()+"'")
		}
	}
	// The catalog (iam.Requirements, kind CreateView) needs both whether
	// the view is new or replaced.
	if f := wr.glueOnTable(w.Target.Database, w.Target.Table, "glue:CreateTable", "glue:UpdateTable"); f != nil {
		return f
	}
	rows, _, err := wr.run(ctx)
	if err != nil {
		return err
	}
	cols := make([]metastoreColumn, len(rows.cols))
	for i, c := range rows.cols {
		if strings.HasPrefix(c.Name, "_col") {
			return userError("MISSING_COLUMN_NAME", 1006, w.Line, w.Col, fmt.Sprintf("Column name not specified at position %d", i+1))
		}
		cols[i] = metastoreColumn{Name: strings.ToLower(c.Name), Type: sqlrun.HiveType(c.Type)}
	}
	if f := wr.resultsWritable(); f != nil {
		return f
	}
	t := metastore.Table{
		Database: w.Target.Database, Name: w.Target.Table, Type: "VIRTUAL_VIEW", Description: w.Comment,
		ViewSQL: w.QueryText, Columns: cols, CreateTime: wr.s.cfg.Now(),
	}
	return wr.s.cfg.Meta.CreateTable(t, true)
}

func (wr *writer) drop() error {
	w := wr.w
	existing, err := wr.target()
	if err != nil {
		var f *failure
		if w.IfExists && errors.As(err, &f) && f.typ == 1301 { // no such database
			return nil
		}
		return err
	}
	if existing == nil {
		switch {
		case w.IfExists:
			return nil
		case w.Kind == sqlrun.DropView:
			return userError("TABLE_NOT_FOUND", 1110, w.Line, w.Col, "View '"+w.Target.String()+"' does not exist")
		}
		return hiveError(1110, "SemanticException [Error 10001]: Table not found "+w.Target.Database+"."+w.Target.Table)
	}
	if w.Kind == sqlrun.DropView && existing.Type != "VIRTUAL_VIEW" {
		return userError("TABLE_NOT_FOUND", 1110, w.Line, w.Col, "View '"+w.Target.String()+"' does not exist")
	}
	actions := []string{"glue:DeleteTable"}
	if len(existing.PartitionKeys) > 0 {
		actions = append(actions, "glue:GetPartitions", "glue:GetPartition", "glue:DeletePartition", "glue:BatchDeletePartition")
	}
	if f := wr.glueOnTable(w.Target.Database, w.Target.Table, actions...); f != nil {
		return f
	}
	if f := wr.resultsWritable(); f != nil {
		return f
	}
	if err := wr.s.cfg.Meta.DropTable(w.Target.Database, w.Target.Table); err != nil && !errors.Is(err, metastore.ErrNotFound) {
		return err
	}
	return nil
}

func (wr *writer) createDatabase() error {
	w := wr.w
	db := w.Target.Database
	if f := wr.glueOnDatabase("glue:CreateDatabase", db); f != nil {
		return f
	}
	if _, err := wr.s.cfg.Meta.Database(db); err == nil {
		if w.IfNotExists {
			return nil
		}
		return hiveDDLTask(1000, "Database "+db+" already exists")
	}
	if f := wr.resultsWritable(); f != nil {
		return f
	}
	err := wr.s.cfg.Meta.CreateDatabase(metastore.Database{Name: db, Description: w.Comment, LocationURI: w.Location, CreateTime: wr.s.cfg.Now()})
	if errors.Is(err, metastore.ErrExists) {
		return hiveDDLTask(1000, "Database "+db+" already exists")
	}
	return err
}

func (wr *writer) dropDatabase() error {
	w, meta := wr.w, wr.s.cfg.Meta
	db := w.Target.Database
	if f := wr.glueOnDatabase("glue:GetDatabase", db); f != nil {
		return f
	}
	if _, err := meta.Database(db); err != nil {
		if w.IfExists {
			return nil
		}
		return hiveError(1301, "SemanticException [Error 10072]: Database does not exist: "+db)
	}
	if db == sqlrun.DefaultDatabase {
		return hiveDDLTask(1100, "MetaException(message:Can not drop default database)")
	}
	if f := wr.glueOnDatabase("glue:DeleteDatabase", db); f != nil {
		return f
	}
	tables, err := meta.Tables(db)
	if err != nil {
		return err
	}
	if len(tables) > 0 {
		if !w.Cascade {
			return hiveDDLTask(1100, "InvalidOperationException(message:Database "+db+" is not empty. One or more tables exist.)")
		}
		if f := wr.glueOnDatabase("glue:GetTables", db); f != nil {
			return f
		}
		for _, t := range tables {
			if f := wr.glueOnTable(db, t.Name, "glue:DeleteTable"); f != nil {
				return f
			}
		}
	}
	if f := wr.resultsWritable(); f != nil {
		return f
	}
	return meta.DropDatabase(db, w.Cascade)
}

// metastoreColumn is a Glue column.
type metastoreColumn = stack.Column

func toMetastore(cols []engine.Column) []metastoreColumn {
	out := make([]metastoreColumn, len(cols))
	for i, c := range cols {
		out[i] = metastoreColumn{Name: c.Name, Type: c.Type}
	}
	return out
}

func columnIndex(cols []metastoreColumn, name string) int {
	for i, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// encodeRows writes rows by the sandbox's CSV convention (see package
// stack): RFC 4180 quoting, \N for NULL, an optional header line.
func encodeRows(rows []engine.Row, delim string, header []string) ([]byte, error) {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	if delim != "" {
		r := []rune(delim)
		if len(r) != 1 {
			return nil, userError("INVALID_TABLE_PROPERTY", 1100, 0, 0, fmt.Sprintf("field_delimiter %q must be one character", delim))
		}
		cw.Comma = r[0]
	}
	if header != nil {
		if err := cw.Write(header); err != nil {
			return nil, err
		}
	}
	rec := []string{}
	for _, r := range rows {
		rec = rec[:0]
		for _, v := range r {
			if v.Null {
				rec = append(rec, metastore.NullText)
			} else {
				rec = append(rec, v.Text)
			}
		}
		if err := cw.Write(rec); err != nil {
			return nil, err
		}
	}
	cw.Flush()
	return b.Bytes(), cw.Error()
}
