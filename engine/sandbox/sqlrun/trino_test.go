package sqlrun

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The engine gives Trino's types and values, as Athena's engine version 3
// does: exact decimals, failing integer arithmetic, IEEE doubles with NaN
// and Infinity, typed literals, arrays, maps, rows and JSON, each written
// as Athena writes it in its results.
func TestTrinoValues(t *testing.T) {
	e := newEngine(t)
	cat := sample()
	cat.add("awsdatacatalog.sales.prices", "sku varchar,price decimal(10,2),w double",
		`a|19.99|1.5`, `b|0.10|NaN`, `c|100.00|-Infinity`, `d|\N|\N`)
	tests := []struct{ name, sql, want string }{
		// Numbers.
		{"decimal literals are exact", "SELECT 0.1 + 0.2, typeof(0.1 + 0.2), 1.50 * 2, 1.0 / 3, typeof(1.0 / 3)",
			"_col0:decimal(2,1),_col1:varchar,_col2:decimal(13,2),_col3:decimal(2,1),_col4:varchar\n0.3|decimal(2,1)|3.00|0.3|decimal(2,1)"},
		{"decimal casts round half up", "SELECT CAST(1.005 AS decimal(10,2)), CAST('12345678901234567890.123' AS decimal(38,3)), CAST(-2.5 AS decimal(5,0)), CAST(7 AS decimal(4,1))",
			"_col0:decimal(10,2),_col1:decimal(38,3),_col2:decimal(5,0),_col3:decimal(4,1)\n1.01|12345678901234567890.123|-3|7.0"},
		{"integer literals by range", "SELECT typeof(2147483647), typeof(2147483648), typeof(-2147483648), typeof(1e0), typeof(1.5)",
			"_col0:varchar,_col1:varchar,_col2:varchar,_col3:varchar,_col4:varchar\ninteger|bigint|integer|double|decimal(2,1)"},
		{"double division by zero is IEEE", "SELECT 1e0 / 0, -1e0 / 0, 0e0 / 0, nan(), infinity(), -infinity(), is_nan(0e0 / 0)",
			"_col0:double,_col1:double,_col2:double,_col3:double,_col4:double,_col5:double,_col6:boolean\nInfinity|-Infinity|NaN|NaN|Infinity|-Infinity|true"},
		// trinodb/trino#21922: NaN is neither equal to, less than nor
		// greater than any value; it groups as one value.
		{"NaN compares false", "SELECT nan() = nan(), nan() <> nan(), nan() > 1e0, nan() < 1e0, nan() >= infinity(), CAST(nan() AS real) = REAL '1', nan() = CAST(NULL AS double), 1e0 < 2e0",
			"_col0:boolean,_col1:boolean,_col2:boolean,_col3:boolean,_col4:boolean,_col5:boolean,_col6:boolean,_col7:boolean\nfalse|true|false|false|false|false|∅|true"},
		{"NaN filters and groups", "SELECT count(*) FILTER (WHERE w > 0), count(*) FILTER (WHERE w = w), count(DISTINCT w) FROM prices",
			"_col0:bigint,_col1:bigint,_col2:bigint\n1|2|3"},
		// Trino's try: "Division by zero, Invalid cast or function argument,
		// Numeric value out of range" become NULL.
		{"try", "SELECT try(1 / 0), try(CAST('x' AS integer)), try(9223372036854775807 + 1), try(ARRAY[1][2]), try(7 / 2), try('athena_x(' || \"sku\") FROM prices WHERE sku = 'a'",
			"_col0:integer,_col1:integer,_col2:bigint,_col3:integer,_col4:integer,_col5:varchar\n∅|∅|∅|∅|3|athena_x(a"},
		{"a scalar subquery of one row or none", "SELECT (SELECT price FROM prices WHERE sku = 'a'), (SELECT w FROM prices WHERE sku = 'nope'), (SELECT w FROM prices WHERE sku = 'b')",
			"_col0:decimal(10,2),_col1:double,_col2:double\n19.99|∅|NaN"},
		{"NaN and Infinity come back from tables", "SELECT sku, w, is_nan(w) FROM prices ORDER BY sku",
			"sku:varchar,w:double,_col2:boolean\na|1.5|false\nb|NaN|true\nc|-Infinity|false\nd|∅|∅"},
		{"decimal columns compare, order and sum exactly", "SELECT sum(price), avg(price), min(price), max(price), count(*) FILTER (WHERE price > 10) FROM prices",
			"_col0:decimal(38,2),_col1:decimal(10,2),_col2:decimal(10,2),_col3:decimal(10,2),_col4:bigint\n120.09|40.03|0.10|100.00|2"},
		{"decimal order is numeric", "SELECT price FROM prices ORDER BY price DESC", "price:decimal(10,2)\n100.00\n19.99\n0.10\n∅"},
		{"real", "SELECT REAL '1.1', CAST(1.1e0 AS real) * 2", "_col0:real,_col1:real\n1.1|2.2"},
		{"double and decimal mix as double", "SELECT 0.5 + 1e0, typeof(0.5 + 1e0)", "_col0:double,_col1:varchar\n1.5|double"},
		{"round, ceil, floor", "SELECT round(2.5), round(-2.5), round(2.567, 2), ceil(1.2), floor(-1.2), round(2.5e0)",
			"_col0:decimal(2,0),_col1:decimal(2,0),_col2:decimal(4,3),_col3:decimal(2,0),_col4:decimal(2,0),_col5:double\n3|-3|2.570|2|-2|3.0"},

		// Strings and binary.
		{"char and varchar(n)", "SELECT CAST('abc' AS varchar(2)), CAST('ab' AS char(4)), typeof(CAST('ab' AS char(4))), length(CAST('ab' AS char(4)))",
			"_col0:varchar(2),_col1:char(4),_col2:varchar,_col3:bigint\nab|ab  |char(4)|4"},
		{"varbinary", "SELECT X'68656C6C6F', typeof(X'00'), to_hex(X'00ff'), length(X'0102'), from_utf8(X'68656c6c6f'), to_utf8('hi')",
			"_col0:varbinary,_col1:varchar,_col2:varchar,_col3:bigint,_col4:varchar,_col5:varbinary\n68 65 6c 6c 6f|varbinary|00FF|2|hello|68 69"},

		// Times.
		{"current_timestamp has a time zone", "SELECT current_timestamp, typeof(current_timestamp), localtimestamp, typeof(now())",
			"_col0:timestamp(3) with time zone,_col1:varchar,_col2:timestamp,_col3:varchar\n2025-06-01 12:00:00.000 UTC|timestamp(3) with time zone|2025-06-01 12:00:00.000|timestamp(3) with time zone"},
		{"timestamp with zone literal", "SELECT TIMESTAMP '2001-08-22 03:04:05.321 UTC'", "_col0:timestamp(3) with time zone\n2001-08-22 03:04:05.321 UTC"},

		// NULL.
		{"a bare NULL is unknown", "SELECT NULL, typeof(NULL), NULL + 1, typeof(coalesce(NULL, 2))",
			"_col0:unknown,_col1:varchar,_col2:integer,_col3:varchar\n∅|unknown|∅|integer"},

		// Arrays, maps, rows.
		{"arrays render as Athena does", "SELECT ARRAY[1, 2], ARRAY['a', NULL], ARRAY[ARRAY[1, 2], ARRAY[3]], ARRAY[1.5, 2], ARRAY[]",
			"_col0:array(integer),_col1:array(varchar(1)),_col2:array(array(integer)),_col3:array(decimal(11,1)),_col4:array(unknown)\n[1, 2]|[a, null]|[[1, 2], [3]]|[1.5, 2.0]|[]"},
		{"maps render as {k=v}", "SELECT MAP(ARRAY['a', 'b'], ARRAY[1, 2]), map_keys(MAP(ARRAY['a'], ARRAY[1])), MAP(ARRAY['x'], ARRAY[1])['x']",
			"_col0:map(varchar(1), integer),_col1:array(varchar(1)),_col2:integer\n{a=1, b=2}|[a]|1"},
		{"rows render with field names", "SELECT ROW(1, 'Bob'), CAST(ROW('Bob', 38) AS ROW(name varchar, age integer)), CAST(ROW(1, 2e0) AS ROW(x bigint, y double)).x",
			"_col0:row(integer, varchar(3)),_col1:row(name varchar, age integer),x:bigint\n{field0=1, field1=Bob}|{name=Bob, age=38}|1"},
		{"array functions", "SELECT cardinality(ARRAY[1, 2, 3]), ARRAY[1, 2, 3][2], element_at(ARRAY[1], 5), contains(ARRAY['a', 'b'], 'b'), array_join(ARRAY[1, NULL, 3], '-'), array_sort(ARRAY[3, 1, 2]), sequence(1, 3), array_distinct(ARRAY[1, 1, 2])",
			"_col0:bigint,_col1:integer,_col2:integer,_col3:boolean,_col4:varchar,_col5:array(integer),_col6:array(bigint),_col7:array(integer)\n3|2|∅|true|1-3|[1, 2, 3]|[1, 2, 3]|[1, 2]"},
		{"array_agg and split", "SELECT array_agg(name ORDER BY name DESC), split('a,b', ',') FROM customers",
			"_col0:array(varchar),_col1:array(varchar)\n[carol, bob, alice]|[a, b]"},
		{"unnest", "SELECT n FROM UNNEST(ARRAY[3, 1, 2]) AS t(n) ORDER BY n", "n:integer\n1\n2\n3"},
		{"unnest with ordinality across a join", "SELECT c.name, u.part, u.i FROM customers c CROSS JOIN UNNEST(split(c.city, 'a')) WITH ORDINALITY AS u(part, i) WHERE c.name = 'alice' ORDER BY u.i",
			"name:varchar,part:varchar,i:bigint\nalice|P|1\nalice|ris|2"},
		{"unnest a map and zip two arrays", "SELECT k, v FROM UNNEST(MAP(ARRAY['a', 'b'], ARRAY[1, 2])) AS m(k, v) ORDER BY k", "k:varchar(1),v:integer\na|1\nb|2"},
		{"unnest two arrays pads with NULL", "SELECT x, y FROM UNNEST(ARRAY[1, 2], ARRAY['a']) AS z(x, y) ORDER BY x", "x:integer,y:varchar(1)\n1|a\n2|∅"},
		{"unnest an array of rows expands the fields", "SELECT a, b FROM UNNEST(ARRAY[ROW(1, 'x'), ROW(2, 'y')]) AS t(a, b)", "a:integer,b:varchar(1)\n1|x\n2|y"},

		// JSON.
		{"json", `SELECT json_parse('{"a": [1, 2], "b": {"c": "x"}}'), json_extract_scalar('{"a": {"b": "x"}}', '$.a.b'), json_extract('{"a": [1, 2]}', '$.a'), json_array_length('[1, 2, 3]'), CAST(ARRAY[1, 2] AS json), CAST(MAP(ARRAY['k'], ARRAY[1]) AS json)`,
			"_col0:json,_col1:varchar,_col2:json,_col3:bigint,_col4:json,_col5:json\n" + `{"a":[1,2],"b":{"c":"x"}}|x|[1,2]|3|[1,2]|{"k":1}`},
		{"json to structures", `SELECT CAST(json_parse('[1, 2]') AS array(integer)), CAST(json_parse('{"a": 1}') AS map(varchar, bigint))`,
			"_col0:array(integer),_col1:map(varchar, bigint)\n[1, 2]|{a=1}"},

		// VALUES.
		{"a VALUES statement", "VALUES (1, 'a'), (2, 'bc')", "_col0:integer,_col1:varchar(2)\n1|a\n2|bc"},
		{"VALUES of one column", "SELECT * FROM (VALUES 1, 2) AS v(x) ORDER BY x DESC", "x:integer\n2\n1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.now = func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }
			out, _, err := run(t, e, cat, tt.sql)
			if err != nil {
				t.Fatalf("%s: %v", tt.sql, err)
			}
			if got := out.render(); got != tt.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tt.sql, got, tt.want)
			}
		})
	}
}

