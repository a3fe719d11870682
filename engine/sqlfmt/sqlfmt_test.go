package sqlfmt

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine/sqlref"
)

func TestFormat(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"clauses, list, joins, and/or",
			"select o.id, c.name, count(*) as n from sales.orders o left join sales.customers c on o.cid = c.id where o.x > 1 and o.y between 1 and 2 or z is not null group by 1, 2 order by n desc limit 10",
			`SELECT
  o.id,
  c.name,
  count(*) AS n
FROM sales.orders o
LEFT JOIN sales.customers c ON o.cid = c.id
WHERE o.x > 1
  AND o.y BETWEEN 1 AND 2
  OR z IS NOT NULL
GROUP BY 1, 2
ORDER BY n DESC
LIMIT 10`},
		{"common table expressions and subqueries",
			"with a as (select 1 as x), b as (select * from a where x in (select y from t)) select * from b",
			`WITH a AS (
  SELECT 1 AS x
),
b AS (
  SELECT *
  FROM a
  WHERE x IN (
    SELECT y
    FROM t
  )
)
SELECT *
FROM b`},
		{"comments stay, quoting kept, statements apart",
			"SELECT 1; -- one\n-- before two\nSELECT 'a;b' AS \"Q\", x'4F', U&'\\0041', `t` FROM t /* c */ WHERE a = -1 AND b = - -2",
			`SELECT 1; -- one

-- before two
SELECT
  'a;b' AS "Q",
  x'4F',
  U&'\0041',
  ` + "`t`" + `
FROM t /* c */
WHERE a = -1
  AND b = - -2`},
		{"calls, literals, subscripts",
			"select cast(x as varchar), date '2024-01-01', a[1], array[1,2], t.*, date_trunc('day', ts) from t where x is distinct from y",
			`SELECT
  CAST(x AS varchar),
  DATE '2024-01-01',
  a[1],
  ARRAY[1, 2],
  t.*,
  date_trunc('day', ts)
FROM t
WHERE x IS DISTINCT FROM y`},
		{"comments at the ends of lines stay there",
			"select a, -- first\n b -- second\nfrom t",
			"SELECT\n  a, -- first\n  b -- second\nFROM t"},
		{"not a query: no clause lines", "show tables from sales", "SHOW TABLES FROM sales"},
		{"insert", "insert into t (a, b) values (1, 2), (3, 4)", "INSERT INTO t (a, b)\nVALUES (1, 2), (3, 4)"},
		{"window", "select sum(x) over (partition by a order by b rows between unbounded preceding and current row) from t",
			"SELECT sum(x) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)\nFROM t"},
		{"names that are not keywords keep their case", `SELECT Region, "Total" FROM Sales.Orders`, "SELECT\n  Region,\n  \"Total\"\nFROM Sales.Orders"},
		{"tabulator names", `select "$path", logical_key from "quilt-sales-prod-tabulator"."sales-bucket"."reads" limit 5`,
			"SELECT\n  \"$path\",\n  logical_key\n" + `FROM "quilt-sales-prod-tabulator"."sales-bucket"."reads"` + "\nLIMIT 5"},
		{"a comment on its own line before a clause", "select a\n-- the table\nfrom t", "SELECT a\n-- the table\nFROM t"},
		{"union", "select 1 union all select 2", "SELECT 1\nUNION ALL\nSELECT 2"},
		{"unnest with ordinality", "select x from t cross join unnest(t.xs) with ordinality as u(x, i)",
			"SELECT x\nFROM t\nCROSS JOIN UNNEST(t.xs) WITH ORDINALITY AS u(x, i)"},
		{"signs and operators that would join", "select 1 - -2, a < > b, 1 . 5", "SELECT\n  1 - -2,\n  a < > b,\n  1 . 5"},
		{"empty", "  \n ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Format(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("Format(%q) =\n%s\nwant\n%s", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatLeavesWhatDoesNotLex(t *testing.T) {
	for _, in := range []string{"SELECT 'open", "SELECT 1 /* open", `SELECT "`, "SELECT #"} {
		got, err := Format(in)
		if err == nil || got != in {
			t.Errorf("Format(%q) = %q, %v; want the input back and an error", in, got, err)
		}
	}
}

