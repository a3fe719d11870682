package sqlrun

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/quiltq/quiltq/engine/sqlref"
)

// The compiler turns a parsed query into one SQLite statement. It
// resolves every name as Trino's analyzer does (tables through the
// Catalog, columns through the scopes of FROM, CTEs, outer queries),
// gives every expression its Trino type, and writes each operation whose
// SQLite meaning differs from Trino's as a call to one of the engine's Go
// functions (arithmetic that fails on overflow and division by zero,
// exact decimals, arrays, maps, rows, JSON, casts). Relations are aliased
// r1, r2, ... and derived columns c0, c1, ..., so that no user name ever
// needs quoting inside the generated SQL.

type compiler struct {
	ctx      context.Context
	cat      Catalog
	defaults TableRef
	params   []string
	// paramValues are the compiled execution parameters, by position;
	// paramCount is how many ? the statement has.
	paramValues []*cexpr
	paramCount  int
	tables      map[TableRef]*tableUse
	used        []*tableUse
	seq         int
	fns         map[string]*function
}

// tableUse is one table the query reads.
type tableUse struct {
	ref    TableRef
	tbl    *Table
	types  []Type
	marker string // placeholder for its loaded copy's name
	at     tok
}

// cexpr is a compiled expression: SQLite SQL and its Trino type.
type cexpr struct {
	sql string
	t   Type
	agg bool // contains an aggregate or window function
}

// outCol is one output column of a compiled query.
type outCol struct {
	name string
	t    Type
}

// compiled is a compiled query: SQL whose select list is named c0, c1,
// ..., and the columns' names and types.
type compiled struct {
	sql  string
	cols []outCol
	plan *planNode
}

// compileFailure carries an error out of the compiler by panic: an
// *Error of the compiler's own, or a Catalog's error unchanged.
type compileFailure struct{ err error }

func (c *compiler) fail(k errorKind, at tok, msg string) {
	panic(compileFailure{newError(k, at.Line, at.Col, msg)})
}

func (c *compiler) failErr(err error) { panic(compileFailure{err}) }

// run calls f, turning a compileFailure back into an error.
func (c *compiler) run(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			cf, ok := r.(compileFailure)
			if !ok {
				panic(r)
			}
			err = cf.err
		}
	}()
	f()
	return nil
}

func (c *compiler) alias() string {
	c.seq++
	return "r" + strconv.Itoa(c.seq)
}

func colName(i int) string { return "c" + strconv.Itoa(i) }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func itoa(n int) string { return strconv.Itoa(n) }

// cteEnv is the chain of WITH definitions in scope.
type cteEnv struct {
	parent *cteEnv
	defs   map[string]*cteDef
}

type cteDef struct {
	sqlName string
	cols    []outCol
}

func (e *cteEnv) lookup(name string) *cteDef {
	for ; e != nil; e = e.parent {
		if d, ok := e.defs[name]; ok {
			return d
		}
	}
	return nil
}

// scope is the relations of one FROM clause, with the enclosing query's
// scope as parent (for correlated subqueries).
type scope struct {
	parent *scope
	rels   []*scopeRel
}

type scopeRel struct {
	alias string   // the name it is qualified by
	name  []string // a table's catalog, database, table, for longer qualifiers
	cols  []relCol
}

type relCol struct {
	name   string
	t      Type
	sql    string
	hidden bool // a USING column's second copy
}

// matches reports whether a qualifier names the relation: its alias, or a
// suffix of a table's catalog.database.table name.
func (r *scopeRel) matches(q []string) bool {
	if len(q) == 1 && q[0] == r.alias {
		return true
	}
	if len(r.name) == 0 || len(q) > len(r.name) || r.alias != r.name[len(r.name)-1] {
		return false
	}
	for i := range q {
		if q[len(q)-1-i] != r.name[len(r.name)-1-i] {
			return false
		}
	}
	return true
}

func (r *scopeRel) col(name string) (relCol, bool) {
	for _, c := range r.cols {
		if c.name == name {
			return c, true
		}
	}
	return relCol{}, false
}

