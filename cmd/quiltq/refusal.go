package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/session"
)

// This file prints what the session works out about refusals: the
// pre-send check's refusal with the statement that fixes the whole query,
// and the explanation after AWS refused.

// refused prints why the check before sending refused a statement (err,
// from session.Check) and returns the exit code: the grants' refusal
// whole, or the pairs the role's policies lack with the statement that
// fixes the whole query.
func refused(st streams, s *session.Session, err error) int {
	var r *session.Refusal
	var g *grants.Refusal
	var e *engine.Error
	switch {
	case errors.As(err, &r):
		fmt.Fprintf(st.Err, "quiltq: %s\n", r.Summary())
		fmt.Fprintf(st.Err, "  principal: %s\n", r.Principal)
		writeFix(st.Err, s, r.Needs, r.Gaps)
		fmt.Fprintln(st.Err, "  next:      ask your AWS administrator to add the statement to the role, then run the query again")
		return exitDenied
	case errors.As(err, &g):
		fmt.Fprintf(st.Err, "quiltq: %v\n", g)
		return exitDenied
	case errors.As(err, &e) && e.Op == "grant check" && e.Kind == engine.Invalid:
		fmt.Fprintf(st.Err, "quiltq: %v\n", e.Err)
		return exitFailed
	case engine.KindOf(err) == engine.Canceled:
		return exitInterrupted
	}
	return -1
}

// checkNotes prints what the check let through with a remark: only the
// fast path's own read of the result file missing (the rows then come
// through Athena), or what it could not tell.
func checkNotes(st streams, s *session.Session, v session.Verdict) {
	for _, note := range v.Notes {
		fmt.Fprintf(st.Err, "quiltq: note: %s\n", note)
	}
	if len(v.Gaps) > 0 && v.Needs != nil {
		fmt.Fprintf(st.Err, "quiltq: note: %s may not read the result file itself (s3:GetObject outside Athena), so the rows will come through GetQueryResults pages, which is slower\n", s.RoleName())
		writeFix(st.Err, s, *v.Needs, v.Gaps)
	}
}

// writeFix prints the missing pairs, the notes, who must act on what an
// Allow cannot fix, and the statement that fixes the rest.
func writeFix(w io.Writer, s *session.Session, n session.Needs, gaps []iam.Gap) {
	fix := explain.Fix(n.Requirements, gaps)
	var fixable []iam.Gap
	for _, g := range gaps {
		if g.Result.Decision != iam.ExplicitlyDenied {
			fixable = append(fixable, g)
		}
	}
	if len(fixable) > 0 {
		fmt.Fprintf(w, "  missing:   %s\n", strings.Join(session.ActionsOf(fixable), ", "))
		fmt.Fprintln(w, "  pairs:")
		writeGaps(w, fixable)
	}
	if len(fix.Blocked) > 0 {
		fmt.Fprintln(w, "  blocked:   an explicit Deny refuses these, and no Allow can override it:")
		writeGaps(w, fix.Blocked)
		fmt.Fprintln(w, "  who:       your AWS administrator: remove or narrow "+session.DenyStatements(fix.Blocked))
	}
	for _, note := range n.Notes {
		fmt.Fprintf(w, "  note:      %s\n", note)
	}
	if fix.Policy == nil {
		if len(fix.Blocked) > 0 {
			fmt.Fprintln(w, "  no identity-policy statement fixes this: the Deny must change first")
		}
		return
	}
	if len(fix.Blocked) > 0 {
		fmt.Fprintf(w, "once the Deny is changed, the query also needs this statement (add it to %s's identity policies):\n", s.RoleName())
	} else {
		fmt.Fprintf(w, "statement that fixes the whole query (add it to %s's identity policies):\n", s.RoleName())
	}
	fmt.Fprintln(w, fix.Policy.JSON())
}

// writeGaps lists gaps one a line: action, resource, and why.
func writeGaps(w io.Writer, gaps []iam.Gap) {
	width := 0
	for _, g := range gaps {
		width = max(width, len(g.Action))
	}
	for _, g := range gaps {
		via := ""
		if g.Via != "" {
			via = ", through Athena"
		}
		fmt.Fprintf(w, "    %-*s  %s  (%s%s)\n", width, g.Action, g.Resource, g.Why, via)
	}
}

