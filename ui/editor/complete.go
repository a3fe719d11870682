package editor

import (
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// keywords are the SQL words completion offers and highlighting marks:
// Trino's statement and clause keywords and its common functions.
var keywords = strings.Fields(`select from where group by order having limit offset join inner left right full outer cross
on using as and or not in is null like between case when then else end distinct all union intersect except with
insert into values create table view drop alter describe show tables databases schemas columns partitions explain
analyze unnest lateral over partition rows range preceding following current row asc desc nulls first last
true false cast try_cast count sum avg min max approx_distinct approx_percentile array_agg map_agg coalesce
nullif if date timestamp interval extract date_trunc date_add date_diff date_format from_iso8601_timestamp
current_date current_timestamp now lower upper length substr replace regexp_like regexp_extract split concat
trim json_extract json_extract_scalar json_parse json_format row_number rank dense_rank lag lead
element_at cardinality contains filter transform reduce zip map array varchar bigint integer double boolean
decimal real smallint tinyint char varbinary json uuid ipaddress exists format to_unixtime from_unixtime`)

// isKeyword reports whether the lower-case word w is highlighted as a keyword.
func isKeyword(w string) bool {
	switch w {
	case "select", "from", "where", "group", "by", "order", "having", "limit", "offset", "join", "inner", "left",
		"right", "full", "outer", "cross", "on", "using", "as", "and", "or", "not", "in", "is", "null", "like",
		"between", "case", "when", "then", "else", "end", "distinct", "all", "union", "intersect", "except",
		"with", "insert", "into", "values", "create", "table", "view", "drop", "alter", "describe", "show",
		"tables", "databases", "schemas", "columns", "partitions", "explain", "analyze", "unnest", "lateral",
		"over", "partition", "rows", "range", "preceding", "following", "current", "row", "asc", "desc",
		"nulls", "first", "last", "true", "false", "cast", "try_cast", "interval", "exists", "if", "external",
		"location", "stored", "tblproperties", "format", "escape", "recursive", "natural", "window", "filter",
		"fetch", "next", "only", "ties", "set", "update", "delete", "merge", "matched", "unload", "to":
		return true
	}
	return false
}

// Index is what completion knows of the catalog: data catalogs, their
// databases, tables and columns, and the session's default catalog and
// database (which unqualified names resolve against).
type Index struct {
	DefaultCatalog, DefaultDatabase string

	catalogs []string
	dbs      map[string][]string        // catalog → databases
	tables   map[string][]string        // catalog.database → tables
	columns  map[string][]engine.Column // catalog.database.table → columns
	kinds    map[string]string          // catalog.database.table → its label: table, view, tabulator table
	byTable  map[string][]string        // table → its catalog.database.table keys
	all      []item                     // every database and table name, for unprefixed completion
	lower    map[string]string          // lower-case key → key as listed
}

// kindLabel is how completion labels a listed table of kind k.
func kindLabel(k string) string {
	switch k {
	case engine.KindView:
		return "view"
	case engine.KindTabulator:
		return "tabulator table"
	}
	return "table"
}

// NewIndex indexes a listing for completion.
func NewIndex(l engine.Listing, defCatalog, defDatabase string) *Index {
	ix := &Index{DefaultCatalog: defCatalog, DefaultDatabase: defDatabase,
		dbs: map[string][]string{}, tables: map[string][]string{}, columns: map[string][]engine.Column{},
		kinds: map[string]string{}, byTable: map[string][]string{}, lower: map[string]string{}}
	seen := map[string]bool{}
	addAll := func(s, detail string) {
		if !seen[s] {
			seen[s] = true
			ix.all = append(ix.all, item{Quote(s), detail})
		}
	}
	for _, c := range l.Catalogs {
		ix.catalogs = append(ix.catalogs, c.Name)
		cl := strings.ToLower(c.Name)
		for _, d := range c.Databases {
			ix.dbs[cl] = append(ix.dbs[cl], d.Name)
			addAll(d.Name, "database")
			dk := cl + "." + strings.ToLower(d.Name)
			for _, t := range d.Tables {
				ix.tables[dk] = append(ix.tables[dk], t.Name)
				tk := dk + "." + strings.ToLower(t.Name)
				ix.columns[tk] = t.Columns
				ix.kinds[tk] = kindLabel(t.Kind)
				ix.byTable[strings.ToLower(t.Name)] = append(ix.byTable[strings.ToLower(t.Name)], tk)
				addAll(t.Name, kindLabel(t.Kind))
			}
		}
	}
	return ix
}

// resolve finds the table a name of one to three parts means: the
// catalog.database.table key, or "" when the index has no such table.
func (ix *Index) resolve(parts []string) string {
	if ix == nil || ix.columns == nil {
		return ""
	}
	for i := range parts {
		parts[i] = strings.ToLower(parts[i])
	}
	cat, db := strings.ToLower(ix.DefaultCatalog), strings.ToLower(ix.DefaultDatabase)
	var k string
	switch len(parts) {
	case 1:
		k = cat + "." + db + "." + parts[0]
		if _, ok := ix.columns[k]; !ok {
			// Not in the default database: a table of that name elsewhere
			// when there is exactly one.
			if c := ix.byTable[parts[0]]; len(c) == 1 {
				return c[0]
			}
		}
	case 2:
		k = cat + "." + parts[0] + "." + parts[1]
	case 3:
		k = parts[0] + "." + parts[1] + "." + parts[2]
	default:
		return ""
	}
	if _, ok := ix.columns[k]; ok {
		return k
	}
	return ""
}

// item is one completion.
type item struct {
	text   string // inserted (quoted when needed)
	detail string // shown beside it: keyword, table, column type
}

// popup is the open completion list and the word it completes.
type popup struct {
	items []item
	sel   int
	start int // byte offset in the line where the completed word starts
}

// maxItems bounds the popup.
const maxItems = 8

// complete opens (or refreshes) the popup for the word at the cursor.
// explicit is true when the user asked: then an empty word completes too.
func (m *Model) complete(explicit bool) {
	line := m.lines[m.row]
	start := m.col
	for start > 0 {
		r := line[start-1]
		if r == '_' || r == '"' || r >= 0x80 || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			start--
			continue
		}
		break
	}
	word := strings.Trim(line[start:m.col], `"`)
	qualifier := qualifierBefore(line[:start])
	if word == "" && qualifier == nil && !explicit {
		m.comp = nil
		return
	}
	if len(word) < 2 && qualifier == nil && !explicit {
		m.comp = nil
		return
	}
	items := m.candidates(word, qualifier)
	if len(items) == 0 || (len(items) == 1 && strings.EqualFold(items[0].text, word) && !explicit) {
		m.comp = nil
		return
	}
	m.comp = &popup{items: items, start: start}
}

