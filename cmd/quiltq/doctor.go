package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui/report"
)

// runDoctor runs `quiltq doctor [--json] [--table DB.TABLE]`: it probes
// what a Quilt user needs, in the order a session needs it, and reports
// what works, what is refused with the actions missing, and one statement
// that fixes all the refusals.
func runDoctor(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
	fs := flag.NewFlagSet("quiltq doctor", flag.ContinueOnError)
	connectionFlags(fs, g)
	asJSON := fs.Bool("json", false, "print one JSON object instead of the table")
	table := fs.String("table", "", "the `table` whose metadata to read, as DATABASE.TABLE or CATALOG.DATABASE.TABLE (default: the first one listed)")
	fs.Var(&g.policies, "policy", "the role's identity policy JSON `FILE` (repeatable), to list exactly what is missing")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: quiltq doctor [--json] [--table DATABASE.TABLE] [--policy FILE...] [connection flags]

Probes what a Quilt user needs, in order: who you are (STS), the Quilt
registry, the workgroups, the data catalogs, their databases and tables, a
table's metadata, a trivial query, and reading its results from S3 and
through Athena. Prints what works and what is refused, the missing actions,
and one statement that fixes every refusal.

Exit status: 0 when every check passed, 3 when something was refused,
1 when something failed, 4 when the credentials were refused.

Flags:
`)
		fs.PrintDefaults()
	}
	pos, code := parseInterspersed(fs, args, st)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(st.Err, "quiltq doctor: unexpected argument %q; name a table with --table\n", pos[0])
		return exitUsage
	}
	a := newApp(g, st, getenv)
	defer a.close()
	s, err := a.open(ctx)
	if err == nil {
		var rep session.Report
		if rep, err = s.Doctor(ctx, session.DoctorOptions{Table: *table}); err == nil {
			return printDoctor(ctx, st, s, rep, *asJSON)
		}
	}
	return failed(st, "doctor", session.CredentialsCause(err))
}

// printDoctor prints the report (as JSON with asJSON) and returns the exit
// code it calls for.
func printDoctor(ctx context.Context, st streams, s *session.Session, rep session.Report, asJSON bool) int {
	if ctx.Err() != nil {
		fmt.Fprintln(st.Err, "quiltq doctor: interrupted")
		return exitInterrupted
	}
	if asJSON {
		b, err := json.Marshal(rep)
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq doctor: %v\n", err)
			return exitFailed
		}
		fmt.Fprintln(st.Out, string(b))
	} else {
		report.Doctor(st.Out, rep, s.RoleName())
	}
	code := exitOK
	for _, c := range rep.Checks {
		switch {
		case c.Check == "identity" && c.Status != session.ProbeOK:
			return exitCredentials
		case c.Status == session.ProbeRefused:
			code = exitDenied
		case c.Status == session.ProbeFailed && code == exitOK:
			code = exitFailed
		}
	}
	return code
}
