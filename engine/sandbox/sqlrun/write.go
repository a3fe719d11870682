package sqlrun

import (
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// WriteKind is what a statement that changes the catalog or table data
// does.
type WriteKind string

// The statements ParseWrite reads.
const (
	CreateTableAs  WriteKind = "CREATE TABLE AS" // CREATE TABLE t [WITH (...)] AS query [WITH [NO] DATA]
	InsertInto     WriteKind = "INSERT INTO"     // INSERT INTO t [(cols)] query
	CreateTable    WriteKind = "CREATE TABLE"    // CREATE [EXTERNAL] TABLE t (cols) ... LOCATION '...'
	CreateView     WriteKind = "CREATE VIEW"     // CREATE [OR REPLACE] VIEW v AS query
	DropTable      WriteKind = "DROP TABLE"      // DROP TABLE [IF EXISTS] t
	DropView       WriteKind = "DROP VIEW"       // DROP VIEW [IF EXISTS] v
	CreateDatabase WriteKind = "CREATE DATABASE" // CREATE DATABASE|SCHEMA [IF NOT EXISTS] db
	DropDatabase   WriteKind = "DROP DATABASE"   // DROP DATABASE|SCHEMA [IF EXISTS] db [CASCADE]
)

// Hive reports whether Athena runs the statement as Hive DDL, whose
// failures read "FAILED: ..." rather than Trino's "ERROR_NAME: line l:c:".
func (k WriteKind) Hive() bool {
	switch k {
	case CreateTable, DropTable, CreateDatabase, DropDatabase:
		return true
	}
	return false
}

// StatementType is the QueryExecution's StatementType of the statement:
// DML for CTAS and INSERT, DDL for the others.
func (k WriteKind) StatementType() string {
	if k == CreateTableAs || k == InsertInto {
		return "DML"
	}
	return "DDL"
}

// Write is one parsed statement that writes.
type Write struct {
	Kind WriteKind
	// Target is the table, view or (Table empty) database written,
	// lower-cased and completed with the query's defaults.
	Target TableRef
	// Line and Col place the target's name, for error messages.
	Line, Col int

	IfNotExists, IfExists, OrReplace, Cascade bool

	// Columns are CREATE TABLE's columns with their types as written
	// (Hive names: string, int, ...), or INSERT's column list (names only).
	Columns []engine.Column
	// PartitionKeys are CREATE TABLE's PARTITIONED BY columns.
	PartitionKeys []engine.Column
	// Properties are CTAS's WITH (...) properties, CREATE TABLE's
	// TBLPROPERTIES and SERDEPROPERTIES, by lower-case name; string values
	// unquoted, others as written.
	Properties map[string]string
	Location   string // CREATE TABLE's or CREATE DATABASE's LOCATION
	Delimiter  string // ROW FORMAT DELIMITED FIELDS TERMINATED BY
	Comment    string

	// Query is the statement's query (CTAS, INSERT, CREATE VIEW) as SQL for
	// Engine.Run: the statement's text with everything before the query
	// blanked, so that the positions of its errors are the statement's.
	Query string
	// QueryText is the query's own text, as a view keeps it.
	QueryText  string
	WithNoData bool
}

// ParseWrite reads sql when it is one of the statements WriteKind lists
// and returns nil, nil for anything else (queries, SHOW, and the writes
// the sandbox does not run, which Engine.Run refuses as NOT_SUPPORTED).
// A malformed write is an *Error worded as Athena's.
func ParseWrite(sql string, q Query) (*Write, error) {
	toks, eof, err := statement(sql)
	if err != nil {
		// Let Run report what is wrong with a statement that does not lex.
		return nil, nil
	}
	defaults := TableRef{Catalog: strings.ToLower(q.Catalog), Database: strings.ToLower(q.Database)}
	if defaults.Catalog == "" {
		defaults.Catalog = DefaultCatalog
	}
	if defaults.Database == "" {
		defaults.Database = DefaultDatabase
	}
	p := &writeParser{sql: sql, toks: toks, eof: eof, d: defaults, w: &Write{Properties: map[string]string{}}}
	switch {
	case p.word("create"):
		p.i++
		if p.accept("or") {
			p.expect("replace")
			p.w.OrReplace = true
			if !p.word("view") {
				return nil, nil
			}
		}
		switch {
		case p.accept("view"):
			p.w.Kind = CreateView
			return p.run(p.createView)
		case p.accept("database"), p.accept("schema"):
			p.w.Kind = CreateDatabase
			return p.run(p.createDatabase)
		case p.accept("external"):
			p.expect("table")
			p.w.Kind = CreateTable
			return p.run(p.createTable)
		case p.accept("table"):
			return p.run(p.createTable)
		}
	case p.word("insert"):
		p.i++
		if !p.accept("into") {
			return nil, nil // INSERT OVERWRITE and the like: not run
		}
		p.w.Kind = InsertInto
		return p.run(p.insert)
	case p.word("drop"):
		p.i++
		switch {
		case p.accept("table"):
			p.w.Kind = DropTable
			return p.run(p.drop)
		case p.accept("view"):
			p.w.Kind = DropView
			return p.run(p.drop)
		case p.accept("database"), p.accept("schema"):
			p.w.Kind = DropDatabase
			return p.run(p.dropDatabase)
		}
	}
	return nil, nil
}

// writeParser reads one write statement's tokens.
type writeParser struct {
	sql  string
	toks []sqlref.Token
	eof  sqlref.Token
	i    int
	d    TableRef
	w    *Write
}

// parseFailure carries an *Error out of the parser by panic.
type parseFailure struct{ err *Error }

func (p *writeParser) run(f func()) (w *Write, err error) {
	defer func() {
		if r := recover(); r != nil {
			pf, ok := r.(parseFailure)
			if !ok {
				panic(r)
			}
			w, err = nil, pf.err
		}
	}()
	f()
	if p.i < len(p.toks) {
		p.fail("<EOF>")
	}
	return p.w, nil
}

func (p *writeParser) peek() sqlref.Token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return p.eof
}

