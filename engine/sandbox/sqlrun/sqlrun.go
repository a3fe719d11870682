// Package sqlrun runs the SQL of the sandbox's Athena query executions on an
// embedded SQLite database (modernc.org/sqlite, no cgo).
//
// Run resolves the tables a query names as Athena does (catalog.database.table,
// defaults from the QueryExecutionContext, double-quoted names with hyphens,
// case-insensitive), asks the caller's Catalog for each one (which is where
// the sandbox authorizes it), loads its rows into SQLite once per table
// Version, rewrites the Trino SQL into SQLite SQL and streams the result out
// formatted as Athena writes its result CSV.
//
// What runs: SELECT and WITH queries with joins, grouping, ordering (Trino's
// NULLS LAST default included), OFFSET/LIMIT/FETCH, subqueries, set
// operations, the common aggregates and scalar functions, CAST/TRY_CAST and
// DATE/TIMESTAMP literals. SHOW DATABASES/SCHEMAS, SHOW TABLES, SHOW COLUMNS
// and DESCRIBE answer from the Catalog alone, as text lines (see show.go);
// so do information_schema.tables and information_schema.schemata, as
// tables (see infoschema.go).
//
// Writes are not Run's: ParseWrite reads CTAS, INSERT INTO, CREATE
// [EXTERNAL] TABLE, CREATE [OR REPLACE] VIEW, DROP TABLE/VIEW and CREATE/DROP
// DATABASE into a Write whose query Run then runs, and the caller (the
// sandbox's Athena) authorizes and stores what they write.
//
// What does not run: those statements handed to Run, ALTER, MSCK, MERGE,
// UPDATE, DELETE, UNLOAD, EXPLAIN, PREPARE/EXECUTE, INTERVAL arithmetic,
// arrays, maps, rows, lambdas and UNNEST fail with NOT_SUPPORTED. Every failure is an *Error
// worded as Athena words its StateChangeReason, except two: an error the
// Catalog returns (an access denial, say) comes back unchanged, and a
// cancelled context comes back as ctx.Err().
package sqlrun

import (
	"context"
	"errors"
	"strings"

	"github.com/quiltq/quiltq/engine"
)

// DefaultCatalog is the catalog a query uses when its context names none.
const DefaultCatalog = "awsdatacatalog"

// DefaultDatabase is the database a query uses when its context names none,
// as Athena falls back to "default".
const DefaultDatabase = "default"

// ErrNotFound is what a Catalog wraps when a catalog, database or table does
// not exist.
var ErrNotFound = errors.New("sqlrun: not found")

// TableRef names one table, lower-cased and fully resolved.
type TableRef struct{ Catalog, Database, Table string }

// String renders the reference as Athena prints it in errors:
// awsdatacatalog.sales.orders.
func (r TableRef) String() string { return r.Catalog + "." + r.Database + "." + r.Table }

// Table is what a Catalog knows of one table.
type Table struct {
	// Columns have Athena type names (varchar, bigint, integer, double,
	// boolean, date, timestamp, decimal(p,s), ...); partition columns last.
	Columns []engine.Column
	// PartitionKeys is how many of the last Columns are partition keys
	// (DESCRIBE lists them apart). Zero when the table is not partitioned.
	PartitionKeys int
	// Version changes whenever the data changes; it keys the loaded copy.
	// An empty Version is never cached: the table is loaded for every query.
	Version string
	// Size is the byte size of the underlying objects, reported as the
	// query's DataScannedInBytes.
	Size int64
	// Scan calls emit with every row, values in column order, text as in
	// the underlying CSV; Null marks SQL NULL. Values of arrays, maps and
	// rows are read in the engine's internal JSON form (values.go).
	Scan func(ctx context.Context, emit func(engine.Row) error) error

	// What SHOW CREATE TABLE and SHOW PARTITIONS tell of the table; empty
	// when the Catalog does not know. Partitions are "k=v[/k2=v2]" specs.
	Location   string
	Delimiter  string
	Header     bool
	ViewSQL    string
	Partitions []string
}

// Catalog is the caller's view of the data: the sandbox's Glue and Tabulator
// catalogs, authorized for the caller of the query.
type Catalog interface {
	// Table describes one table. It returns an error wrapping ErrNotFound
	// when the table is absent; any other error fails the query unchanged.
	Table(ctx context.Context, ref TableRef) (*Table, error)
	// Databases lists the databases of a catalog.
	Databases(ctx context.Context, catalog string) ([]string, error)
	// Tables lists the tables of a database.
	Tables(ctx context.Context, catalog, database string) ([]string, error)
}

// Query is one query execution's SQL and QueryExecutionContext.
type Query struct {
	SQL      string
	Catalog  string // default catalog; "" means AwsDataCatalog
	Database string // default database; "" means "default"
	// Params are the ExecutionParameters, one literal for each ? in turn.
	Params []string
	// Internal asks for rows in the engine's internal text form instead
	// of Athena's rendering, for rows that come back into the engine (a
	// view's, a CTAS's): arrays, maps and rows as JSON, varbinary as hex.
	Internal bool
	// Progress, when set, hears the bytes of table data read as the query
	// reads them.
	Progress func(bytes int64)
}