// corpus is the SQL the property tests format: the examples above, the
// statement shapes below, and the inputs the sqlref fuzzers keep.
func corpus(t testing.TB) []string {
	out := []string{
		"SELECT * FROM alb_access LIMIT 100",
		`SELECT client_ip, count(*) AS n FROM "logs"."alb_access" WHERE status >= 500 AND day = '2025/01/02' GROUP BY 1 ORDER BY n DESC LIMIT 20`,
		"CREATE EXTERNAL TABLE IF NOT EXISTS `db`.`t-1` (`a` string, b int) PARTITIONED BY (dt string) ROW FORMAT SERDE 'x' WITH SERDEPROPERTIES ('a'='b') LOCATION 's3://b/p/' TBLPROPERTIES ('has_encrypted_data'='false');",
		"CREATE TABLE x WITH (format = 'PARQUET', external_location = 's3://b/x/') AS SELECT * FROM t WHERE dt > date '2024-01-01'",
		"SELECT CASE WHEN a > 1 THEN 'big' WHEN a IS NULL THEN NULL ELSE 'small' END AS size, if(a, b, c), try_cast(x AS double) FROM t",
		"SELECT array_agg(x ORDER BY y) FILTER (WHERE z) , approx_percentile(v, 0.5) WITHIN GROUP (ORDER BY v) FROM t",
		"SELECT * FROM t FOR VERSION AS OF 3 v, LATERAL (SELECT * FROM u WHERE u.id = v.id) w",
		"SELECT transform(xs, x -> x + 1), map(ARRAY['a'], ARRAY[1])['a'], row(1, 'a').field FROM t",
		"SELECT 'multi\nline', \"multi\nname\" FROM t -- end",
		"/* head */ SELECT /* mid */ 1 /* tail */",
		"SELECT a FROM t WHERE a IN (1, 2, 3) AND NOT EXISTS (SELECT 1 FROM u WHERE u.a = t.a) OR b LIKE 'x%' ESCAPE '\\'",
		"SELECT a FROM t ORDER BY a NULLS FIRST OFFSET 10 ROWS FETCH FIRST 5 ROWS ONLY",
		"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)",
		"EXPLAIN ANALYZE SELECT 1; DESCRIBE t; SHOW PARTITIONS t; SHOW CREATE TABLE t;;",
		"SELECT x FROM ((SELECT 1 x) UNION (SELECT 2)) WHERE x BETWEEN 1 AND 2 AND y BETWEEN 3 AND 4",
		"SELECT a -- c\n, b FROM t",
		"SELECT 1.5e3, .5, 0x1F, 1_000, ?, a || b, a <> b, a != b, a <= b, a => b FROM t",
		"SELECT a FROM t WHERE a = (SELECT max(a) FROM t) -- x\n;\n-- trailing",
		"SELECT 1 --\n",
		"select\tdistinct a,b from t",
	}
	for _, tt := range []string{"select a, -- first\n b -- second\nfrom t", "select 1 - -2, a < > b, 1 . 5"} {
		out = append(out, tt)
	}
	dir := filepath.Join("..", "sqlref", "testdata", "fuzz", "FuzzExtract")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading sqlref's fuzz corpus: %v", err)
	}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if s, ok := strings.CutPrefix(line, "string("); ok {
				if v, err := strconv.Unquote(strings.TrimSuffix(s, ")")); err == nil {
					out = append(out, v)
				}
			}
		}
		f.Close()
	}
	return out
}

// The formatter changes nothing but whitespace and the case of keywords,
// and formatting what it made changes nothing.
func TestFormatKeepsTokensAndIsIdempotent(t *testing.T) {
	lexed := 0
	for _, in := range corpus(t) {
		checkFormat(t, in)
		if _, err := sqlref.Lex(in); err == nil {
			lexed++
		}
	}
	if lexed < 50 {
		t.Fatalf("only %d inputs of the corpus lex: the property is checked on too little", lexed)
	}
}

func checkFormat(t *testing.T, in string) {
	t.Helper()
	toks, lexErr := sqlref.Lex(in)
	out, err := Format(in)
	if lexErr != nil {
		if err == nil || out != in {
			t.Fatalf("Format(%q): SQL that does not lex gave %q, %v; want it back with an error", in, out, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Format(%q): %v", in, err)
	}
	got, err := sqlref.Lex(out)
	if err != nil {
		t.Fatalf("Format(%q) = %q, which does not lex: %v", in, out, err)
	}
	if len(got) != len(toks) {
		t.Fatalf("Format(%q) = %q: %d tokens, want %d", in, out, len(got), len(toks))
	}
	for i, tk := range toks {
		g := got[i]
		switch {
		case g.Kind != tk.Kind:
			t.Fatalf("Format(%q) = %q: token %d is a %v, want a %v", in, out, i, g.Kind, tk.Kind)
		case g.Text == tk.Text:
		case tk.Kind == sqlref.Word && g.Text == strings.ToUpper(tk.Text) && (keyword(tk.Value) || tk.Value == "first" || tk.Value == "last" || tk.Value == "next" || tk.Value == "date" || tk.Value == "time" || tk.Value == "timestamp"):
		default:
			t.Fatalf("Format(%q) = %q: token %d is %q, want %q (only keywords change, to upper case)", in, out, i, g.Text, tk.Text)
		}
	}
	again, err := Format(out)
	if err != nil || again != out {
		t.Fatalf("formatting twice differs:\nonce:\n%s\ntwice:\n%s\n(%v)", out, again, err)
	}
	if strings.TrimLeft(out, " \n") != out || strings.HasSuffix(out, "\n") {
		t.Fatalf("Format(%q) = %q: blank space before it or a line break after it", in, out)
	}
}

func FuzzFormat(f *testing.F) {
	for _, s := range corpus(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkFormat(t, in)
	})
}

// BenchmarkFormat1000Lines formats a buffer of 1,000 lines (100
// statements of ten lines each).
func BenchmarkFormat1000Lines(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 100; i++ {
		sb.WriteString("select o.order_id, c.name, 'literal' as l, count(*) as n\nfrom sales.orders o\njoin sales.customers c on o.id = c.id -- line\nwhere o.x > 1\nand o.y between 1 and 2\nand exists (select 1 from t where t.id = o.id)\ngroup by 1, 2, 3\norder by n desc\nlimit 10\n;\n")
	}
	sql := sb.String()
	if n := strings.Count(sql, "\n"); n != 1000 {
		b.Fatalf("%d lines", n)
	}
	b.SetBytes(int64(len(sql)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Format(sql); err != nil {
			b.Fatal(err)
		}
	}
}