// compileQuery compiles a query with its WITH, ORDER BY and LIMIT.
func (c *compiler) compileQuery(q *query, env *cteEnv, outer *scope) *compiled {
	var with []string
	if len(q.with) > 0 {
		env = &cteEnv{parent: env, defs: map[string]*cteDef{}}
		for _, w := range q.with {
			if _, dup := env.defs[w.name]; dup {
				c.fail(duplicateName, w.at, "WITH query name '"+w.name+"' specified more than once")
			}
			def := &cteDef{sqlName: "w" + strconv.Itoa(c.seq+1)}
			c.seq++
			if q.recursive {
				// The recursive step sees the query's columns as its
				// first branch gives them.
				first := w.q.body
				for {
					s, ok := first.(*setOp)
					if !ok {
						break
					}
					first = s.left
				}
				anchor := c.compileBody(first, env, outer, nil)
				def.cols = renameCols(anchor.cols, w.columns, c, w.at)
				env.defs[w.name] = def
			}
			body := c.compileQuery(w.q, env, outer)
			def.cols = renameCols(body.cols, w.columns, c, w.at)
			env.defs[w.name] = def
			names := make([]string, len(def.cols))
			for i := range def.cols {
				names[i] = colName(i)
			}
			with = append(with, def.sqlName+"("+strings.Join(names, ", ")+") AS ("+body.sql+")")
		}
	}
	var order []string
	if len(q.orderBy) > 0 {
		if s, ok := q.body.(*selectSpec); ok {
			// ORDER BY may name the select's input columns: compile it
			// with the select.
			out := c.compileSelect(s, env, outer, q.orderBy)
			return c.finishQuery(q, out, with, out.order)
		}
	}
	body := c.compileBody(q.body, env, outer, nil)
	for _, s := range q.orderBy {
		order = append(order, c.orderOutput(s, body.cols))
	}
	return c.finishQuery(q, &selectResult{compiled: *body}, with, order)
}

// finishQuery adds WITH, ORDER BY, OFFSET and LIMIT to a compiled body.
func (c *compiler) finishQuery(q *query, body *selectResult, with, order []string) *compiled {
	out := body.compiled
	var b strings.Builder
	if len(with) > 0 {
		b.WriteString("WITH ")
		if q.recursive {
			b.WriteString("RECURSIVE ")
		}
		b.WriteString(strings.Join(with, ", ") + " ")
	}
	b.WriteString(out.sql)
	if len(order) > 0 {
		b.WriteString(" ORDER BY " + strings.Join(order, ", "))
		out.plan = &planNode{op: "Sort", detail: "orderBy = [" + strings.Join(orderPlan(q.orderBy), ", ") + "]", kids: []*planNode{out.plan}}
	}
	if q.withTies {
		c.fail(notSupported, q.at, "FETCH ... WITH TIES is not supported by the sandbox")
	}
	limit, offset := "", ""
	if q.limit != nil {
		limit = c.count(q.limit)
	}
	if q.offset != nil {
		offset = c.count(q.offset)
	}
	switch {
	case limit != "" && offset != "":
		b.WriteString(" LIMIT " + limit + " OFFSET " + offset)
	case limit != "":
		b.WriteString(" LIMIT " + limit)
	case offset != "":
		b.WriteString(" LIMIT -1 OFFSET " + offset)
	}
	if limit != "" {
		out.plan = &planNode{op: "Limit", detail: "count = " + limit, kids: []*planNode{out.plan}}
	}
	out.sql = b.String()
	return &out
}

// count is a LIMIT's or OFFSET's value: a non-negative integer literal or
// a parameter holding one.
func (c *compiler) count(e expr) string {
	switch x := e.(type) {
	case *literal:
		if n, err := strconv.ParseInt(x.text, 10, 64); err == nil && n >= 0 {
			return strconv.FormatInt(n, 10)
		}
		c.fail(invalidLiteral, x.at, "Invalid numeric literal: "+x.text)
	case *param:
		v := c.param(x)
		if n, err := strconv.ParseInt(strings.Trim(v.sql, "'"), 10, 64); err == nil && n >= 0 && v.t.isIntegral() {
			return strconv.FormatInt(n, 10)
		}
		c.fail(typeMismatch, x.at, "Parameter value provided for LIMIT or OFFSET is not a non-negative integer")
	}
	return ""
}

func renameCols(cols []outCol, names []string, c *compiler, at tok) []outCol {
	if names == nil {
		return cols
	}
	if len(names) != len(cols) {
		c.fail(mismatchedColumnAliases, at, "WITH column alias list has "+itoa(len(names))+" entries but WITH query has "+itoa(len(cols))+" columns")
	}
	out := make([]outCol, len(cols))
	for i := range cols {
		out[i] = outCol{name: names[i], t: cols[i].t}
	}
	return out
}

// orderOutput compiles one ORDER BY item of a query whose input is gone
// (set operations, VALUES, WITH): it names an output column, by name or
// position.
func (c *compiler) orderOutput(s *sortItem, cols []outCol) string {
	idx := -1
	switch x := s.e.(type) {
	case *literal:
		if x.kind == litInteger {
			n, err := strconv.Atoi(x.text)
			if err != nil || n < 1 || n > len(cols) {
				c.fail(invalidColumnReference, x.at, "ORDER BY position "+x.text+" is not in select list")
			}
			idx = n - 1
		}
	case *colRef:
		if len(x.parts) == 1 {
			for i, col := range cols {
				if strings.ToLower(col.name) == x.parts[0] {
					if idx >= 0 {
						c.fail(ambiguousName, x.at, "'"+x.parts[0]+"' in ORDER BY is ambiguous")
					}
					idx = i
				}
			}
		}
	}
	if idx < 0 {
		c.fail(columnNotFound, s.e.start(), "Column '"+exprName(s.e)+"' cannot be resolved or requester is not authorized to access requested resources")
	}
	return sortSQL(quoteIdent(colName(idx)), cols[idx].t, s, c)
}

