package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/quiltq/quiltq/engine/sqlref"
	"github.com/quiltq/quiltq/ui/print"
)

// runDescribe is `quiltq describe TABLE`: one table's columns. TABLE is
// written as in SQL: table, database.table or catalog.database.table,
// each part quoted or not; -c and -d (or the profile) supply what is left
// out, else AwsDataCatalog and default.
func runDescribe(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
	fs := flag.NewFlagSet("quiltq describe", flag.ContinueOnError)
	connectionFlags(fs, g)
	var asJSON bool
	fs.BoolVar(&asJSON, "json", false, "print JSON: the ls shape, holding the one table")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: quiltq describe TABLE [--json]    (TABLE: t, db.t or catalog.db.t; quote names with "..." as in SQL)`)
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	pos, code := parseInterspersed(fs, args, st)
	if code >= 0 {
		return code
	}
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
	if asJSON {
		if code := printJSON(st, "describe", l); code != exitOK {
			return code
		}
	} else {
		print.Columns(st.Out, l)
		print.ListErrors(st.Err, l)
	}
	return listingExit(l)
}
