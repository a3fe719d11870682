package sqlrun

import (
	"strconv"
	"strings"

	"github.com/quiltq/quiltq/engine/sqlref"
)

// The translation works on tokens, not on a syntax tree: every token keeps
// its slot in the output, and the rewrites are local (a function renamed, a
// CAST turned into a call, a table name replaced by its loaded copy, NULLS
// LAST appended, OFFSET and LIMIT swapped). SQLite's grammar is close enough
// to Trino's that this covers the common forms, and whatever it misses
// SQLite rejects, which becomes an Athena-style error.

// occurrence is one table name in the query.
type occurrence struct {
	first, last int // token range of the dotted name
	ref         TableRef
	addAlias    string // alias to add so that qualified columns still resolve; "" when the query has one
}

// selectItem is one item of the outermost select list.
type selectItem struct {
	name  string         // the output name: alias or column name; "" for _colN
	expr  []sqlref.Token // the expression, without its alias
	star  bool
	first int // first token
	last  int // last token
}

// translation is a query made ready for SQLite.
type translation struct {
	toks   []sqlref.Token
	out    []string // replacement text per token
	suffix []string // text appended after each token
	occ    []occurrence
	items  []selectItem
}

// exprAlias is the alias given to unnamed expressions of the outermost
// select list, so that their output position can be told apart from star
// columns; it is renamed _colN on the way out.
const exprAlias = "__sqlrun_expr_"

type scope struct {
	parent *scope
	ctes   map[string]bool
}

func (s *scope) visible(name string) bool {
	for ; s != nil; s = s.parent {
		if s.ctes[name] {
			return true
		}
	}
	return false
}

type translator struct {
	translation
	match    []int
	defaults TableRef // Catalog and Database of the session
	captured bool     // the outermost select list is recorded
	err      error
}

func (tr *translator) fail(err *Error) {
	if tr.err == nil {
		tr.err = err
	}
}

func (tr *translator) failAt(k errorKind, t sqlref.Token, msg string) {
	tr.fail(newError(k, t.Line, t.Col, msg))
}

// translate prepares one statement (its significant tokens, no trailing
// semicolon) for SQLite.
func translate(toks []sqlref.Token, defaults TableRef, eof sqlref.Token) (*translation, error) {
	tr := &translator{defaults: defaults}
	tr.toks = toks
	tr.out = make([]string, len(toks))
	tr.suffix = make([]string, len(toks))
	for i, t := range toks {
		tr.out[i] = t.Text
	}
	match, err := matchParens(toks, eof)
	if err != nil {
		return nil, err
	}
	tr.match = match
	tr.tokens()
	tr.walk(0, len(toks), &scope{}, false, true)
	if tr.err != nil {
		return nil, tr.err
	}
	return &tr.translation, nil
}

// matchParens pairs parentheses, reporting the first that has no partner as
// Trino's parser would.
func matchParens(toks []sqlref.Token, eof sqlref.Token) ([]int, error) {
	match := make([]int, len(toks))
	var stack []int
	for i, t := range toks {
		match[i] = -1
		switch {
		case t.IsOp("("):
			stack = append(stack, i)
		case t.IsOp(")"):
			if len(stack) == 0 {
				return nil, newError(syntaxError, t.Line, t.Col, "mismatched input ')'. Expecting: <EOF>")
			}
			open := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			match[open], match[i] = i, open
		}
	}
	if len(stack) > 0 {
		return nil, newError(syntaxError, eof.Line, eof.Col, "mismatched input '<EOF>'. Expecting: ')'")
	}
	return match, nil
}

// funcNames maps Trino function names to the SQLite or registered Go
// function that implements them.
var funcNames = map[string]string{
	"strpos": "instr", "if": "iif", "substring": "substr", "greatest": "max", "least": "min",
	"json_extract_scalar": "json_extract", "chr": "char", "codepoint": "unicode",
	"concat": "athena_concat", "split_part": "athena_split_part", "regexp_like": "athena_regexp_like",
	"regexp_extract": "athena_regexp_extract", "regexp_replace": "athena_regexp_replace",
	"year": "athena_year", "month": "athena_month", "day": "athena_day", "day_of_month": "athena_day",
	"hour": "athena_hour", "minute": "athena_minute", "second": "athena_second", "quarter": "athena_quarter",
	"day_of_week": "athena_day_of_week", "dow": "athena_day_of_week", "day_of_year": "athena_day_of_year",
	"doy": "athena_day_of_year", "date_trunc": "athena_date_trunc", "date_format": "athena_date_format",
	"date_add": "athena_date_add", "date_diff": "athena_date_diff", "date": "athena_date",
	"from_unixtime": "athena_from_unixtime", "to_unixtime": "athena_to_unixtime", "now": "athena_now",
	"starts_with": "athena_starts_with", "reverse": "athena_reverse", "lpad": "athena_lpad", "rpad": "athena_rpad",
	"random": "athena_random", "rand": "athena_random", "trim": "athena_trim", "ltrim": "athena_ltrim", "rtrim": "athena_rtrim",
}

