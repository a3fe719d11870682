package sqlref

import "github.com/quiltq/quiltq/engine"

// startsQuery reports whether the tokens at the cursor open a query:
// SELECT, WITH, VALUES, or TABLE name (TABLE followed by '(' is a table
// function, which only a FROM clause may hold).
func (p *parser) startsQuery() bool {
	t := p.peek()
	if t.Kind != Word {
		return false
	}
	switch t.Value {
	case "select", "with", "values":
		return true
	case "table":
		return !p.peekN(1).IsOp("(")
	}
	return false
}

// query reads [WITH [RECURSIVE] entries] followed by a query body. The WITH
// entries are visible to later entries and to the body, not to earlier
// entries nor (unless RECURSIVE) to their own definition.
func (p *parser) query() {
	p.enter()
	defer p.leave()
	if !p.acceptWord("with") {
		p.queryNoWith()
		return
	}
	recursive := p.acceptWord("recursive")
	frame := p.pushCTEs()
	for {
		n := p.ident()
		if recursive {
			p.defineCTE(frame, n)
		}
		if p.op("(") {
			p.identList()
		}
		p.expectWord("as")
		if p.acceptWord("not") {
			p.expectWord("materialized")
		} else {
			p.acceptWord("materialized")
		}
		p.expectOp("(")
		p.query()
		p.expectOp(")")
		if !recursive {
			p.defineCTE(frame, n)
		}
		if !p.acceptOp(",") {
			break
		}
	}
	p.queryNoWith()
	p.popCTEs(frame)
}

func (p *parser) queryNoWith() {
	p.queryPrimary()
	p.setOps()
	p.queryTail()
}

// setOps reads the (UNION | INTERSECT | EXCEPT) branches after a first
// query term.
func (p *parser) setOps() {
	for p.word("union") || p.word("intersect") || p.word("except") {
		p.i++
		if !p.acceptWord("all") {
			p.acceptWord("distinct")
		}
		if p.acceptWord("corresponding") && p.acceptWord("by") {
			p.identList()
		}
		p.queryPrimary()
	}
}

// queryTail reads ORDER BY, OFFSET, LIMIT and FETCH.
func (p *parser) queryTail() {
	if p.acceptWord("order") {
		p.expectWord("by")
		p.exprList()
	}
	if p.acceptWord("offset") {
		p.expr()
	}
	if p.acceptWord("limit") {
		p.expr()
	} else if p.acceptWord("fetch") {
		if !p.acceptWord("first") {
			p.expectWord("next")
		}
		if t := p.peek(); t.Kind == Number || t.Kind == Param {
			p.i++
		}
		if !p.acceptWord("rows") {
			p.expectWord("row")
		}
		if p.acceptWord("with") {
			p.expectWord("ties")
		} else {
			p.expectWord("only")
		}
	}
}

func (p *parser) queryPrimary() {
	switch t := p.peek(); {
	case isWord(t, "select"):
		p.querySpec()
	case isWord(t, "table") && !p.peekN(1).IsOp("("):
		p.i++
		p.relationRef(p.qualifiedName())
	case isWord(t, "values"):
		p.i++
		p.exprList()
	case t.IsOp("("):
		p.i++
		p.query()
		p.expectOp(")")
	default:
		p.unexpected("a query (SELECT, WITH, VALUES, TABLE or '(')")
	}
}

// querySpec reads SELECT ... [FROM] [WHERE] [GROUP BY] [HAVING] [WINDOW].
func (p *parser) querySpec() {
	p.expectWord("select")
	if !p.acceptWord("all") {
		p.acceptWord("distinct")
	}
	p.exprList()
	if p.acceptWord("from") {
		p.relation()
		for p.acceptOp(",") {
			p.relation()
		}
	}
	if p.acceptWord("where") {
		p.expr()
	}
	if p.acceptWord("group") {
		p.expectWord("by")
		if !p.acceptWord("all") {
			p.acceptWord("distinct")
		}
		p.exprList()
	}
	if p.acceptWord("having") {
		p.expr()
	}
	if p.windowClause() {
		p.i++
		for {
			p.ident()
			p.expectWord("as")
			if !p.op("(") {
				p.unexpected("'(' and a window specification")
			}
			p.paren()
			if !p.acceptOp(",") {
				break
			}
		}
	}
}

