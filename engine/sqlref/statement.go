package sqlref

import (
	"strings"

	"github.com/quiltq/quiltq/engine"
)

// script reads statements separated by semicolons; every statement counts,
// not only the first, since a gate handed a script must see all of it.
func (p *parser) script() {
	n := 0
	for {
		for p.acceptOp(";") {
		}
		if p.peek().Kind == 0 {
			break
		}
		p.statement()
		n++
		if !p.atEnd() {
			p.unexpected("the end of the statement")
		}
	}
	if n == 0 {
		p.failAt(p.peek(), "no SQL statement")
	}
}

func (p *parser) statement() {
	t := p.peek()
	if t.IsOp("(") || p.startsQuery() {
		p.rootQuery()
		return
	}
	if t.Kind != Word {
		p.unexpected("a statement")
	}
	switch t.Value {
	case "insert":
		p.insert()
	case "create":
		p.create()
	case "drop":
		p.drop()
	case "alter":
		p.alter()
	case "msck":
		p.i++
		p.expectWord("repair")
		p.expectWord("table")
		p.addTable(p.ddlName(), engine.Write)
		p.skipRest()
	case "vacuum":
		p.i++
		p.addTable(p.ddlName(), engine.Write)
	case "optimize":
		p.i++
		p.addTable(p.ddlName(), engine.Write)
		for !p.atEnd() {
			if p.acceptWord("where") {
				p.expr()
				continue
			}
			p.skip()
		}
	case "show":
		p.show()
	case "describe", "desc":
		p.describe()
	case "explain":
		p.explainStatement()
	case "prepare":
		p.i++
		p.ident()
		p.expectWord("from")
		p.statement()
	case "execute":
		p.execute()
	case "deallocate":
		p.i++
		p.expectWord("prepare")
		p.ident()
	case "unload":
		p.i++
		p.expectOp("(")
		p.query()
		p.expectOp(")")
		p.expectWord("to")
		if p.peek().Kind != String {
			p.unexpected("the S3 location")
		}
		p.i++
		if p.acceptWord("with") {
			p.skipParens()
		}
	case "merge":
		p.merge()
	case "delete":
		p.i++
		p.expectWord("from")
		p.addTable(p.qualifiedName(), engine.Write)
		if p.acceptWord("where") {
			p.expr()
		}
	case "update":
		p.i++
		p.addTable(p.qualifiedName(), engine.Write)
		p.expectWord("set")
		p.assignments()
		if p.acceptWord("where") {
			p.expr()
		}
	case "using":
		p.usingFunctions()
	default:
		p.failAt(t, "unsupported statement %s: cannot tell which tables it reads", strings.ToUpper(t.Value))
	}
}

