package report

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/session"
)

// Checked writes `quiltq check`'s table: each table reference of the SQL,
// the access it asks for, and the grants' verdict on it with the reason.
func Checked(w io.Writer, refs []session.CheckedRef) {
	if len(refs) == 0 {
		fmt.Fprintln(w, "no table references")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tACCESS\tVERDICT\tREASON")
	for _, r := range refs {
		name := grants.Display(engine.Ref{Catalog: r.Catalog, Database: r.Database, Table: r.Table})
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, r.Access, r.Verdict, r.Reason)
	}
	tw.Flush()
}