// tokens rewrites what can be rewritten token by token: functions,
// literals, and what the sandbox refuses.
func (tr *translator) tokens() {
	toks := tr.toks
	params := 0
	for _, t := range toks {
		if t.Kind == sqlref.Param {
			params++
		}
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := func(k int) sqlref.Token {
			if i+k < len(toks) {
				return toks[i+k]
			}
			return sqlref.Token{}
		}
		switch t.Kind {
		case sqlref.BacktickIdent:
			tr.failAt(syntaxError, t, "backquoted identifiers are not supported; use double quotes to quote identifiers")
		case sqlref.String:
			if t.Text[0] == 'U' || t.Text[0] == 'u' {
				tr.out[i] = quoteString(t.Value)
			}
		case sqlref.Number:
			tr.out[i] = strings.ReplaceAll(t.Text, "_", "")
		case sqlref.Param:
			tr.failAt(invalidParameter, t, "Incorrect number of parameters: expected "+itoa(params)+" but found 0")
		case sqlref.Op:
			switch t.Text {
			case "->", "=>":
				tr.failAt(notSupported, t, "lambda expressions and named arguments are not supported by the sandbox")
			case "[":
				tr.failAt(notSupported, t, "arrays, maps and subscripts are not supported by the sandbox")
			case "::", "{", "}", "^", "&", "~", "!", ":":
				tr.failAt(syntaxError, t, "mismatched input '"+t.Text+"'")
			}
		case sqlref.Word:
			if next(1).IsOp("(") {
				tr.function(i)
				continue
			}
			switch t.Value {
			case "date", "timestamp":
				if n := next(1); n.Kind == sqlref.String {
					lit, ok := normalizeLiteral(t.Value, n.Value)
					if !ok {
						tr.failAt(invalidLiteral, t, "'"+n.Value+"' is not a valid "+strings.ToUpper(t.Value)+" literal")
					}
					tr.out[i], tr.out[i+1] = "", quoteString(lit)
				}
			case "time":
				if next(1).Kind == sqlref.String {
					tr.failAt(notSupported, t, "TIME literals are not supported by the sandbox")
				}
			case "interval":
				tr.failAt(notSupported, t, "INTERVAL is not supported by the sandbox")
			case "current_date":
				tr.out[i] = "athena_current_date()"
			case "current_timestamp", "localtimestamp":
				tr.out[i] = "athena_now()"
			case "is":
				// a IS [NOT] DISTINCT FROM b is SQLite's a IS [NOT] b, negated.
				k := i + 1
				not := next(1).Is("not")
				if not {
					k++
				}
				if k+1 < len(toks) && toks[k].Is("distinct") && toks[k+1].Is("from") {
					tr.out[i], tr.out[k], tr.out[k+1] = "IS", "", ""
					if not {
						tr.out[i+1] = ""
					} else {
						tr.out[i] = "IS NOT"
					}
				}
			}
		}
	}
}

