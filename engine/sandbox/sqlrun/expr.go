package sqlrun

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/quiltq/quiltq/engine/sqlref"
)

// exprCtx says what an expression may contain where it stands.
type exprCtx struct {
	agg    bool   // aggregates (select list, HAVING, ORDER BY)
	window bool   // window functions (select list, ORDER BY)
	inAgg  string // the aggregate whose arguments these are
	clause string // for messages: WHERE, GROUP BY, JOIN, ...
}

// expr compiles one expression.
func (c *compiler) expr(e expr, sc *scope, env *cteEnv, ctx exprCtx) cexpr {
	sub := func(x expr) cexpr { return c.expr(x, sc, env, ctx) }
	switch x := e.(type) {
	case *literal:
		return c.literal(x)
	case *colRef:
		return c.resolve(x, sc)
	case *param:
		return c.param(x)
	case *unary:
		v := sub(x.x)
		if x.op == "not" {
			c.checkBoolean(v, x.x, "Value of logical NOT expression must evaluate to a boolean")
			return cexpr{sql: "(NOT " + v.sql + ")", t: typBoolean, agg: v.agg}
		}
		return c.negate(v, x)
	case *binary:
		l, r := sub(x.l), sub(x.r)
		agg := l.agg || r.agg
		var out cexpr
		switch x.op {
		case "and", "or":
			c.checkBoolean(l, x.l, "Left side of logical expression must evaluate to a boolean")
			c.checkBoolean(r, x.r, "Right side of logical expression must evaluate to a boolean")
			out = cexpr{sql: "(" + l.sql + " " + strings.ToUpper(x.op) + " " + r.sql + ")", t: typBoolean}
		case "=", "<>", "<", ">", "<=", ">=":
			out = c.comparison(x.op, l, r, x.start())
		case "||":
			out = c.concat(l, r, x.start())
		default:
			out = c.arith(x.op, l, r, x.start())
		}
		out.agg = agg
		return out
	case *isNull:
		v := sub(x.x)
		not := ""
		if x.not {
			not = "NOT "
		}
		return cexpr{sql: "(" + v.sql + " IS " + not + "NULL)", t: typBoolean, agg: v.agg}
	case *distinctFrom:
		l, r := sub(x.l), sub(x.r)
		t := c.common(l.t, r.t, x.start(), "Cannot apply operator: "+l.t.String()+" IS DISTINCT FROM "+r.t.String())
		op := "IS NOT"
		if x.not {
			op = "IS"
		}
		return cexpr{sql: "(" + c.coerce(l, t).sql + " " + op + " " + c.coerce(r, t).sql + collation(t) + ")", t: typBoolean, agg: l.agg || r.agg}
	case *between:
		v, lo, hi := sub(x.x), sub(x.low), sub(x.high)
		t := c.common(v.t, lo.t, x.start(), "Cannot check if "+v.t.String()+" is BETWEEN "+lo.t.String()+" and "+hi.t.String())
		t = c.common(t, hi.t, x.start(), "Cannot check if "+v.t.String()+" is BETWEEN "+lo.t.String()+" and "+hi.t.String())
		if !t.orderable() {
			c.fail(typeMismatch, x.start(), "Cannot check if "+v.t.String()+" is BETWEEN "+lo.t.String()+" and "+hi.t.String())
		}
		not := ""
		if x.not {
			not = "NOT "
		}
		return cexpr{sql: "(" + c.coerce(v, t).sql + collation(t) + " " + not + "BETWEEN " + c.coerce(lo, t).sql + " AND " + c.coerce(hi, t).sql + ")", t: typBoolean, agg: v.agg || lo.agg || hi.agg}
	case *inList:
		v := sub(x.x)
		t := v.t
		items := make([]cexpr, len(x.list))
		agg := v.agg
		for i, it := range x.list {
			items[i] = sub(it)
			agg = agg || items[i].agg
			t = c.common(t, items[i].t, it.start(), "IN value and list items must be the same type: "+v.t.String())
		}
		if !t.comparable() {
			c.fail(typeMismatch, x.start(), "Type "+t.String()+" is not comparable")
		}
		parts := make([]string, len(items))
		for i, it := range items {
			parts[i] = c.coerce(it, t).sql
		}
		not := ""
		if x.not {
			not = "NOT "
		}
		return cexpr{sql: "(" + c.coerce(v, t).sql + collation(t) + " " + not + "IN (" + strings.Join(parts, ", ") + "))", t: typBoolean, agg: agg}
	case *inQuery:
		v := sub(x.x)
		q := c.compileQuery(x.q, env, sc)
		return c.inSubquery(v, q, x.not, x.start())
	case *quantified:
		v := sub(x.x)
		q := c.compileQuery(x.q, env, sc)
		switch {
		case x.op == "=" && !x.all:
			return c.inSubquery(v, q, false, x.start())
		case x.op == "<>" && x.all:
			return c.inSubquery(v, q, true, x.start())
		}
		c.fail(notSupported, x.at, "quantified comparisons other than = ANY and <> ALL are not supported by the sandbox")
	case *like:
		v, p := sub(x.x), sub(x.pattern)
		for _, o := range []cexpr{v, p} {
			if !o.t.isString() && o.t.Base != tUnknown {
				c.fail(typeMismatch, x.start(), "Left side of LIKE expression must evaluate to a varchar (actual: "+v.t.String()+")")
			}
		}
		not := ""
		if x.not {
			not = "NOT "
		}
		sql := "(" + v.sql + " " + not + "LIKE " + p.sql
		if x.esc != nil {
			esc := sub(x.esc)
			sql += " ESCAPE " + esc.sql
		}
		return cexpr{sql: sql + ")", t: typBoolean, agg: v.agg || p.agg}
	case *exists:
		q := c.compileQuery(x.q, env, sc)
		return cexpr{sql: "EXISTS (" + q.sql + ")", t: typBoolean}
	case *scalarQuery:
		q := c.compileQuery(x.q, env, sc)
		if len(q.cols) != 1 {
			c.fail(notSupported, x.at, "Multiple columns returned by subquery are not yet supported. Found "+itoa(len(q.cols)))
		}
		// Trino fails a scalar subquery that returns more than one row
		// ("Scalar sub-query has returned multiple rows"); at most two are
		// read to tell.
		col := quoteIdent(colName(0))
		return cexpr{sql: "(SELECT CASE WHEN count(*) > 1 THEN athena_raise(" + quoteString(subqueryMultipleRows.code) +
			", 'Scalar sub-query has returned multiple rows') ELSE max(" + col + ") END FROM (SELECT " + col + " FROM (" + q.sql + ") LIMIT 2))", t: q.cols[0].t}
	case *caseExpr:
		return c.caseExpr(x, sc, env, ctx)
	case *cast:
		v := sub(x.x)
		out := c.cast(v, x.typ, x.try)
		out.agg = v.agg
		return out
	case *extract:
		v := sub(x.x)
		if v.t.Base != tDate && v.t.Base != tTimestamp && v.t.Base != tTimestampTZ && v.t.Base != tUnknown {
			c.fail(typeMismatch, x.at, "Cannot extract "+strings.ToUpper(x.field)+" from "+v.t.String())
		}
		return cexpr{sql: "athena_extract(" + quoteString(x.field) + ", " + v.sql + ")", t: typBigint, agg: v.agg}
	case *call:
		return c.call(x, sc, env, ctx)
	case *arrayCtor:
		var elems []cexpr
		t := typUnknown
		agg := false
		for _, el := range x.elems {
			v := sub(el)
			elems = append(elems, v)
			agg = agg || v.agg
			t = c.common(t, v.t, el.start(), "All ARRAY elements must be the same type: "+t.String())
		}
		at := arrayOf(t)
		parts := []string{quoteString(at.String())}
		for _, v := range elems {
			parts = append(parts, c.coerce(v, t).sql)
		}
		return cexpr{sql: "athena_array(" + strings.Join(parts, ", ") + ")", t: at, agg: agg}
	case *rowCtor:
		t := Type{Base: tRow}
		parts := []string{""}
		agg := false
		for _, el := range x.elems {
			v := sub(el)
			agg = agg || v.agg
			t.Fields = append(t.Fields, Field{Type: v.t})
			parts = append(parts, v.sql)
		}
		parts[0] = quoteString(t.String())
		return cexpr{sql: "athena_row(" + strings.Join(parts, ", ") + ")", t: t, agg: agg}
	case *subscript:
		v, idx := sub(x.x), sub(x.index)
		switch v.t.Base {
		case tArray:
			if !idx.t.isIntegral() && idx.t.Base != tUnknown {
				c.fail(typeMismatch, x.at, "Cannot use "+idx.t.String()+" for subscript of "+v.t.String())
			}
			return cexpr{sql: "athena_subscript(" + v.sql + ", " + idx.sql + ", " + quoteString(v.t.String()) + ")", t: *v.t.Elem, agg: v.agg || idx.agg}
		case tMap:
			if !canCoerce(idx.t, *v.t.Key) {
				c.fail(typeMismatch, x.at, "Cannot use "+idx.t.String()+" for subscript of "+v.t.String())
			}
			k := c.coerce(idx, *v.t.Key)
			return cexpr{sql: "athena_map_get(" + v.sql + ", " + k.sql + ", " + quoteString(v.t.String()) + ", 1)", t: *v.t.Elem, agg: v.agg || idx.agg}
		case tRow:
			l, ok := x.index.(*literal)
			n := 0
			if ok && l.kind == litInteger {
				n, _ = strconv.Atoi(l.text)
			}
			if n < 1 || n > len(v.t.Fields) {
				c.fail(invalidFunctionArgument, x.at, "Invalid subscript index: "+exprText(x.index)+" (the row has "+itoa(len(v.t.Fields))+" fields)")
			}
			return cexpr{sql: fieldSQL(v.sql, n-1, v.t.Fields[n-1].Type), t: v.t.Fields[n-1].Type, agg: v.agg}
		}
		c.fail(typeMismatch, x.at, "Cannot use "+idx.t.String()+" for subscript of "+v.t.String())
	case *deref:
		v := sub(x.x)
		return c.field(v, x.field, x.at, exprText(x.x)+"."+x.field)
	case *lambda:
		c.fail(notSupported, x.at, "lambda expressions are not supported by the sandbox")
	case *special:
		switch x.name {
		case "current_date":
			return cexpr{sql: "athena_current_date()", t: typDate}
		case "current_timestamp":
			return cexpr{sql: "athena_now_tz()", t: typTimestampTZ}
		case "localtimestamp":
			return cexpr{sql: "athena_now()", t: typTimestamp}
		case "current_catalog":
			return cexpr{sql: quoteString(c.defaults.Catalog), t: typVarchar}
		case "current_schema":
			return cexpr{sql: quoteString(c.defaults.Database), t: typVarchar}
		}
		c.fail(notSupported, x.at, strings.ToUpper(x.name)+" is not supported by the sandbox")
	}
	c.fail(notSupported, e.start(), "this expression is not supported by the sandbox")
	return cexpr{}
}

