package athenasrv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox/gluesrv"
	"github.com/quiltq/quiltq/engine/sandbox/metastore"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/sqlrun"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// glueCatalog is the name of the Glue Data Catalog in Athena.
const glueCatalog = "AwsDataCatalog"

// queryCatalog is what one query may see: the Glue and Tabulator
// catalogs, every read authorized as the query's caller via Athena. A
// refusal is returned as a *failure worded as Athena words it.
type queryCatalog struct {
	svc    *Service
	caller principal.Caller
	depth  int // how many views deep this catalog resolves names
}

var (
	_ sqlrun.Catalog      = (*queryCatalog)(nil)
	_ sqlrun.TableLister  = (*queryCatalog)(nil)
	_ sqlrun.TableDefiner = (*queryCatalog)(nil)
)

// catalogKind says which data a catalog name leads to.
type catalogKind int

const (
	noCatalog catalogKind = iota
	glueKind
	tabulatorKind
)

func (s *Service) kindOf(catalog string) catalogKind {
	switch {
	case strings.EqualFold(catalog, glueCatalog):
		return glueKind
	case s.cfg.Meta != nil && strings.EqualFold(catalog, s.cfg.Meta.TabulatorCatalog()):
		return tabulatorKind
	}
	return noCatalog
}

func (c *queryCatalog) st() *stack.Stack { return c.svc.cfg.Stack }

func (c *queryCatalog) authz() *principal.Authorizer { return c.svc.cfg.Authz }

// Table describes one table once the caller may read it.
func (c *queryCatalog) Table(ctx context.Context, ref sqlrun.TableRef) (*sqlrun.Table, error) {
	switch c.svc.kindOf(ref.Catalog) {
	case glueKind:
		return c.glueTable(ctx, ref)
	case tabulatorKind:
		return c.tabulatorTable(ref)
	}
	return nil, fmt.Errorf("catalog %s: %w", ref.Catalog, sqlrun.ErrNotFound)
}

// TableDefinition describes one table for a metadata statement (DESCRIBE,
// SHOW CREATE TABLE, SHOW PARTITIONS): Glue's GetTable (and GetPartitions
// for a partitioned table) as the caller via Athena, and no S3 read.
func (c *queryCatalog) TableDefinition(ctx context.Context, ref sqlrun.TableRef) (*sqlrun.Table, error) {
	if c.svc.kindOf(ref.Catalog) != glueKind {
		return c.Table(ctx, ref)
	}
	t, err := c.glueDefinition(ref)
	if err != nil {
		return nil, err
	}
	return c.glueMetadata(t), nil
}

// glueDefinition authorizes and reads a Glue table's definition.
func (c *queryCatalog) glueDefinition(ref sqlrun.TableRef) (metastore.Table, error) {
	st, a := c.st(), c.authz()
	if d := gluesrv.AuthorizeTable(a, c.caller, viaAthena(), st.Region, st.AccountID, "glue:GetTable", ref.Database, ref.Table); d != nil {
		return metastore.Table{}, glueFailure(d)
	}
	if d := gluesrv.AuthorizeDatabase(a, c.caller, viaAthena(), st.Region, st.AccountID, "glue:GetDatabase", ref.Database); d != nil {
		return metastore.Table{}, glueFailure(d)
	}
	t, err := c.svc.cfg.Meta.Table(ref.Database, ref.Table)
	if err != nil {
		if errors.Is(err, metastore.ErrNotFound) {
			return metastore.Table{}, fmt.Errorf("%w: %w", err, sqlrun.ErrNotFound)
		}
		return metastore.Table{}, err
	}
	if len(t.PartitionKeys) > 0 && t.Type != "VIRTUAL_VIEW" {
		if d := gluesrv.AuthorizeTable(a, c.caller, viaAthena(), st.Region, st.AccountID, "glue:GetPartitions", ref.Database, ref.Table); d != nil {
			return metastore.Table{}, glueFailure(d)
		}
	}
	return t, nil
}