func exprName(e expr) string {
	if r, ok := e.(*colRef); ok {
		return strings.Join(r.parts, ".")
	}
	return e.start().Text
}

// sortSQL writes one sort key with Trino's null order: NULLS LAST unless
// asked otherwise, both ways (SQLite puts NULLs first when ascending).
func sortSQL(sql string, t Type, s *sortItem, c *compiler) string {
	if !t.orderable() {
		c.fail(typeMismatch, s.e.start(), "Type "+t.String()+" is not orderable, and therefore cannot be used in ORDER BY")
	}
	if t.Base == tDecimal {
		sql += " COLLATE athena_decimal"
	}
	if s.desc {
		sql += " DESC"
	} else {
		sql += " ASC"
	}
	if s.nullsFirst != nil && *s.nullsFirst {
		return sql + " NULLS FIRST"
	}
	return sql + " NULLS LAST"
}

func orderPlan(items []*sortItem) []string {
	var out []string
	for _, s := range items {
		d := "ASC"
		if s.desc {
			d = "DESC"
		}
		n := "NULLS LAST"
		if s.nullsFirst != nil && *s.nullsFirst {
			n = "NULLS FIRST"
		}
		out = append(out, exprName(s.e)+" "+d+" "+n)
	}
	return out
}

// selectResult is a compiled SELECT, with its ORDER BY when it had one.
type selectResult struct {
	compiled
	order []string
}

// compileBody compiles a query body without ORDER BY or LIMIT.
func (c *compiler) compileBody(b queryBody, env *cteEnv, outer *scope, _ []*sortItem) *compiled {
	switch x := b.(type) {
	case *selectSpec:
		r := c.compileSelect(x, env, outer, nil)
		return &r.compiled
	case *query:
		inner := c.compileQuery(x, env, outer)
		return &compiled{sql: "SELECT * FROM (" + inner.sql + ")", cols: inner.cols, plan: inner.plan}
	case *setOp:
		return c.compileSetOp(x, env, outer)
	case *valuesBody:
		return c.compileValues(x, env, outer)
	case *tableBody:
		s := &selectSpec{at: x.at, items: []*selectItem{{at: x.at, star: true}},
			from: []relation{&tableRel{at: x.at, name: x.name, nameToks: []tok{x.at}}}}
		r := c.compileSelect(s, env, outer, nil)
		return &r.compiled
	}
	c.fail(notSupported, b.start(), "this query form is not supported by the sandbox")
	return nil
}

func (c *compiler) compileSetOp(s *setOp, env *cteEnv, outer *scope) *compiled {
	l := c.compileBody(s.left, env, outer, nil)
	r := c.compileBody(s.right, env, outer, nil)
	name := strings.ToUpper(s.op)
	if len(l.cols) != len(r.cols) {
		c.fail(typeMismatch, s.at, name+" query has different number of fields: "+itoa(len(l.cols))+", "+itoa(len(r.cols)))
	}
	if s.all && s.op != "union" {
		c.fail(notSupported, s.at, name+" ALL is not supported by the sandbox")
	}
	cols := make([]outCol, len(l.cols))
	for i := range l.cols {
		t, ok := commonType(l.cols[i].t, r.cols[i].t)
		if !ok {
			c.fail(typeMismatch, s.at, "column "+itoa(i+1)+" in "+name+" query has incompatible types: "+l.cols[i].t.String()+", "+r.cols[i].t.String())
		}
		if s.op != "union" || !s.all {
			if !t.comparable() {
				c.fail(typeMismatch, s.at, "Type "+t.String()+" is not comparable and therefore cannot be used in "+name)
			}
		}
		cols[i] = outCol{name: l.cols[i].name, t: t}
	}
	op := " " + name + " "
	if s.all {
		op = " UNION ALL "
	}
	sql := c.coerceColumns(l, cols) + op + c.coerceColumns(r, cols)
	kind := map[string]string{"union": "Union", "intersect": "Intersect", "except": "Except"}[s.op]
	plan := &planNode{op: kind, kids: []*planNode{l.plan, r.plan}}
	if s.op == "union" && !s.all {
		plan = &planNode{op: "Aggregate", detail: "type = FINAL, keys = [" + outNames(cols) + "]", kids: []*planNode{plan}}
	}
	return &compiled{sql: sql, cols: cols, plan: plan}
}

