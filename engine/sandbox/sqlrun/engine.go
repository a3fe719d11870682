package sqlrun

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// Engine runs queries on one SQLite scratch database. It is safe for
// concurrent use.
type Engine struct {
	db      *sql.DB
	dir     string // removed on Close when New made it
	ownsDir bool
	now     func() time.Time

	// loadSem serializes loads and drops: SQLite has one writer at a time,
	// and waiting here, unlike waiting on SQLite's busy handler, ends when
	// the query's context does.
	loadSem chan struct{}

	mu     sync.Mutex
	tables map[TableRef]*loaded
	seq    int

	fns map[string]*function // the SQL functions, built once
}

// loaded is one table's copy in SQLite, shared by the queries that use it.
type loaded struct {
	version string
	name    string
	table   *Table
	ready   chan struct{} // closed when the load has finished
	err     error         // set before ready is closed
	users   int
	stale   bool // replaced by a newer version: drop when unused
}

// New opens an engine whose SQLite file lives in dir, or in a new
// temporary directory when dir is "".
func New(dir string) (*Engine, error) {
	e := &Engine{now: time.Now, loadSem: make(chan struct{}, 1), tables: map[TableRef]*loaded{}, fns: builtins()}
	if dir == "" {
		d, err := os.MkdirTemp("", "sqlrun-")
		if err != nil {
			return nil, err
		}
		dir, e.ownsDir = d, true
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "sqlrun-*.db")
	if err != nil {
		return nil, err
	}
	f.Close()
	e.dir = f.Name()
	d := &sqlite.Driver{}
	if err := registerFunctions(d, func() time.Time { return e.now() }); err != nil {
		return nil, err
	}
	// The data is a scratch copy: durability buys nothing, and WAL lets
	// queries read while another table loads. LIKE is case-sensitive in Trino.
	dsn := e.dir + "?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=busy_timeout(60000)" +
		"&_pragma=case_sensitive_like(1)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-65536)"
	e.db = sql.OpenDB(connector{d, dsn})
	if err := e.db.Ping(); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

type connector struct {
	d   *sqlite.Driver
	dsn string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.d }

// Close closes the database and removes its files.
func (e *Engine) Close() error {
	err := e.db.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(e.dir + suffix)
	}
	if e.ownsDir {
		os.RemoveAll(filepath.Dir(e.dir))
	}
	return err
}

// Run executes one query and streams its result to out.
func (e *Engine) Run(ctx context.Context, q Query, cat Catalog, out Output) (Stats, error) {
	defaults := queryDefaults(q)
	toks, eof, err := statement(q.SQL)
	if err != nil {
		return Stats{StatementType: "DML"}, err
	}
	first := toks[0]
	switch first.Value {
	case "select", "with", "values", "(", "table":
	case "show", "describe", "desc":
		return e.utility(ctx, toks, eof, defaults, cat, out)
	case "explain":
		return e.explain(ctx, q, toks, eof, defaults, cat, out)
	case "insert", "merge", "update", "delete", "unload":
		return Stats{StatementType: "DML"}, newError(notSupported, first.Line, first.Col, strings.ToUpper(first.Value)+" is not supported by the sandbox")
	case "create", "drop", "alter", "msck", "optimize", "vacuum":
		typ := "DDL"
		if len(toks) > 1 && toks[1].Is("table") && hasWord(toks, "as") && first.Value == "create" {
			typ = "DML" // CTAS
		}
		return Stats{StatementType: typ}, newError(notSupported, first.Line, first.Col, strings.ToUpper(first.Value)+" is not supported by the sandbox")
	case "prepare", "execute", "deallocate", "use", "using", "set", "reset", "call", "grant", "revoke":
		return Stats{StatementType: "UTILITY"}, newError(notSupported, first.Line, first.Col, strings.ToUpper(first.Value)+" is not supported by the sandbox")
	default:
		return Stats{StatementType: "DML"}, newError(syntaxError, first.Line, first.Col, "mismatched input '"+first.Text+"'. Expecting: "+statementKeywords)
	}
	stats := Stats{StatementType: "DML"}
	c, comp, err := e.compile(ctx, q, toks, eof, defaults, cat)
	if err != nil {
		return stats, err
	}
	names, held, err := e.loadTables(ctx, c, q.Progress, &stats)
	defer func() {
		for _, l := range held {
			e.release(l)
		}
	}()
	if err != nil {
		return stats, err
	}
	return stats, e.query(ctx, names.Replace(comp.sql), comp.cols, q.Internal, out)
}

