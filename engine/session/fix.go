package session

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// This file is what quiltq says a query needs and how to fix it in one
// round: the requirements of a statement (engine/iam's catalog, fed with
// the statement's kind and references and the facts Athena gives about
// its workgroup, catalogs and tables), the check of those requirements
// against the role's policies when they are known (the sandbox's role, or
// --policy files), and the statement that fixes a refused query whole.

// ReadPolicyFiles parses identity policy files (--policy).
func ReadPolicyFiles(paths []string) ([]*iam.Policy, error) {
	var out []*iam.Policy
	for _, path := range paths {
		doc, err := engine.ReadFileLimited(path, engine.PolicyLimit())
		if err != nil {
			return nil, &engine.Error{Op: "--policy", Kind: engine.Invalid, Err: fmt.Errorf("%w; give a readable identity policy JSON file", err)}
		}
		p, err := iam.Parse(path, doc)
		if err != nil {
			return nil, &engine.Error{Op: "--policy", Kind: engine.Invalid, Err: fmt.Errorf("malformed policy: %w; fix it and run again", err)}
		}
		out = append(out, p)
	}
	return out, nil
}

// Caller is who the requirements are evaluated for: the STS caller, with
// the context keys an assumed role's requests carry.
func (s *Session) Caller(ctx context.Context) (iam.Caller, error) {
	arn, err := s.Principal(ctx)
	if err != nil {
		return iam.Caller{}, err
	}
	c := iam.Caller{ARN: arn, Context: map[string][]string{}}
	// An assumed role's requests carry the role's ARN as aws:PrincipalArn.
	if a, err := iam.ParseARN(c.ARN); err == nil {
		if rest, ok := strings.CutPrefix(a.Resource, "assumed-role/"); ok {
			role, user, _ := strings.Cut(rest, "/")
			c.Context["aws:PrincipalArn"] = []string{"arn:" + a.Partition + ":iam::" + a.Account + ":role/" + role}
			c.Context["aws:username"] = []string{user}
			c.Context["aws:PrincipalAccount"] = []string{a.Account}
		}
	}
	return c, nil
}

// RoleName names the caller's role for messages: "role X", else "your
// role".
func (s *Session) RoleName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.known != nil && s.known.Role != "" {
		return "role " + s.known.Role
	}
	if a, err := iam.ParseARN(s.callerARN); err == nil {
		if rest, ok := strings.CutPrefix(a.Resource, "assumed-role/"); ok {
			role, _, _ := strings.Cut(rest, "/")
			return "role " + role
		}
	}
	return "your role"
}

// Needs is what one statement needs, and what quiltq could not find out
// while working it out.
type Needs struct {
	Requirements []iam.Requirement
	Notes        []string
	Caller       iam.Caller
	// Context is what a fix statement is built with (partition, region,
	// account, workgroup, data catalog).
	Context explain.Context
	// Workgroup is the workgroup the needs were worked out for.
	Workgroup string
}

// Needs works out every (action, resource) pair stmt needs: its kind and
// references, then the workgroup's result location and encryption, the
// data catalogs' types and functions, and the tables' locations and
// partitioning, each read from Athena. What cannot be read is a note, and
// the requirements err on the side of one round: a table whose metadata
// is refused is treated as partitioned. The workgroup is stmt's, else the
// session's (chosen now when it is not yet).
func (s *Session) Needs(ctx context.Context, stmt Statement) (Needs, error) {
	req, err := s.request(ctx, stmt, true)
	if err != nil {
		return Needs{}, err
	}
	return s.needs(ctx, req)
}