// glueMetadata is what the SQL engine knows of a Glue table apart from
// its data: columns, partition keys and values, storage, view text.
func (c *queryCatalog) glueMetadata(t metastore.Table) *sqlrun.Table {
	cols := make([]engine.Column, 0, len(t.Columns)+len(t.PartitionKeys))
	for _, col := range t.Columns {
		cols = append(cols, engine.Column{Name: col.Name, Type: athenaType(col.Type)})
	}
	for _, col := range t.PartitionKeys {
		cols = append(cols, engine.Column{Name: col.Name, Type: athenaType(col.Type)})
	}
	var parts []string
	for _, p := range t.Partitions {
		var kv []string
		for i, v := range p.Values {
			if i < len(t.PartitionKeys) {
				kv = append(kv, strings.ToLower(t.PartitionKeys[i].Name)+"="+v)
			}
		}
		parts = append(parts, strings.Join(kv, "/"))
	}
	return &sqlrun.Table{
		Columns: cols, PartitionKeys: len(t.PartitionKeys), Location: t.Location, Delimiter: t.Delimiter,
		Header: t.Header, ViewSQL: t.ViewSQL, Partitions: parts,
	}
}

// Databases lists a catalog's databases, as SHOW DATABASES does.
func (c *queryCatalog) Databases(ctx context.Context, catalog string) ([]string, error) {
	switch c.svc.kindOf(catalog) {
	case glueKind:
		names, d := glueDatabases(c.svc, c.caller)
		if d != nil {
			return nil, glueFailure(d)
		}
		return names, nil
	case tabulatorKind:
		if f := c.invokeTabulator(); f != nil {
			return nil, f
		}
		return c.svc.cfg.Meta.TabulatorDatabases(), nil
	}
	return nil, fmt.Errorf("catalog %s: %w", catalog, sqlrun.ErrNotFound)
}

// Tables lists a database's tables, as SHOW TABLES does.
func (c *queryCatalog) Tables(ctx context.Context, catalog, db string) ([]string, error) {
	switch c.svc.kindOf(catalog) {
	case glueKind:
		tables, d, err := glueTables(c.svc, c.caller, db)
		if d != nil {
			return nil, glueFailure(d)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", err, sqlrun.ErrNotFound)
		}
		names := make([]string, len(tables))
		for i, t := range tables {
			names[i] = t.Name
		}
		return names, nil
	case tabulatorKind:
		if f := c.invokeTabulator(); f != nil {
			return nil, f
		}
		tables, err := c.svc.cfg.Meta.TabulatorTables(db)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", err, sqlrun.ErrNotFound)
		}
		names := make([]string, len(tables))
		for i, t := range tables {
			names[i] = t.Name
		}
		return names, nil
	}
	return nil, fmt.Errorf("catalog %s: %w", catalog, sqlrun.ErrNotFound)
}

// TableInfos lists a database's tables with their kinds, for
// information_schema.tables.
func (c *queryCatalog) TableInfos(ctx context.Context, catalog, db string) ([]sqlrun.TableInfo, error) {
	if c.svc.kindOf(catalog) != glueKind {
		names, err := c.Tables(ctx, catalog, db)
		infos := make([]sqlrun.TableInfo, len(names))
		for i, n := range names {
			infos[i] = sqlrun.TableInfo{Name: n}
		}
		return infos, err
	}
	tables, d, err := glueTables(c.svc, c.caller, db)
	if d != nil {
		return nil, glueFailure(d)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, sqlrun.ErrNotFound)
	}
	infos := make([]sqlrun.TableInfo, len(tables))
	for i, t := range tables {
		infos[i] = sqlrun.TableInfo{Name: t.Name, View: t.Type == "VIRTUAL_VIEW"}
	}
	return infos, nil
}

// glueDatabases is Glue's GetDatabases as the caller via Athena: refused
// on the catalog, then filtered to the databases the caller may list, as
// Glue filters them.
func glueDatabases(s *Service, c principal.Caller) ([]string, *principal.Denial) {
	st := s.cfg.Stack
	const action = "glue:GetDatabases"
	if d := gluesrv.AuthorizeCatalog(s.cfg.Authz, c, viaAthena(), st.Region, st.AccountID, action); d != nil {
		return nil, d
	}
	var names []string
	for _, db := range s.cfg.Meta.Databases() {
		if s.cfg.Authz.Authorize(c, action, gluesrv.DatabaseARN(st.Region, st.AccountID, db.Name), viaAthena()) == nil {
			names = append(names, db.Name)
		}
	}
	return names, nil
}

