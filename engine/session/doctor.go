package session

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/iam"
)

// Probe is one check of the doctor's report.
type Probe struct {
	Check  string `json:"check"`
	Status string `json:"status"` // ok, refused, failed, skipped
	Detail string `json:"detail"`
	// Missing are the actions the refusal names.
	Missing []string `json:"missing"`
	// DeniedBy is the policy type that stands in the way of a refused
	// check (identity, session, boundary, scp, resource; kms,
	// lakeformation ... as a refusal's text names them), "" when it
	// cannot be told.
	DeniedBy string `json:"denied_by,omitempty"`
	Ms       int64  `json:"ms"`

	needs  []iam.Requirement // what the probe needs, for the combined fix
	denial explain.Denial
}

// Report is the doctor's report: `quiltq doctor --json` prints it.
type Report struct {
	Principal string `json:"principal"`
	Workgroup string `json:"workgroup"`
	// WorkgroupCutoff is the workgroup's BytesScannedCutoffPerQuery (0:
	// none), MaxScan quiltq's own limit (max_scan; 0: none).
	WorkgroupCutoff int64    `json:"workgroup_scan_cutoff"`
	MaxScan         int64    `json:"max_scan"`
	Policies        *string  `json:"policies"` // where the role's policies came from; null when unknown
	Checks          []Probe  `json:"checks"`
	Missing         []string `json:"missing"` // every action missing, sorted
	// Fix is the one statement that fixes every refused check; Blocked
	// what an explicit Deny refuses (no Allow fixes those).
	Fix       *explain.Policy `json:"fix"`
	Blocked   []Pair          `json:"blocked"`
	WhoCanFix *string         `json:"who_can_fix"`
	Seconds   float64         `json:"seconds"`
}

// The statuses of a probe.
const (
	ProbeOK      = "ok"
	ProbeRefused = "refused"
	ProbeFailed  = "failed"
	ProbeSkipped = "skipped"
)

// doctor runs the probes of one report.
type doctor struct {
	s     *Session
	table string

	principal string
	account   string
	wg        athena.Workgroup
	cats      []engine.ListedCatalog
	checks    []Probe
}

// probe runs f as the check named name and records it.
func (d *doctor) probe(ctx context.Context, name string, f func(ctx context.Context, c *Probe) error) *Probe {
	c := Probe{Check: name, Missing: []string{}}
	t := time.Now()
	err := f(ctx, &c)
	c.Ms = time.Since(t).Milliseconds()
	switch {
	case c.Status != "":
	case err == nil:
		c.Status = ProbeOK
	default:
		c.fail(err)
	}
	d.checks = append(d.checks, c)
	return &d.checks[len(d.checks)-1]
}