// Arithmetic fails where Trino's fails, with its error names and texts.
func TestTrinoFailures(t *testing.T) {
	e := newEngine(t)
	cat := sample()
	tests := []struct{ sql, want string }{
		{"SELECT 1/0", "DIVISION_BY_ZERO: Division by zero"},
		{"SELECT (SELECT id FROM orders)", "SUBQUERY_MULTIPLE_ROWS: Scalar sub-query has returned multiple rows"},
		{"SELECT 5 % 0", "DIVISION_BY_ZERO: Division by zero"},
		{"SELECT 1.5 / 0", "DIVISION_BY_ZERO: Division by zero"},
		{"SELECT id / 0 FROM orders", "DIVISION_BY_ZERO: Division by zero"},
		{"SELECT 2147483647 + 1", "NUMERIC_VALUE_OUT_OF_RANGE: integer addition overflow: 2147483647 + 1"},
		{"SELECT 9223372036854775807 + 1", "NUMERIC_VALUE_OUT_OF_RANGE: bigint addition overflow: 9223372036854775807 + 1"},
		{"SELECT 4611686018427387904 * 2", "NUMERIC_VALUE_OUT_OF_RANGE: bigint multiplication overflow: 4611686018427387904 * 2"},
		{"SELECT -(-2147483648)", "NUMERIC_VALUE_OUT_OF_RANGE: integer negation overflow: -2147483648"},
		{"SELECT CAST(3000000000 AS integer)", "NUMERIC_VALUE_OUT_OF_RANGE: Out of range for integer: 3000000000"},
		{"SELECT CAST('123.45' AS decimal(3,1))", "INVALID_CAST_ARGUMENT: Cannot cast VARCHAR '123.45' to DECIMAL(3,1). Value too large."},
		{"SELECT ARRAY[1, 2][3]", "INVALID_FUNCTION_ARGUMENT: Array subscript must be less than or equal to array length: 3 > 2"},
		{"SELECT MAP(ARRAY['a'], ARRAY[1])['b']", "INVALID_FUNCTION_ARGUMENT: Key not present in map: b"},
		{"SELECT MAP(ARRAY['a', 'a'], ARRAY[1, 2])", "INVALID_FUNCTION_ARGUMENT: Duplicate map keys (a) are not allowed"},
		{"SELECT json_parse('{')", "INVALID_FUNCTION_ARGUMENT: Cannot convert value to JSON: '{'"},
		{"SELECT 'a' + 1", "TYPE_MISMATCH: line 1:8: Cannot apply operator: varchar(1) + integer"},
		{"SELECT * FROM orders WHERE day = '2024-01-05'", "TYPE_MISMATCH: line 1:28: Cannot apply operator: date = varchar(10)"},
		{"SELECT abs('x')", "FUNCTION_NOT_FOUND: line 1:8: Unexpected parameters (varchar(1)) for function abs. Expected: abs(bigint), abs(double), abs(decimal(p,s))"},
		{"SELECT CAST(1 AS nosuchtype)", "TYPE_NOT_FOUND: line 1:18: Unknown type: nosuchtype"},
		{"SELECT id FROM orders WHERE count(*) > 1", "EXPRESSION_NOT_AGGREGATE: line 1:29: WHERE clause cannot contain aggregations, window functions or grouping operations: [\"count\"(*)]"},
		{"SELECT X'0'", "SYNTAX_ERROR: line 1:8: Binary literal can only contain hexadecimal digits and must contain an even number of digits"},
	}
	for _, tt := range tests {
		_, _, err := run(t, e, cat, tt.sql)
		var ae *Error
		if !errors.As(err, &ae) {
			t.Errorf("%s: got %v, want %s", tt.sql, err, tt.want)
			continue
		}
		if ae.Message != tt.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.sql, ae.Message, tt.want)
		}
		if ae.Category != CategoryUser {
			t.Errorf("%s: category %d, want USER (2)", tt.sql, ae.Category)
		}
	}
}

