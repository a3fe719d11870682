package sqlrun

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quiltq/quiltq/engine"
)

// fakeCatalog is an in-memory Catalog. Rows are written as CSV cells;
// a cell "\N" is NULL.
type fakeCatalog struct {
	mu     sync.Mutex
	tables map[TableRef]*fakeTable
	deny   map[TableRef]error
	scans  atomic.Int64
}

type fakeTable struct {
	cols       []engine.Column
	parts      int
	rows       [][]string
	version    string
	block      chan struct{} // when set, Scan waits on it (or the context)
	partitions []string
	location   string
}

func newCatalog() *fakeCatalog {
	return &fakeCatalog{tables: map[TableRef]*fakeTable{}, deny: map[TableRef]error{}}
}

func (c *fakeCatalog) add(ref string, cols string, rows ...string) *fakeTable {
	p := strings.Split(ref, ".")
	t := &fakeTable{version: "v1"}
	for _, col := range splitTop(cols) {
		name, typ, _ := strings.Cut(col, " ")
		t.cols = append(t.cols, engine.Column{Name: name, Type: typ})
	}
	for _, r := range rows {
		t.rows = append(t.rows, strings.Split(r, "|"))
	}
	c.mu.Lock()
	c.tables[TableRef{p[0], p[1], p[2]}] = t
	c.mu.Unlock()
	return t
}

