package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine/session"
)

// identity is what `quiltq whoami --json` prints.
type identity = session.Identity

// runWhoami is `quiltq whoami [--json]`.
func runWhoami(ctx context.Context, g *globalFlags, asJSON bool, st streams, getenv func(string) string) int {
	a := newApp(g, st, getenv)
	defer a.close()
	qs, err := a.open(ctx)
	if err == nil {
		var id identity
		if id, err = qs.WhoAmI(ctx); err == nil {
			if asJSON {
				enc := json.NewEncoder(st.Out)
				enc.SetIndent("", "  ")
				_ = enc.Encode(id)
			} else {
				printIdentity(st, id)
			}
			return exitOK
		}
	}
	err = session.CredentialsCause(err)
	fmt.Fprintf(st.Err, "quiltq whoami: %v\n", err)
	return exitCode(err)
}

func printIdentity(st streams, id identity) {
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(st.Out, "%-18s %s\n", k+":", v)
		}
	}
	if id.User != "" {
		row("user", id.User+" <"+id.Email+">")
	}
	row("role", id.Role)
	if len(id.Roles) > 0 {
		row("roles", strings.Join(id.Roles, ", "))
	}
	row("AWS principal", id.PrincipalARN)
	row("catalog", id.CatalogURL)
	if id.TokenExpiresAt != nil {
		row("token expires", id.TokenExpiresAt.Format(time.RFC3339))
	}
	row("credential source", id.CredentialDetail)
}
