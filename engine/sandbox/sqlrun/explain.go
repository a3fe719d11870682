package sqlrun

import (
	"context"
	"strconv"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// EXPLAIN [(TYPE LOGICAL|DISTRIBUTED|VALIDATE, FORMAT TEXT)] query
// analyzes the query (its tables are resolved, and so authorized, through
// the Catalog) without reading any data, and answers one row in the
// column "Query Plan" holding a plan in the text form of the Athena user
// guide's EXPLAIN examples: one "- Operator[details] => [[columns]]"
// line per operator, indented under its parent, and LAYOUT lines under a
// table scan. The operators are the sandbox's own reading of the query,
// not Trino's optimized plan. TYPE VALIDATE answers one row "true" in the
// column "Valid". EXPLAIN ANALYZE, which runs the query, is not served.

// planNode is one operator of a query's plan.
type planNode struct {
	op     string
	detail string
	layout []outCol
	table  *tableUse
	kids   []*planNode
}

func (e *Engine) explain(ctx context.Context, q Query, toks []sqlref.Token, eof sqlref.Token, defaults TableRef, cat Catalog, out Output) (Stats, error) {
	stats := Stats{StatementType: "UTILITY"}
	p := &parser{toks: toks, eof: eof}
	typ, format := "logical", "text"
	err := p.run(func() {
		p.expect("explain")
		if p.is("analyze") {
			p.failAt(notSupported, p.peek(), "EXPLAIN ANALYZE is not supported by the sandbox")
		}
		if p.isOp("(") && !p.startsQueryAfterParens(0) {
			p.next()
			for {
				opt := p.next()
				val, _ := p.identifier()
				switch {
				case opt.Is("type"):
					typ = val
				case opt.Is("format"):
					format = val
				default:
					p.failAt(syntaxError, opt, "mismatched input '"+opt.Text+"'. Expecting: 'FORMAT', 'TYPE'")
				}
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
		}
		if !p.is("select") && !p.is("with") && !p.is("values") && !p.is("table") && !p.isOp("(") {
			p.failAt(notSupported, p.peek(), "EXPLAIN of "+strings.ToUpper(p.peek().Text)+" is not supported by the sandbox")
		}
	})
	if err != nil {
		return stats, err
	}
	if format != "text" {
		return stats, newError(notSupported, toks[0].Line, toks[0].Col, "EXPLAIN (FORMAT "+strings.ToUpper(format)+") is not supported by the sandbox")
	}
	_, comp, err := e.compile(ctx, q, toks[p.i:], eof, defaults, cat)
	if err != nil {
		return stats, err
	}
	if typ == "validate" {
		if err := out.Columns([]engine.Column{{Name: "Valid", Type: "boolean"}}); err != nil {
			return stats, err
		}
		return stats, out.Row(engine.Row{{Text: "true"}})
	}
	root := &planNode{op: "Output", detail: "columnNames = [" + outNames(comp.cols) + "]", layout: comp.cols, kids: []*planNode{comp.plan}}
	var b strings.Builder
	if typ == "distributed" {
		b.WriteString("Fragment 0 [SINGLE]\n    Output layout: [" + outNames(comp.cols) + "]\n    Output partitioning: SINGLE []\n")
		writePlan(&b, root, 1)
	} else {
		writePlan(&b, root, 0)
	}
	if err := out.Columns([]engine.Column{{Name: "Query Plan", Type: "varchar"}}); err != nil {
		return stats, err
	}
	return stats, out.Row(engine.Row{{Text: strings.TrimRight(b.String(), "\n")}})
}

func writePlan(b *strings.Builder, n *planNode, depth int) {
	if n == nil {
		return
	}
	indent := strings.Repeat("    ", depth)
	b.WriteString(indent + "- " + n.op)
	if n.detail != "" {
		b.WriteString("[" + n.detail + "]")
	}
	if len(n.layout) > 0 {
		b.WriteString(" => [[" + outNames(n.layout) + "]]")
	}
	b.WriteByte('\n')
	if n.table != nil {
		b.WriteString(indent + "        LAYOUT: " + n.table.ref.Database + "." + n.table.ref.Table + "\n")
		regular := len(n.table.tbl.Columns) - n.table.tbl.PartitionKeys
		for i, c := range n.table.tbl.Columns {
			kind := "REGULAR"
			pos := strconv.Itoa(i)
			if i >= regular {
				kind, pos = "PARTITION_KEY", "-1"
			}
			name := strings.ToLower(c.Name)
			b.WriteString(indent + "        " + name + " := " + name + ":" + hiveType(c.Type) + ":" + pos + ":" + kind + "\n")
		}
	}
	for _, k := range n.kids {
		writePlan(b, k, depth+1)
	}
}