// SHOW CREATE TABLE, SHOW PARTITIONS and SHOW VIEWS answer from the
// catalog; EXPLAIN answers a plan without reading any data.
func TestMoreUtility(t *testing.T) {
	e := newEngine(t)
	cat := sample()
	events := cat.add("awsdatacatalog.sales.events", "id bigint,kind varchar,dt varchar", "1|a|2024-06-01")
	events.parts = 1
	events.partitions = []string{"dt=2024-06-01", "dt=2024-06-02"}
	events.location = "s3://data/events/"
	vc := viewCatalog{cat, map[string]bool{"t": true}}
	tests := []struct{ sql, want string }{
		{"SHOW PARTITIONS events", "partition:string\ndt=2024-06-01\ndt=2024-06-02"},
		{"SHOW VIEWS", "tab_name:string\nt"},
		{"SHOW VIEWS IN sales LIKE 'x*'", "tab_name:string"},
		{"SHOW CREATE TABLE sales.events", "createtab_stmt:string\n" +
			"CREATE EXTERNAL TABLE `sales.events`(\n  `id` bigint, \n  `kind` string)\nPARTITIONED BY ( \n  `dt` string)\n" +
			"ROW FORMAT DELIMITED \n  FIELDS TERMINATED BY ',' \nSTORED AS INPUTFORMAT \n  'org.apache.hadoop.mapred.TextInputFormat' \n" +
			"OUTPUTFORMAT \n  'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\nLOCATION\n  's3://data/events/'"},
	}
	for _, tt := range tests {
		out, st, err := run(t, e, vc, tt.sql)
		if err != nil {
			t.Errorf("%s: %v", tt.sql, err)
			continue
		}
		if st.StatementType != "UTILITY" || !st.Text {
			t.Errorf("%s: stats %+v, want UTILITY text", tt.sql, st)
		}
		if got := out.render(); got != tt.want {
			t.Errorf("%s\ngot:\n%s\nwant:\n%s", tt.sql, got, tt.want)
		}
	}

	scans := cat.scans.Load()
	out, st, err := run(t, e, cat, "EXPLAIN SELECT kind, count(*) FROM events WHERE id > 0 GROUP BY kind LIMIT 5")
	if err != nil {
		t.Fatal(err)
	}
	plan := out.rows[0][0].Text
	for _, want := range []string{"- Output[columnNames = [kind, _col1]]", "- Limit[count = 5]", "- Aggregate[", "- Filter[filterPredicate = (\"id\" > 0)]",
		"- TableScan[awsdatacatalog:sales.events]", "LAYOUT: sales.events", "dt := dt:string:-1:PARTITION_KEY"} {
		if !strings.Contains(plan, want) {
			t.Errorf("EXPLAIN plan lacks %q:\n%s", want, plan)
		}
	}
	if len(out.cols) != 1 || out.cols[0].Name != "Query Plan" || st.DataScannedBytes != 0 || cat.scans.Load() != scans {
		t.Errorf("EXPLAIN: columns %v, %d bytes scanned, %d scans; want one Query Plan column and nothing read", out.cols, st.DataScannedBytes, cat.scans.Load()-scans)
	}
	if _, _, err := run(t, e, cat, "EXPLAIN SELECT nope FROM events"); err == nil || !strings.Contains(err.Error(), "COLUMN_NOT_FOUND") {
		t.Errorf("EXPLAIN of a bad query: got %v, want the analysis error", err)
	}
	out, _, err = run(t, e, cat, "EXPLAIN (TYPE VALIDATE) SELECT 1")
	if err != nil || out.render() != "Valid:boolean\ntrue" {
		t.Errorf("EXPLAIN (TYPE VALIDATE): %v %q", err, out.render())
	}
}

