package grants

import (
	"fmt"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// BenchmarkCheck measures the engine's part of `quiltq check` on one
// statement of 1,000, 10,000 and 100,000 table references: the references
// are read from the SQL (sqlref), each is decided by a rules file and a
// Quilt role, and the refusal that lists the denied ones is worded. The
// time must grow with the statement, not with its square.
func BenchmarkCheck(b *testing.B) {
	rules, err := ParseRules("grants.toml", "[[allow]]\ndatabase = \"db*\"\n\n[[deny]]\ndatabase = \"db3\"\ntable = \"t1*\"\n")
	if err != nil {
		b.Fatal(err)
	}
	c := &Checker{Sources: []Source{rules, &QuiltRole{Role: "R", Buckets: []string{"b1", "b2"}, TabulatorCatalog: tab}}}
	for _, n := range []int{1_000, 10_000, 100_000} {
		var sb strings.Builder
		sb.WriteString("SELECT * FROM db0.t0")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&sb, " JOIN db%d.t%d ON true", i%7, i)
		}
		sql := sb.String()
		b.Run(fmt.Sprintf("refs=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(sql)))
			b.ReportAllocs()
			for b.Loop() {
				refs, err := sqlref.Extract(sql, sqlref.Defaults{Catalog: "awsdatacatalog", Database: "db0"})
				if err != nil {
					b.Fatal(err)
				}
				ds := c.Check(refs, iam.Select)
				denied := Denials(ds)
				if len(ds) != n || len(denied) == 0 {
					b.Fatalf("%d decisions, %d denied; want %d and some denied", len(ds), len(denied), n)
				}
				_ = (&Refusal{Denied: denied}).Error()
			}
		})
	}
}
