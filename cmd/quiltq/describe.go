package main

import (
	"context"
	"fmt"

	"github.com/quiltq/quiltq/engine/sqlref"
	"github.com/quiltq/quiltq/ui/print"
)

// runDescribe is `quiltq describe TABLE`: one table's columns. TABLE is
// written as in SQL: table, database.table or catalog.database.table,
// each part quoted or not; -c and -d (or the profile) supply what is left
// out, else AwsDataCatalog and default.
func runDescribe(ctx context.Context, g *globalFlags, bf browseFlags, pos []string, st streams, getenv func(string) string) int {
	if len(pos) != 1 {
		fmt.Fprintln(st.Err, `quiltq describe: give one TABLE, such as sales.orders or '"quilt-stack-tabulator"."my-bucket"."my_table"'`)
		return exitUsage
	}
	ref, err := sqlref.SplitTable(pos[0])
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq describe: %v\n", err)
		return exitUsage
	}
	a := newApp(g, st, getenv)
	defer a.close()
	sess, err := a.open(ctx)
	if err != nil {
		return failed(st, "describe", err)
	}
	l, err := sess.Describe(ctx, ref.Catalog, ref.Database, ref.Table)
	if err != nil {
		return failed(st, "describe", err)
	}
	if bf.json {
		if err := print.JSON(st.Out, l); err != nil {
			fmt.Fprintf(st.Err, "quiltq describe: %v\n", err)
			return exitFailed
		}
	} else {
		print.Columns(st.Out, l)
		print.ListErrors(st.Err, l)
	}
	return listingExit(l)
}