// qualifierBefore reads the dotted name before a trailing ".", as
// ["o"] in "o.|" or ["sales", "orders"] in "sales.orders.|"; nil when s
// does not end in a dot.
func qualifierBefore(s string) []string {
	if !strings.HasSuffix(s, ".") {
		return nil
	}
	var parts []string
	rest := s
	for strings.HasSuffix(rest, ".") {
		rest = rest[:len(rest)-1]
		i := len(rest)
		quoted := strings.HasSuffix(rest, `"`)
		if quoted {
			j := strings.LastIndex(rest[:len(rest)-1], `"`)
			if j < 0 {
				break
			}
			parts = append([]string{rest[j+1 : len(rest)-1]}, parts...)
			rest = rest[:j]
			continue
		}
		for i > 0 {
			c := rest[i-1]
			if c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				i--
				continue
			}
			break
		}
		if i == len(rest) {
			break
		}
		parts = append([]string{rest[i:]}, parts...)
		rest = rest[:i]
	}
	if len(parts) == 0 {
		return nil
	}
	return parts
}

// candidates lists completions of word after qualifier.
func (m *Model) candidates(word string, qualifier []string) []item {
	ix := m.index
	var pool []item
	if qualifier != nil {
		aliases := m.aliases()
		q := make([]string, len(qualifier))
		copy(q, qualifier)
		// An alias or table of the query: its columns.
		if len(q) == 1 {
			if target, ok := aliases[strings.ToLower(q[0])]; ok {
				if k := ix.resolve(target); k != "" {
					for _, c := range ix.columns[k] {
						pool = append(pool, item{Quote(c.Name), c.Type})
					}
				}
			}
		}
		if k := ix.resolve(append([]string(nil), q...)); k != "" && pool == nil {
			for _, c := range ix.columns[k] {
				pool = append(pool, item{Quote(c.Name), c.Type})
			}
		}
		if ix != nil && ix.tables != nil {
			lq := make([]string, len(q))
			for i := range q {
				lq[i] = strings.ToLower(q[i])
			}
			switch len(q) {
			case 1:
				// A database of the default catalog, or a catalog.
				dk := strings.ToLower(ix.DefaultCatalog) + "." + lq[0]
				for _, t := range ix.tables[dk] {
					pool = append(pool, item{Quote(t), ix.kinds[dk+"."+strings.ToLower(t)]})
				}
				for _, d := range ix.dbs[lq[0]] {
					pool = append(pool, item{Quote(d), "database"})
				}
			case 2:
				dk := lq[0] + "." + lq[1]
				for _, t := range ix.tables[dk] {
					pool = append(pool, item{Quote(t), ix.kinds[dk+"."+strings.ToLower(t)]})
				}
			}
		}
	} else {
		for _, k := range keywords {
			pool = append(pool, item{strings.ToUpper(k), "keyword"})
		}
		if ix != nil {
			for _, c := range ix.catalogs {
				pool = append(pool, item{Quote(c), "catalog"})
			}
			pool = append(pool, ix.all...)
			// Columns of the tables the query names.
			for _, target := range m.aliases() {
				if k := ix.resolve(target); k != "" {
					for _, c := range ix.columns[k] {
						pool = append(pool, item{Quote(c.Name), c.Type})
					}
				}
			}
		}
	}
	return rank(pool, word)
}

