package session

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/iam"
)

// This file is the one answer to "may this statement be sent, and if not,
// what fixes it", which `quiltq -e`, the workbench, `quiltq check` and the
// MCP server all ask before sending anything, so that none of them lets
// through what another refuses.

// Verdict is what the check before sending found of one statement.
type Verdict struct {
	// Decisions are the grant sources' verdicts on each table reference,
	// the known policy among them (for `quiltq check`).
	Decisions []grants.Decision
	// Needs is every pair the statement needs, when the role's policies
	// are known and the needs could be worked out; Gaps are those the
	// policies do not allow, FastPath ones included (which alone do not
	// refuse the statement: its rows then come through Athena).
	Needs *Needs
	Gaps  []iam.Gap
	// Notes say what the check could not tell.
	Notes []string
}

// Refusal is the error of a statement the role's known policies do not
// allow: every missing pair, and the statement that fixes them all.
type Refusal struct {
	Role      string // "role R", or "your role"
	Policies  string // where the policies came from
	Principal string
	Needs     Needs
	Gaps      []iam.Gap // every missing pair, explicitly denied ones included
	Fix       explain.FixResult
}

// Summary is the refusal in one line.
func (r *Refusal) Summary() string {
	return fmt.Sprintf("refused before sending: %s lacks %d of the %d permissions (action on resource) this statement needs (policies: %s); nothing was sent to Athena",
		r.Role, len(r.Gaps), len(r.Needs.Requirements), r.Policies)
}

// Error is the summary, the actions missing and the principal, short
// enough for a panel; the pairs are in Gaps, the statement in Fix.
func (r *Refusal) Error() string {
	var fixable []iam.Gap
	for _, g := range r.Gaps {
		if !Blocked(g) {
			fixable = append(fixable, g)
		}
	}
	var b strings.Builder
	b.WriteString(r.Summary())
	if len(fixable) > 0 {
		fmt.Fprintf(&b, "\n  missing:   %s", strings.Join(ActionsOf(fixable), ", "))
	}
	for _, bl := range r.Blocks() {
		fmt.Fprintf(&b, "\n  denied:    %s by %s", strings.Join(ActionsOf(bl.Gaps), ", "), RefusedBy(bl.DeniedBy, bl.Gaps[0].Result.Decision == iam.ExplicitlyDenied))
		fmt.Fprintf(&b, "\n  who:       %s", bl.Remedy.Who)
	}
	fmt.Fprintf(&b, "\n  principal: %s", r.Principal)
	return b.String()
}

// Next says what to do next, in a line: ask for the statement, and,
// where no identity statement fixes some of the gaps, who must act on
// those.
func (r *Refusal) Next() string {
	blocks := r.Blocks()
	if len(blocks) == 0 {
		return "ask your AWS administrator to add the statement to the role, then run the query again"
	}
	var who []string
	for _, b := range blocks {
		who = append(who, b.Remedy.Who)
	}
	if r.Fix.Policy == nil {
		return "no statement on the role fixes this: ask " + strings.Join(who, "; and ") + ", then run the query again"
	}
	return "ask " + strings.Join(who, "; and ") + "; and ask your AWS administrator to add the statement to the role; then run the query again"
}

// Blocked reports whether no identity statement fixes g: an explicit
// Deny, or another policy type that would still refuse it.
func Blocked(g iam.Gap) bool {
	return g.Result.Decision == iam.ExplicitlyDenied || g.Blocker != ""
}

// Block is the gaps one party must act on: the policy type that refuses
// them and who must act.
type Block struct {
	DeniedBy iam.PolicyType
	Remedy   explain.Remedy
	Gaps     []iam.Gap
}

// Blocks groups the refusal's gaps no identity statement fixes by who
// must act, in the order first met.
func (r *Refusal) Blocks() []Block { return Blocks(r.Gaps, r.Role) }

// Blocks groups the gaps no identity statement fixes by who must act
// (explain.WhoMustAct for role, "role R" or "your role"), in the order
// first met.
func Blocks(gaps []iam.Gap, role string) []Block {
	var out []Block
	for _, g := range gaps {
		if !Blocked(g) {
			continue
		}
		if g.Blocker == "" {
			g.Blocker = iam.PolicyIdentity // an explicit Deny Missing found
		}
		rem := explain.WhoMustAct(g, role)
		i := 0
		for i < len(out) && out[i].Remedy.Who != rem.Who {
			i++
		}
		if i == len(out) {
			out = append(out, Block{DeniedBy: g.Blocker, Remedy: rem})
		}
		out[i].Gaps = append(out[i].Gaps, g)
	}
	return out
}