// collation is the COLLATE clause comparisons of t need: decimals are
// text compared as numbers.
func collation(t Type) string {
	if t.Base == tDecimal {
		return " COLLATE athena_decimal"
	}
	return ""
}

// common is the common type of a and b, or a TYPE_MISMATCH at at.
func (c *compiler) common(a, b Type, at tok, msg string) Type {
	t, ok := commonType(a, b)
	if !ok {
		c.fail(typeMismatch, at, msg)
	}
	return t
}

func (c *compiler) comparison(op string, l, r cexpr, at tok) cexpr {
	msg := "Cannot apply operator: " + l.t.String() + " " + op + " " + r.t.String()
	t := c.common(l.t, r.t, at, msg)
	if op == "=" || op == "<>" {
		if !t.comparable() {
			c.fail(typeMismatch, at, msg)
		}
	} else if !t.orderable() {
		c.fail(typeMismatch, at, msg)
	}
	return cexpr{sql: c.compare(op, l, r, t), t: typBoolean}
}

// compare writes l op r compared as type t.
func (c *compiler) compare(op string, l, r cexpr, t Type) string {
	L, R := c.coerce(l, t).sql, c.coerce(r, t).sql
	if t.isComplex() && op != "=" && op != "<>" {
		return "(athena_compare(" + L + ", " + R + ", " + quoteString(t.String()) + ") " + op + " 0)"
	}
	if t.isFloating() {
		// NaN is stored as the text 'NaN', which SQLite would find equal
		// to itself and greater than every number; in Trino NaN is neither
		// equal to, less than nor greater than any value (trinodb/trino
		// #21922). Only a text operand needs the slow path; a numeric
		// literal never is one.
		var texts []string
		for _, side := range []string{L, R} {
			if _, err := strconv.ParseFloat(strings.Trim(side, "()"), 64); err != nil {
				texts = append(texts, "typeof("+side+") = 'text'")
			}
		}
		if len(texts) == 0 {
			return "(" + L + " " + op + " " + R + ")"
		}
		return "(CASE WHEN " + strings.Join(texts, " OR ") + " THEN athena_fcmp(" + L + ", " + R + ", " + quoteString(op) + ") ELSE " + L + " " + op + " " + R + " END)"
	}
	return "(" + L + " " + op + " " + R + collation(t) + ")"
}

