package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/session"
)

// Refusal is what a refused query (or lookup) comes back with, as the
// structured content of a tool error: what is missing, for whom, who must
// act, and the one statement that fixes the whole query.
type Refusal struct {
	// Stage is where it was refused: "grants" (a rules file or the Quilt
	// role's buckets, before sending), "policy" (the role's known IAM
	// policies, before sending) or "aws" (AWS refused it).
	Stage string `json:"stage" jsonschema:"where the query was refused: grants or policy (before anything was sent to AWS) or aws (AWS refused it)"`
	// Sent says whether anything reached Athena.
	Sent    bool   `json:"sent" jsonschema:"whether the query reached Athena"`
	Message string `json:"message" jsonschema:"the refusal in words"`
	// MissingActions are the IAM actions missing, each once, sorted.
	MissingActions []string `json:"missing_actions" jsonschema:"the IAM actions the principal lacks"`
	// Missing are the (action, resource) pairs missing.
	Missing   []session.Pair `json:"missing" jsonschema:"every missing (action, resource) pair, with what needs it"`
	Resources []string       `json:"resources" jsonschema:"the resources (ARNs) the missing actions are on"`
	Principal string         `json:"principal" jsonschema:"the AWS principal that was refused"`
	// PolicyType is the kind of policy that refused (identity, resource,
	// scp, session, boundary, ...), "" when the refusal does not say.
	PolicyType   string `json:"policy_type" jsonschema:"the kind of policy that refused: identity, resource, scp, session, boundary, vpc_endpoint, lake_formation, kms, or empty when unknown"`
	ExplicitDeny bool   `json:"explicit_deny" jsonschema:"a Deny statement refused (no Allow can fix it)"`
	// DeniedTables are the table references the grants refused.
	DeniedTables []DeniedTable `json:"denied_tables" jsonschema:"table references the grants refused, with why"`
	WhoMustAct   string        `json:"who_must_act" jsonschema:"who must act to fix it"`
	Why          string        `json:"why,omitempty" jsonschema:"why, in a sentence"`
	// FixStatement is the identity policy that fixes the whole query:
	// every pair it lacks, not only the one AWS named. Null when no
	// identity statement fixes it (then WhoMustAct says who acts).
	FixStatement *explain.Policy `json:"fix_statement" jsonschema:"the identity-policy document whose statement fixes the whole query; null when no identity statement can"`
	FixRole      string          `json:"fix_role,omitempty" jsonschema:"the role the statement is to be added to"`
	Blocked      []session.Pair  `json:"blocked" jsonschema:"pairs an explicit Deny refuses: the Deny must change"`
	Notes        []string        `json:"notes" jsonschema:"what could not be told while working this out"`
}

// DeniedTable is one table reference the grants refused.
type DeniedTable struct {
	Table  string `json:"table" jsonschema:"catalog.database.table"`
	Access string `json:"access" jsonschema:"read, write or metadata"`
	Reason string `json:"reason" jsonschema:"which source refused it and why"`
}

// newRefusal is an empty refusal with its lists non-nil, as the output
// schema wants arrays.
func newRefusal(stage string) *Refusal {
	return &Refusal{Stage: stage, MissingActions: []string{}, Missing: []session.Pair{}, Resources: []string{},
		DeniedTables: []DeniedTable{}, Blocked: []session.Pair{}, Notes: []string{}}
}

// refusalOf shapes err, a refusal of stmt, into a Refusal: the check
// before sending refused it (a *session.Refusal or *grants.Refusal), or
// AWS did (x is what ran, or was to run). It returns nil when err is no
// refusal.
func (s *Server) refusalOf(ctx context.Context, stmt session.Statement, x athena.Execution, err error) *Refusal {
	var pr *session.Refusal
	var gr *grants.Refusal
	switch {
	case errors.As(err, &pr):
		return s.policyRefusal(pr)
	case errors.As(err, &gr):
		return s.grantsRefusal(ctx, stmt, gr)
	case errors.Is(err, session.ErrNotLoggedIn):
		return nil // no login at all: nobody was refused
	case engine.KindOf(err) == engine.Denied || engine.KindOf(err) == engine.Credentials:
		return s.awsRefusal(ctx, x, err)
	}
	return nil
}

// policyRefusal is the check's refusal by the role's known policies.
func (s *Server) policyRefusal(r *session.Refusal) *Refusal {
	out := newRefusal("policy")
	out.Message = r.Summary()
	out.Principal = r.Principal
	out.PolicyType = explain.PolicyIdentity
	out.FixStatement = r.Fix.Policy
	out.FixRole = r.Role
	out.Notes = append(out.Notes, r.Needs.Notes...)
	var fixable []iam.Gap
	for _, g := range r.Gaps {
		if g.Result.Decision == iam.ExplicitlyDenied {
			out.ExplicitDeny = true
			out.Blocked = append(out.Blocked, session.PairOf(g))
			continue
		}
		fixable = append(fixable, g)
		out.Missing = append(out.Missing, session.PairOf(g))
	}
	out.MissingActions = nonNil(session.ActionsOf(r.Gaps))
	out.Resources = resourcesOf(r.Gaps)
	out.WhoMustAct, out.Why = s.whoForStatement(r.Role, len(fixable) > 0, r.Gaps)
	return out
}