// coerceColumns makes a compiled query's columns the types cols give,
// wrapping it in a select when any needs a conversion; otherwise it is
// returned as one operand of a compound select.
func (c *compiler) coerceColumns(q *compiled, cols []outCol) string {
	same := true
	for i := range cols {
		same = same && q.cols[i].t.Equal(cols[i].t)
	}
	if same && simpleSelect(q.sql) {
		return q.sql
	}
	items := make([]string, len(cols))
	a := c.alias()
	for i := range cols {
		ref := quoteIdent(a) + "." + quoteIdent(colName(i))
		items[i] = c.coerce(cexpr{sql: ref, t: q.cols[i].t}, cols[i].t).sql + " AS " + quoteIdent(colName(i))
	}
	return "SELECT " + strings.Join(items, ", ") + " FROM (" + q.sql + ") AS " + quoteIdent(a)
}

// simpleSelect reports whether sql can be an operand of a compound
// select as it is: no ORDER BY, LIMIT or WITH of its own.
func simpleSelect(sql string) bool {
	return !strings.HasPrefix(sql, "WITH ") && !strings.Contains(sql, " ORDER BY ") && !strings.Contains(sql, " LIMIT ")
}

func outNames(cols []outCol) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// compileValues compiles VALUES rows: each column takes the common type
// of its values, and the columns are named _col0, _col1, ... as Trino
// names them.
func (c *compiler) compileValues(v *valuesBody, env *cteEnv, outer *scope) *compiled {
	sc := &scope{parent: outer}
	var rows [][]cexpr
	for _, r := range v.rows {
		var cells []cexpr
		if rc, ok := r.(*rowCtor); ok && rc.at.IsOp("(") || ok && rc.at.Is("row") {
			for _, e := range rc.elems {
				cells = append(cells, c.expr(e, sc, env, exprCtx{}))
			}
		} else {
			cells = append(cells, c.expr(r, sc, env, exprCtx{}))
		}
		if len(rows) > 0 && len(cells) != len(rows[0]) {
			c.fail(typeMismatch, r.start(), "Values rows have mismatched sizes: "+itoa(len(rows[0]))+" vs "+itoa(len(cells)))
		}
		rows = append(rows, cells)
	}
	cols := make([]outCol, len(rows[0]))
	for i := range cols {
		t := rows[0][i].t
		for _, r := range rows[1:] {
			u, ok := commonType(t, r[i].t)
			if !ok {
				c.fail(typeMismatch, v.at, "Values have mismatched types: "+t.String()+" vs "+r[i].t.String())
			}
			t = u
		}
		cols[i] = outCol{name: "_col" + itoa(i), t: t}
	}
	var lines []string
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, e := range r {
			cells[i] = c.coerce(e, cols[i].t).sql
		}
		lines = append(lines, "("+strings.Join(cells, ", ")+")")
	}
	items := make([]string, len(cols))
	for i := range cols {
		items[i] = "column" + itoa(i+1) + " AS " + quoteIdent(colName(i))
	}
	sql := "SELECT " + strings.Join(items, ", ") + " FROM (VALUES " + strings.Join(lines, ", ") + ")"
	return &compiled{sql: sql, cols: cols, plan: &planNode{op: "Values", detail: itoa(len(rows)) + " rows", layout: cols}}
}