func (c *compiler) inSubquery(v cexpr, q *compiled, not bool, at tok) cexpr {
	if len(q.cols) != 1 {
		c.fail(notSupported, at, "Multiple columns returned by subquery are not yet supported. Found "+itoa(len(q.cols)))
	}
	t := c.common(v.t, q.cols[0].t, at, "Value expression and result of subquery must be of the same type: "+v.t.String()+" vs "+q.cols[0].t.String())
	sub := c.coerceColumns(q, []outCol{{name: q.cols[0].name, t: t}})
	n := ""
	if not {
		n = "NOT "
	}
	return cexpr{sql: "(" + c.coerce(v, t).sql + collation(t) + " " + n + "IN (SELECT " + quoteIdent(colName(0)) + " FROM (" + sub + ")))", t: typBoolean, agg: v.agg}
}

func (c *compiler) caseExpr(x *caseExpr, sc *scope, env *cteEnv, ctx exprCtx) cexpr {
	sub := func(e expr) cexpr { return c.expr(e, sc, env, ctx) }
	var operand cexpr
	opType := typUnknown
	if x.operand != nil {
		operand = sub(x.operand)
		opType = operand.t
	}
	type branch struct{ cond, then cexpr }
	var bs []branch
	t := typUnknown
	agg := operand.agg
	for _, w := range x.whens {
		cond, then := sub(w.cond), sub(w.then)
		if x.operand != nil {
			opType = c.common(opType, cond.t, w.cond.start(), "CASE operand type does not match WHEN clause operand type: "+operand.t.String()+" vs "+cond.t.String())
		} else {
			c.checkBoolean(cond, w.cond, "WHEN clause must evaluate to a boolean")
		}
		t = c.common(t, then.t, w.then.start(), "All CASE results must be the same type or coercible to a common type. Cannot find common type between "+t.String()+" and "+then.t.String())
		bs = append(bs, branch{cond, then})
		agg = agg || cond.agg || then.agg
	}
	var els *cexpr
	if x.els != nil {
		e := sub(x.els)
		t = c.common(t, e.t, x.els.start(), "All CASE results must be the same type or coercible to a common type. Cannot find common type between "+t.String()+" and "+e.t.String())
		els = &e
		agg = agg || e.agg
	}
	var b strings.Builder
	b.WriteString("CASE")
	for _, br := range bs {
		cond := br.cond.sql
		if x.operand != nil {
			cond = c.compare("=", operand, br.cond, opType)
		}
		b.WriteString(" WHEN " + cond + " THEN " + c.coerce(br.then, t).sql)
	}
	if els != nil {
		b.WriteString(" ELSE " + c.coerce(*els, t).sql)
	}
	b.WriteString(" END")
	return cexpr{sql: b.String(), t: t, agg: agg}
}