// splitTop splits a column list at the commas outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func (c *fakeCatalog) Table(ctx context.Context, ref TableRef) (*Table, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.deny[ref]; err != nil {
		return nil, err
	}
	t, ok := c.tables[ref]
	if !ok {
		return nil, fmt.Errorf("table %s: %w", ref, ErrNotFound)
	}
	rows, block := t.rows, t.block
	return &Table{Columns: t.cols, PartitionKeys: t.parts, Version: t.version, Size: int64(100 * len(rows)),
		Partitions: t.partitions, Location: t.location,
		Scan: func(ctx context.Context, emit func(engine.Row) error) error {
			c.scans.Add(1)
			if block != nil {
				select {
				case <-block:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			for _, r := range rows {
				row := make(engine.Row, len(r))
				for i, v := range r {
					row[i] = engine.Value{Text: v, Null: v == `\N`}
				}
				if err := emit(row); err != nil {
					return err
				}
			}
			return nil
		}}, nil
}

func (c *fakeCatalog) Databases(ctx context.Context, catalog string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for ref := range c.tables {
		if ref.Catalog == catalog && !seen[ref.Database] {
			seen[ref.Database] = true
			out = append(out, ref.Database)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("catalog %s: %w", catalog, ErrNotFound)
	}
	return out, nil
}

func (c *fakeCatalog) Tables(ctx context.Context, catalog, database string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for ref := range c.tables {
		if ref.Catalog == catalog && ref.Database == database {
			out = append(out, ref.Table)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("database %s: %w", database, ErrNotFound)
	}
	return out, nil
}

// collect is an Output that keeps everything.
type collect struct {
	cols []engine.Column
	rows []engine.Row
}

func (c *collect) Columns(cols []engine.Column) error { c.cols = cols; return nil }
func (c *collect) Row(r engine.Row) error {
	c.rows = append(c.rows, append(engine.Row(nil), r...))
	return nil
}

// render shows a result compactly: "name:type,...\nv1|v2\n...", NULL as ∅.
func (c *collect) render() string {
	var b strings.Builder
	for i, col := range c.cols {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(col.Name + ":" + col.Type)
	}
	for _, r := range c.rows {
		b.WriteByte('\n')
		for i, v := range r {
			if i > 0 {
				b.WriteByte('|')
			}
			if v.Null {
				b.WriteString("∅")
			} else {
				b.WriteString(v.Text)
			}
		}
	}
	return b.String()
}

func sample() *fakeCatalog {
	c := newCatalog()
	c.add("awsdatacatalog.sales.orders", "id bigint,customer varchar,amount double,paid boolean,day date,at timestamp,qty integer",
		`1|alice|10.5|true|2024-01-05|2024-01-05 10:00:00|3`,
		`2|bob|20|false|2024-02-10|2024-02-10 11:30:15.25|\N`,
		`3|alice|\N|true|2024-02-11|\N|5`,
		`4||0.1|\N|\N|2024-03-01 00:00:00|1`)
	c.add("awsdatacatalog.sales.customers", "name varchar,city varchar", "alice|Paris", "bob|Oslo", "carol|Rome")
	c.add("quilt-sales-prod-tabulator.nextflowtower.sail", "$path varchar,$pkg_name varchar,n bigint", "s3://b/a.csv|pkg/a|1", "s3://b/b.csv|pkg/b|2")
	c.add("awsdatacatalog.userathenadatabase-x.my-bucket_packages", "pkg_name varchar,top_hash varchar", "a/b|abc")
	c.add("awsdatacatalog.sales.t", "x integer", "7")
	c.add("awsdatacatalog.default.d", "x integer", "8")
	return c
}

func run(t *testing.T, e *Engine, cat Catalog, sql string) (*collect, Stats, error) {
	t.Helper()
	out := &collect{}
	st, err := e.Run(context.Background(), Query{SQL: sql, Database: "sales"}, cat, out)
	return out, st, err
}

func ctxBG() context.Context { return context.Background() }

func newEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestQueries(t *testing.T) {
	e := newEngine(t)
	cat := sample()
	tests := []struct{ name, sql, want string }{
		{"select star keeps declared types and formats", "SELECT * FROM orders ORDER BY id",
			"id:bigint,customer:varchar,amount:double,paid:boolean,day:date,at:timestamp,qty:integer\n" +
				"1|alice|10.5|true|2024-01-05|2024-01-05 10:00:00.000|3\n" +
				"2|bob|20.0|false|2024-02-10|2024-02-10 11:30:15.250|∅\n" +
				"3|alice|∅|true|2024-02-11|∅|5\n" +
				"4||0.1|∅|∅|2024-03-01 00:00:00.000|1"},
		{"two-part name", "select id from sales.orders where id = 2", "id:bigint\n2"},
		{"three-part name, any case", `SELECT ID FROM AwsDataCatalog."SALES".Orders WHERE Customer = 'bob'`, "id:bigint\n2"},
		{"quoted hyphenated catalog and $ columns", `SELECT "$path", "$pkg_name" FROM "quilt-sales-prod-tabulator"."nextflowtower"."sail" ORDER BY n DESC`,
			"$path:varchar,$pkg_name:varchar\ns3://b/b.csv|pkg/b\ns3://b/a.csv|pkg/a"},
		{"hyphenated database", `SELECT top_hash FROM "userathenadatabase-x"."my-bucket_packages"`, "top_hash:varchar\nabc"},
		{"qualified column through implicit alias", "SELECT orders.id FROM sales.orders WHERE orders.id < 2", "id:bigint\n1"},
		{"unnamed expressions are _colN", "SELECT id, id * 2, upper(customer) AS u FROM orders WHERE id = 1", "id:bigint,_col1:bigint,u:varchar\n1|2|ALICE"},
		{"count and group by", "SELECT customer, count(*) AS n, sum(qty) AS q FROM orders GROUP BY customer HAVING count(*) > 0 ORDER BY customer NULLS FIRST",
			"customer:varchar,n:bigint,q:bigint\n|1|1\nalice|2|8\nbob|1|∅"},
		{"aggregates", "SELECT count(DISTINCT customer), approx_distinct(customer), avg(qty), min(day), max(at) FROM orders",
			"_col0:bigint,_col1:bigint,_col2:double,_col3:date,_col4:timestamp\n3|3|3.0|2024-01-05|2024-03-01 00:00:00.000"},
		{"nulls sort last by default", "SELECT amount FROM orders ORDER BY amount", "amount:double\n0.1\n10.5\n20.0\n∅"},
		{"nulls first on request", "SELECT amount FROM orders ORDER BY amount DESC NULLS FIRST", "amount:double\n∅\n20.0\n10.5\n0.1"},
		{"offset before limit", "SELECT id FROM orders ORDER BY id OFFSET 1 LIMIT 2", "id:bigint\n2\n3"},
		{"offset alone", "SELECT id FROM orders ORDER BY id OFFSET 3 ROWS", "id:bigint\n4"},
		{"fetch first", "SELECT id FROM orders ORDER BY id FETCH FIRST 1 ROWS ONLY", "id:bigint\n1"},
		{"inner join", "SELECT o.id, c.city FROM orders o JOIN customers c ON o.customer = c.name ORDER BY o.id", "id:bigint,city:varchar\n1|Paris\n2|Oslo\n3|Paris"},
		{"left join", "SELECT c.name, o.id FROM customers AS c LEFT JOIN orders AS o ON o.customer = c.name WHERE c.name = 'carol'", "name:varchar,id:bigint\ncarol|∅"},
		{"cross join and comma join", "SELECT count(*) FROM orders CROSS JOIN customers, sales.t", "_col0:bigint\n12"},
		{"CTE is not a table", "WITH orders AS (SELECT * FROM sales.orders WHERE paid) SELECT count(*) c FROM orders", "c:bigint\n2"},
		{"CTE body reads the real table of the same name", "WITH t AS (SELECT x + 1 AS x FROM t) SELECT x FROM t", "x:integer\n8"},
		{"subqueries", "SELECT id FROM (SELECT id, qty FROM orders) s WHERE qty > (SELECT min(qty) FROM orders) AND id IN (SELECT id FROM orders WHERE paid)", "id:bigint\n1\n3"},
		{"set operations", "SELECT name FROM customers UNION SELECT customer FROM orders WHERE customer <> '' EXCEPT SELECT 'bob' ORDER BY 1", "name:varchar\nalice\ncarol"},
		{"union distinct and intersect", "(SELECT name FROM customers) INTERSECT DISTINCT (SELECT customer FROM orders)", "name:varchar\nalice\nbob"},
		{"union all keeps duplicates", "SELECT customer FROM orders WHERE id < 4 UNION ALL SELECT 'x' ORDER BY customer", "customer:varchar\nalice\nalice\nbob\nx"},
		{"casts", "SELECT CAST(id AS varchar), CAST('42' AS bigint), CAST(qty AS double), CAST('true' AS boolean), CAST('2024-01-02 03:04:05' AS timestamp), CAST(at AS date), TRY_CAST('x' AS integer) FROM orders WHERE id = 1",
			"_col0:varchar,_col1:bigint,_col2:double,_col3:boolean,_col4:timestamp,_col5:date,_col6:integer\n1|42|3.0|true|2024-01-02 03:04:05.000|2024-01-05|∅"},
		{"date and timestamp literals", "SELECT DATE '2024-02-01', TIMESTAMP '2024-02-01 10:00:00' FROM t WHERE DATE '2024-02-01' < DATE '2024-02-02'",
			"_col0:date,_col1:timestamp\n2024-02-01|2024-02-01 10:00:00.000"},
		{"date comparisons", "SELECT id FROM orders WHERE day >= DATE '2024-02-10' ORDER BY id", "id:bigint\n2\n3"},
		{"case coalesce if", "SELECT CASE WHEN qty > 2 THEN 'big' ELSE 'small' END, coalesce(qty, 0), if(paid, 'y', 'n'), if(paid, 1) FROM orders WHERE id = 2",
			"_col0:varchar(5),_col1:integer,_col2:varchar(1),_col3:integer\nsmall|0|n|∅"},
		{"string functions", "SELECT lower('AbC'), upper('x'), length('héllo'), substr('hello', 2, 3), concat('a', 'b', 'c'), 'a' || 'b', strpos('hello', 'l'), replace('aXa', 'X', '-'), trim('  y '), split_part('a,b,c', ',', 2), regexp_like('abc', '^a.c$') FROM t",
			"_col0:varchar(3),_col1:varchar(1),_col2:bigint,_col3:varchar,_col4:varchar,_col5:varchar(2),_col6:bigint,_col7:varchar,_col8:varchar,_col9:varchar,_col10:boolean\nabc|X|5|ell|abc|ab|3|a-a|y|b|true"},
		{"concat with null is null", "SELECT concat('a', NULL), 'a' || NULL FROM t", "_col0:varchar,_col1:varchar\n∅|∅"},
		{"date functions", "SELECT year(day), month(day), day(day), date_trunc('month', at), date_trunc('year', day), date_format(at, '%Y/%m/%d %H:%i') FROM orders WHERE id = 2",
			"_col0:bigint,_col1:bigint,_col2:bigint,_col3:timestamp,_col4:date,_col5:varchar\n2024|2|10|2024-02-01 00:00:00.000|2024-01-01|2024/02/10 11:30"},
		{"current_date", "SELECT current_date FROM t", "_col0:date\n2025-06-01"},
		{"boolean literals and predicates", "SELECT true, false, id > 2, paid AND true FROM orders WHERE id = 3", "_col0:boolean,_col1:boolean,_col2:boolean,_col3:boolean\ntrue|false|true|true"},
		{"LIKE is case-sensitive", "SELECT count(*) FROM orders WHERE customer LIKE 'A%'", "_col0:bigint\n0"},
		{"is distinct from", "SELECT count(*) FROM orders WHERE amount IS DISTINCT FROM 0.1", "_col0:bigint\n3"},
		// A bare NULL is of Trino's type unknown; '' is varchar(0).
		{"null literal and empty string stay apart", "SELECT NULL, '', customer FROM orders WHERE id = 4", "_col0:unknown,_col1:varchar(0),customer:varchar\n∅||"},
		{"doubles as Java prints them", "SELECT 1.5e0, 2e0, 1e7, 0.1e0 + 0.2e0, 1e-4, 123456.789e0 FROM t",
			"_col0:double,_col1:double,_col2:double,_col3:double,_col4:double,_col5:double\n1.5|2.0|1.0E7|0.30000000000000004|1.0E-4|123456.789"},
		{"integer literal", "SELECT 1, 7 / 2", "_col0:integer,_col1:integer\n1|3"},
		{"comments and trailing semicolon", "-- lead\nSELECT /* x */ id FROM orders WHERE id = 1; -- tail", "id:bigint\n1"},
		{"window order by", "SELECT id, row_number() OVER (ORDER BY amount) AS rn FROM orders ORDER BY id", "id:bigint,rn:bigint\n1|2\n2|3\n3|4\n4|1"},
		{"values", "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s) WHERE n = 2", "n:integer,s:varchar(1)\n2|b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.now = func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }
			out, st, err := run(t, e, cat, tt.sql)
			if err != nil {
				t.Fatalf("%s: %v", tt.sql, err)
			}
			if st.StatementType != "DML" || st.Text {
				t.Errorf("stats %+v, want DML, not text", st)
			}
			if tt.want == "" {
				return
			}
			if got := out.render(); got != tt.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tt.sql, got, tt.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	e := newEngine(t)
	cat := sample()
	tests := []struct {
		sql       string
		msg       string
		category  int
		errorType int
		stmtType  string
	}{
		{"SELECT * FROM nope", "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sales.nope' does not exist", 2, 1110, "DML"},
		{"SELECT *\nFROM x.nope", "SCHEMA_NOT_FOUND: line 2:6: Schema 'x' does not exist", 2, 1301, "DML"},
		{"SELECT * FROM zz.x.nope", "CATALOG_NOT_FOUND: line 1:15: Catalog 'zz' does not exist", 2, 1301, "DML"},
		{"SELECT nope FROM orders", "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved or requester is not authorized to access requested resources", 2, 1006, "DML"},
		{"SELECT o.nope FROM orders o", "COLUMN_NOT_FOUND: line 1:10: Column 'o.nope' cannot be resolved or requester is not authorized to access requested resources", 2, 1006, "DML"},
		{"SELECT nofunc(id) FROM orders", "FUNCTION_NOT_FOUND: line 1:8: Function 'nofunc' not registered", 2, 1303, "DML"},
		{"SELEC 1", "SYNTAX_ERROR: line 1:1: mismatched input 'SELEC'. Expecting: 'ALTER', 'ANALYZE', 'CALL', 'CREATE', 'DEALLOCATE', 'DELETE', 'DESC', 'DESCRIBE', 'DROP', 'EXPLAIN', 'GRANT', 'INSERT', 'MERGE', 'PREPARE', 'REFRESH', 'RESET', 'REVOKE', 'SET', 'SHOW', 'START', 'UPDATE', 'USE', 'WITH', <query>", 2, 1006, "DML"},
		{"SELECT id FROM orders WHERE", "SYNTAX_ERROR: line 1:28: mismatched input '<EOF>'. Expecting: <expression>", 2, 1006, "DML"},
		{"SELECT (1", "SYNTAX_ERROR: line 1:10: mismatched input '<EOF>'. Expecting: ')'", 2, 1006, "DML"},
		{"SELECT 'abc", "SYNTAX_ERROR: line 1:8: unterminated string literal", 2, 1006, "DML"},
		{"SELECT 1; SELECT 2", "SYNTAX_ERROR: line 1:11: mismatched input 'SELECT'. Expecting: <EOF>", 2, 1006, "DML"},
		{"SELECT * FROM `orders`", "SYNTAX_ERROR: line 1:15: backquoted identifiers are not supported; use double quotes to quote identifiers", 2, 1006, "DML"},
		{"SELECT CAST('x' AS bigint)", "INVALID_CAST_ARGUMENT: Cannot cast 'x' to BIGINT", 2, 1100, "DML"},
		{"SELECT DATE '2024-13-01'", "INVALID_LITERAL: line 1:8: '2024-13-01' is not a valid DATE literal", 2, 1100, "DML"},
		{"INSERT INTO orders VALUES (1)", "NOT_SUPPORTED: line 1:1: INSERT is not supported by the sandbox", 2, 1200, "DML"},
		{"CREATE TABLE x AS SELECT 1", "NOT_SUPPORTED: line 1:1: CREATE is not supported by the sandbox", 2, 1200, "DML"},
		{"DROP TABLE orders", "NOT_SUPPORTED: line 1:1: DROP is not supported by the sandbox", 2, 1200, "DDL"},
		{"SELECT transform(ARRAY[1], x -> x + 1)", "NOT_SUPPORTED: line 1:28: lambda expressions and named arguments are not supported by the sandbox", 2, 1200, "DML"},
		{"SELECT current_date - INTERVAL '1' DAY", "NOT_SUPPORTED: line 1:23: INTERVAL is not supported by the sandbox", 2, 1200, "DML"},
		{"SELECT id FROM orders WHERE id = ?", "INVALID_PARAMETER_USAGE: line 1:34: Incorrect number of parameters: expected 1 but found 0", 2, 1100, "DML"},
		{"SHOW TABLES IN nope", "SCHEMA_NOT_FOUND: line 1:16: Schema 'nope' does not exist", 2, 1301, "UTILITY"},
		{"DESCRIBE nope", "TABLE_NOT_FOUND: line 1:10: Table 'awsdatacatalog.sales.nope' does not exist", 2, 1110, "UTILITY"},
		{"SHOW PARTITIONS customers", "FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. Table customers is not a partitioned table", 2, 1003, "UTILITY"},
		{"", "SYNTAX_ERROR: line 1:1: mismatched input '<EOF>'. Expecting: 'ALTER', 'ANALYZE', 'CALL', 'CREATE', 'DEALLOCATE', 'DELETE', 'DESC', 'DESCRIBE', 'DROP', 'EXPLAIN', 'GRANT', 'INSERT', 'MERGE', 'PREPARE', 'REFRESH', 'RESET', 'REVOKE', 'SET', 'SHOW', 'START', 'UPDATE', 'USE', 'WITH', <query>", 2, 1006, "DML"},
	}
	for _, tt := range tests {
		_, st, err := run(t, e, cat, tt.sql)
		var ae *Error
		if !errors.As(err, &ae) {
			t.Errorf("%q: got error %v, want *Error", tt.sql, err)
			continue
		}
		if ae.Message != tt.msg || ae.Category != tt.category || ae.Type != tt.errorType {
			t.Errorf("%q:\ngot  %d/%d %s\nwant %d/%d %s", tt.sql, ae.Category, ae.Type, ae.Message, tt.category, tt.errorType, tt.msg)
		}
		if st.StatementType != tt.stmtType {
			t.Errorf("%q: StatementType %q, want %q", tt.sql, st.StatementType, tt.stmtType)
		}
	}
}

// deniedError stands for the sandbox's access denial: Run must return it
// as it is.
type deniedError struct{ action string }

func (d *deniedError) Error() string { return "not authorized to perform: " + d.action }

func TestCatalogErrorsPassThrough(t *testing.T) {
	e := newEngine(t)
	cat := sample()
	denied := &deniedError{"glue:GetTable"}
	cat.deny[TableRef{"awsdatacatalog", "sales", "customers"}] = denied
	for _, sql := range []string{
		"SELECT * FROM orders JOIN customers ON true",
		"DESCRIBE customers",
	} {
		_, _, err := run(t, e, cat, sql)
		var de *deniedError
		if err != denied || !errors.As(err, &de) {
			t.Errorf("%s: got %v (%T), want the catalog's error unchanged", sql, err, err)
		}
	}
}

func TestUtility(t *testing.T) {
	e := newEngine(t)
	cat := sample()
	cat.tables[TableRef{"awsdatacatalog", "sales", "orders"}].parts = 1
	tests := []struct{ sql, want string }{
		{"SHOW DATABASES", "database_name:string\ndefault\nmy-bucket_packages\nsales\nuserathenadatabase-x"[:0] + "database_name:string\ndefault\nsales\nuserathenadatabase-x"},
		{"SHOW SCHEMAS IN \"quilt-sales-prod-tabulator\"", "database_name:string\nnextflowtower"},
		{"SHOW DATABASES LIKE 'sal*|def*'", "database_name:string\ndefault\nsales"},
		{"SHOW TABLES", "tab_name:string\ncustomers\norders\nt"},
		{"show tables in sales 'ord*'", "tab_name:string\norders"},
		{"SHOW TABLES FROM \"quilt-sales-prod-tabulator\".nextflowtower LIKE 's*'", "tab_name:string\nsail"},
		{"SHOW COLUMNS IN customers", "field:string\nname                \ncity                "},
		{"SHOW COLUMNS FROM customers IN sales", "field:string\nname                \ncity                "},
		{"DESCRIBE sales.orders", "col_name:string\n" +
			"id                  \tbigint              \t                    \n" +
			"customer            \tstring              \t                    \n" +
			"amount              \tdouble              \t                    \n" +
			"paid                \tboolean             \t                    \n" +
			"day                 \tdate                \t                    \n" +
			"at                  \ttimestamp           \t                    \n" +
			"qty                 \tint                 \t                    \n" +
			"\n# Partition Information\n# col_name            \tdata_type           \tcomment             \n\n" +
			"qty                 \tint                 \t                    "},
	}
	for _, tt := range tests {
		out, st, err := run(t, e, cat, tt.sql)
		if err != nil {
			t.Errorf("%s: %v", tt.sql, err)
			continue
		}
		if st.StatementType != "UTILITY" || !st.Text || st.DataScannedBytes != 0 {
			t.Errorf("%s: stats %+v, want UTILITY text with nothing scanned", tt.sql, st)
		}
		if got := out.render(); got != tt.want {
			t.Errorf("%s\ngot:\n%q\nwant:\n%q", tt.sql, got, tt.want)
		}
	}
}

func TestStatsAndDefaults(t *testing.T) {
	e := newEngine(t)
	cat := sample()
	out := &collect{}
	// No database in the context: Athena's "default".
	st, err := e.Run(context.Background(), Query{SQL: "SELECT x FROM d, sales.customers c"}, cat, out)
	if err != nil {
		t.Fatal(err)
	}
	if st.DataScannedBytes != 400 || st.StatementType != "DML" {
		t.Errorf("stats %+v, want 400 bytes scanned, DML", st)
	}
	if len(out.rows) != 3 {
		t.Errorf("got %d rows, want 3", len(out.rows))
	}
}

func TestCacheReloadsOnVersionChange(t *testing.T) {
	e := newEngine(t)
	cat := sample()
	count := func() string {
		out, _, err := run(t, e, cat, "SELECT count(*) FROM customers")
		if err != nil {
			t.Fatal(err)
		}
		return out.rows[0][0].Text
	}
	if got := count(); got != "3" {
		t.Fatalf("count = %s, want 3", got)
	}
	count()
	if got := cat.scans.Load(); got != 1 {
		t.Errorf("scanned %d times for two queries of one version, want 1", got)
	}
	cat.mu.Lock()
	tbl := cat.tables[TableRef{"awsdatacatalog", "sales", "customers"}]
	tbl.rows = append(tbl.rows, []string{"dave", "Lima"})
	tbl.version = "v2"
	cat.mu.Unlock()
	if got := count(); got != "4" {
		t.Errorf("count after a new version = %s, want 4", got)
	}
	if got := cat.scans.Load(); got != 2 {
		t.Errorf("scanned %d times, want 2", got)
	}
	var n int
	if err := e.db.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'table'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d tables in SQLite, want 1: the old version must be dropped", n)
	}
}

func TestCancel(t *testing.T) {
	e := newEngine(t)
	cat := sample()
	// A query that would run for a very long time.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := e.Run(ctx, Query{SQL: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r", Database: "sales"}, cat, &collect{})
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop after cancellation")
	}
	// Cancelled while loading: the next query loads again and succeeds.
	blocked := cat.add("awsdatacatalog.sales.slow", "a bigint", "1")
	blocked.block = make(chan struct{})
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := e.Run(ctx, Query{SQL: "SELECT * FROM slow", Database: "sales"}, cat, &collect{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want context.DeadlineExceeded", err)
	}
	close(blocked.block)
	out, _, err := run(t, e, cat, "SELECT * FROM slow")
	if err != nil || len(out.rows) != 1 {
		t.Errorf("after a cancelled load: rows %v, err %v", out.rows, err)
	}
}

func TestConcurrentRuns(t *testing.T) {
	e := newEngine(t)
	cat := sample()
	var rows []string
	for i := 0; i < 2000; i++ {
		rows = append(rows, fmt.Sprintf("%d|n%d", i, i%7))
	}
	big := cat.add("awsdatacatalog.sales.big", "i bigint,s varchar", rows...)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for k := 0; k < 5; k++ {
				if w == 0 && k == 2 {
					cat.mu.Lock()
					big.version = "v2" // same rows, new version: reload under load
					cat.mu.Unlock()
				}
				out := &collect{}
				_, err := e.Run(context.Background(), Query{SQL: "SELECT count(*), sum(i) FROM big JOIN customers ON true WHERE name = 'bob'", Database: "sales"}, cat, out)
				if err != nil {
					errs <- err
					return
				}
				if got := out.render(); got != "_col0:bigint,_col1:bigint\n2000|1999000" {
					errs <- fmt.Errorf("got %q", got)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestJavaDouble(t *testing.T) {
	tenth := 0.1
	for f, want := range map[float64]string{
		1.5: "1.5", 2: "2.0", 1e7: "1.0E7", tenth + 0.2: "0.30000000000000004", 1e-3: "0.001", 1e-4: "1.0E-4",
		-2.5e10: "-2.5E10", 123456.789: "123456.789", 9999999: "9999999.0", 0: "0.0",
	} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

// viewCatalog marks some of fakeCatalog's tables as views.
type viewCatalog struct {
	*fakeCatalog
	views map[string]bool
}

func (c viewCatalog) TableInfos(ctx context.Context, catalog, db string) ([]TableInfo, error) {
	names, err := c.Tables(ctx, catalog, db)
	var out []TableInfo
	for _, n := range names {
		out = append(out, TableInfo{Name: n, View: c.views[n]})
	}
	return out, err
}

func TestInformationSchema(t *testing.T) {
	e := newEngine(t)
	cat := newCatalog()
	cat.add("awsdatacatalog.sales.orders", "id bigint", "1")
	cat.add("awsdatacatalog.sales.totals", "id bigint", "1")
	cat.add("awsdatacatalog.hr.people", "id bigint", "1")
	cat.add("other.x.y", "id bigint", "1")
	vc := viewCatalog{cat, map[string]bool{"totals": true}}

	out, _, err := run(t, e, vc, "SELECT table_schema, table_name, table_type FROM information_schema.tables ORDER BY 1, 2")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.rows {
		got = append(got, r[0].Text+"."+r[1].Text+":"+r[2].Text)
	}
	want := "hr.people:BASE TABLE,sales.orders:BASE TABLE,sales.totals:VIEW"
	if strings.Join(got, ",") != want {
		t.Errorf("got %v, want %s", got, want)
	}

	// Without TableLister every table is a base table; the catalog part
	// of a three-part name chooses the catalog; WHERE works on the rows.
	out, _, err = run(t, e, cat, `SELECT table_catalog, table_type FROM "other".information_schema.tables WHERE table_schema = 'x'`)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.rows) != 1 || out.rows[0][0].Text != "other" || out.rows[0][1].Text != "BASE TABLE" {
		t.Errorf("got %v", out.rows)
	}
	out, _, err = run(t, e, cat, "SELECT count(*) FROM information_schema.schemata")
	if err != nil || len(out.rows) != 1 || out.rows[0][0].Text != "2" {
		t.Errorf("schemata: %v %v, want 2 schemas", out, err)
	}

	// A refusal while listing fails the query with the catalog's error.
	denied := errors.New("glue:GetTables refused")
	if _, _, err := run(t, e, failingTables{cat, denied}, "SELECT * FROM information_schema.tables"); !errors.Is(err, denied) {
		t.Errorf("got %v, want the catalog's refusal", err)
	}
	if _, _, err := run(t, e, cat, "SELECT * FROM information_schema.columns"); err == nil || !strings.Contains(err.Error(), "TABLE_NOT_FOUND") {
		t.Errorf("columns: got %v, want TABLE_NOT_FOUND", err)
	}
}

type failingTables struct {
	*fakeCatalog
	err error
}

func (c failingTables) Tables(context.Context, string, string) ([]string, error) { return nil, c.err }
