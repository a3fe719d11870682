// Package sqlrun runs the SQL of the sandbox's Athena query executions on an
// embedded SQLite database (modernc.org/sqlite, no cgo), with Trino's
// semantics.
//
// Run parses the statement with a Trino grammar (parse.go), resolves the
// tables it names as Athena does (catalog.database.table, defaults from
// the QueryExecutionContext, double-quoted names with hyphens,
// case-insensitive) through the caller's Catalog (which is where the
// sandbox authorizes them), types every expression as Trino's analyzer
// does and compiles the query into one SQLite statement (compile.go,
// expr.go), loads the tables' rows into SQLite once per table Version,
// runs it, and streams the result out written as Athena writes its result
// CSV (values.go).
//
// What runs: SELECT, WITH [RECURSIVE], VALUES and TABLE queries with
// joins (inner, outer, cross, USING), UNNEST [WITH ORDINALITY], LATERAL,
// grouping, ordering (Trino's NULLS LAST default included),
// OFFSET/LIMIT/FETCH, subqueries (scalar, IN, EXISTS, correlated), set
// operations, window functions, and the functions of functions.go.
// Values have Trino's types: integers fail on overflow and on division by
// zero, decimal(p,s) is exact, doubles carry NaN and Infinity, literals
// are integer or bigint by range, decimal(p,s), varchar(n), X'..'
// varbinary, a bare NULL unknown; arrays, maps, rows and JSON are values
// in their own right. SHOW DATABASES/SCHEMAS, TABLES, VIEWS, COLUMNS,
// CREATE TABLE, CREATE VIEW, PARTITIONS and DESCRIBE answer from the
// Catalog alone, as text lines (show.go); information_schema.tables and
// .schemata are tables (infoschema.go); EXPLAIN answers a plan without
// reading data (explain.go).
//
// Writes are not Run's: ParseWrite reads CTAS, INSERT INTO, CREATE
// [EXTERNAL] TABLE, CREATE [OR REPLACE] VIEW, DROP TABLE/VIEW and CREATE/DROP
// DATABASE into a Write whose query Run then runs, and the caller (the
// sandbox's Athena) authorizes and stores what they write.
//
// What does not run: those statements handed to Run, ALTER, MSCK, MERGE,
// UPDATE, DELETE, UNLOAD, EXPLAIN ANALYZE, PREPARE/EXECUTE, INTERVAL and
// TIME values, lambdas, GROUPING SETS/ROLLUP/CUBE, TABLESAMPLE, time
// travel and table functions fail with NOT_SUPPORTED. Every failure is an
// *Error worded as Athena words its StateChangeReason, except two: an
// error the Catalog returns (an access denial, say) comes back unchanged,
// and a cancelled context comes back as ctx.Err().
package sqlrun

import (
	"context"
	"errors"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sqlref"
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
	// Trino's SUBQUERY_MULTIPLE_ROWS, also a data error here.
	subqueryMultipleRows = errorKind{"SUBQUERY_MULTIPLE_ROWS", CategoryUser, 1001}
)

// newError builds an *Error; line is 0 when the error has no position.
func newError(k errorKind, line, col int, msg string) *Error {
	if line > 0 {
		msg = "line " + itoa(line) + ":" + itoa(col) + ": " + msg
	}
	return &Error{Category: k.category, Type: k.typ, Message: k.code + ": " + msg}
}

// ErrMultipleStatements is what CheckSyntax returns for SQL holding more
// than one statement: Athena refuses those at StartQueryExecution with
// "Only one sql statement is allowed. Got: ..." (the refusal quoted in
// objectiv/objectiv-analytics#1311).
var ErrMultipleStatements = errors.New("only one sql statement is allowed")

// CheckSyntax parses sql as Athena does when StartQueryExecution receives
// it, without resolving any name: nil when it parses; ErrMultipleStatements
// for several statements; else the *Error of its first syntax error
// ("SYNTAX_ERROR: line 1:8: mismatched input ..."). SHOW and DESCRIBE are
// read at run time, as the sandbox reads them with the catalog.
func CheckSyntax(sql string) error {
	all, err := sqlref.Lex(sql)
	if err == nil {
		n := 0
		for _, st := range splitSignificant(all) {
			if len(st) > 0 {
				n++
			}
		}
		if n > 1 {
			return ErrMultipleStatements
		}
	}
	toks, eof, err := statement(sql)
	if err != nil {
		return err
	}
	first := toks[0]
	switch first.Value {
	case "select", "with", "values", "(", "table":
		p := &parser{toks: toks, eof: eof}
		return p.run(func() { p.parseQueryStatement() })
	case "explain":
		q := Query{SQL: sql}
		_, err := (&Engine{fns: builtins()}).explain(context.Background(), q, toks, eof, TableRef{}, syntaxOnly{}, noOutput{})
		var se *Error
		if errors.As(err, &se) && se.Code() == syntaxError.code {
			return err
		}
		return nil
	case "show", "describe", "desc", "insert", "merge", "update", "delete", "unload", "create", "drop", "alter",
		"msck", "optimize", "vacuum", "prepare", "execute", "deallocate", "use", "using", "set", "reset", "call", "grant", "revoke":
		w, err := ParseWrite(sql, Query{})
		if err != nil || w == nil || w.Query == "" {
			return err
		}
		return CheckSyntax(w.Query)
	}
	return newError(syntaxError, first.Line, first.Col, "mismatched input '"+first.Text+"'. Expecting: "+statementKeywords)
}

// splitSignificant splits lexed tokens into statements at semicolons,
// dropping comments.
func splitSignificant(all []sqlref.Token) [][]sqlref.Token {
	var out [][]sqlref.Token
	var cur []sqlref.Token
	for _, t := range sqlref.Significant(all) {
		if t.IsOp(";") {
			out = append(out, cur)
			cur = nil
			continue
		}
		cur = append(cur, t)
	}
	return append(out, cur)
}

// syntaxOnly is a Catalog that knows no table: CheckSyntax's EXPLAIN runs
// the analyzer only as far as the first name.
type syntaxOnly struct{}

func (syntaxOnly) Table(context.Context, TableRef) (*Table, error) {
	return nil, errors.New("sqlrun: syntax check only")
}
func (syntaxOnly) Databases(context.Context, string) ([]string, error) { return nil, nil }
func (syntaxOnly) Tables(context.Context, string, string) ([]string, error) {
	return nil, nil
}

type noOutput struct{}

func (noOutput) Columns([]engine.Column) error { return nil }
func (noOutput) Row(engine.Row) error          { return nil }