func (p *writeParser) atEnd() bool { return p.i >= len(p.toks) }

func (p *writeParser) word(w string) bool { return !p.atEnd() && p.toks[p.i].Is(w) }

func (p *writeParser) accept(w string) bool {
	if p.word(w) {
		p.i++
		return true
	}
	return false
}

func (p *writeParser) acceptOp(op string) bool {
	if !p.atEnd() && p.toks[p.i].IsOp(op) {
		p.i++
		return true
	}
	return false
}

// fail stops the parse with Athena's "mismatched input" at the cursor.
func (p *writeParser) fail(want string) {
	t := p.peek()
	panic(parseFailure{newError(syntaxError, t.Line, t.Col, "mismatched input '"+t.Text+"'. Expecting: "+want)})
}

func (p *writeParser) expect(w string) {
	if !p.accept(w) {
		p.fail("'" + strings.ToUpper(w) + "'")
	}
}

func (p *writeParser) expectOp(op string) {
	if !p.acceptOp(op) {
		p.fail("'" + op + "'")
	}
}

// str reads a string literal.
func (p *writeParser) str() string {
	t := p.peek()
	if t.Kind != sqlref.String {
		p.fail("<string>")
	}
	p.i++
	return t.Value
}

// part reads one part of a name. Hive DDL allows unquoted names with
// hyphens (sales-prod-db), which lex as several tokens written together.
func (p *writeParser) part() string {
	t := p.peek()
	if !t.IsIdent() {
		p.fail("<identifier>")
	}
	p.i++
	name := t.Value
	if t.Kind != sqlref.Word {
		return name
	}
	end := t.End()
	for !p.atEnd() {
		n := p.toks[p.i]
		if n.Pos != end || !(n.IsOp("-") || n.Kind == sqlref.Word || n.Kind == sqlref.Number) {
			break
		}
		name += strings.ToLower(n.Text)
		end = n.End()
		p.i++
	}
	return name
}

// name reads a dotted name of one to max parts.
func (p *writeParser) name(max int) (parts []string, at sqlref.Token) {
	at = p.peek()
	parts = []string{p.part()}
	for p.acceptOp(".") {
		parts = append(parts, p.part())
	}
	if len(parts) > max {
		panic(parseFailure{newError(syntaxError, at.Line, at.Col, "too many dots in the name "+strings.Join(parts, "."))})
	}
	return parts, at
}

// table reads a table name and resolves it with the defaults.
func (p *writeParser) table() {
	parts, at := p.name(3)
	r := p.d
	switch len(parts) {
	case 1:
		r.Table = parts[0]
	case 2:
		r.Database, r.Table = parts[0], parts[1]
	case 3:
		r.Catalog, r.Database, r.Table = parts[0], parts[1], parts[2]
	}
	p.w.Target = TableRef{Catalog: strings.ToLower(r.Catalog), Database: strings.ToLower(r.Database), Table: strings.ToLower(r.Table)}
	p.w.Line, p.w.Col = at.Line, at.Col
}