// Execution parameters stand for the ?s in order, as literals.
func TestParameters(t *testing.T) {
	e := newEngine(t)
	cat := sample()
	out := &collect{}
	if _, err := e.Run(ctxBG(), Query{SQL: "SELECT id, customer FROM orders WHERE customer = ? AND id > ? ORDER BY id", Database: "sales", Params: []string{"'alice'", "1"}}, cat, out); err != nil {
		t.Fatal(err)
	}
	if got := out.render(); got != "id:bigint,customer:varchar\n3|alice" {
		t.Errorf("got %q", got)
	}
	for _, tt := range []struct {
		params []string
		want   string
	}{
		{[]string{"'alice'"}, "INVALID_PARAMETER_USAGE: line 1:40: Incorrect number of parameters: expected 2 but found 1"},
		{[]string{"'a'", "1); DROP TABLE x; --"}, "INVALID_PARAMETER_USAGE: line 1:51: Execution parameter 2 (1); DROP TABLE x; --) is not a literal"},
	} {
		_, err := e.Run(ctxBG(), Query{SQL: "SELECT id FROM orders WHERE customer = ? AND id > ?", Database: "sales", Params: tt.params}, cat, &collect{})
		if err == nil || err.Error() != tt.want {
			t.Errorf("params %q: got %v, want %s", tt.params, err, tt.want)
		}
	}
}

