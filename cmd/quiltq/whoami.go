package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine/session"
)

// identity is what `quiltq whoami --json` prints.
type identity = session.Identity

// runWhoami is `quiltq whoami [--json]`.
func runWhoami(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
	fs := flag.NewFlagSet("quiltq whoami", flag.ContinueOnError)
	connectionFlags(fs, g)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if code := parseFlags(fs, args, st); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(st.Err, "quiltq whoami: takes no arguments")
		return exitUsage
	}
	a := newApp(g, st, getenv)
	defer a.close()
	qs, err := a.open(ctx)
	if err == nil {
		var id identity
		if id, err = qs.WhoAmI(ctx); err == nil {
			if *asJSON {
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

// runRole is `quiltq role [NAME]`: list the Quilt roles, or switch.
func runRole(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
	fs := flag.NewFlagSet("quiltq role", flag.ContinueOnError)
	connectionFlags(fs, g)
	pos, code := parseInterspersed(fs, args, st)
	if code >= 0 {
		return code
	}
	if len(pos) > 1 {
		fmt.Fprintln(st.Err, "quiltq role: give at most one role name")
		return exitUsage
	}
	name := ""
	if len(pos) == 1 {
		name = pos[0]
	}
	a := newApp(g, st, getenv)
	defer a.close()
	err := a.role(ctx, name)
	if err != nil {
		err = session.CredentialsCause(err)
		fmt.Fprintf(st.Err, "quiltq role: %v\n", err)
		return exitCode(err)
	}
	return exitOK
}

func (a *app) role(ctx context.Context, name string) error {
	qs, err := a.open(ctx)
	if err != nil {
		return err
	}
	if name == "" {
		current, roles, err := qs.Roles(ctx)
		if err != nil {
			return err
		}
		for _, r := range roles {
			mark := "  "
			if r == current {
				mark = "* "
			}
			fmt.Fprintln(a.st.Out, mark+r)
		}
		return nil
	}
	role, err := qs.SwitchRole(ctx, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.st.Out, "Switched to role %s\n", role)
	if arn, err := qs.Principal(ctx); err == nil {
		fmt.Fprintf(a.st.Out, "AWS principal: %s\n", arn)
	} else {
		fmt.Fprintf(a.st.Err, "quiltq role: the switch is made, but STS could not say who you are now: %v\n", err)
	}
	return nil
}
