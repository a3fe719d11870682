// Package sqlfmt formats Athena (Trino) SQL: keywords in upper case, each
// clause on a line of its own, the items of a select list one a line,
// AND and OR of a WHERE or HAVING one a line, subqueries and common table
// expressions indented, one blank line between statements.
//
// It works on engine/sqlref's tokens, and changes nothing but the
// whitespace between them and the case of keywords: every comment stays
// where it was (a comment at the end of a line stays at the end of its
// line), and every name, string and number keeps its exact spelling and
// quoting ("Quoted" names, 'strings', X'..', U&'..', `backticks`). Before
// returning, Format lexes what it made and checks that; should the check
// ever fail, it returns the input unchanged with an error. Formatting is
// idempotent: formatting twice gives what formatting once gave.
package sqlfmt

import (
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine/sqlref"
)

// indent is one level of indentation.
const indent = "  "

// Format formats sql. SQL that does not lex (an unclosed string or
// comment) is returned unchanged with the lexer's error: where a string
// ends cannot be known, so neither can where whitespace may change.
func Format(sql string) (string, error) {
	toks, err := sqlref.Lex(sql)
	if err != nil {
		return sql, fmt.Errorf("the SQL does not lex, so it was left as it is: %w", err)
	}
	p := &printer{src: sql, toks: toks}
	out := p.print()
	if err := Same(toks, out); err != nil {
		return sql, fmt.Errorf("formatting would have changed the SQL (%v), so it was left as it is: please report this", err)
	}
	return out, nil
}

// Same checks that out lexes to the tokens toks, but for the case of
// keywords (bare words whose text differs only in case).
func Same(toks []sqlref.Token, out string) error {
	got, err := sqlref.Lex(out)
	if err != nil {
		return err
	}
	if len(got) != len(toks) {
		return fmt.Errorf("%d tokens, not %d", len(got), len(toks))
	}
	for i, t := range toks {
		g := got[i]
		if g.Kind != t.Kind {
			return fmt.Errorf("token %d is a %v, not a %v", i+1, g.Kind, t.Kind)
		}
		if g.Text != t.Text && !(t.Kind == sqlref.Word && strings.EqualFold(g.Text, t.Text)) {
			return fmt.Errorf("token %d is %q, not %q", i+1, g.Text, t.Text)
		}
	}
	return nil
}

// frame is a level of parentheses (the statement itself is the first).
type frame struct {
	query   bool   // its clauses start lines: the statement, or a subquery
	sub     bool   // a subquery's parenthesis: its ")" goes on a line of its own
	base    int    // the indent of its clauses
	open    int    // the indent of the line its "(" is on
	clause  string // the clause being read: select, from, where, with, ...
	list    bool   // its select list has one item a line
	between int    // BETWEENs whose AND is still to come
}

type printer struct {
	src  string
	toks []sqlref.Token
	b    strings.Builder

	stack      []frame
	atStart    bool // nothing written on the current line yet
	lineIndent int  // the indent of the current line
	pending    int  // a line break the next token starts with, at this indent (-1: none)
	blank      bool // a blank line before the next token (a new statement)
	afterLine  int  // a line comment was written: the next token starts a line at this indent (-1: no)
	itemBreak  bool // the next token is the first item of a select list that breaks
	unary      bool // the last token written is a unary + or -
	prev       int  // index of the last significant token written (-1: none)
	prevWasCmt bool // the last thing written is a comment
}

func (p *printer) print() string {
	p.stack = []frame{{query: true}}
	p.atStart, p.pending, p.afterLine, p.prev = true, -1, -1, -1
	p.b.Grow(len(p.src) + len(p.src)/4)
	for i, t := range p.toks {
		if t.Kind == sqlref.Comment {
			p.comment(i)
			continue
		}
		p.token(i)
	}
	return p.b.String()
}

func (p *printer) top() *frame { return &p.stack[len(p.stack)-1] }

// write puts text on the current line, after the line's indent.
func (p *printer) write(s string) {
	if p.atStart {
		p.b.WriteString(strings.Repeat(indent, p.lineIndent))
		p.atStart = false
	}
	p.b.WriteString(s)
}