func (s *Session) needs(ctx context.Context, req athena.Request) (Needs, error) {
	n := Needs{Workgroup: req.Workgroup}
	if err := s.ready(); err != nil {
		return n, err
	}
	c, err := s.Caller(ctx)
	if err != nil {
		return n, err
	}
	n.Caller = c
	a, err := iam.ParseARN(c.ARN)
	if err != nil {
		return n, fmt.Errorf("the caller's ARN %q: %w", c.ARN, err)
	}
	region := s.aws.Region
	n.Context = explain.Context{Partition: a.Partition, Region: region, Account: a.Account, Workgroup: req.Workgroup, DataCatalog: req.Catalog}
	var reqs []iam.Requirement
	stmts, err := SplitStatements(req.SQL)
	if err != nil {
		return n, err
	}
	for _, sql := range stmts {
		q, notes, err := s.queryOf(ctx, sql, req, a.Partition, region, a.Account)
		if err != nil {
			return n, err
		}
		n.Notes = append(n.Notes, notes...)
		r, err := iam.Requirements(q)
		if err != nil {
			return n, err
		}
		reqs = append(reqs, r...)
	}
	n.Requirements = dedupe(reqs)
	return n, nil
}

// Missing are the pairs of n the role's known policies do not allow; nil,
// false when the policies are not known.
func (s *Session) Missing(n Needs) ([]iam.Gap, bool) {
	return s.missing(n.Requirements, n.Caller)
}

// missing evaluates reqs for caller against the known policies: the one
// evaluation the check before sending, explain --sql, the whole-query fix
// and the doctor share.
func (s *Session) missing(reqs []iam.Requirement, caller iam.Caller) ([]iam.Gap, bool) {
	known := s.Known()
	if known == nil {
		return nil, false
	}
	// Every policy type known decides, so that a gap says what refuses
	// it and whether an identity statement can fix it (iam.Known.Missing).
	return known.all().Missing(reqs, caller), true
}

// queryOf builds the iam.Query of one statement.
func (s *Session) queryOf(ctx context.Context, sql string, req athena.Request, partition, region, account string) (iam.Query, []string, error) {
	var notes []string
	kind, err := explain.StatementKind(sql)
	if err != nil {
		return iam.Query{}, nil, err
	}
	cat := req.Catalog
	if cat == "" {
		cat = athena.GlueCatalog
	}
	refs, err := sqlref.Extract(sql, sqlref.Defaults{Catalog: cat, Database: req.Database})
	if err != nil {
		return iam.Query{}, nil, err
	}
	q := iam.Query{Partition: partition, Region: region, Account: account, Workgroup: req.Workgroup, Kind: kind, Tables: map[string]iam.Table{}, DirectResults: true}
	if req.Workgroup == "" {
		return iam.Query{}, nil, errors.New("no workgroup: name one with -w")
	}
	wg, err := s.client.DescribeWorkgroup(ctx, req.Workgroup)
	if err != nil {
		notes = append(notes, fmt.Sprintf("workgroup %s could not be described (%s): its result location is unknown, so the S3 permissions on it are not listed", req.Workgroup, shortReason(err)))
	} else {
		q.OutputLocation, q.Encryption, q.KMSKey = wg.OutputLocation, wg.Encryption, wg.KMSKey
		if (q.Encryption == iam.SSEKMS || q.Encryption == iam.CSEKMS) && q.KMSKey == "" {
			q.Encryption = ""
			notes = append(notes, "the workgroup encrypts results with KMS but names no key: the KMS permissions are not listed")
		}
	}
	described := map[string]bool{}
	for _, ref := range refs {
		if strings.EqualFold(ref.Catalog, athena.GlueCatalog) || ref.Catalog == "*" || described[ref.Catalog] {
			continue
		}
		described[ref.Catalog] = true
		dc, err := s.client.DescribeDataCatalog(ctx, ref.Catalog)
		switch {
		case err == nil && strings.EqualFold(dc.Type, iam.CatalogLambda):
			q.Catalogs = append(q.Catalogs, iam.DataCatalog{Name: dc.Name, Type: iam.CatalogLambda, Function: dc.Function()})
		case err == nil:
			q.Catalogs = append(q.Catalogs, iam.DataCatalog{Name: dc.Name, Type: iam.CatalogGlue})
		case athena.IsTabulatorCatalog(ref.Catalog):
			// Quilt names a Tabulator catalog's Lambda after the catalog.
			fn := "arn:" + partition + ":lambda:" + region + ":" + account + ":function:" + ref.Catalog
			q.Catalogs = append(q.Catalogs, iam.DataCatalog{Name: ref.Catalog, Type: iam.CatalogLambda, Function: fn})
			notes = append(notes, fmt.Sprintf("data catalog %s could not be described (%s): its function is taken to be %s, as Quilt names it", ref.Catalog, shortReason(err), fn))
		default:
			notes = append(notes, fmt.Sprintf("data catalog %s could not be described (%s): what its tables need is not listed", ref.Catalog, shortReason(err)))
		}
	}
	var kept []engine.Ref
	for _, ref := range refs {
		if ref.Catalog == "*" {
			notes = append(notes, "SHOW CATALOGS lists every data catalog: athena:ListDataCatalogs on * is not checked here")
			continue
		}
		lambda, known := false, strings.EqualFold(ref.Catalog, athena.GlueCatalog)
		for _, c := range q.Catalogs {
			if strings.EqualFold(c.Name, ref.Catalog) {
				known, lambda = true, c.Type == iam.CatalogLambda
			}
		}
		if !known {
			continue
		}
		kept = append(kept, ref)
		if lambda || ref.Table == "*" || ref.Database == "*" {
			continue
		}
		key := iam.TableKey(ref)
		if _, done := q.Tables[key]; done {
			continue
		}
		catName := ref.Catalog // sqlref lower-cases names; IAM compares ARNs as written
		if strings.EqualFold(catName, athena.GlueCatalog) {
			catName = athena.GlueCatalog
		}
		tf, err := s.client.DescribeTable(ctx, catName, ref.Database, ref.Table)
		switch {
		case err == nil:
			q.Tables[key] = iam.Table{Location: tf.Location, Partitioned: len(tf.PartitionKeys) > 0, Iceberg: tf.Iceberg, MetadataLocation: tf.MetadataLocation}
		case engine.KindOf(err) == engine.NotFound || ref.Access == engine.Write && engine.KindOf(err) != engine.Denied:
			// A table the statement creates does not exist yet.
		default:
			// Quilt's per-bucket package tables are Iceberg: no Glue
			// partition actions for them.
			_, iceberg := iam.QuiltIcebergTable(ref.Table)
			q.Tables[key] = iam.Table{Partitioned: !iceberg, Iceberg: iceberg}
			notes = append(notes, fmt.Sprintf("the metadata of %s.%s could not be read (%s): its partition actions are included in case it is partitioned, and the S3 permissions on its data are not listed", ref.Database, ref.Table, shortReason(err)))
		}
	}
	q.Refs = kept
	return q, notes, nil
}

