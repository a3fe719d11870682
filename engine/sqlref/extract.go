package sqlref

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/quiltq/quiltq/engine"
)

// Defaults are the session's current catalog and database, which complete
// one- and two-part table names.
type Defaults struct{ Catalog, Database string }

// Extract returns every table reference of sql (one or several statements),
// resolved with d and lower-cased, each distinct (catalog, database, table,
// access) once, in order of first appearance. When it cannot tell what a
// statement reads it returns an error (*Error with Pos/Line/Col and a
// message naming the construct) and the caller refuses.
func Extract(sql string, d Defaults) ([]engine.Ref, error) {
	toks, err := Lex(sql)
	if err != nil {
		return nil, err
	}
	if !utf8.ValidString(sql) {
		// Lex lets invalid bytes through inside quotes and strings, where
		// lower-casing would change a name into one Athena never sees.
		pos := 0
		for pos < len(sql) {
			r, size := utf8.DecodeRuneInString(sql[pos:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			pos += size
		}
		line, col := Position(sql, pos)
		return nil, &Error{Pos: pos, Line: line, Col: col, Msg: fmt.Sprintf("invalid UTF-8 byte 0x%02x", sql[pos])}
	}
	p := &parser{src: sql, toks: Significant(toks), d: d}
	if err := p.run(p.script); err != nil {
		return nil, err
	}
	return p.refs, nil
}

// maxDepth bounds the nesting of parentheses and queries, so that hostile
// input cannot exhaust the stack.
const maxDepth = 256

type parser struct {
	src  string
	toks []Token
	i    int
	d    Defaults
	refs []engine.Ref
	// seen holds refs as a set, so that a statement naming a hundred
	// thousand tables is read in linear time (a scan of refs per reference
	// made `quiltq check` quadratic).
	seen map[engine.Ref]struct{}
	// ctes holds one frame per WITH clause being parsed: the names of the
	// entries visible at the current point, lower-cased. inScope counts
	// each name over every frame, for the same reason as seen.
	ctes    [][]string
	inScope map[string]int
	// explain is set inside a plain EXPLAIN, which only plans: every
	// reference becomes metadata.
	explain bool
	depth   int
}

// failure carries an *Error through panics inside the parser; run turns it
// back into an error. Nothing else is recovered.
type failure struct{ err *Error }

func (p *parser) run(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			err = f.err
		}
	}()
	f()
	return nil
}

func (p *parser) failAt(t Token, format string, args ...any) {
	line, col := t.Line, t.Col
	if t.Kind == 0 {
		line, col = Position(p.src, t.Pos)
	}
	panic(failure{&Error{Pos: t.Pos, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}})
}

// unexpected fails at the current token, saying what was wanted instead.
func (p *parser) unexpected(want string) {
	t := p.peek()
	p.failAt(t, "expected %s, found %s", want, describe(t))
}

func describe(t Token) string {
	switch t.Kind {
	case 0:
		return "end of input"
	case String:
		return "a string literal"
	}
	s := t.Text
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "..."
	}
	return "'" + s + "'"
}

// peek returns the current token, or an end-of-input token (Kind 0).
func (p *parser) peek() Token { return p.peekN(0) }

func (p *parser) peekN(n int) Token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return Token{Pos: len(p.src)}
}