// newline ends the current line (when something is on it) and starts one
// at level.
func (p *printer) newline(level int) {
	if !p.atStart {
		p.b.WriteByte('\n')
		p.atStart = true
	}
	p.lineIndent = level
}

// blankLine puts one empty line before the next statement.
func (p *printer) blankLine() {
	p.blank = false
	if p.b.Len() == 0 {
		return
	}
	p.newline(0)
	p.b.WriteByte('\n')
}

// sig is the index of the next significant token from i on (-1: none).
func (p *printer) sig(i int) int {
	for ; i < len(p.toks); i++ {
		if p.toks[i].Kind != sqlref.Comment {
			return i
		}
	}
	return -1
}

func (p *printer) word(i int) string {
	if i < 0 || i >= len(p.toks) || p.toks[i].Kind != sqlref.Word {
		return ""
	}
	return p.toks[i].Value
}

// lineBefore reports whether a line break separates token i from the token
// before it in the input.
func (p *printer) lineBefore(i int) bool {
	if i == 0 {
		return true
	}
	return strings.Contains(p.src[p.toks[i-1].End():p.toks[i].Pos], "\n")
}

// comment writes a comment: at the end of the line of the token before it
// when it was there in the input, else on a line of its own at the indent
// of the token after it. A line comment ends its line.
func (p *printer) comment(i int) {
	t := p.toks[i]
	trailing := !p.lineBefore(i) && !p.atStart
	if trailing {
		p.write(" " + t.Text)
	} else {
		if p.blank {
			p.blankLine()
		}
		level := p.lineIndent
		if j := p.sig(i + 1); j >= 0 {
			if l, ok := p.breakFor(j); ok {
				level = l
			} else if p.pending >= 0 {
				level = p.pending
			} else if p.afterLine >= 0 {
				level = p.afterLine
			}
		}
		p.newline(level)
		p.write(t.Text)
	}
	p.prevWasCmt = true
	if strings.HasPrefix(t.Text, "--") || !trailing {
		// The next token starts a line: at the comment's indent after an
		// own-line comment, one deeper after the end of a line of code.
		if trailing {
			p.afterLine = p.lineIndent + 1
			if p.pending >= 0 {
				p.afterLine = p.pending
			}
		} else {
			p.afterLine = p.lineIndent
		}
	}
}

// clauseWords start a clause of a query on a line of its own.
var clauseWords = map[string]bool{
	"select": true, "from": true, "where": true, "having": true, "limit": true, "offset": true,
	"window": true, "fetch": true, "union": true, "intersect": true, "except": true, "values": true,
	"join": true, "left": true, "right": true, "full": true, "inner": true, "cross": true, "natural": true,
	"group": true, "order": true, "with": true,
}

// breakFor is the line break token i starts with by its own rule (a
// clause, the end of a subquery, an AND of a WHERE), at the indent it
// gives; ok is false when it has none.
func (p *printer) breakFor(i int) (level int, ok bool) {
	t := p.toks[i]
	f := p.top()
	if t.IsOp(")") && f.sub && len(p.stack) > 1 {
		return f.open, true
	}
	if t.Kind != sqlref.Word || !f.query {
		return 0, false
	}
	w := t.Value
	prev := p.word(p.prev)
	next := p.word(p.sig(i + 1))
	switch w {
	case "and", "or":
		if (f.clause == "where" || f.clause == "having") && !(w == "and" && f.between > 0) {
			return f.base + 1, true
		}
		return 0, false
	case "from":
		if prev == "distinct" { // IS [NOT] DISTINCT FROM
			return 0, false
		}
	case "group", "order":
		if next != "by" {
			return 0, false
		}
	case "join":
		switch prev {
		case "left", "right", "full", "inner", "cross", "natural", "outer":
			return 0, false
		}
	case "left", "right", "full", "inner", "cross", "natural":
		if next != "join" && next != "outer" && !(w == "natural" || prev == "natural") {
			return 0, false
		}
		if prev == "natural" {
			return 0, false
		}
	case "with":
		// A common table expression starts a statement or a subquery;
		// WITH elsewhere (WITH ORDINALITY, a table's WITH (...)) does not.
		if p.prev >= 0 && !p.toks[p.prev].IsOp(";") && !p.toks[p.prev].IsOp("(") {
			return 0, false
		}
	}
	if !clauseWords[w] {
		return 0, false
	}
	return f.base, true
}