// fail records err as a refusal (with the actions it names) or a failure.
func (c *Probe) fail(err error) {
	c.denial = explain.Parse(DeniedText(err))
	if engine.KindOf(err) == engine.Denied || c.denial.Denied {
		c.Status = ProbeRefused
		c.denial.Denied, c.denial.Category = true, explain.CategoryPermission
		c.DeniedBy = c.denial.PolicyType
		c.Missing = append(c.Missing, c.denial.Needed()...)
		c.Detail = "refused"
		if len(c.denial.Needed()) > 0 {
			c.Detail = "refused: " + strings.Join(c.denial.Needed(), ", ")
		}
		return
	}
	c.Status = ProbeFailed
	c.Detail = oneLine(err.Error())
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func skip(c *Probe, why string) error {
	c.Status, c.Detail = ProbeSkipped, why
	return nil
}

// run probes everything and composes the report.
func (d *doctor) run(ctx context.Context) Report {
	s := d.s
	d.probe(ctx, "identity", func(ctx context.Context, c *Probe) error {
		caller, err := s.Caller(ctx)
		if err != nil {
			return err
		}
		d.principal = caller.ARN
		if a, err := iam.ParseARN(caller.ARN); err == nil {
			d.account = a.Account
		}
		c.Detail = caller.ARN
		return nil
	})
	if d.principal == "" {
		return d.report()
	}
	d.probe(ctx, "registry", func(ctx context.Context, c *Probe) error {
		l := s.login
		if l == nil || l.registry == nil || l.quilt == nil {
			return skip(c, "plain AWS credentials: no Quilt registry to ask")
		}
		tok, err := l.quilt.AccessToken(ctx)
		if err != nil {
			return err
		}
		me, err := l.registry.Me(ctx, tok)
		if err != nil {
			return err
		}
		c.Detail = fmt.Sprintf("%s <%s>, role %s", me.Name, me.Email, me.Role)
		return nil
	})
	d.probe(ctx, "workgroups", func(ctx context.Context, c *Probe) error {
		name := s.settings.Workgroup()
		c.needs = []iam.Requirement{{Action: "athena:ListWorkGroups", Resource: "*", Purpose: iam.PurposeWorkgroup, Why: "listing the workgroups"}}
		if name != "" {
			c.needs = append(c.needs, iam.Requirement{Action: "athena:GetWorkGroup", Resource: d.arn("athena", "workgroup/"+name), Purpose: iam.PurposeWorkgroup, Why: "describing workgroup " + name})
		}
		wg, err := s.client.ChooseWorkgroup(ctx, name)
		if err != nil {
			return err
		}
		d.wg = wg
		s.mu.Lock()
		s.wg = &wg
		s.mu.Unlock()
		c.needs = append(c.needs, iam.Requirement{Action: "athena:GetWorkGroup", Resource: d.arn("athena", "workgroup/"+wg.Name), Purpose: iam.PurposeWorkgroup, Why: "describing workgroup " + wg.Name})
		c.Detail = fmt.Sprintf("%s (results %s; %s)", wg.Name, wg.OutputLocation, scanLimits(wg.BytesScannedCutoff, s.MaxScan()))
		if wg.Fallback != "" {
			c.Detail += "; " + wg.Fallback
		}
		return nil
	})
	d.catalogs(ctx)
	d.tableMetadata(ctx)
	d.query(ctx)
	return d.report()
}

// arn builds an ARN in the caller's partition, region and account.
func (d *doctor) arn(service, resource string) string {
	partition := "aws"
	if a, err := iam.ParseARN(d.principal); err == nil && a.Partition != "" {
		partition = a.Partition
	}
	return "arn:" + partition + ":" + service + ":" + d.s.aws.Region + ":" + d.account + ":" + resource
}

// refNeeds is what Athena's metadata call on ref needs beyond the Athena
// action itself: engine/iam's catalog for the statement kind that reads the
// same metadata (SHOW DATABASES for ListDatabases, SHOW TABLES for
// ListTableMetadata, DESCRIBE for GetTableMetadata), without the pairs of
// running a query.
func (d *doctor) refNeeds(kind iam.StatementKind, ref engine.Ref, catType, function, athenaAction string) []iam.Requirement {
	q := iam.Query{Region: d.s.aws.Region, Account: d.account, Workgroup: "doctor", Kind: kind, Refs: []engine.Ref{ref}}
	if a, err := iam.ParseARN(d.principal); err == nil {
		q.Partition = a.Partition
	}
	if strings.EqualFold(catType, iam.CatalogLambda) {
		q.Catalogs = []iam.DataCatalog{{Name: ref.Catalog, Type: iam.CatalogLambda, Function: function}}
	}
	reqs, err := iam.Requirements(q)
	if err != nil {
		return nil
	}
	out := []iam.Requirement{{Action: athenaAction, Resource: d.arn("athena", "datacatalog/"+ref.Catalog), Purpose: iam.PurposeCatalog, Why: "Athena's metadata of " + ref.Catalog}}
	for _, r := range reqs {
		if r.Purpose != iam.PurposeWorkgroup && r.Purpose != iam.PurposeResults {
			out = append(out, r)
		}
	}
	return out
}

// anyName stands for a name the doctor could not list, in requirements
// whose resources then name every database or table ("*").
const anyName = "quiltq-doctor-any"

// widen turns the anyName placeholders of reqs' resources into "*".
func widen(reqs []iam.Requirement) []iam.Requirement {
	for i := range reqs {
		reqs[i].Resource = strings.ReplaceAll(reqs[i].Resource, anyName, "*")
		reqs[i].Why = strings.ReplaceAll(reqs[i].Why, anyName, "every")
	}
	return reqs
}

// everyDatabaseNeeds is what listing the tables of every database of a
// catalog, and reading any table's metadata, needs: what the later probes
// need when the databases themselves cannot be listed.
func (d *doctor) everyDatabaseNeeds(catalog, catType, function string) []iam.Requirement {
	return append(widen(d.refNeeds(iam.ShowTables, engine.Ref{Catalog: catalog, Database: anyName, Table: "*", Access: engine.Metadata}, catType, function, "athena:ListTableMetadata")),
		d.anyTableNeeds(catalog, anyName, catType, function)...)
}

// anyTableNeeds is what reading the metadata of any table of a database
// needs, when its tables cannot be listed.
func (d *doctor) anyTableNeeds(catalog, database, catType, function string) []iam.Requirement {
	return widen(d.refNeeds(iam.Describe, engine.Ref{Catalog: catalog, Database: database, Table: anyName, Access: engine.Metadata}, catType, function, "athena:GetTableMetadata"))
}

// catalogs probes the data catalogs, their databases and their tables.
func (d *doctor) catalogs(ctx context.Context) {
	s := d.s
	var listing engine.Listing
	var cats map[string]athena.DataCatalog
	d.probe(ctx, "data catalogs", func(ctx context.Context, c *Probe) error {
		c.needs = []iam.Requirement{{Action: "athena:ListDataCatalogs", Resource: "*", Purpose: iam.PurposeCatalog, Why: "listing the data catalogs"}}
		opts := s.browseOptions()
		opts.Tabulator = nil // the doctor probes Athena; the registry's configurations are not asked for
		var err error
		if listing, err = s.client.Browse(ctx, opts); err != nil {
			return err
		}
		cats = map[string]athena.DataCatalog{}
		var names []string
		for _, cat := range listing.Catalogs {
			d.cats = append(d.cats, cat)
			names = append(names, cat.Name+" ("+cat.Type+")")
			if !strings.EqualFold(cat.Name, athena.GlueCatalog) {
				if dc, err := s.client.DescribeDataCatalog(ctx, cat.Name); err == nil {
					cats[strings.ToLower(cat.Name)] = dc
				}
			}
		}
		for _, e := range listing.Errors {
			if e.Item == "data catalogs" {
				return fmt.Errorf("%s", e.Message)
			}
		}
		c.Detail = strings.Join(names, ", ")
		if listing.TabulatorChoice != "" {
			c.Detail += "; Tabulator catalog: " + listing.TabulatorChoice
		}
		return nil
	})
	if listing.Catalogs == nil {
		return
	}
	errFor := func(item string) *engine.ListError {
		for i, e := range listing.Errors {
			if strings.EqualFold(e.Item, item) && e.Action != "graphql:bucketConfig" && e.Action != "tabulator:config" {
				return &listing.Errors[i]
			}
		}
		return nil
	}
	var firstDB *engine.ListedDatabase
	var firstCat string
	for _, cat := range listing.Catalogs {
		cat := cat
		dc := cats[strings.ToLower(cat.Name)]
		d.probe(ctx, "databases of "+cat.Name, func(ctx context.Context, c *Probe) error {
			c.needs = d.refNeeds(iam.ShowDatabases, engine.Ref{Catalog: cat.Name, Database: "*", Table: "*", Access: engine.Metadata}, cat.Type, dc.Function(), "athena:ListDatabases")
			if e := errFor(cat.Name); e != nil {
				// The probes after this one cannot see a database to ask
				// about: fix them in this same round, for every database.
				c.needs = append(c.needs, d.everyDatabaseNeeds(cat.Name, cat.Type, dc.Function())...)
				return listFailure(e)
			}
			c.Detail = fmt.Sprintf("%d databases", len(cat.Databases))
			return nil
		})
		for i := range cat.Databases {
			if firstDB == nil && strings.EqualFold(cat.Type, iam.CatalogGlue) {
				firstDB, firstCat = &cat.Databases[i], cat.Name
			}
		}
		if len(cat.Databases) == 0 {
			continue
		}
		d.probe(ctx, "tables of "+cat.Name, func(ctx context.Context, c *Probe) error {
			n, refused := 0, 0
			var last *engine.ListError
			for _, db := range cat.Databases {
				n += len(db.Tables)
				if e := errFor(cat.Name + "." + db.Name); e != nil {
					refused++
					last = e
					c.needs = append(c.needs, d.refNeeds(iam.ShowTables, engine.Ref{Catalog: cat.Name, Database: db.Name, Table: "*", Access: engine.Metadata}, cat.Type, dc.Function(), "athena:ListTableMetadata")...)
					// Nor can the table metadata probe see a table of it.
					c.needs = append(c.needs, d.anyTableNeeds(cat.Name, db.Name, cat.Type, dc.Function())...)
				}
			}
			if last != nil {
				err := listFailure(last)
				c.fail(err)
				c.Detail = fmt.Sprintf("%d of %d databases: %s", refused, len(cat.Databases), c.Detail)
				return nil
			}
			c.Detail = fmt.Sprintf("%d tables in %d databases", n, len(cat.Databases))
			return nil
		})
	}
	if d.table == "" && firstDB != nil {
		for _, t := range firstDB.Tables {
			if t.Kind == engine.KindTable {
				d.table = firstCat + "." + firstDB.Name + "." + t.Name
				break
			}
		}
	}
}

// listFailure is a listing error as an error carrying AWS's message.
func listFailure(e *engine.ListError) error {
	return &engine.Error{Op: e.Action + " " + e.Item, Kind: e.Kind, Err: fmt.Errorf("%s", e.Message)}
}

// tableMetadata probes one table's metadata.
func (d *doctor) tableMetadata(ctx context.Context) {
	d.probe(ctx, "table metadata", func(ctx context.Context, c *Probe) error {
		if d.table == "" {
			return skip(c, "no table could be listed; name one with --table DATABASE.TABLE")
		}
		parts := strings.Split(d.table, ".")
		if len(parts) == 2 {
			parts = append([]string{athena.GlueCatalog}, parts...)
		}
		if len(parts) != 3 {
			return skip(c, fmt.Sprintf("--table %q is not DATABASE.TABLE or CATALOG.DATABASE.TABLE", d.table))
		}
		c.Check = "table metadata of " + strings.Join(parts[1:], ".")
		ref := engine.Ref{Catalog: parts[0], Database: strings.ToLower(parts[1]), Table: strings.ToLower(parts[2]), Access: engine.Metadata}
		c.needs = d.refNeeds(iam.Describe, ref, iam.CatalogGlue, "", "athena:GetTableMetadata")
		tf, err := d.s.client.DescribeTable(ctx, parts[0], parts[1], parts[2])
		if err != nil {
			return err
		}
		c.Detail = "location " + tf.Location
		if len(tf.PartitionKeys) > 0 {
			c.Detail += ", partitioned by " + strings.Join(tf.PartitionKeys, ", ")
		}
		if tf.View {
			c.Detail = "a view"
		}
		return nil
	})
}

// query runs SELECT 1 and reads its results both ways.
func (d *doctor) query(ctx context.Context) {
	s := d.s
	var x athena.Execution
	var ran bool
	base := iam.Query{Region: s.aws.Region, Account: d.account, Workgroup: d.wg.Name, OutputLocation: d.wg.OutputLocation, Encryption: d.wg.Encryption, KMSKey: d.wg.KMSKey, Kind: iam.Select}
	if a, err := iam.ParseARN(d.principal); err == nil {
		base.Partition = a.Partition
	}
	d.probe(ctx, "query (SELECT 1)", func(ctx context.Context, c *Probe) error {
		if d.wg.Name == "" {
			return skip(c, "no workgroup to run it in")
		}
		reqs, err := iam.Requirements(base)
		if err == nil {
			for _, r := range reqs {
				if r.Action != "s3:GetObject" && r.Action != "athena:GetQueryResults" {
					c.needs = append(c.needs, r)
				}
			}
		}
		x, err = s.client.Run(ctx, athena.Request{SQL: "SELECT 1", Workgroup: d.wg.Name}, nil)
		if err != nil {
			return err
		}
		ran = true
		c.Detail = fmt.Sprintf("query %s in %d ms", x.ID, x.TotalTime.Milliseconds())
		return nil
	})
	objects := ""
	if bucket, prefix, ok := strings.Cut(strings.TrimPrefix(d.wg.OutputLocation, "s3://"), "/"); ok || bucket != "" {
		objects = "arn:aws:s3:::" + bucket + "/" + prefix + "*"
		if a, err := iam.ParseARN(d.principal); err == nil && a.Partition != "aws" {
			objects = "arn:" + a.Partition + ":s3:::" + bucket + "/" + prefix + "*"
		}
	}
	d.probe(ctx, "results from S3 (fast path)", func(ctx context.Context, c *Probe) error {
		if !ran {
			return skip(c, "no query ran")
		}
		c.needs = []iam.Requirement{{Action: "s3:GetObject", Resource: objects, Purpose: iam.PurposeResults, Why: "quiltq reading the result file itself"}}
		f, err := s.client.ResultFile(ctx, x)
		if err != nil {
			return err
		}
		defer f.Close()
		n, err := io.Copy(io.Discard, f)
		if err != nil {
			return err
		}
		c.Detail = fmt.Sprintf("%d bytes from %s", n, x.OutputLocation)
		return nil
	})
	d.probe(ctx, "results from GetQueryResults", func(ctx context.Context, c *Probe) error {
		if !ran {
			return skip(c, "no query ran")
		}
		c.needs = []iam.Requirement{
			{Action: "athena:GetQueryResults", Resource: d.arn("athena", "workgroup/"+d.wg.Name), Purpose: iam.PurposeWorkgroup, Why: "reading results through Athena"},
			{Action: "s3:GetObject", Resource: objects, Via: iam.ViaAthena, Purpose: iam.PurposeResults, Why: "Athena reading the result file as the caller"},
		}
		rows, err := athena.New(s.aws, athena.Options{NoS3: true}).Results(ctx, x)
		if err != nil {
			return err
		}
		defer rows.Close()
		n := 0
		for {
			if _, err := rows.Next(); err != nil {
				if err == io.EOF {
					break
				}
				return err
			}
			n++
		}
		c.Detail = fmt.Sprintf("%d row", n)
		return nil
	})
}

// report composes the checks into the report: every missing action and
// one statement that fixes every refusal (narrowed by the role's policies
// when known, else to the actions the refusals name).
func (d *doctor) report() Report {
	rep := Report{Principal: d.principal, Workgroup: d.wg.Name, WorkgroupCutoff: d.wg.BytesScannedCutoff, MaxScan: d.s.MaxScan(), Checks: d.checks, Missing: []string{}, Blocked: []Pair{}}
	kp := d.s.Known()
	known := kp != nil
	if known {
		rep.Policies = &kp.Source
	}
	caller, _ := d.s.Caller(context.Background())
	var gaps, missing []iam.Gap // what the fix grants; what is known missing
	var who []string
	for i := range d.checks {
		c := &d.checks[i]
		if c.Status != ProbeRefused {
			continue
		}
		rem := c.denial.Remedy()
		textWho := !rem.Fixable && rem.Who != ""
		if textWho && !known {
			who = append(who, c.Check+": "+rem.Who)
			continue
		}
		ctx := explain.Context{Region: d.s.aws.Region, Account: d.account, Workgroup: d.wg.Name}
		denied := denialRequirements(c.denial, ctx)
		var these, fixes []iam.Gap
		if known {
			gaps, _ := d.s.missing(c.needs, caller)
			these = d.s.addDeniedKnown(gaps, denied, caller)
			fixes = these
		} else {
			// Without the policies, what is known missing is what AWS
			// named; the fix grants all the probe needs (and what the
			// probes it hid need), so that the next run is the last.
			these = addDenied(nil, denied)
			for _, r := range c.needs {
				fixes = append(fixes, iam.Gap{Requirement: r})
			}
			fixes = addDenied(fixes, denied)
		}
		if textWho && !slices.ContainsFunc(these, func(g iam.Gap) bool { return g.Blocker != "" }) {
			// The refusal's text says who, and the known policies do not
			// (they may not hold the policy that refused).
			who = append(who, c.Check+": "+rem.Who)
		}
		if known {
			// What the known policies say stands in the way: the policy
			// type that would still refuse once the identity policies
			// allow, else the one that refused.
			for _, g := range these {
				if g.Blocker != "" {
					c.DeniedBy = string(g.Blocker)
					break
				}
				if c.DeniedBy == "" && g.DeniedBy != "" {
					c.DeniedBy = string(g.DeniedBy)
				}
			}
		}
		c.Missing = ActionsOf(these)
		if len(c.Missing) > 0 {
			// With the policies known this also names what the probes
			// this refusal hid will need.
			c.Detail = "missing: " + strings.Join(c.Missing, ", ")
		}
		missing = append(missing, these...)
		gaps = append(gaps, fixes...)
	}
	gaps = dedupeGaps(gaps)
	rep.Missing = ActionsOf(dedupeGaps(missing))
	if rep.Missing == nil {
		rep.Missing = []string{}
	}
	fix := explain.Fix(nil, gaps)
	rep.Fix = fix.Policy
	for _, g := range fix.Blocked {
		rep.Blocked = append(rep.Blocked, PairOf(g))
	}
	for _, b := range Blocks(fix.Blocked, d.s.RoleName()) {
		who = append(who, fmt.Sprintf("%s (%s: refused by %s)", b.Remedy.Who, strings.Join(ActionsOf(b.Gaps), ", "), RefusedBy(b.DeniedBy, b.Gaps[0].Result.Decision == iam.ExplicitlyDenied)))
	}
	if len(who) > 0 {
		w := strings.Join(who, "; ")
		rep.WhoCanFix = &w
	}
	return rep
}

func dedupeGaps(gaps []iam.Gap) []iam.Gap {
	return firstOfEach(gaps, func(g iam.Gap) iam.Requirement { return g.Requirement })
}

// Pair is one (action, resource) pair in JSON.
type Pair struct {
	Action   string  `json:"action"`
	Resource string  `json:"resource"`
	Via      *string `json:"via"`
	Why      string  `json:"why"`
	Decision string  `json:"decision,omitempty"`
	// DeniedBy is the policy type that refuses a missing pair (identity,
	// session, boundary, scp, resource), as AWS would name it; BlockedBy
	// the one an identity statement cannot get past (a boundary that
	// lacks it too, say), and WhoMustAct who must act on that.
	DeniedBy   string `json:"denied_by,omitempty"`
	BlockedBy  string `json:"blocked_by,omitempty"`
	WhoMustAct string `json:"who_must_act,omitempty"`
}

// PairOf is a missing pair as JSON shows it.
func PairOf(g iam.Gap) Pair {
	p := Pair{Action: g.Action, Resource: g.Resource, Via: nonEmpty(g.Via), Why: g.Why, Decision: g.Result.Decision.String(), DeniedBy: string(g.DeniedBy)}
	if g.Blocker != "" {
		p.BlockedBy = string(g.Blocker)
		p.WhoMustAct = explain.WhoMustAct(g, "the role").Who
	}
	return p
}

// PairOfRequirement is a required pair as JSON shows it.
func PairOfRequirement(r iam.Requirement) Pair {
	return Pair{Action: r.Action, Resource: r.Resource, Via: nonEmpty(r.Via), Why: r.Why}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// DoctorOptions say what the doctor probes beyond the defaults.
type DoctorOptions struct {
	// Table is the table whose metadata to read, DATABASE.TABLE or
	// CATALOG.DATABASE.TABLE ("": the first one listed).
	Table string
}

// Doctor probes what a Quilt user needs, in the order a session needs it
// (who they are, the registry, the workgroups, the data catalogs, their
// databases and tables, a table's metadata, a trivial query and reading
// its results both ways), and reports what works, what is refused with
// the actions missing, and one statement that fixes every refusal.
func (s *Session) Doctor(ctx context.Context, o DoctorOptions) (Report, error) {
	if err := s.ready(); err != nil {
		return Report{}, err
	}
	start := s.opts.Now()
	d := &doctor{s: s, table: o.Table}
	rep := d.run(ctx)
	rep.Seconds = s.opts.Now().Sub(start).Seconds()
	return rep, nil
}
