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
//	SHOW VIEWS [IN database] [LIKE 'pattern']                  column tab_name
//	SHOW COLUMNS (IN|FROM) table [(IN|FROM) database]           column field
//	SHOW CREATE TABLE table                                     column createtab_stmt
//	SHOW CREATE VIEW view                                       column createtab_stmt
//	SHOW PARTITIONS table                                       column partition
//	DESCRIBE table                                              column col_name
//
// Patterns are Hive's: '*' matches any characters and '|' separates
// alternatives, case-insensitively (the Athena user guide's SHOW VIEWS:
// "Only the wild card character *, ... or |, ... can be used"). Column
// lines are padded to 20 characters as Hive pads them; DESCRIBE lines are
// "name\ttype\tcomment" with Hive type names (string, int), and partition
// keys are repeated under "# Partition Information". SHOW CREATE TABLE
// prints Hive's DDL as the Athena user guide's examples show it (the
// sandbox's tables are delimited text); SHOW PARTITIONS prints one
// "key=value" spec per partition, as they are in the catalog. The result
// column type is "string".

// utilityColumnWidth is Hive's alignment for metadata text output.
const utilityColumnWidth = 20

// TableDefiner is what a Catalog may add so that metadata statements
// (DESCRIBE, SHOW CREATE TABLE, SHOW PARTITIONS) read a table's
// definition without the data checks Table makes for a scan, and without
// running a view.
type TableDefiner interface {
	TableDefinition(ctx context.Context, ref TableRef) (*Table, error)
}

func (e *Engine) utility(ctx context.Context, toks []sqlref.Token, eof sqlref.Token, defaults TableRef, cat Catalog, out Output) (Stats, error) {
	stats := Stats{StatementType: "UTILITY", Text: true}
	p := &parser{toks: toks, eof: eof}
	var (
		column string
		lines  []string
	)
	err := p.run(func() {
		switch {
		case p.accept("describe") || p.accept("desc"):
			p.accept("table")
			column = "col_name"
			lines = p.describe(ctx, defaults, cat)
		case p.accept("show"):
			switch {
			case p.accept("databases") || p.accept("schemas"):
				column = "database_name"
				lines = p.showDatabases(ctx, defaults, cat)
			case p.accept("tables"):
				column = "tab_name"
				lines = p.showTables(ctx, defaults, cat, false)
			case p.accept("views"):
				column = "tab_name"
				lines = p.showTables(ctx, defaults, cat, true)
			case p.accept("columns"):
				column = "field"
				lines = p.showColumns(ctx, defaults, cat)
			case p.is("create") && (p.isAt(1, "table") || p.isAt(1, "view")):
				p.next()
				view := p.next().Is("view")
				column = "createtab_stmt"
				lines = p.showCreate(ctx, defaults, cat, view)
			case p.accept("partitions"):
				column = "partition"
				lines = p.showPartitions(ctx, defaults, cat)
			default:
				t := p.peek()
				p.failAt(notSupported, t, "SHOW "+strings.ToUpper(t.Text)+" is not supported by the sandbox")
			}
		}
		if !p.atEnd() {
			p.fail("<EOF>")
		}
	})
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

// catalogFail ends the utility statement with a Catalog's error.
func (p *parser) catalogFail(err error) { panic(parseFailure{err: asError(err)}) }

// asError wraps a Catalog's error so it can travel as a parse failure;
// run unwraps it.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{passthrough: err}
}

// name reads a dotted name of up to max parts.
func (p *parser) name(max int) ([]string, sqlref.Token) {
	first := p.peek()
	parts, _ := p.qualifiedName()
	if len(parts) > max {
		p.failAt(syntaxError, first, "Too many parts in name: "+strings.Join(parts, "."))
	}
	return parts, first
}