// ErrNotQuery is what Analyze returns for a statement other than a query
// (SELECT, WITH, VALUES, TABLE).
var ErrNotQuery = errors.New("sqlrun: not a query")

// Analyze parses and resolves q as Run does before it reads any data, so
// that every table the query names is looked up (and so authorized) through
// cat; it reports the first error. Athena reuses a stored result only when
// "you have access to all tables referenced in the query" (Athena User
// Guide, "Reuse query results in Athena"), which the sandbox checks with
// this.
func (e *Engine) Analyze(ctx context.Context, q Query, cat Catalog) error {
	toks, eof, err := statement(q.SQL)
	if err != nil {
		return err
	}
	switch toks[0].Value {
	case "select", "with", "values", "(", "table":
	default:
		return ErrNotQuery
	}
	_, _, err = e.compile(ctx, q, toks, eof, queryDefaults(q), cat)
	return err
}

// queryDefaults is the catalog and database a query's names default to.
func queryDefaults(q Query) TableRef {
	defaults := TableRef{Catalog: strings.ToLower(q.Catalog), Database: strings.ToLower(q.Database)}
	if defaults.Catalog == "" {
		defaults.Catalog = DefaultCatalog
	}
	if defaults.Database == "" {
		defaults.Database = DefaultDatabase
	}
	return defaults
}

// compile parses and compiles a query statement, resolving its tables
// through cat (which authorizes them) without reading their data.
func (e *Engine) compile(ctx context.Context, q Query, toks []sqlref.Token, eof sqlref.Token, defaults TableRef, cat Catalog) (*compiler, *compiled, error) {
	p := &parser{toks: toks, eof: eof}
	var ast *query
	if err := p.run(func() { ast = p.parseQueryStatement() }); err != nil {
		return nil, nil, err
	}
	if p.params != len(q.Params) {
		at := toks[0]
		for _, t := range toks {
			if t.Kind == sqlref.Param {
				at = t
				break
			}
		}
		return nil, nil, newError(invalidParameter, at.Line, at.Col, "Incorrect number of parameters: expected "+itoa(p.params)+" but found "+itoa(len(q.Params)))
	}
	c := &compiler{ctx: ctx, cat: cat, defaults: defaults, params: q.Params, paramValues: make([]*cexpr, len(q.Params)),
		paramCount: p.params, tables: map[TableRef]*tableUse{}, fns: e.fns}
	var comp *compiled
	if err := c.run(func() { comp = c.compileQuery(ast, nil, nil) }); err != nil {
		return nil, nil, err
	}
	return c, comp, nil
}

// loadTables loads every table the compiled query reads (the caller
// releases them) and returns the replacer that puts the loaded copies'
// names in place of the compiled SQL's markers.
func (e *Engine) loadTables(ctx context.Context, c *compiler, progress func(int64), stats *Stats) (*strings.Replacer, []*loaded, error) {
	var held []*loaded
	var pairs []string
	for _, u := range c.used {
		l, err := e.acquire(ctx, u.ref, u.tbl, progress)
		if err != nil {
			return nil, held, err
		}
		held = append(held, l)
		pairs = append(pairs, u.marker, quoteIdent(l.name))
		stats.DataScannedBytes += u.tbl.Size
	}
	return strings.NewReplacer(pairs...), held, nil
}

func hasWord(toks []sqlref.Token, w string) bool {
	for _, t := range toks {
		if t.Is(w) {
			return true
		}
	}
	return false
}

// statement lexes sql and returns the significant tokens of its one
// statement, without a trailing semicolon, and a token marking its end.
func statement(sql string) ([]sqlref.Token, sqlref.Token, error) {
	all, err := sqlref.Lex(sql)
	if err != nil {
		var le *sqlref.Error
		if errors.As(err, &le) {
			return nil, sqlref.Token{}, newError(syntaxError, le.Line, le.Col, le.Msg)
		}
		return nil, sqlref.Token{}, newError(syntaxError, 1, 1, err.Error())
	}
	toks := sqlref.Significant(all)
	line, col := sqlref.Position(sql, len(sql))
	eof := sqlref.Token{Text: "<EOF>", Pos: len(sql), Line: line, Col: col}
	for i, t := range toks {
		if t.IsOp(";") {
			if i+1 < len(toks) {
				n := toks[i+1]
				return nil, eof, newError(syntaxError, n.Line, n.Col, "mismatched input '"+n.Text+"'. Expecting: <EOF>")
			}
			toks = toks[:i]
			eof = sqlref.Token{Text: "<EOF>", Pos: t.Pos, Line: t.Line, Col: t.Col}
		}
	}
	if len(toks) == 0 {
		return nil, eof, newError(syntaxError, eof.Line, eof.Col, "mismatched input '<EOF>'. Expecting: 'ALTER', 'ANALYZE', 'CALL', 'CREATE', 'DEALLOCATE', 'DELETE', 'DESC', 'DESCRIBE', 'DROP', 'EXPLAIN', 'GRANT', 'INSERT', 'MERGE', 'PREPARE', 'REFRESH', 'RESET', 'REVOKE', 'SET', 'SHOW', 'START', 'UPDATE', 'USE', 'WITH', <query>")
	}
	if toks[0].IsOp("(") {
		toks[0].Value = "("
	}
	return toks, eof, nil
}