// glueTables is Glue's GetTables as the caller via Athena: refused on the
// database's hierarchy, then filtered to the tables the caller may list.
// err wraps metastore.ErrNotFound for a missing database.
func glueTables(s *Service, c principal.Caller, db string) ([]metastore.Table, *principal.Denial, error) {
	st := s.cfg.Stack
	const action = "glue:GetTables"
	if d := gluesrv.AuthorizeDatabase(s.cfg.Authz, c, viaAthena(), st.Region, st.AccountID, action, db); d != nil {
		return nil, d, nil
	}
	tables, err := s.cfg.Meta.Tables(db)
	if err != nil {
		return nil, nil, err
	}
	var out []metastore.Table
	for _, t := range tables {
		if s.cfg.Authz.Authorize(c, action, gluesrv.TableARN(st.Region, st.AccountID, t.Database, t.Name), viaAthena()) == nil {
			out = append(out, t)
		}
	}
	return out, nil, nil
}

// glueTable reads a Glue table's metadata, then checks every S3 read its
// scan will make. The S3 checks are made here, not in Scan, because the
// SQL engine keeps loaded tables between queries: a scan may never run
// for a caller whose query reuses another's copy.
func (c *queryCatalog) glueTable(ctx context.Context, ref sqlrun.TableRef) (*sqlrun.Table, error) {
	t, err := c.glueDefinition(ref)
	if err != nil {
		return nil, err
	}
	if t.Type == "VIRTUAL_VIEW" {
		return c.viewTable(ctx, ref, t)
	}
	objects, err := c.svc.cfg.Meta.Objects(t)
	if err != nil {
		return nil, err
	}
	bucket, prefix, err := splitLocation(t.Location)
	if err != nil {
		return nil, err
	}
	a := c.authz()
	list := principal.Call{Via: viaAthena().Via, Context: map[string][]string{"s3:prefix": {prefix}}}
	if d := a.Authorize(c.caller, "s3:ListBucket", "arn:aws:s3:::"+bucket, list); d != nil {
		return nil, s3Failure(d, t.Location)
	}
	if m := t.MetadataLocation(); m != "" {
		// Athena reads an Iceberg table's metadata file first, as the
		// caller, to find its data files.
		mb, mk, err := splitLocation(m)
		if err != nil {
			return nil, err
		}
		if d := a.Authorize(c.caller, "s3:GetObject", "arn:aws:s3:::"+mb+"/"+mk, viaAthena()); d != nil {
			return nil, s3Failure(d, m)
		}
	}
	for _, o := range objects {
		if d := a.Authorize(c.caller, "s3:GetObject", "arn:aws:s3:::"+o.Bucket+"/"+o.Key, viaAthena()); d != nil {
			return nil, s3Failure(d, o.URI())
		}
	}
	meta := c.svc.cfg.Meta
	tbl := c.glueMetadata(t)
	tbl.Version, tbl.Size = version("glue", ref.String(), objects), size(objects)
	tbl.Scan = func(ctx context.Context, emit func(engine.Row) error) error { return meta.Scan(ctx, t, emit) }
	return tbl, nil
}

// tabulatorTable checks that the caller may use the Tabulator catalog and
// invoke its Lambda, then describes the table.
func (c *queryCatalog) tabulatorTable(ref sqlrun.TableRef) (*sqlrun.Table, error) {
	if f := c.invokeTabulator(); f != nil {
		return nil, f
	}
	meta := c.svc.cfg.Meta
	tables, err := meta.TabulatorTables(ref.Database)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, sqlrun.ErrNotFound)
	}
	for _, t := range tables {
		if t.Name != ref.Table {
			continue
		}
		if t.Err != nil {
			// The Lambda fails on a table it cannot read; Athena wraps
			// what it said.
			return nil, &failure{category: sqlrun.CategoryUser, typ: 1000, reason: fmt.Sprintf(
				"GENERIC_USER_ERROR: Encountered an exception[%s] from your LambdaFunction[%s] executed in context[retrieving meta-data] with message[%v]",
				"java.lang.RuntimeException", c.svc.tabulatorFunction(), t.Err)}
		}
		objects, err := meta.TabulatorObjects(t.Bucket, t.Name)
		if err != nil {
			return nil, err
		}
		cols := make([]engine.Column, len(t.Columns))
		for i, col := range t.Columns {
			cols[i] = engine.Column{Name: col.Name, Type: athenaType(col.Type)}
		}
		bucket, name := t.Bucket, t.Name
		return &sqlrun.Table{
			Columns: cols,
			Version: version("tabulator", ref.String()+"\x00"+t.Config, objects), Size: size(objects),
			Scan: func(ctx context.Context, emit func(engine.Row) error) error {
				return meta.ScanTabulator(ctx, bucket, name, emit)
			},
		}, nil
	}
	return nil, fmt.Errorf("tabulator table %s: %w", ref, sqlrun.ErrNotFound)
}

