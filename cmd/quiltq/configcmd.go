package main

import (
	"context"
	"fmt"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/report"
)

// runConfig is `quiltq config`: it prints the effective settings of a
// profile and where each came from, so that a user can see why quiltq
// talks to the catalog or workgroup it does. A bad config file exits 2
// with the error. No setting is a secret, so everything is printed.
func runConfig(_ context.Context, g *globalFlags, asJSON bool, st streams, getenv func(string) string) int {
	s, err := config.Load(getenv, g.profile)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq config: %v\n", err)
		return exitUsage
	}
	// The [keys] table is checked as the workbench checks it, so that a
	// remapping it would refuse is not passed as fine here.
	if _, err := newApp(g, st, getenv).look(s); err != nil {
		fmt.Fprintf(st.Err, "quiltq config: %v\n", err)
		return exitUsage
	}
	if asJSON {
		err = print.JSON(st.Out, report.ConfigJSONOf(s))
	} else {
		err = report.Config(st.Out, s)
	}
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq config: %v\n", err)
		return exitFailed
	}
	return exitOK
}
