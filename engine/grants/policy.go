package grants

import (
	"fmt"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
)

// Policy is the grants of a known IAM policy: the role's own documents
// (the sandbox knows them) or files the user names with --policy. It asks,
// with engine/iam, whether the policy allows the Glue and Lambda actions
// Athena makes for the caller to resolve the reference: the actions that
// decide whether a table may be touched at all. Athena, S3 and KMS
// actions on the workgroup and results are the query's, not a table's;
// `quiltq explain --sql` checks those.
type Policy struct {
	// Label names the policy in messages: "role ReadOnlyQuilt's policy",
	// "policy file team.json".
	Label    string
	Policies []*iam.Policy
	Caller   iam.Caller
	// Region and Account build the ARNs asked about.
	Region, Account string
	// Catalogs describes the non-Glue data catalogs (a Lambda catalog's
	// function); a reference into a catalog not described is not decided.
	Catalogs []iam.DataCatalog
	// Others, when set, are the other policy types known to bear on the
	// caller's requests (session policy, boundary, SCPs, resource
	// policies; its Identity is ignored for Policies): each reference is
	// then decided with all of them.
	Others *iam.Known
}

// Name implements Source.
func (p *Policy) Name() string {
	if p.Caller.ARN == "" {
		return p.Label
	}
	return p.Label + " (for " + p.Caller.ARN + ")"
}

// Decide implements Source.
func (p *Policy) Decide(ref engine.Ref, kind iam.StatementKind) (Verdict, string) {
	reqs, err := iam.Requirements(iam.Query{
		Region: p.Region, Account: p.Account,
		// Requirements wants a workgroup; its requirements are dropped below.
		Workgroup: "grant-check",
		Kind:      kind, Refs: []engine.Ref{ref}, Catalogs: p.Catalogs,
	})
	if err != nil {
		return Unknown, ""
	}
	var mine []iam.Requirement
	for _, r := range reqs {
		if p.aboutRef(r, ref) {
			mine = append(mine, r)
		}
	}
	if len(mine) == 0 {
		return Unknown, ""
	}
	var gaps []iam.Gap
	if p.Others != nil {
		k := *p.Others
		k.Identity = p.Policies
		gaps = k.Missing(mine, p.Caller)
	} else {
		gaps = iam.Missing(mine, p.Caller, p.Policies...)
	}
	if len(gaps) == 0 {
		return Allowed, fmt.Sprintf("it allows the %d Glue and Lambda actions Athena takes for it", len(mine))
	}
	// One clause per action: "does not allow glue:GetTable on A, B".
	var parts []string
	at := map[string]int{}
	for _, g := range gaps {
		how := "does not allow"
		if g.Result.Decision == iam.ExplicitlyDenied {
			how = "explicitly denies"
		}
		if by := otherType(g.DeniedBy); by != "" {
			how += " (by its " + by + ")"
		}
		key := how + " " + g.Action
		if i, ok := at[key]; ok {
			parts[i] += ", " + g.Resource
			continue
		}
		at[key] = len(parts)
		parts = append(parts, key+" on "+g.Resource)
	}
	return Denied, "it " + strings.Join(parts, "; ")
}

// otherType names a policy type other than identity for a reason, ""
// for identity.
func otherType(t iam.PolicyType) string {
	if t == iam.PolicyIdentity {
		return ""
	}
	return t.Name()
}

// aboutRef keeps the table-level requirements of ref: Glue actions on the
// catalog, its database and table, and a Lambda catalog's connector.
// Athena's check of the default database is the query's, not the table's,
// unless the reference is in that database.
func (p *Policy) aboutRef(r iam.Requirement, ref engine.Ref) bool {
	switch r.Purpose {
	case iam.PurposeConnector, iam.PurposeCatalog:
		return true
	case iam.PurposeMetadata:
		if strings.HasSuffix(r.Resource, ":database/default") {
			return strings.EqualFold(ref.Database, "default")
		}
		return true
	}
	return false
}

// Offer implements Source.
func (p *Policy) Offer(engine.Ref) string {
	return "`quiltq explain --sql` prints the statement " + p.Label + " would need"
}