// invokeTabulator authorizes a use of the Tabulator catalog at query
// time: athena:GetDataCatalog on it ("Running queries against an external
// catalog requires GetDataCatalog permission to the catalog") and
// lambda:InvokeFunction on its function.
func (c *queryCatalog) invokeTabulator() *failure {
	s := c.svc
	name := s.cfg.Meta.TabulatorCatalog()
	if d := c.authz().Authorize(c.caller, "athena:GetDataCatalog", dataCatalogARN(c.st(), name), viaAthena()); d != nil {
		return &failure{category: sqlrun.CategoryUser, typ: 1500, reason: "Insufficient permissions to execute the query. " + d.Error()}
	}
	if d := c.authz().Authorize(c.caller, "lambda:InvokeFunction", s.tabulatorFunction(), viaAthena()); d != nil {
		return &failure{category: sqlrun.CategoryUser, typ: 1500, reason: lambdaText(d)}
	}
	return nil
}

// tabulatorFunction is the ARN of the Tabulator catalog's Lambda: the
// catalog's "function" parameter, or the name Quilt stacks give it.
func (s *Service) tabulatorFunction() string {
	name := s.cfg.Meta.TabulatorCatalog()
	for _, dc := range s.cfg.Stack.DataCatalogs {
		if strings.EqualFold(dc.Name, name) && dc.Parameters["function"] != "" {
			return dc.Parameters["function"]
		}
	}
	st := s.cfg.Stack
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", st.Region, st.AccountID, name)
}

// Refusal texts, in the shapes Athena's StateChangeReason uses: the
// service's own message and the Java SDK's suffix naming the service,
// status and error code.

func glueText(d *principal.Denial) string {
	return d.Error() + " (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException; Request ID: " + wire.RequestID() + "; Proxy: null)"
}

func lambdaText(d *principal.Denial) string {
	return "Failed to invoke lambda function due to com.amazonaws.services.lambda.model.AWSLambdaException: " + d.Error() +
		" (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: " + wire.RequestID() + "; Proxy: null)"
}

func glueFailure(d *principal.Denial) *failure {
	return &failure{category: sqlrun.CategoryUser, typ: 1500, reason: "Insufficient permissions to execute the query. " + glueText(d)}
}

func s3Failure(d *principal.Denial, path string) *failure {
	return &failure{category: sqlrun.CategoryUser, typ: 1501, reason: "Permission denied on S3 path: " + path + ". " + d.S3Message() +
		" (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: " + requestID16() + "; S3 Extended Request ID: " + wire.RequestID() + "; Proxy: null)"}
}

// requestID16 is shaped like S3's sixteen-character request ids.
func requestID16() string {
	return strings.ToUpper(strings.ReplaceAll(wire.RequestID(), "-", ""))[:16]
}

// splitLocation splits a table location into its bucket and key prefix.
func splitLocation(loc string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(loc, "s3://")
	if !ok {
		return "", "", fmt.Errorf("table location %q is not an s3:// location", loc)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	return bucket, prefix, nil
}

// version keys the SQL engine's copy of a table: it changes when any of
// its objects does.
func version(kind, name string, objects []metastore.ObjectRef) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", kind, name)
	for _, o := range objects {
		fmt.Fprintf(h, "%s/%s\x00%s\x00%d\x00", o.Bucket, o.Key, o.ETag, o.Size)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func size(objects []metastore.ObjectRef) int64 {
	var n int64
	for _, o := range objects {
		n += o.Size
	}
	return n
}

// athenaType turns a Hive type name, as Glue stores it, into the name
// Athena's engine reports (string is varchar, int is integer,
// array<string> is array(varchar), ...).
func athenaType(hive string) string {
	if t, ok := sqlrun.ParseType(hive); ok {
		return t.String()
	}
	return strings.ToLower(strings.TrimSpace(hive))
}
