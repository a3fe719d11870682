package athenasrv

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/quiltq/quiltq/engine/sandbox/gluesrv"
	"github.com/quiltq/quiltq/engine/sandbox/metastore"
	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/stack"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// dataCatalogs lists the data catalogs: AwsDataCatalog, then the stack's
// (the Tabulator catalog among them, added when the stack leaves it out),
// in name order after the first.
func (s *Service) dataCatalogs() []stack.DataCatalog {
	out := []stack.DataCatalog{{Name: glueCatalog, Type: "GLUE", Parameters: map[string]string{"catalog-id": s.cfg.Stack.AccountID}}}
	var rest []stack.DataCatalog
	hasTabulator := false
	for _, dc := range s.cfg.Stack.DataCatalogs {
		if strings.EqualFold(dc.Name, glueCatalog) {
			continue
		}
		hasTabulator = hasTabulator || (s.cfg.Meta != nil && strings.EqualFold(dc.Name, s.cfg.Meta.TabulatorCatalog()))
		rest = append(rest, dc)
	}
	if !hasTabulator && s.cfg.Meta != nil {
		rest = append(rest, stack.DataCatalog{Name: s.cfg.Meta.TabulatorCatalog(), Type: "LAMBDA",
			Parameters: map[string]string{"function": s.tabulatorFunction()}})
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].Name < rest[j].Name })
	return append(out, rest...)
}

func (s *Service) lookupCatalog(name string) (stack.DataCatalog, bool) {
	for _, dc := range s.dataCatalogs() {
		if strings.EqualFold(dc.Name, name) {
			return dc, true
		}
	}
	return stack.DataCatalog{}, false
}

func catalogType(dc stack.DataCatalog) string {
	if dc.Type == "" {
		return "LAMBDA"
	}
	return strings.ToUpper(dc.Type)
}

func (q *call) listDataCatalogs() (any, *wire.Error) {
	size, werr := q.pageSize(2, 50)
	if werr != nil {
		return nil, werr
	}
	start, werr := decodeIndex(q.in.NextToken)
	if werr != nil {
		return nil, werr
	}
	if werr := q.authorize("athena:ListDataCatalogs", "*"); werr != nil {
		return nil, werr
	}
	type output struct {
		DataCatalogsSummary []dataCatalogSummary `json:"DataCatalogsSummary"`
		NextToken           string               `json:"NextToken,omitempty"`
	}
	out := output{DataCatalogsSummary: []dataCatalogSummary{}}
	all := q.svc.dataCatalogs()
	for i := start; i < len(all); i++ {
		if len(out.DataCatalogsSummary) == size {
			out.NextToken = encodeIndex(i)
			break
		}
		out.DataCatalogsSummary = append(out.DataCatalogsSummary, dataCatalogSummary{
			CatalogName: all[i].Name, Type: catalogType(all[i]), Status: "CREATE_COMPLETE",
		})
	}
	return out, nil
}

// Catalog listings page by index: AwsDataCatalog comes first, out of name
// order, so a name cannot mark the place.
func encodeIndex(i int) string { return encodeAfter(strconv.Itoa(i)) }

func decodeIndex(tok string) (int, *wire.Error) {
	s, werr := decodeAfter(tok)
	if werr != nil || s == "" {
		return 0, werr
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, invalid("INVALID_INPUT", "Invalid NextToken")
	}
	return n, nil
}

func catalogNotFound(name string) *wire.Error {
	return invalid("INVALID_INPUT", "Catalog "+name+" was not found")
}

func (q *call) getDataCatalog() (any, *wire.Error) {
	name := deref(q.in.Name)
	if name == "" {
		return nil, required("name")
	}
	if werr := q.authorize("athena:GetDataCatalog", dataCatalogARN(q.st(), name)); werr != nil {
		return nil, werr
	}
	dc, ok := q.svc.lookupCatalog(name)
	if !ok {
		return nil, catalogNotFound(name)
	}
	return struct {
		DataCatalog dataCatalog `json:"DataCatalog"`
	}{dataCatalog{Name: dc.Name, Description: dc.Description, Type: catalogType(dc), Parameters: dc.Parameters, Status: "CREATE_COMPLETE"}}, nil
}

// catalogRequest checks the members and the athena:* permission shared
// by the database and table calls, and finds the catalog.
func (q *call) catalogRequest(action string, needDB, needTable bool) (catalogKind, *wire.Error) {
	if q.in.CatalogName == nil {
		return noCatalog, required("catalogName")
	}
	if needDB && q.in.DatabaseName == nil {
		return noCatalog, required("databaseName")
	}
	if needTable && q.in.TableName == nil {
		return noCatalog, required("tableName")
	}
	name := *q.in.CatalogName
	if werr := q.authorize(action, dataCatalogARN(q.st(), name)); werr != nil {
		return noCatalog, werr
	}
	kind := q.svc.kindOf(name)
	if kind == noCatalog {
		if _, ok := q.svc.lookupCatalog(name); ok {
			return noCatalog, metadataError("Catalog " + name + " has no data in the sandbox")
		}
		return noCatalog, catalogNotFound(name)
	}
	return kind, nil
}

