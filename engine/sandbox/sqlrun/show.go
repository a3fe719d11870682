package sqlrun

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// Athena runs SHOW and DESCRIBE outside the query engine, as Hive DDL: the
// execution's StatementType is UTILITY, and the result is written as text
// lines (<id>.txt) with one string column, not as CSV. The sandbox mimics
// that:
//
//	SHOW DATABASES | SCHEMAS [IN catalog] [[LIKE] 'pattern']   column database_name
//	SHOW TABLES [IN [catalog.]database] [[LIKE] 'pattern']      column tab_name
//	SHOW COLUMNS (IN|FROM) table [(IN|FROM) database]           column field
//	DESCRIBE table                                              column col_name
//
// Patterns are Hive's: '*' matches any characters and '|' separates
// alternatives, case-insensitively. Column lines are padded to 20
// characters as Hive pads them; DESCRIBE lines are "name\ttype\tcomment"
// with Hive type names (string, int), and partition keys are repeated
// under "# Partition Information". The result column type is "string".

// utilityColumnWidth is Hive's alignment for metadata text output.
const utilityColumnWidth = 20

func (e *Engine) utility(ctx context.Context, toks []sqlref.Token, eof sqlref.Token, defaults TableRef, cat Catalog, out Output) (Stats, error) {
	stats := Stats{StatementType: "UTILITY", Text: true}
	p := &parser{toks: toks, eof: eof}
	var (
		column string
		lines  []string
		err    error
	)
	switch {
	case p.word("describe") || p.word("desc"):
		p.word("table")
		column = "col_name"
		lines, err = p.describe(ctx, defaults, cat)
	case p.word("show"):
		switch {
		case p.word("databases") || p.word("schemas"):
			column = "database_name"
			lines, err = p.showDatabases(ctx, defaults, cat)
		case p.word("tables"):
			column = "tab_name"
			lines, err = p.showTables(ctx, defaults, cat)
		case p.word("columns"):
			column = "field"
			lines, err = p.showColumns(ctx, defaults, cat)
		default:
			t := p.peek()
			err = newError(notSupported, t.Line, t.Col, "SHOW "+strings.ToUpper(t.Text)+" is not supported by the sandbox")
		}
	}
	if err == nil && p.i < len(toks) {
		t := toks[p.i]
		err = newError(syntaxError, t.Line, t.Col, "mismatched input '"+t.Text+"'. Expecting: <EOF>")
	}
	if err != nil {
		return stats, err
	}
	if err := out.Columns([]engine.Column{{Name: column, Type: "string"}}); err != nil {
		return stats, err
	}
	for _, l := range lines {
		if err := out.Row(engine.Row{{Text: l}}); err != nil {
			return stats, err
		}
	}
	return stats, nil
}

type parser struct {
	toks []sqlref.Token
	eof  sqlref.Token
	i    int
}

func (p *parser) peek() sqlref.Token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return p.eof
}

func (p *parser) word(w string) bool {
	if p.peek().Is(w) {
		p.i++
		return true
	}
	return false
}

// name reads a dotted name of up to max parts.
func (p *parser) name(max int) ([]string, sqlref.Token, error) {
	first := p.peek()
	var parts []string
	for {
		t := p.peek()
		if !t.IsIdent() {
			return nil, first, newError(syntaxError, t.Line, t.Col, "mismatched input '"+t.Text+"'. Expecting: <identifier>")
		}
		parts = append(parts, strings.ToLower(t.Value))
		p.i++
		if !p.peek().IsOp(".") {
			break
		}
		p.i++
	}
	if len(parts) > max {
		return nil, first, newError(syntaxError, first.Line, first.Col, "Too many parts in name: "+strings.Join(parts, "."))
	}
	return parts, first, nil
}

// pattern reads an optional [LIKE] 'pattern'.
func (p *parser) pattern() (*regexp.Regexp, error) {
	like := p.word("like")
	t := p.peek()
	if t.Kind != sqlref.String {
		if like {
			return nil, newError(syntaxError, t.Line, t.Col, "mismatched input '"+t.Text+"'. Expecting: <string>")
		}
		return nil, nil
	}
	p.i++
	alts := strings.Split(t.Value, "|")
	for i, a := range alts {
		alts[i] = strings.ReplaceAll(regexp.QuoteMeta(strings.TrimSpace(a)), `\*`, ".*")
	}
	return regexp.Compile("(?i)^(?:" + strings.Join(alts, "|") + ")$")
}