// windowClause reports whether the cursor is at WINDOW name AS.
func (p *parser) windowClause() bool {
	return p.word("window") && isIdentToken(p.peekN(1)) && isWord(p.peekN(2), "as")
}

// relation reads one FROM item with its joins.
func (p *parser) relation() {
	p.sampled()
	p.joins()
}

func (p *parser) joins() {
	for {
		cross := p.acceptWord("cross")
		natural := !cross && p.acceptWord("natural")
		typed := !cross && (p.acceptWord("inner") || p.acceptWord("left") || p.acceptWord("right") || p.acceptWord("full"))
		if typed {
			p.acceptWord("outer")
		}
		if !p.acceptWord("join") {
			if cross || natural || typed {
				p.unexpected("JOIN")
			}
			return
		}
		p.sampled()
		if cross || natural {
			continue
		}
		switch {
		case p.acceptWord("on"):
			p.expr()
		case p.acceptWord("using"):
			p.identList()
		default:
			p.unexpected("ON or USING after the joined relation")
		}
	}
}

// sampled reads a relation primary with its alias and TABLESAMPLE.
func (p *parser) sampled() {
	p.primary()
	p.aliasAndSample()
}

func (p *parser) aliasAndSample() {
	p.alias()
	if p.acceptWord("tablesample") {
		p.ident()
		if !p.op("(") {
			p.unexpected("'(' and a sample percentage")
		}
		p.paren()
	}
	if p.word("match_recognize") {
		p.failAt(p.peek(), "MATCH_RECOGNIZE is not supported by the reference check")
	}
}

// alias reads [AS] name [(column, ...)].
func (p *parser) alias() {
	t := p.peek()
	switch {
	case isWord(t, "as"):
		p.i++
		p.ident()
	case t.Kind == QuotedIdent, t.Kind == Word && !isReserved(t.Value) && !isAliasStop(t.Value):
		p.i++
	default:
		return
	}
	if p.op("(") {
		p.identList()
	}
}

