package sqlref

import "testing"

// benchQueries are typical of what quiltq users send: log and cost
// queries, joins across catalogs, CTEs, DML and metadata statements.
var benchQueries = []string{
	"SELECT * FROM alb_access LIMIT 100",
	`SELECT client_ip, count(*) AS n FROM "logs"."alb_access" WHERE status >= 500 AND day = '2025/01/02' GROUP BY 1 ORDER BY n DESC LIMIT 20`,
	`SELECT e.logical_key, e.size, p.user_meta
FROM "acme-tabulator"."data-bucket"."reads" e
JOIN "userdb"."data-bucket_packages-view" p ON e.pkg_name = p.pkg_name
WHERE e.size > 1000000`,
	`-- weekly cost by service
WITH costs AS (
    SELECT line_item_product_code AS service, date_trunc('week', line_item_usage_start_date) AS wk,
           sum(line_item_unblended_cost) AS cost
    FROM cur.cost_and_usage
    WHERE year = '2025' AND month IN ('1', '2')
    GROUP BY 1, 2
), ranked AS (
    SELECT *, rank() OVER (PARTITION BY wk ORDER BY cost DESC) AS r FROM costs
)
SELECT wk, service, round(cost, 2) FROM ranked WHERE r <= 5 ORDER BY wk, r`,
	`SELECT t.event_name, u.arn
FROM trail_events t
CROSS JOIN UNNEST(t.resources) AS u(arn)
WHERE t.event_time > to_iso8601(current_timestamp - INTERVAL '1' DAY)
  AND t.source_ip IN (SELECT ip FROM blocklist WHERE active)`,
	"INSERT INTO reports.daily SELECT day, count(*) FROM alb_access GROUP BY day",
	"CREATE TABLE scratch.top AS SELECT * FROM alb_access ORDER BY bytes DESC LIMIT 10",
	"SHOW TABLES IN logs",
	"DESCRIBE logs.alb_access",
	`MERGE INTO crm.accounts t USING (SELECT id, max(ts) AS ts FROM crm.updates GROUP BY id) s ON t.id = s.id
WHEN MATCHED THEN UPDATE SET ts = s.ts WHEN NOT MATCHED THEN INSERT (id, ts) VALUES (s.id, s.ts)`,
	`SELECT * FROM "ice"."orders$snapshots" ORDER BY committed_at DESC`,
	"SELECT a.k, b.v FROM ice.orders FOR TIMESTAMP AS OF TIMESTAMP '2025-01-01 00:00:00 UTC' a LEFT JOIN ice.items b ON a.k = b.k",
}

// BenchmarkExtract measures one typical query per iteration, so ns/op is
// the time per query.
func BenchmarkExtract(b *testing.B) {
	d := Defaults{Catalog: "AwsDataCatalog", Database: "logs"}
	for _, q := range benchQueries {
		if _, err := Extract(q, d); err != nil {
			b.Fatalf("Extract(%q): %v", q, err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Extract(benchQueries[i%len(benchQueries)], d); err != nil {
			b.Fatal(err)
		}
	}
}
