// Package report writes, as text for a terminal or a log, what the
// session works out: the pairs a statement lacks with the statement that
// fixes them, the explanation of a refusal, what a statement needs,
// check's verdicts, the doctor's report, who the session is, the
// settings, and a query while it runs and once it has run (the progress
// line, --stats). `quiltq` prints them; the workbench shows the doctor's,
// and the MCP server's progress notifications say what the progress line
// says. (ui/print, which writes query results, stays free of the
// session and so of the AWS SDK.)
package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/session"
)

// Fix writes the missing pairs, the notes, who must act on what an Allow
// cannot fix, and the statement that fixes the rest, to be added to role
// ("role R", "your role"). reqs are every pair the statement needs.
func Fix(w io.Writer, role string, reqs []iam.Requirement, notes []string, gaps []iam.Gap) {
	fix := explain.Fix(reqs, gaps)
	var fixable []iam.Gap
	for _, g := range gaps {
		if !session.Blocked(g) {
			fixable = append(fixable, g)
		}
	}
	if len(fixable) > 0 {
		fmt.Fprintf(w, "  missing:   %s\n", strings.Join(session.ActionsOf(fixable), ", "))
		fmt.Fprintln(w, "  pairs:")
		Pairs(w, fixable)
	}
	// What no identity statement fixes, by who must act.
	for _, b := range session.Blocks(fix.Blocked, role) {
		fmt.Fprintf(w, "  blocked:   refused by %s; no identity statement fixes these:\n", session.RefusedBy(b.DeniedBy, b.Gaps[0].Result.Decision == iam.ExplicitlyDenied))
		Pairs(w, b.Gaps)
		fmt.Fprintf(w, "  denied_by: %s\n", deniedBy(b))
		fmt.Fprintf(w, "  who:       %s\n  why:       %s\n", b.Remedy.Who, b.Remedy.Why)
	}
	for _, note := range notes {
		fmt.Fprintf(w, "  note:      %s\n", note)
	}
	if fix.Policy == nil {
		if len(fix.Blocked) > 0 {
			fmt.Fprintln(w, "  no identity-policy statement fixes this: whoever is named above must act first")
		}
		return
	}
	if len(fix.Blocked) > 0 {
		fmt.Fprintf(w, "once those are changed, the query also needs this statement (add it to %s's identity policies):\n", role)
	} else {
		fmt.Fprintf(w, "statement that fixes the whole query (add it to %s's identity policies):\n", role)
	}
	fmt.Fprintln(w, fix.Policy.JSON())
}