// negate compiles unary minus.
func (c *compiler) negate(v cexpr, x *unary) cexpr {
	switch {
	case v.t.Base == tUnknown:
		return v
	case v.t.isIntegral():
		// A literal negates in place: -2147483648 is an integer.
		if l, ok := x.x.(*literal); ok && l.kind == litInteger {
			return c.literal(&literal{at: l.at, kind: litInteger, text: "-" + l.text})
		}
		return cexpr{sql: "athena_negate(" + v.sql + ", " + quoteString(v.t.Base) + ")", t: v.t, agg: v.agg}
	case v.t.Base == tDecimal:
		return cexpr{sql: "athena_dnegate(" + v.sql + ", " + itoa(v.t.S) + ")", t: v.t, agg: v.agg}
	case v.t.isFloating():
		return cexpr{sql: "athena_farith('-', 0, " + v.sql + ", " + quoteString(v.t.Base) + ")", t: v.t, agg: v.agg}
	}
	c.fail(typeMismatch, x.at, "Cannot negate "+v.t.String())
	return cexpr{}
}

// arith compiles + - * / % with Trino's types and failures: integer
// overflow and integer or decimal division by zero fail the query, while
// double division by zero gives Infinity or NaN.
func (c *compiler) arith(op string, l, r cexpr, at tok) cexpr {
	if l.t.Base == tUnknown && r.t.Base == tUnknown {
		return cexpr{sql: "NULL", t: typUnknown}
	}
	if l.t.Base == tUnknown {
		l.t = r.t
	}
	if r.t.Base == tUnknown {
		r.t = l.t
	}
	msg := "Cannot apply operator: " + l.t.String() + " " + op + " " + r.t.String()
	if !l.t.isNumeric() || !r.t.isNumeric() {
		c.fail(typeMismatch, at, msg)
	}
	sym := quoteString(op)
	switch {
	case l.t.isIntegral() && r.t.isIntegral():
		t := l.t
		if integerRank(r.t.Base) > integerRank(t.Base) {
			t = r.t
		}
		return cexpr{sql: "athena_arith(" + sym + ", " + l.sql + ", " + r.sql + ", " + quoteString(t.Base) + ")", t: t}
	case l.t.isFloating() || r.t.isFloating():
		t := typReal
		if l.t.Base == tDouble || r.t.Base == tDouble {
			t = typDouble
		}
		return cexpr{sql: "athena_farith(" + sym + ", " + c.coerce(l, t).sql + ", " + c.coerce(r, t).sql + ", " + quoteString(t.Base) + ")", t: t}
	}
	dl, dr := l.t, r.t
	if dl.isIntegral() {
		dl = decimalOfInteger(dl.Base)
	}
	if dr.isIntegral() {
		dr = decimalOfInteger(dr.Base)
	}
	// Result types from Trino's DecimalOperators.
	var t Type
	s := max(dl.S, dr.S)
	switch op {
	case "+", "-":
		t = decimalType(min(38, max(dl.P-dl.S, dr.P-dr.S)+s+1), s)
	case "*":
		t = decimalType(min(38, dl.P+dr.P), min(38, dl.S+dr.S))
	case "/":
		t = decimalType(min(38, dl.P+dr.S+max(dr.S-dl.S, 0)), s)
	case "%":
		t = decimalType(min(min(dr.P-dr.S, dl.P-dl.S)+s, 38), s)
	}
	return cexpr{sql: "athena_darith(" + sym + ", " + l.sql + ", " + r.sql + ", " + itoa(t.P) + ", " + itoa(t.S) + ")", t: t}
}