// pattern reads an optional [LIKE] 'pattern'.
func (p *parser) pattern() *regexp.Regexp {
	like := p.accept("like")
	t := p.peek()
	if t.Kind != sqlref.String {
		if like {
			p.fail("<string>")
		}
		return nil
	}
	p.next()
	alts := strings.Split(t.Value, "|")
	for i, a := range alts {
		alts[i] = strings.ReplaceAll(regexp.QuoteMeta(strings.TrimSpace(a)), `\*`, ".*")
	}
	re, err := regexp.Compile("(?i)^(?:" + strings.Join(alts, "|") + ")$")
	if err != nil {
		p.failAt(syntaxError, t, "invalid pattern "+t.Text)
	}
	return re
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

func (p *parser) showDatabases(ctx context.Context, defaults TableRef, cat Catalog) []string {
	catalog, at := defaults.Catalog, p.peek()
	if p.accept("in") || p.accept("from") {
		parts, first := p.name(1)
		catalog, at = parts[0], first
	}
	re := p.pattern()
	dbs, err := cat.Databases(ctx, catalog)
	if errors.Is(err, ErrNotFound) {
		p.failAt(catalogNotFound, at, "Catalog '"+catalog+"' does not exist")
	}
	if err != nil {
		p.catalogFail(err)
	}
	return filter(dbs, re)
}

func (p *parser) showTables(ctx context.Context, defaults TableRef, cat Catalog, views bool) []string {
	ref, at := defaults, p.peek()
	if p.accept("in") || p.accept("from") {
		parts, first := p.name(2)
		at = first
		ref.Database = parts[len(parts)-1]
		if len(parts) == 2 {
			ref.Catalog = parts[0]
		}
	}
	re := p.pattern()
	var names []string
	var err error
	if lister, ok := cat.(TableLister); ok && views {
		var infos []TableInfo
		infos, err = lister.TableInfos(ctx, ref.Catalog, ref.Database)
		for _, t := range infos {
			if t.View {
				names = append(names, t.Name)
			}
		}
	} else if !views {
		names, err = cat.Tables(ctx, ref.Catalog, ref.Database)
	} else {
		_, err = cat.Tables(ctx, ref.Catalog, ref.Database) // no view list: none known
	}
	if errors.Is(err, ErrNotFound) {
		p.failAt(schemaNotFound, at, "Schema '"+ref.Database+"' does not exist")
	}
	if err != nil {
		p.catalogFail(err)
	}
	return filter(names, re)
}

// table reads a table name and describes it through the Catalog: its
// definition alone when the Catalog can give it.
func (p *parser) table(ctx context.Context, defaults TableRef, cat Catalog, allowDB bool) (*Table, TableRef) {
	parts, at := p.name(3)
	if allowDB && len(parts) == 1 && (p.accept("in") || p.accept("from")) {
		db, _ := p.name(1)
		parts = append(db, parts...)
	}
	// Hive DDL takes `db.table` in one backquoted name.
	if len(parts) == 1 && strings.Contains(parts[0], ".") {
		parts = strings.SplitN(parts[0], ".", 2)
	}
	ref := defaults
	ref.Table = parts[len(parts)-1]
	if len(parts) >= 2 {
		ref.Database = parts[len(parts)-2]
	}
	if len(parts) == 3 {
		ref.Catalog = parts[0]
	}
	var tbl *Table
	var err error
	if d, ok := cat.(TableDefiner); ok {
		tbl, err = d.TableDefinition(ctx, ref)
	} else {
		tbl, err = cat.Table(ctx, ref)
	}
	if errors.Is(err, ErrNotFound) {
		p.failAt(tableNotFound, at, "Table '"+ref.String()+"' does not exist")
	}
	if err != nil {
		p.catalogFail(err)
	}
	return tbl, ref
}

func (p *parser) showColumns(ctx context.Context, defaults TableRef, cat Catalog) []string {
	if !p.accept("in") && !p.accept("from") {
		p.fail("'FROM', 'IN'")
	}
	tbl, _ := p.table(ctx, defaults, cat, true)
	lines := make([]string, len(tbl.Columns))
	for i, c := range tbl.Columns {
		lines[i] = padHive(strings.ToLower(c.Name))
	}
	return lines
}

func (p *parser) describe(ctx context.Context, defaults TableRef, cat Catalog) []string {
	tbl, _ := p.table(ctx, defaults, cat, false)
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
	return lines
}

// showCreate prints a table's Hive DDL, or a view's CREATE VIEW.
func (p *parser) showCreate(ctx context.Context, defaults TableRef, cat Catalog, view bool) []string {
	at := p.peek()
	tbl, ref := p.table(ctx, defaults, cat, false)
	if view != (tbl.ViewSQL != "") {
		if view {
			p.failAt(tableNotFound, at, "View '"+ref.String()+"' does not exist")
		}
		p.failAt(notSupported, at, "Relation '"+ref.String()+"' is a view, not a table; use SHOW CREATE VIEW")
	}
	if view {
		return strings.Split("CREATE VIEW "+quoteIdent(ref.Database)+"."+quoteIdent(ref.Table)+" AS\n"+strings.TrimSpace(tbl.ViewSQL), "\n")
	}
	regular := len(tbl.Columns) - tbl.PartitionKeys
	lines := []string{"CREATE EXTERNAL TABLE `" + ref.Database + "." + ref.Table + "`("}
	for i, c := range tbl.Columns[:regular] {
		sep := ", "
		if i == regular-1 {
			sep = ")"
		}
		lines = append(lines, "  `"+strings.ToLower(c.Name)+"` "+hiveType(c.Type)+sep)
	}
	if tbl.PartitionKeys > 0 {
		lines = append(lines, "PARTITIONED BY ( ")
		for i, c := range tbl.Columns[regular:] {
			sep := ", "
			if i == tbl.PartitionKeys-1 {
				sep = ")"
			}
			lines = append(lines, "  `"+strings.ToLower(c.Name)+"` "+hiveType(c.Type)+sep)
		}
	}
	delim := tbl.Delimiter
	if delim == "" {
		delim = ","
	}
	lines = append(lines,
		"ROW FORMAT DELIMITED ",
		"  FIELDS TERMINATED BY '"+delim+"' ",
		"STORED AS INPUTFORMAT ",
		"  'org.apache.hadoop.mapred.TextInputFormat' ",
		"OUTPUTFORMAT ",
		"  'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'")
	if tbl.Location != "" {
		lines = append(lines, "LOCATION", "  '"+tbl.Location+"'")
	}
	if tbl.Header {
		lines = append(lines, "TBLPROPERTIES (", "  'skip.header.line.count'='1')")
	}
	return lines
}

// showPartitions lists a partitioned table's partitions as the catalog
// holds them; a table without partition keys is refused as Hive refuses
// it.
func (p *parser) showPartitions(ctx context.Context, defaults TableRef, cat Catalog) []string {
	tbl, ref := p.table(ctx, defaults, cat, false)
	if tbl.PartitionKeys == 0 {
		panic(parseFailure{&Error{Category: CategoryUser, Type: 1003,
			Message: "FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. Table " + ref.Table + " is not a partitioned table"}})
	}
	return append([]string(nil), tbl.Partitions...)
}

func padHive(s string) string {
	if n := utilityColumnWidth - len([]rune(s)); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}
