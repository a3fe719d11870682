package stack

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestWithCatalogBench(t *testing.T) {
	st := &Stack{CatalogBench: CatalogBench{Databases: 3, Tables: 10}, AnalyticsBucket: "ab"}
	st.WithCatalogBench()
	st.WithCatalogBench() // harmless twice
	if len(st.Databases) != 3 {
		t.Fatalf("%d databases, want 3", len(st.Databases))
	}
	counts, total, views := []int{}, 0, 0
	seen := map[string]bool{}
	for _, d := range st.Databases {
		counts = append(counts, len(d.Tables))
		for _, tb := range d.Tables {
			if seen[tb.Name] {
				t.Errorf("table name %s repeats", tb.Name)
			}
			seen[tb.Name] = true
			total++
			if tb.Type == "VIRTUAL_VIEW" {
				views++
			} else if !strings.HasPrefix(tb.Location, "s3://ab/catbench/"+d.Name+"/") {
				t.Errorf("location %s", tb.Location)
			}
		}
	}
	if total != 10 || counts[0] != 4 || counts[2] != 3 || views != 1 {
		t.Errorf("tables per database %v (total %d, views %d), want [4 3 3], 10, 1", counts, total, views)
	}
	if err := st.validateTables(); err != nil {
		t.Error(err)
	}
}

func TestCatalogBenchFromYAML(t *testing.T) {
	const doc = "stack: s\nregion: us-east-1\naccount_id: \"123456789012\"\ncatalog_bench: {databases: 2, tables: 5}\n"
	st, err := Load(fstest.MapFS{"s.yaml": {Data: []byte(doc)}}, "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if st.CatalogBench != (CatalogBench{Databases: 2, Tables: 5}) {
		t.Errorf("got %+v", st.CatalogBench)
	}
}