// concat compiles ||: strings, varbinary, and arrays with arrays or
// elements.
func (c *compiler) concat(l, r cexpr, at tok) cexpr {
	lt, rt := l.t, r.t
	if lt.Base == tUnknown {
		lt = rt
	}
	if rt.Base == tUnknown {
		rt = lt
	}
	switch {
	case lt.isString() && rt.isString():
		t := typVarchar
		if l.t.Base == tVarchar && r.t.Base == tVarchar && lt.P >= 0 && rt.P >= 0 {
			t = varcharN(lt.P + rt.P)
		}
		return cexpr{sql: "athena_concat(" + l.sql + ", " + r.sql + ")", t: t}
	case lt.Base == tVarbinary && rt.Base == tVarbinary:
		return cexpr{sql: "athena_concat_binary(" + l.sql + ", " + r.sql + ")", t: typVarbinary}
	case lt.Base == tArray && rt.Base == tArray:
		t := c.common(lt, rt, at, "Cannot apply operator: "+l.t.String()+" || "+r.t.String())
		return cexpr{sql: "athena_array_concat(" + quoteString(t.String()) + ", " + c.coerce(l, t).sql + ", " + c.coerce(r, t).sql + ")", t: t}
	case lt.Base == tArray && canCoerce(rt, *lt.Elem):
		one := cexpr{sql: "athena_array(" + quoteString(lt.String()) + ", " + c.coerce(r, *lt.Elem).sql + ")", t: lt}
		return cexpr{sql: "athena_array_concat(" + quoteString(lt.String()) + ", " + l.sql + ", " + one.sql + ")", t: lt}
	case rt.Base == tArray && canCoerce(lt, *rt.Elem):
		one := cexpr{sql: "athena_array(" + quoteString(rt.String()) + ", " + c.coerce(l, *rt.Elem).sql + ")", t: rt}
		return cexpr{sql: "athena_array_concat(" + quoteString(rt.String()) + ", " + one.sql + ", " + r.sql + ")", t: rt}
	}
	c.fail(typeMismatch, at, "Cannot apply operator: "+l.t.String()+" || "+r.t.String())
	return cexpr{}
}

// coerce converts e to type t (which it must coerce to implicitly).
func (c *compiler) coerce(e cexpr, t Type) cexpr {
	from := e.t
	switch {
	case from.Equal(t):
		return e
	case from.Base == tUnknown:
		return cexpr{sql: e.sql, t: t, agg: e.agg}
	case from.isIntegral() && (t.isIntegral() || t.isFloating()):
		return cexpr{sql: e.sql, t: t, agg: e.agg}
	case from.Base == tReal && t.Base == tDouble:
		return cexpr{sql: e.sql, t: t, agg: e.agg}
	case from.Base == tVarchar && t.Base == tVarchar:
		return cexpr{sql: e.sql, t: t, agg: e.agg}
	case (from.Base == tVarchar || from.Base == tChar) && t.Base == tChar:
		return cexpr{sql: "athena_pad_char(" + e.sql + ", " + itoa(t.P) + ")", t: t, agg: e.agg}
	case from.Base == tDate && t.Base == tTimestamp:
		return cexpr{sql: "(" + e.sql + " || ' 00:00:00.000')", t: t, agg: e.agg}
	case from.Base == tDate && t.Base == tTimestampTZ:
		return cexpr{sql: "(" + e.sql + " || ' 00:00:00.000 UTC')", t: t, agg: e.agg}
	case from.Base == tTimestamp && t.Base == tTimestampTZ:
		return cexpr{sql: "(" + e.sql + " || ' UTC')", t: t, agg: e.agg}
	}
	return cexpr{sql: "athena_cast(" + e.sql + ", " + quoteString(from.String()) + ", " + quoteString(t.String()) + ", 0)", t: t, agg: e.agg}
}

