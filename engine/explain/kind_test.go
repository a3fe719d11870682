package explain

import (
	"testing"

	"github.com/quiltq/quiltq/engine/iam"
)

func TestStatementKind(t *testing.T) {
	tests := []struct {
		sql  string
		want iam.StatementKind
	}{
		{"SELECT * FROM sales.orders", iam.Select},
		{"  -- leading comment\n select 1", iam.Select},
		{"WITH a AS (SELECT 1) SELECT * FROM a", iam.Select},
		{"(SELECT 1) UNION (SELECT 2)", iam.Select},
		{"VALUES 1, 2", iam.Select},
		{"UNLOAD (SELECT 1) TO 's3://b/p/' WITH (format = 'CSV')", iam.Select},
		{"SHOW DATABASES", iam.ShowDatabases},
		{"show schemas in awsdatacatalog", iam.ShowDatabases},
		{"SHOW TABLES IN sales", iam.ShowTables},
		{"SHOW VIEWS", iam.ShowTables},
		{"SHOW PARTITIONS sales.events", iam.ShowPartitions},
		{"SHOW COLUMNS FROM sales.orders", iam.Describe},
		{"SHOW CREATE TABLE sales.orders", iam.Describe},
		{"DESCRIBE sales.orders", iam.Describe},
		{"EXPLAIN SELECT * FROM sales.orders", iam.Describe},
		{"EXPLAIN ANALYZE VERBOSE SELECT 1", iam.Select},
		{"EXPLAIN ANALYZE (FORMAT TEXT) INSERT INTO t SELECT 1", iam.Insert},
		{"CREATE TABLE t AS SELECT * FROM sales.orders", iam.CTAS},
		{"CREATE TABLE t WITH (format = 'PARQUET') AS SELECT 1", iam.CTAS},
		{"CREATE EXTERNAL TABLE t (a int) LOCATION 's3://b/p/'", iam.CreateTable},
		{"CREATE TABLE t (a int, b varchar)", iam.CreateTable},
		{"CREATE OR REPLACE VIEW v AS SELECT 1", iam.CreateView},
		{"CREATE DATABASE d", iam.CreateDatabase},
		{"DROP SCHEMA IF EXISTS d CASCADE", iam.DropDatabase},
		{"INSERT INTO sales.daily SELECT 1", iam.Insert},
		{"DELETE FROM t WHERE a = 1", iam.Modify},
		{"MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", iam.Modify},
		{"MSCK REPAIR TABLE sales.events", iam.RepairTable},
		{"ALTER TABLE sales.events ADD PARTITION (dt = '2024-06-05')", iam.AddPartition},
		{"ALTER TABLE t SET TBLPROPERTIES ('a' = 'b')", iam.AlterTable},
		{"DROP TABLE IF EXISTS t", iam.DropTable},
		{"PREPARE q FROM SELECT * FROM t WHERE a = ?", iam.Select},
		{"EXECUTE IMMEDIATE 'DROP TABLE t'", iam.DropTable},
		{";; SELECT 1", iam.Select},
	}
	for _, tt := range tests {
		got, err := StatementKind(tt.sql)
		if err != nil || got != tt.want {
			t.Errorf("StatementKind(%q) = %q, %v; want %q", tt.sql, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "  -- only a comment", "EXECUTE q USING 1", "GRANT SELECT ON t TO u", "PREPARE q", "'unterminated"} {
		if got, err := StatementKind(bad); err == nil {
			t.Errorf("StatementKind(%q) = %q, want an error", bad, got)
		}
	}
}
