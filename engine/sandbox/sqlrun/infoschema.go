package sqlrun

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/quiltq/quiltq/engine"
)

// infoSchema is the schema every catalog has, as in Trino: its tables
// describe the catalog and are answered from the Catalog's listings, so a
// query of them is authorized as the caller's listings are.
const infoSchema = "information_schema"

// TableInfo is one table of a database listing.
type TableInfo struct {
	Name string
	View bool
}

// TableLister is what a Catalog may add so that
// information_schema.tables can tell views ("VIEW") from tables ("BASE
// TABLE"); without it every table is a "BASE TABLE".
type TableLister interface {
	TableInfos(ctx context.Context, catalog, database string) ([]TableInfo, error)
}

// infoSchemaTable is the table ref names in information_schema: tables
// (table_catalog, table_schema, table_name, table_type) or schemata
// (catalog_name, schema_name). Its rows are listed anew by every query
// (an empty Version is never cached): they are what the caller may see
// now. A database whose tables cannot be listed fails the query, as a
// denied Glue call fails Athena's.
func infoSchemaTable(cat Catalog, ref TableRef) (*Table, error) {
	varchar := func(names ...string) []engine.Column {
		cols := make([]engine.Column, len(names))
		for i, n := range names {
			cols[i] = engine.Column{Name: n, Type: "varchar"}
		}
		return cols
	}
	text := func(s string) engine.Value { return engine.Value{Text: s} }
	switch ref.Table {
	case "schemata":
		return &Table{Columns: varchar("catalog_name", "schema_name"), Scan: func(ctx context.Context, emit func(engine.Row) error) error {
			dbs, err := cat.Databases(ctx, ref.Catalog)
			if err != nil {
				return err
			}
			sort.Strings(dbs)
			for _, db := range dbs {
				if err := emit(engine.Row{text(ref.Catalog), text(db)}); err != nil {
					return err
				}
			}
			return nil
		}}, nil
	case "tables":
		return &Table{Columns: varchar("table_catalog", "table_schema", "table_name", "table_type"), Scan: func(ctx context.Context, emit func(engine.Row) error) error {
			dbs, err := cat.Databases(ctx, ref.Catalog)
			if err != nil {
				return err
			}
			sort.Strings(dbs)
			lister, typed := cat.(TableLister)
			for _, db := range dbs {
				var infos []TableInfo
				if typed {
					infos, err = lister.TableInfos(ctx, ref.Catalog, db)
				} else {
					var names []string
					names, err = cat.Tables(ctx, ref.Catalog, db)
					for _, n := range names {
						infos = append(infos, TableInfo{Name: n})
					}
				}
				if errors.Is(err, ErrNotFound) {
					continue // dropped between the two listings
				}
				if err != nil {
					return err
				}
				sort.Slice(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })
				for _, t := range infos {
					typ := "BASE TABLE"
					if t.View {
						typ = "VIEW"
					}
					if err := emit(engine.Row{text(ref.Catalog), text(db), text(t.Name), text(typ)}); err != nil {
						return err
					}
				}
			}
			return nil
		}}, nil
	}
	return nil, fmt.Errorf("table %s: %w", ref, ErrNotFound)
}
