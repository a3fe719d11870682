package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// grantCheck is the local grant check of one run: the configured sources,
// and what deciding with a known policy needs of the session (the kind of
// each data catalog a query names, asked once).
type grantCheck struct {
	checker  grants.Checker
	policy   *grants.Policy // nil unless a policy is known
	client   *athena.Client // nil without a session
	catalogs map[string]bool
}

// rulesPath is the rules file to use: --grants, else grants.toml in the
// config dir when it exists. explicit says the user named it.
func (a *app) rulesPath() (path string, explicit bool) {
	if a.g.grants != "" {
		return a.g.grants, true
	}
	// PathsFrom may fail on the cache dir alone; the config dir suffices.
	p, _ := config.PathsFrom(a.getenv)
	if p.ConfigDir == "" {
		return "", false
	}
	return filepath.Join(p.ConfigDir, "grants.toml"), false
}

// localGrants is the grant check with the sources that need no login: the
// rules file. A rules file that does not parse is an error: a team's
// curation silently ignored would be a hole.
func (a *app) localGrants() (*grantCheck, error) {
	gc := &grantCheck{catalogs: map[string]bool{}}
	path, explicit := a.rulesPath()
	if path == "" {
		return gc, nil
	}
	rules, err := grants.LoadRules(path)
	switch {
	case err == nil:
		gc.checker.Sources = append(gc.checker.Sources, rules)
	case errors.Is(err, fs.ErrNotExist) && !explicit:
	default:
		return nil, &engine.Error{Op: "read the grants rules file", Kind: engine.Invalid, Err: err}
	}
	return gc, nil
}

// sessionGrants adds the sources a login gives: the Quilt role's buckets
// (from the registry) and, with --sandbox, the role's own policy. A source
// that cannot be read is said on stderr and left out.
func (a *app) sessionGrants(ctx context.Context, gc *grantCheck, qs *querySession) {
	gc.client = qs.client
	l := qs.login
	if l == nil || l.registry == nil || l.quilt == nil {
		return
	}
	q := &grants.QuiltRole{Load: func() (string, []string, error) {
		token, err := l.quilt.AccessToken(ctx)
		if err != nil {
			return "", nil, err
		}
		return l.registry.RoleBuckets(ctx, token)
	}}
	if l.catalog != nil {
		q.TabulatorCatalog = l.catalog.TabulatorCatalog()
	}
	gc.checker.Sources = append(gc.checker.Sources, q)
	if a.sandbox != nil {
		// The sandbox knows the role's policy: the user's role as it
		// started (a switch with `quiltq role` is not seen here).
		user, ok := sandboxUser(a.sandbox.Info, a.g.sandboxUser)
		role := user.Role
		if ok && role != "" {
			gc.policy = &grants.Policy{
				Label:    "role " + role + "'s policy",
				Policies: a.sandbox.Authorizer().Policies(role),
				Caller:   iam.Caller{ARN: "arn:aws:sts::" + a.sandbox.Info.AccountID + ":assumed-role/" + role + "/" + user.Name},
				Region:   a.sandbox.Info.Region, Account: a.sandbox.Info.AccountID,
			}
			gc.checker.Sources = append(gc.checker.Sources, gc.policy)
		}
	}
}

// active reports whether any source is configured.
func (gc *grantCheck) active() bool { return gc != nil && len(gc.checker.Sources) > 0 }

// refsOf extracts the references of one statement with the session's
// defaults (AwsDataCatalog and default when none is set, as Athena does).
func refsOf(sql, catalog, database string) ([]engine.Ref, error) {
	if catalog == "" {
		catalog = iam.DefaultCatalog
	}
	if database == "" {
		database = "default"
	}
	return sqlref.Extract(sql, sqlref.Defaults{Catalog: catalog, Database: database})
}

// decide checks refs, first describing to a known policy the data
// catalogs they name (a Lambda catalog's function decides access to it).
func (gc *grantCheck) decide(ctx context.Context, refs []engine.Ref, kind iam.StatementKind) []grants.Decision {
	if gc.policy != nil && gc.client != nil {
		for _, r := range refs {
			name := strings.ToLower(r.Catalog)
			if name == strings.ToLower(iam.DefaultCatalog) || gc.catalogs[name] {
				continue
			}
			gc.catalogs[name] = true
			typ, fn, err := gc.client.DataCatalog(ctx, r.Catalog)
			if err == nil {
				gc.policy.Catalogs = append(gc.policy.Catalogs, iam.DataCatalog{Name: r.Catalog, Type: typ, Function: fn})
			}
		}
	}
	return gc.checker.Check(refs, kind)
}