// RefusedBy words what refuses a pair, to follow "by": "an explicit
// Deny in the resource-based policy", "the session policy, which does not
// allow it".
func RefusedBy(t iam.PolicyType, explicit bool) string {
	name := t.Name()
	if name == "" {
		name = string(t) + " policy"
	}
	if explicit {
		return "an explicit Deny in the " + name
	}
	return "the " + name + ", which does not allow it"
}

// Check decides whether stmt may be sent: every table it names against
// the grant sources (the rules file, the Quilt role's buckets), then, when
// the role's policies are known, every (action, resource) pair it needs
// (Needs) against them. It returns nil when stmt may be sent; an error of
// kind Denied holding a *grants.Refusal (a source refused a table) or a
// *Refusal (the policies lack pairs); of kind Invalid when the tables it
// names cannot be told while something is checked; of kind Canceled when
// ctx ended. The verdict says what was found either way.
//
// A refusal by the grant sources costs no AWS call; the policies' check
// reads the workgroup, the data catalogs and the tables from Athena (the
// workgroup is chosen when stmt names none).
func (s *Session) Check(ctx context.Context, stmt Statement) (Verdict, error) {
	var v Verdict
	if err := s.ReadOnlyCheck(stmt); err != nil {
		return v, err
	}
	known := s.Known()
	if !s.GrantsActive(ctx, false) && known == nil {
		return v, nil
	}
	refs, err := s.Refs(stmt)
	if se := syntaxOf(err); se != nil {
		return v, &engine.Error{Op: "grant check", Kind: engine.Invalid, Err: se}
	}
	if err != nil {
		return v, &engine.Error{Op: "grant check", Kind: engine.Invalid, Err: fmt.Errorf("which tables this SQL uses cannot be told, so it is not sent: %w", err)}
	}
	kind := StatementKind(stmt.SQL)
	v.Decisions = s.Decide(ctx, refs, kind, false)
	if denied := grants.Denials(v.Decisions); len(denied) > 0 {
		return v, &engine.Error{Op: "grant check", Kind: engine.Denied, Err: &grants.Refusal{Denied: denied}}
	}
	if known == nil {
		return v, nil
	}
	v.Decisions = s.Decide(ctx, refs, kind, true)
	n, err := s.Needs(ctx, stmt)
	if err != nil {
		if engine.KindOf(err) == engine.Canceled || ctx.Err() != nil {
			return v, err
		}
		// The tables are still checked against the policy, as far as the
		// Glue and Lambda actions Athena takes for them go.
		v.Notes = append(v.Notes, fmt.Sprintf("the permissions this statement needs could not be worked out (%v); only the Glue and Lambda permissions of its tables were checked", err))
		if denied := grants.Denials(v.Decisions); len(denied) > 0 {
			return v, &engine.Error{Op: "grant check", Kind: engine.Denied, Err: &grants.Refusal{Denied: denied}}
		}
		return v, nil
	}
	v.Needs = &n
	v.Gaps, _ = s.Missing(n)
	for _, g := range v.Gaps {
		if !FastPath(g) {
			return v, &engine.Error{Op: "grant check", Kind: engine.Denied, Err: &Refusal{
				Role: s.RoleName(), Policies: known.Source, Principal: n.Caller.ARN,
				Needs: n, Gaps: v.Gaps, Fix: explain.Fix(n.Requirements, v.Gaps),
			}}
		}
	}
	return v, nil
}

// CheckedRef is one table reference in a CheckReport: `quiltq check
// --json` prints them.
type CheckedRef struct {
	Catalog  string `json:"catalog"`
	Database string `json:"database"`
	Table    string `json:"table"`
	Access   string `json:"access"`
	Verdict  string `json:"verdict"`
	Reason   string `json:"reason"`
}

