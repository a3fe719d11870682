package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/iam"
)

// explainSQLJSON is the --json output of `quiltq explain --sql`.
type explainSQLJSON struct {
	SQL       string    `json:"sql"`
	Principal string    `json:"principal"`
	Workgroup string    `json:"workgroup"`
	Policies  *string   `json:"policies"` // where the role's policies came from; null when unknown
	Required  []gapJSON `json:"required"`
	// Missing are the required pairs the policies do not allow; null when
	// the policies are not known.
	Missing []gapJSON `json:"missing"`
	// Fix allows every missing pair an Allow can fix (every required pair
	// when the policies are not known); null when nothing is missing.
	Fix     *explain.Policy `json:"fix"`
	Blocked []gapJSON       `json:"blocked"`
	Notes   []string        `json:"notes"`
}

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
	s, err := a.session(ctx, false)
	if err != nil {
		err = credentialsCause(err)
		fmt.Fprintf(st.Err, "quiltq explain --sql: %v\n", err)
		if hint := athena.Hint(err); hint != "" {
			fmt.Fprintf(st.Err, "  next:      %s\n", hint)
		}
		return exitCode(err)
	}
	settings, _ := a.loadSettings()
	req := athena.Request{SQL: *sql, Catalog: settings.Catalog(), Database: settings.Database(), Workgroup: settings.Workgroup()}
	if req.Workgroup == "" {
		wg, err := s.client.ChooseWorkgroup(ctx, "")
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq explain --sql: no workgroup given and none could be chosen (%v); name it with -w\n", err)
			return exitUsage
		}
		req.Workgroup = wg.Name
		if wg.Fallback != "" {
			fmt.Fprintf(st.Err, "quiltq explain --sql: workgroup %s: %s\n", wg.Name, wg.Fallback)
		}
	}
	n, err := s.needs(ctx, req, true)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq explain --sql: %v\n", err)
		if engine.KindOf(err) == engine.Credentials {
			return exitCredentials
		}
		return exitUsage
	}
	out := explainSQLJSON{SQL: *sql, Principal: n.caller.ARN, Workgroup: req.Workgroup, Required: []gapJSON{}, Blocked: []gapJSON{}, Notes: n.notes}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	for _, r := range n.reqs {
		out.Required = append(out.Required, reqOf(r))
	}
	var gaps []iam.Gap
	known := s.fix != nil && s.fix.known != nil
	if known {
		out.Policies = &s.fix.known.source
		gaps = iam.Missing(n.reqs, n.caller, s.fix.known.policies...)
		out.Missing = []gapJSON{}
		for _, gp := range gaps {
			out.Missing = append(out.Missing, gapOf(gp))
		}
	} else {
		for _, r := range n.reqs {
			gaps = append(gaps, iam.Gap{Requirement: r})
		}
	}
	fix := explain.Fix(n.reqs, gaps)
	out.Fix = fix.Policy
	for _, gp := range fix.Blocked {
		out.Blocked = append(out.Blocked, gapOf(gp))
	}
	code = exitOK
	if known && len(gaps) > 0 {
		code = exitDenied
	}
	if *asJSON {
		b, err := json.Marshal(out)
		if err != nil {
			fmt.Fprintf(st.Err, "quiltq explain --sql: %v\n", err)
			return exitFailed
		}
		fmt.Fprintln(st.Out, string(b))
		return code
	}
	w := st.Out
	fmt.Fprintf(w, "the query needs %d permissions in workgroup %s, for %s:\n", len(n.reqs), req.Workgroup, n.caller.ARN)
	all := make([]iam.Gap, len(n.reqs))
	for i, r := range n.reqs {
		all[i] = iam.Gap{Requirement: r}
	}
	writeGaps(w, all)
	switch {
	case !known:
		fmt.Fprintln(w, "the role's policies are not known (give --policy FILE, or use --sandbox): the statement below allows everything the query needs")
		for _, note := range n.notes {
			fmt.Fprintf(w, "  note:      %s\n", note)
		}
		if fix.Policy != nil {
			fmt.Fprintf(w, "statement that fixes the whole query (add it to %s's identity policies):\n", s.roleName())
			fmt.Fprintln(w, fix.Policy.JSON())
		}
	case len(gaps) == 0:
		fmt.Fprintf(w, "%s allows all of them (policies: %s)\n", s.roleName(), s.fix.known.source)
		for _, note := range n.notes {
			fmt.Fprintf(w, "  note:      %s\n", note)
		}
	default:
		fmt.Fprintf(w, "%s lacks %d of them (policies: %s):\n", s.roleName(), len(gaps), s.fix.known.source)
		writeFix(w, s, n, gaps)
	}
	return code
}