// deniedBy words the policy types that refused a block's gaps as AWS
// would name them, and the one that blocks them when it is another (an
// identity Allow missing under a boundary that lacks it too): "identity;
// blocked_by: boundary".
func deniedBy(b session.Block) string {
	var types []string
	for _, g := range b.Gaps {
		t := string(g.DeniedBy)
		if t == "" {
			t = string(iam.PolicyIdentity)
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	out := strings.Join(types, ", ")
	if len(types) != 1 || types[0] != string(b.DeniedBy) {
		out += "; blocked_by: " + string(b.DeniedBy) + " (an identity statement alone is not enough)"
	}
	return out
}

// Refusal writes, under the line that says what the check before sending
// refused (session.Refusal.Summary), who was refused, the pairs the
// role's policies lack with the statement that fixes the whole query, and
// the next step.
func Refusal(w io.Writer, role string, r *session.Refusal) {
	fmt.Fprintf(w, "  principal: %s\n", r.Principal)
	Fix(w, role, r.Needs.Requirements, r.Needs.Notes, r.Gaps)
	fmt.Fprintln(w, "  next:      "+r.Next())
}

// Pairs lists gaps one a line: action, resource, and why.
func Pairs(w io.Writer, gaps []iam.Gap) {
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

// Explanation writes, after a refusal's own text, what it names, who can
// fix it and, where an identity statement can, the statement that fixes
// the whole statement: the pairs the role lacks when its policies are
// known, everything the statement needs when they are not. Credentials
// problems get who must act and never a policy.
func Explanation(w io.Writer, e session.Explanation) {
	d, rem := e.Denial, e.Remedy
	if e.Credentials {
		fmt.Fprintf(w, "  who:       %s\n  why:       %s\n", rem.Who, rem.Why)
		return
	}
	if len(d.Needed()) > 0 {
		fmt.Fprintf(w, "  missing:   %s\n", strings.Join(d.Needed(), ", "))
	}
	if len(d.Resources) > 0 {
		fmt.Fprintf(w, "  resource:  %s\n", strings.Join(d.Resources, ", "))
	}
	if e.Principal != "" {
		from := ""
		if e.PrincipalFromSTS {
			from = " (from STS)"
		}
		fmt.Fprintf(w, "  principal: %s%s\n", e.Principal, from)
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
	switch {
	case e.NoStatement:
		fmt.Fprintf(w, "  who:       %s\n  why:       %s\n", rem.Who, rem.Why)
		fmt.Fprintln(w, "  no identity-policy statement fixes this; see who and why above")
		return
	case e.Whole == nil:
		if e.WholeErr != nil {
			fmt.Fprintf(w, "  note:      what the whole statement needs could not be worked out (%v)\n", e.WholeErr)
		}
		if e.TextFix != nil {
			fmt.Fprintln(w, "statement that allows what was refused (add it to the role's identity policies):")
			fmt.Fprintln(w, e.TextFix.JSON())
		}
		return
	}
	wf := e.Whole
	n := wf.Needs
	if wf.Known {
		fmt.Fprintf(w, "  the statement needs %d permissions; %s lacks %d of them (policies: %s)\n", len(n.Requirements), e.RoleName, len(wf.Gaps), e.Policies)
		Fix(w, e.RoleName, n.Requirements, n.Notes, wf.Gaps)
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
		fmt.Fprintf(w, "statement that fixes the whole query (add it to %s's identity policies):\n", e.RoleName)
		fmt.Fprintln(w, wf.Fix.Policy.JSON())
	}
}

// SQLNeeds writes what a statement needs, what the role lacks of it, and
// the statement that fixes the whole query.
func SQLNeeds(w io.Writer, e session.SQLNeeds) {
	n := e.Needs
	fmt.Fprintf(w, "the query needs %d permissions in workgroup %s, for %s:\n", len(n.Requirements), e.Workgroup, e.Principal)
	all := make([]iam.Gap, len(n.Requirements))
	for i, r := range n.Requirements {
		all[i] = iam.Gap{Requirement: r}
	}
	Pairs(w, all)
	notes := func() {
		for _, note := range n.Notes {
			fmt.Fprintf(w, "  note:      %s\n", note)
		}
	}
	switch {
	case !e.Known:
		fmt.Fprintln(w, "the role's policies are not known (give --policy FILE, or use --sandbox): the statement below allows everything the query needs")
		notes()
		if e.Fix != nil {
			fmt.Fprintf(w, "statement that fixes the whole query (add it to %s's identity policies):\n", e.RoleName)
			fmt.Fprintln(w, e.Fix.JSON())
		}
	case len(e.Gaps) == 0:
		fmt.Fprintf(w, "%s allows all of them (policies: %s)\n", e.RoleName, *e.Policies)
		notes()
	default:
		fmt.Fprintf(w, "%s lacks %d of them (policies: %s):\n", e.RoleName, len(e.Gaps), *e.Policies)
		Fix(w, e.RoleName, n.Requirements, n.Notes, e.Gaps)
	}
}

// Doctor writes the doctor's report as a table, the missing actions and
// the statement that fixes them, to be added to role ("role R").
func Doctor(w io.Writer, rep session.Report, role string) {
	fmt.Fprintf(w, "quiltq doctor: %s\n", rep.Principal)
	if rep.Policies != nil {
		fmt.Fprintf(w, "policies: %s\n", *rep.Policies)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tRESULT\tDETAIL")
	for _, c := range rep.Checks {
		detail := c.Detail
		if c.DeniedBy != "" {
			detail += " (denied_by " + c.DeniedBy + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Check, c.Status, detail)
	}
	tw.Flush()
	fmt.Fprintln(w)
	if len(rep.Missing) == 0 && rep.WhoCanFix == nil {
		fmt.Fprintf(w, "nothing is missing (%.1f s)\n", rep.Seconds)
		return
	}
	if len(rep.Missing) > 0 {
		fmt.Fprintf(w, "missing: %s\n", strings.Join(rep.Missing, ", "))
	}
	if rep.WhoCanFix != nil {
		fmt.Fprintf(w, "who must act: %s\n", *rep.WhoCanFix)
	}
	if rep.Fix != nil {
		fmt.Fprintf(w, "statement that fixes every refusal above (add it to %s's identity policies):\n", role)
		fmt.Fprintln(w, rep.Fix.JSON())
	}
	fmt.Fprintf(w, "(%.1f s)\n", rep.Seconds)
}
