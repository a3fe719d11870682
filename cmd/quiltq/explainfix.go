package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

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
// --policy files), and the explanation printed after a refusal.

// knownPolicies are the role's identity policies, when quiltq knows them.
type knownPolicies struct {
	policies []*iam.Policy
	role     string // the role's name, when known
	source   string // where they came from, for messages
}

// fixer is a session's part in explaining refusals: what it knows of the
// role, and the caller's ARN once read.
type fixer struct {
	known     *knownPolicies // nil when the policies are not known
	callerARN string
}

// loadKnownPolicies reads the role's policies: the --policy files when
// given, else the sandbox role's (as its authorizer holds them now).
func (a *app) loadKnownPolicies() (*knownPolicies, error) {
	if len(a.g.policies) > 0 {
		ps, err := readPolicyFiles(a.g.policies)
		if err != nil {
			return nil, err
		}
		return &knownPolicies{policies: ps, source: "--policy " + strings.Join(a.g.policies, ", ")}, nil
	}
	if a.sandbox != nil {
		if u, ok := sandboxUser(a.sandbox.Info, a.g.sandboxUser); ok {
			return &knownPolicies{policies: a.sandbox.Authorizer().Policies(u.Role), role: u.Role, source: "the sandbox's role " + u.Role}, nil
		}
	}
	return nil, nil
}

