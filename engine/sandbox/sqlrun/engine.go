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
	e := &Engine{now: time.Now, loadSem: make(chan struct{}, 1), tables: map[TableRef]*loaded{}}
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
	defaults := TableRef{Catalog: strings.ToLower(q.Catalog), Database: strings.ToLower(q.Database)}
	if defaults.Catalog == "" {
		defaults.Catalog = DefaultCatalog
	}
	if defaults.Database == "" {
		defaults.Database = DefaultDatabase
	}
	toks, eof, err := statement(q.SQL)
	if err != nil {
		return Stats{StatementType: "DML"}, err
	}
	first := toks[0]
	switch first.Value {
	case "select", "with", "values", "(":
	case "show", "describe", "desc":
		return e.utility(ctx, toks, eof, defaults, cat, out)
	case "insert", "merge", "update", "delete", "unload":
		return Stats{StatementType: "DML"}, newError(notSupported, first.Line, first.Col, strings.ToUpper(first.Value)+" is not supported by the sandbox")
	case "create", "drop", "alter", "msck", "optimize", "vacuum":
		typ := "DDL"
		if len(toks) > 1 && toks[1].Is("table") && hasWord(toks, "as") && first.Value == "create" {
			typ = "DML" // CTAS
		}
		return Stats{StatementType: typ}, newError(notSupported, first.Line, first.Col, strings.ToUpper(first.Value)+" is not supported by the sandbox")
	case "explain", "prepare", "execute", "deallocate", "use", "using", "set", "reset", "call", "grant", "revoke":
		return Stats{StatementType: "UTILITY"}, newError(notSupported, first.Line, first.Col, strings.ToUpper(first.Value)+" is not supported by the sandbox")
	default:
		return Stats{StatementType: "DML"}, newError(syntaxError, first.Line, first.Col, "mismatched input '"+first.Text+"'. Expecting: 'ALTER', 'ANALYZE', 'CALL', 'CREATE', 'DEALLOCATE', 'DELETE', 'DESC', 'DESCRIBE', 'DROP', 'EXPLAIN', 'GRANT', 'INSERT', 'MERGE', 'PREPARE', 'REFRESH', 'RESET', 'REVOKE', 'SET', 'SHOW', 'START', 'UPDATE', 'USE', 'WITH', <query>")
	}
	stats := Stats{StatementType: "DML"}
	tr, err := translate(toks, defaults, eof)
	if err != nil {
		return stats, err
	}

	// Resolve and load each table once, in order of appearance.
	names := map[TableRef]string{}
	cols := map[string]string{}
	var held []*loaded
	defer func() {
		for _, l := range held {
			e.release(l)
		}
	}()
	for _, o := range tr.occ {
		if _, ok := names[o.ref]; ok {
			continue
		}
		var tbl *Table
		var err error
		if o.ref.Database == infoSchema {
			tbl, err = infoSchemaTable(cat, o.ref)
		} else {
			tbl, err = cat.Table(ctx, o.ref)
		}
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return stats, e.notFound(ctx, cat, o.ref, q.SQL, toks[o.first])
			}
			return stats, err
		}
		l, err := e.acquire(ctx, o.ref, tbl)
		if err != nil {
			return stats, err
		}
		held = append(held, l)
		names[o.ref] = l.name
		stats.DataScannedBytes += tbl.Size
		for _, c := range tbl.Columns {
			cols[strings.ToLower(c.Name)] = c.Type
		}
	}
	return stats, e.query(ctx, tr.render(names), tr, toks, cols, out)
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