// shortReason is the gist of a lookup failure: the refused action when
// the text names one.
func shortReason(err error) string {
	d := explain.Parse(DeniedText(err))
	if d.Denied && len(d.Needed()) > 0 {
		return "refused " + strings.Join(d.Needed(), ", ")
	}
	if d.Denied {
		return "refused"
	}
	if s := engine.KindOf(err).String(); s != "" {
		return strings.ToLower(s)
	}
	return "failed"
}

// dedupe keeps the first of each (action, resource, via).
func dedupe(reqs []iam.Requirement) []iam.Requirement {
	return firstOfEach(reqs, func(r iam.Requirement) iam.Requirement { return r })
}

// firstOfEach keeps the first of the items whose requirements name the
// same (action, resource, via).
func firstOfEach[T any](items []T, req func(T) iam.Requirement) []T {
	seen := map[string]bool{}
	var out []T
	for _, it := range items {
		r := req(it)
		k := r.Action + "\x00" + r.Resource + "\x00" + r.Via
		if !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	return out
}

// FastPath reports whether a gap is only quiltq's own read of the result
// file: without it the rows still come, through GetQueryResults pages.
func FastPath(g iam.Gap) bool {
	return g.Purpose == iam.PurposeResults && g.Via == "" && strings.EqualFold(g.Action, "s3:GetObject")
}

// ActionsOf are the actions of gaps, each once, sorted.
func ActionsOf(gaps []iam.Gap) []string {
	seen := map[string]bool{}
	var out []string
	for _, g := range gaps {
		if !seen[g.Action] {
			seen[g.Action] = true
			out = append(out, g.Action)
		}
	}
	sort.Strings(out)
	return out
}

// DenyStatements names the Deny statements behind blocked gaps.
func DenyStatements(gaps []iam.Gap) string {
	seen := map[string]bool{}
	var out []string
	for _, g := range gaps {
		name := "a Deny statement"
		if st := g.Result.Statement; st != nil {
			name = fmt.Sprintf("statement %d", st.Index)
			if st.Sid != "" {
				name = fmt.Sprintf("statement %q", st.Sid)
			}
			if g.Result.Policy != "" {
				name += " of " + g.Result.Policy
			}
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return strings.Join(out, ", ")
}

// DeniedText is the text to read a refusal from: the outermost text in
// err's chain that holds AWS's sentence ("... not authorized to perform:
// ..."), else the error's own text. A skipped workgroup words its refusal
// in its own sentence and keeps AWS's reply inside.
func DeniedText(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if t := e.Error(); strings.Contains(t, "not authorized") {
			return t
		}
	}
	return err.Error()
}

// IdentityCannotFix reports whether the refusal d is one no statement on
// the caller's role can fix (an explicit Deny, another kind of policy, a
// connector's own role): then who must act is said instead of a statement.
// A refusal that names no action is still worked out from the query.
func IdentityCannotFix(d explain.Denial) bool {
	return d.Denied && !d.Remedy().Fixable && (d.ExplicitDeny || d.Connector != "" || d.PolicyType != "" && d.PolicyType != explain.PolicyIdentity)
}

// WholeFix is what fixes a whole statement.
type WholeFix struct {
	Needs Needs
	// Gaps are what is missing: the pairs the known policies lack, or,
	// when they are not known, every pair the statement needs.
	Gaps  []iam.Gap
	Known bool // the role's policies are known
	Fix   explain.FixResult
}

// WholeFix works out the statement that fixes the whole statement stmt,
// refused with d: the missing pairs when the role's policies are known,
// else every pair it needs (what makes the next try the last), in both
// cases with what the refusal d names, so that a fix always covers what
// AWS actually refused.
//
// The workgroup is stmt's, else the one the session chose; none is chosen
// here, since the refusal may be of choosing one.
func (s *Session) WholeFix(ctx context.Context, stmt Statement, d explain.Denial) (WholeFix, error) {
	req, _ := s.request(ctx, stmt, false)
	if req.Workgroup == "" {
		req.Workgroup = s.WorkgroupName()
	}
	n, err := s.needs(ctx, req)
	out := WholeFix{Needs: n}
	if err != nil {
		return out, err
	}
	denied := denialRequirements(d, n.Context)
	if gaps, known := s.Missing(n); known {
		out.Known = true
		out.Gaps = s.addDeniedKnown(gaps, denied, n.Caller)
	} else {
		n.Requirements = dedupe(append(n.Requirements, denied...))
		out.Needs = n
		for _, r := range n.Requirements {
			out.Gaps = append(out.Gaps, iam.Gap{Requirement: r})
		}
	}
	out.Fix = explain.Fix(out.Needs.Requirements, out.Gaps)
	return out, nil
}

// denialRequirements are the pairs of the statement the refusal text alone
// supports, so that a fix always covers what AWS actually refused, even
// where the catalog of requirements falls short.
func denialRequirements(d explain.Denial, ctx explain.Context) []iam.Requirement {
	p := explain.FixDenial(d, ctx)
	if p == nil {
		return nil
	}
	var out []iam.Requirement
	for _, st := range p.Statement {
		via := ""
		if st.Condition != nil {
			via = iam.ViaAthena
		}
		for _, act := range st.Action {
			for _, res := range st.Resource {
				if strings.Contains(res, "*") && res != "*" && !strings.HasPrefix(res, "arn:aws:s3:::") {
					continue // a wildcard standing for what the text did not say
				}
				out = append(out, iam.Requirement{Action: act, Resource: res, Via: via, Purpose: purposeFor(act), Why: "named in the refusal"})
			}
		}
	}
	return out
}

// addDenied adds to gaps the refused pairs not already in them: AWS
// refused them, whatever the evaluation here says.
func addDenied(gaps []iam.Gap, denied []iam.Requirement) []iam.Gap {
	return addDeniedFrom(gaps, denied, nil)
}

// addDeniedKnown is addDenied with the known policies deciding each
// refused pair, so that one another policy type refuses keeps its
// Blocker and is never offered as an identity statement.
func (s *Session) addDeniedKnown(gaps []iam.Gap, denied []iam.Requirement, caller iam.Caller) []iam.Gap {
	decided, _ := s.missing(denied, caller)
	return addDeniedFrom(gaps, denied, decided)
}

// addDeniedFrom adds the refused pairs not in gaps, each as decided (the
// gap of the same pair there) when it is, else as a plain gap.
func addDeniedFrom(gaps []iam.Gap, denied []iam.Requirement, decided []iam.Gap) []iam.Gap {
	key := func(action, resource string) string { return strings.ToLower(action) + "\x00" + resource }
	have := map[string]bool{}
	for _, g := range gaps {
		have[key(g.Action, g.Resource)] = true
	}
	byKey := map[string]iam.Gap{}
	for _, g := range decided {
		byKey[key(g.Action, g.Resource)] = g
	}
	for _, r := range denied {
		k := key(r.Action, r.Resource)
		if have[k] {
			continue
		}
		have[k] = true
		g, ok := byKey[k]
		if !ok {
			g = iam.Gap{Requirement: r}
		}
		gaps = append(gaps, g)
	}
	return gaps
}

func purposeFor(action string) iam.Purpose {
	switch svc, _, _ := strings.Cut(strings.ToLower(action), ":"); svc {
	case "glue":
		return iam.PurposeMetadata
	case "lambda":
		return iam.PurposeConnector
	case "kms":
		return iam.PurposeKey
	case "s3":
		return iam.PurposeResults
	case "lakeformation":
		return iam.PurposeLakeFormation
	}
	return iam.PurposeWorkgroup
}

// SQLNeeds is what a statement needs and lacks, as `quiltq explain --sql
// --json` prints it.
type SQLNeeds struct {
	SQL       string  `json:"sql"`
	Principal string  `json:"principal"`
	Workgroup string  `json:"workgroup"`
	Policies  *string `json:"policies"` // where the role's policies came from; null when unknown
	Required  []Pair  `json:"required"`
	// Missing are the required pairs the policies do not allow; null when
	// the policies are not known.
	Missing []Pair `json:"missing"`
	// Fix allows every missing pair an Allow can fix (every required pair
	// when the policies are not known); null when nothing is missing.
	Fix     *explain.Policy `json:"fix"`
	Blocked []Pair          `json:"blocked"`
	Notes   []string        `json:"notes"`

	// Needs and Gaps are the same as pairs; Gaps are every required pair
	// when the policies are not known (Known false). RoleName names the
	// role for the statement.
	Needs    Needs     `json:"-"`
	Gaps     []iam.Gap `json:"-"`
	Known    bool      `json:"-"`
	RoleName string    `json:"-"`
}

// ExplainSQL says what stmt needs (Needs), what the known policies lack
// of it (Missing), and the statement that fixes the whole query; nothing
// is run.
func (s *Session) ExplainSQL(ctx context.Context, stmt Statement) (SQLNeeds, error) {
	n, err := s.Needs(ctx, stmt)
	if err != nil {
		return SQLNeeds{}, err
	}
	out := SQLNeeds{SQL: stmt.SQL, Principal: n.Caller.ARN, Workgroup: n.Workgroup, Required: []Pair{}, Blocked: []Pair{}, Notes: n.Notes, Needs: n}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	for _, r := range n.Requirements {
		out.Required = append(out.Required, PairOfRequirement(r))
	}
	gaps, known := s.Missing(n)
	if known {
		src := s.Known().Source
		out.Policies, out.Missing = &src, []Pair{}
		for _, g := range gaps {
			out.Missing = append(out.Missing, PairOf(g))
		}
	} else {
		for _, r := range n.Requirements {
			gaps = append(gaps, iam.Gap{Requirement: r})
		}
	}
	fix := explain.Fix(n.Requirements, gaps)
	out.Fix = fix.Policy
	for _, g := range fix.Blocked {
		out.Blocked = append(out.Blocked, PairOf(g))
	}
	out.Gaps, out.Known, out.RoleName = gaps, known, s.RoleName()
	return out, nil
}