// CheckSyntax reads a statement as Athena's StartQueryExecution does:
// syntax only, never a name.
func TestCheckSyntax(t *testing.T) {
	for sql, want := range map[string]string{
		"SELECT * FROM nope.nope":            "",
		"SELECT nope FROM orders":            "",
		"SHOW TABLES IN nope":                "",
		"CREATE TABLE x AS SELECT 1":         "",
		"EXPLAIN SELECT * FROM nope":         "",
		"SELECT 1;":                          "",
		"SELECT 1; SELECT 2":                 "multiple",
		"SELECT * FORM orders":               "SYNTAX_ERROR: line 1:10: mismatched input 'FORM'. Expecting: <EOF>",
		"SELEC 1":                            "SYNTAX_ERROR: line 1:1: mismatched input 'SELEC'. Expecting: " + statementKeywords,
		"SELECT (1":                          "SYNTAX_ERROR: line 1:10: mismatched input '<EOF>'. Expecting: ')'",
		"CREATE TABLE x AS SELECT FROM":      "SYNTAX_ERROR: line 1:26: mismatched input 'FROM'. Expecting: <expression>",
		"SELECT 'unterminated":               "SYNTAX_ERROR: line 1:8: unterminated string literal",
		"EXPLAIN SELECT * FROM orders WHERE": "SYNTAX_ERROR: line 1:35: mismatched input '<EOF>'. Expecting: <expression>",
	} {
		err := CheckSyntax(sql)
		got := ""
		switch {
		case errors.Is(err, ErrMultipleStatements):
			got = "multiple"
		case err != nil:
			got = err.Error()
		}
		if got != want {
			t.Errorf("CheckSyntax(%q) = %q, want %q", sql, got, want)
		}
	}
}
