package sqlrun

import (
	"context"
	"strings"
	"testing"
)

func TestParseWrite(t *testing.T) {
	q := Query{Database: "sales"}
	tests := []struct {
		sql    string
		kind   WriteKind
		target string
		check  func(t *testing.T, w *Write)
	}{
		{sql: "SELECT 1"},
		{sql: "SHOW TABLES"},
		{sql: "ALTER TABLE t ADD COLUMNS (x int)"},
		{sql: "INSERT OVERWRITE TABLE t SELECT 1"},
		{sql: "CREATE TABLE t AS SELECT 1 AS a", kind: CreateTableAs, target: "awsdatacatalog.sales.t"},
		{
			sql:  "CREATE TABLE IF NOT EXISTS db.t WITH (format = 'PARQUET', external_location = 's3://b/p/', partitioned_by = ARRAY['dt'])\nAS\nSELECT a FROM x WITH NO DATA;",
			kind: CreateTableAs, target: "awsdatacatalog.db.t",
			check: func(t *testing.T, w *Write) {
				if !w.IfNotExists || !w.WithNoData || w.Properties["external_location"] != "s3://b/p/" || w.Properties["format"] != "PARQUET" || w.Properties["partitioned_by"] != "ARRAY['dt']" {
					t.Errorf("got %+v", w)
				}
				if w.QueryText != "SELECT a FROM x" {
					t.Errorf("QueryText = %q", w.QueryText)
				}
				// The query keeps its place: line 3, column 1.
				if lines := strings.Split(w.Query, "\n"); len(lines) != 3 || lines[2] != "SELECT a FROM x" || strings.TrimSpace(lines[0]) != "" {
					t.Errorf("Query = %q", w.Query)
				}
			},
		},
		{
			sql: `INSERT INTO "AwsDataCatalog".sales."My-T" (b, a) VALUES (1, 'x')`, kind: InsertInto, target: "awsdatacatalog.sales.my-t",
			check: func(t *testing.T, w *Write) {
				if len(w.Columns) != 2 || w.Columns[0].Name != "b" || w.QueryText != "VALUES (1, 'x')" {
					t.Errorf("got columns %+v, query %q", w.Columns, w.QueryText)
				}
			},
		},
		{
			sql: "INSERT INTO t (SELECT 1)", kind: InsertInto, target: "awsdatacatalog.sales.t",
			check: func(t *testing.T, w *Write) {
				if len(w.Columns) != 0 || w.QueryText != "(SELECT 1)" {
					t.Errorf("got columns %+v, query %q", w.Columns, w.QueryText)
				}
			},
		},
		{
			sql: "CREATE EXTERNAL TABLE IF NOT EXISTS `userathenadatabase-k3v9q2m7xw1p`.quilt-sandbox-bucket_packages (\n  a string COMMENT 'x', b decimal(10,2), c map<string,int>)\n" +
				"PARTITIONED BY (dt string)\nROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n'\nSTORED AS TEXTFILE\nLOCATION 's3://b/p/'\nTBLPROPERTIES ('skip.header.line.count'='1')",
			kind: CreateTable, target: "awsdatacatalog.userathenadatabase-k3v9q2m7xw1p.quilt-sandbox-bucket_packages",
			check: func(t *testing.T, w *Write) {
				if len(w.Columns) != 3 || w.Columns[1].Type != "decimal(10,2)" || w.Columns[2].Type != "map<string,int>" {
					t.Errorf("columns %+v", w.Columns)
				}
				if len(w.PartitionKeys) != 1 || w.Location != "s3://b/p/" || w.Delimiter != `\t` || w.Properties["skip.header.line.count"] != "1" || w.Properties["format"] != "textfile" {
					t.Errorf("got %+v", w)
				}
			},
		},
		{
			sql:  "CREATE TABLE t (a int) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' WITH SERDEPROPERTIES ('separatorChar' = ';') LOCATION 's3://b/'",
			kind: CreateTable, target: "awsdatacatalog.sales.t",
			check: func(t *testing.T, w *Write) {
				if w.Properties["separatorchar"] != ";" {
					t.Errorf("properties %v", w.Properties)
				}
			},
		},
		{
			sql: "CREATE OR REPLACE VIEW v AS WITH x AS (SELECT 1 AS a) SELECT a FROM x", kind: CreateView, target: "awsdatacatalog.sales.v",
			check: func(t *testing.T, w *Write) {
				if !w.OrReplace || w.QueryText != "WITH x AS (SELECT 1 AS a) SELECT a FROM x" {
					t.Errorf("got %+v", w)
				}
			},
		},
		{sql: "DROP TABLE IF EXISTS db.t", kind: DropTable, target: "awsdatacatalog.db.t", check: func(t *testing.T, w *Write) {
			if !w.IfExists {
				t.Error("IF EXISTS lost")
			}
		}},
		{sql: "DROP VIEW v", kind: DropView, target: "awsdatacatalog.sales.v"},
		{sql: "CREATE SCHEMA IF NOT EXISTS scratch COMMENT 'x' LOCATION 's3://b/'", kind: CreateDatabase, target: "awsdatacatalog.scratch."},
		{sql: "DROP DATABASE scratch CASCADE", kind: DropDatabase, target: "awsdatacatalog.scratch.", check: func(t *testing.T, w *Write) {
			if !w.Cascade {
				t.Error("CASCADE lost")
			}
		}},
	}
	for _, tt := range tests {
		w, err := ParseWrite(tt.sql, q)
		if err != nil {
			t.Errorf("ParseWrite(%q): %v", tt.sql, err)
			continue
		}
		if tt.kind == "" {
			if w != nil {
				t.Errorf("ParseWrite(%q) = %+v, want nil (not a write it runs)", tt.sql, w)
			}
			continue
		}
		if w == nil || w.Kind != tt.kind || w.Target.String() != tt.target {
			t.Errorf("ParseWrite(%q) = %+v, want %s of %s", tt.sql, w, tt.kind, tt.target)
			continue
		}
		if tt.check != nil {
			tt.check(t, w)
		}
	}
}

func TestParseWriteErrors(t *testing.T) {
	tests := []struct{ sql, want string }{
		{"CREATE TABLE t WITH (format = 'TEXTFILE')", "SYNTAX_ERROR: line 1:42: mismatched input '<EOF>'. Expecting: 'AS'"},
		{"INSERT INTO t", "SYNTAX_ERROR: line 1:14: mismatched input '<EOF>'. Expecting: <query>"},
		{"DROP TABLE a.b.c.d", "SYNTAX_ERROR: line 1:12: too many dots in the name a.b.c.d"},
		{"CREATE TABLE t (a int) LOCATION 's3://b/' BOGUS", "SYNTAX_ERROR: line 1:43: mismatched input 'BOGUS'"},
		{"CREATE VIEW v SELECT 1", "SYNTAX_ERROR: line 1:15: mismatched input 'SELECT'. Expecting: 'AS'"},
	}
	for _, tt := range tests {
		_, err := ParseWrite(tt.sql, Query{})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseWrite(%q) = %v, want %q", tt.sql, err, tt.want)
		}
	}
}

// The blanked query reports errors where the statement has them.
func TestWriteQueryKeepsPositions(t *testing.T) {
	e, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	w, err := ParseWrite("CREATE TABLE t AS\n  SELECT nope()", Query{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Run(context.Background(), Query{SQL: w.Query}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "line 2:10:") {
		t.Errorf("error of the CTAS query: %v, want it at line 2:10", err)
	}
}