// grantsRefusal is the check's refusal by a grant source.
func (s *Server) grantsRefusal(ctx context.Context, stmt session.Statement, r *grants.Refusal) *Refusal {
	out := newRefusal("grants")
	out.Message = r.Error()
	for _, d := range r.Denied {
		var why []string
		for _, re := range d.Reasons {
			w := re.Source + ": " + re.Why
			if re.Instead != "" {
				w += " (instead: " + re.Instead + ")"
			}
			why = append(why, w)
		}
		out.DeniedTables = append(out.DeniedTables, DeniedTable{Table: refName(d.Ref), Access: string(d.Ref.Access), Reason: strings.Join(why, "; ")})
	}
	fix, notes, err := s.sess.QueryFix(ctx, stmt, r)
	out.Notes = append(out.Notes, notes...)
	if err != nil {
		out.Notes = append(out.Notes, "the statement that would fix it could not be worked out: "+err.Error())
	}
	if fix != "" {
		var p explain.Policy
		if json.Unmarshal([]byte(fix), &p) == nil {
			out.FixStatement = &p
			out.PolicyType = explain.PolicyIdentity
			out.FixRole = s.sess.RoleName()
			for _, st := range p.Statement {
				out.MissingActions = append(out.MissingActions, st.Action...)
				out.Resources = append(out.Resources, st.Resource...)
			}
			out.MissingActions, out.Resources = uniqueSorted(out.MissingActions), uniqueSorted(out.Resources)
		}
	}
	if out.FixStatement != nil {
		out.WhoMustAct, out.Why = s.whoForStatement(out.FixRole, true, nil)
	} else {
		out.WhoMustAct = "a Quilt admin (who grants the Quilt role its buckets) or whoever keeps the grants rules file"
		out.Why = "the table is outside what the user's grants allow; no IAM statement changes that"
	}
	if p, err := s.sess.Principal(ctx); err == nil {
		out.Principal = p
	}
	return out
}

// awsRefusal explains a refusal AWS sent back, with the statement that
// fixes the whole statement x ran.
func (s *Server) awsRefusal(ctx context.Context, x athena.Execution, err error) *Refusal {
	e := s.sess.Explain(ctx, x, err)
	d := e.Denial
	out := newRefusal("aws")
	out.Sent = x.ID != ""
	out.Message = session.DeniedText(err)
	out.MissingActions = nonNil(d.Needed())
	out.Resources = nonNil(d.Resources)
	out.Principal = e.Principal
	out.PolicyType = d.PolicyType
	out.ExplicitDeny = d.ExplicitDeny
	out.WhoMustAct, out.Why = e.Remedy.Who, e.Remedy.Why
	switch {
	case e.Credentials || e.NoStatement:
	case e.Whole != nil:
		out.FixStatement = e.Whole.Fix.Policy
		out.FixRole = e.RoleName
		for _, g := range e.Whole.Gaps {
			if g.Result.Decision != iam.ExplicitlyDenied {
				out.Missing = append(out.Missing, session.PairOf(g))
			}
		}
		for _, g := range e.Whole.Fix.Blocked {
			out.Blocked = append(out.Blocked, session.PairOf(g))
		}
		out.MissingActions = uniqueSorted(append(out.MissingActions, session.ActionsOf(e.Whole.Gaps)...))
		out.Notes = append(out.Notes, e.Whole.Needs.Notes...)
		if !e.Whole.Known {
			out.Notes = append(out.Notes, "the role's policies are not known here: the statement allows every permission the query needs")
		}
	default:
		if e.WholeErr != nil {
			out.Notes = append(out.Notes, fmt.Sprintf("what the whole statement needs could not be worked out (%v)", e.WholeErr))
		}
		out.FixStatement = e.TextFix
	}
	return out
}

// whoForStatement says who adds the fix statement to role, and why.
func (s *Server) whoForStatement(role string, fixable bool, gaps []iam.Gap) (who, why string) {
	if role == "" {
		role = "your role"
	}
	var blocked []iam.Gap
	for _, g := range gaps {
		if g.Result.Decision == iam.ExplicitlyDenied {
			blocked = append(blocked, g)
		}
	}
	switch {
	case len(blocked) > 0 && fixable:
		who = "your AWS administrator: remove or narrow " + session.DenyStatements(blocked) + ", then add fix_statement to " + role + "'s identity policies"
	case len(blocked) > 0:
		who = "your AWS administrator: remove or narrow " + session.DenyStatements(blocked)
	default:
		who = "your AWS administrator: add fix_statement to " + role + "'s identity policies"
	}
	if s.opts.CanApplyFix {
		who += " (in the sandbox, the sandbox_apply_fix tool adds it)"
	}
	return who, "no statement in the role's identity policies allows these actions on these resources"
}

func refName(r engine.Ref) string { return r.Catalog + "." + r.Database + "." + r.Table }

func resourcesOf(gaps []iam.Gap) []string {
	var out []string
	for _, g := range gaps {
		out = append(out, g.Resource)
	}
	return uniqueSorted(out)
}

// uniqueSorted is ss sorted, each once, never nil.
func uniqueSorted(ss []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
