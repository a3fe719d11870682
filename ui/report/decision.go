package report

import (
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine/iam"
)

// DecisionJSON is `quiltq policy eval --json`: the decision, the policy
// type that made it and the statement that did.
type DecisionJSON struct {
	Decision string `json:"decision"`
	// DeniedBy is the policy type that refused: identity, session,
	// boundary, scp, resource, or none when allowed.
	DeniedBy string `json:"denied_by"`
	// AllowedBy is the policy type whose Allow granted (identity or
	// resource), none when denied.
	AllowedBy string `json:"allowed_by"`
	// SCPLevel is the level (0 = root) of the SCP that refused; null
	// unless denied_by is scp.
	SCPLevel     *int               `json:"scp_level"`
	CrossAccount bool               `json:"cross_account"`
	Statement    *DecisionStatement `json:"statement"`
}

// DecisionStatement names a statement: its policy, Sid and index.
type DecisionStatement struct {
	Policy string `json:"policy"`
	Sid    string `json:"sid"`
	Index  int    `json:"index"`
}

// DecisionJSONOf is res as DecisionJSON.
func DecisionJSONOf(res iam.Outcome) DecisionJSON {
	out := DecisionJSON{Decision: res.Decision.String(), DeniedBy: string(res.DeniedBy), AllowedBy: string(res.AllowedBy), CrossAccount: res.CrossAccount}
	if res.DeniedBy == iam.PolicySCP {
		level := res.SCPLevel
		out.SCPLevel = &level
	}
	if res.Statement != nil {
		out.Statement = &DecisionStatement{Policy: res.Policy, Sid: res.Statement.Sid, Index: res.Statement.Index}
	}
	return out
}

// Decision words the outcome of req in one line: the decision, the policy
// type that decided it, and the statement (or, for an implicit deny, the
// files of the type that lacked an Allow). files are the policy files
// given, by type.
func Decision(req iam.Request, res iam.Outcome, files map[iam.PolicyType][]string) string {
	what := req.Action + " on " + req.Resource
	by := res.AllowedBy
	if res.Decision != iam.Allowed {
		by = res.DeniedBy
	}
	typ := by.Name()
	if typ == "" {
		typ = iam.PolicyIdentity.Name()
	}
	if by == iam.PolicySCP {
		typ += fmt.Sprintf(" at level %d", res.SCPLevel)
	}
	if res.CrossAccount {
		typ += ", across accounts"
	}
	if res.Statement == nil {
		where := strings.Join(files[by], ", ")
		switch {
		case by == iam.PolicyResource && len(files[by]) == 0:
			return fmt.Sprintf("%s by the %s: the resource is another account's and no resource-based policy was given (--resource-policy) to allow %s", res.Decision, typ, what)
		case res.Policy != "":
			where = res.Policy
		}
		return fmt.Sprintf("%s by the %s: no statement in %s allows %s", res.Decision, typ, where, what)
	}
	stmt := fmt.Sprintf("Statement[%d]", res.Statement.Index)
	if res.Statement.Sid != "" {
		stmt += fmt.Sprintf(" (Sid %q)", res.Statement.Sid)
	}
	verb := "allows"
	if res.Decision == iam.ExplicitlyDenied {
		verb = "explicitly denies"
	}
	return fmt.Sprintf("%s by the %s: %s of %s %s %s", res.Decision, typ, stmt, res.Policy, verb, what)
}
