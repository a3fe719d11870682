package main

import (
	"context"
	"fmt"

	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/report"
)

// runWhoami is `quiltq whoami [--json]`.
func runWhoami(ctx context.Context, g *globalFlags, asJSON bool, st streams, getenv func(string) string) int {
	a := newApp(g, st, getenv)
	defer a.close()
	qs, err := a.open(ctx)
	if err == nil {
		var id session.Identity
		if id, err = qs.WhoAmI(ctx); err == nil {
			if asJSON {
				_ = print.JSON(st.Out, id)
			} else {
				report.Identity(st.Out, id)
			}
			return exitOK
		}
	}
	err = session.CredentialsCause(err)
	fmt.Fprintf(st.Err, "quiltq whoami: %v\n", err)
	return exitCode(err)
}