// Metadata refusals: Athena answers MetadataException carrying the text of
// the service it called for the caller.

func glueMetadataDenied(d *principal.Denial) *wire.Error { return metadataError(glueText(d)) }

func glueNotFound(what string) *wire.Error {
	return metadataError(what + " not found. (Service: AWSGlue; Status Code: 400; Error Code: EntityNotFoundException; Request ID: " + wire.RequestID() + "; Proxy: null)")
}

// tabulatorMetadata invokes the Tabulator Lambda for a metadata call.
func (q *call) tabulatorMetadata() *wire.Error {
	if d := q.authz().Authorize(q.caller, "lambda:InvokeFunction", q.svc.tabulatorFunction(), viaAthena()); d != nil {
		return metadataError(lambdaText(d))
	}
	return nil
}

func (q *call) listDatabases() (any, *wire.Error) {
	size, werr := q.pageSize(1, 50)
	if werr != nil {
		return nil, werr
	}
	after, werr := decodeAfter(q.in.NextToken)
	if werr != nil {
		return nil, werr
	}
	kind, werr := q.catalogRequest("athena:ListDatabases", false, false)
	if werr != nil {
		return nil, werr
	}
	var dbs []database
	switch kind {
	case glueKind:
		names, d := glueDatabases(q.svc, q.caller)
		if d != nil {
			return nil, glueMetadataDenied(d)
		}
		for _, n := range names {
			db, err := q.svc.cfg.Meta.Database(n)
			if err == nil {
				dbs = append(dbs, glueDatabase(db))
			}
		}
	case tabulatorKind:
		if werr := q.tabulatorMetadata(); werr != nil {
			return nil, werr
		}
		for _, n := range q.svc.cfg.Meta.TabulatorDatabases() {
			dbs = append(dbs, database{Name: n})
		}
	}
	sort.Slice(dbs, func(i, j int) bool { return dbs[i].Name < dbs[j].Name })
	type output struct {
		DatabaseList []database `json:"DatabaseList"`
		NextToken    string     `json:"NextToken,omitempty"`
	}
	page, next := pageAfter(dbs, func(d database) string { return d.Name }, after, size, nil)
	return output{DatabaseList: page, NextToken: next}, nil
}

func glueDatabase(db metastore.Database) database {
	d := database{Name: db.Name, Description: db.Description}
	if db.LocationURI != "" {
		d.Parameters = map[string]string{"location": db.LocationURI}
	}
	return d
}

func (q *call) getDatabase() (any, *wire.Error) {
	kind, werr := q.catalogRequest("athena:GetDatabase", true, false)
	if werr != nil {
		return nil, werr
	}
	name := *q.in.DatabaseName
	var out database
	switch kind {
	case glueKind:
		st := q.st()
		if d := gluesrv.AuthorizeDatabase(q.authz(), q.caller, viaAthena(), st.Region, st.AccountID, "glue:GetDatabase", name); d != nil {
			return nil, glueMetadataDenied(d)
		}
		db, err := q.svc.cfg.Meta.Database(name)
		if err != nil {
			return nil, glueNotFound("Database " + name)
		}
		out = glueDatabase(db)
	case tabulatorKind:
		if werr := q.tabulatorMetadata(); werr != nil {
			return nil, werr
		}
		found := false
		for _, n := range q.svc.cfg.Meta.TabulatorDatabases() {
			found = found || n == name
		}
		if !found {
			return nil, metadataError("Database " + name + " not found in catalog " + *q.in.CatalogName)
		}
		out = database{Name: name}
	}
	return struct {
		Database database `json:"Database"`
	}{out}, nil
}

func (q *call) listTableMetadata() (any, *wire.Error) {
	size, werr := q.pageSize(1, 50)
	if werr != nil {
		return nil, werr
	}
	after, werr := decodeAfter(q.in.NextToken)
	if werr != nil {
		return nil, werr
	}
	match, err := gluesrv.TablePattern(q.in.Expression)
	if err != nil {
		return nil, invalid("", "Invalid expression: "+q.in.Expression)
	}
	kind, werr := q.catalogRequest("athena:ListTableMetadata", true, false)
	if werr != nil {
		return nil, werr
	}
	name := *q.in.DatabaseName
	type output struct {
		TableMetadataList []tableMetadata `json:"TableMetadataList"`
		NextToken         string          `json:"NextToken,omitempty"`
	}
	var tables []tableMetadata
	switch kind {
	case glueKind:
		// Glue's GetTables as the caller, authorizing only the tables up
		// to the end of the page (each page is one call, as in Glue).
		st := q.st()
		if d := gluesrv.AuthorizeDatabase(q.authz(), q.caller, viaAthena(), st.Region, st.AccountID, "glue:GetTables", name); d != nil {
			return nil, glueMetadataDenied(d)
		}
		ts, err := q.svc.cfg.Meta.Tables(name)
		if err != nil {
			return nil, glueNotFound("Database " + name)
		}
		page, next := pageAfter(ts, func(t metastore.Table) string { return t.Name }, after, size, func(t metastore.Table) bool {
			return match(t.Name) && q.authz().Authorize(q.caller, "glue:GetTables", gluesrv.TableARN(st.Region, st.AccountID, t.Database, t.Name), viaAthena()) == nil
		})
		out := output{TableMetadataList: make([]tableMetadata, len(page)), NextToken: next}
		for i, t := range page {
			out.TableMetadataList[i] = q.glueTableMetadata(t)
		}
		return out, nil
	case tabulatorKind:
		if werr := q.tabulatorMetadata(); werr != nil {
			return nil, werr
		}
		ts, err := q.svc.cfg.Meta.TabulatorTables(name)
		if err != nil {
			return nil, metadataError("Database " + name + " not found in catalog " + *q.in.CatalogName)
		}
		for _, t := range ts {
			tables = append(tables, tabulatorTableMetadata(t))
		}
	}
	tableName := func(t tableMetadata) string { return t.Name }
	page, next := pageAfter(tables, tableName, after, size, func(t tableMetadata) bool { return match(t.Name) })
	return output{TableMetadataList: page, NextToken: next}, nil
}

