package explain

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/quiltq/quiltq/engine/iam"
)

// Policy is an identity policy document in the shape IAM reads, ready to
// print and paste.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one Allow statement of a fix.
type Statement struct {
	Sid       string                         `json:"Sid"`
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// JSON returns the policy as indented JSON.
func (p *Policy) JSON() string {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		// Only strings, slices and maps of strings: Marshal cannot fail.
		panic(err)
	}
	return string(b)
}

// FixResult is the fix for a set of missing requirements.
type FixResult struct {
	// Policy holds the statements that make every fixable requirement
	// allowed; nil when there are none.
	Policy *Policy
	// Blocked are the requirements an explicit Deny or another policy
	// type refuses: no identity Allow statement fixes them; the Deny or
	// that policy must change (WhoMustAct).
	Blocked []iam.Gap
}

// calledViaPurposes are where Quilt's convention conditions a statement on
// aws:CalledVia (Glue, table data and connectors reached only through
// Athena); results stay unconditioned, since quiltq reads them itself.
func calledViaPurpose(p iam.Purpose) bool {
	switch p {
	case iam.PurposeMetadata, iam.PurposeData, iam.PurposeConnector, iam.PurposeSpill:
		return true
	}
	return false
}

// Fix returns the smallest statement set that allows every missing
// requirement: the pairs are grouped by service and by whether Quilt's
// aws:CalledVia condition applies, and statements are merged wherever the
// extra pairs a merge grants are not effective (an action on a resource
// type it is never checked on, such as glue:GetDatabase on a table ARN,
// or glue:GetTable on a database whose tables are not granted). Every
// resource is a real ARN from the requirements. Explicitly denied pairs,
// and pairs another policy type would still refuse (Gap.Blocker: a
// boundary, session policy, SCP or resource policy), are returned in
// Blocked instead: no identity statement fixes them (WhoMustAct says who
// does).
//
// missing is the output of iam.Missing for the role's policies. When the
// policies are not known, pass nil: then every requirement is fixed.
func Fix(reqs []iam.Requirement, missing []iam.Gap) FixResult {
	var res FixResult
	var todo []iam.Requirement
	if missing == nil {
		todo = reqs
	} else {
		for _, g := range missing {
			if g.Result.Decision == iam.ExplicitlyDenied || g.Blocker != "" {
				res.Blocked = append(res.Blocked, g)
				continue
			}
			todo = append(todo, g.Requirement)
		}
	}
	res.Policy = build(todo)
	return res
}

// group is the pairs one statement (or several, before merging) grants.
type group struct {
	service   string
	calledVia bool
	purposes  []iam.Purpose
	pairs     map[[2]string]bool
}

// build turns requirements into a policy, or nil for none.
func build(reqs []iam.Requirement) *Policy {
	var groups []*group
	find := func(svc string, via bool) *group {
		for _, g := range groups {
			if g.service == svc && g.calledVia == via {
				return g
			}
		}
		g := &group{service: svc, calledVia: via, pairs: map[[2]string]bool{}}
		groups = append(groups, g)
		return g
	}
	for _, r := range reqs {
		svc, _, _ := strings.Cut(r.Action, ":")
		g := find(svc, r.Via == iam.ViaAthena && calledViaPurpose(r.Purpose))
		g.pairs[[2]string{r.Action, r.Resource}] = true
		if !slices.Contains(g.purposes, r.Purpose) {
			g.purposes = append(g.purposes, r.Purpose)
		}
	}
	if len(groups) == 0 {
		return nil
	}
	p := &Policy{Version: iam.Version2012}
	sids := map[string]int{}
	for _, g := range groups {
		for _, st := range merge(g.pairs) {
			st.Sid = sid(g, sids)
			st.Effect = "Allow"
			if g.calledVia {
				st.Condition = map[string]map[string][]string{
					"ForAnyValue:StringEquals": {"aws:CalledVia": {iam.ViaAthena}},
				}
			}
			p.Statement = append(p.Statement, st)
		}
	}
	return p
}

// merge covers pairs with as few action-set × resource-set products as it
// can find: first the resources with the same actions together, then any
// two products whose union adds only inert pairs.
func merge(pairs map[[2]string]bool) []Statement {
	byRes := map[string][]string{}
	for p := range pairs {
		byRes[p[1]] = append(byRes[p[1]], p[0])
	}
	bySet := map[string]*Statement{}
	var out []*Statement
	for r, acts := range byRes {
		sort.Strings(acts)
		k := strings.Join(acts, ",")
		if st, ok := bySet[k]; ok {
			st.Resource = append(st.Resource, r)
			continue
		}
		st := &Statement{Action: acts, Resource: []string{r}}
		bySet[k] = st
		out = append(out, st)
	}
	sortStatements(out)
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(out) && !merged; i++ {
			for j := i + 1; j < len(out) && !merged; j++ {
				if u, ok := union(out[i], out[j], pairs); ok {
					out[i] = u
					out = slices.Delete(out, j, j+1)
					merged = true
				}
			}
		}
	}
	sortStatements(out)
	res := make([]Statement, len(out))
	for i, st := range out {
		res[i] = *st
	}
	return res
}

// union merges a and b when no pair of the product that was not needed
// is effective (iam.Effective).
func union(a, b *Statement, needed map[[2]string]bool) (*Statement, bool) {
	acts := sortedUnion(a.Action, b.Action)
	res := sortedUnion(a.Resource, b.Resource)
	for _, act := range acts {
		for _, r := range res {
			if !needed[[2]string{act, r}] && iam.Effective(act, r) {
				return nil, false
			}
		}
	}
	return &Statement{Action: acts, Resource: res}, true
}

func sortedUnion(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	sort.Strings(out)
	return slices.Compact(out)
}

func sortStatements(sts []*Statement) {
	for _, st := range sts {
		sort.Strings(st.Action)
		sort.Strings(st.Resource)
	}
	sort.Slice(sts, func(i, j int) bool {
		return strings.Join(sts[i].Action, ",") < strings.Join(sts[j].Action, ",")
	})
}

// sid names a statement after what it is for, unique in the policy.
func sid(g *group, used map[string]int) string {
	name := ""
	if len(g.purposes) == 1 {
		name = map[iam.Purpose]string{
			iam.PurposeWorkgroup: "AthenaWorkgroup", iam.PurposeCatalog: "AthenaDataCatalog",
			iam.PurposeMetadata: "GlueCatalog", iam.PurposeData: "TableData", iam.PurposeResults: "QueryResults",
			iam.PurposeConnector: "Connector", iam.PurposeSpill: "ConnectorSpill", iam.PurposeKey: "KMSKeys",
			iam.PurposeLakeFormation: "LakeFormation",
		}[g.purposes[0]]
	}
	if name == "" {
		name = strings.ToUpper(g.service[:1]) + g.service[1:]
	}
	if g.calledVia {
		name += "ViaAthena"
	}
	name = "Quiltq" + name
	used[name]++
	if n := used[name]; n > 1 {
		name = fmt.Sprintf("%s%d", name, n)
	}
	return name
}
