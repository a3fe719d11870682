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
	cols    []engine.Column
	parts   int
	rows    [][]string
	version string
	block   chan struct{} // when set, Scan waits on it (or the context)
}

func newCatalog() *fakeCatalog {
	return &fakeCatalog{tables: map[TableRef]*fakeTable{}, deny: map[TableRef]error{}}
}

func (c *fakeCatalog) add(ref string, cols string, rows ...string) *fakeTable {
	p := strings.Split(ref, ".")
	t := &fakeTable{version: "v1"}
	for _, col := range strings.Split(cols, ",") {
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
			"_col0:varchar,_col1:integer,_col2:varchar,_col3:integer\nsmall|0|n|∅"},
		{"string functions", "SELECT lower('AbC'), upper('x'), length('héllo'), substr('hello', 2, 3), concat('a', 'b', 'c'), 'a' || 'b', strpos('hello', 'l'), replace('aXa', 'X', '-'), trim('  y '), split_part('a,b,c', ',', 2), regexp_like('abc', '^a.c$') FROM t",
			"_col0:varchar,_col1:varchar,_col2:bigint,_col3:varchar,_col4:varchar,_col5:varchar,_col6:bigint,_col7:varchar,_col8:varchar,_col9:varchar,_col10:boolean\nabc|X|5|ell|abc|ab|3|a-a|y|b|true"},
		{"concat with null is null", "SELECT concat('a', NULL), 'a' || NULL FROM t", "_col0:varchar,_col1:varchar\n∅|∅"},
		{"date functions", "SELECT year(day), month(day), day(day), date_trunc('month', at), date_trunc('year', day), date_format(at, '%Y/%m/%d %H:%i') FROM orders WHERE id = 2",
			"_col0:bigint,_col1:bigint,_col2:bigint,_col3:timestamp,_col4:date,_col5:varchar\n2024|2|10|2024-02-01 00:00:00.000|2024-01-01|2024/02/10 11:30"},
		{"current_date", "SELECT current_date FROM t", "_col0:date\n2025-06-01"},
		{"boolean literals and predicates", "SELECT true, false, id > 2, paid AND true FROM orders WHERE id = 3", "_col0:boolean,_col1:boolean,_col2:boolean,_col3:boolean\ntrue|false|true|true"},
		{"LIKE is case-sensitive", "SELECT count(*) FROM orders WHERE customer LIKE 'A%'", "_col0:bigint\n0"},
		{"is distinct from", "SELECT count(*) FROM orders WHERE amount IS DISTINCT FROM 0.1", "_col0:bigint\n3"},
		{"null literal and empty string stay apart", "SELECT NULL, '', customer FROM orders WHERE id = 4", "_col0:varchar,_col1:varchar,customer:varchar\n∅||"},
		{"doubles as Java prints them", "SELECT 1.5e0, 2e0, 1e7, 0.1e0 + 0.2e0, 1e-4, 123456.789e0 FROM t",
			"_col0:double,_col1:double,_col2:double,_col3:double,_col4:double,_col5:double\n1.5|2.0|1.0E7|0.30000000000000004|1.0E-4|123456.789"},
		{"integer literal", "SELECT 1, 7 / 2", "_col0:integer,_col1:bigint\n1|3"},
		{"comments and trailing semicolon", "-- lead\nSELECT /* x */ id FROM orders WHERE id = 1; -- tail", "id:bigint\n1"},
		{"window order by", "SELECT id, row_number() OVER (ORDER BY amount) AS rn FROM orders ORDER BY id", "id:bigint,rn:bigint\n1|2\n2|3\n3|4\n4|1"},
		{"values", "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s) WHERE n = 2", "n:bigint,s:varchar\n2|b"},
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

var _ = errors.Is