// notFound words a missing table as Athena does, telling a missing
// database (or catalog) from a missing table.
func (e *Engine) notFound(ctx context.Context, cat Catalog, ref TableRef, _ string, at sqlref.Token) error {
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
// needed. The caller must release it.
func (e *Engine) acquire(ctx context.Context, ref TableRef, tbl *Table) (*loaded, error) {
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
		nl.err = e.load(ctx, nl)
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

// load copies a table's rows into SQLite in one transaction, through a
// prepared multi-row INSERT.
func (e *Engine) load(ctx context.Context, l *loaded) (err error) {
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
	convs := make([]func(engine.Value) any, ncol)
	for i, c := range tbl.Columns {
		if i > 0 {
			ddl.WriteString(", ")
		}
		ddl.WriteString(quoteIdent(strings.ToLower(c.Name)) + " " + declType(normalizeType(c.Type)))
		convs[i] = converter(normalizeType(c.Type))
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
	err = tbl.Scan(ctx, func(r engine.Row) error {
		for i := 0; i < ncol; i++ {
			if i < len(r) {
				args = append(args, convs[i](r[i]))
			} else {
				args = append(args, nil)
			}
		}
		if rows++; rows == rowsPer {
			if _, err := batch.ExecContext(ctx, args...); err != nil {
				return err
			}
			args, rows = args[:0], 0
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
	return tx.Commit()
}

// converter returns the function that turns a CSV cell into the value
// stored for an Athena type. Cells that do not parse become NULL, as
// Athena's text SerDes read them.
func converter(typ string) func(engine.Value) any {
	switch b := baseType(typ); {
	case isIntegral(b):
		return func(v engine.Value) any {
			if v.Null {
				return nil
			}
			n, err := strconv.ParseInt(strings.TrimSpace(v.Text), 10, 64)
			if err != nil {
				return nil
			}
			return n
		}
	case isFloating(b) || b == "decimal":
		return func(v engine.Value) any {
			if v.Null {
				return nil
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(v.Text), 64)
			if err != nil {
				return nil
			}
			return f
		}
	case b == "boolean":
		return func(v engine.Value) any {
			if v.Null {
				return nil
			}
			switch strings.ToLower(strings.TrimSpace(v.Text)) {
			case "true":
				return int64(1)
			case "false":
				return int64(0)
			}
			return nil
		}
	case b == "date":
		return func(v engine.Value) any {
			if d, ok := parseDate(v.Text); ok && !v.Null {
				return d
			}
			return nil
		}
	case b == "timestamp":
		return func(v engine.Value) any {
			if t, ok := parseTimestamp(v.Text); ok && !v.Null {
				return formatTimestamp(t)
			}
			return nil
		}
	}
	return func(v engine.Value) any {
		if v.Null {
			return nil
		}
		return v.Text
	}
}

// query runs the SQLite SQL and streams the result to out.
func (e *Engine) query(ctx context.Context, sqlText string, tr *translation, toks []sqlref.Token, cols map[string]string, out Output) error {
	rows, err := e.db.QueryContext(ctx, sqlText)
	if err != nil {
		return runError(ctx, err, toks)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return runError(ctx, err, toks)
	}
	n := len(cts)
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	// Name and type each column: the schema's type where a column passes
	// through, the expression's otherwise, and failing both the first
	// row's value, which is why one row is read before Columns is called.
	result := make([]engine.Column, n)
	unknown := make([]bool, n)
	for i, ct := range cts {
		name := ct.Name()
		typ := fromDecl(ct.DatabaseTypeName())
		if k, ok := strings.CutPrefix(name, exprAlias); ok {
			name = "_col" + strconv.Itoa(i)
			if idx, err := strconv.Atoi(k); err == nil && idx < len(tr.items) && typ == "" {
				typ = inferType(tr.items[idx].expr, cols)
			}
		} else if typ == "" {
			for _, it := range tr.items {
				if !it.star && strings.EqualFold(it.name, name) {
					typ = inferType(it.expr, cols)
					break
				}
			}
		}
		if typ == "unknown" {
			typ = "" // NULL literal: decided by the value, if any
		}
		result[i] = engine.Column{Name: name, Type: typ}
		unknown[i] = typ == ""
	}
	more := rows.Next()
	if more {
		if err := rows.Scan(ptrs...); err != nil {
			return runError(ctx, err, toks)
		}
	}
	for i := range result {
		if unknown[i] {
			result[i].Type = "varchar"
			if more && vals[i] != nil {
				result[i].Type = runtimeType(vals[i])
			}
		}
	}
	if err := out.Columns(result); err != nil {
		return err
	}
	row := make(engine.Row, n)
	for more {
		for i, v := range vals {
			s, ok := formatValue(v, result[i].Type)
			row[i] = engine.Value{Text: s, Null: !ok}
		}
		if err := out.Row(row); err != nil {
			return err
		}
		if !rows.Next() {
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return runError(ctx, err, toks)
		}
	}
	if err := rows.Err(); err != nil {
		return runError(ctx, err, toks)
	}
	return nil
}

var (
	reNoColumn   = regexp.MustCompile(`no such column: ([^\s(]+)`)
	reAmbiguous  = regexp.MustCompile(`ambiguous column name: ([^\s(]+)`)
	reNoFunction = regexp.MustCompile(`no such function: ([^\s(]+)`)
	reWrongArgs  = regexp.MustCompile(`wrong number of arguments to function ([^\s(]+)\(\)`)
	reNear       = regexp.MustCompile(`near "((?:[^"]|"")*)": syntax error`)
	reFnError    = regexp.MustCompile(`(INVALID_CAST_ARGUMENT|INVALID_FUNCTION_ARGUMENT|NOT_SUPPORTED|FUNCTION_NOT_FOUND): ([^\n]*?)(?: \(\d+\))?$`)
)

// runError turns a SQLite failure into Athena's wording, placing it at the
// first token of the original SQL that matches what SQLite names.
func runError(ctx context.Context, err error, toks []sqlref.Token) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	msg := err.Error()
	at := func(name string) (int, int) {
		parts := strings.Split(name, ".")
		last := strings.ToLower(parts[len(parts)-1])
		for _, t := range toks {
			if t.IsIdent() && strings.ToLower(t.Value) == last {
				return t.Line, t.Col
			}
		}
		return 1, 1
	}
	if m := reFnError.FindStringSubmatch(msg); m != nil {
		kinds := map[string]errorKind{"INVALID_CAST_ARGUMENT": invalidCast, "INVALID_FUNCTION_ARGUMENT": invalidArgument, "NOT_SUPPORTED": notSupported, "FUNCTION_NOT_FOUND": functionNotFound}
		return newError(kinds[m[1]], 0, 0, m[2])
	}
	if m := reNoColumn.FindStringSubmatch(msg); m != nil {
		l, c := at(m[1])
		return newError(columnNotFound, l, c, "Column '"+m[1]+"' cannot be resolved or requester is not authorized to access requested resources")
	}
	if m := reAmbiguous.FindStringSubmatch(msg); m != nil {
		l, c := at(m[1])
		return newError(ambiguousName, l, c, "Column '"+m[1]+"' is ambiguous")
	}
	if m := reNoFunction.FindStringSubmatch(msg); m != nil {
		l, c := at(m[1])
		return newError(functionNotFound, l, c, "Function '"+strings.TrimPrefix(m[1], "athena_")+"' not registered")
	}
	if m := reWrongArgs.FindStringSubmatch(msg); m != nil {
		name := strings.TrimPrefix(m[1], "athena_")
		l, c := at(name)
		return newError(functionNotFound, l, c, "Unexpected parameters for function "+name)
	}
	if m := reNear.FindStringSubmatch(msg); m != nil {
		near := strings.ReplaceAll(m[1], `""`, `"`)
		l, c := 1, 1
		for _, t := range toks {
			if strings.EqualFold(t.Text, near) {
				l, c = t.Line, t.Col
				break
			}
		}
		return newError(syntaxError, l, c, "mismatched input '"+near+"'")
	}
	if strings.Contains(msg, "incomplete input") {
		t := toks[len(toks)-1]
		return newError(syntaxError, t.Line, t.Col+len([]rune(t.Text)), "mismatched input '<EOF>'")
	}
	if strings.Contains(msg, "interrupted") {
		return fmt.Errorf("sqlrun: query interrupted: %w", context.Canceled)
	}
	return newError(internalError, 0, 0, strings.TrimSpace(msg))
}