// database reads a database name ([catalog.]database).
func (p *writeParser) database() {
	parts, at := p.name(2)
	r := TableRef{Catalog: p.d.Catalog, Database: parts[len(parts)-1]}
	if len(parts) == 2 {
		r.Catalog = parts[0]
	}
	p.w.Target = TableRef{Catalog: strings.ToLower(r.Catalog), Database: strings.ToLower(r.Database)}
	p.w.Line, p.w.Col = at.Line, at.Col
}

func (p *writeParser) ifNotExists() {
	if p.accept("if") {
		p.expect("not")
		p.expect("exists")
		p.w.IfNotExists = true
	}
}

func (p *writeParser) ifExists() {
	if p.accept("if") {
		p.expect("exists")
		p.w.IfExists = true
	}
}

// startsQuery reports whether a query starts at the cursor.
func (p *writeParser) startsQuery() bool {
	if p.atEnd() {
		return false
	}
	t := p.toks[p.i]
	return t.Is("select") || t.Is("with") || t.Is("values") || t.Is("table") || t.IsOp("(")
}

// query takes the rest of the statement as its query, but for a trailing
// WITH [NO] DATA when allowNoData.
func (p *writeParser) query(allowNoData bool) {
	if !p.startsQuery() {
		p.fail("<query>")
	}
	first := p.i
	last := len(p.toks)
	if allowNoData && last-first >= 3 && p.toks[last-1].Is("data") {
		switch {
		case p.toks[last-2].Is("no") && p.toks[last-3].Is("with"):
			p.w.WithNoData = true
			last -= 3
		case p.toks[last-2].Is("with"):
			last -= 2
		}
	}
	start := p.toks[first].Pos
	end := p.toks[last-1].End()
	p.w.QueryText = p.sql[start:end]
	p.w.Query = blank(p.sql[:start]) + p.w.QueryText
	p.i = len(p.toks)
}