// function rewrites the call whose name is toks[i].
func (tr *translator) function(i int) {
	toks := tr.toks
	name := toks[i].Value
	open := i + 1
	close := tr.match[open]
	switch name {
	case "cast", "try_cast":
		as := -1
		for k := open + 1; k < close; k++ {
			if toks[k].IsOp("(") {
				k = tr.match[k]
				continue
			}
			if toks[k].Is("as") {
				as = k
			}
		}
		if as < 0 || as+1 >= close {
			tr.failAt(syntaxError, toks[close], "mismatched input ')'. Expecting: 'AS'")
			return
		}
		var typ strings.Builder
		for k := as + 1; k < close; k++ {
			if typ.Len() > 0 && toks[k].Kind == sqlref.Word && toks[k-1].Kind == sqlref.Word {
				typ.WriteByte(' ')
			}
			typ.WriteString(strings.ToLower(toks[k].Text))
			tr.out[k] = ""
		}
		tr.out[i] = "athena_" + name
		tr.out[as] = ", " + quoteString(normalizeType(typ.String()))
	case "approx_distinct":
		tr.out[i] = "count"
		tr.suffix[open] = " DISTINCT "
	case "extract":
		if close > open+3 && toks[open+2].Is("from") {
			tr.out[i] = "athena_extract"
			tr.out[open+1] = quoteString(toks[open+1].Value)
			tr.out[open+2] = ","
		}
	case "try":
		tr.out[i] = ""
	case "unnest":
		tr.failAt(notSupported, toks[i], "UNNEST is not supported by the sandbox")
	case "transform", "filter", "reduce", "array_agg", "map_agg", "cardinality", "element_at", "sequence", "map", "array":
		tr.failAt(notSupported, toks[i], "function "+name+" is not supported by the sandbox")
	default:
		if f, ok := funcNames[name]; ok {
			tr.out[i] = f
		}
	}
}

// reservedAfterRelation are the words that can follow a table name and are
// not an alias.
var reservedAfterRelation = map[string]bool{
	"where": true, "join": true, "left": true, "right": true, "inner": true, "full": true, "cross": true,
	"natural": true, "on": true, "using": true, "group": true, "order": true, "limit": true, "offset": true,
	"fetch": true, "union": true, "intersect": true, "except": true, "having": true, "window": true,
	"tablesample": true, "for": true, "as": true, "outer": true, "lateral": true,
}

// clauseEnd are words that end a FROM clause or an ORDER BY list at the
// same level.
var clauseEnd = map[string]bool{
	"where": true, "group": true, "having": true, "order": true, "limit": true, "offset": true,
	"fetch": true, "union": true, "intersect": true, "except": true, "window": true,
}

var setOps = map[string]bool{"union": true, "intersect": true, "except": true}

// walk scans the tokens [lo, hi) of one parenthesis level: table names in
// FROM and JOIN, CTE scopes, ORDER BY, OFFSET/LIMIT, set operations.
// fromCtx is true when the level is a parenthesized relation.
func (tr *translator) walk(lo, hi int, sc *scope, fromCtx, top bool) {
	toks := tr.toks
	inFrom, expectRel, selectSeen := fromCtx, fromCtx, false
	level := &scope{parent: sc}
	for i := lo; i < hi && tr.err == nil; {
		t := toks[i]
		switch {
		case t.IsOp("("):
			end := tr.match[i]
			isQuery := end > i+1 && (toks[i+1].Is("select") || toks[i+1].Is("with") || toks[i+1].Is("values"))
			if expectRel {
				tr.walk(i+1, end, level, !isQuery, false)
				tr.derivedColumns(i, end, hi)
				expectRel = false
				i = end + 1
				continue
			}
			// SQLite takes no parenthesized operands of set operations.
			if isQuery && (i > lo && isSetOpTail(toks[i-1]) || end+1 < hi && toks[end+1].Kind == sqlref.Word && setOps[toks[end+1].Value]) {
				tr.out[i] = "SELECT * FROM ("
			}
			tr.walk(i+1, end, level, false, false)
			i = end + 1
			continue
		case t.Is("with"):
			i = tr.with(i, hi, level)
			continue
		case t.Is("select"):
			selectSeen, inFrom, expectRel = true, false, false
			if top && !tr.captured {
				tr.captured = true
				tr.selectList(i+1, hi)
			}
		case t.Is("from"):
			if i > lo && toks[i-1].Is("distinct") {
				break // IS [NOT] DISTINCT FROM
			}
			if selectSeen || fromCtx {
				inFrom, expectRel = true, true
			}
		case t.Is("join"):
			if inFrom {
				expectRel = true
			}
		case t.IsOp(","):
			if inFrom {
				expectRel = true
			}
		case t.Is("on") || t.Is("using"):
			expectRel = false
		case t.Kind == sqlref.Word && setOps[t.Value]:
			inFrom, expectRel = false, false
			if i+1 < hi && toks[i+1].Is("distinct") {
				tr.out[i+1] = ""
			} else if i+1 < hi && toks[i+1].Is("all") && t.Value != "union" {
				tr.failAt(notSupported, t, strings.ToUpper(t.Value)+" ALL is not supported by the sandbox")
			}
		case t.Is("order") && i+1 < hi && toks[i+1].Is("by"):
			inFrom, expectRel = false, false
			i = tr.orderBy(i+2, hi, level)
			continue
		case t.Is("offset") || t.Is("limit") || t.Is("fetch"):
			inFrom, expectRel = false, false
			i = tr.limit(i, hi)
			continue
		case t.Kind == sqlref.Word && clauseEnd[t.Value]:
			inFrom, expectRel = false, false
		case expectRel && t.IsIdent():
			i = tr.relation(i, hi, level)
			expectRel = false
			continue
		}
		i++
	}
}