// cast compiles CAST and TRY_CAST.
func (c *compiler) cast(v cexpr, t Type, try bool) cexpr {
	if t.Base == tUnknown {
		c.fail(typeMismatch, tok{}, "Cannot cast to unknown")
	}
	if v.t.Equal(t) || v.t.Base == tUnknown {
		return cexpr{sql: v.sql, t: t}
	}
	if v.t.isIntegral() && t.isIntegral() && integerRank(v.t.Base) <= integerRank(t.Base) ||
		v.t.Base == tVarchar && t.Base == tVarchar && t.P < 0 {
		return cexpr{sql: v.sql, t: t}
	}
	tryArg := "0"
	if try {
		tryArg = "1"
	}
	return cexpr{sql: "athena_cast(" + v.sql + ", " + quoteString(v.t.String()) + ", " + quoteString(t.String()) + ", " + tryArg + ")", t: t}
}

// param compiles an execution parameter: each is one literal, as
// ExecutionParameters carry values, not SQL.
func (c *compiler) param(p *param) cexpr {
	if p.index >= len(c.params) {
		c.fail(invalidParameter, p.at, "Incorrect number of parameters: expected "+itoa(c.paramCount)+" but found "+itoa(len(c.params)))
	}
	if c.paramValues[p.index] != nil {
		return *c.paramValues[p.index]
	}
	text := c.params[p.index]
	all, err := sqlref.Lex(text)
	toks := sqlref.Significant(all)
	if err != nil || len(toks) == 0 {
		c.fail(invalidParameter, p.at, "Execution parameter "+itoa(p.index+1)+" ("+text+") is not a literal")
	}
	pp := &parser{toks: toks, eof: tok{Text: "<EOF>"}}
	var e expr
	if perr := pp.run(func() { e = pp.expr() }); perr != nil || !pp.atEnd() || !isLiteral(e) {
		c.fail(invalidParameter, p.at, "Execution parameter "+itoa(p.index+1)+" ("+text+") is not a literal")
	}
	v := c.expr(e, &scope{}, nil, exprCtx{})
	c.paramValues[p.index] = &v
	return v
}

// isLiteral reports whether e is a literal, a signed number or a cast of
// a literal.
func isLiteral(e expr) bool {
	switch x := e.(type) {
	case *literal:
		return true
	case *unary:
		l, ok := x.x.(*literal)
		return x.op == "-" && ok && (l.kind == litInteger || l.kind == litDecimal || l.kind == litDouble)
	case *cast:
		return isLiteral(x.x)
	}
	return false
}

