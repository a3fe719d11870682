package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui/report"
)

// wantsSQL reports whether `quiltq explain` was given --sql.
func wantsSQL(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name == "sql" {
			return true
		}
	}
	return false
}

// runExplainSQL runs `quiltq explain --sql SQL [--policy FILE...] [-w
// WORKGROUP] [--json]`: every (action, resource) pair the SQL needs in the
// workgroup, those the role's policies lack when they are known, and the
// one statement that fixes the whole query. It sends no query.
func runExplainSQL(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
	fs := flag.NewFlagSet("quiltq explain --sql", flag.ContinueOnError)
	connectionFlags(fs, g)
	sql := fs.String("sql", "", "the `SQL` to explain (one or several statements)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	fs.Var(&g.policies, "policy", "the role's identity policy JSON `FILE` (repeatable); without it, --sandbox uses the sandbox role's")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: quiltq explain --sql SQL [--policy FILE...] [-w WORKGROUP] [--json] [connection flags]

Says what the SQL needs: every IAM action on every resource that Athena
checks on your credentials to run it in the workgroup and read its results
(Athena, Glue catalog > database > table, S3 data and results, the Lambda of
a Tabulator catalog, KMS), read from the workgroup's, catalogs' and tables'
settings. With the role's policies (--policy, or --sandbox) it lists exactly
what is missing; it prints the one statement that fixes the whole query.
Nothing is run.

Exit status: 0 when explained (and nothing known to be missing), 3 when the
known policies lack something, 2 on bad usage, 4 when not logged in.

Flags:
`)
		fs.PrintDefaults()
	}
	pos, code := parseInterspersed(fs, args, st)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(st.Err, "quiltq explain --sql: unexpected argument %q; quote the SQL after --sql\n", pos[0])
		return exitUsage
	}
	if strings.TrimSpace(*sql) == "" {
		fmt.Fprintln(st.Err, "quiltq explain --sql: no SQL; give the query after --sql, quoted")
		return exitUsage
	}
	a := newApp(g, st, getenv)
	defer a.close()
	s, err := a.open(ctx)
	if err != nil {
		return failed(st, "explain --sql", session.CredentialsCause(err))
	}
	stmt := session.Statement{SQL: *sql}
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
	code = exitOK
	if e.Known && len(e.Gaps) > 0 {
		code = exitDenied
	}
	if *asJSON {
		b, err := json.Marshal(e)
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq explain --sql: %v\n", err)
			return exitFailed
		}
		fmt.Fprintln(st.Out, string(b))
		return code
	}
	report.SQLNeeds(st.Out, e)
	return code
}