// compileSelect compiles one SELECT, and its ORDER BY when given (which
// may name the select's input columns).
func (c *compiler) compileSelect(s *selectSpec, env *cteEnv, outer *scope, orderBy []*sortItem) *selectResult {
	sc := &scope{parent: outer}
	var from []string
	var plan *planNode
	for _, r := range s.from {
		sql, p := c.relation(r, sc, env)
		from = append(from, sql)
		if plan == nil {
			plan = p
		} else {
			plan = &planNode{op: "CrossJoin", kids: []*planNode{plan, p}}
		}
	}
	if plan == nil {
		plan = &planNode{op: "Values", detail: "1 row"}
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	if s.distinct {
		b.WriteString("DISTINCT ")
	}
	var cols []outCol
	var items []string
	var itemExprs []cexpr
	aggregated := len(s.groupBy) > 0 || s.having != nil
	for _, it := range s.items {
		if it.star {
			for _, rc := range c.star(it, sc) {
				items = append(items, rc.sql+" AS "+quoteIdent(colName(len(cols))))
				itemExprs = append(itemExprs, cexpr{sql: rc.sql, t: rc.t})
				cols = append(cols, outCol{name: rc.name, t: rc.t})
			}
			continue
		}
		e := c.expr(it.e, sc, env, exprCtx{agg: true, window: true})
		aggregated = aggregated || e.agg
		name := "_col" + itoa(len(cols))
		switch {
		case it.aliased:
			name = it.alias
		default:
			if n := implicitName(it.e); n != "" {
				name = n
			}
		}
		items = append(items, e.sql+" AS "+quoteIdent(colName(len(cols))))
		itemExprs = append(itemExprs, e)
		cols = append(cols, outCol{name: name, t: e.t})
	}
	b.WriteString(strings.Join(items, ", "))
	if len(from) > 0 {
		b.WriteString(" FROM " + strings.Join(from, ", "))
	}
	if s.where != nil {
		w := c.expr(s.where, sc, env, exprCtx{clause: "WHERE"})
		c.checkBoolean(w, s.where, "WHERE clause must evaluate to a boolean")
		b.WriteString(" WHERE " + w.sql)
		plan = &planNode{op: "Filter", detail: "filterPredicate = " + exprText(s.where), kids: []*planNode{plan}}
	}
	if len(s.groupBy) > 0 {
		var keys []string
		for _, g := range s.groupBy {
			if l, ok := g.(*literal); ok && l.kind == litInteger {
				n, err := strconv.Atoi(l.text)
				if err != nil || n < 1 || n > len(itemExprs) {
					c.fail(invalidColumnReference, l.at, "GROUP BY position "+l.text+" is not in select list")
				}
				keys = append(keys, itemExprs[n-1].sql)
				continue
			}
			e := c.expr(g, sc, env, exprCtx{clause: "GROUP BY"})
			if !e.t.comparable() {
				c.fail(typeMismatch, g.start(), "Type "+e.t.String()+" is not comparable and therefore cannot be used in GROUP BY")
			}
			keys = append(keys, e.sql)
		}
		b.WriteString(" GROUP BY " + strings.Join(keys, ", "))
	}
	if s.having != nil {
		h := c.expr(s.having, sc, env, exprCtx{agg: true})
		c.checkBoolean(h, s.having, "HAVING clause must evaluate to a boolean")
		b.WriteString(" HAVING " + h.sql)
	}
	if aggregated {
		var keys []string
		for _, g := range s.groupBy {
			keys = append(keys, exprText(g))
		}
		plan = &planNode{op: "Aggregate", detail: "keys = [" + strings.Join(keys, ", ") + "]", kids: []*planNode{plan}}
	}
	if s.distinct {
		plan = &planNode{op: "Aggregate", detail: "type = FINAL, keys = [" + outNames(cols) + "]", kids: []*planNode{plan}}
	}
	var order []string
	for _, o := range orderBy {
		order = append(order, c.orderSelect(o, cols, itemExprs, sc, env, s.distinct || aggregated))
	}
	plan = &planNode{op: "Project", layout: cols, kids: []*planNode{plan}}
	return &selectResult{compiled: compiled{sql: b.String(), cols: cols, plan: plan}, order: order}
}

// orderSelect compiles an ORDER BY item of a plain SELECT: an output
// column by position or name first, else an expression over the input.
func (c *compiler) orderSelect(s *sortItem, cols []outCol, items []cexpr, sc *scope, env *cteEnv, grouped bool) string {
	switch x := s.e.(type) {
	case *literal:
		if x.kind == litInteger {
			n, err := strconv.Atoi(x.text)
			if err != nil || n < 1 || n > len(cols) {
				c.fail(invalidColumnReference, x.at, "ORDER BY position "+x.text+" is not in select list")
			}
			return sortSQL(quoteIdent(colName(n-1)), cols[n-1].t, s, c)
		}
	case *colRef:
		if len(x.parts) == 1 {
			idx := -1
			for i, col := range cols {
				if strings.ToLower(col.name) == x.parts[0] {
					if idx >= 0 && !items[idx].t.Equal(items[i].t) || idx >= 0 && items[idx].sql != items[i].sql {
						c.fail(ambiguousName, x.at, "'"+x.parts[0]+"' in ORDER BY is ambiguous")
					}
					idx = i
				}
			}
			if idx >= 0 {
				return sortSQL(quoteIdent(colName(idx)), cols[idx].t, s, c)
			}
		}
	}
	e := c.expr(s.e, sc, env, exprCtx{agg: grouped, window: true})
	return sortSQL(e.sql, e.t, s, c)
}

// implicitName is the output name Trino gives an unaliased select item:
// a column's or field's own name; "" for anything else (then _colN).
func implicitName(e expr) string {
	switch x := e.(type) {
	case *colRef:
		last := x.toks[len(x.toks)-1]
		if last.Kind == sqlref.QuotedIdent {
			return last.Value
		}
		return x.parts[len(x.parts)-1]
	case *deref:
		return x.field
	}
	return ""
}

// star expands * or qualifier.*.
func (c *compiler) star(it *selectItem, sc *scope) []relCol {
	var out []relCol
	if it.qualifier == nil {
		if len(sc.rels) == 0 {
			c.fail(columnNotFound, it.at, "SELECT * not allowed in queries without FROM clause")
		}
		for _, r := range sc.rels {
			for _, col := range r.cols {
				if !col.hidden {
					out = append(out, col)
				}
			}
		}
		return out
	}
	for _, r := range sc.rels {
		if r.matches(it.qualifier) {
			for _, col := range r.cols {
				out = append(out, col)
			}
			return out
		}
	}
	// row.* expands a row's fields.
	e := c.resolve(&colRef{at: it.at, parts: it.qualifier, toks: []tok{it.at}}, sc)
	if e.t.Base == tRow {
		for i, f := range e.t.Fields {
			name := f.Name
			if name == "" {
				name = "_col" + itoa(i)
			}
			out = append(out, relCol{name: name, t: f.Type, sql: fieldSQL(e.sql, i, f.Type)})
		}
		return out
	}
	c.fail(typeMismatch, it.at, "Unable to resolve reference "+strings.Join(it.qualifier, ".")+".*")
	return nil
}

// relation compiles one FROM item into the scope and returns its SQL.
func (c *compiler) relation(r relation, sc *scope, env *cteEnv) (string, *planNode) {
	switch x := r.(type) {
	case *tableRel:
		return c.tableRelation(x, sc, env)
	case *subqueryRel:
		outer := sc.parent
		if x.lateral {
			outer = sc
		}
		q := c.compileQuery(x.q, env, outer)
		a := c.alias()
		rel := &scopeRel{alias: x.alias}
		cols := aliasColumns(q.cols, x.columns, c, x.at)
		for i, col := range cols {
			rel.cols = append(rel.cols, relCol{name: strings.ToLower(col.name), t: col.t, sql: quoteIdent(a) + "." + quoteIdent(colName(i))})
		}
		sc.rels = append(sc.rels, rel)
		return "(" + q.sql + ") AS " + quoteIdent(a), q.plan
	case *parenRel:
		if x.alias != "" {
			c.fail(notSupported, x.at, "an alias on a parenthesized join is not supported by the sandbox")
		}
		sql, p := c.relation(x.rel, sc, env)
		return "(" + sql + ")", p
	case *unnestRel:
		return c.unnest(x, sc, env)
	case *joinRel:
		left, lp := c.relation(x.left, sc, env)
		before := len(sc.rels)
		right, rp := c.relation(x.right, sc, env)
		kind := map[string]string{"inner": "JOIN", "left": "LEFT JOIN", "right": "RIGHT JOIN", "full": "FULL JOIN", "cross": "CROSS JOIN"}[x.kind]
		planOp := map[string]string{"inner": "InnerJoin", "left": "LeftJoin", "right": "RightJoin", "full": "FullJoin", "cross": "CrossJoin"}[x.kind]
		plan := &planNode{op: planOp, kids: []*planNode{lp, rp}}
		switch {
		case x.on != nil:
			on := c.expr(x.on, sc, env, exprCtx{clause: "JOIN"})
			c.checkBoolean(on, x.on, "JOIN ON clause must evaluate to a boolean")
			plan.detail = "criteria = " + exprText(x.on)
			return left + " " + kind + " " + right + " ON " + on.sql, plan
		case x.using != nil:
			var conds []string
			for _, name := range x.using {
				var l, rr *relCol
				for _, rel := range sc.rels[:before] {
					if col, ok := rel.col(name); ok {
						l = &col
					}
				}
				for i, rel := range sc.rels[before:] {
					for k := range rel.cols {
						if rel.cols[k].name == name {
							rr = &sc.rels[before+i].cols[k]
						}
					}
				}
				if l == nil || rr == nil {
					c.fail(columnNotFound, x.at, "Column '"+name+"' is missing from "+map[bool]string{true: "left", false: "right"}[l == nil]+" side of join")
				}
				t, ok := commonType(l.t, rr.t)
				if !ok {
					c.fail(typeMismatch, x.at, "Column types of USING column "+name+" do not match: "+l.t.String()+" vs "+rr.t.String())
				}
				conds = append(conds, c.compare("=", cexpr{sql: l.sql, t: l.t}, cexpr{sql: rr.sql, t: rr.t}, t))
				rr.hidden = true
			}
			plan.detail = "criteria = USING (" + strings.Join(x.using, ", ") + ")"
			return left + " " + kind + " " + right + " ON " + strings.Join(conds, " AND "), plan
		}
		return left + " " + kind + " " + right, plan
	}
	c.fail(notSupported, r.start(), "this relation is not supported by the sandbox")
	return "", nil
}

func aliasColumns(cols []outCol, names []string, c *compiler, at tok) []outCol {
	if names == nil {
		return cols
	}
	if len(names) != len(cols) {
		c.fail(mismatchedColumnAliases, at, "Column alias list has "+itoa(len(names))+" entries but relation has "+itoa(len(cols))+" columns")
	}
	out := make([]outCol, len(cols))
	for i := range cols {
		out[i] = outCol{name: names[i], t: cols[i].t}
	}
	return out
}

// tableRelation compiles a table, a CTE or an information_schema table.
func (c *compiler) tableRelation(x *tableRel, sc *scope, env *cteEnv) (string, *planNode) {
	a := c.alias()
	if len(x.name) == 1 {
		if def := env.lookup(x.name[0]); def != nil {
			alias := x.alias
			if alias == "" {
				alias = x.name[0]
			}
			rel := &scopeRel{alias: alias}
			cols := aliasColumns(def.cols, x.columns, c, x.at)
			for i, col := range cols {
				rel.cols = append(rel.cols, relCol{name: strings.ToLower(col.name), t: col.t, sql: quoteIdent(a) + "." + quoteIdent(colName(i))})
			}
			sc.rels = append(sc.rels, rel)
			return quoteIdent(def.sqlName) + " AS " + quoteIdent(a), &planNode{op: "RemoteSource", detail: x.name[0], layout: cols}
		}
	}
	ref := c.defaults
	ref.Table = x.name[len(x.name)-1]
	if len(x.name) >= 2 {
		ref.Database = x.name[len(x.name)-2]
	}
	if len(x.name) == 3 {
		ref.Catalog = x.name[0]
	}
	use := c.useTable(ref, x.nameToks[0])
	alias := x.alias
	if alias == "" {
		alias = ref.Table
	}
	rel := &scopeRel{alias: alias, name: []string{ref.Catalog, ref.Database, ref.Table}}
	if x.alias != "" {
		rel.name = nil
	}
	names := make([]string, len(use.tbl.Columns))
	for i, col := range use.tbl.Columns {
		names[i] = strings.ToLower(col.Name)
	}
	if x.columns != nil {
		if len(x.columns) != len(names) {
			c.fail(mismatchedColumnAliases, x.at, "Column alias list has "+itoa(len(x.columns))+" entries but '"+ref.String()+"' has "+itoa(len(names))+" columns available")
		}
	}
	var layout []outCol
	for i, n := range names {
		visible := n
		if x.columns != nil {
			visible = strings.ToLower(x.columns[i])
		}
		rel.cols = append(rel.cols, relCol{name: visible, t: use.types[i], sql: quoteIdent(a) + "." + quoteIdent(n)})
		layout = append(layout, outCol{name: n, t: use.types[i]})
	}
	sc.rels = append(sc.rels, rel)
	return use.marker + " AS " + quoteIdent(a), &planNode{op: "TableScan", detail: ref.Catalog + ":" + ref.Database + "." + ref.Table, layout: layout, table: use}
}

// useTable resolves a table through the Catalog, once per query.
func (c *compiler) useTable(ref TableRef, at tok) *tableUse {
	if u, ok := c.tables[ref]; ok {
		return u
	}
	var tbl *Table
	var err error
	if ref.Database == infoSchema {
		tbl, err = infoSchemaTable(c.cat, ref)
	} else {
		tbl, err = c.cat.Table(c.ctx, ref)
	}
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			c.failErr(notFoundError(c.ctx, c.cat, ref, at))
		}
		c.failErr(err)
	}
	u := &tableUse{ref: ref, tbl: tbl, marker: "\x01T" + itoa(len(c.used)) + "\x01", at: at}
	for _, col := range tbl.Columns {
		t, ok := ParseType(col.Type)
		if !ok {
			t = typVarchar
		}
		u.types = append(u.types, t)
	}
	c.tables[ref] = u
	c.used = append(c.used, u)
	return u
}

