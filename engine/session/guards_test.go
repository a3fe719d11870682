package session

import (
	"reflect"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
)

func TestChangeOf(t *testing.T) {
	for _, tt := range []struct {
		sql                string
		write, destructive bool
		what               string // a substring of What
	}{
		{"SELECT * FROM t", false, false, ""},
		{"  -- note\n with x AS (SELECT 1) SELECT * FROM x", false, false, ""},
		{"(SELECT 1) UNION (SELECT 2)", false, false, ""},
		{"VALUES 1, 2", false, false, ""},
		{"SHOW TABLES IN sales", false, false, ""},
		{"DESCRIBE sales.orders", false, false, ""},
		{"EXPLAIN SELECT 1", false, false, ""},
		{"EXPLAIN ANALYZE DELETE FROM t", true, true, "deletes rows of t"},
		{"DROP TABLE IF EXISTS sales.orders", true, true, "drops table sales.orders"},
		{`drop view "my db"."v"`, true, true, "drops view my db.v"},
		{"DROP DATABASE sales CASCADE", true, true, "drops database sales"},
		{"DELETE FROM sales.orders WHERE x = 1", true, true, "deletes rows of sales.orders"},
		{"INSERT OVERWRITE TABLE t SELECT 1", true, true, "overwrites t"},
		{"INSERT OVERWRITE DIRECTORY 's3://b/p/' SELECT 1", true, true, "s3://b/p/"},
		{"INSERT INTO sales.orders SELECT * FROM x", true, false, "inserts into sales.orders"},
		{"CREATE TABLE t AS SELECT 1", true, false, "creates table t"},
		{"CREATE TABLE t WITH (external_location = 's3://b/t/', format = 'PARQUET') AS SELECT 1", true, true, "writing its files into s3://b/t/"},
		{"CREATE EXTERNAL TABLE t (a int) LOCATION 's3://b/t/'", true, false, "creates table t"},
		{"CREATE OR REPLACE VIEW v AS SELECT 1", true, true, "replaces view v"},
		{"CREATE DATABASE IF NOT EXISTS d", true, false, "creates database d"},
		{"ALTER TABLE t DROP PARTITION (dt = '2024-01-01')", true, true, "drops from table t: DROP PARTITION"},
		{"ALTER TABLE t REPLACE COLUMNS (a int)", true, true, "replaces the columns of table t"},
		{"ALTER TABLE t ADD PARTITION (dt = '1')", true, false, "alters table t"},
		{"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", true, true, "rewrites rows of t"},
		{"UPDATE t SET a = 1", true, true, "rewrites rows of t"},
		{"MSCK REPAIR TABLE t", true, false, "runs MSCK"},
		{"UNLOAD (SELECT 1) TO 's3://b/' WITH (format = 'CSV')", true, false, "runs UNLOAD"},
		{"SELECT 'unterminated", true, true, "cannot read"},
	} {
		c := ChangeOf(tt.sql)
		if c.Write != tt.write || c.Destructive != tt.destructive || !strings.Contains(c.What, tt.what) {
			t.Errorf("ChangeOf(%q) = %+v; want write %v, destructive %v, what containing %q", tt.sql, c, tt.write, tt.destructive, tt.what)
		}
	}
}

func TestBindParams(t *testing.T) {
	got, err := BindParams([]string{"SELECT ? , '?' AS q -- ?\n", "SELECT 1", "SELECT ?, ?"}, []string{"1", "'a'", "2"})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"1"}, nil, {"'a'", "2"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("BindParams = %q, want %q", got, want)
	}
	if _, err := BindParams([]string{"SELECT ?"}, nil); err == nil || !strings.Contains(err.Error(), "more ? placeholders than values") {
		t.Errorf("too few: %v", err)
	}
	if _, err := BindParams([]string{"SELECT 1"}, []string{"1"}); err == nil || !strings.Contains(err.Error(), "1 --param values were given for 0") {
		t.Errorf("too many: %v", err)
	}
}