// aliasLines is how far from the cursor completion looks for the FROM
// and JOIN clauses that name aliases: far enough for any one statement
// people write by hand, near enough that a keystroke in a query of
// thousands of lines does not lex all of it.
const aliasLines = 60

// around is the text of the lines near the cursor.
func (m *Model) around() string {
	return strings.Join(m.lines[max(m.row-aliasLines, 0):min(m.row+aliasLines+1, len(m.lines))], "\n")
}

// rank keeps the items that start with word (case-insensitively), then
// those that contain it, each group in order, without repeats, at most
// maxItems.
func rank(pool []item, word string) []item {
	lw := strings.ToLower(word)
	var first, second []item
	seen := map[string]bool{}
	for _, it := range pool {
		t := strings.ToLower(strings.Trim(it.text, `"`))
		if seen[it.text] {
			continue
		}
		switch {
		case strings.HasPrefix(t, lw):
			seen[it.text] = true
			first = append(first, it)
		case lw != "" && strings.Contains(t, lw):
			seen[it.text] = true
			second = append(second, it)
		}
	}
	sort.SliceStable(first, func(i, j int) bool {
		return len(first[i].text) < len(first[j].text) && first[i].detail != "keyword" && first[j].detail == "keyword"
	})
	out := append(first, second...)
	if len(out) > maxItems {
		out = out[:maxItems]
	}
	return out
}

// accept replaces the word at the cursor with the selected completion.
func (m *Model) accept() {
	it := m.comp.items[m.comp.sel]
	m.push(editOther)
	line := m.lines[m.row]
	m.lines[m.row] = line[:m.comp.start] + it.text + line[m.col:]
	m.col = m.comp.start + len(it.text)
	m.comp = nil
	m.setWant()
}

// overlayPopup draws the popup under the cursor over the rendered lines.
func (m Model) overlayPopup(view string) string {
	lines := strings.Split(view, "\n")
	y := m.row - m.top + 1
	x := gutter + textWidthOf(m.lines[m.row][:m.comp.start]) - m.left
	w := 0
	for _, it := range m.comp.items {
		w = max(w, textWidthOf(it.text)+1+len(it.detail))
	}
	w = min(w+2, max(m.width-x, 10))
	if x+w > m.width {
		x = max(m.width-w, 0)
	}
	if y+len(m.comp.items) > m.height {
		y = max(m.row-m.top-len(m.comp.items), 0)
	}
	for i, it := range m.comp.items {
		if y+i >= len(lines) || y+i < 0 {
			break
		}
		p := m.p.popup
		if i == m.comp.sel {
			p = m.p.popSel
		}
		label := it.text + strings.Repeat(" ", max(w-2-textWidthOf(it.text)-len(it.detail), 1)) + it.detail
		cell := p.pre + " " + clip(label, w-2) + " " + p.post
		lines[y+i] = spliceANSI(lines[y+i], x, w, cell, m.width)
	}
	return strings.Join(lines, "\n")
}

func clip(s string, w int) string {
	rs := []rune(s)
	if len(rs) > w {
		return string(rs[:w])
	}
	return s + strings.Repeat(" ", w-len(rs))
}

