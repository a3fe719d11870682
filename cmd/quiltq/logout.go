package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/session"
)

// runLogout is `quiltq logout`: it removes the profile's stored login.
func runLogout(ctx context.Context, g *globalFlags, st streams, getenv func(string) string) int {
	a := newApp(g, st, getenv)
	defer a.close()
	opts, err := a.options()
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq logout: %v\n", err)
		return exitUsage
	}
	out, err := session.Logout(ctx, opts)
	for _, f := range out.Forgotten {
		fmt.Fprintf(st.Err, "quiltq logout: %s\n", f)
	}
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq logout: %v\n", err)
		if engine.KindOf(err) == engine.Credentials && getenv("QUILTQ_TOKEN") != "" {
			fmt.Fprintln(st.Err, "quiltq logout: QUILTQ_TOKEN is set in the environment; quiltq never stores it: unset it yourself")
		}
		return exitCode(err)
	}
	fmt.Fprintf(st.Out, "Logged out of %s (profiles: %s)\n", out.CatalogURL, strings.Join(out.Profiles, ", "))
	if getenv("QUILTQ_TOKEN") != "" {
		fmt.Fprintln(st.Err, "quiltq: note: QUILTQ_TOKEN is still set in the environment, and later commands use it")
	}
	return exitOK
}
