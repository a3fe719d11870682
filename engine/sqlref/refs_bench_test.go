package sqlref

import (
	"fmt"
	"strings"
	"testing"
)

// manyRefs is one statement naming n distinct tables, half in a chain of
// joins and half in UNION ALL branches, each branch under a WITH entry so
// that the names in scope grow with the statement too.
func manyRefs(n int) string {
	var b strings.Builder
	b.WriteString("WITH w0 AS (SELECT 1)")
	half := n / 2
	for i := 1; i < half/10; i++ {
		fmt.Fprintf(&b, ", w%d AS (SELECT 1)", i)
	}
	b.WriteString(" SELECT * FROM t0")
	for i := 1; i < half; i++ {
		fmt.Fprintf(&b, " JOIN db%d.t%d ON true", i%7, i)
	}
	for i := half; i < n; i++ {
		fmt.Fprintf(&b, " UNION ALL SELECT * FROM t%d", i)
	}
	return b.String()
}

// BenchmarkExtractRefs measures Extract on one statement of 1,000, 10,000
// and 100,000 table references: the time must grow with the statement,
// not with its square (`quiltq check` on 40,000 references once took 12 s).
func BenchmarkExtractRefs(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		sql := manyRefs(n)
		b.Run(fmt.Sprintf("refs=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(sql)))
			b.ReportAllocs()
			for b.Loop() {
				refs, err := Extract(sql, Defaults{Catalog: "awsdatacatalog", Database: "sales"})
				if err != nil {
					b.Fatal(err)
				}
				if len(refs) != n {
					b.Fatalf("got %d references, want %d", len(refs), n)
				}
			}
		})
	}
}