// CheckReport is what the check before sending says of a script, without
// sending anything: each table reference with every source's verdict
// (the known policy among them), and, when the role's policies are known,
// every permission the statements need that they lack, with the statement
// that fixes them all. `quiltq check --json` prints it.
type CheckReport struct {
	Refs []CheckedRef `json:"refs"`
	// Error is why the references cannot be told (then Refs is empty).
	Error *string `json:"error"`
	// Missing are the pairs the known policies lack (null when they are
	// not known), Fix the statement that adds them.
	Missing []Pair          `json:"missing"`
	Fix     *explain.Policy `json:"fix"`

	// Denied says something is refused, by a source or the policies.
	Denied bool `json:"-"`
	// Gaps, Needs and Notes are Missing as pairs, the requirements they
	// were found among, and what could not be told.
	Gaps  []iam.Gap         `json:"-"`
	Needs []iam.Requirement `json:"-"`
	Notes []string          `json:"-"`
}

// CheckSQL checks every statement of sql as Check does before sending
// it, and reports on each reference whatever the sources say. It works
// on an Offline session too (then only the rules file decides).
func (s *Session) CheckSQL(ctx context.Context, sql string) CheckReport {
	out := CheckReport{Refs: []CheckedRef{}}
	fail := func(err error) CheckReport {
		msg := err.Error()
		return CheckReport{Refs: []CheckedRef{}, Error: &msg}
	}
	stmts, err := SplitStatements(sql)
	if err != nil {
		return fail(err)
	}
	refs := make([][]engine.Ref, len(stmts))
	// A script may hold thousands of references: each statement looks at
	// ctx first, so that a signal ends the check mid-way (the caller sees
	// ctx.Err()).
	for i, stmt := range stmts {
		if err := ctx.Err(); err != nil {
			return fail(&engine.Error{Op: "check", Kind: engine.Canceled, Err: err})
		}
		if refs[i], err = s.Refs(Statement{SQL: stmt}); err != nil {
			return fail(err)
		}
	}
	seen := map[CheckedRef]bool{}
	for _, stmt := range stmts {
		if err := s.ReadOnlyCheck(Statement{SQL: stmt}); err != nil {
			out.Denied = true
			out.Notes = append(out.Notes, err.Error())
		}
	}
	for i, stmt := range stmts {
		if err := ctx.Err(); err != nil {
			return fail(&engine.Error{Op: "check", Kind: engine.Canceled, Err: err})
		}
		for _, d := range s.Decide(ctx, refs[i], StatementKind(stmt), true) {
			c := CheckedRef{Catalog: d.Ref.Catalog, Database: d.Ref.Database, Table: d.Ref.Table, Access: string(d.Ref.Access), Verdict: string(d.Verdict), Reason: reasonText(d)}
			if !seen[c] {
				seen[c] = true
				out.Refs = append(out.Refs, c)
			}
			out.Denied = out.Denied || d.Verdict == grants.Denied
		}
	}
	if s.client == nil || s.Known() == nil {
		return out
	}
	// With the role's policies known, the check before sending also
	// evaluates every permission each statement needs.
	for _, stmt := range stmts {
		if err := ctx.Err(); err != nil {
			return fail(&engine.Error{Op: "check", Kind: engine.Canceled, Err: err})
		}
		v, err := s.Check(ctx, Statement{SQL: stmt})
		var r *Refusal
		switch {
		case errors.As(err, &r):
			out.Gaps, out.Needs = append(out.Gaps, r.Gaps...), append(out.Needs, r.Needs.Requirements...)
			out.Notes = append(out.Notes, r.Needs.Notes...)
			out.Denied = true
		case err != nil && engine.KindOf(err) != engine.Denied:
			out.Notes = append(out.Notes, fmt.Sprintf("the permissions %q needs could not be checked: %v", stmt, err))
		}
		out.Notes = append(out.Notes, v.Notes...)
	}
	out.Missing = []Pair{}
	for _, g := range out.Gaps {
		out.Missing = append(out.Missing, PairOf(g))
	}
	out.Fix = explain.Fix(out.Needs, out.Gaps).Policy
	return out
}

// reasonText joins the reasons of a decision for one line.
func reasonText(d grants.Decision) string {
	var parts []string
	for _, r := range d.Reasons {
		parts = append(parts, r.Source+": "+r.Why)
	}
	return strings.Join(parts, "; ")
}