// token writes a significant token with the whitespace before it.
func (p *printer) token(i int) {
	t := p.toks[i]
	f := p.top()
	if p.blank {
		p.blankLine()
		p.atStart = true
	}
	level, clause := p.breakFor(i)
	switch {
	case clause:
		p.newline(level)
	case p.itemBreak && !(t.Kind == sqlref.Word && (t.Value == "distinct" || t.Value == "all") && p.word(p.prev) == "select"):
		p.newline(f.base + 1)
	case p.pending >= 0:
		p.newline(p.pending)
	case p.afterLine >= 0:
		p.newline(p.afterLine)
	case !p.atStart && p.space(i):
		p.write(" ")
	}
	if !(p.itemBreak && t.Kind == sqlref.Word && (t.Value == "distinct" || t.Value == "all") && p.word(p.prev) == "select") {
		p.itemBreak = false
	}
	p.pending, p.afterLine = -1, -1
	p.write(p.text(i))
	p.unary = (t.IsOp("-") || t.IsOp("+")) && p.unaryAt(i)
	p.prev, p.prevWasCmt = i, false
	p.after(i, clause)
}

// after follows what token i opens, closes or starts (clause: it starts a
// clause of its query).
func (p *printer) after(i int, clause bool) {
	t := p.toks[i]
	f := p.top()
	switch {
	case t.IsOp("("):
		sub := false
		switch p.word(p.sig(i + 1)) {
		case "select", "with", "values":
			sub = true
		}
		p.stack = append(p.stack, frame{query: sub, sub: sub, base: p.lineIndent + 1, open: p.lineIndent})
		if sub {
			p.pending = p.lineIndent + 1
		}
	case t.IsOp("["):
		p.stack = append(p.stack, frame{base: p.lineIndent + 1, open: p.lineIndent})
	case t.IsOp(")") || t.IsOp("]"):
		if len(p.stack) > 1 {
			p.stack = p.stack[:len(p.stack)-1]
		}
	case t.IsOp(";"):
		p.stack = p.stack[:1]
		p.stack[0] = frame{query: true}
		p.blank = true
	case t.IsOp(","):
		switch {
		case f.query && f.clause == "select" && f.list:
			p.pending = f.base + 1
		case f.query && f.clause == "with":
			p.pending = f.base
		}
	case t.Kind == sqlref.Word:
		w := t.Value
		if p.firstOfStatement(i) {
			switch w {
			case "show", "describe", "desc", "use", "drop", "alter", "msck", "set", "reset", "call", "grant", "revoke", "deallocate", "prepare", "execute":
				f.query = false
			}
		}
		if !f.query {
			return
		}
		if clause {
			switch w {
			case "select":
				f.clause, f.list = "select", p.listBreaks(i)
				p.itemBreak = f.list
			case "left", "right", "full", "inner", "cross", "natural", "join":
				f.clause = "join"
			case "with", "from", "where", "having", "group", "order", "limit", "offset", "union", "intersect", "except", "values", "window", "fetch":
				f.clause = w
			}
		}
		if w == "between" {
			f.between++
		}
		if w == "and" && f.between > 0 {
			f.between--
		}
	}
}

// firstOfStatement reports whether token i is the first significant token
// of its statement.
func (p *printer) firstOfStatement(i int) bool {
	for j := i - 1; j >= 0; j-- {
		switch {
		case p.toks[j].Kind == sqlref.Comment:
			continue
		case p.toks[j].IsOp(";"):
			return true
		}
		return false
	}
	return true
}