// derivedColumns rewrites the column list of a derived table, (VALUES
// ...) AS v(a, b), which SQLite lacks, into a select that names VALUES'
// columns (column1, column2, ...).
func (tr *translator) derivedColumns(open, close, hi int) {
	toks := tr.toks
	k := close + 1
	if k < hi && toks[k].Is("as") {
		k++
	}
	if k+1 >= hi || !toks[k].IsIdent() || !toks[k+1].IsOp("(") {
		return
	}
	if !toks[open+1].Is("values") {
		tr.failAt(notSupported, toks[k+1], "column aliases on a subquery are not supported by the sandbox")
		return
	}
	var names []string
	end := tr.match[k+1]
	for j := k + 2; j < end; j++ {
		if toks[j].IsIdent() {
			names = append(names, "column"+itoa(len(names)+1)+" AS "+quoteIdent(aliasName(toks[j])))
		}
	}
	for j := k + 1; j <= end; j++ {
		tr.out[j] = ""
	}
	tr.out[open] = "(SELECT " + strings.Join(names, ", ") + " FROM ("
	tr.suffix[close] += ")"
}

func isSetOpTail(t sqlref.Token) bool {
	return t.Kind == sqlref.Word && (setOps[t.Value] || t.Value == "all" || t.Value == "distinct")
}

// relation handles a relation name at toks[i] and returns the index after it.
func (tr *translator) relation(i, hi int, sc *scope) int {
	toks := tr.toks
	t := toks[i]
	if t.Kind == sqlref.Word && i+1 < hi && toks[i+1].IsOp("(") {
		switch t.Value {
		case "lateral":
			end := tr.match[i+1]
			tr.walk(i+2, end, sc, false, false)
			return end + 1
		case "unnest":
			tr.failAt(notSupported, t, "UNNEST is not supported by the sandbox")
		default:
			tr.failAt(notSupported, t, "table functions are not supported by the sandbox")
		}
		return i + 1
	}
	last := i
	for last+2 < hi && toks[last+1].IsOp(".") && toks[last+2].IsIdent() {
		last += 2
	}
	var parts []string
	for k := i; k <= last; k += 2 {
		parts = append(parts, strings.ToLower(toks[k].Value))
	}
	if len(parts) == 1 && sc.visible(parts[0]) {
		return last + 1
	}
	if len(parts) > 3 {
		tr.failAt(syntaxError, t, "Too many dots in table name: "+strings.Join(parts, "."))
		return last + 1
	}
	ref := tr.defaults
	ref.Table = parts[len(parts)-1]
	if len(parts) >= 2 {
		ref.Database = parts[len(parts)-2]
	}
	if len(parts) == 3 {
		ref.Catalog = parts[0]
	}
	o := occurrence{first: i, last: last, ref: ref, addAlias: ref.Table}
	if n := last + 1; n < hi {
		if toks[n].Is("for") {
			tr.failAt(notSupported, toks[n], "time travel (FOR ... AS OF) is not supported by the sandbox")
		}
		if toks[n].Is("as") || toks[n].Kind == sqlref.QuotedIdent || toks[n].Kind == sqlref.Word && !reservedAfterRelation[toks[n].Value] {
			o.addAlias = ""
		}
	}
	tr.occ = append(tr.occ, o)
	return last + 1
}

