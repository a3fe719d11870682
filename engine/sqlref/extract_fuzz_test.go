package sqlref

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/quiltq/quiltq/engine"
)

// FuzzExtract checks that Extract never panics and that what it returns is
// well formed: either references with every field set and lower-cased, or
// an *Error positioned inside the input.
func FuzzExtract(f *testing.F) {
	for _, s := range benchQueries {
		f.Add(s)
	}
	f.Add("WITH a AS (SELECT * FROM b) SELECT * FROM ((a JOIN c ON true) x)")
	f.Add("SELECT (((SELECT 1) UNION SELECT 2)) FROM t FOR VERSION AS OF 3 v")
	f.Fuzz(func(t *testing.T, sql string) {
		refs, err := Extract(sql, Defaults{Catalog: "AwsDataCatalog", Database: "shop"})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			if e.Pos < 0 || e.Pos > len(sql) || e.Line < 1 || e.Col < 1 {
				t.Fatalf("error position %d (%d:%d) outside the input of %d bytes", e.Pos, e.Line, e.Col, len(sql))
			}
			if refs != nil {
				t.Fatalf("refs %v returned with error %v", refs, err)
			}
			return
		}
		seen := map[engine.Ref]bool{}
		for _, r := range refs {
			for _, s := range []string{r.Catalog, r.Database, r.Table} {
				if s == "" || s != strings.ToLower(s) || !utf8.ValidString(s) {
					t.Fatalf("malformed ref %+v", r)
				}
			}
			if r.Access != engine.Read && r.Access != engine.Write && r.Access != engine.Metadata {
				t.Fatalf("ref %+v has access %q", r, r.Access)
			}
			if seen[r] {
				t.Fatalf("ref %+v listed twice", r)
			}
			seen[r] = true
		}
	})
}