// identList reads '(' name, ... ')'.
func (p *parser) identList() {
	p.expectOp("(")
	for {
		p.ident()
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
}

func (p *parser) primary() {
	t := p.peek()
	switch {
	case t.IsOp("("):
		p.fromParen()
	case isWord(t, "unnest"):
		p.i++
		p.expectOp("(")
		p.exprList()
		p.expectOp(")")
		if p.word("with") && isWord(p.peekN(1), "ordinality") {
			p.i += 2
		}
	case isWord(t, "lateral"):
		p.i++
		p.expectOp("(")
		p.query()
		p.expectOp(")")
	case isWord(t, "table"):
		p.i++
		p.tableFunction()
	case t.Kind == Word || t.Kind == QuotedIdent || t.Kind == BacktickIdent:
		p.relationRef(p.qualifiedName())
		if p.acceptWord("for") {
			p.timeTravel()
		}
	default:
		p.unexpected("a table name, a subquery, UNNEST, LATERAL or TABLE(...)")
	}
}

// fromParen reads a parenthesized FROM item, which is either a subquery
// or a parenthesized join, and reports which. Where both are possible
// (a parenthesis right after the first one) it decides by what follows
// the inner item, so no backtracking is needed.
func (p *parser) fromParen() (isQuery bool) {
	p.enter()
	defer p.leave()
	p.expectOp("(")
	switch {
	case p.startsQuery():
		p.query()
		p.expectOp(")")
		return true
	case p.op("("):
		if p.fromParen() {
			if continuesQuery(p.peek()) {
				p.setOps()
				p.queryTail()
				p.expectOp(")")
				return true
			}
			if p.acceptOp(")") {
				return true
			}
		}
		p.aliasAndSample()
		p.joins()
	default:
		p.relation()
	}
	p.expectOp(")")
	return false
}

// timeTravel reads the rest of FOR TIMESTAMP|VERSION AS OF value.
func (p *parser) timeTravel() {
	t := p.peek()
	if t.Kind != Word {
		p.unexpected("TIMESTAMP or VERSION")
	}
	switch t.Value {
	case "timestamp", "version", "system_time", "system_version":
	default:
		p.unexpected("TIMESTAMP or VERSION")
	}
	p.i++
	p.expectWord("as")
	p.expectWord("of")
	p.valueExpr()
}

// valueExpr reads an arithmetic value expression without the words that
// could be an alias after it: the point in time of a time-travel clause.
func (p *parser) valueExpr() {
	for {
		for p.acceptOp("-") || p.acceptOp("+") {
		}
		t := p.peek()
		switch {
		case t.Kind == Number, t.Kind == String, t.Kind == Param:
			p.i++
		case t.IsOp("("):
			p.paren()
		case isWord(t, "interval"):
			p.i++
			for p.acceptOp("-") || p.acceptOp("+") {
			}
			if p.peek().Kind != String {
				p.unexpected("an interval string")
			}
			p.i++
			p.ident()
			if p.acceptWord("to") {
				p.ident()
			}
		case isIdentToken(t) && !isReserved(t.Value) || isWord(t, "current_timestamp") || isWord(t, "current_date"):
			p.i++
			switch {
			case p.peek().Kind == String && t.Kind == Word: // a typed literal: TIMESTAMP '...'
				p.i++
			case p.op("("):
				p.paren()
			default:
				for p.acceptOp(".") {
					p.ident()
				}
			}
		default:
			p.unexpected("a point in time")
		}
		if p.word("at") && isWord(p.peekN(1), "time") && isWord(p.peekN(2), "zone") {
			p.i += 3
			continue
		}
		if !p.acceptOp("+") && !p.acceptOp("-") && !p.acceptOp("*") && !p.acceptOp("/") &&
			!p.acceptOp("%") && !p.acceptOp("||") {
			return
		}
	}
}

// tableFunction reads '(' name '(' arguments ')' ')' after TABLE and
// records what the function reads. Only functions whose reads are known
// are accepted: exclude_columns and sequence, and the federated
// passthrough CATALOG.system.query, which may read anything in CATALOG.
func (p *parser) tableFunction() {
	p.expectOp("(")
	fn := p.qualifiedName()
	p.expectOp("(")
	if !p.op(")") {
		for {
			if isIdentToken(p.peek()) && p.peekN(1).IsOp("=>") {
				p.i += 2
			}
			switch {
			case p.word("table") && p.peekN(1).IsOp("("):
				p.i += 2
				if p.startsQuery() {
					p.query()
				} else {
					p.relationRef(p.qualifiedName())
				}
				p.expectOp(")")
				p.alias()
				if p.acceptWord("partition") {
					p.expectWord("by")
					p.exprList()
				}
				if p.acceptWord("prune") || p.acceptWord("keep") {
					p.expectWord("when")
					p.expectWord("empty")
				}
				if p.acceptWord("order") {
					p.expectWord("by")
					p.exprList()
				}
			case p.word("descriptor") && p.peekN(1).IsOp("("):
				p.i++
				p.paren()
			default:
				p.expr()
			}
			if !p.acceptOp(",") {
				break
			}
		}
	}
	p.expectOp(")")
	p.expectOp(")")
	parts := fn.parts
	last := parts[len(parts)-1]
	switch {
	case (last == "exclude_columns" || last == "sequence") &&
		(len(parts) == 1 || len(parts) == 3 && parts[0] == "system" && parts[1] == "builtin"):
	case len(parts) >= 2 && len(parts) <= 3 && parts[len(parts)-2] == "system" && (last == "query" || last == "raw_query"):
		cat := p.d.Catalog
		if len(parts) == 3 {
			cat = parts[0]
		}
		p.addRef(fn.tok, cat, "*", "*", engine.Read)
	default:
		p.failAt(fn.tok, "unknown table function %s: cannot tell which tables it reads", fn)
	}
}

// expr reads one expression up to a comma, a closing bracket, the end of
// the statement or a clause keyword outside parentheses. It does not
// build a tree: references hide only in subqueries, and every '(' is
// examined by paren.
func (p *parser) expr() {
	start := p.i
	cases := 0
loop:
	for {
		t := p.peek()
		switch t.Kind {
		case 0:
			break loop
		case Op:
			switch t.Text {
			case "(":
				p.paren()
				continue
			case "[":
				p.bracket()
				continue
			case ")", "]", ";", ",":
				break loop
			}
		case Word:
			if p.stopsExpr(t, cases) {
				break loop
			}
			switch t.Value {
			case "case":
				cases++
			case "end":
				cases--
			case "as":
				// An alias: consume it even when it is a word like LIMIT,
				// but never a reserved word such as SELECT.
				if n := p.peekN(1); n.Kind == QuotedIdent || n.Kind == Word && !isReserved(n.Value) {
					p.i++
				}
			}
		}
		p.i++
	}
	if p.i == start {
		p.unexpected("an expression")
	}
	if cases > 0 {
		p.unexpected("END of CASE")
	}
}

func (p *parser) stopsExpr(t Token, cases int) bool {
	prev := func(n int) Token {
		if p.i-n >= 0 {
			return p.toks[p.i-n]
		}
		return Token{}
	}
	switch t.Value {
	case "when", "then", "else", "end":
		return cases == 0
	case "from":
		// a IS [NOT] DISTINCT FROM b
		return !(isWord(prev(1), "distinct") && (isWord(prev(2), "is") || isWord(prev(2), "not") && isWord(prev(3), "is")))
	case "group":
		return !isWord(prev(1), "within")
	case "limit":
		n := p.peekN(1)
		return n.Kind == Number || n.Kind == Param || isWord(n, "all")
	case "offset":
		n := p.peekN(1)
		return n.Kind == Number || n.Kind == Param
	case "fetch":
		n := p.peekN(1)
		return isWord(n, "first") || isWord(n, "next")
	case "window":
		return p.windowClause()
	}
	return isExprStop(t.Value)
}

func (p *parser) exprList() {
	for {
		p.expr()
		if !p.acceptOp(",") {
			return
		}
	}
}

// paren reads a parenthesized group inside an expression: a subquery, or
// arguments, a row or a nested expression, and reports whether it was a
// query.
func (p *parser) paren() (isQuery bool) {
	p.enter()
	defer p.leave()
	p.expectOp("(")
	switch {
	case p.startsQuery():
		p.query()
		p.expectOp(")")
		return true
	case p.op("("):
		if p.paren() {
			if continuesQuery(p.peek()) {
				p.setOps()
				p.queryTail()
				p.expectOp(")")
				return true
			}
			if p.acceptOp(")") {
				return true
			}
		}
	}
	p.inner(")")
	return false
}

// bracket reads an array constructor or subscript: '[' ... ']'.
func (p *parser) bracket() {
	p.enter()
	defer p.leave()
	p.expectOp("[")
	p.inner("]")
}

// inner reads the rest of a parenthesized or bracketed group, up to and
// including close. Inside parentheses anything goes (CAST(x AS t),
// EXTRACT(y FROM d), ORDER BY in aggregates, window frames) except a
// query that is not at the start of its own parentheses: skip refuses
// SELECT and TABLE.
func (p *parser) inner(close string) {
	for {
		t := p.peek()
		switch {
		case t.IsOp(close):
			p.i++
			return
		case t.IsOp("("):
			p.paren()
		case t.IsOp("["):
			p.bracket()
		case t.IsOp(")"), t.IsOp("]"), t.IsOp(";"), t.Kind == 0:
			p.unexpected("'" + close + "'")
		default:
			p.skip()
		}
	}
}