func (q *call) getTableMetadata() (any, *wire.Error) {
	kind, werr := q.catalogRequest("athena:GetTableMetadata", true, true)
	if werr != nil {
		return nil, werr
	}
	db, name := *q.in.DatabaseName, *q.in.TableName
	var out tableMetadata
	switch kind {
	case glueKind:
		st := q.st()
		if d := gluesrv.AuthorizeTable(q.authz(), q.caller, viaAthena(), st.Region, st.AccountID, "glue:GetTable", db, name); d != nil {
			return nil, glueMetadataDenied(d)
		}
		t, err := q.svc.cfg.Meta.Table(db, name)
		if err != nil {
			if errors.Is(err, metastore.ErrNotFound) {
				if _, derr := q.svc.cfg.Meta.Database(db); derr != nil {
					return nil, glueNotFound("Database " + db)
				}
				return nil, glueNotFound("Table " + name)
			}
			return nil, wire.NewError(500, "InternalServerException", err.Error())
		}
		out = q.glueTableMetadata(t)
	case tabulatorKind:
		if werr := q.tabulatorMetadata(); werr != nil {
			return nil, werr
		}
		ts, err := q.svc.cfg.Meta.TabulatorTables(db)
		if err != nil {
			return nil, metadataError("Database " + db + " not found in catalog " + *q.in.CatalogName)
		}
		found := false
		for _, t := range ts {
			if strings.EqualFold(t.Name, name) {
				out, found = tabulatorTableMetadata(t), true
			}
		}
		if !found {
			return nil, metadataError("Table " + name + " not found in database " + db)
		}
	}
	return struct {
		TableMetadata tableMetadata `json:"TableMetadata"`
	}{out}, nil
}

// glueTableMetadata describes a Glue table as Athena does, with the
// parameters of a CSV table.
func (q *call) glueTableMetadata(t metastore.Table) tableMetadata {
	tm := tableMetadata{
		Name: t.Name, CreateTime: stamp(t.CreateTime), TableType: t.Type,
		Columns: columns(t.Columns), PartitionKeys: columns(t.PartitionKeys),
		Parameters: map[string]string{},
	}
	if t.Description != "" {
		tm.Parameters["comment"] = t.Description
	}
	if t.Type == "VIRTUAL_VIEW" {
		tm.Parameters["presto_view"] = "true"
		return tm
	}
	if t.Iceberg() {
		// An Iceberg table's metadata as Athena gives it: the table type
		// and its current metadata file, no Hive SerDe.
		tm.Parameters["location"] = t.Location
		tm.Parameters["table_type"] = "ICEBERG"
		tm.Parameters["metadata_location"] = t.MetadataLocation()
		return tm
	}
	tm.Parameters["EXTERNAL"] = "TRUE"
	tm.Parameters["location"] = t.Location
	tm.Parameters["inputformat"] = "org.apache.hadoop.mapred.TextInputFormat"
	tm.Parameters["outputformat"] = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
	tm.Parameters["serde.serialization.lib"] = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
	tm.Parameters["serde.param.field.delim"] = t.Delimiter
	tm.Parameters["classification"] = "csv"
	if t.Header {
		tm.Parameters["skip.header.line.count"] = "1"
	}
	return tm
}

// tabulatorTableMetadata describes a Tabulator table; one whose config
// does not parse is listed without columns, its parameter "sandbox.error"
// saying why.
func tabulatorTableMetadata(t metastore.TabulatorTable) tableMetadata {
	tm := tableMetadata{Name: t.Name, TableType: "EXTERNAL_TABLE", Columns: columns(t.Columns), PartitionKeys: []column{},
		Parameters: map[string]string{"quilt.tabulator.bucket": t.Bucket}}
	if t.Err != nil {
		tm.Parameters["sandbox.error"] = t.Err.Error()
	}
	return tm
}

func columns(cols []stack.Column) []column {
	out := make([]column, len(cols))
	for i, c := range cols {
		out[i] = column{Name: c.Name, Type: c.Type, Comment: c.Comment}
	}
	return out
}