// Output receives a query's result.
type Output interface {
	// Columns is called once, before any Row.
	Columns(cols []engine.Column) error
	// Row receives one row, each value already formatted as Athena writes it
	// in its result file.
	Row(r engine.Row) error
}

// Stats describes a finished (or failed) query.
type Stats struct {
	DataScannedBytes int64
	// StatementType is DML, DDL or UTILITY, as Athena reports it.
	StatementType string
	// Text is true when Athena writes the result as text lines
	// (<id>.txt: one line per row, no header, no quoting) instead of CSV;
	// it does so for SHOW and DESCRIBE.
	Text bool
}

// Athena's error categories (AthenaError.ErrorCategory).
const (
	CategorySystem = 1
	CategoryUser   = 2
	CategoryOther  = 3
)

// Error is a query failure as Athena reports it: AthenaError's category and
// type, and the whole StateChangeReason, such as "TABLE_NOT_FOUND: line
// 1:15: Table 'awsdatacatalog.sales.nope' does not exist".
type Error struct {
	Category int
	Type     int
	Message  string

	// passthrough is a Catalog's error that met a utility statement's
	// parser: it leaves Run unchanged, as this *Error never does.
	passthrough error
}

func (e *Error) Error() string { return e.Message }

// Code is the leading error name of the message (SYNTAX_ERROR, ...).
func (e *Error) Code() string {
	code, _, _ := strings.Cut(e.Message, ":")
	return code
}

// The error names the package produces, with their Athena ErrorType. The
// types come from Athena's error catalog: 1006 syntax error, 1110 table or
// view does not exist, 1301 entity not found, 1303 function not found, 1100
// invalid argument, 1106 invalid function argument, 1200 query not
// supported, 200 internal error.
type errorKind struct {
	code     string
	category int
	typ      int
}

var (
	syntaxError      = errorKind{"SYNTAX_ERROR", CategoryUser, 1006}
	tableNotFound    = errorKind{"TABLE_NOT_FOUND", CategoryUser, 1110}
	schemaNotFound   = errorKind{"SCHEMA_NOT_FOUND", CategoryUser, 1301}
	catalogNotFound  = errorKind{"CATALOG_NOT_FOUND", CategoryUser, 1301}
	columnNotFound   = errorKind{"COLUMN_NOT_FOUND", CategoryUser, 1006}
	ambiguousName    = errorKind{"AMBIGUOUS_NAME", CategoryUser, 1006}
	functionNotFound = errorKind{"FUNCTION_NOT_FOUND", CategoryUser, 1303}
	notSupported     = errorKind{"NOT_SUPPORTED", CategoryUser, 1200}
	invalidLiteral   = errorKind{"INVALID_LITERAL", CategoryUser, 1100}
	invalidCast      = errorKind{"INVALID_CAST_ARGUMENT", CategoryUser, 1100}
	invalidArgument  = errorKind{"INVALID_FUNCTION_ARGUMENT", CategoryUser, 1106}
	invalidParameter = errorKind{"INVALID_PARAMETER_USAGE", CategoryUser, 1100}
	internalError    = errorKind{"GENERIC_INTERNAL_ERROR", CategorySystem, 200}

	// The analyzer's other errors read as its syntax errors do (1006).
	typeMismatch            = errorKind{"TYPE_MISMATCH", CategoryUser, 1006}
	typeNotFound            = errorKind{"TYPE_NOT_FOUND", CategoryUser, 1006}
	duplicateName           = errorKind{"DUPLICATE_NAMED_QUERY", CategoryUser, 1006}
	mismatchedColumnAliases = errorKind{"MISMATCHED_COLUMN_ALIASES", CategoryUser, 1006}
	invalidColumnReference  = errorKind{"INVALID_COLUMN_REFERENCE", CategoryUser, 1006}
	nestedAggregation       = errorKind{"NESTED_AGGREGATION", CategoryUser, 1006}
	expressionNotAggregate  = errorKind{"EXPRESSION_NOT_AGGREGATE", CategoryUser, 1006}
	invalidFunctionArgument = invalidArgument

	// Failures that depend on the data. Athena's error catalog names no
	// Trino error code; these are its "Data error" (1001).
	divisionByZero    = errorKind{"DIVISION_BY_ZERO", CategoryUser, 1001}
	numericOutOfRange = errorKind{"NUMERIC_VALUE_OUT_OF_RANGE", CategoryUser, 1001}
)

// newError builds an *Error; line is 0 when the error has no position.
func newError(k errorKind, line, col int, msg string) *Error {
	if line > 0 {
		msg = "line " + itoa(line) + ":" + itoa(col) + ": " + msg
	}
	return &Error{Category: k.category, Type: k.typ, Message: k.code + ": " + msg}
}
