package sqlref

import (
	"errors"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
)

var testDefaults = Defaults{Catalog: "AwsDataCatalog", Database: "Shop"}

// refStrings renders refs compactly: catalog.database.table:access.
func refStrings(refs []engine.Ref) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.Catalog + "." + r.Database + "." + r.Table + ":" + string(r.Access)
	}
	return out
}

const (
	adc = "awsdatacatalog."
	dft = adc + "shop."
)

func TestExtract(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		// Names, quoting and resolution.
		{"one part", "SELECT id FROM Orders", []string{dft + "orders:read"}},
		{"two parts", "select * from crm.Customers", []string{adc + "crm.customers:read"}},
		{"three parts", `SELECT 1 FROM "Lambda:ddb".inventory.items`, []string{"lambda:ddb.inventory.items:read"}},
		{"quoted with escapes, hyphens and dots", `SELECT * FROM "my-db"."a ""b"".c"`, []string{adc + `my-db.a "b".c:read`}},
		{"quoted slash and braces kept", `SELECT * FROM "s3tablescatalog/bkt"."ns_{x}"."<T>"`, []string{"s3tablescatalog/bkt.ns_{x}.<t>:read"}},
		{"unicode names", `SELECT "größe" FROM "Tabla_Año" WHERE "región" = 'Perú'`, []string{dft + "tabla_año:read"}},
		{"keyword-like names", "SELECT key, date FROM default.index JOIN c.catalog.schema s ON true", []string{adc + "default.index:read", "c.catalog.schema:read"}},
		{"metadata table is its base", `SELECT * FROM ops."events$partitions" p JOIN "events$snapshots" s ON true`, []string{adc + "ops.events:read", dft + "events:read"}},
		{"hidden columns are columns", `SELECT "$path", "$file_size" FROM logs`, []string{dft + "logs:read"}},

		// Comments, strings and statement separation.
		{"names in comments", "-- FROM secret.a\nSELECT 1 FROM t1 /* JOIN secret.b */ -- ; DROP TABLE t1", []string{dft + "t1:read"}},
		{"block comments do not nest", "/* a /* b */ SELECT * FROM t2", []string{dft + "t2:read"}},
		{"names in strings", "SELECT 'it''s FROM x.y; DROP TABLE z' AS s FROM t3 WHERE u LIKE '%from w%'", []string{dft + "t3:read"}},
		{"several statements", "SELECT * FROM a; ; DROP TABLE b;\nDESCRIBE c;", []string{dft + "a:read", dft + "b:write", dft + "c:metadata"}},
		{"dedup keeps first order", "SELECT * FROM b JOIN a ON true; SELECT * FROM a, b", []string{dft + "b:read", dft + "a:read"}},
		{"same table read and written", "INSERT INTO hist SELECT * FROM hist WHERE d = 1", []string{dft + "hist:write", dft + "hist:read"}},

		// WITH scopes.
		{"cte hides its name", "WITH x AS (SELECT * FROM base) SELECT * FROM x JOIN x y ON true", []string{dft + "base:read"}},
		{"cte body sees the real table", "WITH t AS (SELECT * FROM t WHERE a > 1) SELECT * FROM t", []string{dft + "t:read"}},
		{"qualified name is never a cte", "WITH t AS (SELECT 1) SELECT * FROM t, shop.t, awsdatacatalog.shop.t", []string{dft + "t:read"}},
		{"later entry is not visible earlier", "WITH a AS (SELECT * FROM b), b AS (SELECT * FROM c) SELECT * FROM a, b", []string{dft + "b:read", dft + "c:read"}},
		{"nested with stays inside", "SELECT * FROM (WITH inner_q AS (SELECT * FROM src) SELECT * FROM inner_q) d JOIN inner_q ON true", []string{dft + "src:read", dft + "inner_q:read"}},
		{"with inside a cte body", "WITH o AS (WITH i AS (SELECT * FROM raw) SELECT * FROM i) SELECT * FROM o, i", []string{dft + "raw:read", dft + "i:read"}},
		{"inner entry of the same name closes, outer stays", "WITH x AS (SELECT 1) SELECT * FROM (WITH x AS (SELECT * FROM y) SELECT * FROM x) a JOIN x ON true", []string{dft + "y:read"}},
		{"same name in two nested withs, both closed", "SELECT * FROM (WITH x AS (SELECT 1) SELECT * FROM (WITH x AS (SELECT 2) SELECT * FROM x) a) b JOIN x ON true", []string{dft + "x:read"}},
		{"recursive sees itself", "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 9) SELECT * FROM n", nil},
		{"cte names fold case", `WITH "Recent" AS (SELECT * FROM ev) SELECT * FROM RECENT`, []string{dft + "ev:read"}},
		{"cte in a subquery of the main query", "WITH k AS (SELECT 1 AS v) SELECT * FROM t WHERE v IN (SELECT v FROM k)", []string{dft + "t:read"}},
		{"materialized cte", "WITH k AS MATERIALIZED (SELECT * FROM m) SELECT * FROM k", []string{dft + "m:read"}},

		// Subqueries anywhere.
		{"scalar subquery in select", "SELECT (SELECT max(v) FROM s1) AS m FROM t", []string{dft + "s1:read", dft + "t:read"}},
		{"exists and in", "SELECT 1 FROM t WHERE EXISTS (SELECT 1 FROM s2) AND k IN (SELECT k FROM s3)", []string{dft + "t:read", dft + "s2:read", dft + "s3:read"}},
		{"subquery in having, order and case", "SELECT k FROM t GROUP BY k HAVING count(*) > (SELECT 1 FROM s4) ORDER BY CASE WHEN k IN (SELECT k FROM s5) THEN 0 ELSE 1 END",
			[]string{dft + "t:read", dft + "s4:read", dft + "s5:read"}},
		{"subquery in function args and arrays", "SELECT coalesce((SELECT a FROM s6), 0), ARRAY[(SELECT b FROM s7)] FROM t", []string{dft + "s6:read", dft + "s7:read", dft + "t:read"}},
		{"parenthesized set operation in expression", "SELECT 1 WHERE 2 IN ((SELECT a FROM s8) UNION SELECT b FROM s9)", []string{dft + "s8:read", dft + "s9:read"}},
		{"table query primary", "SELECT * FROM t WHERE (a) IN (TABLE s10)", []string{dft + "t:read", dft + "s10:read"}},

		// UNNEST, LATERAL, VALUES, lambdas.
		{"unnest aliases", "SELECT x FROM t CROSS JOIN UNNEST(t.arr) AS u(x) CROSS JOIN UNNEST(m) WITH ORDINALITY w (k, v, n)", []string{dft + "t:read"}},
		{"unnest only", "SELECT * FROM UNNEST(ARRAY[1, 2]) AS t(v)", nil},
		{"lateral", "SELECT * FROM t, LATERAL (SELECT * FROM s11 WHERE s11.k = t.k) l", []string{dft + "t:read", dft + "s11:read"}},
		{"values", "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name) LEFT JOIN t ON t.id = v.id", []string{dft + "t:read"}},
		{"lambdas", "SELECT transform(xs, x -> x + 1), reduce(xs, 0, (s, x) -> s + x, s -> s) FROM t", []string{dft + "t:read"}},
		{"no from", "SELECT 1 + 2, now(), CAST('1' AS integer)", nil},

		// Set operations and joins.
		{"set operations", "SELECT a FROM s1 UNION ALL SELECT a FROM s2 EXCEPT SELECT a FROM s3 INTERSECT DISTINCT SELECT a FROM s4",
			[]string{dft + "s1:read", dft + "s2:read", dft + "s3:read", dft + "s4:read"}},
		{"parenthesized set operation branches", "(SELECT a FROM s1) UNION (SELECT a FROM s2 ORDER BY a LIMIT 3) ORDER BY 1", []string{dft + "s1:read", dft + "s2:read"}},
		{"parenthesized joins", "SELECT * FROM ((a JOIN b ON a.k = b.k) LEFT OUTER JOIN c USING (k)) NATURAL JOIN d FULL JOIN e ON true",
			[]string{dft + "a:read", dft + "b:read", dft + "c:read", dft + "d:read", dft + "e:read"}},
		{"subquery as first joined item in parentheses", "SELECT * FROM ((SELECT * FROM a) x JOIN (SELECT * FROM b) y ON true)", []string{dft + "a:read", dft + "b:read"}},
		{"parenthesized subquery with set op", "SELECT * FROM ((SELECT * FROM a) UNION (SELECT * FROM b)) u", []string{dft + "a:read", dft + "b:read"}},
		{"aliases named like tables", "SELECT * FROM a AS b JOIN b AS a ON a.x = b.x", []string{dft + "a:read", dft + "b:read"}},
		{"tablesample", "SELECT * FROM a x TABLESAMPLE BERNOULLI (5) JOIN b TABLESAMPLE SYSTEM (1) ON true", []string{dft + "a:read", dft + "b:read"}},

		// Time travel.
		{"for timestamp", "SELECT * FROM ice FOR TIMESTAMP AS OF TIMESTAMP '2024-01-01 00:00:00 UTC' i", []string{dft + "ice:read"}},
		{"for version with alias", "SELECT * FROM db.ice FOR VERSION AS OF 123 AS v JOIN db.ice FOR TIMESTAMP AS OF (now() - INTERVAL '1' DAY) AS w ON true", []string{adc + "db.ice:read"}},

		// Clause words used as names, and expression forms.
		{"is distinct from", "SELECT * FROM t WHERE a IS NOT DISTINCT FROM b AND c IS DISTINCT FROM d", []string{dft + "t:read"}},
		{"within group and window", "SELECT listagg(v, ',') WITHIN GROUP (ORDER BY v), rank() OVER w FROM t WINDOW w AS (PARTITION BY k)", []string{dft + "t:read"}},
		{"offset limit fetch", "SELECT * FROM t ORDER BY a OFFSET 2 ROWS FETCH NEXT 3 ROWS ONLY", []string{dft + "t:read"}},
		{"limit as a column", "SELECT limit, offset FROM t LIMIT 5", []string{dft + "t:read"}},
		{"extract and substring", "SELECT extract(year FROM d), substring(s FROM 2 FOR 3), trim(BOTH 'x' FROM s) FROM t", []string{dft + "t:read"}},
		{"grouping sets", "SELECT a, b FROM t GROUP BY GROUPING SETS ((a), (a, b), ())", []string{dft + "t:read"}},
		{"row star alias", "SELECT (CAST(ROW(1, 2) AS ROW(x int, y int))).* AS (p, q)", nil},

		// Statements.
		{"insert with columns", "INSERT INTO tgt (a, b) SELECT a, b FROM src", []string{dft + "tgt:write", dft + "src:read"}},
		{"insert values", "INSERT INTO tgt VALUES (1, (SELECT max(a) FROM src))", []string{dft + "tgt:write", dft + "src:read"}},
		{"insert with cte", "INSERT INTO out.t WITH w AS (SELECT * FROM src) SELECT * FROM w", []string{adc + "out.t:write", dft + "src:read"}},
		{"ctas", "CREATE TABLE IF NOT EXISTS out.t WITH (format = 'PARQUET', partitioned_by = ARRAY['d']) AS SELECT * FROM src WITH NO DATA",
			[]string{adc + "out.t:write", dft + "src:read"}},
		{"ctas parenthesized", "CREATE TABLE t2 AS (SELECT * FROM src)", []string{dft + "t2:write", dft + "src:read"}},
		{"create table like", "CREATE TABLE t3 (LIKE src INCLUDING PROPERTIES, extra varchar)", []string{dft + "t3:write", dft + "src:read"}},
		{"create external table", "CREATE EXTERNAL TABLE `logs.raw` (`a` string, b array<struct<c:int>>) PARTITIONED BY (d string) ROW FORMAT SERDE 'x' STORED AS PARQUET LOCATION 's3://b/p/' TBLPROPERTIES ('k'='v')",
			[]string{adc + "logs.raw:write"}},
		{"create view", "CREATE OR REPLACE VIEW v1 SECURITY INVOKER AS SELECT * FROM src", []string{dft + "v1:write", dft + "src:read"}},
		{"create database", "CREATE DATABASE IF NOT EXISTS staging COMMENT 'x' LOCATION 's3://b/'", []string{adc + "staging.*:write"}},
		{"merge", "MERGE INTO tgt AS t USING (SELECT * FROM src WHERE k IN (SELECT k FROM keys)) s ON t.k = s.k WHEN MATCHED AND s.d THEN DELETE WHEN MATCHED THEN UPDATE SET v = s.v, w = (SELECT 1 FROM aux) WHEN NOT MATCHED THEN INSERT (k, v) VALUES (s.k, s.v)",
			[]string{dft + "tgt:write", dft + "src:read", dft + "keys:read", dft + "aux:read"}},
		{"merge from table", "MERGE INTO a USING b ON a.k = b.k WHEN NOT MATCHED THEN INSERT VALUES (b.k)", []string{dft + "a:write", dft + "b:read"}},
		{"delete", "DELETE FROM tgt WHERE k IN (SELECT k FROM gone)", []string{dft + "tgt:write", dft + "gone:read"}},
		{"update", "UPDATE tgt SET v = (SELECT v FROM m WHERE m.k = tgt.k) WHERE EXISTS (SELECT 1 FROM m2)", []string{dft + "tgt:write", dft + "m:read", dft + "m2:read"}},
		{"unload", "UNLOAD (SELECT * FROM src) TO 's3://b/x/' WITH (format = 'JSON')", []string{dft + "src:read"}},
		{"show tables", "SHOW TABLES IN crm '*x*'", []string{adc + "crm.*:metadata"}},
		{"show tables from catalog.schema", `SHOW TABLES FROM "s3tablescatalog/b".ns LIKE 'p%'`, []string{"s3tablescatalog/b.ns.*:metadata"}},
		{"show tables default", "SHOW TABLES", []string{dft + "*:metadata"}},
		{"show databases", "SHOW DATABASES; SHOW SCHEMAS IN `lambda:fed`", []string{adc + "*.*:metadata", "lambda:fed.*.*:metadata"}},
		{"show columns hive form", "SHOW COLUMNS IN t IN crm; SHOW COLUMNS FROM crm.u", []string{adc + "crm.t:metadata", adc + "crm.u:metadata"}},
		{"show create, partitions, tblproperties, views", "SHOW CREATE VIEW v; SHOW PARTITIONS p; SHOW TBLPROPERTIES q('x'); SHOW VIEWS IN crm LIKE 'a*'",
			[]string{dft + "v:metadata", dft + "p:metadata", dft + "q:metadata", adc + "crm.*:metadata"}},
		{"describe", "DESCRIBE FORMATTED crm.t PARTITION (d = 1) col; DESC `lambda:os`.dom.idx", []string{adc + "crm.t:metadata", "lambda:os.dom.idx:metadata"}},
		{"explain is metadata", "EXPLAIN (TYPE DISTRIBUTED, FORMAT JSON) INSERT INTO tgt SELECT * FROM src", []string{dft + "tgt:metadata", dft + "src:metadata"}},
		{"explain analyze runs", "EXPLAIN ANALYZE VERBOSE SELECT * FROM src", []string{dft + "src:read"}},
		{"explain of a parenthesized query", "EXPLAIN (SELECT * FROM src)", []string{dft + "src:metadata"}},
		{"drop", "DROP TABLE IF EXISTS `crm.old-t`; DROP VIEW v; DROP DATABASE scratch CASCADE", []string{adc + "crm.old-t:write", dft + "v:write", adc + "scratch.*:write"}},
		{"drop unquoted hyphens", "DROP TABLE my-db-01.my-table", []string{adc + "my-db-01.my-table:write"}},
		{"alter", "ALTER TABLE ev ADD IF NOT EXISTS PARTITION (d = '1') LOCATION 's3://b/1/'", []string{dft + "ev:write"}},
		{"alter rename", "ALTER TABLE a RENAME TO crm.b", []string{dft + "a:write", adc + "crm.b:write"}},
		{"msck optimize vacuum", "MSCK REPAIR TABLE p; OPTIMIZE i REWRITE DATA USING BIN_PACK WHERE catalog = 'c'; VACUUM i",
			[]string{dft + "p:write", dft + "i:write"}},
		{"information_schema", "SELECT * FROM information_schema.columns c JOIN fed.information_schema.tables t ON true",
			[]string{adc + "information_schema.columns:read", "fed.information_schema.tables:read"}},
		{"prepare", "PREPARE q FROM SELECT * FROM t WHERE k = ?; DEALLOCATE PREPARE q", []string{dft + "t:read"}},
		{"prepare insert", "PREPARE q FROM INSERT INTO a SELECT * FROM b WHERE k = ?", []string{dft + "a:write", dft + "b:read"}},
		{"execute immediate", "EXECUTE IMMEDIATE 'SELECT * FROM t WHERE k = ? AND s = ''x''' USING 1", []string{dft + "t:read"}},
		{"table function with a table argument", "SELECT * FROM TABLE(exclude_columns(input => TABLE(src) s, columns => DESCRIPTOR(a, b)))", []string{dft + "src:read"}},
		{"sequence", "SELECT * FROM TABLE(sequence(start => 1, stop => 5))", nil},
		{"passthrough", "SELECT * FROM TABLE(fed.system.query(query => 'SELECT * FROM secret')) q", []string{"fed.*.*:read"}},
		{"passthrough default catalog", "SELECT * FROM TABLE(system.query('SELECT 1'))", []string{adc + "*.*:read"}},
		{"with session and function", "WITH SESSION a.b = 1, c = 'x' WITH FUNCTION f(x int) RETURNS int RETURN x + (SELECT max(v) FROM vals) SELECT f(1) FROM t",
			[]string{dft + "vals:read", dft + "t:read"}},
		{"cte named session", "WITH session AS (SELECT * FROM s) SELECT * FROM session", []string{dft + "s:read"}},
		{"external function", "USING EXTERNAL FUNCTION score(x DOUBLE) RETURNS DOUBLE SAGEMAKER 'ep', EXTERNAL FUNCTION g(y varchar) RETURNS varchar LAMBDA 'fn' SELECT score(a), g(b) FROM t",
			[]string{dft + "t:read"}},
		{"show stats of a query", "SHOW STATS FOR (SELECT * FROM t)", []string{dft + "t:metadata"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refs, err := Extract(tt.sql, testDefaults)
			if err != nil {
				t.Fatalf("Extract(%q): %v", tt.sql, err)
			}
			got := refStrings(refs)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Extract(%q)\n got %q\nwant %q", tt.sql, got, tt.want)
			}
		})
	}
}