// explainRefusal prints, after a refusal's original text, what it names,
// who can fix it and, where an identity statement can, the one statement
// that fixes the whole statement x ran: the pairs the role lacks when its
// policies are known, everything the statement needs when they are not.
// Credentials problems get the next step and never a policy.
func explainRefusal(w io.Writer, s *session.Session, x athena.Execution, err error) {
	d := explain.Parse(session.DeniedText(err))
	kind := engine.KindOf(err)
	if kind == engine.Credentials || d.Category == explain.CategoryCredentials {
		rem := explain.Denial{Category: explain.CategoryCredentials}.Remedy()
		fmt.Fprintf(w, "  who:       %s\n  why:       %s\n", rem.Who, rem.Why)
		return
	}
	if len(d.Actions) > 0 {
		fmt.Fprintf(w, "  missing:   %s\n", strings.Join(d.Actions, ", "))
	}
	if len(d.Resources) > 0 {
		fmt.Fprintf(w, "  resource:  %s\n", strings.Join(d.Resources, ", "))
	}
	// The lookups below run after the query's own context may be spent;
	// they get a bounded context of their own.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	principal := d.Principal
	if principal == "" && s != nil {
		if c, err := s.Caller(ctx); err == nil {
			principal = c.ARN + " (from STS)"
		}
	}
	if principal != "" {
		fmt.Fprintf(w, "  principal: %s\n", principal)
	}
	policyType := d.PolicyType
	if policyType == "" {
		policyType = "not named in the refusal"
	}
	deny := "no statement allows it"
	if d.ExplicitDeny {
		deny = "an explicit deny"
	}
	fmt.Fprintf(w, "  policy:    %s (%s)\n", policyType, deny)
	rem := d.Remedy()
	// A refusal that names no action is still worked out from the query;
	// only a cause no identity statement reaches stops here.
	if session.IdentityCannotFix(d) {
		fmt.Fprintf(w, "  who:       %s\n  why:       %s\n", rem.Who, rem.Why)
		fmt.Fprintln(w, "  no identity-policy statement fixes this; see who and why above")
		return
	}
	if s == nil || x.SQL == "" {
		writeDenialFix(w, d, explain.Context{Workgroup: x.Workgroup, DataCatalog: x.Catalog}, "")
		return
	}
	stmt := session.Statement{SQL: x.SQL, Catalog: x.Catalog, Database: x.Database, Workgroup: x.Workgroup}
	wf, nerr := s.WholeFix(ctx, stmt, d)
	if nerr != nil {
		writeDenialFix(w, d, wf.Needs.Context, fmt.Sprintf("what the whole statement needs could not be worked out (%v)", nerr))
		return
	}
	n := wf.Needs
	if wf.Known {
		fmt.Fprintf(w, "  the statement needs %d permissions; %s lacks %d of them (policies: %s)\n", len(n.Requirements), s.RoleName(), len(wf.Gaps), s.Known().Source)
		writeFix(w, s, n, wf.Gaps)
		return
	}
	if d.ExplicitDeny {
		fmt.Fprintf(w, "  who:       %s\n  why:       %s\n", rem.Who, rem.Why)
	}
	fmt.Fprintf(w, "  the role's policies are not known here (give --policy FILE to list only what is missing): the statement below allows all %d permissions the statement needs\n", len(n.Requirements))
	for _, note := range n.Notes {
		fmt.Fprintf(w, "  note:      %s\n", note)
	}
	if wf.Fix.Policy != nil {
		fmt.Fprintf(w, "statement that fixes the whole query (add it to %s's identity policies):\n", s.RoleName())
		fmt.Fprintln(w, wf.Fix.Policy.JSON())
	}
}

// writeDenialFix prints the statement the refusal text alone supports.
func writeDenialFix(w io.Writer, d explain.Denial, ctx explain.Context, note string) {
	if note != "" {
		fmt.Fprintf(w, "  note:      %s\n", note)
	}
	if p := explain.FixDenial(d, ctx); p != nil {
		fmt.Fprintln(w, "statement that allows what was refused (add it to the role's identity policies):")
		fmt.Fprintln(w, p.JSON())
	}
}

// explainSessionFailure explains a refusal met before any statement was
// sent (choosing the workgroup, most often): against the statements and
// the workgroup asked for, as after a refused query.
func explainSessionFailure(w io.Writer, s *session.Session, stmts []string, err error) {
	if k := engine.KindOf(err); k != engine.Denied && k != engine.Credentials || errors.Is(err, session.ErrNotLoggedIn) {
		return
	}
	x := athena.Execution{SQL: strings.Join(stmts, ";\n")}
	if s != nil {
		st := s.Settings()
		x.Workgroup, x.Catalog, x.Database = st.Workgroup(), st.Catalog(), st.Database()
	}
	explainRefusal(w, s, x, err)
}