// readPolicyFiles parses identity policy files.
func readPolicyFiles(paths []string) ([]*iam.Policy, error) {
	var out []*iam.Policy
	for _, path := range paths {
		doc, err := os.ReadFile(path)
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

// caller is who the requirements are evaluated for, from STS (read once).
func (s *querySession) caller(ctx context.Context) (iam.Caller, error) {
	if s.fix == nil {
		s.fix = &fixer{}
	}
	if s.fix.callerARN == "" {
		arn, err := s.client.CallerARN(ctx)
		if err != nil {
			return iam.Caller{}, err
		}
		s.fix.callerARN = arn
	}
	c := iam.Caller{ARN: s.fix.callerARN, Context: map[string][]string{}}
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

// roleName names the caller's role for messages.
func (s *querySession) roleName() string {
	if s.fix != nil && s.fix.known != nil && s.fix.known.role != "" {
		return "role " + s.fix.known.role
	}
	if s.fix != nil {
		if a, err := iam.ParseARN(s.fix.callerARN); err == nil {
			if rest, ok := strings.CutPrefix(a.Resource, "assumed-role/"); ok {
				role, _, _ := strings.Cut(rest, "/")
				return "role " + role
			}
		}
	}
	return "your role"
}

// statementNeeds is what one statement needs, and what quiltq could not
// find out while working it out.
type statementNeeds struct {
	reqs   []iam.Requirement
	notes  []string
	caller iam.Caller
	ctx    explain.Context
}

// needs works out every (action, resource) pair req's SQL needs: its
// kind and references, then the workgroup's result location and
// encryption, the data catalogs' types and functions, and the tables'
// locations and partitioning, each read from Athena. What cannot be read
// is a note, and the requirements err on the side of one round: a table
// whose metadata is refused is treated as partitioned.
func (s *querySession) needs(ctx context.Context, req athena.Request, direct bool) (statementNeeds, error) {
	var n statementNeeds
	c, err := s.caller(ctx)
	if err != nil {
		return n, err
	}
	n.caller = c
	a, err := iam.ParseARN(c.ARN)
	if err != nil {
		return n, fmt.Errorf("the caller's ARN %q: %w", c.ARN, err)
	}
	region := s.aws.Region
	n.ctx = explain.Context{Partition: a.Partition, Region: region, Account: a.Account, Workgroup: req.Workgroup, DataCatalog: req.Catalog}
	var reqs []iam.Requirement
	stmts, err := splitStatements(req.SQL)
	if err != nil {
		return n, err
	}
	for _, sql := range stmts {
		q, notes, err := s.queryOf(ctx, sql, req, a.Partition, region, a.Account, direct)
		if err != nil {
			return n, err
		}
		n.notes = append(n.notes, notes...)
		r, err := iam.Requirements(q)
		if err != nil {
			return n, err
		}
		reqs = append(reqs, r...)
	}
	n.reqs = dedupe(reqs)
	return n, nil
}

// queryOf builds the iam.Query of one statement.
func (s *querySession) queryOf(ctx context.Context, sql string, req athena.Request, partition, region, account string, direct bool) (iam.Query, []string, error) {
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
	q := iam.Query{Partition: partition, Region: region, Account: account, Workgroup: req.Workgroup, Kind: kind, Tables: map[string]iam.Table{}, DirectResults: direct}
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
	d := explain.Parse(deniedText(err))
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

// fastPath reports whether a gap is only quiltq's own read of the result
// file: without it the rows still come, through GetQueryResults pages.
func fastPath(g iam.Gap) bool {
	return g.Purpose == iam.PurposeResults && g.Via == "" && strings.EqualFold(g.Action, "s3:GetObject")
}

// preflight is the pre-send hook of the query path: when the role's
// policies are known it evaluates every pair the statement needs and, when
// any is missing, refuses locally (no Athena call) with the missing list and
// the statement that fixes the whole query; it returns the exit code and
// false then. Only the fast path's own result read missing lets the query
// go, with a note. Without known policies it does nothing.
func preflight(ctx context.Context, s *querySession, req athena.Request, st streams) (int, bool) {
	if s.fix == nil || s.fix.known == nil {
		return exitOK, true
	}
	n, err := s.needs(ctx, req, true)
	if err != nil {
		if engine.KindOf(err) == engine.Canceled {
			return exitInterrupted, false
		}
		fmt.Fprintf(st.Err, "quiltq: note: the permissions this statement needs could not be worked out (%v); sending it unchecked\n", err)
		return exitOK, true
	}
	gaps := iam.Missing(n.reqs, n.caller, s.fix.known.policies...)
	essential := 0
	for _, g := range gaps {
		if !fastPath(g) {
			essential++
		}
	}
	if len(gaps) == 0 {
		return exitOK, true
	}
	if essential == 0 {
		fmt.Fprintf(st.Err, "quiltq: note: %s may not read the result file itself (s3:GetObject outside Athena), so the rows will come through GetQueryResults pages, which is slower\n", s.roleName())
		writeFix(st.Err, s, n, gaps)
		return exitOK, true
	}
	fmt.Fprintf(st.Err, "quiltq: refused before sending: %s lacks %d of the %d permissions this statement needs (policies: %s); nothing was sent to Athena\n",
		s.roleName(), len(gaps), len(n.reqs), s.fix.known.source)
	fmt.Fprintf(st.Err, "  principal: %s\n", n.caller.ARN)
	writeFix(st.Err, s, n, gaps)
	fmt.Fprintln(st.Err, "  next:      ask your AWS administrator to add the statement to the role, then run the query again")
	return exitDenied, false
}

// writeFix prints the missing pairs, the notes, who must act on what an
// Allow cannot fix, and the statement that fixes the rest.
func writeFix(w io.Writer, s *querySession, n statementNeeds, gaps []iam.Gap) {
	fix := explain.Fix(n.reqs, gaps)
	var fixable []iam.Gap
	for _, g := range gaps {
		if g.Result.Decision != iam.ExplicitlyDenied {
			fixable = append(fixable, g)
		}
	}
	if len(fixable) > 0 {
		fmt.Fprintf(w, "  missing:   %s\n", strings.Join(actionsOf(fixable), ", "))
		fmt.Fprintln(w, "  pairs:")
		writeGaps(w, fixable)
	}
	if len(fix.Blocked) > 0 {
		fmt.Fprintln(w, "  blocked:   an explicit Deny refuses these, and no Allow can override it:")
		writeGaps(w, fix.Blocked)
		fmt.Fprintln(w, "  who:       your AWS administrator: remove or narrow "+denyStatements(fix.Blocked))
	}
	for _, note := range n.notes {
		fmt.Fprintf(w, "  note:      %s\n", note)
	}
	if fix.Policy == nil {
		if len(fix.Blocked) > 0 {
			fmt.Fprintln(w, "  no identity-policy statement fixes this: the Deny must change first")
		}
		return
	}
	if len(fix.Blocked) > 0 {
		fmt.Fprintf(w, "once the Deny is changed, the query also needs this statement (add it to %s's identity policies):\n", s.roleName())
	} else {
		fmt.Fprintf(w, "statement that fixes the whole query (add it to %s's identity policies):\n", s.roleName())
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

func actionsOf(gaps []iam.Gap) []string {
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

// denyStatements names the Deny statements behind blocked gaps.
func denyStatements(gaps []iam.Gap) string {
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

// withRequest fills what a failed Start leaves empty in x from the request,
// so that the refusal can be explained against the statement that was sent.
func withRequest(x athena.Execution, req athena.Request) athena.Execution {
	if x.SQL == "" {
		x.SQL = req.SQL
	}
	if x.Workgroup == "" {
		x.Workgroup = req.Workgroup
	}
	if x.Catalog == "" {
		x.Catalog = req.Catalog
	}
	if x.Database == "" {
		x.Database = req.Database
	}
	return x
}

// deniedText is the text to read a refusal from: the outermost text in
// err's chain that holds AWS's sentence ("... not authorized to perform:
// ..."), else the error's own text. A skipped workgroup words its refusal
// in its own sentence and keeps AWS's reply inside.
func deniedText(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if t := e.Error(); strings.Contains(t, "not authorized") {
			return t
		}
	}
	return err.Error()
}

// explainRefusal prints, after a refusal's original text, what it names,
// who can fix it and, where an identity statement can, the one statement
// that fixes the whole statement x ran: the pairs the role lacks when its
// policies are known, everything the statement needs when they are not.
// Credentials problems get the next step and never a policy.
func explainRefusal(w io.Writer, s *querySession, x athena.Execution, err error) {
	d := explain.Parse(deniedText(err))
	kind := engine.KindOf(err)
	if kind == engine.Credentials || d.Category == explain.CategoryCredentials {
		rem := explain.Denial{Category: explain.CategoryCredentials}.Remedy()
		fmt.Fprintf(w, "  who:       %s\n  why:       %s\n", rem.Who, rem.Why)
		return
	}
	if len(d.Needed()) > 0 {
		fmt.Fprintf(w, "  missing:   %s\n", strings.Join(d.Needed(), ", "))
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
		if c, err := s.caller(ctx); err == nil {
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
	if identityCannotFix(d) {
		fmt.Fprintf(w, "  who:       %s\n  why:       %s\n", rem.Who, rem.Why)
		fmt.Fprintln(w, "  no identity-policy statement fixes this; see who and why above")
		return
	}
	if s == nil || x.SQL == "" {
		writeDenialFix(w, d, explain.Context{Workgroup: x.Workgroup, DataCatalog: x.Catalog}, "")
		return
	}
	req := athena.Request{SQL: x.SQL, Catalog: x.Catalog, Database: x.Database, Workgroup: x.Workgroup}
	wf, nerr := s.wholeFix(ctx, req, d)
	if nerr != nil {
		writeDenialFix(w, d, wf.needs.ctx, fmt.Sprintf("what the whole statement needs could not be worked out (%v)", nerr))
		return
	}
	n := wf.needs
	if wf.known {
		fmt.Fprintf(w, "  the statement needs %d permissions; %s lacks %d of them (policies: %s)\n", len(n.reqs), s.roleName(), len(wf.gaps), s.fix.known.source)
		writeFix(w, s, n, wf.gaps)
		return
	}
	if d.ExplicitDeny {
		fmt.Fprintf(w, "  who:       %s\n  why:       %s\n", rem.Who, rem.Why)
	}
	fmt.Fprintf(w, "  the role's policies are not known here (give --policy FILE to list only what is missing): the statement below allows all %d permissions the statement needs\n", len(n.reqs))
	for _, note := range n.notes {
		fmt.Fprintf(w, "  note:      %s\n", note)
	}
	if wf.fix.Policy != nil {
		fmt.Fprintf(w, "statement that fixes the whole query (add it to %s's identity policies):\n", s.roleName())
		fmt.Fprintln(w, wf.fix.Policy.JSON())
	}
}

// identityCannotFix reports whether the refusal d is one no statement on
// the caller's role can fix (an explicit Deny, another kind of policy, a
// connector's own role): then who must act is said instead of a statement.
// A refusal that names no action is still worked out from the query.
func identityCannotFix(d explain.Denial) bool {
	return d.Denied && !d.Remedy().Fixable && (d.ExplicitDeny || d.Connector != "" || d.PolicyType != "" && d.PolicyType != explain.PolicyIdentity)
}

// wholeFixResult is what fixes a whole statement.
type wholeFixResult struct {
	needs statementNeeds
	gaps  []iam.Gap // what is missing (everything it needs when !known)
	known bool      // the role's policies are known
	fix   explain.FixResult
}

// wholeFix works out the statement that fixes the whole statement req:
// the missing pairs when the role's policies are known, else every pair it
// needs (what makes the next try the last), in both cases with what the
// refusal d names, so that a fix always covers what AWS actually refused.
func (s *querySession) wholeFix(ctx context.Context, req athena.Request, d explain.Denial) (wholeFixResult, error) {
	n, err := s.needs(ctx, req, true)
	out := wholeFixResult{needs: n}
	if err != nil {
		return out, err
	}
	denied := denialRequirements(d, n.ctx)
	if s.fix != nil && s.fix.known != nil {
		out.known = true
		out.gaps = addDenied(iam.Missing(n.reqs, n.caller, s.fix.known.policies...), denied)
	} else {
		n.reqs = dedupe(append(n.reqs, denied...))
		out.needs = n
		for _, r := range n.reqs {
			out.gaps = append(out.gaps, iam.Gap{Requirement: r})
		}
	}
	out.fix = explain.Fix(out.needs.reqs, out.gaps)
	return out, nil
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
	have := map[string]bool{}
	for _, g := range gaps {
		have[strings.ToLower(g.Action)+"\x00"+g.Resource] = true
	}
	for _, r := range denied {
		k := strings.ToLower(r.Action) + "\x00" + r.Resource
		if !have[k] {
			have[k] = true
			gaps = append(gaps, iam.Gap{Requirement: r})
		}
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

// newFixer is a session's fixer, with the role's policies when known.
func (a *app) newFixer() (*fixer, error) {
	known, err := a.loadKnownPolicies()
	if err != nil {
		return nil, err
	}
	return &fixer{known: known}, nil
}

// explainSessionFailure explains a refusal met before any statement was
// sent (choosing the workgroup, most often): against the statements and
// the workgroup asked for, as after a refused query.
func explainSessionFailure(w io.Writer, a *app, stmts []string, err error) {
	if k := engine.KindOf(err); k != engine.Denied && k != engine.Credentials {
		return
	}
	x := athena.Execution{SQL: strings.Join(stmts, ";\n")}
	if s := a.settings; s != nil {
		x.Workgroup, x.Catalog, x.Database = s.Workgroup(), s.Catalog(), s.Database()
	}
	s := a.built
	if s != nil && s.workgroup == "" {
		s.workgroup = x.Workgroup
	}
	explainRefusal(w, s, x, err)
}