// checkStatement is the check before a statement is sent: -1 to go on,
// else the exit code after saying why it was refused.
func (gc *grantCheck) checkStatement(ctx context.Context, sql string, o queryOptions, st streams) int {
	if !gc.active() {
		return -1
	}
	refs, err := refsOf(sql, o.Catalog, o.Database)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: not sent: which tables this statement uses cannot be told, so the grants cannot be checked: %v\n", err)
		return exitFailed
	}
	denied := grants.Denials(gc.decide(ctx, refs, statementKind(sql)))
	if len(denied) == 0 {
		return -1
	}
	fmt.Fprintf(st.Err, "quiltq: %v\n", &grants.Refusal{Denied: denied})
	return exitDenied
}

// statementKind reads what a statement does, as far as permissions go,
// from its first words.
func statementKind(sql string) iam.StatementKind {
	toks, _ := sqlref.Lex(sql)
	var words []string
	for _, t := range sqlref.Significant(toks) {
		if t.Kind != sqlref.Word {
			if t.IsOp("(") && len(words) > 0 {
				continue
			}
			break
		}
		words = append(words, t.Value)
		if len(words) == 6 {
			break
		}
	}
	has := func(w string) bool { return slices.Contains(words, w) }
	first := ""
	if len(words) > 0 {
		first = words[0]
	}
	switch first {
	case "insert":
		return iam.Insert
	case "delete", "update", "merge":
		return iam.Modify
	case "drop":
		if has("database") || has("schema") {
			return iam.DropDatabase
		}
		return iam.DropTable
	case "msck":
		return iam.RepairTable
	case "alter":
		if has("add") && has("partition") {
			return iam.AddPartition
		}
		return iam.AlterTable
	case "create":
		switch {
		case has("database") || has("schema"):
			return iam.CreateDatabase
		case has("view"):
			return iam.CreateView
		case strings.Contains(strings.ToLower(sql), " as ") && !has("external"):
			return iam.CTAS
		}
		return iam.CreateTable
	case "show":
		switch {
		case has("databases") || has("schemas"):
			return iam.ShowDatabases
		case has("tables"):
			return iam.ShowTables
		case has("partitions"):
			return iam.ShowPartitions
		}
		return iam.Describe
	case "describe", "desc":
		return iam.Describe
	case "explain":
		if has("analyze") {
			return iam.Select
		}
		return iam.Describe
	}
	return iam.Select
}

// listingFilter hides from a listing what the grants deny: a table whose
// read is denied, a database whose tables are all hidden (or which is
// denied itself when it has none).
func (gc *grantCheck) listingFilter(l engine.Listing) engine.Listing {
	if !gc.active() {
		return l
	}
	denied := func(r engine.Ref) bool {
		return gc.checker.Check([]engine.Ref{r}, iam.Select)[0].Verdict == grants.Denied
	}
	keepTable := map[[3]string]bool{}
	keepDB := map[[2]string]bool{}
	for _, c := range l.Catalogs {
		for _, d := range c.Databases {
			any := false
			for _, t := range d.Tables {
				if !denied(engine.Ref{Catalog: strings.ToLower(c.Name), Database: strings.ToLower(d.Name), Table: strings.ToLower(t.Name), Access: engine.Read}) {
					keepTable[[3]string{c.Name, d.Name, t.Name}] = true
					any = true
				}
			}
			if any || len(d.Tables) == 0 && !denied(engine.Ref{Catalog: strings.ToLower(c.Name), Database: strings.ToLower(d.Name), Table: "*", Access: engine.Metadata}) {
				keepDB[[2]string{c.Name, d.Name}] = true
			}
		}
	}
	return l.Filter(func(c, d, t string) bool {
		switch {
		case d == "":
			return true
		case t == "":
			return keepDB[[2]string{c, d}]
		}
		return keepTable[[3]string{c, d, t}]
	})
}