// literal compiles a literal with Trino's type: an integer is integer
// when it fits in 32 bits, else bigint (else decimal); 1.5 is decimal(2,1);
// 1.5e0 is double; 'abc' is varchar(3); X'00ff' is varbinary; NULL is
// unknown.
func (c *compiler) literal(l *literal) cexpr {
	switch l.kind {
	case litNull:
		return cexpr{sql: "NULL", t: typUnknown}
	case litBool:
		if l.text == "true" {
			return cexpr{sql: "1", t: typBoolean}
		}
		return cexpr{sql: "0", t: typBoolean}
	case litInteger:
		n, err := strconv.ParseInt(l.text, 10, 64)
		if err == nil {
			if n >= math.MinInt32 && n <= math.MaxInt32 {
				return cexpr{sql: strconv.FormatInt(n, 10), t: typInteger}
			}
			return cexpr{sql: strconv.FormatInt(n, 10), t: typBigint}
		}
		if d, ok := parseDecimal(l.text); ok && len(strings.TrimLeft(strings.TrimPrefix(l.text, "-"), "0")) <= 38 {
			return cexpr{sql: quoteString(d.String()), t: decimalType(max(1, len(strings.TrimLeft(strings.TrimPrefix(l.text, "-"), "0"))), 0)}
		}
		c.fail(invalidLiteral, l.at, "Invalid numeric literal: "+l.text)
	case litDecimal:
		d, ok := parseDecimal(l.text)
		if !ok {
			c.fail(invalidLiteral, l.at, "'"+l.text+"' is not a valid decimal literal")
		}
		p, s := decimalLiteralType(l.text)
		if p > 38 {
			c.fail(invalidLiteral, l.at, "Decimal literal "+l.text+" is too long")
		}
		return cexpr{sql: quoteString(d.rescale(s).String()), t: decimalType(p, s)}
	case litDouble, litReal:
		f, ok := parseJavaFloat(l.text)
		if !ok {
			c.fail(invalidLiteral, l.at, "'"+l.text+"' is not a valid "+map[bool]string{true: "REAL", false: "DOUBLE"}[l.kind == litReal]+" literal")
		}
		t := typDouble
		if l.kind == litReal {
			t, f = typReal, float64(float32(f))
		}
		return cexpr{sql: floatSQL(f), t: t}
	case litString:
		return cexpr{sql: quoteString(l.text), t: varcharN(utf8.RuneCountInString(l.text))}
	case litChar:
		n := utf8.RuneCountInString(l.text)
		return cexpr{sql: quoteString(l.text), t: Type{Base: tChar, P: max(n, 1)}}
	case litBinary:
		h := strings.ReplaceAll(l.text, " ", "")
		if _, err := hex.DecodeString(h); err != nil {
			c.fail(syntaxError, l.at, "Binary literal can only contain hexadecimal digits and must contain an even number of digits")
		}
		return cexpr{sql: "X'" + h + "'", t: typVarbinary}
	case litDate:
		d, ok := parseDate(l.text)
		if !ok {
			c.fail(invalidLiteral, l.at, "'"+l.text+"' is not a valid DATE literal")
		}
		return cexpr{sql: quoteString(d), t: typDate}
	case litTimestamp:
		if ts, ok := parseTimestampTZ(l.text); ok {
			return cexpr{sql: quoteString(formatTimestampTZ(ts)), t: typTimestampTZ}
		}
		ts, ok := parseTimestamp(l.text)
		if !ok {
			c.fail(invalidLiteral, l.at, "'"+l.text+"' is not a valid TIMESTAMP literal")
		}
		return cexpr{sql: quoteString(formatTimestamp(ts)), t: typTimestamp}
	case litTime:
		c.fail(notSupported, l.at, "TIME literals are not supported by the sandbox")
	case litJSON:
		v := cellValue(l.text, typJSON)
		if v == nil {
			c.fail(invalidLiteral, l.at, "'"+l.text+"' is not a valid JSON literal")
		}
		return cexpr{sql: quoteString(text(v)), t: typJSON}
	case litInterval:
		c.fail(notSupported, l.at, "INTERVAL is not supported by the sandbox")
	}
	c.fail(notSupported, l.at, "this literal is not supported by the sandbox")
	return cexpr{}
}

// decimalLiteralType is the decimal(p,s) of a literal such as 12.50:
// the digits after the point are its scale, leading zeros do not count.
func decimalLiteralType(s string) (int, int) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	ip, frac, _ := strings.Cut(s, ".")
	ip = strings.TrimLeft(ip, "0")
	return max(len(ip)+len(frac), 1), len(frac)
}