// unnest compiles UNNEST(a [, b ...]) [WITH ORDINALITY] onto SQLite's
// json_each over the arrays' (or maps') JSON form. Several arrays are
// zipped into one array of rows, padded with NULLs to the longest. An
// array of rows expands its fields into columns, as Trino's UNNEST does.
func (c *compiler) unnest(u *unnestRel, sc *scope, env *cteEnv) (string, *planNode) {
	var args []cexpr
	for _, e := range u.args {
		x := c.expr(e, sc, env, exprCtx{})
		if x.t.Base != tArray && x.t.Base != tMap {
			c.fail(typeMismatch, e.start(), "Cannot unnest type: "+x.t.String())
		}
		args = append(args, x)
	}
	a := c.alias()
	ref := quoteIdent(a)
	var cols []outCol
	var sqls []string
	source := ""
	elems := func(t Type) []Type {
		switch {
		case t.Base == tMap:
			return []Type{*t.Key, *t.Elem}
		case t.Elem.Base == tRow:
			var ts []Type
			for _, f := range t.Elem.Fields {
				ts = append(ts, f.Type)
			}
			return ts
		}
		return []Type{*t.Elem}
	}
	if len(args) == 1 {
		source = "json_each(" + args[0].sql + ")"
		ts := elems(args[0].t)
		if args[0].t.Base == tArray && args[0].t.Elem.Base != tRow {
			sqls = append(sqls, valueSQL(ref+".value", ts[0]))
		} else {
			for i, t := range ts {
				sqls = append(sqls, fieldSQL(ref+".value", i, t))
			}
		}
		for _, t := range ts {
			cols = append(cols, outCol{t: t})
		}
	} else {
		var parts []string
		for _, x := range args {
			parts = append(parts, x.sql)
		}
		source = "json_each(athena_zip(" + strings.Join(parts, ", ") + "))"
		k := 0
		for i, x := range args {
			ts := elems(x.t)
			for j, t := range ts {
				path := ref + ".value"
				inner := "json_extract(" + path + ", '$[" + itoa(i) + "]')"
				if x.t.Base == tArray && x.t.Elem.Base != tRow {
					sqls = append(sqls, valueSQL(inner, t))
				} else {
					sqls = append(sqls, fieldSQL("json_extract("+path+", '$["+itoa(i)+"]')", j, t))
				}
				cols = append(cols, outCol{t: t})
				k++
			}
		}
	}
	if u.ordinality {
		sqls = append(sqls, "("+ref+".key + 1)")
		cols = append(cols, outCol{t: typBigint})
	}
	if u.columns != nil && len(u.columns) != len(cols) {
		c.fail(mismatchedColumnAliases, u.at, "Column alias list has "+itoa(len(u.columns))+" entries but '"+u.alias+"' has "+itoa(len(cols))+" columns available")
	}
	rel := &scopeRel{alias: u.alias}
	for i := range cols {
		name := ""
		if u.columns != nil {
			name = strings.ToLower(u.columns[i])
		}
		cols[i].name = name
		rel.cols = append(rel.cols, relCol{name: name, t: cols[i].t, sql: sqls[i]})
	}
	sc.rels = append(sc.rels, rel)
	return source + " AS " + ref, &planNode{op: "Unnest", layout: cols}
}