// listBreaks reports whether the select list after the SELECT at i has
// more than one item (a comma at its own level before its end).
func (p *printer) listBreaks(i int) bool {
	depth := 0
	for j := i + 1; j < len(p.toks); j++ {
		t := p.toks[j]
		switch {
		case t.IsOp("(") || t.IsOp("["):
			depth++
		case t.IsOp(")") || t.IsOp("]"):
			depth--
			if depth < 0 {
				return false
			}
		case t.IsOp(";"):
			return false
		case depth == 0 && t.IsOp(","):
			return true
		case depth == 0 && t.Kind == sqlref.Word:
			switch t.Value {
			case "from", "where", "group", "order", "having", "limit", "union", "intersect", "except", "window", "offset", "fetch", "into":
				return false
			}
		}
	}
	return false
}

// space reports whether a space goes between the last token written and
// token i, on one line.
func (p *printer) space(i int) bool {
	t := p.toks[i]
	if p.prevWasCmt || p.prev < 0 {
		return true
	}
	prev := p.toks[p.prev]
	want := true
	switch {
	case p.unary:
		want = false
	case prev.IsOp("(") || prev.IsOp("[") || prev.IsOp("."):
		want = false
	case t.IsOp(")") || t.IsOp("]") || t.IsOp(",") || t.IsOp(";") || t.IsOp("."):
		want = false
	case t.IsOp("("):
		// A call: a function's name, or a keyword that takes its
		// arguments in parentheses (CAST(x AS ...)).
		switch prev.Kind {
		case sqlref.Word:
			want = keyword(prev.Value) && !callWords[prev.Value]
			// A table's columns: INSERT INTO t (a, b), CREATE TABLE t (...).
			switch p.word(p.prevSig(p.prev)) {
			case "into", "table", "exists", "view":
				want = true
			}
		case sqlref.QuotedIdent, sqlref.BacktickIdent:
			want = false
		case sqlref.Op:
			want = !prev.IsOp(")") && !prev.IsOp("]")
		}
	case t.IsOp("["):
		want = !(prev.IsIdent() || prev.IsOp(")") || prev.IsOp("]"))
	}
	if !want && !joins(prev.Text, t.Text) {
		want = true // written together they would read as other tokens
	}
	return want
}

// unaryAt reports whether the + or - at i is a sign, not an operator:
// at the start, or after an operator, a comma, an opening parenthesis or
// a keyword.
func (p *printer) unaryAt(i int) bool {
	j := i - 1
	for j >= 0 && p.toks[j].Kind == sqlref.Comment {
		j--
	}
	if j < 0 {
		return true
	}
	prev := p.toks[j]
	switch prev.Kind {
	case sqlref.Op:
		return !prev.IsOp(")") && !prev.IsOp("]")
	case sqlref.Word:
		return keyword(prev.Value) && prev.Value != "end"
	}
	return false
}

// joins reports whether a and b written with nothing between them lex as
// the same two tokens ("-" and "-" would make a comment, "<" and ">" the
// operator "<>", "1" and "." the number "1.").
func joins(a, b string) bool {
	toks, err := sqlref.Lex(a + b)
	return err == nil && len(toks) == 2 && toks[0].Text == a && toks[1].Text == b
}

// text is token i as written: a keyword upper-cased, anything else as it
// was.
func (p *printer) text(i int) string {
	t := p.toks[i]
	if t.Kind != sqlref.Word {
		return t.Text
	}
	w := t.Value
	up := keyword(w)
	switch w {
	case "first", "last":
		up = p.word(p.prevSig(i)) == "nulls" || p.word(p.prevSig(i)) == "fetch"
	case "next":
		up = p.word(p.prevSig(i)) == "fetch"
	case "date", "time", "timestamp":
		// A typed literal: DATE '2024-01-01'.
		j := p.sig(i + 1)
		up = j >= 0 && p.toks[j].Kind == sqlref.String
	}
	if up {
		return strings.ToUpper(t.Text)
	}
	return t.Text
}

func (p *printer) prevSig(i int) int {
	for j := i - 1; j >= 0; j-- {
		if p.toks[j].Kind != sqlref.Comment {
			return j
		}
	}
	return -1
}