// notFoundError words a missing table as Athena does, telling a missing
// database (or catalog) from a missing table.
func notFoundError(ctx context.Context, cat Catalog, ref TableRef, at sqlref.Token) error {
	dbs, err := cat.Databases(ctx, ref.Catalog)
	switch {
	case errors.Is(err, ErrNotFound):
		return newError(catalogNotFound, at.Line, at.Col, "Catalog '"+ref.Catalog+"' does not exist")
	case err == nil && ref.Database != infoSchema && !containsFold(dbs, ref.Database):
		return newError(schemaNotFound, at.Line, at.Col, "Schema '"+ref.Database+"' does not exist")
	}
	return newError(tableNotFound, at.Line, at.Col, "Table '"+ref.String()+"' does not exist")
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// acquire returns the loaded copy of tbl at its version, loading it if
// needed. The caller must release it. progress, when set, hears the bytes
// of the table as they are read (at once for a copy already loaded: a
// query scans its tables whether or not the sandbox kept a copy).
func (e *Engine) acquire(ctx context.Context, ref TableRef, tbl *Table, progress func(int64)) (*loaded, error) {
	report := func(n int64) {
		if progress != nil && n > 0 {
			progress(n)
		}
	}
	for {
		e.mu.Lock()
		l := e.tables[ref]
		if l != nil && l.version == tbl.Version && tbl.Version != "" {
			l.users++
			e.mu.Unlock()
			select {
			case <-l.ready:
			case <-ctx.Done():
				e.release(l)
				return nil, ctx.Err()
			}
			if l.err == nil {
				report(tbl.Size)
				return l, nil
			}
			e.release(l)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue // the loader failed (perhaps cancelled): try again
		}
		e.seq++
		nl := &loaded{version: tbl.Version, name: "t" + strconv.Itoa(e.seq), table: tbl, ready: make(chan struct{}), users: 1}
		var drop *loaded
		if l != nil {
			l.stale = true
			if l.users == 0 {
				drop = l
			}
		}
		e.tables[ref] = nl
		e.mu.Unlock()
		if drop != nil {
			e.drop(drop)
		}
		nl.err = e.load(ctx, nl, report)
		close(nl.ready)
		if nl.err != nil {
			e.mu.Lock()
			if e.tables[ref] == nl {
				delete(e.tables, ref)
			}
			nl.stale = true
			e.mu.Unlock()
			e.release(nl)
			return nil, nl.err
		}
		if tbl.Version == "" {
			nl.stale = true // never reused: dropped after this query
		}
		return nl, nil
	}
}

func (e *Engine) release(l *loaded) {
	e.mu.Lock()
	l.users--
	drop := l.users == 0 && l.stale
	e.mu.Unlock()
	if drop {
		e.drop(l)
	}
}

func (e *Engine) drop(l *loaded) {
	// A failed drop leaves a table nobody names; the file goes on Close.
	e.loadSem <- struct{}{}
	defer func() { <-e.loadSem }()
	e.db.Exec("DROP TABLE IF EXISTS " + quoteIdent(l.name))
}

// batchParams bounds the parameters of one multi-row INSERT.
const batchParams = 960

// declType is the SQLite column declaration of a value of type t: the
// affinity its internal form needs, and for decimals the collation that
// compares them as numbers.
func declType(t Type) string {
	switch {
	case t.isIntegral(), t.Base == tBoolean:
		return "INTEGER"
	case t.isFloating():
		return "REAL"
	case t.Base == tDecimal:
		return "TEXT COLLATE athena_decimal"
	case t.Base == tVarbinary:
		return "BLOB"
	}
	return "TEXT"
}

// load copies a table's rows into SQLite in one transaction, through a
// prepared multi-row INSERT. report hears the bytes read, row by row
// (each cell's text and a delimiter), then the rest of the table's size
// once the scan is done.
func (e *Engine) load(ctx context.Context, l *loaded, report func(int64)) (err error) {
	select {
	case e.loadSem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-e.loadSem }()
	tbl := l.table
	ncol := len(tbl.Columns)
	if ncol == 0 {
		return newError(internalError, 0, 0, "table has no columns")
	}
	var ddl strings.Builder
	ddl.WriteString("CREATE TABLE " + quoteIdent(l.name) + " (")
	types := make([]Type, ncol)
	for i, c := range tbl.Columns {
		if i > 0 {
			ddl.WriteString(", ")
		}
		t, ok := ParseType(c.Type)
		if !ok {
			t = typVarchar
		}
		types[i] = t
		ddl.WriteString(quoteIdent(strings.ToLower(c.Name)) + " " + declType(t))
	}
	ddl.WriteString(")")
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, ddl.String()); err != nil {
		return err
	}
	rowsPer := max(1, batchParams/ncol)
	insert := func(n int) (*sql.Stmt, error) {
		var b strings.Builder
		b.WriteString("INSERT INTO " + quoteIdent(l.name) + " VALUES ")
		one := "(" + strings.TrimSuffix(strings.Repeat("?,", ncol), ",") + ")"
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(one)
		}
		return tx.PrepareContext(ctx, b.String())
	}
	batch, err := insert(rowsPer)
	if err != nil {
		return err
	}
	defer batch.Close()
	args := make([]any, 0, rowsPer*ncol)
	rows := 0
	var read, pending int64
	err = tbl.Scan(ctx, func(r engine.Row) error {
		for i := 0; i < ncol; i++ {
			if i < len(r) {
				pending += int64(len(r[i].Text)) + 1
				if r[i].Null {
					args = append(args, nil)
				} else {
					args = append(args, cellValue(r[i].Text, types[i]))
				}
			} else {
				args = append(args, nil)
			}
		}
		if rows++; rows == rowsPer {
			if _, err := batch.ExecContext(ctx, args...); err != nil {
				return err
			}
			args, rows = args[:0], 0
			if tbl.Size > 0 {
				pending = min(pending, tbl.Size-read)
			}
			read += pending
			report(pending)
			pending = 0
		}
		return nil
	})
	if err != nil {
		return err
	}
	if rows > 0 {
		rest, err := insert(rows)
		if err != nil {
			return err
		}
		defer rest.Close()
		if _, err := rest.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	report(tbl.Size - read)
	return tx.Commit()
}