// TestExtractRefuses checks that what cannot be known is an error that
// names the construct and its position.
func TestExtractRefuses(t *testing.T) {
	tests := []struct {
		name      string
		sql       string
		line, col int
		msg       string
	}{
		{"execute", "SELECT 1;\n  EXECUTE q USING 1", 2, 3, "EXECUTE runs a prepared statement"},
		{"describe output", "DESCRIBE OUTPUT q", 1, 10, "prepared statement"},
		{"unknown table function", "SELECT * FROM TABLE(mystery(n => 1))", 1, 21, "unknown table function mystery"},
		{"empty select list", "SELECT FROM t", 1, 8, "expected an expression"},
		{"dangling as", "SELECT * FROM t AS\nWHERE x = 1", 2, 1, "expected a name"},
		{"unterminated string", "SELECT * FROM t WHERE a = 'x", 1, 27, "unterminated string"},
		{"unclosed paren", "SELECT * FROM (SELECT * FROM t", 1, 31, "expected ')'"},
		{"select where no rule expects it", "SELECT count(x SELECT 1) FROM t", 1, 16, "unexpected SELECT"},
		{"trailing garbage", "SELECT * FROM a b c", 1, 19, "expected the end of the statement"},
		{"backticks in a query", "SELECT * FROM `db`.t", 1, 15, "backquoted identifiers"},
		{"four-part name", "SELECT * FROM a.b.c.d", 1, 15, "at most three"},
		{"unsupported statement", "CALL system.sync_partition_metadata('db', 't', 'FULL')", 1, 1, "unsupported statement CALL"},
		{"grant", "GRANT SELECT ON t TO u", 1, 1, "unsupported statement GRANT"},
		{"empty", " -- nothing\n", 2, 1, "no SQL statement"},
		{"join without criteria", "SELECT * FROM a JOIN b", 1, 23, "ON or USING"},
		{"hidden in an alter", "ALTER TABLE a EXCHANGE PARTITION (d='1') WITH TABLE b", 1, 47, "unexpected TABLE"},
		{"cte without query", "WITH x AS (SELECT 1)", 1, 21, "expected a query"},
		{"error inside execute immediate", "EXECUTE IMMEDIATE 'EXECUTE q'", 1, 19, "in the text of EXECUTE IMMEDIATE"},
		{"no default database", "SELECT * FROM t", 1, 15, "no default database"},
		{"deep nesting", strings.Repeat("(", 400) + "SELECT 1" + strings.Repeat(")", 400), 1, 0, "nesting deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testDefaults
			if tt.name == "no default database" {
				d.Database = ""
			}
			refs, err := Extract(tt.sql, d)
			if err == nil {
				t.Fatalf("Extract(%q) = %v, want an error", tt.sql, refStrings(refs))
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Extract(%q) error %T %v, want *Error", tt.sql, err, err)
			}
			if !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("Extract(%q) error %q, want it to contain %q", tt.sql, e.Msg, tt.msg)
			}
			if e.Line != tt.line || tt.col != 0 && e.Col != tt.col {
				t.Errorf("Extract(%q) error at %d:%d, want %d:%d (%v)", tt.sql, e.Line, e.Col, tt.line, tt.col, err)
			}
			if refs != nil {
				t.Errorf("Extract(%q) returned refs %v with its error", tt.sql, refStrings(refs))
			}
		})
	}
}

func TestExtractDefaultsFolded(t *testing.T) {
	refs, err := Extract(`SELECT * FROM t, "X"."Y"`, Defaults{Catalog: "MyCat", Database: "MyDB"})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(refStrings(refs), " ")
	if want := "mycat.mydb.t:read mycat.x.y:read"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestExtractDropOneName(t *testing.T) {
	if refs, err := Extract("DROP TABLE a, b", testDefaults); err == nil {
		t.Errorf("DROP TABLE a, b = %v, want an error (b would be hidden)", refStrings(refs))
	}
}

func TestExtractRefusesMalformedDDL(t *testing.T) {
	for _, sql := range []string{"SHOW TABLES!", "DESCRIBE t %", "CREATE TABLE a ! b", "ALTER TABLE a SET ; x", "SELECT * FROM \"a\xffb\""} {
		if refs, err := Extract(sql, testDefaults); err == nil {
			t.Errorf("Extract(%q) = %v, want an error", sql, refStrings(refs))
		}
	}
}
