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
	parts, err := sqlref.SplitName(pos[0], 3)
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
	var catalog, database string
	if len(parts) >= 2 {
		database = parts[len(parts)-2]
	}
	if len(parts) == 3 {
		catalog = parts[0]
	}
	l, err := sess.Describe(ctx, catalog, database, parts[len(parts)-1])
	if err != nil {
		return failed(st, "describe", err)
	}
	if bf.json {
		if code := printJSON(st, "describe", l); code != exitOK {
			return code
		}
	} else {
		print.Columns(st.Out, l)
		print.ListErrors(st.Err, l)
	}
	return listingExit(l)
}