// A ? value is one SQL literal or simple expression: an unterminated
// quote, two literals, several values or a statement of its own are
// refused before sending, saying why; -e's BindParams and Start's check
// name the value refused.
func TestCheckParam(t *testing.T) {
	for _, tc := range []struct {
		value, want string // want "" for a good value
	}{
		{"42", ""},
		{"'eu-west'", ""},
		{"'it''s'", ""},
		{"DATE '2024-01-01'", ""},
		{"INTERVAL '1' DAY", ""},
		{"-1.5", ""},
		{"NULL", ""},
		{"ARRAY[1, 2]", ""},
		{"CAST('7' AS integer) + 1", ""},
		{"'eu-west", "unterminated string literal at character 1"},
		{"1 2", "two values, 1 and 2, side by side"},
		{"'a' 'b'", "two values, 'a' and 'b', side by side"},
		{"1, 2", "several values separated by a comma"},
		{"1; DROP TABLE t", "holds a ;"},
		{"(1 + 2", "a bracket is not closed"},
		{"1)", "closes nothing"},
		{"?", "a ? of its own"},
		{" -- nothing", "it is empty"},
	} {
		err := CheckParam(tc.value)
		if tc.want == "" && err != nil {
			t.Errorf("CheckParam(%q) = %v, want it taken", tc.value, err)
		}
		if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckParam(%q) = %v, want an error saying %q", tc.value, err, tc.want)
		}
	}
	_, err := BindParams([]string{"SELECT ?, ?"}, []string{"1", "'eu-west"})
	if engine.KindOf(err) != engine.Invalid || !strings.Contains(err.Error(), `value 2 of 2 given with --param, "'eu-west", is not sent: unterminated string literal`) {
		t.Errorf("BindParams with an unterminated value: %v", err)
	}
	if err := paramsMatch(Statement{SQL: "SELECT ?", Params: []string{"1 2"}}); engine.KindOf(err) != engine.Invalid || !strings.Contains(err.Error(), `value 1 of 1, "1 2", is not sent: it holds two values`) {
		t.Errorf("paramsMatch with two literals: %v", err)
	}
}

// ParamsWanted counts the ? a statement wants values for, as Start does:
// not in strings, quoted names or comments, none for a PREPARE.
func TestParamsWanted(t *testing.T) {
	for sql, want := range map[string]int{
		"SELECT 1":                                   0,
		"SELECT ?, '?' AS q, \"?\" -- ?\n":           1,
		"SELECT * FROM t WHERE a = ? AND b = ?":      2,
		"/* ? */ DELETE FROM t WHERE id = ?":         1,
		"PREPARE p FROM SELECT * FROM t WHERE a = ?": 0,
		"SELECT 'unterminated":                       -1,
	} {
		if got := ParamsWanted(sql); got != want {
			t.Errorf("ParamsWanted(%q) = %d, want %d", sql, got, want)
		}
	}
}

// A reused result costs nothing; any other run its scan at the profile's
// price, the 10 MB minimum included.
func TestCostOf(t *testing.T) {
	vars := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir()}
	st, err := config.Load(func(k string) string { return vars[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Offline(Options{Settings: st, Getenv: func(k string) string { return vars[k] }})
	if err != nil {
		t.Fatal(err)
	}
	if s.PricePerTB() <= 0 {
		t.Fatalf("price per TB: got %v, want the default's", s.PricePerTB())
	}
	const gb = 1 << 30
	tests := []struct {
		name string
		x    athena.Execution
		want float64
	}{
		{"a run", athena.Execution{DataScanned: 1 << 40}, s.PricePerTB()},
		{"the 10 MB minimum", athena.Execution{DataScanned: 1}, engine.Cost(1, s.PricePerTB())},
		{"a reused result", athena.Execution{DataScanned: 3 * gb, Reused: true}, 0},
	}
	for _, tt := range tests {
		if got := s.CostOf(tt.x); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
