package athenasrv

import (
	"context"
	"fmt"
	"slices"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox/metastore"
	"github.com/quiltq/quiltq/engine/sandbox/sqlrun"
)

// maxViewDepth bounds views over views, so that a view defined on itself
// fails instead of recursing forever.
const maxViewDepth = 8

// viewTable resolves a view as Athena does: with the invoker's rights. Its
// query runs on the same engine through a catalog bound to the same
// caller, so every base table is authorized as the caller; its rows are
// then handed to the outer query like a table's. A view's rows depend on
// its base tables' data, so it is never cached (empty Version).
func (c *queryCatalog) viewTable(ctx context.Context, ref sqlrun.TableRef, t metastore.Table) (*sqlrun.Table, error) {
	if c.depth >= maxViewDepth {
		return nil, &failure{category: sqlrun.CategoryUser, typ: 1200, reason: fmt.Sprintf(
			"NOT_SUPPORTED: view %s is nested more than %d deep, or defined on itself", ref, maxViewDepth)}
	}
	inner := &queryCatalog{svc: c.svc, caller: c.caller, depth: c.depth + 1}
	var rows viewRows
	// Internal: the rows come back into the engine as the outer query's
	// table, so they keep the engine's own form (arrays as JSON, ...).
	stats, err := c.svc.sql.Run(ctx, sqlrun.Query{SQL: t.ViewSQL, Catalog: ref.Catalog, Database: ref.Database, Internal: true}, inner, &rows)
	if err != nil {
		if f, ok := err.(*sqlrun.Error); ok {
			// Athena reports a broken view by its name, then the cause.
			return nil, &failure{category: f.Category, typ: f.Type, reason: fmt.Sprintf("%s (in view %s)", f.Message, ref)}
		}
		return nil, err
	}
	return &sqlrun.Table{
		Columns: rows.cols,
		Size:    stats.DataScannedBytes,
		Scan: func(ctx context.Context, emit func(engine.Row) error) error {
			for _, r := range rows.rows {
				if err := emit(r); err != nil {
					return err
				}
			}
			return nil
		},
	}, nil
}

// viewRows collects a view's result.
type viewRows struct {
	cols []engine.Column
	rows []engine.Row
}

func (v *viewRows) Columns(cols []engine.Column) error { v.cols = cols; return nil }

// Row keeps a copy of r: the engine reuses the slice for the next row.
func (v *viewRows) Row(r engine.Row) error {
	v.rows = append(v.rows, slices.Clone(r))
	return nil
}