// query runs the SQLite SQL and streams the result to out, each value
// written as Athena writes it (or in the internal form when internal).
func (e *Engine) query(ctx context.Context, sqlText string, cols []outCol, internal bool, out Output) error {
	rows, err := e.db.QueryContext(ctx, sqlText)
	if err != nil {
		return runError(ctx, err)
	}
	defer rows.Close()
	result := make([]engine.Column, len(cols))
	for i, c := range cols {
		result[i] = engine.Column{Name: c.name, Type: c.t.String()}
	}
	if err := out.Columns(result); err != nil {
		return err
	}
	n := len(cols)
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	row := make(engine.Row, n)
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return runError(ctx, err)
		}
		for i, v := range vals {
			var s string
			var ok bool
			if internal {
				s, ok = internalText(v, cols[i].t)
			} else {
				s, ok = render(v, cols[i].t)
			}
			row[i] = engine.Value{Text: s, Null: !ok}
		}
		if err := out.Row(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return runError(ctx, err)
	}
	return nil
}

// fnErrorText finds an error a Go function raised in SQLite's text.
var fnErrorText = regexp.MustCompile(`([A-Z][A-Z_]+[A-Z]): ([^\n]*?)(?: \(\d+\))?$`)

// runError turns a failure while running the SQLite SQL into Athena's
// wording: the error a function raised, an integer overflow in sum(), or
// else an internal error (the compiled SQL is the sandbox's own, so
// SQLite refusing it is the sandbox's fault).
func runError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	msg := err.Error()
	if m := fnErrorText.FindStringSubmatch(msg); m != nil {
		for _, k := range []errorKind{invalidCast, invalidArgument, notSupported, functionNotFound, divisionByZero, numericOutOfRange, subqueryMultipleRows, internalError} {
			if k.code == m[1] {
				return newError(k, 0, 0, m[2])
			}
		}
	}
	switch {
	case strings.Contains(msg, "integer overflow"):
		return newError(numericOutOfRange, 0, 0, "bigint addition overflow")
	case strings.Contains(msg, "interrupted"):
		return fmt.Errorf("sqlrun: query interrupted: %w", context.Canceled)
	}
	return newError(internalError, 0, 0, strings.TrimSpace(msg))
}