// valueSQL reads json_each's value column (or a json_extract of an
// element) as a value of t: json_each gives numbers, strings and nested
// JSON already as SQLite values, but varbinary, doubles written as
// "Infinity" and JSON values need converting.
func valueSQL(sql string, t Type) string {
	switch t.Base {
	case tVarbinary, tReal, tDouble, tJSON:
		return "athena_from_element(" + sql + ", " + quoteString(t.String()) + ")"
	case tArray, tMap, tRow:
		return "json(" + sql + ")"
	}
	return sql
}

// fieldSQL reads element i of a JSON array (a row's field, a map pair's
// key or value) as a value of t.
func fieldSQL(sql string, i int, t Type) string {
	return valueSQL("json_extract("+sql+", '$["+itoa(i)+"]')", t)
}

// resolve finds the column a name refers to, searching the scopes from
// the innermost out; the parts past a relation's column are row fields.
func (c *compiler) resolve(r *colRef, sc *scope) cexpr {
	parts := r.parts
	for s := sc; s != nil; s = s.parent {
		for q := min(len(parts)-1, 3); q >= 1; q-- {
			var found []relCol
			for _, rel := range s.rels {
				if rel.matches(parts[:q]) {
					if col, ok := rel.col(parts[q]); ok {
						found = append(found, col)
					}
				}
			}
			if len(found) > 1 {
				c.fail(ambiguousName, r.toks[q], "Column '"+strings.Join(parts[:q+1], ".")+"' is ambiguous")
			}
			if len(found) == 1 {
				return c.fields(cexpr{sql: found[0].sql, t: found[0].t}, r, q+1)
			}
		}
		var found []relCol
		for _, rel := range s.rels {
			for _, col := range rel.cols {
				if col.name == parts[0] && !col.hidden {
					found = append(found, col)
				}
			}
		}
		if len(found) > 1 {
			c.fail(ambiguousName, r.toks[0], "Column '"+parts[0]+"' is ambiguous")
		}
		if len(found) == 1 {
			return c.fields(cexpr{sql: found[0].sql, t: found[0].t}, r, 1)
		}
	}
	at := r.toks[len(r.toks)-1]
	c.fail(columnNotFound, at, "Column '"+strings.Join(parts, ".")+"' cannot be resolved or requester is not authorized to access requested resources")
	return cexpr{}
}

// fields dereferences row fields parts[from:] of e.
func (c *compiler) fields(e cexpr, r *colRef, from int) cexpr {
	for k := from; k < len(r.parts); k++ {
		e = c.field(e, r.parts[k], r.toks[k], strings.Join(r.parts[:k+1], "."))
	}
	return e
}

func (c *compiler) field(e cexpr, name string, at tok, full string) cexpr {
	if e.t.Base != tRow {
		c.fail(columnNotFound, at, "Column '"+full+"' cannot be resolved or requester is not authorized to access requested resources")
	}
	for i, f := range e.t.Fields {
		if strings.EqualFold(f.Name, name) {
			return cexpr{sql: fieldSQL(e.sql, i, f.Type), t: f.Type, agg: e.agg}
		}
	}
	c.fail(columnNotFound, at, "Column '"+full+"' cannot be resolved or requester is not authorized to access requested resources")
	return cexpr{}
}

func (c *compiler) checkBoolean(e cexpr, at expr, msg string) {
	if e.t.Base != tBoolean && e.t.Base != tUnknown {
		c.fail(typeMismatch, at.start(), msg+": "+e.t.String())
	}
}