// Quote writes a name as SQL must: as it is when it is a plain lower-case
// word that is no keyword, else in double quotes.
func Quote(name string) string {
	plain := name != ""
	for i, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	if plain && !isReservedWord(name) {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QualifiedName is catalog.database.table quoted part by part; the
// catalog is left out when it is the default one.
func QualifiedName(catalog, database, table, defaultCatalog string) string {
	var parts []string
	if catalog != "" && !strings.EqualFold(catalog, defaultCatalog) {
		parts = append(parts, `"`+strings.ReplaceAll(catalog, `"`, `""`)+`"`)
	}
	if database != "" {
		parts = append(parts, Quote(database))
	}
	if table != "" {
		parts = append(parts, Quote(table))
	}
	return strings.Join(parts, ".")
}

// isReservedWord reports whether w must be quoted to be a name: the
// keywords highlighting knows, which include Trino's reserved words.
func isReservedWord(w string) bool { return isKeyword(w) }

// spliceANSI writes cell (w columns wide) over the styled line from
// display column x, keeping what is on either side.
func spliceANSI(line string, x, w int, cell string, width int) string {
	right := ""
	if x+w < width {
		right = ansi.TruncateLeft(line, x+w, "")
	}
	return ansi.Truncate(line, x, "") + cell + right
}

// aliasCache keeps the significant tokens of the lines around the cursor
// but its own (lo..row-1 and row+1..hi-1), so that a keystroke lexes only
// the cursor's line to find the query's aliases: the lines the tokens
// came from tell whether they are still those lines (an unchanged line is
// the same string, a comparison of two pointers). Shared by copies of the
// Model, as the highlighting cache is.
type aliasCache struct {
	lo, row, hi  int
	above, below []string
	up, down     []sqlref.Token
}

// aliases maps the aliases and table names of the FROM and JOIN clauses
// near the cursor to the names they stand for, as aliasesOf(m.around())
// does. No token runs over a line break but a string, a quoted name or a
// comment, and those make a part that ends inside them fail to lex: so
// when the lines above the cursor, its line and the lines below each lex
// on their own, the window's tokens are theirs, one after the other. The
// lines above and below come from the cache; only the cursor's line is
// lexed again. Otherwise the window is read as one, as aliasesOf does.
func (m *Model) aliases() map[string][]string {
	lo, hi := max(m.row-aliasLines, 0), min(m.row+aliasLines+1, len(m.lines))
	if m.ac == nil {
		return aliasesOf(m.around())
	}
	c := m.ac
	if c.lo != lo || c.row != m.row || c.hi != hi || !sameLines(c.above, m.lines[lo:m.row]) || !sameLines(c.below, m.lines[m.row+1:hi]) {
		up, err1 := sqlref.Lex(strings.Join(m.lines[lo:m.row], "\n"))
		down, err2 := sqlref.Lex(strings.Join(m.lines[m.row+1:hi], "\n"))
		if err1 != nil || err2 != nil {
			*c = aliasCache{}
			return aliasesOf(m.around())
		}
		*c = aliasCache{lo: lo, row: m.row, hi: hi,
			above: append([]string(nil), m.lines[lo:m.row]...), below: append([]string(nil), m.lines[m.row+1:hi]...),
			up: sqlref.Significant(up), down: sqlref.Significant(down)}
	}
	mid, err := sqlref.Lex(m.lines[m.row])
	if err != nil {
		return aliasesOf(m.around())
	}
	mid = sqlref.Significant(mid)
	toks := make([]sqlref.Token, 0, len(c.up)+len(mid)+len(c.down))
	toks = append(append(append(toks, c.up...), mid...), c.down...)
	return aliasesIn(toks)
}

func sameLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// aliasesOf maps each alias and table name of the query's FROM and JOIN
// clauses (lower case) to the dotted name it stands for.
func aliasesOf(sql string) map[string][]string {
	toks, err := sqlref.Lex(sql)
	if err != nil {
		// An unfinished query (an open quote while typing): read what
		// lexes, up to the last complete line.
		if i := strings.LastIndex(sql, "\n"); i > 0 {
			return aliasesOf(sql[:i])
		}
		return map[string][]string{}
	}
	return aliasesIn(sqlref.Significant(toks))
}

// aliasesIn is aliasesOf on the query's significant tokens.
func aliasesIn(toks []sqlref.Token) map[string][]string {
	out := map[string][]string{}
	for i := 0; i < len(toks); i++ {
		if !(toks[i].Is("from") || toks[i].Is("join")) {
			continue
		}
		j := i + 1
		var name []string
		for j < len(toks) && toks[j].IsIdent() {
			name = append(name, toks[j].Value)
			if j+1 < len(toks) && toks[j+1].IsOp(".") {
				j += 2
				continue
			}
			j++
			break
		}
		if len(name) == 0 {
			continue
		}
		out[strings.ToLower(name[len(name)-1])] = name
		if j < len(toks) && toks[j].Is("as") {
			j++
		}
		if j < len(toks) && toks[j].IsIdent() && !isKeyword(toks[j].Value) {
			out[strings.ToLower(toks[j].Value)] = name
		}
	}
	return out
}
