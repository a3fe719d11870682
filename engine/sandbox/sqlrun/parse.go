package sqlrun

import (
	"strconv"
	"strings"

	"github.com/quiltq/quiltq/engine/sqlref"
)

// The parser reads Trino's query grammar (the SELECT statement and its
// expressions, as trinodb/trino's SqlBase.g4 has them) by recursive
// descent over the shared lexer's tokens. A syntax error is Trino's
// "mismatched input 'X'. Expecting: ..." at the offending token; the lists
// of expected tokens are shorter than ANTLR's, which lists every keyword
// that could come next.

type parser struct {
	toks   []tok
	eof    tok
	i      int
	params int
}

func (p *parser) run(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			pf, ok := r.(parseFailure)
			if !ok {
				panic(r)
			}
			err = pf.err
			if pf.err.passthrough != nil {
				err = pf.err.passthrough
			}
		}
	}()
	f()
	return nil
}

func (p *parser) peek() tok {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return p.eof
}

func (p *parser) peekAt(k int) tok {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.eof
}

func (p *parser) next() tok {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func (p *parser) atEnd() bool { return p.i >= len(p.toks) }

func (p *parser) is(w string) bool          { return p.peek().Is(w) }
func (p *parser) isOp(op string) bool       { return p.peek().IsOp(op) }
func (p *parser) isAt(k int, w string) bool { return p.peekAt(k).Is(w) }

func (p *parser) accept(w string) bool {
	if p.is(w) {
		p.i++
		return true
	}
	return false
}

func (p *parser) acceptOp(op string) bool {
	if p.isOp(op) {
		p.i++
		return true
	}
	return false
}

// fail reports a mismatched input at the current token.
func (p *parser) fail(expecting string) {
	t := p.peek()
	msg := "mismatched input '" + t.Text + "'"
	if expecting != "" {
		msg += ". Expecting: " + expecting
	}
	panic(parseFailure{newError(syntaxError, t.Line, t.Col, msg)})
}

func (p *parser) failAt(k errorKind, t tok, msg string) {
	panic(parseFailure{newError(k, t.Line, t.Col, msg)})
}

func (p *parser) expect(w string) tok {
	if !p.is(w) {
		p.fail("'" + strings.ToUpper(w) + "'")
	}
	return p.next()
}

func (p *parser) expectOp(op string) tok {
	if !p.isOp(op) {
		p.fail("'" + op + "'")
	}
	return p.next()
}

// reserved are Trino's reserved words (SqlBase.g4's nonReserved excludes
// them): they cannot be bare identifiers.
var reserved = map[string]bool{
	"alter": true, "and": true, "as": true, "between": true, "by": true, "case": true, "cast": true,
	"constraint": true, "create": true, "cross": true, "cube": true, "current_date": true,
	"current_path": true, "current_role": true, "current_time": true, "current_timestamp": true,
	"current_user": true, "deallocate": true, "delete": true, "describe": true, "distinct": true,
	"drop": true, "else": true, "end": true, "escape": true, "except": true, "execute": true,
	"exists": true, "extract": true, "false": true, "for": true, "from": true, "full": true,
	"group": true, "grouping": true, "having": true, "in": true, "inner": true, "insert": true,
	"intersect": true, "into": true, "is": true, "join": true, "left": true, "like": true,
	"localtime": true, "localtimestamp": true, "natural": true, "normalize": true, "not": true,
	"null": true, "on": true, "or": true, "order": true, "outer": true, "prepare": true,
	"recursive": true, "right": true, "rollup": true, "select": true, "skip": true, "table": true,
	"then": true, "true": true, "uescape": true, "union": true, "unnest": true, "using": true,
	"values": true, "when": true, "where": true, "with": true, "json_table": true, "trim": true,
	"listagg": true, "json_object": true, "json_array": true, "json_exists": true, "json_value": true,
	"json_query": true,
}

// clauseWords are the non-reserved words that start a clause, so that
// they are not taken for an alias: SELECT 1 LIMIT 1.
var clauseWords = map[string]bool{"limit": true, "offset": true, "fetch": true, "window": true, "tablesample": true}

// identifier reads one identifier: a bare word that is not reserved, or a
// quoted one. Bare words fold to lower case, as Athena folds them.
func (p *parser) identifier() (string, tok) {
	t := p.peek()
	switch {
	case t.Kind == sqlref.QuotedIdent:
		p.i++
		return t.Value, t
	case t.Kind == sqlref.Word && !reserved[t.Value]:
		p.i++
		return t.Value, t
	case t.Kind == sqlref.BacktickIdent:
		p.failAt(syntaxError, t, "backquoted identifiers are not supported; use double quotes to quote identifiers")
	}
	p.fail("<identifier>")
	return "", t
}

func (p *parser) isIdentifier() bool {
	t := p.peek()
	return t.Kind == sqlref.QuotedIdent || t.Kind == sqlref.Word && !reserved[t.Value] || t.Kind == sqlref.BacktickIdent
}

// qualifiedName reads a.b.c.
func (p *parser) qualifiedName() ([]string, []tok) {
	var parts []string
	var toks []tok
	for {
		n, t := p.identifier()
		parts = append(parts, strings.ToLower(n))
		toks = append(toks, t)
		if !p.isOp(".") || !(p.peekAt(1).Kind == sqlref.QuotedIdent || p.peekAt(1).Kind == sqlref.Word || p.peekAt(1).Kind == sqlref.BacktickIdent) {
			return parts, toks
		}
		p.i++
	}
}

// statementKeywords is what a statement may start with, in the order
// Trino's parser lists them (Athena engine version 3).
const statementKeywords = "'ALTER', 'ANALYZE', 'CALL', 'CREATE', 'DEALLOCATE', 'DELETE', 'DESC', 'DESCRIBE', 'DROP', 'EXPLAIN', 'GRANT', 'INSERT', 'MERGE', 'PREPARE', 'REFRESH', 'RESET', 'REVOKE', 'SET', 'SHOW', 'START', 'UPDATE', 'USE', 'WITH', <query>"

// parseQueryStatement reads a whole statement that is a query.
func (p *parser) parseQueryStatement() *query {
	q := p.query()
	if !p.atEnd() {
		p.fail("<EOF>")
	}
	return q
}

func (p *parser) query() *query {
	q := &query{at: p.peek()}
	if p.accept("with") {
		q.recursive = p.accept("recursive")
		for {
			c := &cte{}
			c.name, c.at = p.identifier()
			c.name = strings.ToLower(c.name)
			if p.isOp("(") {
				p.next()
				for {
					n, _ := p.identifier()
					c.columns = append(c.columns, n)
					if !p.acceptOp(",") {
						break
					}
				}
				p.expectOp(")")
			}
			p.expect("as")
			p.expectOp("(")
			c.q = p.query()
			p.expectOp(")")
			q.with = append(q.with, c)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	q.body = p.queryTerm()
	if p.is("order") && p.isAt(1, "by") {
		p.i += 2
		q.orderBy = p.sortItems()
	}
	if p.accept("offset") {
		q.offset = p.limitValue()
		if !p.accept("row") {
			p.accept("rows")
		}
	}
	switch {
	case p.accept("limit"):
		if !p.accept("all") {
			q.limit = p.limitValue()
		}
	case p.accept("fetch"):
		if !p.accept("first") {
			p.expect("next")
		}
		if p.peek().Kind == sqlref.Number || p.peek().Kind == sqlref.Param {
			q.limit = p.limitValue()
		} else {
			q.limit = &literal{at: p.peek(), kind: litInteger, text: "1"}
		}
		if !p.accept("row") {
			p.expect("rows")
		}
		if p.accept("with") {
			q.withTies = true
			p.expect("ties")
		} else {
			p.expect("only")
		}
	}
	return q
}

func (p *parser) limitValue() expr {
	t := p.peek()
	switch t.Kind {
	case sqlref.Number:
		p.i++
		return &literal{at: t, kind: litInteger, text: strings.ReplaceAll(t.Text, "_", "")}
	case sqlref.Param:
		p.i++
		e := &param{at: t, index: p.params}
		p.params++
		return e
	}
	p.fail("<integer>")
	return nil
}

func (p *parser) sortItems() []*sortItem {
	var out []*sortItem
	for {
		s := &sortItem{e: p.expr()}
		if p.accept("desc") {
			s.desc = true
		} else {
			p.accept("asc")
		}
		if p.accept("nulls") {
			first := p.accept("first")
			if !first {
				p.expect("last")
			}
			s.nullsFirst = &first
		}
		out = append(out, s)
		if !p.acceptOp(",") {
			return out
		}
	}
}

// queryTerm reads set operations: INTERSECT binds tighter than UNION and
// EXCEPT, which associate to the left.
func (p *parser) queryTerm() queryBody {
	left := p.intersectTerm()
	for p.is("union") || p.is("except") {
		at := p.next()
		op := &setOp{at: at, op: at.Value, left: left}
		if p.accept("all") {
			op.all = true
		} else {
			p.accept("distinct")
		}
		op.right = p.intersectTerm()
		left = op
	}
	return left
}

func (p *parser) intersectTerm() queryBody {
	left := p.queryPrimary()
	for p.is("intersect") {
		at := p.next()
		op := &setOp{at: at, op: "intersect", left: left}
		if p.accept("all") {
			op.all = true
		} else {
			p.accept("distinct")
		}
		op.right = p.queryPrimary()
		left = op
	}
	return left
}

func (p *parser) queryPrimary() queryBody {
	t := p.peek()
	switch {
	case t.Is("select"):
		return p.selectSpec()
	case t.Is("values"):
		p.next()
		v := &valuesBody{at: t}
		for {
			v.rows = append(v.rows, p.expr())
			if !p.acceptOp(",") {
				return v
			}
		}
	case t.Is("table"):
		p.next()
		name, _ := p.qualifiedName()
		return &tableBody{at: t, name: name}
	case t.IsOp("("):
		p.next()
		q := p.query()
		p.expectOp(")")
		return q
	}
	if p.i == 0 {
		p.fail(statementKeywords)
	}
	p.fail("'(', 'SELECT', 'TABLE', 'VALUES'")
	return nil
}

func (p *parser) selectSpec() *selectSpec {
	s := &selectSpec{at: p.expect("select")}
	if p.accept("distinct") {
		s.distinct = true
	} else {
		p.accept("all")
	}
	for {
		s.items = append(s.items, p.selectItem())
		if !p.acceptOp(",") {
			break
		}
	}
	if p.accept("from") {
		for {
			s.from = append(s.from, p.relation())
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.accept("where") {
		s.where = p.expr()
	}
	if p.is("group") && p.isAt(1, "by") {
		p.i += 2
		if !p.accept("all") {
			p.accept("distinct")
		}
		for {
			t := p.peek()
			if t.Is("grouping") && p.isAt(1, "sets") || (t.Is("rollup") || t.Is("cube")) && p.peekAt(1).IsOp("(") {
				p.failAt(notSupported, t, strings.ToUpper(t.Text)+" is not supported by the sandbox")
			}
			s.groupBy = append(s.groupBy, p.expr())
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.accept("having") {
		s.having = p.expr()
	}
	if p.is("window") {
		p.failAt(notSupported, p.peek(), "the WINDOW clause is not supported by the sandbox")
	}
	return s
}

func (p *parser) selectItem() *selectItem {
	t := p.peek()
	if t.IsOp("*") {
		p.next()
		return &selectItem{at: t, star: true}
	}
	// qualifier.*
	if p.isIdentifier() {
		save := p.i
		var parts []string
		for p.isIdentifier() {
			n, _ := p.identifier()
			parts = append(parts, n)
			if !p.acceptOp(".") {
				break
			}
			if p.isOp("*") {
				p.next()
				return &selectItem{at: t, star: true, qualifier: parts}
			}
		}
		p.i = save
	}
	it := &selectItem{at: t, e: p.expr()}
	if p.accept("as") {
		it.alias, _ = p.identifier()
		it.aliased = true
	} else if p.isIdentifier() && !clauseWords[p.peek().Value] {
		it.alias, _ = p.identifier()
		it.aliased = true
	}
	return it
}

// relation reads a FROM item with its joins.
func (p *parser) relation() relation {
	left := p.aliasedRelation()
	for {
		t := p.peek()
		kind := ""
		natural := false
		switch {
		case t.Is("cross") && p.isAt(1, "join"):
			p.i += 2
			left = &joinRel{at: t, kind: "cross", left: left, right: p.aliasedRelation()}
			continue
		case t.Is("natural"):
			p.failAt(notSupported, t, "Natural join not supported")
		case t.Is("join"):
			kind = "inner"
		case t.Is("inner") && p.isAt(1, "join"):
			kind = "inner"
			p.i++
		case t.Is("left") || t.Is("right") || t.Is("full"):
			kind = t.Value
			p.i++
			p.accept("outer")
			if !p.is("join") {
				p.fail("'JOIN'")
			}
		default:
			return left
		}
		p.expect("join")
		j := &joinRel{at: t, kind: kind, natural: natural, left: left, right: p.aliasedRelation()}
		switch {
		case p.accept("on"):
			j.on = p.expr()
		case p.accept("using"):
			p.expectOp("(")
			for {
				n, _ := p.identifier()
				j.using = append(j.using, n)
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
		default:
			p.fail("'ON', 'USING'")
		}
		left = j
	}
}

// aliasedRelation reads a relation primary and its [AS] alias [(columns)].
func (p *parser) aliasedRelation() relation {
	r := p.relationPrimary()
	if p.is("tablesample") {
		p.failAt(notSupported, p.peek(), "TABLESAMPLE is not supported by the sandbox")
	}
	alias, columns := "", []string(nil)
	if p.accept("as") || p.isIdentifier() && !clauseWords[p.peek().Value] {
		alias, _ = p.identifier()
		alias = strings.ToLower(alias)
		if p.isOp("(") {
			p.next()
			for {
				n, _ := p.identifier()
				columns = append(columns, n)
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
		}
	}
	switch x := r.(type) {
	case *tableRel:
		x.alias, x.columns = alias, columns
	case *subqueryRel:
		x.alias, x.columns = alias, columns
	case *unnestRel:
		x.alias, x.columns = alias, columns
	case *parenRel:
		x.alias, x.columns = alias, columns
	}
	return r
}

func (p *parser) relationPrimary() relation {
	t := p.peek()
	switch {
	case t.Is("unnest") && p.peekAt(1).IsOp("("):
		p.i += 2
		u := &unnestRel{at: t}
		for {
			u.args = append(u.args, p.expr())
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
		if p.is("with") && p.isAt(1, "ordinality") {
			p.i += 2
			u.ordinality = true
		}
		return u
	case t.Is("lateral") && p.peekAt(1).IsOp("("):
		p.i += 2
		q := p.query()
		p.expectOp(")")
		return &subqueryRel{at: t, q: q, lateral: true}
	case t.Is("table") && p.peekAt(1).IsOp("("):
		p.failAt(notSupported, t, "table functions are not supported by the sandbox")
	case t.IsOp("("):
		// A subquery, or a parenthesized relation.
		if k := p.peekAt(1); k.Is("select") || k.Is("with") || k.Is("values") || k.Is("table") && !p.peekAt(2).IsOp("(") || k.IsOp("(") && p.startsQueryAfterParens(1) {
			p.next()
			q := p.query()
			p.expectOp(")")
			return &subqueryRel{at: t, q: q}
		}
		p.next()
		r := p.relation()
		p.expectOp(")")
		return &parenRel{at: t, rel: r}
	}
	name, toks := p.qualifiedName()
	if len(name) > 3 {
		p.failAt(syntaxError, toks[0], "Too many dots in table name: "+strings.Join(name, "."))
	}
	if p.is("for") && (p.isAt(1, "version") || p.isAt(1, "timestamp") || p.isAt(1, "system_time") || p.isAt(1, "system_version")) {
		p.failAt(notSupported, p.peek(), "time travel (FOR ... AS OF) is not supported by the sandbox")
	}
	return &tableRel{at: t, name: name, nameToks: toks}
}

// startsQueryAfterParens reports whether, past the '(' at offset k and any
// further opening parentheses, a query starts.
func (p *parser) startsQueryAfterParens(k int) bool {
	for p.peekAt(k).IsOp("(") {
		k++
	}
	t := p.peekAt(k)
	return t.Is("select") || t.Is("with") || t.Is("values")
}

// Expressions, by precedence from lowest: OR, AND, NOT, predicates
// (comparison, BETWEEN, IN, LIKE, IS), ||, + -, * / %, unary sign, AT TIME
// ZONE, then primaries with their subscripts and field references.

func (p *parser) expr() expr { return p.or() }

func (p *parser) or() expr {
	l := p.and()
	for p.is("or") {
		at := p.next()
		l = &binary{at: at, op: "or", l: l, r: p.and()}
	}
	return l
}

func (p *parser) and() expr {
	l := p.not()
	for p.is("and") {
		at := p.next()
		l = &binary{at: at, op: "and", l: l, r: p.not()}
	}
	return l
}

func (p *parser) not() expr {
	if p.is("not") {
		at := p.next()
		return &unary{at: at, op: "not", x: p.not()}
	}
	return p.predicated()
}

var comparisons = map[string]string{"=": "=", "<>": "<>", "!=": "<>", "<": "<", ">": ">", "<=": "<=", ">=": ">="}

func (p *parser) predicated() expr {
	x := p.valueExpr()
	for {
		t := p.peek()
		if op, ok := comparisons[t.Text]; ok && t.Kind == sqlref.Op {
			p.next()
			if p.is("all") || p.is("any") || p.is("some") {
				all := p.next().Is("all")
				p.expectOp("(")
				q := p.query()
				p.expectOp(")")
				x = &quantified{at: t, op: op, x: x, all: all, q: q}
				continue
			}
			x = &binary{at: t, op: op, l: x, r: p.valueExpr()}
			continue
		}
		not := false
		if t.Is("not") && (p.isAt(1, "between") || p.isAt(1, "in") || p.isAt(1, "like")) {
			not = true
			p.next()
			t = p.peek()
		}
		switch {
		case t.Is("between"):
			p.next()
			low := p.valueExpr()
			p.expect("and")
			x = &between{at: t, x: x, low: low, high: p.valueExpr(), not: not}
		case t.Is("in"):
			p.next()
			p.expectOp("(")
			if p.is("select") || p.is("with") || p.is("values") || p.is("table") {
				q := p.query()
				p.expectOp(")")
				x = &inQuery{at: t, x: x, q: q, not: not}
				continue
			}
			in := &inList{at: t, x: x, not: not}
			for {
				in.list = append(in.list, p.expr())
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
			x = in
		case t.Is("like"):
			p.next()
			l := &like{at: t, x: x, pattern: p.valueExpr(), not: not}
			if p.accept("escape") {
				l.esc = p.valueExpr()
			}
			x = l
		case t.Is("is"):
			p.next()
			isNot := p.accept("not")
			switch {
			case p.accept("null"):
				x = &isNull{at: t, x: x, not: isNot}
			case p.is("distinct"):
				p.next()
				p.expect("from")
				x = &distinctFrom{at: t, l: x, r: p.valueExpr(), not: isNot}
			case p.is("true") || p.is("false"):
				v := p.next()
				lit := &literal{at: v, kind: litBool, text: v.Value}
				x = &distinctFrom{at: t, l: x, r: lit, not: !isNot}
			default:
				p.fail("'DISTINCT', 'NULL'")
			}
		default:
			return x
		}
	}
}

func (p *parser) valueExpr() expr {
	l := p.additive()
	for p.isOp("||") {
		at := p.next()
		l = &binary{at: at, op: "||", l: l, r: p.additive()}
	}
	return l
}

func (p *parser) additive() expr {
	l := p.multiplicative()
	for p.isOp("+") || p.isOp("-") {
		at := p.next()
		l = &binary{at: at, op: at.Text, l: l, r: p.multiplicative()}
	}
	return l
}

func (p *parser) multiplicative() expr {
	l := p.unarySign()
	for p.isOp("*") || p.isOp("/") || p.isOp("%") {
		at := p.next()
		l = &binary{at: at, op: at.Text, l: l, r: p.unarySign()}
	}
	return l
}

func (p *parser) unarySign() expr {
	if p.isOp("-") || p.isOp("+") {
		at := p.next()
		x := p.unarySign()
		if at.Text == "+" {
			return x
		}
		return &unary{at: at, op: "-", x: x}
	}
	x := p.postfix()
	if p.is("at") && (p.isAt(1, "time") || p.isAt(1, "local")) {
		p.failAt(notSupported, p.peek(), "AT TIME ZONE is not supported by the sandbox")
	}
	return x
}

// postfix reads a primary with its subscripts and field references.
func (p *parser) postfix() expr {
	x := p.primary()
	for {
		switch {
		case p.isOp("["):
			at := p.next()
			idx := p.expr()
			p.expectOp("]")
			x = &subscript{at: at, x: x, index: idx}
		case p.isOp(".") && (p.peekAt(1).Kind == sqlref.Word || p.peekAt(1).Kind == sqlref.QuotedIdent):
			p.next()
			name, at := p.identifier()
			name = strings.ToLower(name)
			if c, ok := x.(*colRef); ok {
				c.parts = append(c.parts, name)
				c.toks = append(c.toks, at)
				continue
			}
			x = &deref{at: at, x: x, field: name}
		default:
			return x
		}
	}
}

// typedLiterals are the type names that may prefix a string to make a
// literal of that type: DATE '2024-01-01', DECIMAL '1.5', ...
var typedLiterals = map[string]int{
	"date": litDate, "time": litTime, "timestamp": litTimestamp, "decimal": litDecimal,
	"double": litDouble, "real": litReal, "char": litChar, "json": litJSON, "varchar": litString,
	"bigint": litInteger, "integer": litInteger, "smallint": litInteger, "tinyint": litInteger, "varbinary": litBinary,
}

// specials are the niladic keyword functions.
var specials = map[string]bool{
	"current_date": true, "current_timestamp": true, "localtimestamp": true, "current_time": true,
	"localtime": true, "current_user": true, "current_catalog": true, "current_schema": true,
	"current_path": true, "current_role": true,
}

func (p *parser) primary() expr {
	t := p.peek()
	switch t.Kind {
	case sqlref.Number:
		p.next()
		text := strings.ReplaceAll(t.Text, "_", "")
		lower := strings.ToLower(text)
		switch {
		case strings.HasPrefix(lower, "0x") || strings.HasPrefix(lower, "0b") || strings.HasPrefix(lower, "0o"):
			n, err := strconv.ParseInt(text[2:], map[byte]int{'x': 16, 'b': 2, 'o': 8}[lower[1]], 64)
			if err != nil {
				p.failAt(invalidLiteral, t, "Invalid numeric literal: "+t.Text)
			}
			return &literal{at: t, kind: litInteger, text: strconv.FormatInt(n, 10)}
		case strings.ContainsAny(lower, "e"):
			return &literal{at: t, kind: litDouble, text: text}
		case strings.Contains(text, "."):
			return &literal{at: t, kind: litDecimal, text: text}
		}
		return &literal{at: t, kind: litInteger, text: text}
	case sqlref.String:
		p.next()
		if t.Text[0] == 'X' || t.Text[0] == 'x' {
			return &literal{at: t, kind: litBinary, text: t.Value}
		}
		return &literal{at: t, kind: litString, text: p.stringContinuation(t.Value)}
	case sqlref.Param:
		p.next()
		e := &param{at: t, index: p.params}
		p.params++
		return e
	case sqlref.Op:
		switch t.Text {
		case "(":
			p.next()
			if p.is("select") || p.is("with") || p.is("values") || p.is("table") && !p.peekAt(1).IsOp("(") {
				q := p.query()
				p.expectOp(")")
				return &scalarQuery{at: t, q: q}
			}
			x := p.expr()
			if p.isOp(",") {
				r := &rowCtor{at: t, elems: []expr{x}}
				for p.acceptOp(",") {
					r.elems = append(r.elems, p.expr())
				}
				p.expectOp(")")
				return r
			}
			p.expectOp(")")
			return x
		case "->", "=>":
			p.failAt(notSupported, t, "lambda expressions and named arguments are not supported by the sandbox")
		}
		p.fail("<expression>")
	case sqlref.BacktickIdent:
		p.failAt(syntaxError, t, "backquoted identifiers are not supported; use double quotes to quote identifiers")
	case sqlref.QuotedIdent:
		return p.nameOrCall()
	}
	if t.Kind != sqlref.Word {
		p.fail("<expression>")
	}
	next := p.peekAt(1)
	switch t.Value {
	case "null":
		p.next()
		return &literal{at: t, kind: litNull}
	case "true", "false":
		p.next()
		return &literal{at: t, kind: litBool, text: t.Value}
	case "case":
		return p.caseExpr()
	case "cast", "try_cast":
		if next.IsOp("(") {
			p.i += 2
			x := p.expr()
			p.expect("as")
			typ := p.typeSpec()
			p.expectOp(")")
			return &cast{at: t, x: x, typ: typ, try: t.Value == "try_cast"}
		}
	case "exists":
		if next.IsOp("(") {
			p.i += 2
			q := p.query()
			p.expectOp(")")
			return &exists{at: t, q: q}
		}
	case "extract":
		if next.IsOp("(") {
			p.i += 2
			f, _ := p.identifier()
			p.expect("from")
			x := p.expr()
			p.expectOp(")")
			return &extract{at: t, field: f, x: x}
		}
	case "array":
		if next.IsOp("[") {
			p.i += 2
			a := &arrayCtor{at: t}
			if !p.isOp("]") {
				for {
					a.elems = append(a.elems, p.expr())
					if !p.acceptOp(",") {
						break
					}
				}
			}
			p.expectOp("]")
			return a
		}
	case "row":
		if next.IsOp("(") {
			p.i += 2
			r := &rowCtor{at: t}
			for {
				r.elems = append(r.elems, p.expr())
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
			return r
		}
	case "interval":
		p.next()
		neg := false
		if p.isOp("-") || p.isOp("+") {
			neg = p.next().Text == "-"
		}
		s := p.peek()
		if s.Kind != sqlref.String {
			p.fail("<string>")
		}
		p.next()
		unit, _ := p.identifier()
		if p.accept("to") {
			p.identifier()
		}
		return &literal{at: t, kind: litInterval, text: s.Value, unit: unit, neg: neg}
	case "position":
		if next.IsOp("(") {
			p.i += 2
			sub := p.valueExpr()
			p.expect("in")
			s := p.valueExpr()
			p.expectOp(")")
			return &call{at: t, name: "strpos", args: []expr{s, sub}}
		}
	case "trim":
		if next.IsOp("(") {
			return p.trim()
		}
	case "substring":
		if next.IsOp("(") && p.substringFrom() {
			p.i += 2
			s := p.valueExpr()
			p.expect("from")
			args := []expr{s, p.valueExpr()}
			if p.accept("for") {
				args = append(args, p.valueExpr())
			}
			p.expectOp(")")
			return &call{at: t, name: "substr", args: args}
		}
	}
	if k, ok := typedLiterals[t.Value]; ok && next.Kind == sqlref.String && !strings.HasPrefix(next.Text, "X") && !strings.HasPrefix(next.Text, "x") {
		p.i += 2
		if t.Value == "varbinary" {
			p.failAt(syntaxError, t, "mismatched input '"+next.Text+"'")
		}
		return &literal{at: t, kind: k, text: next.Value}
	}
	if specials[t.Value] {
		p.next()
		if p.isOp("(") && (t.Value == "current_timestamp" || t.Value == "localtimestamp" || t.Value == "current_time" || t.Value == "localtime") {
			p.next()
			if p.peek().Kind == sqlref.Number {
				p.next()
			}
			p.expectOp(")")
		}
		return &special{at: t, name: t.Value}
	}
	if reserved[t.Value] && !next.IsOp("(") {
		p.fail("<expression>")
	}
	return p.nameOrCall()
}

// stringContinuation joins adjacent string literals ('a' 'b'), as SQL
// allows.
func (p *parser) stringContinuation(s string) string {
	for p.peek().Kind == sqlref.String && p.peek().Text[0] == '\'' {
		s += p.next().Value
	}
	return s
}

// substringFrom reports whether a substring( call uses the FROM form.
func (p *parser) substringFrom() bool {
	depth := 0
	for k := 1; p.i+k < len(p.toks); k++ {
		t := p.peekAt(k)
		switch {
		case t.IsOp("("):
			depth++
		case t.IsOp(")"):
			depth--
			if depth == 0 {
				return false
			}
		case depth == 1 && t.Is("from"):
			return true
		case depth == 1 && t.IsOp(","):
			return false
		}
	}
	return false
}

func (p *parser) trim() expr {
	t := p.next()
	p.next() // (
	name := "trim"
	switch {
	case p.accept("both"):
	case p.accept("leading"):
		name = "ltrim"
	case p.accept("trailing"):
		name = "rtrim"
	}
	var chars expr
	if !p.is("from") {
		chars = p.valueExpr()
	}
	if p.accept("from") {
		s := p.valueExpr()
		p.expectOp(")")
		if chars == nil {
			return &call{at: t, name: name, args: []expr{s}}
		}
		return &call{at: t, name: name, args: []expr{s, chars}}
	}
	p.expectOp(")")
	return &call{at: t, name: name, args: []expr{chars}}
}

func (p *parser) caseExpr() expr {
	c := &caseExpr{at: p.next()}
	if !p.is("when") {
		c.operand = p.expr()
	}
	for p.accept("when") {
		cond := p.expr()
		p.expect("then")
		c.whens = append(c.whens, whenClause{cond: cond, then: p.expr()})
	}
	if len(c.whens) == 0 {
		p.fail("'WHEN'")
	}
	if p.accept("else") {
		c.els = p.expr()
	}
	p.expect("end")
	return c
}

// nameOrCall reads a column reference or a function call.
func (p *parser) nameOrCall() expr {
	start := p.peek()
	name, at := p.identifier()
	if !p.isOp("(") {
		return &colRef{at: at, parts: []string{strings.ToLower(name)}, toks: []tok{at}}
	}
	p.next()
	c := &call{at: start, name: name}
	if start.Kind == sqlref.QuotedIdent {
		c.name = start.Value
	}
	if p.acceptOp("*") {
		c.star = true
		p.expectOp(")")
	} else {
		if p.accept("distinct") {
			c.distinct = true
		} else {
			p.accept("all")
		}
		if !p.isOp(")") {
			for {
				if p.peekAt(1).IsOp("->") || p.isOp("(") && p.lambdaAhead() {
					p.failAt(notSupported, p.peek(), "lambda expressions and named arguments are not supported by the sandbox")
				}
				c.args = append(c.args, p.expr())
				if !p.acceptOp(",") {
					break
				}
			}
		}
		if p.is("order") && p.isAt(1, "by") {
			p.i += 2
			c.orderBy = p.sortItems()
		}
		p.expectOp(")")
	}
	if p.is("filter") && p.peekAt(1).IsOp("(") {
		p.i += 2
		p.expect("where")
		c.filter = p.expr()
		p.expectOp(")")
	}
	if p.is("ignore") || p.is("respect") {
		p.next()
		p.expect("nulls")
	}
	if p.accept("over") {
		c.over = p.window()
	}
	return c
}

// lambdaAhead reports whether the parenthesized list at the cursor is a
// lambda's parameters: (a, b) -> ...
func (p *parser) lambdaAhead() bool {
	depth := 0
	for k := 0; p.i+k < len(p.toks); k++ {
		t := p.peekAt(k)
		switch {
		case t.IsOp("("):
			depth++
		case t.IsOp(")"):
			depth--
			if depth == 0 {
				return p.peekAt(k + 1).IsOp("->")
			}
		}
	}
	return false
}

func (p *parser) window() *window {
	w := &window{at: p.peek()}
	if p.isIdentifier() {
		p.failAt(notSupported, p.peek(), "named windows are not supported by the sandbox")
	}
	p.expectOp("(")
	if p.is("partition") {
		p.next()
		p.expect("by")
		for {
			w.partition = append(w.partition, p.expr())
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.is("order") && p.isAt(1, "by") {
		p.i += 2
		w.orderBy = p.sortItems()
	}
	if p.is("rows") || p.is("range") || p.is("groups") {
		// The frame passes to SQLite as written: its grammar is the same.
		start := p.i
		depth := 0
		for !p.atEnd() && !(depth == 0 && p.isOp(")")) {
			if p.isOp("(") {
				depth++
			}
			if p.isOp(")") {
				depth--
			}
			p.next()
		}
		var parts []string
		for _, t := range p.toks[start:p.i] {
			parts = append(parts, t.Text)
		}
		w.frame = strings.Join(parts, " ")
	}
	p.expectOp(")")
	return w
}

// typeSpec reads a type as CAST and column definitions write it.
func (p *parser) typeSpec() Type {
	start := p.i
	depth := 0
	for !p.atEnd() {
		t := p.peek()
		if depth == 0 && (t.IsOp(")") || t.IsOp(",")) {
			break
		}
		if t.IsOp("(") || t.IsOp("<") {
			depth++
		}
		if t.IsOp(")") || t.IsOp(">") {
			depth--
		}
		p.next()
	}
	var b strings.Builder
	for k, t := range p.toks[start:p.i] {
		if k > 0 && (t.Kind == sqlref.Word || t.Kind == sqlref.QuotedIdent) {
			b.WriteByte(' ')
		}
		b.WriteString(t.Text)
	}
	typ, ok := ParseType(b.String())
	if !ok {
		at := p.toks[min(start, len(p.toks)-1)]
		if start == p.i {
			at = p.peek()
		}
		p.failAt(typeNotFound, at, "Unknown type: "+strings.ToLower(b.String()))
	}
	return typ
}