// with handles WITH [RECURSIVE] name [(cols)] AS (query), ... and returns
// the index after the last CTE body. Each name is visible after its own
// body (inside it too when RECURSIVE), as in Trino.
func (tr *translator) with(i, hi int, sc *scope) int {
	toks := tr.toks
	i++
	recursive := i < hi && toks[i].Is("recursive")
	if recursive {
		i++
	}
	if sc.ctes == nil {
		sc.ctes = map[string]bool{}
	}
	for i < hi && tr.err == nil {
		if !toks[i].IsIdent() {
			tr.failAt(syntaxError, toks[i], "mismatched input '"+toks[i].Text+"'. Expecting: <identifier>")
			return hi
		}
		name := strings.ToLower(toks[i].Value)
		i++
		if i < hi && toks[i].IsOp("(") {
			i = tr.match[i] + 1
		}
		if i >= hi || !toks[i].Is("as") {
			tr.failAt(syntaxError, tokAt(toks, i, hi), "mismatched input '"+tokAt(toks, i, hi).Text+"'. Expecting: 'AS'")
			return hi
		}
		i++
		if i >= hi || !toks[i].IsOp("(") {
			tr.failAt(syntaxError, tokAt(toks, i, hi), "mismatched input '"+tokAt(toks, i, hi).Text+"'. Expecting: '('")
			return hi
		}
		if recursive {
			sc.ctes[name] = true
		}
		end := tr.match[i]
		tr.walk(i+1, end, sc, false, false)
		sc.ctes[name] = true
		i = end + 1
		if i < hi && toks[i].IsOp(",") {
			i++
			continue
		}
		return i
	}
	return i
}

func tokAt(toks []sqlref.Token, i, hi int) sqlref.Token {
	if i < hi {
		return toks[i]
	}
	t := toks[hi-1]
	return sqlref.Token{Text: "<EOF>", Line: t.Line, Col: t.Col + len([]rune(t.Text))}
}

// orderBy appends NULLS LAST to each ascending item that names no null
// order (Trino sorts NULLs last both ways; SQLite puts them first when
// ascending) and returns the index after the list.
func (tr *translator) orderBy(i, hi int, sc *scope) int {
	toks := tr.toks
	start := i
	finish := func(last int) {
		if last < start {
			return
		}
		for k := start; k <= last; k++ {
			if toks[k].Is("nulls") || toks[k].Is("desc") && k == last {
				return
			}
		}
		tr.suffix[last] += " NULLS LAST"
	}
	for i < hi {
		t := toks[i]
		if t.Kind == sqlref.Word && (clauseEnd[t.Value] || t.Value == "rows" || t.Value == "range" || t.Value == "groups") {
			break
		}
		if t.IsOp("(") {
			end := tr.match[i]
			tr.walk(i+1, end, sc, false, false)
			i = end + 1
			continue
		}
		if t.IsOp(",") {
			finish(i - 1)
			start = i + 1
		}
		i++
	}
	finish(i - 1)
	return i
}

// limit rewrites Trino's [OFFSET n [ROWS]] [LIMIT n|ALL] [FETCH FIRST n ROWS
// ONLY] into SQLite's LIMIT n OFFSET m, returning the index after it.
func (tr *translator) limit(i, hi int) int {
	toks := tr.toks
	first := i
	lim, off := "", ""
	count := func(k int) string {
		if k < hi && toks[k].Kind == sqlref.Number {
			return tr.out[k]
		}
		tr.failAt(syntaxError, tokAt(toks, k, hi), "mismatched input '"+tokAt(toks, k, hi).Text+"'. Expecting: <integer>")
		return "0"
	}
	for i < hi && tr.err == nil {
		switch {
		case toks[i].Is("offset"):
			off = count(i + 1)
			i += 2
			if i < hi && (toks[i].Is("row") || toks[i].Is("rows")) {
				i++
			}
		case toks[i].Is("limit"):
			if i+1 < hi && toks[i+1].Is("all") {
				lim = "-1"
			} else {
				lim = count(i + 1)
			}
			i += 2
		case toks[i].Is("fetch"):
			i++
			if i < hi && (toks[i].Is("first") || toks[i].Is("next")) {
				i++
			}
			lim = "1"
			if i < hi && toks[i].Kind == sqlref.Number {
				lim = tr.out[i]
				i++
			}
			for i < hi && (toks[i].Is("row") || toks[i].Is("rows") || toks[i].Is("only")) {
				i++
			}
			if i < hi && toks[i].Is("with") {
				tr.failAt(notSupported, toks[i], "FETCH ... WITH TIES is not supported by the sandbox")
			}
		default:
			goto done
		}
	}
done:
	for k := first; k < i; k++ {
		tr.out[k] = ""
	}
	switch {
	case lim == "" && off == "":
	case off == "":
		tr.out[first] = "LIMIT " + lim
	default:
		if lim == "" {
			lim = "-1"
		}
		tr.out[first] = "LIMIT " + lim + " OFFSET " + off
	}
	return i
}

