package report

import (
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine/iam"
)

// DecisionJSON is `quiltq policy eval --json`: the decision and the
// statement that made it.
type DecisionJSON struct {
	Decision  string             `json:"decision"`
	Statement *DecisionStatement `json:"statement"`
}

// DecisionStatement names a statement: its policy, Sid and index.
type DecisionStatement struct {
	Policy string `json:"policy"`
	Sid    string `json:"sid"`
	Index  int    `json:"index"`
}

// DecisionJSONOf is res as DecisionJSON.
func DecisionJSONOf(res iam.Result) DecisionJSON {
	out := DecisionJSON{Decision: res.Decision.String()}
	if res.Statement != nil {
		out.Statement = &DecisionStatement{Policy: res.Policy, Sid: res.Statement.Sid, Index: res.Statement.Index}
	}
	return out
}

// Decision words res, the evaluation of req against the policies of
// files, in one line.
func Decision(req iam.Request, res iam.Result, files []string) string {
	what := req.Action + " on " + req.Resource
	if res.Statement == nil {
		return fmt.Sprintf("ImplicitlyDenied: no statement in %s allows %s", strings.Join(files, ", "), what)
	}
	stmt := fmt.Sprintf("Statement[%d]", res.Statement.Index)
	if res.Statement.Sid != "" {
		stmt += fmt.Sprintf(" (Sid %q)", res.Statement.Sid)
	}
	verb := "allows"
	if res.Decision == iam.ExplicitlyDenied {
		verb = "explicitly denies"
	}
	return fmt.Sprintf("%s: %s of %s %s %s", res.Decision, stmt, res.Policy, verb, what)
}
