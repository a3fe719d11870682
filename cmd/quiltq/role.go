package main

import (
	"context"
	"fmt"

	"github.com/quiltq/quiltq/engine/session"
)

// runRole is `quiltq role [NAME]`: list the Quilt roles, or switch.
func runRole(ctx context.Context, g *globalFlags, pos []string, st streams, getenv func(string) string) int {
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
