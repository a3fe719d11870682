package stack

import "fmt"

// CatalogBench asks for a generated Glue catalog, for benchmarks of
// catalog browsing: Tables tables spread evenly over Databases databases
// (the first ones take the remainder), named catbench_NNN and t_NNNNN.
// In a stack file: `catalog_bench: {databases: 100, tables: 10000}`.
type CatalogBench struct {
	Databases int `yaml:"databases"`
	Tables    int `yaml:"tables"`
}

// CatalogBenchDatabase is the name of generated database i.
func CatalogBenchDatabase(i int) string { return fmt.Sprintf("catbench_%03d", i) }

// catalogBenchColumns are the columns of every generated table: a few of
// each common type, as a warehouse table has.
func catalogBenchColumns() []Column {
	return []Column{
		{Name: "id", Type: "bigint"},
		{Name: "name", Type: "string"},
		{Name: "amount", Type: "double"},
		{Name: "created", Type: "timestamp"},
		{Name: "active", Type: "boolean"},
	}
}

// WithCatalogBench adds the generated databases of s.CatalogBench to the
// Glue catalog of s. Each table lies under
// s3://<BenchBucket>/catbench/<database>/<table>/, which holds no objects
// (an empty table: listing is what is measured). Every tenth table is a
// view, so that listings show both kinds. A database already present is
// left as it is, so calling it twice is harmless. Populate calls it.
func (s *Stack) WithCatalogBench() {
	n, total := s.CatalogBench.Databases, s.CatalogBench.Tables
	if n <= 0 || total < 0 {
		return
	}
	have := map[string]bool{}
	for _, d := range s.Databases {
		have[d.Name] = true
	}
	cols := catalogBenchColumns()
	next := 0
	for i := 0; i < n; i++ {
		name := CatalogBenchDatabase(i)
		count := total / n
		if i < total%n {
			count++
		}
		if have[name] {
			next += count
			continue
		}
		d := Database{Name: name, Description: "Generated for catalog browsing benchmarks.", Tables: make([]Table, 0, count)}
		for j := 0; j < count; j++ {
			t := Table{Name: fmt.Sprintf("t_%05d", next), Columns: cols}
			if next%10 == 9 {
				t.Type = "VIRTUAL_VIEW"
				t.ViewSQL = "SELECT id, name FROM " + name + "." + fmt.Sprintf("t_%05d", next-1)
			} else {
				t.Location = "s3://" + s.BenchBucket() + "/catbench/" + name + "/" + t.Name + "/"
			}
			d.Tables = append(d.Tables, t)
			next++
		}
		s.Databases = append(s.Databases, d)
	}
}
