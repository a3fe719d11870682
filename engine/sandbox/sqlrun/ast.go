package sqlrun

import "github.com/quiltq/quiltq/engine/sqlref"

// The syntax tree of one Trino query, as parse reads it and compile turns
// it into SQLite SQL. Every node keeps the token that starts it, so that
// errors are placed where Athena places them.

type tok = sqlref.Token

// query is [WITH ...] body [ORDER BY ...] [OFFSET ...] [LIMIT|FETCH ...].
type query struct {
	at        tok
	with      []*cte
	recursive bool
	body      queryBody
	orderBy   []*sortItem
	offset    expr // nil when absent
	limit     expr // nil when absent or ALL
	withTies  bool
}

type cte struct {
	name    string
	at      tok
	columns []string
	q       *query
}

// queryBody is a *selectSpec, *setOp, *valuesBody, *tableBody or a
// parenthesized *query.
type queryBody interface{ start() tok }

type setOp struct {
	at          tok
	op          string // union, intersect, except
	all         bool
	left, right queryBody
}

type selectSpec struct {
	at       tok
	distinct bool
	items    []*selectItem
	from     []relation
	where    expr
	groupBy  []expr
	having   expr
}

type selectItem struct {
	at        tok
	star      bool     // * or qualifier.*
	qualifier []string // for qualifier.*
	e         expr
	alias     string
	aliased   bool
}

type valuesBody struct {
	at   tok
	rows []expr // each a *rowCtor or a single expression
}

type tableBody struct {
	at   tok
	name []string
}

func (q *query) start() tok      { return q.at }
func (s *setOp) start() tok      { return s.at }
func (s *selectSpec) start() tok { return s.at }
func (v *valuesBody) start() tok { return v.at }
func (t *tableBody) start() tok  { return t.at }

type sortItem struct {
	e          expr
	desc       bool
	nullsFirst *bool
}

// relation is a *tableRel, *subqueryRel, *unnestRel or *joinRel.
type relation interface{ start() tok }

type tableRel struct {
	at       tok
	name     []string
	alias    string
	columns  []string // column aliases
	nameToks []tok
}

type subqueryRel struct {
	at      tok
	q       *query
	lateral bool
	alias   string
	columns []string
}

// parenRel is a parenthesized join tree, which may carry an alias.
type parenRel struct {
	at      tok
	rel     relation
	alias   string
	columns []string
}

type unnestRel struct {
	at         tok
	args       []expr
	ordinality bool
	alias      string
	columns    []string
}

type joinRel struct {
	at          tok
	kind        string // inner, left, right, full, cross
	natural     bool
	left, right relation
	on          expr
	using       []string
}

func (t *tableRel) start() tok    { return t.at }
func (s *subqueryRel) start() tok { return s.at }
func (p *parenRel) start() tok    { return p.at }
func (u *unnestRel) start() tok   { return u.at }
func (j *joinRel) start() tok     { return j.at }

// expr is an expression node.
type expr interface{ start() tok }

// literal kinds.
const (
	litInteger   = iota // 42
	litDecimal          // 4.2, DECIMAL '4.2'
	litDouble           // 4.2e0, DOUBLE '4.2'
	litReal             // REAL '4.2'
	litString           // 'x'
	litChar             // CHAR 'x'
	litBinary           // X'00ff'
	litDate             // DATE 'x'
	litTime             // TIME 'x'
	litTimestamp        // TIMESTAMP 'x'
	litBool             // TRUE, FALSE
	litNull             // NULL
	litJSON             // JSON 'x'
	litInterval         // INTERVAL 'x' DAY
)

type literal struct {
	at   tok
	kind int
	text string // the value: digits, string contents, hex digits, ...
	unit string // for intervals
	neg  bool   // for intervals written INTERVAL -'1' DAY
}

type colRef struct {
	at    tok
	parts []string
	toks  []tok
}

type param struct {
	at    tok
	index int // 0-based, in order of appearance
}

type unary struct {
	at tok
	op string // -, +, not
	x  expr
}

type binary struct {
	at   tok // the operator
	op   string
	l, r expr
}

type isNull struct {
	at  tok
	x   expr
	not bool
}

type distinctFrom struct {
	at   tok
	l, r expr
	not  bool
}

type between struct {
	at           tok
	x, low, high expr
	not          bool
}

type inList struct {
	at   tok
	x    expr
	list []expr
	not  bool
}

type inQuery struct {
	at  tok
	x   expr
	q   *query
	not bool
}

type quantified struct {
	at  tok
	op  string
	x   expr
	all bool
	q   *query
}

type like struct {
	at              tok
	x, pattern, esc expr
	not             bool
}

type exists struct {
	at tok
	q  *query
}

type scalarQuery struct {
	at tok
	q  *query
}

type caseExpr struct {
	at      tok
	operand expr // nil for a searched CASE
	whens   []whenClause
	els     expr
}

type whenClause struct{ cond, then expr }

type cast struct {
	at  tok
	x   expr
	typ Type
	try bool
}

type extract struct {
	at    tok
	field string
	x     expr
}

type call struct {
	at       tok
	name     string
	args     []expr
	star     bool // count(*)
	distinct bool
	filter   expr
	over     *window
	orderBy  []*sortItem // array_agg(x ORDER BY y)
}

type window struct {
	at        tok
	partition []expr
	orderBy   []*sortItem
	frame     string // the frame clause as SQL text, "" for the default
}

type arrayCtor struct {
	at    tok
	elems []expr
}

type rowCtor struct {
	at    tok
	elems []expr
}

type subscript struct {
	at       tok // the [
	x, index expr
}

type deref struct {
	at    tok
	x     expr
	field string
}

type lambda struct{ at tok }

// special is a niladic keyword function: current_date, current_timestamp,
// localtimestamp, current_time, localtime, current_user, ...
type special struct {
	at   tok
	name string
}

func (l *literal) start() tok      { return l.at }
func (c *colRef) start() tok       { return c.at }
func (p *param) start() tok        { return p.at }
func (u *unary) start() tok        { return u.at }
func (b *binary) start() tok       { return b.l.start() }
func (n *isNull) start() tok       { return n.x.start() }
func (d *distinctFrom) start() tok { return d.l.start() }
func (b *between) start() tok      { return b.x.start() }
func (i *inList) start() tok       { return i.x.start() }
func (i *inQuery) start() tok      { return i.x.start() }
func (q *quantified) start() tok   { return q.x.start() }
func (l *like) start() tok         { return l.x.start() }
func (e *exists) start() tok       { return e.at }
func (s *scalarQuery) start() tok  { return s.at }
func (c *caseExpr) start() tok     { return c.at }
func (c *cast) start() tok         { return c.at }
func (e *extract) start() tok      { return e.at }
func (c *call) start() tok         { return c.at }
func (a *arrayCtor) start() tok    { return a.at }
func (r *rowCtor) start() tok      { return r.at }
func (s *subscript) start() tok    { return s.x.start() }
func (d *deref) start() tok        { return d.x.start() }
func (l *lambda) start() tok       { return l.at }
func (s *special) start() tok      { return s.at }