// blank keeps s's line breaks and turns every other character into one
// space, so that what follows keeps its line and (rune) column.
func blank(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == '\n' || r == '\r' {
			b.WriteRune(r)
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// properties reads ( name = value [, ...] ), as CTAS's WITH holds them.
func (p *writeParser) properties() {
	p.expectOp("(")
	for {
		key := strings.ToLower(p.part())
		p.expectOp("=")
		p.w.Properties[key] = p.value()
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
}

// value reads a property value: a string, or anything else (ARRAY['a'],
// a number, a word) as written.
func (p *writeParser) value() string {
	t := p.peek()
	if t.Kind == sqlref.String {
		p.i++
		return t.Value
	}
	start, depth := p.i, 0
	for !p.atEnd() {
		t := p.toks[p.i]
		if depth == 0 && (t.IsOp(",") || t.IsOp(")")) {
			break
		}
		switch {
		case t.IsOp("(") || t.IsOp("["):
			depth++
		case t.IsOp(")") || t.IsOp("]"):
			depth--
		}
		p.i++
	}
	if p.i == start {
		p.fail("<expression>")
	}
	return p.sql[p.toks[start].Pos:p.toks[p.i-1].End()]
}

// stringProperties reads ('k' = 'v' [, ...]), as TBLPROPERTIES and
// SERDEPROPERTIES hold them.
func (p *writeParser) stringProperties() {
	p.expectOp("(")
	for {
		k := strings.ToLower(p.str())
		p.expectOp("=")
		p.w.Properties[k] = p.str()
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
}

// columns reads ( name type [COMMENT '...'] [, ...] ).
func (p *writeParser) columns() []engine.Column {
	p.expectOp("(")
	var cols []engine.Column
	for {
		name := p.part()
		start, depth := p.i, 0
		for !p.atEnd() {
			t := p.toks[p.i]
			if depth == 0 && (t.IsOp(",") || t.IsOp(")") || t.Is("comment")) {
				break
			}
			switch {
			case t.IsOp("(") || t.IsOp("<"):
				depth++
			case t.IsOp(")") || t.IsOp(">"):
				depth--
			}
			p.i++
		}
		if p.i == start {
			p.fail("<type>")
		}
		var typ strings.Builder
		for _, t := range p.toks[start:p.i] {
			typ.WriteString(strings.ToLower(t.Text))
		}
		if p.accept("comment") {
			p.str()
		}
		cols = append(cols, engine.Column{Name: strings.ToLower(name), Type: typ.String()})
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return cols
}

// createTable reads CREATE [EXTERNAL] TABLE after its keywords: a CTAS
// (Trino's syntax) or a table over data (Hive's).
func (p *writeParser) createTable() {
	p.ifNotExists()
	p.table()
	if p.word("comment") || p.word("with") || p.word("as") {
		// Trino's CREATE TABLE name [COMMENT] [WITH (...)] AS query.
		if p.accept("comment") {
			p.w.Comment = p.str()
		}
		if p.accept("with") {
			p.properties()
		}
		if p.w.Kind == "" && p.accept("as") {
			p.w.Kind = CreateTableAs
			p.query(true)
			return
		}
		if p.w.Kind == "" {
			p.fail("'AS'")
		}
	}
	if p.w.Kind == "" {
		p.w.Kind = CreateTable
	}
	if !p.word("with") && !p.atEnd() && p.peek().IsOp("(") {
		p.w.Columns = p.columns()
	}
	for !p.atEnd() {
		switch {
		case p.accept("comment"):
			p.w.Comment = p.str()
		case p.accept("partitioned"):
			p.expect("by")
			p.w.PartitionKeys = p.columns()
		case p.accept("row"):
			p.expect("format")
			p.rowFormat()
		case p.accept("stored"):
			p.expect("as")
			if p.accept("inputformat") {
				p.str()
				p.expect("outputformat")
				p.str()
			} else {
				p.w.Properties["format"] = strings.ToLower(p.part())
			}
		case p.accept("location"):
			p.w.Location = p.str()
		case p.accept("tblproperties"):
			p.stringProperties()
		case p.accept("with"):
			p.properties()
		default:
			p.fail("COMMENT, PARTITIONED BY, ROW FORMAT, STORED AS, LOCATION, TBLPROPERTIES or <EOF>")
		}
	}
}

// rowFormat reads DELIMITED ... or SERDE '...' [WITH SERDEPROPERTIES (...)].
func (p *writeParser) rowFormat() {
	if p.accept("serde") {
		p.w.Properties["serde"] = p.str()
		if p.accept("with") {
			p.expect("serdeproperties")
			p.stringProperties()
		}
		return
	}
	p.expect("delimited")
	for {
		switch {
		case p.accept("fields"):
			p.expect("terminated")
			p.expect("by")
			p.w.Delimiter = p.str()
			if p.accept("escaped") {
				p.expect("by")
				p.str()
			}
		case p.accept("collection"), p.accept("map"):
			if p.word("keys") {
				p.i++
			} else {
				p.expect("items")
			}
			p.expect("terminated")
			p.expect("by")
			p.str()
		case p.accept("lines"):
			p.expect("terminated")
			p.expect("by")
			p.str()
		case p.accept("null"):
			p.expect("defined")
			p.expect("as")
			p.str()
		default:
			return
		}
	}
}

func (p *writeParser) insert() {
	p.table()
	if !p.atEnd() && p.peek().IsOp("(") && p.i+1 < len(p.toks) {
		next := p.toks[p.i+1]
		if !(next.Is("select") || next.Is("with") || next.Is("values") || next.Is("table") || next.IsOp("(")) {
			p.i++
			for {
				p.w.Columns = append(p.w.Columns, engine.Column{Name: strings.ToLower(p.part())})
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
		}
	}
	p.query(false)
}

func (p *writeParser) createView() {
	p.table()
	if p.accept("comment") {
		p.w.Comment = p.str()
	}
	if p.accept("security") {
		if !p.accept("definer") {
			p.expect("invoker")
		}
	}
	p.expect("as")
	p.query(false)
}

func (p *writeParser) drop() {
	p.ifExists()
	p.table()
	if p.w.Kind == DropTable {
		p.accept("purge")
	}
}

func (p *writeParser) createDatabase() {
	p.ifNotExists()
	p.database()
	for !p.atEnd() {
		switch {
		case p.accept("comment"):
			p.w.Comment = p.str()
		case p.accept("location"):
			p.w.Location = p.str()
		case p.accept("with"):
			p.expect("dbproperties")
			p.stringProperties()
		default:
			p.fail("COMMENT, LOCATION, WITH DBPROPERTIES or <EOF>")
		}
	}
}

func (p *writeParser) dropDatabase() {
	p.ifExists()
	p.database()
	if p.accept("cascade") {
		p.w.Cascade = true
	} else {
		p.accept("restrict")
	}
}
