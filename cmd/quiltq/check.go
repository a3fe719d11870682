package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/session"
)

// checkedRef is one reference in `quiltq check --json`.
type checkedRef struct {
	Catalog  string `json:"catalog"`
	Database string `json:"database"`
	Table    string `json:"table"`
	Access   string `json:"access"`
	Verdict  string `json:"verdict"`
	Reason   string `json:"reason"`
}

// runCheck is `quiltq check [SQL | -]`: the table references of SQL and
// the grants' verdict on each, without running anything. It needs no
// login: without one (or with --offline) only the rules file decides, and
// references no source rules on are "unknown". Exit 0 when nothing is
// denied, 3 when something is, 1 when the references cannot be told.
func runCheck(ctx context.Context, g *globalFlags, args []string, st streams, getenv func(string) string) int {
	fs := flag.NewFlagSet("quiltq check", flag.ContinueOnError)
	connectionFlags(fs, g)
	var asJSON, offline bool
	fs.BoolVar(&asJSON, "json", false, `print JSON: {"refs": [{"catalog", "database", "table", "access", "verdict", "reason"}], "error": null | "...", "missing": null | [{"action", "resource", "via", "why"}], "fix": null | {...}}`)
	fs.BoolVar(&offline, "offline", false, "do not log in: decide with the rules file alone")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: quiltq check [--json] [-c CATALOG] [-d DATABASE] [--grants FILE] [SQL | -]")
		fmt.Fprintln(fs.Output(), "\nPrint the tables SQL reads, writes or describes, and whether your grants allow each. Nothing is run.")
		fmt.Fprintln(fs.Output(), "Exit 0 when nothing is denied, 3 when something is, 1 when the tables cannot be told.")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	pos, code := parseInterspersed(fs, args, st)
	if code >= 0 {
		return code
	}
	sql, code := checkInput(pos, st)
	if code >= 0 {
		return code
	}
	a := newApp(g, st, getenv)
	defer a.close()
	opts, err := a.options()
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq check: %v\n", err)
		return exitUsage
	}
	sess, err := session.Offline(opts)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq check: %v\n", err)
		return exitUsage
	}
	var refs []checkedRef
	var refErr error
	stmts, err := session.SplitStatements(sql)
	if err != nil {
		refErr = err
	}
	type stmtRefs struct {
		sql  string
		refs []engine.Ref
	}
	var found []stmtRefs
	for _, stmt := range stmts {
		rs, err := sess.Refs(session.Statement{SQL: stmt})
		if err != nil {
			refErr = err
			break
		}
		found = append(found, stmtRefs{stmt, rs})
	}
	loggedIn := false
	if refErr == nil && !offline && session.CanLogIn(opts) {
		if online, err := session.Open(ctx, opts); err != nil {
			fmt.Fprintf(st.Err, "quiltq check: not logged in, so only the rules file decides: %v\n", err)
		} else {
			sess, loggedIn = online, true
		}
	}
	denied := false
	seen := map[checkedRef]bool{}
	for _, f := range found {
		for _, d := range sess.Decide(ctx, f.refs, session.StatementKind(f.sql), true) {
			c := checkedRef{Catalog: d.Ref.Catalog, Database: d.Ref.Database, Table: d.Ref.Table, Access: string(d.Ref.Access), Verdict: string(d.Verdict), Reason: reasonText(d)}
			if seen[c] {
				continue
			}
			seen[c] = true
			refs = append(refs, c)
			denied = denied || d.Verdict == grants.Denied
		}
	}
	// With the role's policies known, the check before sending also
	// evaluates every permission each statement needs: what it refuses is
	// listed, with the statement that fixes it.
	var missing []iam.Gap
	var needs []iam.Requirement
	var notes []string
	known := loggedIn && sess.Known() != nil
	for _, f := range found {
		if !known {
			break
		}
		v, err := sess.Check(ctx, session.Statement{SQL: f.sql})
		var r *session.Refusal
		switch {
		case errors.As(err, &r):
			missing, needs = append(missing, r.Gaps...), append(needs, r.Needs.Requirements...)
			notes = append(notes, r.Needs.Notes...)
			denied = true
		case err != nil && engine.KindOf(err) != engine.Denied:
			fmt.Fprintf(st.Err, "quiltq check: the permissions %q needs could not be checked: %v\n", f.sql, err)
		}
		for _, n := range v.Notes {
			fmt.Fprintf(st.Err, "quiltq check: note: %s\n", n)
		}
	}
	fix := explain.Fix(needs, missing)
	if asJSON {
		out := struct {
			Refs  []checkedRef `json:"refs"`
			Error *string      `json:"error"`
			// Missing are the pairs the role's known policies lack (null
			// when they are not known), Fix the statement that adds them.
			Missing []session.Pair  `json:"missing"`
			Fix     *explain.Policy `json:"fix"`
		}{Refs: refs}
		if known && refErr == nil {
			out.Missing, out.Fix = []session.Pair{}, fix.Policy
			for _, g := range missing {
				out.Missing = append(out.Missing, session.PairOf(g))
			}
		}
		if out.Refs == nil {
			out.Refs = []checkedRef{}
		}
		if refErr != nil {
			msg := refErr.Error()
			out.Refs, out.Error = []checkedRef{}, &msg
		}
		enc := json.NewEncoder(st.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(st.Err, "quiltq check: %v\n", err)
			return exitFailed
		}
	} else if refErr == nil {
		printChecked(st.Out, refs)
		if len(missing) > 0 {
			fmt.Fprintf(st.Out, "\n%s lacks %d permissions the SQL needs (policies: %s):\n", sess.RoleName(), len(missing), sess.Known().Source)
			writeFix(st.Out, sess, session.Needs{Requirements: needs, Notes: notes}, missing)
		}
	}
	switch {
	case refErr != nil:
		fmt.Fprintf(st.Err, "quiltq check: which tables this SQL uses cannot be told, so it would not be sent: %v\n", refErr)
		return exitFailed
	case denied:
		return exitDenied
	}
	return exitOK
}

// checkInput is the SQL of check: the one argument, or stdin for "-" or
// no argument.
func checkInput(pos []string, st streams) (string, int) {
	switch {
	case len(pos) > 1:
		fmt.Fprintln(st.Err, "quiltq check: give the SQL as one argument (quote it), or on stdin")
		return "", exitUsage
	case len(pos) == 1 && pos[0] != "-":
		return pos[0], -1
	case st.In == nil || st.InTTY && len(pos) == 0:
		fmt.Fprintln(st.Err, "quiltq check: give SQL as an argument, or '-' and the SQL on stdin")
		return "", exitUsage
	}
	b, err := io.ReadAll(st.In)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq check: reading stdin: %v\n", err)
		return "", exitUsage
	}
	return string(b), -1
}

// reasonText joins the reasons of a decision for one line.
func reasonText(d grants.Decision) string {
	var parts []string
	for _, r := range d.Reasons {
		parts = append(parts, r.Source+": "+r.Why)
	}
	return strings.Join(parts, "; ")
}

func printChecked(w io.Writer, refs []checkedRef) {
	if len(refs) == 0 {
		fmt.Fprintln(w, "no table references")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tACCESS\tVERDICT\tREASON")
	for _, r := range refs {
		name := grants.Display(engine.Ref{Catalog: r.Catalog, Database: r.Database, Table: r.Table})
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, r.Access, r.Verdict, r.Reason)
	}
	tw.Flush()
}
