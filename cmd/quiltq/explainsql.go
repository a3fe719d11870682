package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/report"
)

// runExplainSQL runs `quiltq explain --sql SQL [--policy FILE...] [-w
// WORKGROUP] [--json]`: every (action, resource) pair the SQL needs in the
// workgroup, those the role's policies lack when they are known, and the
// one statement that fixes the whole query. It sends no query.
func runExplainSQL(ctx context.Context, g *globalFlags, ef explainFlags, pos []string, st streams, getenv func(string) string) int {
	if len(pos) > 0 {
		fmt.Fprintf(st.Err, "quiltq explain --sql: unexpected argument %q; quote the SQL after --sql\n", pos[0])
		return exitUsage
	}
	if strings.TrimSpace(ef.sql) == "" {
		fmt.Fprintln(st.Err, "quiltq explain --sql: no SQL; give the query after --sql, quoted")
		return exitUsage
	}
	a := newApp(g, st, getenv)
	defer a.close()
	s, err := a.open(ctx)
	if err != nil {
		return failed(st, "explain --sql", session.CredentialsCause(err))
	}
	stmt := session.Statement{SQL: ef.sql}
	if s.Settings().Workgroup() == "" {
		wg, err := s.Workgroup(ctx)
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq explain --sql: no workgroup given and none could be chosen (%v); name it with -w\n", err)
			return exitUsage
		}
		stmt.Workgroup = wg.Name
	} else {
		stmt.Workgroup = s.Settings().Workgroup()
	}
	e, err := s.ExplainSQL(ctx, stmt)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq explain --sql: %v\n", err)
		if engine.KindOf(err) == engine.Credentials {
			return exitCredentials
		}
		return exitUsage
	}
	code := exitOK
	if e.Known && len(e.Gaps) > 0 {
		code = exitDenied
	}
	if ef.json {
		if err := print.JSONLine(st.Out, e); err != nil {
			fmt.Fprintf(st.Err, "quiltq explain --sql: %v\n", err)
			return exitFailed
		}
		return code
	}
	report.SQLNeeds(st.Out, e)
	return code
}