func filter(names []string, re *regexp.Regexp) []string {
	var out []string
	for _, n := range names {
		if re == nil || re.MatchString(n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func (p *parser) showDatabases(ctx context.Context, defaults TableRef, cat Catalog) ([]string, error) {
	catalog, at := defaults.Catalog, p.peek()
	if p.word("in") || p.word("from") {
		parts, first, err := p.name(1)
		if err != nil {
			return nil, err
		}
		catalog, at = parts[0], first
	}
	re, err := p.pattern()
	if err != nil {
		return nil, err
	}
	dbs, err := cat.Databases(ctx, catalog)
	if errors.Is(err, ErrNotFound) {
		return nil, newError(catalogNotFound, at.Line, at.Col, "Catalog '"+catalog+"' does not exist")
	}
	if err != nil {
		return nil, err
	}
	return filter(dbs, re), nil
}

func (p *parser) showTables(ctx context.Context, defaults TableRef, cat Catalog) ([]string, error) {
	ref, at := defaults, p.peek()
	if p.word("in") || p.word("from") {
		parts, first, err := p.name(2)
		if err != nil {
			return nil, err
		}
		at = first
		ref.Database = parts[len(parts)-1]
		if len(parts) == 2 {
			ref.Catalog = parts[0]
		}
	}
	re, err := p.pattern()
	if err != nil {
		return nil, err
	}
	tables, err := cat.Tables(ctx, ref.Catalog, ref.Database)
	if errors.Is(err, ErrNotFound) {
		return nil, newError(schemaNotFound, at.Line, at.Col, "Schema '"+ref.Database+"' does not exist")
	}
	if err != nil {
		return nil, err
	}
	return filter(tables, re), nil
}

// table reads a table name and describes it through the Catalog.
func (p *parser) table(ctx context.Context, defaults TableRef, cat Catalog, allowDB bool) (*Table, error) {
	parts, at, err := p.name(3)
	if err != nil {
		return nil, err
	}
	if allowDB && len(parts) == 1 && (p.word("in") || p.word("from")) {
		db, _, err := p.name(1)
		if err != nil {
			return nil, err
		}
		parts = append(db, parts...)
	}
	ref := defaults
	ref.Table = parts[len(parts)-1]
	if len(parts) >= 2 {
		ref.Database = parts[len(parts)-2]
	}
	if len(parts) == 3 {
		ref.Catalog = parts[0]
	}
	tbl, err := cat.Table(ctx, ref)
	if errors.Is(err, ErrNotFound) {
		return nil, newError(tableNotFound, at.Line, at.Col, "Table '"+ref.String()+"' does not exist")
	}
	return tbl, err
}

func (p *parser) showColumns(ctx context.Context, defaults TableRef, cat Catalog) ([]string, error) {
	if !p.word("in") && !p.word("from") {
		t := p.peek()
		return nil, newError(syntaxError, t.Line, t.Col, "mismatched input '"+t.Text+"'. Expecting: 'FROM', 'IN'")
	}
	tbl, err := p.table(ctx, defaults, cat, true)
	if err != nil {
		return nil, err
	}
	lines := make([]string, len(tbl.Columns))
	for i, c := range tbl.Columns {
		lines[i] = padHive(strings.ToLower(c.Name))
	}
	return lines, nil
}

func (p *parser) describe(ctx context.Context, defaults TableRef, cat Catalog) ([]string, error) {
	tbl, err := p.table(ctx, defaults, cat, false)
	if err != nil {
		return nil, err
	}
	line := func(c engine.Column) string {
		return padHive(strings.ToLower(c.Name)) + "\t" + padHive(hiveType(c.Type)) + "\t" + padHive("")
	}
	var lines []string
	for _, c := range tbl.Columns {
		lines = append(lines, line(c))
	}
	if k := tbl.PartitionKeys; k > 0 && k <= len(tbl.Columns) {
		lines = append(lines, "", "# Partition Information", "# "+padHive("col_name")+"\t"+padHive("data_type")+"\t"+padHive("comment"), "")
		for _, c := range tbl.Columns[len(tbl.Columns)-k:] {
			lines = append(lines, line(c))
		}
	}
	return lines, nil
}

func padHive(s string) string {
	if n := utilityColumnWidth - len([]rune(s)); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// hiveType names a type as Hive's DESCRIBE prints it.
func hiveType(t string) string {
	switch t = strings.ToLower(t); baseType(t) {
	case "varchar":
		if t == "varchar" {
			return "string"
		}
	case "integer":
		return "int"
	}
	return t
}
