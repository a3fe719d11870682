package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/explain"
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
// (read from the registry when a reference first needs them) and, with
// withPolicy, the role's known policy (--policy files, or the sandbox's
// role). -e leaves the policy to its pre-send check, which knows the
// workgroup too and prints the statement that fixes the whole query.
func (a *app) sessionGrants(ctx context.Context, gc *grantCheck, qs *querySession, withPolicy bool) {
	gc.client = qs.client
	if l := qs.login; l != nil && l.registry != nil && l.quilt != nil {
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
	}
	if !withPolicy || qs.fix == nil || qs.fix.known == nil {
		return
	}
	known := qs.fix.known
	caller, err := qs.caller(ctx)
	if err != nil {
		fmt.Fprintf(a.st.Err, "quiltq: who you are could not be read from STS, so %s is not checked: %v\n", known.source, err)
		return
	}
	label := known.source
	if known.role != "" {
		label = "role " + known.role + "'s policy"
	}
	gc.policy = &grants.Policy{Label: label, Policies: known.policies, Caller: caller, Region: qs.aws.Region}
	if arn, err := iam.ParseARN(caller.ARN); err == nil {
		gc.policy.Account = arn.Account
	}
	gc.checker.Sources = append(gc.checker.Sources, gc.policy)
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
			if dc, err := gc.client.DescribeDataCatalog(ctx, r.Catalog); err == nil {
				gc.policy.Catalogs = append(gc.policy.Catalogs, iam.DataCatalog{Name: r.Catalog, Type: dc.Type, Function: dc.Function()})
			}
		}
	}
	return gc.checker.Check(refs, kind)
}

// checkStatement is the check before a statement is sent: -1 to go on,
// else the exit code after saying why it was refused.
func (gc *grantCheck) checkStatement(ctx context.Context, sql string, o queryOptions, st streams) int {
	err := gc.checkSQL(ctx, sql, o.Catalog, o.Database)
	if err == nil {
		return -1
	}
	fmt.Fprintf(st.Err, "quiltq: %v\n", errors.Unwrap(err))
	if engine.KindOf(err) == engine.Denied {
		return exitDenied
	}
	return exitFailed
}

// statementKind is what a statement does, as far as permissions go; a
// statement it cannot classify is decided as a SELECT for its reads (its
// write references keep the kind the grants give them).
func statementKind(sql string) iam.StatementKind {
	k, err := explain.StatementKind(sql)
	if err != nil {
		return iam.Select
	}
	return k
}

// checkSQL is the grant check of the workbench: nil when the SQL may be
// sent, an engine.Error of kind Denied naming what the grants refuse, or
// of kind Invalid when its tables cannot be told: carrying an
// *engine.SyntaxError when the SQL does not parse.
func (gc *grantCheck) checkSQL(ctx context.Context, sql, catalog, database string) error {
	if !gc.active() {
		return nil
	}
	refs, err := refsOf(sql, catalog, database)
	if se := syntaxOf(err); se != nil {
		return &engine.Error{Op: "grant check", Kind: engine.Invalid, Err: se}
	}
	if err != nil {
		return &engine.Error{Op: "grant check", Kind: engine.Invalid, Err: fmt.Errorf("which tables this SQL uses cannot be told, so it is not sent: %w", err)}
	}
	if denied := grants.Denials(gc.decide(ctx, refs, statementKind(sql))); len(denied) > 0 {
		return &engine.Error{Op: "grant check", Kind: engine.Denied, Err: &grants.Refusal{Denied: denied}}
	}
	return nil
}

// preload reads what the sources need from the network (the Quilt role's
// buckets) now, at start-up, rather than on the first query.
func (gc *grantCheck) preload() {
	for _, s := range gc.checker.Sources {
		if q, ok := s.(*grants.QuiltRole); ok {
			q.Preload()
		}
	}
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

// trinoStatement reports whether word starts a Trino statement that the
// reference check does not read (Trino's SqlBase.g4, rule `statement`):
// SQL starting with one is valid SQL whose tables cannot be told, not a
// syntax error.
func trinoStatement(word string) bool {
	switch strings.ToLower(word) {
	case "use", "truncate", "comment", "analyze", "refresh", "call", "grant", "revoke", "deny",
		"set", "reset", "start", "commit", "rollback":
		return true
	}
	return false
}

// syntaxOf is the syntax error a failure of the reference check is: SQL
// that does not lex or parse, as Athena would refuse it too. It is nil
// when err is nil or is the check's own limit (a statement or construct it
// cannot read, a prepared statement, no default database): that SQL may
// be valid, and is only not sent.
func syntaxOf(err error) *engine.SyntaxError {
	var se *sqlref.Error
	if !errors.As(err, &se) {
		return nil
	}
	msg := se.Msg
	if rest, ok := strings.CutPrefix(msg, "unsupported statement "); ok {
		word, _, _ := strings.Cut(rest, ":")
		if strings.Contains(word, " ") || trinoStatement(word) {
			return nil // CREATE FUNCTION, CALL, ...: valid, not readable
		}
		return &engine.SyntaxError{Line: se.Line, Column: se.Col, Message: fmt.Sprintf("%s does not start a statement (SELECT, WITH, INSERT, CREATE, SHOW, DESCRIBE, ...)", word)}
	}
	for _, limit := range []string{"cannot tell", "not supported by the reference check", "prepared statement", "no default", "nesting deeper"} {
		if strings.Contains(msg, limit) {
			return nil
		}
	}
	return &engine.SyntaxError{Line: se.Line, Column: se.Col, Message: msg}
}