func (p *parser) next() Token {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func (p *parser) atEnd() bool { return p.i >= len(p.toks) || p.peek().IsOp(";") }

// isWord reports whether t is the bare word w (w in lower case).
func isWord(t Token, w string) bool { return t.Kind == Word && t.Value == w }

func (p *parser) word(w string) bool { return isWord(p.peek(), w) }

func (p *parser) acceptWord(w string) bool {
	if p.word(w) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectWord(w string) {
	if !p.acceptWord(w) {
		p.unexpected(strings.ToUpper(w))
	}
}

func (p *parser) op(o string) bool { return p.peek().IsOp(o) }

func (p *parser) acceptOp(o string) bool {
	if p.op(o) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectOp(o string) {
	if !p.acceptOp(o) {
		p.unexpected("'" + o + "'")
	}
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.failAt(p.peek(), "nesting deeper than %d levels", maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// skip consumes one token that carries no reference. A SELECT or TABLE
// keyword always belongs to a rule that reads tables, so meeting one here
// means the input has a shape this parser does not know: fail rather than
// skip over a query.
func (p *parser) skip() {
	t := p.peek()
	if t.Kind == 0 {
		p.unexpected("more input")
	}
	if isWord(t, "select") || isWord(t, "table") {
		p.failAt(t, "unexpected %s here: cannot tell which tables it reads", strings.ToUpper(t.Value))
	}
	p.i++
}

// skipRest skips the remaining clauses of a statement whose references
// are already known (DDL options, partition specs, LIKE patterns).
func (p *parser) skipRest() {
	for !p.atEnd() {
		p.skipOption()
	}
}

// skipOption skips one token of a DDL clause: a word, a literal, '.', ','
// or '=', or a balanced parenthesized group. Anything else is not Athena
// DDL; a query (SELECT, TABLE) is refused by skip.
func (p *parser) skipOption() {
	t := p.peek()
	switch {
	case t.IsOp("("):
		p.skipParens()
	case t.Kind == Word || t.Kind == String || t.Kind == Number || t.Kind == QuotedIdent || t.Kind == BacktickIdent,
		t.IsOp("."), t.IsOp(","), t.IsOp("="):
		p.skip()
	default:
		p.unexpected("a DDL clause")
	}
}

// skipParens skips a balanced parenthesized group of options or column
// definitions.
func (p *parser) skipParens() {
	p.enter()
	defer p.leave()
	p.expectOp("(")
	for !p.acceptOp(")") {
		if p.op("(") {
			p.skipParens()
			continue
		}
		if p.op(";") {
			p.unexpected("')'")
		}
		p.skip()
	}
}

// name is a dotted name as written, each part unquoted and lower-cased.
type name struct {
	parts []string
	tok   Token
}

func (n name) String() string { return strings.Join(n.parts, ".") }

func isIdentToken(t Token) bool { return t.Kind == Word || t.Kind == QuotedIdent }

// isNameToken reports whether t can be an unqualified name: a quoted name
// or a word that is not reserved.
func isNameToken(t Token) bool {
	return t.Kind == QuotedIdent || t.Kind == Word && !isReserved(t.Value)
}

// ident reads one Trino identifier: a word that is not reserved, or a
// double-quoted name.
func (p *parser) ident() string {
	t := p.peek()
	switch {
	case t.Kind == QuotedIdent:
	case t.Kind == Word && !isReserved(t.Value):
	case t.Kind == BacktickIdent:
		p.failAt(t, "backquoted identifiers are not supported in Athena's SQL engine; use double quotes")
	default:
		p.unexpected("a name")
	}
	p.i++
	return strings.ToLower(t.Value)
}

// qualifiedName reads a Trino dotted name: ident ('.' ident)*.
func (p *parser) qualifiedName() name {
	n := name{tok: p.peek()}
	n.parts = append(n.parts, p.ident())
	for p.acceptOp(".") {
		n.parts = append(n.parts, p.ident())
	}
	return n
}

// ddlName reads a table or database name the way Athena's Hive DDL reads
// it: besides Trino's forms, a backtick-quoted part is split at its dots
// (`db.t` is database db, table t) and unquoted parts may hold hyphens
// (my-db.my-table), as long as no space separates the pieces.
func (p *parser) ddlName() name {
	n := name{tok: p.peek()}
	parts := []string{""}
	want := true      // a part must come next (at the start or after a dot)
	unquoted := false // the current part is unquoted text, which may go on
	var prev Token
	addText := func(s string) {
		pieces := strings.Split(s, ".")
		parts[len(parts)-1] += pieces[0]
		for _, piece := range pieces[1:] {
			parts = append(parts, piece)
		}
		want = strings.HasSuffix(s, ".")
	}
	for {
		t := p.peek()
		if !want {
			if t.IsOp(".") {
				p.i++
				parts = append(parts, "")
				want, unquoted, prev = true, false, t
				continue
			}
			if unquoted && t.Pos == prev.End() && (t.Kind == Word || t.Kind == Number || t.IsOp("-")) {
				p.i++
				addText(t.Text)
				prev = t
				continue
			}
			break
		}
		switch t.Kind {
		case QuotedIdent:
			parts[len(parts)-1] = t.Value
			want, unquoted = false, false
		case BacktickIdent:
			addText(t.Value)
			unquoted = false
		case Word:
			if parts[len(parts)-1] == "" && len(parts) == 1 && isReserved(t.Value) {
				p.unexpected("a name")
			}
			addText(t.Text)
			unquoted = true
		case Number:
			if len(parts) == 1 || prev.End() != t.Pos {
				p.unexpected("a name")
			}
			addText(t.Text)
			unquoted = true
		default:
			p.unexpected("a name")
		}
		p.i++
		prev = t
	}
	for i, s := range parts {
		if s == "" {
			p.failAt(n.tok, "empty part in the name %s", p.src[n.tok.Pos:prev.End()])
		}
		parts[i] = strings.ToLower(s)
	}
	n.parts = parts
	return n
}

// addTable records a reference to the table n, completing it with the
// session's defaults.
func (p *parser) addTable(n name, a engine.Access) {
	var cat, db, tbl string
	switch len(n.parts) {
	case 1:
		cat, db, tbl = p.d.Catalog, p.d.Database, n.parts[0]
	case 2:
		cat, db, tbl = p.d.Catalog, n.parts[0], n.parts[1]
	case 3:
		cat, db, tbl = n.parts[0], n.parts[1], n.parts[2]
	default:
		p.failAt(n.tok, "the table name %s has %d parts; at most three (catalog.database.table)", n, len(n.parts))
	}
	// Metadata tables ("t$partitions", "t$files", "t$history", ...) expose
	// the rows and files of their base table, so they need its grant.
	if i := strings.IndexByte(tbl, '$'); i >= 0 {
		tbl = tbl[:i]
		if tbl == "" {
			p.failAt(n.tok, "%s is not a table name", n)
		}
	}
	p.addRef(n.tok, cat, db, tbl, a)
}

// addDatabase records a database-level reference: db has one part
// (a database of the default catalog) or two (catalog.database).
func (p *parser) addDatabase(n name, a engine.Access) {
	switch len(n.parts) {
	case 1:
		p.addRef(n.tok, p.d.Catalog, n.parts[0], "*", a)
	case 2:
		p.addRef(n.tok, n.parts[0], n.parts[1], "*", a)
	default:
		p.failAt(n.tok, "the database name %s has %d parts; at most two (catalog.database)", n, len(n.parts))
	}
}

func (p *parser) addRef(at Token, cat, db, tbl string, a engine.Access) {
	if cat == "" {
		p.failAt(at, "no default catalog is set: write catalog.database.table")
	}
	if db == "" {
		p.failAt(at, "no default database is set: write database.%s", tbl)
	}
	if p.explain {
		a = engine.Metadata
	}
	r := engine.Ref{Catalog: strings.ToLower(cat), Database: strings.ToLower(db), Table: strings.ToLower(tbl), Access: a}
	if _, ok := p.seen[r]; ok {
		return
	}
	if p.seen == nil {
		p.seen = map[engine.Ref]struct{}{}
	}
	p.seen[r] = struct{}{}
	p.refs = append(p.refs, r)
}

// isCTE reports whether the unqualified name n is a WITH entry in scope.
func (p *parser) isCTE(n string) bool { return p.inScope[n] > 0 }

// pushCTEs opens a frame for the entries of a WITH clause and returns its
// index; defineCTE puts a name in it, popCTEs closes it.
func (p *parser) pushCTEs() int {
	p.ctes = append(p.ctes, nil)
	return len(p.ctes) - 1
}

func (p *parser) defineCTE(frame int, n string) {
	if p.inScope == nil {
		p.inScope = map[string]int{}
	}
	p.ctes[frame] = append(p.ctes[frame], n)
	p.inScope[n]++
}

func (p *parser) popCTEs(frame int) {
	for _, n := range p.ctes[frame] {
		if p.inScope[n]--; p.inScope[n] == 0 {
			delete(p.inScope, n)
		}
	}
	p.ctes = p.ctes[:frame]
}

// relationRef records a table named in a query: an unqualified name may
// be a WITH entry in scope instead, which is not a table; a qualified name
// never is.
func (p *parser) relationRef(n name) {
	if len(n.parts) == 1 && p.isCTE(n.parts[0]) {
		return
	}
	p.addTable(n, engine.Read)
}