// floatSQL writes a float as a SQLite REAL literal.
func floatSQL(f float64) string {
	switch {
	case math.IsNaN(f):
		return "'NaN'"
	case math.IsInf(f, 1):
		return "9e999"
	case math.IsInf(f, -1):
		return "-9e999"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// exprText renders an expression for plans and messages.
func exprText(e expr) string {
	switch x := e.(type) {
	case *literal:
		switch x.kind {
		case litString:
			return quoteString(x.text)
		case litNull:
			return "NULL"
		}
		return x.text
	case *colRef:
		return `"` + strings.Join(x.parts, `"."`) + `"`
	case *binary:
		return "(" + exprText(x.l) + " " + strings.ToUpper(x.op) + " " + exprText(x.r) + ")"
	case *unary:
		return strings.ToUpper(x.op) + " " + exprText(x.x)
	case *call:
		var args []string
		for _, a := range x.args {
			args = append(args, exprText(a))
		}
		if x.star {
			args = []string{"*"}
		}
		return `"` + x.name + `"(` + strings.Join(args, ", ") + ")"
	case *isNull:
		if x.not {
			return "(" + exprText(x.x) + " IS NOT NULL)"
		}
		return "(" + exprText(x.x) + " IS NULL)"
	}
	return e.start().Text
}

// call compiles a function call: a scalar function, an aggregate (with
// DISTINCT, FILTER, ORDER BY) or a window function (OVER).
func (c *compiler) call(x *call, sc *scope, env *cteEnv, ctx exprCtx) cexpr {
	name := strings.ToLower(x.name)
	if name == "mod" && len(x.args) == 2 {
		l, r := c.expr(x.args[0], sc, env, ctx), c.expr(x.args[1], sc, env, ctx)
		out := c.arith("%", l, r, x.at)
		out.agg = l.agg || r.agg
		return out
	}
	f := c.fns[name]
	if f == nil {
		c.fail(functionNotFound, x.at, "Function '"+name+"' not registered")
	}
	aggregate := f.kind == aggregateFn && x.over == nil
	switch {
	case f.kind == windowFn && x.over == nil:
		c.fail(functionNotFound, x.at, "Window function "+name+" requires an OVER clause")
	case aggregate && ctx.inAgg != "":
		c.fail(nestedAggregation, x.at, "Cannot nest aggregations inside aggregation '"+ctx.inAgg+"': ["+exprText(x)+"]")
	case aggregate && !ctx.agg, x.over != nil && !ctx.window:
		where := ctx.clause
		if where == "" {
			where = "WHERE"
		}
		c.fail(expressionNotAggregate, x.at, where+" clause cannot contain aggregations, window functions or grouping operations: ["+exprText(x)+"]")
	case x.distinct && f.kind != aggregateFn:
		c.fail(functionNotFound, x.at, "DISTINCT can only be applied to aggregation functions")
	case x.filter != nil && f.kind != aggregateFn:
		c.fail(functionNotFound, x.at, "Filter is only valid for aggregation functions")
	}
	argCtx := ctx
	if aggregate {
		argCtx = exprCtx{inAgg: name, clause: ctx.clause}
	}
	var args []cexpr
	var types []Type
	for _, a := range x.args {
		v := c.expr(a, sc, env, argCtx)
		args = append(args, v)
		types = append(types, v.t)
	}
	if x.star && name != "count" {
		c.fail(functionNotFound, x.at, "Function '"+name+"' does not take *")
	}
	rt, want, ok := f.resolve(types)
	if !ok {
		names := make([]string, len(types))
		for i, t := range types {
			names[i] = t.String()
		}
		c.fail(functionNotFound, x.at, "Unexpected parameters ("+strings.Join(names, ", ")+") for function "+name+". Expected: "+f.usage)
	}
	a := callSQL{rt: rt}
	for i, v := range args {
		if want != nil && i < len(want) {
			v = c.coerce(v, want[i])
		}
		a.args = append(a.args, v.sql)
		a.types = append(a.types, v.t)
	}
	if x.star {
		a.args = []string{"*"}
	}
	if x.distinct {
		a.distinct = "DISTINCT "
	}
	if len(x.orderBy) > 0 {
		if f.kind != aggregateFn {
			c.fail(functionNotFound, x.at, "ORDER BY can only be applied to aggregation functions")
		}
		var keys []string
		for _, s := range x.orderBy {
			e := c.expr(s.e, sc, env, exprCtx{clause: ctx.clause})
			keys = append(keys, sortSQL(e.sql, e.t, s, c))
		}
		a.orderBy = " ORDER BY " + strings.Join(keys, ", ")
	}
	sql := f.sql(a)
	if x.filter != nil {
		cond := c.expr(x.filter, sc, env, exprCtx{clause: "FILTER"})
		c.checkBoolean(cond, x.filter, "Filter expression must evaluate to a boolean")
		sql += " FILTER (WHERE " + cond.sql + ")"
	}
	if x.over != nil {
		var parts []string
		wctx := exprCtx{agg: ctx.agg, clause: ctx.clause}
		if len(x.over.partition) > 0 {
			var ps []string
			for _, p := range x.over.partition {
				ps = append(ps, c.expr(p, sc, env, wctx).sql)
			}
			parts = append(parts, "PARTITION BY "+strings.Join(ps, ", "))
		}
		if len(x.over.orderBy) > 0 {
			var keys []string
			for _, s := range x.over.orderBy {
				e := c.expr(s.e, sc, env, wctx)
				keys = append(keys, sortSQL(e.sql, e.t, s, c))
			}
			parts = append(parts, "ORDER BY "+strings.Join(keys, ", "))
		}
		if x.over.frame != "" {
			parts = append(parts, x.over.frame)
		}
		sql += " OVER (" + strings.Join(parts, " ") + ")"
	}
	agg := f.kind != scalarFn
	for _, v := range args {
		agg = agg || v.agg
	}
	return cexpr{sql: sql, t: rt, agg: agg}
}