// rootQuery reads a query statement with Trino's optional WITH SESSION
// properties and inline WITH FUNCTION definitions before it.
func (p *parser) rootQuery() {
	if p.word("with") && isWord(p.peekN(1), "session") && isNameToken(p.peekN(2)) {
		p.i += 2
		for {
			p.qualifiedName()
			p.expectOp("=")
			p.expr()
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.word("with") && isWord(p.peekN(1), "function") && isNameToken(p.peekN(2)) {
		p.i++
		for {
			p.inlineFunction()
			if !p.acceptOp(",") {
				break
			}
		}
	}
	p.query()
}

// inlineFunction reads FUNCTION name(params) RETURNS type [characteristics]
// RETURN expression. Procedural bodies (BEGIN ... END) are refused.
func (p *parser) inlineFunction() {
	p.expectWord("function")
	p.qualifiedName()
	p.paren()
	p.expectWord("returns")
	for !p.word("return") {
		if p.word("begin") {
			p.failAt(p.peek(), "procedural function bodies (BEGIN ... END) are not supported by the reference check")
		}
		if p.op("(") {
			p.skipParens()
			continue
		}
		if p.atEnd() {
			p.unexpected("RETURN")
		}
		p.skip()
	}
	p.i++
	p.expr()
}

func (p *parser) insert() {
	p.i++
	p.expectWord("into")
	p.addTable(p.qualifiedName(), engine.Write)
	if p.op("(") && !isWord(p.peekN(1), "select") && !isWord(p.peekN(1), "with") &&
		!isWord(p.peekN(1), "values") && !isWord(p.peekN(1), "table") && !p.peekN(1).IsOp("(") {
		p.identList()
	}
	p.query()
}

func (p *parser) create() {
	p.i++
	if p.acceptWord("or") {
		p.expectWord("replace")
	}
	switch {
	case p.acceptWord("external"):
		p.expectWord("table")
		p.createTable()
	case p.acceptWord("table"):
		p.createTable()
	case p.acceptWord("view"):
		p.createView()
	case p.acceptWord("materialized"):
		p.expectWord("view")
		p.createView()
	case p.acceptWord("database"), p.acceptWord("schema"):
		p.ifNotExists()
		p.addDatabase(p.ddlName(), engine.Write)
		p.skipRest()
	default:
		p.failAt(p.peek(), "unsupported statement CREATE %s: cannot tell which tables it changes", strings.ToUpper(p.peek().Text))
	}
}

func (p *parser) ifNotExists() {
	if p.acceptWord("if") {
		p.expectWord("not")
		p.expectWord("exists")
	}
}

func (p *parser) ifExists() {
	if p.acceptWord("if") {
		p.expectWord("exists")
	}
}

// createTable reads the rest of CREATE [EXTERNAL] TABLE, Trino's
// (CTAS, column list with LIKE, WITH properties) or Hive's (columns,
// PARTITIONED BY, ROW FORMAT, STORED AS, LOCATION, TBLPROPERTIES).
func (p *parser) createTable() {
	p.ifNotExists()
	p.addTable(p.ddlName(), engine.Write)
	for !p.atEnd() {
		switch {
		case p.word("as") && (p.peekN(1).IsOp("(") || isWord(p.peekN(1), "select") || isWord(p.peekN(1), "with") ||
			isWord(p.peekN(1), "values") || isWord(p.peekN(1), "table")):
			p.i++
			p.query()
			if p.acceptWord("with") {
				p.acceptWord("no")
				p.expectWord("data")
			}
			return
		case p.op("("):
			p.columns()
		case p.acceptWord("like"):
			p.addTable(p.ddlName(), engine.Read)
		default:
			p.skipOption()
		}
	}
}

// columns skips a column or property list, recording the table of a
// Trino LIKE element, whose columns are copied.
func (p *parser) columns() {
	p.enter()
	defer p.leave()
	p.expectOp("(")
	element := true
	for !p.acceptOp(")") {
		switch {
		case element && p.acceptWord("like"):
			p.addTable(p.ddlName(), engine.Read)
		case p.op("("):
			p.skipParens()
		case p.op(";"):
			p.unexpected("')'")
		default:
			element = p.op(",")
			p.skip()
			continue
		}
		element = false
	}
}

func (p *parser) createView() {
	p.ifNotExists()
	p.addTable(p.ddlName(), engine.Write)
	for !p.word("as") {
		if p.op("(") {
			p.skipParens()
			continue
		}
		if p.atEnd() {
			p.unexpected("AS and the view's query")
		}
		p.skip()
	}
	p.i++
	p.query()
}

func (p *parser) drop() {
	p.i++
	switch {
	case p.acceptWord("table"), p.acceptWord("view"):
	case p.acceptWord("materialized"):
		p.expectWord("view")
	case p.acceptWord("database"), p.acceptWord("schema"):
		p.ifExists()
		p.addDatabase(p.ddlName(), engine.Write)
		p.skipRest()
		return
	default:
		p.failAt(p.peek(), "unsupported statement DROP %s: cannot tell what it drops", strings.ToUpper(p.peek().Text))
	}
	p.ifExists()
	p.addTable(p.ddlName(), engine.Write)
	// One name only: DROP TABLE a, b is not Athena SQL, and skipping b
	// would hide it.
	if !p.acceptWord("purge") && !p.acceptWord("cascade") {
		p.acceptWord("restrict")
	}
}

func (p *parser) alter() {
	p.i++
	var add func(name, engine.Access)
	switch {
	case p.acceptWord("table"), p.acceptWord("view"):
		add = p.addTable
	case p.acceptWord("materialized"):
		p.expectWord("view")
		add = p.addTable
	case p.acceptWord("database"), p.acceptWord("schema"):
		add = p.addDatabase
	default:
		p.failAt(p.peek(), "unsupported statement ALTER %s: cannot tell what it changes", strings.ToUpper(p.peek().Text))
	}
	p.ifExists()
	add(p.ddlName(), engine.Write)
	for !p.atEnd() {
		switch {
		case p.word("rename") && isWord(p.peekN(1), "to"):
			// The new name is written too.
			p.i += 2
			add(p.ddlName(), engine.Write)
		case p.word("as") && p.startsQueryAt(1):
			// Hive's ALTER VIEW v AS SELECT ...
			p.i++
			p.query()
		default:
			p.skipOption()
		}
	}
}

// startsQueryAt reports whether the token n ahead opens a query.
func (p *parser) startsQueryAt(n int) bool {
	p.i += n
	ok := p.startsQuery()
	p.i -= n
	return ok
}

// show reads SHOW statements, which only look at definitions: metadata.
func (p *parser) show() {
	p.i++
	t := p.peek()
	switch {
	case p.acceptWord("tables"), p.acceptWord("views"):
		if p.acceptWord("in") || p.acceptWord("from") {
			p.addDatabase(p.ddlName(), engine.Metadata)
		} else {
			p.addRef(t, p.d.Catalog, p.d.Database, "*", engine.Metadata)
		}
	case p.acceptWord("schemas"), p.acceptWord("databases"):
		if p.acceptWord("in") || p.acceptWord("from") {
			n := p.ddlName()
			if len(n.parts) != 1 {
				p.failAt(n.tok, "expected a catalog name, found %s", n)
			}
			p.addRef(n.tok, n.parts[0], "*", "*", engine.Metadata)
		} else {
			p.addRef(t, p.d.Catalog, "*", "*", engine.Metadata)
		}
	case p.acceptWord("columns"):
		if !p.acceptWord("from") {
			p.expectWord("in")
		}
		n := p.ddlName()
		if p.acceptWord("from") || p.acceptWord("in") {
			db := p.ddlName()
			if len(n.parts) != 1 {
				p.failAt(n.tok, "SHOW COLUMNS names the database twice")
			}
			n.parts = append(db.parts, n.parts[0])
		}
		p.addTable(n, engine.Metadata)
	case p.acceptWord("create"):
		if !p.acceptWord("table") {
			p.acceptWord("materialized")
			p.expectWord("view")
		}
		p.addTable(p.ddlName(), engine.Metadata)
	case p.acceptWord("partitions"), p.acceptWord("tblproperties"):
		p.addTable(p.ddlName(), engine.Metadata)
	case p.acceptWord("stats"):
		p.expectWord("for")
		if p.op("(") {
			saved := p.explain
			p.explain = true
			p.i++
			p.query()
			p.expectOp(")")
			p.explain = saved
		} else {
			p.addTable(p.qualifiedName(), engine.Metadata)
		}
	case p.acceptWord("catalogs"):
		p.addRef(t, "*", "*", "*", engine.Metadata)
	case p.acceptWord("functions"), p.acceptWord("session"):
	default:
		p.failAt(t, "unsupported statement SHOW %s: cannot tell what it lists", strings.ToUpper(t.Text))
	}
	p.skipRest()
}

func (p *parser) describe() {
	p.i++
	if p.word("input") || p.word("output") {
		p.failAt(p.peek(), "DESCRIBE %s describes a prepared statement whose tables are not in this text",
			strings.ToUpper(p.peek().Value))
	}
	if !p.acceptWord("formatted") {
		p.acceptWord("extended")
	}
	p.addTable(p.ddlName(), engine.Metadata)
	p.skipRest()
}

// explainStatement reads EXPLAIN [ANALYZE [VERBOSE]] [(options)] statement.
// Plain EXPLAIN only plans the statement, so its references are metadata;
// EXPLAIN ANALYZE runs it and keeps their access.
func (p *parser) explainStatement() {
	p.i++
	analyze := p.acceptWord("analyze")
	if analyze {
		p.acceptWord("verbose")
	}
	if p.op("(") && (isWord(p.peekN(1), "format") || isWord(p.peekN(1), "type")) {
		p.skipParens()
	}
	saved := p.explain
	if !analyze {
		p.explain = true
	}
	p.statement()
	p.explain = saved
}

// execute accepts EXECUTE IMMEDIATE 'sql', whose text is read like any
// other, and refuses EXECUTE of a prepared statement, whose tables are not
// in the text.
func (p *parser) execute() {
	t := p.next()
	if !p.acceptWord("immediate") {
		p.failAt(t, "EXECUTE runs a prepared statement whose tables are not in this text; run its SQL instead")
	}
	s := p.peek()
	if s.Kind != String {
		p.unexpected("the SQL text to execute")
	}
	p.i++
	toks, err := Lex(s.Value)
	if err == nil {
		sub := &parser{src: s.Value, toks: Significant(toks), d: p.d, explain: p.explain, refs: p.refs, seen: p.seen}
		err = sub.run(sub.script)
		p.refs, p.seen = sub.refs, sub.seen
	}
	if err != nil {
		p.failAt(s, "in the text of EXECUTE IMMEDIATE: %v", err)
	}
	if p.acceptWord("using") {
		p.exprList()
	}
}

func (p *parser) merge() {
	p.i++
	p.expectWord("into")
	p.addTable(p.qualifiedName(), engine.Write)
	p.alias()
	p.expectWord("using")
	p.sampled()
	p.expectWord("on")
	p.expr()
	if !p.word("when") {
		p.unexpected("WHEN")
	}
	for p.acceptWord("when") {
		p.acceptWord("not")
		p.expectWord("matched")
		if p.acceptWord("and") {
			p.expr()
		}
		p.expectWord("then")
		switch {
		case p.acceptWord("update"):
			p.expectWord("set")
			p.assignments()
		case p.acceptWord("delete"):
		case p.acceptWord("insert"):
			if p.op("(") {
				p.identList()
			}
			p.expectWord("values")
			if !p.op("(") {
				p.unexpected("'(' and the values to insert")
			}
			p.paren()
		default:
			p.unexpected("UPDATE, DELETE or INSERT")
		}
	}
}

// assignments reads column = expression, ...
func (p *parser) assignments() {
	for {
		p.qualifiedName()
		p.expectOp("=")
		p.expr()
		if !p.acceptOp(",") {
			return
		}
	}
}

// usingFunctions reads Athena's USING EXTERNAL FUNCTION declarations and
// the query that calls them. The functions run in Lambda or SageMaker;
// they are not tables.
func (p *parser) usingFunctions() {
	p.i++
	for {
		p.expectWord("external")
		p.expectWord("function")
		p.ident()
		if !p.op("(") {
			p.unexpected("'(' and the function's parameters")
		}
		p.paren()
		p.expectWord("returns")
		for !p.word("lambda") && !p.word("sagemaker") {
			if p.op("(") {
				p.skipParens()
				continue
			}
			if p.atEnd() {
				p.unexpected("LAMBDA or SAGEMAKER")
			}
			p.skip()
		}
		p.i++
		if p.peek().Kind != String {
			p.unexpected("the function's Lambda or SageMaker name")
		}
		p.i++
		if !p.acceptOp(",") {
			break
		}
	}
	p.query()
}