// selectList records the items of the outermost select list and names the
// unnamed expressions so that they can be found in the output.
func (tr *translator) selectList(i, hi int) {
	toks := tr.toks
	if i < hi && (toks[i].Is("distinct") || toks[i].Is("all")) {
		i++
	}
	start := i
	add := func(last int) {
		if last < start {
			return
		}
		tr.items = append(tr.items, tr.item(start, last))
	}
	for i < hi {
		t := toks[i]
		if t.Kind == sqlref.Word && (clauseEnd[t.Value] || t.Value == "from") {
			break
		}
		if t.IsOp("(") {
			i = tr.match[i] + 1
			continue
		}
		if t.IsOp(",") {
			add(i - 1)
			start = i + 1
		}
		i++
	}
	add(i - 1)
}

// expressionWords are words after which a following identifier is an
// operand, not an alias.
var expressionWords = map[string]bool{
	"and": true, "or": true, "not": true, "is": true, "in": true, "like": true, "between": true,
	"case": true, "when": true, "then": true, "else": true, "distinct": true, "select": true, "escape": true,
}

func (tr *translator) item(first, last int) selectItem {
	toks := tr.toks
	it := selectItem{first: first, last: last}
	if toks[last].IsOp("*") && (first == last || toks[last-1].IsOp(".")) {
		it.star = true
		return it
	}
	exprLast := last
	switch {
	case last > first && toks[last-1].Is("as") && toks[last].IsIdent():
		it.name, exprLast = aliasName(toks[last]), last-2
	case last > first && toks[last].IsIdent() && !(toks[last].Kind == sqlref.Word && reservedWord(toks[last].Value)) && endsOperand(toks[last-1]):
		it.name, exprLast = aliasName(toks[last]), last-1
	}
	expr := toks[first : exprLast+1]
	if it.name == "" {
		if isColumnRef(expr) {
			it.name = aliasName(expr[len(expr)-1])
		} else {
			tr.suffix[last] += ` AS "` + exprAlias + itoa(len(tr.items)) + `"`
		}
	}
	it.expr = expr
	return it
}

func aliasName(t sqlref.Token) string {
	if t.Kind == sqlref.QuotedIdent {
		return t.Value
	}
	return strings.ToLower(t.Value)
}

func reservedWord(w string) bool {
	switch w {
	case "end", "null", "true", "false", "current_date", "current_timestamp", "localtimestamp":
		return true
	}
	return expressionWords[w]
}

// endsOperand reports whether t can end an expression, so that an
// identifier after it is an alias.
func endsOperand(t sqlref.Token) bool {
	switch t.Kind {
	case sqlref.Number, sqlref.String, sqlref.QuotedIdent:
		return true
	case sqlref.Word:
		return !expressionWords[t.Value]
	case sqlref.Op:
		return t.Text == ")"
	}
	return false
}

func isColumnRef(expr []sqlref.Token) bool {
	if len(expr)%2 == 0 {
		return false
	}
	for k, t := range expr {
		if k%2 == 0 && !t.IsIdent() || k%2 == 1 && !t.IsOp(".") {
			return false
		}
	}
	if expr[0].Kind == sqlref.Word && reservedWord(expr[0].Value) {
		return false
	}
	return true
}

// render produces the SQLite SQL, naming each table occurrence by the name
// of its loaded copy.
func (t *translation) render(names map[TableRef]string) string {
	var b strings.Builder
	skip := -1
	for i := range t.toks {
		for _, o := range t.occ {
			if o.first == i {
				b.WriteString(quoteIdent(names[o.ref]))
				if o.addAlias != "" {
					b.WriteString(" AS " + quoteIdent(o.addAlias))
				}
				b.WriteString(t.suffix[o.last])
				b.WriteByte(' ')
				skip = o.last
			}
		}
		if i <= skip {
			continue
		}
		if t.out[i] != "" || t.suffix[i] != "" {
			b.WriteString(t.out[i])
			b.WriteString(t.suffix[i])
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func itoa(n int) string { return strconv.Itoa(n) }
