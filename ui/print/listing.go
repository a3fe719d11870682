package print

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/quiltq/quiltq/engine"
)

// This file writes, as text, a catalog listing: the tree, a table's
// columns, what could not be listed.

// Tree writes catalogs, databases and tables as an indented tree, each
// table with its kind and column count (or its error), and how many items
// the grants hid.
func Tree(w io.Writer, l engine.Listing) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range l.Catalogs {
		fmt.Fprintf(tw, "%s\t%s\t\n", c.Name, c.Type)
		for _, d := range c.Databases {
			fmt.Fprintf(tw, "  %s\t\t\n", d.Name)
			for _, t := range d.Tables {
				detail := fmt.Sprintf("%d columns", len(t.Columns))
				if t.Error != "" {
					detail = "error: " + t.Error
				}
				for _, warning := range t.Warnings {
					detail += "; warning: " + warning
				}
				fmt.Fprintf(tw, "    %s\t%s\t%s\n", t.Name, t.Kind, detail)
			}
		}
	}
	tw.Flush()
	if l.Hidden > 0 {
		fmt.Fprintf(w, "(%d hidden by your grants)\n", l.Hidden)
	}
}

// Columns writes each table's quoted name, kind and columns.
func Columns(w io.Writer, l engine.Listing) {
	for _, c := range l.Catalogs {
		for _, d := range c.Databases {
			for _, t := range d.Tables {
				fmt.Fprintf(w, "%s.%s.%s (%s)\n", quoteName(c.Name), quoteName(d.Name), quoteName(t.Name), t.Kind)
				if t.Error != "" {
					fmt.Fprintf(w, "  error: %s\n", t.Error)
				}
				for _, warning := range t.Warnings {
					fmt.Fprintf(w, "  warning: %s\n", warning)
				}
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				for _, col := range t.Columns {
					fmt.Fprintf(tw, "  %s\t%s\n", col.Name, col.Type)
				}
				tw.Flush()
			}
		}
	}
}

func quoteName(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// printErrors prints what could not be listed, one line each.
func printErrors(w io.Writer, l engine.Listing) {
	if len(l.Errors) == 0 {
		return
	}
	fmt.Fprintf(w, "quiltq: %d item(s) could not be listed:\n", len(l.Errors))
	for _, e := range l.Errors {
		fmt.Fprintf(w, "  %s: %s: %s\n", e.Item, e.Action, e.Message)
	}
}

// ListErrors writes what could not be listed, one line each.
func ListErrors(w io.Writer, l engine.Listing) {
	if len(l.Errors) == 0 {
		return
	}
	fmt.Fprintf(w, "quiltq: %d item(s) could not be listed:\n", len(l.Errors))
	for _, e := range l.Errors {
		fmt.Fprintf(w, "  %s: %s: %s\n", e.Item, e.Action, e.Message)
	}
}
